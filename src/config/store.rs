//! Reading and writing the configuration files, and choosing the current environment.
//!
//! Files are read with the YAML 1.1 loader and written with the PyYAML-compatible
//! emitter, so files written by either client read the same in the other.

use std::fs;

use serde_json::{Map, Value, json};

use super::environment::{Environment, scalar_text};
use super::fsio;
use super::paths::{self, Layout};
use crate::error::{AppError, Result};
use crate::output::pyrepr::py_truthy;

/// Environment variable naming the environment to use when none is current.
pub const DEFAULT_ENV_VAR: &str = "SPACECTL_DEFAULT_ENVIRONMENT";

/// `spaceconfig is undefined. (Use "spacectl config init")`
pub fn undefined() -> AppError {
    AppError::msg("spaceconfig is undefined. (Use \"spacectl config init\")")
}

/// `The environment is not set. Switch the environment. (...)`
pub fn not_set() -> AppError {
    AppError::msg(
        "The environment is not set. Switch the environment. (Use \"spacectl config environment --help\")",
    )
}

/// `'<name>' environment not found.`
pub fn not_found(name: &str) -> AppError {
    AppError::msg(format!("'{name}' environment not found."))
}

/// What `config init` did to an environment file that already existed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitOutcome {
    /// There was no file.
    Created,
    /// The old content was kept in `<env>.yml.bak`.
    BackedUp(std::path::PathBuf),
    /// The old content was identical to the new one; nothing was kept.
    Unchanged,
}

/// The configuration directory of one user.
#[derive(Debug, Clone)]
pub struct Store {
    layout: Layout,
    default_env: Option<String>,
}

impl Store {
    /// A store over `layout`; `default_env` plays the part of `SPACECTL_DEFAULT_ENVIRONMENT`.
    pub fn new(layout: Layout, default_env: Option<String>) -> Self {
        Store {
            layout,
            default_env: default_env.filter(|s| !s.is_empty()),
        }
    }

    /// The store of the current user: `$HOME/.spaceone` and `SPACECTL_DEFAULT_ENVIRONMENT`.
    pub fn discover() -> Result<Self> {
        Ok(Store::new(
            Layout::discover()?,
            std::env::var(DEFAULT_ENV_VAR).ok(),
        ))
    }

    #[allow(dead_code)]
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Names of all environments, sorted.
    ///
    /// Deviation from upstream (raw directory order, 1-character names skipped): the
    /// list is sorted and every `<name>.yml` file counts. A missing directory gives
    /// `spaceconfig is undefined`.
    pub fn list_environments(&self) -> Result<Vec<String>> {
        let dir = self.layout.environments_dir();
        let entries = fs::read_dir(&dir).map_err(|_| undefined())?;
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter(|e| fs::metadata(e.path()).is_ok_and(|m| m.is_file()))
            .filter_map(|e| {
                let file_name = e.file_name().into_string().ok()?;
                paths::env_name_from_file_name(&file_name).map(str::to_string)
            })
            .collect();
        names.sort();
        Ok(names)
    }

    /// The name written in `environment.yml`, if the file is readable YAML with a
    /// truthy `environment` key. A pointer that cannot be read at all (a directory,
    /// FIFO or device in its place, no permission) is an error naming the file.
    pub fn current_pointer(&self) -> Result<Option<String>> {
        Ok(read_config_text(&self.layout.current_file())?.and_then(|t| parse_pointer(&t)))
    }

    /// The current environment's name.
    ///
    /// `environment.yml` wins; otherwise an existing environment named by
    /// `SPACECTL_DEFAULT_ENVIRONMENT` is written there and used; otherwise the error
    /// says whether environments exist.
    pub fn current_name(&self) -> Result<String> {
        if let Some(name) = self.current_pointer()? {
            return Ok(name);
        }
        let envs = self.list_environments()?;
        if let Some(default) = &self.default_env
            && envs.contains(default)
        {
            self.set_current(default)?;
            return Ok(default.clone());
        }
        if envs.is_empty() {
            Err(undefined())
        } else {
            Err(not_set())
        }
    }

    /// Load one environment. A missing file or a name that is not a plain file name
    /// gives `spaceconfig is undefined`; a file that cannot be read at all, is not
    /// YAML or is not a mapping is an error naming it and the reason.
    pub fn load(&self, name: &str) -> Result<Environment> {
        paths::validate_env_name(name).map_err(|_| undefined())?;
        let path = self.layout.environment_file(name);
        let bytes = fsio::read_regular(&path, fsio::CONFIG_FILE_LIMIT)
            .map_err(|e| {
                AppError::msg(format!(
                    "Cannot read file. (path = {}, reason = {e})",
                    path.display()
                ))
            })?
            .ok_or_else(undefined)?;
        let text = String::from_utf8(bytes).map_err(|e| {
            corrupt(
                &path,
                &format!(
                    "it is not UTF-8 text (byte {})",
                    e.utf8_error().valid_up_to() + 1
                ),
            )
        })?;
        environment_from_text(name, &text).map_err(|reason| corrupt(&path, &reason))
    }

    /// Load the current environment.
    pub fn load_current(&self) -> Result<Environment> {
        let name = self.current_name()?;
        self.load(&name)
    }

    /// Rewrite an environment's file from its data (keys sorted by the emitter).
    pub fn save(&self, env: &Environment) -> Result<()> {
        self.write_env_file(env.name(), env.data())
    }

    fn write_env_file(&self, name: &str, data: &Map<String, Value>) -> Result<()> {
        let text = crate::output::yaml::dump(&Value::Object(data.clone()));
        fsio::write_atomic(&self.layout.environment_file(name), &text)
    }

    fn ensure_dirs(&self) -> Result<()> {
        fsio::create_private_dir(self.layout.root())?;
        fsio::create_private_dir(&self.layout.environments_dir())
    }

    /// Make `name` the current environment (creates the directories when needed).
    pub fn set_current(&self, name: &str) -> Result<()> {
        fsio::plan_write(&self.layout.current_file())?;
        self.ensure_dirs()?;
        let text = crate::output::yaml::dump(&json!({ "environment": name }));
        fsio::write_atomic(&self.layout.current_file(), &text)
    }

    /// Create or replace environment `name` with `data` and make it current.
    ///
    /// Every file involved is checked before the first one is written, so a refusal
    /// changes nothing. Deviations from upstream: an existing file is kept as
    /// `backups/<name>.yml.bak` (unless its content is what would be written anyway);
    /// the environment file is written before `environment.yml`, so a failure never
    /// leaves the pointer dangling.
    pub fn init(&self, name: &str, data: &Map<String, Value>) -> Result<InitOutcome> {
        paths::validate_env_name(name)?;
        let path = self.layout.environment_file(name);
        let backup = self.layout.backup_file(name);
        fsio::plan_write(&path)?;
        fsio::plan_write(&self.layout.current_file())?;
        let new_text = crate::output::yaml::dump(&Value::Object(data.clone()));
        let old = fsio::read_regular(&path, fsio::CONFIG_FILE_LIMIT).map_err(|e| {
            AppError::msg(format!(
                "Cannot read file. (path = {}, reason = {e})",
                path.display()
            ))
        })?;
        let keep_old = old
            .as_ref()
            .filter(|old| old.as_slice() != new_text.as_bytes());
        if keep_old.is_some() {
            fsio::plan_write(&backup)?;
        }
        self.ensure_dirs()?;
        let outcome = match (&old, keep_old) {
            (None, _) => InitOutcome::Created,
            (Some(_), None) => InitOutcome::Unchanged,
            (Some(_), Some(old)) => {
                fsio::create_private_dir(&self.layout.backups_dir())?;
                fsio::write_atomic(&backup, old)?;
                InitOutcome::BackedUp(backup)
            }
        };
        fsio::write_atomic(&path, &new_text)?;
        self.set_current(name)?;
        Ok(outcome)
    }

    /// Switch to an existing environment.
    pub fn switch(&self, name: &str) -> Result<()> {
        if !self.list_environments()?.iter().any(|e| e == name) {
            return Err(not_found(name));
        }
        self.set_current(name)
    }

    /// Delete environment `name`.
    ///
    /// What happens to `environment.yml` is decided, and checked, before the
    /// environment's file is removed, so a refusal changes nothing.
    ///
    /// Deviations from upstream: an unknown name reports that name (upstream prints
    /// `'None'`); when the removed environment was not the current one, the current
    /// one stays (upstream always switches to the first listed environment). When it
    /// was current, or none was set, the first remaining environment (sorted) becomes
    /// current; when none remain, `environment.yml` is removed.
    pub fn remove(&self, name: &str) -> Result<()> {
        let envs = self.list_environments()?;
        if !envs.iter().any(|e| e == name) {
            return Err(not_found(name));
        }
        let current = self.current_pointer()?;
        let pointer = self.layout.current_file();
        let next = envs.iter().find(|e| *e != name);
        let switch_to = match next {
            Some(first) if current.is_none() || current.as_deref() == Some(name) => {
                fsio::plan_write(&pointer)?;
                Some(first)
            }
            Some(_) => None,
            None => {
                fsio::check_removable(&pointer)?;
                None
            }
        };
        fsio::remove_if_exists(&self.layout.environment_file(name))?;
        match (next, switch_to) {
            (None, _) => fsio::remove_if_exists(&pointer),
            (Some(_), Some(first)) => self.set_current(first),
            (Some(_), None) => Ok(()),
        }
    }
}

/// A configuration file's text. `Ok(None)` when it is missing or not UTF-8 (upstream
/// treats an undecodable file like a broken YAML document); a file that cannot be
/// read — a directory, FIFO or device in its place, no permission, over
/// [`fsio::CONFIG_FILE_LIMIT`] — is an error naming it, found without blocking.
pub fn read_config_text(path: &std::path::Path) -> Result<Option<String>> {
    match fsio::read_regular(path, fsio::CONFIG_FILE_LIMIT) {
        Ok(Some(bytes)) => Ok(String::from_utf8(bytes).ok()),
        Ok(None) => Ok(None),
        Err(e) => Err(AppError::msg(format!(
            "Cannot read file. (path = {}, reason = {e})",
            path.display()
        ))),
    }
}

/// The environment named by the text of `environment.yml`: its `environment` key when
/// the text is a YAML mapping and the value is a truthy scalar.
pub fn parse_pointer(text: &str) -> Option<String> {
    let value = crate::request::yaml11::load_config(text).ok()??;
    match value.get("environment")? {
        Value::Array(_) | Value::Object(_) => None,
        v if py_truthy(v) => Some(scalar_text(v)),
        _ => None,
    }
}

/// An environment from the text of its file: a YAML mapping, read as upstream reads
/// configuration files (see [`crate::request::yaml11::load_config`]); anything else
/// gives `spaceconfig is undefined`.
#[allow(dead_code)]
pub fn parse_environment(name: &str, text: &str) -> Result<Environment> {
    environment_from_text(name, text).map_err(|_| undefined())
}

/// An environment from the text of its file, or why the text is not one.
fn environment_from_text(name: &str, text: &str) -> Result<Environment, String> {
    match crate::request::yaml11::load_config(text) {
        Ok(Some(Value::Object(map))) => Ok(Environment::new(name, map)),
        Ok(None) => Err("the file is empty, a configuration is a YAML mapping".to_string()),
        Ok(Some(other)) => Err(format!(
            "it holds {}, a configuration is a YAML mapping",
            match other {
                Value::Array(_) => "a list",
                Value::String(_) => "a text",
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                _ => "null",
            }
        )),
        Err(e) => Err(format!("invalid YAML: {e}")),
    }
}

/// An environment file that exists but is not a configuration: the file and the
/// reason, then what to do that keeps it (`config init` would replace it).
pub fn corrupt(path: &std::path::Path, reason: &str) -> AppError {
    AppError::msg(format!(
        "The environment file cannot be loaded. (path = {}, reason = {reason})\n\
         Correct it with an editor (it is kept as it is), or use another environment: spacectl config environment -s NAME",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    struct Scratch {
        _dir: tempfile::TempDir,
        store: Store,
    }

    fn scratch(default_env: Option<&str>) -> Scratch {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = Store::new(
            Layout::under_home(dir.path()),
            default_env.map(str::to_string),
        );
        Scratch { _dir: dir, store }
    }

    fn write(p: &Path, text: &str) {
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(p, text).unwrap();
    }

    fn read(p: &Path) -> String {
        fs::read_to_string(p).unwrap_or_else(|e| format!("<{e}>"))
    }

    #[test]
    fn nothing_configured() {
        let s = scratch(None);
        assert_eq!(
            s.store.load_current().unwrap_err().to_string(),
            "spaceconfig is undefined. (Use \"spacectl config init\")"
        );
        assert_eq!(s.store.list_environments().unwrap_err(), undefined());
    }

    #[test]
    fn init_writes_upstream_bytes() {
        let s = scratch(None);
        let l = s.store.layout().clone();
        assert_eq!(
            s.store.init("dev", &Map::new()).unwrap(),
            InitOutcome::Created
        );
        assert_eq!(read(&l.current_file()), "environment: dev\n");
        assert_eq!(read(&l.environment_file("dev")), "{}\n");
        let env = s.store.load_current().unwrap();
        assert_eq!(env.name(), "dev");
        assert!(env.data().is_empty());
    }

    #[test]
    fn init_keeps_backup() {
        let s = scratch(None);
        let l = s.store.layout().clone();
        write(&l.environment_file("dev"), "api_key: k\n");
        let out = s.store.init("dev", &Map::new()).unwrap();
        assert_eq!(out, InitOutcome::BackedUp(l.backup_file("dev")));
        assert_eq!(read(&l.backup_file("dev")), "api_key: k\n");
        assert_eq!(read(&l.environment_file("dev")), "{}\n");
        assert_eq!(
            s.store.init("dev", &Map::new()).unwrap(),
            InitOutcome::Unchanged
        );
        assert_eq!(read(&l.backup_file("dev")), "api_key: k\n");
        assert_eq!(s.store.list_environments().unwrap(), vec!["dev"]);
    }

    #[test]
    fn init_rejects_bad_names_before_writing() {
        let s = scratch(None);
        assert!(s.store.init("a/b", &Map::new()).is_err());
        assert!(!s.store.layout().root().exists());
    }

    #[test]
    fn listing_is_sorted_and_filtered() {
        let s = scratch(None);
        let l = s.store.layout().clone();
        for f in [
            "zeta.yml",
            "a.yml",
            "dev.yml",
            "dev.yml.bak",
            "notes.txt",
            ".yml",
        ] {
            write(&l.environments_dir().join(f), "{}\n");
        }
        fs::create_dir_all(l.environments_dir().join("sub.yml")).unwrap();
        assert_eq!(
            s.store.list_environments().unwrap(),
            vec!["a", "dev", "zeta"]
        );
    }

    #[test]
    fn pointer_rules() {
        let s = scratch(None);
        let l = s.store.layout().clone();
        write(&l.environment_file("dev"), "{}\n");
        assert_eq!(s.store.current_name().unwrap_err(), not_set());
        write(&l.current_file(), "environment: ''\n");
        assert_eq!(s.store.current_name().unwrap_err(), not_set());
        write(&l.current_file(), "environment: [unclosed\n");
        assert_eq!(s.store.current_name().unwrap_err(), not_set());
        write(&l.current_file(), "environment: ghost\n");
        assert_eq!(s.store.current_name().unwrap(), "ghost");
        assert_eq!(s.store.load_current().unwrap_err(), undefined());
        write(&l.current_file(), "environment: dev\n");
        assert_eq!(s.store.load_current().unwrap().name(), "dev");
        write(&l.root().join("outside.yml"), "{}\n");
        write(&l.current_file(), "environment: ../outside\n");
        assert_eq!(s.store.load_current().unwrap_err(), undefined());
    }

    #[test]
    fn default_environment_is_written() {
        let s = scratch(Some("prod"));
        let l = s.store.layout().clone();
        write(&l.environment_file("dev"), "{}\n");
        assert_eq!(s.store.current_name().unwrap_err(), not_set());
        write(&l.environment_file("prod"), "api_key: k\n");
        assert_eq!(s.store.current_name().unwrap(), "prod");
        assert_eq!(read(&l.current_file()), "environment: prod\n");
    }

    #[test]
    fn corrupt_files_are_named_with_the_reason() {
        let s = scratch(None);
        let l = s.store.layout().clone();
        write(&l.current_file(), "environment: dev\n");
        let path = l.environment_file("dev");
        for (text, reason) in [
            (
                "- a\n",
                "it holds a list, a configuration is a YAML mapping",
            ),
            ("", "the file is empty, a configuration is a YAML mapping"),
            (
                "just text\n",
                "it holds a text, a configuration is a YAML mapping",
            ),
            (
                "a: [\n",
                "invalid YAML: while parsing a node, did not find expected node content at line 2, column 1",
            ),
        ] {
            write(&path, text);
            assert_eq!(
                s.store.load_current().unwrap_err().render(),
                format!(
                    "ERROR: The environment file cannot be loaded. (path = {}, reason = {reason})\n\
                     Correct it with an editor (it is kept as it is), or use another environment: spacectl config environment -s NAME\n\n",
                    path.display()
                ),
                "{text:?}"
            );
        }
    }

    #[test]
    fn switch_and_remove() {
        let s = scratch(None);
        let l = s.store.layout().clone();
        for e in ["b", "a", "c"] {
            s.store.init(e, &Map::new()).unwrap();
        }
        assert_eq!(s.store.current_name().unwrap(), "c");
        assert_eq!(s.store.switch("x").unwrap_err(), not_found("x"));
        s.store.switch("b").unwrap();
        assert_eq!(read(&l.current_file()), "environment: b\n");
        // Removing another environment keeps the current one.
        s.store.remove("a").unwrap();
        assert_eq!(s.store.current_name().unwrap(), "b");
        // Removing the current one switches to the first remaining.
        s.store.remove("b").unwrap();
        assert_eq!(s.store.current_name().unwrap(), "c");
        assert_eq!(s.store.remove("b").unwrap_err(), not_found("b"));
        s.store.remove("c").unwrap();
        assert!(!l.current_file().exists());
        assert_eq!(s.store.list_environments().unwrap(), Vec::<String>::new());
    }

    #[test]
    fn remove_without_pointer_picks_first() {
        let s = scratch(None);
        let l = s.store.layout().clone();
        for e in ["b", "a", "c"] {
            write(&l.environment_file(e), "{}\n");
        }
        s.store.remove("c").unwrap();
        assert_eq!(read(&l.current_file()), "environment: a\n");
    }

    #[test]
    fn save_round_trips() {
        let s = scratch(None);
        s.store.init("dev", &Map::new()).unwrap();
        let mut env = s.store.load_current().unwrap();
        env.data_mut()
            .insert("x_domain_id".into(), Value::String("domain-123".into()));
        env.data_mut()
            .insert("api_key".into(), Value::String("my.jwt.token".into()));
        s.store.save(&env).unwrap();
        assert_eq!(
            read(&s.store.layout().environment_file("dev")),
            "api_key: my.jwt.token\nx_domain_id: domain-123\n"
        );
        let again = s.store.load("dev").unwrap();
        assert_eq!(again.data().get("api_key"), Some(&json!("my.jwt.token")));
    }

    #[test]
    fn refusals_change_nothing() {
        let s = scratch(None);
        let l = s.store.layout().clone();
        for e in ["b", "local"] {
            write(&l.environment_file(e), "{}\n");
        }
        fs::create_dir_all(l.current_file()).unwrap();
        let refused = format!(
            "Cannot read file. (path = {}, reason = it is a directory, not a regular file)",
            l.current_file().display()
        );
        assert_eq!(s.store.remove("local").unwrap_err().to_string(), refused);
        assert_eq!(read(&l.environment_file("local")), "{}\n");
        let refused = format!(
            "Cannot write file. (path = {}, reason = it is a directory, not a regular file)",
            l.current_file().display()
        );
        assert_eq!(
            s.store.init("new", &Map::new()).unwrap_err().to_string(),
            refused
        );
        assert!(!l.environment_file("new").exists());
        assert_eq!(s.store.switch("b").unwrap_err().to_string(), refused);
        assert_eq!(s.store.list_environments().unwrap(), vec!["b", "local"]);
        // The last environment: the pointer would be removed, which a directory cannot be.
        fs::remove_file(l.environment_file("b")).unwrap();
        fs::remove_dir(l.current_file()).unwrap();
        fs::create_dir_all(l.current_file().join("x")).unwrap();
        assert!(s.store.remove("local").is_err());
        assert_eq!(read(&l.environment_file("local")), "{}\n");
    }

    #[cfg(unix)]
    #[test]
    fn fifos_are_refused_without_waiting() {
        use std::os::unix::ffi::OsStrExt;
        let s = scratch(None);
        let l = s.store.layout().clone();
        write(&l.current_file(), "environment: dev\n");
        fs::create_dir_all(l.environments_dir()).unwrap();
        let fifo = l.environment_file("dev");
        let c = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
        // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let store = s.store.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send((
                store.load_current().map(|_| ()),
                store.init("dev", &Map::new()).map(|_| ()),
            ));
        });
        let (load, init) = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("reading a FIFO must not block");
        let want = format!(
            "Cannot read file. (path = {}, reason = it is a FIFO, not a regular file)",
            fifo.display()
        );
        assert_eq!(load.unwrap_err().to_string(), want);
        assert_eq!(
            init.unwrap_err().to_string(),
            want.replace("Cannot read", "Cannot write")
        );
        assert!(!l.backup_file("dev").exists());
    }

    #[test]
    fn undecodable_files_are_named() {
        let s = scratch(None);
        let l = s.store.layout().clone();
        fs::create_dir_all(l.environments_dir()).unwrap();
        fs::write(l.current_file(), [0xff, 0xfe]).unwrap();
        fs::write(l.environment_file("dev"), [0xff, 0xfe]).unwrap();
        assert_eq!(s.store.current_name().unwrap_err(), not_set());
        assert_eq!(
            s.store.load("dev").unwrap_err(),
            corrupt(&l.environment_file("dev"), "it is not UTF-8 text (byte 1)")
        );
    }

    #[test]
    fn files_parse_like_upstream() {
        assert_eq!(parse_pointer("environment: dev\n"), Some("dev".into()));
        assert_eq!(
            parse_pointer("environment: 2024-01-01\n"),
            Some("2024-01-01".into())
        );
        assert_eq!(parse_pointer("environment: [a]\n"), None);
        assert_eq!(parse_pointer("environment: no\n"), None);
        assert_eq!(parse_pointer("environment: 5\n"), Some("5".into()));
        assert_eq!(parse_pointer("- x\n"), None);
        let env =
            parse_environment("dev", "created: 2024-01-01\nratio: .inf\napi_key: k\n").unwrap();
        assert_eq!(
            Value::Object(env.data().clone()),
            json!({"created": "2024-01-01", "ratio": ".inf", "api_key": "k"})
        );
        assert_eq!(
            parse_environment("dev", "a: \u{0}\n").unwrap_err(),
            undefined()
        );
    }
}
