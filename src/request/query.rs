//! The `query` that `list` (and the page limit that `stat`/`analyze`) add to the request
//! parameters, shaped from the request descriptor.
//!
//! `list` always ensures a `query` mapping, then, in this priority:
//! `--all` → `minimal: false`; else `--minimal` → `minimal: true`; else template keys →
//! `only` (replacing any given `only`, duplicates dropped, column order kept).
//! `--limit N` (N ≠ 0) → `page: {limit: N}` (replacing any given page).
//! `--sort [-]KEY` → `sort` as `[{key, desc}]` when the query's `sort` field is repeated
//! (core.v2), or `{key, desc}` when it is a single message (core.v1).

use prost_reflect::{FieldDescriptor, Kind, MessageDescriptor};
use serde_json::{Map, Value, json};

use crate::error::AppError;

/// Options of the `list` command that shape the query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQueryOpts {
    pub minimal: bool,
    pub all: bool,
    /// Template keys for `query.only` (already reduced to request keys).
    pub only: Option<Vec<String>>,
    pub limit: Option<i64>,
    /// `"key"` (ascending) or `"-key"` (descending).
    pub sort: Option<String>,
}

fn field(desc: &MessageDescriptor, name: &str) -> Option<FieldDescriptor> {
    desc.get_field_by_name(name)
        .or_else(|| desc.get_field_by_json_name(name))
}

fn no_field(desc: &MessageDescriptor, name: &str) -> AppError {
    AppError::msg(format!(
        "Protocol message {} has no \"{name}\" field.",
        desc.name()
    ))
}

/// The mapping under `params[key]`, created when missing or null.
fn object_entry<'a>(
    params: &'a mut Map<String, Value>,
    key: &str,
) -> Result<&'a mut Map<String, Value>, AppError> {
    let entry = params.entry(key.to_string()).or_insert(Value::Null);
    if entry.is_null() {
        *entry = Value::Object(Map::new());
    }
    match entry {
        Value::Object(map) => Ok(map),
        other => Err(AppError::msg(format!(
            "Invalid value for \"{key}\": expected a mapping, got {}",
            match other {
                Value::Array(_) => "a list".to_string(),
                v => v.to_string(),
            }
        ))),
    }
}

/// Adds the `list` query options to `params` for the request message `desc`.
pub fn apply_list_query(
    desc: &MessageDescriptor,
    params: &mut Map<String, Value>,
    opts: &ListQueryOpts,
) -> Result<(), AppError> {
    let query_field = field(desc, "query").ok_or_else(|| no_field(desc, "query"))?;
    let query_desc = match query_field.kind() {
        Kind::Message(m) => Some(m),
        _ => None,
    };
    let query = object_entry(params, query_field.name())?;

    if opts.all {
        query.insert("minimal".into(), Value::Bool(false));
    } else if opts.minimal {
        query.insert("minimal".into(), Value::Bool(true));
    } else if let Some(keys) = &opts.only {
        let mut unique: Vec<Value> = Vec::with_capacity(keys.len());
        for k in keys {
            let v = Value::String(k.clone());
            if !unique.contains(&v) {
                unique.push(v);
            }
        }
        query.insert("only".into(), Value::Array(unique));
    }

    if let Some(limit) = opts.limit.filter(|&l| l != 0) {
        query.insert("page".into(), json!({ "limit": limit }));
    }

    if let Some(sort) = opts.sort.as_deref().filter(|s| !s.is_empty()) {
        let (key, desc_order) = match sort.strip_prefix('-') {
            Some(rest) => (rest, true),
            None => (sort, false),
        };
        let item = json!({ "key": key, "desc": desc_order });
        let single = query_desc
            .as_ref()
            .and_then(|q| field(q, "sort"))
            .is_some_and(|f| !f.is_list() && matches!(f.kind(), Kind::Message(_)));
        let value = if single {
            item
        } else {
            Value::Array(vec![item])
        };
        query.insert("sort".into(), value);
    }
    Ok(())
}

/// `stat`/`analyze` `--limit N` (N ≠ 0): `query.page = {limit: N}`, or the top-level
/// `page = {limit: N}` for requests that have a `page` field but no `query`
/// (e.g. `statistics.Resource.stat`).
pub fn apply_stat_limit(
    desc: &MessageDescriptor,
    params: &mut Map<String, Value>,
    limit: Option<i64>,
) -> Result<(), AppError> {
    let Some(limit) = limit.filter(|&l| l != 0) else {
        return Ok(());
    };
    let page = json!({ "limit": limit });
    if field(desc, "query").is_none()
        && let Some(page_field) = field(desc, "page")
    {
        params.insert(page_field.name().to_string(), page);
        return Ok(());
    }
    let query = object_entry(params, "query")?;
    query.insert("page".into(), page);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::message::from_value;
    use crate::request::test_schema::message;

    fn run(name: &str, params: Value, opts: &ListQueryOpts) -> Result<String, String> {
        let desc = message(name);
        let Value::Object(mut map) = params else {
            panic!("params must be an object")
        };
        apply_list_query(&desc, &mut map, opts).map_err(|e| e.to_string())?;
        Ok(serde_json::to_string(&map).expect("json"))
    }

    fn opts() -> ListQueryOpts {
        ListQueryOpts::default()
    }

    #[test]
    fn plain_list_adds_an_empty_query() {
        assert_eq!(
            run("ListV1Request", json!({}), &opts()),
            Ok(r#"{"query":{}}"#.into())
        );
        assert_eq!(
            run(
                "ListV1Request",
                json!({"name": "AWS", "query": null}),
                &opts()
            ),
            Ok(r#"{"name":"AWS","query":{}}"#.into())
        );
    }

    #[test]
    fn all_beats_minimal_beats_only() {
        let only = Some(vec![
            "provider".to_string(),
            "name".into(),
            "provider".into(),
        ]);
        let o = ListQueryOpts {
            all: true,
            minimal: true,
            only: only.clone(),
            ..opts()
        };
        assert_eq!(
            run("ListV2Request", json!({}), &o),
            Ok(r#"{"query":{"minimal":false}}"#.into())
        );
        let o = ListQueryOpts {
            minimal: true,
            only: only.clone(),
            ..opts()
        };
        assert_eq!(
            run("ListV2Request", json!({}), &o),
            Ok(r#"{"query":{"minimal":true}}"#.into())
        );
        let o = ListQueryOpts { only, ..opts() };
        assert_eq!(
            run(
                "ListV2Request",
                json!({"query": {"only": ["x"], "filter": []}}),
                &o
            ),
            Ok(r#"{"query":{"only":["provider","name"],"filter":[]}}"#.into())
        );
    }

    #[test]
    fn limit_replaces_the_page() {
        let o = ListQueryOpts {
            limit: Some(2),
            ..opts()
        };
        assert_eq!(
            run(
                "ListV1Request",
                json!({"query": {"page": {"start": 5, "limit": 1}}}),
                &o
            ),
            Ok(r#"{"query":{"page":{"limit":2}}}"#.into())
        );
        let o = ListQueryOpts {
            limit: Some(0),
            ..opts()
        };
        assert_eq!(
            run(
                "ListV1Request",
                json!({"query": {"page": {"start": 5}}}),
                &o
            ),
            Ok(r#"{"query":{"page":{"start":5}}}"#.into())
        );
    }

    #[test]
    fn sort_is_shaped_from_the_descriptor() {
        let o = ListQueryOpts {
            sort: Some("-name".into()),
            ..opts()
        };
        assert_eq!(
            run("ListV2Request", json!({}), &o),
            Ok(r#"{"query":{"sort":[{"key":"name","desc":true}]}}"#.into())
        );
        let o = ListQueryOpts {
            sort: Some("created_at".into()),
            ..opts()
        };
        assert_eq!(
            run("ListV1Request", json!({}), &o),
            Ok(r#"{"query":{"sort":{"key":"created_at","desc":false}}}"#.into())
        );
    }

    #[test]
    fn shaped_queries_convert_to_messages() {
        for name in ["ListV1Request", "ListV2Request"] {
            let desc = message(name);
            let mut map = Map::new();
            let o = ListQueryOpts {
                sort: Some("-name".into()),
                limit: Some(3),
                only: Some(vec!["name".into()]),
                ..opts()
            };
            apply_list_query(&desc, &mut map, &o).expect("apply");
            let msg = from_value(&desc, &map).expect(name);
            assert_eq!(
                msg.to_string(),
                if name == "ListV1Request" {
                    r#"query{sort{key:"name",desc:true},page{limit:3},only:["name"]}"#
                } else {
                    r#"query{sort:[{key:"name",desc:true}],page{limit:3},only:["name"]}"#
                },
                "{name}"
            );
        }
    }

    #[test]
    fn requests_without_query_are_rejected() {
        assert_eq!(
            run("NoQueryRequest", json!({}), &opts()),
            Err(r#"Protocol message NoQueryRequest has no "query" field."#.into())
        );
        assert_eq!(
            run("ListV1Request", json!({"query": "x"}), &opts()),
            Err(r#"Invalid value for "query": expected a mapping, got "x""#.into())
        );
    }

    #[test]
    fn stat_limit() {
        let desc = message("ListV1Request");
        let mut map = Map::new();
        apply_stat_limit(&desc, &mut map, Some(5)).expect("apply");
        assert_eq!(
            Value::Object(map.clone()),
            json!({"query": {"page": {"limit": 5}}})
        );
        let mut map = Map::new();
        apply_stat_limit(&desc, &mut map, None).expect("apply");
        apply_stat_limit(&desc, &mut map, Some(0)).expect("apply");
        assert!(map.is_empty());

        let desc = message("ResourceStatRequest");
        let mut map = Map::new();
        map.insert("aggregate".into(), json!({}));
        apply_stat_limit(&desc, &mut map, Some(7)).expect("apply");
        assert_eq!(
            Value::Object(map),
            json!({"aggregate": {}, "page": {"limit": 7}})
        );
    }
}
