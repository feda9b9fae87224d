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
    if let Some(note) = manual_path_note(dir, manual_path().as_deref()) {
        eprintln!("{note}");
    }
    Ok(())
}

/// The directories `man` searches, as `manpath` prints them (None when the
/// system has no `manpath`, or it fails).
fn manual_path() -> Option<String> {
    let out = std::process::Command::new("manpath")
        .arg("-q")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// What to do when `man spacectl` would not find the pages written to `dir`:
/// a section directory (`.../man1`) whose parent is not on the manual path
/// `searched` (`manpath`'s colon-separated output). None when `man` will find
/// them, or when there is no `manpath` to ask.
pub fn manual_path_note(dir: &Path, searched: Option<&str>) -> Option<String> {
    let searched = searched?;
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let section = absolute.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if section != "man1" {
        return Some(format!(
            "note: man reads section 1 pages from a directory named man1; `man spacectl` will not find them in {} (write them into <root>/man1, e.g. ~/.cargo/share/man/man1)",
            dir.display()
        ));
    }
    let root = absolute.parent()?;
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let root_real = canonical(root);
    if searched
        .split(':')
        .filter(|s| !s.is_empty())
        .any(|s| canonical(Path::new(s)) == root_real)
    {
        return None;
    }
    Some(format!(
        "note: {root} is not on the manual path, so `man spacectl` will not find these pages; read one with `man -M {root} spacectl`, or add it for good: export MANPATH=\"{root}:$(manpath -q)\" in your shell's start-up file (man also searches ../share/man next to every directory on PATH, e.g. ~/.cargo/share/man for ~/.cargo/bin)",
        root = root.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_off_the_manual_path_is_explained() {
        assert_eq!(
            manual_path_note(
                Path::new("/opt/x/man/man1"),
                Some("/usr/share/man:/opt/x/man")
            ),
            None
        );
        assert_eq!(manual_path_note(Path::new("/opt/x/man/man1"), None), None);
        assert_eq!(
            manual_path_note(
                Path::new("/opt/x/man/man1"),
                Some("/usr/share/man:/usr/local/share/man")
            )
            .as_deref(),
            Some(
                "note: /opt/x/man is not on the manual path, so `man spacectl` will not find these pages; read one with `man -M /opt/x/man spacectl`, or add it for good: export MANPATH=\"/opt/x/man:$(manpath -q)\" in your shell's start-up file (man also searches ../share/man next to every directory on PATH, e.g. ~/.cargo/share/man for ~/.cargo/bin)"
            )
        );
        assert_eq!(
            manual_path_note(Path::new("/opt/pages"), Some("/opt")).as_deref(),
            Some(
                "note: man reads section 1 pages from a directory named man1; `man spacectl` will not find them in /opt/pages (write them into <root>/man1, e.g. ~/.cargo/share/man/man1)"
            )
        );
    }

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
