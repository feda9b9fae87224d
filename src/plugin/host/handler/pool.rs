//! The pool of long-lived handler processes and the calls multiplexed on them.
//!
//! * At most `workers` calls run at once (`-w`); further calls queue.
//! * A handler that serves several requests at once (the default) gets calls
//!   until it has `per_process` of them; the pool runs few such processes (by
//!   default one per core) and starts another one in the background only when
//!   every process already has [`GROW_AT`] calls and is CPU-bound (it ran or
//!   waited for a core [`CPU_BOUND`] of the time, for [`CPU_SUSTAINED`]): a process that
//!   waits on I/O serves more calls as well as two would, and each extra one
//!   holds a copy of the plugin in memory. No call waits for a plugin import
//!   while a process can take it. A handler that declared
//!   `"concurrency": 1` gets one call at a time, and the pool starts up to
//!   `workers` of them.
//! * Each process has a reader task that hands every reply line to the call
//!   whose request id it names, and a writer task that writes request lines
//!   whole. The reader never waits for a caller: a stream's items queue per
//!   call, and a handler that declared `flow_control` sends no more than
//!   [`STREAM_WINDOW`] items ahead of what its caller has taken (the host
//!   allows more with `more` lines as the caller reads). A call whose items
//!   pile up beyond that (a handler without flow control) is cancelled, so a
//!   caller that stops reading slows down itself only.
//! * Faults of the channel itself (the process ends, a line names no request,
//!   an over-long line) fail every call in progress on that process. A fault
//!   about one request (a reply of the wrong kind, past the timeout) fails that
//!   call only, and a reply to a request the process is not serving fails none:
//!   the process is then *retired*: it gets no new calls and is stopped when
//!   its calls in progress have ended. (A one-request-at-a-time process is
//!   stopped at once, as its only call is the one that failed.)
//! * A call whose caller goes away is cancelled: a one-request-at-a-time
//!   process is stopped; a multiplexing one is told to stop that request and is
//!   retired if it has not ended it within [`CANCEL_GRACE`].
//! * Processes without calls for `idle_timeout` are stopped, down to one.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use serde_json::Value;
use tokio::io::AsyncWriteExt;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, mpsc, watch};
use tokio::time::Instant;

use super::item::Item;
use super::process::{Control, Handler, Input, Line, LineReader, Registry, Spec, lock};
use super::protocol::{
    Hello, Reply, cancel_line, exited_error, line_too_long_error, more_line, notice_line,
    parse_hello, parse_reply, protocol_error, request_line, retired_text, shutting_down_error,
    slow_reader_error, stray_reply_violation, timeout_error, unavailable_error, utc_timestamp,
    wrong_id_violation,
};
use crate::plugin::host::error::PluginError;

/// Streamed items buffered per call between the pool and the caller.
const STREAM_BUFFER: usize = 64;
/// Items a handler with flow control may send ahead of what the caller has
/// taken; the host allows more, half a window at a time, as the caller reads.
pub(super) const STREAM_WINDOW: usize = 128;
/// Items of a call queued between a process's reader and the caller beyond
/// which (when they also exceed [`BACKLOG_BYTES`]) the call is cancelled: its
/// caller does not read and its handler does not wait for it.
const BACKLOG_ITEMS: usize = STREAM_WINDOW;
const BACKLOG_BYTES: usize = 16 * 1024 * 1024;
/// How long a handler that closed its output may take to exit before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(2);
/// How long idle handlers get to exit after their input is closed at shutdown.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);
/// Bounds of the wait for a new handler's ready message.
const READY_FLOOR: Duration = Duration::from_secs(10);
const READY_DEFAULT: Duration = Duration::from_secs(120);
/// How long a multiplexing handler may take to end a cancelled request.
pub(super) const CANCEL_GRACE: Duration = Duration::from_secs(5);
/// Another process is started when every process has at least this many calls
/// (and is CPU-bound).
pub(super) const GROW_AT: usize = 2;
/// The share of a sample a process must have spent running or ready to run
/// (waiting for a core) to count as CPU-bound; a Python interpreter runs its
/// threads on one core at a time, and threads waiting for its lock do not count.
pub(super) const CPU_BOUND: f64 = 0.8;
/// Shortest time over which a process's CPU use is sampled.
const CPU_SAMPLE: Duration = Duration::from_millis(250);
/// How long a process must stay CPU-bound before another one is started.
const CPU_SUSTAINED: Duration = Duration::from_secs(2);
/// How many ended request ids a process remembers (to recognise extra replies).
const ENDED_MEMORY: usize = 64;
/// Lines still read from a process that has exited.
const AFTER_EXIT: Duration = Duration::from_millis(200);
/// After a process started in the background failed, no other is tried for this long.
const GROW_BACKOFF: Duration = Duration::from_secs(30);

// --- scheduling (pure) ------------------------------------------------------------

/// How many calls one process may have and how many processes there may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Limits {
    pub per_process: usize,
    pub max_processes: usize,
}

/// The limits for `workers` concurrent calls, `processes` processes of a
/// multiplexing handler, and the concurrency the handler declared.
pub(super) fn limits(workers: usize, processes: usize, concurrency: Option<usize>) -> Limits {
    let workers = workers.max(1);
    let per_process = concurrency.unwrap_or(workers).clamp(1, workers);
    let max_processes = if per_process == 1 {
        workers
    } else {
        processes
            .max(1)
            .max(workers.div_ceil(per_process))
            .min(workers)
    };
    Limits {
        per_process,
        max_processes,
    }
}

/// One process as the scheduler sees it: calls in progress (cancelled ones
/// included, their work may still run) and whether it is retired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Load {
    pub calls: usize,
    pub retired: bool,
    /// The process used [`CPU_BOUND`] of a core or more over its last sample.
    pub cpu_bound: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Choice {
    /// Send the call to the process at this index.
    Use(usize),
    /// Start a process for the call.
    Spawn,
    /// Wait until a process has room or the limit allows a new one.
    Wait,
}

/// Where the next call goes: the least loaded process with room (the oldest
/// among equals, so that younger ones fall idle and retire), else a new process
/// if the limit allows, else wait.
pub(super) fn choose(loads: &[Load], starting: usize, limits: Limits) -> Choice {
    let best = loads
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.retired && l.calls < limits.per_process)
        .min_by_key(|(i, l)| (l.calls, *i));
    if let Some((i, _)) = best {
        return Choice::Use(i);
    }
    let live = loads.iter().filter(|l| !l.retired).count();
    if live + starting < limits.max_processes {
        Choice::Spawn
    } else {
        Choice::Wait
    }
}

/// Whether to start one more multiplexing process in the background: none is
/// starting, the limit allows, and every process has at least [`GROW_AT`]
/// calls and is CPU-bound.
pub(super) fn grow(loads: &[Load], starting: usize, limits: Limits) -> bool {
    if limits.per_process == 1 || starting > 0 {
        return false;
    }
    let mut live = loads.iter().filter(|l| !l.retired).peekable();
    if live.peek().is_none() {
        return false;
    }
    let count = loads.iter().filter(|l| !l.retired).count();
    count < limits.max_processes && live.all(|l| l.calls >= GROW_AT && l.cpu_bound)
}

/// Indexes of the processes to stop for idleness: not retired, without calls
/// for at least `idle_timeout` (`idle_for` is `None` while a process has calls).
/// One process that is not retired always stays (when all would stop: the oldest).
pub(super) fn idle_to_stop(
    idle_for: &[(bool, Option<Duration>)],
    idle_timeout: Duration,
) -> Vec<usize> {
    let live = idle_for.iter().filter(|(retired, _)| !retired).count();
    let mut expired: Vec<usize> = idle_for
        .iter()
        .enumerate()
        .filter(|(_, (retired, idle))| !retired && idle.is_some_and(|d| d >= idle_timeout))
        .map(|(i, _)| i)
        .collect();
    if !expired.is_empty() && expired.len() == live {
        expired.remove(0);
    }
    expired
}

/// What a reply line means for the call it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Routed {
    /// Hand the reply to the call; `last`: the call is over.
    Deliver { last: bool },
    /// The stream is complete.
    End,
    /// A line for a cancelled call, dropped; `last`: the handler ended it.
    Drop { last: bool },
    /// The call fails with this protocol violation.
    Fail(String),
    /// The line answers no call in progress.
    Stray(String),
}

/// Route a reply to request `id`: `call` is `Some(stream)` when that call is in
/// progress on the process, `cancelled` when it was cancelled and not yet ended,
/// `ended` when it ended earlier on this process.
pub(super) fn route(
    id: u64,
    call: Option<bool>,
    cancelled: bool,
    ended: bool,
    reply: &Result<Reply, String>,
) -> Routed {
    if cancelled {
        return Routed::Drop {
            last: !matches!(reply, Ok(Reply::Item(_))),
        };
    }
    match (call, reply) {
        (None, _) => Routed::Stray(stray_reply_violation(id, ended)),
        (Some(_), Err(violation)) => Routed::Fail(violation.clone()),
        (Some(false), Ok(Reply::Result(_) | Reply::Error(_))) => Routed::Deliver { last: true },
        (Some(false), Ok(Reply::Item(_) | Reply::Done)) => {
            Routed::Fail("streamed reply to a unary request".to_string())
        }
        (Some(true), Ok(Reply::Item(_))) => Routed::Deliver { last: false },
        (Some(true), Ok(Reply::Error(_))) => Routed::Deliver { last: true },
        (Some(true), Ok(Reply::Done)) => Routed::End,
        (Some(true), Ok(Reply::Result(_))) => {
            Routed::Fail("unary reply to a streaming request".to_string())
        }
    }
}

/// Nanoseconds the threads of process `pid` have spent running or ready to
/// run (Linux: `/proc/<pid>/task/*/schedstat`; without scheduler statistics,
/// the CPU time of `/proc/<pid>/stat`).
fn runnable_ns(pid: u32) -> Option<u64> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    let mut total = 0u64;
    let mut read = false;
    for task in tasks.flatten() {
        if let Some(ns) = std::fs::read_to_string(task.path().join("schedstat"))
            .ok()
            .and_then(|text| parse_schedstat(&text))
        {
            total += ns;
            read = true;
        }
    }
    if read {
        return Some(total);
    }
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let ticks = parse_cpu_ticks(&stat)?;
    Some((ticks as f64 / clock_ticks_per_second() * 1e9) as u64)
}

/// Time on a core plus time waiting for one (ns): the first two fields of a
/// `schedstat` text.
fn parse_schedstat(text: &str) -> Option<u64> {
    let mut fields = text.split_whitespace();
    let running: u64 = fields.next()?.parse().ok()?;
    let waiting: u64 = fields.next()?.parse().ok()?;
    Some(running + waiting)
}

/// utime + stime (fields 14 and 15) of a `/proc/<pid>/stat` text.
fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

fn clock_ticks_per_second() -> f64 {
    // SAFETY: sysconf only reads a system constant.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 { ticks as f64 } else { 100.0 }
}

// --- processes and calls ------------------------------------------------------------

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
    pub concurrency: Option<usize>,
    pub app_classes: Vec<String>,
    pub declared_kind: Option<String>,
    pub flow_control: bool,
}

/// A handler process in the pool.
struct Proc {
    serial: u64,
    control: Arc<Control>,
    /// Request lines to the writer task; `None` once the input is closed.
    input: Mutex<Option<mpsc::UnboundedSender<Vec<u8>>>>,
}

impl Proc {
    fn send(&self, line: Vec<u8>) {
        if let Some(input) = lock(&self.input).as_ref() {
            let _ = input.send(line);
        }
    }

    fn close_input(&self) {
        lock(&self.input).take();
    }
}

type FaultCell = Mutex<Option<PluginError>>;

/// Replies of one call queued between the reader and the caller, with the
/// line length of each.
type Replies = mpsc::UnboundedSender<(Reply, usize)>;

/// What a call's caller has not taken yet.
#[derive(Default)]
struct Backlog {
    items: AtomicUsize,
    bytes: AtomicUsize,
}

impl Backlog {
    fn add(&self, bytes: usize) {
        self.items.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    fn take(&self, bytes: usize) {
        self.items.fetch_sub(1, Ordering::Relaxed);
        self.bytes.fetch_sub(bytes, Ordering::Relaxed);
    }

    /// Whether one more item of `bytes` would be too much to keep.
    fn overflows(&self, bytes: usize) -> Option<usize> {
        let total = self.bytes.load(Ordering::Relaxed) + bytes;
        (self.items.load(Ordering::Relaxed) >= BACKLOG_ITEMS && total > BACKLOG_BYTES)
            .then_some(total)
    }
}

/// A call in progress on a process, as its reader sees it.
struct Slot {
    method: Arc<str>,
    stream: bool,
    tx: Replies,
    backlog: Arc<Backlog>,
    fault: Arc<FaultCell>,
}

impl Slot {
    fn fail(self, error: PluginError) {
        *lock(&self.fault) = Some(error);
    }
}

struct Entry {
    proc: Arc<Proc>,
    calls: HashMap<u64, Slot>,
    /// Cancelled calls whose end the handler has not sent yet, since when.
    cancelled: HashMap<u64, Instant>,
    ended: VecDeque<u64>,
    retired: bool,
    idle_since: Instant,
    /// Time spent running or ready to run (ns) at the last sample, and when.
    cpu_sample: Option<(u64, Instant)>,
    /// Since when every sample found the process CPU-bound.
    cpu_bound_since: Option<Instant>,
    cpu_bound: bool,
    /// How the process was started and in how long it was ready.
    origin: (&'static str, Duration),
}

impl Entry {
    fn new(proc: Arc<Proc>, origin: (&'static str, Duration)) -> Entry {
        let mut entry = Entry {
            origin,
            proc,
            calls: HashMap::new(),
            cancelled: HashMap::new(),
            ended: VecDeque::new(),
            retired: false,
            idle_since: Instant::now(),
            cpu_sample: None,
            cpu_bound_since: None,
            cpu_bound: false,
        };
        entry.sample_cpu(Instant::now());
        entry
    }

    fn load(&self) -> Load {
        Load {
            calls: self.calls.len() + self.cancelled.len(),
            retired: self.retired,
            cpu_bound: self.cpu_bound,
        }
    }

    /// Update `cpu_bound` from the time the process spent running or waiting
    /// for a core since the last sample (at least [`CPU_SAMPLE`] ago); waiting
    /// counts, so that a busy machine does not hide a CPU-bound process. It is
    /// CPU-bound once every sample of the last [`CPU_SUSTAINED`] found it so:
    /// a new process needs seconds to import the plugin, which a short burst
    /// does not last. Where this cannot be read (no /proc), a process with
    /// calls counts as CPU-bound.
    fn sample_cpu(&mut self, now: Instant) {
        let Some(ticks) = runnable_ns(self.pid()) else {
            self.cpu_bound = !self.calls.is_empty();
            return;
        };
        match self.cpu_sample {
            Some((_, at)) if now.duration_since(at) < CPU_SAMPLE => {}
            Some((before, at)) => {
                let used = ticks.saturating_sub(before) as f64 / 1e9;
                let busy = used >= CPU_BOUND * now.duration_since(at).as_secs_f64();
                self.cpu_bound_since = if busy {
                    self.cpu_bound_since.or(Some(at))
                } else {
                    None
                };
                self.cpu_bound = self
                    .cpu_bound_since
                    .is_some_and(|since| now.duration_since(since) >= CPU_SUSTAINED);
                self.cpu_sample = Some((ticks, now));
            }
            None => self.cpu_sample = Some((ticks, now)),
        }
    }

    fn remember_ended(&mut self, id: u64) {
        if self.ended.len() >= ENDED_MEMORY {
            self.ended.pop_front();
        }
        self.ended.push_back(id);
        if self.calls.is_empty() && self.cancelled.is_empty() {
            self.idle_since = Instant::now();
        }
    }

    fn pid(&self) -> u32 {
        self.proc.control.pid()
    }
}

struct State {
    procs: Vec<Entry>,
    /// Processes being started.
    starting: usize,
    limits: Limits,
    closed: bool,
    /// No process is started in the background before then (after a failure).
    grow_after: Option<Instant>,
    /// The handler honours stream windows (read from the first one).
    flow_control: bool,
    /// The first process has joined (before, the pool starts nothing itself).
    started: bool,
}

impl State {
    fn position(&self, serial: u64) -> Option<usize> {
        self.procs.iter().position(|e| e.proc.serial == serial)
    }

    fn loads(&self) -> Vec<Load> {
        self.procs.iter().map(Entry::load).collect()
    }
}

/// What the lock holder leaves to be done after the lock is released.
#[derive(Default)]
struct After {
    notices: Vec<String>,
    close: Vec<Arc<Proc>>,
}

impl After {
    fn run(self) {
        for text in self.notices {
            let line = notice_line(&utc_timestamp(std::time::SystemTime::now()), &text);
            let mut err = std::io::stderr().lock();
            let _ = std::io::Write::write_all(&mut err, line.as_bytes());
        }
        for proc in self.close {
            proc.close_input();
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => {
                    runtime.spawn(async move {
                        proc.control.finish(EXIT_GRACE).await;
                    });
                }
                Err(_) => proc.control.kill(),
            }
        }
    }
}

/// Log one notice line now.
fn notice(text: String) {
    After {
        notices: vec![text],
        close: Vec::new(),
    }
    .run();
}

pub(super) struct Inner {
    /// The pool itself, for the tasks it starts.
    me: Weak<Inner>,
    spec: Spec,
    timeout: Option<Duration>,
    ready_limit: Duration,
    idle_timeout: Duration,
    workers: usize,
    processes: usize,
    permits: Arc<Semaphore>,
    state: Mutex<State>,
    changed: Notify,
    registry: Registry,
    stop: watch::Sender<bool>,
    next_id: AtomicU64,
    next_serial: AtomicU64,
    /// The process further handlers are copied from (`Spec::fork_server`).
    template: tokio::sync::Mutex<TemplateSlot>,
}

/// The pool's template process, if it uses one.
enum TemplateSlot {
    /// Not started yet (or ended: started again on the next start).
    Idle,
    #[cfg(target_os = "linux")]
    Running(Arc<super::forkserver::Template>),
    /// Not used: processes import the plugin themselves. The notice saying why
    /// is told when a further process is started, if ever (the first process,
    /// the template itself, serves as usual).
    Off(Option<String>),
}

impl Inner {
    pub(super) fn new(
        spec: Spec,
        workers: usize,
        processes: usize,
        timeout: Option<Duration>,
        idle_timeout: Duration,
    ) -> Arc<Inner> {
        let workers = workers.clamp(1, Semaphore::MAX_PERMITS);
        let ready_limit = timeout.map_or(READY_DEFAULT, |t| t.max(READY_FLOOR));
        let inner = Arc::new_cyclic(|me| Inner {
            me: me.clone(),
            spec,
            timeout,
            ready_limit,
            idle_timeout,
            workers,
            processes,
            permits: Arc::new(Semaphore::new(workers)),
            state: Mutex::new(State {
                procs: Vec::new(),
                starting: 0,
                limits: limits(workers, processes, None),
                closed: false,
                grow_after: None,
                flow_control: false,
                started: false,
            }),
            changed: Notify::new(),
            registry: Registry::default(),
            stop: watch::channel(false).0,
            next_id: AtomicU64::new(1),
            next_serial: AtomicU64::new(1),
            template: tokio::sync::Mutex::new(TemplateSlot::Idle),
        });
        let period = (idle_timeout / 4).clamp(Duration::from_millis(10), CPU_SAMPLE);
        tokio::spawn(sweep(Arc::downgrade(&inner), period));
        inner
    }

    fn is_closed(&self) -> bool {
        lock(&self.state).closed
    }

    /// Start one handler and wait for its ready message (or the pool's shutdown).
    pub(super) async fn spawn_ready(&self) -> Result<(Handler, ReadyInfo), SpawnFailure> {
        let serial = self.next_serial.fetch_add(1, Ordering::Relaxed);
        let began = Instant::now();
        let deadline = began + self.ready_limit;
        let mut stop = self.stop.subscribe();
        let launched = tokio::select! {
            launched = tokio::time::timeout_at(deadline, self.launch(serial)) => launched,
            _ = stopped(&mut stop) => return Err(SpawnFailure::Process(shutting_down_error().message)),
        };
        let Ok(launched) = launched else {
            self.drop_template().await;
            return Err(SpawnFailure::Process(format!(
                "{} was not ready within {}",
                self.spec.display,
                super::protocol::format_duration(self.ready_limit)
            )));
        };
        let mut handler = launched.map_err(|e| {
            SpawnFailure::Process(if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "command not found: {}{}",
                    self.spec.display, self.spec.missing_hint
                )
            } else {
                format!("cannot run {}: {e}", self.spec.display)
            })
        })?;
        let first = tokio::select! {
            first = tokio::time::timeout_at(deadline, handler.output.read_line()) => first,
            _ = stopped(&mut stop) => {
                handler.control.kill_and_wait().await;
                return Err(SpawnFailure::Process(shutting_down_error().message));
            }
        };
        let line = match first {
            Err(_) => {
                handler.control.kill_and_wait().await;
                return Err(SpawnFailure::Process(format!(
                    "{} was not ready within {}",
                    self.spec.display,
                    super::protocol::format_duration(self.ready_limit)
                )));
            }
            Ok(Ok(Line::Data(line))) => line,
            Ok(Ok(Line::TooLong)) => {
                handler.control.kill_and_wait().await;
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
        handler.ready_in = began.elapsed();
        match parse_hello(&line) {
            Ok(Hello::Ready {
                routes,
                package_dir,
                concurrency,
                app_classes,
                declared_kind,
                flow_control,
            }) => Ok((
                handler,
                ReadyInfo {
                    routes,
                    package_dir,
                    concurrency,
                    app_classes,
                    declared_kind,
                    flow_control,
                },
            )),
            Ok(Hello::StartupError { message, exit_code }) => {
                let _ = handler.finish(EXIT_GRACE).await;
                Err(SpawnFailure::Plugin { message, exit_code })
            }
            Err(violation) => {
                handler.control.kill_and_wait().await;
                Err(SpawnFailure::Process(format!(
                    "{} did not start the protocol: {violation}",
                    self.spec.display
                )))
            }
        }
    }

    /// Start a handler process: a copy of the template when the pool uses one
    /// (started on first use), otherwise a fresh one. A template that refuses
    /// to be copied, or cannot be started, is not used again; one that ended
    /// is started anew for the next process.
    async fn launch(&self, serial: u64) -> std::io::Result<Handler> {
        #[cfg(target_os = "linux")]
        if self.spec.fork_server {
            let template = {
                let mut slot = self.template.lock().await;
                if matches!(*slot, TemplateSlot::Idle) && !self.is_closed() {
                    let serial = self.next_serial.fetch_add(1, Ordering::Relaxed);
                    *slot = match super::forkserver::Template::start(
                        &self.spec,
                        serial,
                        &self.registry,
                    ) {
                        Ok(template) => TemplateSlot::Running(Arc::new(template)),
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(e),
                        Err(e) => {
                            notice(format!(
                                "Plugin handlers import the plugin each: no template process ({e})."
                            ));
                            TemplateSlot::Off(None)
                        }
                    };
                }
                match &mut *slot {
                    TemplateSlot::Running(template) => Some(template.clone()),
                    TemplateSlot::Off(untold) => {
                        if let Some(why) = untold.take() {
                            notice(format!(
                                "Further plugin handlers will import the plugin each: {why}."
                            ));
                        }
                        None
                    }
                    TemplateSlot::Idle => None,
                }
            };
            if let Some(template) = template {
                match template.fork(serial, &self.registry).await {
                    Ok(super::forkserver::Forked::Handler(handler)) => return Ok(handler),
                    Ok(super::forkserver::Forked::Last(handler, why)) => {
                        let untold =
                            (!why.starts_with("the plugin could not be loaded")).then_some(why);
                        self.end_template(&template, TemplateSlot::Off(untold))
                            .await;
                        return Ok(handler);
                    }
                    Err(_) => {
                        // It ended (or broke): this process starts fresh, which
                        // also reports a plugin that cannot be imported.
                        self.end_template(&template, TemplateSlot::Idle).await;
                    }
                }
            }
        }
        Handler::spawn(&self.spec, serial, &self.registry)
    }

    /// Stop `template` if it is still the pool's, leaving `next` in its place.
    #[cfg(target_os = "linux")]
    async fn end_template(&self, template: &Arc<super::forkserver::Template>, next: TemplateSlot) {
        let mut slot = self.template.lock().await;
        if let TemplateSlot::Running(current) = &*slot
            && Arc::ptr_eq(current, template)
        {
            current.kill();
            *slot = next;
        }
    }

    /// Stop the template (a start that timed out may be stuck in its import).
    async fn drop_template(&self) {
        let mut slot = self.template.lock().await;
        #[cfg(target_os = "linux")]
        if let TemplateSlot::Running(current) = &*slot {
            current.kill();
            *slot = TemplateSlot::Idle;
        }
        #[cfg(not(target_os = "linux"))]
        let _ = &mut slot;
    }

    /// The first handler: its ready message sets the limits.
    pub(super) fn add_first(self: &Arc<Self>, handler: Handler, info: &ReadyInfo) {
        {
            let mut st = lock(&self.state);
            st.limits = limits(self.workers, self.processes, info.concurrency);
            st.flow_control = info.flow_control;
        }
        self.add(handler, None, None);
        // Only now: the pool would otherwise see no process and start one.
        lock(&self.state).started = true;
    }

    /// Put a ready handler in the pool, with a call already placed on it; ends
    /// the count of the start. `None` when the pool is closed.
    fn add(
        self: &Arc<Self>,
        handler: Handler,
        call: Option<(u64, Slot)>,
        starting: Option<Starting<'_>>,
    ) -> Option<Arc<Proc>> {
        let Handler {
            serial,
            stdin,
            output,
            control,
            origin,
            ready_in,
        } = handler;
        let control = Arc::new(control);
        let (input, requests) = mpsc::unbounded_channel();
        let proc = Arc::new(Proc {
            serial,
            control: control.clone(),
            input: Mutex::new(Some(input)),
        });
        let mut entry = Entry::new(proc.clone(), (origin, ready_in));
        if let Some((id, slot)) = call {
            entry.calls.insert(id, slot);
        }
        {
            let mut st = lock(&self.state);
            if let Some(starting) = starting {
                starting.done(&mut st);
            }
            if st.closed {
                control.kill();
                return None;
            }
            st.procs.push(entry);
        }
        tokio::spawn(write_requests(stdin, requests, control));
        tokio::spawn(read_replies(Arc::downgrade(self), proc.clone(), output));
        self.changed.notify_waiters();
        Some(proc)
    }

    /// Place a call: on a process with room, on a new process, or after waiting.
    async fn place(
        self: &Arc<Self>,
        method: &str,
        stream: bool,
        permit: OwnedSemaphorePermit,
    ) -> Result<Ticket, PluginError> {
        let mut stop = self.stop.subscribe();
        let mut permit = Some(permit);
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let id = self.next_id.fetch_add(1, Ordering::Relaxed);
            let (tx, rx) = mpsc::unbounded_channel();
            let fault = Arc::new(Mutex::new(None));
            let backlog = Arc::new(Backlog::default());
            let slot = Slot {
                method: Arc::from(method),
                stream,
                tx,
                backlog: backlog.clone(),
                fault: fault.clone(),
            };
            let (placed, flow_control) = {
                let mut st = lock(&self.state);
                if st.closed {
                    return Err(shutting_down_error());
                }
                let limits = st.limits;
                let flow_control = st.flow_control && stream;
                let placed = match choose(&st.loads(), st.starting, limits) {
                    Choice::Use(i) => {
                        st.procs[i].calls.insert(id, slot);
                        let background = grow(&st.loads(), st.starting, limits)
                            && st.grow_after.is_none_or(|at| Instant::now() >= at);
                        if background {
                            st.starting += 1;
                        }
                        Placed::On(st.procs[i].proc.clone(), background)
                    }
                    Choice::Spawn => {
                        st.starting += 1;
                        Placed::Spawn(slot)
                    }
                    Choice::Wait => Placed::Wait,
                };
                (placed, flow_control)
            };
            let proc = match placed {
                Placed::On(proc, background) => {
                    if background {
                        self.start_in_background();
                    }
                    proc
                }
                Placed::Spawn(slot) => {
                    let starting = Starting::new(self);
                    match self.spawn_ready().await {
                        Ok((handler, _)) => {
                            match self.add(handler, Some((id, slot)), Some(starting)) {
                                Some(proc) => proc,
                                None => return Err(shutting_down_error()),
                            }
                        }
                        Err(failure) => {
                            drop(starting);
                            return Err(self.fault(unavailable_error(failure.text())));
                        }
                    }
                }
                Placed::Wait => {
                    tokio::select! {
                        _ = changed => {}
                        _ = stopped(&mut stop) => return Err(shutting_down_error()),
                    }
                    continue;
                }
            };
            let Some(permit) = permit.take() else {
                return Err(shutting_down_error());
            };
            return Ok(Ticket {
                inner: self.clone(),
                proc,
                id,
                rx,
                backlog,
                window: flow_control.then_some(STREAM_WINDOW),
                passed: 0,
                fault,
                _permit: permit,
            });
        }
    }

    /// Start one more process without a call waiting for it (`starting` is
    /// already counted).
    fn start_in_background(self: &Arc<Self>) {
        let inner = self.clone();
        tokio::spawn(async move {
            let starting = Starting::new(&inner);
            match inner.spawn_ready().await {
                Ok((handler, _)) => {
                    let (pid, origin, ready_in) =
                        (handler.control.pid(), handler.origin, handler.ready_in);
                    if inner.add(handler, None, Some(starting)).is_some() {
                        let count = inner.process_count();
                        let line = super::protocol::info_line(
                            &utc_timestamp(std::time::SystemTime::now()),
                            &format!(
                                "Plugin handler process {pid} joined the pool ({origin} and ready in {}): {count} process(es).",
                                super::protocol::format_duration(ready_in)
                            ),
                        );
                        let _ = std::io::Write::write_all(
                            &mut std::io::stderr().lock(),
                            line.as_bytes(),
                        );
                    }
                }
                Err(failure) => {
                    drop(starting);
                    lock(&inner.state).grow_after = Some(Instant::now() + GROW_BACKOFF);
                    if !inner.is_closed() {
                        After {
                            notices: vec![format!(
                                "An additional plugin handler could not be started: {}; the pool tries again in {} at the earliest.",
                                failure.text(),
                                super::protocol::format_duration(GROW_BACKOFF)
                            )],
                            close: Vec::new(),
                        }
                        .run();
                    }
                }
            }
        });
    }

    fn deadline(&self) -> Option<Instant> {
        self.timeout.map(|t| Instant::now() + t)
    }

    fn fault(&self, error: PluginError) -> PluginError {
        if self.is_closed() {
            shutting_down_error()
        } else {
            error
        }
    }

    pub(super) async fn call(
        self: &Arc<Self>,
        method: &str,
        trace_id: Option<&str>,
        datetimes: &[&str],
        params: &Value,
    ) -> Result<Value, PluginError> {
        let mut ticket = self
            .begin(method, false, trace_id, datetimes, params)
            .await?;
        let deadline = self.deadline();
        match ticket.next(method, deadline).await? {
            Some(Reply::Result(value)) => Ok(value),
            Some(Reply::Error(error)) => Err(error),
            // The reader passes only final replies to a unary call.
            Some(Reply::Item(_) | Reply::Done) | None => Err(self.fault(exited_error(
                method,
                &super::protocol::describe_exit(None, None),
            ))),
        }
    }

    pub(super) async fn stream(
        self: &Arc<Self>,
        method: &str,
        trace_id: Option<&str>,
        datetimes: &[&str],
        params: &Value,
    ) -> Result<mpsc::Receiver<Result<Item, PluginError>>, PluginError> {
        let ticket = self
            .begin(method, true, trace_id, datetimes, params)
            .await?;
        let (tx, rx) = mpsc::channel(STREAM_BUFFER);
        let deadline = self.deadline();
        let method = method.to_string();
        tokio::spawn(async move {
            forward_stream(ticket, method, deadline, tx).await;
        });
        Ok(rx)
    }

    async fn begin(
        self: &Arc<Self>,
        method: &str,
        stream: bool,
        trace_id: Option<&str>,
        datetimes: &[&str],
        params: &Value,
    ) -> Result<Ticket, PluginError> {
        if self.is_closed() {
            return Err(shutting_down_error());
        }
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| shutting_down_error())?;
        let ticket = self.place(method, stream, permit).await?;
        ticket.proc.send(request_line(
            ticket.id,
            method,
            stream,
            trace_id,
            datetimes,
            ticket.window,
            params,
        ));
        Ok(ticket)
    }

    /// The call `id` ran past the timeout: it leaves the process, which is stopped
    /// (when nothing else runs on it) or retired.
    fn time_out(&self, proc: &Proc, id: u64, method: &str) -> PluginError {
        let mut after = After::default();
        {
            let mut st = lock(&self.state);
            let one_at_a_time = st.limits.per_process == 1;
            if let Some(i) = st.position(proc.serial) {
                let entry = &mut st.procs[i];
                entry.calls.remove(&id);
                if one_at_a_time || entry.calls.is_empty() {
                    entry.retired = true;
                    entry.proc.control.kill();
                } else {
                    entry.cancelled.insert(id, Instant::now());
                    entry.proc.send(cancel_line(id));
                    retire(
                        &mut st,
                        i,
                        &format!("ran past the timeout serving {method}"),
                        &mut after,
                    );
                }
            }
        }
        after.run();
        self.changed.notify_waiters();
        self.keep_one();
        self.fault(timeout_error(method, self.timeout.unwrap_or_default()))
    }

    /// The caller of `id` went away before the call ended.
    fn abandon(&self, proc: &Proc, id: u64) {
        let mut after = After::default();
        {
            let mut st = lock(&self.state);
            let one_at_a_time = st.limits.per_process == 1;
            let Some(i) = st.position(proc.serial) else {
                return;
            };
            let entry = &mut st.procs[i];
            if entry.calls.remove(&id).is_none() {
                return;
            }
            if one_at_a_time {
                entry.retired = true;
                entry.proc.control.kill();
            } else {
                entry.cancelled.insert(id, Instant::now());
                entry.proc.send(cancel_line(id));
                close_if_done(&mut st, i, &mut after);
            }
        }
        after.run();
        self.changed.notify_waiters();
        self.keep_one();
    }

    /// Handle one line from a process; false when the process's output can no
    /// longer be trusted (the reader stops).
    async fn on_line(&self, proc: &Proc, line: Vec<u8>) -> bool {
        let bytes = line.len();
        let parsed = parse_reply(line);
        let (id, reply) = match parsed {
            Ok(parsed) => parsed,
            Err(violation) => {
                self.corrupted(proc, |method| protocol_error(method, &violation));
                return false;
            }
        };
        let mut after = After::default();
        let (delivery, freed) = {
            let mut st = lock(&self.state);
            let one_at_a_time = st.limits.per_process == 1;
            let Some(i) = st.position(proc.serial) else {
                return true;
            };
            let entry = &mut st.procs[i];
            let call = entry.calls.get(&id).map(|s| s.stream);
            let cancelled = entry.cancelled.contains_key(&id);
            let ended = entry.ended.contains(&id);
            let mut delivery = None;
            let routed = route(id, call, cancelled, ended, &reply);
            // Anything but an item ends a call or retires the process.
            let freed = !matches!(
                routed,
                Routed::Deliver { last: false } | Routed::Drop { last: false }
            );
            match routed {
                Routed::Deliver { last: false } => {
                    let overflow = entry
                        .calls
                        .get(&id)
                        .and_then(|slot| slot.backlog.overflows(bytes));
                    if let Some(total) = overflow {
                        // The caller does not read and the handler does not wait
                        // for it: the call ends here rather than hold up the reader.
                        if let Some(slot) = entry.calls.remove(&id) {
                            let method = slot.method.clone();
                            slot.fail(slow_reader_error(&method, total));
                        }
                        if one_at_a_time {
                            // Not sent cancellations: stopped, as when its caller leaves.
                            entry.retired = true;
                            entry.proc.control.kill();
                        } else {
                            entry.cancelled.insert(id, Instant::now());
                            entry.proc.send(cancel_line(id));
                        }
                    } else if let (Some(slot), Ok(reply)) = (entry.calls.get(&id), reply) {
                        slot.backlog.add(bytes);
                        delivery = Some((slot.tx.clone(), reply));
                    }
                }
                Routed::Deliver { last: true } => {
                    if let (Some(slot), Ok(reply)) = (entry.calls.remove(&id), reply) {
                        delivery = Some((slot.tx, reply));
                    }
                    entry.remember_ended(id);
                    close_if_done(&mut st, i, &mut after);
                }
                Routed::End => {
                    entry.calls.remove(&id);
                    entry.remember_ended(id);
                    close_if_done(&mut st, i, &mut after);
                }
                Routed::Drop { last } => {
                    if last {
                        entry.cancelled.remove(&id);
                        entry.remember_ended(id);
                        close_if_done(&mut st, i, &mut after);
                    }
                }
                Routed::Fail(violation) => {
                    if let Some(slot) = entry.calls.remove(&id) {
                        let method = slot.method.clone();
                        slot.fail(protocol_error(&method, &violation));
                    }
                    entry.remember_ended(id);
                    if one_at_a_time {
                        entry.retired = true;
                        entry.proc.control.kill();
                    } else {
                        retire(
                            &mut st,
                            i,
                            &format!("broke the protocol: {violation}"),
                            &mut after,
                        );
                    }
                }
                Routed::Stray(violation) => {
                    let serving: Vec<u64> = entry.calls.keys().copied().collect();
                    if one_at_a_time && !ended && serving.len() == 1 {
                        // Its only call is the one it answered wrongly.
                        if let Some(slot) = entry.calls.remove(&serving[0]) {
                            let method = slot.method.clone();
                            slot.fail(protocol_error(&method, &wrong_id_violation(id, serving[0])));
                        }
                        entry.retired = true;
                        entry.proc.control.kill();
                    } else {
                        retire(
                            &mut st,
                            i,
                            &format!("broke the protocol: {violation}"),
                            &mut after,
                        );
                    }
                }
            }
            (delivery, freed)
        };
        after.run();
        if freed {
            self.changed.notify_waiters();
            self.keep_one();
        }
        if let Some((tx, reply)) = delivery {
            // Never waits: a caller that does not read holds up nothing but its call.
            let _ = tx.send((reply, bytes));
        }
        true
    }

    /// A process is ending (its output closed, or it exited): no new calls go
    /// to it while the host collects how it ended.
    fn exiting(&self, proc: &Proc) {
        {
            let mut st = lock(&self.state);
            if let Some(i) = st.position(proc.serial) {
                st.procs[i].retired = true;
            }
        }
        self.keep_one();
    }

    /// One process always stays: when the last one that takes calls was
    /// retired or ended, another one is started in the background (unless one
    /// is starting, the pool is closed, or a start failed a moment ago), so
    /// that the next call does not wait for a plugin import.
    fn keep_one(&self) {
        let start = {
            let mut st = lock(&self.state);
            let live = st.procs.iter().any(|e| !e.retired);
            let backing_off = st.grow_after.is_some_and(|at| Instant::now() < at);
            let start = st.started && !st.closed && !live && st.starting == 0 && !backing_off;
            if start {
                st.starting += 1;
            }
            start
        };
        if start {
            match self.me.upgrade() {
                Some(me) => me.start_in_background(),
                None => lock(&self.state).starting -= 1,
            }
        }
    }

    /// The output of a process cannot be trusted: every call on it fails and it
    /// is killed.
    fn corrupted(&self, proc: &Proc, error: impl Fn(&str) -> PluginError) {
        proc.control.kill();
        self.ended(proc, error);
    }

    /// A process is gone: its calls fail with `error(method)`.
    fn ended(&self, proc: &Proc, error: impl Fn(&str) -> PluginError) {
        let entry = {
            let mut st = lock(&self.state);
            st.position(proc.serial).map(|i| st.procs.remove(i))
        };
        if let Some(entry) = entry {
            for (_, slot) in entry.calls {
                let e = error(&slot.method);
                slot.fail(e);
            }
        }
        self.changed.notify_waiters();
        self.keep_one();
    }

    /// Retire processes with overdue cancelled calls and stop idle ones.
    fn sweep_once(&self) {
        let mut after = After::default();
        let grown = {
            let mut st = lock(&self.state);
            if st.closed {
                return;
            }
            let now = Instant::now();
            let overdue: Vec<usize> = st
                .procs
                .iter()
                .enumerate()
                .filter(|(_, e)| {
                    !e.retired
                        && e.cancelled
                            .values()
                            .any(|since| now.duration_since(*since) >= CANCEL_GRACE)
                })
                .map(|(i, _)| i)
                .collect();
            for i in overdue.into_iter().rev() {
                retire(
                    &mut st,
                    i,
                    &format!(
                        "did not end a cancelled request within {}",
                        super::protocol::format_duration(CANCEL_GRACE)
                    ),
                    &mut after,
                );
            }
            let idle: Vec<(bool, Option<Duration>)> = st
                .procs
                .iter()
                .map(|e| {
                    let busy = !e.calls.is_empty() || !e.cancelled.is_empty();
                    (e.retired, (!busy).then(|| now.duration_since(e.idle_since)))
                })
                .collect();
            for i in idle_to_stop(&idle, self.idle_timeout).into_iter().rev() {
                let entry = st.procs.remove(i);
                after.close.push(entry.proc);
            }
            for entry in st.procs.iter_mut().filter(|e| !e.retired) {
                entry.sample_cpu(now);
            }
            let background = grow(&st.loads(), st.starting, st.limits)
                && st.grow_after.is_none_or(|at| now >= at);
            if background {
                st.starting += 1;
            }
            background
        };
        after.run();
        self.changed.notify_waiters();
        self.keep_one();
        if grown {
            if let Some(me) = self.me.upgrade() {
                me.start_in_background();
            } else {
                lock(&self.state).starting -= 1;
            }
        }
    }

    /// The state of the pool in a few lines (SIGQUIT prints it to the log).
    pub(super) fn describe(&self) -> Vec<String> {
        let st = lock(&self.state);
        let now = Instant::now();
        let running = self.workers - self.permits.available_permits().min(self.workers);
        let mut lines = vec![format!(
            "Handler pool: {} process(es), {} starting; {running} of {} calls in progress (-w).",
            st.procs.len(),
            st.starting,
            self.workers
        )];
        for e in &st.procs {
            let mut what = format!(
                "pid {} ({} and ready in {}): {} call(s) in progress, {} cancelled",
                e.pid(),
                e.origin.0,
                super::protocol::format_duration(e.origin.1),
                e.calls.len(),
                e.cancelled.len()
            );
            if e.calls.is_empty() && e.cancelled.is_empty() {
                what.push_str(&format!(
                    ", idle for {}",
                    super::protocol::format_duration(now.duration_since(e.idle_since))
                ));
            }
            if e.retired {
                what.push_str(", retired");
            }
            let mut methods: Vec<String> = e
                .calls
                .iter()
                .map(|(id, slot)| {
                    let waiting = slot.backlog.items.load(Ordering::Relaxed);
                    format!(
                        "#{id} {}{}",
                        slot.method,
                        if waiting > 0 {
                            format!(" ({waiting} items unread)")
                        } else {
                            String::new()
                        }
                    )
                })
                .collect();
            methods.sort();
            if !methods.is_empty() {
                what.push_str(&format!(": {}", methods.join(", ")));
            }
            lines.push(what);
        }
        lines
    }

    /// Handler processes that take calls (not retired).
    #[allow(dead_code)]
    pub(super) fn process_count(&self) -> usize {
        lock(&self.state)
            .procs
            .iter()
            .filter(|e| !e.retired)
            .count()
    }

    pub(super) async fn shutdown(&self) {
        let entries = {
            let mut st = lock(&self.state);
            st.closed = true;
            std::mem::take(&mut st.procs)
        };
        self.permits.close();
        self.stop.send_replace(true);
        self.changed.notify_waiters();
        let mut closing = Vec::new();
        for entry in entries {
            if entry.calls.is_empty() {
                let proc = entry.proc;
                closing.push(async move {
                    proc.close_input();
                    proc.control.finish(SHUTDOWN_GRACE).await;
                });
            } else {
                entry.proc.control.kill();
                for (_, slot) in entry.calls {
                    slot.fail(shutting_down_error());
                }
            }
        }
        futures_util::future::join_all(closing).await;
        self.drop_template().await;
        // Busy and starting handlers were told to stop; wait (bounded) until they are reaped.
        let until = Instant::now() + SHUTDOWN_GRACE;
        while !lock(&self.registry).is_empty() && Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        for entry in &lock(&self.state).procs {
            entry.proc.control.kill();
        }
    }
}

/// Where `place` put a call.
enum Placed {
    On(Arc<Proc>, bool),
    Spawn(Slot),
    Wait,
}

/// A process being started (counted in `State::starting`): the count ends when
/// the process joins the pool, or (also when the starting call is dropped) when
/// the start fails.
struct Starting<'a> {
    inner: &'a Inner,
    counted: bool,
}

impl<'a> Starting<'a> {
    fn new(inner: &'a Inner) -> Starting<'a> {
        Starting {
            inner,
            counted: true,
        }
    }

    fn done(mut self, st: &mut State) {
        st.starting -= 1;
        self.counted = false;
    }
}

impl Drop for Starting<'_> {
    fn drop(&mut self) {
        if self.counted {
            lock(&self.inner.state).starting -= 1;
            self.inner.changed.notify_waiters();
        }
    }
}

/// Retire the process at `i`: no new calls; stopped now if it has none.
fn retire(st: &mut State, i: usize, why: &str, after: &mut After) {
    let entry = &mut st.procs[i];
    if !entry.retired {
        entry.retired = true;
        after
            .notices
            .push(retired_text(entry.pid(), why, entry.calls.len()));
    }
    close_if_done(st, i, after);
}

/// A retired process whose last call ended is closed.
fn close_if_done(st: &mut State, i: usize, after: &mut After) {
    let entry = &st.procs[i];
    if entry.retired && entry.calls.is_empty() {
        let entry = st.procs.remove(i);
        after.close.push(entry.proc);
    }
}

/// Periodically stop idle processes, until the pool is gone or closed.
async fn sweep(inner: Weak<Inner>, period: Duration) {
    loop {
        tokio::time::sleep(period).await;
        let Some(inner) = inner.upgrade() else {
            return;
        };
        if inner.is_closed() {
            return;
        }
        inner.sweep_once();
    }
}

/// Write request lines whole, in order; a process that cannot take its input
/// any more is killed (its reader then reports how it ended).
async fn write_requests(
    mut stdin: Input,
    mut requests: mpsc::UnboundedReceiver<Vec<u8>>,
    control: Arc<Control>,
) {
    while let Some(line) = requests.recv().await {
        let written = async {
            stdin.write_all(&line).await?;
            stdin.flush().await
        };
        if written.await.is_err() {
            control.kill();
            return;
        }
    }
    // Input closed: dropping stdin tells the handler to exit.
}

/// Hand each reply line of a process to its call, until the process ends.
async fn read_replies(pool: Weak<Inner>, proc: Arc<Proc>, mut output: LineReader) {
    let mut exited = false;
    loop {
        let line = if exited {
            // What the process wrote before it ended is still in the pipe.
            tokio::time::timeout(AFTER_EXIT, output.read_line())
                .await
                .unwrap_or(Ok(Line::Eof))
        } else {
            tokio::select! {
                line = output.read_line() => line,
                _ = proc.control.exited() => {
                    exited = true;
                    if let Some(inner) = pool.upgrade() {
                        inner.exiting(&proc);
                    }
                    continue;
                }
            }
        };
        let Some(inner) = pool.upgrade() else {
            proc.control.kill();
            return;
        };
        match line {
            Ok(Line::Data(bytes)) => {
                if !inner.on_line(&proc, bytes).await {
                    return;
                }
            }
            Ok(Line::TooLong) => {
                inner.corrupted(&proc, line_too_long_error);
                return;
            }
            Ok(Line::Eof) | Err(_) => {
                inner.exiting(&proc);
                drop(inner);
                proc.close_input();
                let exit = proc.control.finish(EXIT_GRACE).await;
                if let Some(inner) = pool.upgrade() {
                    inner.ended(&proc, |method| exited_error(method, &exit));
                }
                return;
            }
        }
    }
}

/// A call placed on a process. Dropping it before the call ended cancels the call.
struct Ticket {
    inner: Arc<Inner>,
    proc: Arc<Proc>,
    id: u64,
    rx: mpsc::UnboundedReceiver<(Reply, usize)>,
    backlog: Arc<Backlog>,
    /// The stream window the handler was given (it honours flow control).
    window: Option<usize>,
    /// Items passed to the caller since the handler was last allowed more.
    passed: usize,
    fault: Arc<FaultCell>,
    _permit: OwnedSemaphorePermit,
}

impl Ticket {
    /// The next reply; `Ok(None)` when a stream is complete. Faults, the timeout
    /// and the pool's shutdown are errors.
    async fn next(
        &mut self,
        method: &str,
        deadline: Option<Instant>,
    ) -> Result<Option<Reply>, PluginError> {
        let mut stop = self.inner.stop.subscribe();
        tokio::select! {
            reply = self.rx.recv() => match reply {
                Some((reply, bytes)) => {
                    if matches!(reply, Reply::Item(_)) {
                        self.backlog.take(bytes);
                    }
                    Ok(Some(reply))
                }
                None => match lock(&self.fault).take() {
                    Some(error) => Err(self.inner.fault(error)),
                    None => Ok(None),
                },
            },
            _ = sleep_until(deadline) => Err(self.inner.time_out(&self.proc, self.id, method)),
            _ = stopped(&mut stop) => Err(shutting_down_error()),
        }
    }
}

impl Ticket {
    /// The caller has taken one more item: with flow control, let the handler
    /// send more once half a window has been taken.
    fn passed_on(&mut self) {
        let Some(window) = self.window else {
            return;
        };
        self.passed += 1;
        if self.passed >= window.div_ceil(2) {
            self.proc.send(more_line(self.id, self.passed));
            self.passed = 0;
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.inner.abandon(&self.proc, self.id);
    }
}

/// Pass a stream's items to the caller, bounded by the deadline; the caller
/// dropping its receiver cancels the call.
async fn forward_stream(
    mut ticket: Ticket,
    method: String,
    deadline: Option<Instant>,
    tx: mpsc::Sender<Result<Item, PluginError>>,
) {
    loop {
        let next = tokio::select! {
            _ = tx.closed() => return,
            next = ticket.next(&method, deadline) => next,
        };
        match next {
            Ok(Some(Reply::Item(item))) => {
                let sent = tokio::select! {
                    sent = tx.send(Ok(item)) => Some(sent.is_ok()),
                    _ = sleep_until(deadline) => None,
                };
                match sent {
                    Some(true) => ticket.passed_on(),
                    // The caller went away while the item waited for room.
                    Some(false) => return,
                    None => {
                        let error = ticket.inner.time_out(&ticket.proc, ticket.id, &method);
                        drop(ticket);
                        let _ = tx.send(Err(error)).await;
                        return;
                    }
                }
            }
            Ok(None) | Ok(Some(Reply::Done)) => return,
            Ok(Some(Reply::Error(error))) => {
                drop(ticket);
                let _ = tx.send(Err(error)).await;
                return;
            }
            Ok(Some(Reply::Result(_))) => return,
            Err(error) => {
                drop(ticket);
                let _ = tx.send(Err(error)).await;
                return;
            }
        }
    }
}

/// Resolves once the pool is shutting down.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn load(calls: usize) -> Load {
        Load {
            calls,
            retired: false,
            cpu_bound: true,
        }
    }

    fn waiting(calls: usize) -> Load {
        Load {
            calls,
            retired: false,
            cpu_bound: false,
        }
    }

    fn retired(calls: usize) -> Load {
        Load {
            calls,
            retired: true,
            cpu_bound: true,
        }
    }

    #[test]
    fn limits_follow_workers_cores_and_declared_concurrency() {
        // A multiplexing handler: as many calls per process as -w, one process per core.
        assert_eq!(
            limits(100, 2, None),
            Limits {
                per_process: 100,
                max_processes: 2
            }
        );
        assert_eq!(
            limits(100, 2, Some(100)),
            Limits {
                per_process: 100,
                max_processes: 2
            }
        );
        // One request at a time: one process per call, up to -w.
        assert_eq!(
            limits(100, 2, Some(1)),
            Limits {
                per_process: 1,
                max_processes: 100
            }
        );
        // A declared limit: enough processes for -w calls.
        assert_eq!(
            limits(100, 2, Some(8)),
            Limits {
                per_process: 8,
                max_processes: 13
            }
        );
        // Never more processes than calls, never less than one of anything.
        assert_eq!(
            limits(1, 4, None),
            Limits {
                per_process: 1,
                max_processes: 1
            }
        );
        assert_eq!(
            limits(3, 8, Some(500)),
            Limits {
                per_process: 3,
                max_processes: 3
            }
        );
        assert_eq!(
            limits(0, 0, Some(0)),
            Limits {
                per_process: 1,
                max_processes: 1
            }
        );
    }

    #[test]
    fn calls_go_to_the_least_loaded_process_with_room() {
        let multiplexing = limits(100, 2, None);
        assert_eq!(choose(&[load(3), load(1)], 0, multiplexing), Choice::Use(1));
        // Equal loads: the oldest, so that younger processes fall idle.
        assert_eq!(choose(&[load(2), load(2)], 0, multiplexing), Choice::Use(0));
        // Retired processes get nothing.
        assert_eq!(
            choose(&[retired(0), load(5)], 0, multiplexing),
            Choice::Use(1)
        );
        // A full process: a new one if the limit allows, else wait.
        let two_each = limits(4, 2, Some(2));
        assert_eq!(choose(&[load(2)], 0, two_each), Choice::Spawn);
        assert_eq!(choose(&[load(2)], 1, two_each), Choice::Wait);
        assert_eq!(choose(&[load(2), load(2)], 0, two_each), Choice::Wait);
        assert_eq!(choose(&[load(2), load(1)], 0, two_each), Choice::Use(1));
        // A retired process does not count against the limit.
        assert_eq!(choose(&[retired(2), load(2)], 0, two_each), Choice::Spawn);
        // No process at all (all crashed): start one.
        assert_eq!(choose(&[], 0, multiplexing), Choice::Spawn);
    }

    #[test]
    fn one_request_at_a_time_means_one_process_per_call() {
        let single = limits(3, 2, Some(1));
        assert_eq!(choose(&[load(0), load(1)], 0, single), Choice::Use(0));
        assert_eq!(choose(&[load(1), load(1)], 0, single), Choice::Spawn);
        assert_eq!(choose(&[load(1), load(1)], 1, single), Choice::Wait);
        assert_eq!(
            choose(&[load(1), load(1), load(1)], 0, single),
            Choice::Wait
        );
        // Such processes never grow in the background: calls start them.
        assert!(!grow(&[load(1)], 0, single));
    }

    #[test]
    fn another_process_starts_only_when_every_process_is_loaded() {
        let multiplexing = limits(100, 2, None);
        assert!(!grow(&[load(1)], 0, multiplexing));
        assert!(grow(&[load(GROW_AT)], 0, multiplexing));
        assert!(!grow(&[load(GROW_AT), load(1)], 0, multiplexing));
        // Not while one is starting, not beyond the limit.
        assert!(!grow(&[load(5)], 1, multiplexing));
        assert!(!grow(&[load(5), load(5)], 0, multiplexing));
        // Retired processes are not counted.
        assert!(grow(&[retired(0), load(3)], 0, multiplexing));
        assert!(!grow(&[retired(3)], 0, multiplexing));
        // Processes that wait (on I/O) gain nothing from another one.
        assert!(!grow(&[waiting(50)], 0, multiplexing));
        assert!(!grow(&[load(5), waiting(5)], 0, limits(100, 3, None)));
        assert!(grow(&[load(5), load(5)], 0, limits(100, 3, None)));
    }

    #[test]
    fn cpu_time_is_read_from_proc_stat() {
        let stat = "4242 (python3 (x) y) S 1 4242 4242 0 -1 4194560 1000 0 0 0 150 25 0 0 20 0 3 0 100 1000000 500";
        assert_eq!(parse_cpu_ticks(stat), Some(175));
        assert_eq!(parse_cpu_ticks("garbage"), None);
        assert_eq!(parse_schedstat("1500 250 7\n"), Some(1750));
        assert_eq!(parse_schedstat(""), None);
    }

    #[test]
    fn idle_processes_stop_down_to_one() {
        let t = Duration::from_secs(30);
        let busy = (false, None);
        let idle = |s: u64| (false, Some(Duration::from_secs(s)));
        // All idle long enough: all but the oldest stop.
        assert_eq!(idle_to_stop(&[idle(40), idle(35), idle(31)], t), vec![1, 2]);
        // One busy: every expired idle one stops.
        assert_eq!(idle_to_stop(&[idle(40), busy, idle(30)], t), vec![0, 2]);
        // The one idle long enough stops; the other one stays.
        assert_eq!(idle_to_stop(&[idle(40), idle(29)], t), vec![0]);
        assert_eq!(idle_to_stop(&[idle(29), idle(29)], t), Vec::<usize>::new());
        assert_eq!(idle_to_stop(&[idle(40)], t), Vec::<usize>::new());
        // A retired process is not the one that stays.
        assert_eq!(
            idle_to_stop(&[(true, Some(Duration::from_secs(99))), idle(40)], t),
            Vec::<usize>::new()
        );
        assert_eq!(idle_to_stop(&[], t), Vec::<usize>::new());
    }

    #[test]
    fn replies_are_routed_by_request_id() {
        let item = Ok(Reply::Item(super::super::item::Item::from_value(&json!(1))));
        let result = Ok(Reply::Result(json!(1)));
        let done = Ok(Reply::Done);
        let error = Ok(Reply::Error(PluginError::unknown("x")));
        let bad: Result<Reply, String> = Err("reply has none of ...".to_string());
        // A unary call: result or error ends it.
        assert_eq!(
            route(7, Some(false), false, false, &result),
            Routed::Deliver { last: true }
        );
        assert_eq!(
            route(7, Some(false), false, false, &error),
            Routed::Deliver { last: true }
        );
        assert_eq!(
            route(7, Some(false), false, false, &item),
            Routed::Fail("streamed reply to a unary request".to_string())
        );
        assert_eq!(
            route(7, Some(false), false, false, &done),
            Routed::Fail("streamed reply to a unary request".to_string())
        );
        // A stream: items, then done or error.
        assert_eq!(
            route(7, Some(true), false, false, &item),
            Routed::Deliver { last: false }
        );
        assert_eq!(route(7, Some(true), false, false, &done), Routed::End);
        assert_eq!(
            route(7, Some(true), false, false, &error),
            Routed::Deliver { last: true }
        );
        assert_eq!(
            route(7, Some(true), false, false, &result),
            Routed::Fail("unary reply to a streaming request".to_string())
        );
        assert_eq!(
            route(7, Some(true), false, false, &bad),
            Routed::Fail("reply has none of ...".to_string())
        );
        // A cancelled call: everything is dropped; anything but an item ends it.
        assert_eq!(
            route(7, None, true, false, &item),
            Routed::Drop { last: false }
        );
        assert_eq!(
            route(7, None, true, false, &done),
            Routed::Drop { last: true }
        );
        assert_eq!(
            route(7, None, true, false, &result),
            Routed::Drop { last: true }
        );
        assert_eq!(
            route(7, None, true, false, &bad),
            Routed::Drop { last: true }
        );
        // No such call: an extra reply, or one for a request never sent.
        assert_eq!(
            route(7, None, false, true, &result),
            Routed::Stray("reply for request id 7, which has already ended".to_string())
        );
        assert_eq!(
            route(9, None, false, false, &item),
            Routed::Stray("reply for request id 9, which it was not sent".to_string())
        );
    }
}
