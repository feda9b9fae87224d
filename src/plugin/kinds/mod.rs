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
pub mod collector;
pub mod cost_data_source;
pub mod external_auth;
pub mod model;
pub mod monitoring_log;
pub mod monitoring_metric;
pub mod monitoring_webhook;
pub mod notification_protocol;
pub mod tape_model;

use super::host::handler::Ready;
pub use super::host::kind::{KindSpec, Route};

/// Every kind, in the order `create-project` lists them; the inventory
/// collector first (the default).
pub static KINDS: &[&KindSpec] = &[
    &collector::KIND,
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

/// The kind whose library class is `module:class` (compat mode: the class of
/// the plugin's app, or one of its bases).
pub fn by_library(module: &str, class: &str) -> Option<&'static KindSpec> {
    KINDS.iter().copied().find(|k| {
        k.library
            .is_some_and(|l| l.module == module && l.class == class)
    })
}

/// The names `--kind` and `create-project -s` accept, aliases after their kind:
/// `asset (collector), external-auth (auth), account-collector, ...`.
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

/// The kind named `name` (`--kind`): every route the plugin registered must be
/// one of the kind's, or the start fails with upstream's `@app.route` message.
pub fn named(name: &str, routes: &[String]) -> Result<&'static KindSpec, String> {
    let kind = find(name).ok_or_else(|| {
        format!(
            "Unknown plugin kind '{name}' (--kind): use one of {}.",
            names_list()
        )
    })?;
    checked(kind, routes)
}

/// The kind whose route table holds every route the plugin registered; a
/// plugin with no routes is a collector (upstream's default skeleton).
pub fn by_routes(routes: &[String]) -> Result<&'static KindSpec, String> {
    if routes.is_empty() {
        return Ok(&collector::KIND);
    }
    let fits: Vec<&'static KindSpec> = KINDS
        .iter()
        .copied()
        .filter(|k| routes.iter().all(|r| k.route(r).is_some()))
        .collect();
    match fits.as_slice() {
        [one] => Ok(*one),
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

/// The kind a project's request files are for (`plugin test`): `--kind`
/// when given, else their routes.
pub fn select(named_kind: Option<&str>, routes: &[String]) -> Result<&'static KindSpec, String> {
    match named_kind {
        Some(name) => named(name, routes),
        None => by_routes(routes),
    }
}

/// The kind the host serves a plugin as: `--kind` when given; else the kind
/// the plugin's app is — an instance of a kind's library class (compat mode)
/// or of an SDK class that declares its kind; else its routes.
pub fn select_for(named_kind: Option<&str>, ready: &Ready) -> Result<&'static KindSpec, String> {
    if let Some(name) = named_kind {
        return named(name, &ready.routes);
    }
    if let Some(declared) = &ready.declared_kind {
        let kind = find(declared).ok_or_else(|| {
            format!(
                "The plugin's app declares the unknown plugin kind '{declared}' (plugin_kind): use one of {}.",
                names_list()
            )
        })?;
        return checked(kind, &ready.routes);
    }
    let library = ready.app_classes.iter().find_map(|c| {
        let (module, class) = c.split_once(':')?;
        by_library(module, class)
    });
    match library {
        Some(kind) => checked(kind, &ready.routes),
        None => by_routes(&ready.routes),
    }
}

/// `kind` when every route is one of its own (upstream's `@app.route` check).
fn checked(kind: &'static KindSpec, routes: &[String]) -> Result<&'static KindSpec, String> {
    for r in routes {
        kind.check_route(r)?;
    }
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_help_lists_every_kind() {
        // With the long alias of the collector left to the help of -s.
        let listed = names_list().replace(", spaceone.inventory.plugin.collector.skeleton", "");
        assert_eq!(crate::cli::KIND_NAMES, listed);
    }
    use crate::plugin::host::error::StatusKind;
    use crate::plugin::host::kind::Shaping;
    use crate::plugin::kinds::model::{ValError, request_error};

    #[test]
    fn every_kind_is_found_by_name_and_alias() {
        for k in KINDS {
            assert_eq!(find(k.name).map(|f| f.name), Some(k.name));
        }
        assert_eq!(find("auth").map(|k| k.name), Some("external-auth"));
        assert_eq!(find("collector").map(|k| k.name), Some("asset"));
        assert!(find("nope").is_none());
        assert_eq!(
            names_list(),
            "asset (collector), external-auth (auth), account-collector, cost, notification, webhook, metric, log"
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
                "asset",
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
        let name = |r: Result<&'static KindSpec, String>| r.map(|k| k.name);
        assert_eq!(name(select(None, &routes(&[]))), Ok("asset"));
        assert_eq!(
            name(select(None, &routes(&["Collector.init", "Job.get_tasks"]))),
            Ok("asset")
        );
        assert_eq!(
            name(select(None, &routes(&["Webhook.init", "Event.parse"]))),
            Ok("webhook")
        );
        assert_eq!(
            name(select(None, &routes(&["DataSource.init", "Cost.get_data"]))),
            Ok("cost")
        );
        assert_eq!(
            name(select(None, &routes(&["DataSource.init"]))),
            Err("The plugin's routes (DataSource.init) fit several plugin kinds (cost, metric, log); name one with --kind.".into())
        );
        assert_eq!(
            name(select(Some("metric"), &routes(&["DataSource.init"]))),
            Ok("metric")
        );
        assert_eq!(
            name(select(Some("auth"), &routes(&[]))),
            Ok("external-auth")
        );
        assert_eq!(
            name(select(Some("webhook"), &routes(&["Webhook.init", "Collector.collect"]))),
            Err("Plugin method is invalid. (plugin_method = Collector.collect, allowed = ['Webhook', 'Event'])".into())
        );
        assert_eq!(
            name(select(None, &routes(&["Webhook.init", "Protocol.init"]))),
            Err("The plugin's routes (Webhook.init, Protocol.init) belong to no single plugin kind; name its kind with --kind (asset (collector), external-auth (auth), account-collector, cost, notification, webhook, metric, log).".into())
        );
        assert_eq!(
            name(select(Some("collector"), &routes(&["Collector.init"]))),
            Ok("asset")
        );
        assert_eq!(
            name(select(Some("nope"), &routes(&[]))),
            Err("Unknown plugin kind 'nope' (--kind): use one of asset (collector), external-auth (auth), account-collector, cost, notification, webhook, metric, log.".into())
        );
    }

    fn ready(routes: &[&str], classes: &[&str], declared: Option<&str>) -> Ready {
        Ready {
            routes: routes.iter().map(|s| s.to_string()).collect(),
            package_dir: std::path::PathBuf::from("/p"),
            app_classes: classes.iter().map(|s| s.to_string()).collect(),
            declared_kind: declared.map(str::to_string),
        }
    }

    #[test]
    fn the_host_takes_the_kind_from_what_the_app_is() {
        let name = |r: Result<&'static KindSpec, String>| r.map(|k| k.name);
        let cost_lib =
            "spaceone.cost_analysis.plugin.data_source.lib.server:DataSourcePluginServer";
        // A library subclass: the first class of the MRO that is a kind's library.
        assert_eq!(
            name(select_for(
                None,
                &ready(
                    &["DataSource.init"],
                    &[
                        "plugin.main:MyServer",
                        cost_lib,
                        "spaceone.core.plugin.server:PluginServer",
                        "builtins:object"
                    ],
                    None
                )
            )),
            Ok("cost")
        );
        // No routes registered yet: still the library's kind, not the collector.
        assert_eq!(
            name(select_for(
                None,
                &ready(
                    &[],
                    &["spaceone.monitoring.plugin.webhook.lib.server:WebhookPluginServer"],
                    None
                )
            )),
            Ok("webhook")
        );
        assert_eq!(
            name(select_for(None, &ready(&[], &[], Some("metric")))),
            Ok("metric")
        );
        assert_eq!(
            name(select_for(
                None,
                &ready(&["Collector.init"], &[], Some("asset"))
            )),
            Ok("asset")
        );
        // --kind wins over what the app is.
        assert_eq!(
            name(select_for(
                Some("log"),
                &ready(&["DataSource.init"], &[], Some("metric"))
            )),
            Ok("log")
        );
        // Nothing said: the routes tell, as before.
        assert_eq!(
            name(select_for(
                None,
                &ready(&["Webhook.init", "Event.parse"], &["x:Y"], None)
            )),
            Ok("webhook")
        );
        assert_eq!(
            name(select_for(None, &ready(&[], &[], Some("fax")))),
            Err("The plugin's app declares the unknown plugin kind 'fax' (plugin_kind): use one of asset (collector), external-auth (auth), account-collector, cost, notification, webhook, metric, log.".into())
        );
        assert_eq!(
            name(select_for(None, &ready(&["Event.parse"], &[], Some("notification")))),
            Err("Plugin method is invalid. (plugin_method = Event.parse, allowed = ['Protocol', 'Notification'])".into())
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
            // The files' byte hashes are checked over the wire (tests/interop_kinds.rs).
            let expected = expected
                .split("file bytes (sha1):\n")
                .next()
                .unwrap_or(expected);
            assert_eq!(listing(&pool, &services), expected, "{name}");
        }
    }
}
