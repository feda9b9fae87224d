//! Handler processes as copies of a template process (Linux).
//!
//! A plugin import takes seconds and, for framework plugins, tens of megabytes.
//! The template (`runner.py --fork-server`) imports the plugin once and then
//! forks a copy of itself for each handler process the pool asks for: a copy
//! is ready in milliseconds and shares the template's memory pages until it
//! writes to them. The host makes itself a child subreaper, and the template
//! forks each copy through a short-lived middle process, so a copy is a child
//! of the host, which reaps it and signals its process group exactly as for a
//! process it spawned itself. (The host is a child subreaper only while a fork
//! request is in progress.)
//!
//! The host and the template talk over a Unix datagram socket (the template's
//! stdin): a request `{"fork": N}` carries the copy's protocol input, protocol
//! output and stderr (SCM_RIGHTS); the reply is `{"fork": N, "pid": P}` or
//! `{"fork": N, "refused": "why"}`. The template refuses when it cannot be
//! copied safely (the plugin started threads of its own); the pool then starts
//! fresh processes, as it does on systems without these facilities.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;
use tokio::io::BufReader;
use tokio::io::unix::AsyncFd;
use tokio::net::unix::pipe;
use tokio::sync::oneshot;

use super::process::{
    Control, Handler, LineReader, Registry, Spec, command, forward_stderr, supervise,
    supervise_adopted,
};

/// The running template process and the socket to it.
pub(super) struct Template {
    /// Taken by the handler the template becomes when it cannot be copied.
    control: std::sync::Mutex<Option<Control>>,
    socket: AsyncFd<OwnedFd>,
    /// One request at a time: each reply answers the request before it.
    turn: tokio::sync::Mutex<()>,
    next: AtomicU64,
}

/// What a fork request gave.
pub(super) enum Forked {
    Handler(Handler),
    /// The template cannot be copied (the reason) and became this handler itself.
    Last(Handler, String),
}

impl Template {
    /// Start the template process for `spec` (it imports the plugin while the
    /// first request waits for its reply).
    pub(super) fn start(spec: &Spec, serial: u64, registry: &Registry) -> io::Result<Template> {
        drop(Adopting::enter()?);
        check_pidfd()?;
        let (ours, theirs) = socket_pair()?;
        let mut cmd = command(spec);
        // gRPC, which framework plugins import, then restarts its threads in
        // each copy itself (a user's own setting wins).
        if std::env::var_os("GRPC_ENABLE_FORK_SUPPORT").is_none() {
            cmd.env("GRPC_ENABLE_FORK_SUPPORT", "1");
        }
        cmd.arg("--fork-server")
            .stdin(Stdio::from(theirs))
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn()?;
        let (Some(stderr), Some(pid)) = (child.stderr.take(), child.id()) else {
            let _ = child.start_kill();
            return Err(io::Error::other("the template's pipes could not be set up"));
        };
        tokio::spawn(forward_stderr(BufReader::new(stderr)));
        set_nonblocking(ours.as_raw_fd())?;
        Ok(Template {
            control: std::sync::Mutex::new(Some(supervise(child, pid, serial, registry))),
            socket: register(ours)?,
            turn: tokio::sync::Mutex::new(()),
            next: AtomicU64::new(1),
        })
    }

    /// Stop the template process (unless it became a handler).
    pub(super) fn kill(&self) {
        if let Some(control) = super::process::lock(&self.control).as_ref() {
            control.kill();
        }
    }

    /// A new handler process as a copy of the template. The exchange runs in a
    /// task of its own: a copy whose caller gave up is stopped and reaped.
    pub(super) async fn fork(
        self: &Arc<Self>,
        serial: u64,
        registry: &Registry,
    ) -> io::Result<Forked> {
        let (tx, rx) = oneshot::channel();
        let me = self.clone();
        let registry = registry.clone();
        tokio::spawn(async move {
            let result = me.exchange(serial, &registry).await;
            // Dropping an unwanted handler kills and reaps it.
            drop(tx.send(result));
        });
        rx.await
            .unwrap_or_else(|_| Err(io::Error::other("the fork request was dropped")))
    }

    async fn exchange(&self, serial: u64, registry: &Registry) -> io::Result<Forked> {
        let _turn = self.turn.lock().await;
        let number = self.next.fetch_add(1, Ordering::Relaxed);
        let (in_read, in_write) = pipe_pair()?;
        let (out_read, out_write) = pipe_pair()?;
        let (err_read, err_write) = pipe_pair()?;
        let request = format!("{{\"fork\":{number}}}");
        let _adopting = Adopting::enter()?;
        self.send(
            request.as_bytes(),
            &[
                in_read.as_raw_fd(),
                out_write.as_raw_fd(),
                err_write.as_raw_fd(),
            ],
        )
        .await?;
        drop((in_read, out_write, err_write));
        let reply = self.receive().await?;
        let reply: Value = serde_json::from_slice(&reply)
            .map_err(|e| io::Error::other(format!("the template sent an invalid reply: {e}")))?;
        if reply.get("fork").and_then(Value::as_u64) != Some(number) {
            return Err(io::Error::other("the template answered another request"));
        }
        if let Some(why) = reply.get("refused").and_then(Value::as_str) {
            return Err(io::Error::other(format!("the template refused: {why}")));
        }
        if let Some(why) = reply.get("last").and_then(Value::as_str) {
            let control = super::process::lock(&self.control)
                .take()
                .ok_or_else(|| io::Error::other("the template already became a handler"))?;
            return handler(serial, in_write, out_read, err_read, control).map(|mut handler| {
                handler.origin = "started";
                Forked::Last(handler, why.to_string())
            });
        }
        let pid = reply
            .get("pid")
            .and_then(Value::as_u64)
            .and_then(|p| u32::try_from(p).ok())
            .filter(|p| *p > 1)
            .ok_or_else(|| io::Error::other("the template could not fork"))?;
        adopt(pid, in_write, out_read, err_read, serial, registry).map(Forked::Handler)
    }

    async fn send(&self, data: &[u8], fds: &[RawFd]) -> io::Result<()> {
        loop {
            let mut guard = self.socket.writable().await?;
            match guard.try_io(|socket| send_with_fds(socket.as_raw_fd(), data, fds)) {
                Ok(result) => return result,
                Err(_would_block) => continue,
            }
        }
    }

    async fn receive(&self) -> io::Result<Vec<u8>> {
        loop {
            let mut guard = self.socket.readable().await?;
            let mut buf = vec![0u8; 4096];
            match guard.try_io(|socket| {
                // SAFETY: recv into a buffer of the length given.
                let n = unsafe {
                    libc::recv(socket.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0)
                };
                if n < 0 {
                    Err(io::Error::last_os_error())
                } else {
                    Ok(n as usize)
                }
            }) {
                Ok(Ok(0)) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the template process ended",
                    ));
                }
                Ok(Ok(n)) => {
                    buf.truncate(n);
                    return Ok(buf);
                }
                Ok(Err(e)) if e.kind() == io::ErrorKind::Interrupted => continue,
                Ok(Err(e)) => return Err(e),
                Err(_would_block) => continue,
            }
        }
    }
}

/// A handler for the copy `pid`, a child of ours, on the host's ends of its pipes.
fn adopt(
    pid: u32,
    stdin: OwnedFd,
    stdout: OwnedFd,
    stderr: OwnedFd,
    serial: u64,
    registry: &Registry,
) -> io::Result<Handler> {
    let ended = pidfd_open(pid).and_then(register);
    let ended = match ended {
        Ok(fd) => fd,
        Err(e) => {
            // Ours and not reaped: stop it before giving up.
            super::process::kill_group(pid);
            return Err(e);
        }
    };
    let control = supervise_adopted(pid, serial, registry, async move {
        // A pidfd becomes readable when its process has ended.
        let _ = ended.readable().await;
    });
    handler(serial, stdin, stdout, stderr, control)
}

/// A handler on the host's ends of its pipes.
fn handler(
    serial: u64,
    stdin: OwnedFd,
    stdout: OwnedFd,
    stderr: OwnedFd,
    control: Control,
) -> io::Result<Handler> {
    for fd in [&stdin, &stdout, &stderr] {
        set_nonblocking(fd.as_raw_fd())?;
    }
    let stderr = pipe::Receiver::from_owned_fd(stderr)?;
    tokio::spawn(forward_stderr(BufReader::new(stderr)));
    Ok(Handler {
        serial,
        stdin: Box::new(pipe::Sender::from_owned_fd(stdin)?),
        output: LineReader::new(Box::new(pipe::Receiver::from_owned_fd(stdout)?)),
        control,
        origin: "copied",
        ready_in: std::time::Duration::ZERO,
    })
}

/// Forks in progress (while any is, the host is a child subreaper).
static ADOPTING: std::sync::Mutex<usize> = std::sync::Mutex::new(0);

/// While it lives, processes orphaned below the host become its children, as a
/// copy does when its middle process ends. Outside of fork requests (a few
/// milliseconds each) the host is no subreaper, so what plugins leave behind
/// goes to process 1 as before.
struct Adopting;

impl Adopting {
    fn enter() -> io::Result<Adopting> {
        let mut count = super::process::lock(&ADOPTING);
        if *count == 0 {
            // SAFETY: prctl with integer arguments.
            if unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) } != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        *count += 1;
        Ok(Adopting)
    }
}

impl Drop for Adopting {
    fn drop(&mut self) {
        let mut count = super::process::lock(&ADOPTING);
        *count -= 1;
        if *count == 0 {
            // SAFETY: prctl with integer arguments.
            unsafe {
                libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
            }
        }
    }
}

/// Wait for readiness of a descriptor we own.
fn register(fd: OwnedFd) -> io::Result<AsyncFd<OwnedFd>> {
    // SAFETY: the OwnedFd stays open, and the same descriptor, for as long as
    // the AsyncFd that owns it.
    Ok(unsafe { AsyncFd::register(fd) }?)
}

/// pidfd_open(2) is there (Linux 5.3).
fn check_pidfd() -> io::Result<()> {
    pidfd_open(std::process::id()).map(drop)
}

fn pidfd_open(pid: u32) -> io::Result<OwnedFd> {
    let pid = i32::try_from(pid).map_err(io::Error::other)?;
    // SAFETY: pidfd_open returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a descriptor we own from here on.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

fn socket_pair() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: socketpair fills the two descriptors it is given.
    let done = unsafe {
        libc::socketpair(
            libc::AF_UNIX,
            libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC,
            0,
            fds.as_mut_ptr(),
        )
    };
    if done != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: two new descriptors we own.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// (read end, write end), both close-on-exec.
fn pipe_pair() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: pipe2 fills the two descriptors it is given.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: two new descriptors we own.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

fn set_nonblocking(fd: RawFd) -> io::Result<()> {
    // SAFETY: fcntl on a descriptor we own.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 || libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// One datagram with `fds` attached (SCM_RIGHTS).
fn send_with_fds(socket: RawFd, data: &[u8], fds: &[RawFd]) -> io::Result<()> {
    let fd_bytes = std::mem::size_of_val(fds);
    // SAFETY: CMSG_SPACE only computes a size.
    let space = unsafe { libc::CMSG_SPACE(fd_bytes as u32) } as usize;
    // u64 elements keep the control buffer aligned for cmsghdr.
    let mut control = vec![0u64; space.div_ceil(8)];
    let mut iov = libc::iovec {
        iov_base: data.as_ptr() as *mut libc::c_void,
        iov_len: data.len(),
    };
    // SAFETY: the message points at `iov` and `control`, which outlive the call;
    // the header and data written through CMSG_* stay inside `control`.
    unsafe {
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = space as _;
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        (*cmsg).cmsg_level = libc::SOL_SOCKET;
        (*cmsg).cmsg_type = libc::SCM_RIGHTS;
        (*cmsg).cmsg_len = libc::CMSG_LEN(fd_bytes as u32) as _;
        std::ptr::copy_nonoverlapping(fds.as_ptr().cast::<u8>(), libc::CMSG_DATA(cmsg), fd_bytes);
        if libc::sendmsg(socket, &msg, libc::MSG_NOSIGNAL) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}
