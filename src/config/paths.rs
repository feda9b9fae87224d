//! Where the configuration lives: `$HOME/.spaceone/`.
//!
//! ```text
//! ~/.spaceone/
//! ├── environment.yml              {environment: <name>}  (the current environment)
//! ├── environments/<name>.yml      one file per environment
//! ├── backups/<name>.yml.bak       previous content kept by `config init`
//! └── template/<service>.<Resource>.yml
//! ```
//!
//! Backups live in their own directory: the Python client takes every file in
//! `environments/` whose name contains `.yml` for an environment, so a
//! `dev.yml.bak` there would show up as a broken environment `dev.yml`.

use std::path::{Path, PathBuf};

use crate::error::{AppError, Result};

/// Name of the configuration directory under the home directory.
pub const CONFIG_DIR_NAME: &str = ".spaceone";
/// File holding the name of the current environment.
pub const CURRENT_FILE_NAME: &str = "environment.yml";
/// Directory holding one file per environment.
pub const ENVIRONMENTS_DIR_NAME: &str = "environments";
/// Directory holding the files kept by `config init`.
pub const BACKUPS_DIR_NAME: &str = "backups";
/// Directory holding user list templates.
#[allow(dead_code)]
pub const TEMPLATE_DIR_NAME: &str = "template";
/// Suffix of every environment file.
pub const ENV_FILE_SUFFIX: &str = ".yml";
/// Suffix added to an environment file kept by `config init`.
pub const BACKUP_SUFFIX: &str = ".bak";

/// The home directory: `$HOME` when set and non-empty, else the platform's notion of it.
pub fn home_dir() -> Result<PathBuf> {
    home_from(std::env::var_os("HOME").map(PathBuf::from), dirs::home_dir)
}

fn home_from(
    home_var: Option<PathBuf>,
    fallback: impl FnOnce() -> Option<PathBuf>,
) -> Result<PathBuf> {
    match home_var {
        Some(h) if !h.as_os_str().is_empty() => Ok(h),
        _ => fallback().ok_or_else(|| {
            AppError::msg(
                "The home directory cannot be determined. (Set the HOME environment variable)",
            )
        }),
    }
}

/// `~/.spaceone`
#[allow(dead_code)]
pub fn spaceone_dir() -> Result<PathBuf> {
    Ok(Layout::under_home(&home_dir()?).root().to_path_buf())
}

/// `~/.spaceone/template`
#[allow(dead_code)]
pub fn template_dir() -> Result<PathBuf> {
    Ok(Layout::under_home(&home_dir()?).template_dir())
}

/// The file layout below one configuration directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// The layout of `<home>/.spaceone`.
    pub fn under_home(home: &Path) -> Self {
        Layout {
            root: home.join(CONFIG_DIR_NAME),
        }
    }

    /// The layout for the current user (`$HOME/.spaceone`).
    pub fn discover() -> Result<Self> {
        Ok(Layout::under_home(&home_dir()?))
    }

    /// `~/.spaceone`
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `~/.spaceone/environment.yml`
    pub fn current_file(&self) -> PathBuf {
        self.root.join(CURRENT_FILE_NAME)
    }

    /// `~/.spaceone/environments`
    pub fn environments_dir(&self) -> PathBuf {
        self.root.join(ENVIRONMENTS_DIR_NAME)
    }

    /// `~/.spaceone/environments/<name>.yml`
    pub fn environment_file(&self, name: &str) -> PathBuf {
        self.environments_dir().join(env_file_name(name))
    }

    /// `~/.spaceone/backups`
    pub fn backups_dir(&self) -> PathBuf {
        self.root.join(BACKUPS_DIR_NAME)
    }

    /// `~/.spaceone/backups/<name>.yml.bak`
    pub fn backup_file(&self, name: &str) -> PathBuf {
        self.backups_dir()
            .join(format!("{}{BACKUP_SUFFIX}", env_file_name(name)))
    }

    /// `~/.spaceone/template`
    #[allow(dead_code)]
    pub fn template_dir(&self) -> PathBuf {
        self.root.join(TEMPLATE_DIR_NAME)
    }
}

/// `<name>.yml`
pub fn env_file_name(name: &str) -> String {
    format!("{name}{ENV_FILE_SUFFIX}")
}

/// The environment a directory entry stands for: `dev.yml` → `dev`.
///
/// Deviation from upstream, which takes any name containing `.yml` after its second
/// character: only names ending in `.yml` count (so `dev.yml.bak` backups are not
/// environments), and 1-character names such as `a.yml` are listed too.
pub fn env_name_from_file_name(file_name: &str) -> Option<&str> {
    match file_name.strip_suffix(ENV_FILE_SUFFIX) {
        Some(name) if !name.is_empty() => Some(name),
        _ => None,
    }
}

/// Check that an environment name can be used as a file name inside
/// `environments/`. Upstream accepts anything (and then fails on `a/b` or
/// writes `.yml` for an empty name); we refuse such names up front.
pub fn validate_env_name(name: &str) -> Result<()> {
    let reason = if name.is_empty() {
        Some("empty")
    } else if name == "." || name == ".." {
        Some("reserved name")
    } else if name.contains('/') || name.contains('\\') {
        Some("contains a path separator")
    } else if name.chars().any(char::is_control) {
        Some("contains a control character")
    } else {
        None
    };
    match reason {
        None => Ok(()),
        Some(r) => Err(AppError::msg(format!(
            "Environment name is invalid. (environment = {name:?}, reason = {r})"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_paths() {
        let l = Layout::under_home(Path::new("/h"));
        assert_eq!(l.root(), Path::new("/h/.spaceone"));
        assert_eq!(
            l.current_file(),
            PathBuf::from("/h/.spaceone/environment.yml")
        );
        assert_eq!(
            l.environments_dir(),
            PathBuf::from("/h/.spaceone/environments")
        );
        assert_eq!(
            l.environment_file("dev"),
            PathBuf::from("/h/.spaceone/environments/dev.yml")
        );
        assert_eq!(
            l.backup_file("dev"),
            PathBuf::from("/h/.spaceone/backups/dev.yml.bak")
        );
        assert_eq!(l.template_dir(), PathBuf::from("/h/.spaceone/template"));
    }

    #[test]
    fn home_prefers_variable() {
        let h = home_from(Some(PathBuf::from("/x")), || Some(PathBuf::from("/y")));
        assert_eq!(h, Ok(PathBuf::from("/x")));
        let h = home_from(Some(PathBuf::new()), || Some(PathBuf::from("/y")));
        assert_eq!(h, Ok(PathBuf::from("/y")));
        let h = home_from(None, || Some(PathBuf::from("/y")));
        assert_eq!(h, Ok(PathBuf::from("/y")));
        let e = home_from(None, || None).unwrap_err();
        assert_eq!(
            e.render(),
            "ERROR: The home directory cannot be determined. (Set the HOME environment variable)\n\n"
        );
    }

    #[test]
    fn names_from_files() {
        assert_eq!(env_name_from_file_name("dev.yml"), Some("dev"));
        assert_eq!(env_name_from_file_name("a.yml"), Some("a"));
        assert_eq!(env_name_from_file_name("a.b.yml"), Some("a.b"));
        assert_eq!(env_name_from_file_name("dev.yml.yml"), Some("dev.yml"));
        assert_eq!(env_name_from_file_name(".yml"), None);
        assert_eq!(env_name_from_file_name("dev.yml.bak"), None);
        assert_eq!(env_name_from_file_name("dev.yaml"), None);
        assert_eq!(env_name_from_file_name("README"), None);
    }

    #[test]
    fn env_names() {
        assert!(validate_env_name("dev").is_ok());
        assert!(validate_env_name("a").is_ok());
        assert!(validate_env_name("my env.prod").is_ok());
        assert!(validate_env_name("한국").is_ok());
        assert_eq!(
            validate_env_name("").unwrap_err().to_string(),
            "Environment name is invalid. (environment = \"\", reason = empty)"
        );
        assert_eq!(
            validate_env_name("../x").unwrap_err().to_string(),
            "Environment name is invalid. (environment = \"../x\", reason = contains a path separator)"
        );
        assert_eq!(
            validate_env_name("..").unwrap_err().to_string(),
            "Environment name is invalid. (environment = \"..\", reason = reserved name)"
        );
        assert_eq!(
            validate_env_name("a\nb").unwrap_err().to_string(),
            "Environment name is invalid. (environment = \"a\\nb\", reason = contains a control character)"
        );
    }
}
