//! JSON as task messages show it: indented documents and one-line specs.

use serde_json::Value;

/// JSON with 4-space indentation, as used in task messages.
pub fn pretty(v: &Value) -> String {
    crate::output::json::dumps(v)
}

/// One-line JSON with Python's default separators (`{"a": 1, "b": [2, 3]}`).
pub fn compact(v: &Value) -> String {
    match v {
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(compact).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), compact(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Number(n) => crate::output::pyrepr::number_str(n),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compact_json() {
        assert_eq!(
            compact(
                &json!({"run": "echo \"x\"", "n": [1, 2.5, 5.0], "m": {}, "t": true, "z": null})
            ),
            r#"{"run": "echo \"x\"", "n": [1, 2.5, 5.0], "m": {}, "t": true, "z": null}"#
        );
        assert_eq!(pretty(&json!({})), "{}");
    }
}
