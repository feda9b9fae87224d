//! What `plugin test` checks in the responses of a plugin (pure).
//!
//! * Every response must follow upstream's models: it is run through the
//!   host's shaping rules ([`crate::plugin::kinds::collector::model`]) again and must come out
//!   unchanged.
//! * A FAILURE item is an error (its message is reported).
//! * Two SUCCESS items of one resource type in one collect call whose first
//!   match rule gives the same values would overwrite each other in the
//!   inventory: an error.
//! * Warnings: items without match keys, a match rule that repeats a key,
//!   cloud services whose cloud service type was not collected, and metadata
//!   fields (`data.*` keys of the view) that are absent from a cloud service's
//!   `data`.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::plugin::kinds::collector::model;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in the responses (or a failed call).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    /// A stable machine-readable kind, e.g. `failure_item`.
    pub kind: &'static str,
    pub message: String,
}

impl Finding {
    pub fn error(kind: &'static str, message: impl Into<String>) -> Finding {
        Finding {
            severity: Severity::Error,
            kind,
            message: message.into(),
        }
    }

    pub fn warning(kind: &'static str, message: impl Into<String>) -> Finding {
        Finding {
            severity: Severity::Warning,
            kind,
            message: message.into(),
        }
    }
}

/// `Collector.init`: the response must be what the PluginInfo model makes of it.
pub fn check_init(response: &Value) -> Option<Finding> {
    check_idempotent("Collector.init", response, model::shape_init(response))
}

/// `Job.get_tasks`: the response must be what the TasksResponse model makes of it.
pub fn check_get_tasks(response: &Value) -> Option<Finding> {
    check_idempotent("Job.get_tasks", response, model::shape_get_tasks(response))
}

/// Resource types a collect yielded (successfully) that init's
/// `metadata.supported_resource_type` does not list.
pub fn check_supported_types(init: &Value, counts: &[(String, String, usize)]) -> Vec<Finding> {
    let Some(supported) = init
        .get("metadata")
        .and_then(|m| m.get("supported_resource_type"))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (rt, state, _) in counts {
        let listed = supported.iter().any(|s| s.as_str() == Some(rt.as_str()));
        let reported = out
            .iter()
            .any(|f: &Finding| f.message.starts_with(&format!("collect yielded {rt},")));
        if state == "SUCCESS" && !listed && !reported {
            out.push(Finding::warning(
                "unsupported_resource_type",
                format!(
                    "collect yielded {rt}, which Collector.init does not list in supported_resource_type"
                ),
            ));
        }
    }
    out
}

fn check_idempotent(
    what: &str,
    response: &Value,
    shaped: Result<Value, crate::plugin::host::error::PluginError>,
) -> Option<Finding> {
    match shaped {
        Ok(v) if &v == response => None,
        Ok(v) => Some(Finding::error(
            "invalid_response",
            format!(
                "{what}: the response does not follow the model (expected {}, got {})",
                compact(&v),
                compact(response)
            ),
        )),
        Err(e) => Some(Finding::error(
            "invalid_response",
            format!(
                "{what}: the response does not follow the model: {}",
                e.message
            ),
        )),
    }
}

fn compact(v: &Value) -> String {
    let text = serde_json::to_string(v).unwrap_or_default();
    const LIMIT: usize = 300;
    if text.chars().count() > LIMIT {
        let cut: String = text.chars().take(LIMIT).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// The resource member of a collect item for each resource type.
const MEMBERS: &[(&str, &str)] = &[
    ("inventory.CloudServiceType", "cloud_service_type"),
    ("inventory.CloudService", "cloud_service"),
    ("inventory.Region", "region"),
    ("inventory.Namespace", "namespace"),
    ("inventory.Metric", "metric"),
    ("inventory.ErrorResource", "error_data"),
];

/// The item a plugin would have returned for a ResourceInfo (as a dict).
pub fn item_from_response(response: &Value) -> Value {
    let mut item = Map::new();
    let Value::Object(r) = response else {
        return response.clone();
    };
    if let Some(state) = r.get("state") {
        item.insert("state".into(), state.clone());
    }
    let resource_type = r.get("resource_type").and_then(Value::as_str);
    if let Some(rt) = r.get("resource_type") {
        item.insert("resource_type".into(), rt.clone());
    }
    if let Some(Value::Object(rules)) = r.get("match_rules") {
        let mut numbered: Vec<(u64, &Value)> = rules
            .iter()
            .map(|(k, v)| (k.parse::<u64>().unwrap_or(u64::MAX), v))
            .collect();
        numbered.sort_by_key(|(n, _)| *n);
        item.insert(
            "match_keys".into(),
            Value::Array(numbered.into_iter().map(|(_, v)| v.clone()).collect()),
        );
    }
    if let (Some(rt), Some(resource)) = (resource_type, r.get("resource"))
        && let Some((_, member)) = MEMBERS.iter().find(|(t, _)| *t == rt)
    {
        item.insert((*member).into(), resource.clone());
    }
    if let Some(message) = r.get("message") {
        item.insert("error_message".into(), message.clone());
    }
    Value::Object(item)
}

/// Identifies a cloud service type: provider, group, name.
type TypeKey = (String, String, String);

fn text_at<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn type_key_label(k: &TypeKey) -> String {
    format!("{}/{}/{}", k.0, k.1, k.2)
}

/// A short description of item `index` (1-based) for messages.
pub fn item_label(index: usize, response: &Value) -> String {
    let rt = text_at(response, "resource_type");
    let resource = response.get("resource").unwrap_or(&Value::Null);
    let name = match rt {
        "inventory.Region" => text_at(resource, "region_code").to_string(),
        "inventory.ErrorResource" => {
            let parts: Vec<&str> = ["provider", "cloud_service_group", "cloud_service_type"]
                .iter()
                .map(|k| text_at(resource, k))
                .filter(|s| !s.is_empty())
                .collect();
            parts.join("/")
        }
        _ => text_at(resource, "name").to_string(),
    };
    let rt = if rt.is_empty() {
        "(no resource type)"
    } else {
        rt
    };
    if name.is_empty() {
        format!("item #{index} {rt}")
    } else {
        format!("item #{index} {rt} '{name}'")
    }
}

/// The value at a dotted path, `None` when a key is missing.
fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for part in path.split('.') {
        cur = match cur {
            Value::Object(m) => m.get(part)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Whether a dotted path exists in `data` (lists: in any element; an empty
/// list or a `null` on the way cannot tell, so they count as present).
pub fn path_present(data: &Value, parts: &[&str]) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return true;
    };
    match data {
        Value::Object(m) => m.get(*first).is_some_and(|v| path_present(v, rest)),
        Value::Array(items) => items.is_empty() || items.iter().any(|i| path_present(i, parts)),
        Value::Null => true,
        _ => false,
    }
}

/// The fields of a dynamic view that read `data.*`: (field name, full path).
/// Fields of table tabs with a `root_path` are relative to it.
pub fn view_data_fields(view: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut add = |name: &str, path: String| {
        if path.starts_with("data.") && !out.iter().any(|(_, p)| *p == path) {
            out.push((name.to_string(), path));
        }
    };
    let v = view.get("view").unwrap_or(&Value::Null);
    let fields = |list: Option<&Value>| -> Vec<(String, String)> {
        list.and_then(Value::as_array)
            .map(|fs| {
                fs.iter()
                    .filter_map(|f| {
                        let key = f.get("key")?.as_str()?;
                        let name = f.get("name").and_then(Value::as_str).unwrap_or(key);
                        Some((name.to_string(), key.to_string()))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    for (name, key) in fields(v.get("search")) {
        add(&name, key);
    }
    for (name, key) in fields(lookup(v, "table.layout.options.fields")) {
        add(&name, key);
    }
    fn layouts(list: Option<&Value>, out: &mut Vec<(String, String, Option<String>)>) {
        for layout in list.and_then(Value::as_array).into_iter().flatten() {
            let options = layout.get("options").unwrap_or(&Value::Null);
            let tab = layout.get("name").and_then(Value::as_str).unwrap_or("");
            if options.get("layouts").is_some() {
                layouts(options.get("layouts"), out);
                continue;
            }
            let root = options.get("root_path").and_then(Value::as_str);
            if let Some(root) = root {
                out.push((format!("{tab} (root path)"), root.to_string(), None));
            }
            if let Some(md) = options.get("markdown").and_then(Value::as_str) {
                out.push((format!("{tab} (markdown)"), md.to_string(), None));
            }
            for f in options
                .get("fields")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(key) = f.get("key").and_then(Value::as_str) {
                    let name = f.get("name").and_then(Value::as_str).unwrap_or(key);
                    out.push((name.to_string(), key.to_string(), root.map(str::to_string)));
                }
            }
        }
    }
    let mut tab_fields = Vec::new();
    layouts(lookup(v, "sub_data.layouts"), &mut tab_fields);
    for (name, key, root) in tab_fields {
        let path = match root {
            Some(r) => format!("{r}.{key}"),
            None => key,
        };
        add(&name, path);
    }
    out
}

/// The view carried by a resource: `metadata` (a view dict) or `json_metadata`
/// (its JSON text). `Err` when `json_metadata` is not JSON.
fn own_view(resource: &Value) -> Result<Option<Value>, String> {
    if let Some(m @ Value::Object(map)) = resource.get("metadata")
        && map.contains_key("view")
    {
        return Ok(Some(m.clone()));
    }
    match resource.get("json_metadata") {
        Some(Value::String(text)) => serde_json::from_str(text)
            .map(Some)
            .map_err(|e| format!("json_metadata is not JSON ({e})")),
        _ => Ok(None),
    }
}

/// A view that only points at its cloud service type's view.
fn is_type_reference(view: &Value) -> bool {
    lookup(view, "view.sub_data.reference").is_some()
        && lookup(view, "view.search").is_none()
        && lookup(view, "view.table").is_none()
}

/// A cloud service whose metadata check waits for its type's view.
struct Pending {
    key: TypeKey,
    name: String,
    data: Value,
}

#[derive(Default)]
struct FieldStat {
    name: String,
    missing: usize,
    checked: usize,
    example: String,
}

/// What inventory 2.x's create path refuses in a resource the plugin yields (its
/// services' required parameters and its database models' rules), one text each. These
/// end as errors of the job task, not of the plugin call.
pub fn inventory_refusals(resource_type: &str, resource: &Value) -> Vec<String> {
    const TYPES: [&str; 4] = [
        "inventory.CloudService",
        "inventory.CloudServiceType",
        "inventory.Region",
        "inventory.ErrorResource",
    ];
    let mut out = Vec::new();
    if !TYPES.contains(&resource_type) {
        out.push(format!(
            "inventory has no resource type '{resource_type}' (ERROR_UNSUPPORTED_RESOURCE_TYPE); use one of {}",
            TYPES.join(", ")
        ));
        return out;
    }
    let missing = |key: &str| resource.get(key).is_none_or(Value::is_null);
    let required = |keys: &[&str], out: &mut Vec<String>| {
        for k in keys {
            if missing(k) {
                out.push(format!(
                    "`{k}` is missing; inventory requires it (ERROR_REQUIRED_PARAMETER: key = {k})"
                ));
            }
        }
    };
    let short = |keys: &[&str], out: &mut Vec<String>| {
        for k in keys {
            if let Some(Value::String(v)) = resource.get(*k)
                && v.chars().count() > 255
            {
                out.push(format!(
                    "`{k}` has {} characters; inventory stores at most 255 (ERROR_DB_QUERY … ['{k}'])",
                    v.chars().count()
                ));
            }
        }
    };
    let json_dict = |key: &str, out: &mut Vec<String>| {
        if let Some(Value::String(text)) = resource.get(key)
            && !text.is_empty()
            && !matches!(serde_json::from_str::<Value>(text), Ok(Value::Object(_)))
        {
            out.push(format!("`{key}` is not a JSON object; inventory refuses it (ERROR_INVALID_PARAMETER_TYPE: key = {key})"));
        }
    };
    match resource_type {
        "inventory.CloudService" => {
            required(
                &["cloud_service_type", "cloud_service_group", "provider"],
                &mut out,
            );
            if missing("reference") {
                out.push(
                    "`reference` is missing; inventory 2.x fails the job task on it (ERROR_DB_QUERY … ['reference']): \
                     send reference: {resource_id: <the resource's own id>}"
                        .to_string(),
                );
            } else if !resource.get("reference").is_some_and(Value::is_object) {
                out.push("`reference` is not a mapping (resource_id, external_link); inventory 2.x refuses it".to_string());
            }
            if missing("data")
                && resource
                    .get("json_data")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
            {
                out.push("neither `data` nor `json_data` is set; inventory requires one (ERROR_REQUIRED_PARAMETER: key = data)".to_string());
            }
            json_dict("json_data", &mut out);
            json_dict("json_metadata", &mut out);
            if let Some(Value::String(state)) = resource.get("state")
                && !["ACTIVE", "DISCONNECTED", "DELETED"].contains(&state.as_str())
            {
                out.push(format!("`state` '{state}' is not one of ACTIVE, DISCONNECTED, DELETED; inventory refuses it"));
            }
            short(
                &[
                    "cloud_service_type",
                    "cloud_service_group",
                    "provider",
                    "account",
                    "instance_type",
                    "region_code",
                ],
                &mut out,
            );
            if let Some(Value::Array(ips)) = resource.get("ip_addresses")
                && ips
                    .iter()
                    .any(|ip| ip.as_str().is_none_or(|s| s.chars().count() > 255))
            {
                out.push("`ip_addresses` holds something other than texts of at most 255 characters; inventory refuses it".to_string());
            }
        }
        "inventory.CloudServiceType" => {
            required(&["name", "group", "provider"], &mut out);
            json_dict("json_metadata", &mut out);
            short(&["name", "group", "provider", "service_code"], &mut out);
        }
        "inventory.Region" => {
            required(&["name", "region_code", "provider"], &mut out);
            short(&["name", "region_code", "provider"], &mut out);
        }
        _ => {}
    }
    out
}

/// Checks collect items one at a time (so nothing but counters and the data
/// of not-yet-checkable cloud services is kept).
#[derive(Default)]
pub struct Checker {
    /// (resource_type, state) → count, in order of first appearance.
    counts: Vec<(String, String, usize)>,
    findings: Vec<Finding>,
    /// (resource_type, values of match rule 1) → label of the first item.
    match_seen: HashMap<(String, String), String>,
    type_views: HashMap<TypeKey, Value>,
    pending: Vec<Pending>,
    /// (type, data path) → stats, with the first-seen order.
    fields: HashMap<(TypeKey, String), FieldStat>,
    field_order: Vec<(TypeKey, String)>,
    items: usize,
}

impl Checker {
    pub fn new() -> Checker {
        Checker::default()
    }

    /// Number of items seen.
    pub fn items(&self) -> usize {
        self.items
    }

    /// Start the responses of another collect call: match keys only collide
    /// within one call (each task of get_tasks may send the same type again).
    pub fn begin_collect(&mut self) {
        self.match_seen.clear();
    }

    /// Check one collect response (a ResourceInfo as a dict).
    pub fn item(&mut self, response: &Value) {
        self.items += 1;
        let index = self.items;
        let label = item_label(index, response);
        let rt = text_at(response, "resource_type").to_string();
        let state = text_at(response, "state").to_string();
        match self
            .counts
            .iter_mut()
            .find(|(t, s, _)| *t == rt && *s == state)
        {
            Some(entry) => entry.2 += 1,
            None => self.counts.push((rt.clone(), state.clone(), 1)),
        }

        // Upstream's model rules, applied again to what came over the wire.
        let item = item_from_response(response);
        let mut no_files = |path: &str| -> Result<String, String> {
            Err(format!("{path} is not a converted view"))
        };
        // A response that breaks them is not checked further.
        match model::shape_collect_item(&item, &mut no_files) {
            Ok(shaped) if &shaped == response => {}
            Ok(shaped) => {
                self.findings.push(Finding::error(
                    "invalid_response",
                    format!(
                        "{label} does not follow the model (expected {}, got {})",
                        compact(&shaped),
                        compact(response)
                    ),
                ));
                return;
            }
            Err(e) => {
                self.findings.push(Finding::error(
                    "invalid_response",
                    format!("{label} does not follow the model: {}", e.message),
                ));
                return;
            }
        }

        if state == "FAILURE" {
            let message = text_at(response, "message");
            let message = if message.is_empty() {
                "(no error message)"
            } else {
                message
            };
            self.findings.push(Finding::error(
                "failure_item",
                format!("{label} is a FAILURE: {message}"),
            ));
            return;
        }
        if state != "SUCCESS" {
            return;
        }
        let resource = response.get("resource").unwrap_or(&Value::Null);
        for refusal in inventory_refusals(&rt, resource) {
            self.findings.push(Finding::error(
                "inventory_refuses",
                format!("{label}: {refusal}"),
            ));
        }
        self.check_match_keys(&label, &rt, response, resource);
        match rt.as_str() {
            "inventory.CloudServiceType" => self.cloud_service_type(&label, resource),
            "inventory.CloudService" => self.cloud_service(&label, resource),
            _ => {}
        }
    }

    fn check_match_keys(&mut self, label: &str, rt: &str, response: &Value, resource: &Value) {
        let rules = match response.get("match_rules") {
            Some(Value::Object(m)) if !m.is_empty() => m,
            _ => {
                self.findings.push(Finding::error(
                    "no_match_keys",
                    format!("{label} has no match keys; the inventory refuses it (ERROR_MATCH_RULE: Match rule is not defined.)"),
                ));
                return;
            }
        };
        for (n, rule) in rules {
            let keys: Vec<&str> = rule
                .as_array()
                .map(|ks| ks.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut seen: Vec<&str> = Vec::new();
            for k in &keys {
                if seen.contains(k) {
                    self.findings.push(Finding::warning(
                        "repeated_match_key",
                        format!("{label}: match rule {n} repeats the key {k}"),
                    ));
                } else {
                    seen.push(k);
                }
            }
        }
        let Some(first) = rules.get("1").and_then(Value::as_array) else {
            return;
        };
        let keys: Vec<&str> = first.iter().filter_map(Value::as_str).collect();
        let values: Vec<Value> = keys
            .iter()
            .map(|k| lookup(resource, k).cloned().unwrap_or(Value::Null))
            .collect();
        let signature = serde_json::to_string(&values).unwrap_or_default();
        match self.match_seen.get(&(rt.to_string(), signature.clone())) {
            Some(earlier) => {
                let shown: Vec<String> = keys
                    .iter()
                    .zip(&values)
                    .map(|(k, v)| format!("{k}={}", crate::output::pyrepr::py_str(v)))
                    .collect();
                self.findings.push(Finding::error(
                    "duplicate_match_keys",
                    format!(
                        "{label} has the same match keys as {earlier} ({}); the inventory would keep only one of them",
                        shown.join(", ")
                    ),
                ));
            }
            None => {
                self.match_seen
                    .insert((rt.to_string(), signature), label.to_string());
            }
        }
    }

    fn cloud_service_type(&mut self, label: &str, resource: &Value) {
        let key = (
            text_at(resource, "provider").to_string(),
            text_at(resource, "group").to_string(),
            text_at(resource, "name").to_string(),
        );
        match own_view(resource) {
            Ok(Some(view)) => {
                self.type_views.insert(key.clone(), view);
                let (ready, waiting): (Vec<Pending>, Vec<Pending>) =
                    std::mem::take(&mut self.pending)
                        .into_iter()
                        .partition(|p| p.key == key);
                self.pending = waiting;
                if let Some(view) = self.type_views.get(&key).cloned() {
                    for p in ready {
                        self.check_fields(&p.key, &view, &p.name, &p.data);
                    }
                }
            }
            Ok(None) => self.findings.push(Finding::warning(
                "no_metadata",
                format!("{label} has no view (neither metadata nor json_metadata)"),
            )),
            Err(e) => self
                .findings
                .push(Finding::error("invalid_response", format!("{label}: {e}"))),
        }
    }

    fn cloud_service(&mut self, label: &str, resource: &Value) {
        let key = (
            text_at(resource, "provider").to_string(),
            text_at(resource, "cloud_service_group").to_string(),
            text_at(resource, "cloud_service_type").to_string(),
        );
        let name = text_at(resource, "name").to_string();
        let data = match (resource.get("data"), resource.get("json_data")) {
            (Some(d @ Value::Object(_)), _) => d.clone(),
            (_, Some(Value::String(text))) => match serde_json::from_str::<Value>(text) {
                Ok(d) => d,
                Err(e) => {
                    self.findings.push(Finding::error(
                        "invalid_response",
                        format!("{label}: json_data is not JSON ({e})"),
                    ));
                    return;
                }
            },
            _ => Value::Object(Map::new()),
        };
        let view = match own_view(resource) {
            Ok(v) => v,
            Err(e) => {
                self.findings
                    .push(Finding::error("invalid_response", format!("{label}: {e}")));
                return;
            }
        };
        match view {
            Some(v) if !is_type_reference(&v) => self.check_fields(&key, &v, &name, &data),
            _ => match self.type_views.get(&key).cloned() {
                Some(v) => self.check_fields(&key, &v, &name, &data),
                None => self.pending.push(Pending { key, name, data }),
            },
        }
    }

    fn check_fields(&mut self, key: &TypeKey, view: &Value, name: &str, data: &Value) {
        for (field, path) in view_data_fields(view) {
            let parts: Vec<&str> = path.split('.').skip(1).collect();
            let id = (key.clone(), path.clone());
            if !self.fields.contains_key(&id) {
                self.field_order.push(id.clone());
            }
            let stat = self.fields.entry(id).or_insert_with(|| FieldStat {
                name: field.clone(),
                ..FieldStat::default()
            });
            stat.checked += 1;
            if !path_present(data, &parts) {
                stat.missing += 1;
                if stat.example.is_empty() {
                    stat.example = name.to_string();
                }
            }
        }
    }

    /// All findings: those found while checking, then the metadata summary.
    pub fn finish(mut self) -> (Vec<(String, String, usize)>, Vec<Finding>) {
        let mut unknown: Vec<(TypeKey, usize)> = Vec::new();
        for p in std::mem::take(&mut self.pending) {
            match unknown.iter_mut().find(|(k, _)| *k == p.key) {
                Some(entry) => entry.1 += 1,
                None => unknown.push((p.key, 1)),
            }
        }
        for (key, n) in unknown {
            let (services, refer, their) = if n == 1 {
                ("service", "refers", "its")
            } else {
                ("services", "refer", "their")
            };
            self.findings.push(Finding::warning(
                "unknown_cloud_service_type",
                format!(
                    "{n} cloud {services} of {} {refer} to the view of {their} cloud service type, which this collect did not yield",
                    type_key_label(&key)
                ),
            ));
        }
        for id in &self.field_order {
            let Some(stat) = self.fields.get(id) else {
                continue;
            };
            if stat.missing == 0 {
                continue;
            }
            let example = if stat.example.is_empty() {
                String::new()
            } else {
                format!(" (e.g. '{}')", stat.example)
            };
            self.findings.push(Finding::warning(
                "metadata_field_missing",
                format!(
                    "metadata of {}: field '{}' ({}) is missing from the data of {} of {} cloud services{example}",
                    type_key_label(&id.0),
                    stat.name,
                    id.1,
                    stat.missing,
                    stat.checked
                ),
            ));
        }
        (self.counts, self.findings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn view() -> Value {
        json!({"view": {
            "search": [{"name": "Name", "key": "data.name", "type": "text"}, {"name": "Region", "key": "region_code", "type": "text"}],
            "table": {"layout": {"type": "query-search-table", "options": {"fields": [
                {"name": "Price", "key": "data.price", "type": "text"},
                {"name": "Name", "key": "data.name", "type": "text"}
            ]}, "name": "Main Table"}},
            "sub_data": {"layouts": [
                {"name": "Disks", "type": "table", "options": {"root_path": "data.disks", "fields": [{"name": "Size", "key": "size", "type": "text"}]}},
                {"name": "Multi", "type": "list", "options": {"layouts": [{"name": "Doc", "type": "markdown", "options": {"markdown": "data.md"}}]}}
            ]}
        }})
    }

    fn cst(name: &str, view: &Value) -> Value {
        json!({"state": "SUCCESS", "resource_type": "inventory.CloudServiceType",
               "match_rules": {"1": ["name", "group", "provider"]},
               "resource": {"name": name, "group": "G", "provider": "p", "is_primary": false, "is_major": false,
                            "metadata": null, "json_metadata": crate::plugin::kinds::collector::metadata::to_json_string(view),
                            "service_code": null, "tags": {}, "labels": []}})
    }

    fn cs(name: &str, data: Value) -> Value {
        json!({"state": "SUCCESS", "resource_type": "inventory.CloudService",
               "match_rules": {"1": ["name", "provider"]},
               "resource": {"name": name, "cloud_service_type": "T", "cloud_service_group": "G", "provider": "p",
                            "ip_addresses": [], "account": null, "instance_type": null, "instance_size": 0.0,
                            "launched_at": null, "region_code": null, "data": data, "json_data": null,
                            "metadata": null,
                            "json_metadata": "{\"view\": {\"sub_data\": {\"reference\": {\"resource_type\": \"inventory.CloudServiceType\", \"options\": {\"provider\": \"p\", \"cloud_service_group\": \"G\", \"cloud_service_type\": \"T\"}}}}}",
                            "reference": {"resource_id": name, "external_link": null}, "tags": {}}})
    }

    fn messages(findings: &[Finding]) -> Vec<String> {
        findings
            .iter()
            .map(|f| format!("{:?} {} {}", f.severity, f.kind, f.message))
            .collect()
    }

    #[test]
    fn view_fields_are_data_paths() {
        assert_eq!(
            view_data_fields(&view()),
            vec![
                ("Name".to_string(), "data.name".to_string()),
                ("Price".to_string(), "data.price".to_string()),
                ("Disks (root path)".to_string(), "data.disks".to_string()),
                ("Size".to_string(), "data.disks.size".to_string()),
                ("Doc (markdown)".to_string(), "data.md".to_string()),
            ]
        );
    }

    #[test]
    fn presence_follows_lists_and_nulls() {
        let data =
            json!({"a": {"b": 1}, "l": [{"x": 1}, {"y": 2}], "e": [], "n": null, "s": "text"});
        assert!(path_present(&data, &["a", "b"]));
        assert!(!path_present(&data, &["a", "c"]));
        assert!(path_present(&data, &["l", "y"]));
        assert!(!path_present(&data, &["l", "z"]));
        assert!(path_present(&data, &["e", "anything"]));
        assert!(path_present(&data, &["n", "deeper"]));
        assert!(!path_present(&data, &["s", "deeper"]));
        assert!(!path_present(&data, &["missing"]));
    }

    #[test]
    fn a_clean_collect_has_no_findings() {
        let mut c = Checker::new();
        c.item(&cst("T", &view()));
        c.item(&cs(
            "a",
            json!({"name": "a", "price": 1.0, "disks": [{"size": 1.0}], "md": "x"}),
        ));
        c.item(&cs(
            "b",
            json!({"name": "b", "price": 2.0, "disks": [], "md": "y"}),
        ));
        assert_eq!(c.items(), 3);
        let (counts, findings) = c.finish();
        assert_eq!(messages(&findings), Vec::<String>::new());
        assert_eq!(
            counts,
            vec![
                (
                    "inventory.CloudServiceType".to_string(),
                    "SUCCESS".to_string(),
                    1
                ),
                (
                    "inventory.CloudService".to_string(),
                    "SUCCESS".to_string(),
                    2
                ),
            ]
        );
    }

    #[test]
    fn missing_fields_duplicates_and_failures_are_reported() {
        let mut c = Checker::new();
        // The service comes before its type: checked once the type arrives.
        c.item(&cs(
            "a",
            json!({"name": "a", "disks": [{"other": 1.0}], "md": "x"}),
        ));
        c.item(&cst("T", &view()));
        c.item(&cs(
            "a",
            json!({"name": "a", "price": 1.0, "disks": [], "md": "x"}),
        ));
        c.item(&json!({"state": "FAILURE", "message": "boom", "resource_type": "inventory.ErrorResource",
                       "match_rules": {}, "resource": {"provider": "p", "cloud_service_group": "G", "cloud_service_type": "T", "resource_type": "inventory.CloudService"}}));
        c.item(
            &json!({"state": "SUCCESS", "resource_type": "inventory.Region", "match_rules": {},
                       "resource": {"name": "", "region_code": "r1", "provider": "p", "tags": {}}}),
        );
        let (counts, findings) = c.finish();
        assert_eq!(
            messages(&findings),
            vec![
                "Error duplicate_match_keys item #3 inventory.CloudService 'a' has the same match keys as item #1 inventory.CloudService 'a' (name=a, provider=p); the inventory would keep only one of them",
                "Error failure_item item #4 inventory.ErrorResource 'p/G/T' is a FAILURE: boom",
                "Error no_match_keys item #5 inventory.Region 'r1' has no match keys; the inventory refuses it (ERROR_MATCH_RULE: Match rule is not defined.)",
                "Warning metadata_field_missing metadata of p/G/T: field 'Price' (data.price) is missing from the data of 1 of 2 cloud services (e.g. 'a')",
                "Warning metadata_field_missing metadata of p/G/T: field 'Size' (data.disks.size) is missing from the data of 1 of 2 cloud services (e.g. 'a')",
            ]
        );
        assert_eq!(counts.len(), 4);
    }

    #[test]
    fn model_violations_and_unknown_types() {
        let mut c = Checker::new();
        let mut bad = cs("a", json!({}));
        bad["resource"].as_object_mut().unwrap().remove("provider");
        c.item(&bad);
        c.item(&json!({"resource_type": "inventory.Region", "match_rules": {"1": ["region_code", "region_code"]},
                       "resource": {"name": "", "region_code": "r", "provider": "p", "tags": {}}}));
        c.item(&cs("b", json!({})));
        let (_, findings) = c.finish();
        assert_eq!(
            messages(&findings),
            vec![
                "Error invalid_response item #1 inventory.CloudService 'a' does not follow the model: 1 validation error for ResourceResponse\ncloud_service -> provider\n  field required (type=value_error.missing)",
                "Error invalid_response item #2 inventory.Region 'r' does not follow the model: 1 validation error for ResourceResponse\nstate\n  field required (type=value_error.missing)",
                "Warning unknown_cloud_service_type 1 cloud service of p/G/T refers to the view of its cloud service type, which this collect did not yield",
            ]
        );
    }

    #[test]
    fn what_inventory_2x_refuses() {
        let mut no_reference = cs(
            "a",
            json!({"name": "a", "price": 1.0, "disks": [], "md": "x"}),
        );
        no_reference["resource"]["reference"] = Value::Null;
        let mut c = Checker::new();
        c.item(&cst("T", &view()));
        c.item(&no_reference);
        let (_, findings) = c.finish();
        assert_eq!(
            messages(&findings),
            vec![
                "Error inventory_refuses item #2 inventory.CloudService 'a': `reference` is missing; inventory 2.x fails the job task on it (ERROR_DB_QUERY … ['reference']): send reference: {resource_id: <the resource's own id>}"
            ]
        );
        let long = "x".repeat(256);
        assert_eq!(
            inventory_refusals(
                "inventory.CloudService",
                &json!({"cloud_service_type": "T", "provider": null, "reference": "r", "state": "RUNNING",
                        "json_data": "[1]", "region_code": long, "ip_addresses": ["10.0.0.1", 7]})
            ),
            vec![
                "`cloud_service_group` is missing; inventory requires it (ERROR_REQUIRED_PARAMETER: key = cloud_service_group)",
                "`provider` is missing; inventory requires it (ERROR_REQUIRED_PARAMETER: key = provider)",
                "`reference` is not a mapping (resource_id, external_link); inventory 2.x refuses it",
                "`json_data` is not a JSON object; inventory refuses it (ERROR_INVALID_PARAMETER_TYPE: key = json_data)",
                "`state` 'RUNNING' is not one of ACTIVE, DISCONNECTED, DELETED; inventory refuses it",
                "`region_code` has 256 characters; inventory stores at most 255 (ERROR_DB_QUERY … ['region_code'])",
                "`ip_addresses` holds something other than texts of at most 255 characters; inventory refuses it",
            ]
        );
        assert_eq!(
            inventory_refusals("inventory.Region", &json!({"name": "n", "provider": "p"})),
            vec![
                "`region_code` is missing; inventory requires it (ERROR_REQUIRED_PARAMETER: key = region_code)"
            ]
        );
        assert_eq!(
            inventory_refusals("inventory.Server", &json!({})),
            vec![
                "inventory has no resource type 'inventory.Server' (ERROR_UNSUPPORTED_RESOURCE_TYPE); use one of inventory.CloudService, inventory.CloudServiceType, inventory.Region, inventory.ErrorResource"
            ]
        );
        assert!(
            inventory_refusals("inventory.CloudService", &cs("ok", json!({}))["resource"])
                .is_empty()
        );
    }

    #[test]
    fn init_and_tasks_responses() {
        let good = model::shape_init(&json!({"metadata": {}})).unwrap();
        assert_eq!(check_init(&good), None);
        let f = check_init(&json!({"metadata": {"supported_schedules": "hours"}})).unwrap();
        assert_eq!(f.kind, "invalid_response");
        assert!(f.message.starts_with("Collector.init: the response does not follow the model: 1 validation error for PluginResponse"), "{}", f.message);
        let f = check_init(&json!({"metadata": {"options_schema": {}}})).unwrap();
        assert!(f.message.starts_with("Collector.init: the response does not follow the model (expected {\"metadata\":{\"supported_resource_type\""), "{}", f.message);
        assert_eq!(
            check_get_tasks(&json!({"tasks": [{"task_options": {"a": 1.0}}]})),
            None
        );
        assert!(check_get_tasks(&json!({})).is_some());
    }

    #[test]
    fn collected_types_must_be_supported() {
        let init = json!({"metadata": {"supported_resource_type": ["inventory.CloudService"]}});
        let counts = vec![
            (
                "inventory.CloudService".to_string(),
                "SUCCESS".to_string(),
                2,
            ),
            ("inventory.Region".to_string(), "SUCCESS".to_string(), 1),
            (
                "inventory.ErrorResource".to_string(),
                "FAILURE".to_string(),
                1,
            ),
        ];
        assert_eq!(
            messages(&check_supported_types(&init, &counts)),
            vec![
                "Warning unsupported_resource_type collect yielded inventory.Region, which Collector.init does not list in supported_resource_type"
            ]
        );
        assert!(check_supported_types(&Value::Null, &counts).is_empty());
    }

    #[test]
    fn items_are_rebuilt_from_responses() {
        let r = json!({"state": "FAILURE", "message": "m", "resource_type": "inventory.ErrorResource",
                       "match_rules": {"2": ["b"], "1": ["a"]}, "resource": {"x": 1.0}});
        assert_eq!(
            item_from_response(&r),
            json!({"state": "FAILURE", "resource_type": "inventory.ErrorResource", "match_keys": [["a"], ["b"]],
                   "error_data": {"x": 1.0}, "error_message": "m"})
        );
    }
}
