//! Per-response output dispatch: yaml / json / table / csv / quiet.
//!
//! For table, csv and quiet a response with a `results` key is printed as rows
//! (tables get a ` Count: <rows> / <total>` footer when `total_count` is
//! present and non-zero); without `results`, table and csv fall back to YAML.
//! json and yaml always print the whole response.

use super::pyrepr::{parse_py_int, py_str, py_truthy};
use super::{csv, json, table, yaml};
use crate::error::AppError;
use serde_json::Value;

/// Text printed for an empty table.
pub const NO_DATA: &str = "NO DATA\n";
/// The quiet-output error text (upstream wording).
pub const QUIET_COLUMN_ERROR: &str = "Please Selector only one column for quiet output.";

/// Output formats of the data commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
    Table,
    Csv,
    Quiet,
}

/// The full text printed for one response in the given format.
pub fn render(v: &Value, fmt: Format) -> Result<String, AppError> {
    match fmt {
        Format::Yaml => Ok(yaml::document(v)),
        Format::Json => Ok(json::document(v)),
        Format::Table | Format::Csv | Format::Quiet => {
            if let Some(results) = v.as_object().and_then(|m| m.get("results")) {
                let total = v.get("total_count").and_then(count_text);
                render_data(results, fmt, total.as_deref())
            } else {
                render_data(v, fmt, None)
            }
        }
    }
}

/// Renders rows (or a fallback value) for table / csv / quiet.
fn render_data(data: &Value, fmt: Format, total: Option<&str>) -> Result<String, AppError> {
    match fmt {
        Format::Table => Ok(render_table(data, total)),
        Format::Csv => Ok(match data {
            Value::Array(rows) => csv::csv_from_rows(rows),
            other => yaml::document(other),
        }),
        Format::Quiet => render_quiet(data),
        Format::Yaml => Ok(yaml::document(data)),
        Format::Json => Ok(json::document(data)),
    }
}

fn render_table(data: &Value, total: Option<&str>) -> String {
    if !py_truthy(data) && !matches!(data, Value::Bool(_) | Value::Number(_)) {
        // An empty list, mapping or text, or null.
        return NO_DATA.into();
    }
    match data {
        Value::Array(rows) => {
            let mut out = table::table_from_rows(rows);
            out.push('\n');
            if let Some(t) = total {
                out.push_str(&format!("\n Count: {} / {}\n", rows.len(), t));
            }
            out
        }
        other => yaml::document(other),
    }
}

/// One `str()` line of quiet output (`None` prints an empty line).
fn quiet_line(out: &mut String, v: &Value) {
    if !v.is_null() {
        out.push_str(&py_str(v));
    }
    out.push('\n');
}

fn quiet_row(out: &mut String, row: &Value) -> Result<(), AppError> {
    match row {
        Value::Object(m) => match m.values().next() {
            Some(only) if m.len() == 1 => quiet_line(out, only),
            _ => return Err(AppError::plain(QUIET_COLUMN_ERROR, 1)),
        },
        Value::Array(items) => match items.first() {
            Some(only) if items.len() == 1 => quiet_line(out, only),
            _ => return Err(AppError::plain(QUIET_COLUMN_ERROR, 1)),
        },
        scalar => quiet_line(out, scalar),
    }
    Ok(())
}

/// Quiet output: one value per row; every row must have exactly one column.
/// A mapping counts as a single row; an empty mapping prints nothing.
fn render_quiet(data: &Value) -> Result<String, AppError> {
    let mut out = String::new();
    match data {
        Value::Array(rows) => {
            for row in rows {
                quiet_row(&mut out, row)?;
            }
        }
        Value::Object(m) if m.is_empty() => {}
        other => quiet_row(&mut out, other)?,
    }
    Ok(out)
}

/// The `<total>` of the table footer: Python `int(total_count)` when the value
/// is truthy, `None` when it is absent, zero or empty.
pub fn count_text(v: &Value) -> Option<String> {
    if !py_truthy(v) {
        return None;
    }
    Some(match v {
        Value::Bool(_) => "1".into(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.to_string()
            } else if let Some(u) = n.as_u64() {
                u.to_string()
            } else {
                format!("{:.0}", n.as_f64().unwrap_or(0.0).trunc())
            }
        }
        Value::String(s) => match parse_py_int(s) {
            Some(i) => i.to_string(),
            None => s.trim().to_string(),
        },
        other => py_str(other),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(v: Value, f: Format) -> String {
        match render(&v, f) {
            Ok(s) => s,
            Err(e) => panic!("unexpected error: {e}"),
        }
    }

    #[test]
    fn table_with_results_and_total() {
        let v = json!({
            "results": [
                {"provider": "aws", "order": 1},
                {"provider": "google_cloud", "order": 2}
            ],
            "total_count": "10"
        });
        assert_eq!(
            ok(v, Format::Table),
            " provider     |   order\n--------------+---------\n aws          |       1\n google_cloud |       2\n\n Count: 2 / 10\n"
        );
    }

    #[test]
    fn stat_table_without_total_has_no_footer() {
        let v = json!({"results": [{"provider": "aws", "count": 3.0}, {"provider": "azure", "count": 1.0}]});
        assert_eq!(
            ok(v, Format::Table),
            " provider   |   count\n------------+---------\n aws        |       3\n azure      |       1\n"
        );
    }

    #[test]
    fn zero_total_has_no_footer() {
        let v = json!({"results": [{"a": "x"}], "total_count": 0.0});
        assert_eq!(ok(v, Format::Table), " a\n-----\n x\n");
    }

    #[test]
    fn float_total_is_truncated() {
        let v = json!({"results": [{"a": "x"}], "total_count": 7.0});
        assert_eq!(ok(v, Format::Table), " a\n-----\n x\n\n Count: 1 / 7\n");
    }

    #[test]
    fn empty_response() {
        assert_eq!(ok(json!({}), Format::Table), "NO DATA\n");
        assert_eq!(ok(json!({}), Format::Yaml), "\n");
        assert_eq!(ok(json!({}), Format::Json), "\n");
        assert_eq!(ok(json!({}), Format::Csv), "\n");
        assert_eq!(ok(json!({}), Format::Quiet), "");
    }

    #[test]
    fn empty_results_list_is_no_data() {
        assert_eq!(
            ok(json!({"results": [], "total_count": 5}), Format::Table),
            "NO DATA\n"
        );
        assert_eq!(ok(json!({"results": []}), Format::Csv), "");
        assert_eq!(ok(json!({"results": []}), Format::Quiet), "");
    }

    #[test]
    fn count_only_falls_back_to_yaml() {
        assert_eq!(
            ok(json!({"total_count": 10}), Format::Table),
            "---\ntotal_count: 10\n\n"
        );
        assert_eq!(
            ok(json!({"total_count": 10}), Format::Csv),
            "---\ntotal_count: 10\n\n"
        );
    }

    #[test]
    fn non_list_results_print_as_yaml() {
        assert_eq!(
            ok(
                json!({"results": {"a": 1}, "total_count": 3}),
                Format::Table
            ),
            "---\na: 1\n\n"
        );
    }

    #[test]
    fn json_and_yaml_print_whole_response() {
        let v = json!({"results": [{"a": 1}], "total_count": 1});
        assert_eq!(
            ok(v.clone(), Format::Yaml),
            "---\nresults:\n- a: 1\ntotal_count: 1\n\n"
        );
        assert_eq!(
            ok(v, Format::Json),
            "{\n    \"results\": [\n        {\n            \"a\": 1\n        }\n    ],\n    \"total_count\": 1\n}\n"
        );
    }

    #[test]
    fn csv_of_results() {
        let v = json!({"results": [{"a": 1.0, "b": "x,y"}], "total_count": 1});
        assert_eq!(ok(v, Format::Csv), "a,b\r\n1.0,\"x,y\"\r\n");
    }

    #[test]
    fn quiet_prints_one_value_per_line() {
        let v = json!({"results": [{"color": "#FF9900"}, {"color": null}, {"color": 1.0}, {"color": {"k": "v"}}]});
        assert_eq!(ok(v, Format::Quiet), "#FF9900\n\n1.0\n{'k': 'v'}\n");
    }

    #[test]
    fn quiet_rejects_rows_with_several_columns() {
        let v = json!({"results": [{"a": 1, "b": 2}]});
        let err = render(&v, Format::Quiet).err();
        assert_eq!(err, Some(AppError::plain(QUIET_COLUMN_ERROR, 1)));
        let empty_row = json!({"results": [{}]});
        assert_eq!(
            render(&empty_row, Format::Quiet).err(),
            Some(AppError::plain(QUIET_COLUMN_ERROR, 1))
        );
    }

    #[test]
    fn quiet_of_a_single_key_response() {
        assert_eq!(ok(json!({"status": "SERVING"}), Format::Quiet), "SERVING\n");
    }

    #[test]
    fn exec_init_table_prints_yaml() {
        let v = json!({"metadata": {"supported_schedules": ["hours"]}});
        assert_eq!(
            ok(v, Format::Table),
            "---\nmetadata:\n  supported_schedules:\n  - hours\n\n"
        );
    }

    #[test]
    fn count_text_rules() {
        assert_eq!(count_text(&json!("10")), Some("10".into()));
        assert_eq!(count_text(&json!("0")), Some("0".into()));
        assert_eq!(count_text(&json!("")), None);
        assert_eq!(count_text(&json!(0)), None);
        assert_eq!(count_text(&json!(12.9)), Some("12".into()));
        assert_eq!(
            count_text(&json!(1e20)),
            Some("100000000000000000000".into())
        );
        assert_eq!(count_text(&Value::Null), None);
    }
}
