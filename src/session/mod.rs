//! Signing in to SpaceONE 2.x and keeping the tokens: `login`, `logout`, `whoami`, the
//! re-grant of an expired token, and endpoint discovery through identity.
//!
//! * [`identity`] — the identity v2 calls and upstream's refusals as one line each;
//! * [`claims`] — what a token says about itself (JWT claims, not verified);
//! * [`keep`] — the refresh token, kept outside the environment file (mode 0600);
//! * [`discover`] — `Endpoint.list` into an environment's endpoints.
//!
//! The granted token becomes the environment's `api_key`, the key the Python client
//! reads too, so one login serves both clients.

pub mod claims;
pub mod discover;
pub mod identity;
pub mod keep;

use serde_json::Value;

use crate::config::{Environment, Store};
use crate::error::{AppError, Result};
use crate::grpc::{self, TlsFiles};

use self::claims::{Claims, Holder};
use self::identity::{Context, Identity, Workspace};
use self::keep::Kept;

/// A refresh token this close to its end (seconds) is not used any more.
const REFRESH_MARGIN: i64 = 30;
/// An access token this close to its end (seconds) is re-granted before a call.
const ACCESS_MARGIN: i64 = 10;

/// The scope of a granted token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Domain,
    Workspace,
    User,
}

impl Scope {
    pub fn wire(self) -> &'static str {
        match self {
            Scope::Domain => "DOMAIN",
            Scope::Workspace => "WORKSPACE",
            Scope::User => "USER",
        }
    }

    fn from_wire(s: &str) -> Option<Scope> {
        match s {
            "DOMAIN" => Some(Scope::Domain),
            "WORKSPACE" => Some(Scope::Workspace),
            "USER" => Some(Scope::User),
            _ => None,
        }
    }
}

/// Questions a login may ask on a terminal (never asked in scripts).
pub trait Prompt {
    fn text(&mut self, label: &str, default: Option<&str>) -> Result<String>;
    fn secret(&mut self, label: &str) -> Result<String>;
    /// The index of the chosen item.
    fn choose(&mut self, title: &str, items: &[String]) -> Result<usize>;
}

/// What `login` was asked for.
#[derive(Debug, Clone, Default)]
pub struct LoginRequest {
    pub domain: Option<String>,
    pub user: Option<String>,
    /// The password, when given (read from stdin by the command).
    pub password: Option<String>,
    pub workspace: Option<String>,
    pub scope: Option<Scope>,
}

/// What a login did, for the command to print.
#[derive(Debug, Clone, PartialEq)]
pub struct LoginOutcome {
    pub environment: String,
    pub domain: String,
    pub user_id: String,
    pub scope: Scope,
    pub workspace: Option<Workspace>,
    pub role: Option<String>,
    pub expires: Option<i64>,
    /// Granted from the kept refresh token, without the password.
    pub regranted: bool,
}

fn no_identity(env: &Environment) -> AppError {
    AppError::msg(format!(
        "No identity endpoint in environment '{}': add one with `spacectl config endpoint add identity URL` \
         (or `spacectl config init -e {} --identity URL`).",
        env.name(),
        env.name()
    ))
}

fn identity_url(env: &Environment) -> Result<String> {
    env.endpoint("identity").map_err(|_| no_identity(env))
}

/// The kept login of `env`, when its refresh token is still good for the same identity.
fn usable_kept(store: &Store, env: &Environment, url: &str) -> Result<Option<Kept>> {
    let kept = keep::load(&keep::path(store.layout(), env.name()))?;
    Ok(kept.filter(|k| {
        let fresh = Claims::parse(&k.refresh_token)
            .is_some_and(|c| !c.expired_at(claims::now(), REFRESH_MARGIN));
        fresh && k.identity == url
    }))
}

/// Sign in and make the granted token the environment's `api_key`.
pub fn login(
    store: &Store,
    env: &Environment,
    tls: &TlsFiles,
    req: LoginRequest,
    prompt: Option<&mut dyn Prompt>,
) -> Result<LoginOutcome> {
    let url = identity_url(env)?;
    let kept = usable_kept(store, env, &url)?;
    // Without a password, a kept login of the same domain and user grants anew: for
    // another scope or workspace, or in a script; a bare `login` on a terminal signs in anew.
    let wants_other = req.workspace.is_some() || req.scope.is_some() || prompt.is_none();
    let regrant = kept.filter(|k| {
        req.password.is_none()
            && wants_other
            && req.domain.as_deref().is_none_or(|d| d == k.domain_name)
            && req.user.as_deref().is_none_or(|u| u == k.user_id)
    });
    grpc::block_on(async move {
        let mut identity = Identity::connect(&url, tls).await?;
        match regrant {
            Some(k) => regrant_login(store, env, &mut identity, k, &req).await,
            None => password_login(store, env, &mut identity, req, prompt).await,
        }
    })
}

async fn password_login(
    store: &Store,
    env: &Environment,
    identity: &mut Identity,
    req: LoginRequest,
    mut prompt: Option<&mut dyn Prompt>,
) -> Result<LoginOutcome> {
    let ask = |what: &str, flag: &str| {
        AppError::msg(format!(
            "No {what} given and stdin is not a terminal: pass {flag}."
        ))
    };
    let domain_name = match (req.domain.clone(), prompt.as_deref_mut()) {
        (Some(d), _) => d,
        (None, Some(p)) => p.text("Domain", None)?,
        (None, None) => return Err(ask("domain", "--domain NAME")),
    };
    let user_id = match (req.user.clone(), prompt.as_deref_mut()) {
        (Some(u), _) => u,
        (None, Some(p)) => p.text("User ID", None)?,
        (None, None) => return Err(ask("user", "--user USER_ID")),
    };
    let password = match (req.password.clone(), prompt.as_deref_mut()) {
        (Some(p), _) => p,
        (None, Some(p)) => p.secret("Password")?,
        (None, None) => {
            return Err(ask(
                "password",
                "--password-stdin (and the password on stdin)",
            ));
        }
    };
    let domain_id = identity::domain_id(identity, &domain_name).await?;
    let mut ctx = Context {
        domain_name: domain_name.clone(),
        domain_id: domain_id.clone(),
        user_id: user_id.clone(),
        workspace: req.workspace.clone(),
        scope: String::new(),
    };
    let (access, refresh) = identity::issue(identity, &ctx, &user_id, &password).await?;
    let (role_type, workspaces) = identity::profile(identity, &ctx, &access).await?;
    let (scope, workspace) = choose_scope(&req, &role_type, &workspaces, &ctx, prompt)?;
    ctx.scope = scope.wire().to_string();
    ctx.workspace = workspace.as_ref().map(|w| w.id.clone());
    let token = identity::grant(
        identity,
        &ctx,
        &refresh,
        scope.wire(),
        workspace.as_ref().map(|w| w.id.as_str()),
    )
    .await?;
    let kept = Kept {
        identity: identity.url.clone(),
        domain_id,
        domain_name: domain_name.clone(),
        user_id: user_id.clone(),
        refresh_token: refresh,
        scope: scope.wire().to_string(),
        workspace_id: workspace.as_ref().map(|w| w.id.clone()),
    };
    finish(store, env, &kept, &token, scope, workspace, false)
}

/// A new grant from the kept refresh token (another workspace or scope).
async fn regrant_login(
    store: &Store,
    env: &Environment,
    identity: &mut Identity,
    mut kept: Kept,
    req: &LoginRequest,
) -> Result<LoginOutcome> {
    let mut ctx = Context {
        domain_name: kept.domain_name.clone(),
        domain_id: kept.domain_id.clone(),
        user_id: kept.user_id.clone(),
        workspace: req.workspace.clone(),
        scope: String::new(),
    };
    let (scope, workspace) = match (&req.workspace, req.scope) {
        (Some(w), _) => {
            // A name is looked up in the user's workspaces, with a USER token.
            ctx.scope = "USER".into();
            let user_token =
                identity::grant(identity, &ctx, &kept.refresh_token, "USER", None).await?;
            let (_, workspaces) = identity::profile(identity, &ctx, &user_token).await?;
            (
                Scope::Workspace,
                Some(find_workspace(w, &workspaces, &ctx)?),
            )
        }
        (None, Some(s)) => (s, None),
        (None, None) => {
            let s = Scope::from_wire(&kept.scope).unwrap_or(Scope::Domain);
            let w = kept.workspace_id.clone().map(|id| Workspace {
                id: id.clone(),
                name: id,
                state: String::new(),
            });
            (s, w.filter(|_| s == Scope::Workspace))
        }
    };
    ctx.scope = scope.wire().to_string();
    ctx.workspace = workspace.as_ref().map(|w| w.id.clone());
    let token = identity::grant(
        identity,
        &ctx,
        &kept.refresh_token,
        scope.wire(),
        workspace.as_ref().map(|w| w.id.as_str()),
    )
    .await?;
    kept.scope = scope.wire().to_string();
    kept.workspace_id = workspace.as_ref().map(|w| w.id.clone());
    finish(store, env, &kept, &token, scope, workspace, true)
}

/// Save the token as `api_key` (a `token` key, which would shadow it, is removed) and
/// keep the login.
fn finish(
    store: &Store,
    env: &Environment,
    kept: &Kept,
    token: &str,
    scope: Scope,
    workspace: Option<Workspace>,
    regranted: bool,
) -> Result<LoginOutcome> {
    let mut env = store.load(env.name())?;
    let data = env.data_mut();
    data.shift_remove("token");
    data.insert("api_key".into(), Value::String(token.to_string()));
    keep::save(&keep::path(store.layout(), env.name()), kept)?;
    store.save(&env)?;
    let claims = Claims::parse(token).unwrap_or_default();
    Ok(LoginOutcome {
        environment: env.name().to_string(),
        domain: kept.domain_name.clone(),
        user_id: kept.user_id.clone(),
        scope,
        workspace,
        role: claims.role,
        expires: claims.expires,
        regranted,
    })
}

fn find_workspace(wanted: &str, workspaces: &[Workspace], ctx: &Context) -> Result<Workspace> {
    if let Some(w) = workspaces
        .iter()
        .find(|w| w.id == wanted || w.name == wanted)
    {
        return Ok(w.clone());
    }
    let yours = if workspaces.is_empty() {
        "none".to_string()
    } else {
        workspaces
            .iter()
            .map(|w| format!("{} ({})", w.name, w.id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Err(AppError::msg(format!(
        "User '{}' has no workspace '{wanted}' in domain '{}' (yours: {yours}).",
        ctx.user_id, ctx.domain_name
    )))
}

/// The scope of a password login: the flags, else a choice on a terminal, else the
/// domain for a domain admin or the user's only workspace.
fn choose_scope(
    req: &LoginRequest,
    role_type: &str,
    workspaces: &[Workspace],
    ctx: &Context,
    prompt: Option<&mut dyn Prompt>,
) -> Result<(Scope, Option<Workspace>)> {
    if let Some(w) = &req.workspace {
        return Ok((Scope::Workspace, Some(find_workspace(w, workspaces, ctx)?)));
    }
    if let Some(s) = req.scope {
        return Ok((s, None));
    }
    let admin = role_type == "DOMAIN_ADMIN";
    if let Some(p) = prompt {
        let mut items = Vec::new();
        let mut scopes = Vec::new();
        if admin {
            items.push("the whole domain (domain admin)".to_string());
            scopes.push((Scope::Domain, None));
        }
        for w in workspaces {
            items.push(format!("workspace {} ({})", w.name, w.id));
            scopes.push((Scope::Workspace, Some(w.clone())));
        }
        items.push("your own resources only (user)".to_string());
        scopes.push((Scope::User, None));
        if scopes.len() == 1 {
            return Ok(scopes.remove(0));
        }
        let i = p.choose("Sign in to", &items)?;
        return scopes
            .get(i)
            .cloned()
            .ok_or_else(|| AppError::msg("No such choice."));
    }
    if admin {
        return Ok((Scope::Domain, None));
    }
    match workspaces {
        [one] => Ok((Scope::Workspace, Some(one.clone()))),
        [] => Ok((Scope::User, None)),
        many => Err(AppError::msg(format!(
            "User '{}' belongs to {} workspaces: choose one with --workspace NAME ({}), or --scope user.",
            ctx.user_id,
            many.len(),
            many.iter()
                .map(|w| w.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Forget the environment's token and kept login; what was forgotten.
pub fn logout(store: &Store, env: &Environment) -> Result<(bool, bool)> {
    let mut env = store.load(env.name())?;
    let data = env.data_mut();
    let had_token = data.shift_remove("api_key").is_some() | data.shift_remove("token").is_some();
    if had_token {
        store.save(&env)?;
    }
    let had_kept = keep::remove(&keep::path(store.layout(), env.name()))?;
    Ok((had_token, had_kept))
}

/// The token the environment sends (`token`, else `api_key`), if any.
pub fn current_token(env: &Environment) -> Option<String> {
    env.call_metadata()
        .into_iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v)
}

/// The environment a call should use: when its user token has expired, a new one is
/// granted once from the kept refresh token (one line on stderr says so); without a
/// usable refresh token the call fails, saying to log in.
pub fn fresh(store: &Store, env: Environment, tls: &TlsFiles) -> Result<Environment> {
    let Some(token) = current_token(&env) else {
        return Ok(env);
    };
    let Some(c) = Claims::parse(&token) else {
        return Ok(env);
    };
    let now = claims::now();
    if !c.expired_at(now, ACCESS_MARGIN) {
        return Ok(env);
    }
    let when = c.expires.map(claims::utc_text).unwrap_or_default();
    if c.holder() == Holder::App {
        return Err(AppError::msg(format!(
            "The app token of environment '{}' expired at {when}: set a new client secret with `spacectl config set api_key SECRET`.",
            env.name()
        )));
    }
    let expired = || {
        AppError::msg(format!(
            "The token of environment '{}' expired at {when}: run `spacectl login`.",
            env.name()
        ))
    };
    let url = identity_url(&env).map_err(|_| expired())?;
    let Some(kept) = usable_kept(store, &env, &url)? else {
        return Err(expired());
    };
    let req = LoginRequest::default();
    let out = grpc::block_on(async {
        let mut identity = Identity::connect(&url, tls).await?;
        regrant_login(store, &env, &mut identity, kept, &req).await
    })
    .map_err(|e| AppError::msg(format!("{} ({e})", expired())))?;
    eprintln!(
        "spacectl: the token of environment '{}' had expired; a new one was granted from the kept login (expires {}).",
        out.environment,
        out.expires.map(claims::utc_text).unwrap_or_default()
    );
    store.load(env.name())
}

/// The current environment, its token re-granted when it has expired.
pub fn load_current() -> Result<Environment> {
    let store = Store::discover()?;
    let env = store.load_current()?;
    let tls = crate::grpc::tls::files_of(&env).unwrap_or_default();
    fresh(&store, env, &tls)
}

/// What `whoami` reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Whoami {
    pub environment: String,
    pub holder: String,
    pub subject: String,
    pub domain_id: String,
    pub domain_name: Option<String>,
    pub workspace_id: Option<String>,
    pub role: Option<String>,
    pub scope: Option<String>,
    pub expires: Option<i64>,
    pub refresh_expires: Option<i64>,
}

/// The claims of the environment's token and its kept login.
pub fn whoami(store: &Store, env: &Environment) -> Result<Whoami> {
    let token = current_token(env).ok_or_else(|| {
        AppError::msg(format!(
            "Environment '{}' has no token: run `spacectl login` (or `spacectl config set api_key TOKEN`).",
            env.name()
        ))
    })?;
    let c = Claims::parse(&token).ok_or_else(|| {
        AppError::msg(format!(
            "The token of environment '{}' is not a SpaceONE 2.x token (no claims to read).",
            env.name()
        ))
    })?;
    let kept = keep::load(&keep::path(store.layout(), env.name()))?;
    let kept = kept.filter(|k| Some(&k.domain_id) == c.domain_id.as_ref());
    Ok(Whoami {
        environment: env.name().to_string(),
        holder: c.holder().name().to_string(),
        subject: c.subject.clone().unwrap_or_default(),
        domain_id: c.domain_id.clone().unwrap_or_default(),
        domain_name: kept.as_ref().map(|k| k.domain_name.clone()),
        workspace_id: c.workspace_id.clone().filter(|w| !w.is_empty()),
        role: c.role.clone(),
        scope: c.scope().map(str::to_string),
        expires: c.expires,
        refresh_expires: kept
            .as_ref()
            .and_then(|k| Claims::parse(&k.refresh_token))
            .and_then(|r| r.expires),
    })
}

/// Ask identity whether the token is accepted: `UserProfile.get` for a user, `App.get`
/// for an app. A refusal for lack of permission still proves the token valid.
pub fn verify(env: &Environment, who: &Whoami, tls: &TlsFiles) -> Result<String> {
    let url = identity_url(env)?;
    let token = current_token(env).unwrap_or_default();
    let (resource, verb, params) = if who.holder == "app" {
        ("App", "get", serde_json::json!({"app_id": who.subject}))
    } else {
        ("UserProfile", "get", serde_json::json!({}))
    };
    grpc::block_on(async {
        let mut identity = Identity::connect(&url, tls).await?;
        match identity.call(resource, verb, params, Some(&token)).await {
            Ok(_) => Ok(format!("identity accepts the token ({resource}.{verb})")),
            Err(e) => match identity::refusal(&e) {
                Some(r) if r.status == "PERMISSION_DENIED" => Ok(format!(
                    "identity accepts the token ({resource}.{verb} is not permitted to it)"
                )),
                Some(r) if r.status == "UNAUTHENTICATED" => Err(AppError::msg(format!(
                    "identity refuses the token of environment '{}' ({}): run `spacectl login`.",
                    env.name(),
                    r.message
                ))),
                _ => Err(e),
            },
        }
    })
}
