//! `exec` on a stream prints each response as it arrives: a document is on
//! standard output while the server is still working on the next one, even
//! though a fast stream's documents are written in batches.

mod common;

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{command_in_home, spacectl_bin, temp_home};

/// Yields one Region, waits 3 seconds, yields a second one and ends.
const HANDLER: &str = r#"#!/bin/sh
printf '%s\n' '{"ready": {"protocol": 1, "routes": ["Collector.collect"], "concurrency": 1}}'
item() {
  printf '{"id":%s,"item":{"state":"SUCCESS","resource_type":"inventory.Region","region":{"region_code":"r-%s","provider":"p","name":"R %s"},"match_keys":[["region_code"]]}}\n' "$1" "$2" "$2"
}
while IFS= read -r line; do
  id=${line#'{"id":'}
  id=${id%%,*}
  item "$id" 1
  sleep 3
  item "$id" 2
  printf '{"id":%s,"done":true}\n' "$id"
done
"#;

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn each_document_is_printed_while_the_next_one_is_awaited() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("handler.sh");
    std::fs::write(&script, HANDLER).expect("write handler");
    std::fs::create_dir_all(dir.path().join("plugin")).expect("package dir");
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let _host = Killed(
        Command::new(spacectl_bin())
            .args(["run", "plugin-server", "plugin", "-s"])
            .arg(dir.path())
            .arg("--handler")
            .arg(format!("sh '{}'", script.display()))
            .args(["--host", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the host"),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the host does not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let home = temp_home();
    let config = home.path().join(".spaceone");
    std::fs::create_dir_all(config.join("environments")).expect("config dir");
    std::fs::write(config.join("environment.yml"), "environment: s\n").expect("environment");
    std::fs::write(
        config.join("environments/s.yml"),
        format!("endpoints:\n  plugin: grpc://127.0.0.1:{port}\n"),
    )
    .expect("endpoints");

    let started = Instant::now();
    let mut client = Killed(
        command_in_home(&spacectl_bin(), home.path())
            .args(["exec", "collect", "plugin.Collector", "-o", "json"])
            .args(["-j", r#"{"options": {}, "secret_data": {}}"#])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the client"),
    );
    let mut out = client.0.stdout.take().expect("stdout");
    let mut text = Vec::new();
    let mut buf = [0u8; 4096];
    let mut first_at = None;
    loop {
        let n = out.read(&mut buf).expect("read stdout");
        if n == 0 {
            break;
        }
        text.extend_from_slice(&buf[..n]);
        if first_at.is_none() && text.ends_with(b"}\n") {
            first_at = Some(started.elapsed());
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the call does not end"
        );
    }
    let text = String::from_utf8(text).expect("UTF-8 output");
    let first_at = first_at.expect("a document was printed");
    assert!(
        first_at < Duration::from_millis(2500),
        "the first document was printed after {first_at:?}, not before the second arrived"
    );
    assert_eq!(text.matches("\"region_code\": ").count(), 2, "{text}");
    assert!(
        text.starts_with(
            "{\n    \"state\": \"SUCCESS\",\n    \"resource_type\": \"inventory.Region\","
        ),
        "{text}"
    );
}
