//! `create-project -s KIND` for the kinds besides the collector: the project's
//! files, and its sample routes run with nothing but `python3` — each request
//! file of the project handed to its route, the answers checked.
//!
//! Every process is bounded in time; nothing listens on the network.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Run, command_in_home, run_bounded, spacectl_bin, temp_home};
use serde_json::{Map, Value, json};
use yaml_rust2::{Yaml, YamlLoader};

fn spacectl_in(cwd: &Path, home: &Path, args: &[&str]) -> Run {
    let mut cmd = command_in_home(&spacectl_bin(), home);
    cmd.current_dir(cwd).args(args);
    run_bounded(cmd, "", Duration::from_secs(60))
}

fn yaml_to_json(y: &Yaml) -> Value {
    match y {
        Yaml::Hash(h) => {
            let mut m = Map::new();
            for (k, v) in h {
                let key = match k {
                    Yaml::String(s) => s.clone(),
                    other => format!("{other:?}"),
                };
                m.insert(key, yaml_to_json(v));
            }
            Value::Object(m)
        }
        Yaml::Array(a) => Value::Array(a.iter().map(yaml_to_json).collect()),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Integer(i) => json!(*i as f64),
        Yaml::Real(r) => json!(r.parse::<f64>().expect("a YAML real")),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Null => Value::Null,
        other => panic!("unexpected YAML value {other:?}"),
    }
}

/// The project's request files: `(route, file name, request)`, the route read
/// from the file's first line, `# spacectl exec VERB plugin.SERVICE -f FILE`.
fn request_files(root: &Path) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(root)
        .expect("project root")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        // The image's registration, not a request to the plugin.
        .filter(|n| n != "register.yaml")
        .collect();
    names.sort();
    for name in names {
        let text = std::fs::read_to_string(root.join(&name)).expect("request file");
        let first = text.lines().next().unwrap_or_default();
        let words: Vec<&str> = first.split_whitespace().collect();
        assert!(
            words.len() == 7
                && words[..3] == ["#", "spacectl", "exec"]
                && words[5] == "-f"
                && words[6] == name,
            "{name}: first line is not `# spacectl exec VERB plugin.SERVICE -f {name}`: {first}"
        );
        let service = words[4]
            .strip_prefix("plugin.")
            .unwrap_or_else(|| panic!("{name}: {first}"));
        let docs = YamlLoader::load_from_str(&text).expect("YAML");
        out.push((
            format!("{service}.{}", words[3]),
            name,
            yaml_to_json(&docs[0]),
        ));
    }
    out
}

/// Imports the project's `plugin.main` with `python3` and calls each route with
/// its request; prints `{"routes": [...]}` (the server class's table), then one
/// line per call: `{"result": ...}` or `{"error": "CODE: message"}`.
const DRIVER: &str = r#"
import inspect, json, sys
sys.path.insert(0, "src")
import plugin.main as m
app = m.app
table = [f"{c}.{v}" for c, vs in type(app).plugin_methods.items() for v in vs]
print(json.dumps({"kind": type(app).plugin_kind, "routes": table, "registered": app.plugin_routes()}))
for line in sys.stdin:
    call = json.loads(line)
    func = app.get_plugin_method(call["route"])
    try:
        result = func(call["params"])
        if inspect.isgenerator(result):
            result = list(result)
        print(json.dumps({"result": result}))
    except Exception as e:
        print(json.dumps({"error": str(e)}))
"#;

struct Project {
    _tmp: tempfile::TempDir,
    root: std::path::PathBuf,
}

fn create(kind: &str) -> Project {
    let tmp = tempfile::tempdir().expect("temp dir");
    let home = temp_home();
    let r = spacectl_in(
        tmp.path(),
        home.path(),
        &["create-project", "demo", "-s", kind],
    );
    assert_eq!(r.code(), 0, "{}\n{}", r.stdout, r.stderr);
    let root = tmp.path().join("demo");
    Project { _tmp: tmp, root }
}

/// Runs every request file of the project through its route.
fn run_routes(p: &Project, adjust: impl Fn(&str, &mut Value)) -> (Value, Vec<(String, Value)>) {
    let calls = request_files(&p.root);
    let mut input = String::new();
    for (route, _, params) in &calls {
        let mut params = params.clone();
        adjust(route, &mut params);
        input.push_str(&json!({"route": route, "params": params}).to_string());
        input.push('\n');
    }
    let mut cmd = std::process::Command::new("python3");
    cmd.current_dir(&p.root)
        .args(["-c", DRIVER])
        .env("PYTHONDONTWRITEBYTECODE", "1");
    let r = run_bounded(cmd, &input, Duration::from_secs(60));
    assert_eq!(r.code(), 0, "{}\n{}", r.stdout, r.stderr);
    let mut lines = r.stdout.lines();
    let header: Value = serde_json::from_str(lines.next().expect("header")).expect("JSON");
    let answers: Vec<(String, Value)> = calls
        .iter()
        .map(|(route, _, _)| route.clone())
        .zip(lines.map(|l| serde_json::from_str(l).expect("JSON answer")))
        .collect();
    assert_eq!(answers.len(), calls.len(), "{}", r.stdout);
    (header, answers)
}

fn result<'a>(answers: &'a [(String, Value)], route: &str) -> &'a Value {
    let (_, a) = answers
        .iter()
        .find(|(r, _)| r == route)
        .unwrap_or_else(|| panic!("no request file for {route}"));
    assert!(a.get("error").is_none(), "{route}: {a}");
    &a["result"]
}

/// The files every kind's project has, and one request file per route of its
/// server class, every route registered.
fn check_layout(p: &Project, kind: &str, header: &Value, answers: &[(String, Value)]) {
    for f in [
        "Dockerfile",
        "VERSION",
        "README.md",
        ".gitignore",
        ".dockerignore",
        "pkg/pip_requirements.txt",
        "src/plugin/__init__.py",
        "src/plugin/main.py",
        "src/spaceone_plugin_sdk.py",
        "src/spaceone_plugin_kinds.py",
    ] {
        assert!(p.root.join(f).is_file(), "{kind}: {f} missing");
    }
    let dockerfile = std::fs::read_to_string(p.root.join("Dockerfile")).unwrap();
    assert!(
        dockerfile.contains(
            "\nENTRYPOINT [\"spaceone\"]\nCMD [\"run\", \"plugin-server\", \"plugin\"]\n"
        ),
        "{dockerfile}"
    );
    assert_eq!(
        std::fs::read_to_string(p.root.join("VERSION")).unwrap(),
        "0.1.0\n"
    );
    assert_eq!(header["kind"], kind);
    let mut routes: Vec<String> = answers.iter().map(|(r, _)| r.clone()).collect();
    routes.sort();
    let mut table: Vec<String> = header["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect();
    table.sort();
    assert_eq!(routes, table, "{kind}: one request file per route");
    let mut registered: Vec<String> = header["registered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect();
    registered.sort();
    assert_eq!(registered, table, "{kind}: every route has a function");
    let readme = std::fs::read_to_string(p.root.join("README.md")).unwrap();
    for (route, file, _) in request_files(&p.root) {
        let (service, verb) = route.split_once('.').unwrap();
        assert!(
            readme.contains(&format!("spacectl exec {verb} plugin.{service} -f {file}")),
            "{kind}: README does not show {route}"
        );
    }
}

#[test]
fn webhook_project_parses_its_sample_alerts() {
    let p = create("webhook");
    let (header, answers) = run_routes(&p, |_, _| {});
    check_layout(&p, "webhook", &header, &answers);
    let events = result(&answers, "Event.parse")["results"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["event_type"], "ALERT");
    assert_eq!(events[0]["severity"], "CRITICAL");
    assert_eq!(events[0]["rule"], "HighCPU");
    assert_eq!(events[1]["event_type"], "RECOVERY");
    assert_eq!(events[1]["severity"], "WARNING");
    assert_eq!(events[1]["occurred_at"], "2024-05-01T09:30:00Z");
    assert!(result(&answers, "Webhook.init")["metadata"].is_object());
}

#[test]
fn notification_project_delivers_to_a_file() {
    let p = create("notification");
    let outbox = p.root.join("outbox.jsonl");
    let path = outbox.display().to_string();
    let (header, answers) = run_routes(&p, |route, params| {
        if route == "Notification.dispatch" {
            params["channel_data"]["path"] = json!(path);
        }
    });
    check_layout(&p, "notification", &header, &answers);
    let line = std::fs::read_to_string(&outbox).expect("the outbox file");
    assert_eq!(
        line,
        "{\"description\": \"/var is 93% full\", \"link\": \"http://127.0.0.1:8080/alerts/1\", \"notification_type\": \"WARNING\", \"tags\": {\"host\": \"db-1\"}, \"title\": \"Disk almost full on db-1\"}\n"
    );
    let init = result(&answers, "Protocol.init");
    assert_eq!(init["metadata"]["data_type"], "PLAIN_TEXT");
    assert!(init["metadata"]["data"]["schema"]["properties"]["path"].is_object());
}

#[test]
fn cost_project_streams_a_month_in_pages() {
    let p = create("cost");
    let (header, answers) = run_routes(&p, |_, _| {});
    check_layout(&p, "cost", &header, &answers);
    let pages = result(&answers, "Cost.get_data")
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(pages.len(), 4, "31 days, ten a page");
    let rows: usize = pages
        .iter()
        .map(|p| p["results"].as_array().unwrap().len())
        .sum();
    assert_eq!(rows, 31 * 2 * 2, "a row per day, account and product");
    assert_eq!(pages[0]["results"][0]["billed_date"], "2024-05-01");
    assert_eq!(pages[3]["results"][0]["billed_date"], "2024-05-31");
    let tasks = result(&answers, "Job.get_tasks")["tasks"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(tasks.len(), 2);
    assert_eq!(tasks[1]["task_options"]["month"], "2024-05");
    assert_eq!(
        result(&answers, "Cost.get_linked_accounts")["results"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn external_auth_project_authorizes_its_sample_user() {
    let p = create("auth");
    let (header, answers) = run_routes(&p, |_, _| {});
    check_layout(&p, "external-auth", &header, &answers);
    assert_eq!(
        result(&answers, "ExternalAuth.authorize"),
        &json!({"state": "ENABLED", "user_id": "alice", "name": "Alice Liddell", "email": "alice@example.com"})
    );
    // A wrong password is refused with upstream's authentication error.
    let (_, answers) = run_routes(&p, |route, params| {
        if route == "ExternalAuth.authorize" {
            params["credentials"]["password"] = json!("guess");
        }
    });
    let (_, refused) = answers
        .iter()
        .find(|(r, _)| r == "ExternalAuth.authorize")
        .unwrap();
    assert_eq!(
        refused["error"],
        "ERROR_AUTHENTICATE_FAILURE: Authenticate failure. (message = wrong user id or password for 'alice')"
    );
}

#[test]
fn account_collector_project_syncs_its_sample_accounts() {
    let p = create("account-collector");
    let (header, answers) = run_routes(&p, |_, _| {});
    check_layout(&p, "account-collector", &header, &answers);
    let accounts = result(&answers, "AccountCollector.sync")["results"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(accounts.len(), 3);
    assert_eq!(accounts[0]["name"], "sample-production");
    assert_eq!(accounts[0]["location"][1]["name"], "Production");
    assert_eq!(accounts[0]["secret_data"]["role_name"], "SpaceONERole");
}

#[test]
fn metric_project_lists_metrics_and_their_data() {
    let p = create("metric");
    let (header, answers) = run_routes(&p, |_, _| {});
    check_layout(&p, "metric", &header, &answers);
    let metrics = result(&answers, "Metric.list")["metrics"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(metrics.len(), 2);
    assert_eq!(metrics[0]["metric_query"]["resource_id"], "server-1");
    let data = result(&answers, "Metric.get_data");
    assert_eq!(
        data["labels"].as_array().unwrap().len(),
        12,
        "an hour of 5-minute points"
    );
    assert_eq!(data["labels"][0], "2024-05-01T10:00:00Z");
    assert_eq!(data["values"]["server-1"].as_array().unwrap().len(), 12);
}

#[test]
fn log_project_streams_matching_records_in_pages() {
    let p = create("log");
    let (header, answers) = run_routes(&p, |_, _| {});
    check_layout(&p, "log", &header, &answers);
    let pages = result(&answers, "Log.list").as_array().unwrap().clone();
    let records: Vec<&Value> = pages
        .iter()
        .flat_map(|p| p["results"].as_array().unwrap())
        .collect();
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert_eq!(records.len(), 5, "the records that mention an instance");
    assert_eq!(records[0]["event"], "ModifyInstance", "newest first");
}

#[test]
fn the_summary_names_the_kind_and_the_server_command() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let home = temp_home();
    let r = spacectl_in(
        tmp.path(),
        home.path(),
        &["create-project", "hook", "-s", "webhook"],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "Created the monitoring webhook project hook in hook\n  package src/plugin\n\nNext steps:\n  cd hook\n  spacectl plugin test                       # serve it, call it, check the answers\n  spacectl run plugin-server plugin -s src   # serve it on port 50051\nREADME.md explains calling, building and registering the plugin.\n"
    );
}

/// Our host serving `p` (SDK mode, plain `python3`), stopped by PID when dropped.
struct Served {
    child: std::process::Child,
    port: u16,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        while matches!(self.child.try_wait(), Ok(None)) && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(p: &Project, home: &Path) -> Served {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let mut cmd = command_in_home(&spacectl_bin(), home);
    cmd.current_dir(&p.root)
        .args([
            "run",
            "plugin-server",
            "plugin",
            "-s",
            "src",
            "--host",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let child = cmd.spawn().expect("start our host");
    let served = Served { child, port };
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "the host did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    served
}

#[test]
fn every_kind_project_is_served_and_answers_every_request_file() {
    for kind in [
        "external-auth",
        "account-collector",
        "cost",
        "notification",
        "webhook",
        "metric",
        "log",
    ] {
        let p = create(kind);
        if kind == "notification" {
            let file = p.root.join("dispatch.yaml");
            let text = std::fs::read_to_string(&file).unwrap();
            let outbox = p.root.join("outbox.jsonl");
            let text = text.replace("/tmp/demo-outbox.jsonl", &outbox.display().to_string());
            std::fs::write(&file, text).unwrap();
        }
        let home = temp_home();
        let served = serve(&p, home.path());
        let client = |args: &[&str]| spacectl_in(&p.root, home.path(), args);
        assert_eq!(client(&["config", "init", "-e", "local"]).code(), 0);
        let endpoint = format!("grpc://127.0.0.1:{}", served.port);
        assert_eq!(
            client(&["config", "endpoint", "add", "plugin", &endpoint]).code(),
            0
        );
        for (route, file, _) in request_files(&p.root) {
            let (service, verb) = route.split_once('.').unwrap();
            let r = client(&["exec", verb, &format!("plugin.{service}"), "-f", &file]);
            assert_eq!(r.code(), 0, "{kind}: {route}: {}\n{}", r.stdout, r.stderr);
            assert!(!r.stdout.contains("ERROR"), "{kind}: {route}: {}", r.stdout);
            let empty_answer = route.ends_with(".verify") || route == "Notification.dispatch";
            assert_eq!(
                r.stdout.trim().is_empty(),
                empty_answer,
                "{kind}: {route}: {:?}",
                r.stdout
            );
        }
        if kind == "notification" {
            assert!(
                p.root.join("outbox.jsonl").is_file(),
                "the dispatch reached the outbox"
            );
        }
    }
}

#[test]
fn plugin_test_calls_every_route_of_every_kind_with_only_python3() {
    for kind in [
        "external-auth",
        "account-collector",
        "cost",
        "notification",
        "webhook",
        "metric",
        "log",
    ] {
        let p = create(kind);
        if kind == "notification" {
            let file = p.root.join("dispatch.yaml");
            let text = std::fs::read_to_string(&file).unwrap();
            let text = text.replace(
                "/tmp/demo-outbox.jsonl",
                &p.root.join("outbox.jsonl").display().to_string(),
            );
            std::fs::write(&file, text).unwrap();
        }
        let home = temp_home();
        let r = spacectl_in(
            &p.root,
            home.path(),
            &["plugin", "test", "-o", "json", "--strict"],
        );
        assert_eq!(r.code(), 0, "{kind}: {}\n{}", r.stdout, r.stderr);
        let report: Value = serde_json::from_str(&r.stdout).expect("a JSON report");
        assert_eq!(report["passed"], true, "{kind}: {}", r.stdout);
        let calls: Vec<(String, String)> = report["calls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["call"].as_str().unwrap().to_string(),
                    c["result"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let routes: Vec<String> = request_files(&p.root)
            .into_iter()
            .map(|(r, _, _)| r)
            .collect();
        assert_eq!(calls.len(), routes.len() * 2, "{kind}: {calls:?}");
        for route in &routes {
            for name in [
                route.clone(),
                format!("{route} (empty request, must be refused)"),
            ] {
                assert!(
                    calls.contains(&(name.clone(), "OK".to_string())),
                    "{kind}: {name} in {calls:?}"
                );
            }
        }
    }
}

#[test]
fn plugin_test_fails_when_a_route_fails() {
    let p = create("external-auth");
    let file = p.root.join("authorize.yaml");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("password: wonderland", "password: guess");
    std::fs::write(&file, text).unwrap();
    let home = temp_home();
    let r = spacectl_in(&p.root, home.path(), &["plugin", "test"]);
    assert_eq!(r.code(), 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("ExternalAuth.authorize failed: "),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("\nFAILED: 4 calls, 0 resources, 1 error, 0 warnings\n"),
        "{}",
        r.stdout
    );
}
