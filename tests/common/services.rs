//! The real SpaceONE 1.12 services (`scripts/services.sh`) for a test.
//!
//! A test gets a running set of its own, on free ports in a temporary state
//! directory, stopped when the [`Services`] value is dropped (also when the
//! test fails). When `SPACECTL_SERVICES_STATE` names the state directory of a
//! running set (`scripts/services.sh start --state DIR`, with `--loop` for the
//! tests that collect), that set is used and left running.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::{Run, reference_dir, require_reference, run_bounded, skip_group};

/// Upper bound for `services.sh start` (building the services venv included).
pub const START_TIMEOUT: Duration = Duration::from_secs(1200);
/// Upper bound for `services.sh stop` and `status`.
pub const STOP_TIMEOUT: Duration = Duration::from_secs(120);

/// A script of this repository, e.g. `services.sh`.
pub fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name)
}

/// The services venv, as `scripts/reference.sh path services` names it.
pub fn services_venv() -> PathBuf {
    reference_dir().join("services-venv")
}

/// Run `scripts/services.sh ACTION --state STATE EXTRA...`.
pub fn services_sh(action: &str, state: &Path, extra: &[&str], timeout: Duration) -> Run {
    let mut cmd = Command::new("bash");
    cmd.arg(script("services.sh"))
        .arg(action)
        .arg("--state")
        .arg(state)
        .args(extra)
        .env_remove("SPACECTL_SERVICES_STATE");
    run_bounded(cmd, "", timeout)
}

/// Running services; stops them on drop when they were started here.
pub struct Services {
    pub state: PathBuf,
    pub domain_id: String,
    /// The temporary state directory of a set started here.
    owned: Option<tempfile::TempDir>,
}

impl Services {
    /// Services for `test` (with plugin, secret and the supervisor when
    /// `with_loop`), or `None` after reporting the skipped group when the
    /// services venv is not built (a failure when the reference tools are
    /// required; then `start` builds the venv).
    pub fn acquire(test: &str, with_loop: bool) -> Option<Services> {
        let venv = services_venv();
        if !venv.join(".requirements.sha256").is_file() && !require_reference() {
            skip_group(
                "real-services",
                test,
                &format!("the services venv {} is not built", venv.display()),
            );
            return None;
        }
        if let Some(state) = std::env::var_os("SPACECTL_SERVICES_STATE").filter(|s| !s.is_empty()) {
            let state = PathBuf::from(state);
            match Self::reusable(&state, with_loop) {
                Ok(()) => {
                    eprintln!("{test}: using the running services of {}", state.display());
                    let domain_id = read_trimmed(&state.join("domain_id"));
                    return Some(Services {
                        state,
                        domain_id,
                        owned: None,
                    });
                }
                Err(why) => eprintln!(
                    "{test}: not using SPACECTL_SERVICES_STATE={} ({why}); starting services of its own",
                    state.display()
                ),
            }
        }
        let dir = tempfile::Builder::new()
            .prefix("spacectl-services-")
            .tempdir()
            .unwrap_or_else(|e| panic!("create a state directory: {e}"));
        let extra: &[&str] = if with_loop { &["--loop"] } else { &[] };
        let started = services_sh("start", dir.path(), extra, START_TIMEOUT);
        assert_eq!(
            started.code(),
            0,
            "scripts/services.sh start failed:\n{}{}",
            started.stdout,
            started.stderr
        );
        let state = dir.path().to_path_buf();
        Some(Services {
            domain_id: read_trimmed(&state.join("domain_id")),
            state,
            owned: Some(dir),
        })
    }

    fn reusable(state: &Path, with_loop: bool) -> Result<(), String> {
        let mode = std::fs::read_to_string(state.join("ready"))
            .map_err(|_| "no services were started there".to_string())?;
        if std::fs::read_to_string(state.join("line")).is_ok_and(|l| l.trim() == "2") {
            return Err("they are the SpaceONE 2.x services".into());
        }
        if with_loop && mode.trim() != "1" {
            return Err("they were started without --loop".into());
        }
        let status = services_sh("status", state, &[], STOP_TIMEOUT);
        if status.code() != 0 {
            return Err(format!("not all are running:\n{}", status.stdout));
        }
        Ok(())
    }

    /// `$HOME` with a spacectl configuration for these services (both clients).
    pub fn home(&self) -> PathBuf {
        self.state.join("home")
    }

    /// Whether this value started the services (and stops them on drop).
    pub fn started_here(&self) -> bool {
        self.owned.is_some()
    }
}

impl Drop for Services {
    fn drop(&mut self) {
        if self.owned.is_some() {
            let r = services_sh("stop", &self.state, &[], STOP_TIMEOUT);
            if r.code() != 0 {
                eprintln!("scripts/services.sh stop: {}{}", r.stdout, r.stderr);
            }
        }
    }
}

fn read_trimmed(path: &Path) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}
