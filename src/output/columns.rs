//! Column templates for `list -c` / `-t` and value extraction by dotted path.
//!
//! A column rule is `key[|Display Name]`. Keys are dotted paths; a path that
//! crosses a list of mappings collects the values of every element (falsy ones
//! dropped, lists flattened one level, duplicates removed keeping first-seen
//! order); a numeric segment indexes the list; `?key:value=>rest` filters the
//! elements (`:` contains, `:=` equals, `:!` does not contain; case-insensitive).

use super::pyrepr::{parse_py_int, py_str, py_truthy};
use crate::error::AppError;
use serde_json::{Map, Value};

/// The only parser a template may name.
pub const DEFAULT_PARSER: &str = "spacectl.lib.parser.default.DefaultParser";

/// One output column: the dotted lookup path and the header shown for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub key: String,
    pub name: String,
}

/// Parses one rule `key|Display Name`; the display name defaults to the key.
/// Both parts are trimmed; text after a second `|` stays in the name.
pub fn parse_rule(rule: &str) -> Column {
    match rule.split_once('|') {
        Some((k, n)) => Column {
            key: k.trim().to_string(),
            name: n.trim().to_string(),
        },
        None => {
            let k = rule.trim().to_string();
            Column {
                key: k.clone(),
                name: k,
            }
        }
    }
}

/// Parses a comma-separated column list (`-c provider,name|Name`). Empty
/// entries are skipped.
pub fn parse_columns(spec: &str) -> Vec<Column> {
    spec.split(',')
        .filter(|r| !r.trim().is_empty())
        .map(parse_rule)
        .collect()
}

/// The columns of a `-c` option: [`parse_columns`], where a list without any
/// column or with a column that has no key (`-c ,`, `-c '|Name'`) is an error
/// naming the option (such a column could only ever be empty).
pub fn parse_column_option(spec: &str) -> Result<Vec<Column>, AppError> {
    let cols = parse_columns(spec);
    if cols.is_empty() || cols.iter().any(|c| c.key.is_empty()) {
        return Err(AppError::msg(format!(
            "Column format is invalid. (columns = {spec})"
        )));
    }
    Ok(cols)
}

/// The field path a column needs from the server: the key cut before its first
/// numeric or `?` filter segment.
fn only_key(key: &str) -> String {
    let segments: Vec<&str> = key.split('.').collect();
    let cut = segments
        .iter()
        .position(|s| (s.len() > 1 && s.starts_with('?')) || parse_py_int(s).is_some())
        .unwrap_or(segments.len());
    segments[..cut].join(".")
}

/// The `query.only` field list for the columns: each key cut before its first
/// numeric or `?` segment, empty keys dropped, duplicates removed keeping the
/// first-seen order.
pub fn only_keys(cols: &[Column]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for c in cols {
        let k = only_key(&c.key);
        if !k.is_empty() && seen.insert(k.clone()) {
            out.push(k);
        }
    }
    out
}

/// The server field to sort by for a `-s` value that names a column's display
/// name; any other value is returned unchanged.
pub fn sort_key(cols: &[Column], name: &str) -> String {
    cols.iter()
        .rev()
        .find(|c| c.name == name)
        .map(|c| only_key(&c.key))
        .filter(|k| !k.is_empty())
        .unwrap_or_else(|| name.to_string())
}

/// One parsed row: display name → value (`null` when missing), in column order.
pub fn extract_row(row: &Value, cols: &[Column]) -> Map<String, Value> {
    let mut out = Map::new();
    for c in cols {
        let v = if let Some(sub) = c.key.strip_prefix("tags.") {
            match row.get("tags") {
                Some(tags) => get_dict_value(tags, sub),
                None => None,
            }
        } else {
            get_dict_value(row, &c.key)
        };
        out.insert(c.name.clone(), v.unwrap_or(Value::Null));
    }
    out
}

/// Replaces the `results` rows of a list / stat / analyze response with their
/// parsed rows (display name → value). A response without `results` gains an
/// empty `results` list, so `-c` output always shows the key. Rows that are not
/// mappings, or `results` that is not a list, give
/// `<resource> template format is invalid.` The rows are consumed one at a
/// time, so the full rows and the parsed rows never exist side by side.
pub fn apply_to_results(
    response: &mut Value,
    cols: &[Column],
    resource: &str,
) -> Result<(), AppError> {
    let Value::Object(map) = response else {
        return Ok(());
    };
    let parsed = match map.get_mut("results") {
        None => Vec::new(),
        Some(Value::Array(rows)) => std::mem::take(rows)
            .into_iter()
            .map(|row| {
                if row.is_object() {
                    Ok(Value::Object(extract_row(&row, cols)))
                } else {
                    Err(invalid_format(resource))
                }
            })
            .collect::<Result<Vec<Value>, AppError>>()?,
        Some(_) => return Err(invalid_format(resource)),
    };
    map.insert("results".into(), Value::Array(parsed));
    Ok(())
}

/// Looks a dotted path up in `data`; `None` when it is missing.
pub fn get_dict_value(data: &Value, dotted: &str) -> Option<Value> {
    match dotted.split_once('.') {
        Some((key, rest)) => match data.as_object().and_then(|m| m.get(key)) {
            Some(Value::Array(items)) => get_list_values(items, rest),
            Some(inner) => get_dict_value(inner, rest),
            None => None,
        },
        None => data.as_object().and_then(|m| m.get(dotted)).cloned(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Match {
    Contains,
    Equals,
    NotContains,
}

/// A list filter `?key:value=>rest`.
struct Filter<'a> {
    key: &'a str,
    value: &'a str,
    how: Match,
}

fn parse_filter(dotted: &str) -> Option<(Filter<'_>, &str)> {
    let body = dotted.strip_prefix('?')?;
    let (cond, rest) = body.split_once("=>")?;
    let (key, value) = cond.split_once(':')?;
    let (how, value) = if let Some(v) = value.strip_prefix('=') {
        (Match::Equals, v)
    } else if let Some(v) = value.strip_prefix('!') {
        (Match::NotContains, v)
    } else {
        (Match::Contains, value)
    };
    Some((Filter { key, value, how }, rest))
}

fn filter_matches(f: &Filter, element: &Map<String, Value>) -> bool {
    let Some(field) = element.get(f.key) else {
        return false;
    };
    let have = py_str(field).to_lowercase();
    let want = f.value.to_lowercase();
    match f.how {
        Match::Equals => have == want,
        Match::NotContains => !have.contains(&want),
        Match::Contains => have.contains(&want),
    }
}

/// Resolves a Python list index (negative counts from the end).
fn list_index(len: usize, idx: i128) -> Option<usize> {
    let len = len as i128;
    let i = if idx < 0 { idx + len } else { idx };
    if (0..len).contains(&i) {
        Some(i as usize)
    } else {
        None
    }
}

fn get_list_values(values: &[Value], dotted: &str) -> Option<Value> {
    let mut filter = None;
    let mut rest = dotted;
    let mut values_owned: Option<Value> = None;
    if dotted.len() > 1 && dotted.starts_with('?') {
        let (f, r) = parse_filter(dotted)?;
        filter = Some(f);
        rest = r;
    } else if let Some((index, r)) = dotted.split_once('.') {
        if let Some(idx) = parse_py_int(index) {
            if idx >= values.len() as i128 {
                return None;
            }
            match list_index(values.len(), idx) {
                Some(i) => {
                    let element = &values[i];
                    if !r.trim().is_empty() && element.is_object() {
                        return get_dict_value(element, r);
                    }
                    values_owned = Some(element.clone());
                    rest = r;
                }
                None => rest = dotted,
            }
        }
    } else if let Some(idx) = parse_py_int(dotted)
        && let Some(i) = list_index(values.len(), idx)
    {
        return Some(values[i].clone());
    }

    let elements: &[Value] = match &values_owned {
        Some(Value::Array(items)) => items,
        Some(_) => &[],
        None => values,
    };
    let mut results: Vec<Value> = Vec::new();
    for element in elements {
        let Value::Object(m) = element else {
            continue;
        };
        if let Some(f) = &filter
            && !filter_matches(f, m)
        {
            continue;
        }
        if let Some(found) = get_dict_value(element, rest)
            && py_truthy(&found)
        {
            match found {
                Value::Array(items) => results.extend(items),
                other => results.push(other),
            }
        }
    }
    if results.is_empty() {
        return None;
    }
    Some(Value::Array(dedupe(results)))
}

/// Key under which Python's `set()` treats two hashable values as equal.
#[derive(PartialEq)]
enum HashKey<'a> {
    Null,
    Num(f64),
    Str(&'a str),
}

fn hash_key(v: &Value) -> Option<HashKey<'_>> {
    match v {
        Value::Null => Some(HashKey::Null),
        Value::Bool(b) => Some(HashKey::Num(if *b { 1.0 } else { 0.0 })),
        Value::Number(n) => Some(HashKey::Num(n.as_f64().unwrap_or(f64::NAN))),
        Value::String(s) => Some(HashKey::Str(s)),
        Value::Array(_) | Value::Object(_) => None,
    }
}

/// Removes duplicates keeping the first of each; lists holding mappings or
/// lists are returned unchanged (they cannot go into a Python set).
fn dedupe(values: Vec<Value>) -> Vec<Value> {
    if values.iter().any(|v| v.is_array() || v.is_object()) {
        return values;
    }
    let mut out: Vec<Value> = Vec::with_capacity(values.len());
    let mut seen_str = std::collections::HashSet::new();
    for v in values {
        let dup = match hash_key(&v) {
            Some(HashKey::Str(s)) => !seen_str.insert(s.to_string()),
            Some(k) => out.iter().any(|o| hash_key(o).as_ref() == Some(&k)),
            None => false,
        };
        if !dup {
            out.push(v);
        }
    }
    out
}

fn invalid_format(resource: &str) -> AppError {
    AppError::msg(format!("{resource} template format is invalid."))
}

/// Reads a template document `{template: {list: [rule, ...]}, parser: ...}`
/// for `resource` (`<service>.<Resource>`).
pub fn parse_template_file(yaml_value: &Value, resource: &str) -> Result<Vec<Column>, AppError> {
    let doc = yaml_value
        .as_object()
        .ok_or_else(|| invalid_format(resource))?;
    let parser = doc.get("parser");
    if matches!(parser, Some(Value::Null)) {
        return Err(AppError::msg(format!(
            "'parser' is undefined in {resource} template."
        )));
    }
    let template = match doc.get("template") {
        None | Some(Value::Null) => {
            return Err(AppError::msg(format!(
                "'template' is undefined in {resource} template."
            )));
        }
        Some(t) => t,
    };
    if let Some(p) = parser
        && p.as_str() != Some(DEFAULT_PARSER)
    {
        return Err(AppError::msg(format!("Parser is invalid. ({})", py_str(p))));
    }
    let template = template
        .as_object()
        .ok_or_else(|| invalid_format(resource))?;
    let rules = match template.get("list") {
        None => return Ok(Vec::new()),
        Some(Value::Array(rules)) => rules,
        Some(_) => return Err(invalid_format(resource)),
    };
    rules
        .iter()
        .map(|r| {
            r.as_str()
                .map(parse_rule)
                .ok_or_else(|| invalid_format(resource))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn col(key: &str, name: &str) -> Column {
        Column {
            key: key.into(),
            name: name.into(),
        }
    }

    #[test]
    fn parse_column_specs() {
        assert_eq!(
            parse_columns("provider, name|Name ,options.int_val|Int,,tags.env"),
            vec![
                col("provider", "provider"),
                col("name", "Name"),
                col("options.int_val", "Int"),
                col("tags.env", "tags.env"),
            ]
        );
        assert_eq!(parse_columns("a|b|c"), vec![col("a", "b|c")]);
        assert_eq!(parse_columns(""), Vec::<Column>::new());
    }

    #[test]
    fn column_options_need_a_key_in_every_column() {
        assert_eq!(
            parse_column_option("name, provider|P").map_err(|e| e.render()),
            Ok(vec![col("name", "name"), col("provider", "P")])
        );
        for spec in [",", " ", " , ,", "|X", "name,|X", " |X"] {
            assert_eq!(
                parse_column_option(spec).map_err(|e| e.render()),
                Err(format!(
                    "ERROR: Column format is invalid. (columns = {spec})\n\n"
                )),
                "{spec:?}"
            );
        }
    }

    #[test]
    fn only_keys_cut_and_dedupe_in_order() {
        let cols =
            parse_columns("name,nics.0.ip,disks.?type:ssd=>size,nics.1.mac,data.x,name|N2,0.a,-1");
        assert_eq!(only_keys(&cols), vec!["name", "nics", "disks", "data.x"]);
    }

    #[test]
    fn sort_key_maps_display_names() {
        let cols = parse_columns("options.int_val|Int,nics.0.ip|IP,name");
        assert_eq!(sort_key(&cols, "Int"), "options.int_val");
        assert_eq!(sort_key(&cols, "IP"), "nics");
        assert_eq!(sort_key(&cols, "name"), "name");
        assert_eq!(sort_key(&cols, "other"), "other");
    }

    fn server() -> Value {
        json!({
            "name": "vm-1",
            "tags": {"env": "prod", "a": {"b": "nested"}},
            "options": {"int_val": 1.0},
            "nics": [
                {"ip": "10.0.0.1", "mac": "aa", "kind": "Primary"},
                {"ip": "10.0.0.2", "mac": "bb", "kind": "secondary"},
                {"ip": "10.0.0.1", "mac": "", "kind": "extra"}
            ],
            "disks": [
                {"size": 10, "type": "SSD", "tags": ["a", "b"]},
                {"size": 20, "type": "hdd", "tags": ["b", "c"]},
                {"size": 0, "type": "ssd-2", "tags": []}
            ],
            "groups": [["x"]],
            "empty": []
        })
    }

    fn get(path: &str) -> Value {
        let row = extract_row(&server(), &[col(path, "v")]);
        row.get("v").cloned().unwrap_or(Value::Null)
    }

    #[test]
    fn dotted_paths() {
        assert_eq!(get("name"), json!("vm-1"));
        assert_eq!(get("options.int_val"), json!(1.0));
        assert_eq!(get("tags.env"), json!("prod"));
        assert_eq!(get("tags.a.b"), json!("nested"));
        assert_eq!(get("missing"), Value::Null);
        assert_eq!(get("name.deeper"), Value::Null);
        assert_eq!(get("nics"), server()["nics"]);
    }

    #[test]
    fn list_collection_drops_falsy_and_dedupes_in_order() {
        assert_eq!(get("nics.ip"), json!(["10.0.0.1", "10.0.0.2"]));
        assert_eq!(get("nics.mac"), json!(["aa", "bb"]));
        assert_eq!(get("disks.size"), json!([10, 20]));
        assert_eq!(get("disks.tags"), json!(["a", "b", "c"]));
        assert_eq!(get("nics.nothing"), Value::Null);
        assert_eq!(get("empty.x"), Value::Null);
    }

    #[test]
    fn numeric_index() {
        assert_eq!(get("nics.0.ip"), json!("10.0.0.1"));
        assert_eq!(get("nics.1.mac"), json!("bb"));
        assert_eq!(get("nics.-1.kind"), json!("extra"));
        assert_eq!(get("nics.5.ip"), Value::Null);
        assert_eq!(get("groups.0"), json!(["x"]));
        assert_eq!(get("nics.1"), server()["nics"][1]);
    }

    #[test]
    fn condition_filters() {
        assert_eq!(get("disks.?type:ssd=>size"), json!([10]));
        assert_eq!(get("disks.?type:=ssd=>size"), json!([10]));
        assert_eq!(get("disks.?type:!ssd=>size"), json!([20]));
        assert_eq!(get("nics.?kind:primary=>ip"), json!(["10.0.0.1"]));
        assert_eq!(get("nics.?kind:=PRIMARY=>mac"), json!(["aa"]));
        assert_eq!(get("nics.?kind=>ip"), Value::Null);
        assert_eq!(get("nics.?nokey:x=>ip"), Value::Null);
    }

    #[test]
    fn lists_of_mappings_are_not_deduped() {
        let row = json!({"a": [{"b": {"c": 1}}, {"b": {"c": 1}}]});
        let out = extract_row(&row, &[col("a.b", "v")]);
        assert_eq!(out.get("v"), Some(&json!([{"c": 1}, {"c": 1}])));
    }

    #[test]
    fn numbers_and_bools_dedupe_like_python_sets() {
        let row = json!({"a": [{"b": 1}, {"b": 1.0}, {"b": true}, {"b": "1"}]});
        let out = extract_row(&row, &[col("a.b", "v")]);
        assert_eq!(out.get("v"), Some(&json!([1, "1"])));
    }

    #[test]
    fn row_keeps_column_order_and_missing_is_null() {
        let out = extract_row(
            &server(),
            &parse_columns("options.int_val|Int,name,nope|Missing"),
        );
        assert_eq!(
            Value::Object(out),
            json!({"Int": 1.0, "name": "vm-1", "Missing": null})
        );
    }

    #[test]
    fn tags_prefix_requires_mapping_tags() {
        let row = json!({"tags": [{"key": "env", "value": "prod"}]});
        let out = extract_row(&row, &[col("tags.env", "env")]);
        assert_eq!(out.get("env"), Some(&Value::Null));
    }

    #[test]
    fn results_are_replaced_by_parsed_rows() {
        let cols = parse_columns("name|Name,order");
        let mut resp = json!({"results": [{"name": "a", "order": 1, "x": 2}, {"name": "b"}], "total_count": "2"});
        assert_eq!(
            apply_to_results(&mut resp, &cols, "identity.Provider"),
            Ok(())
        );
        assert_eq!(
            resp,
            json!({"results": [{"Name": "a", "order": 1}, {"Name": "b", "order": null}], "total_count": "2"})
        );
        assert_eq!(
            crate::output::yaml::document(&resp),
            "---\nresults:\n- Name: a\n  order: 1\n- Name: b\n  order: null\ntotal_count: '2'\n\n"
        );
    }

    #[test]
    fn missing_results_become_an_empty_list() {
        let cols = parse_columns("name");
        let mut resp = json!({"total_count": "0"});
        assert_eq!(apply_to_results(&mut resp, &cols, "s.R"), Ok(()));
        assert_eq!(resp, json!({"total_count": "0", "results": []}));
        let mut empty = json!({});
        assert_eq!(apply_to_results(&mut empty, &cols, "s.R"), Ok(()));
        assert_eq!(
            crate::output::yaml::document(&empty),
            "---\nresults: []\n\n"
        );
    }

    #[test]
    fn non_row_results_are_invalid() {
        let cols = parse_columns("name");
        let mut resp = json!({"results": {"a": 1}});
        assert_eq!(
            apply_to_results(&mut resp, &cols, "s.R").map_err(|e| e.render()),
            Err("ERROR: s.R template format is invalid.\n\n".to_string())
        );
        let mut scalar_rows = json!({"results": ["x"]});
        assert!(apply_to_results(&mut scalar_rows, &cols, "s.R").is_err());
    }

    #[test]
    fn template_file_ok() {
        let doc = json!({"template": {"list": ["provider", "name|Name"]}});
        assert_eq!(
            parse_template_file(&doc, "identity.Provider"),
            Ok(vec![col("provider", "provider"), col("name", "Name")])
        );
        let with_parser = json!({"template": {"list": ["a"]}, "parser": DEFAULT_PARSER});
        assert_eq!(
            parse_template_file(&with_parser, "s.R"),
            Ok(vec![col("a", "a")])
        );
        let no_list = json!({"template": {}});
        assert_eq!(parse_template_file(&no_list, "s.R"), Ok(vec![]));
    }

    #[test]
    fn template_file_errors() {
        let msg = |v: Value| match parse_template_file(&v, "identity.Provider") {
            Err(e) => e.render(),
            Ok(c) => format!("unexpected columns {c:?}"),
        };
        assert_eq!(
            msg(json!({"list": ["a"]})),
            "ERROR: 'template' is undefined in identity.Provider template.\n\n"
        );
        assert_eq!(
            msg(json!({"template": {"list": ["a"]}, "parser": "no.such.Parser"})),
            "ERROR: Parser is invalid. (no.such.Parser)\n\n"
        );
        assert_eq!(
            msg(json!({"template": {"list": ["a"]}, "parser": null})),
            "ERROR: 'parser' is undefined in identity.Provider template.\n\n"
        );
        assert_eq!(
            msg(json!({"template": {"list": [1]}})),
            "ERROR: identity.Provider template format is invalid.\n\n"
        );
        assert_eq!(
            msg(json!({"template": ["a"]})),
            "ERROR: identity.Provider template format is invalid.\n\n"
        );
        assert_eq!(
            msg(json!(["a"])),
            "ERROR: identity.Provider template format is invalid.\n\n"
        );
    }
}
