//! What a SpaceONE 2.x token says about itself: the claims of its JWT payload, read
//! without checking the signature (identity checks it; the client only reports).
//!
//! Claims identity 2.x writes: `aud` (user or app id), `did` (domain), `wid`
//! (workspace, `*` for a domain app), `rol` (role type), `own` (USER, APP or SYSTEM),
//! `typ` (ACCESS_TOKEN, REFRESH_TOKEN, CLIENT_SECRET, SYSTEM_TOKEN), `exp`, `iat`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

/// The claims of one token.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Claims {
    pub subject: Option<String>,
    pub domain_id: Option<String>,
    pub workspace_id: Option<String>,
    pub role: Option<String>,
    pub owner: Option<String>,
    pub kind: Option<String>,
    pub expires: Option<i64>,
    pub issued: Option<i64>,
}

/// Who holds a token, from its `own` and `typ` claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    User,
    App,
    System,
    Unknown,
}

impl Holder {
    pub fn name(self) -> &'static str {
        match self {
            Holder::User => "user",
            Holder::App => "app",
            Holder::System => "system",
            Holder::Unknown => "unknown",
        }
    }
}

impl Claims {
    /// The claims of `token`, or `None` when it is not a JWT with a JSON payload.
    pub fn parse(token: &str) -> Option<Claims> {
        let mut parts = token.trim().split('.');
        let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
        let map: Map<String, Value> = serde_json::from_slice(&bytes).ok()?;
        let text = |k: &str| map.get(k).and_then(Value::as_str).map(str::to_string);
        let number = |k: &str| map.get(k).and_then(Value::as_i64);
        Some(Claims {
            subject: text("aud"),
            domain_id: text("did"),
            workspace_id: text("wid"),
            role: text("rol"),
            owner: text("own"),
            kind: text("typ"),
            expires: number("exp"),
            issued: number("iat"),
        })
    }

    pub fn holder(&self) -> Holder {
        match (self.owner.as_deref(), self.kind.as_deref()) {
            (Some("APP"), _) | (_, Some("CLIENT_SECRET")) => Holder::App,
            (Some("SYSTEM"), _) | (_, Some("SYSTEM_TOKEN")) => Holder::System,
            (Some("USER"), _) => Holder::User,
            _ => Holder::Unknown,
        }
    }

    /// The scope a user token was granted with: WORKSPACE when it names a workspace,
    /// DOMAIN for a domain admin role, USER for a user's own resources.
    pub fn scope(&self) -> Option<&'static str> {
        if self.holder() != Holder::User || self.kind.as_deref() != Some("ACCESS_TOKEN") {
            return None;
        }
        match (self.workspace_id.as_deref(), self.role.as_deref()) {
            (Some(w), _) if !w.is_empty() && w != "*" => Some("WORKSPACE"),
            (_, Some("DOMAIN_ADMIN")) => Some("DOMAIN"),
            (_, Some("USER")) => Some("USER"),
            _ => None,
        }
    }

    /// Whether the token is expired at `now` (seconds since the epoch), with `margin`
    /// seconds to spare. A token without `exp` never expires.
    pub fn expired_at(&self, now: i64, margin: i64) -> bool {
        self.expires.is_some_and(|exp| exp <= now + margin)
    }
}

/// Seconds since the epoch, now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// `2026-12-07T06:13:03Z` for seconds since the epoch (UTC).
pub fn utc_text(t: i64) -> String {
    crate::output::message::timestamp_text(t, 0)
}

/// `in 5h 59m`, `in 42s`, `3m ago`: the distance from `now` to `t`.
pub fn relative_text(t: i64, now: i64) -> String {
    let d = (t - now).abs();
    let amount = if d >= 86_400 {
        format!("{}d {}h", d / 86_400, (d % 86_400) / 3600)
    } else if d >= 3600 {
        format!("{}h {}m", d / 3600, (d % 3600) / 60)
    } else if d >= 60 {
        format!("{}m", d / 60)
    } else {
        format!("{d}s")
    };
    if t >= now {
        format!("in {amount}")
    } else {
        format!("{amount} ago")
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A token with these claims (the signature is not checked by the client).
    pub fn token(claims: Value) -> String {
        let enc = |v: &[u8]| URL_SAFE_NO_PAD.encode(v);
        format!(
            "{}.{}.{}",
            enc(br#"{"alg":"RS256"}"#),
            enc(claims.to_string().as_bytes()),
            enc(b"signature")
        )
    }

    #[test]
    fn user_tokens() {
        let t = token(
            serde_json::json!({"aud": "admin@example.com", "did": "domain-1",
            "exp": 1_796_642_827, "iat": 1_796_621_227, "own": "USER", "rol": "DOMAIN_ADMIN",
            "typ": "ACCESS_TOKEN", "ver": "2.0"}),
        );
        let c = Claims::parse(&t).unwrap();
        assert_eq!(c.subject.as_deref(), Some("admin@example.com"));
        assert_eq!(c.holder(), Holder::User);
        assert_eq!(c.scope(), Some("DOMAIN"));
        assert!(!c.expired_at(1_796_642_827 - 61, 60));
        assert!(c.expired_at(1_796_642_827 - 60, 60));
        let w = token(
            serde_json::json!({"aud": "u@x.io", "did": "domain-1", "wid": "workspace-2",
            "own": "USER", "rol": "WORKSPACE_OWNER", "typ": "ACCESS_TOKEN"}),
        );
        let c = Claims::parse(&w).unwrap();
        assert_eq!(c.scope(), Some("WORKSPACE"));
        assert!(!c.expired_at(i64::MAX - 100, 0), "no exp: never expires");
        let r = token(serde_json::json!({"aud": "u@x.io", "own": "USER", "typ": "REFRESH_TOKEN"}));
        assert_eq!(Claims::parse(&r).unwrap().scope(), None);
    }

    #[test]
    fn app_and_system_tokens() {
        let a = token(
            serde_json::json!({"aud": "app-1", "did": "domain-1", "wid": "*",
            "own": "APP", "rol": "DOMAIN_ADMIN", "typ": "CLIENT_SECRET"}),
        );
        let c = Claims::parse(&a).unwrap();
        assert_eq!(c.holder(), Holder::App);
        assert_eq!(c.scope(), None);
        let s = token(serde_json::json!({"aud": "root@x.io", "did": "domain-root",
            "own": "SYSTEM", "typ": "SYSTEM_TOKEN"}));
        assert_eq!(Claims::parse(&s).unwrap().holder(), Holder::System);
    }

    #[test]
    fn not_a_jwt() {
        assert_eq!(Claims::parse("plain-api-key"), None);
        assert_eq!(Claims::parse("a.b.c"), None);
        assert_eq!(Claims::parse("a.b.c.d"), None);
        assert_eq!(Claims::parse(""), None);
    }

    #[test]
    fn times() {
        assert_eq!(utc_text(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_text(1_796_642_827), "2026-12-07T11:27:07Z");
        assert_eq!(relative_text(100 + 6 * 3600 + 120, 100), "in 6h 2m");
        assert_eq!(relative_text(100, 100 + 42), "42s ago");
        assert_eq!(relative_text(100 + 2 * 86_400 + 3600, 100), "in 2d 1h");
        assert_eq!(relative_text(100 + 300, 100), "in 5m");
    }
}
