//! Manifest files: loading (with imports), store seeding and task validation.
//!
//! Everything is checked before the first task runs: task keys, `uses`, the
//! shape of `sub_tasks`, literal module specs, and import cycles.

use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};

use crate::output::pyrepr::py_truthy;

use super::modules::Module;
use super::store::{Store, update};
use super::template::value_has_template;
use super::text::pretty;

/// Keys a task may have.
pub const TASK_KEYS: &[&str] = &[
    "id",
    "name",
    "uses",
    "spec",
    "var",
    "if",
    "loop",
    "sub_tasks",
    "debug",
];

/// Deepest chain of imports followed (paths that differ but lead to the same files,
/// e.g. through a `sub -> .` link, are not a cycle by name).
pub const MAX_IMPORT_DEPTH: usize = 64;

/// One validated task.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// Display name (may contain `${{ }}`): `name`, else `id`, else a generated id.
    pub name: String,
    pub id: Option<String>,
    /// The module to run; `None` for a group of `sub_tasks`.
    pub module: Option<Module>,
    /// `spec` as written (`Null` when absent).
    pub spec: Value,
    pub var: Option<Value>,
    pub cond: Option<Value>,
    pub looped: Option<Value>,
    pub sub_tasks: Vec<Task>,
    pub debug: bool,
}

/// Reads a file's text; `Err` carries the reason.
pub type Reader<'a> = dyn FnMut(&Path) -> Result<String, String> + 'a;

/// Parses YAML text; `Ok(None)` for an empty document.
pub type Parser<'a> = dyn Fn(&str) -> Result<Option<Value>, String> + 'a;

/// Load `path` and its imports (depth first, before the importing file's own
/// `var`/`env`), merge `var`/`env` into the store, and return all tasks in order.
pub fn load(
    path: &Path,
    store: &mut Store,
    read: &mut Reader<'_>,
    parse: &Parser<'_>,
) -> Result<Vec<Task>, String> {
    let mut tasks = Vec::new();
    let mut stack = Vec::new();
    let mut counter = 0usize;
    load_into(
        path,
        store,
        read,
        parse,
        &mut stack,
        &mut tasks,
        &mut counter,
    )?;
    Ok(tasks)
}

fn load_into(
    path: &Path,
    store: &mut Store,
    read: &mut Reader<'_>,
    parse: &Parser<'_>,
    stack: &mut Vec<PathBuf>,
    tasks: &mut Vec<Task>,
    counter: &mut usize,
) -> Result<(), String> {
    let key = normalize(path);
    if stack.len() >= MAX_IMPORT_DEPTH {
        return Err(format!(
            "Imports are nested deeper than {MAX_IMPORT_DEPTH} files. (file = {})",
            path.display()
        ));
    }
    if stack.contains(&key) {
        let chain: Vec<String> = stack
            .iter()
            .chain(std::iter::once(&key))
            .map(|p| p.display().to_string())
            .collect();
        return Err(format!("Import cycle: {}", chain.join(" -> ")));
    }
    let shown = path.display().to_string();
    let text = read(path).map_err(|e| format!("YAML Load Error: {shown} ({e})"))?;
    let doc = parse(&text).map_err(|e| format!("YAML Load Error: {shown} ({e})"))?;
    let doc = match doc {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m,
        Some(_) => {
            return Err(format!(
                "Manifest format is invalid: the top level must be a mapping. (file = {shown})"
            ));
        }
    };
    for key in doc.keys() {
        if !["import", "var", "env", "tasks"].contains(&key.as_str()) {
            return Err(format!(
                "Manifest format is invalid: unknown key '{key}' (expected import, var, env, tasks). (file = {shown})"
            ));
        }
    }

    stack.push(key);
    if let Some(imports) = doc.get("import").filter(|v| !v.is_null()) {
        let list = imports.as_array().ok_or_else(|| {
            format!(
                "Manifest format is invalid: 'import' must be a list of paths. (file = {shown})"
            )
        })?;
        let base = path.parent().unwrap_or_else(|| Path::new(""));
        for item in list {
            let rel = item.as_str().ok_or_else(|| {
                format!("Manifest format is invalid: import entry {item} is not a path. (file = {shown})")
            })?;
            load_into(&base.join(rel), store, read, parse, stack, tasks, counter)?;
        }
    }
    stack.pop();

    for section in ["var", "env"] {
        match doc.get(section) {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                let target = if section == "var" {
                    &mut store.var
                } else {
                    &mut store.env
                };
                update(target, m);
            }
            Some(_) => {
                return Err(format!(
                    "Manifest format is invalid: '{section}' must be a mapping. (file = {shown})"
                ));
            }
        }
    }

    match doc.get("tasks") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            for t in list {
                tasks.push(check_task(t, counter)?);
            }
        }
        Some(_) => {
            return Err(format!(
                "Manifest format is invalid: 'tasks' must be a list. (file = {shown})"
            ));
        }
    }
    Ok(())
}

/// Validate one task (recursively) with upstream's messages.
pub fn check_task(raw: &Value, counter: &mut usize) -> Result<Task, String> {
    let task_json = format!(">> Task: {}", pretty(raw));
    let map = match raw {
        Value::Object(m) => m,
        _ => return Err(format!("Task format is invalid.\n{task_json}")),
    };
    let unknown: Vec<&str> = map
        .keys()
        .map(String::as_str)
        .filter(|k| !TASK_KEYS.contains(k))
        .collect();
    if !unknown.is_empty() {
        return Err(format!("Unknown keys: {}\n{task_json}", py_list(&unknown)));
    }
    let uses = map.get("uses").filter(|v| py_truthy(v));
    let sub_tasks = map.get("sub_tasks").filter(|v| py_truthy(v));
    if uses.is_none() && sub_tasks.is_none() {
        return Err(format!("Required keys: uses or sub_tasks\n{task_json}"));
    }

    *counter += 1;
    let id = match map.get("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(scalar_text(other)),
    };
    let name = match map.get("name").filter(|v| py_truthy(v)) {
        Some(v) => scalar_text(v),
        None => match &id {
            Some(id) if !id.is_empty() => id.clone(),
            _ => format!("task-{}", generated_suffix(*counter)),
        },
    };

    if uses.is_some() && sub_tasks.is_some() {
        return Err(format!(
            "[{name}] A task has either uses or sub_tasks, not both\n{task_json}"
        ));
    }

    let mut children = Vec::new();
    if let Some(sub) = sub_tasks {
        let list = sub
            .as_array()
            .ok_or_else(|| format!("Type error: sub_tasks(list)\n{task_json}"))?;
        for child in list {
            children.push(check_task(child, counter)?);
        }
    }

    let module = match uses {
        Some(Value::String(s)) => Some(Module::from_uses(s).map_err(|e| format!("[{name}] {e}"))?),
        Some(other) => return Err(format!("[{name}] Module Load Error: uses = {other}")),
        None => None,
    };

    let spec = map.get("spec").cloned().unwrap_or(Value::Null);
    if let Some(module) = module {
        match &spec {
            Value::Null | Value::Object(_) => {}
            Value::String(s) if value_has_template(&Value::String(s.clone())) => {}
            _ => return Err(format!("[{name}] Type error: spec(dict)\n{task_json}")),
        }
        if !value_has_template(&spec) {
            let empty = Map::new();
            let spec_map = spec.as_object().unwrap_or(&empty);
            module
                .check_spec(spec_map, &name)
                .map_err(|e| format!("[{name}] {e}"))?;
        }
    }

    Ok(Task {
        name,
        id,
        module,
        spec,
        var: map.get("var").cloned().filter(|v| !v.is_null()),
        cond: map.get("if").cloned(),
        looped: map.get("loop").cloned(),
        sub_tasks: children,
        debug: map.get("debug").is_some_and(py_truthy),
    })
}

/// Text of a scalar as a user would write it (`abc`, `12`, `true`).
pub fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Python's repr of a list of strings: `['a', 'b']`.
fn py_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|s| {
            if s.contains('\'') && !s.contains('"') {
                format!("\"{s}\"")
            } else {
                format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
            }
        })
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// A 12-hex-digit suffix for generated task names, unique within a run.
fn generated_suffix(counter: usize) -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::BuildHasher;
    let h = RandomState::new().hash_one(counter);
    format!("{:012x}", h & 0xffff_ffff_ffff)
}

/// Lexically normalised path (no `.`; `..` folded where possible), for cycle checks.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::HashMap;

    fn parse_json(text: &str) -> Result<Option<Value>, String> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        serde_json::from_str(text)
            .map(Some)
            .map_err(|e| e.to_string())
    }

    fn load_files(files: &[(&str, Value)], root: &str) -> (Result<Vec<Task>, String>, Store) {
        let map: HashMap<PathBuf, String> = files
            .iter()
            .map(|(p, v)| (PathBuf::from(p), v.to_string()))
            .collect();
        let mut read = |p: &Path| {
            map.get(&normalize(p))
                .cloned()
                .ok_or_else(|| "No such file or directory".to_string())
        };
        let mut store = Store::default();
        let r = load(Path::new(root), &mut store, &mut read, &parse_json);
        (r, store)
    }

    fn check(v: Value) -> Result<Task, String> {
        check_task(&v, &mut 0)
    }

    #[test]
    fn unknown_keys_message() {
        assert_eq!(
            check(json!({"name": "x", "foo": 1, "uses": "@modules/print"})),
            Err("Unknown keys: ['foo']\n>> Task: {\n    \"name\": \"x\",\n    \"foo\": 1,\n    \"uses\": \"@modules/print\"\n}".to_string())
        );
    }

    #[test]
    fn required_and_type_messages() {
        assert_eq!(
            check(json!({"name": "x"})),
            Err("Required keys: uses or sub_tasks\n>> Task: {\n    \"name\": \"x\"\n}".to_string())
        );
        assert_eq!(
            check(json!(1)),
            Err("Task format is invalid.\n>> Task: 1".to_string())
        );
        assert_eq!(
            check(json!({"sub_tasks": "nope"})),
            Err(
                "Type error: sub_tasks(list)\n>> Task: {\n    \"sub_tasks\": \"nope\"\n}"
                    .to_string()
            )
        );
    }

    #[test]
    fn module_messages() {
        assert_eq!(
            check(json!({"name": "x", "uses": "@modules/nope"})),
            Err("[x] Not found module: uses = nope".to_string())
        );
        assert_eq!(
            check(json!({"name": "x", "uses": "git/x"})),
            Err("[x] Module Load Error: external modules are not currently supported.".to_string())
        );
        assert_eq!(
            check(json!({"id": "y", "uses": "shell"})),
            Err("[y] Module Load Error: uses = shell".to_string())
        );
        // an export module's literal spec is checked at load time
        let e = check(json!({"name": "x", "uses": "@modules/export-s3", "spec": {"bucket": "b"}}))
            .unwrap_err();
        assert_eq!(e, "[x] Required key: aws_access_key_id");
    }

    #[test]
    fn literal_specs_are_checked_at_load_time() {
        let e = check(json!({"name": "s", "uses": "@modules/shell", "spec": {}})).unwrap_err();
        assert_eq!(e, "[s] Required key: run");
        let e = check(json!({"name": "s", "uses": "@modules/shell", "spec": [1]})).unwrap_err();
        assert!(e.starts_with("[s] Type error: spec(dict)"), "{e}");
        // templated specs are checked when the task runs
        assert!(
            check(json!({"name": "s", "uses": "@modules/shell", "spec": "${{ var.s | to_data }}"}))
                .is_ok()
        );
    }

    #[test]
    fn names_default_to_id_then_generated() {
        let t =
            check(json!({"id": "a", "uses": "@modules/date"})).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.name, "a");
        assert_eq!(t.module, Some(Module::Date));
        let t = check(json!({"uses": "@modules/date"})).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            t.name.starts_with("task-") && t.name.len() == 17,
            "{}",
            t.name
        );
    }

    #[test]
    fn sub_tasks_are_checked_recursively() {
        let e = check(
            json!({"name": "g", "sub_tasks": [{"name": "c", "bad": 1, "uses": "@modules/date"}]}),
        )
        .unwrap_err();
        assert!(e.starts_with("Unknown keys: ['bad']"), "{e}");
        let t = check(json!({"name": "g", "sub_tasks": [{"name": "c", "uses": "@modules/date"}]}))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.sub_tasks.len(), 1);
        assert_eq!(t.module, None);
    }

    #[test]
    fn both_uses_and_sub_tasks_is_rejected() {
        let e = check(
            json!({"name": "g", "uses": "@modules/date", "sub_tasks": [{"uses": "@modules/date"}]}),
        )
        .unwrap_err();
        assert!(
            e.starts_with("[g] A task has either uses or sub_tasks, not both"),
            "{e}"
        );
    }

    #[test]
    fn imports_load_first_and_relative() {
        let files = [
            (
                "m/main.yaml",
                json!({"import": ["lib/common.yaml"], "var": {"a": "main", "b": "main"},
                       "tasks": [{"name": "main-task", "uses": "@modules/date"}]}),
            ),
            (
                "m/lib/common.yaml",
                json!({"var": {"a": "common", "c": "common"}, "env": {"E": "1"},
                       "tasks": [{"name": "common-task", "uses": "@modules/date"}]}),
            ),
        ];
        let (r, store) = load_files(&files, "m/main.yaml");
        let names: Vec<String> = r
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(names, vec!["common-task", "main-task"]);
        assert_eq!(
            Value::Object(store.var),
            json!({"a": "main", "c": "common", "b": "main"})
        );
        assert_eq!(store.env.get("E"), Some(&json!("1")));
    }

    #[test]
    fn import_cycles_are_detected() {
        let files = [
            ("a.yaml", json!({"import": ["./sub/b.yaml"]})),
            ("sub/b.yaml", json!({"import": ["../a.yaml"]})),
        ];
        let (r, _) = load_files(&files, "a.yaml");
        assert_eq!(
            r,
            Err("Import cycle: a.yaml -> sub/b.yaml -> a.yaml".to_string())
        );
    }

    #[test]
    fn import_depth_is_bounded() {
        // Every path finds the same file, as behind a `sub -> .` link.
        let mut read = |_: &Path| Ok("import: [sub/m.yaml]\n".to_string());
        let parse = |text: &str| crate::request::yaml11::load(text);
        let mut store = Store::new(Vec::<(String, String)>::new());
        let r = load(Path::new("m.yaml"), &mut store, &mut read, &parse);
        let deepest = format!("{}m.yaml", "sub/".repeat(MAX_IMPORT_DEPTH));
        assert_eq!(
            r,
            Err(format!(
                "Imports are nested deeper than {MAX_IMPORT_DEPTH} files. (file = {deepest})"
            ))
        );
    }

    #[test]
    fn the_same_file_may_be_imported_twice() {
        let files = [
            ("a.yaml", json!({"import": ["c.yaml", "c.yaml"]})),
            ("c.yaml", json!({"tasks": [{"uses": "@modules/date"}]})),
        ];
        let (r, _) = load_files(&files, "a.yaml");
        assert_eq!(r.map(|t| t.len()), Ok(2));
    }

    #[test]
    fn file_errors() {
        let (r, _) = load_files(&[], "nonexist.yaml");
        assert_eq!(
            r,
            Err("YAML Load Error: nonexist.yaml (No such file or directory)".to_string())
        );
        let (r, _) = load_files(&[("l.yaml", json!([1]))], "l.yaml");
        assert_eq!(
            r,
            Err(
                "Manifest format is invalid: the top level must be a mapping. (file = l.yaml)"
                    .to_string()
            )
        );
        let (r, _) = load_files(&[("k.yaml", json!({"taks": []}))], "k.yaml");
        assert_eq!(
            r,
            Err("Manifest format is invalid: unknown key 'taks' (expected import, var, env, tasks). (file = k.yaml)".to_string())
        );
        let (r, _) = load_files(&[("e.yaml", Value::Null)], "e.yaml");
        assert_eq!(r, Ok(vec![]));
    }

    #[test]
    fn python_list_repr() {
        assert_eq!(py_list(&["a", "b'c"]), "['a', \"b'c\"]");
    }
}
