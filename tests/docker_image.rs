//! Plugin images with the real parts: a Docker daemon (Debian's docker.io) that
//! this test binary starts in a temporary directory with `scripts/docker.sh`
//! (its own socket, bridge and data; no packet-filter or forwarding change), a
//! base image made with debootstrap (cached under ~/.cache/spacectl-docker), a
//! registry (Debian's docker-registry) on loopback, and for the full loop the
//! real SpaceONE 1.12 services with the supervisor's own DockerConnector.
//!
//! Every kind's project is built with `plugin build` and run as SpaceONE runs it
//! (`docker run`, no command): Health within 2 s, its first route, and SIGTERM
//! with a call in flight (the call completes, the container stops within 2 s).
//! The daemon and everything in it go away when this test process ends (the
//! script watches its pid). Where Docker cannot run, the tests fail naming what
//! is missing.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use common::{Run, run_bounded, spacectl_bin};

const BASE_IMAGE: &str = "spacectl-local/python3:bookworm";
/// Upper bound for one docker or spacectl command.
const STEP: Duration = Duration::from_secs(300);
/// How long after `docker run` a plugin must answer Health, and how long it may
/// take to stop on SIGTERM: SpaceONE's callers give up after 3 s.
const READY_WITHIN: Duration = Duration::from_secs(2);
const STOP_WITHIN: Duration = Duration::from_secs(2);

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The daemon, base image and registry of this test process.
struct Docker {
    state: PathBuf,
    registry: String,
    /// A stripped copy of our binary, for the images.
    image_spacectl: PathBuf,
}

impl Docker {
    fn host(&self) -> String {
        format!("unix://{}", self.state.join("docker.sock").display())
    }

    fn cli(&self) -> Command {
        let mut c = Command::new(docker_cli());
        c.env("DOCKER_HOST", self.host());
        c
    }

    fn run(&self, args: &[&str]) -> Run {
        let mut c = self.cli();
        c.args(args);
        let run = run_bounded(c, "", STEP);
        assert!(
            run.status.success(),
            "docker {args:?}: {}{}",
            run.stdout,
            run.stderr
        );
        run
    }

    /// Our spacectl, talking to this daemon.
    fn spacectl(&self, home: &Path) -> Command {
        let mut c = common::command_in_home(&spacectl_bin(), home);
        c.env("DOCKER_HOST", self.host())
            .env("SPACECTL_DOCKER", docker_cli());
        c
    }
}

fn docker_cli() -> PathBuf {
    // The CLI of Debian's docker.io, which scripts/docker.sh uses too.
    PathBuf::from("/usr/bin/docker")
}

fn script(args: &[&str]) -> Run {
    let mut c = Command::new("bash");
    c.arg(repo().join("scripts/docker.sh")).args(args);
    run_bounded(c, "", Duration::from_secs(900))
}

/// Start (once per test process) the daemon, load the base image, start the registry.
fn docker() -> &'static Docker {
    static DOCKER: OnceLock<Docker> = OnceLock::new();
    DOCKER.get_or_init(|| {
        for (program, package) in [
            ("/usr/sbin/dockerd", "docker.io"),
            ("/usr/bin/docker", "docker.io"),
            ("/usr/bin/docker-registry", "docker-registry"),
            ("/usr/sbin/debootstrap", "debootstrap"),
        ] {
            assert!(
                Path::new(program).exists(),
                "{program} is missing: these tests need Debian's {package} (apt-get install -y docker.io docker-registry debootstrap; .ci/run installs them)"
            );
        }
        // SAFETY: geteuid has no preconditions.
        assert_eq!(
            unsafe { libc::geteuid() },
            0,
            "these tests start a Docker daemon, which needs root"
        );
        // Not removed by this process: the daemon's watcher removes it once we exit.
        let state = tempfile::Builder::new()
            .prefix("spacectl-docker-")
            .tempdir()
            .expect("state dir")
            .keep();
        let pid = std::process::id().to_string();
        let state_arg = state.to_str().expect("utf-8 path");
        let started = script(&["start", "--state", state_arg, "--watch", &pid]);
        assert!(
            started.status.success(),
            "scripts/docker.sh start failed: {}",
            started.stderr
        );
        let base = script(&["base", "--state", state_arg, "--tag", BASE_IMAGE]);
        assert!(base.status.success(), "scripts/docker.sh base failed: {}", base.stderr);
        eprint!("{}", base.stderr);
        let reg = script(&["registry", "--state", state_arg]);
        assert!(reg.status.success(), "scripts/docker.sh registry failed: {}", reg.stderr);
        let registry = reg
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("REGISTRY="))
            .expect("REGISTRY=")
            .to_string();
        let image_spacectl = state.join("spacectl");
        let stripped = Command::new("strip")
            .arg("-o")
            .arg(&image_spacectl)
            .arg(spacectl_bin())
            .status()
            .is_ok_and(|s| s.success());
        if !stripped {
            std::fs::copy(spacectl_bin(), &image_spacectl).expect("copy spacectl");
        }
        Docker {
            state,
            registry,
            image_spacectl,
        }
    })
}

/// One project of `kind`, made by create-project in a temporary directory.
struct Project {
    _dir: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
}

fn create_project(kind: &str) -> Project {
    let dir = tempfile::tempdir().expect("dir");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut c = common::command_in_home(&spacectl_bin(), &home);
    c.current_dir(dir.path())
        .args(["create-project", "-q", "demo", "-s", kind]);
    let run = run_bounded(c, "", STEP);
    assert!(
        run.status.success(),
        "create-project -s {kind}: {}",
        run.stderr
    );
    Project {
        root: dir.path().join("demo"),
        home,
        _dir: dir,
    }
}

fn build(d: &Docker, p: &Project) -> String {
    let mut c = d.spacectl(&p.home);
    c.current_dir(&p.root).args([
        "plugin",
        "build",
        "--base-image",
        BASE_IMAGE,
        "--spacectl",
        d.image_spacectl.to_str().unwrap(),
    ]);
    let run = run_bounded(c, "", STEP);
    assert!(
        run.status.success(),
        "plugin build: {}{}",
        run.stdout,
        run.stderr
    );
    assert!(run.stderr.contains("Finished"), "{}", run.stderr);
    run.stdout.trim().to_string()
}

/// A spacectl environment whose plugin endpoint is 127.0.0.1:port.
fn client_home(port: u16) -> tempfile::TempDir {
    let home = common::temp_home();
    for args in [
        vec!["config", "init", "-e", "t"],
        vec![
            "config",
            "endpoint",
            "add",
            "plugin",
            &format!("grpc://127.0.0.1:{port}"),
        ],
    ] {
        let mut c = common::command_in_home(&spacectl_bin(), home.path());
        c.args(&args);
        let run = run_bounded(c, "", STEP);
        assert!(run.status.success(), "{args:?}: {}", run.stderr);
    }
    home
}

fn health(home: &Path) -> bool {
    let mut c = common::command_in_home(&spacectl_bin(), home);
    c.args(["exec", "Check", "plugin.Health"]);
    let run = run_bounded(c, "", Duration::from_secs(10));
    run.status.success() && run.stdout.contains("SERVING")
}

/// The first line of a request file: `# spacectl exec VERB plugin.SERVICE -f FILE`.
fn exec_args(project: &Path, file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(project.join(file)).expect("request file");
    let words: Vec<String> = text
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(2)
        .map(str::to_string)
        .collect();
    assert_eq!(words.len(), 5, "{file}: {text}");
    let mut args = words[..4].to_vec();
    args.push(project.join(file).display().to_string());
    args
}

fn spawn_call(home: &Path, args: &[String]) -> Child {
    common::command_in_home(&spacectl_bin(), home)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spacectl")
}

/// Make the project's init route take `SLOW_INIT` seconds (an environment
/// variable of the container), so that a call can be in flight at SIGTERM.
fn slow_init(project: &Path) {
    let main = project.join("src/plugin/main.py");
    let text = std::fs::read_to_string(&main).unwrap();
    let mut out = String::new();
    let mut after_init_route = false;
    for line in text.lines() {
        out.push_str(line);
        out.push('\n');
        if line.starts_with("@app.route(") && line.contains(".init\")") {
            after_init_route = true;
        } else if after_init_route && line.starts_with("def ") {
            out.push_str(
                "    import os, time; time.sleep(float(os.environ.get(\"SLOW_INIT\", \"0\")))\n",
            );
            after_init_route = false;
        }
    }
    assert!(
        out.contains("SLOW_INIT"),
        "no init route in {}",
        main.display()
    );
    std::fs::write(&main, out).unwrap();
}

/// Builds run one at a time: two cores build one image well, not eight.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

const KINDS: &[&str] = &[
    "asset",
    "external-auth",
    "account-collector",
    "cost",
    "notification",
    "webhook",
    "metric",
    "log",
];

#[test]
fn every_kind_image_builds_answers_and_stops_on_sigterm() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let d = docker();
    let mut report = Vec::new();
    for kind in KINDS {
        let p = create_project(kind);
        slow_init(&p.root);
        let t = Instant::now();
        let image = build(d, &p);
        let build_time = t.elapsed();
        let size: f64 = d
            .run(&["image", "inspect", "-f", "{{.Size}}", &image])
            .stdout
            .trim()
            .parse()
            .unwrap();
        let user = d.run(&["image", "inspect", "-f", "{{.Config.User}}", &image]);
        assert_eq!(user.stdout.trim(), "10001:10001", "{kind}: runs as root");

        let port = common::sample::free_port();
        let home = client_home(port);
        let name = format!("spacectl-test-{kind}-{}", std::process::id());
        let t0 = Instant::now();
        d.run(&[
            "run",
            "-d",
            "--name",
            &name,
            "-e",
            "SLOW_INIT=1.5",
            "-p",
            &format!("127.0.0.1:{port}:50051"),
            &image,
        ]);
        let started = t0.elapsed();
        let t1 = Instant::now();
        while !health(home.path()) {
            assert!(
                t1.elapsed() < READY_WITHIN + Duration::from_secs(8),
                "{kind}: no Health answer; log: {}",
                d.run(&["logs", &name]).stderr
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let ready = t1.elapsed();
        let since_run = t0.elapsed();
        assert!(
            since_run <= READY_WITHIN,
            "{kind}: Health answered {since_run:?} after docker run was called (more than {READY_WITHIN:?})"
        );
        let pid1 = d.run(&["top", &name, "-o", "pid,user,args"]);
        assert!(
            pid1.stdout.contains("spaceone run plugin-server plugin"),
            "{kind}: {}",
            pid1.stdout
        );

        // The first route.
        let init = exec_args(&p.root, "init.yaml");
        let first = spawn_call(home.path(), &init).wait_with_output().unwrap();
        assert!(
            first.status.success() && String::from_utf8_lossy(&first.stdout).contains("metadata"),
            "{kind}: init: {}{}",
            String::from_utf8_lossy(&first.stdout),
            String::from_utf8_lossy(&first.stderr)
        );

        // SIGTERM while a call is in flight: the call completes, then the host exits.
        let in_flight = spawn_call(home.path(), &init);
        std::thread::sleep(Duration::from_millis(500));
        let t2 = Instant::now();
        d.run(&["stop", &name]);
        let stopped = t2.elapsed();
        let answered = in_flight.wait_with_output().unwrap();
        assert!(
            answered.status.success(),
            "{kind}: the call in flight failed: {}",
            String::from_utf8_lossy(&answered.stderr)
        );
        let code = d.run(&["inspect", "-f", "{{.State.ExitCode}}", &name]);
        assert_eq!(code.stdout.trim(), "0", "{kind}: exit code");
        assert!(
            stopped <= STOP_WITHIN,
            "{kind}: docker stop took {stopped:?} (more than {STOP_WITHIN:?})"
        );
        d.run(&["rm", &name]);
        report.push(format!(
            "{kind}: image {:.0} MB, built in {:.1} s, docker run {:.2} s, Health {:.2} s later ({:.2} s after docker run was called), stop with a call in flight {:.2} s",
            size / 1e6,
            build_time.as_secs_f64(),
            started.as_secs_f64(),
            ready.as_secs_f64(),
            since_run.as_secs_f64(),
            stopped.as_secs_f64()
        ));
    }
    eprintln!("{}", report.join("\n"));
}

#[test]
fn the_collector_image_runs_on_a_read_only_root() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let d = docker();
    let p = create_project("asset");
    let image = build(d, &p);
    let port = common::sample::free_port();
    let home = client_home(port);
    let name = format!("spacectl-test-ro-{}", std::process::id());
    d.run(&[
        "run",
        "-d",
        "--name",
        &name,
        "--read-only",
        "--tmpfs",
        "/tmp",
        "-p",
        &format!("127.0.0.1:{port}:50051"),
        &image,
    ]);
    let t = Instant::now();
    while !health(home.path()) {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "no Health answer on a read-only root; log: {}",
            d.run(&["logs", &name]).stderr
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let collect = exec_args(&p.root, "collect.yaml");
    let out = spawn_call(home.path(), &collect)
        .wait_with_output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(text.matches("state: SUCCESS").count(), 6, "{text}");
    d.run(&["rm", "-f", &name]);
}

#[test]
fn build_and_publish_refuse_bad_input_before_docker_is_asked() {
    let d = docker();
    let p = create_project("asset");
    let run_in = |args: &[&str]| {
        let mut c = d.spacectl(&p.home);
        c.current_dir(&p.root).args(args);
        run_bounded(c, "", STEP)
    };
    std::fs::write(p.root.join("VERSION"), "1.0\n").unwrap();
    let r = run_in(&["plugin", "build"]);
    assert_eq!(r.code(), 1);
    assert_eq!(
        r.stderr,
        "ERROR: VERSION is '1.0': SpaceONE's repository accepts only versions like 1.2.3 (three numbers); write one into VERSION\n\n"
    );
    std::fs::write(p.root.join("VERSION"), "0.1.0\n").unwrap();
    let long = format!("plugin-{}", "x".repeat(42));
    let r = run_in(&[
        "plugin",
        "publish",
        "--registry",
        &d.registry,
        "--image",
        &long,
    ]);
    assert_eq!(
        r.stderr,
        format!(
            "ERROR: image name '{long}' has 49 characters; SpaceONE's repository accepts at most 48\n\n"
        )
    );
    let r = run_in(&[
        "plugin",
        "publish",
        "--registry",
        &d.registry,
        "--plugin-id",
        &"p".repeat(41),
    ]);
    assert!(
        r.stderr
            .contains("has 41 characters; SpaceONE accepts at most 40"),
        "{}",
        r.stderr
    );
    // Nothing reached the registry.
    let catalog = run_bounded(
        {
            let mut c = Command::new("python3");
            c.args([
                "-c",
                "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())",
                &format!("http://{}/v2/_catalog", d.registry),
            ]);
            c
        },
        "",
        STEP,
    );
    assert!(!catalog.stdout.contains("plugin-x"), "{}", catalog.stdout);

    // No docker, no daemon: one line each, saying what to do.
    let mut c = common::command_in_home(&spacectl_bin(), &p.home);
    c.current_dir(&p.root)
        .env("SPACECTL_DOCKER", "")
        .env("PATH", p.root.join("no-such-dir"))
        .args(["plugin", "build"]);
    let r = run_bounded(c, "", STEP);
    assert_eq!(
        r.stderr,
        "ERROR: docker is not installed (no `docker` on PATH): install Docker Engine (e.g. apt-get install docker.io) or set SPACECTL_DOCKER to the docker program\n\n"
    );
    let mut c = common::command_in_home(&spacectl_bin(), &p.home);
    c.current_dir(&p.root)
        .env("SPACECTL_DOCKER", docker_cli())
        .env(
            "DOCKER_HOST",
            format!("unix://{}/none.sock", p.home.display()),
        )
        .args(["plugin", "build"]);
    let r = run_bounded(c, "", STEP);
    assert!(
        r.stderr.starts_with("ERROR: the Docker daemon does not answer (")
            && r.stderr.ends_with("): start it (e.g. sudo systemctl start docker) or point DOCKER_HOST at a running one\n\n"),
        "{}",
        r.stderr
    );
}

#[test]
fn publish_dry_run_prints_the_request_and_pushes_nothing() {
    let d = docker();
    let p = create_project("webhook");
    for args in [
        vec!["config", "init", "-e", "t"],
        vec![
            "config",
            "endpoint",
            "add",
            "repository",
            "grpc://127.0.0.1:9",
        ],
    ] {
        let mut c = common::command_in_home(&spacectl_bin(), &p.home);
        c.args(&args);
        assert!(run_bounded(c, "", STEP).status.success());
    }
    let mut c = d.spacectl(&p.home);
    c.current_dir(&p.root).args([
        "plugin",
        "publish",
        "--registry",
        &format!("{}/my-org", d.registry),
        "--api",
        "2",
        "--dry-run",
    ]);
    let r = run_bounded(c, "", STEP);
    assert!(r.status.success(), "{}", r.stderr);
    let expected = format!(
        "# docker tag plugin-demo-mon-webhook:0.1.0 {reg}/my-org/plugin-demo-mon-webhook:0.1.0
# docker push {reg}/my-org/plugin-demo-mon-webhook:0.1.0
# repository.Plugin.register at grpc://127.0.0.1:9 (2.x API, LOCAL repository), unless plugin plugin-demo-mon-webhook is registered with this image:
capability: {{}}
image: my-org/plugin-demo-mon-webhook
labels:
- monitoring webhook
name: plugin-demo-mon-webhook
plugin_id: plugin-demo-mon-webhook
registry_type: HARBOR
resource_type: monitoring.Webhook
tags:
  description: demo monitoring webhook
",
        reg = d.registry
    );
    assert_eq!(r.stdout, expected);
}

/// The full loop of scripts/docker-loop.sh on one line of SpaceONE services:
/// the plugin built and published with our commands, the supervisor's own
/// DockerConnector pulling and running the image, the inventory collecting
/// from the container; the job and every job task must end SUCCESS.
fn full_loop(line: &str) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let d = docker();
    let venv = common::reference_dir().join(if line == "2" {
        "services2-venv"
    } else {
        "services-venv"
    });
    assert!(
        venv.join("bin/spaceone").exists(),
        "the SpaceONE services venv {} is missing: scripts/reference.sh builds it",
        venv.display()
    );
    // Kept when the test fails, for its logs.
    let state = tempfile::Builder::new()
        .prefix("spacectl-docker-loop-")
        .tempdir()
        .expect("state")
        .keep();
    let mut c = Command::new("bash");
    c.arg(repo().join("scripts/docker-loop.sh"))
        .args(["--line", line])
        .args(["--spacectl", spacectl_bin().to_str().unwrap()])
        .args(["--docker", d.state.to_str().unwrap()])
        .args(["--state", state.join("loop").to_str().unwrap()])
        .env("SPACECTL_DOCKER", docker_cli())
        .env_remove("SPACECTL_SERVICES_STATE");
    let r = run_bounded(c, "", Duration::from_secs(900));
    assert!(
        r.status.success(),
        "docker-loop.sh --line {line} exited {} (state in {}):\n{}\n{}",
        r.code(),
        state.display(),
        r.stdout,
        r.stderr
    );
    assert!(
        r.stderr.contains("registration: registered"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("registration: already_registered"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("every job task SUCCESS"), "{}", r.stderr);
    for name in ["alpha", "beta", "gamma"] {
        assert!(r.stdout.contains(&format!(" {name} ")), "{}", r.stdout);
    }
    let _ = std::fs::remove_dir_all(&state);
    // The supervisor's containers went with the services.
    let left = d.run(&[
        "ps",
        "-aq",
        "--filter",
        "label=spaceone.supervisor.name=root",
    ]);
    assert_eq!(left.stdout.trim(), "", "containers left behind");
    eprintln!(
        "line {line}:\n{}",
        r.stderr
            .lines()
            .filter(|l| l.contains("docker-loop:"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_real_1_12_supervisor_runs_the_published_image_for_the_real_inventory() {
    full_loop("1");
}

#[test]
fn the_real_2x_supervisor_runs_the_published_image_for_the_real_inventory() {
    full_loop("2");
}
