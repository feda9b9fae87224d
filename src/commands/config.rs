//! `spacectl config ...`: environments, keys and endpoints of `~/.spaceone`.

use std::io::{BufRead, Write};
use std::path::Path;

use serde_json::{Map, Value};

use crate::cli::{ConfigCommand, DocFormat, EndpointCommand, EndpointFormat};
use crate::config::{self, InitOutcome, Store};
use crate::error::{AppError, Result};

/// Environment used when the prompt is answered with an empty line.
pub const DEFAULT_ENVIRONMENT: &str = "default";
/// Prompt of `config init` without `-e`.
pub const ENV_PROMPT: &str = "Environment [default]: ";
/// Headers of the endpoint table.
pub const ENDPOINT_HEADERS: [&str; 2] = ["Service", "Endpoint"];

pub fn run(c: ConfigCommand) -> Result<()> {
    let store = Store::discover()?;
    match c {
        ConfigCommand::Init {
            environment,
            import_file,
            identity,
            internal,
        } => {
            let name = match environment {
                Some(n) => n,
                None => {
                    let stdin = std::io::stdin();
                    let mut input = stdin.lock();
                    prompt_environment(&mut input, &mut std::io::stderr())?
                }
            };
            init(&store, &name, import_file.as_deref())?;
            match identity {
                Some(url) => discover(&store, Some(&url), internal, &Default::default()),
                None => Ok(()),
            }
        }
        ConfigCommand::Set { key, value } => {
            let mut env = store.load_current()?;
            env.data_mut().insert(key, Value::String(value));
            store.save(&env)
        }
        ConfigCommand::Remove { key } => {
            let mut env = store.load_current()?;
            env.data_mut().shift_remove(&key);
            store.save(&env)
        }
        ConfigCommand::Show { output, raw } => {
            let env = store.load_current()?;
            super::emit(&render_config(env.data(), output, raw))
        }
        ConfigCommand::Environment { switch, remove } => {
            if let Some(name) = switch {
                store.switch(&name)?;
                super::emit(&format!("Switched to '{name}' environment.\n"))
            } else if let Some(name) = remove {
                store.remove(&name)?;
                super::emit(&format!("'{name}' environment has been removed.\n"))
            } else {
                let current = store.current_name().ok();
                let envs = store.list_environments()?;
                if envs.is_empty() {
                    return Err(config::store::undefined());
                }
                super::emit(&render_environment_list(&envs, current.as_deref()))
            }
        }
        ConfigCommand::Endpoint(e) => endpoint(&store, e),
    }
}

fn init(store: &Store, name: &str, import_file: Option<&Path>) -> Result<()> {
    let data = match import_file {
        Some(path) => load_import_file(path)?,
        None => Map::new(),
    };
    if let InitOutcome::BackedUp(backup) = store.init(name, &data)? {
        eprintln!(
            "The previous configuration of '{name}' was kept as {}",
            backup.display()
        );
    }
    Ok(())
}

/// Read the file of `config init -f`. Anything but a YAML mapping is refused with the
/// upstream text (upstream also writes lists and empty documents, which it then
/// cannot read back).
fn load_import_file(path: &Path) -> Result<Map<String, Value>> {
    let invalid = || {
        AppError::msg(format!(
            "Import file format is invalid. (file = {})",
            path.display()
        ))
    };
    let text = config::fsio::read_input_text(path, config::fsio::INPUT_FILE_LIMIT)
        .map_err(|_| invalid())?;
    match crate::request::yaml11::load_config(&text) {
        Ok(Some(Value::Object(map))) => Ok(map),
        _ => Err(invalid()),
    }
}

/// Ask for the environment name: the prompt goes to `err` (upstream writes it to
/// stdout), one line is read from `input`. An empty answer means `default`; end of
/// input before any answer gives `Aborted!` with exit status 1.
pub fn prompt_environment(input: &mut impl BufRead, err: &mut impl Write) -> Result<String> {
    let _ = err.write_all(ENV_PROMPT.as_bytes());
    let _ = err.flush();
    let mut line = String::new();
    let n = input
        .read_line(&mut line)
        .map_err(|e| AppError::msg(format!("Cannot read the environment name: {e}")))?;
    if n == 0 {
        let _ = err.write_all(b"\n");
        return Err(AppError::plain("Aborted!", 1));
    }
    let answer = line.trim();
    Ok(if answer.is_empty() {
        DEFAULT_ENVIRONMENT.to_string()
    } else {
        answer.to_string()
    })
}

/// `config endpoint ...`.
///
/// Additions to upstream: `add` and `update` check the URL (scheme `grpc` or
/// `grpc+ssl`, a host and a port) before storing it; `update` replaces an existing
/// URL; `list` is another name for `show`.
fn endpoint(store: &Store, c: EndpointCommand) -> Result<()> {
    match c {
        EndpointCommand::Add { service, endpoint } => {
            config::validate_endpoint_url(&endpoint)?;
            let mut env = store.load_current()?;
            let mut map = env.endpoint_map()?.cloned().unwrap_or_default();
            if map.contains_key(&service) {
                return Err(AppError::msg(format!(
                    "'{service}' service already exists."
                )));
            }
            map.insert(service.clone(), Value::String(endpoint.clone()));
            env.data_mut().insert(
                config::environment::ENDPOINTS_KEY.to_string(),
                Value::Object(map),
            );
            store.save(&env)?;
            super::emit(&format!(
                "'{service}: {endpoint}' endpoint has been added.\n"
            ))
        }
        EndpointCommand::Update { service, endpoint } => {
            config::validate_endpoint_url(&endpoint)?;
            let mut env = store.load_current()?;
            let mut map = env.endpoint_map()?.cloned().unwrap_or_default();
            match map.get_mut(&service) {
                Some(v) => *v = Value::String(endpoint.clone()),
                None => {
                    return Err(AppError::msg(format!(
                        "'{service}' service not found. (Use \"spacectl config endpoint add\")"
                    )));
                }
            }
            env.data_mut().insert(
                config::environment::ENDPOINTS_KEY.to_string(),
                Value::Object(map),
            );
            store.save(&env)?;
            super::emit(&format!(
                "'{service}: {endpoint}' endpoint has been updated.\n"
            ))
        }
        EndpointCommand::Remove { service } => {
            // As upstream: the message is printed even when the service was not there,
            // and an `endpoints: {}` key is written when there was none.
            let mut env = store.load_current()?;
            let mut map = env.endpoint_map()?.cloned().unwrap_or_default();
            map.shift_remove(&service);
            env.data_mut().insert(
                config::environment::ENDPOINTS_KEY.to_string(),
                Value::Object(map),
            );
            store.save(&env)?;
            super::emit(&format!("'{service}' endpoint has been removed.\n"))
        }
        EndpointCommand::Discover {
            internal,
            identity,
            tls,
        } => discover(store, identity.as_deref(), internal, &tls),
        EndpointCommand::Show(a) | EndpointCommand::List(a) => {
            let env = store.load_current()?;
            let entries: Vec<(String, Value)> = env
                .endpoint_map()?
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default();
            super::emit(&render_endpoints(&entries, a.output))
        }
    }
}

/// `config endpoint discover` (and `config init --identity`): identity's endpoints into
/// the current environment; the identity URL given is checked, and kept as the
/// identity endpoint when identity does not list itself.
fn discover(
    store: &Store,
    identity: Option<&str>,
    internal: bool,
    tls_flags: &crate::cli::TlsArgs,
) -> Result<()> {
    let env = store.load_current()?;
    let url = match identity {
        Some(u) => {
            config::validate_endpoint_url(u)?;
            u.to_string()
        }
        None => env.endpoint("identity").map_err(|_| {
            AppError::msg(format!(
                "No identity endpoint in environment '{}': give one with --identity URL.",
                env.name()
            ))
        })?,
    };
    let tls = super::session_tls(tls_flags, &env)?;
    let report = crate::session::discover::discover(store, env.name(), &url, internal, &tls)?;
    super::emit(&report)
}

/// `config show`: the configuration as a YAML or JSON document, secrets redacted
/// unless `raw`. An empty configuration prints one empty line.
pub fn render_config(data: &Map<String, Value>, fmt: DocFormat, raw: bool) -> String {
    let shown = if raw {
        data.clone()
    } else {
        config::redact(data)
    };
    let v = Value::Object(shown);
    match fmt {
        DocFormat::Yaml => crate::output::yaml::document(&v),
        DocFormat::Json => crate::output::json::document(&v),
    }
}

/// `config environment`: one name per line, the current one marked ` (current)`.
pub fn render_environment_list(envs: &[String], current: Option<&str>) -> String {
    let mut out = String::new();
    for e in envs {
        out.push_str(e);
        if Some(e.as_str()) == current {
            out.push_str(" (current)");
        }
        out.push('\n');
    }
    out
}

/// `config endpoint show`: a presto table (`NO DATA` when empty), or the list of
/// `[service, url]` pairs as JSON or YAML.
///
/// Deliberate difference: YAML shows each pair as a plain two-element list
/// (`- - plugin`), where upstream writes a `!!python/tuple` tag only Python can read.
pub fn render_endpoints(entries: &[(String, Value)], fmt: EndpointFormat) -> String {
    match fmt {
        EndpointFormat::Table => {
            if entries.is_empty() {
                return "NO DATA\n".to_string();
            }
            let headers: Vec<String> = ENDPOINT_HEADERS.iter().map(|h| h.to_string()).collect();
            let rows: Vec<Vec<Value>> = entries
                .iter()
                .map(|(s, u)| vec![Value::String(s.clone()), u.clone()])
                .collect();
            let mut table = crate::output::table::presto(&headers, &rows);
            if !table.ends_with('\n') {
                table.push('\n');
            }
            table
        }
        EndpointFormat::Json | EndpointFormat::Yaml => {
            let pairs = Value::Array(
                entries
                    .iter()
                    .map(|(s, u)| Value::Array(vec![Value::String(s.clone()), u.clone()]))
                    .collect(),
            );
            if fmt == EndpointFormat::Json {
                crate::output::json::document(&pairs)
            } else {
                crate::output::yaml::document(&pairs)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    fn prompt(input: &str) -> (Result<String>, String) {
        let mut err = Vec::new();
        let r = prompt_environment(&mut input.as_bytes(), &mut err);
        (r, String::from_utf8_lossy(&err).into_owned())
    }

    #[test]
    fn prompt_answers() {
        assert_eq!(prompt("prod\n"), (Ok("prod".into()), ENV_PROMPT.into()));
        assert_eq!(prompt("prod"), (Ok("prod".into()), ENV_PROMPT.into()));
        assert_eq!(prompt("\n"), (Ok("default".into()), ENV_PROMPT.into()));
        assert_eq!(prompt("  dev \r\n"), (Ok("dev".into()), ENV_PROMPT.into()));
        let (r, err) = prompt("");
        assert_eq!(err, "Environment [default]: \n");
        let e = r.unwrap_err();
        assert_eq!(e.render(), "Aborted!\n");
        assert_eq!(e.exit_code(), 1);
    }

    #[test]
    fn environment_list() {
        let envs = vec!["default".to_string(), "dev".to_string(), "prod".to_string()];
        assert_eq!(
            render_environment_list(&envs, Some("prod")),
            "default\ndev\nprod (current)\n"
        );
        assert_eq!(render_environment_list(&envs, None), "default\ndev\nprod\n");
        assert_eq!(
            render_environment_list(&envs, Some("ghost")),
            "default\ndev\nprod\n"
        );
    }

    #[test]
    fn show_redacts_unless_raw() {
        let data = map(
            json!({"api_key": "a b: c", "endpoints": {"plugin": "grpc://localhost:50051"}, "token": "123"}),
        );
        assert_eq!(
            render_config(&data, DocFormat::Yaml, false),
            "---\napi_key: REDACTED\nendpoints:\n  plugin: grpc://localhost:50051\ntoken: REDACTED\n\n"
        );
        assert_eq!(
            render_config(&data, DocFormat::Yaml, true),
            "---\napi_key: 'a b: c'\nendpoints:\n  plugin: grpc://localhost:50051\ntoken: '123'\n\n"
        );
        assert_eq!(
            render_config(&data, DocFormat::Json, true),
            "{\n    \"api_key\": \"a b: c\",\n    \"endpoints\": {\n        \"plugin\": \"grpc://localhost:50051\"\n    },\n    \"token\": \"123\"\n}\n"
        );
        assert_eq!(render_config(&Map::new(), DocFormat::Yaml, false), "\n");
        assert_eq!(render_config(&Map::new(), DocFormat::Json, false), "\n");
    }

    #[test]
    fn endpoint_renderings() {
        let entries = vec![
            ("identity".to_string(), json!("grpc+ssl://x:443")),
            ("plugin".to_string(), json!("grpc://localhost:50051")),
        ];
        assert_eq!(
            render_endpoints(&entries, EndpointFormat::Table),
            " Service   | Endpoint\n-----------+------------------------\n identity  | grpc+ssl://x:443\n plugin    | grpc://localhost:50051\n"
        );
        assert_eq!(
            render_endpoints(&entries, EndpointFormat::Yaml),
            "---\n- - identity\n  - grpc+ssl://x:443\n- - plugin\n  - grpc://localhost:50051\n\n"
        );
        assert_eq!(
            render_endpoints(&entries, EndpointFormat::Json),
            "[\n    [\n        \"identity\",\n        \"grpc+ssl://x:443\"\n    ],\n    [\n        \"plugin\",\n        \"grpc://localhost:50051\"\n    ]\n]\n"
        );
        assert_eq!(render_endpoints(&[], EndpointFormat::Table), "NO DATA\n");
        assert_eq!(render_endpoints(&[], EndpointFormat::Json), "[]\n");
        assert_eq!(render_endpoints(&[], EndpointFormat::Yaml), "---\n[]\n\n");
    }
}
