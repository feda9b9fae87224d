//! Plugin kinds as data.
//!
//! SpaceONE runs several kinds of plugin through one framework: each kind is a
//! set of gRPC services with fixed routes, request models, response models and
//! log-masking rules. A kind is described here by one static [`KindSpec`] — its
//! services and routes (unary or streaming), the upstream library class that
//! selects it, its own descriptor pool (compiled from the protos its folder's
//! `protos.txt` lists, see build.rs), and per route a few pure functions:
//! request dict → plugin parameters, plugin answer → response dict.
//!
//! The host core asks a kind for this table and knows nothing else about it.
//! Everything here is pure: no I/O, no async.
//!
//! Dicts are `serde_json::Value`s in the shape upstream's framework uses: a
//! request is `MessageToDict(preserving_proto_field_name=True)` of the request
//! message (unset scalars absent, Struct numbers as floats, enums by name); a
//! response dict is what goes into `ParseDict` (a `null` on a scalar, enum or
//! message field leaves it unset).

pub mod account_collector;
pub mod cost_data_source;
pub mod external_auth;
pub mod monitoring_log;
pub mod monitoring_metric;
pub mod monitoring_webhook;
pub mod notification_protocol;

use serde_json::Value;

use super::error::PluginError;
pub(crate) use super::model::validate_request;
use super::model::{ModelSpec, ValError, construct, render_validation_error};

/// One plugin kind.
pub struct KindSpec {
    /// The name `create-project -s` and `--kind` take, e.g. `webhook`.
    pub name: &'static str,
    /// Other names accepted for it (upstream's `auth` for external auth).
    pub aliases: &'static [&'static str],
    /// What the kind is, for people: `monitoring webhook`.
    pub title: &'static str,
    /// The proto package of its services.
    pub package: &'static str,
    /// Its services (short names), in the order upstream's server loads them
    /// (the order of the startup log).
    pub services: &'static [&'static str],
    /// Every route, by service then method, in upstream's table order.
    pub routes: &'static [Route],
    /// The upstream Python library that serves the kind, if there is one.
    // Read once the handler reports the class of the plugin's app.
    #[allow(dead_code)]
    pub library: Option<Library>,
    /// The encoded FileDescriptorSet of the kind's protos, with Health,
    /// ServerInfo and the well-known types they import.
    pub descriptor_set: &'static [u8],
    /// Whether upstream's per-call log lines name the route (`Class.verb`) in
    /// their transaction column; the webhook library's leave it empty.
    pub log_names_route: bool,
    /// Whether the shaping is upstream's (a library exists) or this host's own.
    #[allow(dead_code)]
    pub shaping: Shaping,
}

/// Where a kind's validation and shaping rules come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shaping {
    /// Upstream's plugin library, reproduced exactly.
    Upstream,
    /// Upstream has the protos and callers but no library: the rules are ours
    /// (documented in the kind's module).
    Ours,
}

/// The upstream plugin library of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Library {
    /// The Python module defining the server class.
    pub module: &'static str,
    /// The `PluginServer` subclass a plugin's `app` is an instance of.
    pub class: &'static str,
    /// The pip requirement that installs it (an exact development build: the
    /// stable releases that sort above them lack this library or differ).
    pub requirement: &'static str,
}

/// What a route answers.
#[derive(Clone, Copy)]
pub enum Answer {
    /// `google.protobuf.Empty`: the plugin's return value is ignored.
    Empty,
    /// One message, shaped from the plugin's return value.
    Unary(fn(&Value) -> Result<Value, PluginError>),
    /// A stream: each item the plugin yields is shaped into one message.
    Stream(fn(&Value) -> Result<Value, PluginError>),
}

/// One route of a kind: `Service.verb`.
pub struct Route {
    /// The service's short name, e.g. `Event`.
    pub service: &'static str,
    /// The method, e.g. `parse`.
    pub verb: &'static str,
    /// The request message (short name, in the kind's package).
    pub request: &'static str,
    /// The response message: a short name in the kind's package, or a full
    /// name (`google.protobuf.Empty`).
    pub response: &'static str,
    /// Request dict → the parameters the plugin function receives.
    pub params: fn(&Value) -> Result<Value, PluginError>,
    /// How the plugin's answer becomes the response.
    pub answer: Answer,
    /// Top-level request keys replaced by `"********"` in the request log line.
    pub masked: &'static [&'static str],
    /// Parameters upstream's model turns into a `datetime` before the plugin
    /// sees them; they are kept as the request's text here, and a runner of
    /// framework plugins converts them.
    #[allow(dead_code)]
    pub datetime_params: &'static [&'static str],
}

impl Route {
    /// `Service.verb`.
    pub fn method(&self) -> String {
        format!("{}.{}", self.service, self.verb)
    }

    /// Whether the response is a stream.
    pub fn streaming(&self) -> bool {
        matches!(self.answer, Answer::Stream(_))
    }
}

/// Every kind besides the inventory collector, in the order `create-project`
/// lists them.
pub static KINDS: &[&KindSpec] = &[
    &external_auth::KIND,
    &account_collector::KIND,
    &cost_data_source::KIND,
    &notification_protocol::KIND,
    &monitoring_webhook::KIND,
    &monitoring_metric::KIND,
    &monitoring_log::KIND,
];

/// The kind called `name` (or one of its aliases).
pub fn find(name: &str) -> Option<&'static KindSpec> {
    KINDS
        .iter()
        .copied()
        .find(|k| k.name == name || k.aliases.contains(&name))
}

/// The kind whose library class is `module:class` (compat mode detection,
/// once the handler reports the class of the plugin's app).
#[allow(dead_code)]
pub fn by_library(module: &str, class: &str) -> Option<&'static KindSpec> {
    KINDS.iter().copied().find(|k| {
        k.library
            .is_some_and(|l| l.module == module && l.class == class)
    })
}

/// The names `--kind` and `create-project -s` accept, aliases after their kind:
/// `external-auth (auth), account-collector, ...`.
pub fn names_list() -> String {
    KINDS
        .iter()
        .map(|k| {
            if k.aliases.is_empty() {
                k.name.to_string()
            } else {
                format!("{} ({})", k.name, k.aliases.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The routes of the inventory collector (served by the collector host).
pub const COLLECTOR_ROUTES: &[&str] = &[
    "Collector.init",
    "Collector.verify",
    "Collector.collect",
    "Job.get_tasks",
];

/// The kind a plugin is served as (`Ok(None)`: the inventory collector).
///
/// `named` (`--kind`) decides when given: every registered route must then be
/// one of the kind's, or the start fails with upstream's `@app.route` message.
/// Otherwise the kind is the one whose route table holds every route the plugin
/// registered; a plugin with no routes, or collector routes only, is a
/// collector.
pub fn select(named: Option<&str>, routes: &[String]) -> Result<Option<&'static KindSpec>, String> {
    if let Some(name) = named {
        if matches!(name, "asset" | "collector") {
            return Ok(None);
        }
        let kind = find(name).ok_or_else(|| {
            format!(
                "Unknown plugin kind '{name}' (--kind): use asset or one of {}.",
                names_list()
            )
        })?;
        for r in routes {
            kind.check_route(r)?;
        }
        return Ok(Some(kind));
    }
    if routes
        .iter()
        .all(|r| COLLECTOR_ROUTES.contains(&r.as_str()))
    {
        return Ok(None);
    }
    let fits: Vec<&'static KindSpec> = KINDS
        .iter()
        .copied()
        .filter(|k| routes.iter().all(|r| k.route(r).is_some()))
        .collect();
    match fits.as_slice() {
        [one] => Ok(Some(*one)),
        [] => Err(format!(
            "The plugin's routes ({}) belong to no single plugin kind; name its kind with --kind ({}).",
            routes.join(", "),
            names_list()
        )),
        many => Err(format!(
            "The plugin's routes ({}) fit several plugin kinds ({}); name one with --kind.",
            routes.join(", "),
            many.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
        )),
    }
}

impl KindSpec {
    /// The route `Service.verb`, if the kind has it.
    pub fn route(&self, method: &str) -> Option<&'static Route> {
        let (service, verb) = method.split_once('.')?;
        self.routes
            .iter()
            .find(|r| r.service == service && r.verb == verb)
    }

    /// Full names of the kind's services, in load order.
    pub fn service_names(&self) -> Vec<String> {
        self.services
            .iter()
            .map(|s| format!("{}.{s}", self.package))
            .collect()
    }

    /// The full name of a route's request or response message.
    pub fn message_name(&self, name: &str) -> String {
        if name.contains('.') {
            name.to_string()
        } else {
            format!("{}.{name}", self.package)
        }
    }

    /// The check upstream's `@app.route("Class.method")` makes when a plugin
    /// binds a function: `Err` holds the `ValueError` text it raises at import.
    pub fn check_route(&self, method: &str) -> Result<&'static Route, String> {
        let (class, verb) = method.split_once('.').unwrap_or((method, ""));
        if !self.services.contains(&class) {
            // Upstream lists its table's classes (in its own order).
            let mut classes: Vec<&str> = Vec::new();
            for r in self.routes {
                if !classes.contains(&r.service) {
                    classes.push(r.service);
                }
            }
            return Err(format!(
                "Plugin method is invalid. (plugin_method = {method}, allowed = {})",
                py_str_list(&classes)
            ));
        }
        match self.route(method) {
            Some(r) => Ok(r),
            None => {
                let verbs: Vec<&str> = self
                    .routes
                    .iter()
                    .filter(|r| r.service == class)
                    .map(|r| r.verb)
                    .collect();
                // Upstream's second message has no space after the comma.
                let _ = verb;
                Err(format!(
                    "Plugin method is invalid. (plugin_method = {method},allowed = {})",
                    py_str_list(&verbs)
                ))
            }
        }
    }
}

/// Python's `repr` of a list of strings: `['a', 'b']`.
fn py_str_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("'{s}'")).collect();
    format!("[{}]", quoted.join(", "))
}

// ---------------------------------------------------------------------------
// Shared rules of upstream's framework
// ---------------------------------------------------------------------------

/// `Model(**answer).dict()` for a route's answer: a non-mapping fails with
/// Python's TypeError text (naming `qualified`, the model's module path), a
/// validation failure with pydantic's message; both INTERNAL `ERROR_UNKNOWN`.
pub(crate) fn construct_response(
    spec: &ModelSpec,
    qualified: &str,
    answer: &Value,
) -> Result<Value, PluginError> {
    construct(spec, qualified, answer).map(Value::Object)
}

/// A pydantic failure of a model built inside a route (rendered as upstream
/// prints it), INTERNAL `ERROR_UNKNOWN`.
#[allow(dead_code)]
pub(crate) fn model_error(model: &str, errs: &[ValError]) -> PluginError {
    PluginError::unknown(render_validation_error(model, errs))
}

/// Renames a top-level key in place (pydantic's field aliases: the request's
/// `schema` reaches the plugin as `schema_name`), keeping the key order.
pub(crate) fn rename_key(v: Value, from: &str, to: &str) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, val)| {
                    if k == from {
                        (to.to_string(), val)
                    } else {
                        (k, val)
                    }
                })
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::error::StatusKind;
    use crate::plugin::model::request_error;

    #[test]
    fn every_kind_is_found_by_name_and_alias() {
        for k in KINDS {
            assert_eq!(find(k.name).map(|f| f.name), Some(k.name));
        }
        assert_eq!(find("auth").map(|k| k.name), Some("external-auth"));
        assert!(
            find("asset").is_none(),
            "the collector is not in this table"
        );
        assert!(find("nope").is_none());
        assert_eq!(
            names_list(),
            "external-auth (auth), account-collector, cost, notification, webhook, metric, log"
        );
    }

    #[test]
    fn every_route_names_messages_of_its_own_pool() {
        for k in KINDS {
            let pool = prost_reflect::DescriptorPool::decode(k.descriptor_set)
                .unwrap_or_else(|e| panic!("{}: {e}", k.name));
            for s in k.service_names() {
                let svc = pool
                    .get_service_by_name(&s)
                    .unwrap_or_else(|| panic!("{}: no service {s}", k.name));
                for r in k
                    .routes
                    .iter()
                    .filter(|r| s.ends_with(&format!(".{}", r.service)))
                {
                    let m = svc
                        .methods()
                        .find(|m| m.name() == r.verb)
                        .unwrap_or_else(|| panic!("{}: no method {}", k.name, r.method()));
                    assert_eq!(
                        m.input().full_name(),
                        k.message_name(r.request),
                        "{}",
                        r.method()
                    );
                    assert_eq!(
                        m.output().full_name(),
                        k.message_name(r.response),
                        "{}",
                        r.method()
                    );
                    assert_eq!(m.is_server_streaming(), r.streaming(), "{}", r.method());
                    assert!(!m.is_client_streaming());
                }
                // And the pool's service has no method the kind lacks.
                for m in svc.methods() {
                    let short = s.rsplit('.').next().unwrap_or_default();
                    assert!(
                        k.route(&format!("{short}.{}", m.name())).is_some(),
                        "{}: {s}/{} has no route",
                        k.name,
                        m.name()
                    );
                }
            }
            // Each pool holds exactly the kind's services plus Health and ServerInfo.
            let mut listed: Vec<String> =
                pool.services().map(|s| s.full_name().to_string()).collect();
            listed.sort();
            let mut expected = k.service_names();
            expected.extend([
                "grpc.health.v1.Health".into(),
                "spaceone.api.core.v1.ServerInfo".into(),
            ]);
            expected.sort();
            assert_eq!(listed, expected, "{}", k.name);
        }
    }

    #[test]
    fn compat_mode_finds_the_kind_by_library_class() {
        assert_eq!(
            by_library(
                "spaceone.identity.plugin.account_collector.lib.server",
                "AccountCollectorPluginServer"
            )
            .map(|k| k.name),
            Some("account-collector")
        );
        assert!(
            by_library(
                "spaceone.identity.plugin.account_collector.lib.server",
                "Other"
            )
            .is_none()
        );
        let with_library: Vec<&str> = KINDS
            .iter()
            .filter(|k| k.library.is_some())
            .map(|k| k.name)
            .collect();
        assert_eq!(
            with_library,
            [
                "external-auth",
                "account-collector",
                "cost",
                "notification",
                "webhook"
            ]
        );
        for k in KINDS {
            assert_eq!(
                k.library.is_some(),
                k.shaping == Shaping::Upstream,
                "{}",
                k.name
            );
        }
    }

    #[test]
    fn only_get_tasks_turns_a_parameter_into_a_datetime() {
        let with: Vec<String> = KINDS
            .iter()
            .flat_map(|k| k.routes.iter())
            .filter(|r| !r.datetime_params.is_empty())
            .map(|r| format!("{} {:?}", r.method(), r.datetime_params))
            .collect();
        assert_eq!(with, [r#"Job.get_tasks ["last_synchronized_at"]"#]);
    }

    #[test]
    fn the_served_kind_follows_the_routes_or_the_flag() {
        let routes = |r: &[&str]| r.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let name = |r: Result<Option<&'static KindSpec>, String>| r.map(|k| k.map(|k| k.name));
        assert_eq!(name(select(None, &routes(&[]))), Ok(None));
        assert_eq!(
            name(select(None, &routes(&["Collector.init", "Job.get_tasks"]))),
            Ok(None)
        );
        assert_eq!(
            name(select(None, &routes(&["Webhook.init", "Event.parse"]))),
            Ok(Some("webhook"))
        );
        assert_eq!(
            name(select(None, &routes(&["DataSource.init", "Cost.get_data"]))),
            Ok(Some("cost"))
        );
        assert_eq!(
            name(select(None, &routes(&["DataSource.init"]))),
            Err("The plugin's routes (DataSource.init) fit several plugin kinds (cost, metric, log); name one with --kind.".into())
        );
        assert_eq!(
            name(select(Some("metric"), &routes(&["DataSource.init"]))),
            Ok(Some("metric"))
        );
        assert_eq!(
            name(select(Some("auth"), &routes(&[]))),
            Ok(Some("external-auth"))
        );
        assert_eq!(
            name(select(Some("webhook"), &routes(&["Webhook.init", "Collector.collect"]))),
            Err("Plugin method is invalid. (plugin_method = Collector.collect, allowed = ['Webhook', 'Event'])".into())
        );
        assert_eq!(
            name(select(None, &routes(&["Webhook.init", "Protocol.init"]))),
            Err("The plugin's routes (Webhook.init, Protocol.init) belong to no single plugin kind; name its kind with --kind (external-auth (auth), account-collector, cost, notification, webhook, metric, log).".into())
        );
        assert_eq!(
            name(select(Some("nope"), &routes(&[]))),
            Err("Unknown plugin kind 'nope' (--kind): use asset or one of external-auth (auth), account-collector, cost, notification, webhook, metric, log.".into())
        );
    }

    #[test]
    fn route_check_texts() {
        let k = find("webhook").expect("webhook");
        assert!(k.check_route("Event.parse").is_ok());
        assert_eq!(
            k.check_route("Collector.collect").err().as_deref(),
            Some(
                "Plugin method is invalid. (plugin_method = Collector.collect, allowed = ['Webhook', 'Event'])"
            )
        );
        assert_eq!(
            k.check_route("Webhook.dispatch").err().as_deref(),
            Some(
                "Plugin method is invalid. (plugin_method = Webhook.dispatch,allowed = ['init', 'verify'])"
            )
        );
    }

    #[test]
    fn list_index_in_an_error_location_is_upstreams_type_error() {
        let e = request_error(&[ValError {
            loc: vec!["message".into(), "tags".into(), "1".into(), "value".into()],
            msg: "field required".into(),
            ty: "value_error.missing".into(),
            ctx: vec![],
            expected: String::new(),
        }]);
        assert_eq!(e.status, StatusKind::Internal);
        assert_eq!(
            e.details(),
            "ERROR_UNKNOWN: sequence item 2: expected str instance, int found"
        );
    }
}

/// The reflection listing `scripts/grpc-probe.py list` prints, built from a
/// kind's own pool: the recorded listings of upstream's servers must match it.
#[cfg(test)]
mod listing {
    use prost_reflect::{Cardinality, DescriptorPool, Kind as FieldKind, MessageDescriptor};
    use std::collections::BTreeMap;

    enum Reached {
        Message(MessageDescriptor),
        Enum(prost_reflect::EnumDescriptor),
    }

    fn scalar(kind: &FieldKind) -> &'static str {
        match kind {
            FieldKind::Double => "double",
            FieldKind::Float => "float",
            FieldKind::Int32 => "int32",
            FieldKind::Int64 => "int64",
            FieldKind::Uint32 => "uint32",
            FieldKind::Uint64 => "uint64",
            FieldKind::Sint32 => "sint32",
            FieldKind::Sint64 => "sint64",
            FieldKind::Fixed32 => "fixed32",
            FieldKind::Fixed64 => "fixed64",
            FieldKind::Sfixed32 => "sfixed32",
            FieldKind::Sfixed64 => "sfixed64",
            FieldKind::Bool => "bool",
            FieldKind::String => "string",
            FieldKind::Bytes => "bytes",
            FieldKind::Message(_) | FieldKind::Enum(_) => "",
        }
    }

    pub fn listing(pool: &DescriptorPool, services: &[String]) -> String {
        let mut services = services.to_vec();
        services.sort();
        let mut out = vec!["services:".to_string()];
        out.extend(services.iter().map(|s| format!("  {s}")));
        let svcs: Vec<_> = services
            .iter()
            .map(|s| pool.get_service_by_name(s).expect("listed service"))
            .collect();
        let mut files: Vec<_> = svcs.iter().map(|s| s.parent_file()).collect();
        files.sort_by(|a, b| a.name().cmp(b.name()));
        files.dedup_by(|a, b| a.name() == b.name());
        out.push("files:".to_string());
        for f in &files {
            let deps: Vec<String> = f.dependencies().map(|d| d.name().to_string()).collect();
            out.push(format!(
                "  {} (package {}; imports {})",
                f.name(),
                f.package_name(),
                if deps.is_empty() {
                    "none".to_string()
                } else {
                    deps.join(", ")
                }
            ));
        }
        let mut reached: BTreeMap<String, Reached> = BTreeMap::new();
        let mut queue: Vec<MessageDescriptor> = Vec::new();
        let reach = |m: MessageDescriptor,
                     queue: &mut Vec<MessageDescriptor>,
                     reached: &mut BTreeMap<String, Reached>| {
            if !reached.contains_key(m.full_name()) {
                reached.insert(m.full_name().to_string(), Reached::Message(m.clone()));
                queue.push(m);
            }
        };
        for svc in &svcs {
            out.push(format!("service {}:", svc.full_name()));
            for m in svc.methods() {
                let cs = if m.is_client_streaming() {
                    "stream "
                } else {
                    ""
                };
                let ss = if m.is_server_streaming() {
                    "stream "
                } else {
                    ""
                };
                out.push(format!(
                    "  rpc {}({cs}{}) returns ({ss}{})",
                    m.name(),
                    m.input().full_name(),
                    m.output().full_name()
                ));
                reach(m.input(), &mut queue, &mut reached);
                reach(m.output(), &mut queue, &mut reached);
            }
        }
        while let Some(m) = queue.pop() {
            for f in m.fields() {
                match f.kind() {
                    FieldKind::Message(inner) => reach(inner, &mut queue, &mut reached),
                    FieldKind::Enum(e) => {
                        reached
                            .entry(e.full_name().to_string())
                            .or_insert(Reached::Enum(e));
                    }
                    _ => {}
                }
            }
        }
        for (name, r) in &reached {
            let well_known =
                name.starts_with("google.protobuf.") || name.starts_with("grpc.reflection.");
            match r {
                Reached::Message(m) => {
                    if well_known {
                        out.push(format!("message {name} (well-known)"));
                        continue;
                    }
                    out.push(format!("message {name} ({}):", m.parent_file().name()));
                    let mut fields: Vec<_> = m.fields().collect();
                    fields.sort_by_key(|f| f.number());
                    for f in fields {
                        let label = if f.cardinality() == Cardinality::Repeated {
                            "repeated "
                        } else {
                            ""
                        };
                        let ty = match f.kind() {
                            FieldKind::Message(t) => t.full_name().to_string(),
                            FieldKind::Enum(t) => t.full_name().to_string(),
                            k => scalar(&k).to_string(),
                        };
                        out.push(format!("  {} {label}{ty} {}", f.number(), f.name()));
                    }
                }
                Reached::Enum(e) => {
                    if well_known {
                        out.push(format!("enum {name} (well-known)"));
                        continue;
                    }
                    out.push(format!("enum {name} ({}):", e.parent_file().name()));
                    let mut values: Vec<_> = e.values().collect();
                    values.sort_by_key(|v| v.number());
                    for v in values {
                        out.push(format!("  {} {}", v.number(), v.name()));
                    }
                }
            }
        }
        out.join("\n") + "\n"
    }

    #[test]
    fn each_pool_lists_what_upstreams_server_listed() {
        let recorded = [
            (
                "webhook",
                include_str!("../../../tests/data/kinds/webhook/expected/reflection.txt"),
            ),
            (
                "notification",
                include_str!("../../../tests/data/kinds/notification/expected/reflection.txt"),
            ),
            (
                "cost",
                include_str!("../../../tests/data/kinds/cost/expected/reflection.txt"),
            ),
            (
                "external-auth",
                include_str!("../../../tests/data/kinds/external-auth/expected/reflection.txt"),
            ),
            (
                "account-collector",
                include_str!("../../../tests/data/kinds/account-collector/expected/reflection.txt"),
            ),
        ];
        for (name, expected) in recorded {
            let k = super::find(name).expect("kind");
            let pool = DescriptorPool::decode(k.descriptor_set).expect("pool");
            let mut services = k.service_names();
            services.extend([
                "grpc.health.v1.Health".into(),
                "spaceone.api.core.v1.ServerInfo".into(),
            ]);
            assert_eq!(listing(&pool, &services), expected, "{name}");
        }
    }
}
