//! The collector's data model: which parameters a route receives, and how the
//! values a route returns are validated, completed with defaults and shaped
//! into response dicts (upstream's collector library, `spaceone.inventory.plugin.collector`).
//!
//! Everything here is pure: no I/O except through the closure that
//! [`shape_collect_item`] receives for metadata files.

use serde_json::{Map, Value};

use super::metadata;
use crate::plugin::host::error::{PluginError, StatusKind};
use crate::plugin::kinds::model::{
    Dflt, EnumSpec, Kind, ModelSpec, construct, construct_owned, dflt, floatify, opt, req,
    validate_request,
};

// ---------------------------------------------------------------------------
// Models of the collector library
// ---------------------------------------------------------------------------

const STR_LIST: Kind = Kind::List(&Kind::Str);

static COLLECTOR_INIT_REQUEST: ModelSpec = ModelSpec {
    name: "CollectorInitRequest",
    fields: &[req("options", Kind::Dict), opt("domain_id", Kind::Str)],
};

static COLLECTOR_VERIFY_REQUEST: ModelSpec = ModelSpec {
    name: "CollectorVerifyRequest",
    fields: &[
        req("options", Kind::Dict),
        req("secret_data", Kind::Dict),
        opt("domain_id", Kind::Str),
    ],
};

static COLLECTOR_COLLECT_REQUEST: ModelSpec = ModelSpec {
    name: "CollectorCollectRequest",
    fields: &[
        req("options", Kind::Dict),
        req("secret_data", Kind::Dict),
        opt("domain_id", Kind::Str),
        opt("task_options", Kind::Dict),
    ],
};

static JOB_GET_TASK_REQUEST: ModelSpec = ModelSpec {
    name: "JobGetTaskRequest",
    fields: &[
        req("options", Kind::Dict),
        req("secret_data", Kind::Dict),
        opt("domain_id", Kind::Str),
    ],
};

/// Resource types a collector may report by default.
pub const DEFAULT_SUPPORTED_RESOURCE_TYPES: [&str; 5] = [
    "inventory.CloudService",
    "inventory.CloudServiceType",
    "inventory.Region",
    "inventory.Namespace",
    "inventory.Metric",
];

static PLUGIN_METADATA: ModelSpec = ModelSpec {
    name: "PluginMetadata",
    fields: &[
        dflt(
            "supported_resource_type",
            STR_LIST,
            Dflt::StrList(&DEFAULT_SUPPORTED_RESOURCE_TYPES),
            false,
        ),
        dflt(
            "supported_schedules",
            STR_LIST,
            Dflt::StrList(&["hours"]),
            false,
        ),
        dflt(
            "supported_features",
            STR_LIST,
            Dflt::StrList(&["garbage_collection"]),
            false,
        ),
        dflt("filter_format", STR_LIST, Dflt::EmptyList, false),
        dflt("options_schema", Kind::Dict, Dflt::EmptyObject, false),
    ],
};

static PLUGIN_RESPONSE: ModelSpec = ModelSpec {
    name: "PluginResponse",
    fields: &[req("metadata", Kind::Model(&PLUGIN_METADATA))],
};

static TASK: ModelSpec = ModelSpec {
    name: "Task",
    fields: &[req("task_options", Kind::Dict)],
};

static TASKS_RESPONSE: ModelSpec = ModelSpec {
    name: "TasksResponse",
    fields: &[req("tasks", Kind::List(&Kind::Model(&TASK)))],
};

static CLOUD_SERVICE_TYPE: ModelSpec = ModelSpec {
    name: "CloudServiceType",
    fields: &[
        req("name", Kind::Str),
        req("group", Kind::Str),
        req("provider", Kind::Str),
        dflt("is_primary", Kind::Bool, Dflt::Bool(false), false),
        dflt("is_major", Kind::Bool, Dflt::Bool(false), false),
        opt("metadata", Kind::Dict),
        opt("json_metadata", Kind::Str),
        opt("service_code", Kind::Str),
        dflt("tags", Kind::Dict, Dflt::EmptyObject, false),
        dflt("labels", STR_LIST, Dflt::EmptyList, false),
    ],
};

static REFERENCE: ModelSpec = ModelSpec {
    name: "Reference",
    fields: &[
        opt("resource_id", Kind::Str),
        opt("external_link", Kind::Str),
    ],
};

static CLOUD_SERVICE: ModelSpec = ModelSpec {
    name: "CloudService",
    fields: &[
        opt("name", Kind::Str),
        req("cloud_service_type", Kind::Str),
        req("cloud_service_group", Kind::Str),
        req("provider", Kind::Str),
        dflt("ip_addresses", STR_LIST, Dflt::EmptyList, true),
        opt("account", Kind::Str),
        opt("instance_type", Kind::Str),
        dflt("instance_size", Kind::Float, Dflt::Int(0), false),
        opt("launched_at", Kind::Str),
        opt("region_code", Kind::Str),
        opt("data", Kind::Dict),
        opt("json_data", Kind::Str),
        opt("metadata", Kind::Dict),
        opt("json_metadata", Kind::Str),
        opt("reference", Kind::TypedDict(&REFERENCE)),
        dflt("tags", Kind::Dict, Dflt::EmptyObject, false),
    ],
};

static REGION: ModelSpec = ModelSpec {
    name: "Region",
    fields: &[
        dflt("name", Kind::Str, Dflt::Str(""), false),
        req("region_code", Kind::Str),
        req("provider", Kind::Str),
        dflt("tags", Kind::Dict, Dflt::EmptyObject, false),
    ],
};

static NAMESPACE: ModelSpec = ModelSpec {
    name: "Namespace",
    fields: &[
        opt("namespace_id", Kind::Str),
        req("name", Kind::Str),
        req(
            "category",
            Kind::Lit(&["ASSET", "SECURITY", "INFORMATION", "RECOMMENDATION"]),
        ),
        req("resource_type", Kind::Str),
        opt("group", Kind::Str),
        opt("icon", Kind::Str),
        dflt("tags", Kind::Dict, Dflt::EmptyObject, true),
        req("version", Kind::Str),
    ],
};

static METRIC: ModelSpec = ModelSpec {
    name: "Metric",
    fields: &[
        opt("metric_id", Kind::Str),
        req("name", Kind::Str),
        req("metric_type", Kind::Lit(&["COUNTER", "GAUGE"])),
        req("resource_type", Kind::Str),
        req("query_options", Kind::Dict),
        opt("date_field", Kind::Str),
        opt("unit", Kind::Str),
        dflt("tags", Kind::Dict, Dflt::EmptyObject, true),
        req("namespace_id", Kind::Str),
        req("version", Kind::Str),
    ],
};

static STATE: EnumSpec = EnumSpec {
    class: "State",
    members: &[("success", "SUCCESS"), ("failure", "FAILURE")],
};

static RESOURCE_TYPE: EnumSpec = EnumSpec {
    class: "ResourceType",
    members: &[
        ("cloud_service", "inventory.CloudService"),
        ("cloud_service_type", "inventory.CloudServiceType"),
        ("namespace", "inventory.Namespace"),
        ("metric", "inventory.Metric"),
        ("region", "inventory.Region"),
        ("error", "inventory.ErrorResource"),
    ],
};

pub(super) static RESOURCE_RESPONSE: ModelSpec = ModelSpec {
    name: "ResourceResponse",
    fields: &[
        req("state", Kind::Enum(&STATE)),
        req("resource_type", Kind::Enum(&RESOURCE_TYPE)),
        opt("cloud_service_type", Kind::Model(&CLOUD_SERVICE_TYPE)),
        opt("cloud_service", Kind::Model(&CLOUD_SERVICE)),
        dflt("error_data", Kind::Dict, Dflt::EmptyObject, false),
        opt("region", Kind::Model(&REGION)),
        opt("namespace", Kind::Model(&NAMESPACE)),
        opt("metric", Kind::Model(&METRIC)),
        dflt(
            "match_keys",
            Kind::List(&Kind::List(&Kind::Str)),
            Dflt::EmptyList,
            false,
        ),
        dflt("error_message", Kind::Str, Dflt::Str(""), false),
    ],
};

/// Which member of a route's item holds the resource for each resource type.
pub(super) const RESOURCE_FIELDS: [(&str, &str); 6] = [
    ("inventory.CloudServiceType", "cloud_service_type"),
    ("inventory.CloudService", "cloud_service"),
    ("inventory.ErrorResource", "error_data"),
    ("inventory.Region", "region"),
    ("inventory.Namespace", "namespace"),
    ("inventory.Metric", "metric"),
];

const MODEL_MODULE: &str = "spaceone.inventory.plugin.collector.model";

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

/// `Collector.init` params (see [`request_params`]).
pub fn init_params(request: &Value) -> Result<Value, PluginError> {
    validate_request(&COLLECTOR_INIT_REQUEST, request)
}

/// `Collector.verify` params (see [`request_params`]).
pub fn verify_params(request: &Value) -> Result<Value, PluginError> {
    validate_request(&COLLECTOR_VERIFY_REQUEST, request)
}

/// `Collector.collect` params (see [`request_params`]).
pub fn collect_params(request: &Value) -> Result<Value, PluginError> {
    validate_request(&COLLECTOR_COLLECT_REQUEST, request)
}

/// `Job.get_tasks` params (see [`request_params`]).
pub fn get_tasks_params(request: &Value) -> Result<Value, PluginError> {
    validate_request(&JOB_GET_TASK_REQUEST, request)
}

/// The params dict a route receives for a request.
///
/// `request` holds the request's *present* fields (a Struct field sent empty is
/// present as `{}`). Unknown keys (`filter`, `task_filter`) are dropped and
/// the optional keys are filled with `null`, in upstream's key order:
///
/// | method | params |
/// |---|---|
/// | `Collector.init` | `options`, `domain_id` |
/// | `Collector.verify`, `Job.get_tasks` | `options`, `secret_data`, `domain_id` |
/// | `Collector.collect` | `options`, `secret_data`, `domain_id`, `task_options` |
///
/// A missing required field gives INVALID_ARGUMENT
/// `ERROR_REQUIRED_PARAMETER: Required parameter. (key = options)` for the
/// first one missing (`options` before `secret_data`).
pub fn request_params(method: &str, request: &Value) -> Result<Value, PluginError> {
    let params = match method {
        "Collector.init" => init_params,
        "Collector.verify" => verify_params,
        "Collector.collect" => collect_params,
        "Job.get_tasks" => get_tasks_params,
        other => {
            return Err(PluginError::new(
                StatusKind::Unimplemented,
                "ERROR_NOT_IMPLEMENTED",
                format!("Not implemented. (method = {other})"),
            ));
        }
    };
    params(request)
}

// ---------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------

/// The `Collector.init` response (`PluginInfo` as a dict) for a route's return
/// value: `{"metadata": {...}}` with the five metadata keys in order, defaults
/// for missing ones, unknown keys dropped, numbers as doubles.
pub fn shape_init(ret: &Value) -> Result<Value, PluginError> {
    let out = construct(
        &PLUGIN_RESPONSE,
        &format!("{MODEL_MODULE}.collector_response.PluginResponse"),
        ret,
    )?;
    Ok(floatify(Value::Object(out)))
}

/// The `Job.get_tasks` response (`TasksInfo` as a dict):
/// `{"tasks": [{"task_options": {...}}, ...]}`, numbers as doubles.
pub fn shape_get_tasks(ret: &Value) -> Result<Value, PluginError> {
    let out = construct(
        &TASKS_RESPONSE,
        &format!("{MODEL_MODULE}.job_response.TasksResponse"),
        ret,
    )?;
    Ok(floatify(Value::Object(out)))
}

/// One `Collector.collect` response (`ResourceInfo` as a dict) for one item
/// yielded by the route.
///
/// The item is validated like upstream's `ResourceResponse` (`state` and
/// `resource_type` required; resource models completed with every field, in
/// model order, `null` for unset optional ones). The result is
/// `{"state", "message"?, "resource_type", "match_rules", "resource"?}`:
/// `resource` is the member named by `resource_type` (`cloud_service_type`,
/// `cloud_service`, `error_data`, `region`, `namespace`, `metric`; left out
/// when that member is `null`), `match_rules` is `{"1": match_keys[0], ...}`,
/// `message` is `error_message` when not empty, and a `FAILURE` item is
/// reported as `inventory.ErrorResource`. Every number is a double.
///
/// # Metadata files (`__metadata__`)
///
/// A `cloud_service_type` or `cloud_service` mapping may carry, instead of a
/// converted view, the key
///
/// ```json
/// "__metadata__": {"path": "metadata/group/type.yaml", "as": "json_metadata"}
/// ```
///
/// with `as` either `"json_metadata"` or `"metadata"`. The host resolves it
/// here: `meta(path)` returns the YAML text of the file (the caller resolves
/// the path against the plugin package directory and may cache the text), the
/// text is converted with [`metadata::convert_file_text`], and the view is
/// stored as `json_metadata` (the compact JSON text of
/// [`metadata::to_json_string`]) or as `metadata` (the view itself). The
/// `__metadata__` key is removed.
///
/// Instead of `path`, the reference may hold the metadata document itself:
/// `{"value": {"search": {...}, ...}, "as": "json_metadata"}` (a plugin that
/// passes a metadata dict rather than a file); it is converted with
/// [`metadata::convert`].
///
/// An unreadable file, an invalid document or a malformed `__metadata__`
/// value fails the item with INTERNAL `ERROR_UNKNOWN` naming the path (or
/// `<member>.__metadata__.value`).
pub fn shape_collect_item(
    item: &Value,
    meta: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<Value, PluginError> {
    shape_collect_item_owned(item.clone(), meta)
}

/// [`shape_collect_item`] of an item the caller gives away (no copy is made of it).
pub fn shape_collect_item_owned(
    mut item: Value,
    meta: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<Value, PluginError> {
    if let Value::Object(m) = &mut item {
        for member in ["cloud_service_type", "cloud_service"] {
            if let Some(Value::Object(resource)) = m.get_mut(member) {
                resolve_metadata(resource, member, meta)?;
            }
        }
    }
    let mut valid = construct_owned(
        &RESOURCE_RESPONSE,
        &format!("{MODEL_MODULE}.collector_response.ResourceResponse"),
        item,
    )?;
    let state = valid.get("state").cloned().unwrap_or(Value::Null);
    let resource_type = valid
        .get("resource_type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let member = RESOURCE_FIELDS
        .iter()
        .find(|(rt, _)| *rt == resource_type)
        .map(|(_, f)| *f)
        .ok_or_else(|| {
            PluginError::unknown(format!(
                "The resource type is not supported. (resource_type={resource_type})"
            ))
        })?;
    let resource = valid.swap_remove(member).unwrap_or(Value::Null);
    let mut match_rules = Map::new();
    if let Some(Value::Array(keys)) = valid.get("match_keys") {
        for (i, k) in keys.iter().enumerate() {
            match_rules.insert((i + 1).to_string(), k.clone());
        }
    }
    let message = valid
        .get("error_message")
        .and_then(Value::as_str)
        .unwrap_or_default();

    let mut out = Map::new();
    let failed = state.as_str() == Some("FAILURE");
    out.insert("state".to_string(), state);
    if !message.is_empty() {
        out.insert("message".to_string(), Value::String(message.to_string()));
    }
    out.insert(
        "resource_type".to_string(),
        Value::String(if failed {
            "inventory.ErrorResource".to_string()
        } else {
            resource_type
        }),
    );
    out.insert("match_rules".to_string(), Value::Object(match_rules));
    if !resource.is_null() {
        out.insert("resource".to_string(), resource);
    }
    Ok(floatify(Value::Object(out)))
}

/// [`shape_collect_item`] for an item whose metadata, if any, is given inline
/// (`{"value": ...}`): a reference to a file fails, as files are read only by
/// the collector's service, which knows the package directory.
pub fn shape_collect_item_inline(item: &Value) -> Result<Value, PluginError> {
    shape_collect_item(item, &mut |path| {
        Err(format!(
            "{path}: metadata files are read by the collector service"
        ))
    })
}

/// Replace a `__metadata__` reference inside a resource mapping by the
/// converted view (see [`shape_collect_item`]).
fn resolve_metadata(
    resource: &mut Map<String, Value>,
    member: &str,
    meta: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<(), PluginError> {
    let Some(reference) = resource.shift_remove("__metadata__") else {
        return Ok(());
    };
    let bad = |why: &str| {
        PluginError::unknown(format!(
            "{member}.__metadata__: {why} (expected {{\"path\": \"<file>\", \"as\": \"json_metadata\" | \"metadata\"}})"
        ))
    };
    let Value::Object(r) = &reference else {
        return Err(bad("not a mapping"));
    };
    let target = match r.get("as").and_then(Value::as_str) {
        Some("json_metadata") => "json_metadata",
        Some("metadata") => "metadata",
        _ => return Err(bad("`as` must be \"json_metadata\" or \"metadata\"")),
    };
    let view = match (r.get("path"), r.get("value")) {
        (Some(Value::String(path)), None) => {
            let text = meta(path)
                .map_err(|e| PluginError::unknown(format!("YAML Load Error: {path} ({e})")))?;
            metadata::convert_file_text(path, &text)
                .map_err(|e| PluginError::unknown(format!("Invalid metadata: {e}")))?
        }
        (None, Some(doc)) => metadata::convert(doc).map_err(|mut e| {
            e.file = Some(format!("{member}.__metadata__.value"));
            PluginError::unknown(format!("Invalid metadata: {e}"))
        })?,
        _ => return Err(bad("give either a `path` text or a `value` document")),
    };
    let value = if target == "json_metadata" {
        Value::String(metadata::to_json_string(&view))
    } else {
        view
    };
    resource.insert(target.to_string(), value);
    Ok(())
}

/// A shaped collect item with its JSON text fields also decoded, for
/// inventory 1.x (`run plugin-server --inventory-v1`).
///
/// The v2 framework sends a CloudServiceType's or CloudService's view as
/// `json_metadata` (JSON text) with `metadata: null`, and by default a
/// CloudService's data as `json_data` with `data: null`. Inventory 1.12 reads
/// only `metadata` and `data`: it fails the CloudServiceType (`'NoneType'
/// object has no attribute 'get'`) and a CloudService without `data`
/// (`ERROR_REQUIRED_PARAMETER ... (key = data)`), so the job task ends FAILURE,
/// and stores no view. Here, for those two resource types, a `null` or missing
/// `metadata` is replaced by the decoded `json_metadata`, and a CloudService's
/// `null` or missing `data` by the decoded `json_data`, when the text is a
/// JSON object; the text fields stay as they are. Every other item, and text
/// that is not a JSON object, is returned unchanged (what upstream sends).
pub fn with_inventory_v1(mut shaped: Value) -> Value {
    let pairs: &[(&str, &str)] = match shaped.get("resource_type").and_then(Value::as_str) {
        Some("inventory.CloudServiceType") => &[("metadata", "json_metadata")],
        Some("inventory.CloudService") => &[("metadata", "json_metadata"), ("data", "json_data")],
        _ => return shaped,
    };
    let Some(Value::Object(resource)) = shaped.get_mut("resource") else {
        return shaped;
    };
    for (field, text_field) in pairs {
        if !resource.get(*field).is_none_or(Value::is_null) {
            continue;
        }
        let Some(Value::String(text)) = resource.get(*text_field) else {
            continue;
        };
        if let Ok(decoded @ Value::Object(_)) = serde_json::from_str::<Value>(text) {
            resource.insert(field.to_string(), floatify(decoded));
        }
    }
    shaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn no_meta(path: &str) -> Result<String, String> {
        Err(format!("unexpected metadata read: {path}"))
    }

    fn collect(item: Value) -> Result<Value, PluginError> {
        shape_collect_item(&item, &mut no_meta)
    }

    fn unknown_text(r: Result<Value, PluginError>) -> String {
        match r {
            Err(e) => {
                assert_eq!(e.status, StatusKind::Internal);
                assert_eq!(e.code, "ERROR_UNKNOWN");
                e.message
            }
            Ok(v) => panic!("expected an error, got {v}"),
        }
    }

    #[test]
    fn request_params_fill_defaults_in_order() {
        let p = request_params("Collector.init", &json!({"options": {}})).unwrap();
        assert_eq!(p.to_string(), r#"{"options":{},"domain_id":null}"#);

        let p = request_params(
            "Collector.verify",
            &json!({"secret_data": {"k": 1.0}, "options": {}}),
        )
        .unwrap();
        assert_eq!(
            p.to_string(),
            r#"{"options":{},"secret_data":{"k":1.0},"domain_id":null}"#
        );

        let p = request_params(
            "Collector.collect",
            &json!({"options": {}, "secret_data": {}, "filter": {"a": 1.0}}),
        )
        .unwrap();
        assert_eq!(
            p.to_string(),
            r#"{"options":{},"secret_data":{},"domain_id":null,"task_options":null}"#
        );

        let p = request_params(
            "Collector.collect",
            &json!({"options": {"o": 1.0}, "secret_data": {}, "task_options": {}}),
        )
        .unwrap();
        assert_eq!(
            p.to_string(),
            r#"{"options":{"o":1.0},"secret_data":{},"domain_id":null,"task_options":{}}"#
        );

        let p = request_params(
            "Job.get_tasks",
            &json!({"secret_data": {}, "options": {}, "task_filter": {"providers": ["aws"]}}),
        )
        .unwrap();
        assert_eq!(
            p.to_string(),
            r#"{"options":{},"secret_data":{},"domain_id":null}"#
        );
    }

    #[test]
    fn request_params_report_first_missing_field() {
        let cases = [
            ("Collector.init", json!({}), "options"),
            ("Collector.verify", json!({}), "options"),
            ("Collector.verify", json!({"secret_data": {}}), "options"),
            ("Collector.verify", json!({"options": {}}), "secret_data"),
            ("Collector.collect", json!({"options": {}}), "secret_data"),
            ("Job.get_tasks", json!({"options": {}}), "secret_data"),
        ];
        for (method, req, key) in cases {
            let e = request_params(method, &req).unwrap_err();
            assert_eq!(e.status, StatusKind::InvalidArgument);
            assert_eq!(
                e.details(),
                format!("ERROR_REQUIRED_PARAMETER: Required parameter. (key = {key})"),
                "{method}"
            );
        }
    }

    #[test]
    fn request_params_type_errors_and_unknown_methods() {
        let e = request_params("Collector.init", &json!({"options": "x"})).unwrap_err();
        assert_eq!(
            e.details(),
            "ERROR_INVALID_PARAMETER_TYPE: Parameter type is invalid. (key = options, type = dict)"
        );
        let e = request_params("Collector.init", &json!({"options": null})).unwrap_err();
        assert_eq!(
            e.details(),
            "ERROR_INVALID_PARAMETER_TYPE: Parameter type is invalid. (key = options, type = none)"
        );
        let e = request_params("Collector.foo", &json!({})).unwrap_err();
        assert_eq!(e.status, StatusKind::Unimplemented);
    }

    // --- init ----------------------------------------------------------------

    #[test]
    fn init_fills_the_five_metadata_defaults() {
        let v = shape_init(&json!({"metadata": {"options_schema": {}}})).unwrap();
        assert_eq!(
            v.to_string(),
            r#"{"metadata":{"supported_resource_type":["inventory.CloudService","inventory.CloudServiceType","inventory.Region","inventory.Namespace","inventory.Metric"],"supported_schedules":["hours"],"supported_features":["garbage_collection"],"filter_format":[],"options_schema":{}}}"#
        );
    }

    #[test]
    fn init_drops_unknown_keys_and_keeps_given_values() {
        let v = shape_init(&json!({
            "metadata": {
                "foo": 1,
                "supported_schedules": ["daily", 5],
                "options_schema": {"required": ["a"], "n": 3}
            },
            "extra": true
        }))
        .unwrap();
        assert_eq!(
            v["metadata"]["supported_schedules"].to_string(),
            r#"["daily","5"]"#
        );
        assert_eq!(
            v["metadata"]["options_schema"].to_string(),
            r#"{"required":["a"],"n":3.0}"#
        );
        assert!(v["metadata"].get("foo").is_none());
        assert!(v.get("extra").is_none());
        // A list becomes a mapping the way Python's dict() does.
        let v = shape_init(&json!({"metadata": {"options_schema": []}})).unwrap();
        assert_eq!(v["metadata"]["options_schema"], json!({}));
    }

    #[test]
    fn init_errors_use_upstream_texts() {
        assert_eq!(
            unknown_text(shape_init(&json!(null))),
            "spaceone.inventory.plugin.collector.model.collector_response.PluginResponse() argument after ** must be a mapping, not NoneType"
        );
        assert_eq!(
            unknown_text(shape_init(&json!({}))),
            "1 validation error for PluginResponse\nmetadata\n  field required (type=value_error.missing)"
        );
        assert_eq!(
            unknown_text(shape_init(
                &json!({"metadata": {"supported_schedules": "hours"}})
            )),
            "1 validation error for PluginResponse\nmetadata -> supported_schedules\n  value is not a valid list (type=type_error.list)"
        );
        assert_eq!(
            unknown_text(shape_init(
                &json!({"metadata": {"supported_schedules": null}})
            )),
            "1 validation error for PluginResponse\nmetadata -> supported_schedules\n  none is not an allowed value (type=type_error.none.not_allowed)"
        );
        assert_eq!(
            unknown_text(shape_init(&json!({"metadata": "x"}))),
            "1 validation error for PluginResponse\nmetadata\n  value is not a valid dict (type=type_error.dict)"
        );
        assert_eq!(
            unknown_text(shape_init(&json!({"metadata": null}))),
            "1 validation error for PluginResponse\nmetadata\n  none is not an allowed value (type=type_error.none.not_allowed)"
        );
    }

    // --- get_tasks -----------------------------------------------------------

    #[test]
    fn get_tasks_shapes_tasks() {
        let v = shape_get_tasks(&json!({"tasks": [{"task_options": {"n": 1}, "x": 2}], "y": 3}))
            .unwrap();
        assert_eq!(v.to_string(), r#"{"tasks":[{"task_options":{"n":1.0}}]}"#);
        let v = shape_get_tasks(&json!({"tasks": []})).unwrap();
        assert_eq!(v.to_string(), r#"{"tasks":[]}"#);
    }

    #[test]
    fn get_tasks_errors_use_upstream_texts() {
        assert_eq!(
            unknown_text(shape_get_tasks(&json!(null))),
            "spaceone.inventory.plugin.collector.model.job_response.TasksResponse() argument after ** must be a mapping, not NoneType"
        );
        assert_eq!(
            unknown_text(shape_get_tasks(&json!({}))),
            "1 validation error for TasksResponse\ntasks\n  field required (type=value_error.missing)"
        );
        assert_eq!(
            unknown_text(shape_get_tasks(
                &json!({"tasks": [{"task_options": null}, "ab", {"x": 1}]})
            )),
            "3 validation errors for TasksResponse\ntasks -> 0 -> task_options\n  none is not an allowed value (type=type_error.none.not_allowed)\ntasks -> 1\n  value is not a valid dict (type=type_error.dict)\ntasks -> 2 -> task_options\n  field required (type=value_error.missing)"
        );
        assert_eq!(
            unknown_text(shape_get_tasks(&json!({"tasks": {"a": 1}}))),
            "1 validation error for TasksResponse\ntasks\n  value is not a valid list (type=type_error.list)"
        );
    }

    // --- collect -------------------------------------------------------------

    #[test]
    fn collect_minimal_cloud_service() {
        let v = collect(json!({
            "resource_type": "inventory.CloudService",
            "state": "SUCCESS",
            "cloud_service": {
                "cloud_service_type": "T", "cloud_service_group": "G", "provider": "p",
                "data": {"i": 1, "f": 1.5, "b": true, "n": null, "l": [1, "a"]},
                "extra_field": 5
            }
        }))
        .unwrap();
        assert_eq!(
            v.to_string(),
            r#"{"state":"SUCCESS","resource_type":"inventory.CloudService","match_rules":{},"resource":{"name":null,"cloud_service_type":"T","cloud_service_group":"G","provider":"p","ip_addresses":[],"account":null,"instance_type":null,"instance_size":0.0,"launched_at":null,"region_code":null,"data":{"i":1.0,"f":1.5,"b":true,"n":null,"l":[1.0,"a"]},"json_data":null,"metadata":null,"json_metadata":null,"reference":null,"tags":{}}}"#
        );
    }

    #[test]
    fn collect_cloud_service_type_defaults() {
        let v = collect(json!({
            "state": "SUCCESS",
            "resource_type": "inventory.CloudServiceType",
            "match_keys": [["name", "provider"]],
            "cloud_service_type": {"name": "T", "group": "G", "provider": "p", "is_primary": "yes"}
        }))
        .unwrap();
        assert_eq!(
            v.to_string(),
            r#"{"state":"SUCCESS","resource_type":"inventory.CloudServiceType","match_rules":{"1":["name","provider"]},"resource":{"name":"T","group":"G","provider":"p","is_primary":true,"is_major":false,"metadata":null,"json_metadata":null,"service_code":null,"tags":{},"labels":[]}}"#
        );
    }

    #[test]
    fn collect_region_with_two_key_sets() {
        let v = collect(json!({
            "state": "SUCCESS",
            "resource_type": "inventory.Region",
            "region": {"region_code": "kr", "provider": "p"},
            "cloud_service": {"cloud_service_type": "T", "cloud_service_group": "G", "provider": "p"},
            "match_keys": [["region_code", "provider"], ["name"]]
        }))
        .unwrap();
        assert_eq!(
            v.to_string(),
            r#"{"state":"SUCCESS","resource_type":"inventory.Region","match_rules":{"1":["region_code","provider"],"2":["name"]},"resource":{"name":"","region_code":"kr","provider":"p","tags":{}}}"#
        );
    }

    #[test]
    fn collect_failure_keeps_selected_resource_and_message() {
        let v = collect(json!({
            "state": "FAILURE",
            "resource_type": "inventory.CloudService",
            "error_message": "oops",
            "cloud_service": {"cloud_service_type": "T", "cloud_service_group": "G", "provider": "p"}
        }))
        .unwrap();
        assert_eq!(v["state"], "FAILURE");
        assert_eq!(v["message"], "oops");
        assert_eq!(v["resource_type"], "inventory.ErrorResource");
        assert_eq!(v["resource"]["cloud_service_type"], "T");
        assert_eq!(v["resource"]["instance_size"], json!(0.0));
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "state",
                "message",
                "resource_type",
                "match_rules",
                "resource"
            ]
        );
    }

    #[test]
    fn collect_error_response_helper_shape() {
        let v = collect(json!({
            "state": "FAILURE",
            "resource_type": "inventory.ErrorResource",
            "error_message": "bad thing",
            "error_data": {"provider": "p", "cloud_service_group": "G", "cloud_service_type": "T", "resource_type": "inventory.CloudService"}
        }))
        .unwrap();
        assert_eq!(
            v.to_string(),
            r#"{"state":"FAILURE","message":"bad thing","resource_type":"inventory.ErrorResource","match_rules":{},"resource":{"provider":"p","cloud_service_group":"G","cloud_service_type":"T","resource_type":"inventory.CloudService"}}"#
        );
    }

    #[test]
    fn collect_selected_member_missing_leaves_resource_out() {
        let v = collect(json!({"state": "SUCCESS", "resource_type": "inventory.Region"})).unwrap();
        assert_eq!(
            v.to_string(),
            r#"{"state":"SUCCESS","resource_type":"inventory.Region","match_rules":{}}"#
        );
        let v = collect(json!({"state": "SUCCESS", "resource_type": "inventory.ErrorResource"}))
            .unwrap();
        assert_eq!(v["resource"], json!({}));
    }

    #[test]
    fn collect_coercions() {
        let v = collect(json!({
            "state": "SUCCESS",
            "resource_type": "inventory.CloudService",
            "match_keys": [[1, 2.5, true]],
            "cloud_service": {
                "name": 7, "cloud_service_type": "T", "cloud_service_group": "G", "provider": "p",
                "instance_size": "3", "ip_addresses": null,
                "reference": {"resource_id": 5, "x": 1}, "tags": [["k", "v"]],
                "launched_at": 12345678901234567890u64
            }
        }))
        .unwrap();
        assert_eq!(v["match_rules"], json!({"1": ["1", "2.5", "True"]}));
        let r = &v["resource"];
        assert_eq!(r["name"], "7");
        assert_eq!(r["instance_size"], json!(3.0));
        assert_eq!(r["ip_addresses"], Value::Null);
        assert_eq!(r["reference"], json!({"resource_id": "5"}));
        assert_eq!(r["tags"], json!({"k": "v"}));
        assert_eq!(r["launched_at"], "12345678901234567890");
    }

    #[test]
    fn collect_numbers_become_doubles() {
        let v = collect(json!({
            "state": "SUCCESS",
            "resource_type": "inventory.CloudService",
            "cloud_service": {"cloud_service_type": "T", "cloud_service_group": "G", "provider": "p",
                "data": {"big": 12345678901234567890u64, "neg": -7, "n": 3}}
        }))
        .unwrap();
        assert_eq!(
            v["resource"]["data"].to_string(),
            r#"{"big":1.2345678901234567e+19,"neg":-7.0,"n":3.0}"#
        );
    }

    #[test]
    fn collect_errors_use_upstream_texts() {
        assert_eq!(
            unknown_text(collect(json!("x"))),
            "spaceone.inventory.plugin.collector.model.collector_response.ResourceResponse() argument after ** must be a mapping, not str"
        );
        assert_eq!(
            unknown_text(collect(json!({"state": "SUCCESS"}))),
            "1 validation error for ResourceResponse\nresource_type\n  field required (type=value_error.missing)"
        );
        assert_eq!(
            unknown_text(collect(json!({"resource_type": "inventory.Region"}))),
            "1 validation error for ResourceResponse\nstate\n  field required (type=value_error.missing)"
        );
        assert_eq!(
            unknown_text(collect(json!({"state": "x", "resource_type": "y"}))),
            "2 validation errors for ResourceResponse\nstate\n  value is not a valid enumeration member; permitted: 'SUCCESS', 'FAILURE' (type=type_error.enum; enum_values=[<State.success: 'SUCCESS'>, <State.failure: 'FAILURE'>])\nresource_type\n  value is not a valid enumeration member; permitted: 'inventory.CloudService', 'inventory.CloudServiceType', 'inventory.Namespace', 'inventory.Metric', 'inventory.Region', 'inventory.ErrorResource' (type=type_error.enum; enum_values=[<ResourceType.cloud_service: 'inventory.CloudService'>, <ResourceType.cloud_service_type: 'inventory.CloudServiceType'>, <ResourceType.namespace: 'inventory.Namespace'>, <ResourceType.metric: 'inventory.Metric'>, <ResourceType.region: 'inventory.Region'>, <ResourceType.error: 'inventory.ErrorResource'>])"
        );
        assert_eq!(
            unknown_text(collect(
                json!({"state": "SUCCESS", "resource_type": "inventory.CloudService", "cloud_service": {"cloud_service_group": "G", "provider": "p"}})
            )),
            "1 validation error for ResourceResponse\ncloud_service -> cloud_service_type\n  field required (type=value_error.missing)"
        );
        assert_eq!(
            unknown_text(collect(
                json!({"state": "SUCCESS", "resource_type": "inventory.Region", "region": "abc"})
            )),
            "1 validation error for ResourceResponse\nregion\n  value is not a valid dict (type=type_error.dict)"
        );
        assert_eq!(
            unknown_text(collect(
                json!({"state": "SUCCESS", "resource_type": "inventory.Region", "region": {"region_code": 1, "provider": null, "tags": null}})
            )),
            "2 validation errors for ResourceResponse\nregion -> provider\n  none is not an allowed value (type=type_error.none.not_allowed)\nregion -> tags\n  none is not an allowed value (type=type_error.none.not_allowed)"
        );
        assert_eq!(
            unknown_text(collect(
                json!({"state": "SUCCESS", "resource_type": "inventory.CloudService", "cloud_service": {"cloud_service_type": "a", "cloud_service_group": "b", "provider": "c", "reference": "abc"}})
            )),
            "1 validation error for ResourceResponse\ncloud_service -> reference -> __root__\n  Reference expected dict not str (type=type_error)"
        );
        assert_eq!(
            unknown_text(collect(
                json!({"state": "SUCCESS", "resource_type": "inventory.CloudService", "cloud_service": {"cloud_service_type": "a", "cloud_service_group": "b", "provider": "c", "reference": {"resource_id": [5]}, "instance_size": "x", "ip_addresses": "a"}})
            )),
            "3 validation errors for ResourceResponse\ncloud_service -> ip_addresses\n  value is not a valid list (type=type_error.list)\ncloud_service -> instance_size\n  value is not a valid float (type=type_error.float)\ncloud_service -> reference -> resource_id\n  str type expected (type=type_error.str)"
        );
        assert_eq!(
            unknown_text(collect(
                json!({"state": "SUCCESS", "resource_type": "inventory.Region", "metric": {"metric_type": "X"}})
            )),
            "6 validation errors for ResourceResponse\nmetric -> name\n  field required (type=value_error.missing)\nmetric -> metric_type\n  unexpected value; permitted: 'COUNTER', 'GAUGE' (type=value_error.const; given=X; permitted=('COUNTER', 'GAUGE'))\nmetric -> resource_type\n  field required (type=value_error.missing)\nmetric -> query_options\n  field required (type=value_error.missing)\nmetric -> namespace_id\n  field required (type=value_error.missing)\nmetric -> version\n  field required (type=value_error.missing)"
        );
        assert_eq!(
            unknown_text(collect(
                json!({"state": "SUCCESS", "resource_type": "inventory.Namespace", "namespace": {"category": 5}})
            )),
            "4 validation errors for ResourceResponse\nnamespace -> name\n  field required (type=value_error.missing)\nnamespace -> category\n  unexpected value; permitted: 'ASSET', 'SECURITY', 'INFORMATION', 'RECOMMENDATION' (type=value_error.const; given=5; permitted=('ASSET', 'SECURITY', 'INFORMATION', 'RECOMMENDATION'))\nnamespace -> resource_type\n  field required (type=value_error.missing)\nnamespace -> version\n  field required (type=value_error.missing)"
        );
        assert_eq!(
            unknown_text(collect(
                json!({"state": "SUCCESS", "resource_type": "inventory.Region", "match_keys": ["a"], "error_message": null, "error_data": null})
            )),
            "3 validation errors for ResourceResponse\nerror_data\n  none is not an allowed value (type=type_error.none.not_allowed)\nmatch_keys -> 0\n  value is not a valid list (type=type_error.list)\nerror_message\n  none is not an allowed value (type=type_error.none.not_allowed)"
        );
        assert_eq!(
            unknown_text(collect(
                json!({"state": "SUCCESS", "resource_type": "inventory.Region", "match_keys": [[1, null, 2.5, true]]})
            )),
            "1 validation error for ResourceResponse\nmatch_keys -> 0 -> 1\n  none is not an allowed value (type=type_error.none.not_allowed)"
        );
        assert_eq!(
            unknown_text(collect(
                json!({"state": "SUCCESS", "resource_type": "inventory.Region", "cloud_service_type": {"name": "a", "group": "b", "provider": "c", "labels": null, "is_primary": "yes", "is_major": 2}})
            )),
            "2 validation errors for ResourceResponse\ncloud_service_type -> is_major\n  value could not be parsed to a boolean (type=type_error.bool)\ncloud_service_type -> labels\n  none is not an allowed value (type=type_error.none.not_allowed)"
        );
    }

    #[test]
    fn namespace_and_metric_shapes() {
        let v = collect(json!({
            "state": "SUCCESS", "resource_type": "inventory.Namespace",
            "namespace": {"name": "N", "category": "ASSET", "resource_type": "inventory.CloudService", "version": 1, "tags": null}
        }))
        .unwrap();
        assert_eq!(
            v["resource"].to_string(),
            r#"{"namespace_id":null,"name":"N","category":"ASSET","resource_type":"inventory.CloudService","group":null,"icon":null,"tags":null,"version":"1"}"#
        );
        let v = collect(json!({
            "state": "SUCCESS", "resource_type": "inventory.Metric",
            "metric": {"name": "M", "metric_type": "GAUGE", "resource_type": "r", "query_options": {"n": 1},
                       "namespace_id": "ns", "version": "1.0"}
        }))
        .unwrap();
        assert_eq!(
            v["resource"].to_string(),
            r#"{"metric_id":null,"name":"M","metric_type":"GAUGE","resource_type":"r","query_options":{"n":1.0},"date_field":null,"unit":null,"tags":{},"namespace_id":"ns","version":"1.0"}"#
        );
    }

    // --- the compat sample ----------------------------------------------------------

    fn repo_file(path: &str) -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The compat sample's items — as upstream's helpers build them
    /// (`raw_items.json`) and with metadata references instead
    /// (`sdk_items.json`) — give its recorded `collect` output.
    #[test]
    fn sample_items_match_the_recorded_collect_output() {
        let expected: Vec<Value> = serde_json::Deserializer::from_str(&repo_file(
            "samples/compat-collector/expected/collect.json",
        ))
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .expect("recorded output");
        assert_eq!(expected.len(), 13);
        for file in ["raw_items.json", "sdk_items.json"] {
            let items: Vec<Value> = serde_json::from_str(&repo_file(&format!(
                "tests/data/metadata/kestrel_collect/{file}"
            )))
            .expect("items");
            let mut reads = Vec::new();
            let mut meta = |p: &str| {
                reads.push(p.to_string());
                Ok(repo_file(&format!(
                    "samples/compat-collector/src/plugin/{p}"
                )))
            };
            let got: Vec<Value> = items
                .iter()
                .map(|item| {
                    shape_collect_item(item, &mut meta).unwrap_or_else(|e| panic!("{file}: {e}"))
                })
                .collect();
            assert_eq!(got, expected, "{file}");
            let expected_reads = if file.starts_with("sdk") { 9 } else { 0 };
            assert_eq!(reads.len(), expected_reads, "{file}");
        }
    }

    // --- metadata references -------------------------------------------------

    const MINI_YAML: &str = "search:\n  fields:\n    - A: data.a\n";
    const MINI_JSON: &str = r#"{"view": {"search": [{"name": "A", "key": "data.a", "type": "text"}], "table": {"layout": {"type": "query-search-table", "options": {}, "name": "Main Table"}}, "sub_data": {"layouts": []}}}"#;

    #[test]
    fn metadata_reference_as_json_metadata() {
        let mut reads = Vec::new();
        let mut meta = |p: &str| {
            reads.push(p.to_string());
            Ok(MINI_YAML.to_string())
        };
        let v = shape_collect_item(
            &json!({
                "state": "SUCCESS", "resource_type": "inventory.CloudServiceType",
                "cloud_service_type": {"name": "T", "group": "G", "provider": "p",
                    "__metadata__": {"path": "metadata/g/t.yaml", "as": "json_metadata"}}
            }),
            &mut meta,
        )
        .unwrap();
        assert_eq!(reads, ["metadata/g/t.yaml"]);
        assert_eq!(v["resource"]["json_metadata"], MINI_JSON);
        assert_eq!(v["resource"]["metadata"], Value::Null);
        assert!(v["resource"].get("__metadata__").is_none());
    }

    #[test]
    fn metadata_reference_as_metadata_dict() {
        let mut meta = |_: &str| Ok(MINI_YAML.to_string());
        let v = shape_collect_item(
            &json!({
                "state": "SUCCESS", "resource_type": "inventory.CloudService",
                "cloud_service": {"cloud_service_type": "T", "cloud_service_group": "G", "provider": "p",
                    "__metadata__": {"path": "m.yaml", "as": "metadata"}}
            }),
            &mut meta,
        )
        .unwrap();
        let expected: Value = serde_json::from_str(MINI_JSON).unwrap();
        assert_eq!(v["resource"]["metadata"], expected);
        assert_eq!(v["resource"]["json_metadata"], Value::Null);
    }

    #[test]
    fn metadata_reference_with_an_inline_document() {
        let v = collect(json!({
            "state": "SUCCESS", "resource_type": "inventory.CloudServiceType",
            "cloud_service_type": {"name": "T", "group": "G", "provider": "p",
                "__metadata__": {"value": {"search": {"fields": [{"A": "data.a"}]}}, "as": "json_metadata"}}
        }))
        .unwrap();
        assert_eq!(v["resource"]["json_metadata"], MINI_JSON);

        let e = collect(json!({
            "state": "SUCCESS", "resource_type": "inventory.CloudServiceType",
            "cloud_service_type": {"name": "T", "group": "G", "provider": "p",
                "__metadata__": {"value": {"table": {}}, "as": "json_metadata"}}
        }))
        .unwrap_err();
        assert_eq!(
            e.details(),
            "ERROR_UNKNOWN: Invalid metadata: cloud_service_type.__metadata__.value: search: is required (a mapping with `fields`)"
        );

        let e = collect(json!({
            "state": "SUCCESS", "resource_type": "inventory.CloudServiceType",
            "cloud_service_type": {"name": "T", "group": "G", "provider": "p",
                "__metadata__": {"value": {}, "path": "m.yaml", "as": "metadata"}}
        }))
        .unwrap_err();
        assert!(
            e.message
                .contains("give either a `path` text or a `value` document"),
            "{}",
            e.message
        );
    }

    #[test]
    fn metadata_reference_errors_name_the_path() {
        let mut missing = |_: &str| Err("No such file or directory".to_string());
        let e = shape_collect_item(
            &json!({"state": "SUCCESS", "resource_type": "inventory.CloudServiceType",
                "cloud_service_type": {"name": "T", "group": "G", "provider": "p",
                    "__metadata__": {"path": "metadata/x.yaml", "as": "json_metadata"}}}),
            &mut missing,
        )
        .unwrap_err();
        assert_eq!(e.status, StatusKind::Internal);
        assert_eq!(
            e.details(),
            "ERROR_UNKNOWN: YAML Load Error: metadata/x.yaml (No such file or directory)"
        );

        let mut bad = |_: &str| Ok("table: {}\n".to_string());
        let e = shape_collect_item(
            &json!({"state": "SUCCESS", "resource_type": "inventory.CloudServiceType",
                "cloud_service_type": {"name": "T", "group": "G", "provider": "p",
                    "__metadata__": {"path": "metadata/x.yaml", "as": "json_metadata"}}}),
            &mut bad,
        )
        .unwrap_err();
        assert!(
            e.message
                .starts_with("Invalid metadata: metadata/x.yaml: search"),
            "{}",
            e.message
        );

        let e = collect(
            json!({"state": "SUCCESS", "resource_type": "inventory.CloudServiceType",
            "cloud_service_type": {"name": "T", "group": "G", "provider": "p",
                "__metadata__": {"path": "m.yaml", "as": "yaml"}}}),
        )
        .unwrap_err();
        assert!(
            e.message
                .starts_with("cloud_service_type.__metadata__: `as` must be"),
            "{}",
            e.message
        );
    }

    // --- inventory 1.x fields (--inventory-v1) ----------------------------

    fn v1(item: Value) -> String {
        with_inventory_v1(collect(item).unwrap()).to_string()
    }

    #[test]
    fn v1_decodes_the_view_of_a_cloud_service_type() {
        let got = v1(json!({
            "state": "SUCCESS",
            "resource_type": "inventory.CloudServiceType",
            "match_keys": [["name", "group", "provider"]],
            "cloud_service_type": {"name": "T", "group": "G", "provider": "p",
                "json_metadata": "{\"view\": {\"search\": [{\"name\": \"A\", \"key\": \"data.a\"}], \"n\": 2}}"}
        }));
        assert_eq!(
            got,
            r#"{"state":"SUCCESS","resource_type":"inventory.CloudServiceType","match_rules":{"1":["name","group","provider"]},"resource":{"name":"T","group":"G","provider":"p","is_primary":false,"is_major":false,"metadata":{"view":{"search":[{"name":"A","key":"data.a"}],"n":2.0}},"json_metadata":"{\"view\": {\"search\": [{\"name\": \"A\", \"key\": \"data.a\"}], \"n\": 2}}","service_code":null,"tags":{},"labels":[]}}"#
        );
    }

    #[test]
    fn v1_decodes_the_data_and_view_of_a_cloud_service() {
        let got = v1(json!({
            "state": "SUCCESS",
            "resource_type": "inventory.CloudService",
            "cloud_service": {"cloud_service_type": "T", "cloud_service_group": "G", "provider": "p",
                "json_data": "{\"size\": 3, \"tags\": [\"a\"]}",
                "json_metadata": "{\"view\": {\"sub_data\": {}}}"}
        }));
        assert_eq!(
            got,
            r#"{"state":"SUCCESS","resource_type":"inventory.CloudService","match_rules":{},"resource":{"name":null,"cloud_service_type":"T","cloud_service_group":"G","provider":"p","ip_addresses":[],"account":null,"instance_type":null,"instance_size":0.0,"launched_at":null,"region_code":null,"data":{"size":3.0,"tags":["a"]},"json_data":"{\"size\": 3, \"tags\": [\"a\"]}","metadata":{"view":{"sub_data":{}}},"json_metadata":"{\"view\": {\"sub_data\": {}}}","reference":null,"tags":{}}}"#
        );
    }

    #[test]
    fn v1_leaves_other_items_unchanged() {
        let same = |item: Value| {
            let shaped = collect(item).unwrap();
            assert_eq!(with_inventory_v1(shaped.clone()), shaped);
        };
        // data and a view already given win
        same(
            json!({"state": "SUCCESS", "resource_type": "inventory.CloudService",
            "cloud_service": {"cloud_service_type": "T", "cloud_service_group": "G", "provider": "p",
                "data": {"a": 1}, "json_data": "{\"b\": 2}", "metadata": {}, "json_metadata": "{}"}}),
        );
        // a view already given as metadata wins
        same(
            json!({"state": "SUCCESS", "resource_type": "inventory.CloudServiceType",
            "cloud_service_type": {"name": "T", "group": "G", "provider": "p",
                "metadata": {"view": {}}, "json_metadata": "{\"other\": {}}"}}),
        );
        // no view at all
        same(
            json!({"state": "SUCCESS", "resource_type": "inventory.CloudServiceType",
            "cloud_service_type": {"name": "T", "group": "G", "provider": "p"}}),
        );
        // text that is not a JSON object is sent as upstream sends it
        same(
            json!({"state": "SUCCESS", "resource_type": "inventory.CloudServiceType",
            "cloud_service_type": {"name": "T", "group": "G", "provider": "p", "json_metadata": "[1]"}}),
        );
        same(
            json!({"state": "SUCCESS", "resource_type": "inventory.CloudServiceType",
            "cloud_service_type": {"name": "T", "group": "G", "provider": "p", "json_metadata": "{not json"}}),
        );
        // other resource types
        same(
            json!({"state": "SUCCESS", "resource_type": "inventory.Region",
            "region": {"region_code": "kr", "provider": "p"}}),
        );
        same(
            json!({"state": "FAILURE", "resource_type": "inventory.CloudService",
            "error_message": "boom", "error_data": {"json_metadata": "{}"}}),
        );
    }
}
