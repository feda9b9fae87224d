//! `plugin metadata FILE`: show the dynamic view a metadata YAML file converts
//! to — the value a collector stores as `json_metadata` — as indented JSON.

use std::path::Path;

use crate::error::{AppError, Result};
use crate::output::json;
use crate::plugin::kinds::collector::metadata;

pub fn run(file: &Path) -> Result<()> {
    let shown = file.display().to_string();
    let text = std::fs::read_to_string(file)
        .map_err(|e| AppError::msg(format!("{shown}: {}", io_reason(&e))))?;
    let view =
        metadata::convert_file_text(&shown, &text).map_err(|e| AppError::msg(e.to_string()))?;
    super::emit(&json::document(&view))
}

/// An I/O error without the `(os error N)` suffix.
fn io_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_reason_drops_os_error_suffix() {
        let e = std::io::Error::from_raw_os_error(2);
        assert_eq!(io_reason(&e), "No such file or directory");
        let e = std::io::Error::other("plain");
        assert_eq!(io_reason(&e), "plain");
    }
}
