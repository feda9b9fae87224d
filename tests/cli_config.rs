//! `spacectl config ...` end to end: the built binary with a temporary `$HOME`, and
//! file compatibility in both directions with the Python client.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Run, command_in_home, run_bounded, spacectl_bin, temp_home};

const OURS_TIMEOUT: Duration = Duration::from_secs(20);
const PYTHON_TIMEOUT: Duration = Duration::from_secs(90);

const UNDEFINED: &str = "ERROR: spaceconfig is undefined. (Use \"spacectl config init\")\n\n";
const NOT_SET: &str = "ERROR: The environment is not set. Switch the environment. (Use \"spacectl config environment --help\")\n\n";

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Self {
        Home { dir: temp_home() }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn spaceone(&self, rel: &str) -> PathBuf {
        self.path().join(".spaceone").join(rel)
    }

    fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.spaceone(rel)).unwrap_or_else(|e| format!("<{rel}: {e}>"))
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.spaceone(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).expect("create directories");
        }
        fs::write(p, text).expect("write file");
    }

    fn run_with(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Run {
        let mut c = command_in_home(&spacectl_bin(), self.path());
        c.args(args).current_dir(fixtures());
        for (k, v) in env {
            c.env(k, v);
        }
        run_bounded(c, stdin, OURS_TIMEOUT)
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, "", &[])
    }

    /// Run ours and require success with empty stderr; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(
            (r.code(), r.stderr.as_str()),
            (0, ""),
            "{args:?} failed; stdout: {}",
            r.stdout
        );
        r.stdout
    }

    /// Run ours and require exit status 1 with this exact stderr and empty stdout.
    fn fails(&self, args: &[&str], stderr: &str) {
        let r = self.run(args);
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr.as_str()),
            (1, "", stderr),
            "{args:?}"
        );
    }

    fn python(&self, py: &Path, args: &[&str]) -> Run {
        let mut c = command_in_home(py, self.path());
        c.args(args).current_dir(fixtures());
        run_bounded(c, "", PYTHON_TIMEOUT)
    }

    /// Files below `~/.spaceone`, relative, sorted.
    fn tree(&self) -> Vec<String> {
        let mut out = Vec::new();
        collect(&self.spaceone(""), Path::new(""), &mut out);
        out.sort();
        out
    }
}

fn collect(dir: &Path, rel: &Path, out: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let r = rel.join(e.file_name());
        if e.path().is_dir() {
            out.push(format!("{}/", r.display()));
            collect(&e.path(), &r, out);
        } else {
            out.push(r.display().to_string());
        }
    }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/config")
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p)
        .map(|m| m.permissions().mode() & 0o777)
        .unwrap_or(0)
}

// ------------------------------------------------------------------ ours alone

#[test]
fn every_command_needs_a_configuration() {
    let h = Home::new();
    for args in [
        &["config", "show"][..],
        &["config", "show", "-o", "json"],
        &["config", "set", "api_key", "x"],
        &["config", "remove", "api_key"],
        &["config", "environment"],
        &["config", "environment", "-s", "dev"],
        &["config", "environment", "-r", "dev"],
        &["config", "endpoint", "show"],
        &["config", "endpoint", "list"],
        &[
            "config",
            "endpoint",
            "add",
            "plugin",
            "grpc://localhost:50051",
        ],
        &[
            "config",
            "endpoint",
            "update",
            "plugin",
            "grpc://localhost:50051",
        ],
        &["config", "endpoint", "remove", "plugin"],
    ] {
        h.fails(args, UNDEFINED);
    }
    assert!(h.tree().is_empty(), "nothing written: {:?}", h.tree());
}

#[test]
fn init_writes_the_upstream_bytes_privately() {
    let h = Home::new();
    assert_eq!(h.ok(&["config", "init", "-e", "dev"]), "");
    assert_eq!(h.read("environment.yml"), "environment: dev\n");
    assert_eq!(h.read("environments/dev.yml"), "{}\n");
    assert_eq!(
        h.tree(),
        vec!["environment.yml", "environments/", "environments/dev.yml"]
    );
    #[cfg(unix)]
    {
        assert_eq!(mode(&h.spaceone("")), 0o700);
        assert_eq!(mode(&h.spaceone("environments")), 0o700);
        assert_eq!(mode(&h.spaceone("environment.yml")), 0o600);
        assert_eq!(mode(&h.spaceone("environments/dev.yml")), 0o600);
    }
    assert_eq!(h.ok(&["config", "show"]), "\n");
    assert_eq!(h.ok(&["config", "show", "-o", "json"]), "\n");
    assert_eq!(h.ok(&["config", "environment"]), "dev (current)\n");
}

#[test]
fn init_prompts_for_the_name() {
    let h = Home::new();
    let r = h.run_with(&["config", "init"], "prod\n", &[]);
    assert_eq!(
        (r.code(), r.stdout.as_str(), r.stderr.as_str()),
        (0, "", "Environment [default]: ")
    );
    assert_eq!(h.read("environment.yml"), "environment: prod\n");

    let r = h.run_with(&["config", "init"], "\n", &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr);
    assert_eq!(h.read("environment.yml"), "environment: default\n");
    assert_eq!(
        h.ok(&["config", "environment"]),
        "default (current)\nprod\n"
    );

    let fresh = Home::new();
    let r = fresh.run_with(&["config", "init"], "", &[]);
    assert_eq!(
        (r.code(), r.stdout.as_str(), r.stderr.as_str()),
        (1, "", "Environment [default]: \nAborted!\n")
    );
    assert!(fresh.tree().is_empty());
}

#[test]
fn init_refuses_unusable_names() {
    let h = Home::new();
    h.fails(
        &["config", "init", "-e", "../evil"],
        "ERROR: Environment name is invalid. (environment = \"../evil\", reason = contains a path separator)\n\n",
    );
    h.fails(
        &["config", "init", "-e", ""],
        "ERROR: Environment name is invalid. (environment = \"\", reason = empty)\n\n",
    );
    assert!(h.tree().is_empty());
    assert!(!h.path().join("evil.yml").exists());
}

#[test]
fn init_keeps_the_previous_file_as_backup() {
    let h = Home::new();
    h.ok(&["config", "init", "-e", "dev"]);
    h.ok(&["config", "set", "api_key", "k1"]);
    let r = h.run(&["config", "init", "-e", "dev"]);
    assert_eq!((r.code(), r.stdout.as_str()), (0, ""));
    let backup = h.spaceone("backups/dev.yml.bak");
    assert_eq!(
        r.stderr,
        format!(
            "The previous configuration of 'dev' was kept as {}\n",
            backup.display()
        )
    );
    assert_eq!(h.read("backups/dev.yml.bak"), "api_key: k1\n");
    assert_eq!(h.read("environments/dev.yml"), "{}\n");
    #[cfg(unix)]
    assert_eq!(mode(&backup), 0o600);
    // Initialising an empty environment again keeps the useful backup.
    assert_eq!(h.ok(&["config", "init", "-e", "dev"]), "");
    assert_eq!(h.read("backups/dev.yml.bak"), "api_key: k1\n");
    // Backups are not environments.
    assert_eq!(h.ok(&["config", "environment"]), "dev (current)\n");
    h.fails(
        &["config", "environment", "-s", "dev.yml"],
        "ERROR: 'dev.yml' environment not found.\n\n",
    );
}

#[test]
fn init_imports_a_yaml_mapping() {
    let h = Home::new();
    assert_eq!(
        h.ok(&["config", "init", "-e", "imported", "-f", "import.yml"]),
        ""
    );
    assert_eq!(
        h.read("environments/imported.yml"),
        "api_key: ключ-密钥
endpoints:
  identity: grpc+ssl://identity.example.com:443
  inventory: grpc://127.0.0.1:50053
  plugin: grpc://localhost:50051
extra:
  empty_list: []
  empty_map: {}
  flags:
  - true
  - false
  - true
  - null
  - 1
  - 2.5
  - 'text with: colon'
  nested:
    a: two
    b: 1
token: abc.def.ghi
x_domain_id: domain-123
x_workspace_id: '007'
"
    );
    assert_eq!(h.read("environment.yml"), "environment: imported\n");
}

#[test]
fn init_import_failures_change_nothing() {
    let h = Home::new();
    h.ok(&["config", "init", "-e", "dev"]);
    for file in ["import-list.yml", "import-broken.yml"] {
        h.fails(
            &["config", "init", "-e", "other", "-f", file],
            &format!("ERROR: Import file format is invalid. (file = {file})\n\n"),
        );
    }
    assert_eq!(h.read("environment.yml"), "environment: dev\n");
    assert_eq!(h.ok(&["config", "environment"]), "dev (current)\n");

    let r = h.run(&["config", "init", "-e", "other", "-f", "missing.yml"]);
    assert_eq!(r.code(), 2);
    assert!(
        r.stderr.contains("Path 'missing.yml' does not exist."),
        "{}",
        r.stderr
    );
}

#[test]
fn set_remove_and_show() {
    let h = Home::new();
    h.ok(&["config", "init", "-e", "dev"]);
    h.ok(&["config", "set", "api_key", "my.jwt.token"]);
    h.ok(&["config", "set", "token", "123"]);
    h.ok(&["config", "set", "x_domain_id", "domain-123"]);
    h.ok(&["config", "set", "a.b", "yes"]);
    assert_eq!(
        h.read("environments/dev.yml"),
        "a.b: 'yes'\napi_key: my.jwt.token\ntoken: '123'\nx_domain_id: domain-123\n"
    );
    assert_eq!(
        h.ok(&["config", "show"]),
        "---\na.b: 'yes'\napi_key: REDACTED\ntoken: REDACTED\nx_domain_id: domain-123\n\n"
    );
    assert_eq!(
        h.ok(&["config", "show", "--raw"]),
        "---\na.b: 'yes'\napi_key: my.jwt.token\ntoken: '123'\nx_domain_id: domain-123\n\n"
    );
    assert_eq!(
        h.ok(&["config", "show", "-o", "json"]),
        "{\n    \"a.b\": \"yes\",\n    \"api_key\": \"REDACTED\",\n    \"token\": \"REDACTED\",\n    \"x_domain_id\": \"domain-123\"\n}\n"
    );
    assert_eq!(
        h.ok(&["config", "show", "-o", "json", "--raw"]),
        "{\n    \"a.b\": \"yes\",\n    \"api_key\": \"my.jwt.token\",\n    \"token\": \"123\",\n    \"x_domain_id\": \"domain-123\"\n}\n"
    );
    h.ok(&["config", "set", "token", "456"]);
    h.ok(&["config", "remove", "api_key"]);
    h.ok(&["config", "remove", "not-there"]);
    assert_eq!(
        h.read("environments/dev.yml"),
        "a.b: 'yes'\ntoken: '456'\nx_domain_id: domain-123\n"
    );
    for k in ["a.b", "token", "x_domain_id"] {
        h.ok(&["config", "remove", k]);
    }
    assert_eq!(h.read("environments/dev.yml"), "{}\n");
    assert_eq!(h.ok(&["config", "show"]), "\n");
}

#[test]
fn environments_list_switch_and_remove() {
    let h = Home::new();
    for e in ["prod", "a", "dev"] {
        h.ok(&["config", "init", "-e", e]);
    }
    assert_eq!(h.ok(&["config", "environment"]), "a\ndev (current)\nprod\n");
    assert_eq!(
        h.ok(&["config", "environment", "-s", "prod"]),
        "Switched to 'prod' environment.\n"
    );
    assert_eq!(h.read("environment.yml"), "environment: prod\n");
    h.fails(
        &["config", "environment", "-s", "nope"],
        "ERROR: 'nope' environment not found.\n\n",
    );
    h.fails(
        &["config", "environment", "-r", "nope"],
        "ERROR: 'nope' environment not found.\n\n",
    );
    // Removing another environment keeps the current one.
    assert_eq!(
        h.ok(&["config", "environment", "-r", "a"]),
        "'a' environment has been removed.\n"
    );
    assert_eq!(h.ok(&["config", "environment"]), "dev\nprod (current)\n");
    // Removing the current one switches to the first remaining.
    h.ok(&["config", "environment", "-r", "prod"]);
    assert_eq!(h.ok(&["config", "environment"]), "dev (current)\n");
    h.ok(&["config", "environment", "-r", "dev"]);
    assert!(!h.spaceone("environment.yml").exists());
    h.fails(&["config", "environment"], UNDEFINED);
    h.fails(&["config", "show"], UNDEFINED);
}

#[test]
fn default_environment_variable() {
    let h = Home::new();
    h.ok(&["config", "init", "-e", "dev"]);
    h.ok(&["config", "set", "x_domain_id", "d-1"]);
    h.ok(&["config", "init", "-e", "prod"]);
    fs::remove_file(h.spaceone("environment.yml")).expect("remove pointer");
    h.fails(&["config", "show"], NOT_SET);
    assert_eq!(h.ok(&["config", "environment"]), "dev\nprod\n");
    let r = h.run_with(
        &["config", "show"],
        "",
        &[("SPACECTL_DEFAULT_ENVIRONMENT", "ghost")],
    );
    assert_eq!((r.code(), r.stderr.as_str()), (1, NOT_SET));
    let r = h.run_with(
        &["config", "show"],
        "",
        &[("SPACECTL_DEFAULT_ENVIRONMENT", "dev")],
    );
    assert_eq!(
        (r.code(), r.stdout.as_str(), r.stderr.as_str()),
        (0, "---\nx_domain_id: d-1\n\n", "")
    );
    assert_eq!(h.read("environment.yml"), "environment: dev\n");
    // An explicit pointer wins over the variable.
    let r = h.run_with(
        &["config", "environment"],
        "",
        &[("SPACECTL_DEFAULT_ENVIRONMENT", "prod")],
    );
    assert_eq!(r.stdout, "dev (current)\nprod\n");
}

#[test]
fn corrupt_files() {
    let h = Home::new();
    h.ok(&["config", "init", "-e", "dev"]);
    h.write("environment.yml", "environment: [unclosed\n");
    h.fails(&["config", "show"], NOT_SET);
    assert_eq!(h.ok(&["config", "environment"]), "dev\n");
    h.write("environment.yml", "environment: dev\n");
    // A file that exists but is no configuration is named with the reason, and the
    // advice keeps it (`config init` would replace it).
    let file = h.path().join(".spaceone/environments/dev.yml");
    for (text, reason) in [
        (
            "key: [unclosed\n",
            "invalid YAML: while parsing a flow sequence, expected ',' or ']' at line 2, column 1",
        ),
        (
            "endpoints:\n  identity: grpc://a:1\n   plugin: grpc://b:2\n",
            "invalid YAML: mapping values are not allowed in this context at line 3, column 10",
        ),
        (
            "- a\n- b\n",
            "it holds a list, a configuration is a YAML mapping",
        ),
        ("", "the file is empty, a configuration is a YAML mapping"),
        (
            "plain text\n",
            "it holds a text, a configuration is a YAML mapping",
        ),
    ] {
        h.write("environments/dev.yml", text);
        let expected = format!(
            "ERROR: The environment file cannot be loaded. (path = {}, reason = {reason})\n\
             Correct it with an editor (it is kept as it is), or use another environment: spacectl config environment -s NAME\n\n",
            file.display()
        );
        h.fails(&["config", "show"], &expected);
        h.fails(&["config", "set", "a", "b"], &expected);
        h.fails(&["config", "endpoint", "show"], &expected);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
    }
    h.write("environments/dev.yml", "endpoints: just-a-string\n");
    h.fails(
        &["config", "endpoint", "show"],
        "ERROR: The 'endpoints' value is not a mapping. (environment = dev)\n\n",
    );
    // The bad key can still be repaired.
    h.ok(&["config", "remove", "endpoints"]);
    assert_eq!(h.ok(&["config", "endpoint", "show"]), "NO DATA\n");
}

#[test]
fn endpoints_add_update_remove_show() {
    let h = Home::new();
    h.ok(&["config", "init", "-e", "dev"]);
    assert_eq!(h.ok(&["config", "endpoint", "show"]), "NO DATA\n");
    assert_eq!(h.ok(&["config", "endpoint", "show", "-o", "json"]), "[]\n");
    assert_eq!(
        h.ok(&["config", "endpoint", "show", "-o", "yaml"]),
        "---\n[]\n\n"
    );
    assert_eq!(
        h.ok(&[
            "config",
            "endpoint",
            "add",
            "plugin",
            "grpc://localhost:50051"
        ]),
        "'plugin: grpc://localhost:50051' endpoint has been added.\n"
    );
    assert_eq!(
        h.ok(&["config", "endpoint", "add", "identity", "grpc+ssl://x:443"]),
        "'identity: grpc+ssl://x:443' endpoint has been added.\n"
    );
    h.fails(
        &["config", "endpoint", "add", "plugin", "grpc://localhost:1"],
        "ERROR: 'plugin' service already exists.\n\n",
    );
    h.fails(
        &["config", "endpoint", "add", "web", "http://localhost:8080"],
        "ERROR: Endpoint is invalid. (endpoint=http://localhost:8080)\nExpected form: grpc://HOST:PORT or grpc+ssl://HOST:PORT (e.g. grpc://localhost:50051)\n\n",
    );
    h.fails(
        &["config", "endpoint", "add", "web", "grpc://localhost"],
        "ERROR: Endpoint is invalid. (endpoint=grpc://localhost, reason=port is missing)\nExpected form: grpc://HOST:PORT or grpc+ssl://HOST:PORT (e.g. grpc://localhost:50051)\n\n",
    );
    assert_eq!(
        h.read("environments/dev.yml"),
        "endpoints:\n  identity: grpc+ssl://x:443\n  plugin: grpc://localhost:50051\n"
    );
    let table = " Service   | Endpoint\n-----------+------------------------\n identity  | grpc+ssl://x:443\n plugin    | grpc://localhost:50051\n";
    assert_eq!(h.ok(&["config", "endpoint", "show"]), table);
    assert_eq!(h.ok(&["config", "endpoint", "list", "-o", "table"]), table);
    assert_eq!(
        h.ok(&["config", "endpoint", "show", "-o", "yaml"]),
        "---\n- - identity\n  - grpc+ssl://x:443\n- - plugin\n  - grpc://localhost:50051\n\n"
    );
    assert_eq!(
        h.ok(&["config", "endpoint", "list", "-o", "json"]),
        "[\n    [\n        \"identity\",\n        \"grpc+ssl://x:443\"\n    ],\n    [\n        \"plugin\",\n        \"grpc://localhost:50051\"\n    ]\n]\n"
    );
    assert_eq!(
        h.ok(&[
            "config",
            "endpoint",
            "update",
            "plugin",
            "grpc://127.0.0.1:50052"
        ]),
        "'plugin: grpc://127.0.0.1:50052' endpoint has been updated.\n"
    );
    h.fails(
        &["config", "endpoint", "update", "nope", "grpc://127.0.0.1:1"],
        "ERROR: 'nope' service not found. (Use \"spacectl config endpoint add\")\n\n",
    );
    h.fails(
        &["config", "endpoint", "update", "plugin", "grpc://:1"],
        "ERROR: Endpoint is invalid. (endpoint=grpc://:1, reason=host is missing)\nExpected form: grpc://HOST:PORT or grpc+ssl://HOST:PORT (e.g. grpc://localhost:50051)\n\n",
    );
    assert_eq!(
        h.ok(&["config", "endpoint", "remove", "identity"]),
        "'identity' endpoint has been removed.\n"
    );
    assert_eq!(
        h.ok(&["config", "endpoint", "remove", "identity"]),
        "'identity' endpoint has been removed.\n"
    );
    assert_eq!(
        h.read("environments/dev.yml"),
        "endpoints:\n  plugin: grpc://127.0.0.1:50052\n"
    );
    h.ok(&["config", "endpoint", "remove", "plugin"]);
    assert_eq!(h.read("environments/dev.yml"), "endpoints: {}\n");
}

#[test]
fn writes_are_atomic_and_private() {
    let h = Home::new();
    h.ok(&["config", "init", "-e", "dev"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let p = h.spaceone("environments/dev.yml");
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).expect("chmod");
        h.ok(&["config", "set", "api_key", "k"]);
        assert_eq!(mode(&p), 0o600);
    }
    h.ok(&[
        "config",
        "endpoint",
        "add",
        "plugin",
        "grpc://localhost:50051",
    ]);
    let r = h.run(&["config", "init", "-e", "dev"]);
    assert_eq!(r.code(), 0, "{}", r.stderr);
    h.ok(&["config", "init", "-e", "b"]);
    h.ok(&["config", "environment", "-s", "dev"]);
    h.ok(&["config", "environment", "-r", "b"]);
    assert_eq!(
        h.tree(),
        vec![
            "backups/",
            "backups/dev.yml.bak",
            "environment.yml",
            "environments/",
            "environments/dev.yml",
        ],
        "no temporary files are left behind"
    );
    #[cfg(unix)]
    assert_eq!(mode(&h.spaceone("backups")), 0o700);
    #[cfg(unix)]
    for f in [
        "environment.yml",
        "environments/dev.yml",
        "backups/dev.yml.bak",
    ] {
        assert_eq!(mode(&h.spaceone(f)), 0o600, "{f}");
    }
}

#[cfg(unix)]
#[test]
fn a_symlinked_environment_file_stays_a_link() {
    let h = Home::new();
    h.ok(&["config", "init", "-e", "dev"]);
    let real = h.path().join("dotfiles-dev.yml");
    fs::write(&real, "x_domain_id: d\n").expect("write");
    let link = h.spaceone("environments/dev.yml");
    fs::remove_file(&link).expect("remove");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    h.ok(&["config", "set", "api_key", "k"]);
    assert!(
        fs::symlink_metadata(&link)
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(false)
    );
    assert_eq!(
        fs::read_to_string(&real).unwrap_or_default(),
        "api_key: k\nx_domain_id: d\n"
    );
}

#[cfg(unix)]
fn mkfifo(p: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(p.as_os_str().as_bytes()).expect("path");
    // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}

/// `mknod <p> c 1 5` (the zero device); `false` when not permitted (not root).
#[cfg(unix)]
fn mknod_zero(p: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(p.as_os_str().as_bytes()).expect("path");
    // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
    let rc = unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o644, libc::makedev(1, 5)) };
    rc == 0
}

#[cfg(unix)]
fn is_char_device(p: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    fs::symlink_metadata(p)
        .map(|m| m.file_type().is_char_device())
        .unwrap_or(false)
}

fn not_regular(what: &str, path: &Path, kind: &str) -> String {
    format!(
        "ERROR: Cannot {what} file. (path = {}, reason = it is {kind}, not a regular file)\n\n",
        path.display()
    )
}

#[cfg(unix)]
#[test]
fn a_link_to_a_device_is_refused_and_left_alone() {
    let h = Home::new();
    h.ok(&["config", "init", "-e", "local"]);
    let zero = h.path().join("zero");
    if !mknod_zero(&zero) {
        common::skip_group(
            "device-file",
            "a_link_to_a_device_is_refused_and_left_alone",
            "mknod needs root",
        );
        return;
    }
    let pointer = h.spaceone("environment.yml");
    fs::remove_file(&pointer).expect("rm");
    std::os::unix::fs::symlink(&zero, &pointer).expect("symlink");
    let reason = format!(
        "it links to {}, which is a character device, not a regular file",
        zero.display()
    );
    for (args, what) in [
        (&["config", "environment", "-s", "local"][..], "write"),
        (&["config", "init", "-e", "other"], "write"),
        (&["config", "environment", "-r", "local"], "read"),
        (&["config", "show"], "read"),
    ] {
        let r = h.run(args);
        assert_eq!(
            (r.code(), r.stdout.as_str(), r.stderr),
            (
                1,
                "",
                format!(
                    "ERROR: Cannot {what} file. (path = {}, reason = {reason})\n\n",
                    pointer.display()
                )
            ),
            "{args:?}"
        );
        assert!(is_char_device(&zero), "{args:?} replaced the device");
    }
    assert_eq!(
        h.tree(),
        ["environment.yml", "environments/", "environments/local.yml"]
    );
}

#[cfg(unix)]
#[test]
fn a_link_to_a_regular_file_is_written_through_keeping_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let h = Home::new();
    h.ok(&["config", "init", "-e", "local"]);
    let real = h.path().join("dotfiles-pointer.yml");
    fs::write(&real, "environment: local\n").expect("write");
    fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).expect("chmod");
    let pointer = h.spaceone("environment.yml");
    fs::remove_file(&pointer).expect("rm");
    std::os::unix::fs::symlink(&real, &pointer).expect("symlink");
    h.ok(&["config", "init", "-e", "other"]);
    assert_eq!(
        fs::read_to_string(&real).unwrap_or_default(),
        "environment: other\n"
    );
    assert_eq!(mode(&real), 0o640);
    assert!(fs::symlink_metadata(&pointer).is_ok_and(|m| m.file_type().is_symlink()));
    // As the Python client does (it opens the link for writing).
    let Some(py) =
        common::reference_spacectl("a_link_to_a_regular_file_is_written_through_keeping_its_mode")
    else {
        return;
    };
    let r = h.python(&py, &["config", "environment", "-s", "local"]);
    assert_eq!(r.code(), 0, "{r:?}");
    assert_eq!(
        fs::read_to_string(&real).unwrap_or_default(),
        "environment: local\n"
    );
    assert_eq!(mode(&real), 0o640);
    assert!(fs::symlink_metadata(&pointer).is_ok_and(|m| m.file_type().is_symlink()));
}

#[cfg(unix)]
#[test]
fn a_dangling_link_to_a_missing_directory_is_refused_before_any_write() {
    let h = Home::new();
    h.ok(&["config", "init", "-e", "local"]);
    let pointer = h.spaceone("environment.yml");
    fs::remove_file(&pointer).expect("rm");
    let nowhere = h.path().join("gone/environment.yml");
    std::os::unix::fs::symlink(&nowhere, &pointer).expect("symlink");
    let before = h.tree();
    for args in [
        &["config", "init", "-e", "other"][..],
        &["config", "environment", "-s", "local"],
    ] {
        let r = h.run(args);
        assert_eq!(
            (r.code(), r.stderr),
            (
                1,
                format!(
                    "ERROR: Cannot write file. (path = {}, reason = it links to {}, whose directory does not exist)\n\n",
                    pointer.display(),
                    nowhere.display()
                )
            ),
            "{args:?}"
        );
        assert_eq!(h.tree(), before, "{args:?} changed files");
    }
    // A dangling link into a directory that exists is written through.
    fs::create_dir(h.path().join("gone")).expect("mkdir");
    h.ok(&["config", "init", "-e", "other"]);
    assert_eq!(
        fs::read_to_string(&nowhere).unwrap_or_default(),
        "environment: other\n"
    );
}

#[test]
fn refused_changes_leave_every_file_as_it_was() {
    let h = Home::new();
    h.ok(&["config", "init", "-e", "b"]);
    h.ok(&["config", "init", "-e", "local"]);
    let pointer = h.spaceone("environment.yml");
    fs::remove_file(&pointer).expect("rm");
    fs::create_dir(&pointer).expect("mkdir");
    let before = h.tree();
    let r = h.run(&["config", "environment", "-r", "local"]);
    assert_eq!(
        (r.code(), r.stderr),
        (1, not_regular("read", &pointer, "a directory"))
    );
    let r = h.run(&["config", "init", "-e", "new"]);
    assert_eq!(
        (r.code(), r.stderr),
        (1, not_regular("write", &pointer, "a directory"))
    );
    let r = h.run(&["config", "environment", "-s", "b"]);
    assert_eq!(
        (r.code(), r.stderr),
        (1, not_regular("write", &pointer, "a directory"))
    );
    assert_eq!(h.tree(), before);
    assert_eq!(h.read("environments/local.yml"), "{}\n");
}

#[cfg(unix)]
#[test]
fn fifo_configuration_files_never_block() {
    let h = Home::new();
    h.ok(&["config", "init", "-e", "dev"]);
    let env_file = h.spaceone("environments/dev.yml");
    fs::remove_file(&env_file).expect("rm");
    mkfifo(&env_file);
    let read_refusal = not_regular("read", &env_file, "a FIFO");
    for args in [
        &["config", "show"][..],
        &["config", "set", "a", "b"],
        &["config", "endpoint", "show"],
        &["exec", "init", "plugin.Collector"],
        &["list", "identity.Provider"],
        &["api-resources"],
    ] {
        let r = h.run(args);
        assert_eq!(
            (r.code(), r.stderr.as_str()),
            (1, read_refusal.as_str()),
            "{args:?}"
        );
    }
    let r = h.run(&["config", "init", "-e", "dev"]);
    assert_eq!(
        (r.code(), r.stderr),
        (1, not_regular("write", &env_file, "a FIFO"))
    );
    // The pointer as a FIFO.
    let pointer = h.spaceone("environment.yml");
    fs::remove_file(&pointer).expect("rm");
    mkfifo(&pointer);
    let r = h.run(&["config", "show"]);
    assert_eq!(
        (r.code(), r.stderr),
        (1, not_regular("read", &pointer, "a FIFO"))
    );
    // A user list template as a FIFO is skipped like any unreadable template.
    let template = h.spaceone("template/identity.Provider.yml");
    fs::create_dir_all(h.spaceone("template")).expect("mkdir");
    mkfifo(&template);
    let r = h.run(&["template", "show", "identity.Provider"]);
    assert_eq!(
        (r.code(), r.stdout.as_str()),
        (0, "identity.Provider template is undefined.\n\n")
    );
}

#[test]
fn dates_and_infinities_in_environment_files_load_like_upstream() {
    let h = Home::new();
    h.ok(&["config", "init", "-e", "dev"]);
    h.write(
        "environments/dev.yml",
        "created: 2024-01-01\nratio: .inf\nendpoints:\n  plugin: grpc://127.0.0.1:1\n",
    );
    assert_eq!(
        h.ok(&["config", "show"]),
        "---\ncreated: '2024-01-01'\nendpoints:\n  plugin: grpc://127.0.0.1:1\nratio: '.inf'\n\n"
    );
    let r = h.run(&["exec", "init", "plugin.Collector"]);
    assert_eq!(r.code(), 1);
    assert!(
        r.stderr.contains("error_code = ERROR_GRPC_CONNECTION") && r.stderr.contains("127.0.0.1:1"),
        "{}",
        r.stderr
    );
    assert_eq!(
        h.ok(&["config", "endpoint", "show"]),
        " Service   | Endpoint\n-----------+--------------------\n plugin    | grpc://127.0.0.1:1\n"
    );
    h.write("environment.yml", "environment: dev\nsince: 2024-01-01\n");
    assert_eq!(h.ok(&["config", "environment"]), "dev (current)\n");
}

// ------------------------------------------------------------------ with the Python client

/// The values below need quoting, escaping or folding in YAML; both clients must
/// write them the same way.
const TRICKY_VALUES: [(&str, &str); 9] = [
    (
        "api_key",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIiwiZXhwIjo5OTk5OTk5OTk5LCJkaWQiOiJkb21haW4tMTIzNDU2Nzg5MCJ9.c2lnbmF0dXJl",
    ),
    ("x_domain_id", "domain-123"),
    ("x_workspace_id", "007"),
    ("flag", "yes"),
    ("colon", "a: b"),
    ("empty", ""),
    ("unicode", "한국어 テスト"),
    (
        "long",
        "word word word word word word word word word word word word word word word word word word",
    ),
    ("dotted.key", "~"),
];

#[test]
fn python_writes_ours_reads() {
    let Some(py) = common::reference_spacectl("python_writes_ours_reads") else {
        return;
    };
    let h = Home::new();
    let steps: Vec<Vec<&str>> = vec![
        vec!["config", "init", "-e", "dev"],
        vec!["config", "set", "api_key", "py.token"],
        vec!["config", "set", "x_domain_id", "domain-9"],
        vec![
            "config",
            "endpoint",
            "add",
            "plugin",
            "grpc://localhost:50051",
        ],
        vec![
            "config",
            "endpoint",
            "add",
            "identity",
            "grpc+ssl://identity.example.com:443",
        ],
        vec!["config", "init", "-e", "imported", "-f", "import.yml"],
        vec!["config", "init", "-e", "b"],
    ];
    for s in &steps {
        let r = h.python(&py, s);
        assert_eq!(r.code(), 0, "python {s:?}: {} {}", r.stdout, r.stderr);
    }
    assert_eq!(
        h.ok(&["config", "environment"]),
        "b (current)\ndev\nimported\n"
    );
    assert_eq!(
        h.ok(&["config", "environment", "-s", "dev"]),
        "Switched to 'dev' environment.\n"
    );
    let py_show = h.python(&py, &["config", "show"]).stdout;
    assert_eq!(h.ok(&["config", "show", "--raw"]), py_show);
    let py_json = h.python(&py, &["config", "show", "-o", "json"]).stdout;
    assert_eq!(h.ok(&["config", "show", "-o", "json", "--raw"]), py_json);
    let py_table = h.python(&py, &["config", "endpoint", "show"]).stdout;
    assert_eq!(h.ok(&["config", "endpoint", "show"]), py_table);
    let py_pairs = h
        .python(&py, &["config", "endpoint", "show", "-o", "json"])
        .stdout;
    assert_eq!(
        h.ok(&["config", "endpoint", "show", "-o", "json"]),
        py_pairs
    );

    h.ok(&["config", "environment", "-s", "imported"]);
    let py_show = h.python(&py, &["config", "show"]).stdout;
    assert_eq!(h.ok(&["config", "show", "--raw"]), py_show);
    let py_json = h.python(&py, &["config", "show", "-o", "json"]).stdout;
    assert_eq!(h.ok(&["config", "show", "-o", "json", "--raw"]), py_json);
}

#[test]
fn ours_writes_python_reads() {
    let Some(py) = common::reference_spacectl("ours_writes_python_reads") else {
        return;
    };
    let h = Home::new();
    h.ok(&["config", "init", "-e", "dev"]);
    for (k, v) in TRICKY_VALUES {
        h.ok(&["config", "set", k, v]);
    }
    h.ok(&[
        "config",
        "endpoint",
        "add",
        "plugin",
        "grpc://localhost:50051",
    ]);
    h.ok(&[
        "config",
        "endpoint",
        "add",
        "identity",
        "grpc+ssl://identity.example.com:443",
    ]);
    h.ok(&["config", "init", "-e", "imported", "-f", "import.yml"]);
    // A backup must not look like an environment to the Python client.
    h.ok(&["config", "set", "x_domain_id", "d"]);
    let r = h.run(&["config", "init", "-e", "imported", "-f", "import.yml"]);
    assert_eq!(r.code(), 0, "{}", r.stderr);
    assert!(h.spaceone("backups/imported.yml.bak").is_file());
    h.ok(&["config", "environment", "-s", "dev"]);

    // Upstream lists in directory order; compare the sorted lines.
    let r = h.python(&py, &["config", "environment"]);
    let mut listed: Vec<&str> = r.stdout.lines().collect();
    listed.sort();
    assert_eq!(listed, ["dev (current)", "imported"]);
    assert_eq!(
        h.ok(&["config", "environment"]),
        "dev (current)\nimported\n"
    );
    for env in ["dev", "imported"] {
        h.ok(&["config", "environment", "-s", env]);
        let r = h.python(&py, &["config", "show"]);
        assert_eq!(r.stdout, h.ok(&["config", "show", "--raw"]), "{env}");
        let r = h.python(&py, &["config", "show", "-o", "json"]);
        assert_eq!(
            r.stdout,
            h.ok(&["config", "show", "-o", "json", "--raw"]),
            "{env}"
        );
        let r = h.python(&py, &["config", "endpoint", "show"]);
        assert_eq!(r.stdout, h.ok(&["config", "endpoint", "show"]), "{env}");
    }
}

#[test]
fn both_clients_write_the_same_bytes() {
    let Some(py) = common::reference_spacectl("both_clients_write_the_same_bytes") else {
        return;
    };
    let ours = Home::new();
    let theirs = Home::new();
    let mut steps: Vec<Vec<&str>> = vec![
        vec!["config", "init", "-e", "dev"],
        vec!["config", "endpoint", "remove", "nothing"],
    ];
    for (k, v) in TRICKY_VALUES {
        steps.push(vec!["config", "set", k, v]);
    }
    steps.extend([
        vec!["config", "remove", "empty"],
        vec![
            "config",
            "endpoint",
            "add",
            "plugin",
            "grpc://localhost:50051",
        ],
        vec![
            "config",
            "endpoint",
            "add",
            "inventory",
            "grpc://127.0.0.1:50053",
        ],
        vec!["config", "endpoint", "remove", "inventory"],
        vec!["config", "init", "-e", "123", "-f", "import.yml"],
        vec!["config", "environment", "-s", "dev"],
    ]);
    for s in &steps {
        ours.ok(s);
        let r = theirs.python(&py, s);
        assert_eq!(r.code(), 0, "python {s:?}: {} {}", r.stdout, r.stderr);
    }
    assert_eq!(ours.tree(), theirs.tree());
    for f in [
        "environment.yml",
        "environments/dev.yml",
        "environments/123.yml",
    ] {
        assert_eq!(ours.read(f), theirs.read(f), "{f}");
    }
}
