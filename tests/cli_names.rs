//! The binary under its two names, as a new user meets it: versions, the
//! `spaceone` command tree and its refusals, help that matches the environment,
//! the built-in protocol document, and errors that say what to do next.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Run, command_in_home, run_bounded, spacectl_bin, temp_home};

const TIMEOUT: Duration = Duration::from_secs(60);

/// A directory holding a `spaceone` link to our binary.
struct Names {
    dir: tempfile::TempDir,
    home: tempfile::TempDir,
}

impl Names {
    fn new() -> Names {
        let dir = tempfile::tempdir().expect("temp dir");
        std::os::unix::fs::symlink(spacectl_bin(), dir.path().join("spaceone"))
            .expect("spaceone link");
        Names {
            dir,
            home: temp_home(),
        }
    }

    fn program(&self, name: &str) -> PathBuf {
        match name {
            "spaceone" => self.dir.path().join("spaceone"),
            _ => spacectl_bin(),
        }
    }

    fn run_in(&self, cwd: &Path, name: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut c = command_in_home(&self.program(name), self.home.path());
        c.args(args)
            .current_dir(cwd)
            .env_remove("SPACEONE_PORT")
            .env_remove("SPACEONE_WORKER")
            .env_remove("SPACEONE_HOST")
            .env_remove("PYTHONPATH");
        for (k, v) in env {
            c.env(k, v);
        }
        run_bounded(c, "", TIMEOUT)
    }

    fn run(&self, name: &str, args: &[&str]) -> Run {
        self.run_in(self.dir.path(), name, args, &[])
    }
}

#[test]
fn both_names_print_their_version() {
    let n = Names::new();
    let version = env!("CARGO_PKG_VERSION");
    for name in ["spacectl", "spaceone"] {
        for flag in ["-V", "--version"] {
            let r = n.run(name, &[flag]);
            assert_eq!(r.code(), 0, "{name} {flag}: {}", r.stderr);
            assert_eq!(r.stdout, format!("{name} {version}\n"));
            assert_eq!(r.stderr, "");
        }
    }
    // The version command keeps its YAML document.
    let r = n.run("spacectl", &["version"]);
    assert_eq!(r.code(), 0);
    assert_eq!(r.stdout, format!("---\nversion: {version}\n\n"));
}

#[test]
fn spaceone_has_its_own_tree_with_upstreams_words() {
    let n = Names::new();
    let r = n.run("spaceone", &["--help"]);
    assert_eq!(r.code(), 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("spaceone creates, tests and serves SpaceONE plugins"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("spacectl controls"), "{}", r.stdout);
    let commands: Vec<&str> = r
        .stdout
        .split("Commands:\n")
        .nth(1)
        .unwrap_or_default()
        .lines()
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(
        commands,
        [
            "  create-project  Create a new project",
            "  plugin          Plugin author tools (metadata conversion, smoke tests, the handler protocol)",
            "  run             Run a server",
            "  show-config     Show global configurations (not in this binary: Python spaceone-core)",
            "  test            Unit tests for source code (not in this binary: Python spaceone-core)",
            "  help            Print this message or the help of the given subcommand(s)",
        ]
    );
    let r = n.run("spaceone", &["run", "--help"]);
    assert!(
        r.stdout.contains(
            "  grpc-server    Run a gRPC server (not in this binary: Python spaceone-core)\n  plugin-server  Run a plugin server\n  rest-server    Run a FastAPI REST server (not in this binary: Python spaceone-core)\n  scheduler      Run a scheduler server (not in this binary: Python spaceone-core)\n"
        ),
        "{}",
        r.stdout
    );
    let r = n.run("spaceone", &["run", "plugin-server", "--help"]);
    assert!(
        r.stdout.starts_with(
            "Run a plugin server\n\nUsage: spaceone run plugin-server [OPTIONS] <PACKAGE>\n"
        ),
        "{}",
        r.stdout
    );
    let r = n.run("spaceone", &["create-project", "--help"]);
    assert!(
        r.stdout.starts_with("Create a new project\n"),
        "{}",
        r.stdout
    );
    // spacectl's commands are not spaceone's.
    let r = n.run("spaceone", &["exec", "init", "plugin.Collector"]);
    assert_eq!(r.code(), 2);
    assert!(
        r.stderr
            .starts_with("error: unrecognized subcommand 'exec'"),
        "{}",
        r.stderr
    );
}

#[test]
fn spaceone_refuses_the_commands_it_lacks_in_one_line() {
    let n = Names::new();
    for (args, first_words) in [
        (
            &["run", "grpc-server", "inventory", "-p", "50051"][..],
            "error: 'spaceone run grpc-server' is not in this binary",
        ),
        (
            &["run", "rest-server", "--help"],
            "error: 'spaceone run rest-server' is not in this binary",
        ),
        (
            &["run", "scheduler", "inventory"],
            "error: 'spaceone run scheduler' is not in this binary",
        ),
        (
            &["show-config", "inventory"],
            "error: 'spaceone show-config' is not in this binary",
        ),
        (
            &["test", "-d", "test"],
            "error: 'spaceone test' is not in this binary: use 'spaceone plugin test'",
        ),
    ] {
        let r = n.run("spaceone", args);
        assert_eq!(r.code(), 2, "{args:?}");
        assert_eq!(r.stdout, "", "{args:?}");
        assert!(r.stderr.starts_with(first_words), "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 1, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("use "), "says what to use: {}", r.stderr);
    }
}

#[test]
fn help_shows_environment_values_only_when_set() {
    let n = Names::new();
    // The port option's help, its wrapped lines joined.
    let port_line = |env: &[(&str, &str)]| {
        let r = n.run_in(
            n.dir.path(),
            "spacectl",
            &["run", "plugin-server", "--help"],
            env,
        );
        let flat = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
        let start = flat.find("-p, --port").unwrap_or(0);
        let end = flat[start..]
            .find("[default: 50051]")
            .map_or(flat.len(), |e| start + e + 16);
        flat[start..end].to_string()
    };
    let text = "-p, --port <PORT> Port to listen on; 0 lets the system choose a free port, which the start line (`Start gRPC Server (...): port=N`) names";
    let default = format!("{text} [env: SPACEONE_PORT] [default: 50051]");
    assert_eq!(port_line(&[]), default);
    assert_eq!(port_line(&[("SPACEONE_PORT", "")]), default);
    assert_eq!(
        port_line(&[("SPACEONE_PORT", "50999")]),
        format!("{text} [env: SPACEONE_PORT=50999] [default: 50051]")
    );
}

#[test]
fn the_protocol_document_is_built_in() {
    let n = Names::new();
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/plugin-protocol.md"),
    )
    .expect("docs/plugin-protocol.md");
    for name in ["spacectl", "spaceone"] {
        let r = n.run(name, &["plugin", "protocol"]);
        assert_eq!(r.code(), 0, "{}", r.stderr);
        assert_eq!(r.stdout, doc);
    }
    let r = n.run("spacectl", &["run", "plugin-server", "--help"]);
    assert!(
        r.stdout
            .contains("`spacectl plugin protocol` prints the protocol"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("docs/"), "{}", r.stdout);
}

#[test]
fn an_invalid_endpoint_names_the_expected_form() {
    let n = Names::new();
    let r = n.run("spacectl", &["config", "init", "-e", "t"]);
    assert_eq!(r.code(), 0, "{}", r.stderr);
    let r = n.run(
        "spacectl",
        &["config", "endpoint", "add", "plugin", "localhost:50051"],
    );
    assert_eq!(r.code(), 1);
    assert_eq!(
        r.stderr,
        "ERROR: Endpoint is invalid. (endpoint=localhost:50051)\nExpected form: grpc://HOST:PORT or grpc+ssl://HOST:PORT (e.g. grpc://localhost:50051)\n\n"
    );
}

/// A plugin written for the Python framework, served without the framework's
/// virtualenv: the error names --python and the virtualenv to use.
#[test]
fn a_framework_plugin_without_its_virtualenv_gets_a_hint() {
    let n = Names::new();
    let project = tempfile::tempdir().expect("temp dir");
    let package = project.path().join("src/plugin");
    std::fs::create_dir_all(&package).expect("package dir");
    std::fs::write(package.join("__init__.py"), "").expect("write");
    std::fs::write(
        package.join("main.py"),
        "from spaceone.inventory.plugin.collector.lib.server import CollectorPluginServer\napp = CollectorPluginServer()\n",
    )
    .expect("write");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let port = port.to_string();
    let serve = [
        "run",
        "plugin-server",
        "plugin",
        "-s",
        "src",
        "--host",
        "127.0.0.1",
        "-p",
        &port,
    ];
    let r = n.run_in(project.path(), "spaceone", &serve, &[]);
    assert_eq!(r.code(), 1, "{}", r.stderr);
    assert!(
        r.stderr.ends_with(
            "ImportError: Cannot import app: No module named 'spaceone'\nhint: python3 does not have the SpaceONE Python framework (spaceone); make a virtualenv that has it and serve the plugin with its Python: python3 -m venv .venv && .venv/bin/pip install spaceone-inventory, then --python .venv/bin/python\n"
        ),
        "{}",
        r.stderr
    );

    // With a virtualenv in the project (here one without the framework) the
    // hint points at it; given with --python, the hint says to install there.
    let venv_python = project.path().join(".venv/bin/python");
    std::fs::create_dir_all(venv_python.parent().expect("bin")).expect("venv dir");
    std::os::unix::fs::symlink(which_python3(), &venv_python).expect("python link");
    let r = n.run_in(project.path(), "spaceone", &serve, &[]);
    assert!(
        r.stderr.ends_with(
            "hint: python3 does not have the SpaceONE Python framework (spaceone); serve the plugin with its virtualenv's Python: --python .venv/bin/python\n"
        ),
        "{}",
        r.stderr
    );
    let r = n.run_in(
        project.path(),
        "spacectl",
        &[
            "plugin",
            "test",
            "--python",
            ".venv/bin/python",
            "-o",
            "json",
        ],
        &[],
    );
    assert_eq!(r.code(), 1, "{}", r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON report");
    assert_eq!(
        report["errors"][0]["message"],
        "The plugin host did not start: ImportError: Cannot import app: No module named 'spaceone'\nhint: the Python given with --python (.venv/bin/python) does not have the SpaceONE Python framework (spaceone); install it there: .venv/bin/python -m pip install spaceone-inventory"
    );
}

/// The real interpreter behind `python3` (not a launcher script, which may
/// depend on its own name).
fn which_python3() -> PathBuf {
    let out = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3 on PATH");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}
