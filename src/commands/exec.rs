//! `spacectl exec VERB RESOURCE`: call any unary or server-streaming method.
//! Each response message is rendered and printed as it arrives (a fast stream's
//! documents are written in batches, see [`super::StreamOut`]).

use crate::cli::{CallArgs, ExecArgs, ExecFormat, ParamArgs};
use crate::error::{AppError, Result};
use crate::grpc::{self, resolve};
use crate::output::render::{Format, render};
use crate::request;

pub fn run(a: ExecArgs) -> Result<()> {
    let format = match a.output {
        ExecFormat::Yaml => Format::Yaml,
        ExecFormat::Json => Format::Json,
        ExecFormat::Table => Format::Table,
        ExecFormat::Csv => Format::Csv,
    };
    call_and_print(&a.verb, &a.resource, &a.params, &a.call, format)
}

/// Resolve `resource` on its endpoint, call `verb` with the merged parameters
/// and print every response in `format`.
///
/// Order of checks: parameters, resource syntax, configuration and endpoint,
/// connection and discovery, resource and verb, request conversion, call.
pub(super) fn call_and_print(
    verb: &str,
    resource: &str,
    params: &ParamArgs,
    call: &CallArgs,
    format: Format,
) -> Result<()> {
    let params = request::params::build(params)?;
    let target = resolve::parse_resource(resource)?;
    let env = crate::session::load_current()?;
    let url = env.endpoint(&target.service)?;
    let metadata = env.call_metadata();
    let options = super::session_options(call);
    let tls = super::session_tls(&call.tls, &env)?;
    grpc::block_on(async {
        let mut session = grpc::Session::open_with(&url, &options, &tls).await?;
        let method = session.method(&target, verb, &call.api_version).await?;
        let message = request::message::from_value(&method.input(), &params)?;
        // On a terminal, an empty answer (printed as a blank line, as upstream
        // does) is also said in words on stderr; piped output stays as it is.
        let on_terminal = {
            use std::io::IsTerminal;
            std::io::stdout().is_terminal() && std::io::stderr().is_terminal()
        };
        let lists = method.output().get_field_by_name("results").is_some();
        let out = super::StreamOut::default();
        let print = |response: serde_json::Value| {
            out.push(&render(&response, format)?)?;
            if on_terminal && let Some(note) = empty_note(&response, lists) {
                out.flush()?;
                eprintln!("{note}");
            }
            Ok(())
        };
        let done = tokio::select! {
            done = session.call_data(&method, message, &metadata, print, || out.flush()) => done,
            _ = tokio::signal::ctrl_c() => Err(AppError::plain("Aborted!", 1)),
        };
        // What was received is printed before any error.
        out.flush()?;
        done
    })
}

/// What an empty answer means, said on a terminal: `OK` for a method that
/// answers nothing (e.g. verify), `no results` for an empty list. None when the
/// answer has content.
pub(super) fn empty_note(value: &serde_json::Value, lists: bool) -> Option<&'static str> {
    let empty = match value {
        serde_json::Value::Object(m) => m.values().all(|v| match v {
            serde_json::Value::Array(a) => a.is_empty(),
            serde_json::Value::Number(n) => n.as_f64() == Some(0.0),
            serde_json::Value::Null => true,
            _ => false,
        }),
        serde_json::Value::Null => true,
        _ => false,
    };
    match (empty, lists) {
        (false, _) => None,
        (true, true) => Some("no results"),
        (true, false) => Some("OK (the call answered an empty message)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_answers_are_said_in_words() {
        assert_eq!(
            empty_note(&json!({}), false),
            Some("OK (the call answered an empty message)")
        );
        assert_eq!(empty_note(&json!({}), true), Some("no results"));
        assert_eq!(
            empty_note(&json!({"results": [], "total_count": 0}), true),
            Some("no results")
        );
        assert_eq!(empty_note(&json!({"results": [{"a": 1}]}), true), None);
        assert_eq!(empty_note(&json!({"status": "SERVING"}), false), None);
    }
}
