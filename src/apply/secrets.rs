//! Credentials in task specs are never shown: specs are printed with their
//! secret values masked, and messages have those values cut out wherever a
//! library or server repeated them.

use serde_json::{Map, Value};

/// What a masked value is shown as.
pub const MASK: &str = "******";

/// Whether a spec key names a credential (`password`, `aws_secret_access_key`,
/// `aws_access_key_id`, `aws_session_token`, `api_key`, `private_key`, ...).
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "password",
        "passwd",
        "secret",
        "token",
        "private_key",
        "access_key",
        "api_key",
        "credential",
    ]
    .iter()
    .any(|w| k.contains(w))
}

/// The spec with every credential's value replaced by [`MASK`].
pub fn masked(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let v = if is_secret_key(k) && !v.is_null() {
                        Value::String(MASK.into())
                    } else {
                        masked(v)
                    };
                    (k.clone(), v)
                })
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(masked).collect()),
        other => other.clone(),
    }
}

/// The credential values of a spec (text of four characters or more).
pub fn secret_values(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect(v, &mut out);
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out
}

fn collect(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match v {
                    Value::String(s) if is_secret_key(k) && s.chars().count() >= 4 => {
                        out.push(s.clone())
                    }
                    other => collect(other, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect(i, out)),
        _ => {}
    }
}

/// `text` with every one of `secrets` replaced by [`MASK`].
pub fn scrub(text: &str, secrets: &[String]) -> String {
    secrets
        .iter()
        .fold(text.to_string(), |t, s| t.replace(s.as_str(), MASK))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn masks_credentials_only() {
        let spec = json!({"host": "db", "password": "hunter22", "aws_secret_access_key": "abcd",
                          "aws_access_key_id": "AKIA1", "nested": [{"api_key": 5}], "table": "t",
                          "pem": "/ca.pem", "token": null});
        assert_eq!(
            masked(&spec),
            json!({"host": "db", "password": "******", "aws_secret_access_key": "******",
                   "aws_access_key_id": "******", "nested": [{"api_key": "******"}], "table": "t",
                   "pem": "/ca.pem", "token": null})
        );
        let s = secret_values(&spec);
        assert_eq!(
            s,
            vec![
                "hunter22".to_string(),
                "AKIA1".to_string(),
                "abcd".to_string()
            ]
        );
        assert_eq!(
            scrub("user x with hunter22 and AKIA1", &s),
            "user x with ****** and ******"
        );
    }
}
