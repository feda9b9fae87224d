//! The notification protocol kind (`spaceone.api.notification.plugin`:
//! Protocol, Notification), as spaceone-notification's plugin library serves it.
//!
//! `domain_id` is in the library's request models but not on the wire: the
//! plugin always receives `None` for it. `NOTIFICATION_TYPE_NONE` (0) is never
//! sent, so it reads as a missing `notification_type`.

use serde_json::Value;

use super::model::{Kind, ModelSpec, opt, req};
use super::model::{construct_response, validate_request};
use crate::plugin::host::error::PluginError;
use crate::plugin::host::kind::{Answer, KindSpec, Library, Route, Serving, Shaping};

/// The kind.
pub static KIND: KindSpec = KindSpec {
    name: "notification",
    aliases: &[],
    title: "notification protocol",
    package: "spaceone.api.notification.plugin",
    services: &["Protocol", "Notification"],
    routes: &[
        Route {
            service: "Protocol",
            verb: "init",
            request: "InitRequest",
            response: "PluginInfo",
            params: init_params,
            answer: Answer::Unary(shape_init),
            masked: &[],
            datetime_params: &[],
        },
        Route {
            service: "Protocol",
            verb: "verify",
            request: "PluginVerifyRequest",
            response: "google.protobuf.Empty",
            params: verify_params,
            answer: Answer::Empty,
            masked: &["secret_data"],
            datetime_params: &[],
        },
        Route {
            service: "Notification",
            verb: "dispatch",
            request: "PluginDispatchRequest",
            response: "google.protobuf.Empty",
            params: dispatch_params,
            answer: Answer::Empty,
            masked: &["secret_data", "channel_data"],
            datetime_params: &[],
        },
    ],
    library: Some(Library {
        module: "spaceone.notification.plugin.protocol.lib.server",
        class: "ProtocolPluginServer",
        requirement: "spaceone-notification==2.0.dev35",
    }),
    descriptor_set: include_bytes!(concat!(env!("OUT_DIR"), "/kinds/notification_protocol.bin")),
    log_names_route: true,
    shaping: Shaping::Upstream,
    serving: Serving::Routes,
    debug_logs: &[],
};

const MODELS: &str = "spaceone.notification.plugin.protocol.model";

/// The notification types a dispatch carries.
pub const NOTIFICATION_TYPES: &[&str] = &["INFO", "ERROR", "SUCCESS", "WARNING"];
/// The content types a message may declare.
pub const CONTENT_TYPES: &[&str] = &["HTML", "MARKDOWN"];
/// How a protocol's channel data is kept.
pub const DATA_TYPES: &[&str] = &["PLAIN_TEXT", "SECRET"];

static PROTOCOL_INIT_REQUEST: ModelSpec = ModelSpec {
    name: "ProtocolInitRequest",
    fields: &[req("options", Kind::Dict), opt("domain_id", Kind::Str)],
};

static PROTOCOL_VERIFY_REQUEST: ModelSpec = ModelSpec {
    name: "ProtocolVerifyRequest",
    fields: &[
        req("options", Kind::Dict),
        req("secret_data", Kind::Dict),
        opt("domain_id", Kind::Str),
    ],
};

static TAG: ModelSpec = ModelSpec {
    name: "Tag",
    fields: &[
        req("key", Kind::Str),
        req("value", Kind::Str),
        opt("options", Kind::Dict),
    ],
};

static CALLBACK: ModelSpec = ModelSpec {
    name: "Callback",
    fields: &[
        req("label", Kind::Str),
        req("url", Kind::Str),
        opt("options", Kind::Dict),
    ],
};

static MESSAGE: ModelSpec = ModelSpec {
    name: "Message",
    fields: &[
        req("title", Kind::Str),
        opt("link", Kind::Str),
        opt("description", Kind::Str),
        opt("short_description", Kind::Str),
        opt("contents", Kind::Str),
        opt("content_type", Kind::Lit(CONTENT_TYPES)),
        opt("image_url", Kind::Str),
        opt("tags", Kind::List(&Kind::Model(&TAG))),
        opt("callbacks", Kind::List(&Kind::Model(&CALLBACK))),
        opt("occurred_at", Kind::Str),
        opt("domain_name", Kind::Str),
    ],
};

static NOTIFICATION_DISPATCH_REQUEST: ModelSpec = ModelSpec {
    name: "NotificationDispatchRequest",
    fields: &[
        req("options", Kind::Dict),
        req("secret_data", Kind::Dict),
        req("channel_data", Kind::Dict),
        req("message", Kind::Model(&MESSAGE)),
        req("notification_type", Kind::Lit(NOTIFICATION_TYPES)),
        opt("domain_id", Kind::Str),
    ],
};

// `PluginDataSchema.json_schema` has the alias `schema` and is written back as
// `schema` by the library's `.dict()`: the field is `schema` on both sides.
static PLUGIN_DATA_SCHEMA: ModelSpec = ModelSpec {
    name: "PluginDataSchema",
    fields: &[req("schema", Kind::Dict)],
};

static PLUGIN_METADATA: ModelSpec = ModelSpec {
    name: "PluginMetadata",
    fields: &[
        req("data_type", Kind::Lit(DATA_TYPES)),
        req("data", Kind::Model(&PLUGIN_DATA_SCHEMA)),
    ],
};

static PLUGIN_RESPONSE: ModelSpec = ModelSpec {
    name: "PluginResponse",
    fields: &[req("metadata", Kind::Model(&PLUGIN_METADATA))],
};

fn init_params(request: &Value) -> Result<Value, PluginError> {
    validate_request(&PROTOCOL_INIT_REQUEST, request)
}

fn verify_params(request: &Value) -> Result<Value, PluginError> {
    validate_request(&PROTOCOL_VERIFY_REQUEST, request)
}

fn dispatch_params(request: &Value) -> Result<Value, PluginError> {
    validate_request(&NOTIFICATION_DISPATCH_REQUEST, request)
}

/// `{metadata: {data_type, data: {schema}}}`, all required, nothing else kept.
fn shape_init(answer: &Value) -> Result<Value, PluginError> {
    construct_response(
        &PLUGIN_RESPONSE,
        &format!("{MODELS}.protocol_response.PluginResponse"),
        answer,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(method: &str, request: Value) -> Result<Value, String> {
        let r = KIND.route(method).expect("route");
        (r.params)(&request).map_err(|e| format!("{} {}", e.status.name(), e.details()))
    }

    fn dispatch(message: Value) -> Value {
        json!({"options": {}, "secret_data": {}, "channel_data": {"path": "/dev/null"},
               "notification_type": "INFO", "message": message})
    }

    #[test]
    fn dispatch_errors_as_measured() {
        assert_eq!(
            params("Notification.dispatch", json!({})).unwrap_err(),
            "INVALID_ARGUMENT ERROR_REQUIRED_PARAMETER: Required parameter. (key = options)"
        );
        let mut no_type = dispatch(json!({"title": "hello"}));
        no_type.as_object_mut().unwrap().remove("notification_type");
        assert_eq!(
            params("Notification.dispatch", no_type).unwrap_err(),
            "INVALID_ARGUMENT ERROR_REQUIRED_PARAMETER: Required parameter. (key = notification_type)"
        );
        assert_eq!(
            params(
                "Notification.dispatch",
                dispatch(json!({"description": "no title"}))
            )
            .unwrap_err(),
            "INVALID_ARGUMENT ERROR_REQUIRED_PARAMETER: Required parameter. (key = message, title)"
        );
        assert_eq!(
            params(
                "Notification.dispatch",
                dispatch(json!({"title": "hello", "content_type": "TEXT"}))
            )
            .unwrap_err(),
            "INVALID_ARGUMENT ERROR_INVALID_PARAMETER: Parameter is invalid. (key = message, content_type, reason = unexpected value; permitted: 'HTML', 'MARKDOWN')"
        );
        assert_eq!(
            params(
                "Notification.dispatch",
                dispatch(
                    json!({"title": "hello", "tags": [{"key": "a", "value": "b"}, {"key": "c"}]})
                )
            )
            .unwrap_err(),
            "INTERNAL ERROR_UNKNOWN: sequence item 2: expected str instance, int found"
        );
    }

    #[test]
    fn dispatch_params_are_the_full_model() {
        assert_eq!(
            params(
                "Notification.dispatch",
                dispatch(json!({"title": "t", "tags": [{"key": "k", "value": "v"}]}))
            )
            .unwrap(),
            json!({
                "options": {}, "secret_data": {}, "channel_data": {"path": "/dev/null"},
                "message": {"title": "t", "link": null, "description": null, "short_description": null,
                            "contents": null, "content_type": null, "image_url": null,
                            "tags": [{"key": "k", "value": "v", "options": null}], "callbacks": null,
                            "occurred_at": null, "domain_name": null},
                "notification_type": "INFO", "domain_id": null
            })
        );
    }

    #[test]
    fn verify_needs_secret_data() {
        assert_eq!(
            params("Protocol.verify", json!({"options": {}})).unwrap_err(),
            "INVALID_ARGUMENT ERROR_REQUIRED_PARAMETER: Required parameter. (key = secret_data)"
        );
        assert_eq!(
            params("Protocol.init", json!({"options": {}})).unwrap(),
            json!({"options": {}, "domain_id": null})
        );
    }

    #[test]
    fn init_answer_is_shaped() {
        let Answer::Unary(shape) = KIND.route("Protocol.init").expect("init").answer else {
            panic!("unary")
        };
        assert_eq!(
            shape(&json!({"metadata": {"data_type": "SECRET", "data": {"schema": {"type": "object"}}, "extra": 1}})).unwrap(),
            json!({"metadata": {"data_type": "SECRET", "data": {"schema": {"type": "object"}}}})
        );
        assert_eq!(
            shape(&json!({"metadata": {"data_type": "ENCRYPTED", "data": {"schema": {}}}}))
                .unwrap_err()
                .details(),
            "ERROR_UNKNOWN: 1 validation error for PluginResponse\nmetadata -> data_type\n  unexpected value; permitted: 'PLAIN_TEXT', 'SECRET' (type=value_error.const; given=ENCRYPTED; permitted=('PLAIN_TEXT', 'SECRET'))"
        );
    }

    #[test]
    fn masking_rules() {
        assert_eq!(
            KIND.route("Notification.dispatch").unwrap().masked,
            ["secret_data", "channel_data"]
        );
        assert_eq!(
            KIND.route("Protocol.verify").unwrap().masked,
            ["secret_data"]
        );
    }
}
