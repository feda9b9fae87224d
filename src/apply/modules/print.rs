//! `@modules/print`: print `spec.data` (json by default, or yaml, table, csv,
//! quiet) followed by an empty line, or save it to `spec.path`.

use std::path::PathBuf;

use serde_json::{Map, Value};

use super::{Ctx, Outcome, require};

use crate::output::render::{Format, render};

pub fn check(spec: &Map<String, Value>) -> Result<(), String> {
    require(spec, "data")?;
    format_of(spec)?;
    match spec.get("path") {
        None | Some(Value::Null) | Some(Value::String(_)) => Ok(()),
        Some(Value::Array(parts)) if !parts.is_empty() && parts.iter().all(Value::is_string) => {
            Ok(())
        }
        Some(other) => Err(format!(
            "Type error: path must be a string or a list of strings (path = {other})"
        )),
    }
}

fn format_of(spec: &Map<String, Value>) -> Result<Format, String> {
    match spec.get("output") {
        None | Some(Value::Null) => Ok(Format::Json),
        Some(Value::String(s)) => match s.as_str() {
            "json" => Ok(Format::Json),
            "yaml" => Ok(Format::Yaml),
            "table" => Ok(Format::Table),
            "csv" => Ok(Format::Csv),
            "quiet" => Ok(Format::Quiet),
            other => Err(format!(
                "Output format is invalid: {other} (expected json, yaml, table, csv or quiet)"
            )),
        },
        Some(other) => Err(format!(
            "Output format is invalid: {other} (expected json, yaml, table, csv or quiet)"
        )),
    }
}

pub fn run(spec: &Map<String, Value>, ctx: &mut Ctx<'_>) -> Result<Outcome, String> {
    check(spec)?;
    let fmt = format_of(spec)?;
    let data = spec.get("data").cloned().unwrap_or(Value::Null);
    match target_path(spec.get("path")) {
        None => {
            let text = render_data(&data, fmt)?;
            ctx.show(&format!("{text}\n"))?;
        }
        Some(path) => {
            let shown = path.display().to_string();
            if ctx.dry_run {
                ctx.show(&format!("DRY-RUN save data to file: {shown}\n\n"))?;
            } else {
                let text = file_text(&data, fmt)?;
                ctx.show(&format!("Save data to file: {shown}\n\n"))?;
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| format!("cannot create directory {}: {e}", dir.display()))?;
                }
                std::fs::write(&path, text).map_err(|e| format!("cannot write {shown}: {e}"))?;
            }
        }
    }
    Ok(Outcome::output(Value::Object(Map::new())))
}

/// `path` as a string, or a list of segments joined with `/` (slashes inside the
/// last segment are dropped, as upstream does).
pub fn target_path(path: Option<&Value>) -> Option<PathBuf> {
    match path? {
        Value::String(s) if !s.is_empty() => Some(PathBuf::from(s)),
        Value::Array(parts) => {
            let parts: Vec<&str> = parts.iter().filter_map(Value::as_str).collect();
            let (last, dirs) = parts.split_last()?;
            let mut p = PathBuf::from(dirs.join("/"));
            p.push(last.replace('/', ""));
            Some(p)
        }
        _ => None,
    }
}

/// The printed form of the data: lists are rows for table/csv/quiet.
pub fn render_data(data: &Value, fmt: Format) -> Result<String, String> {
    let doc = match (data, fmt) {
        (Value::Array(_), Format::Table | Format::Csv | Format::Quiet) => {
            let mut m = Map::new();
            m.insert("results".into(), data.clone());
            Value::Object(m)
        }
        _ => data.clone(),
    };
    render(&doc, fmt).map_err(|e| e.to_string())
}

/// The saved form, as upstream writes files: yaml, csv for a list of rows, and
/// JSON for everything else (json, table, quiet, and csv of a non-list). A list
/// becomes `{results: [...]}` in yaml and JSON.
fn file_text(data: &Value, fmt: Format) -> Result<String, String> {
    match (fmt, data) {
        // files get Unix line endings
        (Format::Csv, Value::Array(_)) => render_data(data, fmt).map(|t| t.replace("\r\n", "\n")),
        _ => {
            let doc = match data {
                Value::Array(_) => {
                    let mut m = Map::new();
                    m.insert("results".into(), data.clone());
                    Value::Object(m)
                }
                other => other.clone(),
            };
            Ok(if fmt == Format::Yaml {
                crate::output::yaml::dump(&doc)
            } else {
                crate::output::json::document(&doc)
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn path_forms() {
        assert_eq!(
            target_path(Some(&json!("out/a.json"))),
            Some(PathBuf::from("out/a.json"))
        );
        assert_eq!(
            target_path(Some(&json!(["out", "sub", "x/y.csv"]))),
            Some(PathBuf::from("out/sub/xy.csv"))
        );
        assert_eq!(
            target_path(Some(&json!(["f.csv"]))),
            Some(PathBuf::from("f.csv"))
        );
        assert_eq!(target_path(None), None);
    }

    #[test]
    fn spec_checks() {
        let m = |v: Value| v.as_object().cloned().unwrap_or_default();
        assert_eq!(check(&Map::new()), Err("Required key: data".to_string()));
        assert_eq!(
            check(&m(json!({"data": 1, "output": "xml"}))),
            Err(
                "Output format is invalid: xml (expected json, yaml, table, csv or quiet)"
                    .to_string()
            )
        );
        assert!(check(&m(json!({"data": 1, "path": 3}))).is_err());
        assert!(check(&m(json!({"data": 1, "path": ["a", "b"]}))).is_ok());
    }

    #[test]
    fn renders_rows() {
        let rows = json!([{"a": 1, "b": "x"}, {"a": 2.5, "b": "y,z"}]);
        assert_eq!(
            render_data(&rows, Format::Table),
            Ok("   a | b\n-----+-----\n 1   | x\n 2.5 | y,z\n".to_string())
        );
        assert_eq!(
            render_data(&rows, Format::Csv),
            Ok("a,b\r\n1,x\r\n2.5,\"y,z\"\r\n".to_string())
        );
        assert_eq!(
            file_text(&rows, Format::Csv),
            Ok("a,b\n1,x\n2.5,\"y,z\"\n".to_string())
        );
        assert_eq!(
            file_text(&rows, Format::Json),
            Ok("{\n    \"results\": [\n        {\n            \"a\": 1,\n            \"b\": \"x\"\n        },\n        {\n            \"a\": 2.5,\n            \"b\": \"y,z\"\n        }\n    ]\n}\n".to_string())
        );
        // only rows are saved as csv; other data, and table/quiet output, as JSON
        assert_eq!(
            file_text(&json!({"k": "v"}), Format::Csv),
            Ok("{\n    \"k\": \"v\"\n}\n".to_string())
        );
        assert_eq!(
            file_text(&json!([{"a": 1}]), Format::Table),
            file_text(&json!([{"a": 1}]), Format::Json)
        );
        assert_eq!(
            render_data(&json!({"a": 1}), Format::Table),
            Ok("---\na: 1\n\n".to_string())
        );
    }

    #[test]
    fn renders_json_and_yaml() {
        assert_eq!(
            render_data(&json!({"a": [1]}), Format::Json),
            Ok("{\n    \"a\": [\n        1\n    ]\n}\n".to_string())
        );
        assert_eq!(
            render_data(&json!({"b": 1, "a": "x"}), Format::Yaml),
            Ok("---\na: x\nb: 1\n\n".to_string())
        );
        assert_eq!(render_data(&json!({}), Format::Json), Ok("\n".to_string()));
    }
}
