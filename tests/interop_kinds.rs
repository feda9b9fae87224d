//! Our host serving the compat sample plugin of each kind (tests/data/kinds/KIND,
//! written against upstream's plugin library, run by the reference kinds
//! installation's Python) answers exactly what upstream's server answered:
//!
//! * every call of KIND/calls.txt through the reflection probe (answers, gRPC
//!   status codes and details) and through the Python spacectl (its output);
//! * the reflection listing (services, files, methods, messages and numbers);
//! * the startup lines; and no secret of a masked key reaches the log.
//!
//! The recorded answers come from `scripts/regen-kind-goldens.sh`. Servers
//! listen on 127.0.0.1 and are stopped by PID; every wait is bounded.

mod common;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{
    command_in_home, reference_spacectl, reference_tool, run_bounded, spacectl_bin, temp_home,
};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn kind_dir(kind: &str) -> PathBuf {
    repo().join("tests").join("data").join("kinds").join(kind)
}

/// Our host, stopped by PID when dropped.
struct Host {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Host {
    fn start(kind: &str, python: &Path) -> Host {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("host.log");
        let port = common::free_port();
        let out = std::fs::File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        let child = Command::new(spacectl_bin())
            .args(["run", "plugin-server", "plugin", "-s"])
            .arg(kind_dir(kind).join("src"))
            .args(["--host", "127.0.0.1", "-p", &port.to_string(), "--python"])
            .arg(python)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("start our host");
        let mut host = Host {
            child,
            port,
            log,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = host.child.try_wait() {
                panic!("{kind}: our host exited ({status}):\n{}", host.log_text());
            }
            if host.log_text().contains("Start gRPC Server")
                && TcpStream::connect_timeout(
                    &([127, 0, 0, 1], port).into(),
                    Duration::from_millis(200),
                )
                .is_ok()
            {
                return host;
            }
            assert!(
                Instant::now() < deadline,
                "{kind}: our host did not listen:\n{}",
                host.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(15);
            while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The calls of a kind: `(case, Service.verb, request file)`.
fn calls(kind: &str) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(kind_dir(kind).join("calls.txt")).expect("calls.txt");
    text.lines()
        .map(str::split_whitespace)
        .map(|w| w.collect::<Vec<_>>())
        .filter(|w| !w.is_empty() && !w[0].starts_with('#'))
        .map(|w| (w[0].to_string(), w[1].to_string(), w[2].to_string()))
        .collect()
}

fn expected(kind: &str, file: &str) -> String {
    std::fs::read_to_string(kind_dir(kind).join("expected").join(file))
        .unwrap_or_else(|e| panic!("{kind}/expected/{file}: {e}"))
}

fn probe(python: &Path, args: &[&str]) -> String {
    let mut cmd = Command::new(python);
    cmd.arg(repo().join("scripts").join("grpc-probe.py"))
        .args(args);
    let r = run_bounded(cmd, "", Duration::from_secs(300));
    assert_eq!(r.code(), 0, "grpc-probe {args:?}: {}", r.stderr);
    r.stdout
}

/// Everything one kind's server must answer as upstream's did.
fn same_answers_as_upstream(kind: &str, secrets: &[&str]) {
    let test = format!("interop_kinds::{kind}");
    let Some(python) = reference_tool("kinds-venv/bin/python", &test) else {
        return;
    };
    let host = Host::start(kind, &python);
    let addr = format!("127.0.0.1:{}", host.port);
    let dir = kind_dir(kind);
    let mut differences = Vec::new();

    // The reflection probe: answers, codes and details.
    let out = tempfile::tempdir().expect("temp dir");
    probe(
        &python,
        &[
            "calls",
            &addr,
            &dir.join("calls.txt").display().to_string(),
            &dir.join("requests").display().to_string(),
            &out.path().display().to_string(),
        ],
    );
    for (case, method, _) in calls(kind) {
        let file = format!("{case}.grpc.txt");
        let ours = std::fs::read_to_string(out.path().join(&file)).unwrap_or_default();
        let theirs = expected(kind, &file);
        if ours != theirs {
            differences.push(format!(
                "{case} ({method}) through the probe:\n  upstream: {theirs}  ours:     {ours}"
            ));
        }
    }
    let listing = probe(&python, &["list", &addr]);
    if listing != expected(kind, "reflection.txt") {
        differences.push(format!("reflection listing:\n{listing}"));
    }

    // The Python spacectl.
    if let Some(spacectl) = reference_spacectl(&test) {
        let home = temp_home();
        let envs = home.path().join(".spaceone").join("environments");
        std::fs::create_dir_all(&envs).expect("config dir");
        std::fs::write(
            home.path().join(".spaceone").join("environment.yml"),
            "environment: kinds\n",
        )
        .expect("environment.yml");
        std::fs::write(
            envs.join("kinds.yml"),
            format!("endpoints:\n  plugin: grpc://{addr}\n"),
        )
        .expect("kinds.yml");
        for (case, method, file) in calls(kind) {
            let (service, verb) = method.split_once('.').expect("Service.verb");
            let mut cmd = command_in_home(&spacectl, home.path());
            cmd.args(["exec", verb, &format!("plugin.{service}"), "-f"])
                .arg(dir.join("requests").join(&file));
            let r = run_bounded(cmd, "", Duration::from_secs(120));
            let theirs = expected(kind, &format!("{case}.spacectl.yaml"));
            if r.stdout != theirs {
                differences.push(format!(
                    "{case} ({method}) through the Python spacectl:\n  upstream: {theirs}  ours:     {}\n  stderr: {}",
                    r.stdout, r.stderr
                ));
            }
        }
    }

    // The startup lines, times and port aside.
    let normalize = |text: &str| {
        let re = regex::Regex::new(r"(?m)^\d{4}-\d{2}-\d{2}T[0-9:.]+Z ").unwrap();
        re.replace_all(text, "<time> ")
            .replace(&format!("port={}", host.port), "port=<port>")
    };
    let log = host.log_text();
    let startup_ours: Vec<String> = normalize(&log)
        .lines()
        .take_while(|l| !l.contains("(REQUEST)"))
        .map(String::from)
        .collect();
    let startup_theirs: Vec<String> = expected(kind, "log.txt")
        .lines()
        .take_while(|l| !l.contains("(REQUEST)"))
        .map(String::from)
        .collect();
    if startup_ours != startup_theirs {
        differences.push(format!(
            "startup lines:\n{}\n---\n{}",
            startup_ours.join("\n"),
            startup_theirs.join("\n")
        ));
    }
    for s in secrets {
        if log.contains(s) {
            differences.push(format!("the secret {s:?} is in the log"));
        }
    }
    assert!(
        log.contains("\"********\"") || secrets.is_empty(),
        "{kind}: nothing masked in:\n{log}"
    );
    assert!(
        differences.is_empty(),
        "{kind}: {} difference(s):\n{}",
        differences.len(),
        differences.join("\n")
    );
}

#[test]
fn webhook() {
    same_answers_as_upstream("webhook", &[]);
}

#[test]
fn notification() {
    same_answers_as_upstream("notification", &["s3cr3t-token"]);
}

#[test]
fn cost() {
    same_answers_as_upstream("cost", &["sample-key"]);
}

#[test]
fn external_auth() {
    same_answers_as_upstream(
        "external-auth",
        &["sample-client-secret", "wonderland", "looking-glass"],
    );
}

#[test]
fn account_collector() {
    same_answers_as_upstream("account-collector", &["sample-key"]);
}
