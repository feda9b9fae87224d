//! The calls a login makes to identity 2.x (`spaceone.api.identity.v2`), found by
//! reflection like every other call, and upstream's refusals turned into one line that
//! says what to do.
//!
//! Wire order, as the Go client `cfctl` logs in: `Domain.get_auth_info` (domain name →
//! id), `Token.issue` (LOCAL: user id and password) → access and refresh token,
//! `UserProfile.get` and `UserProfile.get_workspaces` with the access token, then
//! `Token.grant` (REFRESH_TOKEN) with scope DOMAIN, WORKSPACE or USER. None of
//! get_auth_info, issue and grant needs a token; `Endpoint.list` neither.

use serde_json::{Map, Value, json};
use tonic::Status;

use crate::error::{AppError, Result};
use crate::grpc::{self, TlsFiles, resolve::Target, status};
use crate::output::message::to_value;
use crate::request;

/// The identity API version of SpaceONE 2.x.
const API_VERSION: &str = "v2";

/// An upstream refusal: its error code (`ERROR_NOT_FOUND`, ...), gRPC status name and
/// message (without the code).
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub code: String,
    pub status: String,
    pub message: String,
}

/// Keep upstream's error code in the error (the usual mapping drops it for
/// UNAUTHENTICATED and PERMISSION_DENIED); UNAVAILABLE keeps the client's text.
fn keep_code(st: &Status, channel: &str) -> AppError {
    if st.code() == tonic::Code::Unavailable {
        return status::call_error(st, channel);
    }
    let details = st.message();
    let code = details
        .split_once(':')
        .map(|(c, _)| c)
        .filter(|c| c.starts_with("ERROR_") && !c.contains(' '))
        .unwrap_or("");
    AppError::grpc(
        code,
        status::code_name(st.code()),
        status::strip_error_code(details),
    )
}

/// The refusal in an error made by [`keep_code`], if it is one.
pub fn refusal(e: &AppError) -> Option<Refusal> {
    match e {
        AppError::Grpc {
            error_code,
            status_code,
            message,
        } => Some(Refusal {
            code: error_code.clone(),
            status: status_code.clone(),
            message: message.clone(),
        }),
        _ => None,
    }
}

/// A connection to identity.
pub struct Identity {
    session: grpc::Session,
    pub url: String,
}

impl Identity {
    pub async fn connect(url: &str, tls: &TlsFiles) -> Result<Identity> {
        let options = grpc::Options::default();
        let session = grpc::Session::open_with(url, &options, tls).await?;
        Ok(Identity {
            session,
            url: url.to_string(),
        })
    }

    /// Call `Resource.verb` of identity v2 with `params`, with `token` as metadata.
    pub async fn call(
        &mut self,
        resource: &str,
        verb: &str,
        params: Value,
        token: Option<&str>,
    ) -> Result<Value> {
        let target = Target {
            service: "identity".into(),
            resource: resource.into(),
        };
        let method = self
            .session
            .method(&target, verb, API_VERSION)
            .await
            .map_err(|_| not_two(&self.url, resource, verb))?;
        let params = match params {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let message = request::message::from_value(&method.input(), &params)?;
        let metadata: Vec<(String, String)> = token
            .map(|t| vec![("token".to_string(), t.to_string())])
            .unwrap_or_default();
        let mut out = Value::Null;
        self.session
            .call_mapped(
                &method,
                message,
                &metadata,
                |m| {
                    out = to_value(&m);
                    Ok(())
                },
                keep_code,
            )
            .await?;
        Ok(out)
    }
}

/// The identity endpoint serves no v2 API: a SpaceONE 1.x identity, or another service.
fn not_two(url: &str, resource: &str, verb: &str) -> AppError {
    AppError::msg(format!(
        "The identity endpoint {url} has no {resource}.{verb} of identity v2: login needs SpaceONE 2.x \
         (on 1.x, set a token with `spacectl config set api_key TOKEN`)."
    ))
}

/// Text of a field of a response.
pub fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// `Domain.get_auth_info`: the id of the domain called `name`.
pub async fn domain_id(identity: &mut Identity, name: &str) -> Result<String> {
    let r = identity
        .call("Domain", "get_auth_info", json!({"name": name}), None)
        .await
        .map_err(|e| explain(e, &Context::domain(name)))?;
    Ok(text(&r, "domain_id"))
}

/// `Token.issue` with a LOCAL user's password: the refresh token.
pub async fn issue(
    identity: &mut Identity,
    domain: &Context,
    user_id: &str,
    password: &str,
) -> Result<(String, String)> {
    let r = identity
        .call(
            "Token",
            "issue",
            json!({"domain_id": domain.domain_id, "auth_type": "LOCAL",
                   "credentials": {"user_id": user_id, "password": password}}),
            None,
        )
        .await
        .map_err(|e| explain(e, domain))?;
    Ok((text(&r, "access_token"), text(&r, "refresh_token")))
}

/// `Token.grant` from a refresh token: the granted access token.
pub async fn grant(
    identity: &mut Identity,
    ctx: &Context,
    refresh_token: &str,
    scope: &str,
    workspace_id: Option<&str>,
) -> Result<String> {
    let mut params = json!({"grant_type": "REFRESH_TOKEN", "token": refresh_token, "scope": scope,
                            "domain_id": ctx.domain_id});
    if let Some(w) = workspace_id {
        params["workspace_id"] = json!(w);
    }
    let r = identity
        .call("Token", "grant", params, None)
        .await
        .map_err(|e| explain(e, ctx))?;
    Ok(text(&r, "access_token"))
}

/// A workspace a user can enter.
#[derive(Debug, Clone, PartialEq)]
pub struct Workspace {
    pub id: String,
    pub name: String,
    pub state: String,
}

/// `UserProfile.get` (the user's role type) and `UserProfile.get_workspaces`.
pub async fn profile(
    identity: &mut Identity,
    ctx: &Context,
    access_token: &str,
) -> Result<(String, Vec<Workspace>)> {
    let user = identity
        .call("UserProfile", "get", json!({}), Some(access_token))
        .await
        .map_err(|e| explain(e, ctx))?;
    let list = identity
        .call(
            "UserProfile",
            "get_workspaces",
            json!({}),
            Some(access_token),
        )
        .await
        .map_err(|e| explain(e, ctx))?;
    let workspaces = list
        .get("results")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|w| Workspace {
                    id: text(w, "workspace_id"),
                    name: text(w, "name"),
                    state: text(w, "state"),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok((text(&user, "role_type"), workspaces))
}

/// What a login is about, for the error texts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    pub domain_name: String,
    pub domain_id: String,
    pub user_id: String,
    pub workspace: Option<String>,
    pub scope: String,
}

impl Context {
    pub fn domain(name: &str) -> Context {
        Context {
            domain_name: name.to_string(),
            ..Context::default()
        }
    }

    fn domain_label(&self) -> String {
        match (self.domain_name.is_empty(), self.domain_id.is_empty()) {
            (false, _) => format!("'{}'", self.domain_name),
            (true, false) => format!("'{}'", self.domain_id),
            _ => "the domain".to_string(),
        }
    }
}

/// One line for an upstream refusal during login, saying what to do; other errors
/// (connection, TLS) are kept.
pub fn explain(e: AppError, ctx: &Context) -> AppError {
    let Some(r) = refusal(&e) else { return e };
    let domain = ctx.domain_label();
    let user = &ctx.user_id;
    let message = match r.code.as_str() {
        "ERROR_LOGIN_BLOCKED" => format!(
            "Login of '{user}' in domain {domain} is blocked after too many failed attempts: wait a few minutes, then try again."
        ),
        "ERROR_UPDATE_PASSWORD_REQUIRED" => format!(
            "User '{user}' must change the password first: sign in to the console once, set a new password, then run `spacectl login` again."
        ),
        "ERROR_MFA_REQUIRED" | "ERROR_MFA_NOT_ACTIVATED" => format!(
            "User '{user}' signs in with multi-factor authentication, which spacectl login does not do: use an app token (`spacectl config set api_key CLIENT_SECRET`)."
        ),
        "ERROR_USER_STATE_DISABLED" | "ERROR_NOT_ALLOWED_USER_STATE" => format!(
            "User '{user}' is disabled in domain {domain}: ask a domain admin to enable it."
        ),
        "ERROR_DOMAIN_STATE" => {
            format!("Domain {domain} is disabled: ask the system admin to enable it.")
        }
        "ERROR_WORKSPACE_STATE" => format!(
            "Workspace '{}' is disabled: choose another one with --workspace.",
            ctx.workspace.as_deref().unwrap_or("?")
        ),
        "ERROR_AUTHENTICATE_FAILURE"
        | "ERROR_AUTHENTICATION_FAILURE"
        | "ERROR_INVALID_CREDENTIALS"
            if r.message.contains("Token validation failed")
                || r.message.contains("decode token") =>
        {
            "The kept login is no longer valid: run `spacectl login` with your password."
                .to_string()
        }
        "ERROR_AUTHENTICATE_FAILURE"
        | "ERROR_AUTHENTICATION_FAILURE"
        | "ERROR_INVALID_CREDENTIALS" => format!(
            "Wrong password for user '{user}' in domain {domain}: check it and run `spacectl login` again."
        ),
        "ERROR_NOT_FOUND" if r.message.contains("'workspace_id'") => format!(
            "Workspace '{}' does not exist in domain {domain}: run `spacectl login` without --workspace to see yours.",
            ctx.workspace.as_deref().unwrap_or("?")
        ),
        "ERROR_NOT_FOUND" if r.message.contains("'user_id'") => {
            format!("User '{user}' does not exist in domain {domain}: check the user id (--user).")
        }
        "ERROR_NOT_FOUND" if ctx.domain_id.is_empty() => format!(
            "Domain {domain} does not exist on this identity: check the domain name (--domain)."
        ),
        "ERROR_PERMISSION_DENIED" if ctx.scope == "DOMAIN" => format!(
            "User '{user}' is not a domain admin of {domain}, so it cannot get a domain token: log in with --workspace NAME or --scope user."
        ),
        "ERROR_PERMISSION_DENIED" => format!(
            "User '{user}' may not get a {} token in domain {domain}: choose another scope or workspace.",
            ctx.scope.to_lowercase()
        ),
        _ => format!("Login failed: {} ({})", r.message, r.code),
    };
    AppError::msg(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(code: &str, message: &str) -> AppError {
        AppError::grpc(code, "X", message)
    }

    fn ctx() -> Context {
        Context {
            domain_name: "spaceone".into(),
            domain_id: "domain-1".into(),
            user_id: "admin@example.com".into(),
            workspace: Some("nope".into()),
            scope: "DOMAIN".into(),
        }
    }

    #[test]
    fn refusals_become_one_line_each() {
        let cases = [
            (
                refused(
                    "ERROR_AUTHENTICATE_FAILURE",
                    "Authenticate failure. (message = A user \"admin@example.com\" is not exist or password is not correct.)",
                ),
                "Wrong password for user 'admin@example.com' in domain 'spaceone': check it and run `spacectl login` again.",
            ),
            (
                refused(
                    "ERROR_NOT_FOUND",
                    "Resource cannot be found or access is denied. (('user_id', 'domain_id') = ('x@y', 'domain-1'))",
                ),
                "User 'admin@example.com' does not exist in domain 'spaceone': check the user id (--user).",
            ),
            (
                refused(
                    "ERROR_NOT_FOUND",
                    "Resource cannot be found or access is denied. (('domain_id', 'workspace_id') = ('domain-1', 'nope'))",
                ),
                "Workspace 'nope' does not exist in domain 'spaceone': run `spacectl login` without --workspace to see yours.",
            ),
            (
                refused("ERROR_PERMISSION_DENIED", "Permission denied."),
                "User 'admin@example.com' is not a domain admin of 'spaceone', so it cannot get a domain token: log in with --workspace NAME or --scope user.",
            ),
            (
                refused(
                    "ERROR_LOGIN_BLOCKED",
                    "Login is blocked. Please try again later.",
                ),
                "Login of 'admin@example.com' in domain 'spaceone' is blocked after too many failed attempts: wait a few minutes, then try again.",
            ),
            (
                refused(
                    "ERROR_UPDATE_PASSWORD_REQUIRED",
                    "Password reset is required.(user_id = admin@example.com)",
                ),
                "User 'admin@example.com' must change the password first: sign in to the console once, set a new password, then run `spacectl login` again.",
            ),
            (
                refused(
                    "ERROR_AUTHENTICATE_FAILURE",
                    "Authenticate failure. (message = Authenticate failure. (message = Token validation failed.))",
                ),
                "The kept login is no longer valid: run `spacectl login` with your password.",
            ),
        ];
        for (err, want) in cases {
            let got = explain(err, &ctx()).render();
            assert_eq!(got, format!("ERROR: {want}\n\n"));
            assert_eq!(got.trim_end().lines().count(), 1);
        }
        let unknown_domain = explain(
            refused(
                "ERROR_NOT_FOUND",
                "Resource cannot be found or access is denied. (name = nope)",
            ),
            &Context::domain("nope"),
        );
        assert_eq!(
            unknown_domain.to_string(),
            "Domain 'nope' does not exist on this identity: check the domain name (--domain)."
        );
        let other = AppError::msg("Server is unavailable.");
        assert_eq!(explain(other.clone(), &ctx()), other);
    }

    #[test]
    fn codes_are_kept() {
        let e = keep_code(
            &Status::unauthenticated("ERROR_AUTHENTICATE_FAILURE: Authenticate failure."),
            "h:1",
        );
        assert_eq!(
            refusal(&e),
            Some(Refusal {
                code: "ERROR_AUTHENTICATE_FAILURE".into(),
                status: "UNAUTHENTICATED".into(),
                message: "Authenticate failure.".into(),
            })
        );
    }
}
