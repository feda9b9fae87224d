//! One handler process: spawn in its own process group, line I/O on its pipes,
//! stderr forwarding, and termination that always reaps the child.

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{self, Write as _};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::{oneshot, watch};

use super::protocol::{MAX_LINE_BYTES, describe_exit};

/// How a handler process is started.
#[derive(Debug, Clone)]
pub struct Spec {
    pub program: OsString,
    pub args: Vec<OsString>,
    pub env: Vec<(String, OsString)>,
    /// The command as shown in messages.
    pub display: String,
    /// Appended to the message when the program does not exist.
    pub missing_hint: String,
    /// Further processes are started as copies of a template process that has
    /// loaded the plugin (the Python runner's `--fork-server`), on Linux.
    pub fork_server: bool,
}

/// A handler's protocol input.
pub type Input = Box<dyn AsyncWrite + Send + Unpin>;
/// A handler's protocol output.
pub type Output = Box<dyn AsyncRead + Send + Unpin>;

/// Live (unreaped) handler processes by serial number → pid.
pub type Registry = Arc<Mutex<HashMap<u64, u32>>>;

/// Result of reading one line.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    Data(Vec<u8>),
    Eof,
    TooLong,
}

enum Chunk {
    Line,
    Eof,
    Full,
}

/// Read up to and excluding the next newline into `buf`, keeping at most `max`
/// bytes. Cancel-safe: bytes are moved from the reader into `buf` without an
/// await in between.
async fn read_chunk<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<Chunk> {
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(Chunk::Eof);
        }
        let room = max.saturating_sub(buf.len());
        match available.iter().position(|b| *b == b'\n') {
            Some(pos) if pos <= room => {
                buf.extend_from_slice(&available[..pos]);
                reader.consume(pos + 1);
                return Ok(Chunk::Line);
            }
            _ => {
                let take = available.len().min(room);
                buf.extend_from_slice(&available[..take]);
                reader.consume(take);
                if buf.len() >= max {
                    return Ok(Chunk::Full);
                }
            }
        }
    }
}

/// What the host does to each line a handler writes to stderr before it logs
/// it (the plugin host masks secrets with it); set once.
pub type OutputFilter = fn(&[u8]) -> std::borrow::Cow<'_, [u8]>;

static OUTPUT_FILTER: std::sync::OnceLock<OutputFilter> = std::sync::OnceLock::new();

/// Install the filter of handler output lines (later calls do nothing).
pub fn set_output_filter(filter: OutputFilter) {
    let _ = OUTPUT_FILTER.set(filter);
}

/// Copy a handler's stderr to the host's stderr line by line (long lines in pieces).
pub(super) async fn forward_stderr<R: AsyncBufRead + Unpin>(mut reader: R) {
    const PIECE: usize = 64 * 1024;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let chunk = match read_chunk(&mut reader, &mut buf, PIECE).await {
            Ok(chunk) => chunk,
            Err(_) => return,
        };
        if !buf.is_empty() || matches!(chunk, Chunk::Line) {
            let mut line = match OUTPUT_FILTER.get() {
                Some(filter) => filter(&buf).into_owned(),
                None => std::mem::take(&mut buf),
            };
            line.push(b'\n');
            // One write per line keeps lines of concurrent handlers whole.
            let mut out = std::io::stderr().lock();
            if out.write_all(&line).and_then(|()| out.flush()).is_err() {
                return;
            }
        }
        if matches!(chunk, Chunk::Eof) {
            return;
        }
    }
}

/// A running handler process, before the pool takes it apart: its input, its
/// output and its [`Control`].
pub struct Handler {
    /// The pool's number for the process (its key in the [`Registry`]).
    pub serial: u64,
    pub stdin: Input,
    pub output: LineReader,
    pub control: Control,
    /// How it was started: `started` (a fresh process) or `copied` (a copy
    /// of the template), and in how long it was ready; for the pool's state.
    pub origin: &'static str,
    pub ready_in: Duration,
}

/// Protocol lines from a handler's stdout.
pub struct LineReader {
    stdout: BufReader<Output>,
    buf: Vec<u8>,
}

/// Life and death of one handler process. A reaper task owns the child: it
/// collects the exit status as soon as the process ends (also while the handler
/// sits idle), and it is the only place that signals the process group, so a
/// signal can never reach a reused process id. Dropping the control kills the group.
pub struct Control {
    pid: u32,
    kill: Mutex<Option<oneshot::Sender<()>>>,
    exit: watch::Receiver<Option<String>>,
}

impl Handler {
    /// Start the process with piped stdin/stdout; stderr is forwarded to ours.
    pub fn spawn(spec: &Spec, serial: u64, registry: &Registry) -> io::Result<Handler> {
        let mut cmd = command(spec);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn()?;
        let (Some(stdin), Some(stdout), Some(stderr), Some(pid)) = (
            child.stdin.take(),
            child.stdout.take(),
            child.stderr.take(),
            child.id(),
        ) else {
            let _ = child.start_kill();
            return Err(io::Error::other("the handler's pipes could not be set up"));
        };
        tokio::spawn(forward_stderr(BufReader::new(stderr)));
        Ok(Handler {
            serial,
            stdin: Box::new(stdin),
            output: LineReader::new(Box::new(stdout)),
            control: supervise(child, pid, serial, registry),
            origin: "started",
            ready_in: Duration::ZERO,
        })
    }

    /// Close stdin (the handler's signal to exit) and give the process `grace` to
    /// end on its own, then kill it; returns how it ended.
    pub async fn finish(self, grace: Duration) -> String {
        drop(self.stdin);
        self.control.finish(grace).await
    }
}

impl LineReader {
    pub(super) fn new(stdout: Output) -> LineReader {
        LineReader {
            stdout: BufReader::with_capacity(64 * 1024, stdout),
            buf: Vec::new(),
        }
    }

    /// Next non-blank line from stdout, bounded by [`MAX_LINE_BYTES`]. Cancel-safe.
    pub async fn read_line(&mut self) -> io::Result<Line> {
        loop {
            match read_chunk(&mut self.stdout, &mut self.buf, MAX_LINE_BYTES).await? {
                Chunk::Full => {
                    self.buf = Vec::new();
                    return Ok(Line::TooLong);
                }
                Chunk::Eof if self.buf.iter().all(u8::is_ascii_whitespace) => {
                    self.buf.clear();
                    return Ok(Line::Eof);
                }
                Chunk::Line if self.buf.iter().all(u8::is_ascii_whitespace) => self.buf.clear(),
                Chunk::Eof | Chunk::Line => return Ok(Line::Data(std::mem::take(&mut self.buf))),
            }
        }
    }
}

impl Control {
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Have the process group killed (returns at once; idempotent).
    pub fn kill(&self) {
        if let Some(kill) = lock(&self.kill).take() {
            let _ = kill.send(());
        }
    }

    /// Kill the process group and wait until the child is reaped; returns how it ended.
    pub async fn kill_and_wait(&self) -> String {
        self.kill();
        self.exited().await
    }

    /// Give the process `grace` to end on its own (its input should be closed
    /// already), then kill it; returns how it ended.
    pub async fn finish(&self, grace: Duration) -> String {
        match tokio::time::timeout(grace, self.exited()).await {
            Ok(status) => status,
            Err(_) => self.kill_and_wait().await,
        }
    }

    /// Wait until the process has ended and been reaped; returns how it ended.
    pub async fn exited(&self) -> String {
        let mut exit = self.exit.clone();
        let status = match exit.wait_for(Option::is_some).await {
            Ok(status) => status.clone(),
            Err(_) => None,
        };
        // The reaper is gone without a status only when the runtime is shutting down.
        status.unwrap_or_else(|| describe_exit(None, None))
    }
}

impl Drop for Control {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The command that starts a handler (or a template) process: in its own
/// process group, killed when dropped, inheriting no descriptor but 0-2.
pub(super) fn command(spec: &Spec) -> Command {
    let mut cmd = Command::new(&spec.program);
    cmd.args(&spec.args)
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .kill_on_drop(true);
    // Own process group: terminal signals go to the host only, and stopping a
    // handler also stops whatever it started.
    #[cfg(unix)]
    cmd.process_group(0);
    // The handler gets its three standard streams and nothing else of ours:
    // no descriptor the host inherited without close-on-exec (from a shell,
    // a CI runner, a supervisor) reaches plugin code or the processes it starts.
    #[cfg(unix)]
    // SAFETY: the closure only makes system calls that are async-signal-safe
    // (close_range, sysconf, fcntl) and touches no memory shared with the parent.
    unsafe {
        cmd.pre_exec(|| {
            mark_inherited_close_on_exec();
            Ok(())
        });
    }
    cmd
}

/// Register a spawned process, watch it from the death watch and reap it in
/// a task; its [`Control`].
pub(super) fn supervise(child: Child, pid: u32, serial: u64, registry: &Registry) -> Control {
    lock(registry).insert(serial, pid);
    super::watchdog::watch(pid);
    let (kill_tx, kill_rx) = oneshot::channel();
    let (exit_tx, exit_rx) = watch::channel(None);
    tokio::spawn(reap(child, pid, kill_rx, exit_tx, registry.clone(), serial));
    Control {
        pid,
        kill: Mutex::new(Some(kill_tx)),
        exit: exit_rx,
    }
}

/// A [`Control`] for a child of ours that the pool did not spawn itself (a
/// copy of the template, which the host adopted as a subreaper): `ended`
/// resolves once the process has ended (not yet reaped), `reap` then collects
/// its status.
pub(super) fn supervise_adopted<E>(pid: u32, serial: u64, registry: &Registry, ended: E) -> Control
where
    E: std::future::Future<Output = ()> + Send + 'static,
{
    lock(registry).insert(serial, pid);
    super::watchdog::watch(pid);
    let (kill_tx, kill_rx) = oneshot::channel::<()>();
    let (exit_tx, exit_rx) = watch::channel(None);
    let registry = registry.clone();
    tokio::spawn(async move {
        tokio::pin!(ended);
        tokio::select! {
            () = &mut ended => {}
            _ = kill_rx => {
                // Not reaped yet (only this task reaps it), so `pid` still names
                // our process group.
                kill_group(pid);
                ended.await;
            }
        }
        let text = reap_pid(pid).await;
        kill_leftovers(pid);
        super::watchdog::forget(pid);
        lock(&registry).remove(&serial);
        exit_tx.send_replace(Some(text));
    });
    Control {
        pid,
        kill: Mutex::new(Some(kill_tx)),
        exit: exit_rx,
    }
}

/// Collect the status of our child `pid`, which has ended; how it ended.
async fn reap_pid(pid: u32) -> String {
    #[cfg(unix)]
    if let Ok(pid) = i32::try_from(pid) {
        for _ in 0..500 {
            let mut status = 0;
            // SAFETY: waitpid(2) on a child of ours that only the caller reaps.
            let got = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
            if got == pid {
                let status =
                    <std::process::ExitStatus as std::os::unix::process::ExitStatusExt>::from_raw(
                        status,
                    );
                return exit_text(&status);
            }
            if got < 0 && io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    #[cfg(not(unix))]
    let _ = pid;
    describe_exit(None, None)
}

/// Own the child until it is reaped: wait for it to end, or on request (or when
/// the handler is dropped) kill its process group first.
async fn reap(
    mut child: Child,
    pid: u32,
    kill: oneshot::Receiver<()>,
    exit: watch::Sender<Option<String>>,
    registry: Registry,
    serial: u64,
) {
    let status = tokio::select! {
        status = child.wait() => status,
        _ = kill => {
            // Not reaped yet (only this task waits on the child), so `pid` still
            // names our process group.
            kill_group(pid);
            let _ = child.start_kill();
            child.wait().await
        }
    };
    // Processes the handler started stop with it, also when it ended on its own
    // (a crash, or its exit at shutdown): while any of them is alive, the group id
    // stays reserved for that group and cannot name anything else.
    kill_leftovers(pid);
    super::watchdog::forget(pid);
    lock(&registry).remove(&serial);
    let text = match status {
        Ok(status) => exit_text(&status),
        Err(_) => describe_exit(None, None),
    };
    exit.send_replace(Some(text));
}

/// In a forked child before exec: set close-on-exec on every descriptor above
/// stderr, so that exec leaves only 0, 1 and 2 open. (Setting the flag rather than
/// closing keeps the standard library's exec-error pipe working.)
#[cfg(unix)]
fn mark_inherited_close_on_exec() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: a plain system call on this process's descriptor table.
        let done = unsafe {
            libc::syscall(
                libc::SYS_close_range,
                3u32,
                u32::MAX,
                libc::CLOSE_RANGE_CLOEXEC,
            )
        };
        if done == 0 {
            return;
        }
    }
    // No close_range (older kernels, other systems): every possible descriptor.
    // SAFETY: sysconf and fcntl are async-signal-safe; fcntl on a descriptor
    // that is not open fails with EBADF and changes nothing.
    unsafe {
        let max = libc::sysconf(libc::_SC_OPEN_MAX);
        let max = if max <= 0 { 1024 } else { max.min(65_536) } as i32;
        for fd in 3..max {
            libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
        }
    }
}

/// SIGKILL to the process group `pid` leads (every handler is spawned as a group
/// leader) and to `pid` itself.
pub fn kill_group(pid: u32) {
    #[cfg(unix)]
    if let Ok(pid) = i32::try_from(pid)
        && pid > 1
    {
        // SAFETY: plain syscalls; the caller passes the id of a child it spawned as
        // a group leader and has not reaped yet, so the ids cannot have been reused.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
            libc::kill(pid, libc::SIGKILL);
        }
    }
    #[cfg(not(unix))]
    let _ = pid;
}

/// SIGKILL to whatever is left of the process group `pgid` after its leader has
/// been reaped (nothing happens when the group is empty).
pub(super) fn kill_leftovers(pgid: u32) {
    #[cfg(unix)]
    if let Ok(pgid) = i32::try_from(pgid)
        && pgid > 1
    {
        // SAFETY: a plain syscall on the group of a handler this host spawned as
        // a group leader; a group id is not reused while the group has members.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
    #[cfg(not(unix))]
    let _ = pgid;
}

fn exit_text(status: &std::process::ExitStatus) -> String {
    #[cfg(unix)]
    let signal = std::os::unix::process::ExitStatusExt::signal(status);
    #[cfg(not(unix))]
    let signal = None;
    describe_exit(status.code(), signal)
}

pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn lines(input: &[u8], max: usize) -> Vec<String> {
        let mut reader = BufReader::with_capacity(4, input);
        let mut out = Vec::new();
        loop {
            let mut buf = Vec::new();
            let chunk = read_chunk(&mut reader, &mut buf, max).await.unwrap();
            let text = String::from_utf8(buf).unwrap();
            match chunk {
                Chunk::Line => out.push(format!("L:{text}")),
                Chunk::Full => out.push(format!("F:{text}")),
                Chunk::Eof => {
                    out.push(format!("E:{text}"));
                    return out;
                }
            }
        }
    }

    #[tokio::test]
    async fn read_chunk_splits_lines_and_bounds_length() {
        assert_eq!(
            lines(b"ab\ncdefg\n\nh", 100).await,
            vec!["L:ab", "L:cdefg", "L:", "E:h"]
        );
        assert_eq!(
            lines(b"abcdefgh\nij\n", 5).await,
            vec!["F:abcde", "L:fgh", "L:ij", "E:"]
        );
        assert_eq!(lines(b"abcde\n", 5).await, vec!["L:abcde", "E:"]);
    }
}
