//! `@modules/concat`: the previous output stored under this task's id followed by
//! `spec.data` (a list). Used in loops to accumulate rows.

use serde_json::{Map, Value};

use super::{Ctx, Outcome, require};

pub fn check(spec: &Map<String, Value>) -> Result<(), String> {
    require(spec, "data")?;
    match spec.get("data") {
        Some(Value::Array(_)) => Ok(()),
        _ => Err("Type error: data(list)".into()),
    }
}

pub fn run(spec: &Map<String, Value>, ctx: &mut Ctx<'_>) -> Result<Outcome, String> {
    check(spec)?;
    let data = spec
        .get("data")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    concat(ctx.previous.as_ref(), data).map(|v| Outcome::output(Value::Array(v)))
}

/// Previous output (a list, or nothing) followed by the new rows.
pub fn concat(previous: Option<&Value>, data: Vec<Value>) -> Result<Vec<Value>, String> {
    let mut out = match previous {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(Value::Object(m)) if m.is_empty() => Vec::new(),
        Some(other) => {
            return Err(format!(
                "The previous output of this task id is not a list: {other}"
            ));
        }
    };
    out.extend(data);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn appends() {
        assert_eq!(concat(None, vec![json!(1)]), Ok(vec![json!(1)]));
        assert_eq!(
            concat(Some(&json!([{"a": 1}])), vec![json!({"a": 2})]),
            Ok(vec![json!({"a": 1}), json!({"a": 2})])
        );
        assert_eq!(
            concat(Some(&json!("x")), vec![]),
            Err("The previous output of this task id is not a list: \"x\"".to_string())
        );
    }

    #[test]
    fn spec_checks() {
        assert_eq!(check(&Map::new()), Err("Required key: data".to_string()));
        let spec = json!({"data": {"a": 1}});
        assert_eq!(
            check(spec.as_object().unwrap_or(&Map::new())),
            Err("Type error: data(list)".to_string())
        );
    }
}
