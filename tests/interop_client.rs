//! Our client against the Python plugin server (spaceone-core) serving the
//! compat-mode sample plugin (`samples/compat-collector`) with its data mock.
//! Outputs must equal what the Python spacectl printed against the same server
//! (`samples/compat-collector/expected/`): YAML byte for byte, JSON by content,
//! errors (on stderr here, with exit status 1) byte for byte.
//!
//! Skipped (one line per group) when the reference installation is absent, unless
//! `SPACECTL_REQUIRE_REFERENCE` is set.

mod common;
mod support;

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::sample::{self, DataMock};
use support::home::{Home, Run, wait_bounded};

/// One call may stream a whole collect out of the (slow) Python server.
const CALL_TIMEOUT: Duration = Duration::from_secs(180);

/// The data mock and the Python plugin server; both are stopped (by PID) on drop.
struct PythonPlugin {
    port: u16,
    server: Child,
    logs: tempfile::TempDir,
    _mock: DataMock,
}

impl PythonPlugin {
    fn start(test: &str) -> Option<PythonPlugin> {
        let spaceone = common::reference_tool("plugin-venv/bin/spaceone", test)?;
        let python = common::reference_tool("plugin-venv/bin/python", test)?;
        let mock = DataMock::start(&python);
        let logs = tempfile::tempdir().expect("tempdir");
        let port = sample::free_port();
        let log = |name: &str| std::fs::File::create(logs.path().join(name)).expect("log file");
        let server = Command::new(&spaceone)
            .args(["run", "plugin-server", "-s", "src", "plugin", "-p"])
            .arg(port.to_string())
            .current_dir(sample::dir())
            .env(sample::API_URL_ENV, mock.url())
            .stdin(Stdio::null())
            .stdout(log("plugin.log"))
            .stderr(log("plugin.err"))
            .spawn()
            .expect("start the Python plugin server");
        let mut plugin = PythonPlugin {
            port,
            server,
            logs,
            _mock: mock,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            let exited = !matches!(plugin.server.try_wait(), Ok(None));
            if exited || Instant::now() >= deadline {
                let err = std::fs::read_to_string(plugin.logs.path().join("plugin.err"))
                    .unwrap_or_default();
                panic!(
                    "the Python plugin server {} on port {port}:\n{err}",
                    if exited {
                        "exited"
                    } else {
                        "did not listen within 60 s"
                    }
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(plugin)
    }

    fn home(&self) -> Home {
        Home::new(
            &[("plugin", &format!("grpc://localhost:{}", self.port))],
            "",
        )
    }
}

impl Drop for PythonPlugin {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// `spacectl ARGS` in `home`, bounded by [`CALL_TIMEOUT`].
fn run(home: &Home, args: &[&str]) -> Run {
    let child = home.command(args).spawn().expect("spawn spacectl");
    wait_bounded(child, CALL_TIMEOUT)
}

/// `exec VERB RESOURCE -f sample/REQUEST EXTRA...`
fn exec(home: &Home, verb: &str, resource: &str, request: &str, extra: &[&str]) -> Run {
    let request = sample::file(request);
    let mut args = vec!["exec", verb, resource, "-f", &request];
    args.extend_from_slice(extra);
    run(home, &args)
}

#[test]
fn outputs_match_python_spacectl() {
    let Some(plugin) = PythonPlugin::start("outputs_match_python_spacectl") else {
        return;
    };
    let home = plugin.home();

    for (verb, resource, request, golden) in [
        ("init", "plugin.Collector", "init.yaml", "init.yaml"),
        ("verify", "plugin.Collector", "verify.yaml", "verify.yaml"),
        (
            "get_tasks",
            "plugin.Job",
            "get_tasks.yaml",
            "get_tasks.yaml",
        ),
        (
            "collect",
            "plugin.Collector",
            "collect.yaml",
            "collect.yaml",
        ),
        (
            "collect",
            "plugin.Collector",
            "collect-task.yaml",
            "collect-task.yaml",
        ),
    ] {
        let r = exec(&home, verb, resource, request, &[]);
        assert_eq!(
            (r.code, r.stderr.as_str()),
            (0, ""),
            "{verb} -f {request}: {r:?}"
        );
        assert_eq!(
            r.stdout,
            sample::expected(golden),
            "{verb} -f {request} differs from expected/{golden}"
        );
    }

    // JSON: the same documents by content (the Python client's key order is not stable).
    let r = exec(
        &home,
        "collect",
        "plugin.Collector",
        "collect.yaml",
        &["-o", "json"],
    );
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{r:?}");
    let ours = sample::json_docs(&r.stdout);
    let expected = sample::json_docs(&sample::expected("collect.json"));
    assert_eq!(ours.len(), 13);
    assert_eq!(ours, expected);
    let states: Vec<&str> = ours.iter().filter_map(|d| d["state"].as_str()).collect();
    assert_eq!(states.iter().filter(|s| **s == "FAILURE").count(), 1);

    // The same again without the descriptor cache.
    let r = exec(
        &home,
        "init",
        "plugin.Collector",
        "init.yaml",
        &["--no-cache"],
    );
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{r:?}");
    assert_eq!(r.stdout, sample::expected("init.yaml"));
}

#[test]
fn errors_match_python_spacectl() {
    let Some(plugin) = PythonPlugin::start("errors_match_python_spacectl") else {
        return;
    };
    let home = plugin.home();

    // The plugin's and the framework's errors: the text the Python client printed on
    // stdout, on stderr here, with exit status 1.
    for case in sample::error_cases() {
        let r = exec(&home, &case.verb, case.resource, &case.request, &[]);
        assert_eq!(
            (r.code, r.stdout.as_str(), r.stderr.as_str()),
            (1, "", case.expected.as_str()),
            "errors/{}.yaml",
            case.name
        );
    }

    let r = run(&home, &["exec", "Check", "plugin.Health"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "---\nstatus: SERVING\n\n"),
        "{r:?}"
    );
    let r = run(
        &home,
        &["exec", "get_version", "plugin.ServerInfo", "-p", "x=y"],
    );
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "---\nversion: UNKNOWN\n\n"),
        "{r:?}"
    );

    // Errors found by the client, from the server's descriptors.
    let r = run(&home, &["exec", "nope", "plugin.Collector"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "ERROR: 'plugin.v1.Collector' resource does not have a 'nope' verb.\nverbs of this resource: collect, init, verify\n\n"
        )
    );
    let r = run(&home, &["exec", "get_tasks", "plugin.Collector"]);
    assert_eq!(
        r.stderr,
        "ERROR: 'plugin.v1.Collector' resource does not have a 'get_tasks' verb.\nverbs of this resource: collect, init, verify\n\n"
    );
    let r = run(&home, &["exec", "init", "plugin.Nope"]);
    assert_eq!(
        r.stderr,
        "ERROR: 'plugin.v1' service does not have a 'Nope' resource.\nresources of this endpoint: Collector, Health, Job, ServerInfo\n\n"
    );
    let r = run(&home, &["exec", "init", "plugin.Nope", "-v", "v2"]);
    assert_eq!(
        r.stderr,
        "ERROR: 'plugin.v2' service does not have a 'Nope' resource.\nresources of this endpoint: Collector, Health, Job, ServerInfo\n\n"
    );
    let r = run(
        &home,
        &["exec", "init", "plugin.Collector", "-p", "bogus=1"],
    );
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.starts_with("ERROR: ") && r.stderr.contains("bogus"),
        "{r:?}"
    );
}
