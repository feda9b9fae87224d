//! What a plugin kind is to the host: a route table ([`KindSpec`]) the host
//! serves, with per route the pure functions that turn a request dict into the
//! plugin's parameters and the plugin's answer into the response dict. The
//! kinds themselves live in `plugin::kinds`; the host is handed one of them.

use prost_reflect::MessageDescriptor;
use serde_json::Value;
use tonic::service::RoutesBuilder;

pub use super::context::KindOptions;
use super::context::{HostContext, SharedBackend};
use super::error::PluginError;
use super::handler::item::Node;

/// Health and ServerInfo, served by every kind after its own services.
pub const COMMON_SERVICES: [&str; 2] = ["grpc.health.v1.Health", "spaceone.api.core.v1.ServerInfo"];

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
    /// The upstream Python library that serves the kind, if there is one
    /// (compat mode recognises the kind by the class of the plugin's `app`).
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
    /// How the host serves the kind's services.
    pub serving: Serving,
    /// Lines upstream's library logs with a route's answer (before shaping it).
    pub debug_logs: &'static [DebugLog],
}

/// A DEBUG line upstream's library logs when a route returns: `(src) text`,
/// `text` made from the plugin's answer.
pub struct DebugLog {
    /// The route, `Service.verb`.
    pub route: &'static str,
    /// The source position upstream's line names, e.g. `webhook_service.py:30`.
    pub src: &'static str,
    pub text: fn(&Value) -> String,
}

/// How a kind's services are served.
#[derive(Clone, Copy)]
pub enum Serving {
    /// By the host's router ([`super::router`]), from the route table with
    /// dynamic messages of the kind's descriptor set.
    Routes,
    /// By services of the kind's own, which this function adds to the server
    /// (their plugin calls go through the pool; they count calls and log
    /// through the context like the router does).
    Own(fn(&mut RoutesBuilder, SharedBackend, &HostContext)),
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
    Unary(Shape),
    /// A stream: each item the plugin yields is shaped into one message; a
    /// kind may also encode an item straight from the handler's line.
    Stream(Shape, Option<Direct>),
}

/// The plugin's answer (or one streamed item) → the response's dict.
pub type Shape = fn(&Value) -> Result<Value, PluginError>;

/// The response message `desc` of a streamed item, encoded straight from the
/// handler's line: the bytes shaping it and encoding the shaped dict give, or
/// `None` (the item needs the dict way: a conversion, an error to word).
pub type Direct = fn(Node<'_>, &MessageDescriptor) -> Option<Vec<u8>>;

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
    pub datetime_params: &'static [&'static str],
}

impl Route {
    /// `Service.verb`.
    pub fn method(&self) -> String {
        format!("{}.{}", self.service, self.verb)
    }

    /// Whether the response is a stream.
    pub fn streaming(&self) -> bool {
        matches!(self.answer, Answer::Stream(..))
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

    /// Every service a server of the kind lists, in the order upstream's
    /// startup log names them: the kind's, then [`COMMON_SERVICES`].
    pub fn listed_services(&self) -> Vec<String> {
        let mut out = self.service_names();
        out.extend(COMMON_SERVICES.iter().map(|s| s.to_string()));
        out
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
