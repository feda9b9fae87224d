//! The monitoring metric data source kind (`spaceone.api.monitoring.plugin`:
//! DataSource, Metric). Upstream has the protos and a caller (the monitoring
//! service) but no Python library for it, so the validation and shaping here
//! are this host's own, made to follow the caller's use:
//!
//! | route | required | answer |
//! |---|---|---|
//! | `DataSource.init` | options | `{metadata: dict = {}}` |
//! | `DataSource.verify` | options, secret_data | Empty |
//! | `Metric.list` | options, secret_data | `{metrics: [{key, name, group?, unit = {}, metric_query = {}}] = []}` |
//! | `Metric.get_data` | options, secret_data, metric, start, end | `{labels: list = [], values: dict = {}}` |
//!
//! Requests keep their proto field names (`schema` stays `schema`); `period`
//! arrives as an integer. Masking: `secret_data` on every route that has it.

use serde_json::Value;

use super::model::{Dflt, Kind, ModelSpec, dflt, opt, req};
use super::model::{construct_response, validate_request};
use crate::plugin::host::error::PluginError;
use crate::plugin::host::kind::{Answer, KindSpec, Route, Serving, Shaping};

/// The kind.
pub static KIND: KindSpec = KindSpec {
    name: "metric",
    aliases: &[],
    title: "monitoring metric data source",
    package: "spaceone.api.monitoring.plugin",
    services: &["DataSource", "Metric"],
    routes: &[
        DATA_SOURCE_INIT,
        DATA_SOURCE_VERIFY,
        Route {
            service: "Metric",
            verb: "list",
            request: "MetricRequest",
            response: "MetricsInfo",
            params: list_params,
            answer: Answer::Unary(shape_list),
            masked: &["secret_data"],
            datetime_params: &[],
        },
        Route {
            service: "Metric",
            verb: "get_data",
            request: "MetricDataRequest",
            response: "MetricDataInfo",
            params: get_data_params,
            answer: Answer::Unary(shape_get_data),
            masked: &["secret_data"],
            datetime_params: &[],
        },
    ],
    library: None,
    descriptor_set: include_bytes!(concat!(env!("OUT_DIR"), "/kinds/monitoring_metric.bin")),
    log_names_route: true,
    shaping: Shaping::Ours,
    serving: Serving::Routes,
    debug_logs: &[],
};

/// `DataSource.init` of the monitoring data source kinds (metric and log).
pub(crate) const DATA_SOURCE_INIT: Route = Route {
    service: "DataSource",
    verb: "init",
    request: "InitRequest",
    response: "PluginInfo",
    params: init_params,
    answer: Answer::Unary(shape_init),
    masked: &[],
    datetime_params: &[],
};

/// `DataSource.verify` of the monitoring data source kinds (metric and log).
pub(crate) const DATA_SOURCE_VERIFY: Route = Route {
    service: "DataSource",
    verb: "verify",
    request: "PluginVerifyRequest",
    response: "google.protobuf.Empty",
    params: verify_params,
    answer: Answer::Empty,
    masked: &["secret_data"],
    datetime_params: &[],
};

static INIT_REQUEST: ModelSpec = ModelSpec {
    name: "DataSourceInitRequest",
    fields: &[req("options", Kind::Dict)],
};

static VERIFY_REQUEST: ModelSpec = ModelSpec {
    name: "DataSourceVerifyRequest",
    fields: &[
        req("options", Kind::Dict),
        req("secret_data", Kind::Dict),
        opt("schema", Kind::Str),
    ],
};

static METRIC_REQUEST: ModelSpec = ModelSpec {
    name: "MetricListRequest",
    fields: &[
        req("options", Kind::Dict),
        req("secret_data", Kind::Dict),
        opt("query", Kind::Dict),
        opt("schema", Kind::Str),
    ],
};

static METRIC_DATA_REQUEST: ModelSpec = ModelSpec {
    name: "MetricGetDataRequest",
    fields: &[
        req("options", Kind::Dict),
        req("secret_data", Kind::Dict),
        opt("metric_query", Kind::Dict),
        req("metric", Kind::Str),
        req("start", Kind::Str),
        req("end", Kind::Str),
        opt("period", Kind::Any),
        opt("stat", Kind::Str),
        opt("schema", Kind::Str),
    ],
};

static PLUGIN_RESPONSE: ModelSpec = ModelSpec {
    name: "PluginResponse",
    fields: &[dflt("metadata", Kind::Dict, Dflt::EmptyObject, false)],
};

static METRIC: ModelSpec = ModelSpec {
    name: "Metric",
    fields: &[
        req("key", Kind::Str),
        req("name", Kind::Str),
        opt("group", Kind::Str),
        dflt("unit", Kind::Dict, Dflt::EmptyObject, false),
        dflt("metric_query", Kind::Dict, Dflt::EmptyObject, false),
    ],
};

static METRICS_RESPONSE: ModelSpec = ModelSpec {
    name: "MetricsResponse",
    fields: &[dflt(
        "metrics",
        Kind::List(&Kind::Model(&METRIC)),
        Dflt::EmptyList,
        false,
    )],
};

static METRIC_DATA_RESPONSE: ModelSpec = ModelSpec {
    name: "MetricDataResponse",
    fields: &[
        dflt("labels", Kind::List(&Kind::Any), Dflt::EmptyList, false),
        dflt("values", Kind::Dict, Dflt::EmptyObject, false),
    ],
};

const MODELS: &str = "spacectl.monitoring.metric";

fn init_params(request: &Value) -> Result<Value, PluginError> {
    validate_request(&INIT_REQUEST, request)
}

fn verify_params(request: &Value) -> Result<Value, PluginError> {
    validate_request(&VERIFY_REQUEST, request)
}

fn list_params(request: &Value) -> Result<Value, PluginError> {
    validate_request(&METRIC_REQUEST, request)
}

fn get_data_params(request: &Value) -> Result<Value, PluginError> {
    validate_request(&METRIC_DATA_REQUEST, request)
}

fn shape_init(answer: &Value) -> Result<Value, PluginError> {
    construct_response(
        &PLUGIN_RESPONSE,
        &format!("{MODELS}.PluginResponse"),
        answer,
    )
}

fn shape_list(answer: &Value) -> Result<Value, PluginError> {
    construct_response(
        &METRICS_RESPONSE,
        &format!("{MODELS}.MetricsResponse"),
        answer,
    )
}

fn shape_get_data(answer: &Value) -> Result<Value, PluginError> {
    construct_response(
        &METRIC_DATA_RESPONSE,
        &format!("{MODELS}.MetricDataResponse"),
        answer,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn get_data_requires_the_metric_and_range() {
        let r = KIND.route("Metric.get_data").unwrap();
        assert_eq!(
            (r.params)(&json!({"options": {}, "secret_data": {}, "start": "s", "end": "e"}))
                .unwrap_err()
                .details(),
            "ERROR_REQUIRED_PARAMETER: Required parameter. (key = metric)"
        );
        assert_eq!(
            (r.params)(&json!({"options": {}, "secret_data": {}, "metric": "cpu", "start": "s", "end": "e", "period": 60})).unwrap(),
            json!({"options": {}, "secret_data": {}, "metric_query": null, "metric": "cpu", "start": "s",
                   "end": "e", "period": 60, "stat": null, "schema": null})
        );
    }

    #[test]
    fn answers_get_defaults() {
        let Answer::Unary(list) = KIND.route("Metric.list").unwrap().answer else {
            panic!()
        };
        assert_eq!(
            serde_json::to_string(
                &list(&json!({"metrics": [{"key": "cpu", "name": "CPU"}]})).unwrap()
            )
            .unwrap(),
            r#"{"metrics":[{"key":"cpu","name":"CPU","group":null,"unit":{},"metric_query":{}}]}"#
        );
        let Answer::Unary(data) = KIND.route("Metric.get_data").unwrap().answer else {
            panic!()
        };
        assert_eq!(
            data(&json!({})).unwrap(),
            json!({"labels": [], "values": {}})
        );
        assert_eq!(
            list(&json!({"metrics": [{"key": "cpu"}]}))
                .unwrap_err()
                .details(),
            "ERROR_UNKNOWN: 1 validation error for MetricsResponse\nmetrics -> 0 -> name\n  field required (type=value_error.missing)"
        );
    }
}
