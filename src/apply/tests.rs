//! Whole-run tests of the engine with an in-memory service set.

use std::path::Path;

use serde_json::{Value, json};

use super::caller::fake::FakeCaller;
use super::console::Recorder;
use super::*;

const NOW: i64 = 1_795_308_582; // 2026-11-22T00:49:42Z

fn settings() -> Settings {
    Settings {
        silent: false,
        dry_run: false,
        width: 60,
        output: Output::None,
        now: NOW,
    }
}

struct Run {
    result: Result<()>,
    out: String,
    err: String,
}

fn run_in(
    dir: &Path,
    main: &str,
    caller: &mut FakeCaller,
    settings: Settings,
    var: &[&str],
) -> Run {
    let var: Vec<String> = var.iter().map(|s| s.to_string()).collect();
    let file = dir.join(main);
    let inputs = Inputs {
        file: &file,
        env: &[],
        var: &var,
        var_file: None,
    };
    let mut rec = Recorder::default();
    let result = apply(
        inputs,
        vec![("APPLY_TEST_HOME".to_string(), "/home/op".to_string())],
        settings,
        caller,
        &mut rec,
    );
    Run {
        result,
        out: rec.out,
        err: rec.err,
    }
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

fn error_text(r: &Result<()>) -> String {
    match r {
        Ok(()) => "no error".to_string(),
        Err(e) => e.render(),
    }
}

const SAMPLE: &str = r#"
import: [lib/common.yaml]
var:
  greeting: hello
  things: [a, b]
tasks:
  - name: Say hello
    id: hello
    uses: "@modules/shell"
    spec:
      run: echo ${{ var.greeting }} from_manifest ${{ var.common }}
  - name: Print previous
    uses: "@modules/print"
    spec:
      output: yaml
      data:
        shell_out: ${{ tasks.hello.output.result | trim }}
  - name: Conditional skip
    if: "${{ var.greeting }} == 'nope'"
    uses: "@modules/print"
    spec: {data: {never: shown}}
  - name: Conditional run
    if: "'${{ var.greeting }}' == 'hello'"
    uses: "@modules/shell"
    spec: {run: "true"}
  - name: Loop
    id: loop
    loop: ${{ var.things | to_data }}
    uses: "@modules/shell"
    spec:
      run: echo ${{ item }}
  - name: Group
    sub_tasks:
      - name: Init collector
        debug: true
        uses: "@modules/resource"
        spec:
          resource_type: plugin.Collector
          mode: EXEC
          verb: {exec: init}
          data: {options: {}}
      - name: Date
        id: date
        uses: "@modules/date"
"#;

#[test]
fn sample_run_prints_like_upstream() {
    let dir = tempdir();
    write(dir.path(), "main.yaml", SAMPLE);
    write(
        dir.path(),
        "lib/common.yaml",
        "var:\n  common: from_import\n",
    );
    let mut caller = FakeCaller::default();
    let mut s = settings();
    s.width = 40;
    s.output = Output::Json;
    let run = run_in(dir.path(), "main.yaml", &mut caller, s, &[]);
    assert_eq!(error_text(&run.result), "no error");
    let expected_head = "\
TASK [Say hello] ***********************
TASK [Print previous] ******************
---
shell_out: hello from_manifest from_import


SKIP [Conditional skip] ****************
TASK [Conditional run] *****************
LOOP [Loop] ****************************
  TASK [Loop] **************************
  TASK [Loop] **************************
SUB-TASKS [Group] **********************
  TASK [Init collector] ****************
    init plugin.Collector: done
(DEBUG) =>
{
    \"verb\": \"init\",
    \"params\": {
        \"options\": {}
    }
}

  TASK [Date] **************************
FINISHED [ ok=7, skipped=1 ] ***********
{
    \"var\": {
        \"common\": \"from_import\",
        \"greeting\": \"hello\",
        \"things\": [
            \"a\",
            \"b\"
        ]
    },
    \"results\": [
";
    assert!(run.out.starts_with(expected_head), "{}", run.out);
    assert!(
        run.out
            .ends_with("    \"success\": 7,\n    \"skip\": 1\n}\n\n"),
        "{}",
        run.out
    );
    assert!(
        run.err
            .starts_with("[Conditional skip] If Condition Error: hello == 'nope'\n(Error) => "),
        "{}",
        run.err
    );
    assert!(!run.out.contains("never"));
    assert_eq!(caller.verbs(), vec!["init plugin.Collector"]);

    // the final document carries every task record in order
    let json_start = run.out.find("{\n    \"var\"").unwrap_or(0);
    let doc: Value = serde_json::from_str(run.out[json_start..].trim()).unwrap_or(Value::Null);
    let names: Vec<&str> = doc["results"]
        .as_array()
        .map(|r| r.iter().filter_map(|t| t["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        names,
        vec![
            "Say hello",
            "Print previous",
            "Conditional run",
            "Loop",
            "Loop",
            "Init collector",
            "Date"
        ]
    );
    assert_eq!(
        doc["results"][0]["output"],
        json!({"result": "hello from_manifest from_import\n", "return_code": 0})
    );
    assert_eq!(doc["results"][6]["output"]["date"], json!("2026-11-22"));
    assert_eq!(doc["results"][6]["state"], json!("SUCCESS"));
}

#[test]
fn loop_records_are_collected_under_the_id() {
    let dir = tempdir();
    write(
        dir.path(),
        "m.yaml",
        r#"
var: {names: [x, y, z]}
tasks:
  - id: acc
    loop: ${{ var.names | to_data }}
    uses: "@modules/concat"
    spec:
      data: [{name: "${{ item }}", upper: "${{ item | upper }}"}]
  - name: Show
    uses: "@modules/print"
    spec:
      data: ${{ tasks.acc[-1].output | to_data }}
"#,
    );
    let mut s = settings();
    s.silent = true;
    let run = run_in(dir.path(), "m.yaml", &mut FakeCaller::default(), s, &[]);
    assert_eq!(error_text(&run.result), "no error");
    let printed: Value = serde_json::from_str(run.out.trim()).unwrap_or(Value::Null);
    assert_eq!(
        printed,
        json!([{"name": "x", "upper": "X"}, {"name": "y", "upper": "Y"}, {"name": "z", "upper": "Z"}])
    );
}

const REGISTER: &str = r#"
var:
  provider_name: Local Cloud
tasks:
  - name: Repository
    id: repo
    uses: "@modules/resource"
    spec:
      resource_type: repository.Repository
      verb: {create: register}
      matches: [name]
      data: {name: Local Repository, repository_type: local}
  - name: Provider
    id: provider
    uses: "@modules/resource"
    spec:
      resource_type: identity.Provider
      matches: [provider]
      data:
        provider: local-cloud
        name: ${{ var.provider_name }}
        order: 10
        tags: {color: '#FF9900'}
  - name: Plugin
    id: plugin
    uses: "@modules/resource"
    spec:
      resource_type: repository.Plugin
      verb: {create: register}
      matches: [name]
      data:
        name: aws-ec2
        image: cloudforet/plugin-aws-ec2
        labels: [Compute]
"#;

fn registry() -> FakeCaller {
    FakeCaller::default()
        .with_type(
            "repository.Repository",
            "name",
            &["repository_id", "name", "domain_id"],
        )
        .with_type(
            "identity.Provider",
            "provider",
            &[
                "provider",
                "name",
                "order",
                "template",
                "metadata",
                "capability",
                "tags",
                "domain_id",
            ],
        )
        .with_type(
            "repository.Plugin",
            "name",
            &[
                "plugin_id",
                "name",
                "capability",
                "template",
                "labels",
                "tags",
                "domain_id",
            ],
        )
}

fn actions(out: &str) -> Vec<String> {
    let start = out.find("{\n    \"var\"").unwrap_or(0);
    let doc: Value = serde_json::from_str(out[start..].trim()).unwrap_or(Value::Null);
    doc["results"]
        .as_array()
        .map(|r| {
            r.iter()
                .map(|t| {
                    format!(
                        "{}={}",
                        t["id"].as_str().unwrap_or(""),
                        t["action"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn default_mode_is_idempotent_and_updates_only_what_changed() {
    let dir = tempdir();
    write(dir.path(), "m.yaml", REGISTER);
    let mut caller = registry();
    let mut s = settings();
    s.silent = true;
    s.output = Output::Json;

    let first = run_in(dir.path(), "m.yaml", &mut caller, s, &[]);
    assert_eq!(error_text(&first.result), "no error");
    assert_eq!(
        actions(&first.out),
        vec!["repo=created", "provider=created", "plugin=created"]
    );
    assert_eq!(
        caller.verbs(),
        vec![
            "list repository.Repository",
            "register repository.Repository",
            "list identity.Provider",
            "create identity.Provider",
            "list repository.Plugin",
            "register repository.Plugin"
        ]
    );
    assert_eq!(caller.calls[0].params, json!({"name": "Local Repository"}));

    caller.calls.clear();
    let second = run_in(dir.path(), "m.yaml", &mut caller, s, &[]);
    assert_eq!(error_text(&second.result), "no error");
    assert_eq!(
        actions(&second.out),
        vec!["repo=unchanged", "provider=unchanged", "plugin=unchanged"]
    );
    assert_eq!(
        caller.verbs(),
        vec![
            "list repository.Repository",
            "list identity.Provider",
            "list repository.Plugin"
        ]
    );

    caller.calls.clear();
    write(
        dir.path(),
        "m.yaml",
        &REGISTER.replace("labels: [Compute]", "labels: [Compute, Storage]"),
    );
    let third = run_in(dir.path(), "m.yaml", &mut caller, s, &[]);
    assert_eq!(error_text(&third.result), "no error");
    assert_eq!(
        actions(&third.out),
        vec!["repo=unchanged", "provider=unchanged", "plugin=updated"]
    );
    let updates: Vec<&super::caller::fake::Call> =
        caller.calls.iter().filter(|c| c.verb == "update").collect();
    assert_eq!(updates.len(), 1);
    // only updatable fields, plus the id of the stored plugin
    assert_eq!(
        updates[0].params,
        json!({"name": "aws-ec2", "labels": ["Compute", "Storage"], "plugin_id": "id-1"})
    );
    assert_eq!(caller.store["repository.Plugin"].len(), 1);
    assert_eq!(
        caller.store["repository.Plugin"][0]["labels"],
        json!(["Compute", "Storage"])
    );
}

#[test]
fn manifest_values_win_over_the_command_line() {
    let dir = tempdir();
    write(dir.path(), "m.yaml", REGISTER);
    let mut caller = registry();
    let mut s = settings();
    s.silent = true;
    let run = run_in(
        dir.path(),
        "m.yaml",
        &mut caller,
        s,
        &["provider_name=From CLI", "extra=1"],
    );
    assert_eq!(error_text(&run.result), "no error");
    let create = caller
        .calls
        .iter()
        .find(|c| c.verb == "create")
        .map(|c| c.params.clone())
        .unwrap_or(Value::Null);
    assert_eq!(create["name"], json!("Local Cloud"));
}

#[test]
fn dry_run_calls_nothing() {
    let dir = tempdir();
    write(
        dir.path(),
        "m.yaml",
        &format!(
            "{REGISTER}\n  - name: Shell\n    uses: \"@modules/shell\"\n    spec: {{run: \"touch should-not-exist\"}}\n"
        ),
    );
    let mut caller = registry();
    let mut s = settings();
    s.dry_run = true;
    let run = run_in(dir.path(), "m.yaml", &mut caller, s, &[]);
    assert_eq!(error_text(&run.result), "no error");
    assert!(caller.calls.is_empty());
    assert!(!dir.path().join("should-not-exist").exists());
    assert!(
        run.out.contains(
            "TASK [Repository] ******************************************\n  \
             DRY-RUN list repository.Repository {\"name\": \"Local Repository\"}\n  \
             DRY-RUN register repository.Repository {\"name\": \"Local Repository\", \"repository_type\": \"local\"} (if not found)\n  \
             DRY-RUN update repository.Repository (if found and a field of data differs)\n"
        ),
        "{}",
        run.out
    );
    assert!(
        run.out
            .contains("  DRY-RUN bash -c \"touch should-not-exist\"\n"),
        "{}",
        run.out
    );
}

#[test]
fn failing_shell_stops_the_run() {
    let dir = tempdir();
    write(
        dir.path(),
        "m.yaml",
        r#"
tasks:
  - name: Boom
    uses: "@modules/shell"
    spec: {run: "echo boom; exit 3"}
  - name: Never
    uses: "@modules/shell"
    spec: {run: "touch never-created"}
"#,
    );
    let run = run_in(
        dir.path(),
        "m.yaml",
        &mut FakeCaller::default(),
        settings(),
        &[],
    );
    assert_eq!(
        error_text(&run.result),
        "ERROR: [Boom] Command exited with status 3: boom\n>> Spec: {\"run\": \"echo boom; exit 3\"}\n\n"
    );
    assert!(!run.out.contains("Never"));
    assert!(!dir.path().join("never-created").exists());
}

#[test]
fn bad_expression_names_task_and_expression() {
    let dir = tempdir();
    write(
        dir.path(),
        "m.yaml",
        r#"
tasks:
  - name: Broken
    uses: "@modules/print"
    spec:
      data: {x: "${{ var.nothing_here }}"}
"#,
    );
    let run = run_in(
        dir.path(),
        "m.yaml",
        &mut FakeCaller::default(),
        settings(),
        &[],
    );
    let text = error_text(&run.result);
    assert!(
        text.starts_with("ERROR: [Broken] Template Render Error: undefined value"),
        "{text}"
    );
    assert!(
        text.ends_with(">> Expression: ${{ var.nothing_here }}\n\n"),
        "{text}"
    );
}

#[test]
fn unknown_module_fails_before_anything_runs() {
    let dir = tempdir();
    write(
        dir.path(),
        "m.yaml",
        r#"
tasks:
  - name: First
    uses: "@modules/shell"
    spec: {run: "touch created"}
  - name: Second
    uses: "@modules/nope"
"#,
    );
    let run = run_in(
        dir.path(),
        "m.yaml",
        &mut FakeCaller::default(),
        settings(),
        &[],
    );
    assert_eq!(
        error_text(&run.result),
        "ERROR: [Second] Not found module: uses = nope\n\n"
    );
    assert_eq!(run.out, "");
    assert!(!dir.path().join("created").exists());
}

#[test]
fn service_errors_name_the_task_and_call() {
    let dir = tempdir();
    write(dir.path(), "m.yaml", REGISTER);
    let mut caller = registry();
    caller.failures.push((
        "identity.Provider".into(),
        "create".into(),
        "Required parameter. (key = domain_id)".into(),
    ));
    let mut s = settings();
    s.silent = true;
    let run = run_in(dir.path(), "m.yaml", &mut caller, s, &[]);
    let text = error_text(&run.result);
    assert!(
        text.starts_with(
            "ERROR: [Provider] create identity.Provider failed: Required parameter. (key = domain_id)\n>> Spec: "
        ),
        "{text}"
    );
    // the plugin task never ran
    assert!(
        !caller
            .calls
            .iter()
            .any(|c| c.resource == "repository.Plugin")
    );
}

#[test]
fn silent_keeps_skips_and_prints() {
    let dir = tempdir();
    write(
        dir.path(),
        "m.yaml",
        r#"
tasks:
  - name: Skipped
    if: false
    uses: "@modules/date"
  - name: Shown
    uses: "@modules/print"
    spec: {data: {a: 1}}
"#,
    );
    let mut s = settings();
    s.silent = true;
    s.width = 20;
    let run = run_in(dir.path(), "m.yaml", &mut FakeCaller::default(), s, &[]);
    assert_eq!(error_text(&run.result), "no error");
    assert_eq!(run.out, "SKIP [Skipped] *****\n{\n    \"a\": 1\n}\n\n\n");
}

#[test]
fn yaml_final_document_and_env() {
    let dir = tempdir();
    write(
        dir.path(),
        "m.yaml",
        r#"
env: {STAGE: test}
tasks:
  - name: Echo
    id: e
    uses: "@modules/shell"
    spec: {run: "echo ${{ env.STAGE }} ${{ env.APPLY_TEST_HOME }}"}
"#,
    );
    let mut s = settings();
    s.silent = true;
    s.output = Output::Yaml;
    let run = run_in(
        dir.path(),
        "m.yaml",
        &mut FakeCaller::default(),
        s,
        &["k=v"],
    );
    assert_eq!(error_text(&run.result), "no error");
    assert!(
        run.out.starts_with("---\nresults:\n- id: e\n"),
        "{}",
        run.out
    );
    assert!(
        run.out.contains("    result: 'test /home/op\n\n      '\n"),
        "{}",
        run.out
    );
    assert!(
        run.out.ends_with("skip: 0\nsuccess: 1\nvar:\n  k: v\n\n\n"),
        "{}",
        run.out
    );
}

#[test]
fn condition_syntax_errors_fail_and_non_bool_results_fail() {
    let dir = tempdir();
    write(
        dir.path(),
        "m.yaml",
        "tasks:\n  - name: C\n    if: \"1 +\"\n    uses: \"@modules/date\"\n",
    );
    let run = run_in(
        dir.path(),
        "m.yaml",
        &mut FakeCaller::default(),
        settings(),
        &[],
    );
    let text = error_text(&run.result);
    assert!(
        text.starts_with("ERROR: [C] If Condition Error: 1 +\n(Error) => syntax error"),
        "{text}"
    );

    write(
        dir.path(),
        "m.yaml",
        "tasks:\n  - name: C\n    if: \"'a'\"\n    uses: \"@modules/date\"\n",
    );
    let run = run_in(
        dir.path(),
        "m.yaml",
        &mut FakeCaller::default(),
        settings(),
        &[],
    );
    assert_eq!(
        error_text(&run.result),
        "ERROR: [C] If Condition Error: 'a'\n(Type) => string\n(Value) => a\n\n"
    );
}

#[test]
fn loop_must_be_a_list() {
    let dir = tempdir();
    write(
        dir.path(),
        "m.yaml",
        "var: {x: 3}\ntasks:\n  - name: L\n    loop: ${{ var.x | to_data }}\n    uses: \"@modules/date\"\n",
    );
    let run = run_in(
        dir.path(),
        "m.yaml",
        &mut FakeCaller::default(),
        settings(),
        &[],
    );
    assert_eq!(
        error_text(&run.result),
        "ERROR: [L] Loop Condition Error: ${{ var.x | to_data }}\n(Type) => number\n(Value) => 3\n\n"
    );
}

#[test]
fn empty_loop_values_loop_zero_times() {
    let dir = tempdir();
    write(
        dir.path(),
        "m.yaml",
        r#"
var: {m: {}, z: 0, f: false, s: ""}
tasks:
  - {name: M, loop: "${{ var.m | to_data }}", uses: "@modules/date"}
  - {name: Z, loop: "${{ var.z | to_data }}", uses: "@modules/date"}
  - {name: F, loop: "${{ var.f | to_data }}", uses: "@modules/date"}
  - {name: S, loop: "${{ var.s }}", uses: "@modules/date"}
  - {name: Literal, loop: {}, uses: "@modules/date"}
"#,
    );
    let run = run_in(
        dir.path(),
        "m.yaml",
        &mut FakeCaller::default(),
        settings(),
        &[],
    );
    assert_eq!(error_text(&run.result), "no error");
    assert_eq!(
        run.out,
        "LOOP [M] ***************************************************\n\
         LOOP [Z] ***************************************************\n\
         LOOP [F] ***************************************************\n\
         LOOP [S] ***************************************************\n\
         LOOP [Literal] *********************************************\n\
         FINISHED [ ok=0, skipped=0 ] *******************************\n\n"
    );
}

#[test]
fn dry_run_loops_over_planned_outputs() {
    let dir = tempdir();
    write(
        dir.path(),
        "m.yaml",
        r#"
tasks:
  - name: Plugins
    id: plugins
    uses: "@modules/resource"
    spec: {resource_type: repository.Plugin, mode: EXEC, verb: {exec: list}}
  - name: "Each ${{ item.name }}"
    loop: ${{ tasks.plugins.output | to_data }}
    uses: "@modules/shell"
    spec: {run: "echo ${{ item.name }}"}
  - name: After
    uses: "@modules/shell"
    spec: {run: "echo done"}
"#,
    );
    let mut caller = FakeCaller::default();
    let mut s = settings();
    s.dry_run = true;
    s.silent = true;
    let run = run_in(dir.path(), "m.yaml", &mut caller, s, &[]);
    assert_eq!(error_text(&run.result), "no error");
    assert!(caller.calls.is_empty());
    assert_eq!(
        run.out,
        "  DRY-RUN list repository.Plugin {}\n  DRY-RUN bash -c \"echo done\"\n\n"
    );
}

#[test]
fn missing_manifest() {
    let dir = tempdir();
    let run = run_in(
        dir.path(),
        "nope.yaml",
        &mut FakeCaller::default(),
        settings(),
        &[],
    );
    let text = error_text(&run.result);
    assert!(text.starts_with("ERROR: YAML Load Error: "), "{text}");
    assert!(
        text.ends_with("nope.yaml (No such file or directory)\n\n"),
        "{text}"
    );
}

#[test]
fn task_var_is_rendered_and_merged_before_the_condition() {
    let dir = tempdir();
    write(
        dir.path(),
        "m.yaml",
        r#"
var: {base: v}
tasks:
  - name: Set
    var: {derived: "${{ var.base }}-1"}
    if: "var.derived == 'v-1'"
    uses: "@modules/print"
    spec: {data: "${{ var.derived }}"}
"#,
    );
    let mut s = settings();
    s.silent = true;
    let run = run_in(dir.path(), "m.yaml", &mut FakeCaller::default(), s, &[]);
    assert_eq!(error_text(&run.result), "no error");
    assert_eq!(run.out, "\"v-1\"\n\n\n");
}

#[test]
fn exec_pages_through_results_and_shapes_rows() {
    let dir = tempdir();
    write(
        dir.path(),
        "m.yaml",
        r#"
tasks:
  - id: servers
    uses: "@modules/resource"
    spec:
      resource_type: inventory.Server
      mode: EXEC
      verb: {exec: list}
      pagination: {size: 2}
      data: {}
      output:
        template: input
        options:
          columns: ["name|Name", "data.ip|IP"]
"#,
    );
    let mut caller = FakeCaller::default();
    let rows: Vec<serde_json::Map<String, Value>> = (1..=5)
        .map(|i| {
            json!({"name": format!("s{i}"), "data": {"ip": format!("10.0.0.{i}")}, "other": i})
                .as_object()
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    caller.store.insert("inventory.Server".into(), rows);
    let mut s = settings();
    s.output = Output::Json;
    let run = run_in(dir.path(), "m.yaml", &mut caller, s, &[]);
    assert_eq!(error_text(&run.result), "no error");
    assert!(
        run.out.contains(
            "  Pagination (inventory.Server.list): total_count=5, page_size=2, page_count=3\n"
        ),
        "{}",
        run.out
    );
    let params: Vec<Value> = caller.calls.iter().map(|c| c.params.clone()).collect();
    assert_eq!(
        params,
        vec![
            json!({"query": {"only": ["name", "data.ip"], "count_only": true}}),
            json!({"query": {"only": ["name", "data.ip"], "count_only": false, "page": {"start": 1, "limit": 2}}}),
            json!({"query": {"only": ["name", "data.ip"], "count_only": false, "page": {"start": 3, "limit": 2}}}),
            json!({"query": {"only": ["name", "data.ip"], "count_only": false, "page": {"start": 5, "limit": 2}}}),
        ]
    );
    let start = run.out.find("{\n    \"var\"").unwrap_or(0);
    let doc: Value = serde_json::from_str(run.out[start..].trim()).unwrap_or(Value::Null);
    assert_eq!(
        doc["results"][0]["output"].as_array().map(Vec::len),
        Some(5)
    );
    assert_eq!(
        doc["results"][0]["output"][4],
        json!({"Name": "s5", "IP": "10.0.0.5"})
    );
}

#[test]
fn read_only_and_no_update_modes() {
    let dir = tempdir();
    write(
        dir.path(),
        "m.yaml",
        r#"
tasks:
  - id: lookup
    uses: "@modules/resource"
    spec:
      resource_type: identity.Provider
      mode: READ_ONLY
      matches: [provider]
      data: {provider: missing}
  - id: keep
    uses: "@modules/resource"
    spec:
      resource_type: identity.Provider
      mode: NO_UPDATE
      matches: [provider]
      data: {provider: p1, name: Changed}
"#,
    );
    let mut caller = registry();
    caller.store.insert(
        "identity.Provider".into(),
        vec![
            json!({"provider": "p1", "name": "Original"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        ],
    );
    let mut s = settings();
    s.silent = true;
    s.output = Output::Json;
    let run = run_in(dir.path(), "m.yaml", &mut caller, s, &[]);
    assert_eq!(error_text(&run.result), "no error");
    assert_eq!(
        actions(&run.out),
        vec!["lookup=not_found", "keep=unchanged"]
    );
    assert_eq!(
        caller.verbs(),
        vec!["list identity.Provider", "list identity.Provider"]
    );
    assert_eq!(
        caller.store["identity.Provider"][0]["name"],
        json!("Original")
    );
}

#[test]
fn print_saves_files() {
    let dir = tempdir();
    let target = dir.path().join("out/sub");
    write(
        dir.path(),
        "m.yaml",
        &format!(
            "tasks:\n  - name: Save\n    uses: \"@modules/print\"\n    spec:\n      output: yaml\n      path: [\"{}\", \"rows.yaml\"]\n      data: [{{b: 1, a: x}}]\n",
            target.display()
        ),
    );
    let mut s = settings();
    s.silent = true;
    let run = run_in(dir.path(), "m.yaml", &mut FakeCaller::default(), s, &[]);
    assert_eq!(error_text(&run.result), "no error");
    let file = target.join("rows.yaml");
    assert_eq!(
        run.out,
        format!("Save data to file: {}\n\n\n", file.display())
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap_or_default(),
        "results:\n- a: x\n  b: 1\n"
    );
}

#[test]
fn var_file_then_cli_then_manifest() {
    let dir = tempdir();
    write(
        dir.path(),
        "vars.yaml",
        "var: {a: file, b: file, c: file}\nenv: {E1: file}\n",
    );
    write(
        dir.path(),
        "m.yaml",
        "var: {c: manifest}\ntasks:\n  - name: P\n    uses: \"@modules/print\"\n    spec: {data: [\"${{ var.a }}\", \"${{ var.b }}\", \"${{ var.c }}\", \"${{ env.E1 }}\", \"${{ env.E2 }}\"]}\n",
    );
    let file = dir.path().join("m.yaml");
    let var_file = dir.path().join("vars.yaml");
    let var = vec!["b=cli".to_string(), "c=cli".to_string()];
    let env = vec!["E2=cli".to_string()];
    let mut rec = Recorder::default();
    let mut s = settings();
    s.silent = true;
    let result = apply(
        Inputs {
            file: &file,
            env: &env,
            var: &var,
            var_file: Some(&var_file),
        },
        vec![("E1".to_string(), "process".to_string())],
        s,
        &mut FakeCaller::default(),
        &mut rec,
    );
    assert_eq!(error_text(&result), "no error");
    let printed: Value = serde_json::from_str(rec.out.trim()).unwrap_or(Value::Null);
    assert_eq!(printed, json!(["file", "cli", "manifest", "file", "cli"]));
}

#[test]
fn fields_the_update_verb_does_not_take_are_reported_not_sent() {
    let dir = tempdir();
    write(dir.path(), "m.yaml", REGISTER);
    let mut caller = registry();
    let mut s = settings();
    s.silent = true;
    s.output = Output::Json;
    let first = run_in(dir.path(), "m.yaml", &mut caller, s, &[]);
    assert_eq!(error_text(&first.result), "no error");
    caller.calls.clear();
    write(
        dir.path(),
        "m.yaml",
        &REGISTER.replace(
            "image: cloudforet/plugin-aws-ec2",
            "image: cloudforet/plugin-aws-ec2-next",
        ),
    );
    let run = run_in(dir.path(), "m.yaml", &mut caller, s, &[]);
    assert_eq!(error_text(&run.result), "no error");
    assert_eq!(
        actions(&run.out),
        vec!["repo=unchanged", "provider=unchanged", "plugin=unchanged"]
    );
    assert_eq!(
        run.err,
        "[Plugin] repository.Plugin: not changed by update (the existing resource differs): image\n"
    );
    assert!(!caller.calls.iter().any(|c| c.verb == "update"));
}

#[test]
fn loop_items_reach_sub_tasks_and_nested_loops() {
    let dir = tempdir();
    write(
        dir.path(),
        "m.yaml",
        r#"
var:
  groups: [{name: g1, members: [a, b]}, {name: g2, members: [c]}]
tasks:
  - name: Group ${{ item.name }}
    loop: ${{ var.groups | to_data }}
    sub_tasks:
      - id: member
        loop: ${{ item.members | to_data }}
        uses: "@modules/shell"
        spec: {run: "echo ${{ item }}"}
"#,
    );
    let mut s = settings();
    s.width = 30;
    let run = run_in(dir.path(), "m.yaml", &mut FakeCaller::default(), s, &[]);
    assert_eq!(error_text(&run.result), "no error");
    assert_eq!(
        run.out,
        "LOOP [Group ${{ item.name }}] \n  SUB-TASKS [Group g1] *******\n    LOOP [member] ************\n      TASK [member] **********\n      TASK [member] **********\n  SUB-TASKS [Group g2] *******\n    LOOP [member] ************\n      TASK [member] **********\nFINISHED [ ok=3, skipped=0 ] *\n\n"
    );
}

const COLLECTOR: &str = r#"
tasks:
  - name: Collector
    id: collector
    uses: "@modules/resource"
    spec:
      resource_type: inventory.Collector
      matches: [name]
      data:
        name: aws-ec2
        plugin_info:
          plugin_id: plugin-aws-ec2
          version: "${{ var.version | default('1.0') }}"
          options: {}
        schedule: {hours: [1, 13]}
        tags: {team: "${{ var.team | default('infra') }}"}
"#;

/// A collector as the service keeps it: `plugin_info` and `schedule` carry
/// fields the manifest does not give.
fn collector_service() -> FakeCaller {
    let mut caller = FakeCaller::default().with_type(
        "inventory.Collector",
        "name",
        &[
            "collector_id",
            "name",
            "schedule",
            "secret_filter",
            "tags",
            "domain_id",
        ],
    );
    caller.message_fields.insert(
        "inventory.Collector".into(),
        vec![
            "plugin_info".into(),
            "schedule".into(),
            "secret_filter".into(),
        ],
    );
    let stored = json!({
        "collector_id": "collector-1",
        "name": "aws-ec2",
        "plugin_info": {
            "plugin_id": "plugin-aws-ec2",
            "version": "1.0",
            "options": {},
            "metadata": {"supported_resource_type": ["inventory.Server"]},
            "upgrade_mode": "AUTO"
        },
        "schedule": {"state": "ENABLED", "hours": [1.0, 13.0]},
        "tags": {"team": "infra"},
        "domain_id": "domain-1"
    });
    caller.store.insert(
        "inventory.Collector".into(),
        vec![stored.as_object().cloned().unwrap_or_default()],
    );
    caller
}

#[test]
fn fields_the_service_fills_in_do_not_count_as_changes() {
    let dir = tempdir();
    write(dir.path(), "m.yaml", COLLECTOR);
    let mut s = settings();
    s.silent = true;
    s.output = Output::Json;

    // the same manifest again: nothing to do, nothing to report
    let mut caller = collector_service();
    let run = run_in(dir.path(), "m.yaml", &mut caller, s, &[]);
    assert_eq!(error_text(&run.result), "no error");
    assert_eq!(actions(&run.out), vec!["collector=unchanged"]);
    assert_eq!(run.err, "");
    assert_eq!(caller.verbs(), vec!["list inventory.Collector"]);

    // a field of plugin_info the manifest gives still counts
    let mut caller = collector_service();
    let run = run_in(dir.path(), "m.yaml", &mut caller, s, &["version=2.0"]);
    assert_eq!(actions(&run.out), vec!["collector=unchanged"]);
    assert_eq!(
        run.err,
        "[Collector] inventory.Collector: not changed by update (the existing resource differs): plugin_info\n"
    );

    // tags (a Struct) still compare exactly, and are updated
    let mut caller = collector_service();
    let run = run_in(dir.path(), "m.yaml", &mut caller, s, &["team=data"]);
    assert_eq!(actions(&run.out), vec!["collector=updated"]);
    let update = caller
        .calls
        .iter()
        .find(|c| c.verb == "update")
        .map(|c| c.params.clone())
        .unwrap_or(Value::Null);
    assert_eq!(update["tags"], json!({"team": "data"}));
    assert_eq!(update["collector_id"], json!("collector-1"));
}

#[test]
fn credentials_are_masked_in_failures_and_the_final_document() {
    let dir = tempdir();
    write(
        dir.path(),
        "m.yaml",
        r#"
var:
  db_pw: hunter22-secret
tasks:
  - name: Uses a password
    uses: "@modules/shell"
    spec: {run: "true", password: "${{ var.db_pw }}"}
  - name: Fails
    uses: "@modules/shell"
    spec: {run: "echo hunter22-secret; exit 3", password: "${{ var.db_pw }}"}
"#,
    );
    let mut s = settings();
    s.output = Output::Json;
    let run = run_in(dir.path(), "m.yaml", &mut FakeCaller::default(), s, &[]);
    let err = error_text(&run.result);
    assert!(!err.contains("hunter22"), "{err}");
    assert!(
        err.contains("Command exited with status 3: ******"),
        "{err}"
    );
    assert!(err.contains("\"password\": \"******\""), "{err}");

    write(
        dir.path(),
        "ok.yaml",
        "var:\n  db_pw: hunter22-secret\ntasks:\n  - name: A\n    uses: \"@modules/shell\"\n    spec: {run: \"true\", password: \"${{ var.db_pw }}\"}\n",
    );
    let mut s = settings();
    s.output = Output::Json;
    let run = run_in(dir.path(), "ok.yaml", &mut FakeCaller::default(), s, &[]);
    assert_eq!(error_text(&run.result), "no error");
    assert!(!run.out.contains("hunter22"), "{}", run.out);
    assert!(run.out.contains("\"db_pw\": \"******\""), "{}", run.out);
}

#[test]
fn dry_run_plans_mask_credentials() {
    let dir = tempdir();
    write(
        dir.path(),
        "m.yaml",
        r#"
tasks:
  - name: Secret
    uses: "@modules/resource"
    spec:
      resource_type: secret.Secret
      matches: [name]
      data: {name: cloud, data: {aws_access_key_id: AKIA1234, aws_secret_access_key: abcd-secret-9}}
"#,
    );
    let mut s = settings();
    s.dry_run = true;
    let run = run_in(dir.path(), "m.yaml", &mut FakeCaller::default(), s, &[]);
    assert_eq!(error_text(&run.result), "no error");
    assert!(
        !run.out.contains("abcd-secret-9") && !run.out.contains("AKIA1234"),
        "{}",
        run.out
    );
    assert!(
        run.out.contains(
            "\"data\": {\"aws_access_key_id\": \"******\", \"aws_secret_access_key\": \"******\"}"
        ),
        "{}",
        run.out
    );
}
