//! `spacectl create-project` end to end: the files it writes, its errors, and
//! the generated collector served by our host (SDK mode, nothing installed but
//! `python3`) and called by our client and by the Python `spacectl` of the
//! reference installation, which must print the same answers.
//!
//! Every process started here is stopped by PID; every wait is bounded;
//! servers listen on 127.0.0.1 only.

mod common;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Run, command_in_home, reference_spacectl, run_bounded, spacectl_bin, temp_home};
use serde_json::Value;

const TIMEOUT: Duration = Duration::from_secs(120);

/// Our binary run in `cwd` with a private home.
fn spacectl_in(cwd: &Path, home: &Path, args: &[&str]) -> Run {
    let mut c = command_in_home(&spacectl_bin(), home);
    c.args(args).current_dir(cwd).env_remove("PYTHONPATH");
    run_bounded(c, "", TIMEOUT)
}

fn files_under(root: &Path) -> Vec<String> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                out.push(
                    path.strip_prefix(root)
                        .expect("inside root")
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

#[test]
fn creates_a_collector_project_and_never_overwrites_it() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let home = temp_home();
    let r = spacectl_in(
        tmp.path(),
        home.path(),
        &["create-project", "demo", "-s", "asset"],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.contains("\nNext steps:\n  cd demo\n"),
        "{}",
        r.stderr
    );
    let root = tmp.path().join("demo");
    assert_eq!(
        files_under(&root),
        [
            ".dockerignore",
            ".gitignore",
            "Dockerfile",
            "README.md",
            "VERSION",
            "collect.yaml",
            "init.yaml",
            "pkg/pip_requirements.txt",
            "register.yaml",
            "src/plugin/__init__.py",
            "src/plugin/connector/__init__.py",
            "src/plugin/connector/resource_connector.py",
            "src/plugin/main.py",
            "src/plugin/manager/__init__.py",
            "src/plugin/manager/resource_manager.py",
            "src/plugin/metadata/demo/resource.yaml",
            "src/spaceone_plugin_sdk.py",
            "verify.yaml",
        ]
    );
    // The SDK is the host's own copy, byte for byte.
    assert_eq!(
        std::fs::read(root.join("src/spaceone_plugin_sdk.py")).expect("sdk"),
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("src/plugin/host/handler/python/spaceone_plugin_sdk.py")
        )
        .expect("host sdk")
    );
    let main = read(&root.join("src/plugin/main.py"));
    for route in [
        "Collector.init",
        "Collector.verify",
        "Collector.collect",
        "Job.get_tasks",
    ] {
        assert!(
            main.contains(&format!("@app.route(\"{route}\")")),
            "{route}"
        );
    }
    let before = read(&root.join("src/plugin/main.py"));

    let r = spacectl_in(
        tmp.path(),
        home.path(),
        &["create-project", "demo", "-s", "asset"],
    );
    assert_eq!(r.code(), 1);
    assert_eq!(
        r.stderr,
        format!(
            "ERROR: Cannot create the project: {} already exists.\n\n",
            root.display()
        )
    );
    assert_eq!(read(&root.join("src/plugin/main.py")), before);

    // An empty existing directory is refused too.
    std::fs::create_dir(tmp.path().join("empty")).expect("mkdir");
    let r = spacectl_in(tmp.path(), home.path(), &["create-project", "empty"]);
    assert_eq!(r.code(), 1);
    assert!(
        r.stderr.ends_with("empty already exists.\n\n"),
        "{}",
        r.stderr
    );
    assert!(files_under(&tmp.path().join("empty")).is_empty());
}

#[test]
fn options_are_substituted_in_contents_and_paths() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let home = temp_home();
    let r = spacectl_in(
        tmp.path(),
        home.path(),
        &[
            "create-project",
            "vm-collector",
            "-d",
            "nested/dirs",
            "--provider",
            "my_cloud",
            "--group",
            "Compute",
            "--type",
            "VMInstance",
            "-q",
        ],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr);
    assert_eq!(r.stderr, "", "-q prints nothing");
    let root = tmp.path().join("nested/dirs/vm-collector");
    let files = files_under(&root);
    for expected in [
        "src/plugin/metadata/compute/vm_instance.yaml",
        "src/plugin/manager/vm_instance_manager.py",
        "src/plugin/connector/vm_instance_connector.py",
    ] {
        assert!(
            files.contains(&expected.to_string()),
            "{expected}: {files:?}"
        );
    }
    for f in &files {
        let text = read(&root.join(f));
        assert!(!text.contains("{{"), "{f} keeps a placeholder");
    }
    let manager = read(&root.join("src/plugin/manager/vm_instance_manager.py"));
    assert!(manager.contains("PROVIDER = \"my_cloud\"\n"));
    assert!(manager.contains("CLOUD_SERVICE_GROUP = \"Compute\"\n"));
    assert!(manager.contains("CLOUD_SERVICE_TYPE = \"VMInstance\"\n"));
    assert!(manager.contains("class VMInstanceManager:\n"));
    assert!(manager.contains("METADATA_PATH = \"metadata/compute/vm_instance.yaml\"\n"));
    let main = read(&root.join("src/plugin/main.py"));
    assert!(main.contains("from plugin.manager.vm_instance_manager import VMInstanceManager\n"));
    let register = read(&root.join("register.yaml"));
    assert!(register.contains("name: \"plugin-my-cloud-inven-collector\"\n"));
    let docker = read(&root.join("Dockerfile"));
    assert!(
        docker
            .contains("ENTRYPOINT [\"spaceone\"]\nCMD [\"run\", \"plugin-server\", \"plugin\"]\n")
    );
    assert!(docker.contains("EXPOSE 50051\n"));
}

#[test]
fn upstream_form_creates_the_package_next_to_existing_files() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let home = temp_home();
    let repo = tmp.path().join("plugin-acme-inven-collector");
    std::fs::create_dir_all(&repo).expect("mkdir");
    std::fs::write(repo.join("README.md"), "my own readme\n").expect("write");
    let r = spacectl_in(
        &repo,
        home.path(),
        &["create-project", "src/plugin", "-s", "asset"],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("kept the existing README.md"),
        "{}",
        r.stderr
    );
    assert_eq!(read(&repo.join("README.md")), "my own readme\n");
    let manager = read(&repo.join("src/plugin/manager/resource_manager.py"));
    assert!(manager.contains("PROVIDER = \"acme\"\n"), "{manager}");
    assert!(
        repo.join("src/plugin/metadata/acme/resource.yaml")
            .is_file()
    );
    assert!(repo.join("src/spaceone_plugin_sdk.py").is_file());
    assert!(repo.join("collect.yaml").is_file());

    // The package exists now: a second run is refused.
    let r = spacectl_in(
        &repo,
        home.path(),
        &["create-project", "plugin", "-d", "src"],
    );
    assert_eq!(r.code(), 1);
    assert!(
        r.stderr.contains("src/plugin already exists."),
        "{}",
        r.stderr
    );

    // And the result passes its smoke test from the project root.
    let r = spacectl_in(&repo, home.path(), &["plugin", "test"]);
    assert_eq!(r.code(), 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("\nPASSED: "), "{}", r.stdout);
}

#[test]
fn bad_kinds_and_names_are_clear_errors() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let home = temp_home();
    let cases: &[(&[&str], &str)] = &[
        (
            &["create-project", "x", "-s", "spaceone.core.skeleton"],
            "ERROR: Project kind 'spaceone.core.skeleton' (SpaceONE micro-service skeleton) is not available. Available: asset (inventory collector; also accepted as collector or spaceone.inventory.plugin.collector.skeleton), external-auth (identity external auth; also accepted as auth), account-collector (identity account collector), cost (cost data source), notification (notification protocol), webhook (monitoring webhook), metric (monitoring metric data source), log (monitoring log data source).\n\n",
        ),
        (
            &["create-project", "x", "-s", "bogus"],
            "ERROR: Project kind 'bogus' is unknown. Available: asset (inventory collector; also accepted as collector or spaceone.inventory.plugin.collector.skeleton), external-auth (identity external auth; also accepted as auth), account-collector (identity account collector), cost (cost data source), notification (notification protocol), webhook (monitoring webhook), metric (monitoring metric data source), log (monitoring log data source).\n\n",
        ),
        (
            &["create-project", "x", "--provider", "AWS"],
            "ERROR: Provider 'AWS' is invalid: use lowercase letters, digits, '_' or '-', starting with a letter (e.g. my_cloud).\n\n",
        ),
        (
            &["create-project", "x", "--type", "VM Instance"],
            "ERROR: Type 'VM Instance' is invalid: use letters, digits, '_' or '-', starting with a letter (e.g. Instance).\n\n",
        ),
        (
            &["create-project", "my project"],
            "ERROR: Project name 'my project' is invalid: use letters, digits, '.', '_' or '-', starting with a letter or digit (at most 100 characters).\n\n",
        ),
        (
            &["create-project", "src/my-plugin"],
            "ERROR: Package name 'my-plugin' is invalid: a Python package name uses letters, digits and '_', not starting with a digit (e.g. my_plugin).\n\n",
        ),
        (
            &["create-project", "2024"],
            "ERROR: Cannot derive a provider name from '2024'; pass --provider (e.g. --provider my_cloud).\n\n",
        ),
    ];
    for (args, expected) in cases {
        let r = spacectl_in(tmp.path(), home.path(), args);
        assert_eq!(r.code(), 1, "{args:?}");
        assert_eq!(r.stderr, *expected, "{args:?}");
    }
    assert!(files_under(tmp.path()).is_empty(), "nothing written");
    let r = spacectl_in(tmp.path(), home.path(), &["create-project"]);
    assert_eq!(r.code(), 2, "missing argument is a usage error");
}

// --- the generated project under the host -----------------------------------------

/// Our host serving a project, stopped by PID (SIGTERM, then SIGKILL) on drop.
struct Host {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Host {
    fn start(source_root: &Path, home: &Path, log: PathBuf) -> Host {
        let port = common::free_port();
        let mut cmd = command_in_home(&spacectl_bin(), home);
        cmd.args(["run", "plugin-server", "plugin", "-s"])
            .arg(source_root)
            .args(["--host", "127.0.0.1", "-p", &port.to_string()])
            .env_remove("PYTHONPATH")
            .env_remove("SPACEONE_PORT")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"));
        let child = cmd.spawn().expect("start the host");
        let mut host = Host { child, port, log };
        host.wait_ready(Duration::from_secs(60));
        host
    }

    /// Ready when the startup line is logged (the plugin has been imported).
    fn wait_ready(&mut self, limit: Duration) {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            if log.contains("Start gRPC Server (plugin)")
                && TcpStream::connect(("127.0.0.1", self.port)).is_ok()
            {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the host exited ({status}):\n{log}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "the host did not start within {limit:?}:\n{}",
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(15);
            while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A home whose current environment calls the host as `plugin`.
fn client_home(port: u16) -> tempfile::TempDir {
    let home = temp_home();
    let envs = home.path().join(".spaceone").join("environments");
    std::fs::create_dir_all(&envs).expect("config dir");
    std::fs::write(
        home.path().join(".spaceone").join("environment.yml"),
        "environment: local\n",
    )
    .expect("environment.yml");
    std::fs::write(
        envs.join("local.yml"),
        format!("endpoints:\n  plugin: grpc://127.0.0.1:{port}\n"),
    )
    .expect("local.yml");
    home
}

#[test]
fn generated_project_serves_our_client_and_the_python_client_alike() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let home = temp_home();
    let r = spacectl_in(
        tmp.path(),
        home.path(),
        &["create-project", "demo", "-s", "asset", "-q"],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr);
    let root = tmp.path().join("demo");
    let host = Host::start(&root.join("src"), home.path(), tmp.path().join("host.log"));
    let client = client_home(host.port);
    let f = |name: &str| root.join(name).display().to_string();

    let calls: Vec<Vec<String>> = vec![
        vec![
            "exec".into(),
            "init".into(),
            "plugin.Collector".into(),
            "-f".into(),
            f("init.yaml"),
        ],
        vec![
            "exec".into(),
            "verify".into(),
            "plugin.Collector".into(),
            "-f".into(),
            f("verify.yaml"),
        ],
        vec![
            "exec".into(),
            "collect".into(),
            "plugin.Collector".into(),
            "-f".into(),
            f("collect.yaml"),
        ],
        vec![
            "exec".into(),
            "get_tasks".into(),
            "plugin.Job".into(),
            "-f".into(),
            f("collect.yaml"),
        ],
    ];
    let ours: Vec<Run> = calls
        .iter()
        .map(|args| {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            spacectl_in(tmp.path(), client.path(), &args)
        })
        .collect();
    for (args, r) in calls.iter().zip(&ours) {
        assert_eq!(r.code(), 0, "{args:?}: {}", r.stderr);
    }
    let init = &ours[0].stdout;
    assert!(init.starts_with("---\nmetadata:\n"), "{init}");
    assert!(init.contains("  - inventory.Region\n"), "{init}");
    assert!(init.contains("      region_codes:\n"), "{init}");
    assert_eq!(ours[1].stdout, "\n", "verify answers Empty");
    let collect = &ours[2].stdout;
    assert_eq!(collect.matches("---\n").count(), 6, "{collect}");
    assert_eq!(
        collect
            .matches("resource_type: inventory.CloudService\n")
            .count(),
        3
    );
    assert_eq!(
        collect.matches("resource_type: inventory.Region\n").count(),
        2
    );
    assert!(collect.contains("state: SUCCESS\n"));
    assert!(
        collect.contains("    - production\n"),
        "sample data: {collect}"
    );
    assert_eq!(
        ours[3].stdout,
        "---\ntasks:\n- task_options:\n    region_code: region-east\n- task_options:\n    region_code: region-west\n\n"
    );

    // One task, and a secret the connector rejects.
    let r = spacectl_in(
        tmp.path(),
        client.path(),
        &[
            "exec",
            "collect",
            "plugin.Collector",
            "-j",
            r#"{"options": {}, "secret_data": {}, "task_options": {"region_code": "region-west"}}"#,
        ],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr);
    // The region and its cloud service: the type comes with the first region's task only.
    assert_eq!(r.stdout.matches("---\n").count(), 2, "{}", r.stdout);
    assert!(
        !r.stdout
            .contains("resource_type: inventory.CloudServiceType"),
        "{}",
        r.stdout
    );
    let r = spacectl_in(
        tmp.path(),
        client.path(),
        &[
            "exec",
            "verify",
            "plugin.Collector",
            "-j",
            r#"{"options": {}, "secret_data": {"api_key": ""}}"#,
        ],
    );
    assert_eq!(r.code(), 1);
    assert_eq!(
        r.stderr,
        "ERROR: Parameter is invalid. (key = secret_data.api_key, reason = must be a non-empty string)\n\n"
    );

    // The Python spacectl prints the same documents.
    let test = "generated_project_serves_our_client_and_the_python_client_alike";
    let Some(python_spacectl) = reference_spacectl(test) else {
        return;
    };
    for (args, mine) in calls.iter().zip(&ours) {
        let mut c = command_in_home(&python_spacectl, client.path());
        c.args(args).current_dir(tmp.path());
        let theirs = run_bounded(c, "", TIMEOUT);
        assert_eq!(theirs.code(), 0, "{args:?}: {}", theirs.stderr);
        assert_eq!(theirs.stdout, mine.stdout, "{args:?}");
    }
}

#[test]
fn under_the_spaceone_name_the_next_steps_say_spaceone() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let home = temp_home();
    let link = tmp.path().join("spaceone");
    std::os::unix::fs::symlink(spacectl_bin(), &link).expect("spaceone link");
    let mut c = command_in_home(&link, home.path());
    c.args(["create-project", "demo"]).current_dir(tmp.path());
    let r = run_bounded(c, "", TIMEOUT);
    assert_eq!(r.code(), 0, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "Created the inventory collector project demo in demo
  provider demo, cloud service group Demo, type Resource, package src/plugin

Next steps:
  cd demo
  spaceone plugin test                       # serve it, call it, check the answers
  spaceone run plugin-server plugin -s src   # serve it on port 50051
README.md explains calling, building and registering the plugin.
"
    );
    // The steps work under that name.
    let mut c = command_in_home(&link, home.path());
    c.args(["plugin", "test", "-o", "json"])
        .current_dir(tmp.path().join("demo"))
        .env_remove("PYTHONPATH");
    let r = run_bounded(c, "", TIMEOUT);
    assert_eq!(r.code(), 0, "{}\n{}", r.stdout, r.stderr);
}

#[test]
fn generated_project_passes_plugin_test() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let home = temp_home();
    let r = spacectl_in(tmp.path(), home.path(), &["create-project", "demo", "-q"]);
    assert_eq!(r.code(), 0, "{}", r.stderr);
    let root = tmp.path().join("demo");

    let r = spacectl_in(&root, home.path(), &["plugin", "test"]);
    assert_eq!(r.code(), 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.stderr, "", "no progress output without a terminal");
    assert!(
        r.stdout.starts_with(
            "Plugin test of plugin (source root src)\nRequest: collect.yaml; verify request: verify.yaml; secret: none\n"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Errors: none\nWarnings: none\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .ends_with("\nPASSED: 5 calls, 6 resources, 0 errors, 0 warnings\n"),
        "{}",
        r.stdout
    );

    let calls = |report: &Value| -> Vec<(String, String)> {
        report["calls"]
            .as_array()
            .expect("calls")
            .iter()
            .map(|c| {
                (
                    c["call"].as_str().unwrap_or("").to_string(),
                    c["result"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let owned = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };

    // From outside the project: the project's request files are found all the same.
    let r = spacectl_in(
        tmp.path(),
        home.path(),
        &["plugin", "test", "-s", "demo/src", "-o", "json"],
    );
    assert_eq!(r.code(), 0, "{}\n{}", r.stdout, r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).expect("JSON report");
    assert_eq!(report["passed"], Value::Bool(true), "{}", r.stdout);
    assert_eq!(report["request_file"], "demo/collect.yaml");
    assert_eq!(report["verify_file"], "demo/verify.yaml");
    assert_eq!(
        calls(&report),
        owned(&[
            ("Collector.init", "OK"),
            ("Collector.verify", "OK"),
            ("Job.get_tasks", "OK"),
            ("Collector.collect (task 1/2)", "OK"),
            ("Collector.collect (task 2/2)", "OK"),
        ])
    );
    assert_eq!(report["errors"], Value::Array(vec![]));
    assert_eq!(report["warnings"], Value::Array(vec![]));

    // The defaults can be turned off.
    let r = spacectl_in(
        &root,
        home.path(),
        &["plugin", "test", "--no-verify", "--no-tasks", "-o", "json"],
    );
    assert_eq!(r.code(), 0, "{}\n{}", r.stdout, r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).expect("JSON report");
    assert_eq!(report["verify_file"], Value::Null);
    assert_eq!(
        calls(&report),
        owned(&[
            ("Collector.init", "OK"),
            ("Collector.verify", "SKIPPED"),
            ("Job.get_tasks", "SKIPPED"),
            ("Collector.collect", "OK"),
        ])
    );
    let reasons: Vec<&str> = report["calls"]
        .as_array()
        .expect("calls")
        .iter()
        .filter_map(|c| c["reason"].as_str())
        .collect();
    assert_eq!(reasons, ["--no-verify", "--no-tasks"]);

    // verify.yaml is what verify gets: a bad secret there fails verify only.
    std::fs::write(
        root.join("verify.yaml"),
        "options: {}\nsecret_data:\n  api_key: ''\n",
    )
    .expect("write verify.yaml");
    let r = spacectl_in(&root, home.path(), &["plugin", "test", "-o", "json"]);
    assert_eq!(r.code(), 1, "{}\n{}", r.stdout, r.stderr);
    let report: Value = serde_json::from_str(&r.stdout).expect("JSON report");
    assert_eq!(
        report["errors"][0]["message"],
        "Collector.verify failed: Parameter is invalid. (key = secret_data.api_key, reason = must be a non-empty string)"
    );
    assert_eq!(report["errors"].as_array().map(Vec::len), Some(1));
}
