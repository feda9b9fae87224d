//! Python `json.dumps` for `serde_json::Value`: the indented form spacectl prints
//! (`indent=4, ensure_ascii=False`) and the compact default form (`", "` and
//! `": "` separators) used inside messages and logs.

use super::pyrepr::float_repr;
use serde_json::Value;

/// The text of `json.dumps(v, indent=4, ensure_ascii=False)` (no trailing newline).
pub fn dumps(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v, Some(0), false);
    out
}

/// The text of `json.dumps(v, ensure_ascii=...)` with the default separators
/// (`", "`, `": "`) and no indentation.
pub fn dumps_compact(v: &Value, ensure_ascii: bool) -> String {
    let mut out = String::new();
    write_value(&mut out, v, None, ensure_ascii);
    out
}

/// One printed JSON document: `dumps(v) + "\n"`; an empty object prints an
/// empty line.
pub fn document(v: &Value) -> String {
    if v.as_object().is_some_and(|m| m.is_empty()) {
        return "\n".into();
    }
    let mut out = dumps(v);
    out.push('\n');
    out
}

/// Before an item: the item separator (after the first) and, when indenting,
/// a newline with the item's indentation.
fn item_start(out: &mut String, first: bool, level: Option<usize>) {
    match level {
        Some(level) => {
            if !first {
                out.push(',');
            }
            out.push('\n');
            for _ in 0..(level + 1) * 4 {
                out.push(' ');
            }
        }
        None if !first => out.push_str(", "),
        None => {}
    }
}

/// After the last item: a newline with the container's indentation.
fn container_end(out: &mut String, level: Option<usize>) {
    if let Some(level) = level {
        out.push('\n');
        for _ in 0..level * 4 {
            out.push(' ');
        }
    }
}

/// `level` is the indentation depth, `None` for the compact form.
fn write_value(out: &mut String, v: &Value, level: Option<usize>, ascii: bool) {
    let inner = level.map(|l| l + 1);
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => {
            if n.is_f64() {
                out.push_str(&json_float(n.as_f64().unwrap_or(f64::NAN)));
            } else {
                out.push_str(&n.to_string());
            }
        }
        Value::String(s) => write_str(out, s, ascii),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                item_start(out, i == 0, level);
                write_value(out, item, inner, ascii);
            }
            container_end(out, level);
            out.push(']');
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                item_start(out, i == 0, level);
                write_str(out, k, ascii);
                out.push_str(": ");
                write_value(out, item, inner, ascii);
            }
            container_end(out, level);
            out.push('}');
        }
    }
}

/// Python's json float text: `repr()`, with `Infinity` / `NaN` spellings.
fn json_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else {
        float_repr(f)
    }
}

/// A JSON string the way Python writes it: `"` and `\` escaped,
/// `\n \r \t \b \f` by name, other C0 controls as `\u00XX`; with `ascii` every
/// non-ASCII character as `\uXXXX` (UTF-16 units, `ensure_ascii=True`), else raw.
fn write_str(out: &mut String, s: &str, ascii: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if ascii && !c.is_ascii() => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_document() {
        let v = json!({
            "state": "SUCCESS",
            "match_rules": {"1": ["name", "account"]},
            "empty_obj": {},
            "empty_list": [],
            "n": null,
            "t": true,
            "i": 3,
            "f": 1.0
        });
        assert_eq!(
            document(&v),
            "{\n    \"state\": \"SUCCESS\",\n    \"match_rules\": {\n        \"1\": [\n            \"name\",\n            \"account\"\n        ]\n    },\n    \"empty_obj\": {},\n    \"empty_list\": [],\n    \"n\": null,\n    \"t\": true,\n    \"i\": 3,\n    \"f\": 1.0\n}\n"
        );
    }

    #[test]
    fn floats_like_python() {
        let v = json!([1.0, 1e-5, 1e16, 1234567890123.0, -0.0, 2.5, 1.2345e-5, 5]);
        assert_eq!(
            dumps(&v),
            "[\n    1.0,\n    1e-05,\n    1e+16,\n    1234567890123.0,\n    -0.0,\n    2.5,\n    1.2345e-05,\n    5\n]"
        );
    }

    #[test]
    fn string_escapes() {
        let v = json!("q\"b\\n\nr\rt\tb\u{8}f\u{c}c\u{1}\u{1f}d\u{7f}한글😀\u{2028}");
        assert_eq!(
            dumps(&v),
            "\"q\\\"b\\\\n\\nr\\rt\\tb\\bf\\fc\\u0001\\u001fd\u{7f}한글😀\u{2028}\""
        );
    }

    #[test]
    fn empty_and_scalar_documents() {
        assert_eq!(document(&json!({})), "\n");
        assert_eq!(document(&json!([])), "[]\n");
        assert_eq!(document(&json!("x")), "\"x\"\n");
        assert_eq!(document(&Value::Null), "null\n");
        assert_eq!(document(&json!({"a": {}})), "{\n    \"a\": {}\n}\n");
    }

    #[test]
    fn key_order_is_map_order() {
        let v = json!({"zeta": 1, "alpha": 2});
        assert_eq!(dumps(&v), "{\n    \"zeta\": 1,\n    \"alpha\": 2\n}");
    }

    #[test]
    fn compact_form_with_and_without_ascii() {
        let v = json!({"s": "a\"b\\c\n\u{1}", "u": "é😀", "l": [1, 2.5, null, true], "e": {}});
        assert_eq!(
            dumps_compact(&v, true),
            r#"{"s": "a\"b\\c\n\u0001", "u": "\u00e9\ud83d\ude00", "l": [1, 2.5, null, true], "e": {}}"#
        );
        assert_eq!(
            dumps_compact(&v, false),
            "{\"s\": \"a\\\"b\\\\c\\n\\u0001\", \"u\": \"é😀\", \"l\": [1, 2.5, null, true], \"e\": {}}"
        );
    }
}
