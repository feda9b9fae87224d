//! Per-endpoint descriptor cache under `$XDG_CACHE_HOME/spacectl` (or
//! `~/.cache/spacectl`).
//!
//! An entry holds the service list the server reported and the descriptor set
//! fetched for it. The caller uses it only while the server still lists exactly
//! the same services; anything unreadable is treated as a miss. Writes go to a
//! temporary file that is renamed into place, so readers never see half an entry.

use std::path::PathBuf;

const MAGIC: &str = "spacectl descriptor cache 1";

/// A cache directory.
#[derive(Debug, Clone)]
pub struct DescriptorCache {
    dir: PathBuf,
}

/// The default cache directory, when a home or cache directory is known.
pub fn default_dir() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute());
    let base = xdg.or_else(|| dirs::home_dir().map(|h| h.join(".cache")))?;
    Some(base.join("spacectl"))
}

/// FNV-1a, 64 bits: a stable file name for an endpoint key.
fn fnv1a(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The file name of an endpoint's entry.
pub fn file_name(key: &str) -> String {
    format!("descriptors-{:016x}.bin", fnv1a(key))
}

/// Serialize an entry; `None` when a name cannot be stored (contains a newline).
pub fn encode_entry(key: &str, services: &[String], file_set: &[u8]) -> Option<Vec<u8>> {
    if key.contains('\n') || services.iter().any(|s| s.contains('\n')) {
        return None;
    }
    let mut out = Vec::with_capacity(file_set.len() + 256);
    out.extend_from_slice(format!("{MAGIC}\n{key}\n{}\n", services.len()).as_bytes());
    for s in services {
        out.extend_from_slice(s.as_bytes());
        out.push(b'\n');
    }
    out.extend_from_slice(file_set);
    Some(out)
}

/// A stored entry: the service list and the descriptor set fetched for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub services: Vec<String>,
    pub file_set: Vec<u8>,
}

/// Read an entry, if it is well formed and belongs to `key`.
pub fn decode_entry(bytes: &[u8], key: &str) -> Option<Entry> {
    let mut rest = bytes;
    let mut line = || -> Option<&str> {
        let end = rest.iter().position(|&b| b == b'\n')?;
        let text = std::str::from_utf8(&rest[..end]).ok()?;
        rest = &rest[end + 1..];
        Some(text)
    };
    if line()? != MAGIC || line()? != key {
        return None;
    }
    let count: usize = line()?.parse().ok()?;
    let mut services = Vec::new();
    for _ in 0..count {
        services.push(line()?.to_string());
    }
    Some(Entry {
        services,
        file_set: rest.to_vec(),
    })
}

impl DescriptorCache {
    /// The cache in the default location.
    pub fn open_default() -> Option<Self> {
        default_dir().map(|dir| DescriptorCache { dir })
    }

    /// A cache in `dir`.
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        DescriptorCache { dir: dir.into() }
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(file_name(key))
    }

    /// The stored entry for `key`; missing or unreadable entries are `None`.
    pub fn load(&self, key: &str) -> Option<Entry> {
        let bytes = crate::config::fsio::read_regular(
            &self.path(key),
            crate::config::fsio::INPUT_FILE_LIMIT,
        )
        .ok()??;
        decode_entry(&bytes, key)
    }

    /// Store an entry atomically. Failures are returned for the caller to ignore.
    pub fn store(&self, key: &str, services: &[String], file_set: &[u8]) -> std::io::Result<()> {
        let Some(entry) = encode_entry(key, services, file_set) else {
            return Ok(());
        };
        std::fs::create_dir_all(&self.dir)?;
        let target = self.path(key);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let tmp = self.dir.join(format!(
            ".{}.{}.{nanos}.tmp",
            file_name(key),
            std::process::id()
        ));
        let result = std::fs::write(&tmp, &entry).and_then(|()| std::fs::rename(&tmp, &target));
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    /// Forget the entry of `key` (missing entries are fine).
    pub fn remove(&self, key: &str) {
        let _ = std::fs::remove_file(self.path(key));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svcs(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn entry_layout() {
        let e = encode_entry("grpc://localhost:1", &svcs(&["a.B", "c.D"]), b"\x0a\x01x").unwrap();
        assert_eq!(
            e,
            b"spacectl descriptor cache 1\ngrpc://localhost:1\n2\na.B\nc.D\n\x0a\x01x".to_vec()
        );
    }

    #[test]
    fn entry_round_trip_for_its_key_only() {
        let s = svcs(&["a.B", "c.D"]);
        let e = encode_entry("k", &s, b"FDS\n").unwrap();
        assert_eq!(
            decode_entry(&e, "k"),
            Some(Entry {
                services: s.clone(),
                file_set: b"FDS\n".to_vec()
            })
        );
        assert_eq!(decode_entry(&e, "other"), None);
        let empty = encode_entry("k", &[], b"").unwrap();
        assert_eq!(
            decode_entry(&empty, "k"),
            Some(Entry {
                services: vec![],
                file_set: vec![]
            })
        );
    }

    #[test]
    fn corrupt_entries_are_misses() {
        for bad in [
            &b""[..],
            b"garbage",
            b"spacectl descriptor cache 1\nk\nx\n",
            b"spacectl descriptor cache 1\nk\n1\n",
            b"\xff\xfe\n",
        ] {
            assert_eq!(decode_entry(bad, "k"), None);
        }
    }

    #[test]
    fn newline_names_are_not_stored() {
        assert_eq!(encode_entry("k", &svcs(&["a\nb"]), b""), None);
    }

    #[test]
    fn file_names_are_stable() {
        assert_eq!(file_name(""), "descriptors-cbf29ce484222325.bin");
        assert_ne!(file_name("grpc://a:1"), file_name("grpc://a:2"));
    }

    #[test]
    fn store_and_load() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DescriptorCache::at(dir.path().join("nested"));
        let s = svcs(&["x.Y"]);
        let file_set = |k: &str| cache.load(k).map(|e| e.file_set);
        assert_eq!(cache.load("k"), None);
        cache.store("k", &s, b"abc").unwrap();
        assert_eq!(file_set("k"), Some(b"abc".to_vec()));
        assert_eq!(cache.load("k").map(|e| e.services), Some(s.clone()));
        cache.store("k", &s, b"def").unwrap();
        assert_eq!(file_set("k"), Some(b"def".to_vec()));
        assert_eq!(file_set("other"), None);
        let leftovers = std::fs::read_dir(&cache.dir).unwrap().count();
        assert_eq!(leftovers, 1);
        cache.remove("k");
        assert_eq!(cache.load("k"), None);
    }
}
