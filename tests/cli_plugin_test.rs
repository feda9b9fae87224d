//! `spacectl plugin test` end to end on the test plugins of
//! `tests/data/plugins/` (SDK mode) and on the sample plugin
//! `samples/compat-collector` served in compat mode by the reference plugin
//! virtualenv's Python.
//!
//! `plugin test` starts and stops its own host (by PID); every run here is
//! bounded; everything listens on 127.0.0.1 only.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Run, command_in_home, reference_tool, run_bounded, sample, spacectl_bin, temp_home};
use serde_json::Value;

const TIMEOUT: Duration = Duration::from_secs(120);

fn plugins_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/plugins")
}

/// `spacectl plugin test ARGS` in `cwd`, with a private home.
fn plugin_test_in(cwd: &Path, args: &[&str], env: &[(&str, String)]) -> Run {
    let home = temp_home();
    let mut c = command_in_home(&spacectl_bin(), home.path());
    c.args(["plugin", "test"])
        .args(args)
        .current_dir(cwd)
        .env_remove("PYTHONPATH");
    for (k, v) in env {
        c.env(k, v);
    }
    run_bounded(c, "", TIMEOUT)
}

/// `plugin test -s tests/data/plugins/NAME ARGS`, run from the plugins directory.
fn plugin_test(name: &str, args: &[&str]) -> Run {
    let mut all = vec!["-s", name];
    all.extend_from_slice(args);
    plugin_test_in(&plugins_dir(), &all, &[])
}

fn json_report(r: &Run) -> Value {
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not a JSON report ({e}):\n{}\n{}", r.stdout, r.stderr))
}

fn messages(report: &Value, list: &str) -> Vec<(String, String)> {
    report[list]
        .as_array()
        .unwrap_or_else(|| panic!("{list} missing"))
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap_or("").to_string(),
                f["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn resources(report: &Value) -> Vec<(String, String, u64)> {
    report["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| {
            (
                r["resource_type"].as_str().unwrap_or("").to_string(),
                r["state"].as_str().unwrap_or("").to_string(),
                r["count"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn call_results(report: &Value) -> Vec<(String, String, u64)> {
    report["calls"]
        .as_array()
        .expect("calls")
        .iter()
        .map(|c| {
            (
                c["call"].as_str().unwrap_or("").to_string(),
                c["result"].as_str().unwrap_or("").to_string(),
                c["responses"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn owned(rows: &[(&str, &str, u64)]) -> Vec<(String, String, u64)> {
    rows.iter()
        .map(|(a, b, n)| (a.to_string(), b.to_string(), *n))
        .collect()
}

#[test]
fn a_good_plugin_passes() {
    let r = plugin_test("good", &[]);
    assert_eq!(r.code(), 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.stderr, "", "no progress output without a terminal");
    let expected_tables =
        " CALL                         | RESULT                               | TIME ";
    assert!(r.stdout.contains(expected_tables), "{}", r.stdout);
    assert!(
        r.stdout.contains(
            " RESOURCE TYPE              | STATE   |   COUNT
----------------------------+---------+---------
 inventory.CloudServiceType | SUCCESS |       2
 inventory.Region           | SUCCESS |       2
 inventory.CloudService     | SUCCESS |       4
"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .ends_with("\nPASSED: 4 calls, 8 resources, 0 errors, 0 warnings\n"),
        "{}",
        r.stdout
    );

    let r = plugin_test("good", &["-o", "json"]);
    assert_eq!(r.code(), 0, "{}", r.stderr);
    let report = json_report(&r);
    assert_eq!(report["passed"], Value::Bool(true));
    assert_eq!(report["source_root"], "good");
    assert_eq!(report["request_file"], Value::Null);
    assert_eq!(report["verify_file"], Value::Null);
    assert_eq!(
        call_results(&report),
        owned(&[
            ("Collector.init", "OK", 1),
            ("Collector.verify", "SKIPPED", 0),
            ("Job.get_tasks", "OK", 1),
            ("Collector.collect (task 1/2)", "OK", 4),
            ("Collector.collect (task 2/2)", "OK", 4),
        ])
    );
    assert_eq!(
        report["calls"][1]["reason"], "no verify.yaml or --secret",
        "{}",
        r.stdout
    );
    assert!(messages(&report, "errors").is_empty());
    assert!(messages(&report, "warnings").is_empty());
    for timing in ["host_start", "connect", "first_item", "total"] {
        assert!(
            report["timings_ms"][timing].is_number(),
            "{timing}: {}",
            r.stdout
        );
    }
}

#[test]
fn verify_runs_with_a_secret_and_tasks_split_the_collect() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let good_secret = tmp.path().join("secret.yaml");
    std::fs::write(&good_secret, "token: t-123\n").expect("write");
    let request_with_secret = tmp.path().join("verify.yaml");
    std::fs::write(
        &request_with_secret,
        "options: {}\nsecret_data:\n  token: t-456\n",
    )
    .expect("write");
    let empty_secret = tmp.path().join("empty.json");
    std::fs::write(&empty_secret, "{\"other\": 1}").expect("write");

    for secret in [&good_secret, &request_with_secret] {
        let secret = secret.display().to_string();
        let r = plugin_test("good", &["--secret", &secret, "-o", "json"]);
        assert_eq!(r.code(), 0, "{}\n{}", r.stdout, r.stderr);
        let report = json_report(&r);
        assert_eq!(
            call_results(&report),
            owned(&[
                ("Collector.init", "OK", 1),
                ("Collector.verify", "OK", 1),
                ("Job.get_tasks", "OK", 1),
                ("Collector.collect (task 1/2)", "OK", 4),
                ("Collector.collect (task 2/2)", "OK", 4),
            ])
        );
        assert_eq!(
            resources(&report),
            owned(&[
                ("inventory.CloudServiceType", "SUCCESS", 2),
                ("inventory.Region", "SUCCESS", 2),
                ("inventory.CloudService", "SUCCESS", 4),
            ]),
            "match keys only collide within one collect call"
        );
        assert!(messages(&report, "errors").is_empty(), "{}", r.stdout);
    }

    let r = plugin_test(
        "good",
        &[
            "--secret",
            &empty_secret.display().to_string(),
            "--no-tasks",
            "-o",
            "json",
        ],
    );
    assert_eq!(r.code(), 1);
    assert_eq!(r.stderr, "ERROR: The plugin test failed (1 error).\n\n");
    let report = json_report(&r);
    assert_eq!(report["passed"], Value::Bool(false));
    assert_eq!(
        messages(&report, "errors"),
        [(
            "call".to_string(),
            "Collector.verify failed: Required parameter. (key = secret_data.token)".to_string()
        )]
    );
}

#[test]
fn a_failure_item_fails_the_test_with_its_message() {
    let r = plugin_test("failure_item", &[]);
    assert_eq!(r.code(), 1, "{}", r.stdout);
    assert!(
        r.stdout.contains(
            "Errors (1):\n  - item #3 inventory.ErrorResource 'acme/Things/Widget' is a FAILURE: the widget API refused the connection\nWarnings: none\n"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(" inventory.ErrorResource    | FAILURE |       1\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .ends_with("\nFAILED: 2 calls, 3 resources, 1 error, 0 warnings\n")
    );
    assert_eq!(r.stderr, "ERROR: The plugin test failed (1 error).\n\n");

    let report = json_report(&plugin_test("failure_item", &["-o", "json"]));
    // No Job.get_tasks route: like the inventory service, collect runs once.
    assert_eq!(
        call_results(&report),
        owned(&[
            ("Collector.init", "OK", 1),
            ("Collector.verify", "SKIPPED", 0),
            ("Job.get_tasks", "SKIPPED", 0),
            ("Collector.collect", "OK", 3),
        ])
    );
    assert_eq!(report["calls"][2]["reason"], "no route; collect runs once");
    assert_eq!(
        messages(&report, "errors"),
        [(
            "failure_item".to_string(),
            "item #3 inventory.ErrorResource 'acme/Things/Widget' is a FAILURE: the widget API refused the connection".to_string()
        )]
    );
}

#[test]
fn metadata_fields_missing_from_data_are_warnings_or_failures_with_strict() {
    let r = plugin_test("missing_field", &[]);
    assert_eq!(r.code(), 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(
            "Warnings (1):\n  - metadata of acme/Things/Widget: field 'Price' (data.price) is missing from the data of 2 of 2 cloud services (e.g. 'w1')\n"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .ends_with("\nPASSED: 2 calls, 3 resources, 0 errors, 1 warning\n")
    );

    let r = plugin_test("missing_field", &["--strict", "-o", "json"]);
    assert_eq!(r.code(), 1, "{}", r.stdout);
    assert_eq!(
        r.stderr,
        "ERROR: The plugin test failed (warnings with --strict).\n\n"
    );
    let report = json_report(&r);
    assert_eq!(report["passed"], Value::Bool(false));
    assert_eq!(report["strict"], Value::Bool(true));
    let warnings = messages(&report, "warnings");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].0, "metadata_field_missing");
}

#[test]
fn a_crashing_plugin_is_reported_with_its_log() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let log = tmp.path().join("host.log");
    let r = plugin_test("crashing", &["--log", &log.display().to_string()]);
    assert_eq!(r.code(), 1, "{}", r.stdout);
    assert!(
        r.stdout.contains(" Collector.collect | ERROR"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "Errors (1):\n  - Collector.collect failed: The plugin handler exited while serving Collector.collect (exit code 3).\n"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("\nPlugin host log (last "),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("  crashing: about to exit\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(" inventory.Region | SUCCESS |       1\n"),
        "items before the crash count: {}",
        r.stdout
    );
    let written = std::fs::read_to_string(&log).expect("log file");
    assert!(written.contains("Start gRPC Server (plugin)"), "{written}");
    assert!(written.contains("ERROR_HANDLER_EXITED"), "{written}");
}

#[test]
fn a_plugin_that_cannot_be_imported_fails_before_any_call() {
    let r = plugin_test("import_error", &["-o", "json"]);
    assert_eq!(r.code(), 1, "{}", r.stdout);
    let report = json_report(&r);
    assert_eq!(
        messages(&report, "errors"),
        [(
            "host".to_string(),
            "The plugin host did not start: ImportError: Cannot import app: No module named 'plugin.no_such_module'".to_string()
        )]
    );
    assert_eq!(report["calls"], Value::Array(vec![]));
    let log: Vec<&str> = report["host_log_tail"]
        .as_array()
        .expect("log")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        log.iter().any(|l| l.contains("ModuleNotFoundError")),
        "{log:?}"
    );
}

#[test]
fn bad_inputs_are_clear_errors() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let list = tmp.path().join("list.yaml");
    std::fs::write(&list, "- a\n- b\n").expect("write");
    let r = plugin_test("good", &["-f", &list.display().to_string()]);
    assert_eq!(r.code(), 1);
    assert_eq!(
        r.stderr,
        format!(
            "ERROR: The request file {} is not a mapping.\n\n",
            list.display()
        )
    );
    assert_eq!(r.stdout, "");

    let r = plugin_test("good", &["--secret", "/nonexistent/secret.yaml"]);
    assert_eq!(r.code(), 2, "a missing file is a usage error");

    // A package that is not there: the host says so.
    let r = plugin_test_in(tmp.path(), &["nopkg", "-o", "json"], &[]);
    assert_eq!(r.code(), 1);
    let report = json_report(&r);
    assert_eq!(report["source_root"], ".");
    assert_eq!(
        messages(&report, "errors"),
        [(
            "host".to_string(),
            "The plugin host did not start: Exception: The package(nopkg) can not imported. Please check the module path.\n\
             no package 'nopkg' in the source root . (looked for nopkg/ and nopkg.py); it holds no Python package\n\
             hint: name the directory that holds nopkg/ with -s/--source-root DIR, or run it in a project made by spacectl create-project (its package is src/plugin)".to_string()
        )]
    );
    // No traceback for a package that is not there.
    assert_eq!(
        report["host_log_tail"],
        serde_json::json!([
            "Exception: The package(nopkg) can not imported. Please check the module path."
        ])
    );
}

/// The commonest mistakes: `plugin test` outside the project, and a wrong
/// PACKAGE, in the project and for the server.
#[test]
fn a_package_that_is_not_there_is_looked_for_and_the_fix_named() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let home = temp_home();
    let mut c = command_in_home(&spacectl_bin(), home.path());
    c.args(["create-project", "my-collector", "-q"])
        .current_dir(tmp.path());
    assert_eq!(run_bounded(c, "", TIMEOUT).code(), 0);
    let upstream = "Exception: The package(plugin) can not imported. Please check the module path.";

    let r = plugin_test_in(tmp.path(), &[], &[]);
    assert_eq!(r.code(), 1, "{}", r.stderr);
    assert!(
        r.stdout.contains(&format!(
            "\nErrors (1):\n  - The plugin host did not start: {upstream}\n    \
             no package 'plugin' in the source root . (looked for plugin/ and plugin.py); it holds no Python package\n    \
             hint: run it in the plugin project: cd my-collector && spacectl plugin test\n"
        )),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("Traceback"), "{}", r.stdout);

    let project = tmp.path().join("my-collector");
    let r = plugin_test_in(&project, &["plugn", "-o", "json"], &[]);
    let report = json_report(&r);
    assert_eq!(report["source_root"], "src");
    assert_eq!(
        messages(&report, "errors"),
        [(
            "host".to_string(),
            "The plugin host did not start: Exception: The package(plugn) can not imported. Please check the module path.\n\
             no package 'plugn' in the source root src (looked for src/plugn/ and src/plugn.py); packages there: plugin\n\
             hint: name the package (PACKAGE, default plugin): spacectl plugin test plugin".to_string()
        )]
    );

    // The server says the same in its own words.
    let serve = |cwd: &Path, args: &[&str]| {
        let mut c = command_in_home(&spacectl_bin(), home.path());
        c.args(["run", "plugin-server"])
            .args(args)
            .args(["--host", "127.0.0.1", "-p", "0"])
            .current_dir(cwd)
            .env_remove("PYTHONPATH");
        run_bounded(c, "", TIMEOUT)
    };
    let r = serve(tmp.path(), &["plugin"]);
    assert_eq!(
        (r.code(), r.stderr.as_str()),
        (
            1,
            "Exception: The package(plugin) can not imported. Please check the module path.\n\
             no package 'plugin' in the source root . (looked for plugin/ and plugin.py); it holds no Python package\n\
             hint: run it in the plugin project: cd my-collector && spacectl run plugin-server plugin -s src\n"
        )
    );
    let r = serve(&project, &["plugn", "-s", "src"]);
    assert_eq!(
        r.stderr,
        "Exception: The package(plugn) can not imported. Please check the module path.\n\
         no package 'plugn' in the source root src (looked for src/plugn/ and src/plugn.py); packages there: plugin\n\
         hint: name the package (PACKAGE, default plugin): spacectl run plugin-server plugin -s src\n"
    );
}

// --- compat mode: the sample plugin on the upstream framework -------------------------

/// `plugin test ARGS` on the compat-mode sample with the reference plugin venv's
/// Python and the sample's data mock.
fn compat_sample_test(python: &Path, args: &[&str]) -> Run {
    let mock = sample::DataMock::start(python);
    let python = python.display().to_string();
    let mut all = vec!["--python", python.as_str()];
    all.extend_from_slice(args);
    let r = plugin_test_in(&sample::dir(), &all, &[(sample::API_URL_ENV, mock.url())]);
    drop(mock);
    r
}

#[test]
fn the_compat_sample_reports_its_failure_item() {
    let test = "the_compat_sample_reports_its_failure_item";
    let Some(python) = reference_tool("plugin-venv/bin/python", test) else {
        return;
    };
    let r = compat_sample_test(
        &python,
        &["--secret", "verify.yaml", "--tasks", "-o", "json"],
    );
    assert_eq!(r.code(), 1, "{}\n{}", r.stdout, r.stderr);
    let report = json_report(&r);
    assert_eq!(report["source_root"], "src");
    assert_eq!(report["request_file"], "collect.yaml");
    assert_eq!(report["secret_file"], "verify.yaml");
    let calls: Vec<(&str, &str)> = report["calls"]
        .as_array()
        .expect("calls")
        .iter()
        .map(|c| {
            (
                c["call"].as_str().unwrap_or(""),
                c["result"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            ("Collector.init", "OK"),
            ("Collector.verify", "OK"),
            ("Job.get_tasks", "OK"),
            ("Collector.collect (task 1/3)", "OK"),
            ("Collector.collect (task 2/3)", "OK"),
            ("Collector.collect (task 3/3)", "OK"),
        ]
    );
    assert_eq!(
        resources(&report),
        owned(&[
            ("inventory.CloudServiceType", "SUCCESS", 3),
            ("inventory.Region", "SUCCESS", 2),
            ("inventory.CloudService", "SUCCESS", 7),
            ("inventory.ErrorResource", "FAILURE", 1),
        ])
    );
    // The FAILURE item carries the message the Python plugin server sent for it.
    let golden = sample::json_docs(&sample::expected("collect.json"));
    let failure = golden
        .iter()
        .find(|d| d["state"] == "FAILURE")
        .expect("a FAILURE item in expected/collect.json");
    assert_eq!(
        messages(&report, "errors"),
        [(
            "failure_item".to_string(),
            format!(
                "item #13 inventory.ErrorResource 'kestrel/Networking/LoadBalancer' is a FAILURE: {}",
                failure["message"].as_str().expect("message")
            )
        )]
    );
    // Every field of the metadata is in the data.
    assert!(messages(&report, "warnings").is_empty(), "{}", r.stdout);
}

#[test]
fn the_compat_sample_passes_without_the_failing_region() {
    let test = "the_compat_sample_passes_without_the_failing_region";
    let Some(python) = reference_tool("plugin-venv/bin/python", test) else {
        return;
    };
    let r = compat_sample_test(
        &python,
        &[
            "-f",
            "collect-north-1.yaml",
            "--secret",
            "verify.yaml",
            "--tasks",
            "--strict",
            "-o",
            "json",
        ],
    );
    assert_eq!(r.code(), 0, "{}\n{}", r.stdout, r.stderr);
    let report = json_report(&r);
    assert_eq!(report["passed"], true);
    assert_eq!(
        resources(&report),
        owned(&[
            ("inventory.CloudServiceType", "SUCCESS", 3),
            ("inventory.Region", "SUCCESS", 1),
            ("inventory.CloudService", "SUCCESS", 5),
        ])
    );
    assert!(messages(&report, "errors").is_empty(), "{}", r.stdout);
    assert!(messages(&report, "warnings").is_empty(), "{}", r.stdout);
}

/// A handler in POSIX shell (the handler protocol of docs/plugin-protocol.md):
/// init answers, collect yields two regions with the same match keys.
const SHELL_HANDLER: &str = r#"#!/bin/sh
printf '%s\n' '{"ready": {"protocol": 1, "routes": ["Collector.init", "Collector.collect"]}}'
while IFS= read -r line; do
  id=${line#'{"id":'}
  id=${id%%,*}
  case "$line" in
    *'"method":"Collector.collect"'*)
      for i in 1 2; do
        printf '{"id":%s,"item":{"state":"SUCCESS","resource_type":"inventory.Region","region":{"region_code":"same","provider":"sh"},"match_keys":[["region_code","provider"]]}}\n' "$id"
      done
      printf '{"id":%s,"done":true}\n' "$id"
      ;;
    *)
      printf '{"id":%s,"result":{"metadata":{}}}\n' "$id"
      ;;
  esac
done
"#;

#[test]
fn handlers_in_other_languages_are_tested_too() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let script = tmp.path().join("handler.sh");
    std::fs::write(&script, SHELL_HANDLER).expect("write handler");
    std::fs::create_dir_all(tmp.path().join("src").join("plugin")).expect("package dir");
    let handler = format!("sh '{}'", script.display());
    let r = plugin_test_in(
        tmp.path(),
        &["--handler", &handler, "--no-tasks", "-o", "json"],
        &[],
    );
    assert_eq!(r.code(), 1, "{}\n{}", r.stdout, r.stderr);
    let report = json_report(&r);
    assert_eq!(report["source_root"], "src");
    assert_eq!(
        resources(&report),
        owned(&[("inventory.Region", "SUCCESS", 2)])
    );
    assert_eq!(
        messages(&report, "errors"),
        [(
            "duplicate_match_keys".to_string(),
            "item #2 inventory.Region 'same' has the same match keys as item #1 inventory.Region 'same' (region_code=same, provider=sh); the inventory would keep only one of them".to_string()
        )]
    );
}

/// From a host log: the transaction ids of the `Collector.collect` REQUEST lines
/// and those of the other lines that contain `marker`, in order.
fn collect_and_marker_ids(log: &str, marker: &str) -> (Vec<String>, Vec<String>) {
    let id = |line: &str| {
        line.split_whitespace()
            .nth(2)
            .unwrap_or_default()
            .to_string()
    };
    let requests = log
        .lines()
        .filter(|l| l.contains(" Collector.collect (") && l.contains("(REQUEST) =>"))
        .map(id)
        .collect();
    let marked = log
        .lines()
        .filter(|l| l.contains(marker) && !l.contains("(REQUEST) =>"))
        .map(id)
        .collect();
    (requests, marked)
}

fn assert_each_collect_logs_with_its_own_id(log: &str, marker: &str) {
    let (requests, marked) = collect_and_marker_ids(log, marker);
    assert_eq!(requests.len(), 2, "{log}");
    assert_ne!(requests[0], requests[1]);
    assert!(
        requests.iter().all(|r| r.len() == 32),
        "{requests:?}\n{log}"
    );
    assert_eq!(marked, requests, "{log}");
}

#[test]
fn plugin_log_lines_carry_the_transaction_id_of_their_request() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let pkg = tmp.path().join("src").join("plugin");
    std::fs::create_dir_all(&pkg).expect("package dir");
    std::fs::write(pkg.join("__init__.py"), "").expect("init");
    std::fs::write(
        pkg.join("main.py"),
        r#"import logging
from spaceone_plugin_sdk import CollectorPluginServer, make_response

_LOGGER = logging.getLogger(__name__)
app = CollectorPluginServer()

@app.route("Collector.init")
def init(params):
    return {"metadata": {"options_schema": {}}}

@app.route("Job.get_tasks")
def tasks(params):
    return {"tasks": [{"task_options": {"part": 1}}, {"task_options": {"part": 2}}]}

@app.route("Collector.collect")
def collect(params):
    part = params["task_options"]["part"]
    _LOGGER.info("collecting part %s", part)
    yield make_response(
        region={"name": f"R{part}", "region_code": f"r{part}", "provider": "p"},
        match_keys=[["region_code", "provider"]],
        resource_type="inventory.Region",
    )
"#,
    )
    .expect("main.py");
    let log = tmp.path().join("host.log");
    let r = plugin_test_in(
        tmp.path(),
        &["--tasks", "--log", &log.display().to_string()],
        &[],
    );
    assert_eq!(r.code(), 0, "{}\n{}", r.stdout, r.stderr);
    let text = std::fs::read_to_string(&log).expect("log file");
    assert_each_collect_logs_with_its_own_id(&text, "collecting part");
}

#[test]
fn framework_plugin_log_lines_carry_the_transaction_id_of_their_request() {
    let test = "framework_plugin_log_lines_carry_the_transaction_id_of_their_request";
    let Some(python) = reference_tool("plugin-venv/bin/python", test) else {
        return;
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let request = tmp.path().join("collect.yaml");
    std::fs::write(
        &request,
        "options:\n  log: collecting widgets\n  items: 1\nsecret_data: {}\n",
    )
    .expect("collect.yaml");
    let log = tmp.path().join("host.log");
    let project = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/handlers/compat_project");
    let r = plugin_test_in(
        tmp.path(),
        &[
            "compatplug",
            "-s",
            &project.display().to_string(),
            "--python",
            &python.display().to_string(),
            "-f",
            &request.display().to_string(),
            "--tasks",
            "--log",
            &log.display().to_string(),
        ],
        &[],
    );
    assert_eq!(r.code(), 0, "{}\n{}", r.stdout, r.stderr);
    let text = std::fs::read_to_string(&log).expect("log file");
    // Logged through upstream's own formatter, with its transaction fields.
    assert!(text.contains("     Collector.collect (main.py:"), "{text}");
    assert_each_collect_logs_with_its_own_id(&text, "collecting widgets");
}

/// `-p 0` serves on a free port the system chooses, named in the start line;
/// `--help` says what the default address binds and how to bind loopback only.
#[test]
fn port_zero_serves_on_a_free_port_named_in_the_start_line() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let tmp = tempfile::tempdir().expect("temp dir");
    let home = temp_home();
    let mut c = command_in_home(&spacectl_bin(), home.path());
    c.args(["create-project", "my-collector", "-q"])
        .current_dir(tmp.path());
    assert_eq!(run_bounded(c, "", TIMEOUT).code(), 0);
    let mut c = command_in_home(&spacectl_bin(), home.path());
    c.args([
        "run",
        "plugin-server",
        "plugin",
        "-s",
        "src",
        "--host",
        "127.0.0.1",
        "-p",
        "0",
    ])
    .current_dir(tmp.path().join("my-collector"))
    .env_remove("SPACEONE_PORT")
    .env_remove("PYTHONPATH")
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    let mut child = c.spawn().expect("start the server");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("Start gRPC Server (plugin): port=").nth(1) {
                let _ = tx.send(rest.split(',').next().unwrap_or("").to_string());
            }
        }
    });
    let port = rx.recv_timeout(Duration::from_secs(60));
    let connected = port
        .as_ref()
        .ok()
        .and_then(|p| p.parse::<u16>().ok())
        .map(|p| std::net::TcpStream::connect(("127.0.0.1", p)).is_ok());
    // SIGTERM: the host stops its handlers, then exits.
    // SAFETY: kill(2) on our own child, not yet reaped.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while matches!(child.try_wait(), Ok(None)) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    let port = port.expect("a start line");
    assert_ne!(port, "0");
    assert_eq!(connected, Some(true), "port {port}");

    let mut c = command_in_home(&spacectl_bin(), home.path());
    c.args(["run", "plugin-server", "--help"]);
    let help = run_bounded(c, "", TIMEOUT).stdout;
    let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
    for text in [
        "Port to listen on; 0 lets the system choose a free port, which the start line (`Start gRPC Server (...): port=N`) names",
        "The default `::` binds every interface (IPv6 and IPv4, or 0.0.0.0 without IPv6), so other machines can call the plugin; --host 127.0.0.1 binds the loopback interface only",
        "spacectl run plugin-server plugin -s src --host 127.0.0.1 -p 0 # loopback only, any free port",
    ] {
        assert!(flat.contains(text), "{text}\n{help}");
    }
}
