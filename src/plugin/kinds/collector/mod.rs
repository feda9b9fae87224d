//! The inventory collector kind (`spaceone.api.inventory.plugin`: Collector
//! and Job), as spaceone-inventory's collector library serves it.
//!
//! Unlike the other kinds, the collector is served by services of its own
//! ([`service`]), built from generated code: its requests are all Struct
//! fields, decoded by the host's codec ([`wire`]), and its `collect` items
//! may refer to metadata files that the service reads and converts
//! ([`metadata`]) while it shapes them ([`model`]).

mod fast;
pub mod metadata;
pub mod model;
pub mod pb;
pub mod reply;
pub mod service;
mod wire;

#[cfg(test)]
mod server_tests;

use tonic::service::RoutesBuilder;

use crate::plugin::host::context::{HostContext, SharedBackend};
use crate::plugin::host::gate::Gated;
use crate::plugin::host::kind::{Answer, KindSpec, Library, Route, Serving, Shaping};
use service::{CollectorService, JobService, MetadataStore};

/// The kind.
pub static KIND: KindSpec = KindSpec {
    name: "asset",
    aliases: &["collector"],
    title: "inventory collector",
    package: "spaceone.api.inventory.plugin",
    services: &["Collector", "Job"],
    routes: &[
        Route {
            service: "Collector",
            verb: "init",
            request: "InitRequest",
            response: "PluginInfo",
            params: model::init_params,
            answer: Answer::Unary(model::shape_init),
            masked: &["secret_data"],
            datetime_params: &[],
        },
        Route {
            service: "Collector",
            verb: "verify",
            request: "VerifyRequest",
            response: "google.protobuf.Empty",
            params: model::verify_params,
            answer: Answer::Empty,
            masked: &["secret_data"],
            datetime_params: &[],
        },
        Route {
            service: "Collector",
            verb: "collect",
            request: "CollectRequest",
            response: "ResourceInfo",
            params: model::collect_params,
            answer: Answer::Stream(model::shape_collect_item_inline, None),
            masked: &["secret_data"],
            datetime_params: &[],
        },
        Route {
            service: "Job",
            verb: "get_tasks",
            request: "GetTaskRequest",
            response: "TasksInfo",
            params: model::get_tasks_params,
            answer: Answer::Unary(model::shape_get_tasks),
            masked: &["secret_data"],
            datetime_params: &[],
        },
    ],
    library: Some(Library {
        module: "spaceone.inventory.plugin.collector.lib.server",
        class: "CollectorPluginServer",
        requirement: "spaceone-inventory==2.0.dev247",
    }),
    descriptor_set: include_bytes!(concat!(env!("OUT_DIR"), "/kinds/collector.bin")),
    log_names_route: true,
    shaping: Shaping::Upstream,
    serving: Serving::Own(add_services),
    debug_logs: &[],
};

/// Adds Collector and Job, each through the host's size gate.
fn add_services(routes: &mut RoutesBuilder, backend: SharedBackend, ctx: &HostContext) {
    let store = MetadataStore::new(ctx.package_dir().to_path_buf());
    routes
        .add_service(Gated(pb::collector_server::CollectorServer::new(
            CollectorService::new(backend.clone(), ctx.clone(), store),
        )))
        .add_service(Gated(pb::job_server::JobServer::new(JobService::new(
            backend,
            ctx.clone(),
        ))));
}
