//! What a login keeps beside the environment file: the refresh token and what it was
//! issued for, in `~/.spaceone/sessions/<environment>.json` (mode 0600, directory
//! 0700). The environment file holds only the granted token (`api_key`), the key both
//! clients read; the refresh token, which can grant new tokens, never goes there.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::config::fsio;
use crate::config::paths::Layout;
use crate::error::{AppError, Result};

/// Largest session file read.
const LIMIT: u64 = 1024 * 1024;
/// Folder of the session files under `~/.spaceone`.
pub const DIR_NAME: &str = "sessions";

/// One environment's login.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Kept {
    pub identity: String,
    pub domain_id: String,
    pub domain_name: String,
    pub user_id: String,
    pub refresh_token: String,
    /// DOMAIN, WORKSPACE or USER: what the last grant asked for.
    pub scope: String,
    pub workspace_id: Option<String>,
}

impl Kept {
    fn to_json(&self) -> Value {
        json!({
            "identity": self.identity,
            "domain_id": self.domain_id,
            "domain_name": self.domain_name,
            "user_id": self.user_id,
            "scope": self.scope,
            "workspace_id": self.workspace_id,
            "refresh_token": self.refresh_token,
        })
    }

    fn from_json(map: &Map<String, Value>) -> Option<Kept> {
        let text = |k: &str| map.get(k).and_then(Value::as_str).map(str::to_string);
        Some(Kept {
            identity: text("identity").unwrap_or_default(),
            domain_id: text("domain_id")?,
            domain_name: text("domain_name").unwrap_or_default(),
            user_id: text("user_id").unwrap_or_default(),
            refresh_token: text("refresh_token")?,
            scope: text("scope").unwrap_or_default(),
            workspace_id: text("workspace_id").filter(|w| !w.is_empty()),
        })
    }
}

/// The session file of environment `name`.
pub fn path(layout: &Layout, name: &str) -> PathBuf {
    layout.root().join(DIR_NAME).join(format!("{name}.json"))
}

/// The kept login of an environment, `None` when there is none. A file that cannot be
/// read as one is an error naming it.
pub fn load(file: &Path) -> Result<Option<Kept>> {
    let bytes = match fsio::read_regular(file, LIMIT) {
        Ok(Some(b)) => b,
        Ok(None) => return Ok(None),
        Err(e) => {
            return Err(AppError::msg(format!(
                "Cannot read the login kept in {}: {e}",
                file.display()
            )));
        }
    };
    let broken = || {
        AppError::msg(format!(
            "The login kept in {} is damaged: run `spacectl logout`, then `spacectl login`.",
            file.display()
        ))
    };
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Kept::from_json(&map).map(Some).ok_or_else(broken),
        _ => Err(broken()),
    }
}

/// Write the kept login (mode 0600, in a 0700 directory).
pub fn save(file: &Path, kept: &Kept) -> Result<()> {
    if let Some(dir) = file.parent() {
        fsio::create_private_dir(dir)?;
    }
    let mut text = serde_json::to_string_pretty(&kept.to_json())
        .map_err(|e| AppError::msg(format!("Cannot encode the login: {e}")))?;
    text.push('\n');
    fsio::write_atomic(file, text)
}

/// Forget the kept login; whether there was one.
pub fn remove(file: &Path) -> Result<bool> {
    let existed = file.exists();
    fsio::remove_if_exists(file)?;
    Ok(existed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_mode() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::under_home(dir.path());
        let file = path(&layout, "local");
        assert_eq!(load(&file).unwrap(), None);
        let kept = Kept {
            identity: "grpc://127.0.0.1:1".into(),
            domain_id: "domain-1".into(),
            domain_name: "spaceone".into(),
            user_id: "admin@example.com".into(),
            refresh_token: "R".into(),
            scope: "WORKSPACE".into(),
            workspace_id: Some("workspace-1".into()),
        };
        save(&file, &kept).unwrap();
        assert_eq!(load(&file).unwrap(), Some(kept));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            let dmode = std::fs::metadata(file.parent().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(dmode & 0o777, 0o700);
        }
        assert!(remove(&file).unwrap());
        assert!(!remove(&file).unwrap());
    }

    #[test]
    fn damaged_file_names_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.json");
        std::fs::write(&file, "[1]").unwrap();
        let err = load(&file).unwrap_err().to_string();
        assert!(err.contains("spacectl logout"), "{err}");
    }
}
