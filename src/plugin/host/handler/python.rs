//! The Python runner and SDK modules (`spaceone_plugin_sdk`, `spaceone_plugin_kinds`)
//! shipped inside the binary, and the private cache directory they are written to
//! before a Python handler starts. The runner puts that directory on the import
//! path (after the project's own directories), so any plugin can import both
//! modules without vendoring them.
//!
//! The files go to `<cache dir>/spacectl/python-<content hash>/` (the user cache
//! directory, or a private per-user directory under the temp dir when there is no
//! cache directory). Each file is written to a unique temporary name and renamed
//! into place, so concurrent hosts never see a partial file; nothing is written
//! into the plugin project.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The runner script started by the host (`python runner.py`).
pub const RUNNER_SOURCE: &str = include_str!("python/runner.py");
/// File name of the SDK module `spaceone_plugin_sdk` (what `create-project` copies
/// into a project).
pub const SDK_FILE_NAME: &str = "spaceone_plugin_sdk.py";
/// The stdlib-only Python SDK for plugins served by this host.
pub const SDK_SOURCE: &str = include_str!("python/spaceone_plugin_sdk.py");
/// File name of the module `spaceone_plugin_kinds` (the server classes of the
/// other plugin kinds, built on the SDK).
pub const KINDS_FILE_NAME: &str = "spaceone_plugin_kinds.py";
/// The stdlib-only server classes of every plugin kind besides the collector.
pub const KINDS_SOURCE: &str = include_str!("python/spaceone_plugin_kinds.py");

const RUNNER_FILE_NAME: &str = "spacectl_handler_runner.py";

/// FNV-1a over the embedded files: a stable cache key, not a security measure.
pub fn content_key() -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [
        RUNNER_SOURCE.as_bytes(),
        &[0],
        SDK_SOURCE.as_bytes(),
        &[0],
        KINDS_SOURCE.as_bytes(),
    ] {
        for byte in part {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

static INSTALLED: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Path of the runner script, writing the embedded files on first use.
pub fn runner_path() -> Result<PathBuf, String> {
    let mut installed = INSTALLED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(path) = installed.as_ref()
        && path.is_file()
    {
        return Ok(path.clone());
    }
    let dir = install_dir()?;
    write_if_changed(&dir.join(SDK_FILE_NAME), SDK_SOURCE)?;
    write_if_changed(&dir.join(KINDS_FILE_NAME), KINDS_SOURCE)?;
    let runner = dir.join(RUNNER_FILE_NAME);
    write_if_changed(&runner, RUNNER_SOURCE)?;
    *installed = Some(runner.clone());
    Ok(runner)
}

fn install_dir() -> Result<PathBuf, String> {
    let leaf = format!("python-{}", content_key());
    if let Some(cache) = dirs::cache_dir() {
        let dir = cache.join("spacectl").join(&leaf);
        if fs::create_dir_all(&dir).is_ok() {
            return Ok(dir);
        }
    }
    private_temp_dir(&leaf)
}

#[cfg(unix)]
fn private_temp_dir(leaf: &str) -> Result<PathBuf, String> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    // SAFETY: geteuid has no preconditions and cannot fail.
    let uid = unsafe { libc::geteuid() };
    let base = std::env::temp_dir().join(format!("spacectl-{uid}"));
    let _ = fs::DirBuilder::new().mode(0o700).create(&base);
    let meta = fs::symlink_metadata(&base)
        .map_err(|e| format!("cannot create {}: {e}", base.display()))?;
    if !meta.is_dir() || meta.uid() != uid || meta.permissions().mode() & 0o022 != 0 {
        return Err(format!(
            "{} is not a private directory of this user; set XDG_CACHE_HOME to a writable directory",
            base.display()
        ));
    }
    let dir = base.join(leaf);
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

#[cfg(not(unix))]
fn private_temp_dir(leaf: &str) -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join("spacectl").join(leaf);
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

fn write_if_changed(path: &Path, text: &str) -> Result<(), String> {
    if fs::read(path).is_ok_and(|current| current == text.as_bytes()) {
        return Ok(());
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let tmp = path.with_extension(format!("{}.{nanos}.tmp", std::process::id()));
    let written = fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|()| f.sync_all()))
        .and_then(|()| fs::rename(&tmp, path));
    written.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        format!("cannot write {}: {e}", path.display())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_key_is_stable_hex() {
        let key = content_key();
        assert_eq!(key.len(), 16);
        assert!(key.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(key, content_key());
    }

    #[test]
    fn embedded_files_are_the_python_sources() {
        assert!(RUNNER_SOURCE.contains("def serve_request("));
        assert!(SDK_SOURCE.contains("class CollectorPluginServer(PluginServer):"));
        assert_eq!(SDK_FILE_NAME, "spaceone_plugin_sdk.py");
        assert!(KINDS_SOURCE.contains("class DataSourcePluginServer(PluginServer):"));
        assert_eq!(KINDS_FILE_NAME, "spaceone_plugin_kinds.py");
    }

    #[test]
    fn write_if_changed_replaces_content() {
        let dir = std::env::temp_dir().join(format!("spacectl-python-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join("x.py");
        write_if_changed(&file, "a = 1\n").unwrap();
        write_if_changed(&file, "a = 1\n").unwrap();
        assert_eq!(fs::read_to_string(&file).unwrap(), "a = 1\n");
        write_if_changed(&file, "a = 2\n").unwrap();
        assert_eq!(fs::read_to_string(&file).unwrap(), "a = 2\n");
        assert_eq!(
            fs::read_dir(&dir).unwrap().count(),
            1,
            "no temporary files left"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
