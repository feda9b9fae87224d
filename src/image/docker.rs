//! The Docker command line, run as a child process: whether it is there and its
//! daemon answers, `build` with its progress, `tag`, `push`, `image inspect`.
//!
//! `SPACECTL_DOCKER` names the program (default: `docker` on `PATH`); the daemon
//! is whatever that program talks to (`DOCKER_HOST`, its context).

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long `docker version` may take to say whether the daemon answers.
const DAEMON_CHECK: Duration = Duration::from_secs(30);

/// The Docker command line.
#[derive(Debug, Clone)]
pub struct Docker {
    program: PathBuf,
}

/// One step of a build or a push, for progress displays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Build step `n` of `of`: its instruction.
    Step { n: u32, of: u32, what: String },
    /// Any other output line.
    Line(String),
}

/// A build or push that failed: the output's last lines and the exit status.
#[derive(Debug, Clone)]
pub struct Failed {
    pub status: String,
    pub tail: Vec<String>,
}

impl Docker {
    /// The program of `SPACECTL_DOCKER`, else `docker` from `PATH`.
    pub fn locate() -> Result<Docker, String> {
        if let Some(p) = std::env::var_os("SPACECTL_DOCKER").filter(|p| !p.is_empty()) {
            let p = PathBuf::from(p);
            return if p.is_file() {
                Ok(Docker { program: p })
            } else {
                Err(format!(
                    "SPACECTL_DOCKER names {}, which is not a file: point it at the docker program or unset it",
                    p.display()
                ))
            };
        }
        let found = std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join("docker"))
                .find(|p| p.is_file())
        });
        match found {
            Some(program) => Ok(Docker { program }),
            None => Err(
                "docker is not installed (no `docker` on PATH): install Docker Engine (e.g. apt-get install docker.io) or set SPACECTL_DOCKER to the docker program"
                    .to_string(),
            ),
        }
    }

    fn command(&self) -> Command {
        Command::new(&self.program)
    }

    /// The daemon's version, or what to do when it does not answer.
    pub fn check_daemon(&self) -> Result<String, String> {
        let mut child = self
            .command()
            .args(["version", "--format", "{{.Server.Version}}"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.program.display()))?;
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
                break Some(status);
            }
            if started.elapsed() > DAEMON_CHECK {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut out = String::new();
        let mut err = String::new();
        if let Some(mut o) = child.stdout.take() {
            let _ = o.read_to_string(&mut out);
        }
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        let version = out.trim();
        match status {
            Some(s) if s.success() && !version.is_empty() => Ok(version.to_string()),
            None => Err(format!(
                "the Docker daemon did not answer within {} s: check it (docker info) or point DOCKER_HOST at a running one",
                DAEMON_CHECK.as_secs()
            )),
            Some(_) => {
                let reason = err
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty() && !l.starts_with("Client"))
                    .unwrap_or("no answer");
                Err(format!(
                    "the Docker daemon does not answer ({reason}): start it (e.g. sudo systemctl start docker) or point DOCKER_HOST at a running one"
                ))
            }
        }
    }

    /// Whether the daemon has the image `reference`.
    pub fn has_image(&self, reference: &str) -> bool {
        self.inspect(reference, "{{.Id}}").is_some()
    }

    /// A field of `docker image inspect`, e.g. `{{.Size}}`.
    pub fn inspect(&self, reference: &str, format: &str) -> Option<String> {
        let out = self
            .command()
            .args(["image", "inspect", "--format", format, reference])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        (out.status.success() && !text.is_empty()).then_some(text)
    }

    /// `docker build`: every output line goes to `on_event`.
    pub fn build(
        &self,
        context: &Path,
        tags: &[String],
        build_args: &[(String, String)],
        on_event: &mut dyn FnMut(Event),
    ) -> Result<(), Failed> {
        let mut cmd = self.command();
        cmd.arg("build");
        for (k, v) in build_args {
            cmd.arg("--build-arg").arg(format!("{k}={v}"));
        }
        for t in tags {
            cmd.arg("--tag").arg(t);
        }
        cmd.arg(context);
        self.stream(cmd, on_event)
    }

    /// `docker tag SOURCE TARGET`.
    pub fn tag(&self, source: &str, target: &str) -> Result<(), Failed> {
        let mut cmd = self.command();
        cmd.args(["tag", source, target]);
        self.stream(cmd, &mut |_| {})
    }

    /// `docker push REFERENCE`; returns the digest the registry stored.
    pub fn push(
        &self,
        reference: &str,
        on_event: &mut dyn FnMut(Event),
    ) -> Result<Option<String>, Failed> {
        let mut cmd = self.command();
        cmd.args(["push", reference]);
        let mut digest = None;
        self.stream(cmd, &mut |e| {
            if let Event::Line(l) = &e
                && let Some(d) = push_digest(l)
            {
                digest = Some(d);
            }
            on_event(e)
        })?;
        Ok(digest)
    }

    /// Run `cmd`, its stdout and stderr lines as events, in the order they come.
    fn stream(&self, mut cmd: Command, on_event: &mut dyn FnMut(Event)) -> Result<(), Failed> {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| Failed {
                status: format!("cannot run {}: {e}", self.program.display()),
                tail: Vec::new(),
            })?;
        let (tx, rx) = mpsc::channel::<String>();
        let mut readers = Vec::new();
        if let Some(out) = child.stdout.take() {
            readers.push(spawn_lines(out, tx.clone()));
        }
        if let Some(err) = child.stderr.take() {
            readers.push(spawn_lines(err, tx.clone()));
        }
        drop(tx);
        let mut tail: Vec<String> = Vec::new();
        for line in rx {
            let event = parse_line(&line);
            tail.push(line);
            if tail.len() > 40 {
                tail.remove(0);
            }
            on_event(event);
        }
        for r in readers {
            let _ = r.join();
        }
        let status = child.wait().map_err(|e| Failed {
            status: e.to_string(),
            tail: tail.clone(),
        })?;
        if status.success() {
            Ok(())
        } else {
            Err(Failed {
                status: status.to_string(),
                tail,
            })
        }
    }
}

fn spawn_lines<R: Read + Send + 'static>(
    reader: R,
    tx: mpsc::Sender<String>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        for line in BufReader::new(reader).lines() {
            let Ok(line) = line else { break };
            // Progress redraws come as carriage returns inside one line.
            let line = line.rsplit('\r').next().unwrap_or_default().to_string();
            if tx.send(line).is_err() {
                break;
            }
        }
    })
}

/// A build step from the classic builder (`Step 3/9 : COPY src /x`) or
/// BuildKit's plain progress (`#7 [3/9] COPY src /x`).
pub fn parse_line(line: &str) -> Event {
    if let Some(rest) = line.strip_prefix("Step ")
        && let Some((counts, what)) = rest.split_once(" : ")
        && let Some((n, of)) = counts.split_once('/')
        && let (Ok(n), Ok(of)) = (n.parse(), of.parse())
    {
        return Event::Step {
            n,
            of,
            what: what.trim().to_string(),
        };
    }
    if line.starts_with('#')
        && let Some((_, rest)) = line.split_once(" [")
        && let Some((counts, what)) = rest.split_once("] ")
    {
        let counts = counts.rsplit(' ').next().unwrap_or(counts);
        if let Some((n, of)) = counts.split_once('/')
            && let (Ok(n), Ok(of)) = (n.parse(), of.parse())
        {
            return Event::Step {
                n,
                of,
                what: what.trim().to_string(),
            };
        }
    }
    Event::Line(line.to_string())
}

/// The digest of a push's last line: `0.1.0: digest: sha256:... size: 1234`.
pub fn push_digest(line: &str) -> Option<String> {
    let (_, rest) = line.split_once(": digest: ")?;
    let digest = rest.split_whitespace().next()?;
    digest.starts_with("sha256:").then(|| digest.to_string())
}

/// A hint for a failed build, from its output.
pub fn build_hint(tail: &[String], base_image: &str) -> Option<String> {
    let text = tail.join("\n");
    if text.contains("registry-1.docker.io") || text.contains("pull access denied") {
        return Some(format!(
            "the base image {base_image} could not be pulled: pass --base-image with an image the daemon has (docker images) or can pull"
        ));
    }
    if text.contains("pip: not found") || text.contains("No module named pip") {
        return Some(format!(
            "the base image {base_image} has no pip, and pkg/pip_requirements.txt lists packages: use a base with pip (python:3.12-slim)"
        ));
    }
    if text.contains("externally-managed-environment") {
        return Some(format!(
            "the base image {base_image} protects its system Python (PEP 668): use a base whose pip may install (python:3.12-slim)"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_steps_of_both_builders_are_read() {
        assert_eq!(
            parse_line("Step 3/12 : COPY src /opt/plugin/src"),
            Event::Step {
                n: 3,
                of: 12,
                what: "COPY src /opt/plugin/src".into()
            }
        );
        assert_eq!(
            parse_line("#8 [3/6] RUN if grep -Eq x; then y; fi"),
            Event::Step {
                n: 3,
                of: 6,
                what: "RUN if grep -Eq x; then y; fi".into()
            }
        );
        assert_eq!(
            parse_line("#9 [stage-1 2/4] COPY a b"),
            Event::Step {
                n: 2,
                of: 4,
                what: "COPY a b".into()
            }
        );
        assert_eq!(
            parse_line("#1 [internal] load build definition"),
            Event::Line("#1 [internal] load build definition".into())
        );
        assert_eq!(parse_line(" ---> abc"), Event::Line(" ---> abc".into()));
    }

    #[test]
    fn push_digests_and_hints() {
        assert_eq!(
            push_digest("0.1.0: digest: sha256:abc123 size: 1573"),
            Some("sha256:abc123".into())
        );
        assert_eq!(push_digest("abc: Pushed"), None);
        let tail =
            vec!["Get \"https://registry-1.docker.io/v2/\": dial tcp: no such host".to_string()];
        assert_eq!(
            build_hint(&tail, "python:3.12-slim").unwrap(),
            "the base image python:3.12-slim could not be pulled: pass --base-image with an image the daemon has (docker images) or can pull"
        );
        assert_eq!(build_hint(&["ok".to_string()], "x"), None);
    }
}
