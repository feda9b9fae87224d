//! A temporary `$HOME` with a `~/.spaceone` environment and a private cache
//! directory, and a bounded way to run the `spacectl` binary in it.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Upper bound for one run of the binary.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(60);

pub struct Home {
    dir: tempfile::TempDir,
}

/// What one run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Home {
    /// A home whose current environment `test` has these endpoints and extra
    /// top-level YAML lines (e.g. `api_key: K`).
    pub fn new(endpoints: &[(&str, &str)], extra: &str) -> Home {
        let dir = tempfile::tempdir().expect("tempdir");
        let spaceone = dir.path().join(".spaceone");
        std::fs::create_dir_all(spaceone.join("environments")).expect("mkdir");
        std::fs::write(spaceone.join("environment.yml"), "environment: test\n").expect("write");
        let mut yaml = String::from(extra);
        if !endpoints.is_empty() {
            yaml.push_str("endpoints:\n");
            for (service, url) in endpoints {
                yaml.push_str(&format!("  {service}: {url}\n"));
            }
        }
        if yaml.is_empty() {
            yaml.push_str("{}\n");
        }
        std::fs::write(spaceone.join("environments/test.yml"), yaml).expect("write");
        Home { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `$XDG_CACHE_HOME/spacectl` of the runs.
    pub fn cache_dir(&self) -> PathBuf {
        self.dir.path().join("cache").join("spacectl")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_spacectl"));
        cmd.args(args)
            .env("HOME", self.dir.path())
            .env("XDG_CACHE_HOME", self.dir.path().join("cache"))
            .env_remove("SPACECTL_DEFAULT_ENVIRONMENT")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// Run to completion (killed after [`RUN_TIMEOUT`]).
    pub fn run(&self, args: &[&str]) -> Run {
        let child = self.command(args).spawn().expect("spawn spacectl");
        wait_bounded(child, RUN_TIMEOUT)
    }

    /// `spacectl ARGS` on a terminal (a pseudo-terminal of `script`, `cols`
    /// wide): stdout and stderr as the terminal shows them, line ends as `\n`.
    #[allow(dead_code)]
    pub fn on_terminal(&self, args: &[&str], cols: u16) -> String {
        assert!(
            Path::new("/usr/bin/script").exists(),
            "/usr/bin/script is missing: install the Debian package bsdutils"
        );
        let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
        let line = format!(
            "stty cols {cols} rows 40; exec '{}' {}",
            env!("CARGO_BIN_EXE_spacectl"),
            quoted.join(" ")
        );
        let mut script = Command::new("/usr/bin/script");
        script
            .args(["-qec", &line, "/dev/null"])
            .env("HOME", self.path())
            .env("XDG_CACHE_HOME", self.path().join("cache"))
            .env_remove("SPACECTL_DEFAULT_ENVIRONMENT")
            .env_remove("NO_COLOR")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let r = wait_bounded(script.spawn().expect("script"), Duration::from_secs(30));
        r.stdout.replace("\r\n", "\n")
    }
}

/// Collect a child's output, killing it (by its PID) if it outlives `limit`.
pub fn wait_bounded(mut child: Child, limit: Duration) -> Run {
    let mut out_pipe = child.stdout.take().expect("stdout");
    let mut err_pipe = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out_pipe.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err_pipe.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait().expect("try_wait") {
            Some(status) => break status,
            None if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("spacectl did not finish within {limit:?}");
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    }
}
