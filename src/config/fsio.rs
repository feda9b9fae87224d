//! File access for the configuration: private directories and atomic writes.
//!
//! Every write goes to a temporary file in the destination's directory (mode 0600),
//! is flushed to disk and then renamed over the destination, so a reader never sees
//! a half-written file and an interrupted write leaves the old file intact.
//! Directories this module creates get mode 0700. Existing directories keep their mode.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{AppError, Result};

/// Mode of every file written here (owner read/write).
pub const FILE_MODE: u32 = 0o600;
/// Mode of every directory created here (owner only).
pub const DIR_MODE: u32 = 0o700;

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

/// Replace `path` with `contents` atomically (temporary file + rename), mode 0600.
///
/// When `path` is a symbolic link, the file it points to is replaced and the link is kept.
pub fn write_atomic(path: &Path, contents: impl AsRef<[u8]>) -> Result<()> {
    let target = resolve_link(path);
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
    let result = write_new_file(&tmp, contents.as_ref()).and_then(|_| fs::rename(&tmp, &target));
    match result {
        Ok(()) => {
            sync_dir(&dir);
            Ok(())
        }
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(io_error("Cannot write file", &target, &e))
        }
    }
}

/// Read a whole file as UTF-8 text. `Ok(None)` when it does not exist.
pub fn read_optional(path: &Path) -> Result<Option<String>> {
    match fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map(Some).map_err(|_| {
            AppError::msg(format!(
                "File is not valid UTF-8 text. (file = {})",
                path.display()
            ))
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_error("Cannot read file", path, &e)),
    }
}

/// Remove a file; a missing file is not an error.
pub fn remove_if_exists(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error("Cannot remove file", path, &e)),
    }
}

fn write_new_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(FILE_MODE);
    }
    let mut f: File = opts.open(path)?;
    f.write_all(contents)?;
    f.sync_all()
}

/// Follow a symbolic link chain (bounded) to the file that should be replaced.
fn resolve_link(path: &Path) -> PathBuf {
    let mut current = path.to_path_buf();
    for _ in 0..32 {
        match fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => match fs::read_link(&current) {
                Ok(next) => {
                    current = if next.is_absolute() {
                        next
                    } else {
                        current.parent().map(|p| p.join(&next)).unwrap_or(next)
                    };
                }
                Err(_) => return current,
            },
            _ => return current,
        }
    }
    current
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
        assert_eq!(read_optional(&p).unwrap().as_deref(), Some("x: y\n"));
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

    #[test]
    fn missing_files() {
        let d = scratch();
        let p = d.path().join("none.yml");
        assert_eq!(read_optional(&p).unwrap(), None);
        assert!(remove_if_exists(&p).is_ok());
        let bad = d.path().join("no-dir/f.yml");
        let e = write_atomic(&bad, "x").unwrap_err().to_string();
        assert!(e.starts_with("Cannot write file. (path = "), "{e}");
        assert!(e.contains("no-dir/f.yml"), "{e}");
    }

    #[test]
    fn non_utf8_is_reported() {
        let d = scratch();
        let p = d.path().join("bin.yml");
        fs::write(&p, [0xff, 0xfe, 0x00]).unwrap();
        let e = read_optional(&p).unwrap_err().to_string();
        assert_eq!(
            e,
            format!("File is not valid UTF-8 text. (file = {})", p.display())
        );
    }
}
