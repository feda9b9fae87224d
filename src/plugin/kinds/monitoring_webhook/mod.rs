//! The monitoring webhook kind (`spaceone.api.monitoring.plugin`: Webhook,
//! Event), as spaceone-monitoring's plugin library serves it.
//!
//! `Event.parse` has no response model: the plugin's dict goes into `EventsInfo`
//! as it is, so unknown keys and bad severities fail in the conversion. The
//! library's masking rule (`Webhook.verify: [secret_data]`) never applies: the
//! verify request has no such field.

use serde_json::Value;

use crate::output::pyrepr::py_repr;

use super::model::{Dflt, Kind, ModelSpec, dflt, req};
use super::model::{construct_response, validate_request};
use crate::plugin::host::error::PluginError;
use crate::plugin::host::kind::{Answer, DebugLog, KindSpec, Library, Route, Serving, Shaping};

/// The kind.
pub static KIND: KindSpec = KindSpec {
    name: "webhook",
    aliases: &[],
    title: "monitoring webhook",
    package: "spaceone.api.monitoring.plugin",
    services: &["Event", "Webhook"],
    routes: &[
        Route {
            service: "Webhook",
            verb: "init",
            request: "WebhookInitRequest",
            response: "WebhookPluginInfo",
            params: init_params,
            answer: Answer::Unary(shape_init),
            masked: &[],
            datetime_params: &[],
        },
        Route {
            service: "Webhook",
            verb: "verify",
            request: "WebhookPluginVerifyRequest",
            response: "google.protobuf.Empty",
            params: verify_params,
            answer: Answer::Empty,
            masked: &[],
            datetime_params: &[],
        },
        Route {
            service: "Event",
            verb: "parse",
            request: "ParseRequest",
            response: "EventsInfo",
            params: parse_params,
            answer: Answer::Unary(shape_parse),
            masked: &[],
            datetime_params: &[],
        },
    ],
    library: Some(Library {
        module: "spaceone.monitoring.plugin.webhook.lib.server",
        class: "WebhookPluginServer",
        requirement: "spaceone-monitoring==2.0.dev73",
    }),
    descriptor_set: include_bytes!(concat!(env!("OUT_DIR"), "/kinds/monitoring_webhook.bin")),
    // Upstream's webhook library leaves the route column of its call log lines
    // empty; this host names the route there, as for every other kind.
    log_names_route: true,
    shaping: Shaping::Upstream,
    serving: Serving::Routes,
    debug_logs: &[DebugLog {
        route: "Webhook.init",
        src: "webhook_service.py:30",
        text: init_debug_line,
    }],
};

const MODELS: &str = "spaceone.monitoring.plugin.webhook.model";

static WEBHOOK_INIT_REQUEST: ModelSpec = ModelSpec {
    name: "WebhookInitRequest",
    fields: &[req("options", Kind::Dict)],
};

static WEBHOOK_VERIFY_REQUEST: ModelSpec = ModelSpec {
    name: "WebhookVerityRequest",
    fields: &[req("options", Kind::Dict)],
};

static EVENT_PARSE_REQUEST: ModelSpec = ModelSpec {
    name: "EventParseRequest",
    fields: &[req("options", Kind::Dict), req("data", Kind::Dict)],
};

static WEBHOOK_RESPONSE: ModelSpec = ModelSpec {
    name: "WebhookResponse",
    fields: &[dflt("metadata", Kind::Dict, Dflt::EmptyObject, false)],
};

fn init_params(request: &Value) -> Result<Value, PluginError> {
    validate_request(&WEBHOOK_INIT_REQUEST, request)
}

fn verify_params(request: &Value) -> Result<Value, PluginError> {
    validate_request(&WEBHOOK_VERIFY_REQUEST, request)
}

fn parse_params(request: &Value) -> Result<Value, PluginError> {
    validate_request(&EVENT_PARSE_REQUEST, request)
}

/// `{metadata: dict = {}}`; other keys dropped.
fn shape_init(answer: &Value) -> Result<Value, PluginError> {
    construct_response(
        &WEBHOOK_RESPONSE,
        &format!("{MODELS}.webhook.response.WebhookResponse"),
        answer,
    )
}

/// The plugin's answer unchanged (no model); the conversion into `EventsInfo`
/// reports what does not fit.
fn shape_parse(answer: &Value) -> Result<Value, PluginError> {
    Ok(answer.clone())
}

/// The library's `[WebhookService] init -> {response}` (the answer as Python
/// prints it).
fn init_debug_line(answer: &Value) -> String {
    format!("[WebhookService] init -> {}  ", py_repr(answer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn init_logs_the_answer_as_the_library_does() {
        let [d] = KIND.debug_logs else {
            panic!("one debug line")
        };
        assert_eq!((d.route, d.src), ("Webhook.init", "webhook_service.py:30"));
        assert_eq!(
            (d.text)(&json!({"metadata": {"n": 1.0, "on": true, "x": null}})),
            "[WebhookService] init -> {'metadata': {'n': 1.0, 'on': True, 'x': None}}  "
        );
    }

    fn call(method: &str, request: Value) -> Result<Value, String> {
        let r = KIND.route(method).expect("route");
        (r.params)(&request).map_err(|e| format!("{} {}", e.status.name(), e.details()))
    }

    #[test]
    fn required_parameters() {
        assert_eq!(
            call("Webhook.init", json!({})).unwrap_err(),
            "INVALID_ARGUMENT ERROR_REQUIRED_PARAMETER: Required parameter. (key = options)"
        );
        assert_eq!(
            call("Webhook.verify", json!({})).unwrap_err(),
            "INVALID_ARGUMENT ERROR_REQUIRED_PARAMETER: Required parameter. (key = options)"
        );
        assert_eq!(
            call("Event.parse", json!({"options": {}})).unwrap_err(),
            "INVALID_ARGUMENT ERROR_REQUIRED_PARAMETER: Required parameter. (key = data)"
        );
        assert_eq!(
            call("Event.parse", json!({})).unwrap_err(),
            "INVALID_ARGUMENT ERROR_REQUIRED_PARAMETER: Required parameter. (key = options)"
        );
    }

    #[test]
    fn params_keep_the_models_fields_only() {
        assert_eq!(
            call(
                "Event.parse",
                json!({"data": {"a": 1.0}, "options": {}, "x": 1})
            )
            .unwrap(),
            json!({"options": {}, "data": {"a": 1.0}})
        );
    }

    #[test]
    fn init_answer_is_shaped() {
        let Answer::Unary(shape) = KIND.route("Webhook.init").expect("init").answer else {
            panic!("unary")
        };
        assert_eq!(shape(&json!({})).unwrap(), json!({"metadata": {}}));
        assert_eq!(
            shape(&json!({"metadata": {"k": "v"}, "ignored": 1})).unwrap(),
            json!({"metadata": {"k": "v"}})
        );
        assert_eq!(
            shape(&Value::Null).unwrap_err().details(),
            "ERROR_UNKNOWN: spaceone.monitoring.plugin.webhook.model.webhook.response.WebhookResponse() argument after ** must be a mapping, not NoneType"
        );
    }

    #[test]
    fn parse_answer_passes_through() {
        let Answer::Unary(shape) = KIND.route("Event.parse").expect("parse").answer else {
            panic!("unary")
        };
        let answer = json!({"results": [{"event_key": "k", "unexpected": true}]});
        assert_eq!(shape(&answer).unwrap(), answer);
    }
}
