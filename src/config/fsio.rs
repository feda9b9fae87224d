//! File access for the configuration: private directories, atomic writes and
//! bounded reads that never block.
//!
//! Every write goes to a temporary file in the destination's directory, is flushed to
//! disk and then renamed over the destination, so a reader never sees a half-written
//! file and an interrupted write leaves the old file intact. Files written here get
//! mode 0600 and directories this module creates get mode 0700; existing directories
//! keep their mode.
//!
//! Symbolic links are followed: the file a link points to is replaced (atomically, in
//! its own directory) and keeps its mode, and the link stays. Only regular files are
//! read or replaced: a directory, FIFO, device or socket at a configuration path is
//! refused with an error naming the path, before anything is changed, and reading
//! never waits on such a file.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{AppError, Result};

/// Mode of every file written here (owner read/write), unless a symbolic link points
/// at an existing file: that file keeps its mode.
pub const FILE_MODE: u32 = 0o600;
/// Mode of every directory created here (owner only).
pub const DIR_MODE: u32 = 0o700;
/// Largest configuration file read (environment files, templates, cache entries).
pub const CONFIG_FILE_LIMIT: u64 = 16 * 1024 * 1024;
/// Largest input file read (request files, manifests, import files): these may be
/// pipes (`-f <(...)`), so the bound is what keeps `/dev/zero` from filling memory.
pub const INPUT_FILE_LIMIT: u64 = 64 * 1024 * 1024;
/// Symbolic links followed before giving up (as the kernel's limit).
const MAX_LINKS: usize = 40;

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// `mkdir -p` with mode 0700 for the directories that are created.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(DIR_MODE);
    }
    builder
        .create(dir)
        .map_err(|e| io_error("Cannot create directory", dir, &e))
}

/// Where a write to a path lands, and with which mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WritePlan {
    /// The file that is replaced: the path itself, or the end of its link chain.
    pub target: PathBuf,
    /// Mode of the new file.
    pub mode: u32,
}

/// Check that `path` can be replaced by [`write_atomic`] and say how: follows
/// symbolic links, and refuses anything but a regular file or a missing one.
pub fn plan_write(path: &Path) -> Result<WritePlan> {
    let fail = |e: io::Error| io_error("Cannot write file", path, &e);
    let (target, via_link) = resolve_link(path).map_err(fail)?;
    let mode = match fs::symlink_metadata(&target) {
        Ok(m) if m.file_type().is_file() => {
            if via_link {
                permission_bits(&m)
            } else {
                FILE_MODE
            }
        }
        Ok(m) => return Err(fail(refusal(via_link.then_some(&target), &m.file_type()))),
        // A dangling link: the file it names is created, in its directory,
        // which must exist (the directories of our own paths are created).
        Err(e) if e.kind() == io::ErrorKind::NotFound && via_link => {
            if target
                .parent()
                .is_some_and(|d| !d.as_os_str().is_empty() && !d.is_dir())
            {
                return Err(fail(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!(
                        "it links to {}, whose directory does not exist",
                        target.display()
                    ),
                )));
            }
            FILE_MODE
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => FILE_MODE,
        Err(e) => return Err(fail(e)),
    };
    Ok(WritePlan { target, mode })
}

/// Replace `path` with `contents` atomically (temporary file + rename).
///
/// When `path` is a symbolic link, the file it points to is replaced, keeps its mode,
/// and the link is kept. Anything but a regular (or missing) file is refused and left
/// untouched.
pub fn write_atomic(path: &Path, contents: impl AsRef<[u8]>) -> Result<()> {
    let plan = plan_write(path)?;
    let target = &plan.target;
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let base = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config".to_string());
    let tmp = dir.join(format!(
        ".{base}.{}.{}.tmp",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result =
        write_new_file(&tmp, contents.as_ref(), plan.mode).and_then(|_| fs::rename(&tmp, target));
    match result {
        Ok(()) => {
            sync_dir(&dir);
            Ok(())
        }
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(io_error("Cannot write file", target, &e))
        }
    }
}

/// The bytes of a regular file (following links), at most `limit` of them.
/// `Ok(None)` when it does not exist; any other kind of file is an error, found
/// without waiting on it.
pub fn read_regular(path: &Path, limit: u64) -> io::Result<Option<Vec<u8>>> {
    // Look before opening: devices and FIFOs are never opened.
    match fs::metadata(path) {
        Ok(m) if m.is_file() => {}
        Ok(m) => return Err(refusal(link_target(path).as_deref(), &m.file_type())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    }
    let file = match open_nonblocking(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    // The file may have been swapped between the look and the open.
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta.file_type()));
    }
    if meta.len() > limit {
        return Err(too_large(limit));
    }
    read_limited(file, limit).map(Some)
}

/// Read a file named on the command line as UTF-8 text, at most `limit` bytes.
///
/// Pipes and devices are read too (`-f <(...)`, `-f /dev/stdin`), but never more than
/// `limit` bytes; a directory is refused. The caller puts the error in its own message.
pub fn read_input_text(path: &Path, limit: u64) -> io::Result<String> {
    let file = File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(not_regular(&meta.file_type()));
    }
    if meta.is_file() && meta.len() > limit {
        return Err(too_large(limit));
    }
    let bytes = read_limited(file, limit)?;
    String::from_utf8(bytes).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

/// Check that [`remove_if_exists`] would succeed on the kind of file at `path`
/// (a directory cannot be removed as a file).
pub fn check_removable(path: &Path) -> Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => Err(io_error(
            "Cannot remove file",
            path,
            &not_regular(&m.file_type()),
        )),
        _ => Ok(()),
    }
}

/// Remove a file (a symbolic link itself, not its target); a missing file is not an
/// error.
pub fn remove_if_exists(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error("Cannot remove file", path, &e)),
    }
}

pub use crate::fsutil::kind_name;

fn not_regular(ft: &fs::FileType) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is {}, not a regular file", kind_name(ft)),
    )
}

/// The refusal of a file that is not regular, naming the link's target when the
/// path is a symbolic link.
fn refusal(target: Option<&Path>, ft: &fs::FileType) -> io::Error {
    match target {
        None => not_regular(ft),
        Some(t) => io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "it links to {}, which is {}, not a regular file",
                t.display(),
                kind_name(ft)
            ),
        ),
    }
}

/// The end of the link chain at `path`, when `path` is a symbolic link.
fn link_target(path: &Path) -> Option<PathBuf> {
    match resolve_link(path) {
        Ok((target, true)) => Some(target),
        _ => None,
    }
}

fn too_large(limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("it is larger than {} MiB", limit / (1024 * 1024)),
    )
}

fn read_limited(file: File, limit: u64) -> io::Result<Vec<u8>> {
    crate::fsutil::read_limited(file, limit)?.ok_or_else(|| too_large(limit))
}

use crate::fsutil::open_nonblocking;

#[cfg(unix)]
fn permission_bits(m: &fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    m.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn permission_bits(_: &fs::Metadata) -> u32 {
    FILE_MODE
}

fn write_new_file(path: &Path, contents: &[u8], mode: u32) -> io::Result<()> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(FILE_MODE);
    }
    let mut f: File = opts.open(path)?;
    f.write_all(contents)?;
    #[cfg(unix)]
    if mode != FILE_MODE {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    f.sync_all()
}

/// Follow a symbolic link chain to the file that should be replaced; says whether a
/// link was followed. A chain longer than the kernel allows is an error.
fn resolve_link(path: &Path) -> io::Result<(PathBuf, bool)> {
    let mut current = path.to_path_buf();
    for hops in 0..=MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let next = fs::read_link(&current)?;
                current = if next.is_absolute() {
                    next
                } else {
                    current.parent().map(|p| p.join(&next)).unwrap_or(next)
                };
            }
            Ok(_) => return Ok((current, hops > 0)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((current, hops > 0)),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

fn io_error(what: &str, path: &Path, e: &io::Error) -> AppError {
    AppError::msg(format!("{what}. (path = {}, reason = {e})", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch() -> tempfile::TempDir {
        tempfile::tempdir().expect("temporary directory")
    }

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(p)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0)
    }

    #[test]
    fn writes_and_replaces() {
        let d = scratch();
        let p = d.path().join("a.yml");
        write_atomic(&p, "{}\n").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "{}\n");
        write_atomic(&p, "x: y\n").unwrap();
        assert_eq!(
            read_regular(&p, 100).unwrap().as_deref(),
            Some(&b"x: y\n"[..])
        );
        let leftovers: Vec<_> = fs::read_dir(d.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(leftovers, vec!["a.yml".to_string()]);
    }

    #[cfg(unix)]
    #[test]
    fn modes_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let d = scratch();
        let dir = d.path().join("x/y");
        create_private_dir(&dir).unwrap();
        assert_eq!(mode(&d.path().join("x")), 0o700);
        assert_eq!(mode(&dir), 0o700);
        let p = dir.join("f.yml");
        fs::write(&p, "old").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
        write_atomic(&p, "new").unwrap();
        assert_eq!(mode(&p), 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_target_is_replaced() {
        let d = scratch();
        let real = d.path().join("real.yml");
        fs::write(&real, "old").unwrap();
        let link = d.path().join("link.yml");
        std::os::unix::fs::symlink("real.yml", &link).unwrap();
        write_atomic(&link, "new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
    }

    #[cfg(unix)]
    fn mkfifo(p: &Path) {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(p.as_os_str().as_bytes()).unwrap();
        // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
    }

    /// Run `f` on another thread and fail (instead of hanging) when it blocks.
    fn bounded<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(std::time::Duration::from_secs(10))
            .expect("the call must not block")
    }

    #[cfg(unix)]
    #[test]
    fn a_link_target_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let d = scratch();
        let real = d.path().join("real.yml");
        fs::write(&real, "old").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
        let link = d.path().join("link.yml");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert_eq!(
            plan_write(&link).unwrap(),
            WritePlan {
                target: real.clone(),
                mode: 0o640
            }
        );
        write_atomic(&link, "new").unwrap();
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
        assert_eq!(mode(&real), 0o640);
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        // A dangling link gets its target created, privately.
        let dangling = d.path().join("dangling.yml");
        std::os::unix::fs::symlink("made.yml", &dangling).unwrap();
        write_atomic(&dangling, "x").unwrap();
        assert_eq!(fs::read_to_string(d.path().join("made.yml")).unwrap(), "x");
        assert_eq!(mode(&d.path().join("made.yml")), 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn non_regular_targets_are_refused_and_untouched() {
        let d = scratch();
        let dir = d.path().join("dir.yml");
        fs::create_dir(&dir).unwrap();
        let fifo = d.path().join("fifo.yml");
        mkfifo(&fifo);
        let to_fifo = d.path().join("to-fifo.yml");
        std::os::unix::fs::symlink(&fifo, &to_fifo).unwrap();
        let to_dir = d.path().join("to-dir.yml");
        std::os::unix::fs::symlink(&dir, &to_dir).unwrap();
        for (path, target, kind) in [
            (&dir, &dir, "a directory"),
            (&fifo, &fifo, "a FIFO"),
            (&to_fifo, &fifo, "a FIFO"),
            (&to_dir, &dir, "a directory"),
        ] {
            let reason = if path == target {
                format!("it is {kind}, not a regular file")
            } else {
                format!(
                    "it links to {}, which is {kind}, not a regular file",
                    target.display()
                )
            };
            let e = write_atomic(path, "x").unwrap_err().to_string();
            assert_eq!(
                e,
                format!(
                    "Cannot write file. (path = {}, reason = {reason})",
                    path.display()
                )
            );
            let p = path.clone();
            let e = bounded(move || crate::config::store::read_config_text(&p))
                .unwrap_err()
                .to_string();
            assert_eq!(
                e,
                format!(
                    "Cannot read file. (path = {}, reason = {reason})",
                    path.display()
                )
            );
            let ft = fs::symlink_metadata(target).unwrap().file_type();
            assert_eq!(kind_name(&ft), kind);
        }
        assert!(fs::read_dir(&dir).unwrap().next().is_none());
        let names: Vec<String> = fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(names.is_empty(), "{names:?}");
        assert!(check_removable(&dir).is_err());
        assert!(check_removable(&to_dir).is_ok());
        assert!(check_removable(&fifo).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn link_loops_are_errors() {
        let d = scratch();
        let a = d.path().join("a.yml");
        let b = d.path().join("b.yml");
        std::os::unix::fs::symlink(&b, &a).unwrap();
        std::os::unix::fs::symlink(&a, &b).unwrap();
        let e = write_atomic(&a, "x").unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "Cannot write file. (path = {}, reason = too many levels of symbolic links)",
                a.display()
            )
        );
    }

    #[test]
    fn reads_are_bounded() {
        let d = scratch();
        let p = d.path().join("big.yml");
        fs::write(&p, vec![b'a'; 3 * 1024 * 1024]).unwrap();
        assert_eq!(
            read_regular(&p, 2 * 1024 * 1024).unwrap_err().to_string(),
            "it is larger than 2 MiB"
        );
        let text = |p: &Path, limit| read_input_text(p, limit).map_err(|e| e.to_string());
        assert_eq!(
            text(&p, 1024 * 1024),
            Err("it is larger than 1 MiB".to_string())
        );
        assert_eq!(
            read_regular(&p, 4 * 1024 * 1024).unwrap().map(|b| b.len()),
            Some(3 * 1024 * 1024)
        );
        #[cfg(target_os = "linux")]
        assert_eq!(
            bounded(move || text(Path::new("/dev/zero"), 1024 * 1024)),
            Err("it is larger than 1 MiB".to_string())
        );
        assert_eq!(
            text(d.path(), 1024),
            Err("it is a directory, not a regular file".to_string())
        );
        assert!(
            text(&d.path().join("none"), 1024)
                .unwrap_err()
                .starts_with("No such file or directory")
        );
        fs::write(&p, [0xff, 0xfe]).unwrap();
        assert_eq!(
            text(&p, 1024),
            Err("stream did not contain valid UTF-8".to_string())
        );
    }

    #[test]
    fn missing_files() {
        let d = scratch();
        let p = d.path().join("none.yml");
        assert_eq!(read_regular(&p, 100).unwrap(), None);
        assert!(remove_if_exists(&p).is_ok());
        let bad = d.path().join("no-dir/f.yml");
        let e = write_atomic(&bad, "x").unwrap_err().to_string();
        assert!(e.starts_with("Cannot write file. (path = "), "{e}");
        assert!(e.contains("no-dir/f.yml"), "{e}");
    }
}
