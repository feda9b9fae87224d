//! The completion scripts checked in under completions/ and the manual pages
//! under man/ must match what the binary generates, for both names.
//! Regenerate them with `scripts/update-completions.sh`.
//!
//! Completion itself is tested by driving the real bash, zsh and fish with the
//! registration scripts: commands of both names, and values known locally
//! (kinds, environments, endpoints, resources and verbs of cached descriptors,
//! with the server they came from stopped).

mod support;

use std::path::Path;
use std::process::Command;

const NAMES: [&str; 2] = ["spacectl", "spaceone"];

/// (shell, file name for the program `name`).
fn scripts(name: &str) -> [(&'static str, String); 5] {
    [
        ("bash", format!("{name}.bash")),
        ("zsh", format!("_{name}")),
        ("fish", format!("{name}.fish")),
        ("powershell", format!("_{name}.ps1")),
        ("elvish", format!("{name}.elv")),
    ]
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn checked_in_completions_are_current() {
    let dir = repo().join("completions");
    let mut stale = Vec::new();
    let mut expected_files = Vec::new();
    for name in NAMES {
        for (shell, file) in scripts(name) {
            let out = Command::new(env!("CARGO_BIN_EXE_spacectl"))
                .args(["completion", shell, "--name", name])
                .output()
                .expect("run spacectl completion");
            assert!(
                out.status.success(),
                "completion {shell} --name {name} failed"
            );
            let generated = String::from_utf8(out.stdout).expect("utf-8 script");
            let checked_in = std::fs::read_to_string(dir.join(&file)).unwrap_or_default();
            if checked_in != generated {
                stale.push(file.clone());
            }
            expected_files.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "stale completion scripts {stale:?}: run scripts/update-completions.sh"
    );
    let mut present: Vec<String> = std::fs::read_dir(&dir)
        .expect("completions/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    present.sort();
    expected_files.sort();
    assert_eq!(
        present, expected_files,
        "completions/ holds exactly the generated scripts"
    );
}

#[test]
fn checked_in_manual_pages_are_current() {
    let generated = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_spacectl"))
        .arg("man")
        .arg(generated.path())
        .output()
        .expect("run spacectl man");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = |dir: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let pages = list(generated.path());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "Wrote {n} manual pages to {d}\n\
             note: man reads section 1 pages from a directory named man1; `man spacectl` will not find them in {d} (write them into <root>/man1, e.g. ~/.cargo/share/man/man1)\n",
            n = pages.len(),
            d = generated.path().display()
        )
    );
    for page in [
        "spacectl.1",
        "spaceone.1",
        "spacectl-plugin-test.1",
        "spaceone-run-plugin-server.1",
    ] {
        assert!(pages.iter().any(|p| p == page), "{page} in {pages:?}");
    }
    let checked_in = repo().join("man");
    assert_eq!(
        list(&checked_in),
        pages,
        "man/ holds other pages than generated: run scripts/update-completions.sh"
    );
    let stale: Vec<&String> = pages
        .iter()
        .filter(|p| {
            std::fs::read(generated.path().join(p)).ok() != std::fs::read(checked_in.join(p)).ok()
        })
        .collect();
    assert!(
        stale.is_empty(),
        "stale manual pages {stale:?}: run scripts/update-completions.sh"
    );
}

#[test]
fn manual_pages_do_not_depend_on_the_environment() {
    let page = |port: &str| {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = Command::new(env!("CARGO_BIN_EXE_spacectl"))
            .arg("man")
            .arg(dir.path())
            .env("SPACEONE_PORT", port)
            .output()
            .expect("run spacectl man");
        assert!(out.status.success());
        std::fs::read_to_string(dir.path().join("spacectl-run-plugin-server.1")).expect("page")
    };
    let with = page("1234");
    assert!(!with.contains("1234"), "{with}");
    assert_eq!(with, page(""));
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_spacectl"))
        .args(["completion", "tcsh"])
        .output()
        .expect("run spacectl");
    assert_eq!(out.status.code(), Some(2));
}

// ---------------------------------------------------------------- the real shells

/// Fails naming the Debian package when a shell is missing.
fn shell(path: &str, package: &str) -> &'static str {
    assert!(
        Path::new(path).exists(),
        "{path} is missing: install the Debian package {package} (.ci/run does)"
    );
    match package {
        "bash" => "/bin/bash",
        "zsh" => "/usr/bin/zsh",
        _ => "/usr/bin/fish",
    }
}

/// The candidates each shell offers for each line (the cursor at its end), as
/// `line => sorted candidates`, one line per request. `dir` holds a link named
/// `name` to the binary on PATH; HOME and XDG_CACHE_HOME are `home`.
fn offered(shell_name: &str, name: &str, home: &Path, lines: &[&str]) -> Vec<String> {
    let bin = home.join("bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    for program in ["spacectl", name] {
        let link = bin.join(program);
        if !link.exists() {
            std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_spacectl"), &link).expect("link");
        }
    }
    let (program, script) = match shell_name {
        "bash" => {
            let mut s = format!(
                "source <(spacectl completion bash --name {name})\n\
                 comp() {{ read -r -a COMP_WORDS <<< \"$1\"; [[ \"$1\" == *' ' ]] && COMP_WORDS+=(''); \
                 COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); COMP_TYPE=9; COMPREPLY=(); \
                 _clap_complete_{name} {name} \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
                 printf '%s\\n' \"${{COMPREPLY[@]}}\" | grep -v '^-' | sort | tr '\\n' ' '; echo; }}\n"
            );
            for l in lines {
                s.push_str(&format!("comp '{l}'\n"));
            }
            (shell("/bin/bash", "bash"), s)
        }
        "zsh" => {
            // The completion system's output functions print what they are given.
            let mut s = format!(
                "autoload -U compinit && compinit -u -D\n\
                 source <(spacectl completion zsh --name {name})\n\
                 [[ $_comps[{name}] == _clap_dynamic_completer_{name} ]] || {{ echo 'not registered'; exit 1; }}\n\
                 _describe() {{ local n=$3; print -rl -- ${{(@P)n}} }}\n\
                 comp() {{ words=(${{=1}}); [[ $1 == *' ' ]] && words+=(''); CURRENT=${{#words}}; \
                 _clap_dynamic_completer_{name} | cut -d: -f1 | grep -v '^-' | sort | tr '\\n' ' '; echo; }}\n"
            );
            for l in lines {
                s.push_str(&format!("comp '{l}'\n"));
            }
            (shell("/usr/bin/zsh", "zsh"), s)
        }
        _ => {
            let mut s = format!("spacectl completion fish --name {name} | source\n");
            for l in lines {
                s.push_str(&format!(
                    "set -l c (complete -C '{l}' | cut -f1 | string match -v -r '^-' | sort); echo (string join ' ' -- $c)\n"
                ));
            }
            (shell("/usr/bin/fish", "fish"), s)
        }
    };
    let mut cmd = Command::new(program);
    match shell_name {
        "bash" => cmd.args(["--norc", "--noprofile", "-c", &script]),
        "zsh" => cmd.args(["-f", "-c", &script]),
        _ => cmd.args(["--no-config", "-c", &script]),
    };
    cmd.env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .stdin(std::process::Stdio::null());
    let out = support::home::wait_bounded(
        cmd.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start the shell"),
        std::time::Duration::from_secs(60),
    );
    assert_eq!(out.code, 0, "{shell_name}: {}\n{}", out.stdout, out.stderr);
    let got: Vec<String> = out
        .stdout
        .lines()
        .map(|l| l.trim_end().to_string())
        .collect();
    assert_eq!(
        got.len(),
        lines.len(),
        "{shell_name}: {}\n{}",
        out.stdout,
        out.stderr
    );
    lines
        .iter()
        .zip(got)
        .map(|(l, g)| format!("{l} => {g}"))
        .collect()
}

#[test]
fn bash_zsh_and_fish_complete_commands_and_local_values() {
    use support::home::Home;
    use support::server::{Reflection, TestServer};
    // Descriptors cached by one call; then the server stops: completion makes
    // no network call.
    let server = TestServer::start(Reflection::Both);
    let home = Home::new(&[("test", &server.url())], "");
    let r = home.run(&["exec", "nothing", "test.Echo"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    drop(server);
    let spaceone = home.path().join(".spaceone/environments");
    std::fs::write(
        spaceone.join("prod.yml"),
        "endpoints:\n  identity: grpc://localhost:1\n",
    )
    .expect("write");

    let lines = [
        "spacectl create-project x -s ",
        "spacectl create-project x -s ex",
        "spacectl run plugin-server plugin --kind n",
        "spacectl config environment -s ",
        "spacectl config endpoint remove ",
        "spacectl exec ",
        "spacectl exec echo te",
        "spacectl list test.",
        "spacectl api-r",
    ];
    let expected = [
        "spacectl create-project x -s  => account-collector asset auth collector cost external-auth log metric notification webhook",
        "spacectl create-project x -s ex => external-auth",
        "spacectl run plugin-server plugin --kind n => notification",
        "spacectl config environment -s  => prod test",
        "spacectl config endpoint remove  => test",
        "spacectl exec  => count echo fail flaky get list nothing upload",
        "spacectl exec echo te => test.Echo test.Provider",
        "spacectl list test. => test.Echo test.Provider",
        "spacectl api-r => api-resources",
    ];
    for shell_name in ["bash", "zsh", "fish"] {
        assert_eq!(
            offered(shell_name, "spacectl", home.path(), &lines),
            expected,
            "{shell_name}"
        );
        // The spaceone name completes its own command tree.
        let got = offered(
            shell_name,
            "spaceone",
            home.path(),
            &["spaceone ", "spaceone run "],
        );
        assert_eq!(
            got,
            [
                "spaceone  => create-project help plugin run show-config test",
                "spaceone run  => grpc-server help plugin-server rest-server scheduler",
            ],
            "{shell_name}"
        );
    }
}
