//! `spacectl api-resources`: the resources and verbs of every endpoint of the
//! current environment.
//!
//! All endpoints are asked at the same time. Rows follow the configuration's
//! endpoint order, then each server's service order. An endpoint that cannot
//! be reached or read is reported on stderr with its error text while the
//! others are still listed; the command then exits non-zero.

use serde_json::Value;

use crate::error::{AppError, Result};
use crate::grpc::{self, resolve};
use crate::output::render::NO_DATA;
use crate::output::table;

/// Column headers, as upstream prints them.
pub const HEADERS: [&str; 4] = ["Service", "Resource", "Short Names", "Verb"];

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceRow {
    /// The endpoint key in the configuration.
    pub service: String,
    /// The short name of the gRPC service.
    pub resource: String,
    /// Built-in aliases of `service.resource`, comma-separated.
    pub short_names: String,
    /// Method names in declaration order, comma-separated.
    pub verbs: String,
}

pub fn run(tls_flags: &crate::cli::TlsArgs) -> Result<()> {
    let env = crate::session::load_current()?;
    let endpoints = env.endpoints();
    let options = grpc::Options::default();
    let tls = super::session_tls(tls_flags, &env)?;
    let outcomes = grpc::block_on(async {
        let lookups = endpoints
            .iter()
            .map(|(service, url)| discover(service, url, &options, &tls));
        Ok(futures_util::future::join_all(lookups).await)
    })?;

    let mut rows = Vec::new();
    let mut failures = String::new();
    for outcome in outcomes {
        match outcome {
            Ok(found) => rows.extend(found),
            Err(e) => failures.push_str(&e.render()),
        }
    }
    if failures.is_empty() || !rows.is_empty() {
        super::emit(&table_text(&rows))?;
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(AppError::plain(failures, 1))
    }
}

/// Connect to one endpoint and list its resources (the session bounds the
/// time an endpoint may take, [`grpc::DISCOVERY_TIMEOUT`]).
async fn discover(
    service: &str,
    url: &str,
    options: &grpc::Options,
    tls: &grpc::TlsFiles,
) -> Result<Vec<ResourceRow>> {
    let session = grpc::Session::open_with(url, options, tls).await?;
    let catalog = session.catalog();
    let offered: Vec<(String, Vec<String>)> = catalog
        .services()
        .iter()
        .map(|s| (s.clone(), catalog.method_names(s)))
        .collect();
    Ok(rows_for(service, &offered))
}

/// The rows of one endpoint from its services (fully-qualified name, method
/// names), in the server's order; reflection services are left out.
pub fn rows_for(service: &str, offered: &[(String, Vec<String>)]) -> Vec<ResourceRow> {
    offered
        .iter()
        .filter(|(full, _)| resolve::is_resource_service(full))
        .map(|(full, methods)| {
            let resource = resolve::short_name(full).to_string();
            ResourceRow {
                service: service.to_string(),
                short_names: resolve::aliases_for(service, &resource).join(", "),
                resource,
                verbs: methods.join(", "),
            }
        })
        .collect()
}

/// The printed table (`NO DATA` when there are no rows).
pub fn table_text(rows: &[ResourceRow]) -> String {
    if rows.is_empty() {
        return NO_DATA.to_string();
    }
    let headers: Vec<String> = HEADERS.iter().map(|h| h.to_string()).collect();
    let cells: Vec<Vec<Value>> = rows
        .iter()
        .map(|r| {
            [&r.service, &r.resource, &r.short_names, &r.verbs]
                .into_iter()
                .map(|s| Value::String(s.clone()))
                .collect()
        })
        .collect();
    let mut out = table::presto(&headers, &cells);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(list: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
        list.iter()
            .map(|(s, m)| (s.to_string(), m.iter().map(|x| x.to_string()).collect()))
            .collect()
    }

    #[test]
    fn plugin_endpoint_table() {
        let rows = rows_for(
            "plugin",
            &offered(&[
                ("grpc.health.v1.Health", &["Check", "Watch"]),
                ("spaceone.api.core.v1.ServerInfo", &["get_version"]),
                (
                    "spaceone.api.inventory.plugin.Collector",
                    &["init", "verify", "collect"],
                ),
                ("spaceone.api.inventory.plugin.Job", &["get_tasks"]),
            ]),
        );
        assert_eq!(
            table_text(&rows),
            " Service   | Resource   | Short Names   | Verb
-----------+------------+---------------+-----------------------
 plugin    | Health     |               | Check, Watch
 plugin    | ServerInfo |               | get_version
 plugin    | Collector  |               | init, verify, collect
 plugin    | Job        |               | get_tasks
"
        );
    }

    #[test]
    fn short_names_and_reflection() {
        let mut rows = rows_for(
            "identity",
            &offered(&[
                (
                    "grpc.reflection.v1alpha.ServerReflection",
                    &["ServerReflectionInfo"],
                ),
                (
                    "spaceone.api.identity.v2.Provider",
                    &[
                        "create",
                        "update",
                        "update_plugin",
                        "delete",
                        "get",
                        "list",
                        "stat",
                    ],
                ),
                ("spaceone.api.identity.v1.ProjectGroup", &["get"]),
            ]),
        );
        rows.extend(rows_for(
            "inventory",
            &offered(&[("spaceone.api.inventory.v1.Provider", &["list"])]),
        ));
        assert_eq!(
            table_text(&rows),
            " Service   | Resource     | Short Names       | Verb
-----------+--------------+-------------------+--------------------------------------------------------
 identity  | Provider     | provider          | create, update, update_plugin, delete, get, list, stat
 identity  | ProjectGroup | project_group, pg | get
 inventory | Provider     |                   | list
"
        );
    }

    #[test]
    fn no_rows_is_no_data() {
        assert_eq!(table_text(&[]), "NO DATA\n");
        assert_eq!(rows_for("x", &[]), Vec::<ResourceRow>::new());
    }
}
