//! Python `csv` module output (excel dialect, minimal quoting, CRLF line ends)
//! for result rows.
//!
//! The header is the union of the keys of all rows in order of first
//! appearance (upstream uses the first row's keys only and aborts on a later
//! row with extra keys).

use super::pyrepr::py_str;
use serde_json::Value;

/// One CSV field: quoted when it holds `,`, `"`, `\r` or `\n` (quotes doubled).
pub fn field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('"');
        for c in s.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
        out
    } else {
        s.to_string()
    }
}

/// Appends one record with a CRLF terminator. A record made of a single empty
/// field is written as `""` so that it does not read back as an empty line.
pub fn push_record(out: &mut String, fields: &[String]) {
    if fields.len() == 1 && fields[0].is_empty() {
        out.push_str("\"\"\r\n");
        return;
    }
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&field(f));
    }
    out.push_str("\r\n");
}

/// Cell text: `str()` of the value, `None` as an empty field.
fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(v) => py_str(v),
    }
}

/// CSV text of result rows: a header line then one line per row. Objects give
/// named columns, lists give columns named by index, anything else a single
/// `Values` column. No rows give no output.
pub fn csv_from_rows(rows: &[Value]) -> String {
    let mut out = String::new();
    if rows.is_empty() {
        return out;
    }
    if rows.iter().all(Value::is_object) {
        let mut keys: indexmap::IndexSet<&str> = indexmap::IndexSet::new();
        for row in rows {
            if let Value::Object(m) = row {
                keys.extend(m.keys().map(String::as_str));
            }
        }
        let header: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        push_record(&mut out, &header);
        for row in rows {
            let fields: Vec<String> = keys.iter().map(|k| cell(row.get(*k))).collect();
            push_record(&mut out, &fields);
        }
    } else if rows.iter().all(Value::is_array) {
        let ncols = rows
            .iter()
            .map(|r| r.as_array().map_or(0, Vec::len))
            .max()
            .unwrap_or(0);
        let header: Vec<String> = (0..ncols).map(|i| i.to_string()).collect();
        push_record(&mut out, &header);
        for row in rows {
            let fields: Vec<String> = (0..ncols).map(|j| cell(row.get(j))).collect();
            push_record(&mut out, &fields);
        }
    } else {
        push_record(&mut out, &["Values".to_string()]);
        for row in rows {
            push_record(&mut out, &[cell(Some(row))]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows(v: Value) -> Vec<Value> {
        v.as_array().cloned().unwrap_or_default()
    }

    #[test]
    fn observed_provider_csv() {
        let data = rows(json!([
            {"provider": "aws", "options.int_val": 1.0, "options.big": 1234567890123.0},
            {"provider": "google_cloud", "options.int_val": 10.0, "options.big": null},
            {"provider": "azure", "options.int_val": null, "options.big": null}
        ]));
        assert_eq!(
            csv_from_rows(&data),
            "provider,options.int_val,options.big\r\naws,1.0,1234567890123.0\r\ngoogle_cloud,10.0,\r\nazure,,\r\n"
        );
    }

    #[test]
    fn quoting_like_python_csv() {
        let data = rows(json!([
            {"a": null}, {"a": ""}, {"a": "x,y"}, {"a": "q\"q"}, {"a": "l\nm"}, {"a": "r\rs"},
            {"a": " sp "}, {"a": 1.0}, {"a": {"k": [1, null]}}, {"a": true}, {"a": "tab\tx"}
        ]));
        assert_eq!(
            csv_from_rows(&data),
            "a\r\n\"\"\r\n\"\"\r\n\"x,y\"\r\n\"q\"\"q\"\r\n\"l\nm\"\r\n\"r\rs\"\r\n sp \r\n1.0\r\n\"{'k': [1, None]}\"\r\nTrue\r\ntab\tx\r\n"
        );
    }

    #[test]
    fn header_is_union_of_keys() {
        let data = rows(json!([{"a": 1}, {"a": 2, "b": "x"}, {"c": true}]));
        assert_eq!(csv_from_rows(&data), "a,b,c\r\n1,,\r\n2,x,\r\n,,True\r\n");
    }

    #[test]
    fn two_empty_fields_are_not_quoted() {
        let data = rows(json!([{"a": null, "b": ""}]));
        assert_eq!(csv_from_rows(&data), "a,b\r\n,\r\n");
    }

    #[test]
    fn scalars_use_values_column() {
        let data = rows(json!([null, "x", "", 2.5]));
        assert_eq!(
            csv_from_rows(&data),
            "Values\r\n\"\"\r\nx\r\n\"\"\r\n2.5\r\n"
        );
    }

    #[test]
    fn lists_use_index_columns() {
        let data = rows(json!([[1, "a"], [2]]));
        assert_eq!(csv_from_rows(&data), "0,1\r\n1,a\r\n2,\r\n");
    }

    #[test]
    fn no_rows_no_output() {
        assert_eq!(csv_from_rows(&[]), "");
    }
}
