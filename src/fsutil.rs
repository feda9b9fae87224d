//! File reading that never waits on a FIFO or a device and never reads past a
//! bound: shared by the client's configuration files and the host's metadata
//! files.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// What kind of file this is, for messages: `a directory`, `a FIFO`, ...
pub fn kind_name(ft: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    if ft.is_dir() {
        "a directory"
    } else if ft.is_symlink() {
        "a symbolic link"
    } else if ft.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// Opens `path` for reading without waiting: opening a FIFO for reading would
/// otherwise block until a writer comes, and a terminal never becomes ours.
pub fn open_nonblocking(path: &Path) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    opts.open(path)
}

/// Reads `file` to its end, at most `limit` bytes: `Ok(None)` when there is more.
pub fn read_limited(file: File, limit: u64) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            kind_name(&fs::metadata(dir.path()).unwrap().file_type()),
            "a directory"
        );
        let f = dir.path().join("f");
        fs::write(&f, "x").unwrap();
        assert_eq!(
            kind_name(&fs::metadata(&f).unwrap().file_type()),
            "a regular file"
        );
    }

    #[test]
    fn reads_up_to_the_limit_and_no_further() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        fs::write(&f, "abcd").unwrap();
        let read = |limit| read_limited(open_nonblocking(&f).unwrap(), limit).unwrap();
        assert_eq!(read(4), Some(b"abcd".to_vec()));
        assert_eq!(read(3), None);
    }
}
