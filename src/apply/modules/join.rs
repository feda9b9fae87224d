//! `@modules/join`: `origin_data` joined with `other_data` on `join_keys`
//! (`how`: left by default, right, inner, outer, left_anti, right_anti), as
//! pandas' `merge` joins them (see [`crate::apply::frame`]); then, with
//! `output.columns`, each row reduced to those column rules, optionally with
//! the origin's columns (`output.append_origin_columns`: `location` LEFT or
//! RIGHT, `start`, `end` as a Python slice) before or after them.

use serde_json::{Map, Value};

use super::{Ctx, Outcome, require};
use crate::apply::frame::{Frame, How, merge};
use crate::apply::modules::resource::columns_of;
use crate::output::columns::extract_row;

/// The checked spec.
struct Spec {
    origin: Vec<Value>,
    other: Vec<Value>,
    keys: Vec<String>,
    how: How,
    columns: Option<Vec<String>>,
    origin_columns: Option<OriginColumns>,
}

#[derive(Debug, PartialEq)]
struct OriginColumns {
    left: bool,
    start: i64,
    end: Option<i64>,
}

fn rows(spec: &Map<String, Value>, key: &str) -> Result<Vec<Value>, String> {
    match spec.get(key) {
        Some(Value::Array(items)) => Ok(items.clone()),
        // an empty value (a planned task's `{}`, null) is no rows
        Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(m)) if m.is_empty() => Ok(Vec::new()),
        Some(other) => Err(format!(
            "Type error: {key} must be a list of mappings ({key} = {})",
            crate::apply::text::compact(other)
        )),
        None => Err(format!("Required key: {key}")),
    }
}

fn int_of(v: Option<&Value>, what: &str) -> Result<Option<i64>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.is_i64() => Ok(n.as_i64()),
        Some(other) => Err(format!(
            "Type error: {what} must be a whole number ({other})"
        )),
    }
}

fn parse(spec: &Map<String, Value>) -> Result<Spec, String> {
    require(spec, "origin_data")?;
    require(spec, "other_data")?;
    require(spec, "join_keys")?;
    let origin = rows(spec, "origin_data")?;
    let other = rows(spec, "other_data")?;
    let keys = match spec.get("join_keys") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        other => {
            return Err(format!(
                "Type error: join_keys must be a column name or a list of them (join_keys = {})",
                other.cloned().unwrap_or(Value::Null)
            ));
        }
    };
    let how = match spec.get("how") {
        None | Some(Value::Null) => How::Left,
        Some(Value::String(s)) => How::parse(s)?,
        Some(other) => return Err(format!("Type error: how must be text (how = {other})")),
    };
    let empty = Map::new();
    let output = match spec.get("output") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(other) => {
            return Err(format!(
                "Type error: output must be a mapping (output = {other})"
            ));
        }
    };
    let columns = match output.get("columns") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => Some(
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect::<Vec<String>>(),
        ),
        Some(other) => {
            return Err(format!(
                "Type error: output.columns must be a list of column rules (columns = {other})"
            ));
        }
    }
    .filter(|c| !c.is_empty());
    let origin_columns = match output.get("append_origin_columns") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => match m.get("location") {
            None | Some(Value::Null) => None,
            Some(Value::String(l)) if l == "LEFT" || l == "RIGHT" => Some(OriginColumns {
                left: l == "LEFT",
                start: int_of(m.get("start"), "append_origin_columns.start")?.unwrap_or(0),
                end: int_of(m.get("end"), "append_origin_columns.end")?.filter(|e| *e != 0),
            }),
            Some(other) => {
                return Err(format!(
                    "append_origin_columns.location is invalid: {other} (expected LEFT or RIGHT)"
                ));
            }
        },
        Some(other) => {
            return Err(format!(
                "Type error: output.append_origin_columns must be a mapping ({other})"
            ));
        }
    };
    Ok(Spec {
        origin,
        other,
        keys,
        how,
        columns,
        origin_columns,
    })
}

pub fn check(spec: &Map<String, Value>) -> Result<(), String> {
    parse(spec).map(|_| ())
}

/// Python's `items[start:end]`.
fn slice<T: Clone>(items: &[T], start: i64, end: Option<i64>) -> Vec<T> {
    let n = items.len() as i64;
    let fix = |i: i64| if i < 0 { (n + i).max(0) } else { i.min(n) };
    let (s, e) = (fix(start), fix(end.unwrap_or(n)));
    if s >= e {
        return Vec::new();
    }
    items[s as usize..e as usize].to_vec()
}

pub fn join(spec: &Map<String, Value>) -> Result<Vec<Value>, String> {
    let spec = parse(spec)?;
    let origin = Frame::from_records(&spec.origin, "origin_data")?;
    let other = Frame::from_records(&spec.other, "other_data")?;
    let frame = if origin.len > 0 && other.len > 0 {
        merge(&origin, &other, &spec.keys, spec.how)?
    } else {
        origin.clone()
    };
    let rows = frame.records();
    let Some(mut columns) = spec.columns else {
        return Ok(rows);
    };
    if let Some(oc) = &spec.origin_columns {
        let picked = slice(&origin.names(), oc.start, oc.end);
        columns = if oc.left {
            picked.into_iter().chain(columns).collect()
        } else {
            columns.into_iter().chain(picked).collect()
        };
    }
    let cols = columns_of(&columns, true);
    Ok(rows
        .iter()
        .map(|r| Value::Object(extract_row(r, &cols)))
        .collect())
}

pub fn run(spec: &Map<String, Value>, _ctx: &mut Ctx<'_>) -> Result<Outcome, String> {
    join(spec).map(|rows| Outcome::output(Value::Array(rows)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run_join(v: Value) -> Result<Value, String> {
        join(v.as_object().unwrap_or(&Map::new())).map(Value::Array)
    }

    #[test]
    fn python_slices() {
        let v = [1, 2, 3, 4];
        assert_eq!(slice(&v, 0, None), vec![1, 2, 3, 4]);
        assert_eq!(slice(&v, 1, Some(3)), vec![2, 3]);
        assert_eq!(slice(&v, -2, None), vec![3, 4]);
        assert_eq!(slice(&v, 0, Some(-1)), vec![1, 2, 3]);
        assert_eq!(slice(&v, 3, Some(1)), Vec::<i32>::new());
        assert_eq!(slice(&v, 9, None), Vec::<i32>::new());
    }

    #[test]
    fn columns_with_origin_columns() {
        let spec = json!({
            "origin_data": [{"id": 1, "name": "a", "tags": {"env": "prod"}}],
            "other_data": [{"id": 1, "cost": 2.5}],
            "join_keys": ["id"],
            "output": {"columns": ["cost|Cost", "tags.env|Env"],
                       "append_origin_columns": {"location": "LEFT", "start": 0, "end": 2}}
        });
        assert_eq!(
            run_join(spec),
            Ok(json!([{"id": 1, "name": "a", "Cost": 2.5, "Env": "prod"}]))
        );
        let spec = json!({
            "origin_data": [{"id": 1, "name": "a"}], "other_data": [], "join_keys": "id",
            "output": {"columns": ["name"], "append_origin_columns": {"location": "RIGHT", "start": -1}}
        });
        assert_eq!(run_join(spec), Ok(json!([{"name": "a", "name": "a"}])));
    }

    #[test]
    fn spec_errors() {
        let e = |v: Value| run_join(v).unwrap_err();
        assert_eq!(
            e(json!({"other_data": [], "join_keys": "a"})),
            "Required key: origin_data"
        );
        assert_eq!(
            e(json!({"origin_data": [], "other_data": []})),
            "Required key: join_keys"
        );
        assert_eq!(
            e(
                json!({"origin_data": [{"a": 1}], "other_data": [{"a": 1}], "join_keys": "a", "how": "cross"})
            ),
            "how = cross joins every row with every row and takes no join_keys; use left, right, inner or outer"
        );
        assert_eq!(
            e(json!({"origin_data": [{"a": 1}], "other_data": [{"b": 1}], "join_keys": "a"})),
            "join key 'a' is not a column of other_data"
        );
        assert_eq!(
            e(json!({"origin_data": "x", "other_data": [], "join_keys": "a"})),
            "Type error: origin_data must be a list of mappings (origin_data = \"x\")"
        );
    }
}
