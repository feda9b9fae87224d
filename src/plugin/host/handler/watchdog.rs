//! The host's death watch: a small process, forked from the host, that stops
//! the handlers' process groups when the host ends without stopping them
//! itself (SIGKILL, a crash, the out-of-memory killer).
//!
//! The host tells it over a pipe which process groups are live (a 4-byte
//! record per change: `+pgid` when a handler starts, `-pgid` when it has been
//! reaped). When the pipe reaches end of input, the host has ended, however
//! it ended; the watch then sends SIGKILL to every group still listed, which
//! also stops the processes the handlers started (unless they left their
//! group), and exits. It ignores the terminal's signals, holds no descriptor
//! of the host but the pipe, and runs only system calls after the fork.

use std::sync::Mutex;

/// Most process groups watched at once (further ones are not watched).
const CAPACITY: usize = 4096;

struct Watch {
    writer: i32,
    pid: i32,
}

static WATCH: Mutex<Option<Watch>> = Mutex::new(None);

fn lock() -> std::sync::MutexGuard<'static, Option<Watch>> {
    WATCH.lock().unwrap_or_else(|e| e.into_inner())
}

/// Start the watch (once per process; later calls do nothing). Handlers
/// started before it are not watched.
pub fn start() -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        let mut watch = lock();
        if watch.is_some() {
            return Ok(());
        }
        let mut fds = [0i32; 2];
        // SAFETY: pipe2 fills the two descriptors it is given.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let [reader, writer] = fds;
        // Everything the child needs is allocated before the fork.
        let mut groups = vec![0i32; CAPACITY];
        let mut buf = vec![0u8; 4096];
        // SAFETY: the child runs only async-signal-safe system calls on memory
        // allocated above and leaves with _exit, as required after a fork in a
        // multi-threaded program.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            let e = std::io::Error::last_os_error();
            // SAFETY: closing the pipe created above.
            unsafe {
                libc::close(reader);
                libc::close(writer);
            }
            return Err(e);
        }
        if pid == 0 {
            // SAFETY: see above.
            unsafe { watch_loop(reader, &mut groups, &mut buf) }
        }
        // SAFETY: the parent keeps only the writing end.
        unsafe {
            libc::close(reader);
        }
        *watch = Some(Watch { writer, pid });
    }
    Ok(())
}

/// In the forked child: collect the groups until the host is gone, then kill them.
#[cfg(target_os = "linux")]
unsafe fn watch_loop(reader: i32, groups: &mut [i32], buf: &mut [u8]) -> ! {
    unsafe {
        for sig in [
            libc::SIGINT,
            libc::SIGTERM,
            libc::SIGHUP,
            libc::SIGQUIT,
            libc::SIGPIPE,
        ] {
            libc::signal(sig, libc::SIG_IGN);
        }
        // Only the pipe stays open (as descriptor 3), and 0-2 for nothing.
        let fd = if reader == 3 {
            3
        } else {
            libc::dup2(reader, 3)
        };
        if fd != 3 {
            libc::_exit(1);
        }
        if libc::syscall(libc::SYS_close_range, 4u32, u32::MAX, 0u32) != 0 {
            for other in 4..1024 {
                libc::close(other);
            }
        }
        let mut count = 0usize;
        loop {
            let n = libc::read(3, buf.as_mut_ptr().cast(), buf.len());
            if n < 0 {
                if *libc::__errno_location() == libc::EINTR {
                    continue;
                }
                break;
            }
            if n == 0 {
                break;
            }
            // Each record is written whole (4 bytes < PIPE_BUF), so reads hold whole records.
            for record in buf[..n as usize].chunks_exact(4) {
                let value = i32::from_ne_bytes([record[0], record[1], record[2], record[3]]);
                if value > 0 {
                    if count < groups.len() {
                        groups[count] = value;
                        count += 1;
                    }
                } else if let Some(i) = groups[..count].iter().position(|g| *g == -value) {
                    groups[i] = groups[count - 1];
                    count -= 1;
                }
            }
        }
        for group in &groups[..count] {
            libc::kill(-*group, libc::SIGKILL);
        }
        libc::_exit(0)
    }
}

fn send(value: i32) {
    let watch = lock();
    if let Some(w) = watch.as_ref() {
        let bytes = value.to_ne_bytes();
        // SAFETY: a write of 4 bytes from a local buffer to our pipe.
        unsafe {
            libc::write(w.writer, bytes.as_ptr().cast(), bytes.len());
        }
    }
}

/// A handler leading process group `pgid` has started.
pub fn watch(pgid: u32) {
    if let Ok(pgid) = i32::try_from(pgid)
        && pgid > 1
    {
        send(pgid);
    }
}

/// The handler leading `pgid` has been reaped and its group killed.
pub fn forget(pgid: u32) {
    if let Ok(pgid) = i32::try_from(pgid)
        && pgid > 1
    {
        send(-pgid);
    }
}

/// End the watch (the host stopped every handler itself) and reap it.
pub fn stop() {
    let Some(w) = lock().take() else {
        return;
    };
    // SAFETY: closing our end of the pipe ends the watch; waitpid on the child
    // forked in `start` (ECHILD when process 1's reaper got it first).
    unsafe {
        libc::close(w.writer);
        let mut status = 0;
        while libc::waitpid(w.pid, &mut status, 0) < 0 && *libc::__errno_location() == libc::EINTR {
        }
    }
}
