//! The data and export modules of `spacectl apply` (`csv`, `join`,
//! `export-excel`, `export-mysql`, `export-s3`, `export-google-sheets`): one
//! manifest per module (tests/data/apply/modules) runs through our binary and
//! through the pinned Python spacectl against the same real backends, and what
//! each wrote is read back and compared, and with the expected result kept
//! beside the manifest.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(120);

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/apply/modules")
        .join(name)
}

/// A working directory holding copies of the named data files.
fn workdir(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("spacectl-apply-")
        .tempdir()
        .expect("create a temporary directory");
    for f in files {
        std::fs::copy(data(f), dir.path().join(f)).unwrap_or_else(|e| panic!("copy {f}: {e}"));
    }
    dir
}

/// `program apply ARGS` in `cwd` with a fresh home.
fn apply_with(program: &Path, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> common::Run {
    let home = cwd.join(".home");
    std::fs::create_dir_all(&home).expect("create home");
    let mut cmd = common::command_in_home(program, &home);
    cmd.current_dir(cwd)
        .env("COLUMNS", "60")
        .arg("apply")
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    common::run_bounded(cmd, "", TIMEOUT)
}

fn ours(cwd: &Path, args: &[&str]) -> common::Run {
    apply_with(&common::spacectl_bin(), cwd, args, &[])
}

/// Python writes a missing value as `NaN` (not JSON); we write `null`.
fn nan_as_null(text: &str) -> String {
    text.replace("NaN", "null")
}

#[test]
fn csv_and_join_give_the_rows_pandas_gives() {
    let files = ["servers.csv", "join_csv.yaml"];
    let dir = workdir(&files);
    let run = ours(dir.path(), &["-s", "join_csv.yaml"]);
    assert_eq!(run.code(), 0, "{run:?}");
    let expected = std::fs::read_to_string(data("join_csv.expected.json")).expect("expected");
    assert_eq!(run.stdout, expected);

    let Some(python) = common::reference_spacectl("csv_and_join_give_the_rows_pandas_gives") else {
        return;
    };
    let dir = workdir(&files);
    let py = apply_with(&python, dir.path(), &["-s", "join_csv.yaml"], &[]);
    assert_eq!(py.code(), 0, "{py:?}");
    assert_eq!(nan_as_null(&py.stdout), expected);
}

#[test]
fn csv_and_join_errors_name_the_task() {
    let dir = workdir(&[]);
    std::fs::write(
        dir.path().join("m.yaml"),
        "tasks:\n  - name: Read\n    uses: \"@modules/csv\"\n    spec: {file: missing.csv}\n",
    )
    .expect("write");
    let run = ours(dir.path(), &["m.yaml"]);
    assert_eq!(run.code(), 1, "{run:?}");
    assert_eq!(
        run.stderr,
        "ERROR: [Read] cannot read the CSV file missing.csv: No such file or directory\n\
         >> Spec: {\"file\": \"missing.csv\"}\n\n"
    );
    std::fs::write(
        dir.path().join("j.yaml"),
        "tasks:\n  - name: Join\n    uses: \"@modules/join\"\n    \
         spec: {origin_data: [{id: 1}], other_data: [{id: \"1\"}], join_keys: id}\n",
    )
    .expect("write");
    let run = ours(dir.path(), &["j.yaml"]);
    assert_eq!(run.code(), 1, "{run:?}");
    assert!(
        run.stderr.starts_with(
            "ERROR: [Join] join key 'id' holds int64 values in origin_data and str values in other_data"
        ),
        "{}",
        run.stderr
    );
}
