//! A MariaDB server of the test's own (Debian package `mariadb-server`): a
//! data directory in a temporary directory, TCP on a free loopback port with
//! TLS (a throwaway authority), stopped by its PID when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct MariaDb {
    pub dir: tempfile::TempDir,
    pub port: u16,
    /// The authority's certificate (PEM) that signed the server's.
    pub ca: PathBuf,
    child: Child,
}

fn tool(name: &str) -> PathBuf {
    for dir in ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"] {
        let p = Path::new(dir).join(name);
        if p.is_file() {
            return p;
        }
    }
    panic!(
        "{name} not found: install the Debian package mariadb-server (apt-get install mariadb-server)"
    );
}

impl MariaDb {
    pub fn start() -> MariaDb {
        let dir = tempfile::Builder::new()
            .prefix("spacectl-mariadb-")
            .tempdir()
            .expect("a temporary directory");
        let pki = dir.path().join("pki");
        std::fs::create_dir(&pki).expect("pki dir");
        let tls = crate::tls::TestPki::generate(&pki);
        std::fs::write(pki.join("server.pem"), &tls.cert_pem).expect("server.pem");
        std::fs::write(pki.join("server.key"), &tls.key_pem).expect("server.key");
        let data = dir.path().join("data");
        // One installation at a time (two at once have failed under load), and
        // a second try after a failure, with a fresh data directory.
        static INSTALLING: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _one = INSTALLING.lock().unwrap_or_else(|e| e.into_inner());
        let mut failures = String::new();
        for _ in 0..2 {
            let _ = std::fs::remove_dir_all(&data);
            let install = Command::new(tool("mariadb-install-db"))
                .arg("--no-defaults")
                .arg(format!("--datadir={}", data.display()))
                .arg("--user=root")
                .arg("--auth-root-authentication-method=socket")
                .arg("--skip-test-db")
                .stdin(Stdio::null())
                .output()
                .expect("run mariadb-install-db");
            if install.status.success() {
                failures.clear();
                break;
            }
            failures.push_str(&format!(
                "{}{}\n",
                String::from_utf8_lossy(&install.stdout),
                String::from_utf8_lossy(&install.stderr)
            ));
        }
        assert!(
            failures.is_empty(),
            "mariadb-install-db failed twice: {failures}"
        );
        drop(_one);
        let port = crate::process::free_port();
        let child = Command::new(tool("mariadbd"))
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--socket={}", dir.path().join("sock").display()))
            .arg(format!("--pid-file={}", dir.path().join("pid").display()))
            .arg(format!("--port={port}"))
            .arg("--bind-address=127.0.0.1")
            .arg("--user=root")
            .arg("--character-set-server=utf8mb4")
            .arg("--skip-name-resolve")
            .arg(format!("--ssl-ca={}", tls.ca_file.display()))
            .arg(format!("--ssl-cert={}", pki.join("server.pem").display()))
            .arg(format!("--ssl-key={}", pki.join("server.key").display()))
            .arg(format!(
                "--log-error={}",
                dir.path().join("error.log").display()
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start mariadbd");
        let mut db = MariaDb {
            ca: tls.ca_file.clone(),
            dir,
            port,
            child,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = db.child.try_wait() {
                panic!("mariadbd exited ({status}): {}", db.log());
            }
            let ping = Command::new(tool("mariadb-admin"))
                .arg("--no-defaults")
                .arg(format!("--socket={}", db.dir.path().join("sock").display()))
                .args(["-u", "root", "ping"])
                .stdin(Stdio::null())
                .output();
            if ping.is_ok_and(|o| o.status.success()) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "mariadbd did not answer within 60 s: {}",
                db.log()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        db
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }

    /// Run SQL as root (over the socket); the result rows, tab-separated.
    pub fn sql(&self, sql: &str) -> String {
        let out = Command::new(tool("mariadb"))
            .arg("--no-defaults")
            .arg(format!(
                "--socket={}",
                self.dir.path().join("sock").display()
            ))
            .args(["-u", "root", "-N", "-B", "-e", sql])
            .stdin(Stdio::null())
            .output()
            .expect("run mariadb");
        assert!(
            out.status.success(),
            "mariadb -e {sql:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for MariaDb {
    fn drop(&mut self) {
        crate::process::stop(&mut self.child, Duration::from_secs(30));
    }
}
