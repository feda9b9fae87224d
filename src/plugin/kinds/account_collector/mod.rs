//! The identity account collector kind (`spaceone.api.identity.plugin`:
//! AccountCollector), as spaceone-identity's plugin library serves it.
//!
//! The same `schema_id` quirk as the external auth kind. A plugin's `{}` from
//! `sync` is an all-default `AccountsInfo`; each account's fields are optional
//! and `location` must be a list.

use serde_json::Value;

use super::model::{Kind, ModelSpec, opt, req};
use super::model::{construct_response, validate_request};
use crate::plugin::host::error::PluginError;
use crate::plugin::host::kind::{Answer, KindSpec, Library, Route, Serving, Shaping};

/// The kind.
pub static KIND: KindSpec = KindSpec {
    name: "account-collector",
    aliases: &[],
    title: "identity account collector",
    package: "spaceone.api.identity.plugin",
    services: &["AccountCollector"],
    routes: &[
        Route {
            service: "AccountCollector",
            verb: "init",
            request: "InitRequest",
            response: "PluginInfo",
            params: init_params,
            answer: Answer::Unary(shape_init),
            masked: &[],
            datetime_params: &[],
        },
        Route {
            service: "AccountCollector",
            verb: "sync",
            request: "SyncRequest",
            response: "AccountsInfo",
            params: sync_params,
            answer: Answer::Unary(shape_sync),
            masked: &["secret_data"],
            datetime_params: &[],
        },
    ],
    library: Some(Library {
        module: "spaceone.identity.plugin.account_collector.lib.server",
        class: "AccountCollectorPluginServer",
        requirement: "spaceone-identity==2.0.dev299",
    }),
    descriptor_set: include_bytes!(concat!(env!("OUT_DIR"), "/kinds/account_collector.bin")),
    log_names_route: true,
    shaping: Shaping::Upstream,
    serving: Serving::Routes,
    debug_logs: &[],
};

const MODELS: &str = "spaceone.identity.plugin.account_collector.model";

static INIT_REQUEST: ModelSpec = ModelSpec {
    name: "AccountCollectorInitRequest",
    fields: &[req("options", Kind::Dict), req("domain_id", Kind::Str)],
};

static SYNC_REQUEST: ModelSpec = ModelSpec {
    name: "AccountCollectorSyncRequest",
    fields: &[
        req("options", Kind::Dict),
        // Upstream types it as a dict although the wire carries text.
        opt("schema_id", Kind::Dict),
        req("secret_data", Kind::Dict),
        req("domain_id", Kind::Str),
    ],
};

static PLUGIN_RESPONSE: ModelSpec = ModelSpec {
    name: "PluginResponse",
    fields: &[req("metadata", Kind::Dict)],
};

static ACCOUNT_RESPONSE: ModelSpec = ModelSpec {
    name: "AccountResponse",
    fields: &[
        opt("name", Kind::Str),
        opt("resource_id", Kind::Str),
        opt("data", Kind::Dict),
        opt("secret_schema_id", Kind::Str),
        opt("secret_data", Kind::Dict),
        opt("tags", Kind::Dict),
        opt("location", Kind::List(&Kind::Any)),
    ],
};

static ACCOUNTS_RESPONSE: ModelSpec = ModelSpec {
    name: "AccountsResponse",
    fields: &[opt("results", Kind::List(&Kind::Model(&ACCOUNT_RESPONSE)))],
};

fn init_params(request: &Value) -> Result<Value, PluginError> {
    validate_request(&INIT_REQUEST, request)
}

fn sync_params(request: &Value) -> Result<Value, PluginError> {
    validate_request(&SYNC_REQUEST, request)
}

/// `{metadata: dict}` (required).
fn shape_init(answer: &Value) -> Result<Value, PluginError> {
    construct_response(
        &PLUGIN_RESPONSE,
        &format!("{MODELS}.account_collect_response.PluginResponse"),
        answer,
    )
}

/// `{results: [...] = None}`.
fn shape_sync(answer: &Value) -> Result<Value, PluginError> {
    construct_response(
        &ACCOUNTS_RESPONSE,
        &format!("{MODELS}.account_collect_response.AccountsResponse"),
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

    #[test]
    fn sync_params_and_errors() {
        assert_eq!(
            params(
                "AccountCollector.sync",
                json!({"options": {}, "secret_data": {}, "domain_id": "d"})
            )
            .unwrap(),
            json!({"options": {}, "schema_id": null, "secret_data": {}, "domain_id": "d"})
        );
        assert_eq!(
            params(
                "AccountCollector.sync",
                json!({"options": {}, "domain_id": "d"})
            )
            .unwrap_err(),
            "INVALID_ARGUMENT ERROR_REQUIRED_PARAMETER: Required parameter. (key = secret_data)"
        );
        assert_eq!(
            params(
                "AccountCollector.sync",
                json!({"options": {}, "schema_id": "s", "secret_data": {}, "domain_id": "d"})
            )
            .unwrap_err(),
            "INVALID_ARGUMENT ERROR_INVALID_PARAMETER_TYPE: Parameter type is invalid. (key = schema_id, type = dict)"
        );
    }

    #[test]
    fn sync_answer_is_shaped() {
        let Answer::Unary(shape) = KIND.route("AccountCollector.sync").unwrap().answer else {
            panic!("unary")
        };
        assert_eq!(shape(&json!({})).unwrap(), json!({"results": null}));
        assert_eq!(
            serde_json::to_string(
                &shape(&json!({"results": [{"name": "a", "location": [{"name": "f"}], "x": 1}]}))
                    .unwrap()
            )
            .unwrap(),
            r#"{"results":[{"name":"a","resource_id":null,"data":null,"secret_schema_id":null,"secret_data":null,"tags":null,"location":[{"name":"f"}]}]}"#
        );
        assert_eq!(
            shape(&json!({"results": [{"location": "Org/Prod"}]}))
                .unwrap_err()
                .details(),
            "ERROR_UNKNOWN: 1 validation error for AccountsResponse\nresults -> 0 -> location\n  value is not a valid list (type=type_error.list)"
        );
    }
}
