//! The completion scripts checked in under completions/ and the manual pages
//! under man/ must match what the binary generates, for both names.
//! Regenerate them with `scripts/update-completions.sh`.

use std::path::Path;
use std::process::Command;

const NAMES: [&str; 2] = ["spacectl", "spaceone"];

/// (shell, file name for the program `name`).
fn scripts(name: &str) -> [(&'static str, String); 5] {
    [
        ("bash", format!("{name}.bash")),
        ("zsh", format!("_{name}")),
        ("fish", format!("{name}.fish")),
        ("powershell", format!("_{name}.ps1")),
        ("elvish", format!("{name}.elv")),
    ]
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn checked_in_completions_are_current() {
    let dir = repo().join("completions");
    let mut stale = Vec::new();
    let mut expected_files = Vec::new();
    for name in NAMES {
        for (shell, file) in scripts(name) {
            let out = Command::new(env!("CARGO_BIN_EXE_spacectl"))
                .args(["completion", shell, "--name", name])
                .output()
                .expect("run spacectl completion");
            assert!(
                out.status.success(),
                "completion {shell} --name {name} failed"
            );
            let generated = String::from_utf8(out.stdout).expect("utf-8 script");
            let checked_in = std::fs::read_to_string(dir.join(&file)).unwrap_or_default();
            if checked_in != generated {
                stale.push(file.clone());
            }
            expected_files.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "stale completion scripts {stale:?}: run scripts/update-completions.sh"
    );
    let mut present: Vec<String> = std::fs::read_dir(&dir)
        .expect("completions/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    present.sort();
    expected_files.sort();
    assert_eq!(
        present, expected_files,
        "completions/ holds exactly the generated scripts"
    );
}

#[test]
fn each_name_completes_its_own_tree() {
    let script = |name: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_spacectl"))
            .args(["completion", "bash", "--name", name])
            .output()
            .expect("run spacectl completion");
        String::from_utf8(out.stdout).expect("utf-8 script")
    };
    let spacectl = script("spacectl");
    let spaceone = script("spaceone");
    assert!(spacectl.contains("complete -F _spacectl"), "{spacectl}");
    assert!(spaceone.contains("complete -F _spaceone"), "{spaceone}");
    assert!(spacectl.contains("api-resources"));
    assert!(!spaceone.contains("api-resources"));
    for command in [
        "create-project",
        "show-config",
        "plugin-server",
        "grpc-server",
    ] {
        assert!(spaceone.contains(command), "{command}");
    }
    // Without --name: spacectl's.
    let out = Command::new(env!("CARGO_BIN_EXE_spacectl"))
        .args(["completion", "bash"])
        .output()
        .expect("run spacectl completion");
    assert_eq!(String::from_utf8_lossy(&out.stdout), spacectl);
}

#[test]
fn checked_in_manual_pages_are_current() {
    let generated = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_spacectl"))
        .arg("man")
        .arg(generated.path())
        .output()
        .expect("run spacectl man");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = |dir: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let pages = list(generated.path());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "Wrote {n} manual pages to {d}\n\
             note: man reads section 1 pages from a directory named man1; `man spacectl` will not find them in {d} (write them into <root>/man1, e.g. ~/.cargo/share/man/man1)\n",
            n = pages.len(),
            d = generated.path().display()
        )
    );
    for page in [
        "spacectl.1",
        "spaceone.1",
        "spacectl-plugin-test.1",
        "spaceone-run-plugin-server.1",
    ] {
        assert!(pages.iter().any(|p| p == page), "{page} in {pages:?}");
    }
    let checked_in = repo().join("man");
    assert_eq!(
        list(&checked_in),
        pages,
        "man/ holds other pages than generated: run scripts/update-completions.sh"
    );
    let stale: Vec<&String> = pages
        .iter()
        .filter(|p| {
            std::fs::read(generated.path().join(p)).ok() != std::fs::read(checked_in.join(p)).ok()
        })
        .collect();
    assert!(
        stale.is_empty(),
        "stale manual pages {stale:?}: run scripts/update-completions.sh"
    );
}

#[test]
fn manual_pages_do_not_depend_on_the_environment() {
    let page = |port: &str| {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = Command::new(env!("CARGO_BIN_EXE_spacectl"))
            .arg("man")
            .arg(dir.path())
            .env("SPACEONE_PORT", port)
            .output()
            .expect("run spacectl man");
        assert!(out.status.success());
        std::fs::read_to_string(dir.path().join("spacectl-run-plugin-server.1")).expect("page")
    };
    let with = page("1234");
    assert!(!with.contains("1234"), "{with}");
    assert_eq!(with, page(""));
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_spacectl"))
        .args(["completion", "tcsh"])
        .output()
        .expect("run spacectl");
    assert_eq!(out.status.code(), Some(2));
}
