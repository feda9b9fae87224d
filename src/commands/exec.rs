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
        let out = super::StreamOut::default();
        let print = |response: serde_json::Value| out.push(&render(&response, format)?);
        let done = tokio::select! {
            done = session.call_data(&method, message, &metadata, print, || out.flush()) => done,
            _ = tokio::signal::ctrl_c() => Err(AppError::plain("Aborted!", 1)),
        };
        // What was received is printed before any error.
        out.flush()?;
        done
    })
}
