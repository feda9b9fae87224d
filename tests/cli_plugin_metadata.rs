//! `spacectl plugin metadata FILE` end to end: the built binary on the metadata
//! goldens of `tests/data/metadata/` (see the README there).

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Run, command_in_home, run_bounded, spacectl_bin, temp_home};
use serde_json::Value;

const TIMEOUT: Duration = Duration::from_secs(20);

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/metadata")
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    let home = temp_home();
    let mut c = command_in_home(&spacectl_bin(), home.path());
    c.args(args).current_dir(dir);
    run_bounded(c, "", TIMEOUT)
}

fn yaml_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("data directory")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    names
}

/// Compact text of a JSON document in member order (serde_json keeps the order).
fn ordered(text: &str) -> String {
    let v: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    serde_json::to_string(&v).unwrap_or_default()
}

#[test]
fn prints_every_golden_view_as_indented_json() {
    let dir = data_dir();
    let names = yaml_files(&dir);
    assert!(names.len() >= 13, "goldens missing: {names:?}");
    for name in names {
        let run = run_in(&dir, &["plugin", "metadata", &name]);
        assert_eq!(run.code(), 0, "{name}: {}", run.stderr);
        assert_eq!(run.stderr, "", "{name}");
        let expected = std::fs::read_to_string(dir.join(name.replace(".yaml", ".expected.json")))
            .expect("expected output");
        assert!(run.stdout.ends_with("}\n"), "{name}: {}", run.stdout);
        assert_eq!(ordered(&run.stdout), ordered(&expected), "{name}");
    }
}

#[test]
fn indentation_is_four_spaces() {
    let run = run_in(&data_dir(), &["plugin", "metadata", "minimal.yaml"]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        r#"{
    "view": {
        "search": [
            {
                "name": "A",
                "key": "data.a",
                "type": "text"
            }
        ],
        "table": {
            "layout": {
                "type": "query-search-table",
                "options": {},
                "name": "Main Table"
            }
        },
        "sub_data": {
            "layouts": []
        }
    }
}
"#
    );
}

#[test]
fn invalid_files_fail_with_file_key_path_and_expectation() {
    let dir = data_dir().join("errors");
    let names = yaml_files(&dir);
    assert!(names.len() >= 15, "error goldens missing: {names:?}");
    for name in names {
        let run = run_in(&dir, &["plugin", "metadata", &name]);
        let expected =
            std::fs::read_to_string(dir.join(name.replace(".yaml", ".expected-error.txt")))
                .expect("expected error");
        assert_eq!(run.code(), 1, "{name}");
        assert_eq!(run.stdout, "", "{name}");
        assert_eq!(
            run.stderr,
            format!("ERROR: {}\n\n", expected.trim_end_matches('\n')),
            "{name}"
        );
    }
}

#[test]
fn unreadable_and_malformed_files() {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(dir.path().join("bad.yaml"), "search: [unclosed\n").expect("write");
    std::fs::create_dir(dir.path().join("folder.yaml")).expect("mkdir");

    let run = run_in(dir.path(), &["plugin", "metadata", "bad.yaml"]);
    assert_eq!(run.code(), 1);
    assert!(
        run.stderr.starts_with("ERROR: bad.yaml: invalid YAML: "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.ends_with("\n\n"), "{}", run.stderr);

    let run = run_in(dir.path(), &["plugin", "metadata", "folder.yaml"]);
    assert_eq!(run.code(), 1);
    assert_eq!(run.stderr, "ERROR: folder.yaml: Is a directory\n\n");

    let run = run_in(dir.path(), &["plugin", "metadata", "missing.yaml"]);
    assert_eq!(run.code(), 2, "{}", run.stderr);
    assert!(run.stderr.contains("missing.yaml"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
}
