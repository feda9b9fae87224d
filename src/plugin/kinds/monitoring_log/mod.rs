//! The monitoring log data source kind (`spaceone.api.monitoring.plugin`:
//! DataSource, Log). Like the metric kind, upstream has protos and a caller but
//! no Python library: the rules here are this host's own.
//!
//! | route | required | answer |
//! |---|---|---|
//! | `DataSource.init`, `DataSource.verify` | as the metric kind | as the metric kind |
//! | `Log.list` | options, secret_data | **stream**: each yielded item `{results: [dict, ...]}` |
//!
//! `sort` arrives as `{key, desc}`, `limit` as an integer.

use prost_reflect::MessageDescriptor;
use serde_json::Value;

use super::model::{Kind, ModelSpec, opt, req};
use super::model::{construct_response, validate_request};
use super::monitoring_metric::{DATA_SOURCE_INIT, DATA_SOURCE_VERIFY};
use super::tape_model::model_encoded;
use crate::plugin::host::error::PluginError;
use crate::plugin::host::handler::item::Node;
use crate::plugin::host::kind::{Answer, KindSpec, Route, Serving, Shaping};

/// The kind.
pub static KIND: KindSpec = KindSpec {
    name: "log",
    aliases: &[],
    title: "monitoring log data source",
    package: "spaceone.api.monitoring.plugin",
    services: &["DataSource", "Log"],
    routes: &[
        DATA_SOURCE_INIT,
        DATA_SOURCE_VERIFY,
        Route {
            service: "Log",
            verb: "list",
            request: "LogRequest",
            response: "LogsDataInfo",
            params: list_params,
            answer: Answer::Stream(shape_logs, Some(direct_logs)),
            masked: &["secret_data"],
            datetime_params: &[],
        },
    ],
    library: None,
    descriptor_set: include_bytes!(concat!(env!("OUT_DIR"), "/kinds/monitoring_log.bin")),
    log_names_route: true,
    shaping: Shaping::Ours,
    serving: Serving::Routes,
    debug_logs: &[],
};

static SORT: ModelSpec = ModelSpec {
    name: "Sort",
    fields: &[req("key", Kind::Str), opt("desc", Kind::Bool)],
};

static LOG_REQUEST: ModelSpec = ModelSpec {
    name: "LogListRequest",
    fields: &[
        req("options", Kind::Dict),
        req("secret_data", Kind::Dict),
        opt("schema", Kind::Str),
        opt("query", Kind::Dict),
        opt("keyword", Kind::Str),
        opt("start", Kind::Str),
        opt("end", Kind::Str),
        opt("sort", Kind::Model(&SORT)),
        opt("limit", Kind::Any),
    ],
};

static LOGS_RESPONSE: ModelSpec = ModelSpec {
    name: "LogsResponse",
    fields: &[req("results", Kind::List(&Kind::Dict))],
};

fn list_params(request: &Value) -> Result<Value, PluginError> {
    validate_request(&LOG_REQUEST, request)
}

fn shape_logs(item: &Value) -> Result<Value, PluginError> {
    construct_response(&LOGS_RESPONSE, "spacectl.monitoring.log.LogsResponse", item)
}

/// [`shape_logs`] of an item that validates as it is, encoded straight from
/// the handler's line.
fn direct_logs(item: Node<'_>, desc: &MessageDescriptor) -> Option<Vec<u8>> {
    model_encoded(&LOGS_RESPONSE, item, desc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn list_streams_pages_of_records() {
        let r = KIND.route("Log.list").unwrap();
        assert!(r.streaming());
        assert_eq!(
            (r.params)(&json!({"options": {}})).unwrap_err().details(),
            "ERROR_REQUIRED_PARAMETER: Required parameter. (key = secret_data)"
        );
        let Answer::Stream(shape, _) = r.answer else {
            panic!()
        };
        assert_eq!(
            shape(&json!({"results": [{"msg": "a"}], "x": 1})).unwrap(),
            json!({"results": [{"msg": "a"}]})
        );
        assert_eq!(
            shape(&json!({"results": ["a"]})).unwrap_err().details(),
            "ERROR_UNKNOWN: 1 validation error for LogsResponse\nresults -> 0\n  value is not a valid dict (type=type_error.dict)"
        );
        assert_eq!(KIND.route("DataSource.init").unwrap().verb, "init");
    }
}
