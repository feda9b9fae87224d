//! The plugin host (`spacectl run plugin-server`) seen from real clients:
//!
//! * the Python `spacectl` of the reference installation against our host serving
//!   the compat-mode sample plugin (`samples/compat-collector`) unchanged: the
//!   reference plugin venv's Python runs the plugin code, the sample's data mock
//!   serves its API; every output must equal the golden file that the Python
//!   spacectl printed against the Python plugin server (`expected/`);
//! * gRPC reflection v1 and v1alpha, error mapping and streaming, through a
//!   shell-script handler (`--handler`);
//! * a busy port, and a graceful stop on SIGTERM while a call is in flight.
//!
//! Every process started here is stopped by PID when its guard is dropped; every
//! wait is bounded. Servers listen on 127.0.0.1 only.

mod common;

use std::fs::File;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::sample::{self, DataMock};
use common::{
    command_in_home, reference_spacectl, reference_tool, run_bounded, spacectl_bin, temp_home,
};
use prost_types::Struct;

/// A child process stopped by PID when dropped: SIGTERM first (so a host can
/// stop its handlers), SIGKILL if it is still running after a few seconds.
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

    fn signal(&self, name: &str) {
        let _ = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid().to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    /// Waits up to `limit` for the process to exit.
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
            self.signal("TERM");
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

/// Waits until something accepts connections on 127.0.0.1:`port`; fails early
/// when `proc` exits.
fn wait_listening(proc: &mut Proc, port: u16, limit: Duration, log: &Path) {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200))
            .is_ok()
        {
            return;
        }
        if !proc.running() {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            panic!("{} exited before listening:\n{text}", proc.what);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let text = std::fs::read_to_string(log).unwrap_or_default();
    panic!(
        "{} not listening on port {port} after {limit:?}:\n{text}",
        proc.what
    );
}

/// Our host, started with `args` after `run plugin-server`; stderr goes to `log`.
struct Host {
    proc: Proc,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Host {
    fn start(args: &[String], env: &[(&str, String)]) -> Host {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = common::free_port();
        let log = dir.path().join("host.log");
        let mut cmd = Command::new(spacectl_bin());
        cmd.args(["run", "plugin-server"])
            .args(args)
            .args(["--host", "127.0.0.1", "-p", &port.to_string()])
            .env_remove("SPACEONE_PORT")
            .env_remove("SPACEONE_WORKER")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(&log).expect("log file"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut proc = Proc::spawn(cmd, "plugin host");
        wait_listening(&mut proc, port, Duration::from_secs(60), &log);
        Host {
            proc,
            port,
            log,
            _dir: dir,
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

/// A shell-script handler speaking the handler protocol: `Collector.collect`
/// yields `$ITEMS` Region items `$DELAY` seconds apart, `Collector.init` fails
/// with an INVALID_ARGUMENT error, anything else is an unknown route.
const TEST_HANDLER: &str = r#"#!/bin/sh
printf '%s\n' '{"ready": {"protocol": 1, "routes": ["Collector.init", "Collector.collect"]}}'
while IFS= read -r line; do
  id=${line#'{"id":'}
  id=${id%%,*}
  case "$line" in
    *'"method":"Collector.collect"'*)
      i=1
      while [ "$i" -le "${ITEMS:-3}" ]; do
        printf '{"id":%s,"item":{"state":"SUCCESS","resource_type":"inventory.Region","region":{"region_code":"r%s","provider":"test"},"match_keys":[["region_code","provider"]]}}\n' "$id" "$i"
        i=$((i + 1))
        sleep "${DELAY:-0}"
      done
      printf '{"id":%s,"done":true}\n' "$id"
      ;;
    *'"method":"Collector.init"'*)
      printf '{"id":%s,"error":{"code":"ERROR_INVALID_ARGUMENT","status":"INVALID_ARGUMENT","message":"Argument is invalid."}}\n' "$id"
      ;;
    *)
      printf '{"id":%s,"error":{"code":"ERROR_UNKNOWN","status":"INTERNAL","message":"unknown route"}}\n' "$id"
      ;;
  esac
done
"#;

/// Starts our host with [`TEST_HANDLER`]; `extra` are more host flags.
fn start_test_host(items: u32, delay: &str, extra: &[&str]) -> (Host, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("handler.sh");
    std::fs::write(&script, TEST_HANDLER).expect("write handler");
    std::fs::create_dir_all(dir.path().join("plugin")).expect("package dir");
    let mut args = vec![
        "plugin".to_string(),
        "-s".to_string(),
        dir.path().display().to_string(),
        "--handler".to_string(),
        format!("sh '{}'", script.display()),
    ];
    args.extend(extra.iter().map(|a| a.to_string()));
    let host = Host::start(
        &args,
        &[("ITEMS", items.to_string()), ("DELAY", delay.to_string())],
    );
    (host, dir)
}

// --- a minimal client for the wire tests ------------------------------------

#[derive(Clone, PartialEq, prost::Message)]
struct InitRequest {
    #[prost(message, optional, tag = "1")]
    options: Option<Struct>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct PluginInfo {
    #[prost(message, optional, tag = "1")]
    metadata: Option<Struct>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct CollectRequest {
    #[prost(message, optional, tag = "1")]
    options: Option<Struct>,
    #[prost(message, optional, tag = "2")]
    secret_data: Option<Struct>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ResourceInfo {
    #[prost(int32, tag = "1")]
    state: i32,
    #[prost(string, tag = "2")]
    message: String,
    #[prost(string, tag = "3")]
    resource_type: String,
    #[prost(message, optional, tag = "4")]
    match_rules: Option<Struct>,
    #[prost(message, optional, tag = "6")]
    resource: Option<Struct>,
}

async fn channel(url: &str) -> tonic::transport::Channel {
    tonic::transport::Endpoint::from_shared(url.to_string())
        .expect("endpoint")
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .expect("connect")
}

fn path(p: &'static str) -> tonic::codegen::http::uri::PathAndQuery {
    tonic::codegen::http::uri::PathAndQuery::from_static(p)
}

async fn collect_stream(
    ch: &tonic::transport::Channel,
) -> Result<tonic::Streaming<ResourceInfo>, tonic::Status> {
    let mut g = tonic::client::Grpc::new(ch.clone());
    g.ready()
        .await
        .map_err(|e| tonic::Status::unknown(e.to_string()))?;
    let req = CollectRequest {
        options: Some(Struct::default()),
        secret_data: Some(Struct::default()),
    };
    g.server_streaming(
        tonic::Request::new(req),
        path("/spaceone.api.inventory.plugin.Collector/collect"),
        tonic_prost::ProstCodec::default(),
    )
    .await
    .map(|r| r.into_inner())
}

fn region_code(info: &ResourceInfo) -> String {
    use prost_types::value::Kind;
    match info
        .resource
        .as_ref()
        .and_then(|r| r.fields.get("region_code"))
        .and_then(|v| v.kind.as_ref())
    {
        Some(Kind::StringValue(s)) => s.clone(),
        other => panic!("region_code missing: {other:?}"),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

// --- tests --------------------------------------------------------------------

/// A home for the Python spacectl whose environment points at `port`.
fn python_spacectl_home(port: u16) -> tempfile::TempDir {
    let home = temp_home();
    let envs = home.path().join(".spaceone").join("environments");
    std::fs::create_dir_all(&envs).expect("config dir");
    std::fs::write(
        home.path().join(".spaceone").join("environment.yml"),
        "environment: interop\n",
    )
    .expect("environment.yml");
    std::fs::write(
        envs.join("interop.yml"),
        format!("endpoints:\n  plugin: grpc://127.0.0.1:{port}\n"),
    )
    .expect("interop.yml");
    home
}

#[test]
fn python_spacectl_against_the_compat_sample() {
    let test = "python_spacectl_against_the_compat_sample";
    let Some(spacectl) = reference_spacectl(test) else {
        return;
    };
    let Some(python) = reference_tool("plugin-venv/bin/python", test) else {
        return;
    };
    let mock = DataMock::start(&python);
    let host = Host::start(
        &[
            "plugin".to_string(),
            "-s".to_string(),
            sample::dir().join("src").display().to_string(),
            "--python".to_string(),
            python.display().to_string(),
        ],
        &[(sample::API_URL_ENV, mock.url())],
    );
    let home = python_spacectl_home(host.port);
    let exec = |args: &[&str]| {
        let mut cmd = command_in_home(&spacectl, home.path());
        cmd.arg("exec").args(args);
        run_bounded(cmd, "", Duration::from_secs(120))
    };

    for (verb, resource, request) in [
        ("init", "plugin.Collector", "init.yaml"),
        ("verify", "plugin.Collector", "verify.yaml"),
        ("get_tasks", "plugin.Job", "get_tasks.yaml"),
        ("collect", "plugin.Collector", "collect.yaml"),
        ("collect", "plugin.Collector", "collect-task.yaml"),
    ] {
        let r = exec(&[verb, resource, "-f", &sample::file(request)]);
        assert_eq!(
            r.stdout,
            sample::expected(request),
            "{verb} -f {request} differs from expected/{request}; stderr: {}",
            r.stderr
        );
    }

    // JSON: the same documents by content (the Python client's key order is not stable).
    let r = exec(&[
        "collect",
        "plugin.Collector",
        "-f",
        &sample::file("collect.yaml"),
        "-o",
        "json",
    ]);
    let docs = sample::json_docs(&r.stdout);
    assert_eq!(docs.len(), 13, "stderr: {}", r.stderr);
    assert_eq!(docs, sample::json_docs(&sample::expected("collect.json")));

    // The plugin's errors and the required parameters (reported by the host
    // before the plugin runs): the Python client prints them on stdout.
    for case in sample::error_cases() {
        let r = exec(&[&case.verb, case.resource, "-f", &case.request]);
        assert_eq!(
            (r.stdout.as_str(), r.stderr.as_str()),
            (case.expected.as_str(), ""),
            "errors/{}.yaml",
            case.name
        );
    }

    let r = exec(&["Check", "plugin.Health"]);
    assert_eq!(r.stdout, "---\nstatus: SERVING\n\n");
    let r = exec(&["get_version", "plugin.ServerInfo"]);
    assert_eq!(r.stdout, "---\nversion: UNKNOWN\n\n");

    // Log lines as the Python plugin server writes them for the same calls
    // (sizes included: the length of the response's JSON text).
    let log = host.log_text();
    for line in [
        "[DEBUG]       (server.py:68) Loaded Services: \n\t - spaceone.api.inventory.plugin.Collector\n\t - spaceone.api.inventory.plugin.Job\n\t - grpc.health.v1.Health\n\t - spaceone.api.core.v1.ServerInfo  \n".to_string(),
        format!(
            "[INFO]       (server.py:72) Start gRPC Server (plugin): port={}, max_workers=100  \n",
            host.port
        ),
        "Collector.init (__init__.py:210) (REQUEST) => {\"options\": {}} \n".to_string(),
        "Collector.verify (__init__.py:210) (REQUEST) => {\"options\": {}, \"secret_data\": \"********\"} \n".to_string(),
        "Collector.verify (__init__.py:251) (RESPONSE) => SUCCESS (Time = ".to_string(),
        ", Size = 0 bytes)  \n".to_string(),
        "Job.get_tasks (__init__.py:210) (REQUEST) => {\"secret_data\": \"********\", \"options\": {}} \n".to_string(),
        ", Size = 179 bytes)  \n".to_string(),
        "Collector.collect (__init__.py:210) (REQUEST) => {\"options\": {}, \"secret_data\": \"********\"} \n".to_string(),
        "Collector.init (__init__.py:251) (RESPONSE) => SUCCESS (Time = ".to_string(),
        ", Size = 680 bytes)  \n".to_string(),
        "Collector.init (__init__.py:312) (Error) => Required parameter. (key = options) \n\terror_code = ERROR_REQUIRED_PARAMETER\n\tstatus_code = INVALID_ARGUMENT\n\tmessage = Required parameter. (key = options)  \n".to_string(),
        "(utils.py:240) [make_error_response] kestrel.Networking.LoadBalancer: The Kestrel API answered HTTP 503 for /v1/regions/south-1/load-balancers: the load balancer service of south-1 is under maintenance  \n".to_string(),
    ] {
        assert!(log.contains(&line), "{line:?} not in the log:\n{log}");
    }
    for secret in ["kst-sample-7f3a9c", "kst-revoked-0000"] {
        assert!(
            !log.contains(secret),
            "secret {secret} leaked into the log:\n{log}"
        );
    }
    drop(host);
    drop(mock);
}

/// A compat-mode app that registers `Collector.init` only.
const INIT_ONLY_APP: &str = r#"from spaceone.inventory.plugin.collector.lib.server import CollectorPluginServer

app = CollectorPluginServer()


@app.route("Collector.init")
def collector_init(params):
    return {"metadata": {}}
"#;

#[test]
fn compat_routes_the_plugin_does_not_register_fail_like_upstream() {
    let test = "compat_routes_the_plugin_does_not_register_fail_like_upstream";
    let Some(spacectl) = reference_spacectl(test) else {
        return;
    };
    let Some(python) = reference_tool("plugin-venv/bin/python", test) else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let package = dir.path().join("plugin");
    std::fs::create_dir_all(&package).expect("package dir");
    std::fs::write(package.join("__init__.py"), "").expect("__init__.py");
    std::fs::write(package.join("main.py"), INIT_ONLY_APP).expect("main.py");
    let host = Host::start(
        &[
            "plugin".to_string(),
            "-s".to_string(),
            dir.path().display().to_string(),
            "--python".to_string(),
            python.display().to_string(),
        ],
        &[],
    );
    let home = python_spacectl_home(host.port);
    let exec = |args: &[&str]| {
        let mut cmd = command_in_home(&spacectl, home.path());
        cmd.arg("exec").args(args);
        run_bounded(cmd, "", Duration::from_secs(120))
    };
    let secret = r#"{"options": {}, "secret_data": {"token": "s3cr3t"}}"#;
    for (verb, resource) in [
        ("verify", "plugin.Collector"),
        ("get_tasks", "plugin.Job"),
        ("collect", "plugin.Collector"),
    ] {
        let r = exec(&[verb, resource, "-j", secret]);
        assert_eq!(
            r.stdout, "ERROR: 'NoneType' object is not callable\n\n",
            "{verb}; stderr: {}",
            r.stderr
        );
    }
    let r = exec(&["init", "plugin.Collector", "-j", r#"{"options": {}}"#]);
    assert!(r.stdout.starts_with("---\nmetadata:\n"), "{r:?}");
    assert!(!host.log_text().contains("s3cr3t"), "{}", host.log_text());
}

#[test]
fn reflection_v1_and_v1alpha_list_the_four_services() {
    let (host, _dir) = start_test_host(1, "0", &[]);
    let rt = runtime();
    rt.block_on(async {
        let ch = channel(&host.url()).await;

        use tonic_reflection::pb::v1::ServerReflectionRequest;
        use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
        use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
        use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        for q in [
            MessageRequest::ListServices(String::new()),
            MessageRequest::FileContainingSymbol("grpc.health.v1.Health".into()),
            MessageRequest::FileByFilename("spaceone/api/inventory/plugin/job.proto".into()),
        ] {
            tx.send(ServerReflectionRequest {
                host: String::new(),
                message_request: Some(q),
            })
            .await
            .expect("queue");
        }
        drop(tx);
        let mut stream = ServerReflectionClient::new(ch.clone())
            .server_reflection_info(tokio_stream::wrappers::ReceiverStream::new(rx))
            .await
            .expect("v1 reflection")
            .into_inner();
        let mut answers = Vec::new();
        while let Some(r) = tokio::time::timeout(Duration::from_secs(10), stream.message())
            .await
            .expect("answer in time")
            .expect("answer")
        {
            answers.push(r.message_response.expect("response"));
        }
        assert_eq!(answers.len(), 3);
        let MessageResponse::ListServicesResponse(list) = &answers[0] else {
            panic!("not a list: {:?}", answers[0])
        };
        let names: Vec<&str> = list.service.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "grpc.health.v1.Health",
                "spaceone.api.core.v1.ServerInfo",
                "spaceone.api.inventory.plugin.Collector",
                "spaceone.api.inventory.plugin.Job"
            ]
        );
        for (answer, file, service) in [
            (&answers[1], "grpc_health/v1/health.proto", "Health"),
            (
                &answers[2],
                "spaceone/api/inventory/plugin/job.proto",
                "Job",
            ),
        ] {
            let MessageResponse::FileDescriptorResponse(f) = answer else {
                panic!("not a file: {answer:?}")
            };
            assert_eq!(f.file_descriptor_proto.len(), 1);
            let fd = <prost_types::FileDescriptorProto as prost::Message>::decode(
                f.file_descriptor_proto[0].as_slice(),
            )
            .expect("descriptor");
            assert_eq!(fd.name(), file);
            assert_eq!(fd.service[0].name(), service);
        }

        // v1alpha, the version Python clients use, lists the same.
        use tonic_reflection::pb::v1alpha as alpha;
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        tx.send(alpha::ServerReflectionRequest {
            host: String::new(),
            message_request: Some(
                alpha::server_reflection_request::MessageRequest::ListServices(String::new()),
            ),
        })
        .await
        .expect("queue");
        drop(tx);
        let mut stream = alpha::server_reflection_client::ServerReflectionClient::new(ch)
            .server_reflection_info(tokio_stream::wrappers::ReceiverStream::new(rx))
            .await
            .expect("v1alpha reflection")
            .into_inner();
        let r = stream.message().await.expect("answer").expect("one answer");
        let Some(alpha::server_reflection_response::MessageResponse::ListServicesResponse(list)) =
            r.message_response
        else {
            panic!("not a list")
        };
        assert_eq!(list.service.len(), 4);
    });
}

#[test]
fn plugin_errors_and_items_reach_the_client() {
    let (host, _dir) = start_test_host(3, "0", &[]);
    let rt = runtime();
    rt.block_on(async {
        let ch = channel(&host.url()).await;
        let mut g = tonic::client::Grpc::new(ch.clone());
        g.ready().await.expect("ready");
        let err = g
            .unary::<_, PluginInfo, _>(
                tonic::Request::new(InitRequest {
                    options: Some(Struct::default()),
                }),
                path("/spaceone.api.inventory.plugin.Collector/init"),
                tonic_prost::ProstCodec::default(),
            )
            .await
            .expect_err("the handler fails init");
        assert_eq!(err.code(), tonic::Code::InvalidArgument);
        assert_eq!(
            err.message(),
            "ERROR_INVALID_ARGUMENT: Argument is invalid."
        );

        // Missing options: rejected before the handler runs.
        let mut g = tonic::client::Grpc::new(ch.clone());
        g.ready().await.expect("ready");
        let err = g
            .unary::<_, PluginInfo, _>(
                tonic::Request::new(InitRequest { options: None }),
                path("/spaceone.api.inventory.plugin.Collector/init"),
                tonic_prost::ProstCodec::default(),
            )
            .await
            .expect_err("options are required");
        assert_eq!(err.code(), tonic::Code::InvalidArgument);
        assert_eq!(
            err.message(),
            "ERROR_REQUIRED_PARAMETER: Required parameter. (key = options)"
        );

        let mut stream = collect_stream(&ch).await.expect("collect");
        let mut codes = Vec::new();
        while let Some(info) = stream.message().await.expect("item") {
            assert_eq!(info.state, 4, "SUCCESS");
            assert_eq!(info.resource_type, "inventory.Region");
            assert_eq!(info.message, "");
            codes.push(region_code(&info));
        }
        assert_eq!(codes, ["r1", "r2", "r3"]);
    });
    assert!(host.log_text().contains("(Error) => Argument is invalid. \n\terror_code = ERROR_INVALID_ARGUMENT\n\tstatus_code = INVALID_ARGUMENT\n\tmessage = Argument is invalid.  \n"));
}

#[test]
fn a_busy_port_is_refused_with_a_clear_error() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("plugin")).expect("package dir");
    let mut cmd = Command::new(spacectl_bin());
    cmd.args([
        "run",
        "plugin-server",
        "plugin",
        "--host",
        "127.0.0.1",
        "-p",
        &port.to_string(),
    ])
    .arg("-s")
    .arg(dir.path())
    .args(["--handler", "sh -c 'sleep 30'"]);
    let r = run_bounded(cmd, "", Duration::from_secs(30));
    assert_eq!(r.code(), 1, "stderr: {}", r.stderr);
    assert_eq!(
        r.stderr,
        format!(
            "ERROR: Cannot listen on 127.0.0.1:{port}: port {port} is already in use.\n\
             hint: another server listens there (an earlier plugin server?): stop it, or choose another port with -p PORT, or -p 0 for any free one\n\n"
        )
    );
    assert_eq!(r.stdout, "");
    drop(taken);
}

#[test]
fn sigterm_lets_the_call_in_flight_finish_then_stops() {
    // Five items, 0.3 s apart: the stop signal arrives mid-stream.
    let (mut host, _dir) = start_test_host(5, "0.3", &[]);
    let rt = runtime();
    let codes = rt.block_on(async {
        let ch = channel(&host.url()).await;
        let mut stream = collect_stream(&ch).await.expect("collect");
        let first = tokio::time::timeout(Duration::from_secs(10), stream.message())
            .await
            .expect("first item in time")
            .expect("no error")
            .expect("an item");
        host.proc.signal("TERM");
        let mut codes = vec![region_code(&first)];
        while let Some(info) = tokio::time::timeout(Duration::from_secs(10), stream.message())
            .await
            .expect("items in time")
            .expect("the call completes")
        {
            codes.push(region_code(&info));
        }
        codes
    });
    assert_eq!(codes, ["r1", "r2", "r3", "r4", "r5"]);
    let status = host
        .proc
        .wait_exit(Duration::from_secs(20))
        .expect("the host exits after the call");
    assert!(status.success(), "exit status {status:?}");
    // Nothing listens any more.
    assert!(
        TcpStream::connect_timeout(
            &([127, 0, 0, 1], host.port).into(),
            Duration::from_millis(500)
        )
        .is_err()
    );
    let log = host.log_text();
    assert!(!log.contains("panicked"), "log:\n{log}");
    assert!(!log.contains("Traceback"), "log:\n{log}");
}

#[test]
fn a_cancelled_collect_stops_the_plugin_work() {
    // One handler process; a full stream would take 200 × 0.05 s = 10 s.
    let (host, _dir) = start_test_host(200, "0.05", &["-w", "1"]);
    let rt = runtime();
    rt.block_on(async {
        let ch = channel(&host.url()).await;
        let mut stream = collect_stream(&ch).await.expect("collect");
        let first = stream.message().await.expect("no error").expect("an item");
        assert_eq!(region_code(&first), "r1");
        // The client goes away after one item.
        drop(stream);

        // The only handler is free again long before the first stream would have ended.
        let started = Instant::now();
        let mut again = tokio::time::timeout(Duration::from_secs(5), collect_stream(&ch))
            .await
            .expect("second collect starts in time")
            .expect("collect");
        let first = tokio::time::timeout(Duration::from_secs(5), again.message())
            .await
            .expect("first item of the second collect in time")
            .expect("no error")
            .expect("an item");
        assert_eq!(region_code(&first), "r1");
        assert!(started.elapsed() < Duration::from_secs(5));
    });
}

/// Whether process `pid` still exists as a live process (a zombie does not count).
fn process_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rfind(')')
            .and_then(|i| stat[i + 1..].split_whitespace().next())
            .is_some_and(|state| state != "Z"),
        Err(_) => false,
    }
}

#[test]
fn sigterm_while_the_plugin_loads_stops_the_handler_and_its_processes() {
    // A handler that never gets ready: it starts a background process, records
    // both process ids and keeps "loading".
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("plugin")).expect("package dir");
    let pids = dir.path().join("pids");
    let script = dir.path().join("loading.sh");
    std::fs::write(
        &script,
        "sleep 1000 </dev/null >/dev/null 2>&1 &\necho \"$$ $!\" > \"$PIDS.tmp\"\nmv \"$PIDS.tmp\" \"$PIDS\"\nexec sleep 1000\n",
    )
    .expect("write handler");
    let mut args = vec![
        "plugin".to_string(),
        "-s".to_string(),
        dir.path().display().to_string(),
        "--handler".to_string(),
        format!("sh '{}'", script.display()),
    ];
    args.extend(["--timeout".to_string(), "600".to_string()]);
    let mut host = Host::start(&args, &[("PIDS", pids.display().to_string())]);

    let deadline = Instant::now() + Duration::from_secs(30);
    let recorded = loop {
        if let Ok(text) = std::fs::read_to_string(&pids) {
            break text;
        }
        assert!(Instant::now() < deadline, "the handler did not start");
        std::thread::sleep(Duration::from_millis(20));
    };
    let started: Vec<u32> = recorded
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect();
    assert_eq!(started.len(), 2, "pids file: {recorded:?}");
    assert!(started.iter().all(|p| process_alive(*p)));

    host.proc.signal("TERM");
    let status = host.proc.wait_exit(Duration::from_secs(20));
    let deadline = Instant::now() + Duration::from_secs(10);
    while started.iter().any(|p| process_alive(*p)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let left: Vec<u32> = started
        .iter()
        .copied()
        .filter(|p| process_alive(*p))
        .collect();
    // Do not leave them running if an assertion fails.
    for pid in &left {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
    let status = status.expect("the host stops while the plugin is loading");
    assert!(status.success(), "exit status {status:?}");
    assert!(left.is_empty(), "processes left behind: {left:?}");
    let log = host.log_text();
    assert!(!log.contains("panicked"), "log:\n{log}");
}
