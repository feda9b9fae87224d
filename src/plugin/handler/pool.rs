//! The pool of long-lived handler processes: spawned lazily up to `workers`,
//! reused when idle, replaced after any fault; requests queue while all are busy.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};
use tokio::time::Instant;

use super::process::{Handler, Line, Registry, Spec, lock};
use super::protocol::{
    Hello, Reply, exited_error, line_too_long_error, parse_hello, parse_reply, protocol_error,
    request_line, shutting_down_error, timeout_error, unavailable_error,
};
use crate::plugin::error::PluginError;

/// Streamed items buffered between the handler and the caller.
const STREAM_BUFFER: usize = 16;
/// How long a handler that closed its output may take to exit before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(2);
/// How long idle handlers get to exit after their input is closed at shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);
/// Bounds of the wait for a new handler's ready message.
const READY_FLOOR: Duration = Duration::from_secs(10);
const READY_DEFAULT: Duration = Duration::from_secs(120);

pub(super) struct Inner {
    spec: Spec,
    timeout: Option<Duration>,
    ready_limit: Duration,
    permits: Arc<Semaphore>,
    idle: std::sync::Mutex<Vec<Handler>>,
    registry: Registry,
    closed: AtomicBool,
    stop: watch::Sender<bool>,
    next_id: AtomicU64,
    next_serial: AtomicU64,
}

/// Why a new handler did not become ready.
pub(super) enum SpawnFailure {
    /// The handler reported that the plugin cannot be loaded.
    Plugin { message: String, exit_code: i32 },
    /// The process could not be started, exited, hung, or broke the protocol.
    Process(String),
}

impl SpawnFailure {
    pub(super) fn text(&self) -> &str {
        match self {
            SpawnFailure::Plugin { message, .. } | SpawnFailure::Process(message) => message,
        }
    }
}

pub(super) struct ReadyInfo {
    pub routes: Vec<String>,
    pub package_dir: Option<PathBuf>,
}

impl Inner {
    pub(super) fn new(spec: Spec, workers: usize, timeout: Option<Duration>) -> Arc<Inner> {
        let ready_limit = timeout.map_or(READY_DEFAULT, |t| t.max(READY_FLOOR));
        Arc::new(Inner {
            spec,
            timeout,
            ready_limit,
            permits: Arc::new(Semaphore::new(workers.clamp(1, Semaphore::MAX_PERMITS))),
            idle: std::sync::Mutex::new(Vec::new()),
            registry: Registry::default(),
            closed: AtomicBool::new(false),
            stop: watch::channel(false).0,
            next_id: AtomicU64::new(1),
            next_serial: AtomicU64::new(1),
        })
    }

    /// Start one handler and wait for its ready message.
    pub(super) async fn spawn_ready(&self) -> Result<(Handler, ReadyInfo), SpawnFailure> {
        let serial = self.next_serial.fetch_add(1, Ordering::Relaxed);
        let mut handler = Handler::spawn(&self.spec, serial, &self.registry).map_err(|e| {
            SpawnFailure::Process(if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "command not found: {}{}",
                    self.spec.display, self.spec.missing_hint
                )
            } else {
                format!("cannot run {}: {e}", self.spec.display)
            })
        })?;
        let first = tokio::time::timeout(self.ready_limit, handler.read_line()).await;
        let line = match first {
            Err(_) => {
                let _ = handler.kill().await;
                return Err(SpawnFailure::Process(format!(
                    "{} was not ready within {}",
                    self.spec.display,
                    super::protocol::format_duration(self.ready_limit)
                )));
            }
            Ok(Ok(Line::Data(line))) => line,
            Ok(Ok(Line::TooLong)) => {
                let _ = handler.kill().await;
                return Err(SpawnFailure::Process(format!(
                    "{} sent a first line longer than the protocol limit",
                    self.spec.display
                )));
            }
            Ok(Ok(Line::Eof)) | Ok(Err(_)) => {
                let exit = handler.finish(EXIT_GRACE).await;
                return Err(SpawnFailure::Process(format!(
                    "{} exited before it was ready ({exit})",
                    self.spec.display
                )));
            }
        };
        match parse_hello(&line) {
            Ok(Hello::Ready {
                routes,
                package_dir,
            }) => Ok((
                handler,
                ReadyInfo {
                    routes,
                    package_dir,
                },
            )),
            Ok(Hello::StartupError { message, exit_code }) => {
                let _ = handler.finish(EXIT_GRACE).await;
                Err(SpawnFailure::Plugin { message, exit_code })
            }
            Err(violation) => {
                let _ = handler.kill().await;
                Err(SpawnFailure::Process(format!(
                    "{} did not start the protocol: {violation}",
                    self.spec.display
                )))
            }
        }
    }

    pub(super) fn put_idle(&self, handler: Handler) {
        if self.closed.load(Ordering::SeqCst) {
            drop(handler);
        } else {
            lock(&self.idle).push(handler);
        }
    }

    async fn acquire(self: &Arc<Self>) -> Result<Lease, PluginError> {
        if self.closed.load(Ordering::SeqCst) {
            return Err(shutting_down_error());
        }
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| shutting_down_error())?;
        loop {
            let candidate = lock(&self.idle).pop();
            match candidate {
                Some(handler) => {
                    if handler.is_running() {
                        return Ok(Lease::new(self.clone(), handler, permit));
                    }
                }
                None => break,
            }
        }
        match self.spawn_ready().await {
            Ok((handler, _)) => Ok(Lease::new(self.clone(), handler, permit)),
            Err(failure) => Err(unavailable_error(failure.text())),
        }
    }

    fn deadline(&self) -> Option<Instant> {
        self.timeout.map(|t| Instant::now() + t)
    }

    fn fault(&self, error: PluginError) -> PluginError {
        if self.closed.load(Ordering::SeqCst) {
            shutting_down_error()
        } else {
            error
        }
    }

    pub(super) async fn call(
        self: &Arc<Self>,
        method: &str,
        params: &Value,
    ) -> Result<Value, PluginError> {
        let mut lease = self.acquire().await?;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        lease.send(method, id, false, params).await?;
        let deadline = self.deadline();
        match lease.next_reply(method, id, deadline).await? {
            Reply::Result(value) => {
                lease.release();
                Ok(value)
            }
            Reply::Error(error) => {
                lease.release();
                Err(error)
            }
            Reply::Item(_) | Reply::Done => Err(lease
                .discard(protocol_error(method, "streamed reply to a unary request"))
                .await),
        }
    }

    pub(super) async fn stream(
        self: &Arc<Self>,
        method: &str,
        params: &Value,
    ) -> Result<mpsc::Receiver<Result<Value, PluginError>>, PluginError> {
        let mut lease = self.acquire().await?;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        lease.send(method, id, true, params).await?;
        let (tx, rx) = mpsc::channel(STREAM_BUFFER);
        let deadline = self.deadline();
        let method = method.to_string();
        tokio::spawn(async move {
            stream_task(lease, method, id, deadline, tx).await;
        });
        Ok(rx)
    }

    pub(super) async fn shutdown(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.permits.close();
        self.stop.send_replace(true);
        let idle: Vec<Handler> = std::mem::take(&mut *lock(&self.idle));
        let closing: Vec<_> = idle.into_iter().map(|h| h.close(SHUTDOWN_GRACE)).collect();
        futures_util::future::join_all(closing).await;
        // Busy handlers were told to stop; wait (bounded) until they are reaped.
        let until = Instant::now() + SHUTDOWN_GRACE;
        while !lock(&self.registry).is_empty() && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn stream_task(
    mut lease: Lease,
    method: String,
    id: u64,
    deadline: Option<Instant>,
    tx: mpsc::Sender<Result<Value, PluginError>>,
) {
    loop {
        let reply = tokio::select! {
            // The caller dropped the receiver: stop the work.
            _ = tx.closed() => None,
            reply = lease.next_reply(&method, id, deadline) => Some(reply),
        };
        let Some(reply) = reply else {
            lease.discard(shutting_down_error()).await;
            return;
        };
        match reply {
            Ok(Reply::Item(item)) => {
                let sent = tokio::select! {
                    sent = tx.send(Ok(item)) => Some(sent.is_ok()),
                    _ = sleep_until(deadline) => None,
                };
                match sent {
                    Some(true) => {}
                    // The caller went away while the item waited for room.
                    Some(false) => {
                        lease.discard(shutting_down_error()).await;
                        return;
                    }
                    None => {
                        let error = timeout_error(&method, lease.timeout());
                        let error = lease.discard(error).await;
                        drop(lease);
                        let _ = tx.send(Err(error)).await;
                        return;
                    }
                }
            }
            Ok(Reply::Done) => {
                lease.release();
                return;
            }
            Ok(Reply::Error(error)) => {
                lease.release();
                let _ = tx.send(Err(error)).await;
                return;
            }
            Ok(Reply::Result(_)) => {
                let error = lease
                    .discard(protocol_error(
                        &method,
                        "unary reply to a streaming request",
                    ))
                    .await;
                drop(lease);
                let _ = tx.send(Err(error)).await;
                return;
            }
            Err(error) => {
                drop(lease);
                let _ = tx.send(Err(error)).await;
                return;
            }
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// A handler taken from the pool for one request. Unless released after a clean
/// final reply, the handler is killed (also when the lease is dropped mid-call).
struct Lease {
    inner: Arc<Inner>,
    handler: Option<Handler>,
    stop: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
}

impl Lease {
    fn new(inner: Arc<Inner>, handler: Handler, permit: OwnedSemaphorePermit) -> Lease {
        let stop = inner.stop.subscribe();
        Lease {
            inner,
            handler: Some(handler),
            stop,
            _permit: permit,
        }
    }

    fn timeout(&self) -> Duration {
        self.inner.timeout.unwrap_or_default()
    }

    async fn send(
        &mut self,
        method: &str,
        id: u64,
        stream: bool,
        params: &Value,
    ) -> Result<(), PluginError> {
        let line = request_line(id, method, stream, params);
        let Some(handler) = self.handler.as_mut() else {
            return Err(shutting_down_error());
        };
        match handler.write_line(&line).await {
            Ok(()) => Ok(()),
            Err(_) => Err(self.exited(method).await),
        }
    }

    /// The next reply to `id`; any fault kills the handler and becomes the error.
    async fn next_reply(
        &mut self,
        method: &str,
        id: u64,
        deadline: Option<Instant>,
    ) -> Result<Reply, PluginError> {
        let Some(handler) = self.handler.as_mut() else {
            return Err(shutting_down_error());
        };
        let mut stop = self.stop.clone();
        let stopped = async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        };
        let line = tokio::select! {
            line = handler.read_line() => Ok(line),
            _ = sleep_until(deadline) => Err(timeout_error(method, self.timeout())),
            _ = stopped => Err(shutting_down_error()),
        };
        let line = match line {
            Ok(line) => line,
            Err(error) => return Err(self.discard(error).await),
        };
        match line {
            Ok(Line::Data(bytes)) => match parse_reply(&bytes, id) {
                Ok(reply) => Ok(reply),
                Err(violation) => Err(self.discard(protocol_error(method, &violation)).await),
            },
            Ok(Line::TooLong) => Err(self.discard(line_too_long_error(method)).await),
            Ok(Line::Eof) | Err(_) => Err(self.exited(method).await),
        }
    }

    /// The handler closed its output: collect how it ended.
    async fn exited(&mut self, method: &str) -> PluginError {
        let exit = match self.handler.take() {
            Some(handler) => handler.finish(EXIT_GRACE).await,
            None => String::new(),
        };
        self.inner.fault(exited_error(method, &exit))
    }

    /// Kill the handler after a fault; returns `error` (or the shutdown error).
    async fn discard(&mut self, error: PluginError) -> PluginError {
        if let Some(handler) = self.handler.take() {
            let _ = handler.kill().await;
        }
        self.inner.fault(error)
    }

    /// Return a healthy handler to the pool.
    fn release(mut self) {
        if let Some(handler) = self.handler.take() {
            self.inner.put_idle(handler);
        }
    }
}
