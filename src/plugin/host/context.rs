//! State shared by the services of one server, and the [`Backend`] that runs
//! plugin routes.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;
use tokio::sync::mpsc;
use tonic::{Request, Status};

use super::error::{PluginError, StatusKind};
use super::handler::Pool;
use super::handler::item::Item;

/// A future the host can keep past the call that made it.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Runs plugin routes. The handler pool is the real one; tests use their own.
pub trait Backend: Send + Sync + 'static {
    /// A unary route; `datetimes` names the parameters the plugin gets as
    /// datetimes (see [`Pool::call_with_datetimes`]).
    fn call(
        &self,
        method: &str,
        params: Value,
        datetimes: &'static [&'static str],
    ) -> BoxFuture<Result<Value, PluginError>>;

    /// A streaming route: items as the plugin yields them; dropping the
    /// receiver cancels the call.
    fn stream(
        &self,
        method: &str,
        params: Value,
        datetimes: &'static [&'static str],
    ) -> BoxFuture<Result<ItemReceiver, PluginError>>;
}

/// The items of a streaming route, as the plugin yields them.
pub type ItemReceiver = mpsc::Receiver<Result<Item, PluginError>>;

/// The backend the services of one server share.
pub type SharedBackend = Arc<dyn Backend>;

impl Backend for Pool {
    fn call(
        &self,
        method: &str,
        params: Value,
        datetimes: &'static [&'static str],
    ) -> BoxFuture<Result<Value, PluginError>> {
        let (pool, method) = (self.clone(), method.to_string());
        Box::pin(async move { pool.call_with_datetimes(&method, params, datetimes).await })
    }

    fn stream(
        &self,
        method: &str,
        params: Value,
        datetimes: &'static [&'static str],
    ) -> BoxFuture<Result<ItemReceiver, PluginError>> {
        let (pool, method) = (self.clone(), method.to_string());
        Box::pin(async move { pool.stream_with_datetimes(&method, params, datetimes).await })
    }
}

/// Options of the command line that change how some kind shapes its answers;
/// a kind that has no use for one ignores it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KindOptions {
    /// Also send JSON text fields decoded, for inventory 1.x (`--inventory-v1`).
    pub inventory_v1: bool,
}

/// Keys whose values never appear in logs.
pub const DEFAULT_MASK_KEYS: &[&str] = &["secret_data"];

/// Host state shared by the services: the plugin's package directory, which
/// keys are masked in logs, the number of plugin calls in progress, and the
/// kind options of the command line.
#[derive(Debug, Clone)]
pub struct HostContext {
    inner: Arc<ContextInner>,
    options: KindOptions,
}

#[derive(Debug)]
struct ContextInner {
    package_dir: PathBuf,
    mask_keys: Vec<String>,
    calls: AtomicUsize,
}

/// Counts a plugin call as in progress while it is alive.
#[derive(Debug)]
pub struct CallGuard(HostContext);

impl Drop for CallGuard {
    fn drop(&mut self) {
        self.0.inner.calls.fetch_sub(1, Ordering::SeqCst);
    }
}

impl HostContext {
    pub fn new(package_dir: PathBuf) -> HostContext {
        HostContext {
            inner: Arc::new(ContextInner {
                package_dir,
                mask_keys: DEFAULT_MASK_KEYS.iter().map(|k| k.to_string()).collect(),
                calls: AtomicUsize::new(0),
            }),
            options: KindOptions::default(),
        }
    }

    /// The same context with these kind options.
    pub fn with_options(mut self, options: KindOptions) -> HostContext {
        self.options = options;
        self
    }

    pub fn options(&self) -> KindOptions {
        self.options
    }

    /// The directory of the plugin's package (relative file names a plugin
    /// returns are taken from there).
    pub fn package_dir(&self) -> &Path {
        &self.inner.package_dir
    }

    pub fn mask_keys(&self) -> &[String] {
        &self.inner.mask_keys
    }

    /// Plugin calls in progress; a streamed call counts until its stream ends
    /// or is dropped.
    pub fn calls_in_progress(&self) -> usize {
        self.inner.calls.load(Ordering::SeqCst)
    }

    /// Marks a plugin call as in progress until the guard is dropped.
    pub fn call_started(&self) -> CallGuard {
        self.inner.calls.fetch_add(1, Ordering::SeqCst);
        CallGuard(self.clone())
    }
}

/// The gRPC status of a plugin error: its status kind, details `CODE: message`
/// (shortened to fit a response header, [`PluginError::wire_details`]).
pub fn to_status(e: &PluginError) -> Status {
    let code = match e.status {
        StatusKind::InvalidArgument => tonic::Code::InvalidArgument,
        StatusKind::NotFound => tonic::Code::NotFound,
        StatusKind::AlreadyExists => tonic::Code::AlreadyExists,
        StatusKind::Unauthenticated => tonic::Code::Unauthenticated,
        StatusKind::PermissionDenied => tonic::Code::PermissionDenied,
        StatusKind::DeadlineExceeded => tonic::Code::DeadlineExceeded,
        StatusKind::Unimplemented => tonic::Code::Unimplemented,
        StatusKind::Unavailable => tonic::Code::Unavailable,
        StatusKind::Cancelled => tonic::Code::Cancelled,
        StatusKind::ResourceExhausted => tonic::Code::ResourceExhausted,
        StatusKind::Internal => tonic::Code::Internal,
    };
    Status::new(code, e.wire_details())
}

/// The W3C `traceparent` a client sent, if any (it names the call's trace).
pub fn traceparent<T>(req: &Request<T>) -> Option<String> {
    req.metadata()
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}
