//! Handler processes: where the plugin author's code runs.
//!
//! The host talks to each handler over JSON lines on its stdin/stdout
//! (`docs/plugin-protocol.md`); request ids let one process serve several
//! requests at once. The handler's stderr is copied to the host's stderr. By
//! default the handler is the Python runner shipped in this binary
//! (`python/runner.py`, which also brings the stdlib-only SDK
//! `python/spaceone_plugin_sdk.py`) and serves requests on a thread pool;
//! `--handler CMD` runs any other program that speaks the protocol.
//!
//! [`Pool`] runs at most `workers` calls at once (calls queue beyond that) on
//! few long-lived processes (see `pool.rs` for the rules); a handler that
//! declares it serves one request at a time gets one process per call in
//! progress instead. A handler that crashes, hangs past the timeout, prints
//! something that is not the protocol or an over-long line is killed (with its
//! whole process group) or retired, and reaped; the caller gets a
//! gRPC-mappable [`PluginError`]. Dropping a stream's receiver (or a pending
//! `call` future) cancels the call. Calls made inside [`with_trace_id`] pass
//! the transaction id on to the handler.

#[cfg(target_os = "linux")]
mod forkserver;
pub mod item;
mod pool;
mod process;
pub mod protocol;
pub mod python;
pub mod watchdog;

use std::ffi::OsString;
use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::mpsc;

use crate::plugin::host::error::PluginError;
use item::Item;
use pool::{Inner, SpawnFailure};
use process::Spec;
pub use process::set_output_filter;

/// What to run and how: the `run plugin-server` options that concern handlers.
#[derive(Debug, Clone)]
pub struct HandlerConfig {
    /// Importable package name, e.g. `plugin`.
    pub package: String,
    /// `{package}.main:app` style app path.
    pub app_path: String,
    /// Put first on the import path.
    pub source_root: PathBuf,
    /// Each put in front of the source root on the import path.
    pub module_paths: Vec<PathBuf>,
    /// Python interpreter for the runner (default `python3` from PATH).
    pub python: Option<PathBuf>,
    /// Command line of a handler that replaces the Python runner.
    pub handler_cmd: Option<String>,
    /// Most calls in progress at once (0 counts as 1), like upstream's worker threads.
    pub workers: usize,
    /// Most processes of a handler that serves several requests at once
    /// (0: [`default_processes`]).
    pub processes: usize,
    /// Limit per call (for a stream: from the request to its last item); None = no limit.
    pub timeout: Option<Duration>,
    /// Processes without calls for this long are stopped, down to one.
    pub idle_timeout: Duration,
}

/// How long a handler process may sit without calls before it is stopped
/// (one always stays).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Processes of a multiplexing handler by default: one per core, at least one.
pub fn default_processes() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

tokio::task_local! {
    static TRACE_ID: String;
}

/// Run `f` with `trace_id` as the transaction id of the pool calls it makes:
/// handlers receive it with each request (the Python runner gives the plugin's
/// log records of that request this id).
pub async fn with_trace_id<F: Future>(trace_id: String, f: F) -> F::Output {
    TRACE_ID.scope(trace_id, f).await
}

fn current_trace_id() -> Option<String> {
    TRACE_ID.try_with(String::clone).ok()
}

/// The pool of handler processes. Cheap to clone; all clones share the processes.
#[derive(Clone)]
pub struct Pool {
    inner: Arc<Inner>,
}

/// What the first handler reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ready {
    /// Registered routes, e.g. `Collector.init`.
    pub routes: Vec<String>,
    /// Directory of the top-level package; metadata paths are relative to it.
    pub package_dir: PathBuf,
    /// The classes of the app's MRO as `module:QualName`, most derived first
    /// (e.g. `spaceone.cost_analysis.plugin.data_source.lib.server:DataSourcePluginServer`);
    /// empty when the handler does not say.
    pub app_classes: Vec<String>,
    /// The kind the app's SDK server class declares (`plugin_kind`, e.g. `webhook`).
    pub declared_kind: Option<String>,
}

/// The plugin could not be started. For a Python plugin `message` is upstream's
/// final error line (e.g. `ImportError: Cannot import app: No module named 'x.main'`)
/// and `exit_code` its exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartupError {
    pub message: String,
    pub exit_code: i32,
}

impl StartupError {
    fn new(message: impl Into<String>) -> StartupError {
        StartupError {
            message: message.into(),
            exit_code: 1,
        }
    }
}

impl fmt::Display for StartupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StartupError {}

impl Pool {
    /// Start one handler and wait until it has loaded the plugin (the server
    /// uses [`Pool::start_unless`] to stay responsive to signals meanwhile).
    #[allow(dead_code)]
    pub async fn start(cfg: HandlerConfig) -> Result<(Pool, Ready), StartupError> {
        Pool::start_unless(cfg, std::future::pending())
            .await?
            .ok_or_else(|| {
                StartupError::new("The plugin host stopped while the plugin was loading.")
            })
    }

    /// [`Pool::start`], abandoned when `stop` resolves first: the handler that is
    /// starting is then killed with its process group and reaped, and the result
    /// is `Ok(None)`.
    pub async fn start_unless(
        cfg: HandlerConfig,
        stop: impl Future<Output = ()>,
    ) -> Result<Option<(Pool, Ready)>, StartupError> {
        let spec = handler_spec(&cfg)?;
        let processes = if cfg.processes == 0 {
            default_processes()
        } else {
            cfg.processes
        };
        let inner = Inner::new(spec, cfg.workers, processes, cfg.timeout, cfg.idle_timeout);
        let mut starting = Box::pin(inner.spawn_ready());
        let first = tokio::select! {
            first = &mut starting => first,
            () = stop => {
                drop(starting);
                inner.shutdown().await;
                return Ok(None);
            }
        };
        drop(starting);
        Pool::first_ready(inner, &cfg, first).map(Some)
    }

    fn first_ready(
        inner: Arc<Inner>,
        cfg: &HandlerConfig,
        first: Result<(process::Handler, pool::ReadyInfo), SpawnFailure>,
    ) -> Result<(Pool, Ready), StartupError> {
        match first {
            Ok((handler, info)) => {
                inner.add_first(handler, &info);
                let package_dir = info.package_dir.unwrap_or_else(|| default_package_dir(cfg));
                Ok((
                    Pool { inner },
                    Ready {
                        routes: info.routes,
                        package_dir,
                        app_classes: info.app_classes,
                        declared_kind: info.declared_kind,
                    },
                ))
            }
            Err(SpawnFailure::Plugin { message, exit_code }) => {
                Err(StartupError { message, exit_code })
            }
            Err(SpawnFailure::Process(text)) => Err(StartupError::new(format!(
                "The plugin handler could not be started: {text}"
            ))),
        }
    }

    /// Run a unary route (`Collector.init`, `Collector.verify`, `Job.get_tasks`) and
    /// return its raw return value (no datetime parameters; the tests' short form).
    #[allow(dead_code)]
    pub async fn call(&self, method: &str, params: Value) -> Result<Value, PluginError> {
        self.call_with_datetimes(method, params, &[]).await
    }

    /// [`Pool::call`], the handler being told that the parameters `datetimes`
    /// (top-level keys, or dotted paths) are datetimes: a runner of framework
    /// plugins hands them to the plugin as `datetime` objects, as upstream's
    /// request models do.
    pub async fn call_with_datetimes(
        &self,
        method: &str,
        params: Value,
        datetimes: &[&str],
    ) -> Result<Value, PluginError> {
        let trace_id = current_trace_id();
        self.inner
            .call(method, trace_id.as_deref(), datetimes, &params)
            .await
    }

    /// Run a streaming route (`Collector.collect`): its raw items arrive on the
    /// receiver, an error ends the stream, and dropping the receiver cancels the work
    /// (no datetime parameters; the tests' short form).
    #[allow(dead_code)]
    pub async fn stream(
        &self,
        method: &str,
        params: Value,
    ) -> Result<mpsc::Receiver<Result<Item, PluginError>>, PluginError> {
        self.stream_with_datetimes(method, params, &[]).await
    }

    /// [`Pool::stream`] with datetime parameters, as [`Pool::call_with_datetimes`].
    pub async fn stream_with_datetimes(
        &self,
        method: &str,
        params: Value,
        datetimes: &[&str],
    ) -> Result<mpsc::Receiver<Result<Item, PluginError>>, PluginError> {
        let trace_id = current_trace_id();
        self.inner
            .stream(method, trace_id.as_deref(), datetimes, &params)
            .await
    }

    /// Handler processes that take calls now (retired ones not counted; the
    /// fault tests watch it).
    #[allow(dead_code)]
    pub fn processes(&self) -> usize {
        self.inner.process_count()
    }

    /// The state of the pool: processes, their calls, what waits.
    pub fn describe(&self) -> Vec<String> {
        self.inner.describe()
    }

    /// Refuse new calls, stop busy handlers, let idle ones exit (then kill them),
    /// and reap every process.
    pub async fn shutdown(&self) {
        self.inner.shutdown().await;
    }
}

fn default_package_dir(cfg: &HandlerConfig) -> PathBuf {
    let top = cfg.package.split('.').next().unwrap_or_default();
    let dir = cfg.source_root.join(top);
    std::path::absolute(&dir).unwrap_or(dir)
}

/// Environment describing the plugin to any handler (documented in docs/plugin-protocol.md).
fn handler_env(cfg: &HandlerConfig) -> Result<Vec<(String, OsString)>, StartupError> {
    let module_paths = std::env::join_paths(&cfg.module_paths).map_err(|_| {
        StartupError::new(format!(
            "A module path contains the path separator: {:?}",
            cfg.module_paths
        ))
    })?;
    Ok(vec![
        (
            "SPACEONE_PLUGIN_PROTOCOL".to_string(),
            protocol::PROTOCOL_VERSION.to_string().into(),
        ),
        (
            "SPACEONE_PLUGIN_PACKAGE".to_string(),
            cfg.package.clone().into(),
        ),
        (
            "SPACEONE_PLUGIN_APP_PATH".to_string(),
            cfg.app_path.clone().into(),
        ),
        (
            "SPACEONE_PLUGIN_SOURCE_ROOT".to_string(),
            cfg.source_root.clone().into_os_string(),
        ),
        ("SPACEONE_PLUGIN_MODULE_PATHS".to_string(), module_paths),
        (
            "SPACEONE_PLUGIN_WORKERS".to_string(),
            cfg.workers.max(1).to_string().into(),
        ),
    ])
}

fn handler_spec(cfg: &HandlerConfig) -> Result<Spec, StartupError> {
    let env = handler_env(cfg)?;
    if let Some(command) = &cfg.handler_cmd {
        let mut words = protocol::split_command(command)
            .map_err(|e| StartupError::new(format!("Invalid handler command: {e}")))?
            .into_iter()
            .map(OsString::from);
        let program = words.next().unwrap_or_default();
        return Ok(Spec {
            program,
            args: words.collect(),
            env,
            display: command.clone(),
            missing_hint: String::new(),
            fork_server: false,
        });
    }
    let runner = python::runner_path()
        .map_err(|e| StartupError::new(format!("Cannot prepare the Python runner: {e}")))?;
    let python = cfg
        .python
        .clone()
        .map(PathBuf::into_os_string)
        .unwrap_or_else(|| OsString::from("python3"));
    let missing_hint = if cfg.python.is_none() {
        " (install Python 3, or pass --python PATH or --handler CMD)".to_string()
    } else {
        String::new()
    };
    Ok(Spec {
        display: python.to_string_lossy().into_owned(),
        missing_hint,
        program: python,
        args: vec![runner.into_os_string()],
        env,
        fork_server: fork_server_wanted(),
    })
}

/// Python handler processes after the first are copies of a template process
/// that imported the plugin (Linux; `SPACECTL_FORK_SERVER=0` turns this off:
/// every process then imports the plugin itself).
fn fork_server_wanted() -> bool {
    cfg!(target_os = "linux") && std::env::var_os("SPACECTL_FORK_SERVER").is_none_or(|v| v != "0")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> HandlerConfig {
        HandlerConfig {
            package: "plugin.sub".to_string(),
            app_path: "{package}.main:app".to_string(),
            source_root: PathBuf::from("/src"),
            module_paths: vec![PathBuf::from("/m1"), PathBuf::from("/m2")],
            python: None,
            handler_cmd: Some("sh 'my handler.sh' --fast".to_string()),
            workers: 4,
            processes: 0,
            timeout: None,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
        }
    }

    #[test]
    fn handler_command_and_environment() {
        let spec = handler_spec(&config()).unwrap();
        assert_eq!(spec.program, OsString::from("sh"));
        assert_eq!(
            spec.args,
            vec![OsString::from("my handler.sh"), OsString::from("--fast")]
        );
        let env: Vec<(String, String)> = spec
            .env
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string_lossy().into_owned()))
            .collect();
        let expect = |k: &str, v: &str| (k.to_string(), v.to_string());
        assert_eq!(
            env,
            vec![
                expect("SPACEONE_PLUGIN_PROTOCOL", "1"),
                expect("SPACEONE_PLUGIN_PACKAGE", "plugin.sub"),
                expect("SPACEONE_PLUGIN_APP_PATH", "{package}.main:app"),
                expect("SPACEONE_PLUGIN_SOURCE_ROOT", "/src"),
                expect("SPACEONE_PLUGIN_MODULE_PATHS", "/m1:/m2"),
                expect("SPACEONE_PLUGIN_WORKERS", "4"),
            ]
        );
    }

    #[test]
    fn bad_handler_command_is_a_startup_error() {
        let mut cfg = config();
        cfg.handler_cmd = Some("'unclosed".to_string());
        let err = handler_spec(&cfg).err().unwrap();
        assert_eq!(
            err.message,
            "Invalid handler command: unterminated ' quote in \"'unclosed\""
        );
        assert_eq!(err.exit_code, 1);
    }

    #[test]
    fn default_package_dir_is_absolute_top_package() {
        assert_eq!(default_package_dir(&config()), PathBuf::from("/src/plugin"));
    }
}
