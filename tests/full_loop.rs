//! The full loop (`scripts/full-loop.sh --line 1`): the real SpaceONE 1.12 inventory
//! collects from a plugin that the real supervisor starts with our host, and
//! what landed is read back with our client.
//!
//! Each test runs the script with services of its own (on free ports, in a
//! temporary state directory) and checks that nothing it started is left
//! running, or, when `SPACECTL_SERVICES_STATE` names a running set started with
//! `scripts/services.sh start --loop`, uses that set. The tests run one at a
//! time (two cores run one set of services well, not three).
//!
//! Skipped (one visible line) when the services venv is not built, unless
//! `SPACECTL_REQUIRE_REFERENCE` is set.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::services::{STOP_TIMEOUT, script, services_sh, services_venv};
use serde_json::Value;

/// Upper bound for one run of the script (services start included).
const LOOP_TIMEOUT: Duration = Duration::from_secs(900);
/// Upper bound for one client call.
const CALL_TIMEOUT: Duration = Duration::from_secs(120);

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Whether the tools are there; reports the skipped group otherwise.
fn available(test: &str) -> bool {
    let venv = services_venv();
    if venv.join(".requirements.sha256").is_file() || common::require_reference() {
        return true;
    }
    common::skip_group(
        "real-services",
        test,
        &format!("the services venv {} is not built", venv.display()),
    );
    false
}

/// A running loop set to use instead of starting one, from `SPACECTL_SERVICES_STATE`.
fn shared_services() -> Option<PathBuf> {
    let state =
        PathBuf::from(std::env::var_os("SPACECTL_SERVICES_STATE").filter(|s| !s.is_empty())?);
    let ready = std::fs::read_to_string(state.join("ready")).ok()?;
    (ready.trim() == "1").then_some(state)
}

fn unique() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{:x}",
        (nanos as u64 ^ u64::from(std::process::id())) & 0xff_ffff
    )
}

/// Where one run's services live, and whether the run started them.
struct Place {
    state: PathBuf,
    own: Option<tempfile::TempDir>,
}

impl Place {
    fn new() -> Place {
        match shared_services() {
            Some(state) => Place { state, own: None },
            None => {
                let dir = tempfile::Builder::new()
                    .prefix("spacectl-full-loop-test-")
                    .tempdir()
                    .unwrap_or_else(|e| panic!("create a state directory: {e}"));
                Place {
                    state: dir.path().to_path_buf(),
                    own: Some(dir),
                }
            }
        }
    }

    /// The script's arguments that select these services (`keep`: leave our own running).
    fn args(&self, keep: bool) -> Vec<String> {
        let path = self.state.display().to_string();
        match (&self.own, keep) {
            (None, _) => vec!["--services".into(), path],
            (Some(_), false) => vec!["--state".into(), path],
            (Some(_), true) => vec!["--state".into(), path, "--keep".into()],
        }
    }

    /// Stop our own services (after `--keep`) and check that none of their processes is left.
    fn finish(&self) {
        if self.own.is_none() {
            return;
        }
        let stop = services_sh("stop", &self.state, &[], STOP_TIMEOUT);
        assert_eq!(
            stop.code(),
            0,
            "services.sh stop: {}{}",
            stop.stdout,
            stop.stderr
        );
        assert_nothing_left(&self.state);
    }
}

/// Processes whose environment marks them as part of the services of `state`
/// (services.sh exports `SPACECTL_SERVICES_STATE`; the plugins inherit it).
fn processes_of(state: &Path) -> Vec<String> {
    let marker = format!("SPACECTL_SERVICES_STATE={}", state.display());
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        if environ.split(|b| *b == 0).any(|v| v == marker.as_bytes()) {
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            // A zombie has an empty command line and is already gone.
            if !cmdline.trim().is_empty() {
                found.push(format!("{name}: {cmdline}"));
            }
        }
    }
    found
}

fn assert_nothing_left(state: &Path) {
    // stop waits for the processes; their exit is already visible here.
    let left = processes_of(state);
    assert!(
        left.is_empty(),
        "processes left running:\n{}",
        left.join("\n")
    );
}

fn full_loop(args: &[String]) -> common::Run {
    let mut cmd = Command::new("bash");
    cmd.arg(script("full-loop.sh"))
        .args(["--line", "1"])
        .arg("--spacectl")
        .arg(common::spacectl_bin())
        .args(args)
        .env_remove("SPACECTL_SERVICES_STATE");
    let run = common::run_bounded(cmd, "", LOOP_TIMEOUT);
    eprintln!(
        "--- full-loop.sh {}\n{}{}",
        args.join(" "),
        run.stdout,
        run.stderr
    );
    run
}

/// The rows of the table printed under `# <title>`, as column → value maps.
fn table(stdout: &str, title: &str) -> Vec<BTreeMap<String, String>> {
    let mut lines = stdout
        .lines()
        .skip_while(|l| !l.starts_with(&format!("# {title}")))
        .skip(1)
        .take_while(|l| !l.starts_with("# "))
        .filter(|l| l.contains('|'));
    let split = |l: &str| {
        l.split('|')
            .map(|c| c.trim().to_string())
            .collect::<Vec<_>>()
    };
    let Some(header) = lines.next().map(split) else {
        panic!("no table {title} in:\n{stdout}");
    };
    lines
        .map(|l| header.iter().cloned().zip(split(l)).collect())
        .collect()
}

fn column(rows: &[BTreeMap<String, String>], name: &str) -> Vec<String> {
    rows.iter()
        .map(|r| r.get(name).cloned().unwrap_or_default())
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// `spacectl list inventory.CloudServiceType -p provider=PROVIDER -c COLUMNS -o json` against
/// the services. (Parts of the view only: inventory 1.12 takes seconds to return a deeply
/// nested view whole.)
fn cloud_service_types(state: &Path, provider: &str, columns: &str) -> Vec<Value> {
    let cache = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut cmd = common::command_in_home(&common::spacectl_bin(), &state.join("home"));
    cmd.env("XDG_CACHE_HOME", cache.path()).args([
        "list",
        "inventory.CloudServiceType",
        "-p",
        &format!("provider={provider}"),
        "-c",
        columns,
        "-o",
        "json",
    ]);
    let run = common::run_bounded(cmd, "", CALL_TIMEOUT);
    assert_eq!(run.code(), 0, "{run:?}");
    let doc: Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    doc["results"].as_array().cloned().unwrap_or_default()
}

/// A fresh `spacectl create-project` collector (plain Python, standard library only).
fn sdk_project(dir: &Path, provider: &str) -> PathBuf {
    let mut cmd = common::command_in_home(&common::spacectl_bin(), dir);
    cmd.current_dir(dir)
        .args(["create-project", "demo", "--provider", provider, "-q"]);
    let run = common::run_bounded(cmd, "", CALL_TIMEOUT);
    assert_eq!(run.code(), 0, "create-project: {run:?}");
    dir.join("demo/src")
}

/// Run the loop for a fresh `create-project` plugin under plain `python3`.
fn sdk_loop(host_option: bool) -> (common::Run, String, Place) {
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let provider = format!("demo{}", unique());
    let src = sdk_project(work.path(), &provider);
    let place = Place::new();
    let mut args = vec![
        "-s".to_string(),
        src.display().to_string(),
        "--python".into(),
        "python3".into(),
    ];
    if !host_option {
        args.push("--no-inventory-v1".into());
    }
    args.extend(place.args(false));
    let run = full_loop(&args);
    (run, provider, place)
}

#[test]
fn sdk_plugin_with_python3_lands_in_the_real_inventory() {
    let test = "sdk_plugin_with_python3_lands_in_the_real_inventory";
    if !available(test) {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (run, provider, place) = sdk_loop(true);
    assert_eq!(run.code(), 0, "full-loop.sh failed");

    let services = table(&run.stdout, "inventory.CloudService");
    assert_eq!(
        sorted(column(&services, "name")),
        ["alpha", "beta", "gamma"]
    );
    assert!(column(&services, "provider").iter().all(|p| *p == provider));
    assert!(
        column(&services, "cloud_service_type")
            .iter()
            .all(|t| t == "Resource")
    );
    assert!(run.stdout.contains(" Count: 3 / 3\n"), "{}", run.stdout);
    assert_eq!(
        column(&table(&run.stdout, "inventory.Job"), "status"),
        ["SUCCESS"]
    );
    // One task per region (Job.get_tasks), both clean.
    let tasks = table(&run.stdout, "inventory.JobTask");
    assert_eq!(column(&tasks, "status"), ["SUCCESS", "SUCCESS"]);
    // The view went out as metadata too (--inventory-v1) and was stored.
    let view = format!(
        "full-loop: cloud service type Demo/Resource ({provider}): view with 4 search fields, table 'Main Table'\n"
    );
    assert!(run.stderr.contains(&view), "{}", run.stderr);
    if place.own.is_some() {
        // full-loop.sh stopped the services it started, and the plugin.
        assert_nothing_left(&place.state);
    }
}

#[test]
fn without_the_host_option_inventory_1_12_fails_the_cloud_service_type() {
    let test = "without_the_host_option_inventory_1_12_fails_the_cloud_service_type";
    if !available(test) {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (run, provider, place) = sdk_loop(false);
    // The documented upstream mismatch: the v2 framework sends the view as
    // json_metadata with metadata null; inventory 1.12 fails the cloud service
    // type on it (the failure is counted, no error recorded) and stores the type
    // without its view; the cloud services land.
    assert_eq!(
        run.code(),
        3,
        "full-loop.sh should report the failed job tasks"
    );
    let services = table(&run.stdout, "inventory.CloudService");
    assert_eq!(
        sorted(column(&services, "name")),
        ["alpha", "beta", "gamma"]
    );
    let tasks = table(&run.stdout, "inventory.JobTask");
    assert_eq!(column(&tasks, "status"), ["FAILURE", "FAILURE"]);
    assert_eq!(column(&tasks, "failure_count"), ["1", "1"]);
    assert_eq!(
        run.stderr
            .matches(": 1 failure(s) without a recorded error\n")
            .count(),
        2,
        "{}",
        run.stderr
    );
    assert_eq!(
        column(&table(&run.stdout, "inventory.Job"), "status"),
        ["SUCCESS"]
    );
    let no_view = format!("full-loop: cloud service type Demo/Resource ({provider}): no view\n");
    assert!(run.stderr.contains(&no_view), "{}", run.stderr);
    if place.own.is_some() {
        // Also after a failed collection, nothing is left running.
        assert_nothing_left(&place.state);
    }
}

#[test]
fn compat_sample_lands_in_the_real_inventory_with_its_views() {
    let test = "compat_sample_lands_in_the_real_inventory_with_its_views";
    if !available(test) {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let place = Place::new();
    // The defaults: the sample under the plugin venv, its data mock, collect-north-1.yaml.
    let run = full_loop(&place.args(true));
    let checks = || {
        assert_eq!(run.code(), 0, "full-loop.sh failed");
        let services = table(&run.stdout, "inventory.CloudService");
        assert_eq!(
            sorted(column(&services, "name")),
            [
                "ledger-api-1",
                "ledger-api-1-root",
                "ledger-archive",
                "ledger-public",
                "ledger-worker-1"
            ]
        );
        assert_eq!(
            sorted(column(&services, "cloud_service_type")),
            ["Instance", "Instance", "LoadBalancer", "Volume", "Volume"]
        );
        assert!(
            column(&services, "region_code")
                .iter()
                .all(|r| r == "north-1")
        );
        assert!(run.stdout.contains(" Count: 5 / 5\n"), "{}", run.stdout);
        assert_eq!(
            column(&table(&run.stdout, "inventory.Job"), "status"),
            ["SUCCESS"]
        );
        let tasks = table(&run.stdout, "inventory.JobTask");
        assert_eq!(column(&tasks, "status"), ["SUCCESS"]);
        assert_eq!(column(&tasks, "created_count").len(), 1);

        // Every type's view was stored (it went out as metadata too).
        let types = cloud_service_types(
            &place.state,
            "kestrel",
            "group,name,metadata.view.search,metadata.view.sub_data.layouts,metadata.view.table.layout.name",
        );
        let mut names: Vec<String> = types
            .iter()
            .map(|t| {
                format!(
                    "{}/{}",
                    t["group"].as_str().unwrap_or("-"),
                    t["name"].as_str().unwrap_or("-")
                )
            })
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "Compute/Instance",
                "Compute/Volume",
                "Networking/LoadBalancer"
            ]
        );
        for t in &types {
            let what = format!("{}/{}: {t}", t["group"], t["name"]);
            let count = |key: &str| t[key].as_array().map(Vec::len).unwrap_or(0);
            assert!(
                count("metadata.view.search") > 0,
                "no search fields stored for {what}"
            );
            assert!(
                count("metadata.view.sub_data.layouts") > 0,
                "no detail tabs stored for {what}"
            );
            assert_eq!(t["metadata.view.table.layout.name"], "Main Table", "{what}");
        }
    };
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(checks));
    place.finish();
    if let Err(e) = outcome {
        std::panic::resume_unwind(e);
    }
}
