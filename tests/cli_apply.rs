//! `spacectl apply`: failures with precise messages, dry runs, and idempotent
//! registration against the real SpaceONE 1.12 services (`scripts/services.sh`).
//!
//! The real-services test starts services of its own on free ports and stops
//! them again, or uses the running ones named by `SPACECTL_SERVICES_STATE`. It
//! is skipped (one visible line) when the services venv is not built, unless
//! `SPACECTL_REQUIRE_REFERENCE` is set.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

const TIMEOUT: Duration = Duration::from_secs(120);

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/apply")
        .join(name)
}

/// Our binary with `HOME`, a fixed banner width and extra arguments.
fn apply(home: &Path, cwd: &Path, args: &[&str]) -> common::Run {
    let mut cmd = common::command_in_home(&common::spacectl_bin(), home);
    cmd.current_dir(cwd)
        .env("COLUMNS", "60")
        .arg("apply")
        .args(args);
    common::run_bounded(cmd, "", TIMEOUT)
}

#[test]
fn bad_expression_fails_with_the_task_and_expression() {
    let home = common::temp_home();
    let file = data("bad_expression.yaml");
    let run = apply(
        home.path(),
        home.path(),
        &[file.to_str().unwrap_or_default()],
    );
    assert_eq!(run.code(), 1, "{run:?}");
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "ERROR: [Broken expression] Template Render Error: unknown filter: filter no_such_filter is unknown\n\
         >> Expression: ${{ var.greeting | no_such_filter }}\n\n"
    );
}

#[test]
fn unknown_module_fails_before_any_task_runs() {
    let home = common::temp_home();
    let file = data("unknown_module.yaml");
    let run = apply(
        home.path(),
        home.path(),
        &[file.to_str().unwrap_or_default()],
    );
    assert_eq!(run.code(), 1, "{run:?}");
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "ERROR: [Typo] Not found module: uses = prnt\n\n"
    );
    assert!(!home.path().join("never-created").exists());
}

#[test]
fn failing_shell_task_stops_the_run() {
    let home = common::temp_home();
    let file = data("failing_shell.yaml");
    let run = apply(
        home.path(),
        home.path(),
        &[file.to_str().unwrap_or_default()],
    );
    assert_eq!(run.code(), 1, "{run:?}");
    assert_eq!(
        run.stdout,
        "TASK [Before] **********************************************\n\
         TASK [Failing command] *************************************\n"
    );
    assert_eq!(
        run.stderr,
        "ERROR: [Failing command] Command exited with status 7: disk full\n\
         >> Spec: {\"run\": \"echo 'disk full' >&2; exit 7\"}\n\n"
    );
}

#[test]
fn dry_run_needs_no_configuration_and_calls_nothing() {
    let home = common::temp_home();
    let file = data("register.yaml");
    let run = apply(
        home.path(),
        home.path(),
        &[
            file.to_str().unwrap_or_default(),
            "--dry-run",
            "-v",
            "suffix=dry",
            "-s",
        ],
    );
    assert_eq!(run.code(), 0, "{run:?}");
    assert_eq!(run.stderr, "");
    assert!(
        run.stdout.starts_with(
            "  DRY-RUN list repository.Repository {\"name\": \"Local Repository\"}\n  \
             DRY-RUN register repository.Repository {\"name\": \"Local Repository\", \"repository_type\": \"local\"} (if not found)\n"
        ),
        "{}",
        run.stdout
    );
    // outputs of tasks that did not run render empty
    assert!(
        run.stdout.contains("  DRY-RUN list repository.Schema {\"name\": \"apply_access_key_dry\", \"repository_id\": \"\"}\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("DRY-RUN list identity.Provider {\"provider\": \"apply-cloud-dry\"}"),
        "{}",
        run.stdout
    );
    assert!(!home.path().join(".spaceone").exists());
}

#[test]
fn missing_manifest_is_reported() {
    let home = common::temp_home();
    let run = apply(home.path(), home.path(), &["nonexist.yaml"]);
    assert_eq!(run.code(), 1);
    assert_eq!(
        run.stderr,
        "ERROR: YAML Load Error: nonexist.yaml (No such file or directory)\n\n"
    );
}

#[test]
fn bad_cli_inputs_are_reported() {
    let home = common::temp_home();
    let file = data("failing_shell.yaml");
    let run = apply(
        home.path(),
        home.path(),
        &[file.to_str().unwrap_or_default(), "-v", "a=b=c"],
    );
    assert_eq!(run.code(), 1);
    assert_eq!(
        run.stderr,
        "ERROR: Input parameter(a=b=c) is invalid. (format: key=value)\n\n"
    );
}

// ------------------------------------------------------------ real services

/// The final `-o json` document printed after the banners.
fn final_document(stdout: &str) -> Value {
    let start = stdout.find("{\n    \"var\"").unwrap_or(stdout.len());
    serde_json::from_str(stdout[start..].trim()).unwrap_or(Value::Null)
}

fn actions(doc: &Value) -> Vec<String> {
    doc["results"]
        .as_array()
        .map(|records| {
            records
                .iter()
                .map(|r| {
                    format!(
                        "{}={}",
                        r["id"].as_str().unwrap_or("-"),
                        r["action"].as_str().unwrap_or("-")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// How many of each resource `count.yaml` finds, and the provider's name.
fn counts(home: &Path, cwd: &Path, suffix: &str) -> (Vec<usize>, String) {
    let file = data("count.yaml");
    let var = format!("suffix={suffix}");
    let run = apply(
        home,
        cwd,
        &[
            file.to_str().unwrap_or_default(),
            "-s",
            "-o",
            "json",
            "-v",
            &var,
        ],
    );
    assert_eq!(run.code(), 0, "{run:?}");
    let doc = final_document(&run.stdout);
    let sizes = doc["results"]
        .as_array()
        .map(|r| {
            r.iter()
                .map(|t| t["output"].as_array().map(Vec::len).unwrap_or(usize::MAX))
                .collect()
        })
        .unwrap_or_default();
    let name = doc["results"][2]["output"][0]["Name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    (sizes, name)
}

#[test]
fn registration_is_idempotent_against_the_real_services() {
    let test = "registration_is_idempotent_against_the_real_services";
    let Some(services) = common::services::Services::acquire(test, false) else {
        return;
    };
    let home = services.home();
    assert!(
        home.join(".spaceone/environments").is_dir(),
        "the services did not come with a spacectl config under {}",
        home.display()
    );
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let suffix = format!(
        "t{}",
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() % 1_000_000_000)
            .unwrap_or(0)
    );
    let var = format!("suffix={suffix}");
    let file = data("register.yaml");
    let file = file.to_str().unwrap_or_default();

    // 1. everything that is missing is created (the single local repository may
    //    exist already when the services are shared)
    let first = apply(&home, work.path(), &[file, "-o", "json", "-v", &var]);
    assert_eq!(first.code(), 0, "{first:?}");
    let doc = final_document(&first.stdout);
    let got = actions(&doc);
    assert!(
        got[0] == "repository=created" || got[0] == "repository=unchanged",
        "{got:?}"
    );
    assert_eq!(
        &got[1..],
        ["schema=created", "provider=created", "plugin=created"],
        "{}",
        first.stdout
    );
    assert!(
        first
            .stdout
            .contains("  register repository.Plugin: created\n"),
        "{}",
        first.stdout
    );
    assert_eq!(
        doc["results"][3]["output"]["plugin_id"],
        format!("plugin-apply-ec2-{suffix}").as_str()
    );
    assert_eq!(
        counts(&home, work.path(), &suffix),
        (vec![1, 1, 1, 1], "Apply Cloud".to_string())
    );

    // 2. applying again creates and changes nothing
    let second = apply(&home, work.path(), &[file, "-o", "json", "-v", &var]);
    assert_eq!(second.code(), 0, "{second:?}");
    assert_eq!(
        actions(&final_document(&second.stdout)),
        [
            "repository=unchanged",
            "schema=unchanged",
            "provider=unchanged",
            "plugin=unchanged"
        ]
    );
    assert!(!second.stdout.contains(": created"), "{}", second.stdout);
    assert_eq!(
        counts(&home, work.path(), &suffix),
        (vec![1, 1, 1, 1], "Apply Cloud".to_string())
    );

    // 3. a changed field updates exactly that resource
    let third = apply(
        &home,
        work.path(),
        &[
            file,
            "-o",
            "json",
            "-v",
            &var,
            "-v",
            "provider_name=Apply Cloud v2",
        ],
    );
    assert_eq!(third.code(), 0, "{third:?}");
    assert_eq!(
        actions(&final_document(&third.stdout)),
        [
            "repository=unchanged",
            "schema=unchanged",
            "provider=updated",
            "plugin=unchanged"
        ]
    );
    assert!(
        third
            .stdout
            .contains("  update identity.Provider: updated (name)\n"),
        "{}",
        third.stdout
    );
    assert_eq!(
        counts(&home, work.path(), &suffix),
        (vec![1, 1, 1, 1], "Apply Cloud v2".to_string())
    );
    drop(services);
}
