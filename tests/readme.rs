//! README.md tells the truth:
//!
//! * every `spacectl` / `spaceone` command line in its ```sh blocks parses against
//!   the real command tree (src/cli.rs, included below), in a scratch project made
//!   by `create-project` (files the README names that a project does not have are
//!   created empty, since parsing checks that they exist);
//! * the plugin author's workflow block runs as written, line by line, in a fresh
//!   directory with a fresh `$HOME` and nothing on `PATH` but our binary,
//!   `python3` and the basic system tools. Two adaptations, both by environment or
//!   port number only: the server of step 3 runs in the background (it is "another
//!   terminal" in the README) on a free port given through `SPACEONE_PORT` and on
//!   127.0.0.1 through `SPACEONE_HOST`, and step 4's `50051` becomes that port.

#[allow(dead_code)]
#[path = "../src/cli.rs"]
mod cli;
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{run_bounded, spacectl_bin};

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md")
}

/// A ```sh block and the `## ` section it is in.
struct Block {
    section: String,
    text: String,
}

fn sh_blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match &mut current {
            Some(text) => {
                if line.trim_start().starts_with("```") {
                    out.push(Block {
                        section: section.clone(),
                        text: std::mem::take(text),
                    });
                    current = None;
                } else {
                    text.push_str(line);
                    text.push('\n');
                }
            }
            None => {
                if let Some(title) = line.strip_prefix("## ") {
                    section = title.trim().to_string();
                } else if line.trim() == "```sh" {
                    current = Some(String::new());
                }
            }
        }
    }
    out
}

/// Lines of a block with `\` continuations joined.
fn logical_lines(block: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for line in block.lines() {
        if let Some(head) = line.strip_suffix('\\') {
            pending.push_str(head);
            pending.push(' ');
        } else {
            pending.push_str(line);
            out.push(std::mem::take(&mut pending));
        }
    }
    if !pending.is_empty() {
        out.push(pending);
    }
    out
}

/// One simple command of a shell line: its words, as the shell would pass them
/// (quotes removed). `<word>` is a placeholder the reader replaces, kept as a word.
type Words = Vec<String>;

/// Split a shell line into its simple commands (at `&&`, `||`, `;`, `|`), dropping
/// comments and redirections. Covers what the README uses: plain words, '...',
/// "..." (with `$(...)` kept as text), `\` escapes.
fn simple_commands(line: &str) -> Vec<Words> {
    let mut commands = vec![Vec::new()];
    let mut word = String::new();
    let mut in_word = false;
    let mut skip_next_word = false; // the target of a redirection
    let mut chars = line.chars().peekable();
    let finish = |word: &mut String, in_word: &mut bool, skip: &mut bool, cmds: &mut Vec<Words>| {
        if *in_word {
            if *skip {
                *skip = false;
            } else if let Some(last) = cmds.last_mut() {
                last.push(std::mem::take(word));
            }
            word.clear();
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => {
                            if let Some(n) = chars.next() {
                                word.push(n);
                            }
                        }
                        _ => word.push(q),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            '<' if !in_word => {
                // A placeholder such as <api_key>.
                in_word = true;
                word.push('<');
                for q in chars.by_ref() {
                    word.push(q);
                    if q == '>' {
                        break;
                    }
                }
            }
            '#' if !in_word => break,
            '>' => {
                finish(&mut word, &mut in_word, &mut skip_next_word, &mut commands);
                if chars.peek() == Some(&'>') {
                    chars.next();
                }
                skip_next_word = true;
            }
            '&' | '|' | ';' => {
                finish(&mut word, &mut in_word, &mut skip_next_word, &mut commands);
                if matches!(chars.peek(), Some('&') | Some('|')) {
                    chars.next();
                }
                commands.push(Vec::new());
            }
            c if c.is_whitespace() => {
                finish(&mut word, &mut in_word, &mut skip_next_word, &mut commands);
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    finish(&mut word, &mut in_word, &mut skip_next_word, &mut commands);
    commands.retain(|c| !c.is_empty());
    commands
}

/// Every spacectl/spaceone command in a markdown text: (section, line, words).
fn commands_in(markdown: &str) -> Vec<(String, String, Words)> {
    let mut out = Vec::new();
    for block in sh_blocks(markdown) {
        for line in logical_lines(&block.text) {
            for words in simple_commands(&line) {
                if matches!(words[0].as_str(), "spacectl" | "spaceone") {
                    out.push((block.section.clone(), line.clone(), words));
                }
            }
        }
    }
    out
}

#[test]
fn the_shell_line_reader() {
    let w = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        simple_commands(
            r#"spacectl list x -c 'provider|ID,name' -s -name   # a comment | with pipes"#
        ),
        vec![w(&[
            "spacectl",
            "list",
            "x",
            "-c",
            "provider|ID,name",
            "-s",
            "-name"
        ])]
    );
    assert_eq!(
        simple_commands(
            r#"mkdir -p bin && cp "$(command -v spacectl)" bin/ && docker build -t a:$(cat VERSION) ."#
        ),
        vec![
            w(&["mkdir", "-p", "bin"]),
            w(&["cp", "$(command -v spacectl)", "bin/"]),
            w(&["docker", "build", "-t", "a:$(cat", "VERSION)", "."]),
        ]
    );
    assert_eq!(
        simple_commands("spacectl completion bash > /etc/x; spacectl config set api_key <api_key>"),
        vec![
            w(&["spacectl", "completion", "bash"]),
            w(&["spacectl", "config", "set", "api_key", "<api_key>"]),
        ]
    );
    assert_eq!(
        simple_commands(r#"spacectl stat r -j '{"query": {"a": [...]}}' | tail -n 2"#),
        vec![
            w(&["spacectl", "stat", "r", "-j", r#"{"query": {"a": [...]}}"#]),
            w(&["tail", "-n", "2"]),
        ]
    );
    assert_eq!(
        logical_lines("a \\\n  b\nc\n"),
        vec!["a    b".to_string(), "c".to_string()]
    );
}

/// A word that names a file or directory relative to the current directory.
fn looks_like_a_relative_path(word: &str) -> bool {
    !word.starts_with('-')
        && !word.starts_with('/')
        && !word.starts_with('~')
        && !word.starts_with('<')
        && !word.contains("://")
        && !word.contains('=')
        && !word.contains('{')
        && (word.contains('/')
            || [".yaml", ".yml", ".json"]
                .iter()
                .any(|ext| word.ends_with(ext)))
}

#[test]
fn every_command_line_parses_against_the_command_tree() {
    let mut commands = commands_in(&readme());
    // The README shows the main commands of both workflows.
    for needed in [
        "create-project",
        "plugin",
        "run",
        "config",
        "exec",
        "list",
        "apply",
        "man",
        "completion",
    ] {
        assert!(
            commands.iter().any(|(_, _, w)| w[1] == needed),
            "README shows no `spacectl {needed}`"
        );
    }
    for section in ["Set up", "Plugin author's workflow", "Operator's workflow"] {
        assert!(
            commands.iter().any(|(s, _, _)| s == section),
            "no command in section {section}"
        );
    }

    // A scratch project for the files the commands name.
    let tmp = tempfile::tempdir().expect("temp dir");
    let home = common::temp_home();
    let mut c = common::command_in_home(&spacectl_bin(), home.path());
    c.args(["create-project", "my-collector", "--provider", "my_cloud"])
        .args(["--group", "Compute", "--type", "Instance", "-q"])
        .current_dir(tmp.path());
    let r = run_bounded(c, "", Duration::from_secs(60));
    assert_eq!(r.code(), 0, "{}", r.stderr);
    let project = tmp.path().join("my-collector");
    // The README of a new project, too.
    let project_readme = std::fs::read_to_string(project.join("README.md")).expect("README");
    let from_project = commands_in(&project_readme);
    assert!(from_project.len() >= 10, "{project_readme}");
    commands.extend(
        from_project
            .into_iter()
            .map(|(section, line, words)| (format!("project README: {section}"), line, words)),
    );

    // The Examples sections of every command's help, too.
    for name in [cli::BinName::Spacectl, cli::BinName::Spaceone] {
        for (path, text) in help_examples(&cli::command_tree(name), "") {
            for line in text.lines().skip(1) {
                for words in simple_commands(line) {
                    if matches!(words[0].as_str(), "spacectl" | "spaceone") {
                        commands.push((
                            format!("{} {path} --help", name.as_str()),
                            line.to_string(),
                            words,
                        ));
                    }
                }
            }
        }
    }

    let mut failures = Vec::new();
    for (section, line, words) in &commands {
        for word in &words[1..] {
            let path = project.join(word);
            if looks_like_a_relative_path(word) && !path.exists() {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).expect("create parent");
                }
                std::fs::write(&path, "").expect("create file");
            }
        }
        let name = if words[0] == "spaceone" {
            cli::BinName::Spaceone
        } else {
            cli::BinName::Spacectl
        };
        // The parser checks paths relative to the current directory.
        let parsed = with_current_dir(&project, || {
            cli::command_tree(name).try_get_matches_from(words.iter())
        });
        if let Err(e) = parsed {
            failures.push(format!("[{section}] {line}\n{e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "README command lines that do not parse:\n{}",
        failures.join("\n")
    );
}

/// Run `f` with `dir` as the process's current directory (one test at a time
/// changes it: this test binary has only this test doing so).
fn with_current_dir<T>(dir: &Path, f: impl FnOnce() -> T) -> T {
    use std::sync::Mutex;
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let before = std::env::current_dir().expect("current dir");
    std::env::set_current_dir(dir).expect("enter the scratch project");
    let out = f();
    std::env::set_current_dir(before).expect("leave the scratch project");
    out
}

// ---------------------------------------------------------------- the workflow, run

/// The real interpreter behind `python3` (not a launcher script that depends on
/// settings of the user's home).
fn real_python3() -> PathBuf {
    let out = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()
        .expect("python3 on PATH");
    assert!(out.status.success(), "python3 does not run");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// The workflow block turned into a bash script: the server line runs in the
/// background until the script ends; everything else runs as written, stopping
/// at the first failure.
fn workflow_script(block: &str, port: u16) -> String {
    let mut script = String::from(
        "set -euo pipefail\n\
         server_pid=''\n\
         trap 'if [ -n \"$server_pid\" ]; then kill \"$server_pid\" 2>/dev/null || true; wait \"$server_pid\" 2>/dev/null || true; fi' EXIT\n",
    );
    let mut servers = 0;
    for line in logical_lines(block) {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let shown = trimmed.replace('\'', "'\\''");
        script.push_str(&format!("echo '+ {shown}'\n"));
        if trimmed.starts_with("spacectl run plugin-server") {
            servers += 1;
            script.push_str(&format!(
                "{trimmed} >server.log 2>&1 &\n\
                 server_pid=$!\n\
                 for _ in $(seq 1 300); do grep -q 'Start gRPC Server' server.log && break; kill -0 \"$server_pid\" || {{ cat server.log; exit 1; }}; sleep 0.1; done\n\
                 grep -q 'Start gRPC Server' server.log || {{ echo 'the server did not start'; cat server.log; exit 1; }}\n"
            ));
        } else {
            script.push_str(&trimmed.replace("50051", &port.to_string()));
            script.push('\n');
        }
    }
    assert_eq!(servers, 1, "the workflow starts one server:\n{block}");
    script
}

/// Run `cmd` in a process group of its own; when it takes longer than `limit`,
/// the whole group (the background server included) is killed.
fn run_group_bounded(mut cmd: Command, limit: Duration) -> common::Run {
    use std::io::Read;
    use std::os::unix::process::CommandExt;
    cmd.process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start bash");
    let pgid = i32::try_from(child.id()).expect("pid");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let deadline = std::time::Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for bash") {
            break status;
        }
        if std::time::Instant::now() >= deadline {
            // SAFETY: kill(2) on the process group this test created.
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
            let _ = child.wait();
            panic!("the workflow did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    common::Run {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    }
}

#[test]
fn the_plugin_authors_workflow_runs_as_written() {
    let blocks = sh_blocks(&readme());
    let block = blocks
        .iter()
        .find(|b| b.section == "Plugin author's workflow")
        .expect("a ```sh block in the section Plugin author's workflow");
    for step in [
        "create-project",
        "plugin test",
        "run plugin-server",
        "exec collect",
    ] {
        assert!(block.text.contains(step), "the workflow shows {step}");
    }

    let tmp = tempfile::tempdir().expect("temp dir");
    let bin = tmp.path().join("bin");
    let work = tmp.path().join("work");
    let home = tmp.path().join("home");
    for d in [&bin, &work, &home] {
        std::fs::create_dir_all(d).expect("dir");
    }
    std::os::unix::fs::symlink(spacectl_bin(), bin.join("spacectl")).expect("spacectl link");
    std::os::unix::fs::symlink(real_python3(), bin.join("python3")).expect("python3 link");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let script = workflow_script(&block.text, port);

    let mut c = Command::new("/bin/bash");
    c.arg("-c")
        .arg(&script)
        .current_dir(&work)
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("HOME", &home)
        .env("NO_COLOR", "1")
        .env("SPACEONE_PORT", port.to_string())
        .env("SPACEONE_HOST", "127.0.0.1")
        .stdin(Stdio::null());
    let r = run_group_bounded(c, Duration::from_secs(300));
    assert_eq!(
        r.code(),
        0,
        "the workflow failed:\n{}\n{}\nscript:\n{script}",
        r.stdout,
        r.stderr
    );
    let out = &r.stdout;
    assert!(
        out.contains("\nPASSED: 5 calls, 7 resources, 0 errors, 0 warnings\n"),
        "{out}"
    );
    assert!(out.contains("\"passed\": true"), "{out}");
    // exec init: the plugin's metadata; get_tasks: two tasks; collect: cloud services.
    assert!(out.contains("supported_resource_type:"), "{out}");
    assert_eq!(out.matches("task_options:").count(), 2, "{out}");
    assert!(
        out.contains("resource_type: inventory.CloudService\n"),
        "{out}"
    );
    assert!(
        out.contains("+ spacectl config endpoint add plugin grpc://localhost:50051\n"),
        "{out}"
    );
}

// ---------------------------------------------------------------- the install block, run

/// Fails naming the Debian package when a tool the test drives is missing.
fn require_tool(path: &str, package: &str) {
    assert!(
        Path::new(path).exists(),
        "{path} is missing: install the Debian package {package} (.ci/run does)"
    );
}

#[test]
fn the_install_block_works_as_pasted_on_a_fresh_home() {
    require_tool("/usr/bin/manpath", "man-db");
    require_tool(
        "/usr/share/bash-completion/bash_completion",
        "bash-completion",
    );
    let blocks = sh_blocks(&readme());
    let block = blocks
        .iter()
        .filter(|b| b.section == "Set up")
        .find(|b| b.text.contains("cargo install"))
        .expect("the install block in the section Set up");
    let tmp = tempfile::tempdir().expect("temp dir");
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    // The one adaptation: `cargo install` (minutes of compiling) becomes a copy
    // of the binary this test suite built, to where cargo would put it.
    let mut script = String::from("set -euo pipefail\n");
    for line in logical_lines(&block.text) {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if trimmed.starts_with("cargo install") {
            script.push_str(&format!(
                "mkdir -p ~/.cargo/bin && cp '{}' ~/.cargo/bin/spacectl\n",
                spacectl_bin().display()
            ));
        } else {
            script.push_str(trimmed);
            script.push('\n');
        }
    }
    let path = format!("{}/.cargo/bin:/usr/bin:/bin", home.display());
    let bash = |script: &str| {
        let mut c = Command::new("/bin/bash");
        c.arg("-c")
            .arg(script)
            .current_dir(tmp.path())
            .env_clear()
            .env("PATH", &path)
            .env("HOME", &home)
            .stdin(Stdio::null());
        run_bounded(c, "", Duration::from_secs(60))
    };
    let r = bash(&script);
    assert_eq!(r.code(), 0, "{}\n{}\nscript:\n{script}", r.stdout, r.stderr);
    // The pages are where man looks, so no note about the manual path.
    assert!(
        r.stderr.starts_with("Wrote ") && !r.stderr.contains("note:"),
        "{}",
        r.stderr
    );
    let r = bash("man -w spacectl spaceone-run-plugin-server");
    assert_eq!(
        r.stdout,
        format!(
            "{h}/.cargo/share/man/man1/spacectl.1\n{h}/.cargo/share/man/man1/spaceone-run-plugin-server.1\n",
            h = home.display()
        ),
        "{}",
        r.stderr
    );
    // bash-completion loads both names' scripts from the user's directory.
    let r = bash(
        ". /usr/share/bash-completion/bash_completion
         for name in spacectl spaceone; do _completion_loader $name; complete -p $name; done",
    );
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines.len() == 2
            && lines[0].starts_with("complete ")
            && lines[0].ends_with(" spacectl")
            && lines[1].starts_with("complete ")
            && lines[1].ends_with(" spaceone"),
        "bash loaded no completion for both names:\n{}\n{}",
        r.stdout,
        r.stderr
    );
}

// ---------------------------------------------------------------- help examples

/// `(command path, Examples section)` of every command below `cmd` that has one.
fn help_examples(cmd: &clap::Command, path: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(text) = cmd.get_after_help() {
        out.push((path.to_string(), text.to_string()));
    }
    for sub in cmd.get_subcommands() {
        let sub_path = format!("{path} {}", sub.get_name()).trim().to_string();
        out.extend(help_examples(sub, &sub_path));
    }
    out
}

#[test]
fn every_command_has_examples_in_its_help() {
    let mut missing = Vec::new();
    for name in [cli::BinName::Spacectl, cli::BinName::Spaceone] {
        let tree = cli::command_tree(name);
        let with: Vec<String> = help_examples(&tree, "")
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        let mut all = Vec::new();
        fn walk(cmd: &clap::Command, path: &str, all: &mut Vec<String>) {
            // Refused commands (upstream's, not in this binary) have no help.
            if cmd.is_disable_help_flag_set() || cmd.is_hide_set() {
                return;
            }
            all.push(path.to_string());
            for sub in cmd.get_subcommands() {
                walk(sub, format!("{path} {}", sub.get_name()).trim(), all);
            }
        }
        walk(&tree, "", &mut all);
        for path in all {
            if !with.contains(&path) {
                missing.push(format!("{} {path}", name.as_str()));
            }
        }
        for (path, text) in help_examples(&tree, "") {
            assert!(text.starts_with("Examples:\n  "), "{path}: {text}");
            let program = format!("  {} ", name.as_str());
            assert!(
                text.lines().skip(1).all(|l| l.starts_with(&program)
                    || l.starts_with("  #")
                    || l.starts_with("  mkdir ")
                    || l.starts_with("  cd ")),
                "{} {path}: every example starts with the program's name:\n{text}",
                name.as_str()
            );
        }
    }
    assert!(missing.is_empty(), "commands without examples: {missing:?}");
    // The help of the commands that choose a kind lists every kind.
    let tree = cli::command_tree(cli::BinName::Spacectl);
    let create = tree
        .find_subcommand("create-project")
        .expect("create-project");
    let source = create
        .get_arguments()
        .find(|a| a.get_id() == "source")
        .expect("-s");
    let help = source.get_help().map(|h| h.to_string()).unwrap_or_default();
    let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("asset (the inventory collector, the default; also collector or spaceone.inventory.plugin.collector.skeleton), external-auth (auth), account-collector, cost, notification, webhook, metric or log"),
        "{flat}"
    );
    let about = create
        .get_about()
        .map(|h| h.to_string())
        .unwrap_or_default();
    assert!(
        about.starts_with("Create a plugin project of any kind"),
        "{about}"
    );
}

// ---------------------------------------------------------------- the operator's walk, run

/// The operator's workflow block run as written from the repository root, on a
/// fresh `$HOME` with nothing on `PATH` but our binary and the basic system
/// tools. One adaptation: the services' state directory `/tmp/spaceone-local`
/// becomes a temporary directory of the test (so that parallel runs do not meet).
#[test]
fn the_operators_workflow_runs_as_written() {
    let blocks = sh_blocks(&readme());
    let block = blocks
        .iter()
        .find(|b| b.section == "Operator's workflow")
        .expect("a ```sh block in the section Operator's workflow");
    for step in [
        "services.sh start",
        "config endpoint add plugin",
        "apply docs/operator/manifest.yaml",
        "exec Check plugin.Health",
        "template set identity.Provider -f docs/operator/provider-columns.yml",
        "services.sh stop",
    ] {
        assert!(block.text.contains(step), "the walk shows {step}");
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().expect("temp dir");
    let bin = tmp.path().join("bin");
    let home = tmp.path().join("home");
    let state = tmp.path().join("state");
    for d in [&bin, &home] {
        std::fs::create_dir_all(d).expect("dir");
    }
    std::os::unix::fs::symlink(spacectl_bin(), bin.join("spacectl")).expect("spacectl link");
    let text = block
        .text
        .replace("/tmp/spaceone-local", &state.display().to_string());
    let mut script = format!(
        "set -euo pipefail\n\
         trap '[ -d \"{s}\" ] && ./scripts/services.sh stop --state \"{s}\" >/dev/null 2>&1 || true' EXIT\n",
        s = state.display()
    );
    for line in logical_lines(&text) {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let shown = trimmed.replace('\'', "'\\''");
        script.push_str(&format!("echo '+ {shown}'\n{trimmed}\n"));
    }
    let mut c = Command::new("/bin/bash");
    c.arg("-c")
        .arg(&script)
        .current_dir(repo)
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("HOME", &home)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    // The services' virtualenv is built once per machine (scripts/reference.sh).
    c.env("SPACECTL_REFERENCE_DIR", common::reference_dir());
    let r = run_group_bounded(c, Duration::from_secs(900));
    assert_eq!(
        r.code(),
        0,
        "the walk failed:\n{}\n{}\nscript:\n{script}",
        r.stdout,
        r.stderr
    );
    let out = &r.stdout;
    for expected in [
        "'plugin: grpc://127.0.0.1:",
        "  DRY-RUN register repository.Repository {\"name\": \"Local Repository\", \"repository_type\": \"local\"} (if not found)\n",
        "\nstatus: SERVING\n",
        "\nprovider: demo-cloud\n",
        " plugin-demo-inven-collector | plugin-demo-inven-collector | cloudforet/plugin-demo-inven-collector | ENABLED | inventory.Collector | demo-cloud",
        " demo-cloud   | Demo Cloud   | demo\n",
        "\ndemo_api_key\n",
        "           1 | demo\n",
        " ID           | name         | Env   | Created\n",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    // Nothing of the set is left running.
    let status = Command::new("bash")
        .arg(repo.join("scripts/services.sh"))
        .args(["status", "--state"])
        .arg(&state)
        .output()
        .expect("services.sh status");
    let status = String::from_utf8_lossy(&status.stdout);
    assert!(!status.contains("running"), "{status}");
}
