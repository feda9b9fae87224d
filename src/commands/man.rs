//! `spacectl man DIR`: manual pages (roff, section 1) generated from the command
//! trees of both names, one page per command (`spacectl.1`,
//! `spacectl-config-init.1`, ..., `spaceone.1`, `spaceone-run-plugin-server.1`).

use std::path::Path;

use crate::cli::{BinName, command_tree};
use crate::error::{AppError, Result};

/// Every page of both names: (file name, roff text), parents before children.
pub fn pages() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for name in [BinName::Spacectl, BinName::Spaceone] {
        let mut cmd = command_tree(name).disable_help_subcommand(true);
        cmd.build();
        collect(&cmd, &mut out);
    }
    out
}

fn collect(cmd: &clap::Command, out: &mut Vec<(String, String)>) {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut text = Vec::new();
    // Rendering into memory cannot fail.
    if man.render(&mut text).is_ok() {
        out.push((
            man.get_filename(),
            String::from_utf8_lossy(&text).into_owned(),
        ));
    }
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub, out);
    }
}

pub fn run(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| {
        AppError::msg(format!(
            "Cannot create the directory {}: {e}",
            dir.display()
        ))
    })?;
    let pages = pages();
    for (file, text) in &pages {
        let path = dir.join(file);
        std::fs::write(&path, text)
            .map_err(|e| AppError::msg(format!("Cannot write {}: {e}", path.display())))?;
    }
    eprintln!("Wrote {} manual pages to {}", pages.len(), dir.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_page_per_command_of_both_names() {
        let pages = pages();
        let names: Vec<&str> = pages.iter().map(|(f, _)| f.as_str()).collect();
        for expected in [
            "spacectl.1",
            "spacectl-config-endpoint-add.1",
            "spacectl-plugin-test.1",
            "spacectl-man.1",
            "spaceone.1",
            "spaceone-create-project.1",
            "spaceone-run-plugin-server.1",
            "spaceone-run-grpc-server.1",
        ] {
            assert!(
                names.contains(&expected),
                "{expected} missing from {names:?}"
            );
        }
        assert!(!names.iter().any(|n| n.contains("-help")), "{names:?}");
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "file names are unique");
        let (_, top) = &pages[0];
        assert!(top.starts_with(".ie \\n(.g .ds Aq \\(aq\n"), "{top}");
        assert!(top.contains(".TH spacectl 1"), "{top}");
        let server = pages
            .iter()
            .find(|(f, _)| f == "spaceone-run-plugin-server.1")
            .map(|(_, t)| t.as_str())
            .unwrap_or_default();
        assert!(server.contains("Run a plugin server"), "{server}");
        assert!(server.contains("SPACEONE_PORT"), "{server}");
    }
}
