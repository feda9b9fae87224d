//! The variable, environment and task-result stores of one `apply` run.

use serde_json::{Map, Value};

use super::template::Context;

/// Everything templates can see, plus the run counters.
#[derive(Debug, Default)]
pub struct Store {
    pub var: Map<String, Value>,
    pub env: Map<String, Value>,
    /// `tasks.<id>`: the record of the task with that id (a list of records for
    /// loop tasks).
    pub tasks: Map<String, Value>,
    /// Every task record, in execution order.
    pub results: Vec<Value>,
    pub success: u64,
    pub skip: u64,
}

impl Store {
    /// A store whose environment starts as the given process environment.
    pub fn new<I>(process_env: I) -> Self
    where
        I: IntoIterator<Item = (String, String)>,
    {
        let env = process_env
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        Store {
            env,
            ..Store::default()
        }
    }

    /// Template context for the current state.
    pub fn context(&self, item: Option<&Value>) -> Context {
        Context::new(&self.var, &self.env, &self.tasks, item)
    }

    /// Store a task record: under `tasks.<id>` (replacing, or appended to a list
    /// for loop iterations) and in the ordered results.
    pub fn record(&mut self, record: Value, id: Option<&str>, is_loop: bool) {
        if let Some(id) = id {
            if is_loop {
                match self.tasks.get_mut(id) {
                    Some(Value::Array(list)) => list.push(record.clone()),
                    _ => {
                        self.tasks
                            .insert(id.to_string(), Value::Array(vec![record.clone()]));
                    }
                }
            } else {
                self.tasks.insert(id.to_string(), record.clone());
            }
        }
        self.results.push(record);
    }

    /// The document printed by `-o json|yaml` at the end of a run.
    pub fn final_document(&self) -> Value {
        let mut doc = Map::new();
        doc.insert("var".into(), Value::Object(self.var.clone()));
        doc.insert("results".into(), Value::Array(self.results.clone()));
        doc.insert("success".into(), Value::from(self.success));
        doc.insert("skip".into(), Value::from(self.skip));
        Value::Object(doc)
    }
}

/// `dict.update`: top-level keys of `src` replace those of `dst`.
pub fn update(dst: &mut Map<String, Value>, src: &Map<String, Value>) {
    for (k, v) in src {
        dst.insert(k.clone(), v.clone());
    }
}

/// Parse `-e`/`-v` items `KEY=VALUE` (exactly one `=`, values stay strings).
pub fn parse_inputs(items: &[String]) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for item in items {
        let parts: Vec<&str> = item.split('=').collect();
        match parts.as_slice() {
            [k, v] => {
                out.insert((*k).to_string(), Value::String((*v).to_string()));
            }
            _ => {
                return Err(format!(
                    "Input parameter({item}) is invalid. (format: key=value)"
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn inputs_need_exactly_one_equals() {
        let ok = parse_inputs(&["a=1".into(), "b=".into(), "a=2".into()]);
        assert_eq!(
            ok,
            Ok(json!({"a": "2", "b": ""})
                .as_object()
                .cloned()
                .unwrap_or_default())
        );
        assert_eq!(
            parse_inputs(&["a=b=c".into()]),
            Err("Input parameter(a=b=c) is invalid. (format: key=value)".to_string())
        );
        assert_eq!(
            parse_inputs(&["novalue".into()]),
            Err("Input parameter(novalue) is invalid. (format: key=value)".to_string())
        );
    }

    #[test]
    fn records_replace_or_append() {
        let mut s = Store::new(vec![("HOME".to_string(), "/h".to_string())]);
        assert_eq!(s.env.get("HOME"), Some(&json!("/h")));
        s.record(json!({"id": "a", "n": 1}), Some("a"), false);
        s.record(json!({"id": "a", "n": 2}), Some("a"), false);
        s.record(json!({"id": "l", "n": 1}), Some("l"), true);
        s.record(json!({"id": "l", "n": 2}), Some("l"), true);
        s.record(json!({"id": null, "n": 3}), None, false);
        assert_eq!(s.tasks.get("a"), Some(&json!({"id": "a", "n": 2})));
        assert_eq!(
            s.tasks.get("l"),
            Some(&json!([{"id": "l", "n": 1}, {"id": "l", "n": 2}]))
        );
        assert_eq!(s.results.len(), 5);
    }

    #[test]
    fn final_document_shape() {
        let mut s = Store::default();
        s.var.insert("x".into(), json!("1"));
        s.success = 2;
        s.skip = 1;
        s.record(json!({"id": "t"}), Some("t"), false);
        assert_eq!(
            serde_json::to_string(&s.final_document()).unwrap_or_default(),
            r#"{"var":{"x":"1"},"results":[{"id":"t"}],"success":2,"skip":1}"#
        );
    }
}
