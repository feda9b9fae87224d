//! The handler pool driven directly: a non-Python handler (POSIX shell) that
//! misbehaves on purpose, SDK-mode and compat-mode Python plugins, startup
//! failures. Every test checks that no process it started is left behind.
//!
//! Tests run one at a time (a shared lock) so that "no child of this test
//! process remains" is a meaningful check.

#![allow(dead_code)]

mod common;

// The handler module is compiled into this test crate as `crate::plugin::host::handler`
// (the binary crate has no library target to link against).
#[path = "../src/plugin/host/error.rs"]
pub mod plugin_error;
#[path = "../src/plugin/host/handler/mod.rs"]
pub mod plugin_handler;
mod plugin {
    pub mod host {
        pub use crate::plugin_error as error;
        pub use crate::plugin_handler as handler;
    }
}

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use plugin::host::error::{PluginError, StatusKind};
use plugin::host::handler::item::Item;
use plugin::host::handler::{DEFAULT_IDLE_TIMEOUT, HandlerConfig, Pool, Ready, StartupError};
use serde_json::{Value, json};

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Every test body is bounded.
const TEST_LIMIT: Duration = Duration::from_secs(90);

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/handlers")
}

fn shell_handler(args: &str) -> String {
    let script = data_dir().join("fault_handler.sh");
    format!("sh '{}' {args}", script.display())
}

fn shell_config(args: &str, workers: usize, timeout: Option<Duration>) -> HandlerConfig {
    HandlerConfig {
        package: "plugin".to_string(),
        app_path: "{package}.main:app".to_string(),
        source_root: PathBuf::from("."),
        module_paths: Vec::new(),
        python: None,
        handler_cmd: Some(shell_handler(args)),
        workers,
        processes: 0,
        timeout,
        idle_timeout: DEFAULT_IDLE_TIMEOUT,
    }
}

fn python_config(source_root: &Path, package: &str) -> HandlerConfig {
    HandlerConfig {
        package: package.to_string(),
        app_path: "{package}.main:app".to_string(),
        source_root: source_root.to_path_buf(),
        module_paths: Vec::new(),
        python: None,
        handler_cmd: None,
        workers: 2,
        processes: 0,
        timeout: Some(Duration::from_secs(30)),
        idle_timeout: DEFAULT_IDLE_TIMEOUT,
    }
}

/// The Python handler tests need `python3` on PATH: without it they fail, naming it.
fn require_python3() {
    let found = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "python3 is missing: these tests run Python handlers (install python3)"
    );
}

// --- process inspection (/proc) -----------------------------------------------------

/// (pid, ppid, pgrp, state) of every process.
fn processes() -> Vec<(u32, u32, u32, char)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in entries.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // Fields after the parenthesised command name: state ppid pgrp ...
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.len() < 3 {
            continue;
        }
        let state = fields[0].chars().next().unwrap_or('?');
        let (Ok(ppid), Ok(pgrp)) = (fields[1].parse(), fields[2].parse()) else {
            continue;
        };
        out.push((pid, ppid, pgrp, state));
    }
    out
}

fn describe(pid: u32) -> String {
    let cmd = std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
        .unwrap_or_default();
    format!("{pid} {cmd}")
}

/// Processes of the group `pgid` leads, plus the leader itself (even as a zombie).
/// A dead grandchild waiting for init to reap it (state Z, not our child) does not
/// count: it is neither running nor ours to reap.
fn group_left(pgid: u32) -> Vec<String> {
    let me = std::process::id();
    processes()
        .into_iter()
        .filter(|(pid, ppid, pgrp, state)| {
            (*pgrp == pgid || *pid == pgid) && !(*state == 'Z' && *ppid != me)
        })
        .map(|(pid, _, _, state)| format!("{} [{state}]", describe(pid)))
        .collect()
}

fn children_left() -> Vec<String> {
    let me = std::process::id();
    processes()
        .into_iter()
        .filter(|(_, ppid, _, _)| *ppid == me)
        .map(|(pid, _, _, state)| format!("{} [{state}]", describe(pid)))
        .collect()
}

/// Wait (bounded) until the handler `pid` and everything in its process group are gone.
async fn assert_group_gone(pid: u32) {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let left = group_left(pid);
        if left.is_empty() {
            return;
        }
        assert!(
            Instant::now() < until,
            "handler {pid} left processes behind: {left:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Wait (bounded) until this test process has no child processes (zombies included).
async fn assert_no_children() {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let left = children_left();
        if left.is_empty() {
            return;
        }
        assert!(Instant::now() < until, "child processes left: {left:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn start(cfg: HandlerConfig) -> (Pool, Ready) {
    match Pool::start(cfg).await {
        Ok(started) => started,
        Err(e) => panic!("pool did not start: {} (exit {})", e.message, e.exit_code),
    }
}

async fn start_err(cfg: HandlerConfig) -> StartupError {
    match Pool::start(cfg).await {
        Ok((pool, _)) => {
            pool.shutdown().await;
            panic!("pool started although it should not");
        }
        Err(e) => e,
    }
}

/// The next item of a stream, which must come and not be an error.
async fn next_item(rx: &mut tokio::sync::mpsc::Receiver<Result<Item, PluginError>>) -> Value {
    rx.recv()
        .await
        .expect("an item")
        .expect("not an error")
        .to_value()
}

fn pid_of(v: &Value) -> u32 {
    v["pid"]
        .as_u64()
        .and_then(|p| u32::try_from(p).ok())
        .unwrap_or_else(|| panic!("no pid in {v}"))
}

async fn init_pid(pool: &Pool) -> u32 {
    let v = pool
        .call("Collector.init", json!({"options": {}}))
        .await
        .unwrap_or_else(|e| panic!("init failed: {e}"));
    pid_of(&v)
}

async fn collect_all(
    pool: &Pool,
    params: Value,
) -> Result<(Vec<Value>, Option<PluginError>), PluginError> {
    let mut rx = pool.stream("Collector.collect", params).await?;
    let mut items = Vec::new();
    while let Some(next) = rx.recv().await {
        match next {
            Ok(item) => items.push(item.to_value()),
            Err(e) => return Ok((items, Some(e))),
        }
    }
    Ok((items, None))
}

fn assert_error(result: Result<Value, PluginError>, status: StatusKind, details: &str) {
    match result {
        Ok(v) => panic!("expected {details}, got result {v}"),
        Err(e) => {
            assert_eq!(e.details(), details);
            assert_eq!(e.status, status, "status of {details}");
        }
    }
}

macro_rules! bounded {
    ($body:expr) => {{
        let _guard = SERIAL.lock().await;
        match tokio::time::timeout(TEST_LIMIT, $body).await {
            Ok(()) => {}
            Err(_) => panic!("test did not finish within {TEST_LIMIT:?}"),
        }
        assert_no_children().await;
    }};
}

// --- a handler that is not Python ------------------------------------------------------

#[tokio::test]
async fn shell_handler_serves_unary_and_streaming_calls() {
    bounded!(async {
        let (pool, ready) = start(shell_config("ok", 2, None)).await;
        assert_eq!(
            ready.routes,
            vec!["Collector.init", "Collector.verify", "Collector.collect"]
        );
        assert_eq!(ready.package_dir, PathBuf::from("/srv/plugin"));

        let params = json!({"options": {"a": "é", "n": 1.5}, "domain_id": null});
        let result = pool.call("Collector.init", params.clone()).await.unwrap();
        assert_eq!(result["method"], "Collector.init");
        assert_eq!(result["params"], params);
        let pid = pid_of(&result);

        let (items, error) = collect_all(&pool, json!({"options": {}})).await.unwrap();
        assert!(error.is_none());
        let ns: Vec<u64> = items.iter().filter_map(|i| i["n"].as_u64()).collect();
        assert_eq!(ns, vec![1, 2, 3]);
        // One request at a time per process: the idle handler is reused.
        assert!(items.iter().all(|i| pid_of(i) == pid));

        assert_error(
            pool.call("Collector.verify", json!({})).await,
            StatusKind::InvalidArgument,
            "ERROR_REQUIRED_PARAMETER: Required parameter. (key = secret_data.token)",
        );
        assert_error(
            pool.call("Job.get_tasks", json!({})).await,
            StatusKind::Unimplemented,
            "ERROR_NOT_IMPLEMENTED: Method not found! (method = Job.get_tasks)",
        );
        // An error reply leaves the handler usable.
        assert_eq!(init_pid(&pool).await, pid);
        pool.shutdown().await;
        assert_group_gone(pid).await;
    });
}

#[tokio::test]
async fn requests_queue_when_all_handlers_are_busy() {
    bounded!(async {
        let (pool, _) = start(shell_config("slow-init", 2, None)).await;
        let began = Instant::now();
        let calls: Vec<_> = (0..6)
            .map(|i| {
                let pool = pool.clone();
                tokio::spawn(async move {
                    pool.call("Collector.init", json!({"options": {"i": i}}))
                        .await
                })
            })
            .collect();
        let mut pids = std::collections::BTreeSet::new();
        for (i, call) in calls.into_iter().enumerate() {
            let v = call.await.unwrap().unwrap();
            assert_eq!(v["params"]["options"]["i"], json!(i));
            pids.insert(pid_of(&v));
        }
        let elapsed = began.elapsed();
        assert_eq!(pids.len(), 2, "at most `workers` processes: {pids:?}");
        // 6 calls of 0.3 s on 2 processes take at least 3 rounds.
        assert!(elapsed >= Duration::from_millis(850), "{elapsed:?}");
        pool.shutdown().await;
        for pid in pids {
            assert_group_gone(pid).await;
        }
    });
}

#[tokio::test]
async fn long_stream_arrives_complete_and_in_order() {
    bounded!(async {
        let (pool, _) = start(shell_config("many 10000", 1, Some(Duration::from_secs(60)))).await;
        let (items, error) = collect_all(&pool, json!({})).await.unwrap();
        assert!(error.is_none(), "{error:?}");
        assert_eq!(items.len(), 10_000);
        for (i, item) in items.iter().enumerate() {
            assert_eq!(item["region"]["region_code"], json!(format!("r-{}", i + 1)));
        }
        pool.shutdown().await;
    });
}

// --- faults ---------------------------------------------------------------------------

#[tokio::test]
async fn crash_is_internal_and_the_handler_is_replaced() {
    bounded!(async {
        let (pool, _) = start(shell_config("crash", 1, None)).await;
        let first = init_pid(&pool).await;
        assert_error(
            pool.call("Collector.verify", json!({})).await,
            StatusKind::Internal,
            "ERROR_HANDLER_EXITED: The plugin handler exited while serving Collector.verify (exit code 3).",
        );
        assert_group_gone(first).await;
        let second = init_pid(&pool).await;
        assert_ne!(first, second, "a new handler serves the next call");
        pool.shutdown().await;
        assert_group_gone(second).await;
    });
}

#[tokio::test]
async fn processes_a_crashed_handler_started_are_stopped() {
    bounded!(async {
        let (pool, _) = start(shell_config("children", 1, None)).await;
        let first = init_pid(&pool).await;
        assert_error(
            pool.call("Collector.verify", json!({})).await,
            StatusKind::Internal,
            "ERROR_HANDLER_EXITED: The plugin handler exited while serving Collector.verify (exit code 3).",
        );
        // The background process of the crashed handler goes with it.
        assert_group_gone(first).await;
        pool.shutdown().await;
    });
}

#[tokio::test]
async fn processes_of_a_handler_that_exits_at_shutdown_are_stopped() {
    bounded!(async {
        let (pool, _) = start(shell_config("children", 1, None)).await;
        let pid = init_pid(&pool).await;
        // The idle handler ends on its own when its input is closed; the
        // background process it started must not outlive the pool.
        pool.shutdown().await;
        assert_group_gone(pid).await;
    });
}

#[tokio::test]
async fn hang_past_timeout_is_deadline_exceeded_and_kills_the_group() {
    bounded!(async {
        let (pool, _) = start(shell_config("hang", 1, Some(Duration::from_secs(1)))).await;
        let first = init_pid(&pool).await;
        let began = Instant::now();
        assert_error(
            pool.call("Collector.verify", json!({})).await,
            StatusKind::DeadlineExceeded,
            "ERROR_REQUEST_TIMEOUT: Request timeout! (Collector.verify did not finish within 1 s; the plugin handler was stopped)",
        );
        let elapsed = began.elapsed();
        assert!(
            elapsed >= Duration::from_millis(950) && elapsed < Duration::from_secs(5),
            "{elapsed:?}"
        );
        // The shell's `sleep` child was in the handler's process group.
        assert_group_gone(first).await;
        let second = init_pid(&pool).await;
        assert_ne!(first, second);

        // A stream that stops producing is bounded by the same limit.
        let (items, error) = collect_all(&pool, json!({})).await.unwrap();
        assert_eq!(items.len(), 1);
        let error = error.expect("the stream ends with an error");
        assert_eq!(error.status, StatusKind::DeadlineExceeded);
        assert_eq!(
            error.details(),
            "ERROR_REQUEST_TIMEOUT: Request timeout! (Collector.collect did not finish within 1 s; the plugin handler was stopped)"
        );
        assert_group_gone(second).await;
        let third = init_pid(&pool).await;
        pool.shutdown().await;
        assert_group_gone(third).await;
    });
}

#[tokio::test]
async fn garbage_output_is_internal() {
    bounded!(async {
        let (pool, _) = start(shell_config("garbage", 1, None)).await;
        let first = init_pid(&pool).await;
        assert_error(
            pool.call("Collector.verify", json!({})).await,
            StatusKind::Internal,
            "ERROR_HANDLER_PROTOCOL: The plugin handler broke the protocol while serving Collector.verify: line is not JSON: \"this is not json\"",
        );
        assert_group_gone(first).await;
        assert_ne!(init_pid(&pool).await, first);
        pool.shutdown().await;
    });
}

#[tokio::test]
async fn reply_to_another_request_is_internal() {
    bounded!(async {
        let (pool, _) = start(shell_config("wrong-id", 1, None)).await;
        let first = init_pid(&pool).await;
        let err = pool.call("Collector.verify", json!({})).await.unwrap_err();
        assert_eq!(err.status, StatusKind::Internal);
        assert_eq!(err.code, "ERROR_HANDLER_PROTOCOL");
        assert!(
            err.message.contains("while serving request id"),
            "{}",
            err.message
        );
        assert_group_gone(first).await;
        pool.shutdown().await;
    });
}

#[tokio::test]
async fn an_extra_reply_does_not_fail_the_next_call() {
    bounded!(async {
        let (pool, _) = start(shell_config("extra", 1, None)).await;
        let first = init_pid(&pool).await;
        assert_eq!(
            pool.call("Collector.verify", json!({})).await.unwrap(),
            Value::Null
        );
        // The second reply to verify retires the handler; the call after it is
        // still answered (init_pid fails otherwise), and the handler is replaced
        // once that call has ended.
        init_pid(&pool).await;
        assert_group_gone(first).await;
        let third = init_pid(&pool).await;
        assert_ne!(third, first);
        pool.shutdown().await;
        assert_group_gone(third).await;
    });
}

#[tokio::test]
async fn huge_output_line_is_bounded() {
    bounded!(async {
        let (pool, _) = start(shell_config("huge", 1, Some(Duration::from_secs(30)))).await;
        let first = init_pid(&pool).await;
        assert_error(
            pool.call("Collector.verify", json!({})).await,
            StatusKind::Internal,
            "ERROR_HANDLER_PROTOCOL: The plugin handler broke the protocol while serving Collector.verify: an output line is longer than the 64 MiB limit",
        );
        assert_group_gone(first).await;
        assert_ne!(init_pid(&pool).await, first);
        pool.shutdown().await;
    });
}

#[tokio::test]
async fn handlers_inherit_no_descriptor_of_the_host() {
    bounded!(async {
        // A descriptor without close-on-exec, like those a host inherits from
        // whatever started it (a shell, a CI runner, a supervisor).
        let mut ends = [0i32; 2];
        // SAFETY: pipe(2) fills the two-element array it is given.
        assert_eq!(unsafe { libc::pipe(ends.as_mut_ptr()) }, 0);
        let leaked = std::fs::read_link(format!("/proc/self/fd/{}", ends[1]))
            .unwrap()
            .display()
            .to_string();
        let (pool, _) = start(shell_config("fds", 1, None)).await;
        let v = pool.call("Collector.init", json!({})).await.unwrap();
        pool.shutdown().await;
        // SAFETY: both descriptors were opened above and are closed once.
        unsafe {
            libc::close(ends[0]);
            libc::close(ends[1]);
        }
        let targets: Vec<&str> = v["fds"].as_str().unwrap().split_whitespace().collect();
        assert!(
            !targets.contains(&leaked.as_str()),
            "the handler holds {leaked}: {targets:?}"
        );
        // Its only pipes are the protocol's stdin and stdout and its stderr.
        let pipes = targets.iter().filter(|t| t.starts_with("pipe:")).count();
        assert_eq!(pipes, 3, "{targets:?}");
    });
}

#[tokio::test]
async fn exit_at_start_is_a_startup_error() {
    bounded!(async {
        let err = start_err(shell_config("exit-at-start", 1, None)).await;
        assert_eq!(
            err.message,
            format!(
                "The plugin handler could not be started: {} exited before it was ready (exit code 4)",
                shell_handler("exit-at-start")
            )
        );
        assert_eq!(err.exit_code, 1);

        let err = start_err(shell_config("startup-error", 1, None)).await;
        assert_eq!(
            err.message,
            "Exception: The package(nopkg) can not imported. Please check the module path."
        );
        assert_eq!(err.exit_code, 1);

        let err = start_err(shell_config("bad-hello", 1, None)).await;
        assert_eq!(
            err.message,
            format!(
                "The plugin handler could not be started: {} did not start the protocol: line is not JSON: \"Welcome to my handler\"",
                shell_handler("bad-hello")
            )
        );

        let mut missing = shell_config("ok", 1, None);
        missing.handler_cmd = Some("/nonexistent/handler --x".to_string());
        let err = start_err(missing).await;
        assert_eq!(
            err.message,
            "The plugin handler could not be started: command not found: /nonexistent/handler --x"
        );
    });
}

#[tokio::test]
async fn calls_after_shutdown_are_unavailable() {
    bounded!(async {
        let (pool, _) = start(shell_config("ok", 1, None)).await;
        let pid = init_pid(&pool).await;
        pool.shutdown().await;
        assert_group_gone(pid).await;
        assert_error(
            pool.call("Collector.init", json!({})).await,
            StatusKind::Unavailable,
            "ERROR_HANDLER_UNAVAILABLE: The plugin host is shutting down.",
        );
        assert!(pool.stream("Collector.collect", json!({})).await.is_err());
    });
}

#[tokio::test]
async fn crashed_handler_that_cannot_restart_gives_unavailable() {
    bounded!(async {
        let state = tempfile::tempdir().unwrap();
        let marker = state.path().join("started");
        let cmd = format!("{} '{}'", shell_handler("start-once"), marker.display());
        let mut cfg = shell_config("start-once", 1, Some(Duration::from_secs(1)));
        cfg.handler_cmd = Some(cmd.clone());
        let (pool, _) = start(cfg).await;
        let first = init_pid(&pool).await;
        // The start-once handler answers verify with an error reply: still healthy.
        assert!(pool.call("Collector.verify", json!({})).await.is_err());
        assert_eq!(init_pid(&pool).await, first);
        // Stop the idle handler from outside: it is reaped at once and replaced on next use.
        // SAFETY: `first` is a process this test started (via the pool) and that is still running.
        unsafe {
            libc::kill(first as i32, libc::SIGKILL);
        }
        assert_group_gone(first).await;
        assert_error(
            pool.call("Collector.init", json!({})).await,
            StatusKind::Unavailable,
            &format!(
                "ERROR_HANDLER_UNAVAILABLE: The plugin handler could not be started: {cmd} exited before it was ready (exit code 5)"
            ),
        );
        pool.shutdown().await;
    });
}

#[tokio::test]
async fn dropping_the_stream_stops_the_work() {
    bounded!(async {
        let (pool, _) = start(shell_config("slow-stream", 1, None)).await;
        let mut rx = pool.stream("Collector.collect", json!({})).await.unwrap();
        let mut pid = 0;
        for n in 1..=3u64 {
            let item = next_item(&mut rx).await;
            assert_eq!(item["n"], json!(n));
            pid = pid_of(&item);
        }
        drop(rx);
        assert_group_gone(pid).await;
        // The pool keeps serving with a fresh handler.
        let mut rx = pool.stream("Collector.collect", json!({})).await.unwrap();
        let item = next_item(&mut rx).await;
        assert_ne!(pid_of(&item), pid);
        drop(rx);
        pool.shutdown().await;
    });
}

#[tokio::test]
async fn dropping_a_pending_call_stops_the_work() {
    bounded!(async {
        let (pool, _) = start(shell_config("hang", 1, None)).await;
        let pid = init_pid(&pool).await;
        let pending = pool.call("Collector.verify", json!({}));
        assert!(
            tokio::time::timeout(Duration::from_millis(300), pending)
                .await
                .is_err()
        );
        assert_group_gone(pid).await;
        assert_ne!(init_pid(&pool).await, pid);
        pool.shutdown().await;
    });
}

#[tokio::test]
async fn shutdown_stops_busy_handlers() {
    bounded!(async {
        let (pool, _) = start(shell_config("hang", 2, None)).await;
        let pid = init_pid(&pool).await;
        let busy = {
            let pool = pool.clone();
            tokio::spawn(async move { pool.call("Collector.verify", json!({})).await })
        };
        tokio::time::sleep(Duration::from_millis(200)).await;
        pool.shutdown().await;
        assert_error(
            busy.await.unwrap(),
            StatusKind::Unavailable,
            "ERROR_HANDLER_UNAVAILABLE: The plugin host is shutting down.",
        );
        assert_group_gone(pid).await;
        assert!(pool.stream("Collector.collect", json!({})).await.is_err());
    });
}

#[tokio::test]
async fn dropping_the_pool_reaps_idle_handlers() {
    bounded!(async {
        let (pool, _) = start(shell_config("ok", 1, None)).await;
        let pid = init_pid(&pool).await;
        drop(pool);
        assert_group_gone(pid).await;
    });
}

// --- multiplexing: one process, several calls -----------------------------------------

/// The multiplexing test handler (Python, standard library only).
fn mux_config(processes: usize, timeout: Option<Duration>) -> HandlerConfig {
    let script = data_dir().join("mux_handler.py");
    let mut cfg = shell_config("ok", 8, timeout);
    cfg.handler_cmd = Some(format!("python3 '{}'", script.display()));
    cfg.processes = processes;
    cfg
}

fn opts(v: Value) -> Value {
    json!({ "options": v })
}

/// Run `init` concurrently for each of `options`; the results in order.
async fn concurrent_inits(pool: &Pool, options: Vec<Value>) -> Vec<Result<Value, PluginError>> {
    let calls: Vec<_> = options
        .into_iter()
        .map(|o| {
            let pool = pool.clone();
            tokio::spawn(async move { pool.call("Collector.init", opts(o)).await })
        })
        .collect();
    let mut out = Vec::new();
    for call in calls {
        out.push(call.await.unwrap());
    }
    out
}

/// A stream's items and its final error, or the error that prevented it.
type Collected = Result<(Vec<Value>, Option<PluginError>), PluginError>;

/// Collect a stream in a task.
fn spawn_collect(pool: &Pool, options: Value) -> tokio::task::JoinHandle<Collected> {
    let pool = pool.clone();
    tokio::spawn(async move { collect_all(&pool, opts(options)).await })
}

async fn wait_for_processes(pool: &Pool, n: usize) {
    let until = Instant::now() + Duration::from_secs(10);
    while pool.processes() != n {
        assert!(
            Instant::now() < until,
            "{} handler processes, expected {n}",
            pool.processes()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn one_process_serves_concurrent_calls_with_their_own_ids() {
    require_python3();
    bounded!(async {
        let (pool, _) = start(mux_config(1, None)).await;
        let began = Instant::now();
        let results = concurrent_inits(
            &pool,
            (0..6).map(|i| json!({"sleep": 1.0, "tag": i})).collect(),
        )
        .await;
        let elapsed = began.elapsed();
        let results: Vec<Value> = results.into_iter().map(Result::unwrap).collect();
        // Each call got its own reply, all from the one process, at the same time.
        let tags: Vec<Value> = results.iter().map(|r| r["tag"].clone()).collect();
        assert_eq!(tags, (0..6).map(|i| json!(i)).collect::<Vec<_>>());
        let pid = pid_of(&results[0]);
        assert!(results.iter().all(|r| pid_of(r) == pid), "{results:?}");
        // One after the other they would take 6 s.
        assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
        assert_eq!(children_left().len(), 1, "{:?}", children_left());

        // Calls made with a transaction id pass it on; others send none.
        let traced = plugin::host::handler::with_trace_id(
            "4bf92f3577b34da6a3ce929d0e0e4736".to_string(),
            pool.call("Collector.init", opts(json!({}))),
        )
        .await
        .unwrap();
        assert_eq!(traced["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
        let untraced = pool.call("Collector.init", opts(json!({}))).await.unwrap();
        assert_eq!(untraced["trace_id"], Value::Null);
        pool.shutdown().await;
        assert_group_gone(pid).await;
    });
}

#[tokio::test]
async fn many_calls_on_few_processes_each_get_their_own_replies() {
    require_python3();
    bounded!(async {
        let mut cfg = mux_config(2, None);
        cfg.workers = 40;
        let (pool, _) = start(cfg).await;
        let calls: Vec<_> = (0..200)
            .map(|i| {
                let pool = pool.clone();
                tokio::spawn(async move {
                    let o = json!({"tag": i, "sleep": (i % 5) as f64 * 0.01, "items": i % 4});
                    if i % 2 == 0 {
                        let v = pool.call("Collector.init", opts(o)).await?;
                        Ok::<_, PluginError>(vec![v])
                    } else {
                        let (items, error) = collect_all(&pool, opts(o)).await?;
                        match error {
                            Some(e) => Err(e),
                            None => Ok(items),
                        }
                    }
                })
            })
            .collect();
        let mut pids = std::collections::BTreeSet::new();
        for (i, call) in calls.into_iter().enumerate() {
            let replies = call
                .await
                .unwrap()
                .unwrap_or_else(|e| panic!("call {i}: {e}"));
            let expected = if i % 2 == 0 { 1 } else { i % 4 };
            assert_eq!(replies.len(), expected, "call {i}: {replies:?}");
            for r in &replies {
                assert_eq!(r["tag"], json!(i), "call {i}");
                pids.insert(pid_of(r));
            }
        }
        assert!(pids.len() <= 2, "{pids:?}");
        assert!(children_left().len() <= 2, "{:?}", children_left());
        pool.shutdown().await;
    });
}

#[tokio::test]
async fn an_extra_reply_retires_the_process_without_failing_other_calls() {
    require_python3();
    bounded!(async {
        let (pool, _) = start(mux_config(1, None)).await;
        let long = spawn_collect(&pool, json!({"items": 8, "sleep": 0.1, "tag": "long"}));
        tokio::time::sleep(Duration::from_millis(150)).await;
        // This call gets its reply; the second reply for its id is the violation.
        let v = pool
            .call("Collector.init", opts(json!({"extra": true, "tag": "x"})))
            .await
            .unwrap();
        let first = pid_of(&v);
        // The stream in progress on that process is not touched.
        let (items, error) = long.await.unwrap().unwrap();
        assert!(error.is_none(), "{error:?}");
        assert_eq!(items.len(), 8);
        assert!(
            items
                .iter()
                .all(|i| pid_of(i) == first && i["tag"] == "long")
        );
        // The retired process is stopped once that stream has ended ...
        assert_group_gone(first).await;
        // ... and the next call gets a new one: the violation cost no later call.
        let next = init_pid(&pool).await;
        assert_ne!(next, first);
        pool.shutdown().await;
        assert_group_gone(next).await;
    });
}

#[tokio::test]
async fn a_reply_of_the_wrong_kind_fails_that_call_only() {
    require_python3();
    bounded!(async {
        let (pool, _) = start(mux_config(1, None)).await;
        let long = spawn_collect(&pool, json!({"items": 6, "sleep": 0.1}));
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert_error(
            pool.call("Collector.init", opts(json!({"kind": true})))
                .await,
            StatusKind::Internal,
            "ERROR_HANDLER_PROTOCOL: The plugin handler broke the protocol while serving Collector.init: streamed reply to a unary request",
        );
        let (items, error) = long.await.unwrap().unwrap();
        assert!(error.is_none(), "{error:?}");
        assert_eq!(items.len(), 6);
        assert_group_gone(pid_of(&items[0])).await;
        pool.shutdown().await;
    });
}

#[tokio::test]
async fn a_crash_fails_only_the_calls_in_progress_on_that_process() {
    require_python3();
    bounded!(async {
        let (pool, _) = start(mux_config(2, None)).await;
        // Two long streams that keep the first process busy on the CPU: a
        // second process starts meanwhile.
        let stream = |tag: &str| {
            let pool = pool.clone();
            let o = opts(json!({"items": 50, "spin": 0.1, "tag": tag}));
            async move { pool.stream("Collector.collect", o).await.unwrap() }
        };
        let mut a = stream("a").await;
        let mut b = stream("b").await;
        let mut items_a = vec![a.recv().await.unwrap().unwrap().to_value()];
        let mut items_b = vec![b.recv().await.unwrap().unwrap().to_value()];
        let first = pid_of(&items_a[0]);
        assert_eq!(pid_of(&items_b[0]), first);
        wait_for_processes(&pool, 2).await;
        // The least loaded process gets the next calls: the new one.
        let second = init_pid(&pool).await;
        assert_ne!(second, first, "the busy first process got the call");
        let crash = {
            let pool = pool.clone();
            tokio::spawn(async move {
                pool.call("Collector.init", opts(json!({"crash": true, "sleep": 0.3})))
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let bystander = pool.call("Collector.init", opts(json!({"sleep": 2}))).await;
        let exited = "ERROR_HANDLER_EXITED: The plugin handler exited while serving Collector.init (exit code 3).";
        assert_error(crash.await.unwrap(), StatusKind::Internal, exited);
        // Also in progress on the crashed process: fails the same way.
        assert_error(bystander, StatusKind::Internal, exited);
        assert_group_gone(second).await;
        // The calls on the other process run to their end.
        for (rx, items, tag) in [(&mut a, &mut items_a, "a"), (&mut b, &mut items_b, "b")] {
            while let Some(item) = rx.recv().await {
                items.push(
                    item.unwrap_or_else(|e| panic!("stream {tag}: {e}"))
                        .to_value(),
                );
            }
            assert_eq!(items.len(), 50);
            assert!(items.iter().all(|i| i["tag"] == tag && pid_of(i) == first));
        }
        pool.shutdown().await;
    });
}

#[tokio::test]
async fn a_call_past_the_timeout_fails_alone_and_its_process_is_stopped_after_the_others() {
    require_python3();
    bounded!(async {
        let (pool, _) = start(mux_config(1, Some(Duration::from_secs(1)))).await;
        let began = Instant::now();
        let hung = {
            let pool = pool.clone();
            tokio::spawn(async move {
                pool.call("Collector.init", opts(json!({"hang": true})))
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(700)).await;
        // Still streaming when the other call times out, and done within its own limit.
        let stream = spawn_collect(&pool, json!({"items": 4, "sleep": 0.1}));
        assert_error(
            hung.await.unwrap(),
            StatusKind::DeadlineExceeded,
            "ERROR_REQUEST_TIMEOUT: Request timeout! (Collector.init did not finish within 1 s; the plugin handler was stopped)",
        );
        assert!(began.elapsed() < Duration::from_secs(3));
        let (items, error) = stream.await.unwrap().unwrap();
        assert!(error.is_none(), "{error:?}");
        assert_eq!(items.len(), 4);
        // The hung request's process goes once the stream has ended.
        assert_group_gone(pid_of(&items[0])).await;
        assert_ne!(init_pid(&pool).await, pid_of(&items[0]));
        pool.shutdown().await;
    });
}

#[tokio::test]
async fn a_cancelled_call_leaves_a_multiplexing_process_serving() {
    require_python3();
    bounded!(async {
        let (pool, _) = start(mux_config(1, None)).await;
        let mut rx = pool
            .stream(
                "Collector.collect",
                opts(json!({"items": 1000, "sleep": 0.02})),
            )
            .await
            .unwrap();
        let first = rx.recv().await.unwrap().unwrap().to_value();
        let pid = pid_of(&first);
        drop(rx);
        // The handler was told to stop that request; the process keeps serving.
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(init_pid(&pool).await, pid);
        assert_eq!(pool.processes(), 1);
        assert_eq!(children_left().len(), 1, "{:?}", children_left());
        pool.shutdown().await;
        assert_group_gone(pid).await;
    });
}

#[tokio::test]
async fn idle_processes_are_stopped_down_to_one() {
    require_python3();
    bounded!(async {
        let mut cfg = mux_config(2, None);
        cfg.idle_timeout = Duration::from_millis(300);
        let (pool, _) = start(cfg).await;
        // Busy on the CPU for 3 s: past the 2 s a process must stay CPU-bound.
        let a = spawn_collect(&pool, json!({"items": 30, "spin": 0.1}));
        let b = spawn_collect(&pool, json!({"items": 30, "spin": 0.1}));
        wait_for_processes(&pool, 2).await;
        assert_eq!(children_left().len(), 2, "{:?}", children_left());
        for call in [a, b] {
            assert!(call.await.unwrap().unwrap().1.is_none());
        }
        // Idle for the timeout: one process stays, the other is stopped and reaped.
        wait_for_processes(&pool, 1).await;
        let until = Instant::now() + Duration::from_secs(10);
        while children_left().len() != 1 {
            assert!(Instant::now() < until, "{:?}", children_left());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let pid = init_pid(&pool).await;
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(init_pid(&pool).await, pid, "the last process is kept");
        pool.shutdown().await;
        assert_group_gone(pid).await;
    });
}

#[tokio::test]
async fn a_process_that_cannot_start_in_the_background_is_not_retried_at_once() {
    require_python3();
    bounded!(async {
        let state = tempfile::tempdir().unwrap();
        let starts = state.path().join("starts");
        let mut cfg = mux_config(2, None);
        cfg.handler_cmd = Some(format!(
            "python3 '{}' --once '{}'",
            data_dir().join("mux_handler.py").display(),
            starts.display()
        ));
        let (pool, _) = start(cfg).await;
        let count = || {
            std::fs::read_to_string(&starts)
                .unwrap_or_default()
                .lines()
                .count()
        };
        // Overlapping calls: a second process is tried once and fails; the calls
        // are served by the first.
        for round in 0..3 {
            let results =
                concurrent_inits(&pool, (0..3).map(|_| json!({"spin": 2.8})).collect()).await;
            assert!(
                results.iter().all(Result::is_ok),
                "round {round}: {results:?}"
            );
            let until = Instant::now() + Duration::from_secs(10);
            while count() < 2 {
                assert!(Instant::now() < until, "no second start");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        assert_eq!(
            count(),
            2,
            "later overlaps do not start processes again at once"
        );
        assert_eq!(pool.processes(), 1);
        pool.shutdown().await;
    });
}

#[tokio::test]
async fn one_request_at_a_time_handlers_get_one_process_per_call() {
    require_python3();
    bounded!(async {
        let mut cfg = mux_config(1, None);
        cfg.handler_cmd = Some(format!(
            "python3 '{}' 1",
            data_dir().join("mux_handler.py").display()
        ));
        cfg.workers = 3;
        let (pool, _) = start(cfg).await;
        let results =
            concurrent_inits(&pool, (0..3).map(|_| json!({"sleep": 0.5})).collect()).await;
        let pids: std::collections::BTreeSet<u32> = results
            .iter()
            .map(|r| pid_of(r.as_ref().unwrap()))
            .collect();
        assert_eq!(pids.len(), 3, "{pids:?}");
        pool.shutdown().await;
        for pid in pids {
            assert_group_gone(pid).await;
        }
    });
}

// --- Python runner: SDK mode -------------------------------------------------------------

#[tokio::test]
async fn sdk_plugin_is_served_by_the_python_runner() {
    require_python3();
    bounded!(async {
        let project = data_dir().join("sdk_project");
        let (pool, ready) = start(python_config(&project, "sdkplug")).await;
        assert_eq!(
            ready.routes,
            vec!["Collector.init", "Collector.verify", "Collector.collect"]
        );
        assert_eq!(ready.package_dir, project.join("sdkplug"));

        let init = pool
            .call("Collector.init", json!({"options": {}, "domain_id": null}))
            .await
            .unwrap();
        assert_eq!(
            init,
            json!({"metadata": {"options_schema": {}}, "params_seen": {"options": {}, "domain_id": null}})
        );
        assert_error(
            pool.call(
                "Collector.verify",
                json!({"options": {}, "secret_data": {}}),
            )
            .await,
            StatusKind::InvalidArgument,
            "ERROR_REQUIRED_PARAMETER: Required parameter. (key = secret_data.token)",
        );
        assert_eq!(
            pool.call(
                "Collector.verify",
                json!({"options": {}, "secret_data": {"token": "t"}})
            )
            .await
            .unwrap(),
            Value::Null
        );
        // Not registered: upstream's text.
        assert_error(
            pool.call("Job.get_tasks", json!({"options": {}, "secret_data": {}}))
                .await,
            StatusKind::Internal,
            "ERROR_UNKNOWN: 'NoneType' object is not callable",
        );

        let (items, error) = collect_all(&pool, json!({"options": {}, "secret_data": {}}))
            .await
            .unwrap();
        assert!(error.is_none(), "{error:?}");
        assert_eq!(items.len(), 4);
        assert_eq!(
            items[0],
            json!({"state": "SUCCESS", "resource_type": "inventory.CloudServiceType",
                "match_keys": [["name", "provider"]],
                "cloud_service_type": {"name": "Thing", "group": "Group", "provider": "prov",
                    "is_primary": true, "is_major": false, "metadata": null, "json_metadata": null,
                    "service_code": null, "tags": {}, "labels": [],
                    "__metadata__": {"path": "metadata/things/thing.yaml", "as": "json_metadata"}}})
        );
        assert_eq!(
            items[1]["cloud_service"]["__metadata__"],
            json!({"path": "metadata/things/thing.yaml", "as": "metadata"})
        );
        assert_eq!(items[1]["cloud_service"]["data"], json!({"a": 1}));
        assert_eq!(
            items[2]["cloud_service"]["json_data"],
            json!("{\"é\": 1.5}"),
            "json.dumps text, raw UTF-8"
        );
        assert_eq!(items[2]["cloud_service"]["instance_size"], json!(2.0));
        assert_eq!(
            items[2]["cloud_service"]["reference"],
            json!({"resource_id": "r-2"})
        );
        assert_eq!(
            items[3],
            json!({"state": "FAILURE", "resource_type": "inventory.ErrorResource",
                "error_message": "bad thing",
                "error_data": {"provider": "prov", "cloud_service_group": "Group",
                    "cloud_service_type": "Thing", "resource_type": "inventory.CloudService"}})
        );

        let collect = |mode: &str| json!({"options": {"mode": mode}, "secret_data": {}});
        let (items, error) = collect_all(&pool, collect("mid")).await.unwrap();
        assert_eq!(items, vec![json!({"n": 1})]);
        assert_eq!(
            error.map(|e| e.details()),
            Some("ERROR_UNKNOWN: mid stream failure".to_string())
        );
        let (items, error) = collect_all(&pool, collect("none")).await.unwrap();
        assert!(items.is_empty());
        assert_eq!(
            error.map(|e| e.details()),
            Some("ERROR_UNKNOWN: 'NoneType' object is not iterable".to_string())
        );
        let (_, error) = collect_all(&pool, collect("boom")).await.unwrap();
        assert_eq!(
            error.map(|e| e.details()),
            Some("ERROR_UNKNOWN: boom".to_string())
        );
        // A dict is iterated like upstream does: its keys become the items.
        let (items, error) = collect_all(&pool, collect("dict")).await.unwrap();
        assert_eq!((items, error), (vec![json!("a")], None));
        let (_, error) = collect_all(&pool, collect("not-json")).await.unwrap();
        assert_eq!(
            error.map(|e| e.details()),
            Some("ERROR_UNKNOWN: Object of type set is not JSON serializable".to_string())
        );
        let (items, error) = collect_all(&pool, collect("generator-list")).await.unwrap();
        assert_eq!(
            (items, error),
            (vec![json!({"match_keys": [["name"], ["provider"]]})], None)
        );
        let (_, error) = collect_all(&pool, collect("bad-resource-type"))
            .await
            .unwrap();
        let error = error.expect("an error");
        assert_eq!(error.status, StatusKind::Internal);
        assert_eq!(
            error.details(),
            "ERROR_NOT_SUPPORTED_RESOURCE_TYPE: The resource type is not supported. (resource_type=inventory.Foo)"
        );
        // Writes to stdout / fd 1 and reads from stdin do not touch the protocol.
        let (items, error) = collect_all(&pool, collect("streams")).await.unwrap();
        assert_eq!((items, error), (vec![json!({"stdin": ""})], None));
        // Still the same healthy handlers after all of that.
        assert!(
            pool.call("Collector.init", json!({"options": {}}))
                .await
                .is_ok()
        );
        pool.shutdown().await;
    });
}

#[tokio::test]
async fn python_startup_failures_use_upstream_messages() {
    require_python3();
    bounded!(async {
        let broken = data_dir().join("broken");
        let cases = [
            (
                "nopkg",
                "{package}.main:app",
                "Exception: The package(nopkg) can not imported. Please check the module path.",
            ),
            (
                "importfails",
                "{package}.main:app",
                "Exception: The package(importfails) can not imported. Please check the module path.",
            ),
            (
                "nomain",
                "{package}.main:app",
                "ImportError: Cannot import app: No module named 'nomain.main'",
            ),
            (
                "noapp",
                "{package}.main:app",
                "ImportError: Cannot import app: App is not defined. (app_path = noapp.noapp.main:app)",
            ),
            (
                "badroute",
                "{package}.main:app",
                "ImportError: Cannot import app: Plugin method is invalid. (plugin_method = Foo.init, allowed = ['Collector', 'Job'])",
            ),
            (
                "notaserver",
                "{package}.main:app",
                "TypeError: The app is not a plugin server. (app_path = notaserver.main:app, type = object)",
            ),
            (
                "noapp",
                "{package}.main",
                "ValueError: not enough values to unpack (expected 2, got 1)",
            ),
        ];
        for (package, app_path, message) in cases {
            let mut cfg = python_config(&broken, package);
            cfg.app_path = app_path.to_string();
            let err = start_err(cfg).await;
            assert_eq!(err.message, message, "package {package}");
            assert_eq!(err.exit_code, 1);
        }
        let mut cfg = python_config(&broken, "noapp");
        cfg.python = Some(PathBuf::from("/nonexistent/python3"));
        assert_eq!(
            start_err(cfg).await.message,
            "The plugin handler could not be started: command not found: /nonexistent/python3"
        );
    });
}

#[tokio::test]
async fn module_paths_take_precedence_over_the_source_root() {
    require_python3();
    bounded!(async {
        // `broken/noapp` has no app; the module path supplies a working `noapp`.
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("noapp");
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::write(pkg.join("__init__.py"), "").unwrap();
        std::fs::write(
            pkg.join("main.py"),
            "from spaceone_plugin_sdk import CollectorPluginServer\n\
             app = CollectorPluginServer()\n\
             @app.route('Collector.init')\n\
             def init(params):\n    return {'from': 'module path'}\n",
        )
        .unwrap();
        let mut cfg = python_config(&data_dir().join("broken"), "noapp");
        cfg.module_paths = vec![dir.path().to_path_buf()];
        let (pool, ready) = start(cfg).await;
        assert_eq!(ready.routes, vec!["Collector.init"]);
        assert_eq!(ready.package_dir, pkg);
        assert_eq!(
            pool.call("Collector.init", json!({"options": {}}))
                .await
                .unwrap(),
            json!({"from": "module path"})
        );
        pool.shutdown().await;
        // Nothing was written into the project (the SDK comes from the cache directory).
        let written: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(written, vec![std::ffi::OsString::from("noapp")]);
    });
}

// --- Python runner: compat mode (spaceone-inventory plugins unchanged) --------------------

/// The Python of the reference plugin venv (the upstream framework is installed there).
fn reference_python(test: &str) -> Option<PathBuf> {
    common::reference_tool("plugin-venv/bin/python", test)
}

/// Same JSON content, numbers compared as floats (upstream's Struct makes every number a double).
fn same_content(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_content(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_content(v, w)))
        }
        _ => a == b,
    }
}

/// The message of a golden error output (`ERROR: MESSAGE` and an empty line).
fn golden_error_message(case: &str) -> String {
    let text = common::sample::expected(&format!("errors/{case}.txt"));
    text.strip_prefix("ERROR: ")
        .and_then(|t| t.strip_suffix("\n\n"))
        .unwrap_or_else(|| panic!("errors/{case}.txt is not an error output: {text:?}"))
        .to_string()
}

#[tokio::test]
async fn compat_sample_runs_unchanged() {
    let Some(python) = reference_python("compat_sample_runs_unchanged") else {
        return;
    };
    bounded!(async {
        let sample = common::sample::dir().canonicalize().unwrap();
        let mock = common::sample::DataMock::start(&python);
        // --python may be any interpreter command: a wrapper adds the mock's URL.
        let dir = tempfile::tempdir().unwrap();
        let wrapper = dir.path().join("python");
        std::fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\n{}={} exec '{}' \"$@\"\n",
                common::sample::API_URL_ENV,
                mock.url(),
                python.display()
            ),
        )
        .unwrap();
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let mut cfg = python_config(&sample.join("src"), "plugin");
        cfg.python = Some(wrapper);
        let (pool, ready) = start(cfg).await;
        let mut routes = ready.routes.clone();
        routes.sort();
        assert_eq!(
            routes,
            vec![
                "Collector.collect",
                "Collector.init",
                "Collector.verify",
                "Job.get_tasks"
            ]
        );
        assert_eq!(ready.package_dir, sample.join("src/plugin"));

        // Route results as the plugin returns them (the host adds upstream's defaults later).
        let init = pool
            .call("Collector.init", json!({"options": {}, "domain_id": null}))
            .await
            .unwrap();
        let metadata = init["metadata"].as_object().expect("metadata");
        assert_eq!(metadata.keys().collect::<Vec<_>>(), ["options_schema"]);
        let properties = init["metadata"]["options_schema"]["properties"]
            .as_object()
            .expect("options_schema.properties");
        assert_eq!(
            properties.keys().collect::<Vec<_>>(),
            ["api_url", "regions"]
        );

        let secret = json!({"api_key": "kst-sample-7f3a9c"});
        assert_eq!(
            pool.call(
                "Collector.verify",
                json!({"options": {}, "secret_data": secret, "domain_id": null}),
            )
            .await
            .unwrap(),
            Value::Null
        );
        // The plugin's own errors keep their code and status.
        assert_error(
            pool.call(
                "Collector.verify",
                json!({"options": {}, "secret_data": {"api_key": "kst-revoked-0000"}, "domain_id": null}),
            )
            .await,
            StatusKind::InvalidArgument,
            &format!(
                "ERROR_INVALID_PARAMETER: {}",
                golden_error_message("verify-wrong-api-key")
            ),
        );
        assert_error(
            pool.call(
                "Collector.verify",
                json!({"options": {}, "secret_data": {}, "domain_id": null}),
            )
            .await,
            StatusKind::InvalidArgument,
            &format!(
                "ERROR_REQUIRED_PARAMETER: {}",
                golden_error_message("verify-without-api-key")
            ),
        );
        assert_eq!(
            pool.call(
                "Job.get_tasks",
                json!({"options": {}, "secret_data": secret, "domain_id": null}),
            )
            .await
            .unwrap(),
            json!({"tasks": [
                {"task_options": {"scope": "types"}},
                {"task_options": {"scope": "region", "region_code": "north-1"}},
                {"task_options": {"scope": "region", "region_code": "south-1"}}
            ]})
        );

        let params =
            json!({"options": {}, "secret_data": secret, "domain_id": null, "task_options": null});
        let (items, error) = collect_all(&pool, params).await.unwrap();
        assert!(error.is_none(), "{error:?}");

        // Against what the Python plugin server sent for the same collect.
        let expected = common::sample::json_docs(&common::sample::expected("collect.json"));
        assert_eq!(items.len(), expected.len());
        for (item, want) in items.iter().zip(&expected) {
            let kind = want["resource_type"].as_str().unwrap();
            match kind {
                "inventory.CloudServiceType" => {
                    assert_eq!(item["resource_type"], kind);
                    // The plugin's own upstream helpers ran: json_metadata is upstream's exact text.
                    let cst = &item["cloud_service_type"];
                    assert_eq!(cst["json_metadata"], want["resource"]["json_metadata"]);
                    assert!(same_content(cst, &want["resource"]), "{cst}");
                    assert_eq!(item["match_keys"], json!([["name", "group", "provider"]]));
                }
                "inventory.Region" => {
                    assert_eq!(item["resource_type"], kind);
                    assert!(same_content(&item["region"], &want["resource"]));
                }
                "inventory.CloudService" => {
                    assert_eq!(item["resource_type"], kind);
                    let cs = &item["cloud_service"];
                    assert!(same_content(cs, &want["resource"]), "{cs}");
                    assert_eq!(cs["json_data"], want["resource"]["json_data"]);
                    assert_eq!(cs["json_metadata"], want["resource"]["json_metadata"]);
                }
                "inventory.ErrorResource" => {
                    assert_eq!(item["state"], "FAILURE");
                    assert_eq!(item["error_message"], want["message"]);
                    assert_eq!(item["error_data"], want["resource"]);
                }
                other => panic!("unexpected resource type {other}"),
            }
        }
        pool.shutdown().await;
        drop(mock);
    });
}

/// A compat-mode app that registers `Collector.init` only.
const INIT_ONLY_APP: &str = r#"from spaceone.inventory.plugin.collector.lib.server import CollectorPluginServer

app = CollectorPluginServer()


@app.route("Collector.init")
def collector_init(params):
    return {"metadata": {}}
"#;

#[tokio::test]
async fn compat_routes_the_app_does_not_register_fail_like_upstream() {
    let test = "compat_routes_the_app_does_not_register_fail_like_upstream";
    let Some(python) = reference_python(test) else {
        return;
    };
    bounded!(async {
        let dir = python_project("initonly", INIT_ONLY_APP);
        let mut cfg = python_config(dir.path(), "initonly");
        cfg.python = Some(python.clone());
        let (pool, ready) = start(cfg).await;
        assert_eq!(ready.routes, vec!["Collector.init"]);
        let params = json!({"options": {}, "secret_data": {}, "domain_id": null});
        for route in ["Collector.verify", "Job.get_tasks"] {
            assert_error(
                pool.call(route, params.clone()).await,
                StatusKind::Internal,
                "ERROR_UNKNOWN: 'NoneType' object is not callable",
            );
        }
        pool.shutdown().await;
    });
}

#[tokio::test]
async fn sdk_helpers_match_upstream_helpers() {
    let Some(python) = reference_python("sdk_helpers_match_upstream_helpers") else {
        return;
    };
    bounded!(async {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let out = tokio::process::Command::new(python)
            .arg(data_dir().join("sdk_vs_upstream.py"))
            .arg(root.join("src/plugin/host/handler/python"))
            .arg(data_dir().join("sdk_project"))
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .output()
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}");
        assert!(stdout.starts_with("ok "), "{stdout}");
    });
}

#[tokio::test]
async fn a_framework_plugin_serves_concurrent_collects_each_in_its_own_transaction() {
    let Some(python) = reference_python(
        "a_framework_plugin_serves_concurrent_collects_each_in_its_own_transaction",
    ) else {
        return;
    };
    bounded!(async {
        let mut cfg = python_config(&data_dir().join("compat_project"), "compatplug");
        cfg.python = Some(python);
        cfg.workers = 8;
        cfg.processes = 1;
        let (pool, ready) = start(cfg).await;
        assert_eq!(
            ready.routes,
            vec![
                "Collector.init",
                "Collector.verify",
                "Collector.collect",
                "Job.get_tasks"
            ]
        );
        let began = Instant::now();
        let calls: Vec<_> = (0..4)
            .map(|i| {
                let pool = pool.clone();
                let trace = format!("{i:032x}");
                tokio::spawn(plugin::host::handler::with_trace_id(trace, async move {
                    let params =
                        json!({"options": {"items": 3, "delay": 0.3, "tag": i}, "secret_data": {}});
                    collect_all(&pool, params).await
                }))
            })
            .collect();
        let mut pids = std::collections::BTreeSet::new();
        for (i, call) in calls.into_iter().enumerate() {
            let (items, error) = call.await.unwrap().unwrap();
            assert!(error.is_none(), "{error:?}");
            assert_eq!(items.len(), 4);
            assert_eq!(items[0]["resource_type"], "inventory.CloudServiceType");
            for item in &items[1..] {
                let data = &item["cloud_service"]["data"];
                assert_eq!(data["tag"], json!(i));
                // The plugin's code sees the transaction of its own request.
                assert_eq!(data["transaction"], json!(format!("{i:032x}")));
                pids.insert(data["pid"].as_u64().unwrap());
            }
        }
        // Four collects of 0.9 s each, side by side in one process.
        assert_eq!(pids.len(), 1, "{pids:?}");
        let elapsed = began.elapsed();
        assert!(elapsed < Duration::from_millis(3000), "{elapsed:?}");
        // A later request on the same thread does not keep an earlier transaction.
        let (items, _) = collect_all(&pool, json!({"options": {"items": 1}, "secret_data": {}}))
            .await
            .unwrap();
        let own = items[1]["cloud_service"]["data"]["transaction"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(own.len(), 32);
        assert!(!(0..4).any(|i| own == format!("{i:032x}")), "{own}");
        pool.shutdown().await;
    });
}

// --- what the ready message says about the app; datetime parameters ------------------------

/// An SDK plugin of another kind, written by hand outside any created project: it
/// imports `spaceone_plugin_kinds` from the runner's directory.
const HAND_WRITTEN_WEBHOOK: &str = r#"from spaceone_plugin_kinds import WebhookPluginServer, make_event


class AlertServer(WebhookPluginServer):
    pass


app = AlertServer()


@app.route("Event.parse")
def event_parse(params):
    return {"results": [make_event("key-1", "ALERT", "CPU high", "CRITICAL")]}
"#;

#[tokio::test]
async fn a_hand_written_sdk_plugin_imports_the_kinds_module_and_declares_its_kind() {
    require_python3();
    bounded!(async {
        let dir = python_project("hook", HAND_WRITTEN_WEBHOOK);
        let (pool, ready) = start(python_config(dir.path(), "hook")).await;
        assert_eq!(ready.routes, vec!["Event.parse"]);
        assert_eq!(ready.declared_kind.as_deref(), Some("webhook"));
        assert_eq!(
            ready.app_classes,
            vec![
                "hook.main:AlertServer",
                "spaceone_plugin_kinds:WebhookPluginServer",
                "spaceone_plugin_sdk:PluginServer",
                "builtins:object",
            ]
        );
        let answer = pool
            .call("Event.parse", json!({"options": {}, "data": {}}))
            .await
            .unwrap();
        assert_eq!(answer["results"][0]["event_key"], json!("key-1"));
        pool.shutdown().await;
        // Nothing was written into the project.
        let mut written: Vec<_> = std::fs::read_dir(dir.path().join("hook"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != "__pycache__")
            .collect();
        written.sort();
        assert_eq!(written, vec!["__init__.py", "main.py"]);
    });
}

#[tokio::test]
async fn the_sdk_collector_declares_the_asset_kind() {
    require_python3();
    bounded!(async {
        let (pool, ready) = start(python_config(&data_dir().join("sdk_project"), "sdkplug")).await;
        assert_eq!(ready.declared_kind.as_deref(), Some("asset"));
        assert_eq!(
            ready.app_classes.first().map(String::as_str),
            Some("spaceone_plugin_sdk:CollectorPluginServer")
        );
        // SDK routes receive datetime parameters as the request's text.
        let params = json!({"options": {}, "domain_id": null, "at": "2024-05-01T00:00:00Z"});
        let init = pool
            .call_with_datetimes("Collector.init", params, &["at"])
            .await
            .unwrap();
        assert_eq!(init["params_seen"]["at"], json!("2024-05-01T00:00:00Z"));
        pool.shutdown().await;
    });
}

/// A cost data source on upstream's library (subclassing its server class) whose
/// `Job.get_tasks` reports what it received as `last_synchronized_at`.
const DATETIME_COST_APP: &str = r#"from spaceone.cost_analysis.plugin.data_source.lib.server import DataSourcePluginServer


class SampleServer(DataSourcePluginServer):
    pass


app = SampleServer()


@app.route("Job.get_tasks")
def job_get_tasks(params):
    value = params["last_synchronized_at"]
    seen = {"type": type(value).__name__}
    if hasattr(value, "isoformat"):
        seen["isoformat"] = value.isoformat()
        seen["tzname"] = value.tzname()
    else:
        seen["value"] = value
    if "since" in params["options"]:
        seen["options.since"] = params["options"]["since"].isoformat()
    return {"tasks": [{"task_options": seen}], "changed": []}
"#;

#[tokio::test]
async fn framework_plugins_receive_datetime_parameters_as_datetimes() {
    let test = "framework_plugins_receive_datetime_parameters_as_datetimes";
    let Some(python) = common::reference_tool("kinds-venv/bin/python", test) else {
        return;
    };
    bounded!(async {
        let dir = python_project("costdt", DATETIME_COST_APP);
        let mut cfg = python_config(dir.path(), "costdt");
        cfg.python = Some(python);
        let (pool, ready) = start(cfg).await;
        assert_eq!(ready.routes, vec!["Job.get_tasks"]);
        assert_eq!(ready.declared_kind, None);
        assert_eq!(
            ready.app_classes,
            vec![
                "costdt.main:SampleServer",
                "spaceone.cost_analysis.plugin.data_source.lib.server:DataSourcePluginServer",
                "spaceone.core.plugin.server:PluginServer",
                "builtins:object",
            ]
        );
        let seen = |answer: Value| answer["tasks"][0]["task_options"].clone();
        let names: &'static [&'static str] = &["last_synchronized_at"];
        // What upstream's JobGetTaskRequest (pydantic) makes of each value.
        let cases = [
            (
                json!("2024-05-01T00:00:00Z"),
                json!({"type": "datetime", "isoformat": "2024-05-01T00:00:00+00:00", "tzname": "UTC"}),
            ),
            (
                json!("2024-05-01T09:00:00+09:00"),
                json!({"type": "datetime", "isoformat": "2024-05-01T09:00:00+09:00", "tzname": "UTC+09:00"}),
            ),
            (
                json!("2024-05-01 00:00"),
                json!({"type": "datetime", "isoformat": "2024-05-01T00:00:00", "tzname": null}),
            ),
            (
                json!(1714521600),
                json!({"type": "datetime", "isoformat": "2024-05-01T00:00:00+00:00", "tzname": "UTC"}),
            ),
            (json!(null), json!({"type": "NoneType", "value": null})),
        ];
        for (value, expected) in cases {
            let params = json!({"options": {}, "secret_data": {}, "last_synchronized_at": value});
            let answer = pool
                .call_with_datetimes("Job.get_tasks", params, names)
                .await
                .unwrap();
            assert_eq!(seen(answer), expected, "for {value}");
        }
        // Without the request's `datetime` member the text is passed on.
        let params = json!({"options": {}, "secret_data": {}, "last_synchronized_at": "2024-05-01T00:00:00Z"});
        let answer = pool.call("Job.get_tasks", params).await.unwrap();
        assert_eq!(
            seen(answer),
            json!({"type": "str", "value": "2024-05-01T00:00:00Z"})
        );
        // A dotted name reaches into nested objects.
        let nested = json!({"options": {"since": "2024-05-01T00:00:00Z"}, "secret_data": {}, "last_synchronized_at": null});
        let answer = pool
            .call_with_datetimes(
                "Job.get_tasks",
                nested,
                &["options.since", "last_synchronized_at"],
            )
            .await
            .unwrap();
        assert_eq!(
            seen(answer),
            json!({"type": "NoneType", "value": null, "options.since": "2024-05-01T00:00:00+00:00"})
        );
        pool.shutdown().await;
    });
}

// --- hostile callers and routes ---------------------------------------------------------

/// An SDK collector whose collect streams `options.items` items of
/// `options.pad` bytes each; `options.exit` makes a route raise SystemExit
/// (or KeyboardInterrupt with `"interrupt"`), after `options.sleep` seconds.
const FLOOD_APP: &str = r#"import os
import time

from spaceone_plugin_sdk import CollectorPluginServer

app = CollectorPluginServer()


def leave(options):
    time.sleep(options.get("sleep", 0))
    if options.get("exit") == "interrupt":
        raise KeyboardInterrupt()
    if options.get("exit") is not None:
        raise SystemExit(options["exit"])


@app.route("Collector.init")
def collector_init(params):
    leave(params["options"])
    return {"metadata": {}, "pid": os.getpid()}


@app.route("Collector.collect")
def collector_collect(params):
    options = params["options"]
    pad = "x" * options.get("pad", 0)
    for n in range(options.get("items", 3)):
        if n == options.get("exit_at"):
            leave(options)
        yield {"n": n, "pid": os.getpid(), "pad": pad}
"#;

fn flood_project() -> tempfile::TempDir {
    python_project("flood", FLOOD_APP)
}

/// A temporary source root holding the package `package` whose `main.py` is `main`.
fn python_project(package: &str, main: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let package = dir.path().join(package);
    std::fs::create_dir_all(&package).unwrap();
    std::fs::write(package.join("__init__.py"), "").unwrap();
    std::fs::write(package.join("main.py"), main).unwrap();
    dir
}

/// One stream whose caller reads one item and then nothing, next to 20 ordinary
/// calls on the same process: they all finish in time, without a timeout
/// (`timeout: None`) to rescue them. Returns the stalled stream's receiver.
async fn others_are_not_held_up_by_a_stalled_caller(
    pool: &Pool,
    flood: Value,
    small: Value,
) -> tokio::sync::mpsc::Receiver<Result<Item, PluginError>> {
    let mut stalled = pool.stream("Collector.collect", opts(flood)).await.unwrap();
    let first = stalled.recv().await.unwrap().unwrap().to_value();
    let pid = pid_of(&first);
    // Long enough for the handler to fill every buffer between it and the caller.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let calls: Vec<_> = (0..20)
        .map(|_| spawn_collect(pool, small.clone()))
        .collect();
    let all = async {
        let mut out = Vec::new();
        for call in calls {
            out.push(call.await.unwrap());
        }
        out
    };
    let results = tokio::time::timeout(Duration::from_secs(20), all)
        .await
        .expect("calls next to a stalled stream did not finish within 20 s");
    for result in results {
        let (items, error) = result.unwrap();
        assert!(error.is_none(), "{error:?}");
        assert!(!items.is_empty());
        assert!(
            items.iter().all(|i| pid_of(i) == pid),
            "one process serves all"
        );
    }
    stalled
}

#[tokio::test]
async fn a_stalled_stream_holds_up_no_other_call_of_an_sdk_plugin() {
    require_python3();
    bounded!(async {
        let dir = flood_project();
        let mut cfg = python_config(dir.path(), "flood");
        cfg.workers = 40;
        cfg.processes = 1;
        cfg.timeout = None;
        let (pool, _) = start(cfg).await;
        let mut stalled = others_are_not_held_up_by_a_stalled_caller(
            &pool,
            json!({"items": 2000, "pad": 20_000}),
            json!({"items": 3}),
        )
        .await;
        // Flow control: the stalled stream itself goes on where its caller left it.
        let mut seen = 1;
        while let Some(item) = stalled.recv().await {
            assert_eq!(item.unwrap().to_value()["n"], json!(seen));
            seen += 1;
        }
        assert_eq!(seen, 2000);
        pool.shutdown().await;
    });
}

#[tokio::test]
async fn a_stalled_stream_of_a_handler_without_flow_control_is_cancelled_alone() {
    require_python3();
    bounded!(async {
        let (pool, _) = start(mux_config(1, None)).await;
        let mut stalled = others_are_not_held_up_by_a_stalled_caller(
            &pool,
            json!({"items": 2000, "pad": 20_000}),
            json!({"items": 3}),
        )
        .await;
        // Its items piled up beyond what the host keeps: that call alone failed.
        let mut last = None;
        while let Some(next) = stalled.recv().await {
            if let Err(e) = next {
                last = Some(e);
            }
        }
        let error = last.expect("the stalled stream ends with an error");
        assert_eq!(error.status, StatusKind::ResourceExhausted);
        assert!(
            error.details().starts_with(
                "ERROR_SLOW_READER: The caller did not read the Collector.collect stream"
            ),
            "{}",
            error.details()
        );
        pool.shutdown().await;
    });
}

#[tokio::test]
async fn system_exit_in_a_route_fails_that_call_only() {
    require_python3();
    bounded!(async {
        let dir = flood_project();
        let mut cfg = python_config(dir.path(), "flood");
        cfg.workers = 16;
        cfg.processes = 1;
        let (pool, _) = start(cfg).await;
        let pid = init_pid(&pool).await;
        let calls: Vec<_> = (0..16)
            .map(|i| {
                let pool = pool.clone();
                tokio::spawn(async move {
                    let options = match i {
                        0 => json!({"exit": 3, "sleep": 0.2}),
                        1 => json!({"exit": "interrupt", "sleep": 0.2}),
                        2 => json!({"exit": null, "sleep": 0.2}),
                        _ => json!({"sleep": 0.5}),
                    };
                    pool.call("Collector.init", opts(options)).await
                })
            })
            .collect();
        let stream = spawn_collect(&pool, json!({"items": 5, "exit_at": 2, "exit": 0}));
        let mut results = Vec::new();
        for call in calls {
            results.push(call.await.unwrap());
        }
        for (i, result) in results.into_iter().enumerate() {
            match i {
                0 => assert_error(result, StatusKind::Internal, "ERROR_UNKNOWN: SystemExit: 3"),
                1 => assert_error(
                    result,
                    StatusKind::Internal,
                    "ERROR_UNKNOWN: KeyboardInterrupt",
                ),
                _ => assert_eq!(pid_of(&result.unwrap()), pid),
            }
        }
        let (items, error) = stream.await.unwrap().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(error.unwrap().details(), "ERROR_UNKNOWN: SystemExit: 0");
        assert_eq!(init_pid(&pool).await, pid, "the process keeps serving");
        assert_eq!(pool.processes(), 1);
        pool.shutdown().await;
        assert_group_gone(pid).await;
    });
}

#[tokio::test]
async fn the_pool_keeps_a_process_when_it_retires_its_last_one() {
    require_python3();
    bounded!(async {
        let (pool, _) = start(mux_config(1, None)).await;
        let old = init_pid(&pool).await;
        // A stream that ignores its cancellation: the process is retired once
        // the grace for cancelled requests is over, and it was the only one.
        let rx = pool
            .stream("Collector.collect", opts(json!({"hang": true})))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        drop(rx);
        let until = Instant::now() + Duration::from_secs(15);
        loop {
            let pids: Vec<u32> = children_left()
                .iter()
                .filter_map(|c| c.split(' ').next()?.parse().ok())
                .collect();
            if pool.processes() == 1 && !pids.contains(&old) {
                break;
            }
            assert!(
                Instant::now() < until,
                "processes: {} taking calls, children {:?}",
                pool.processes(),
                children_left()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // The replacement was ready before the next call came.
        let began = Instant::now();
        let new = init_pid(&pool).await;
        assert_ne!(new, old);
        assert!(
            began.elapsed() < Duration::from_millis(500),
            "{:?}",
            began.elapsed()
        );
        pool.shutdown().await;
        assert_group_gone(new).await;
    });
}

#[tokio::test]
async fn calls_that_wait_on_io_do_not_start_more_processes() {
    require_python3();
    bounded!(async {
        let mut cfg = mux_config(2, None);
        cfg.workers = 40;
        let (pool, _) = start(cfg).await;
        // 30 concurrent calls that sleep (like a collector waiting for a cloud
        // API): one process serves them all, as fast as more would.
        let began = Instant::now();
        let calls: Vec<_> = (0..30)
            .map(|_| spawn_collect(&pool, json!({"items": 4, "sleep": 0.25})))
            .collect();
        let mut pids = std::collections::BTreeSet::new();
        for call in calls {
            let (items, error) = call.await.unwrap().unwrap();
            assert!(error.is_none());
            pids.extend(items.iter().map(pid_of));
        }
        assert!(
            began.elapsed() < Duration::from_secs(5),
            "{:?}",
            began.elapsed()
        );
        assert_eq!(pids.len(), 1, "{pids:?}");
        assert_eq!(pool.processes(), 1);
        assert_eq!(children_left().len(), 1, "{:?}", children_left());
        pool.shutdown().await;
    });
}

/// An SDK collector whose collect keeps the CPU busy for `options.spin` seconds,
/// then yields the pid of its process.
const SPIN_PLUGIN: &str = r#"import os
import time

from spaceone_plugin_sdk import CollectorPluginServer

app = CollectorPluginServer()


@app.route("Collector.init")
def collector_init(params):
    return {"metadata": {}, "pid": os.getpid()}


@app.route("Collector.collect")
def collector_collect(params):
    until = time.monotonic() + float(params["options"].get("spin", 0))
    while time.monotonic() < until:
        pass
    yield {"pid": os.getpid()}
"#;

/// (parent, process group, name) of `pid`.
fn lineage(pid: u32) -> (u32, u32, String) {
    let (_, ppid, pgrp, _) = processes()
        .into_iter()
        .find(|(p, ..)| *p == pid)
        .unwrap_or_else(|| panic!("process {pid} is gone"));
    let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    (ppid, pgrp, name.trim().to_string())
}

#[tokio::test]
async fn further_python_handlers_are_copies_of_a_template_that_imported_the_plugin() {
    require_python3();
    bounded!(async {
        let dir = python_project("spinner", SPIN_PLUGIN);
        let mut cfg = python_config(dir.path(), "spinner");
        cfg.processes = 2;
        let (pool, _) = start(cfg).await;
        let me = std::process::id();
        // The template: a child of ours, in a group of its own, serving no calls.
        let templates: Vec<String> = children_left()
            .into_iter()
            .filter(|c| {
                let pid: u32 = c.split(' ').next().unwrap().parse().unwrap();
                lineage(pid).2 == "plugin-template"
            })
            .collect();
        assert_eq!(templates.len(), 1, "{:?}", children_left());
        let first = init_pid(&pool).await;
        assert_eq!(lineage(first), (me, first, "python3".to_string()));
        // Two calls that keep the first process's CPU busy past 2 s: a second
        // process is started, as a copy.
        let a = spawn_collect(&pool, json!({"spin": 3.0}));
        let b = spawn_collect(&pool, json!({"spin": 3.0}));
        wait_for_processes(&pool, 2).await;
        let state = pool.describe();
        let copied: Vec<&String> = state
            .iter()
            .filter(|l| l.contains("(copied and ready in "))
            .collect();
        assert_eq!(copied.len(), 2, "{state:?}");
        for call in [a, b] {
            assert!(call.await.unwrap().unwrap().1.is_none());
        }
        // The copy serves calls, as a child of ours leading its own group.
        let pids: std::collections::BTreeSet<u32> = concurrent_inits(&pool, vec![json!({}); 8])
            .await
            .into_iter()
            .map(|r| pid_of(&r.unwrap()))
            .collect();
        for pid in &pids {
            let (ppid, pgrp, _) = lineage(*pid);
            assert_eq!((ppid, pgrp), (me, *pid));
        }
        assert_eq!(children_left().len(), 3, "{:?}", children_left());
        pool.shutdown().await;
        assert_group_gone(first).await;
    });
}
