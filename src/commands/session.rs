//! `spacectl login`, `logout` and `whoami`: read the flags and the terminal, call the
//! session layer, print one summary.

use std::io::{BufRead, IsTerminal, Write};

use serde_json::{Map, Value, json};

use crate::cli::{DocFormat, LoginArgs, LoginScope, WhoamiArgs};
use crate::config::Store;
use crate::error::{AppError, Result};
use crate::output::render::{Format, render};
use crate::session::{self, LoginOutcome, LoginRequest, Prompt, Scope, Whoami, claims};

pub fn login(a: LoginArgs) -> Result<()> {
    let store = Store::discover()?;
    let env = store.load_current()?;
    let tls = super::session_tls(&a.tls, &env)?;
    let password = if a.password_stdin {
        Some(read_password(&mut std::io::stdin().lock())?)
    } else {
        None
    };
    let req = LoginRequest {
        domain: a.domain,
        user: a.user,
        password,
        workspace: a.workspace,
        scope: a.scope.map(|s| match s {
            LoginScope::Domain => Scope::Domain,
            LoginScope::User => Scope::User,
        }),
    };
    // Questions only on a terminal, and never when the password comes from stdin.
    let mut terminal = Terminal;
    let interactive =
        !a.password_stdin && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let prompt: Option<&mut dyn Prompt> = if interactive {
        Some(&mut terminal)
    } else {
        None
    };
    let out = session::login(&store, &env, &tls, req, prompt)?;
    super::emit(&login_summary(&out, claims::now()))
}

/// The first line of `input`, without its line end; an empty one is refused.
fn read_password(input: &mut impl BufRead) -> Result<String> {
    let mut line = String::new();
    input
        .read_line(&mut line)
        .map_err(|e| AppError::msg(format!("Cannot read the password from stdin: {e}")))?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        return Err(AppError::msg(
            "--password-stdin: stdin gave no password (expected it on the first line).",
        ));
    }
    Ok(password)
}

/// `Logged in ...`: what the token is for, never the token.
pub fn login_summary(o: &LoginOutcome, now: i64) -> String {
    let what = match (o.scope, &o.workspace) {
        (Scope::Workspace, Some(w)) if w.name != w.id => format!("workspace {} ({})", w.name, w.id),
        (Scope::Workspace, Some(w)) => format!("workspace {}", w.id),
        (Scope::Domain, _) => "the domain".to_string(),
        _ => "the user's own resources".to_string(),
    };
    let how = if o.regranted {
        " (from the kept login)"
    } else {
        ""
    };
    let expires = o
        .expires
        .map(|t| {
            format!(
                ", expires {} ({})",
                claims::utc_text(t),
                claims::relative_text(t, now)
            )
        })
        .unwrap_or_default();
    format!(
        "Logged in to domain {} as {}{how}: {} token for {what}{expires}. Environment '{}' uses it as api_key.\n",
        o.domain,
        o.user_id,
        o.role.as_deref().unwrap_or(o.scope.wire()),
        o.environment
    )
}

pub fn logout() -> Result<()> {
    let store = Store::discover()?;
    let env = store.load_current()?;
    let (token, kept) = session::logout(&store, &env)?;
    let text = match (token, kept) {
        (false, false) => format!("Environment '{}' had no token to forget.\n", env.name()),
        (true, true) => format!(
            "Logged out of environment '{}': its token and kept login are forgotten.\n",
            env.name()
        ),
        (true, false) => format!(
            "Logged out of environment '{}': its token is forgotten.\n",
            env.name()
        ),
        (false, true) => format!(
            "Environment '{}': the kept login is forgotten.\n",
            env.name()
        ),
    };
    super::emit(&text)
}

pub fn whoami(a: WhoamiArgs) -> Result<()> {
    let store = Store::discover()?;
    let env = store.load_current()?;
    let who = session::whoami(&store, &env)?;
    let verified = if a.verify {
        let tls = super::session_tls(&a.tls, &env)?;
        Some(session::verify(&env, &who, &tls)?)
    } else {
        None
    };
    let now = claims::now();
    let text = match a.output {
        None => whoami_text(&who, verified.as_deref(), now),
        Some(f) => {
            let format = match f {
                DocFormat::Json => Format::Json,
                DocFormat::Yaml => Format::Yaml,
            };
            render(&whoami_value(&who, verified.as_deref(), now), format)?
        }
    };
    super::emit(&text)
}

/// The report as a document (`-o json|yaml`).
pub fn whoami_value(w: &Whoami, verified: Option<&str>, now: i64) -> Value {
    let mut m = Map::new();
    m.insert("environment".into(), json!(w.environment));
    m.insert("type".into(), json!(w.holder));
    m.insert(
        if w.holder == "app" {
            "app_id"
        } else {
            "user_id"
        }
        .into(),
        json!(w.subject),
    );
    m.insert("domain_id".into(), json!(w.domain_id));
    if let Some(n) = &w.domain_name {
        m.insert("domain_name".into(), json!(n));
    }
    if let Some(x) = &w.workspace_id {
        m.insert("workspace_id".into(), json!(x));
    }
    if let Some(x) = &w.role {
        m.insert("role_type".into(), json!(x));
    }
    if let Some(x) = &w.scope {
        m.insert("scope".into(), json!(x));
    }
    if let Some(t) = w.expires {
        m.insert("expires_at".into(), json!(claims::utc_text(t)));
        m.insert("expired".into(), json!(t <= now));
    }
    if let Some(t) = w.refresh_expires {
        m.insert("login_kept_until".into(), json!(claims::utc_text(t)));
    }
    if let Some(v) = verified {
        m.insert("verified".into(), json!(v));
    }
    Value::Object(m)
}

/// The report, one `key: value` line each.
pub fn whoami_text(w: &Whoami, verified: Option<&str>, now: i64) -> String {
    let mut out = String::new();
    let mut line = |k: &str, v: String| out.push_str(&format!("{k:<12}{v}\n"));
    line("environment", w.environment.clone());
    line("type", w.holder.clone());
    line(
        if w.holder == "app" { "app" } else { "user" },
        w.subject.clone(),
    );
    line(
        "domain",
        match &w.domain_name {
            Some(n) => format!("{n} ({})", w.domain_id),
            None => w.domain_id.clone(),
        },
    );
    line(
        "workspace",
        match w.workspace_id.as_deref() {
            Some("*") => "* (every workspace)".to_string(),
            Some(x) => x.to_string(),
            None => "-".to_string(),
        },
    );
    line("role", w.role.clone().unwrap_or_else(|| "-".into()));
    if let Some(s) = &w.scope {
        line("scope", s.clone());
    }
    line(
        "expires",
        match w.expires {
            Some(t) if t <= now => format!(
                "{} (expired {})",
                claims::utc_text(t),
                claims::relative_text(t, now)
            ),
            Some(t) => format!(
                "{} ({})",
                claims::utc_text(t),
                claims::relative_text(t, now)
            ),
            None => "never".to_string(),
        },
    );
    line(
        "login",
        match w.refresh_expires {
            Some(t) if t > now => format!(
                "kept until {} (re-grants without the password)",
                claims::utc_text(t)
            ),
            Some(_) => "kept, expired: run `spacectl login`".to_string(),
            None => "none kept".to_string(),
        },
    );
    if let Some(v) = verified {
        line("verified", v.to_string());
    }
    out
}

/// Questions on the terminal (stderr), the password without echo.
struct Terminal;

impl Terminal {
    fn read_line(&self) -> Result<String> {
        let mut line = String::new();
        let n = std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| AppError::msg(format!("Cannot read the answer: {e}")))?;
        if n == 0 {
            return Err(AppError::plain("Aborted!", 1));
        }
        Ok(line.trim().to_string())
    }
}

impl Prompt for Terminal {
    fn text(&mut self, label: &str, default: Option<&str>) -> Result<String> {
        loop {
            match default {
                Some(d) => eprint!("{label} [{d}]: "),
                None => eprint!("{label}: "),
            }
            let _ = std::io::stderr().flush();
            let answer = self.read_line()?;
            match (answer.is_empty(), default) {
                (false, _) => return Ok(answer),
                (true, Some(d)) => return Ok(d.to_string()),
                (true, None) => continue,
            }
        }
    }

    fn secret(&mut self, label: &str) -> Result<String> {
        let term = console::Term::stderr();
        let _ = term.write_str(&format!("{label}: "));
        let answer = term
            .read_secure_line()
            .map_err(|e| AppError::msg(format!("Cannot read the password: {e}")))?;
        if answer.is_empty() {
            return Err(AppError::plain("Aborted!", 1));
        }
        Ok(answer)
    }

    fn choose(&mut self, title: &str, items: &[String]) -> Result<usize> {
        eprintln!("{title}:");
        for (i, item) in items.iter().enumerate() {
            eprintln!("  {}) {item}", i + 1);
        }
        loop {
            eprint!("Choice [1]: ");
            let _ = std::io::stderr().flush();
            let answer = self.read_line()?;
            if answer.is_empty() {
                return Ok(0);
            }
            match answer.parse::<usize>() {
                Ok(n) if (1..=items.len()).contains(&n) => return Ok(n - 1),
                _ => eprintln!("Enter a number from 1 to {}.", items.len()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::identity::Workspace;

    #[test]
    fn password_from_stdin() {
        assert_eq!(
            read_password(&mut &b"Secret-1\nrest\n"[..]).unwrap(),
            "Secret-1"
        );
        assert_eq!(
            read_password(&mut &b"Secret-1\r\n"[..]).unwrap(),
            "Secret-1"
        );
        assert!(read_password(&mut &b"\n"[..]).is_err());
        assert!(read_password(&mut &b""[..]).is_err());
    }

    #[test]
    fn summaries_name_no_secret() {
        let o = LoginOutcome {
            environment: "local".into(),
            domain: "spaceone".into(),
            user_id: "admin@example.com".into(),
            scope: Scope::Workspace,
            workspace: Some(Workspace {
                id: "workspace-1".into(),
                name: "default".into(),
                state: "ENABLED".into(),
            }),
            role: Some("WORKSPACE_OWNER".into()),
            expires: Some(86_400 + 3600),
            regranted: true,
        };
        assert_eq!(
            login_summary(&o, 86_400),
            "Logged in to domain spaceone as admin@example.com (from the kept login): WORKSPACE_OWNER token for workspace default (workspace-1), expires 1970-01-02T01:00:00Z (in 1h 0m). Environment 'local' uses it as api_key.\n"
        );
        let w = Whoami {
            environment: "local".into(),
            holder: "app".into(),
            subject: "app-1".into(),
            domain_id: "domain-1".into(),
            domain_name: None,
            workspace_id: Some("*".into()),
            role: Some("DOMAIN_ADMIN".into()),
            scope: None,
            expires: Some(100),
            refresh_expires: None,
        };
        assert_eq!(
            whoami_text(&w, None, 200),
            "environment local\ntype        app\napp         app-1\ndomain      domain-1\nworkspace   * (every workspace)\nrole        DOMAIN_ADMIN\nexpires     1970-01-01T00:01:40Z (expired 1m ago)\nlogin       none kept\n"
        );
        assert_eq!(whoami_value(&w, None, 0)["app_id"], json!("app-1"));
    }
}
