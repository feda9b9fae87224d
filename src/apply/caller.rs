//! How the `resource` module reaches SpaceONE services.

use serde_json::{Map, Value};

use crate::error::AppError;

/// Calls one gRPC method and returns every response message as a dict
/// (`MessageToDict` form: proto field names, defaults omitted).
pub trait Caller {
    /// Call `verb` on `resource` (`service.Resource`, or a short name such as `provider`).
    fn call(
        &mut self,
        resource: &str,
        verb: &str,
        params: &Map<String, Value>,
    ) -> Result<Vec<Value>, AppError>;

    /// Field names of the request message of `resource`/`verb`, when known.
    /// Used to send only updatable fields (plus the identifying `*_id` fields of
    /// the existing resource) to an update verb.
    fn request_fields(
        &mut self,
        _resource: &str,
        _verb: &str,
    ) -> Result<Option<Vec<String>>, AppError> {
        Ok(None)
    }

    /// Top-level fields of the request message of `resource`/`verb` whose type
    /// is a message of the service's own (not `Struct`, `Value`, `ListValue` or a
    /// map). Services fill such messages in with more fields than a manifest
    /// gives (a collector's `plugin_info` gains `metadata`, for example), so
    /// they are compared as "the manifest's fields are contained".
    fn message_fields(&mut self, _resource: &str, _verb: &str) -> Result<Vec<String>, AppError> {
        Ok(Vec::new())
    }
}

/// A caller for runs that must not call anything (`--dry-run`).
pub struct NoCalls;

impl Caller for NoCalls {
    fn call(
        &mut self,
        resource: &str,
        verb: &str,
        _params: &Map<String, Value>,
    ) -> Result<Vec<Value>, AppError> {
        Err(AppError::msg(format!(
            "no calls are made in this run ({verb} {resource})"
        )))
    }
}

#[cfg(test)]
pub mod fake {
    //! An in-memory service set for tests: resources are kept per resource type,
    //! `list` filters by the scalar params given, `create`/`register` append,
    //! `update` replaces the fields given on the resource found by its key.

    use super::*;

    /// One recorded call.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Call {
        pub resource: String,
        pub verb: String,
        pub params: Value,
    }

    #[derive(Default)]
    pub struct FakeCaller {
        /// resource type → stored resources.
        pub store: std::collections::BTreeMap<String, Vec<Map<String, Value>>>,
        /// resource type → (key field, update request fields).
        pub schema: std::collections::BTreeMap<String, (String, Vec<String>)>,
        pub calls: Vec<Call>,
        /// `(resource, verb)` that fail with the given message.
        pub failures: Vec<(String, String, String)>,
        /// resource type → request fields typed as messages (any verb).
        pub message_fields: std::collections::BTreeMap<String, Vec<String>>,
    }

    impl FakeCaller {
        pub fn with_type(mut self, resource: &str, key: &str, update_fields: &[&str]) -> Self {
            self.schema.insert(
                resource.to_string(),
                (
                    key.to_string(),
                    update_fields.iter().map(|s| s.to_string()).collect(),
                ),
            );
            self
        }

        pub fn verbs(&self) -> Vec<String> {
            self.calls
                .iter()
                .map(|c| format!("{} {}", c.verb, c.resource))
                .collect()
        }
    }

    impl Caller for FakeCaller {
        fn call(
            &mut self,
            resource: &str,
            verb: &str,
            params: &Map<String, Value>,
        ) -> Result<Vec<Value>, AppError> {
            self.calls.push(Call {
                resource: resource.to_string(),
                verb: verb.to_string(),
                params: Value::Object(params.clone()),
            });
            if let Some((_, _, msg)) = self
                .failures
                .iter()
                .find(|(r, v, _)| r == resource && v == verb)
            {
                return Err(AppError::msg(msg.clone()));
            }
            let key = self
                .schema
                .get(resource)
                .map(|(k, _)| k.clone())
                .unwrap_or_else(|| "name".to_string());
            let rows = self.store.entry(resource.to_string()).or_default();
            match verb {
                "list" => {
                    let filters: Vec<(&String, &Value)> = params
                        .iter()
                        .filter(|(k, _)| k.as_str() != "query")
                        .collect();
                    let found: Vec<Value> = rows
                        .iter()
                        .filter(|r| filters.iter().all(|(k, v)| r.get(*k) == Some(*v)))
                        .map(|r| Value::Object(r.clone()))
                        .collect();
                    let total = found.len();
                    let query = params.get("query");
                    let mut resp = Map::new();
                    if query.and_then(|q| q.get("count_only")) == Some(&Value::Bool(true)) {
                        resp.insert("total_count".into(), Value::from(total));
                        return Ok(vec![Value::Object(resp)]);
                    }
                    let page = query.and_then(|q| q.get("page"));
                    let start = page
                        .and_then(|p| p.get("start"))
                        .and_then(Value::as_u64)
                        .unwrap_or(1)
                        .max(1) as usize;
                    let limit = page
                        .and_then(|p| p.get("limit"))
                        .and_then(Value::as_u64)
                        .map(|l| l as usize)
                        .unwrap_or(usize::MAX);
                    let found: Vec<Value> = found.into_iter().skip(start - 1).take(limit).collect();
                    if !found.is_empty() {
                        resp.insert("results".into(), Value::Array(found));
                        resp.insert("total_count".into(), Value::from(total));
                    }
                    Ok(vec![Value::Object(resp)])
                }
                "create" | "register" => {
                    let mut row = params.clone();
                    let n = rows.len() + 1;
                    row.insert(
                        format!("{}_id", resource_short(resource)),
                        Value::from(format!("id-{n}")),
                    );
                    row.insert("created_at".into(), Value::from("2024-01-01T00:00:00Z"));
                    rows.push(row.clone());
                    Ok(vec![Value::Object(row)])
                }
                "update" => {
                    let id_field = format!("{}_id", resource_short(resource));
                    let target = rows.iter_mut().find(|r| {
                        params
                            .get(&id_field)
                            .is_some_and(|v| r.get(&id_field) == Some(v))
                            || params.get(&key).is_some_and(|v| r.get(&key) == Some(v))
                    });
                    match target {
                        Some(row) => {
                            for (k, v) in params {
                                row.insert(k.clone(), v.clone());
                            }
                            Ok(vec![Value::Object(row.clone())])
                        }
                        None => Err(AppError::msg("Value not found.")),
                    }
                }
                other => {
                    let mut resp = Map::new();
                    resp.insert("verb".into(), Value::from(other));
                    resp.insert("params".into(), Value::Object(params.clone()));
                    Ok(vec![Value::Object(resp)])
                }
            }
        }

        fn request_fields(
            &mut self,
            resource: &str,
            verb: &str,
        ) -> Result<Option<Vec<String>>, AppError> {
            if verb != "update" {
                return Ok(None);
            }
            Ok(self.schema.get(resource).map(|(_, f)| f.clone()))
        }

        fn message_fields(&mut self, resource: &str, _verb: &str) -> Result<Vec<String>, AppError> {
            Ok(self
                .message_fields
                .get(resource)
                .cloned()
                .unwrap_or_default())
        }
    }

    fn resource_short(resource: &str) -> String {
        resource
            .rsplit('.')
            .next()
            .unwrap_or(resource)
            .to_lowercase()
    }
}
