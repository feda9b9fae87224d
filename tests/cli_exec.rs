//! `spacectl exec` / `get` against an in-process gRPC test server.

mod support;

use std::io::Read;
use std::time::{Duration, Instant};

use prost::Message;
use serde_json::{Value, json};
use support::home::{Home, wait_bounded};
use support::server::{Reflection, TestServer, closed_port};
use support::tls::TestPki;

fn home_for(server: &TestServer, extra: &str) -> Home {
    Home::new(
        &[("test", &server.url()), ("identity", &server.url())],
        extra,
    )
}

/// Parse back-to-back JSON documents.
fn json_docs(text: &str) -> Vec<Value> {
    serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .map(|v| v.expect("valid JSON document"))
        .collect()
}

fn one_json(text: &str) -> Value {
    let docs = json_docs(text);
    assert_eq!(docs.len(), 1, "{text}");
    docs.into_iter().next().unwrap_or(Value::Null)
}

fn connection_block(channel: &str, message: &str) -> String {
    format!(
        "ERROR: \n\terror_code = ERROR_GRPC_CONNECTION\n\tstatus_code = UNAVAILABLE\n\tmessage = Server is unavailable. (channel = {channel}, message = {message})\n\n"
    )
}

/// Read from a child's stdout until the text ends with `end` (at most 4 KiB,
/// or until the pipe closes).
fn read_document(stdout: &mut impl Read, end: &str) -> String {
    let mut text = Vec::new();
    let mut byte = [0u8; 1];
    while text.len() < 4096 && !text.ends_with(end.as_bytes()) {
        match stdout.read(&mut byte) {
            Ok(1) => text.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&text).into_owned()
}

// ------------------------------------------------------------------ calls

#[test]
fn unary_echo_converts_fields_both_ways() {
    let server = TestServer::start(Reflection::Both);
    let home = home_for(&server, "api_key: K\n");
    let r = home.run(&[
        "exec",
        "echo",
        "test.Echo",
        "-j",
        r#"{"name": "n1", "count": 3, "big": "9007199254740993", "options": {"a": 1, "b": [true, null]}, "tags": ["x", "y"], "kind": "LARGE", "ratio": 0.1}"#,
        "-o",
        "json",
    ]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{r:?}");
    let v = one_json(&r.stdout);
    assert_eq!(
        v["request"],
        json!({
            "name": "n1",
            "count": 3,
            "big": "9007199254740993",
            "options": {"a": 1.0, "b": [true, null]},
            "tags": ["x", "y"],
            "kind": "LARGE",
            "ratio": 0.1
        })
    );
    // Message fields keep declaration order.
    let request_at = r.stdout.find("\"request\"").expect("request field");
    let metadata_at = r.stdout.find("\"metadata\"").expect("metadata field");
    assert!(request_at < metadata_at, "{}", r.stdout);
}

#[test]
fn unary_yaml_is_one_document() {
    let server = TestServer::start(Reflection::Both);
    let home = home_for(&server, "");
    let r = home.run(&["exec", "get", "identity.Provider", "-p", "provider=aws"]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (0, "---\nprovider: aws\nversion: v1\n\n", "")
    );
}

#[test]
fn empty_response_prints_an_empty_line() {
    let server = TestServer::start(Reflection::Both);
    let home = home_for(&server, "");
    let r = home.run(&["exec", "nothing", "test.Echo", "-p", "ignored=1"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "\n"), "{r:?}");
    let r = home.run(&["exec", "nothing", "test.Echo", "-o", "json"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "\n"), "{r:?}");
}

#[test]
fn metadata_token_domain_workspace_in_order() {
    let server = TestServer::start(Reflection::Both);
    let home = home_for(
        &server,
        "api_key: APIKEY\ntoken: TESTTOKEN123\nx_domain_id: domain-abc\nx_workspace_id: workspace-xyz\n",
    );
    let r = home.run(&["exec", "echo", "test.Echo", "-o", "json"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        one_json(&r.stdout)["metadata"],
        json!([
            {"key": "token", "value": "TESTTOKEN123"},
            {"key": "x_domain_id", "value": "domain-abc"},
            {"key": "x_workspace_id", "value": "workspace-xyz"}
        ])
    );

    let home = home_for(&server, "api_key: APIKEY\nx_domain_id: ''\n");
    let r = home.run(&["exec", "echo", "test.Echo", "-o", "json"]);
    assert_eq!(
        one_json(&r.stdout)["metadata"],
        json!([{"key": "token", "value": "APIKEY"}])
    );

    let home = home_for(&server, "");
    let r = home.run(&["exec", "echo", "test.Echo", "-o", "json"]);
    assert_eq!(one_json(&r.stdout).get("metadata"), None, "{r:?}");
}

#[test]
fn server_stream_prints_every_message() {
    let server = TestServer::start(Reflection::Both);
    let home = home_for(&server, "");
    let r = home.run(&[
        "exec",
        "count",
        "test.Echo",
        "-j",
        r#"{"n": 3}"#,
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        json_docs(&r.stdout),
        vec![
            json!({"index": 1}),
            json!({"index": 2}),
            json!({"index": 3})
        ]
    );
    // Back to back: the closing brace of one object is followed by the next.
    assert!(r.stdout.contains("}\n{"), "{}", r.stdout);

    let r = home.run(&["exec", "count", "test.Echo", "-j", r#"{"n": 2}"#]);
    assert_eq!(r.stdout, "---\nindex: 1\n\n---\nindex: 2\n\n");
}

#[test]
fn server_stream_messages_are_flushed_as_they_arrive() {
    let server = TestServer::start(Reflection::Both);
    let home = home_for(&server, "");
    let mut child = home
        .command(&[
            "exec",
            "count",
            "test.Echo",
            "-j",
            r#"{"n": 2, "delay_ms": 3000}"#,
        ])
        .spawn()
        .expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    let started = Instant::now();
    let first = read_document(&mut stdout, "index: 1\n\n");
    assert_eq!(first, "---\nindex: 1\n\n");
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "first message came late"
    );
    assert!(
        child.try_wait().expect("try_wait").is_none(),
        "exited before the second message"
    );
    child.stdout = Some(stdout);
    let r = wait_bounded(child, Duration::from_secs(30));
    assert_eq!((r.code, r.stdout.as_str()), (0, "---\nindex: 2\n\n"));
}

#[test]
fn stream_error_keeps_printed_messages_and_is_not_retried() {
    let server = TestServer::start(Reflection::Both);
    let home = home_for(&server, "");
    let r = home.run(&[
        "exec",
        "count",
        "test.Echo",
        "-j",
        r#"{"n": 5, "fail_after": 2}"#,
    ]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "---\nindex: 1\n\n---\nindex: 2\n\n");
    assert_eq!(
        r.stderr,
        format!(
            "ERROR: Server is unavailable. (channel = 127.0.0.1:{}, message = backend down)\n\n",
            server.port
        )
    );
    assert_eq!(server.calls("count"), 1);
}

#[test]
fn interrupt_prints_aborted() {
    let server = TestServer::start(Reflection::Both);
    let home = home_for(&server, "");
    let mut child = home
        .command(&[
            "exec",
            "count",
            "test.Echo",
            "-j",
            r#"{"n": 2, "delay_ms": 10000}"#,
        ])
        .spawn()
        .expect("spawn");
    // Interrupt once the first message is printed and the second is awaited.
    let mut stdout = child.stdout.take().expect("stdout");
    let first = read_document(&mut stdout, "index: 1\n\n");
    assert_eq!(first, "---\nindex: 1\n\n");
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(status.success());
    child.stdout = Some(stdout);
    let r = wait_bounded(child, Duration::from_secs(20));
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (1, "", "Aborted!\n"),
        "{r:?}"
    );
}

// ------------------------------------------------------------------ server errors

#[test]
fn status_details_map_to_upstream_messages() {
    let server = TestServer::start(Reflection::Both);
    let home = home_for(&server, "");
    let cases = [
        (
            3,
            "ERROR_INVALID_ARGUMENT: Parameter is invalid. (key = provider, reason = bad)",
            "ERROR: Parameter is invalid. (key = provider, reason = bad)\n\n".to_string(),
        ),
        (
            2,
            "something broke without code",
            "ERROR: something broke without code\n\n".to_string(),
        ),
        (
            16,
            "ERROR_AUTHENTICATE_FAILURE: token expired",
            "ERROR: The api_key is not set or incorrect. (Use \"spacectl config init\")\n\n"
                .to_string(),
        ),
        (
            7,
            "ERROR_PERMISSION_DENIED: no",
            "ERROR: Permission denied.\n\n".to_string(),
        ),
        (
            5,
            "ERROR_NOT_FOUND: Value not found. (provider = notfound)",
            "ERROR: Value not found. (provider = notfound)\n\n".to_string(),
        ),
    ];
    for (code, details, expected) in &cases {
        let body = json!({"code": code, "details": details}).to_string();
        let r = home.run(&["exec", "fail", "test.Echo", "-j", &body]);
        assert_eq!(
            (r.code, r.stdout.as_str(), r.stderr.as_str()),
            (1, "", expected.as_str()),
            "{details}"
        );
    }
    // Non-UNAVAILABLE errors are not retried.
    assert_eq!(server.calls("fail"), cases.len());
}

#[test]
fn unavailable_is_retried_three_times() {
    let server = TestServer::start(Reflection::Both);
    let home = home_for(&server, "");
    let r = home.run(&[
        "exec",
        "flaky",
        "test.Echo",
        "-j",
        r#"{"key": "a", "failures": 2}"#,
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(one_json(&r.stdout), json!({"attempts": 3}));

    let r = home.run(&[
        "exec",
        "flaky",
        "test.Echo",
        "-j",
        r#"{"key": "b", "failures": 9}"#,
    ]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        format!(
            "ERROR: Server is unavailable. (channel = 127.0.0.1:{}, message = flaky b attempt 3)\n\n",
            server.port
        )
    );
    assert_eq!(server.calls("flaky"), 6);
}

// ------------------------------------------------------------------ resolution

#[test]
fn unknown_verb_and_resource() {
    let server = TestServer::start(Reflection::Both);
    let home = home_for(&server, "");
    let r = home.run(&["exec", "Echo", "test.Echo"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "ERROR: 'test.v1.Echo' resource does not have a 'Echo' verb.\ndid you mean 'echo'?\n\n"
        )
    );
    let r = home.run(&["exec", "echo", "test.echo", "-v", "v2"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "ERROR: 'test.v2' service does not have a 'echo' resource.\ndid you mean 'Echo'?\n\n"
        )
    );
    let r = home.run(&["exec", "echo", "Echo"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "ERROR: Resource format is invalid. (resource = <service>.<resource>)\n\
             give SERVICE.Resource (e.g. identity.Provider) or a short name (e.g. provider); spacectl api-resources lists both\n\n"
        )
    );
    let r = home.run(&["exec", "echo", "nowhere.Echo"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "ERROR: Endpoint is not set. (service=nowhere)\n\
             endpoints configured in environment 'test': identity, test\n\
             add one: spacectl config endpoint add nowhere grpc://HOST:PORT (e.g. grpc://localhost:50051)\n\n"
        )
    );
    // Close names are suggested; the upstream line stays first.
    let r = home.run(&["exec", "echo", "tset.Echo"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "ERROR: Endpoint is not set. (service=tset)\ndid you mean 'test'?\n\n"
        )
    );
    let r = home.run(&["exec", "ecoh", "test.Echo"]);
    assert_eq!(
        r.stderr,
        "ERROR: 'test.v1.Echo' resource does not have a 'ecoh' verb.\ndid you mean 'echo'?\n\n"
    );
    let r = home.run(&["list", "test.Provder"]);
    assert_eq!(
        r.stderr,
        "ERROR: 'test.v1' service does not have a 'Provder' resource.\ndid you mean 'Provider'?\n\n"
    );
    let r = home.run(&["get", "provder"]);
    assert_eq!(
        r.stderr,
        "ERROR: Resource format is invalid. (resource = <service>.<resource>)\n\
         did you mean 'provider' (identity.Provider)?\n\n"
    );
    assert_eq!(server.calls("echo"), 0);
}

#[test]
fn client_streaming_methods_are_refused() {
    let server = TestServer::start(Reflection::Both);
    let home = home_for(&server, "");
    let r = home.run(&["exec", "upload", "test.Echo"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .starts_with("ERROR: 'Echo.upload' takes a stream of requests"),
        "{r:?}"
    );
}

#[test]
fn unknown_request_field_is_an_error() {
    let server = TestServer::start(Reflection::Both);
    let home = home_for(&server, "");
    let r = home.run(&["exec", "echo", "test.Echo", "-p", "bogus=1"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.starts_with("ERROR: ") && r.stderr.contains("bogus"),
        "{r:?}"
    );
    assert_eq!(server.calls("echo"), 0);
}

#[test]
fn api_version_prefers_matching_package() {
    let server = TestServer::start(Reflection::Both);
    let home = home_for(&server, "");
    let version = |args: &[&str]| {
        let r = home.run(args);
        assert_eq!(r.code, 0, "{r:?}");
        one_json(&r.stdout)["version"].clone()
    };
    assert_eq!(
        version(&[
            "get",
            "identity.Provider",
            "-p",
            "provider=aws",
            "-o",
            "json"
        ]),
        "v1"
    );
    assert_eq!(
        version(&[
            "get",
            "identity.Provider",
            "-p",
            "provider=aws",
            "-v",
            "v2",
            "-o",
            "json"
        ]),
        "v2"
    );
    // No package in that version: the last listed service wins.
    assert_eq!(
        version(&["get", "identity.Provider", "-v", "v7", "-o", "json"]),
        "v2"
    );
    // The short name `provider` means identity.Provider.
    assert_eq!(
        version(&["exec", "get", "provider", "-v", "v2", "-o", "json"]),
        "v2"
    );
    let r = home.run(&["get", "test.Echo"]);
    assert_eq!(
        r.stderr,
        "ERROR: 'test.v1.Echo' resource does not have a 'get' verb.\nverbs of this resource: count, echo, fail, flaky, list, nothing, upload\n\n"
    );
}

#[test]
fn v1_only_reflection_is_used_as_fallback() {
    let server = TestServer::start(Reflection::V1Only);
    let home = home_for(&server, "");
    let r = home.run(&[
        "get",
        "identity.Provider",
        "-p",
        "provider=gcp",
        "--no-cache",
    ]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (0, "---\nprovider: gcp\nversion: v1\n\n", "")
    );
}

#[test]
fn reflection_service_is_not_a_resource() {
    let server = TestServer::start(Reflection::ListingItself);
    let home = home_for(&server, "");
    let r = home.run(&[
        "exec",
        "ServerReflectionInfo",
        "test.ServerReflection",
        "-v",
        "v1alpha",
    ]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "ERROR: 'test.v1alpha' service does not have a 'ServerReflection' resource.\nresources of this endpoint: Echo, Provider\n\n"
        )
    );
    let r = home.run(&["exec", "nothing", "test.Echo"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "\n"), "{r:?}");
}

// ------------------------------------------------------------------ output formats

#[test]
fn table_output_uses_results_and_falls_back_to_yaml() {
    let server = TestServer::start(Reflection::Both);
    let home = home_for(&server, "");
    let r = home.run(&["exec", "list", "test.Echo", "-o", "table"]);
    assert_eq!(r.code, 0, "{r:?}");
    let first = r.stdout.lines().next().unwrap_or("");
    assert!(
        first.contains("name") && first.contains("size"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("alpha") && r.stdout.contains("beta"));
    assert!(r.stdout.contains("Count: 2 / 7"), "{}", r.stdout);

    let r = home.run(&[
        "exec",
        "get",
        "identity.Provider",
        "-p",
        "provider=aws",
        "-o",
        "table",
    ]);
    assert_eq!(r.stdout, "---\nprovider: aws\nversion: v1\n\n");
    let r = home.run(&[
        "exec",
        "get",
        "identity.Provider",
        "-p",
        "provider=aws",
        "-o",
        "csv",
    ]);
    assert_eq!(r.stdout, "---\nprovider: aws\nversion: v1\n\n");
}

// ------------------------------------------------------------------ connection errors

#[test]
fn connection_refused_gives_the_connection_block() {
    let port = closed_port();
    let home = Home::new(&[("test", &format!("grpc://127.0.0.1:{port}"))], "");
    let r = home.run(&["exec", "echo", "test.Echo"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        connection_block(
            &format!("127.0.0.1:{port}"),
            "failed to connect to all addresses"
        )
    );
}

#[test]
fn endpoint_url_errors() {
    let home = Home::new(
        &[
            ("http", "http://127.0.0.1:1"),
            ("bare", "127.0.0.1:1"),
            ("noport", "grpc://localhost"),
        ],
        "",
    );
    let r = home.run(&["exec", "x", "http.X"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "ERROR: Endpoint is invalid. (endpoint=http://127.0.0.1:1)\nExpected form: grpc://HOST:PORT or grpc+ssl://HOST:PORT (e.g. grpc://localhost:50051)\n\n"
        )
    );
    let r = home.run(&["exec", "x", "bare.X"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "ERROR: Endpoint is invalid. (endpoint=127.0.0.1:1)\nExpected form: grpc://HOST:PORT or grpc+ssl://HOST:PORT (e.g. grpc://localhost:50051)\n\n"
        )
    );
    let r = home.run(&["exec", "x", "noport.X"]);
    assert_eq!(
        (r.code, r.stderr),
        (
            1,
            connection_block(
                "localhost:None",
                "Endpoint format is invalid. (format = <host>:<port>)"
            )
        )
    );
}

#[test]
fn tls_to_a_plaintext_server_fails_the_handshake() {
    let server = TestServer::start(Reflection::Both);
    let home = Home::new(
        &[("test", &format!("grpc+ssl://localhost:{}", server.port))],
        "",
    );
    let r = home.run(&["exec", "echo", "test.Echo"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.starts_with(
            "ERROR: \n\terror_code = ERROR_GRPC_TLS_HANDSHAKE\n\tstatus_code = UNAVAILABLE\n\tmessage = TLS handshake failed. (reason = "
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.ends_with(")\n\n"));
    assert_eq!(server.calls("echo"), 0);
}

#[test]
fn tls_with_a_trusted_certificate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pki = TestPki::generate(dir.path());
    let server = TestServer::start_tls(Reflection::Both, &pki.cert_pem, &pki.key_pem);
    let home = Home::new(
        &[("identity", &format!("grpc+ssl://localhost:{}", server.port))],
        "",
    );
    let args = ["get", "identity.Provider", "-p", "provider=aws", "-v", "v2"];

    let mut trusted = home.command(&args);
    trusted.env("SSL_CERT_FILE", &pki.ca_file);
    let r = wait_bounded(trusted.spawn().expect("spawn"), Duration::from_secs(60));
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (0, "---\nprovider: aws\nversion: v2\n\n", "")
    );

    // A certificate from an authority outside the trusted roots fails the handshake.
    let other_dir = tempfile::tempdir().expect("tempdir");
    let other = TestPki::generate(other_dir.path());
    let mut untrusted = home.command(&args);
    untrusted.env("SSL_CERT_FILE", &other.ca_file);
    let r = wait_bounded(untrusted.spawn().expect("spawn"), Duration::from_secs(60));
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.starts_with(
            "ERROR: \n\terror_code = ERROR_GRPC_TLS_HANDSHAKE\n\tstatus_code = UNAVAILABLE\n\tmessage = TLS handshake failed. (reason = "
        ) && r.stderr.contains("UnknownIssuer"),
        "{}",
        r.stderr
    );
    eprintln!("{}", r.stderr);
    assert_eq!(server.calls("get"), 1);
}

#[test]
fn json_errors_do_not_echo_the_text() {
    let server = TestServer::start(Reflection::Both);
    let home = home_for(&server, "");
    let r = home.run(&[
        "exec",
        "echo",
        "test.Echo",
        "-j",
        r#"{"secret_data": {"api_key": "TOP-SECRET-VALUE"},
 oops}"#,
    ]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (
            1,
            "",
            "ERROR: JSON Load Error: key must be a string at line 2, column 2 of the -j text\n\n"
        )
    );
    let r = home.run(&["exec", "echo", "test.Echo", "-j", r#""TOP-SECRET-VALUE""#]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "ERROR: JSON parameter must be an object, not a string\n\n"
        )
    );
    assert_eq!(server.calls("echo"), 0);
}

#[test]
fn missing_config_is_reported() {
    let home = Home::new(&[], "");
    std::fs::remove_dir_all(home.path().join(".spaceone")).expect("rm");
    let r = home.run(&["exec", "echo", "test.Echo"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "ERROR: spaceconfig is undefined. (Use \"spacectl config init\")\n\n"
        )
    );
}

#[test]
fn usage_errors_exit_2() {
    let home = Home::new(&[], "");
    let r = home.run(&["exec", "init"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("RESOURCE"), "{}", r.stderr);
    let r = home.run(&["exec", "init", "plugin.Collector", "-o", "xml"]);
    assert_eq!(r.code, 2);
    let r = home.run(&["get", "identity.Provider", "-o", "table"]);
    assert_eq!(r.code, 2);
    let r = home.run(&[
        "exec",
        "init",
        "plugin.Collector",
        "-f",
        "/nonexistent/file.yaml",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("/nonexistent/file.yaml"));
}

// ------------------------------------------------------------------ descriptor cache

/// The only cache entry of a home.
fn cache_entry(home: &Home) -> std::path::PathBuf {
    let entries: Vec<_> = std::fs::read_dir(home.cache_dir())
        .expect("cache dir exists")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    entries.into_iter().next().unwrap_or_default()
}

/// Split an entry into its header (magic, key, count, one line per service)
/// and its descriptor set.
fn split_entry(bytes: &[u8]) -> (Vec<u8>, prost_types::FileDescriptorSet) {
    let mut offset = 0;
    let mut line = || {
        let len = bytes[offset..]
            .iter()
            .position(|&b| b == b'\n')
            .expect("header line");
        let text = String::from_utf8(bytes[offset..offset + len].to_vec()).expect("utf8");
        offset += len + 1;
        text
    };
    line();
    line();
    let count: usize = line().parse().expect("service count");
    for _ in 0..count {
        line();
    }
    let set = prost_types::FileDescriptorSet::decode(&bytes[offset..]).expect("descriptor set");
    (bytes[..offset].to_vec(), set)
}

#[test]
fn descriptor_cache_is_written_used_and_refreshed() {
    let server = TestServer::start(Reflection::Both);
    let home = home_for(&server, "");
    let r = home.run(&["exec", "nothing", "test.Echo"]);
    assert_eq!(r.code, 0, "{r:?}");
    let entry = cache_entry(&home);
    let (header, mut set) = split_entry(&std::fs::read(&entry).expect("read"));
    let header_text = String::from_utf8(header.clone()).expect("utf8");
    assert_eq!(
        header_text,
        format!(
            "spacectl descriptor cache 1\ngrpc://127.0.0.1:{}\n3\nspacectl.test.v1.Echo\nspaceone.api.identity.v1.Provider\nspaceone.api.identity.v2.Provider\n",
            server.port
        )
    );

    // Rename `nothing` to `vanished` in the cached descriptors: a cached run
    // then calls a method the server does not have, which proves the cache is read.
    for file in &mut set.file {
        for svc in &mut file.service {
            for m in &mut svc.method {
                if m.name() == "nothing" {
                    m.name = Some("vanished".into());
                }
            }
        }
    }
    let mut planted = header.clone();
    planted.extend(set.encode_to_vec());
    std::fs::write(&entry, &planted).expect("write");
    let r = home.run(&["exec", "vanished", "test.Echo"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (1, "ERROR: UNIMPLEMENTED\n\n"),
        "{r:?}"
    );

    // --no-cache asks the server, which knows no such verb.
    let r = home.run(&["exec", "vanished", "test.Echo", "--no-cache"]);
    assert_eq!(
        r.stderr,
        "ERROR: 'test.v1.Echo' resource does not have a 'vanished' verb.\nverbs of this resource: count, echo, fail, flaky, list, nothing, upload\n\n"
    );
    assert_eq!(
        std::fs::read(&entry).expect("read"),
        planted,
        "--no-cache must not write"
    );

    // A verb missing from the cached descriptors triggers a fresh discovery,
    // which also replaces the entry.
    let r = home.run(&["exec", "nothing", "test.Echo"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "\n"), "{r:?}");
    assert_ne!(std::fs::read(&entry).expect("read"), planted);

    // A corrupt entry is ignored and rewritten.
    std::fs::write(&entry, b"garbage").expect("write");
    let r = home.run(&["exec", "nothing", "test.Echo"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "\n"), "{r:?}");
    assert!(
        std::fs::read(&entry)
            .expect("read")
            .starts_with(b"spacectl descriptor cache 1\n")
    );
}

#[test]
fn cache_is_invalidated_when_the_service_list_changes() {
    let server = TestServer::start(Reflection::Both);
    let home = home_for(&server, "");
    let r = home.run(&["exec", "nothing", "test.Echo"]);
    assert_eq!(r.code, 0, "{r:?}");
    let entry = cache_entry(&home);
    let bytes = std::fs::read(&entry).expect("read");
    let (header, mut set) = split_entry(&bytes);
    // Same server, but the entry claims a different service list and holds
    // descriptors without `nothing`: it must not be used.
    let header = String::from_utf8(header)
        .expect("utf8")
        .replace("\n3\n", "\n4\nold.v1.Gone\n");
    for file in &mut set.file {
        for svc in &mut file.service {
            svc.method.retain(|m| m.name() != "nothing");
        }
    }
    let mut planted = header.into_bytes();
    planted.extend(set.encode_to_vec());
    std::fs::write(&entry, &planted).expect("write");
    let r = home.run(&["exec", "nothing", "test.Echo"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, "\n"), "{r:?}");
    assert_ne!(std::fs::read(&entry).expect("read"), planted);
}

/// `spacectl ARGS` on a terminal (a pseudo-terminal of `script`, `cols` wide):
/// stdout and stderr as the terminal shows them, line ends as `\n`.
fn on_terminal(home: &Home, args: &[&str], cols: u16) -> String {
    assert!(
        std::path::Path::new("/usr/bin/script").exists(),
        "/usr/bin/script is missing: install the Debian package bsdutils"
    );
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    let line = format!(
        "stty cols {cols} rows 40; exec '{}' {}",
        env!("CARGO_BIN_EXE_spacectl"),
        quoted.join(" ")
    );
    let mut script = std::process::Command::new("/usr/bin/script");
    script
        .args(["-qec", &line, "/dev/null"])
        .env("HOME", home.path())
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env_remove("SPACECTL_DEFAULT_ENVIRONMENT")
        .env_remove("NO_COLOR")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let r = wait_bounded(script.spawn().expect("script"), Duration::from_secs(30));
    r.stdout.replace("\r\n", "\n")
}

#[test]
fn empty_answers_are_said_in_words_on_a_terminal_only() {
    let server = TestServer::start(Reflection::Both);
    let home = home_for(&server, "");
    assert_eq!(
        on_terminal(&home, &["exec", "nothing", "test.Echo"], 80),
        "\nOK (the call answered an empty message)\n"
    );
    // Piped: upstream's bytes, nothing on stderr.
    let r = home.run(&["exec", "nothing", "test.Echo"]);
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("\n", ""));
    // A list with rows says nothing more.
    let shown = on_terminal(&home, &["exec", "list", "test.Echo", "-o", "json"], 80);
    assert!(
        shown.contains("\"alpha\"") && !shown.contains("no results"),
        "{shown}"
    );
    // A table that fits the terminal is printed as it is piped.
    let piped = home.run(&["list", "test.Echo"]).stdout;
    assert_eq!(on_terminal(&home, &["list", "test.Echo"], 40), piped);
}
