//! The data and export modules of `spacectl apply` (`csv`, `join`,
//! `export-excel`, `export-mysql`, `export-s3`, `export-google-sheets`): one
//! manifest per module (tests/data/apply/modules) runs through our binary and
//! through the pinned Python spacectl against the same real backends, and what
//! each wrote is read back and compared, and with the expected result kept
//! beside the manifest.

mod common;
#[path = "apply_backends/mariadb.rs"]
mod mariadb;
#[path = "apply_backends/process.rs"]
mod process;
#[path = "apply_backends/s3.rs"]
mod s3;
#[path = "support/tls.rs"]
#[allow(dead_code)]
mod tls;

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

/// A run that failed (exit 1) with stderr starting with `prefix`.
fn assert_fails(run: &common::Run, prefix: &str) {
    assert_eq!(run.code(), 1, "{run:?}");
    assert!(run.stderr.starts_with(prefix), "{}", run.stderr);
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
    assert_fails(
        &run,
        "ERROR: [Join] join key 'id' holds int64 values in origin_data and str values in other_data",
    );
}

/// The pinned venv's Python (it has openpyxl, pandas and the clients of the
/// export modules).
fn reference_python(test: &str) -> Option<PathBuf> {
    common::reference_tool("spacectl-venv/bin/python", test)
}

/// A workbook as openpyxl reads it back.
fn read_xlsx(python: &Path, file: &Path) -> String {
    let mut cmd = std::process::Command::new(python);
    cmd.arg(data("read_xlsx.py")).arg(file);
    let run = common::run_bounded(cmd, "", TIMEOUT);
    assert_eq!(run.code(), 0, "{run:?}");
    run.stdout
}

#[test]
fn export_excel_writes_the_cells_pandas_writes() {
    let test = "export_excel_writes_the_cells_pandas_writes";
    let Some(python) = reference_python(test) else {
        return;
    };
    let expected = std::fs::read_to_string(data("export_excel.expected.json")).expect("expected");
    let dir = workdir(&["export_excel.yaml"]);
    let run = ours(dir.path(), &["-s", "export_excel.yaml"]);
    assert_eq!(run.code(), 0, "{run:?}");
    assert_eq!(
        read_xlsx(&python, &dir.path().join("out/report.xlsx")),
        expected
    );

    let Some(spacectl) = common::reference_spacectl(test) else {
        return;
    };
    let dir = workdir(&["export_excel.yaml"]);
    let py = apply_with(&spacectl, dir.path(), &["-s", "export_excel.yaml"], &[]);
    assert_eq!(py.code(), 0, "{py:?}");
    assert_eq!(
        read_xlsx(&python, &dir.path().join("out/report.xlsx")),
        expected
    );
}

#[test]
fn export_excel_refusals_leave_the_workbook_as_it_was() {
    let dir = workdir(&[]);
    let manifest = |sheet: &str, reset: bool, data: &str| {
        format!(
            "tasks:\n  - name: Export\n    uses: \"@modules/export-excel\"\n    \
             spec: {{path: book.xlsx, sheet: \"{sheet}\", reset: {reset}, data: {data}}}\n"
        )
    };
    let write = |text: String| std::fs::write(dir.path().join("m.yaml"), text).expect("write");
    write(manifest("S", false, "[{a: 1}]"));
    let run = ours(dir.path(), &["m.yaml"]);
    assert_fails(
        &run,
        "ERROR: [Export] the workbook book.xlsx does not exist: a sheet is added to an existing workbook; set reset: true to make a new one\n",
    );
    assert!(!dir.path().join("book.xlsx").exists());

    write(manifest("S", true, "[{a: 1, f: \"=1+1\"}]"));
    let run = ours(dir.path(), &["-s", "m.yaml"]);
    assert_eq!(run.code(), 0, "{run:?}");
    let before = std::fs::read(dir.path().join("book.xlsx")).expect("book");

    write(manifest("S", false, "[{a: 2}]"));
    let run = ours(dir.path(), &["m.yaml"]);
    assert_fails(
        &run,
        "ERROR: [Export] Sheet 'S' already exists in book.xlsx;",
    );
    write(manifest("bad[name]", false, "[{a: 2}]"));
    let run = ours(dir.path(), &["m.yaml"]);
    assert_fails(
        &run,
        "ERROR: [Export] the sheet name 'bad[name]' is not allowed in a workbook:",
    );
    assert_eq!(
        std::fs::read(dir.path().join("book.xlsx")).expect("book"),
        before
    );

    // text that looks like a formula stays text
    if let Some(python) = reference_python("export_excel_refusals_leave_the_workbook_as_it_was") {
        let cells = read_xlsx(&python, &dir.path().join("book.xlsx"));
        let compact: String = cells.split_whitespace().collect();
        assert!(compact.contains("[\"B2\",\"=1+1\",\"s\","), "{cells}");
    }
}

/// The MySQL manifest with its placeholders filled in, in `dir`.
fn mysql_manifest(
    dir: &Path,
    db: &mariadb::MariaDb,
    table: &str,
    password: &str,
    pem: bool,
) -> String {
    let mut text = std::fs::read_to_string(data("export_mysql.yaml")).expect("manifest");
    text = text
        .replace("@HOST@", "127.0.0.1")
        .replace("@PORT@", &db.port.to_string())
        .replace("@PASSWORD@", password)
        .replace("@TABLE@", table)
        .replace("@PEM@", &db.ca.display().to_string());
    if !pem {
        text = text.replace("      pem: ", "      # pem: ");
    }
    let name = format!("{table}.yaml");
    std::fs::write(dir.join(&name), text).expect("write manifest");
    name
}

const PASSWORD: &str = "pw-Zq8-never-shown";

fn hosts_table(db: &mariadb::MariaDb, table: &str) {
    db.sql(&format!(
        "CREATE TABLE reports.{table} (name VARCHAR(64) NOT NULL, cores INT, mem DOUBLE, \
         up BOOLEAN, note TEXT, label VARCHAR(16)) ENGINE=InnoDB"
    ));
}

fn rows_of(db: &mariadb::MariaDb, table: &str) -> String {
    db.sql(&format!(
        "SELECT name, cores, mem, up, IFNULL(note, 'NULL'), label FROM reports.{table} ORDER BY name"
    ))
}

#[test]
fn export_mysql_inserts_the_rows_python_inserts_over_tls() {
    let db = mariadb::MariaDb::start();
    db.sql(&format!(
        "CREATE DATABASE reports; \
         CREATE USER 'reporter'@'%' IDENTIFIED BY '{PASSWORD}' REQUIRE SSL; \
         GRANT ALL ON reports.* TO 'reporter'@'%';"
    ));
    hosts_table(&db, "ours");
    hosts_table(&db, "theirs");
    let dir = workdir(&[]);
    let m = mysql_manifest(dir.path(), &db, "ours", PASSWORD, true);
    let run = ours(dir.path(), &[&m]);
    assert_eq!(run.code(), 0, "{run:?}");
    assert!(
        !run.stdout.contains(PASSWORD) && !run.stderr.contains(PASSWORD),
        "{run:?}"
    );
    let expected = "web-1\t4\t16.5\t1\tfirst\t7\nweb-2\t8\t32\t0\tit's\t2.5\n\
                    큰 서버\t64\t0.25\t1\tNULL\tx\n";
    assert_eq!(rows_of(&db, "ours"), expected);

    // the user must use TLS: without pem the server refuses, and nothing is written
    let m = mysql_manifest(dir.path(), &db, "ours", PASSWORD, false);
    let run = ours(dir.path(), &[&m]);
    assert_fails(&run, "ERROR: [Export to MySQL] MySQL at 127.0.0.1:");
    assert!(
        !run.stdout.contains(PASSWORD) && !run.stderr.contains(PASSWORD),
        "{run:?}"
    );
    assert!(
        run.stderr.contains("\"password\": \"******\""),
        "{}",
        run.stderr
    );

    if let Some(python) =
        common::reference_spacectl("export_mysql_inserts_the_rows_python_inserts_over_tls")
    {
        let m = mysql_manifest(dir.path(), &db, "theirs", PASSWORD, true);
        let py = apply_with(&python, dir.path(), &[&m], &[]);
        assert_eq!(py.code(), 0, "{py:?}");
        assert_eq!(rows_of(&db, "theirs"), expected);
        // the same column types (the server's view of the values each client sent)
        let types = |t: &str| {
            db.sql(&format!(
                "SELECT GROUP_CONCAT(CONCAT(name, ':', JSON_TYPE(JSON_OBJECT('v', mem)), ':', \
                 JSON_TYPE(JSON_OBJECT('v', label))) ORDER BY name) FROM reports.{t}"
            ))
        };
        assert_eq!(types("ours"), types("theirs"));
    }
}

#[test]
fn export_mysql_failures_name_the_task_and_write_nothing() {
    let db = mariadb::MariaDb::start();
    db.sql(&format!(
        "CREATE DATABASE reports; \
         CREATE USER 'reporter'@'%' IDENTIFIED BY '{PASSWORD}'; \
         GRANT ALL ON reports.* TO 'reporter'@'%';"
    ));
    hosts_table(&db, "hosts");
    let dir = workdir(&[]);
    let one_line = |run: &common::Run| {
        let first = run.stderr.lines().next().unwrap_or_default().to_string();
        assert!(
            !run.stderr.contains(PASSWORD) && !run.stdout.contains(PASSWORD),
            "{run:?}"
        );
        first
    };

    // a bad password
    let m = mysql_manifest(dir.path(), &db, "hosts", "wrong-password", false);
    let run = ours(dir.path(), &[&m]);
    assert_eq!(run.code(), 1, "{run:?}");
    assert_eq!(
        one_line(&run),
        format!(
            "ERROR: [Export to MySQL] MySQL at 127.0.0.1:{} refused user 'reporter' (access denied): check user and password",
            db.port
        )
    );
    assert!(!run.stderr.contains("wrong-password"), "{}", run.stderr);

    // a missing table
    let m = mysql_manifest(dir.path(), &db, "nothere", PASSWORD, false);
    let run = ours(dir.path(), &[&m]);
    assert_eq!(run.code(), 1, "{run:?}");
    assert_eq!(
        one_line(&run),
        "ERROR: [Export to MySQL] row 0 was not inserted, so no row was: table 'nothere' does not exist in database 'reports': create it first"
    );

    // the third row fails (no such column): the first two are rolled back
    db.sql("ALTER TABLE reports.hosts DROP COLUMN label");
    let m = mysql_manifest(dir.path(), &db, "hosts", PASSWORD, false);
    let text = std::fs::read_to_string(dir.path().join(&m)).expect("manifest");
    std::fs::write(
        dir.path().join(&m),
        text.replace(", label: 7}", "}")
            .replace(", label: 2.5}", "}"),
    )
    .expect("write");
    let run = ours(dir.path(), &[&m]);
    assert_eq!(run.code(), 1, "{run:?}");
    assert_eq!(
        one_line(&run),
        "ERROR: [Export to MySQL] row 2 was not inserted, so no row was: Unknown column 'label' in 'INSERT INTO'"
    );
    assert_eq!(db.sql("SELECT COUNT(*) FROM reports.hosts"), "0\n");

    // a server that is not there
    drop(db);
    let run = ours(dir.path(), &[&m]);
    assert_eq!(run.code(), 1, "{run:?}");
    assert!(
        one_line(&run)
            .starts_with("ERROR: [Export to MySQL] cannot connect to MySQL at 127.0.0.1:"),
        "{}",
        run.stderr
    );
}

const S3_SECRET: &str = "s3cret-Kq7-never-shown";

fn s3_manifest(dir: &Path, prefix: &str) -> String {
    let text = std::fs::read_to_string(data("export_s3.yaml")).expect("manifest");
    let name = format!("{prefix}.yaml");
    std::fs::write(dir.join(&name), text.replace("@PREFIX@", prefix)).expect("write");
    name
}

#[test]
fn export_s3_puts_the_objects_python_puts() {
    let test = "export_s3_puts_the_objects_python_puts";
    let Some(store) = s3::S3::start(test) else {
        return;
    };
    store.create_bucket("reports");
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(data("export_s3.expected.json")).expect("expected"),
    )
    .expect("expected json");
    let url = store.url();
    let env = [
        ("AWS_ENDPOINT_URL", url.as_str()),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ];
    let dir = workdir(&[]);
    let m = s3_manifest(dir.path(), "ours");
    let run = apply_with(&common::spacectl_bin(), dir.path(), &["-s", &m], &env);
    assert_eq!(run.code(), 0, "{run:?}");
    assert_eq!(store.objects("reports", "ours/"), expected);

    if let Some(python) = common::reference_spacectl(test) {
        let m = s3_manifest(dir.path(), "theirs");
        let py = apply_with(&python, dir.path(), &["-s", &m], &env);
        assert_eq!(py.code(), 0, "{py:?}");
        assert_eq!(store.objects("reports", "theirs/"), expected);
    }
}

#[test]
fn export_s3_endpoint_option_and_failures() {
    let test = "export_s3_endpoint_option_and_failures";
    let Some(store) = s3::S3::start(test) else {
        return;
    };
    store.create_bucket("reports");
    let dir = workdir(&[]);
    let manifest = |bucket: &str, endpoint: &str| {
        format!(
            "tasks:\n  - name: Put\n    uses: \"@modules/export-s3\"\n    spec:\n      \
             aws_access_key_id: AKIAEXAMPLEKEY\n      aws_secret_access_key: {S3_SECRET}\n      \
             endpoint_url: {endpoint}\n      bucket: {bucket}\n      path: direct/a b.json\n      \
             output: json\n      data: [{{x: 1}}]\n"
        )
    };
    std::fs::write(dir.path().join("m.yaml"), manifest("reports", &store.url())).expect("write");
    let run = ours(dir.path(), &["-s", "m.yaml"]);
    assert_eq!(run.code(), 0, "{run:?}");
    assert_eq!(
        store.objects("reports", "direct/"),
        serde_json::json!({"a b.json": "{\n    \"data\": [\n        {\n            \"x\": 1\n        }\n    ]\n}"})
    );

    // dry run: the plan, no object
    std::fs::write(
        dir.path().join("d.yaml"),
        manifest("reports", &store.url()).replace("direct/", "dry/"),
    )
    .expect("write");
    let mut cmd = common::command_in_home(&common::spacectl_bin(), dir.path());
    cmd.current_dir(dir.path())
        .env("COLUMNS", "60")
        .args(["apply", "--dry-run", "-s", "d.yaml"]);
    let run = common::run_bounded(cmd, "", TIMEOUT);
    assert_eq!(run.code(), 0, "{run:?}");
    assert!(
        run.stdout.contains(
            "DRY-RUN put 62 bytes of json to s3://reports/dry/a b.json at http://127.0.0.1:"
        ),
        "{run:?}"
    );
    assert_eq!(store.objects("reports", "dry/"), serde_json::json!({}));

    // a bucket that is not there
    std::fs::write(
        dir.path().join("m.yaml"),
        manifest("nobucket", &store.url()),
    )
    .expect("write");
    let run = ours(dir.path(), &["m.yaml"]);
    assert_eq!(run.code(), 1, "{run:?}");
    let first = run.stderr.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        format!(
            "ERROR: [Put] The put_object command in S3 failed (status = 404, at {}): bucket 'nobucket' does not exist; create it first",
            store.url()
        )
    );
    assert!(!run.stderr.contains(S3_SECRET), "{}", run.stderr);
    assert!(!run.stderr.contains("AKIAEXAMPLEKEY"), "{}", run.stderr);
    assert!(
        run.stderr.contains("\"aws_secret_access_key\": \"******\""),
        "{}",
        run.stderr
    );

    // a store that is not there
    let url = store.url();
    drop(store);
    std::fs::write(dir.path().join("m.yaml"), manifest("reports", &url)).expect("write");
    let run = ours(dir.path(), &["m.yaml"]);
    assert_fails(&run, &format!("ERROR: [Put] cannot reach {url}: "));
    assert!(!run.stderr.contains(S3_SECRET), "{}", run.stderr);
}

/// The stand-in of Google's endpoints (tests/data/apply/modules/sheets), on a
/// free loopback port; stopped by its PID when dropped.
struct SheetsStandIn {
    port: u16,
    child: std::process::Child,
}

impl SheetsStandIn {
    fn start(log: &Path) -> SheetsStandIn {
        let port = process::free_port();
        let mut child = std::process::Command::new("python3")
            .arg(data("sheets/standin.py"))
            .arg(port.to_string())
            .arg(log)
            .stdin(std::process::Stdio::null())
            .spawn()
            .expect("python3 is needed for the Google Sheets stand-in");
        process::wait_listening(&mut child, port, "the Google Sheets stand-in");
        SheetsStandIn { port, child }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The stand-in's Drive: paths, worksheets, cells and formats.
    fn state(&self) -> serde_json::Value {
        let mut cmd = std::process::Command::new("python3");
        cmd.args([
            "-c",
            "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())",
            &format!("{}/_state", self.url()),
        ]);
        let run = common::run_bounded(cmd, "", TIMEOUT);
        assert_eq!(run.code(), 0, "{run:?}");
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
    }

    /// A service account key file (a fresh RSA key) whose token URI is the stand-in's.
    fn key_file(&self, dir: &Path) -> PathBuf {
        let pem = dir.join("sa-key.pem");
        let out = std::process::Command::new("openssl")
            .args([
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
            ])
            .arg(&pem)
            .output()
            .expect("the openssl command-line tool is needed");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let key = serde_json::json!({
            "type": "service_account", "project_id": "reports", "private_key_id": "k1",
            "private_key": std::fs::read_to_string(&pem).expect("key"),
            "client_email": "exporter@reports.iam.gserviceaccount.com", "client_id": "1",
            "token_uri": format!("{}/token", self.url()),
        });
        let file = dir.join("service-account.json");
        std::fs::write(&file, key.to_string()).expect("write key file");
        file
    }
}

impl Drop for SheetsStandIn {
    fn drop(&mut self) {
        process::stop(&mut self.child, Duration::from_secs(10));
    }
}

fn sheets_manifest(dir: &Path, name: &str, key: &Path, api: Option<&str>) -> String {
    let text = std::fs::read_to_string(data("export_google_sheets.yaml")).expect("manifest");
    let api = api
        .map(|u| format!("google_api_url: {u}"))
        .unwrap_or_default();
    let text = text
        .replace("@KEY@", &key.display().to_string())
        .replace("@API@", &api);
    std::fs::write(dir.join(name), text).expect("write");
    name.to_string()
}

#[test]
fn export_google_sheets_leaves_the_drive_python_leaves() {
    let test = "export_google_sheets_leaves_the_drive_python_leaves";
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(data("export_google_sheets.expected.json")).expect("expected"),
    )
    .expect("expected json");
    let dir = workdir(&[]);
    let standin = SheetsStandIn::start(&dir.path().join("ours.log"));
    let key = standin.key_file(dir.path());
    let m = sheets_manifest(dir.path(), "ours.yaml", &key, Some(&standin.url()));
    let run = ours(dir.path(), &[&m]);
    assert_eq!(run.code(), 0, "{run:?}");
    assert_eq!(standin.state(), expected);
    drop(standin);

    let Some(python) = common::reference_spacectl(test) else {
        return;
    };
    let standin = SheetsStandIn::start(&dir.path().join("python.log"));
    let key = standin.key_file(dir.path());
    let m = sheets_manifest(dir.path(), "theirs.yaml", &key, None);
    let url = standin.url();
    let site = data("sheets");
    let site = site.to_str().unwrap_or_default();
    let py = apply_with(
        &python,
        dir.path(),
        &["-s", &m],
        &[("SHEETS_STANDIN_URL", url.as_str()), ("PYTHONPATH", site)],
    );
    assert_eq!(py.code(), 0, "{py:?}");
    assert_eq!(standin.state(), expected);
}

#[test]
fn export_google_sheets_failures_name_the_task() {
    let dir = workdir(&[]);
    let standin = SheetsStandIn::start(&dir.path().join("log"));
    let key = standin.key_file(dir.path());
    let url = standin.url();
    drop(standin);
    let m = sheets_manifest(dir.path(), "m.yaml", &key, Some(&url));
    let run = ours(dir.path(), &[&m]);
    assert_fails(
        &run,
        &format!("ERROR: [Export to Google Sheets] cannot reach {url}/token: "),
    );
    let m = sheets_manifest(
        dir.path(),
        "n.yaml",
        &dir.path().join("missing.json"),
        Some(&url),
    );
    let run = ours(dir.path(), &[&m]);
    assert_fails(
        &run,
        "ERROR: [Export to Google Sheets] cannot read the service account key file ",
    );
}
