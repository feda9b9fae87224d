//! Acceptance test: the plugin-registration workflow against the real SpaceONE
//! 1.12 identity / repository / inventory services (`scripts/services.sh`), run
//! with our binary and with the Python reference spacectl of the services venv,
//! outputs compared step by step.
//!
//! The steps are data: `tests/data/workflow/steps.yaml` (its header explains
//! the fields). The test starts services of its own on free ports and stops
//! them at the end, or uses the running ones named by `SPACECTL_SERVICES_STATE`
//! (see `tests/common/services.rs`).
//!
//! The test is skipped (one visible line) when the services venv is not built,
//! unless `SPACECTL_REQUIRE_REFERENCE` is set: then the venv is built first.

mod common;
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::services::{Services, services_venv};
use regex::Regex;
use serde_json::{Map, Value};
use support::home::{Run, wait_bounded};
use yaml_rust2::{Yaml, YamlLoader};

/// Upper bound for one client call.
const CALL_TIMEOUT: Duration = Duration::from_secs(120);

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/workflow")
}

fn run_bounded(mut cmd: Command, limit: Duration) -> Run {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    wait_bounded(child, limit)
}

// ------------------------------------------------------------------ the services

/// The services used by the test and the reference client that matches them.
struct Stack {
    services: Services,
    reference: PathBuf,
}

impl Stack {
    /// `None` means "skip" (already reported).
    fn acquire() -> Option<Stack> {
        let services = Services::acquire("registration_workflow_matches_the_reference", false)?;
        let reference = services_venv().join("bin/spacectl");
        assert!(
            reference.is_file(),
            "the reference spacectl is missing: {}",
            reference.display()
        );
        Some(Stack {
            services,
            reference,
        })
    }

    fn home(&self) -> PathBuf {
        self.services.home()
    }

    fn domain_id(&self) -> String {
        self.services.domain_id.clone()
    }
}

// ------------------------------------------------------------------ steps

fn yaml_to_json(y: &Yaml) -> Value {
    match y {
        Yaml::Real(s) => s
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(s.clone())),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(items) => Value::Array(items.iter().map(yaml_to_json).collect()),
        Yaml::Hash(h) => {
            let mut m = Map::new();
            for (k, v) in h {
                let key = match yaml_to_json(k) {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                m.insert(key, yaml_to_json(v));
            }
            Value::Object(m)
        }
        _ => Value::Null,
    }
}

fn parse_yaml(text: &str) -> Result<Value, String> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| e.to_string())?;
    Ok(docs.first().map(yaml_to_json).unwrap_or(Value::Null))
}

fn load_yaml(text: &str) -> Option<Value> {
    parse_yaml(text).ok()
}

fn load_steps_file() -> Value {
    let path = data_dir().join("steps.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    parse_yaml(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compare {
    Text,
    Json,
    StructOrder,
}

#[derive(Debug)]
struct Step {
    name: String,
    args: Vec<String>,
    reference_args: Option<Vec<String>>,
    expect: Option<bool>,
    compare: Compare,
    capture: Vec<(String, String)>,
    config: Map<String, Value>,
    once: bool,
    once_check: Option<Vec<String>>,
    normalize: Vec<(Regex, String)>,
}

fn strings(v: Option<&Value>, what: &str) -> Option<Vec<String>> {
    let items = v?
        .as_array()
        .unwrap_or_else(|| panic!("{what}: not a list"));
    Some(
        items
            .iter()
            .map(|a| match a {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect(),
    )
}

fn rules(v: Option<&Value>, what: &str) -> Vec<(Regex, String)> {
    let Some(list) = v else { return Vec::new() };
    list.as_array()
        .unwrap_or_else(|| panic!("{what}: not a list"))
        .iter()
        .map(|pair| {
            let (Some(re), Some(rep)) = (
                pair.get(0).and_then(Value::as_str),
                pair.get(1).and_then(Value::as_str),
            ) else {
                panic!("{what}: each entry is [regex, replacement]: {pair}")
            };
            let re = Regex::new(re).unwrap_or_else(|e| panic!("{what}: bad regex {re}: {e}"));
            (re, rep.to_string())
        })
        .collect()
}

fn parse_step(v: &Value) -> Step {
    let name = v
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("a step without a name: {v}"))
        .to_string();
    let what = format!("step '{name}'");
    let args = strings(v.get("args"), &what).unwrap_or_else(|| panic!("{what}: no args"));
    let reference_args = strings(v.get("reference_args"), &what);
    assert!(
        reference_args.is_none() || v.get("deviation").and_then(Value::as_str).is_some(),
        "{what}: reference_args need a documented deviation"
    );
    let expect = match v.get("expect").and_then(Value::as_str) {
        None => None,
        Some("ok") => Some(true),
        Some("error") => Some(false),
        Some(other) => panic!("{what}: expect must be ok or error, not {other}"),
    };
    let compare = match v.get("compare").and_then(Value::as_str) {
        None | Some("text") => Compare::Text,
        Some("json") => Compare::Json,
        Some("struct_order") => Compare::StructOrder,
        Some(other) => panic!("{what}: unknown compare mode {other}"),
    };
    let capture = match v.get("capture") {
        None => Vec::new(),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, p)| (k.clone(), p.as_str().unwrap_or_default().to_string()))
            .collect(),
        Some(other) => panic!("{what}: capture must be a mapping: {other}"),
    };
    let config = match v.get("config") {
        None => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(other) => panic!("{what}: config must be a mapping: {other}"),
    };
    let once = v.get("once").and_then(Value::as_bool).unwrap_or(false);
    let once_check = strings(v.get("once_check"), &what);
    assert!(
        !once || once_check.is_some(),
        "{what}: once needs once_check"
    );
    Step {
        normalize: rules(v.get("normalize"), &what),
        name,
        args,
        reference_args,
        expect,
        compare,
        capture,
        config,
        once,
        once_check,
    }
}

// ------------------------------------------------------------------ runs

/// The two clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Ours,
    Reference,
}

impl Side {
    fn label(self) -> &'static str {
        match self {
            Side::Ours => "ours",
            Side::Reference => "reference",
        }
    }
}

/// How a call ended: `Ok(stdout)` or `Err(everything printed)`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Ok(String),
    Err(String),
}

impl Outcome {
    fn text(&self) -> &str {
        match self {
            Outcome::Ok(t) | Outcome::Err(t) => t,
        }
    }

    fn is_ok(&self) -> bool {
        matches!(self, Outcome::Ok(_))
    }

    fn map(&self, f: impl Fn(&str) -> String) -> Outcome {
        match self {
            Outcome::Ok(t) => Outcome::Ok(f(t)),
            Outcome::Err(t) => Outcome::Err(f(t)),
        }
    }
}

/// Our binary reports errors on stderr with a non-zero status; the reference
/// prints `ERROR: …` on stdout and exits 0 (usage and quiet errors go to
/// stderr with a non-zero status).
fn classify(side: Side, r: &Run) -> Outcome {
    let all = format!("{}{}", r.stdout, r.stderr);
    let failed = match side {
        Side::Ours => r.code != 0,
        Side::Reference => r.code != 0 || r.stdout.lines().any(|l| l.starts_with("ERROR:")),
    };
    if failed {
        Outcome::Err(all)
    } else {
        Outcome::Ok(r.stdout.clone())
    }
}

struct Runner<'a> {
    stack: &'a Stack,
    ours_bin: PathBuf,
    cache: tempfile::TempDir,
    work: tempfile::TempDir,
    uid_seed: String,
    vars: BTreeMap<String, String>,
    normalize: Vec<(Regex, String)>,
    placeholder: Regex,
}

impl<'a> Runner<'a> {
    fn uid(&self, side: Side) -> String {
        match side {
            Side::Ours => format!("rs{}", self.uid_seed),
            Side::Reference => format!("py{}", self.uid_seed),
        }
    }

    /// Fill `{name}` and `{file:NAME}` placeholders for one side.
    fn expand(&self, text: &str, side: Side, step: &str) -> String {
        let mut out = String::new();
        let mut last = 0;
        for c in self.placeholder.captures_iter(text) {
            let (Some(whole), Some(name)) = (c.get(0), c.get(1)) else {
                continue;
            };
            out.push_str(&text[last..whole.start()]);
            let value = match (name.as_str(), c.get(2)) {
                ("file", Some(file)) => self.render_file(file.as_str(), side, step),
                ("uid", None) => self.uid(side),
                (var, None) => self.vars.get(var).cloned().unwrap_or_else(|| {
                    panic!(
                        "step '{step}': {{{var}}} is not known (yet); known: {:?}",
                        self.vars.keys()
                    )
                }),
                (other, Some(_)) => panic!("step '{step}': unknown placeholder kind {other}"),
            };
            out.push_str(&value);
            last = whole.end();
        }
        out.push_str(&text[last..]);
        out
    }

    /// A copy of a data file with its placeholders filled in for one side.
    fn render_file(&self, name: &str, side: Side, step: &str) -> String {
        let text = std::fs::read_to_string(data_dir().join(name))
            .unwrap_or_else(|e| panic!("step '{step}': cannot read {name}: {e}"));
        let path = self.work.path().join(format!("{}-{name}", side.label()));
        std::fs::write(&path, self.expand(&text, side, step)).expect("write rendered input");
        path.display().to_string()
    }

    /// `$HOME` for a step: the recipe's, or a copy with configuration overrides.
    fn home_for(&self, step: &Step) -> PathBuf {
        if step.config.is_empty() {
            return self.stack.home();
        }
        let src = self.stack.home().join(".spaceone");
        let current =
            std::fs::read_to_string(src.join("environment.yml")).expect("environment.yml");
        let env_name = load_yaml(&current)
            .and_then(|v| {
                v.get("environment")
                    .and_then(Value::as_str)
                    .map(String::from)
            })
            .expect("current environment name");
        let env_text = std::fs::read_to_string(src.join(format!("environments/{env_name}.yml")))
            .expect("environment file");
        let mut env = match load_yaml(&env_text) {
            Some(Value::Object(m)) => m,
            _ => panic!("environment file is not a mapping"),
        };
        for (k, v) in &step.config {
            if v.is_null() {
                env.remove(k);
            } else {
                env.insert(k.clone(), v.clone());
            }
        }
        let home = self
            .work
            .path()
            .join(format!("home-{}", step.name.replace(' ', "-")));
        let dst = home.join(".spaceone");
        std::fs::create_dir_all(dst.join("environments")).expect("mkdir home");
        std::fs::write(dst.join("environment.yml"), current).expect("write environment.yml");
        // JSON is YAML: both clients read this file.
        std::fs::write(
            dst.join(format!("environments/{env_name}.yml")),
            serde_json::to_string_pretty(&Value::Object(env)).expect("json"),
        )
        .expect("write environment file");
        home
    }

    fn call(&self, side: Side, args: &[String], home: &Path) -> Outcome {
        let mut cmd = match side {
            Side::Ours => {
                let mut c = Command::new(&self.ours_bin);
                c.env("XDG_CACHE_HOME", self.cache.path());
                c
            }
            Side::Reference => {
                let mut c = Command::new(&self.stack.reference);
                c.env("PYTHONWARNINGS", "ignore");
                c
            }
        };
        cmd.args(args)
            .env("HOME", home)
            .env_remove("SPACECTL_DEFAULT_ENVIRONMENT")
            .env_remove("SPACECTL_DEBUG");
        classify(side, &run_bounded(cmd, CALL_TIMEOUT))
    }

    fn args_for(&self, step: &Step, side: Side) -> Vec<String> {
        let raw = match (side, &step.reference_args) {
            (Side::Reference, Some(r)) => r,
            _ => &step.args,
        };
        raw.iter()
            .map(|a| self.expand(a, side, &step.name))
            .collect()
    }

    fn normalized(&self, o: &Outcome, step: &Step) -> Outcome {
        o.map(|t| {
            let mut t = t
                .replace(&self.uid(Side::Ours), "<UID>")
                .replace(&self.uid(Side::Reference), "<UID>");
            for (re, rep) in self.normalize.iter().chain(step.normalize.iter()) {
                t = re.replace_all(&t, rep.as_str()).into_owned();
            }
            t
        })
    }

    fn capture(&mut self, step: &Step, ours: &Outcome) {
        if step.capture.is_empty() {
            return;
        }
        let Outcome::Ok(text) = ours else { return };
        let doc = json_docs(text)
            .and_then(|d| d.into_iter().next())
            .or_else(|| load_yaml(text));
        let Some(doc) = doc else {
            panic!(
                "step '{}': cannot read our output to capture from:\n{text}",
                step.name
            )
        };
        for (var, path) in &step.capture {
            match lookup(&doc, path) {
                Some(Value::String(s)) => {
                    self.vars.insert(var.clone(), s);
                }
                Some(other) => {
                    self.vars.insert(var.clone(), other.to_string());
                }
                None => panic!("step '{}': nothing at {path} in:\n{text}", step.name),
            }
        }
    }
}

fn json_docs(text: &str) -> Option<Vec<Value>> {
    serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .collect::<Result<Vec<_>, _>>()
        .ok()
}

/// A dotted path: keys, numeric indexes and `?key=value` list selections.
fn lookup(doc: &Value, path: &str) -> Option<Value> {
    let mut cur = doc;
    for seg in path.split('.') {
        cur = if let Some(cond) = seg.strip_prefix('?') {
            let (k, want) = cond.split_once('=')?;
            cur.as_array()?
                .iter()
                .find(|e| e.get(k).and_then(Value::as_str) == Some(want))?
        } else if let (Ok(i), Some(items)) = (seg.parse::<usize>(), cur.as_array()) {
            items.get(i)?
        } else {
            cur.get(seg)?
        };
    }
    Some(cur.clone())
}

/// Lines may differ only in the order of their characters (dict items whose
/// order the reference does not keep stable).
fn same_up_to_item_order(a: &str, b: &str) -> bool {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    la.len() == lb.len()
        && la.iter().zip(&lb).all(|(x, y)| {
            if x == y {
                return true;
            }
            let mut cx: Vec<char> = x.chars().collect();
            let mut cy: Vec<char> = y.chars().collect();
            cx.sort_unstable();
            cy.sort_unstable();
            cx == cy
        })
}

fn equal(mode: Compare, ours: &Outcome, reference: &Outcome) -> bool {
    if ours.is_ok() != reference.is_ok() {
        return false;
    }
    match (mode, ours) {
        (Compare::Json, Outcome::Ok(_)) => {
            match (json_docs(ours.text()), json_docs(reference.text())) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            }
        }
        (Compare::StructOrder, _) => same_up_to_item_order(ours.text(), reference.text()),
        _ => ours.text() == reference.text(),
    }
}

fn first_difference(a: &str, b: &str) -> String {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    for i in 0..la.len().max(lb.len()) {
        let (x, y) = (la.get(i), lb.get(i));
        if x != y {
            return format!(
                "first difference at line {}:\n  ours:      {:?}\n  reference: {:?}",
                i + 1,
                x.copied().unwrap_or("<end>"),
                y.copied().unwrap_or("<end>")
            );
        }
    }
    "the texts differ only in line endings".into()
}

fn describe(o: &Outcome) -> String {
    match o {
        Outcome::Ok(t) => format!("ok:\n{t}"),
        Outcome::Err(t) => format!("error:\n{t}"),
    }
}

/// Run one comparison; `Err(report)` on a difference.
fn compare_outcomes(
    runner: &Runner,
    step: &Step,
    what: &str,
    ours: &Outcome,
    reference: &Outcome,
) -> Result<(), String> {
    let (a, b) = (
        runner.normalized(ours, step),
        runner.normalized(reference, step),
    );
    if equal(step.compare, &a, &b) {
        return Ok(());
    }
    Err(format!(
        "step '{}' ({what}): outputs differ\n{}\n--- ours ({})\n--- reference ({})",
        step.name,
        first_difference(a.text(), b.text()),
        describe(&a),
        describe(&b)
    ))
}

fn is_read_only(step: &Step) -> bool {
    !step.once
        && matches!(
            step.args.first().map(String::as_str),
            Some("list" | "get" | "stat" | "analyze" | "api-resources")
        )
}

fn run_step(runner: &mut Runner, step: &Step) -> Result<(), String> {
    let home = runner.home_for(step);
    let ours_args = runner.args_for(step, Side::Ours);
    let ref_args = runner.args_for(step, Side::Reference);
    let mut ours = runner.call(Side::Ours, &ours_args, &home);

    if step.once {
        return run_once_step(runner, step, &home, &ours_args, &ref_args, ours);
    }

    let mut reference = runner.call(Side::Reference, &ref_args, &home);
    let mut result = compare_outcomes(runner, step, "both clients", &ours, &reference);
    if result.is_err() && is_read_only(step) {
        eprintln!("  outputs differ; running both once more");
        ours = runner.call(Side::Ours, &ours_args, &home);
        reference = runner.call(Side::Reference, &ref_args, &home);
        result = compare_outcomes(runner, step, "both clients, second try", &ours, &reference);
    }
    result?;
    if let Some(want_ok) = step.expect
        && ours.is_ok() != want_ok
    {
        return Err(format!(
            "step '{}': expected {}, both clients gave {}",
            step.name,
            if want_ok { "success" } else { "an error" },
            describe(&ours)
        ));
    }
    runner.capture(step, &ours);
    Ok(())
}

/// A call the services accept once per deployment.
fn run_once_step(
    runner: &mut Runner,
    step: &Step,
    home: &Path,
    ours_args: &[String],
    ref_args: &[String],
    ours: Outcome,
) -> Result<(), String> {
    if ours.is_ok() {
        eprintln!("  ours succeeded; checking the result with the reference");
        runner.capture(step, &ours);
        let check: Vec<String> = step
            .once_check
            .iter()
            .flatten()
            .map(|a| runner.expand(a, Side::Reference, &step.name))
            .collect();
        let reference = runner.call(Side::Reference, &check, home);
        compare_outcomes(
            runner,
            step,
            "our result vs the reference's check",
            &ours,
            &reference,
        )?;
        let reference = runner.call(Side::Reference, ref_args, home);
        let ours = runner.call(Side::Ours, ours_args, home);
        if reference.is_ok() || ours.is_ok() {
            return Err(format!(
                "step '{}': repeating a once-only call succeeded\n--- ours ({})\n--- reference ({})",
                step.name,
                describe(&ours),
                describe(&reference)
            ));
        }
        compare_outcomes(runner, step, "repeated call", &ours, &reference)
    } else {
        eprintln!("  already done on this deployment; comparing the refusal");
        let reference = runner.call(Side::Reference, ref_args, home);
        compare_outcomes(runner, step, "refusal", &ours, &reference)
    }
}

#[test]
fn registration_workflow_matches_the_reference() {
    let Some(stack) = Stack::acquire() else {
        return;
    };
    let doc = load_steps_file();
    let steps: Vec<Step> = doc
        .get("steps")
        .and_then(Value::as_array)
        .expect("steps: a list")
        .iter()
        .map(parse_step)
        .collect();

    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let seed = format!(
        "{:08x}",
        (nanos as u64 ^ u64::from(std::process::id())) & 0xffff_ffff
    );
    let mut vars = BTreeMap::new();
    vars.insert("domain_id".to_string(), stack.domain_id());
    vars.insert("run".to_string(), seed.clone());
    let mut runner = Runner {
        stack: &stack,
        ours_bin: PathBuf::from(env!("CARGO_BIN_EXE_spacectl")),
        cache: tempfile::tempdir().expect("tempdir"),
        work: tempfile::tempdir().expect("tempdir"),
        uid_seed: seed,
        vars,
        normalize: rules(doc.get("normalize"), "normalize"),
        placeholder: Regex::new(r"\{([a-z_]+)(?::([^{}]+))?\}").expect("regex"),
    };

    let mut failures = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        eprintln!("[{}/{}] {}", i + 1, steps.len(), step.name);
        if let Err(report) = run_step(&mut runner, step) {
            eprintln!("  FAILED");
            failures.push(report);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} workflow steps differ from the reference:\n\n{}",
        failures.len(),
        steps.len(),
        failures.join("\n\n")
    );
}

#[cfg(test)]
mod harness {
    use super::*;
    use serde_json::json;

    #[test]
    fn lookup_paths() {
        let doc = json!({"results": [
            {"repository_type": "remote", "repository_id": "repo-1"},
            {"repository_type": "local", "repository_id": "repo-2", "tags": ["a", "b"]}
        ]});
        assert_eq!(
            lookup(&doc, "results.?repository_type=local.repository_id"),
            Some(json!("repo-2"))
        );
        assert_eq!(lookup(&doc, "results.1.tags.0"), Some(json!("a")));
        assert_eq!(lookup(&doc, "results.?repository_type=none.x"), None);
        assert_eq!(lookup(&doc, "results.5"), None);
    }

    #[test]
    fn item_order_comparison() {
        assert!(same_up_to_item_order(
            " a | {'x': 1, 'y': 2}\n",
            " a | {'y': 2, 'x': 1}\n"
        ));
        assert!(!same_up_to_item_order(" a | {'x': 1}\n", " a | {'x': 2}\n"));
        assert!(!same_up_to_item_order("a\nb\n", "a\n"));
    }

    #[test]
    fn classification() {
        let run = |code, out: &str, err: &str| Run {
            code,
            stdout: out.into(),
            stderr: err.into(),
        };
        assert_eq!(
            classify(Side::Reference, &run(0, "ERROR: Value not found.\n\n", "")),
            Outcome::Err("ERROR: Value not found.\n\n".into())
        );
        assert_eq!(
            classify(Side::Ours, &run(1, "", "ERROR: Value not found.\n\n")),
            Outcome::Err("ERROR: Value not found.\n\n".into())
        );
        assert_eq!(
            classify(Side::Ours, &run(0, "NO DATA\n", "")),
            Outcome::Ok("NO DATA\n".into())
        );
    }

    #[test]
    fn the_steps_file_parses() {
        let doc = load_steps_file();
        let steps: Vec<Step> = doc["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .map(parse_step)
            .collect();
        assert!(steps.len() >= 10);
        assert!(steps.iter().any(|s| s.once));
        assert_eq!(rules(doc.get("normalize"), "normalize").len(), 2);
    }
}
