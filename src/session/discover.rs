//! Endpoint discovery: identity's `Endpoint.list` (no token needed) into an
//! environment's `endpoints`, keeping the endpoints identity does not list.

use serde_json::{Map, Value, json};

use crate::config::{Environment, Store};
use crate::error::{AppError, Result};
use crate::grpc::{self, TlsFiles};

use super::identity::{Identity, text};

/// One change to the endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Added {
        service: String,
        url: String,
    },
    Updated {
        service: String,
        from: String,
        to: String,
    },
    Unchanged {
        service: String,
        url: String,
    },
}

/// `(service, endpoint)` pairs from an `Endpoint.list` response: the PUBLIC
/// `endpoint`, or with `internal` the `internal_endpoint`; entries without one are
/// left out.
pub fn listed(response: &Value, internal: bool) -> Vec<(String, String)> {
    let key = if internal {
        "internal_endpoint"
    } else {
        "endpoint"
    };
    response
        .get("results")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|e| (text(e, "service"), text(e, key)))
                .filter(|(s, u)| !s.is_empty() && !u.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Merge `found` into the `endpoints` mapping (file order kept, new services at the end).
pub fn merge(endpoints: &mut Map<String, Value>, found: &[(String, String)]) -> Vec<Change> {
    let mut changes = Vec::new();
    for (service, url) in found {
        let change = match endpoints.get(service).and_then(Value::as_str) {
            Some(old) if old == url => Change::Unchanged {
                service: service.clone(),
                url: url.clone(),
            },
            Some(old) => Change::Updated {
                service: service.clone(),
                from: old.to_string(),
                to: url.clone(),
            },
            None => Change::Added {
                service: service.clone(),
                url: url.clone(),
            },
        };
        endpoints.insert(service.clone(), Value::String(url.clone()));
        changes.push(change);
    }
    changes
}

/// One line per change, then the endpoints kept as they were.
pub fn render(changes: &[Change], kept: &[String]) -> String {
    let mut out = String::new();
    for c in changes {
        out.push_str(&match c {
            Change::Added { service, url } => format!("+ {service}: {url}\n"),
            Change::Updated { service, from, to } => format!("~ {service}: {from} -> {to}\n"),
            Change::Unchanged { service, url } => format!("  {service}: {url}\n"),
        });
    }
    for s in kept {
        out.push_str(&format!("  {s}: kept (not listed by identity)\n"));
    }
    out
}

/// Ask the identity at `url` for the endpoints and write them into environment `name`.
pub fn discover(
    store: &Store,
    name: &str,
    url: &str,
    internal: bool,
    tls: &TlsFiles,
) -> Result<String> {
    let response = grpc::block_on(async {
        let mut identity = Identity::connect(url, tls).await?;
        let kind = if internal { "INTERNAL" } else { "PUBLIC" };
        identity
            .call("Endpoint", "list", json!({"endpoint_type": kind}), None)
            .await
    })?;
    let found = listed(&response, internal);
    if found.is_empty() {
        return Err(AppError::msg(format!(
            "The identity at {url} lists no {} endpoints.",
            if internal { "internal" } else { "public" }
        )));
    }
    let mut env: Environment = store.load(name)?;
    let data = env.data_mut();
    let mut endpoints = match data.get("endpoints") {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    };
    let changes = merge(&mut endpoints, &found);
    let kept: Vec<String> = endpoints
        .keys()
        .filter(|k| !found.iter().any(|(s, _)| s == *k))
        .cloned()
        .collect();
    data.insert("endpoints".into(), Value::Object(endpoints));
    store.save(&env)?;
    Ok(render(&changes, &kept))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_or_internal() {
        let r = json!({"results": [
            {"service": "identity", "endpoint": "grpc://a:1", "internal_endpoint": ""},
            {"service": "inventory", "endpoint": "", "internal_endpoint": "grpc://inv:50051"},
            {"service": "", "endpoint": "grpc://x:1"}
        ]});
        assert_eq!(
            listed(&r, false),
            vec![("identity".into(), "grpc://a:1".into())]
        );
        assert_eq!(
            listed(&r, true),
            vec![("inventory".into(), "grpc://inv:50051".into())]
        );
        assert!(listed(&json!({}), false).is_empty());
    }

    #[test]
    fn merge_keeps_what_is_not_listed() {
        let mut eps = Map::new();
        eps.insert("plugin".into(), json!("grpc://localhost:50051"));
        eps.insert("identity".into(), json!("grpc://old:1"));
        eps.insert("config".into(), json!("grpc://c:2"));
        let found = vec![
            ("identity".to_string(), "grpc://new:1".to_string()),
            ("config".to_string(), "grpc://c:2".to_string()),
            ("inventory".to_string(), "grpc://i:3".to_string()),
        ];
        let changes = merge(&mut eps, &found);
        assert_eq!(
            render(&changes, &["plugin".to_string()]),
            "~ identity: grpc://old:1 -> grpc://new:1\n  config: grpc://c:2\n+ inventory: grpc://i:3\n  plugin: kept (not listed by identity)\n"
        );
        assert_eq!(
            eps.keys().cloned().collect::<Vec<_>>(),
            vec!["plugin", "identity", "config", "inventory"]
        );
    }
}
