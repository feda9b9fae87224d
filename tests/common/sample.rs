//! The compat-mode sample plugin (`samples/compat-collector`): where it is, its
//! golden files, its error cases and its data mock.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The environment variable the sample reads its API address from.
pub const API_URL_ENV: &str = "KESTREL_API_URL";

/// The sample's project directory (it holds `src/`, the request files and `expected/`).
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/compat-collector")
}

/// A file of the sample, as a string argument.
pub fn file(name: &str) -> String {
    dir().join(name).display().to_string()
}

/// The golden file `expected/NAME`: what the Python spacectl printed against the
/// Python plugin server (scripts/regen-goldens.sh).
pub fn expected(name: &str) -> String {
    let path = dir().join("expected").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "golden file {}: {e} (scripts/regen-goldens.sh writes it)",
            path.display()
        )
    })
}

/// The JSON documents of a `-o json` stream, in order.
pub fn json_docs(text: &str) -> Vec<serde_json::Value> {
    serde_json::Deserializer::from_str(text)
        .into_iter::<serde_json::Value>()
        .map(|v| v.unwrap_or_else(|e| panic!("not a JSON document stream ({e}):\n{text}")))
        .collect()
}

/// One `errors/VERB-CASE.yaml` request and the output it must give.
#[derive(Debug)]
pub struct ErrorCase {
    pub name: String,
    pub verb: String,
    pub resource: &'static str,
    pub request: String,
    pub expected: String,
}

/// Every error case of the sample, sorted by name.
pub fn error_cases() -> Vec<ErrorCase> {
    let dir = dir().join("errors");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".yaml"))
                .map(str::to_string)
        })
        .collect();
    names.sort();
    assert!(
        names.len() >= 5,
        "error cases missing in {}: {names:?}",
        dir.display()
    );
    names
        .into_iter()
        .map(|name| {
            let verb = name.split('-').next().unwrap_or_default().to_string();
            let resource = match verb.as_str() {
                "get_tasks" => "plugin.Job",
                "init" | "verify" | "collect" => "plugin.Collector",
                other => panic!("errors/{name}.yaml: unknown verb {other:?}"),
            };
            ErrorCase {
                request: dir.join(format!("{name}.yaml")).display().to_string(),
                expected: expected(&format!("errors/{name}.txt")),
                name,
                verb,
                resource,
            }
        })
        .collect()
}

pub use super::free_port;

/// The sample's data mock (`mock/server.py PORT mock/data.json`) on a free port
/// of 127.0.0.1, stopped by PID when dropped.
pub struct DataMock {
    child: Child,
    pub port: u16,
    log: tempfile::NamedTempFile,
}

impl DataMock {
    /// Starts the mock with `python` and waits (30 s at most) until it listens.
    pub fn start(python: &Path) -> DataMock {
        let port = free_port();
        let log = tempfile::NamedTempFile::new().expect("mock log");
        let child = Command::new(python)
            .arg(dir().join("mock/server.py"))
            .arg(port.to_string())
            .arg(dir().join("mock/data.json"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log.reopen().expect("mock log"))
            .spawn()
            .unwrap_or_else(|e| panic!("start the data mock with {}: {e}", python.display()));
        let mut mock = DataMock { child, port, log };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            let exited = !matches!(mock.child.try_wait(), Ok(None));
            if exited || Instant::now() >= deadline {
                let text = std::fs::read_to_string(mock.log.path()).unwrap_or_default();
                panic!(
                    "the data mock {} on port {port}:\n{text}",
                    if exited {
                        "exited"
                    } else {
                        "did not listen within 30 s"
                    }
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        mock
    }

    /// The value of [`API_URL_ENV`] that points the sample at this mock.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for DataMock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
