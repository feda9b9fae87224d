//! The plugin host's gRPC server: the services of the kind it is given, plus
//! Health, ServerInfo and server reflection (v1alpha and v1) in the form
//! SpaceONE's Python clients accept: exactly the kind's services and those two
//! listed, one file per answer, Python-style file names
//! (`grpc_health/v1/health.proto`).
//!
//! Lifecycle: bind (a busy port is an error), start the handler pool (fails
//! fast with the plugin's import error), choose the kind from what the plugin
//! is, log the two startup lines, serve. On SIGINT/SIGTERM (and SIGHUP, and
//! SIGQUIT, which first logs the state of the handler pool) new connections are
//! refused, in-flight calls get a grace period (one log line says how many and
//! for how long), then the pool is shut down. A second signal cancels the calls
//! at once, shuts the pool down the same way and exits with status 130:
//! whichever way the host stops, no handler process (nor anything it started)
//! is left running; should the host itself be killed (SIGKILL), its death
//! watch stops the handlers' process groups. As process 1 (in a container)
//! the host also reaps the processes it adopts.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prost::Message;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::server::TcpIncoming;
use tonic::{Request, Response, Status, Streaming};

use super::codec::{HostDecode, prost_decode};
use super::context::{HostContext, SharedBackend};
use super::gate::Gated;
use super::handler::{HandlerConfig, Pool, Ready};
use super::kind::{KindOptions, KindSpec, Serving};
use super::log;
use super::router::KindRouter;
use crate::error::AppError;

/// Code generated from `proto/` by build.rs (the services every kind serves).
#[allow(nonstandard_style, dead_code, clippy::all)]
pub mod pb {
    pub mod core {
        tonic::include_proto!("spaceone.api.core.v1");
    }
    pub mod health {
        tonic::include_proto!("grpc.health.v1");
    }
}

/// How long in-flight calls may run after a stop signal.
pub const GRACE_PERIOD: Duration = Duration::from_secs(10);

/// Everything `spacectl run plugin-server` needs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The plugin package, e.g. `plugin`; its last dotted component names the service.
    pub package: String,
    pub host: String,
    pub port: u16,
    pub handler: HandlerConfig,
    /// Options of the command line for particular kinds.
    pub options: KindOptions,
    /// The plugin kind named on the command line (`--kind`); by default
    /// `select` decides from what the plugin is.
    pub kind: Option<String>,
    /// Chooses the kind to serve: from `--kind` when given, else from the
    /// handler's ready report (the class of the plugin's app, its routes).
    pub select: fn(Option<&str>, &Ready) -> Result<&'static KindSpec, String>,
}

/// The listen address for a host and port: IPv6 literals get brackets.
pub fn listen_addr(host: &str, port: u16) -> String {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    if h.contains(':') {
        format!("[{h}]:{port}")
    } else {
        format!("{h}:{port}")
    }
}

/// The service key of a package (its last dotted component).
pub fn service_key(package: &str) -> &str {
    package.rsplit('.').next().unwrap_or(package)
}

/// Binds the listening socket without SO_REUSEPORT, so a port that is already
/// taken is reported instead of silently shared. The default `::` falls back
/// to `0.0.0.0` on hosts without IPv6.
pub async fn bind(host: &str, port: u16) -> Result<TcpListener, AppError> {
    let addr = listen_addr(host, port);
    match TcpListener::bind(&addr).await {
        Ok(l) => Ok(l),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => Err(AppError::msg(format!(
            "Cannot listen on {addr}: port {port} is already in use.\n\
             hint: another server listens there (an earlier plugin server?): stop it, or choose another port with -p PORT, or -p 0 for any free one"
        ))),
        Err(e) if host == "::" => TcpListener::bind(listen_addr("0.0.0.0", port))
            .await
            .map_err(|e2| {
                AppError::msg(format!(
                    "Cannot listen on {addr}: {e}; 0.0.0.0:{port}: {e2}"
                ))
            }),
        Err(e) => Err(AppError::msg(format!("Cannot listen on {addr}: {e}"))),
    }
}

/// Exit status after a second stop signal (as for an interrupted program).
pub const SECOND_SIGNAL_EXIT: i32 = 130;

/// Runs the plugin server until SIGINT/SIGTERM (blocking; owns its runtime).
pub fn run(opts: ServeOptions) -> Result<(), AppError> {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .max(2);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .map_err(|e| AppError::msg(format!("Cannot start the runtime: {e}")))?;
    let result = rt.block_on(run_async(opts));
    // The pool has been shut down (every handler reaped); do not wait for stuck tasks.
    rt.shutdown_timeout(Duration::from_millis(200));
    result
}

async fn run_async(opts: ServeOptions) -> Result<(), AppError> {
    let listener = bind(&opts.host, opts.port).await?;
    let workers = opts.handler.workers;
    // Listen for signals before the first handler starts, so that a stop during a
    // slow plugin import also stops that handler and what it started.
    let signals = Signals::install();
    pid1::adopt_orphans();
    // What plugins print themselves is masked like the host's own lines.
    super::handler::set_output_filter(log::redact_plugin_output);
    super::handler::watchdog::start().map_err(|e| {
        AppError::msg(format!(
            "Cannot start the watch over the plugin handlers: {e}"
        ))
    })?;
    let result = serve_plugin(opts, listener, workers, &signals).await;
    super::handler::watchdog::stop();
    result
}

async fn serve_plugin(
    opts: ServeOptions,
    listener: TcpListener,
    workers: usize,
    signals: &Signals,
) -> Result<(), AppError> {
    let Some((pool, ready)) = Pool::start_unless(opts.handler.clone(), signals.received(1))
        .await
        .map_err(|e| AppError::plain(e.message, e.exit_code))?
    else {
        return Ok(());
    };
    let described = pool.clone();
    signals.on_quit(move || log::pool_state(&described.describe()));
    let kind = match (opts.select)(opts.kind.as_deref(), &ready) {
        Ok(kind) => kind,
        Err(message) => {
            pool.shutdown().await;
            return Err(AppError::msg(message));
        }
    };
    let ctx = HostContext::new(ready.package_dir.clone()).with_options(opts.options);
    let service = service_key(&opts.package).to_string();
    let listed = kind.listed_services();
    let listed: Vec<&str> = listed.iter().map(String::as_str).collect();
    // Port 0 lets the system choose: the start line names the port chosen.
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(opts.port);
    log::startup(&listed, &service, port, workers);

    let serving = serve_kind(
        listener,
        Arc::new(pool.clone()),
        kind,
        ctx.clone(),
        &service,
        signals.received(1),
        GRACE_PERIOD,
    );
    // A second signal abandons the calls in progress: dropping them stops their
    // handlers (with their process groups). Every way out shuts the pool down,
    // which stops the other handlers, and only then returns.
    let result = tokio::select! {
        r = serving => r,
        () = signals.received(2) => {
            log::cancelling(ctx.calls_in_progress(), "Second stop signal");
            Err(AppError::plain(
                "Stopped by a second signal; the calls in progress were cancelled.",
                SECOND_SIGNAL_EXIT,
            ))
        }
    };
    pool.shutdown().await;
    result
}

/// What SIGQUIT reports before it counts as a stop signal.
type QuitReport = Arc<Mutex<Option<Box<dyn Fn() + Send>>>>;

/// Counts the stop signals (SIGINT, SIGTERM, SIGHUP, SIGQUIT) received since
/// [`Signals::install`].
#[derive(Clone)]
struct Signals {
    stops: watch::Receiver<u32>,
    report: QuitReport,
}

impl Signals {
    /// Must run inside the runtime: the handlers are registered at once, so
    /// that from here on a signal is never left to its default action.
    fn install() -> Signals {
        let (tx, stops) = watch::channel(0u32);
        let report: QuitReport = Arc::new(Mutex::new(None));
        let reporter = report.clone();
        let mut listener = StopListener::new();
        tokio::spawn(async move {
            loop {
                if listener.next().await
                    && let Some(report) =
                        reporter.lock().unwrap_or_else(|e| e.into_inner()).as_ref()
                {
                    report();
                }
                tx.send_modify(|n| *n += 1);
            }
        });
        Signals { stops, report }
    }

    /// What SIGQUIT writes to the log before the host stops.
    fn on_quit(&self, report: impl Fn() + Send + 'static) {
        *self.report.lock().unwrap_or_else(|e| e.into_inner()) = Some(Box::new(report));
    }

    /// Resolves once `n` signals have arrived.
    fn received(&self, n: u32) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.stops.clone();
        async move {
            let _ = rx.wait_for(|count| *count >= n).await;
        }
    }
}

/// SIGINT, SIGTERM, SIGHUP and SIGQUIT, registered once so that none is
/// missed between two (and none is left to its default action, which would
/// end the host without stopping its handlers).
struct StopListener {
    #[cfg(unix)]
    streams: Option<[tokio::signal::unix::Signal; 4]>,
}

impl StopListener {
    fn new() -> StopListener {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let streams = (|| {
                Ok::<_, std::io::Error>([
                    signal(SignalKind::interrupt())?,
                    signal(SignalKind::terminate())?,
                    signal(SignalKind::hangup())?,
                    signal(SignalKind::quit())?,
                ])
            })();
            StopListener {
                streams: streams.ok(),
            }
        }
        #[cfg(not(unix))]
        StopListener {}
    }

    /// The next stop signal; true when it is SIGQUIT.
    async fn next(&mut self) -> bool {
        #[cfg(unix)]
        if let Some([int, term, hup, quit]) = &mut self.streams {
            return tokio::select! {
                _ = int.recv() => false,
                _ = term.recv() => false,
                _ = hup.recv() => false,
                _ = quit.recv() => true,
            };
        }
        let _ = tokio::signal::ctrl_c().await;
        false
    }
}

/// Duties of process 1: in a container the host is often the first process
/// (`ENTRYPOINT ["spaceone"]`), and processes whose parent has ended (what
/// plugin code leaves behind when a handler stops) are adopted by it.
mod pid1 {
    /// When this process is process 1, reap adopted processes as they end, so
    /// they do not stay as zombies. Only processes that do not lead a process
    /// group are reaped: every handler leads its own group and is reaped by its
    /// owner.
    pub fn adopt_orphans() {
        #[cfg(target_os = "linux")]
        if std::process::id() == 1 {
            tokio::spawn(async {
                use tokio::signal::unix::{SignalKind, signal};
                let mut exited = signal(SignalKind::child()).ok();
                loop {
                    reap_adopted();
                    let tick = tokio::time::sleep(std::time::Duration::from_secs(5));
                    match &mut exited {
                        Some(s) => {
                            tokio::select! {
                                _ = s.recv() => {}
                                () = tick => {}
                            }
                        }
                        None => tick.await,
                    }
                }
            });
        }
    }

    /// State, parent and process group from the text of `/proc/<pid>/stat`.
    pub fn parse_stat(stat: &str) -> Option<(char, u32, u32)> {
        let rest = &stat[stat.rfind(')')? + 1..];
        let mut fields = rest.split_whitespace();
        let state = fields.next()?.chars().next()?;
        let ppid = fields.next()?.parse().ok()?;
        let pgrp = fields.next()?.parse().ok()?;
        Some((state, ppid, pgrp))
    }

    /// Children of ours that have ended and do not lead a process group.
    #[cfg(target_os = "linux")]
    fn reap_adopted() {
        let me = std::process::id();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return;
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
            if let Some(('Z', ppid, pgrp)) = parse_stat(&stat)
                && ppid == me
                && pgrp != pid
                && let Ok(pid) = i32::try_from(pid)
            {
                let mut status = 0;
                // SAFETY: waitpid(2) on one exited child of ours that no other part
                // of the host waits for (it does not lead a process group).
                unsafe {
                    libc::waitpid(pid, &mut status, libc::WNOHANG);
                }
            }
        }
    }
}

/// Serves `kind` (its services, then Health, ServerInfo and reflection
/// listing them) on `listener` until `stop` resolves, then lets in-flight
/// calls finish for up to `grace`.
pub async fn serve_kind(
    listener: TcpListener,
    backend: SharedBackend,
    kind: &'static KindSpec,
    ctx: HostContext,
    service_key: &str,
    stop: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> Result<(), AppError> {
    let listed = kind.listed_services();
    let listed: Vec<&str> = listed.iter().map(String::as_str).collect();
    let index =
        Arc::new(ReflectionIndex::build(kind.descriptor_set, &listed).map_err(AppError::msg)?);
    let (down_tx, down_rx) = watch::channel(false);
    let health = HealthService::new(service_key, down_rx);

    let mut routes = tonic::service::Routes::builder();
    match kind.serving {
        Serving::Own(add) => add(&mut routes, backend.clone(), &ctx),
        Serving::Routes => {}
    }
    add_common_services(&mut routes, health, index);
    let mut routes = routes.routes();
    if let Serving::Routes = kind.serving {
        let router = KindRouter::new(kind, backend, ctx.clone()).map_err(AppError::msg)?;
        let axum_router = routes.axum_router_mut();
        let mut r = std::mem::take(axum_router);
        for s in kind.service_names() {
            r = r.route_service(&format!("/{s}/{{*rest}}"), router.clone());
        }
        *axum_router = r;
    }
    serve_routes(routes, listener, ctx, stop, grace, down_tx).await
}

/// Adds the services every plugin kind serves, each through the size gate:
/// Health, ServerInfo and reflection (v1alpha and v1) listing `index`.
pub fn add_common_services(
    routes: &mut tonic::service::RoutesBuilder,
    health: HealthService,
    index: Arc<ReflectionIndex>,
) {
    routes
        .add_service(Gated(pb::health::health_server::HealthServer::new(health)))
        .add_service(Gated(pb::core::server_info_server::ServerInfoServer::new(
            ServerInfoService,
        )))
        .add_service(Gated(
            tonic_reflection::pb::v1alpha::server_reflection_server::ServerReflectionServer::new(
                ReflectionV1Alpha(index.clone()),
            ),
        ))
        .add_service(Gated(
            tonic_reflection::pb::v1::server_reflection_server::ServerReflectionServer::new(
                ReflectionV1(index),
            ),
        ));
}

/// Serves `routes` on `listener` until `stop` resolves, then lets in-flight
/// calls finish for up to `grace`; `down` ends Health watches at the stop.
pub async fn serve_routes(
    routes: tonic::service::Routes,
    listener: TcpListener,
    ctx: HostContext,
    stop: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
    down: watch::Sender<bool>,
) -> Result<(), AppError> {
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    let (signalled_tx, mut signalled_rx) = watch::channel(false);
    let calls = ctx.clone();
    let shutdown = async move {
        stop.await;
        log::stopping(calls.calls_in_progress(), grace);
        let _ = signalled_tx.send(true);
        // Endless streams (Health.Watch) end so they do not hold the grace period.
        let _ = down.send(true);
    };
    let server = tonic::transport::Server::builder()
        .add_routes(routes)
        .serve_with_incoming_shutdown(incoming, shutdown);
    tokio::pin!(server);

    tokio::select! {
        r = &mut server => return r.map_err(|e| AppError::msg(format!("gRPC server failed: {e}"))),
        _ = signalled_rx.wait_for(|s| *s) => {}
    }
    match tokio::time::timeout(grace, &mut server).await {
        Ok(r) => r.map_err(|e| AppError::msg(format!("gRPC server failed: {e}"))),
        // Calls still running after the grace period are dropped, which
        // cancels their handler work.
        Err(_) => {
            log::cancelling(ctx.calls_in_progress(), "Grace period over");
            Ok(())
        }
    }
}

impl HostDecode for () {
    fn host_decode(bytes: &[u8]) -> Result<Self, Status> {
        prost_decode(bytes)
    }
}

impl HostDecode for pb::health::HealthCheckRequest {
    fn host_decode(bytes: &[u8]) -> Result<Self, Status> {
        prost_decode(bytes)
    }
}

// ---------------------------------------------------------------------------
// ServerInfo

/// `get_version`: plugin packages have no installed SpaceONE distribution, so
/// the version is `UNKNOWN`, as upstream reports for them.
#[derive(Debug, Clone, Copy)]
pub struct ServerInfoService;

#[tonic::async_trait]
impl pb::core::server_info_server::ServerInfo for ServerInfoService {
    async fn get_version(
        &self,
        _req: Request<()>,
    ) -> Result<Response<pb::core::VersionInfo>, Status> {
        Ok(Response::new(pb::core::VersionInfo {
            version: "UNKNOWN".to_string(),
        }))
    }
}

// ---------------------------------------------------------------------------
// Health

use pb::health::health_check_response::ServingStatus;

/// `Check` answers SERVING for any name and marks the plugin's own service key
/// as SERVING; `Watch` streams the status of one name (SERVICE_UNKNOWN until
/// something sets it; `""` is SERVING from the start).
#[derive(Debug, Clone)]
pub struct HealthService {
    statuses: Arc<Mutex<HashMap<String, watch::Sender<i32>>>>,
    service_key: String,
    down: watch::Receiver<bool>,
}

impl HealthService {
    pub fn new(service_key: &str, down: watch::Receiver<bool>) -> HealthService {
        let mut map = HashMap::new();
        map.insert(
            String::new(),
            watch::channel(ServingStatus::Serving as i32).0,
        );
        HealthService {
            statuses: Arc::new(Mutex::new(map)),
            service_key: service_key.to_string(),
            down,
        }
    }

    fn set(&self, name: &str, status: ServingStatus) {
        let mut map = self.statuses.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(name) {
            Some(tx) => {
                tx.send_replace(status as i32);
            }
            None => {
                map.insert(name.to_string(), watch::channel(status as i32).0);
            }
        }
    }

    fn subscribe(&self, name: &str) -> watch::Receiver<i32> {
        let mut map = self.statuses.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(name.to_string())
            .or_insert_with(|| watch::channel(ServingStatus::ServiceUnknown as i32).0)
            .subscribe()
    }
}

#[tonic::async_trait]
impl pb::health::health_server::Health for HealthService {
    async fn check(
        &self,
        _req: Request<pb::health::HealthCheckRequest>,
    ) -> Result<Response<pb::health::HealthCheckResponse>, Status> {
        self.set(&self.service_key, ServingStatus::Serving);
        Ok(Response::new(pb::health::HealthCheckResponse {
            status: ServingStatus::Serving as i32,
        }))
    }

    type WatchStream = ReceiverStream<Result<pb::health::HealthCheckResponse, Status>>;

    async fn watch(
        &self,
        req: Request<pb::health::HealthCheckRequest>,
    ) -> Result<Response<Self::WatchStream>, Status> {
        let mut status_rx = self.subscribe(&req.into_inner().service);
        let mut down = self.down.clone();
        let (tx, rx) = mpsc::channel(4);
        tokio::spawn(async move {
            loop {
                let status = *status_rx.borrow_and_update();
                if tx
                    .send(Ok(pb::health::HealthCheckResponse { status }))
                    .await
                    .is_err()
                {
                    return;
                }
                tokio::select! {
                    changed = status_rx.changed() => if changed.is_err() { return },
                    _ = down.wait_for(|d| *d) => return,
                    _ = tx.closed() => return,
                }
            }
        });
        Ok(Response::new(ReceiverStream::new(rx)))
    }
}

// ---------------------------------------------------------------------------
// Reflection

/// One reflection answer, independent of the protocol version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Files(Vec<Vec<u8>>),
    Services(Vec<String>),
    ExtensionNumbers(String),
    Error(i32, String),
}

/// A reflection question, independent of the protocol version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    FileByFilename(String),
    FileContainingSymbol(String),
    FileContainingExtension(String, i32),
    AllExtensionNumbersOfType(String),
    ListServices,
    Empty,
}

/// Descriptor files by name and the file that defines each symbol.
#[derive(Debug)]
pub struct ReflectionIndex {
    files: HashMap<String, Vec<u8>>,
    symbols: HashMap<String, String>,
    messages: std::collections::HashSet<String>,
    services: Vec<String>,
}

/// A file descriptor as a Python server sends it (the form protoc's Python
/// generator embeds): no source info, no `json_name` on fields, and on the
/// methods of SpaceONE's own files an empty `options` (their upstream
/// sources annotate every method; the annotation is not kept).
pub fn python_form(mut file: prost_types::FileDescriptorProto) -> prost_types::FileDescriptorProto {
    fn strip(m: &mut prost_types::DescriptorProto) {
        for f in m.field.iter_mut().chain(m.extension.iter_mut()) {
            f.json_name = None;
        }
        m.nested_type.iter_mut().for_each(strip);
    }
    file.source_code_info = None;
    file.message_type.iter_mut().for_each(strip);
    for f in &mut file.extension {
        f.json_name = None;
    }
    if file.package().starts_with("spaceone.api.") {
        for m in file.service.iter_mut().flat_map(|s| s.method.iter_mut()) {
            m.options.get_or_insert_with(Default::default);
        }
    }
    file
}

/// Python-style names for the reflection protocol's own files.
fn reflection_file_name(package: &str) -> Option<&'static str> {
    match package {
        "grpc.reflection.v1alpha" => Some("grpc_reflection/v1alpha/reflection.proto"),
        "grpc.reflection.v1" => Some("grpc_reflection/v1/reflection.proto"),
        _ => None,
    }
}

impl ReflectionIndex {
    /// Indexes a kind's descriptor set plus the reflection protocol's files
    /// (resolvable by symbol, never listed). `listed` are the services to list.
    pub fn build(descriptor_set: &[u8], listed: &[&str]) -> Result<ReflectionIndex, String> {
        let mut index = ReflectionIndex {
            files: HashMap::new(),
            symbols: HashMap::new(),
            messages: Default::default(),
            services: listed.iter().map(|s| s.to_string()).collect(),
        };
        index.services.sort();
        for set in [
            descriptor_set,
            tonic_reflection::pb::v1alpha::FILE_DESCRIPTOR_SET,
            tonic_reflection::pb::v1::FILE_DESCRIPTOR_SET,
        ] {
            let fds = prost_types::FileDescriptorSet::decode(set)
                .map_err(|e| format!("invalid descriptor set: {e}"))?;
            for mut file in fds.file {
                if let Some(n) = reflection_file_name(file.package()) {
                    file.name = Some(n.to_string());
                }
                index.add_file(python_form(file));
            }
        }
        for s in &index.services {
            if !index.symbols.contains_key(s) {
                return Err(format!("service {s} has no descriptor"));
            }
        }
        Ok(index)
    }

    fn add_file(&mut self, file: prost_types::FileDescriptorProto) {
        let name = file.name().to_string();
        if self.files.contains_key(&name) {
            return;
        }
        let package = file.package().to_string();
        let mut symbols = Vec::new();
        for m in &file.message_type {
            collect_message(&package, m, &mut symbols, &mut self.messages);
        }
        for e in &file.enum_type {
            collect_enum(&package, e, &mut symbols);
        }
        for s in &file.service {
            let sname = qualify(&package, s.name());
            for m in &s.method {
                symbols.push(format!("{sname}.{}", m.name()));
            }
            symbols.push(sname);
        }
        for e in &file.extension {
            symbols.push(qualify(&package, e.name()));
        }
        for s in symbols {
            self.symbols.entry(s).or_insert_with(|| name.clone());
        }
        self.files.insert(name, file.encode_to_vec());
    }

    /// Answers one question, the way a Python reflection server does.
    pub fn answer(&self, q: &Question) -> Answer {
        let not_found = || Answer::Error(tonic::Code::NotFound as i32, "not found".to_string());
        match q {
            Question::ListServices => Answer::Services(self.services.clone()),
            Question::FileByFilename(f) => match self.files.get(f) {
                Some(bytes) => Answer::Files(vec![bytes.clone()]),
                None => not_found(),
            },
            Question::FileContainingSymbol(s) => {
                match self
                    .symbols
                    .get(s.trim_start_matches('.'))
                    .and_then(|f| self.files.get(f))
                {
                    Some(bytes) => Answer::Files(vec![bytes.clone()]),
                    None => not_found(),
                }
            }
            // None of the served files declares extensions.
            Question::FileContainingExtension(..) => not_found(),
            Question::AllExtensionNumbersOfType(t) => {
                if self.messages.contains(t.trim_start_matches('.')) {
                    Answer::ExtensionNumbers(t.clone())
                } else {
                    not_found()
                }
            }
            Question::Empty => Answer::Error(
                tonic::Code::InvalidArgument as i32,
                "invalid argument".to_string(),
            ),
        }
    }
}

fn qualify(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

fn collect_message(
    prefix: &str,
    m: &prost_types::DescriptorProto,
    out: &mut Vec<String>,
    messages: &mut std::collections::HashSet<String>,
) {
    let name = qualify(prefix, m.name());
    for f in &m.field {
        out.push(format!("{name}.{}", f.name()));
    }
    for n in &m.nested_type {
        collect_message(&name, n, out, messages);
    }
    for e in &m.enum_type {
        collect_enum(&name, e, out);
    }
    messages.insert(name.clone());
    out.push(name);
}

fn collect_enum(prefix: &str, e: &prost_types::EnumDescriptorProto, out: &mut Vec<String>) {
    let name = qualify(prefix, e.name());
    for v in &e.value {
        // Enum values live in the enclosing scope, and are also accepted under the enum.
        out.push(qualify(prefix, v.name()));
        out.push(format!("{name}.{}", v.name()));
    }
    out.push(name);
}

/// Implements one reflection protocol version over [`ReflectionIndex`]; the
/// v1alpha and v1 message types have the same shape.
macro_rules! reflection_service {
    ($wrapper:ident) => {
        /// Server reflection over the host's [`ReflectionIndex`].
        #[derive(Debug, Clone)]
        pub struct $wrapper(pub Arc<ReflectionIndex>);

        #[tonic::async_trait]
        impl ServerReflectionTrait for $wrapper {
            type ServerReflectionInfoStream =
                ReceiverStream<Result<ServerReflectionResponse, Status>>;

            async fn server_reflection_info(
                &self,
                req: Request<Streaming<ServerReflectionRequest>>,
            ) -> Result<Response<Self::ServerReflectionInfoStream>, Status> {
                let mut inbound = req.into_inner();
                let index = self.0.clone();
                let (tx, rx) = mpsc::channel(4);
                tokio::spawn(async move {
                    while let Ok(Some(req)) = inbound.message().await {
                        let question = match &req.message_request {
                            None => Question::Empty,
                            Some(MessageRequest::FileByFilename(f)) => {
                                Question::FileByFilename(f.clone())
                            }
                            Some(MessageRequest::FileContainingSymbol(s)) => {
                                Question::FileContainingSymbol(s.clone())
                            }
                            Some(MessageRequest::FileContainingExtension(e)) => {
                                Question::FileContainingExtension(
                                    e.containing_type.clone(),
                                    e.extension_number,
                                )
                            }
                            Some(MessageRequest::AllExtensionNumbersOfType(t)) => {
                                Question::AllExtensionNumbersOfType(t.clone())
                            }
                            Some(MessageRequest::ListServices(_)) => Question::ListServices,
                        };
                        let message_response = match index.answer(&question) {
                            Answer::Files(files) => {
                                MessageResponse::FileDescriptorResponse(FileDescriptorResponse {
                                    file_descriptor_proto: files,
                                })
                            }
                            Answer::Services(names) => {
                                MessageResponse::ListServicesResponse(ListServiceResponse {
                                    service: names
                                        .into_iter()
                                        .map(|name| ServiceResponse { name })
                                        .collect(),
                                })
                            }
                            Answer::ExtensionNumbers(base_type_name) => {
                                MessageResponse::AllExtensionNumbersResponse(
                                    ExtensionNumberResponse {
                                        base_type_name,
                                        extension_number: Vec::new(),
                                    },
                                )
                            }
                            Answer::Error(error_code, error_message) => {
                                MessageResponse::ErrorResponse(ErrorResponse {
                                    error_code,
                                    error_message,
                                })
                            }
                        };
                        let resp = ServerReflectionResponse {
                            valid_host: req.host.clone(),
                            original_request: Some(req),
                            message_response: Some(message_response),
                        };
                        if tx.send(Ok(resp)).await.is_err() {
                            return;
                        }
                    }
                });
                Ok(Response::new(ReceiverStream::new(rx)))
            }
        }
    };
}

mod reflection_v1alpha {
    use super::*;
    use tonic_reflection::pb::v1alpha::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1alpha::server_reflection_response::MessageResponse;
    use tonic_reflection::pb::v1alpha::server_reflection_server::ServerReflection as ServerReflectionTrait;
    use tonic_reflection::pb::v1alpha::{
        ErrorResponse, ExtensionNumberResponse, FileDescriptorResponse, ListServiceResponse,
        ServerReflectionRequest, ServerReflectionResponse, ServiceResponse,
    };
    reflection_service!(ReflectionV1Alpha);
}

mod reflection_v1 {
    use super::*;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
    use tonic_reflection::pb::v1::server_reflection_server::ServerReflection as ServerReflectionTrait;
    use tonic_reflection::pb::v1::{
        ErrorResponse, ExtensionNumberResponse, FileDescriptorResponse, ListServiceResponse,
        ServerReflectionRequest, ServerReflectionResponse, ServiceResponse,
    };
    reflection_service!(ReflectionV1);
}

pub use reflection_v1::ReflectionV1;
pub use reflection_v1alpha::ReflectionV1Alpha;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addresses() {
        assert_eq!(listen_addr("::", 50051), "[::]:50051");
        assert_eq!(listen_addr("[::1]", 1), "[::1]:1");
        assert_eq!(listen_addr("127.0.0.1", 2), "127.0.0.1:2");
        assert_eq!(listen_addr("localhost", 3), "localhost:3");
    }

    #[test]
    fn proc_stat_fields() {
        assert_eq!(
            pid1::parse_stat("42 (sleep) Z 1 17 17 0 -1 4194560 80 0 0 0"),
            Some(('Z', 1, 17))
        );
        // The command name may hold spaces and parentheses.
        assert_eq!(
            pid1::parse_stat("7 (a) b (c)) S 3 7 7 0"),
            Some(('S', 3, 7))
        );
        assert_eq!(pid1::parse_stat("garbage"), None);
        assert_eq!(pid1::parse_stat("1 (x) R"), None);
    }

    #[test]
    fn reflection_sends_files_in_the_python_form() {
        use prost_types::{
            DescriptorProto, FieldDescriptorProto, FileDescriptorProto, MethodDescriptorProto,
            ServiceDescriptorProto, SourceCodeInfo,
        };
        let field = |name: &str| FieldDescriptorProto {
            name: Some(name.into()),
            json_name: Some(name.to_uppercase()),
            ..Default::default()
        };
        let file = |package: &str| FileDescriptorProto {
            name: Some("f.proto".into()),
            package: Some(package.into()),
            message_type: vec![DescriptorProto {
                name: Some("M".into()),
                field: vec![field("a")],
                nested_type: vec![DescriptorProto {
                    name: Some("N".into()),
                    field: vec![field("b")],
                    ..Default::default()
                }],
                ..Default::default()
            }],
            service: vec![ServiceDescriptorProto {
                name: Some("S".into()),
                method: vec![MethodDescriptorProto {
                    name: Some("m".into()),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            source_code_info: Some(SourceCodeInfo::default()),
            ..Default::default()
        };
        let ours = python_form(file("spaceone.api.x"));
        assert_eq!(ours.source_code_info, None);
        assert_eq!(ours.message_type[0].field[0].json_name, None);
        assert_eq!(ours.message_type[0].nested_type[0].field[0].json_name, None);
        assert_eq!(
            ours.service[0].method[0].options,
            Some(prost_types::MethodOptions::default())
        );
        // The empty options are on the wire: tag 4, length 0.
        let mut wire = Vec::new();
        prost::Message::encode(&ours.service[0].method[0], &mut wire).expect("encode");
        assert_eq!(wire, b"\n\x01m\"\x00");
        let other = python_form(file("grpc.health.v1"));
        assert_eq!(other.service[0].method[0].options, None);
        assert_eq!(other.message_type[0].field[0].json_name, None);
    }

    #[test]
    fn service_key_is_last_component() {
        assert_eq!(service_key("plugin"), "plugin");
        assert_eq!(service_key("a.b.dbg"), "dbg");
    }

    #[tokio::test]
    async fn busy_port_is_an_error() {
        let first = bind("127.0.0.1", 0).await.expect("bind");
        let port = first.local_addr().expect("addr").port();
        let err = bind("127.0.0.1", port).await.expect_err("port is taken");
        assert_eq!(
            err.to_string(),
            format!(
                "Cannot listen on 127.0.0.1:{port}: port {port} is already in use.\n\
                 hint: another server listens there (an earlier plugin server?): stop it, or choose another port with -p PORT, or -p 0 for any free one"
            )
        );
    }
}
