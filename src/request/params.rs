//! Request parameters from `-f FILE`, `-j JSON` and `-p key=value`.
//!
//! Sources are merged shallowly, later ones replacing top-level keys: file < JSON < each `-p`
//! in order. `-p` values are always strings and keys are never split on dots.

use std::path::Path;

use serde_json::{Map, Value};

use super::yaml11;
use crate::cli::ParamArgs;
use crate::error::AppError;

/// Reads the `-f` file (if any) and merges it with `-j` and `-p`.
pub fn build(p: &ParamArgs) -> Result<Map<String, Value>, AppError> {
    let file = match &p.file_parameter {
        Some(path) => read_yaml_file(path)?,
        None => None,
    };
    merge(file, p.json_parameter.as_deref(), &p.parameter)
}

/// Loads a YAML file with YAML 1.1 rules. `Ok(None)` for an empty document.
/// Errors read `YAML Load Error: <path> (<reason>)`.
pub fn read_yaml_file(path: &Path) -> Result<Option<Value>, AppError> {
    let text = crate::config::fsio::read_input_text(path, crate::config::fsio::INPUT_FILE_LIMIT)
        .map_err(|e| AppError::msg(format!("YAML Load Error: {} ({e})", path.display())))?;
    yaml11::load(&text)
        .map_err(|e| AppError::msg(format!("YAML Load Error: {} ({e})", path.display())))
}

/// Merges the loaded file document, the `-j` text and the `-p` items.
pub fn merge(
    file: Option<Value>,
    json: Option<&str>,
    params: &[String],
) -> Result<Map<String, Value>, AppError> {
    let mut out = match file {
        None => Map::new(),
        Some(Value::Object(map)) => map,
        Some(other) => {
            return Err(AppError::msg(format!(
                "Exception serializing request! (the parameter file holds {}, not a mapping)",
                describe(&other)
            )));
        }
    };
    if let Some(text) = json {
        let parsed: Value = serde_json::from_str(text).map_err(|e| json_error(&e))?;
        match parsed {
            Value::Object(map) => {
                for (k, v) in map {
                    out.insert(k, v);
                }
            }
            // Upstream's text for a JSON list given to -j.
            Value::Array(_) => {
                return Err(AppError::msg(
                    "cannot convert dictionary update sequence element #0 to a sequence",
                ));
            }
            other => {
                return Err(AppError::msg(format!(
                    "JSON parameter must be an object, not {}",
                    describe(&other)
                )));
            }
        }
    }
    for item in params {
        let parts: Vec<&str> = item.split('=').collect();
        match parts.as_slice() {
            [key, value] => {
                out.insert((*key).to_string(), Value::String((*value).to_string()));
            }
            _ => {
                return Err(AppError::msg(format!(
                    "Input parameter({item}) is invalid. (format: key=value)"
                )));
            }
        }
    }
    Ok(out)
}

/// `JSON Load Error: <what> at line L, column C`. Upstream prints the whole `-j` text,
/// which may hold secrets; only the place of the error is given here.
fn json_error(e: &serde_json::Error) -> AppError {
    let text = e.to_string();
    let what = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(w, _)| w);
    AppError::msg(format!(
        "JSON Load Error: {what} at line {}, column {} of the -j text",
        e.line(),
        e.column()
    ))
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn s(items: &[&str]) -> Vec<String> {
        items.iter().map(|x| x.to_string()).collect()
    }

    fn err_text(r: Result<Map<String, Value>, AppError>) -> String {
        r.expect_err("error").render()
    }

    #[test]
    fn later_sources_replace_top_level_keys() {
        let file =
            yaml11::load("provider: fromfile\nname: n1\nnested: {a: 1, b: 2}\n").expect("yaml");
        let out = merge(
            file,
            Some(r#"{"name": "fromjson", "nested": {"c": 3}}"#),
            &s(&["alias=fromp"]),
        )
        .expect("merge");
        assert_eq!(
            Value::Object(out.clone()),
            json!({"provider": "fromfile", "name": "fromjson", "nested": {"c": 3}, "alias": "fromp"})
        );
        let keys: Vec<&String> = out.keys().collect();
        assert_eq!(keys, ["provider", "name", "nested", "alias"]);
    }

    #[test]
    fn p_values_are_strings_and_keys_literal() {
        let out = merge(
            None,
            None,
            &s(&["order=3", "query.page.limit=5", "empty=", "=v", "order=4"]),
        )
        .expect("merge");
        assert_eq!(
            Value::Object(out),
            json!({"order": "4", "query.page.limit": "5", "empty": "", "": "v"})
        );
    }

    #[test]
    fn p_must_have_exactly_one_equals_sign() {
        assert_eq!(
            err_text(merge(None, None, &s(&["a=b=c"]))),
            "ERROR: Input parameter(a=b=c) is invalid. (format: key=value)\n\n"
        );
        assert_eq!(
            err_text(merge(None, None, &s(&["novalue"]))),
            "ERROR: Input parameter(novalue) is invalid. (format: key=value)\n\n"
        );
    }

    #[test]
    fn json_errors() {
        assert_eq!(
            err_text(merge(None, Some("{bad"), &[])),
            "ERROR: JSON Load Error: key must be a string at line 1, column 2 of the -j text\n\n"
        );
        let secret = r#"{"secret_data": {"api_key": "s3cr3t-value"}, oops}"#;
        assert_eq!(
            err_text(merge(None, Some(secret), &[])),
            "ERROR: JSON Load Error: key must be a string at line 1, column 46 of the -j text\n\n"
        );
        assert_eq!(
            err_text(merge(None, Some("{\"a\": 1,\n \"b\": }"), &[])),
            "ERROR: JSON Load Error: expected value at line 2, column 7 of the -j text\n\n"
        );
        assert_eq!(
            err_text(merge(None, Some(""), &[])),
            "ERROR: JSON Load Error: EOF while parsing a value at line 1, column 0 of the -j text\n\n"
        );
        assert_eq!(
            err_text(merge(None, Some("[1,2]"), &[])),
            "ERROR: cannot convert dictionary update sequence element #0 to a sequence\n\n"
        );
        assert_eq!(
            err_text(merge(None, Some("\"x\""), &[])),
            "ERROR: JSON parameter must be an object, not a string\n\n"
        );
    }

    #[test]
    fn file_must_be_a_mapping() {
        assert_eq!(
            err_text(merge(Some(json!([1, 2])), None, &[])),
            "ERROR: Exception serializing request! (the parameter file holds a list, not a mapping)\n\n"
        );
        assert_eq!(
            err_text(merge(Some(json!("hello")), None, &[])),
            "ERROR: Exception serializing request! (the parameter file holds a string, not a mapping)\n\n"
        );
    }

    #[test]
    fn empty_file_means_no_params_and_still_merges() {
        let out = merge(None, Some(r#"{"a": 1}"#), &s(&["b=2"])).expect("merge");
        assert_eq!(Value::Object(out), json!({"a": 1, "b": "2"}));
        assert_eq!(merge(None, None, &[]).expect("merge"), Map::new());
    }

    #[test]
    fn build_reads_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p.yaml");
        std::fs::write(&path, "name: on\ncount: 010\n").expect("write");
        let args = ParamArgs {
            parameter: s(&["extra=x"]),
            json_parameter: None,
            file_parameter: Some(path.clone()),
        };
        assert_eq!(
            Value::Object(build(&args).expect("build")),
            json!({"name": true, "count": 8, "extra": "x"})
        );

        std::fs::write(&path, "").expect("write");
        assert_eq!(build(&args).expect("build").len(), 1);

        std::fs::write(&path, "a: [1\n").expect("write");
        assert_eq!(
            build(&args).expect_err("bad yaml").to_string(),
            format!(
                "YAML Load Error: {} (while parsing a flow sequence, expected ',' or ']' at line 2, column 1)",
                path.display()
            )
        );

        std::fs::write(&path, "d: 2024-01-01\n").expect("write");
        assert_eq!(
            build(&args).expect_err("date").to_string(),
            format!(
                "YAML Load Error: {} (unquoted date '2024-01-01' is not supported: quote it at line 1, column 4)",
                path.display()
            )
        );

        std::fs::write(&path, [0xff, 0xfe, 0x00]).expect("write");
        let e = build(&args).expect_err("binary").to_string();
        assert!(
            e.starts_with(&format!("YAML Load Error: {} (", path.display())),
            "{e}"
        );
    }
}
