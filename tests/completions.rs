//! The completion scripts checked in under completions/ must match what the
//! binary generates. Regenerate with `scripts/update-completions.sh`.

use std::path::Path;
use std::process::Command;

const SHELLS: [(&str, &str); 5] = [
    ("bash", "spacectl.bash"),
    ("zsh", "_spacectl"),
    ("fish", "spacectl.fish"),
    ("powershell", "_spacectl.ps1"),
    ("elvish", "spacectl.elv"),
];

#[test]
fn checked_in_completions_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let mut stale = Vec::new();
    for (shell, file) in SHELLS {
        let out = Command::new(env!("CARGO_BIN_EXE_spacectl"))
            .args(["completion", shell])
            .output()
            .expect("run spacectl completion");
        assert!(out.status.success(), "completion {shell} failed");
        let generated = String::from_utf8(out.stdout).expect("utf-8 script");
        assert!(
            generated.contains("spacectl"),
            "{shell} script names the binary"
        );
        let checked_in = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        if checked_in != generated {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "stale completion scripts {stale:?}: run scripts/update-completions.sh"
    );
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_spacectl"))
        .args(["completion", "tcsh"])
        .output()
        .expect("run spacectl");
    assert_eq!(out.status.code(), Some(2));
}
