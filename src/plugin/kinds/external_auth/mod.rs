//! The identity external auth kind (`spaceone.api.identity.plugin`:
//! ExternalAuth), as spaceone-identity's plugin library serves it.
//!
//! Upstream quirks kept: the library's model types `schema_id` as a dict, so a
//! non-empty `schema_id` fails validation; the request's `metadata` (field 5) is
//! dropped before the plugin. The answer's `state` must be a `UserInfo.State`
//! name, which the conversion checks.

use serde_json::Value;

use super::model::{Kind, ModelSpec, opt, req};
use super::model::{construct_response, validate_request};
use crate::plugin::host::error::PluginError;
use crate::plugin::host::kind::{Answer, KindSpec, Library, Route, Serving, Shaping};

/// The kind.
pub static KIND: KindSpec = KindSpec {
    name: "external-auth",
    aliases: &["auth"],
    title: "identity external auth",
    package: "spaceone.api.identity.plugin",
    services: &["ExternalAuth"],
    routes: &[
        Route {
            service: "ExternalAuth",
            verb: "init",
            request: "InitRequest",
            response: "PluginInfo",
            params: init_params,
            answer: Answer::Unary(shape_init),
            masked: &[],
            datetime_params: &[],
        },
        Route {
            service: "ExternalAuth",
            verb: "authorize",
            request: "AuthorizeRequest",
            response: "UserInfo",
            params: authorize_params,
            answer: Answer::Unary(shape_authorize),
            masked: &["secret_data", "credentials"],
            datetime_params: &[],
        },
    ],
    library: Some(Library {
        module: "spaceone.identity.plugin.external_auth.lib.server",
        class: "ExternalAuthPluginServer",
        requirement: "spaceone-identity==2.0.dev299",
    }),
    descriptor_set: include_bytes!(concat!(env!("OUT_DIR"), "/kinds/external_auth.bin")),
    log_names_route: true,
    shaping: Shaping::Upstream,
    serving: Serving::Routes,
    debug_logs: &[],
};

const MODELS: &str = "spaceone.identity.plugin.external_auth.model";

static EXTERNAL_AUTH_INIT_REQUEST: ModelSpec = ModelSpec {
    name: "ExternalAuthInitRequest",
    fields: &[req("options", Kind::Dict), req("domain_id", Kind::Str)],
};

static EXTERNAL_AUTH_AUTHORIZE_REQUEST: ModelSpec = ModelSpec {
    name: "ExternalAuthAuthorizeRequest",
    fields: &[
        req("options", Kind::Dict),
        // Upstream types it as a dict although the wire carries text.
        opt("schema_id", Kind::Dict),
        req("secret_data", Kind::Dict),
        req("credentials", Kind::Dict),
        req("domain_id", Kind::Str),
    ],
};

static PLUGIN_RESPONSE: ModelSpec = ModelSpec {
    name: "PluginResponse",
    fields: &[req("metadata", Kind::Dict)],
};

static USER_RESPONSE: ModelSpec = ModelSpec {
    name: "UserResponse",
    fields: &[
        opt("state", Kind::Str),
        opt("user_id", Kind::Str),
        opt("name", Kind::Str),
        opt("email", Kind::Str),
        opt("mobile", Kind::Str),
        opt("group", Kind::Str),
    ],
};

fn init_params(request: &Value) -> Result<Value, PluginError> {
    validate_request(&EXTERNAL_AUTH_INIT_REQUEST, request)
}

fn authorize_params(request: &Value) -> Result<Value, PluginError> {
    validate_request(&EXTERNAL_AUTH_AUTHORIZE_REQUEST, request)
}

/// `{metadata: dict}` (required).
fn shape_init(answer: &Value) -> Result<Value, PluginError> {
    construct_response(
        &PLUGIN_RESPONSE,
        &format!("{MODELS}.external_auth_response.PluginResponse"),
        answer,
    )
}

/// `{state, user_id, name, email, mobile, group}`, each optional.
fn shape_authorize(answer: &Value) -> Result<Value, PluginError> {
    construct_response(
        &USER_RESPONSE,
        &format!("{MODELS}.external_auth_response.UserResponse"),
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

    fn authorize(extra: Value) -> Value {
        let mut r = json!({"options": {}, "secret_data": {"client_secret": "x"},
                           "credentials": {"user_id": "alice"}, "domain_id": "d"});
        for (k, v) in extra.as_object().unwrap() {
            r[k] = v.clone();
        }
        r
    }

    #[test]
    fn authorize_params_and_quirks() {
        assert_eq!(
            params(
                "ExternalAuth.authorize",
                authorize(json!({"metadata": {"client_ip": "127.0.0.1"}}))
            )
            .unwrap(),
            json!({"options": {}, "schema_id": null, "secret_data": {"client_secret": "x"},
                   "credentials": {"user_id": "alice"}, "domain_id": "d"})
        );
        assert_eq!(
            params(
                "ExternalAuth.authorize",
                authorize(json!({"schema_id": "sample-schema"}))
            )
            .unwrap_err(),
            "INVALID_ARGUMENT ERROR_INVALID_PARAMETER_TYPE: Parameter type is invalid. (key = schema_id, type = dict)"
        );
        let mut no_credentials = authorize(json!({}));
        no_credentials
            .as_object_mut()
            .unwrap()
            .remove("credentials");
        assert_eq!(
            params("ExternalAuth.authorize", no_credentials).unwrap_err(),
            "INVALID_ARGUMENT ERROR_REQUIRED_PARAMETER: Required parameter. (key = credentials)"
        );
        assert_eq!(
            params("ExternalAuth.init", json!({"options": {}})).unwrap_err(),
            "INVALID_ARGUMENT ERROR_REQUIRED_PARAMETER: Required parameter. (key = domain_id)"
        );
    }

    #[test]
    fn answers_are_shaped() {
        let Answer::Unary(user) = KIND.route("ExternalAuth.authorize").unwrap().answer else {
            panic!("unary")
        };
        assert_eq!(
            serde_json::to_string(
                &user(&json!({"user_id": "alice", "state": "ENABLED", "extra": 1})).unwrap()
            )
            .unwrap(),
            r#"{"state":"ENABLED","user_id":"alice","name":null,"email":null,"mobile":null,"group":null}"#
        );
        let Answer::Unary(init) = KIND.route("ExternalAuth.init").unwrap().answer else {
            panic!("unary")
        };
        assert_eq!(
            init(&json!({})).unwrap_err().details(),
            "ERROR_UNKNOWN: 1 validation error for PluginResponse\nmetadata\n  field required (type=value_error.missing)"
        );
        assert_eq!(
            KIND.route("ExternalAuth.authorize").unwrap().masked,
            ["secret_data", "credentials"]
        );
    }
}
