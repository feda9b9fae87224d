//! The host serving the kinds besides the collector, through a POSIX shell handler
//! (tests/data/handlers/kind_handler.sh) and our client: the kind chosen from what
//! the handler says the app is, its routes or `--kind`, refused when the routes
//! tell no single kind, the kind's request validation, unary and streaming
//! answers, the conversion errors, and reflection listing exactly the kind's
//! services. No Python needed.
//!
//! Servers listen on 127.0.0.1 and are stopped by PID; every wait is bounded.

mod common;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Run, command_in_home, run_bounded, spacectl_bin, temp_home};

fn handler(routes: &str) -> String {
    handler_saying(routes, "")
}

/// The handler, its ready object also holding `more` (JSON members).
fn handler_saying(routes: &str, more: &str) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/handlers/kind_handler.sh");
    format!("sh '{}' '{routes}' '{more}'", script.display())
}

struct Host {
    child: Child,
    log: PathBuf,
    home: tempfile::TempDir,
    _src: tempfile::TempDir,
}

impl Host {
    fn start(routes: &str, extra: &[&str]) -> Host {
        Host::start_with(&handler(routes), extra)
    }

    fn start_with(handler: &str, extra: &[&str]) -> Host {
        let src = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(src.path().join("plugin")).expect("package dir");
        let home = temp_home();
        let log = home.path().join("host.log");
        let port = common::free_port();
        let out = std::fs::File::create(&log).expect("log");
        let err = out.try_clone().expect("log");
        let child = Command::new(spacectl_bin())
            .args(["run", "plugin-server", "plugin", "-s"])
            .arg(src.path())
            .args([
                "--host",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "--handler",
                handler,
            ])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("start the host");
        let mut host = Host {
            child,
            log,
            home,
            _src: src,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200))
            .is_err()
        {
            if let Ok(Some(status)) = host.child.try_wait() {
                panic!(
                    "the host exited ({status}):\n{}",
                    std::fs::read_to_string(&host.log).unwrap_or_default()
                );
            }
            assert!(Instant::now() < deadline, "the host did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        let client = host.client(&["config", "init", "-e", "kinds"]);
        assert_eq!(client.code(), 0, "{}", client.stderr);
        let endpoint = format!("grpc://127.0.0.1:{port}");
        assert_eq!(
            host.client(&["config", "endpoint", "add", "plugin", &endpoint])
                .code(),
            0
        );
        host
    }

    fn client(&self, args: &[&str]) -> Run {
        let mut cmd = command_in_home(&spacectl_bin(), self.home.path());
        cmd.args(args);
        run_bounded(cmd, "", Duration::from_secs(60))
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn routes_of_no_single_kind_are_refused_at_startup() {
    let src = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(src.path().join("plugin")).expect("package dir");
    let home = temp_home();
    let mut cmd = command_in_home(&spacectl_bin(), home.path());
    cmd.args(["run", "plugin-server", "plugin", "-s"])
        .arg(src.path())
        .args([
            "--host",
            "127.0.0.1",
            "-p",
            &common::free_port().to_string(),
        ])
        .args(["--handler", &handler(r#"["Webhook.init","Protocol.init"]"#)]);
    let r = run_bounded(cmd, "", Duration::from_secs(30));
    assert_eq!(r.code(), 1, "{}", r.stderr);
    assert!(
        r.stderr.ends_with("ERROR: The plugin's routes (Webhook.init, Protocol.init) belong to no single plugin kind; name its kind with --kind (asset (collector), external-auth (auth), account-collector, cost, notification, webhook, metric, log).\n\n"),
        "{}",
        r.stderr
    );

    // --kind checks the routes with upstream's message.
    let mut cmd = command_in_home(&spacectl_bin(), home.path());
    cmd.args(["run", "plugin-server", "plugin", "-s"])
        .arg(src.path())
        .args([
            "--host",
            "127.0.0.1",
            "-p",
            &common::free_port().to_string(),
            "--kind",
            "webhook",
        ])
        .args([
            "--handler",
            &handler(r#"["Webhook.init","Webhook.dispatch"]"#),
        ]);
    let r = run_bounded(cmd, "", Duration::from_secs(30));
    assert_eq!(r.code(), 1, "{}", r.stderr);
    assert!(
        r.stderr.ends_with("ERROR: Plugin method is invalid. (plugin_method = Webhook.dispatch,allowed = ['init', 'verify'])\n\n"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_metric_data_source_named_with_kind() {
    // DataSource.init alone fits three kinds: --kind picks one.
    let host = Host::start(
        r#"["DataSource.init","Metric.list"]"#,
        &["--kind", "metric"],
    );
    let r = host.client(&[
        "exec",
        "init",
        "plugin.DataSource",
        "-j",
        r#"{"options": {}}"#,
    ]);
    assert_eq!(
        r.stdout, "---\nmetadata:\n  source: shell\n\n",
        "{}",
        r.stderr
    );
    let r = host.client(&[
        "exec",
        "list",
        "plugin.Metric",
        "-j",
        r#"{"options": {}, "secret_data": {}}"#,
    ]);
    assert_eq!(
        r.stdout, "---\nmetrics:\n- key: cpu\n  metric_query: {}\n  name: CPU\n  unit: {}\n\n",
        "{}",
        r.stderr
    );
    // The kind's validation, before the handler is asked.
    let r = host.client(&["exec", "list", "plugin.Metric", "-j", r#"{"options": {}}"#]);
    assert_eq!(
        r.stderr,
        "ERROR: Required parameter. (key = secret_data)\n\n"
    );
    // A route the handler answers with null: the kind's model refuses it.
    let r = host.client(&[
        "exec",
        "get_data",
        "plugin.Metric",
        "-j",
        r#"{"options": {}, "secret_data": {}, "metric": "cpu", "start": "s", "end": "e"}"#,
    ]);
    assert_eq!(
        r.stderr,
        "ERROR: spacectl.monitoring.metric.MetricDataResponse() argument after ** must be a mapping, not NoneType\n\n"
    );
    let log = host.log_text();
    assert!(
        log.contains("Loaded Services: \n\t - spaceone.api.monitoring.plugin.DataSource\n\t - spaceone.api.monitoring.plugin.Metric\n\t - grpc.health.v1.Health\n\t - spaceone.api.core.v1.ServerInfo  \n"),
        "{log}"
    );
    assert!(log.contains("Metric.list (__init__.py:210) (REQUEST) => {\"options\": {}, \"secret_data\": \"********\"}"), "{log}");
    // Reflection lists the kind's services only (plus Health and ServerInfo).
    let r = host.client(&["api-resources"]);
    assert_eq!(r.code(), 0, "{}", r.stderr);
    for service in ["DataSource", "Metric", "Health", "ServerInfo"] {
        assert!(r.stdout.contains(service), "{service} in {}", r.stdout);
    }
    for other in ["Collector", "Job", "Log", "Webhook"] {
        assert!(!r.stdout.contains(other), "{other} in {}", r.stdout);
    }
}

/// The services the startup log names.
fn loaded_services(log: &str) -> Vec<String> {
    let start = log.find("Loaded Services: \n").expect("startup log") + "Loaded Services: \n".len();
    log[start..]
        .lines()
        .take_while(|l| l.starts_with("\t - "))
        .map(|l| l.trim_start_matches("\t - ").trim_end().to_string())
        .collect()
}

#[test]
fn the_kind_is_what_the_app_is() {
    // DataSource.init alone fits three kinds; an app of the cost library's class
    // (here a subclass of it) is a cost data source.
    let host = Host::start_with(
        &handler_saying(
            r#"["DataSource.init"]"#,
            r#""app_classes": ["plugin.main:Mine", "spaceone.cost_analysis.plugin.data_source.lib.server:DataSourcePluginServer", "builtins:object"]"#,
        ),
        &[],
    );
    assert_eq!(
        loaded_services(&host.log_text()),
        [
            "spaceone.api.cost_analysis.plugin.DataSource",
            "spaceone.api.cost_analysis.plugin.Job",
            "spaceone.api.cost_analysis.plugin.Cost",
            "grpc.health.v1.Health",
            "spaceone.api.core.v1.ServerInfo"
        ]
    );
    drop(host);
    // An SDK app declares its kind; no routes needed.
    let host = Host::start_with(&handler_saying("[]", r#""declared_kind": "log""#), &[]);
    let r = host.client(&[
        "exec",
        "list",
        "plugin.Log",
        "-j",
        r#"{"options": {}, "secret_data": {}}"#,
    ]);
    assert_eq!(
        r.stdout, "---\nresults:\n- message: first\n\n---\nresults:\n- message: second\n\n",
        "{}",
        r.stderr
    );
    assert_eq!(
        loaded_services(&host.log_text())[..2],
        [
            "spaceone.api.monitoring.plugin.DataSource",
            "spaceone.api.monitoring.plugin.Log"
        ]
    );
}

#[test]
fn a_log_data_source_streams_pages() {
    let host = Host::start(r#"["Log.list"]"#, &[]);
    let r = host.client(&[
        "exec",
        "list",
        "plugin.Log",
        "-j",
        r#"{"options": {}, "secret_data": {"token": "t"}}"#,
    ]);
    assert_eq!(
        r.stdout, "---\nresults:\n- message: first\n\n---\nresults:\n- message: second\n\n",
        "{}",
        r.stderr
    );
    assert!(
        !host.log_text().contains("\"token\""),
        "{}",
        host.log_text()
    );
}

#[test]
fn a_webhook_answer_that_does_not_fit_its_message_is_an_error() {
    let host = Host::start(r#"["Webhook.init","Event.parse"]"#, &[]);
    let r = host.client(&[
        "exec",
        "parse",
        "plugin.Event",
        "-j",
        r#"{"options": {}, "data": {}}"#,
    ]);
    assert_eq!(
        r.stderr,
        "ERROR: Failed to parse results field: Failed to parse severity field: Invalid enum value LOUD for enum type spaceone.api.monitoring.plugin.EventInfo.Severity at EventsInfo.results[0].severity..\n\n",
    );
    // The log lines name the route (upstream's webhook library leaves the
    // column empty).
    assert!(
        host.log_text().contains(
            "     Event.parse (__init__.py:210) (REQUEST) => {\"options\": {}, \"data\": {}}"
        ),
        "{}",
        host.log_text()
    );
}
