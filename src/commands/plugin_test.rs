//! `spacectl plugin test [PACKAGE]`: a smoke test of a collector plugin.
//!
//! The plugin host is this binary: `run plugin-server` is started as a child
//! process on a free 127.0.0.1 port (its log is captured, not shown, unless
//! something fails). The calls go through the client layer, exactly as
//! `spacectl exec` makes them, and follow what the project provides:
//! `Collector.init`, `Collector.verify` (when the project has a `verify.yaml` or
//! `--secret` is given), `Job.get_tasks` (unless `--no-tasks`) and
//! `Collector.collect` once per task (once when there are no tasks, or when the
//! plugin has no `Job.get_tasks` route: the inventory service falls back to one
//! collect then). Every response is checked ([`checks`]); the summary
//! ([`report`]) goes to stdout. The exit status is 1 when a call failed, an
//! item came back as FAILURE, a response broke the model or two resources
//! share their match keys (with `--strict`, also on warnings).

mod checks;
mod kinds;
mod report;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use prost_reflect::{DynamicMessage, MethodDescriptor};
use serde_json::{Map, Value};

use crate::cli::{PluginTestArgs, TestFormat};
use crate::error::{AppError, Result};
use crate::grpc::{self, Session, resolve};
use crate::output::message::to_value;
use crate::request::yaml11;
use checks::{Checker, Finding};
use report::{Call, Outcome, Report};

/// The request file looked for when `-f` is not given.
const DEFAULT_REQUEST_FILE: &str = "collect.yaml";
/// The verify request file looked for next to it.
const VERIFY_REQUEST_FILE: &str = "verify.yaml";
/// How a route the plugin does not register fails (upstream's text, kept by the host).
const NO_ROUTE: &str = "'NoneType' object is not callable";
/// The host log line that says the server is ready.
const READY_MARK: &str = "Start gRPC Server (";
/// Log lines kept for the report.
const LOG_KEEP: usize = 200;
/// Attempts to find a free port (another process may take it first).
const PORT_ATTEMPTS: usize = 3;
/// How long the host may take to stop after SIGTERM before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(5);

pub fn run(a: PluginTestArgs) -> Result<()> {
    let started = Instant::now();
    let cwd = std::env::current_dir()
        .map_err(|e| AppError::msg(format!("Cannot read the current directory: {e}")))?;
    let setup = Setup::resolve(&a, &cwd)?;
    let (request_file, verify_file) = match &setup.kind_plan {
        Some(plan) => (
            Some(plan.describe(|p| shown_path(p, &cwd).display().to_string())),
            None,
        ),
        None => (
            setup.request_file.as_ref().map(|p| p.display().to_string()),
            setup.verify_file.as_ref().map(|p| p.display().to_string()),
        ),
    };
    let mut report = Report {
        package: a.package.clone(),
        source_root: setup.source_root.display().to_string(),
        request_file,
        verify_file,
        secret_file: a.secret.as_ref().map(|p| p.display().to_string()),
        strict: a.strict,
        routes: setup.kind_plan.is_some(),
        ..Report::default()
    };
    let progress = Progress::new();
    let outcome = grpc::block_on(test_run(&a, &setup, &mut report, &progress));
    progress.clear();
    outcome?;
    report.timings.push(("total", millis(started.elapsed())));

    let text = match a.output {
        TestFormat::Table => {
            use std::io::IsTerminal;
            let colour = report::colour_wanted(
                std::io::stdout().is_terminal(),
                std::env::var_os("NO_COLOR").as_deref(),
                std::env::var_os("TERM").as_deref(),
            );
            report::render_table(&report, colour)
        }
        TestFormat::Json => crate::output::json::document(&report::to_json(&report)),
    };
    super::emit(&text)?;
    if report.passed() {
        Ok(())
    } else {
        let errors = report.errors().count();
        let what = if errors == 0 {
            "warnings with --strict".to_string()
        } else if errors == 1 {
            "1 error".to_string()
        } else {
            format!("{errors} errors")
        };
        Err(AppError::msg(format!("The plugin test failed ({what}).")))
    }
}

/// Start the host, make the calls, stop the host. SIGINT or SIGTERM end the
/// test early (the host is stopped all the same).
async fn test_run(
    a: &PluginTestArgs,
    setup: &Setup,
    report: &mut Report,
    progress: &Progress,
) -> Result<()> {
    let aborted = || AppError::plain("Aborted!", 1);
    progress.say("starting the plugin host");
    let started = Instant::now();
    let start = tokio::select! {
        r = Host::start(a, setup) => r,
        _ = interrupted() => return Err(aborted()),
    };
    let mut host = match start {
        Ok(host) => host,
        Err(failure) => {
            let failure = missing_package(failure, &a.package, &setup.source_root);
            report
                .findings
                .push(Finding::error("host", failure.message));
            report.log_tail = failure.log;
            return Ok(());
        }
    };
    report
        .timings
        .push(("host start", millis(started.elapsed())));
    let outcome = tokio::select! {
        () = exercise(host.port, a, setup, report, progress) => Ok(()),
        _ = interrupted() => Err(aborted()),
    };
    if outcome.is_err() {
        // The client's connection is gone; let the host see it and stop the
        // plugin's work before it is asked to shut down.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    progress.say("stopping the plugin host");
    host.stop_async().await;
    report.log_tail = host.log_tail();
    outcome
}

/// A host that could not import the package because it is not under the source
/// root: where it was looked for, what is there and what to type, in this
/// command's words (the host's own lines name `run plugin-server`).
fn missing_package(failure: HostFailure, package: &str, source_root: &Path) -> HostFailure {
    let Some(upstream) = failure.log.iter().find(|l| l.contains("can not imported")) else {
        return failure;
    };
    let cwd = std::env::current_dir().unwrap_or_default();
    let scan = super::hints::PackageScan::look(&cwd, source_root, package);
    match super::hints::package_lines(upstream, package, "spacectl plugin test", &scan) {
        Some(lines) => HostFailure {
            message: format!(
                "The plugin host did not start: {}\n{lines}",
                upstream.trim().trim_start_matches("ERROR: ")
            ),
            log: failure
                .log
                .iter()
                .filter(|l| !l.starts_with("no package '") && !l.starts_with("hint: "))
                .cloned()
                .collect(),
        },
        None => failure,
    }
}

/// Resolves on SIGINT or SIGTERM.
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

// ---------------------------------------------------------------- inputs

/// The resolved inputs of a test run.
struct Setup {
    source_root: PathBuf,
    request_file: Option<PathBuf>,
    /// The collect request (options, secret_data, ...).
    request: Map<String, Value>,
    /// The verify request file, when verify reads one.
    verify_file: Option<PathBuf>,
    /// The verify request (options and secret_data), or None when verify is skipped
    /// (the reason is given).
    verify: std::result::Result<Map<String, Value>, &'static str>,
    /// For a plugin of another kind than the collector: the routes to call and
    /// their request files.
    kind_plan: Option<kinds::Plan>,
}

impl Setup {
    fn resolve(a: &PluginTestArgs, cwd: &Path) -> Result<Setup> {
        let source_root = match &a.source_root {
            Some(s) => s.clone(),
            None => default_source_root(cwd, &a.package),
        };
        let request_file = match &a.file_parameter {
            Some(f) => Some(f.clone()),
            None => request_candidates(cwd, &source_root)
                .into_iter()
                .find(|p| p.is_file()),
        };
        let mut request = match &request_file {
            Some(path) => read_mapping(path, "request file")?,
            None => Map::new(),
        };
        for key in ["options", "secret_data"] {
            if !request.contains_key(key) {
                request.insert(key.to_string(), Value::Object(Map::new()));
            }
        }
        let secret = match &a.secret {
            Some(path) => Some(secret_data(read_mapping(path, "secret file")?)),
            None => None,
        };
        if let Some(s) = &secret {
            request.insert("secret_data".to_string(), s.clone());
        }
        let verify_file = if a.no_verify {
            None
        } else {
            verify_candidates(cwd, &source_root, request_file.as_deref())
                .into_iter()
                .find(|p| p.is_file())
        };
        let verify_request = match &verify_file {
            Some(path) => Some(read_mapping(path, "verify request file")?),
            None => None,
        };
        let verify = verify_plan(&request, verify_request, secret.is_some(), a.no_verify);
        let project_root = source_root
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| cwd.to_path_buf());
        let files = kinds::request_files(&[project_root.as_path(), cwd]);
        let kind_plan = kinds::plan(&files, None).map_err(AppError::msg)?;
        Ok(Setup {
            source_root,
            request_file,
            request,
            verify_file,
            verify,
            kind_plan,
        })
    }

    fn options(&self) -> Value {
        self.request
            .get("options")
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new()))
    }

    fn secret_data(&self) -> Value {
        self.request
            .get("secret_data")
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new()))
    }
}

/// The verify request: `verify.yaml`'s options and secret_data, each defaulting to
/// the collect request's (which holds `--secret` already, and `--secret` wins over
/// verify.yaml); Err(reason) when verify is not called.
fn verify_plan(
    collect: &Map<String, Value>,
    verify_file: Option<Map<String, Value>>,
    secret_given: bool,
    no_verify: bool,
) -> std::result::Result<Map<String, Value>, &'static str> {
    if no_verify {
        return Err("--no-verify");
    }
    if verify_file.is_none() && !secret_given {
        return Err("no verify.yaml or --secret");
    }
    let file = verify_file.unwrap_or_default();
    let mut out = Map::new();
    for key in ["options", "secret_data"] {
        let from_file = file
            .get(key)
            .filter(|_| !(key == "secret_data" && secret_given));
        let value = from_file
            .or_else(|| collect.get(key))
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new()));
        out.insert(key.to_string(), value);
    }
    Ok(out)
}

/// Where `verify.yaml` may be: next to the request file when one was given,
/// then where `collect.yaml` is looked for.
fn verify_candidates(cwd: &Path, source_root: &Path, request_file: Option<&Path>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(dir) = request_file.and_then(Path::parent) {
        out.push(dir.join(VERIFY_REQUEST_FILE));
    }
    for candidate in request_candidates(cwd, source_root) {
        let p = candidate.with_file_name(VERIFY_REQUEST_FILE);
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// `src` when it holds the package (a project created by `create-project`), or
/// when the current directory has a `src` but not the package; else the current
/// directory.
fn default_source_root(cwd: &Path, package: &str) -> PathBuf {
    let top = package.split('.').next().unwrap_or(package);
    let here = cwd.join(top).exists() || cwd.join(format!("{top}.py")).is_file();
    if cwd.join("src").join(top).is_dir() || (cwd.join("src").is_dir() && !here) {
        PathBuf::from("src")
    } else {
        PathBuf::from(".")
    }
}

/// Where `collect.yaml` may be: the project root (the directory holding the
/// source root), then the current directory.
fn request_candidates(cwd: &Path, source_root: &Path) -> Vec<PathBuf> {
    let absolute = crate::scaffold::normalize(&cwd.join(source_root));
    let mut out = Vec::new();
    if let Some(root) = absolute.parent() {
        out.push(shown_path(&root.join(DEFAULT_REQUEST_FILE), cwd));
    }
    let here = PathBuf::from(DEFAULT_REQUEST_FILE);
    if !out.contains(&here) {
        out.push(here);
    }
    out
}

/// `path` relative to `cwd` when inside it.
fn shown_path(path: &Path, cwd: &Path) -> PathBuf {
    match path.strip_prefix(cwd) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
        _ => path.to_path_buf(),
    }
}

fn read_mapping(path: &Path, what: &str) -> Result<Map<String, Value>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| AppError::msg(format!("Cannot read the {what} {}: {e}", path.display())))?;
    match yaml11::load(&text) {
        Ok(Some(Value::Object(m))) => Ok(m),
        Ok(None) => Ok(Map::new()),
        Ok(Some(_)) => Err(AppError::msg(format!(
            "The {what} {} is not a mapping.",
            path.display()
        ))),
        Err(e) => Err(AppError::msg(format!(
            "The {what} {} is not valid YAML: {e}",
            path.display()
        ))),
    }
}

/// A secret file holds the secret_data mapping itself, or a request with a
/// `secret_data` mapping.
fn secret_data(mut m: Map<String, Value>) -> Value {
    match m.get("secret_data") {
        Some(Value::Object(_)) => m.remove("secret_data").unwrap_or_default(),
        _ => Value::Object(m),
    }
}

// ---------------------------------------------------------------- progress

/// A spinner on stderr, only when stderr is a terminal.
struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    fn new() -> Progress {
        use std::io::IsTerminal;
        if !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(100));
        Progress { bar: Some(bar) }
    }

    fn say(&self, text: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(text.to_string());
        }
    }

    fn clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

// ---------------------------------------------------------------- the host

/// Why the host could not be started.
struct HostFailure {
    message: String,
    log: Vec<String>,
}

type LogLines = Arc<Mutex<VecDeque<String>>>;

/// `spacectl run plugin-server` as a child process on 127.0.0.1.
struct Host {
    child: Child,
    port: u16,
    log: LogLines,
    reader_done: mpsc::Receiver<()>,
}

impl Host {
    async fn start(a: &PluginTestArgs, setup: &Setup) -> std::result::Result<Host, HostFailure> {
        let mut last = None;
        for _ in 0..PORT_ATTEMPTS {
            let (host, ready) = Host::spawn(a, setup)?;
            match host.wait_ready(ready, startup_limit(a.timeout)).await {
                Ok(host) => return Ok(host),
                Err(f) if f.message.contains("is already in use") => last = Some(f),
                Err(f) => return Err(f),
            }
        }
        Err(last.unwrap_or(HostFailure {
            message: "The plugin host did not start: no free port found.".to_string(),
            log: Vec::new(),
        }))
    }

    /// Start the host process; the receiver reports its ready line.
    fn spawn(
        a: &PluginTestArgs,
        setup: &Setup,
    ) -> std::result::Result<(Host, mpsc::Receiver<()>), HostFailure> {
        let fail = |message: String| HostFailure {
            message,
            log: Vec::new(),
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|addr| addr.port())
            .map_err(|e| fail(format!("Cannot find a free port on 127.0.0.1: {e}")))?;
        let exe = std::env::current_exe()
            .map_err(|e| fail(format!("Cannot locate the spacectl binary: {e}")))?;
        let log_file =
            match &a.log {
                Some(path) => Some(std::fs::File::create(path).map_err(|e| {
                    fail(format!("Cannot write the log file {}: {e}", path.display()))
                })?),
                None => None,
            };
        let mut cmd = Command::new(exe);
        cmd.args(["run", "plugin-server"])
            .arg(&a.package)
            .arg("-s")
            .arg(&setup.source_root)
            .args(["-a", &a.app_path])
            .args(["--host", "127.0.0.1", "-p", &port.to_string()])
            .args(["-w", "4", "--timeout", &a.timeout.to_string()]);
        for m in &a.module_path {
            cmd.arg("-m").arg(m);
        }
        if let Some(python) = &a.python {
            cmd.arg("--python").arg(python);
        }
        if let Some(handler) = &a.handler {
            cmd.args(["--handler", handler]);
        }
        cmd.env_remove("SPACEONE_PORT")
            .env_remove("SPACEONE_WORKER")
            .env_remove("SPACEONE_HOST")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        stop_with_parent(&mut cmd);
        let mut child = cmd
            .spawn()
            .map_err(|e| fail(format!("Cannot start the plugin host: {e}")))?;

        let log: LogLines = Arc::new(Mutex::new(VecDeque::new()));
        let (ready_tx, ready_rx) = mpsc::channel::<()>();
        let (done_tx, done_rx) = mpsc::channel::<()>();
        if let Some(stderr) = child.stderr.take() {
            let log = log.clone();
            std::thread::spawn(move || {
                read_log(stderr, &log, log_file, &ready_tx);
                let _ = done_tx.send(());
            });
        }
        let host = Host {
            child,
            port,
            log,
            reader_done: done_rx,
        };
        Ok((host, ready_rx))
    }

    async fn wait_ready(
        mut self,
        ready: mpsc::Receiver<()>,
        limit: Duration,
    ) -> std::result::Result<Host, HostFailure> {
        let deadline = Instant::now() + limit;
        loop {
            match ready.try_recv() {
                Ok(()) => return Ok(self),
                Err(mpsc::TryRecvError::Empty) => {}
                Err(mpsc::TryRecvError::Disconnected) => {
                    // The log ended without the ready line: the host is exiting.
                    let _ = wait_exit(&mut self.child, Duration::from_secs(5));
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                let _ = self.reader_done.recv_timeout(Duration::from_secs(1));
                let log = self.log_tail();
                let reason =
                    startup_failure(&log).unwrap_or_else(|| format!("it exited with {status}"));
                return Err(HostFailure {
                    message: format!("The plugin host did not start: {reason}"),
                    log,
                });
            }
            if Instant::now() >= deadline {
                self.stop();
                return Err(HostFailure {
                    message: format!(
                        "The plugin host did not start within {} s.",
                        limit.as_secs()
                    ),
                    log: self.log_tail(),
                });
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn log_tail(&self) -> Vec<String> {
        let lines = self.log.lock().unwrap_or_else(|e| e.into_inner());
        lines.iter().cloned().collect()
    }

    /// SIGTERM (the host stops its handlers), then SIGKILL after a grace period.
    /// [`Host::stop`] without blocking the runtime while waiting.
    async fn stop_async(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            terminate(&self.child);
            let deadline = Instant::now() + STOP_GRACE;
            while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        self.stop();
    }

    fn stop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            terminate(&self.child);
            if wait_exit(&mut self.child, STOP_GRACE).is_none() {
                let _ = self.child.kill();
                let _ = self.child.wait();
            }
        }
        let _ = self.reader_done.recv_timeout(Duration::from_secs(1));
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Linux: the host gets SIGTERM when this process dies without stopping it
/// (e.g. killed), so it never outlives the test.
#[cfg(target_os = "linux")]
fn stop_with_parent(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: prctl(PR_SET_PDEATHSIG) is async-signal-safe and touches no
    // memory of the parent; it runs in the forked child before exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn stop_with_parent(_cmd: &mut Command) {}

#[cfg(unix)]
fn terminate(child: &Child) {
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: kill(2) on the PID of our own child process, which has not
        // been reaped yet (so the PID cannot have been reused).
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
    }
}

#[cfg(not(unix))]
fn terminate(_child: &Child) {}

fn wait_exit(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => return None,
        }
    }
}

/// Why the host exited at startup: its last line (without `ERROR: `), with the
/// host's `hint: ` line, when it printed one, below it.
fn startup_failure(log: &[String]) -> Option<String> {
    let mut lines = log.iter().rev().map(|l| l.trim()).filter(|l| !l.is_empty());
    let mut hint = None;
    for line in lines.by_ref() {
        if line.starts_with("hint: ") {
            hint.get_or_insert(line);
            continue;
        }
        let reason = line.strip_prefix("ERROR: ").unwrap_or(line);
        return Some(match hint {
            Some(h) => format!("{reason}\n{h}"),
            None => reason.to_string(),
        });
    }
    None
}

/// How long the host may take to load the plugin: the handler start limit of
/// the host (the call timeout, at least 10 s; 120 s without one) plus a margin.
fn startup_limit(timeout: u64) -> Duration {
    let handler = if timeout == 0 { 120 } else { timeout.max(10) };
    Duration::from_secs(handler + 10)
}

/// Copy the host's stderr into the kept lines (and the log file); signal the
/// ready line once.
fn read_log(
    stderr: impl std::io::Read,
    log: &LogLines,
    mut file: Option<std::fs::File>,
    ready: &mpsc::Sender<()>,
) {
    let mut reader = BufReader::new(stderr);
    let mut buf = Vec::new();
    let mut signalled = false;
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if let Some(f) = file.as_mut() {
            let _ = f.write_all(&buf);
        }
        let line = String::from_utf8_lossy(&buf).trim_end().to_string();
        if !signalled && line.contains(READY_MARK) {
            signalled = true;
            let _ = ready.send(());
        }
        let mut lines = log.lock().unwrap_or_else(|e| e.into_inner());
        if lines.len() == LOG_KEEP {
            lines.pop_front();
        }
        lines.push_back(line);
    }
}

// ---------------------------------------------------------------- the calls

/// Resolve `resource` (e.g. `plugin.Collector`) and `verb` on the session.
async fn method(
    session: &mut Session,
    resource: &str,
    verb: &str,
) -> std::result::Result<MethodDescriptor, String> {
    let target = resolve::parse_resource(resource).map_err(|e| e.to_string())?;
    session
        .method(&target, verb, "v1")
        .await
        .map_err(|e| e.to_string())
}

fn message(
    method: &MethodDescriptor,
    params: &Map<String, Value>,
) -> std::result::Result<DynamicMessage, String> {
    crate::request::message::from_value(&method.input(), params).map_err(|e| e.to_string())
}

/// A unary call: its response as a dict, and how long it took.
async fn unary(
    session: &mut Session,
    resource: &str,
    verb: &str,
    params: Map<String, Value>,
) -> (std::result::Result<Value, String>, f64) {
    let started = Instant::now();
    let result = async {
        let m = method(session, resource, verb).await?;
        let request = message(&m, &params)?;
        let mut response = None;
        session
            .call(&m, request, &[], |msg| {
                response = Some(to_value(&msg));
                Ok(())
            })
            .await
            .map_err(|e| e.to_string())?;
        Ok(response.unwrap_or(Value::Null))
    }
    .await;
    (result, millis(started.elapsed()))
}

fn params(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn skipped(report: &mut Report, name: &str, reason: &str) {
    report.calls.push(Call {
        name: name.to_string(),
        outcome: Outcome::Skipped(reason.to_string()),
        millis: None,
        responses: 0,
    });
}

fn record(report: &mut Report, name: &str, outcome: std::result::Result<usize, String>, ms: f64) {
    let (outcome, responses) = match outcome {
        Ok(n) => (Outcome::Ok, n),
        Err(e) => {
            report
                .findings
                .push(Finding::error("call", format!("{name} failed: {e}")));
            (Outcome::Error(e), 0)
        }
    };
    report.calls.push(Call {
        name: name.to_string(),
        outcome,
        millis: Some(ms),
        responses,
    });
}

/// A call of any shape: how many messages it answered, and how long it took.
async fn call_any(
    session: &mut Session,
    resource: &str,
    verb: &str,
    params: &Map<String, Value>,
) -> (std::result::Result<usize, String>, f64) {
    let started = Instant::now();
    let result = async {
        let m = method(session, resource, verb).await?;
        let request = message(&m, params)?;
        let mut n = 0;
        session
            .call(&m, request, &[], |_| {
                n += 1;
                Ok(())
            })
            .await
            .map_err(|e| e.to_string())?;
        Ok(n)
    }
    .await;
    (result, millis(started.elapsed()))
}

/// The calls of a plugin of another kind: every route with its request file,
/// then with an empty request, which must be refused for a missing parameter.
async fn exercise_kind(
    session: &mut Session,
    plan: &kinds::Plan,
    report: &mut Report,
    progress: &Progress,
) {
    for (route, file) in &plan.calls {
        let name = route.method();
        let resource = format!("plugin.{}", route.service);
        match file {
            Some(path) => match read_mapping(path, "request file") {
                Ok(request) => {
                    progress.say(&name);
                    let (result, ms) = call_any(session, &resource, route.verb, &request).await;
                    record(report, &name, result, ms);
                }
                Err(e) => record(report, &name, Err(e.to_string()), 0.0),
            },
            None => skipped(report, &name, "the project has no request file for it"),
        }
        let refused = format!("{name} (empty request, must be refused)");
        progress.say(&refused);
        let (result, ms) = call_any(session, &resource, route.verb, &kinds::empty()).await;
        let outcome = match result {
            Err(e) if kinds::refusal_ok(&e) => Ok(0),
            Err(e) => Err(format!(
                "refused with another error than a missing parameter: {e}"
            )),
            Ok(_) => Err("accepted a request without its required parameters".to_string()),
        };
        record(report, &refused, outcome, ms);
    }
}

/// Make the calls and check the answers; every failure becomes a finding.
async fn exercise(
    port: u16,
    a: &PluginTestArgs,
    setup: &Setup,
    report: &mut Report,
    progress: &Progress,
) {
    progress.say("connecting");
    let started = Instant::now();
    let url = format!("grpc://127.0.0.1:{port}");
    let options = grpc::Options {
        use_cache: false,
        cache_dir: None,
    };
    let mut session = match Session::open(&url, &options).await {
        Ok(s) => s,
        Err(e) => {
            report.findings.push(Finding::error(
                "host",
                format!("Cannot connect to the plugin host: {e}"),
            ));
            return;
        }
    };
    report.timings.push(("connect", millis(started.elapsed())));

    if let Some(plan) = &setup.kind_plan {
        exercise_kind(&mut session, plan, report, progress).await;
        return;
    }

    progress.say("Collector.init");
    let (result, ms) = unary(
        &mut session,
        "plugin.Collector",
        "init",
        params(&[("options", setup.options())]),
    )
    .await;
    if let Ok(response) = &result
        && let Some(f) = checks::check_init(response)
    {
        report.findings.push(f);
    }
    let init_response = result.as_ref().ok().cloned();
    record(report, "Collector.init", result.map(|_| 1), ms);

    match &setup.verify {
        Ok(verify) => {
            progress.say("Collector.verify");
            let (result, ms) =
                unary(&mut session, "plugin.Collector", "verify", verify.clone()).await;
            record(report, "Collector.verify", result.map(|_| 1), ms);
        }
        Err(reason) => skipped(report, "Collector.verify", reason),
    }

    let mut requests = vec![("Collector.collect".to_string(), setup.request.clone())];
    if a.no_tasks {
        skipped(report, "Job.get_tasks", "--no-tasks");
    } else {
        progress.say("Job.get_tasks");
        let (result, ms) = unary(
            &mut session,
            "plugin.Job",
            "get_tasks",
            params(&[
                ("options", setup.options()),
                ("secret_data", setup.secret_data()),
            ]),
        )
        .await;
        let tasks = match &result {
            Ok(response) => {
                if let Some(f) = checks::check_get_tasks(response) {
                    report.findings.push(f);
                }
                response
                    .get("tasks")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            }
            Err(_) => Vec::new(),
        };
        match result {
            // No route: the inventory service collects once without task_options.
            Err(e) if e.contains(NO_ROUTE) => {
                skipped(report, "Job.get_tasks", "no route; collect runs once");
            }
            result => record(report, "Job.get_tasks", result.map(|_| 1), ms),
        }
        // Without tasks (or when get_tasks failed) collect runs once, with the request as it is.
        if !tasks.is_empty() {
            let n = tasks.len();
            requests = tasks
                .iter()
                .enumerate()
                .map(|(i, task)| {
                    let mut request = setup.request.clone();
                    let options = task
                        .get("task_options")
                        .cloned()
                        .unwrap_or_else(|| Value::Object(Map::new()));
                    request.insert("task_options".to_string(), options);
                    (format!("Collector.collect (task {}/{n})", i + 1), request)
                })
                .collect();
        }
    }

    let mut checker = Checker::new();
    let mut first_item: Option<f64> = None;
    for (name, request) in requests {
        progress.say(&name);
        let started = Instant::now();
        let before = checker.items();
        checker.begin_collect();
        let result = async {
            let m = method(&mut session, "plugin.Collector", "collect").await?;
            let message = message(&m, &request)?;
            session
                .call(&m, message, &[], |msg| {
                    if first_item.is_none() {
                        first_item = Some(millis(started.elapsed()));
                    }
                    checker.item(&to_value(&msg));
                    progress.say(&format!(
                        "{name}: {}",
                        report::plural(checker.items(), "resource")
                    ));
                    Ok(())
                })
                .await
                .map_err(|e| e.to_string())
        }
        .await;
        let received = checker.items() - before;
        let ms = millis(started.elapsed());
        match result {
            Ok(()) => record(report, &name, Ok(received), ms),
            Err(e) => {
                record(report, &name, Err(e), ms);
                if let Some(call) = report.calls.last_mut() {
                    call.responses = received;
                }
            }
        }
    }
    if let Some(ms) = first_item {
        report.timings.push(("first item", ms));
    }
    let (counts, findings) = checker.finish();
    report.findings.extend(findings);
    if let Some(init) = &init_response {
        report
            .findings
            .extend(checks::check_supported_types(init, &counts));
    }
    report.resources = counts;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_files_hold_the_mapping_or_a_request() {
        let m = |v: Value| v.as_object().cloned().unwrap();
        assert_eq!(
            secret_data(m(json!({"api_key": "k"}))),
            json!({"api_key": "k"})
        );
        assert_eq!(
            secret_data(m(json!({"options": {}, "secret_data": {"token": "t"}}))),
            json!({"token": "t"})
        );
        assert_eq!(
            secret_data(m(json!({"secret_data": "not a mapping"}))),
            json!({"secret_data": "not a mapping"})
        );
    }

    #[test]
    fn request_file_candidates() {
        let cwd = Path::new("/w");
        assert_eq!(
            request_candidates(cwd, Path::new("demo/src")),
            vec![
                PathBuf::from("demo/collect.yaml"),
                PathBuf::from("collect.yaml")
            ]
        );
        assert_eq!(
            request_candidates(cwd, Path::new("src")),
            vec![PathBuf::from("collect.yaml")]
        );
        assert_eq!(
            request_candidates(cwd, Path::new(".")),
            vec![
                PathBuf::from("/collect.yaml"),
                PathBuf::from("collect.yaml")
            ]
        );
        assert_eq!(
            request_candidates(cwd, Path::new("/abs/proj/src")),
            vec![
                PathBuf::from("/abs/proj/collect.yaml"),
                PathBuf::from("collect.yaml")
            ]
        );
    }

    #[test]
    fn verify_follows_the_project_files() {
        let m = |v: Value| v.as_object().cloned().unwrap();
        let collect = m(json!({"options": {"a": 1}, "secret_data": {"token": "c"}}));
        assert_eq!(
            verify_plan(&collect, None, false, false),
            Err("no verify.yaml or --secret")
        );
        assert_eq!(
            verify_plan(&collect, Some(Map::new()), false, true),
            Err("--no-verify")
        );
        assert_eq!(
            verify_plan(
                &collect,
                Some(m(json!({"secret_data": {"token": "v"}}))),
                false,
                false
            ),
            Ok(m(
                json!({"options": {"a": 1}, "secret_data": {"token": "v"}})
            ))
        );
        assert_eq!(
            verify_plan(
                &collect,
                Some(m(json!({"options": {}, "secret_data": {"token": "v"}}))),
                false,
                false
            ),
            Ok(m(json!({"options": {}, "secret_data": {"token": "v"}})))
        );
        // --secret is in the collect request already and wins over verify.yaml.
        assert_eq!(
            verify_plan(
                &collect,
                Some(m(json!({"secret_data": {"token": "v"}}))),
                true,
                false
            ),
            Ok(m(
                json!({"options": {"a": 1}, "secret_data": {"token": "c"}})
            ))
        );
        assert_eq!(
            verify_plan(&collect, None, true, false),
            Ok(m(
                json!({"options": {"a": 1}, "secret_data": {"token": "c"}})
            ))
        );
    }

    #[test]
    fn verify_file_candidates() {
        let cwd = Path::new("/w");
        assert_eq!(
            verify_candidates(cwd, Path::new("src"), Some(Path::new("collect.yaml"))),
            vec![PathBuf::from("verify.yaml")]
        );
        assert_eq!(
            verify_candidates(cwd, Path::new("demo/src"), Some(Path::new("reqs/c.yaml"))),
            vec![
                PathBuf::from("reqs/verify.yaml"),
                PathBuf::from("demo/verify.yaml"),
                PathBuf::from("verify.yaml")
            ]
        );
        assert_eq!(
            verify_candidates(cwd, Path::new("demo/src"), None),
            vec![
                PathBuf::from("demo/verify.yaml"),
                PathBuf::from("verify.yaml")
            ]
        );
    }

    #[test]
    fn startup_failures_keep_the_hosts_hint() {
        let lines = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            startup_failure(&lines(&[
                "Traceback ...",
                "ImportError: Cannot import app: No module named 'spaceone'",
                "hint: python3 does not have it",
                ""
            ]))
            .as_deref(),
            Some(
                "ImportError: Cannot import app: No module named 'spaceone'\nhint: python3 does not have it"
            )
        );
        assert_eq!(
            startup_failure(&lines(&["x", "ERROR: Port 5 is already in use."])).as_deref(),
            Some("Port 5 is already in use.")
        );
        assert_eq!(startup_failure(&lines(&["", " "])), None);
    }

    #[test]
    fn startup_limits() {
        assert_eq!(startup_limit(0), Duration::from_secs(130));
        assert_eq!(startup_limit(3), Duration::from_secs(20));
        assert_eq!(startup_limit(120), Duration::from_secs(130));
    }
}
