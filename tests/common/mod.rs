//! Helpers shared by the integration tests: our binary, temporary homes, the
//! reference tools of the Python implementation, and bounded process runs.
//!
//! Reference tools live under `$SPACECTL_REFERENCE_DIR` (default
//! `~/.cache/spacectl-reference`). Tests that need them skip with a printed reason
//! when they are absent, unless `SPACECTL_REQUIRE_REFERENCE` is set (to anything but
//! an empty string, `0` or `false`): then a missing tool fails the test.
#![allow(dead_code)]

pub mod sample;
pub mod services;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A loopback port that was free a moment ago, for a server a test starts.
///
/// Ports come from 20000–32767, below the kernel's ephemeral range (32768 and
/// up), so the outgoing connections of tests running beside this one cannot take
/// the port between this check and the server's bind; each call of the process
/// moves on to the next port, so parallel tests of one binary never get the
/// same one.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    const LOW: u32 = 20000;
    const SPAN: u32 = 12768;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let start = std::process::id().wrapping_mul(7919);
    for _ in 0..SPAN {
        let step = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = (LOW + start.wrapping_add(step) % SPAN) as u16;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free loopback port in 20000-32767")
}

/// Where the reference virtual environments are installed.
pub fn reference_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("SPACECTL_REFERENCE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    // The same default as scripts/reference.sh.
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("spacectl-reference");
    }
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/nonexistent-home"));
    home.join(".cache").join("spacectl-reference")
}

/// Whether missing reference tools must fail the tests instead of skipping them.
pub fn require_reference() -> bool {
    match std::env::var("SPACECTL_REQUIRE_REFERENCE") {
        Ok(v) => !matches!(v.trim(), "" | "0" | "false" | "FALSE" | "no"),
        Err(_) => false,
    }
}

/// Our binary.
pub fn spacectl_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_spacectl"))
}

/// A fresh, empty directory to use as `$HOME`.
pub fn temp_home() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("spacectl-home-")
        .tempdir()
        .expect("create a temporary home directory")
}

/// Reports that a group of tests cannot run here, and how to run them.
///
/// When `SPACECTL_REQUIRE_REFERENCE` is set this is a failure (panic). Otherwise one
/// line per group and test binary goes straight to the process's stderr — past the
/// test harness's output capture, so that a plain `cargo test` shows it — and the
/// caller returns early.
pub fn skip_group(group: &str, test: &str, reason: &str) {
    use std::collections::HashSet;
    use std::sync::Mutex;
    static SHOWN: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    if require_reference() {
        panic!("{test}: {reason}; SPACECTL_REQUIRE_REFERENCE is set, so this is a failure");
    }
    let mut shown = SHOWN.lock().unwrap_or_else(|e| e.into_inner());
    if shown
        .get_or_insert_with(HashSet::new)
        .insert(group.to_string())
    {
        let line = format!(
            "SKIPPED {group} tests: {reason}; run ./scripts/test.sh to install the reference tools and run them\n"
        );
        let _ = std::io::stderr().write_all(line.as_bytes());
    }
}

/// A tool of the reference installation, e.g. `spacectl-venv/bin/spacectl`.
///
/// Returns `None` (after reporting the skipped group) when it is missing and not
/// required; panics when it is missing and required.
pub fn reference_tool(relative: &str, test: &str) -> Option<PathBuf> {
    let path = reference_dir().join(relative);
    if path.is_file() {
        return Some(path);
    }
    let reason = format!("reference tool {} not found", path.display());
    let group = match relative.split('/').next().unwrap_or(relative) {
        "spacectl-venv" => "Python spacectl interop",
        "plugin-venv" => "Python plugin framework interop",
        "kinds-venv" => "Python plugin kinds interop",
        "services-venv" => "real SpaceONE services",
        other => other,
    };
    skip_group(group, test, &reason);
    None
}

/// The Python spacectl of the reference installation.
pub fn reference_spacectl(test: &str) -> Option<PathBuf> {
    reference_tool("spacectl-venv/bin/spacectl", test)
}

/// The result of one bounded process run.
#[derive(Debug)]
pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn code(&self) -> i32 {
        self.status.code().unwrap_or(-1)
    }
}

/// A command for `program` with a controlled environment: `HOME` set to `home`, and
/// the variables that change spacectl's behaviour removed.
pub fn command_in_home(program: &Path, home: &Path) -> Command {
    let mut c = Command::new(program);
    c.env("HOME", home)
        .env_remove("SPACECTL_DEFAULT_ENVIRONMENT")
        .env_remove("SPACECTL_DEBUG")
        .env("NO_COLOR", "1");
    c
}

/// Run `cmd` with `stdin` as input, killing it when it takes longer than `timeout`.
pub fn run_bounded(mut cmd: Command, stdin: &str, timeout: Duration) -> Run {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    if let Some(mut input) = child.stdin.take() {
        let _ = input.write_all(stdin.as_bytes());
    }
    let mut out_pipe = child.stdout.take().expect("stdout pipe");
    let mut err_pipe = child.stderr.take().expect("stderr pipe");
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out_pipe.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err_pipe.read_to_end(&mut s);
        s
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{cmd:?} did not finish within {timeout:?}");
            }
            Err(e) => panic!("wait for {cmd:?}: {e}"),
        }
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    Run {
        status,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}
