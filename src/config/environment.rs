//! One environment's configuration (the content of `environments/<name>.yml`) and the
//! values the client takes from it: endpoints and call metadata.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::output::pyrepr::py_truthy;

use crate::error::{AppError, Result};

/// Key holding the `service → URL` map.
pub const ENDPOINTS_KEY: &str = "endpoints";
/// Keys whose values `config show` hides unless `--raw` is given.
pub const SECRET_KEYS: [&str; 2] = ["api_key", "token"];
/// Text shown instead of a secret value.
pub const REDACTED: &str = "REDACTED";
/// Keys naming the TLS files of `grpc+ssl://` endpoints (the Python client ignores
/// them, as it ignores every key it does not know).
pub const TLS_FILE_KEYS: [&str; 3] = ["ca_file", "client_cert", "client_key"];

/// A loaded environment: its name and the top-level mapping of its file.
#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    name: String,
    data: Map<String, Value>,
}

impl Environment {
    pub fn new(name: impl Into<String>, data: Map<String, Value>) -> Self {
        Environment {
            name: name.into(),
            data,
        }
    }

    /// The environment's name (its file name without `.yml`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The whole configuration mapping, in file order.
    pub fn data(&self) -> &Map<String, Value> {
        &self.data
    }

    pub fn data_mut(&mut self) -> &mut Map<String, Value> {
        &mut self.data
    }

    /// The URL configured for `service`, as written in the file (not yet validated).
    ///
    /// A missing or null entry gives the upstream text `Endpoint is not set. (service=<service>)`.
    pub fn endpoint(&self, service: &str) -> Result<String> {
        let map = self.endpoint_map()?;
        let not_set = || {
            let configured: Vec<&str> = map
                .iter()
                .flat_map(|m| m.iter())
                .filter(|(_, v)| !v.is_null())
                .map(|(k, _)| k.as_str())
                .collect();
            AppError::msg(format!(
                "Endpoint is not set. (service={service})\n{}",
                crate::suggest::endpoint_lines(service, &self.name, &configured)
            ))
        };
        match map.and_then(|m| m.get(service)) {
            None | Some(Value::Null) => Err(not_set()),
            Some(v) => Ok(scalar_text(v)),
        }
    }

    /// All `(service, URL)` pairs in file order. An `endpoints` value that is not a
    /// mapping gives no pairs; a null URL is given as an empty string.
    #[allow(dead_code)]
    pub fn endpoints(&self) -> Vec<(String, String)> {
        match self.data.get(ENDPOINTS_KEY) {
            Some(Value::Object(map)) => map
                .iter()
                .map(|(k, v)| {
                    let url = if v.is_null() {
                        String::new()
                    } else {
                        scalar_text(v)
                    };
                    (k.clone(), url)
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The `endpoints` mapping: `None` when absent or null, an error when it is some
    /// other kind of value.
    pub fn endpoint_map(&self) -> Result<Option<&Map<String, Value>>> {
        match self.data.get(ENDPOINTS_KEY) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(_) => Err(AppError::msg(format!(
                "The '{ENDPOINTS_KEY}' value is not a mapping. (environment = {})",
                self.name
            ))),
        }
    }

    /// The text of a key that names a file: `None` when absent, null or empty; an
    /// error naming the key when it is not a string.
    pub fn file_setting(&self, key: &str) -> Result<Option<String>> {
        match self.data.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(AppError::msg(format!(
                "The '{key}' value must be a file path. (environment = {})",
                self.name
            ))),
        }
    }

    /// gRPC metadata sent with every call, in this order and only when truthy:
    /// `token` (the `token` key, else `api_key`), `x_domain_id`, `x_workspace_id`.
    pub fn call_metadata(&self) -> Vec<(String, String)> {
        let truthy = |key: &str| self.data.get(key).filter(|v| py_truthy(v));
        let mut out = Vec::new();
        if let Some(v) = truthy("token").or_else(|| truthy("api_key")) {
            out.push(("token".to_string(), scalar_text(v)));
        }
        for key in ["x_domain_id", "x_workspace_id"] {
            if let Some(v) = truthy(key) {
                out.push((key.to_string(), scalar_text(v)));
            }
        }
        out
    }
}

/// Where a file named in an environment file is: `~/...` under the home directory,
/// an absolute path as it is, a relative path under `~/.spaceone`.
pub fn setting_path(value: &str, home: &Path) -> PathBuf {
    if let Some(rest) = value.strip_prefix("~/") {
        return home.join(rest);
    }
    let p = Path::new(value);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        home.join(super::paths::CONFIG_DIR_NAME).join(p)
    }
}

/// A value as text: strings as they are, `True`/`False` for booleans, numbers in
/// their usual form, anything else as compact JSON.
pub fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "True".to_string(),
        Value::Bool(false) => "False".to_string(),
        Value::Null => "None".to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// The configuration with the values of `api_key` and `token` replaced by `REDACTED`
/// (top-level keys; empty and null values are left as they are).
///
/// Deliberate addition: upstream `config show` prints secrets in clear text.
pub fn redact(data: &Map<String, Value>) -> Map<String, Value> {
    data.iter()
        .map(|(k, v)| {
            let hide = SECRET_KEYS.contains(&k.as_str()) && py_truthy(v);
            let shown = if hide {
                Value::String(REDACTED.to_string())
            } else {
                v.clone()
            };
            (k.clone(), shown)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(v: Value) -> Environment {
        match v {
            Value::Object(m) => Environment::new("dev", m),
            _ => panic!("test data must be a mapping"),
        }
    }

    #[test]
    fn endpoint_lookup() {
        let e = env(json!({"endpoints": {"plugin": "grpc://localhost:50051", "n": null, "i": 5}}));
        assert_eq!(e.endpoint("plugin").unwrap(), "grpc://localhost:50051");
        assert_eq!(e.endpoint("i").unwrap(), "5");
        assert_eq!(
            e.endpoint("identity").unwrap_err().render(),
            "ERROR: Endpoint is not set. (service=identity)\n\
             endpoints configured in environment 'dev': i, plugin\n\
             add one: spacectl config endpoint add identity grpc://HOST:PORT (e.g. grpc://localhost:50051)\n\n"
        );
        assert_eq!(
            e.endpoint("plugn").unwrap_err().to_string(),
            "Endpoint is not set. (service=plugn)\ndid you mean 'plugin'?"
        );
        assert!(
            e.endpoint("n")
                .unwrap_err()
                .to_string()
                .starts_with("Endpoint is not set. (service=n)\nendpoints configured in environment 'dev': i, plugin\n")
        );
        let none = env(json!({}));
        assert_eq!(
            none.endpoint("plugin").unwrap_err().to_string(),
            "Endpoint is not set. (service=plugin)\n\
             no endpoint is configured in environment 'dev'\n\
             add one: spacectl config endpoint add plugin grpc://HOST:PORT (e.g. grpc://localhost:50051)"
        );
        let bad = env(json!({"endpoints": ["a"]}));
        assert_eq!(
            bad.endpoint("plugin").unwrap_err().to_string(),
            "The 'endpoints' value is not a mapping. (environment = dev)"
        );
    }

    #[test]
    fn endpoints_keep_file_order() {
        let e = env(json!({"endpoints": {"z": "grpc://z:1", "a": "grpc://a:2", "n": null}}));
        assert_eq!(
            e.endpoints(),
            vec![
                ("z".to_string(), "grpc://z:1".to_string()),
                ("a".to_string(), "grpc://a:2".to_string()),
                ("n".to_string(), String::new()),
            ]
        );
        assert!(env(json!({"endpoints": "x"})).endpoints().is_empty());
        assert!(env(json!({})).endpoints().is_empty());
    }

    #[test]
    fn metadata_order_and_precedence() {
        let e = env(json!({
            "x_workspace_id": "workspace-xyz",
            "api_key": "KEY",
            "x_domain_id": "domain-abc",
            "token": "TESTTOKEN123"
        }));
        assert_eq!(
            e.call_metadata(),
            vec![
                ("token".to_string(), "TESTTOKEN123".to_string()),
                ("x_domain_id".to_string(), "domain-abc".to_string()),
                ("x_workspace_id".to_string(), "workspace-xyz".to_string()),
            ]
        );
        let e = env(json!({"api_key": "KEY", "token": "", "x_domain_id": ""}));
        assert_eq!(
            e.call_metadata(),
            vec![("token".to_string(), "KEY".to_string())]
        );
        assert!(env(json!({"endpoints": {}})).call_metadata().is_empty());
        let e = env(json!({"api_key": 123, "x_workspace_id": null}));
        assert_eq!(
            e.call_metadata(),
            vec![("token".to_string(), "123".to_string())]
        );
    }

    #[test]
    fn file_settings() {
        let e = env(json!({"ca_file": "ca.pem", "client_cert": "", "client_key": 5, "x": null}));
        assert_eq!(e.file_setting("ca_file").unwrap(), Some("ca.pem".into()));
        assert_eq!(e.file_setting("client_cert").unwrap(), None);
        assert_eq!(e.file_setting("x").unwrap(), None);
        assert_eq!(e.file_setting("none").unwrap(), None);
        assert_eq!(
            e.file_setting("client_key").unwrap_err().to_string(),
            "The 'client_key' value must be a file path. (environment = dev)"
        );
        let home = Path::new("/h");
        assert_eq!(
            setting_path("~/certs/ca.pem", home),
            PathBuf::from("/h/certs/ca.pem")
        );
        assert_eq!(
            setting_path("/etc/ca.pem", home),
            PathBuf::from("/etc/ca.pem")
        );
        assert_eq!(
            setting_path("ca.pem", home),
            PathBuf::from("/h/.spaceone/ca.pem")
        );
        assert_eq!(
            setting_path("../x.pem", home),
            PathBuf::from("/h/.spaceone/../x.pem")
        );
    }

    #[test]
    fn truthiness() {
        assert!(!py_truthy(&json!(null)));
        assert!(!py_truthy(&json!(false)));
        assert!(!py_truthy(&json!(0)));
        assert!(!py_truthy(&json!(0.0)));
        assert!(!py_truthy(&json!("")));
        assert!(!py_truthy(&json!([])));
        assert!(!py_truthy(&json!({})));
        assert!(py_truthy(&json!("x")));
        assert!(py_truthy(&json!(1)));
        assert!(py_truthy(&json!(true)));
    }

    #[test]
    fn texts() {
        assert_eq!(scalar_text(&json!("a b")), "a b");
        assert_eq!(scalar_text(&json!(true)), "True");
        assert_eq!(scalar_text(&json!(false)), "False");
        assert_eq!(scalar_text(&json!(null)), "None");
        assert_eq!(scalar_text(&json!(42)), "42");
        assert_eq!(scalar_text(&json!(1.5)), "1.5");
        assert_eq!(scalar_text(&json!([1])), "[1]");
    }

    #[test]
    fn redaction() {
        let e = env(json!({
            "api_key": "secret",
            "endpoints": {"token": "grpc://x:1"},
            "token": "",
            "x_domain_id": "d"
        }));
        let r = Value::Object(redact(e.data()));
        assert_eq!(
            r,
            json!({
                "api_key": "REDACTED",
                "endpoints": {"token": "grpc://x:1"},
                "token": "",
                "x_domain_id": "d"
            })
        );
        let keys: Vec<&String> = r
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        assert_eq!(keys, ["api_key", "endpoints", "token", "x_domain_id"]);
    }
}
