//! PyYAML-compatible emitter (placeholder until the emitter lands).
use serde_json::Value;
pub fn dump(v: &Value) -> String { format!("{v}\n") }
pub fn document(v: &Value) -> String {
    if v.as_object().is_some_and(|m| m.is_empty()) { return "\n".into(); }
    format!("---\n{}\n", dump(v))
}
