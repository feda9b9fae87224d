//! `spacectl list -w/--watch --until`: following a real collection job of the
//! real SpaceONE 1.12 services (`scripts/services.sh`, `scripts/full-loop.sh`)
//! until it ends SUCCESS, in every output format.
//!
//! The test starts services of its own on free ports (a watch over every job
//! of the domain needs a domain with no jobs but the one it follows) and stops
//! them again. Skipped (one visible line) when the services venv is not built,
//! unless `SPACECTL_REQUIRE_REFERENCE` is set.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::services::{START_TIMEOUT, STOP_TIMEOUT, script, services_sh, services_venv};

/// Upper bound for the collection and for each watch.
const WATCH_TIMEOUT: Duration = Duration::from_secs(300);

/// Services started here, stopped on drop (also when the test fails).
struct OwnServices {
    dir: tempfile::TempDir,
}

impl OwnServices {
    fn start() -> OwnServices {
        let dir = tempfile::Builder::new()
            .prefix("spacectl-watch-")
            .tempdir()
            .unwrap_or_else(|e| panic!("create a state directory: {e}"));
        let started = services_sh("start", dir.path(), &["--loop"], START_TIMEOUT);
        assert_eq!(
            started.code(),
            0,
            "services.sh start: {}{}",
            started.stdout,
            started.stderr
        );
        OwnServices { dir }
    }

    fn state(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }
}

impl Drop for OwnServices {
    fn drop(&mut self) {
        let r = services_sh("stop", self.dir.path(), &[], STOP_TIMEOUT);
        if r.code() != 0 {
            eprintln!("scripts/services.sh stop: {}{}", r.stdout, r.stderr);
        }
    }
}

/// Our `list inventory.Job` watch, started in the background.
fn watch(state: &Path, args: &[&str], out: &Path, err: &Path) -> std::process::Child {
    let mut cmd = common::command_in_home(&common::spacectl_bin(), &state.join("home"));
    cmd.args(["list", "inventory.Job", "-c", "job_id,status"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(out).expect("stdout file"))
        .stderr(std::fs::File::create(err).expect("stderr file"));
    cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"))
}

/// Wait for `child` within `limit`; kill it (and fail) past that.
fn wait_bounded(child: &mut std::process::Child, limit: Duration, what: &str) -> i32 {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.code().unwrap_or(-1);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn watching_a_collection_job_ends_when_it_succeeds() {
    let test = "watching_a_collection_job_ends_when_it_succeeds";
    let venv = services_venv();
    if !venv.join(".requirements.sha256").is_file() && !common::require_reference() {
        common::skip_group(
            "real-services",
            test,
            &format!("the services venv {} is not built", venv.display()),
        );
        return;
    }
    let services = OwnServices::start();
    let state = services.state();
    let files = tempfile::tempdir().expect("tempdir");
    let p = |name: &str| files.path().join(name);

    // Watches in three formats, started before the job exists.
    let mut table = watch(
        &state,
        &["-w", "0.3", "--until", "status=SUCCESS"],
        &p("t.out"),
        &p("t.err"),
    );
    let mut json = watch(
        &state,
        &["--watch=0.3", "--until", "status=SUCCESS", "-o", "json"],
        &p("j.out"),
        &p("j.err"),
    );
    let mut csv = watch(
        &state,
        &["--until", "status=SUCCESS", "-o", "csv"],
        &p("c.out"),
        &p("c.err"),
    );

    let mut cmd = Command::new("bash");
    cmd.arg(script("full-loop.sh"))
        .arg("--spacectl")
        .arg(common::spacectl_bin())
        .arg("--services")
        .arg(&state)
        .env_remove("SPACECTL_SERVICES_STATE");
    let collected = common::run_bounded(cmd, "", WATCH_TIMEOUT);
    assert_eq!(
        collected.code(),
        0,
        "full-loop.sh: {}{}",
        collected.stdout,
        collected.stderr
    );

    let read = |n: &str| std::fs::read_to_string(p(n)).unwrap_or_default();
    for (child, name) in [(&mut table, "t"), (&mut json, "j"), (&mut csv, "c")] {
        let code = wait_bounded(child, Duration::from_secs(60), "the watch");
        assert_eq!(
            code,
            0,
            "{name}: {}\n{}",
            read(&format!("{name}.out")),
            read(&format!("{name}.err"))
        );
    }

    // table: a time stamp before each batch; the last batch shows SUCCESS
    let t = read("t.out");
    assert!(t.starts_with("# 20"), "{t}");
    assert!(t.contains(" new or changed row"), "{t}");
    let last = t.rsplit("# 20").next().unwrap_or_default();
    assert!(last.contains("| SUCCESS"), "{t}");
    // json: one document per batch, the last one SUCCESS; the stamps on stderr
    let j = read("j.out");
    let docs: Vec<serde_json::Value> = serde_json::Deserializer::from_str(&j)
        .into_iter::<serde_json::Value>()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{e}: {j}"));
    let last = docs.last().cloned().unwrap_or_default();
    assert_eq!(last["results"][0]["status"], "SUCCESS", "{j}");
    assert!(read("j.err").starts_with("# 20"), "{}", read("j.err"));
    // csv: the header once, then rows; the last row SUCCESS
    let c = read("c.out");
    let lines: Vec<&str> = c.lines().collect();
    assert_eq!(lines.first().copied(), Some("job_id,status"), "{c}");
    assert_eq!(
        lines.iter().filter(|l| **l == "job_id,status").count(),
        1,
        "{c}"
    );
    assert!(lines.last().is_some_and(|l| l.ends_with(",SUCCESS")), "{c}");
}

#[test]
fn a_watch_gives_up_after_failed_listings() {
    // Nothing listens on the endpoint: every listing fails.
    let home = common::temp_home();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let run = |args: &[&str]| {
        let mut cmd = common::command_in_home(&common::spacectl_bin(), home.path());
        cmd.args(args);
        common::run_bounded(cmd, "", Duration::from_secs(60))
    };
    let r = run(&["config", "init", "-e", "w"]);
    assert_eq!(r.code(), 0, "{r:?}");
    let r = run(&[
        "config",
        "endpoint",
        "add",
        "inventory",
        &format!("grpc://127.0.0.1:{port}"),
    ]);
    assert_eq!(r.code(), 0, "{r:?}");
    let r = run(&["list", "inventory.Job", "-w", "0.1"]);
    assert_eq!(r.code(), 1, "{r:?}");
    let lines: Vec<&str> = r.stderr.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 5, "{}", r.stderr);
    assert!(
        lines[0].starts_with("watch: listing failed (1 of 5 tries): "),
        "{}",
        r.stderr
    );
    assert!(
        lines[0].ends_with("; trying again in 0.1 s"),
        "{}",
        r.stderr
    );
    assert!(
        lines[4].starts_with("ERROR: watch: gave up after 5 failed listings in a row; the last: "),
        "{}",
        r.stderr
    );
    let r = run(&["list", "inventory.Job", "--until", "status"]);
    assert_eq!(r.code(), 1, "{r:?}");
    assert!(
        r.stderr.contains("--until must be FIELD=VALUE"),
        "{}",
        r.stderr
    );
}
