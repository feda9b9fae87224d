//! `grpc+ssl://` against local TLS servers (loopback, certificates generated with the
//! `openssl` tool at test time): self-signed certificates made the usual way, a CA
//! file given as a flag or in the environment file, and mutual TLS.

mod common;
mod support;

use std::path::Path;
use std::time::Duration;

use support::home::{Home, Run, wait_bounded};
use support::server::{Reflection, TestServer};
use support::tls::{TestPki, self_signed};

const LIMIT: Duration = Duration::from_secs(60);
const GET: [&str; 6] = ["get", "identity.Provider", "-p", "provider=aws", "-v", "v2"];
const ANSWER: &str = "---\nprovider: aws\nversion: v2\n\n";
const HANDSHAKE: &str = "ERROR: \n\terror_code = ERROR_GRPC_TLS_HANDSHAKE\n\tstatus_code = UNAVAILABLE\n\tmessage = TLS handshake failed. (reason = ";

fn home_at(host: &str, server: &TestServer, extra: &str) -> Home {
    Home::new(
        &[("identity", &format!("grpc+ssl://{host}:{}", server.port))],
        extra,
    )
}

/// Run `args` (plus `extra` arguments) in `home` with `env` set.
fn run(home: &Home, args: &[&str], extra: &[&str], env: &[(&str, &Path)]) -> Run {
    let mut all: Vec<&str> = args.to_vec();
    all.extend_from_slice(extra);
    let mut c = home.command(&all);
    c.env_remove("SSL_CERT_FILE").env_remove("SSL_CERT_DIR");
    for (k, v) in env {
        c.env(k, v);
    }
    wait_bounded(c.spawn().expect("spawn"), LIMIT)
}

fn assert_answered(r: &Run, what: &str) {
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (0, ANSWER, ""),
        "{what}"
    );
}

fn assert_handshake_failed(r: &Run, reason_part: &str, what: &str) {
    assert_eq!(r.code, 1, "{what}: {r:?}");
    assert!(
        r.stderr.starts_with(HANDSHAKE) && r.stderr.contains(reason_part),
        "{what}: {}",
        r.stderr
    );
}

#[test]
fn a_self_signed_certificate_made_the_usual_way_is_accepted_when_trusted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (pem, cert, key) = self_signed(dir.path(), "server", Some("DNS:localhost,IP:127.0.0.1"));
    let server = TestServer::start_tls(Reflection::Both, &cert, &key);
    for host in ["localhost", "127.0.0.1"] {
        let home = home_at(host, &server, "");
        let r = run(&home, &GET, &[], &[("SSL_CERT_FILE", &pem)]);
        assert_answered(&r, &format!("{host}, SSL_CERT_FILE"));
        let r = run(&home, &GET, &["--ca-file", &pem.display().to_string()], &[]);
        assert_answered(&r, &format!("{host}, --ca-file"));
        // Not trusted: refused.
        let r = run(&home, &GET, &[], &[]);
        assert_handshake_failed(&r, "UnknownIssuer", host);
    }
    // Another certificate for the same name, trusted instead, does not vouch for it.
    let (other, _, _) = self_signed(dir.path(), "other", Some("DNS:localhost"));
    let home = home_at("localhost", &server, "");
    let r = run(
        &home,
        &GET,
        &["--ca-file", &other.display().to_string()],
        &[],
    );
    assert_handshake_failed(&r, "UnknownIssuer", "another self-signed certificate");
    assert_eq!(server.calls("get"), 4);
}

/// Python gRPC matches a certificate without subjectAltName on its common name for
/// host names (not for IP addresses); so do we.
#[test]
fn a_certificate_without_alt_names_matches_its_common_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (pem, cert, key) = self_signed(dir.path(), "cn-only", None);
    let server = TestServer::start_tls(Reflection::Both, &cert, &key);
    let ca = pem.display().to_string();
    let r = run(
        &home_at("localhost", &server, ""),
        &GET,
        &["--ca-file", &ca],
        &[],
    );
    assert_answered(&r, "localhost");
    let r = run(
        &home_at("127.0.0.1", &server, ""),
        &GET,
        &["--ca-file", &ca],
        &[],
    );
    assert_handshake_failed(&r, "NotValidForName", "127.0.0.1");
    assert_eq!(server.calls("get"), 1);
}

#[test]
fn the_environment_file_names_the_ca_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pki = TestPki::generate(dir.path());
    let server = TestServer::start_tls(Reflection::Both, &pki.cert_pem, &pki.key_pem);
    // A path relative to ~/.spaceone.
    let home = home_at("localhost", &server, "ca_file: certs/ca.pem\n");
    let certs = home.path().join(".spaceone/certs");
    std::fs::create_dir_all(&certs).expect("mkdir");
    std::fs::copy(&pki.ca_file, certs.join("ca.pem")).expect("copy");
    assert_answered(&run(&home, &GET, &[], &[]), "relative ca_file");
    // `~/` is the home directory; an absolute path is taken as it is.
    let home = home_at("localhost", &server, "ca_file: ~/ca.pem\n");
    std::fs::copy(&pki.ca_file, home.path().join("ca.pem")).expect("copy");
    assert_answered(&run(&home, &GET, &[], &[]), "~/ ca_file");
    let extra = format!("ca_file: {}\n", pki.ca_file.display());
    let home = home_at("localhost", &server, &extra);
    assert_answered(&run(&home, &GET, &[], &[]), "absolute ca_file");
    // The flag wins over the key.
    let other_dir = tempfile::tempdir().expect("tempdir");
    let other = TestPki::generate(other_dir.path());
    let r = run(
        &home,
        &GET,
        &["--ca-file", &other.ca_file.display().to_string()],
        &[],
    );
    assert_handshake_failed(&r, "UnknownIssuer", "flag over key");
    // A missing file named by the key is an error naming it, before any connection.
    let home = home_at("localhost", &server, "ca_file: nowhere.pem\n");
    let r = run(&home, &GET, &[], &[]);
    let missing = home.path().join(".spaceone/nowhere.pem");
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.starts_with(&format!(
            "ERROR: Cannot read the CA file. (path = {}, reason = No such file or directory",
            missing.display()
        )),
        "{}",
        r.stderr
    );
    assert_eq!(server.calls("get"), 3);
}

#[test]
fn mutual_tls_with_a_client_certificate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pki = TestPki::generate(dir.path());
    let ca_pem = std::fs::read(&pki.ca_file).expect("ca");
    let server = TestServer::start_mtls(Reflection::Both, &pki.cert_pem, &pki.key_pem, &ca_pem);
    let (cert, key) = TestPki::client(dir.path(), "client");
    let ca = pki.ca_file.display().to_string();
    let (cert_s, key_s) = (cert.display().to_string(), key.display().to_string());
    let home = home_at("localhost", &server, "");

    let r = run(&home, &GET, &["--ca-file", &ca], &[]);
    assert_handshake_failed(&r, "client certificate", "without a client certificate");
    assert_eq!(server.calls("get"), 0);

    let r = run(
        &home,
        &GET,
        &[
            "--ca-file",
            &ca,
            "--client-cert",
            &cert_s,
            "--client-key",
            &key_s,
        ],
        &[],
    );
    assert_answered(&r, "flags");

    // The same from the environment file, for every calling command.
    let extra = format!("ca_file: {ca}\nclient_cert: {cert_s}\nclient_key: {key_s}\n");
    let url = format!("grpc+ssl://localhost:{}", server.port);
    let home = Home::new(&[("identity", &url), ("test", &url)], &extra);
    assert_answered(&run(&home, &GET, &[], &[]), "environment keys");
    let r = run(&home, &["api-resources"], &[], &[]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "api-resources");
    assert!(r.stdout.contains("identity"), "{}", r.stdout);
    let r = run(&home, &["list", "test.Echo", "-o", "json"], &[], &[]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "list");
    let r = run(
        &home,
        &["exec", "echo", "test.Echo", "-p", "name=n"],
        &[],
        &[],
    );
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "exec");
    assert!(r.stdout.contains("name: n"), "{}", r.stdout);

    // A certificate from another authority is refused by the server.
    let other_dir = tempfile::tempdir().expect("tempdir");
    let _other = TestPki::generate(other_dir.path());
    let (stranger, stranger_key) = TestPki::client(other_dir.path(), "stranger");
    let home = home_at("localhost", &server, "");
    let r = run(
        &home,
        &GET,
        &[
            "--ca-file",
            &ca,
            "--client-cert",
            &stranger.display().to_string(),
            "--client-key",
            &stranger_key.display().to_string(),
        ],
        &[],
    );
    assert_handshake_failed(&r, "", "a client certificate of another authority");
}

#[test]
fn tls_flag_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pki = TestPki::generate(dir.path());
    let server = TestServer::start_tls(Reflection::Both, &pki.cert_pem, &pki.key_pem);
    let home = home_at("localhost", &server, "");
    // A certificate without its key is a usage error.
    let cert = pki.ca_file.display().to_string();
    let r = run(&home, &GET, &["--client-cert", &cert], &[]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("--client-key"), "{}", r.stderr);
    let r = run(&home, &GET, &["--ca-file", "/nonexistent/ca.pem"], &[]);
    assert_eq!(r.code, 2, "{r:?}");
    // A file that holds no certificate.
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "hello\n").expect("write");
    let r = run(
        &home,
        &GET,
        &["--ca-file", &junk.display().to_string()],
        &[],
    );
    assert_eq!(
        (r.code, r.stderr),
        (
            1,
            format!(
                "ERROR: No certificate found in the CA file. (path = {}; a PEM file with BEGIN CERTIFICATE blocks is expected)\n\n",
                junk.display()
            )
        )
    );
    // Every calling command documents the flags.
    for cmd in [
        "exec",
        "get",
        "list",
        "stat",
        "analyze",
        "api-resources",
        "apply",
    ] {
        let r = run(&home, &[cmd, "--help"], &[], &[]);
        for flag in ["--ca-file", "--client-cert", "--client-key"] {
            assert!(r.stdout.contains(flag), "{cmd} --help lacks {flag}");
        }
    }
    assert_eq!(server.calls("get"), 0);
}

/// The Python client still reads an environment file with the TLS keys (it ignores
/// keys it does not know).
#[test]
fn the_python_client_reads_a_file_with_the_tls_keys() {
    let Some(py) = common::reference_spacectl("the_python_client_reads_a_file_with_the_tls_keys")
    else {
        return;
    };
    let port = support::server::closed_port();
    let home = Home::new(
        &[("plugin", &format!("grpc://127.0.0.1:{port}"))],
        "ca_file: certs/ca.pem\nclient_cert: ~/client.pem\nclient_key: /etc/client.key\n",
    );
    let mut c = common::command_in_home(&py, home.path());
    c.args(["config", "show"]);
    let r = common::run_bounded(c, "", Duration::from_secs(90));
    assert_eq!(r.code(), 0, "{r:?}");
    assert_eq!(
        r.stdout,
        format!(
            "---\nca_file: certs/ca.pem\nclient_cert: ~/client.pem\nclient_key: /etc/client.key\nendpoints:\n  plugin: grpc://127.0.0.1:{port}\n\n"
        )
    );
    let ours = run(&home, &["config", "show"], &[], &[]);
    assert_eq!((ours.code, ours.stdout.as_str()), (0, r.stdout.as_str()));
    let mut c = common::command_in_home(&py, home.path());
    c.args(["exec", "init", "plugin.Collector"]);
    let r = common::run_bounded(c, "", Duration::from_secs(90));
    assert!(
        r.stdout.contains("failed to connect to all addresses"),
        "{}{}",
        r.stdout,
        r.stderr
    );
}

/// A FIFO (or any file that is not regular) named as a TLS file fails at once
/// with an error naming it, wherever it is named.
#[test]
fn tls_files_that_are_not_regular_files_fail_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pki = TestPki::generate(dir.path());
    let server = TestServer::start_tls(Reflection::Both, &pki.cert_pem, &pki.key_pem);
    let fifo = dir.path().join("fifo.pem");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo (coreutils) is needed");
    assert!(made.success());
    let fifo_s = fifo.display().to_string();
    let ca = pki.ca_file.display().to_string();
    let not_regular = "it is a FIFO, not a regular file";
    let expect = |what: &str| {
        format!("ERROR: Cannot read the {what}. (path = {fifo_s}, reason = {not_regular})\n\n")
    };
    let cases: [(&str, Vec<&str>); 3] = [
        ("CA file", vec!["--ca-file", &fifo_s]),
        (
            "client certificate",
            vec![
                "--ca-file",
                &ca,
                "--client-cert",
                &fifo_s,
                "--client-key",
                &ca,
            ],
        ),
        (
            "client key",
            vec![
                "--ca-file",
                &ca,
                "--client-cert",
                &ca,
                "--client-key",
                &fifo_s,
            ],
        ),
    ];
    let home = home_at("localhost", &server, "");
    for (what, flags) in &cases {
        let mut args: Vec<&str> = GET.to_vec();
        args.extend(flags.iter().copied());
        let mut c = home.command(&args);
        c.env_remove("SSL_CERT_FILE").env_remove("SSL_CERT_DIR");
        let r = wait_bounded(c.spawn().expect("spawn"), Duration::from_secs(10));
        assert_eq!(
            (r.code, r.stderr.clone()),
            (1, expect(what)),
            "{what}: {r:?}"
        );
    }
    let home = home_at("localhost", &server, &format!("ca_file: {fifo_s}\n"));
    let mut c = home.command(&GET);
    c.env_remove("SSL_CERT_FILE").env_remove("SSL_CERT_DIR");
    let r = wait_bounded(c.spawn().expect("spawn"), Duration::from_secs(10));
    assert_eq!(
        (r.code, r.stderr.clone()),
        (1, expect("CA file")),
        "ca_file: {r:?}"
    );
    assert_eq!(server.calls("get"), 0);
}
