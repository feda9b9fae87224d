//! The cost data source kind (`spaceone.api.cost_analysis.plugin`: DataSource,
//! Job, Cost), as spaceone-cost-analysis's plugin library serves it.
//! `Cost.get_data` streams: each item the plugin yields is one `CostsInfo`.
//!
//! The request's `schema` reaches the plugin as `schema_name` (a pydantic alias);
//! `Job.get_tasks`'s `last_synchronized_at` must parse as a datetime.

use prost_reflect::MessageDescriptor;
use serde_json::Value;

use super::model::{Dflt, EnumSpec, Kind, ModelSpec, dflt, opt, req};
use super::model::{construct_response, rename_key, validate_request};
use super::tape_model::model_encoded;
use crate::plugin::host::error::PluginError;
use crate::plugin::host::handler::item::Node;
use crate::plugin::host::kind::{Answer, KindSpec, Library, Route, Serving, Shaping};

/// The kind.
pub static KIND: KindSpec = KindSpec {
    name: "cost",
    aliases: &[],
    title: "cost data source",
    package: "spaceone.api.cost_analysis.plugin",
    services: &["DataSource", "Job", "Cost"],
    routes: &[
        Route {
            service: "DataSource",
            verb: "init",
            request: "InitRequest",
            response: "PluginInfo",
            params: init_params,
            answer: Answer::Unary(shape_init),
            masked: &[],
            datetime_params: &[],
        },
        Route {
            service: "DataSource",
            verb: "verify",
            request: "PluginVerifyRequest",
            response: "google.protobuf.Empty",
            params: verify_params,
            answer: Answer::Empty,
            masked: &["secret_data"],
            datetime_params: &[],
        },
        Route {
            service: "Job",
            verb: "get_tasks",
            request: "GetTasksRequest",
            response: "TasksInfo",
            params: get_tasks_params,
            answer: Answer::Unary(shape_get_tasks),
            masked: &["secret_data"],
            datetime_params: &["last_synchronized_at"],
        },
        Route {
            service: "Cost",
            verb: "get_data",
            request: "GetDataRequest",
            response: "CostsInfo",
            params: get_data_params,
            answer: Answer::Stream(shape_costs, Some(direct_costs)),
            masked: &["secret_data"],
            datetime_params: &[],
        },
        Route {
            service: "Cost",
            verb: "get_linked_accounts",
            request: "GetLinkedAccountsRequest",
            response: "AccountsInfo",
            params: get_linked_accounts_params,
            answer: Answer::Unary(shape_linked_accounts),
            masked: &["secret_data"],
            datetime_params: &[],
        },
    ],
    library: Some(Library {
        module: "spaceone.cost_analysis.plugin.data_source.lib.server",
        class: "DataSourcePluginServer",
        requirement: "spaceone-cost-analysis==2.0.dev240",
    }),
    descriptor_set: include_bytes!(concat!(env!("OUT_DIR"), "/kinds/cost_data_source.bin")),
    log_names_route: true,
    shaping: Shaping::Upstream,
    serving: Serving::Routes,
    debug_logs: &[],
};

const MODELS: &str = "spaceone.cost_analysis.plugin.data_source.model";

// Requests. `schema` is the alias of the models' `schema_name`.

static DATA_SOURCE_INIT_REQUEST: ModelSpec = ModelSpec {
    name: "DataSourceInitRequest",
    fields: &[req("options", Kind::Dict), req("domain_id", Kind::Str)],
};

static DATA_SOURCE_VERIFY_REQUEST: ModelSpec = ModelSpec {
    name: "DataSourceVerifyRequest",
    fields: &[
        req("options", Kind::Dict),
        req("secret_data", Kind::Dict),
        opt("schema", Kind::Str),
        req("domain_id", Kind::Str),
    ],
};

static JOB_GET_TASK_REQUEST: ModelSpec = ModelSpec {
    name: "JobGetTaskRequest",
    fields: &[
        req("options", Kind::Dict),
        req("secret_data", Kind::Dict),
        opt("linked_accounts", Kind::List(&Kind::Any)),
        opt("schema", Kind::Str),
        opt("start", Kind::Str),
        opt("last_synchronized_at", Kind::Datetime),
        req("domain_id", Kind::Str),
    ],
};

static COST_GET_LINKED_ACCOUNTS_REQUEST: ModelSpec = ModelSpec {
    name: "CostGetLinkedAccountsRequest",
    fields: &[
        req("options", Kind::Dict),
        opt("schema", Kind::Str),
        req("secret_data", Kind::Dict),
        req("domain_id", Kind::Str),
    ],
};

static COST_GET_DATA_REQUEST: ModelSpec = ModelSpec {
    name: "CostGetDataRequest",
    fields: &[
        req("options", Kind::Dict),
        req("secret_data", Kind::Dict),
        opt("schema", Kind::Str),
        req("task_options", Kind::Dict),
        req("domain_id", Kind::Str),
    ],
};

fn with_schema_name(spec: &ModelSpec, request: &Value) -> Result<Value, PluginError> {
    validate_request(spec, request).map(|p| rename_key(p, "schema", "schema_name"))
}

fn init_params(request: &Value) -> Result<Value, PluginError> {
    validate_request(&DATA_SOURCE_INIT_REQUEST, request)
}

fn verify_params(request: &Value) -> Result<Value, PluginError> {
    with_schema_name(&DATA_SOURCE_VERIFY_REQUEST, request)
}

fn get_tasks_params(request: &Value) -> Result<Value, PluginError> {
    with_schema_name(&JOB_GET_TASK_REQUEST, request)
}

fn get_linked_accounts_params(request: &Value) -> Result<Value, PluginError> {
    with_schema_name(&COST_GET_LINKED_ACCOUNTS_REQUEST, request)
}

fn get_data_params(request: &Value) -> Result<Value, PluginError> {
    with_schema_name(&COST_GET_DATA_REQUEST, request)
}

// DataSource.init response.

static SOURCE_TARGET_WORKSPACE: ModelSpec = ModelSpec {
    name: "MatchWorkspace",
    fields: &[req("source", Kind::Str), req("target", Kind::Str)],
};

static SOURCE_TARGET_SERVICE_ACCOUNT: ModelSpec = ModelSpec {
    name: "MatchServiceAccount",
    fields: &[req("source", Kind::Str), req("target", Kind::Str)],
};

static SOURCE_TARGET_PROJECT: ModelSpec = ModelSpec {
    name: "MatchProject",
    fields: &[req("source", Kind::Str), req("target", Kind::Str)],
};

static ACTIONS: ModelSpec = ModelSpec {
    name: "Actions",
    fields: &[
        opt("match_workspace", Kind::Model(&SOURCE_TARGET_WORKSPACE)),
        opt(
            "match_service_account",
            Kind::Model(&SOURCE_TARGET_SERVICE_ACCOUNT),
        ),
        opt("match_project", Kind::Model(&SOURCE_TARGET_PROJECT)),
        opt("change_project", Kind::Str),
        opt("add_additional_info", Kind::Dict),
    ],
};

static CONDITION: ModelSpec = ModelSpec {
    name: "Condition",
    fields: &[
        req("key", Kind::Str),
        req("value", Kind::Str),
        req("operator", Kind::Str),
    ],
};

static RULE_OPTIONS: ModelSpec = ModelSpec {
    name: "Options",
    fields: &[dflt(
        "stop_processing",
        Kind::Bool,
        Dflt::Bool(false),
        false,
    )],
};

static CONDITIONS_POLICY: EnumSpec = EnumSpec {
    class: "State",
    members: &[("all", "ALL"), ("any", "ANY"), ("always", "ALWAYS")],
};

static DATA_SOURCE_RULE: ModelSpec = ModelSpec {
    name: "DataSourceRule",
    fields: &[
        req("name", Kind::Str),
        dflt(
            "conditions",
            Kind::List(&Kind::Model(&CONDITION)),
            Dflt::EmptyList,
            false,
        ),
        req("conditions_policy", Kind::Enum(&CONDITIONS_POLICY)),
        req("actions", Kind::Model(&ACTIONS)),
        // The default `{}` is not validated: it stays an empty mapping.
        dflt(
            "options",
            Kind::Model(&RULE_OPTIONS),
            Dflt::EmptyObject,
            false,
        ),
        dflt("tags", Kind::Dict, Dflt::EmptyObject, false),
    ],
};

static SECRET_TYPE: EnumSpec = EnumSpec {
    class: "SupportedSecretType",
    members: &[
        ("manual", "MANUAL"),
        ("use_service_account_secret", "USE_SERVICE_ACCOUNT_SECRET"),
    ],
};

static PLUGIN_METADATA: ModelSpec = ModelSpec {
    name: "PluginMetadata",
    fields: &[
        dflt(
            "data_source_rules",
            Kind::List(&Kind::Model(&DATA_SOURCE_RULE)),
            Dflt::EmptyList,
            false,
        ),
        dflt(
            "supported_secret_types",
            Kind::List(&Kind::Enum(&SECRET_TYPE)),
            Dflt::StrList(&["MANUAL"]),
            false,
        ),
        dflt("currency", Kind::Str, Dflt::Str("USD"), false),
        dflt("alias", Kind::Dict, Dflt::EmptyObject, false),
        dflt("use_account_routing", Kind::Bool, Dflt::Bool(false), false),
        opt("account_match_key", Kind::Str),
        dflt(
            "account_connect_polices",
            Kind::List(&Kind::Dict),
            Dflt::EmptyList,
            false,
        ),
        opt("additional_info", Kind::DictOf(&Kind::Dict)),
    ],
};

static PLUGIN_RESPONSE: ModelSpec = ModelSpec {
    name: "PluginResponse",
    fields: &[req("metadata", Kind::Model(&PLUGIN_METADATA))],
};

/// `{metadata: {...}}` with the eight metadata keys in order; the nulls stay
/// (the metadata is a Struct).
fn shape_init(answer: &Value) -> Result<Value, PluginError> {
    construct_response(
        &PLUGIN_RESPONSE,
        &format!("{MODELS}.data_source_response.PluginResponse"),
        answer,
    )
}

// Job.get_tasks response.

static CHANGED: ModelSpec = ModelSpec {
    name: "Changed",
    fields: &[
        req("start", Kind::Str),
        opt("end", Kind::Str),
        opt("filter", Kind::Dict),
    ],
};

static TASK: ModelSpec = ModelSpec {
    name: "Task",
    fields: &[
        req("task_options", Kind::Dict),
        opt("task_changed", Kind::Model(&CHANGED)),
    ],
};

static SYNCED_ACCOUNT: ModelSpec = ModelSpec {
    name: "SyncedAccount",
    fields: &[req("account_id", Kind::Str), opt("name", Kind::Str)],
};

static TASKS_RESPONSE: ModelSpec = ModelSpec {
    name: "TasksResponse",
    fields: &[
        req("tasks", Kind::List(&Kind::Model(&TASK))),
        dflt(
            "changed",
            Kind::List(&Kind::Model(&CHANGED)),
            Dflt::EmptyList,
            false,
        ),
        opt("synced_accounts", Kind::List(&Kind::Model(&SYNCED_ACCOUNT))),
    ],
};

fn shape_get_tasks(answer: &Value) -> Result<Value, PluginError> {
    construct_response(
        &TASKS_RESPONSE,
        &format!("{MODELS}.job_response.TasksResponse"),
        answer,
    )
}

// Cost responses.

static ACCOUNT: ModelSpec = ModelSpec {
    name: "Account",
    fields: &[req("account_id", Kind::Str), req("name", Kind::Str)],
};

static ACCOUNTS_RESPONSE: ModelSpec = ModelSpec {
    name: "AccountsResponse",
    fields: &[req("results", Kind::List(&Kind::Model(&ACCOUNT)))],
};

static COST: ModelSpec = ModelSpec {
    name: "Cost",
    fields: &[
        req("cost", Kind::Float),
        opt("usage_quantity", Kind::Float),
        opt("usage_unit", Kind::Str),
        opt("provider", Kind::Str),
        opt("region_code", Kind::Str),
        opt("product", Kind::Str),
        opt("usage_type", Kind::Str),
        opt("resource", Kind::Str),
        dflt("tags", Kind::Dict, Dflt::EmptyObject, false),
        dflt("additional_info", Kind::Dict, Dflt::EmptyObject, false),
        dflt("data", Kind::Dict, Dflt::EmptyObject, false),
        req("billed_date", Kind::Str),
    ],
};

static COSTS_RESPONSE: ModelSpec = ModelSpec {
    name: "CostsResponse",
    fields: &[req("results", Kind::List(&Kind::Model(&COST)))],
};

fn shape_linked_accounts(answer: &Value) -> Result<Value, PluginError> {
    construct_response(
        &ACCOUNTS_RESPONSE,
        &format!("{MODELS}.cost_response.AccountsResponse"),
        answer,
    )
}

/// One yielded item: `{results: [row, ...]}`.
fn shape_costs(item: &Value) -> Result<Value, PluginError> {
    construct_response(
        &COSTS_RESPONSE,
        &format!("{MODELS}.cost_response.CostsResponse"),
        item,
    )
}

/// [`shape_costs`] of an item that validates as it is, encoded straight from
/// the handler's line.
fn direct_costs(item: Node<'_>, desc: &MessageDescriptor) -> Option<Vec<u8>> {
    model_encoded(&COSTS_RESPONSE, item, desc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(method: &str, request: Value) -> Result<Value, String> {
        let r = KIND.route(method).expect("route");
        (r.params)(&request).map_err(|e| format!("{} {}", e.status.name(), e.details()))
    }

    fn shape(method: &str, answer: Value) -> Result<Value, String> {
        let f = match KIND.route(method).expect("route").answer {
            Answer::Unary(f) | Answer::Stream(f, _) => f,
            Answer::Empty => panic!("{method} answers Empty"),
        };
        f(&answer).map_err(|e| format!("{} {}", e.status.name(), e.details()))
    }

    #[test]
    fn required_parameters_in_model_order() {
        assert_eq!(
            params("DataSource.init", json!({"options": {}})).unwrap_err(),
            "INVALID_ARGUMENT ERROR_REQUIRED_PARAMETER: Required parameter. (key = domain_id)"
        );
        assert_eq!(
            params(
                "DataSource.verify",
                json!({"options": {}, "domain_id": "d"})
            )
            .unwrap_err(),
            "INVALID_ARGUMENT ERROR_REQUIRED_PARAMETER: Required parameter. (key = secret_data)"
        );
        assert_eq!(
            params(
                "Cost.get_data",
                json!({"options": {}, "secret_data": {}, "domain_id": "d"})
            )
            .unwrap_err(),
            "INVALID_ARGUMENT ERROR_REQUIRED_PARAMETER: Required parameter. (key = task_options)"
        );
        assert_eq!(
            params("Job.get_tasks", json!({"options": {}, "secret_data": {}})).unwrap_err(),
            "INVALID_ARGUMENT ERROR_REQUIRED_PARAMETER: Required parameter. (key = domain_id)"
        );
    }

    #[test]
    fn schema_arrives_as_schema_name() {
        assert_eq!(
            params(
                "DataSource.verify",
                json!({"options": {}, "secret_data": {"k": "v"}, "schema": "s", "domain_id": "d"})
            )
            .unwrap(),
            json!({"options": {}, "secret_data": {"k": "v"}, "schema_name": "s", "domain_id": "d"})
        );
        let p = params(
            "Job.get_tasks",
            json!({"options": {}, "secret_data": {}, "domain_id": "d", "start": "2024-04",
                   "last_synchronized_at": "2024-05-01T00:00:00Z", "linked_accounts": [{"account_id": "1"}]}),
        )
        .unwrap();
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"options":{},"secret_data":{},"linked_accounts":[{"account_id":"1"}],"schema_name":null,"start":"2024-04","last_synchronized_at":"2024-05-01T00:00:00Z","domain_id":"d"}"#
        );
    }

    #[test]
    fn last_synchronized_at_must_be_a_datetime() {
        let req = |t: &str| json!({"options": {}, "secret_data": {}, "domain_id": "d", "last_synchronized_at": t});
        assert_eq!(
            params("Job.get_tasks", req("yesterday")).unwrap_err(),
            "INVALID_ARGUMENT ERROR_INVALID_PARAMETER: Parameter is invalid. (key = last_synchronized_at, reason = invalid datetime format)"
        );
        for ok in [
            "2024-05-01T00:00:00Z",
            "2024-05-01 10:20",
            "2024-5-1T1:2:3.123456+09:00",
            "1714521600",
        ] {
            assert!(params("Job.get_tasks", req(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "2024-05-01",
            "2024-13-01T00:00",
            "2024-02-30T00:00",
            "2024-05-01T00:00:00+9",
        ] {
            assert!(params("Job.get_tasks", req(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn init_metadata_defaults() {
        assert_eq!(
            serde_json::to_string(&shape("DataSource.init", json!({"metadata": {}})).unwrap())
                .unwrap(),
            r#"{"metadata":{"data_source_rules":[],"supported_secret_types":["MANUAL"],"currency":"USD","alias":{},"use_account_routing":false,"account_match_key":null,"account_connect_polices":[],"additional_info":null}}"#
        );
        let rule = shape(
            "DataSource.init",
            json!({"metadata": {"data_source_rules": [{"name": "r", "conditions_policy": "ALWAYS",
                   "actions": {"match_service_account": {"source": "a", "target": "b"}}}]}}),
        )
        .unwrap();
        assert_eq!(
            serde_json::to_string(&rule["metadata"]["data_source_rules"]).unwrap(),
            r#"[{"name":"r","conditions":[],"conditions_policy":"ALWAYS","actions":{"match_workspace":null,"match_service_account":{"source":"a","target":"b"},"match_project":null,"change_project":null,"add_additional_info":null},"options":{},"tags":{}}]"#
        );
        assert_eq!(
            shape(
                "DataSource.init",
                json!({"metadata": {"supported_secret_types": ["TOKEN"]}})
            )
            .unwrap_err(),
            "INTERNAL ERROR_UNKNOWN: 1 validation error for PluginResponse\nmetadata -> supported_secret_types -> 0\n  value is not a valid enumeration member; permitted: 'MANUAL', 'USE_SERVICE_ACCOUNT_SECRET' (type=type_error.enum; enum_values=[<SupportedSecretType.manual: 'MANUAL'>, <SupportedSecretType.use_service_account_secret: 'USE_SERVICE_ACCOUNT_SECRET'>])"
        );
    }

    #[test]
    fn tasks_and_costs_are_shaped() {
        assert_eq!(
            serde_json::to_string(
                &shape(
                    "Job.get_tasks",
                    json!({"tasks": [{"task_options": {"m": "1"}}]})
                )
                .unwrap()
            )
            .unwrap(),
            r#"{"tasks":[{"task_options":{"m":"1"},"task_changed":null}],"changed":[],"synced_accounts":null}"#
        );
        assert_eq!(
            serde_json::to_string(
                &shape(
                    "Cost.get_data",
                    json!({"results": [{"cost": "1.5", "billed_date": "2024-01-01", "x": 1}]})
                )
                .unwrap()
            )
            .unwrap(),
            r#"{"results":[{"cost":1.5,"usage_quantity":null,"usage_unit":null,"provider":null,"region_code":null,"product":null,"usage_type":null,"resource":null,"tags":{},"additional_info":{},"data":{},"billed_date":"2024-01-01"}]}"#
        );
        assert_eq!(
            shape(
                "Cost.get_data",
                json!({"results": [{"cost": 1.0}, {"billed_date": "d"}]})
            )
            .unwrap_err(),
            "INTERNAL ERROR_UNKNOWN: 2 validation errors for CostsResponse\nresults -> 0 -> billed_date\n  field required (type=value_error.missing)\nresults -> 1 -> cost\n  field required (type=value_error.missing)"
        );
        assert_eq!(
            shape("Cost.get_linked_accounts", Value::Null).unwrap_err(),
            "INTERNAL ERROR_UNKNOWN: spaceone.cost_analysis.plugin.data_source.model.cost_response.AccountsResponse() argument after ** must be a mapping, not NoneType"
        );
        assert!(KIND.route("Cost.get_data").unwrap().streaming());
        assert!(!KIND.route("Cost.get_linked_accounts").unwrap().streaming());
    }
}
