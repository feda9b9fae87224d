//! The export modules: rows written to a workbook (`export-excel`), a
//! database table (`export-mysql`), an object store (`export-s3`) or a
//! spreadsheet service (`export-google-sheets`).
//!
//! What they share lives here: the rows to export, the target path, files
//! replaced whole (never half-written), and the specs as they may be shown.

pub mod excel;
pub mod mysql;
pub mod s3;
pub mod sheets;
pub mod sigv4;

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::apply::frame::Frame;

/// `spec.data` as a table: a list of mappings (an empty value is no rows).
pub fn frame_of(spec: &Map<String, Value>) -> Result<Frame, String> {
    match spec.get("data") {
        None => Err("Required key: data".into()),
        Some(Value::Null) => Ok(Frame::default()),
        Some(Value::Object(m)) if m.is_empty() => Ok(Frame::default()),
        Some(Value::Array(rows)) => Frame::from_records(rows, "data"),
        Some(other) => Err(format!(
            "Type error: data must be a list of mappings (data = {})",
            crate::apply::text::compact(other)
        )),
    }
}

/// `path` as a string, or a list of segments joined with `/` (slashes inside
/// the last segment dropped, as upstream does).
pub fn target_path(spec: &Map<String, Value>) -> Result<PathBuf, String> {
    match spec.get("path") {
        None => Err("Required key: path".into()),
        Some(v @ (Value::String(_) | Value::Array(_))) => {
            crate::apply::modules::print::target_path(Some(v))
                .filter(|p| !p.as_os_str().is_empty())
                .ok_or_else(|| format!("Type error: path must be a file path or a list of path segments (path = {v})"))
        }
        Some(other) => Err(format!(
            "Type error: path must be a file path or a list of path segments (path = {other})"
        )),
    }
}

/// Write `path` whole: the bytes go to a temporary file beside it, which then
/// replaces it, so a failure leaves the old file (or none) in place.
pub fn replace_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let shown = path.display();
    let dir = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(d) => {
            std::fs::create_dir_all(d)
                .map_err(|e| format!("cannot create the directory {}: {e}", d.display()))?;
            d.to_path_buf()
        }
        None => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".spacectl-")
        .tempfile_in(&dir)
        .map_err(|e| format!("cannot write {shown}: {e}"))?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(|e| format!("cannot write {shown}: {e}"))?;
    // the new file keeps the old one's mode; a new file is readable by all, as
    // files made with the default umask are
    let mode = std::fs::metadata(path)
        .map(|m| m.permissions())
        .unwrap_or_else(|_| std::os::unix::fs::PermissionsExt::from_mode(0o644));
    tmp.as_file()
        .set_permissions(mode)
        .map_err(|e| format!("cannot write {shown}: {e}"))?;
    tmp.persist(path)
        .map_err(|e| format!("cannot write {shown}: {}", e.error))?;
    Ok(())
}
