//! The plugin host (`spacectl run plugin-server`) under hostile plugins, hostile
//! requests and stop signals: metadata paths naming a FIFO or an oversized file,
//! a second SIGTERM while a call runs, requests over the size limit or nested
//! deeply, handler errors of 8 MB or of the wrong shape, secrets quoted in
//! plugin errors, and the template's image command line as process 1.
//!
//! Plugins are POSIX shell handlers (`--handler`), except for the template's own
//! Python code. Every process started here is stopped by PID when its guard is
//! dropped; every wait is bounded. Servers listen on 127.0.0.1 only.

mod common;

use std::fs::File;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::spacectl_bin;
use prost_types::value::Kind;
use prost_types::{ListValue, Struct};

/// Whether process `pid` exists and is not a zombie.
fn process_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().next())
            .is_some_and(|state| state != "Z"),
        Err(_) => false,
    }
}

/// The process group of `pid` (0 when it is gone).
fn process_group(pid: u32) -> u32 {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let rest = &stat[stat.rfind(')')? + 1..];
            rest.split_whitespace().nth(2)?.parse().ok()
        })
        .unwrap_or(0)
}

/// (pid, state) of the children of `parent`.
fn children_of(parent: u32) -> Vec<(u32, char)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        let mut fields = rest.split_whitespace();
        let state = fields.next().and_then(|s| s.chars().next()).unwrap_or('?');
        if fields.next().and_then(|p| p.parse::<u32>().ok()) == Some(parent) {
            out.push((pid, state));
        }
    }
    out
}

/// Waits (bounded) for `cond`.
fn wait_until(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A child process stopped by PID when dropped: SIGTERM, then SIGKILL.
struct Proc {
    child: Child,
    what: String,
}

impl Proc {
    fn spawn(mut cmd: Command, what: &str) -> Proc {
        let child = cmd.spawn().unwrap_or_else(|e| panic!("start {what}: {e}"));
        Proc {
            child,
            what: what.to_string(),
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn signal_pid(pid: u32, name: &str) {
        let _ = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(pid.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                _ => return None,
            }
        }
    }

    fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if self.running() {
            Proc::signal_pid(self.pid(), "TERM");
            if self.wait_exit(Duration::from_secs(15)).is_none() {
                eprintln!(
                    "{} did not stop on SIGTERM; killing pid {}",
                    self.what,
                    self.pid()
                );
                let _ = self.child.kill();
                let _ = self.child.wait();
            }
        }
    }
}

/// Our host with [`HANDLER`] (or `args` as given), stderr in `log`.
struct Host {
    proc: Proc,
    port: u16,
    log: PathBuf,
    dir: tempfile::TempDir,
}

impl Host {
    /// Serves [`HANDLER`] with `env` for the handler; `extra` are more host flags.
    fn start(env: &[(&str, String)], extra: &[&str]) -> Host {
        let dir = tempfile::tempdir().expect("temp dir");
        let script = dir.path().join("handler.sh");
        std::fs::write(&script, HANDLER).expect("write handler");
        std::fs::create_dir_all(dir.path().join("plugin")).expect("package dir");
        let port = common::free_port();
        let log = dir.path().join("host.log");
        let mut cmd = Command::new(spacectl_bin());
        cmd.args(["run", "plugin-server", "plugin", "-s"])
            .arg(dir.path())
            .arg("--handler")
            .arg(format!("sh '{}'", script.display()))
            .args(["--host", "127.0.0.1", "-p", &port.to_string()])
            .args(extra)
            .env_remove("SPACEONE_PORT")
            .env_remove("SPACEONE_WORKER")
            .env("DIR", dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(&log).expect("log file"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut proc = Proc::spawn(cmd, "plugin host");
        wait_listening(&mut proc, port, &log);
        Host {
            proc,
            port,
            log,
            dir,
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

fn wait_listening(proc: &mut Proc, port: u16, log: &Path) {
    let up = wait_until(Duration::from_secs(30), || {
        TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200))
            .is_ok()
            || !proc.running()
    });
    let text = std::fs::read_to_string(log).unwrap_or_default();
    assert!(
        up && proc.running(),
        "{} is not listening on {port}:\n{text}",
        proc.what
    );
}

/// A handler in POSIX shell. `Collector.init` answers `{"metadata": {}}`;
/// `Collector.verify` prints its request line to stderr, then fails with
/// `$ERROR_JSON` as the error object, or with a message of `$HUGE_ERROR` bytes; `Collector.collect` with `options.file`
/// `hang` starts a background process, writes "<handler pid> <its pid>" to
/// `$PIDS` and waits for it, any other `file` yields one CloudServiceType item
/// whose metadata is the file `$DIR/<file>`.
const HANDLER: &str = r#"#!/bin/sh
printf '%s\n' '{"ready":{"protocol":1,"routes":["Collector.init","Collector.verify","Collector.collect"]}}'
while IFS= read -r line; do
  id=${line#'{"id":'}
  id=${id%%,*}
  case "$line" in
    *'"method":"Collector.init"'*)
      printf '{"id":%s,"result":{"metadata":{}}}\n' "$id" ;;
    *'"method":"Collector.verify"'*)
      # What plugins print themselves (here: the request) goes to the host's log.
      printf 'plugin says: %s\n' "$line" >&2
      if [ "${HUGE_ERROR:-0}" -gt 0 ]; then
        printf '{"id":%s,"error":{"code":"ERROR_UNKNOWN","status":"INTERNAL","message":"' "$id"
        head -c "$HUGE_ERROR" /dev/zero | tr '\0' x
        printf '"}}\n'
      else
        printf '{"id":%s,"error":%s}\n' "$id" "$ERROR_JSON"
      fi ;;
    *'"method":"Collector.collect"'*)
      file=${line#*'"file":"'}
      file=${file%%'"'*}
      if [ "$file" = hang ]; then
        sleep 1000 </dev/null >/dev/null 2>&1 &
        echo "$$ $!" > "$PIDS.tmp"
        mv "$PIDS.tmp" "$PIDS"
        wait
      else
        printf '{"id":%s,"item":{"state":"SUCCESS","resource_type":"inventory.CloudServiceType","match_keys":[["name","group","provider"]],"cloud_service_type":{"name":"T","group":"G","provider":"p","__metadata__":{"path":"%s/%s","as":"json_metadata"}}}}\n' "$id" "$DIR" "$file"
        printf '{"id":%s,"done":true}\n' "$id"
      fi ;;
  esac
done
"#;

// --- a minimal client -------------------------------------------------------------

#[derive(Clone, PartialEq, prost::Message)]
struct InitRequest {
    #[prost(message, optional, tag = "1")]
    options: Option<Struct>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct VerifyRequest {
    #[prost(message, optional, tag = "1")]
    options: Option<Struct>,
    #[prost(message, optional, tag = "2")]
    secret_data: Option<Struct>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct CollectRequest {
    #[prost(message, optional, tag = "1")]
    options: Option<Struct>,
    #[prost(message, optional, tag = "2")]
    secret_data: Option<Struct>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct PluginInfo {
    #[prost(message, optional, tag = "1")]
    metadata: Option<Struct>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ResourceInfo {
    #[prost(int32, tag = "1")]
    state: i32,
}

#[derive(Clone, PartialEq, prost::Message)]
struct HealthCheckRequest {
    #[prost(string, tag = "1")]
    service: String,
}

#[derive(Clone, PartialEq, prost::Message)]
struct HealthCheckResponse {
    #[prost(int32, tag = "1")]
    status: i32,
}

fn text(s: &str) -> prost_types::Value {
    prost_types::Value {
        kind: Some(Kind::StringValue(s.to_string())),
    }
}

fn structure(fields: &[(&str, prost_types::Value)]) -> Struct {
    Struct {
        fields: fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    }
}

/// `{"n": [[…["x"]…]]}` with `levels` lists.
fn nested_lists(levels: usize) -> Struct {
    let mut v = text("x");
    for _ in 0..levels {
        v = prost_types::Value {
            kind: Some(Kind::ListValue(ListValue { values: vec![v] })),
        };
    }
    structure(&[("n", v)])
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

async fn channel(url: &str) -> tonic::transport::Channel {
    tonic::transport::Endpoint::from_shared(url.to_string())
        .expect("endpoint")
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .expect("connect")
}

async fn unary<Req, Resp>(
    ch: &tonic::transport::Channel,
    path: &'static str,
    req: Req,
) -> Result<Resp, tonic::Status>
where
    Req: prost::Message + Send + Sync + 'static,
    Resp: prost::Message + Default + Send + Sync + 'static,
{
    let mut g = tonic::client::Grpc::new(ch.clone());
    g.ready()
        .await
        .map_err(|e| tonic::Status::unknown(e.to_string()))?;
    let call = g.unary(
        tonic::Request::new(req),
        tonic::codegen::http::uri::PathAndQuery::from_static(path),
        tonic_prost::ProstCodec::default(),
    );
    match tokio::time::timeout(Duration::from_secs(20), call).await {
        Ok(r) => r.map(|r| r.into_inner()),
        Err(_) => Err(tonic::Status::deadline_exceeded(format!(
            "{path}: no answer in 20 s"
        ))),
    }
}

/// All items of a collect, or its error status.
async fn collect(
    ch: &tonic::transport::Channel,
    options: Struct,
) -> Result<Vec<ResourceInfo>, tonic::Status> {
    let mut g = tonic::client::Grpc::new(ch.clone());
    g.ready()
        .await
        .map_err(|e| tonic::Status::unknown(e.to_string()))?;
    let req = CollectRequest {
        options: Some(options),
        secret_data: Some(Struct::default()),
    };
    let mut stream = g
        .server_streaming(
            tonic::Request::new(req),
            tonic::codegen::http::uri::PathAndQuery::from_static(
                "/spaceone.api.inventory.plugin.Collector/collect",
            ),
            tonic_prost::ProstCodec::default(),
        )
        .await?
        .into_inner();
    let mut items = Vec::new();
    while let Some(item) = stream.message().await? {
        items.push(item);
    }
    Ok(items)
}

async fn health(ch: &tonic::transport::Channel) -> Result<HealthCheckResponse, tonic::Status> {
    unary(
        ch,
        "/grpc.health.v1.Health/Check",
        HealthCheckRequest {
            service: String::new(),
        },
    )
    .await
}

// --- metadata paths -----------------------------------------------------------------

#[test]
fn metadata_paths_naming_a_fifo_or_a_huge_file_fail_the_item_and_block_nothing() {
    let host = Host::start(&[], &[]);
    let dir = host.dir.path().to_path_buf();
    let fifo = dir.join("fifo.yaml");
    let c = std::ffi::CString::new(fifo.display().to_string()).expect("path");
    // SAFETY: plain mkfifo(3) on a NUL-terminated path inside a fresh temp dir.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    // Larger than the 1 MiB limit, valid YAML all through.
    std::fs::write(dir.join("huge.yaml"), "#\n".repeat(600_000)).expect("write");
    std::fs::write(
        dir.join("good.yaml"),
        "search:\n  fields:\n    - Name: name\n",
    )
    .expect("write");
    // As many FIFO collects as the host has threads serving calls.
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .max(2);
    let rt = runtime();
    rt.block_on(async {
        let ch = channel(&host.url()).await;
        let file = |name: &str| structure(&[("file", text(name))]);
        let fifos: Vec<_> = (0..threads)
            .map(|_| tokio::spawn({
                let ch = ch.clone();
                let options = file("fifo.yaml");
                async move { collect(&ch, options).await }
            }))
            .collect();
        // Health answers at once while the FIFO collects are in flight.
        let started = Instant::now();
        let h = tokio::time::timeout(Duration::from_secs(5), health(&ch))
            .await
            .expect("Health answers while metadata files are being read")
            .expect("health");
        assert_eq!(h.status, 1);
        assert!(started.elapsed() < Duration::from_secs(5));
        for f in fifos {
            let err = tokio::time::timeout(Duration::from_secs(10), f)
                .await
                .expect("a FIFO collect ends")
                .expect("task")
                .expect_err("a FIFO is no metadata file");
            assert_eq!(err.code(), tonic::Code::Internal);
            assert_eq!(
                err.message(),
                format!(
                    "ERROR_UNKNOWN: YAML Load Error: {p} ({p}: a FIFO (expected a regular file))",
                    p = fifo.display()
                )
            );
        }
        let err = collect(&ch, file("huge.yaml")).await.expect_err("too big");
        let huge = dir.join("huge.yaml");
        assert_eq!(
            err.message(),
            format!(
                "ERROR_UNKNOWN: YAML Load Error: {p} ({p}: the file has 1200000 bytes, more than the 1024 KiB limit for metadata files)",
                p = huge.display()
            )
        );
        let items = collect(&ch, file("good.yaml")).await.expect("a regular file");
        assert_eq!(items.len(), 1);
    });
}

// --- stop signals -------------------------------------------------------------------

#[test]
fn a_second_sigterm_stops_at_once_and_leaves_no_process_behind() {
    // A collect whose handler waits for a background process of its own.
    let (mut host, _scratch, client, started) = host_with_a_hanging_collect();

    Proc::signal_pid(host.proc.pid(), "TERM");
    // The second signal once the first one has been taken in (asserted below).
    let _ = wait_until(Duration::from_secs(5), || {
        host.log_text().contains("Stop signal received")
    });
    Proc::signal_pid(host.proc.pid(), "TERM");
    let status = host.proc.wait_exit(Duration::from_secs(10));
    let gone = wait_until(Duration::from_secs(5), || {
        started.iter().all(|p| !process_alive(*p))
    });
    let left: Vec<u32> = started
        .iter()
        .copied()
        .filter(|p| process_alive(*p))
        .collect();
    for pid in &left {
        Proc::signal_pid(*pid, "KILL");
    }
    let status = status.expect("the host exits soon after the second signal");
    assert_eq!(status.code(), Some(130));
    assert!(gone, "processes left behind: {left:?}");
    let log = host.log_text();
    assert!(
        log.contains(" [INFO]       (server.py:72) Stop signal received: new connections are refused; waiting up to 10 s for 1 call in progress, then cancelling them (a second signal stops at once).  \n"),
        "log:\n{log}"
    );
    assert!(
        log.contains(" [INFO]       (server.py:72) Second stop signal: cancelling 1 call in progress and stopping the plugin handlers.  \n"),
        "log:\n{log}"
    );
    assert!(
        log.ends_with("Stopped by a second signal; the calls in progress were cancelled.\n"),
        "log:\n{log}"
    );
    assert!(!log.contains("panicked"), "log:\n{log}");
    let result = client.join().expect("client thread");
    assert!(result.is_err(), "the cancelled collect cannot succeed");
}

/// A client thread's collect and what it received.
type CollectThread = std::thread::JoinHandle<Result<Vec<ResourceInfo>, tonic::Status>>;

/// A host serving a collect whose handler waits for a background process of
/// its own; returns the host, the client thread and the two pids (handler,
/// background process).
fn host_with_a_hanging_collect() -> (Host, tempfile::TempDir, CollectThread, Vec<u32>) {
    let scratch = tempfile::tempdir().expect("dir");
    let pids_file = scratch.path().join("pids");
    let host = Host::start(&[("PIDS", pids_file.display().to_string())], &[]);
    let url = host.url();
    let client = std::thread::spawn(move || {
        runtime().block_on(async {
            let ch = channel(&url).await;
            collect(&ch, structure(&[("file", text("hang"))])).await
        })
    });
    assert!(
        wait_until(Duration::from_secs(20), || pids_file.exists()),
        "the handler did not start its background process"
    );
    let recorded = std::fs::read_to_string(&pids_file).expect("pids");
    let started: Vec<u32> = recorded
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect();
    assert_eq!(started.len(), 2, "pids file: {recorded:?}");
    assert!(started.iter().all(|p| process_alive(*p)));
    (host, scratch, client, started)
}

/// Waits (bounded) until none of `pids` runs; kills and names those that do.
fn assert_all_gone(pids: &[u32], log: &str) {
    let gone = wait_until(Duration::from_secs(5), || {
        pids.iter().all(|p| !process_alive(*p))
    });
    let left: Vec<u32> = pids.iter().copied().filter(|p| process_alive(*p)).collect();
    for pid in &left {
        Proc::signal_pid(*pid, "KILL");
    }
    assert!(gone, "processes left behind: {left:?}\nlog:\n{log}");
}

#[test]
fn sighup_and_sigquit_stop_the_host_like_sigterm() {
    let (mut host, _scratch, client, started) = host_with_a_hanging_collect();
    Proc::signal_pid(host.proc.pid(), "HUP");
    let _ = wait_until(Duration::from_secs(5), || {
        host.log_text().contains("Stop signal received")
    });
    assert!(
        host.proc.running(),
        "SIGHUP ended the host at once:\n{}",
        host.log_text()
    );
    // SIGQUIT: the state of the pool, then a second stop signal.
    Proc::signal_pid(host.proc.pid(), "QUIT");
    let status = host.proc.wait_exit(Duration::from_secs(10));
    let log = host.log_text();
    assert_all_gone(&started, &log);
    let status = status.expect("the host exits soon after the second signal");
    assert_eq!(status.code(), Some(130), "log:\n{log}");
    assert!(
        log.contains("Stop signal received: new connections are refused"),
        "log:\n{log}"
    );
    assert!(
        log.contains("Handler pool: 1 process(es), 0 starting; 1 of 100 calls in progress (-w)."),
        "log:\n{log}"
    );
    let handler_line = log
        .lines()
        .find(|l| l.contains(&format!("pid {} (", started[0])))
        .unwrap_or_else(|| panic!("no state line of the handler; log:\n{log}"));
    assert!(
        handler_line.contains(" and ready in ")
            && handler_line.contains("): 1 call(s) in progress, 0 cancelled: #"),
        "log:\n{log}"
    );
    assert!(log.contains(" Collector.collect"), "log:\n{log}");
    assert!(!log.contains("panicked"), "log:\n{log}");
    assert!(client.join().expect("client thread").is_err());

    // SIGHUP alone, with no call in progress, stops at once and cleanly.
    let mut host = Host::start(&[], &[]);
    Proc::signal_pid(host.proc.pid(), "HUP");
    let status = host.proc.wait_exit(Duration::from_secs(10));
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(0),
        "log:\n{}",
        host.log_text()
    );
}

#[test]
fn after_a_sigkill_of_the_host_nothing_its_handlers_started_stays() {
    let (mut host, _scratch, client, mut started) = host_with_a_hanging_collect();
    // Every process the host started (the handler, the death watch) and the
    // handler's own child must go.
    let host_children: Vec<u32> = children_of(host.proc.pid())
        .into_iter()
        .map(|(pid, _)| pid)
        .collect();
    assert!(
        host_children.len() >= 2,
        "expected the death watch and the handler: {host_children:?}"
    );
    started.extend(host_children);
    Proc::signal_pid(host.proc.pid(), "KILL");
    let status = host.proc.wait_exit(Duration::from_secs(10));
    assert!(status.is_some(), "the host did not die of SIGKILL");
    assert_all_gone(&started, &host.log_text());
    assert!(client.join().expect("client thread").is_err());
}

/// The source of an SDK collector: `imports`, the app with an `init`, and a
/// `collect` whose body (indented) is `collect`.
fn sdk_collector(imports: &str, collect: &str) -> String {
    format!(
        "{imports}from spaceone_plugin_sdk import CollectorPluginServer\n\napp = CollectorPluginServer()\n\n\n\
         @app.route(\"Collector.init\")\ndef collector_init(params):\n    return {{\"metadata\": {{}}}}\n\n\n\
         @app.route(\"Collector.collect\")\ndef collector_collect(params):\n{collect}"
    )
}

/// The body of an SDK collector's collect that starts a child process, writes
/// its own pid and the child's to the file `{pids}`, then waits.
const HANGING_COLLECT: &str = r#"    child = subprocess.Popen(["sleep", "300"])
    with open("{pids}.tmp", "w") as f:
        f.write("%d %d" % (os.getpid(), child.pid))
    os.rename("{pids}.tmp", "{pids}")
    time.sleep(300)
    yield {}
"#;

#[test]
fn after_a_sigkill_of_the_host_its_template_and_copies_go_too() {
    let dir = tempfile::tempdir().expect("dir");
    let pids_file = dir.path().join("pids");
    let package = dir.path().join("hanging");
    std::fs::create_dir_all(&package).expect("package");
    std::fs::write(package.join("__init__.py"), "").expect("init");
    let source = sdk_collector(
        "import os\nimport subprocess\nimport time\n\n",
        HANGING_COLLECT,
    )
    .replace("{pids}", &pids_file.display().to_string());
    std::fs::write(package.join("main.py"), source).expect("main");
    let log = dir.path().join("host.log");
    let (mut host, port) = spawn_host(dir.path(), "hanging", &[], &log);
    let url = format!("http://127.0.0.1:{port}");
    let client = std::thread::spawn(move || {
        runtime().block_on(async {
            let ch = channel(&url).await;
            collect(&ch, structure(&[])).await
        })
    });
    assert!(
        wait_until(Duration::from_secs(20), || pids_file.exists()),
        "the handler did not start its child; log:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    let mut started: Vec<u32> = std::fs::read_to_string(&pids_file)
        .expect("pids")
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect();
    assert_eq!(started.len(), 2);
    let host_children: Vec<u32> = children_of(host.pid())
        .into_iter()
        .map(|(pid, _)| pid)
        .collect();
    let template: Vec<&u32> = host_children
        .iter()
        .filter(|p| {
            std::fs::read_to_string(format!("/proc/{p}/comm"))
                .is_ok_and(|c| c.trim() == "plugin-template")
        })
        .collect();
    assert_eq!(template.len(), 1, "one template process: {host_children:?}");
    assert!(
        host_children.contains(&started[0]),
        "the handler is a child of the host: {host_children:?}, handler {}",
        started[0]
    );
    assert_eq!(
        process_group(started[0]),
        started[0],
        "it leads its own group"
    );
    started.extend(host_children);
    Proc::signal_pid(host.pid(), "KILL");
    let status = host.wait_exit(Duration::from_secs(10));
    assert!(status.is_some(), "the host did not die of SIGKILL");
    assert_all_gone(&started, &std::fs::read_to_string(&log).unwrap_or_default());
    assert!(client.join().expect("client thread").is_err());
}

/// The body of an SDK collector's collect that streams `options.items` cloud
/// services of `options.pad` bytes each.
const FLOOD_COLLECT: &str = r#"    options = params["options"]
    pad = "x" * int(options.get("pad", 0))
    for n in range(int(options.get("items", 3))):
        yield {
            "state": "SUCCESS",
            "resource_type": "inventory.CloudService",
            "match_keys": [["name"]],
            "cloud_service": {
                "name": "thing-%d" % n,
                "cloud_service_type": "Thing",
                "cloud_service_group": "Things",
                "provider": "example",
                "data": {"pad": pad},
            },
        }
"#;

fn number(n: f64) -> prost_types::Value {
    prost_types::Value {
        kind: Some(Kind::NumberValue(n)),
    }
}

/// Our host serving `package` of `src` with `args` (more flags), its log in `log`.
fn spawn_host(src: &Path, package: &str, args: &[&str], log: &Path) -> (Proc, u16) {
    let port = common::free_port();
    let mut cmd = Command::new(spacectl_bin());
    cmd.args(["run", "plugin-server", package, "-s"])
        .arg(src)
        .args(["--host", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .env_remove("SPACEONE_PORT")
        .env_remove("SPACEONE_WORKER")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(File::create(log).expect("log file"));
    let mut host = Proc::spawn(cmd, "plugin host");
    wait_listening(&mut host, port, log);
    (host, port)
}

/// A cost data source's `init` request.
#[derive(Clone, PartialEq, prost::Message)]
struct CostInitRequest {
    #[prost(message, optional, tag = "1")]
    options: Option<Struct>,
    #[prost(string, tag = "2")]
    domain_id: String,
}

#[test]
fn every_kind_takes_struct_fields_nested_255_lists_deep() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::create_dir_all(dir.path().join("plugin")).expect("package");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/handlers/kind_handler.sh");
    let handler = format!(
        "sh '{}' '[\"DataSource.init\"]' '\"declared_kind\": \"cost\"'",
        script.display()
    );
    let log = dir.path().join("host.log");
    let (_host, port) = spawn_host(dir.path(), "plugin", &["--handler", &handler], &log);
    runtime().block_on(async {
        let ch = channel(&format!("http://127.0.0.1:{port}")).await;
        let path = "/spaceone.api.cost_analysis.plugin.DataSource/init";
        for levels in [0, 50, 200, 255] {
            let info: PluginInfo = unary(
                &ch,
                path,
                CostInitRequest {
                    options: Some(nested_lists(levels)),
                    domain_id: "domain-1".to_string(),
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{levels} nested lists: {e:?}"));
            assert!(info.metadata.is_some());
        }
        let err = unary::<_, PluginInfo>(
            &ch,
            path,
            CostInitRequest {
                options: Some(nested_lists(256)),
                domain_id: "domain-1".to_string(),
            },
        )
        .await
        .expect_err("too deep");
        assert_eq!(err.code(), tonic::Code::Internal);
        assert_eq!(
            err.message(),
            "Exception deserializing request! (options has mappings or lists nested more than 256 levels deep)"
        );
    });
    // The deepest request reached the plugin whole.
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let depths: Vec<usize> = text
        .lines()
        .filter_map(|l| l.split("(REQUEST) => ").nth(1))
        .map(|params| params.matches('[').count())
        .collect();
    assert_eq!(depths, [0, 50, 200, 255], "log:\n{text}");
}

#[test]
fn a_client_that_stops_reading_a_stream_holds_up_no_other_client() {
    let dir = tempfile::tempdir().expect("dir");
    let package = dir.path().join("flood");
    std::fs::create_dir_all(&package).expect("package");
    std::fs::write(package.join("__init__.py"), "").expect("init");
    std::fs::write(package.join("main.py"), sdk_collector("", FLOOD_COLLECT)).expect("main");
    let log = dir.path().join("host.log");
    let (_host, port) = spawn_host(dir.path(), "flood", &["--timeout", "0"], &log);
    let url = format!("http://127.0.0.1:{port}");
    let outcome = runtime().block_on(async {
        // A client that reads one item of 2,000 (20 KB each), then nothing.
        let slow = channel(&url).await;
        let mut g = tonic::client::Grpc::new(slow.clone());
        g.ready().await.expect("ready");
        let req = CollectRequest {
            options: Some(structure(&[
                ("items", number(2000.0)),
                ("pad", number(20_000.0)),
            ])),
            secret_data: Some(Struct::default()),
        };
        let mut stalled = g
            .server_streaming(
                tonic::Request::new(req),
                tonic::codegen::http::uri::PathAndQuery::from_static(
                    "/spaceone.api.inventory.plugin.Collector/collect",
                ),
                tonic_prost::ProstCodec::default(),
            )
            .await
            .expect("collect")
            .into_inner();
        let _first: ResourceInfo = stalled.message().await.expect("item").expect("one item");
        tokio::time::sleep(Duration::from_secs(3)).await;
        // 20 ordinary collects of other clients, 20 s each at most.
        let began = Instant::now();
        let calls: Vec<_> = (0..20)
            .map(|_| {
                let url = url.clone();
                tokio::spawn(async move {
                    let ch = channel(&url).await;
                    tokio::time::timeout(
                        Duration::from_secs(20),
                        collect(&ch, structure(&[("items", number(3.0))])),
                    )
                    .await
                })
            })
            .collect();
        let mut outcome = Vec::new();
        for call in calls {
            outcome.push(match call.await.expect("task") {
                Ok(Ok(items)) => Ok(items.len()),
                Ok(Err(status)) => Err(status.to_string()),
                Err(_) => Err("no answer within 20 s".to_string()),
            });
        }
        drop(stalled);
        (outcome, began.elapsed())
    });
    let (outcome, elapsed) = outcome;
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        outcome.iter().all(|r| r == &Ok(3)),
        "collects next to a stalled client: {outcome:?}\nlog:\n{text}"
    );
    assert!(elapsed < Duration::from_secs(15), "they took {elapsed:?}");
}

// --- request limits -----------------------------------------------------------------

#[test]
fn request_limits_match_upstreams_server() {
    let host = Host::start(&[], &[]);
    let rt = runtime();
    rt.block_on(async {
        let ch = channel(&host.url()).await;
        // 5 MiB of options: upstream's server answers exactly this (measured with
        // spaceone-core 2.0.144 / grpcio).
        let big = structure(&[("blob", text(&"a".repeat(5 << 20)))]);
        let err = unary::<_, PluginInfo>(
            &ch,
            "/spaceone.api.inventory.plugin.Collector/init",
            InitRequest { options: Some(big) },
        )
        .await
        .expect_err("over the limit");
        assert_eq!(err.code(), tonic::Code::ResourceExhausted);
        assert_eq!(
            err.message(),
            "SERVER: Received message larger than max (5242906 vs. 4194304)"
        );
        // The connection stays usable.
        let ok: PluginInfo = unary(
            &ch,
            "/spaceone.api.inventory.plugin.Collector/init",
            InitRequest {
                options: Some(Struct::default()),
            },
        )
        .await
        .expect("init after the refused one");
        assert_eq!(ok.metadata.map(|m| m.fields.is_empty()), Some(false));

        // Nested lists: upstream's server reads 244 levels; the host reads 255.
        for levels in [49, 200, 255] {
            let _: PluginInfo = unary(
                &ch,
                "/spaceone.api.inventory.plugin.Collector/init",
                InitRequest {
                    options: Some(nested_lists(levels)),
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{levels} nested lists: {e:?}"));
        }
        let err = unary::<_, PluginInfo>(
            &ch,
            "/spaceone.api.inventory.plugin.Collector/init",
            InitRequest {
                options: Some(nested_lists(256)),
            },
        )
        .await
        .expect_err("too deep");
        assert_eq!(err.code(), tonic::Code::Internal);
        assert_eq!(
            err.message(),
            "Exception deserializing request! (options has mappings or lists nested more than 256 levels deep)"
        );
    });
    // Only the requests within the limits were served; the deepest reached the
    // plugin whole.
    let log = host.log_text();
    let depths: Vec<usize> = log
        .lines()
        .filter_map(|l| l.split("(REQUEST) => ").nth(1))
        .map(|params| params.matches('[').count())
        .collect();
    assert_eq!(depths, [0, 49, 200, 255]);
}

// --- handler error texts --------------------------------------------------------------

#[test]
fn an_8_mb_handler_error_reaches_the_client_as_a_bounded_status() {
    let host = Host::start(&[("HUGE_ERROR", "8000000".to_string())], &[]);
    let rt = runtime();
    rt.block_on(async {
        let ch = channel(&host.url()).await;
        let err = unary::<_, ()>(
            &ch,
            "/spaceone.api.inventory.plugin.Collector/verify",
            VerifyRequest {
                options: Some(Struct::default()),
                secret_data: Some(Struct::default()),
            },
        )
        .await
        .expect_err("the handler fails");
        assert_eq!(err.code(), tonic::Code::Internal, "{err:?}");
        let m = err.message();
        assert!(
            m.starts_with("ERROR_UNKNOWN: xxxxxxxx"),
            "{}",
            &m[..m.len().min(200)]
        );
        assert!(
            m.ends_with("xxx ... (message truncated: 8000000 bytes)"),
            "{}",
            &m[m.len().saturating_sub(200)..]
        );
        assert!(m.len() <= 4096, "{}", m.len());
        // The next call on the same connection works.
        let h = health(&ch).await.expect("health after the error");
        assert_eq!(h.status, 1);
    });
    let log = host.log_text();
    let error_line = log
        .lines()
        .find(|l| l.contains("(Error) => "))
        .expect("an error line");
    assert!(error_line.len() < 70_000, "{}", error_line.len());
    assert!(
        error_line.ends_with(" ... (message truncated: 8000000 bytes) "),
        "{}",
        &error_line[error_line.len() - 80..]
    );
}

#[test]
fn handler_errors_with_non_text_fields_keep_their_message() {
    let host = Host::start(
        &[(
            "ERROR_JSON",
            r#"{"code":5,"status":"INVALID_ARGUMENT","message":{"reason":"quota","left":0}}"#
                .to_string(),
        )],
        &[],
    );
    let rt = runtime();
    rt.block_on(async {
        let ch = channel(&host.url()).await;
        let err = unary::<_, ()>(
            &ch,
            "/spaceone.api.inventory.plugin.Collector/verify",
            VerifyRequest {
                options: Some(Struct::default()),
                secret_data: Some(Struct::default()),
            },
        )
        .await
        .expect_err("the handler fails");
        assert_eq!(err.code(), tonic::Code::InvalidArgument);
        assert_eq!(
            err.message(),
            r#"ERROR_UNKNOWN: {"reason":"quota","left":0}"#
        );
    });
}

// --- secrets --------------------------------------------------------------------------

#[test]
fn secret_values_quoted_by_the_plugin_are_masked_in_the_hosts_log() {
    let host = Host::start(
        &[(
            "ERROR_JSON",
            r#"{"code":"ERROR_UNKNOWN","status":"INTERNAL","message":"bad secret: {'api_key': 'SEKRET-123', 'region': 'kr'}"}"#
                .to_string(),
        )],
        &[],
    );
    let rt = runtime();
    rt.block_on(async {
        let ch = channel(&host.url()).await;
        let err = unary::<_, ()>(
            &ch,
            "/spaceone.api.inventory.plugin.Collector/verify",
            VerifyRequest {
                options: Some(structure(&[("copy_of_key", text("SEKRET-123"))])),
                secret_data: Some(structure(&[
                    ("api_key", text("SEKRET-123")),
                    ("region", text("kr")),
                ])),
            },
        )
        .await
        .expect_err("the handler fails");
        // The caller, who sent the secret, gets the plugin's message as it is.
        assert_eq!(
            err.message(),
            "ERROR_UNKNOWN: bad secret: {'api_key': 'SEKRET-123', 'region': 'kr'}"
        );
    });
    let log = host.log_text();
    assert!(!log.contains("SEKRET-123"), "log:\n{log}");
    assert!(
        log.contains(
            r#"(REQUEST) => {"options": {"copy_of_key": "********"}, "secret_data": "********"} "#
        ),
        "log:\n{log}"
    );
    // Values shorter than 4 characters are not searched for.
    assert!(
        log.contains("(Error) => bad secret: {'api_key': '********', 'region': 'kr'} \n\terror_code = ERROR_UNKNOWN\n\tstatus_code = INTERNAL\n\tmessage = bad secret: {'api_key': '********', 'region': 'kr'}  \n"),
        "log:\n{log}"
    );
    // What the plugin printed itself is masked too.
    assert!(
        log.contains(r#"plugin says: {"id":1,"method":"Collector.verify","stream":false,"#)
            && log.contains(r#","params":{"options":{"copy_of_key":"********"},"secret_data":{"api_key":"********","region":"kr"},"domain_id":null}}"#),
        "log:\n{log}"
    );
}

// --- the template's image command line as process 1 --------------------------------------

/// Whether this machine lets us start a process in a new PID namespace
/// (`unshare`, usually as root); says so on stderr when it does not.
fn pid_namespaces_available(test: &str) -> bool {
    let ok = Command::new("unshare")
        .args(["--pid", "--fork", "--mount-proc", "true"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        // Straight to stderr, past the test harness's capture, so that it shows.
        use std::io::Write;
        let line = format!(
            "SKIPPED {test}: cannot create a PID namespace here (`unshare --pid --fork --mount-proc` needs root or user namespaces)\n"
        );
        let _ = std::io::stderr().write_all(line.as_bytes());
    }
    ok
}

/// The host started by `unshare`, which is process 1 of the new namespace.
fn namespace_child(unshare_pid: u32) -> u32 {
    let mut found = None;
    assert!(
        wait_until(Duration::from_secs(10), || {
            found = children_of(unshare_pid).first().map(|(p, _)| *p);
            found.is_some()
        }),
        "unshare started nothing"
    );
    found.unwrap_or_default()
}

/// The JSON array of a Dockerfile instruction (`ENTRYPOINT`, `CMD`); panics
/// unless it is in exec form.
fn exec_form(dockerfile: &str, instruction: &str) -> Vec<String> {
    let line = dockerfile
        .lines()
        .find(|l| l.starts_with(&format!("{instruction} ")))
        .unwrap_or_else(|| panic!("no {instruction} in the Dockerfile"));
    let args = line[instruction.len()..].trim();
    serde_json::from_str(args).unwrap_or_else(|e| {
        panic!("{instruction} must be in exec form (a JSON array), not {args:?}: {e}")
    })
}

#[test]
fn the_template_image_command_runs_as_process_1_and_stops_on_sigterm() {
    let test = "the_template_image_command_runs_as_process_1_and_stops_on_sigterm";
    let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut kinds: Vec<PathBuf> = std::fs::read_dir(&templates)
        .expect("templates")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("Dockerfile").is_file())
        .collect();
    kinds.sort();
    assert!(!kinds.is_empty());
    for kind in &kinds {
        let dockerfile = std::fs::read_to_string(kind.join("Dockerfile")).expect("Dockerfile");
        let entrypoint = exec_form(&dockerfile, "ENTRYPOINT");
        let cmd = exec_form(&dockerfile, "CMD");
        // Our host is the program the container runs: no shell in between that
        // would keep SIGTERM for itself.
        assert_eq!(entrypoint, ["spaceone"], "{}", kind.display());
        assert_eq!(&cmd[..2], ["run", "plugin-server"], "{}", kind.display());
    }
    if !pid_namespaces_available(test) {
        return;
    }
    let python3 = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(python3, "python3 is needed to run the template's plugin");

    // The template as create-project writes it, run the way its image does.
    let dir = tempfile::tempdir().expect("dir");
    let made = Command::new(spacectl_bin())
        .current_dir(dir.path())
        .args(["create-project", "demo"])
        .output()
        .expect("create-project");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let project = dir.path().join("demo");
    let dockerfile = std::fs::read_to_string(project.join("Dockerfile")).expect("Dockerfile");
    let mut argv = exec_form(&dockerfile, "ENTRYPOINT");
    argv.extend(exec_form(&dockerfile, "CMD"));
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    std::os::unix::fs::symlink(spacectl_bin(), bin.join("spaceone")).expect("symlink");
    let port = common::free_port();
    let log = dir.path().join("host.log");
    let mut command = Command::new("unshare");
    command
        .args(["--pid", "--fork", "--mount-proc"])
        .arg(bin.join(&argv[0]))
        .args(&argv[1..])
        // Tests listen on the loopback address only.
        .args(["--host", "127.0.0.1"])
        .current_dir(project.join("src"))
        .env("SPACEONE_PORT", port.to_string())
        .env("PYTHONUNBUFFERED", "1")
        .env_remove("SPACEONE_WORKER")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(File::create(&log).expect("log"));
    let mut unshare = Proc::spawn(command, "unshare");
    let host_pid = namespace_child(unshare.pid());
    wait_listening(&mut unshare, port, &log);
    runtime().block_on(async {
        let ch = channel(&format!("http://127.0.0.1:{port}")).await;
        assert_eq!(health(&ch).await.expect("health").status, 1);
        let info: PluginInfo = unary(
            &ch,
            "/spaceone.api.inventory.plugin.Collector/init",
            InitRequest {
                options: Some(Struct::default()),
            },
        )
        .await
        .expect("init");
        assert!(info.metadata.is_some());
    });
    // SIGTERM reaches process 1 of the namespace (it has a handler for it) and
    // stops it cleanly.
    Proc::signal_pid(host_pid, "TERM");
    let status = unshare.wait_exit(Duration::from_secs(20));
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let status = status.unwrap_or_else(|| panic!("process 1 did not stop on SIGTERM:\n{text}"));
    assert!(status.success(), "{status:?}\n{text}");
    assert!(
        text.contains("Stop signal received: no calls in progress, stopping now."),
        "{text}"
    );
}

#[test]
fn as_process_1_the_host_reaps_what_plugins_leave_behind() {
    let test = "as_process_1_the_host_reaps_what_plugins_leave_behind";
    if !pid_namespaces_available(test) {
        return;
    }
    // A handler whose init leaves an orphan behind: `sh -c '… &'` ends at once,
    // and its background `sleep` is adopted by process 1.
    let dir = tempfile::tempdir().expect("dir");
    std::fs::create_dir_all(dir.path().join("plugin")).expect("package dir");
    let script = dir.path().join("orphans.sh");
    std::fs::write(
        &script,
        r#"#!/bin/sh
printf '%s\n' '{"ready":{"protocol":1,"routes":["Collector.init"]}}'
while IFS= read -r line; do
  id=${line#'{"id":'}
  id=${id%%,*}
  sh -c 'sleep 0.2 </dev/null >/dev/null 2>&1 &'
  printf '{"id":%s,"result":{"metadata":{}}}\n' "$id"
done
"#,
    )
    .expect("write handler");
    let port = common::free_port();
    let log = dir.path().join("host.log");
    let mut command = Command::new("unshare");
    command
        .args(["--pid", "--fork", "--mount-proc"])
        .arg(spacectl_bin())
        .args(["run", "plugin-server", "plugin", "-s"])
        .arg(dir.path())
        .arg("--handler")
        .arg(format!("sh '{}'", script.display()))
        .args(["--host", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(File::create(&log).expect("log"));
    let mut unshare = Proc::spawn(command, "unshare");
    let host_pid = namespace_child(unshare.pid());
    wait_listening(&mut unshare, port, &log);
    runtime().block_on(async {
        let ch = channel(&format!("http://127.0.0.1:{port}")).await;
        for _ in 0..5 {
            let _: PluginInfo = unary(
                &ch,
                "/spaceone.api.inventory.plugin.Collector/init",
                InitRequest {
                    options: Some(Struct::default()),
                },
            )
            .await
            .expect("init");
        }
    });
    // Five adopted sleeps end 0.2 s later; none may stay a zombie.
    std::thread::sleep(Duration::from_millis(400));
    let reaped = wait_until(Duration::from_secs(5), || {
        children_of(host_pid).iter().all(|(_, state)| *state != 'Z')
    });
    // The host's death watch (a fork of the host, in the host's process group)
    // is a child too.
    let children: Vec<(u32, char)> = children_of(host_pid)
        .into_iter()
        .filter(|(pid, _)| process_group(*pid) != process_group(host_pid))
        .collect();
    Proc::signal_pid(host_pid, "TERM");
    let status = unshare.wait_exit(Duration::from_secs(20));
    assert!(reaped, "zombies of process 1: {children:?}");
    assert_eq!(children.len(), 1, "only the handler is left: {children:?}");
    assert!(status.is_some_and(|s| s.success()));
}
