//! `spacectl apply`: declarative task manifests.
//!
//! A manifest (`import`, `var`, `env`, `tasks`) is loaded and validated as a
//! whole, then its tasks run in order. Expressions `${{ ... }}` are rendered by
//! minijinja ([`template`]); modules ([`modules`]) do the work; the `resource`
//! module reaches the services through a [`Caller`].
//!
//! Precedence of values (kept from upstream): the process environment, then the
//! `--var-file`, then `-e`/`-v`, then the manifest's imports, then the manifest's
//! own `var`/`env` — so values written in the manifest win over the command line.

pub mod caller;
pub mod client;
pub mod console;
pub mod frame;
pub mod manifest;
pub mod modules;
pub mod runner;
pub mod secrets;
pub mod store;
pub mod template;
pub mod text;

use std::path::Path;

use serde_json::Value;

pub use caller::Caller;
pub use console::Console;
pub use runner::{Output, Settings};

use crate::error::{AppError, Result};
use store::{Store, parse_inputs, update};

/// Command-line inputs of a run.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub file: &'a Path,
    /// `-e KEY=VALUE` items.
    pub env: &'a [String],
    /// `-v KEY=VALUE` items.
    pub var: &'a [String],
    pub var_file: Option<&'a Path>,
}

/// Load the manifest and run it. The process environment seeds `env`.
pub fn apply(
    inputs: Inputs<'_>,
    process_env: Vec<(String, String)>,
    settings: Settings,
    caller: &mut dyn Caller,
    console: &mut dyn Console,
) -> Result<()> {
    let store = prepare(inputs, process_env)?;
    let (store, tasks) = load(inputs.file, store)?;
    let mut runner = runner::Runner::new(store, caller, console, settings);
    runner.run(&tasks).map_err(|f| AppError::msg(f.0))
}

/// The store before the manifest: environment, `--var-file`, `-e`, `-v`.
pub fn prepare(inputs: Inputs<'_>, process_env: Vec<(String, String)>) -> Result<Store> {
    let mut store = Store::new(process_env);
    if let Some(path) = inputs.var_file {
        let shown = path.display();
        let text =
            crate::config::fsio::read_input_text(path, crate::config::fsio::INPUT_FILE_LIMIT)
                .map_err(|e| AppError::msg(format!("YAML Load Error: {shown} ({e})")))?;
        let doc = crate::request::yaml11::load(&text)
            .map_err(|e| AppError::msg(format!("YAML Load Error: {shown} ({e})")))?;
        match doc {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                for section in ["var", "env"] {
                    match m.get(section) {
                        None | Some(Value::Null) => {}
                        Some(Value::Object(values)) => {
                            let target = if section == "var" {
                                &mut store.var
                            } else {
                                &mut store.env
                            };
                            update(target, values);
                        }
                        Some(_) => {
                            return Err(AppError::msg(format!(
                                "Var file format is invalid: '{section}' must be a mapping. (file = {shown})"
                            )));
                        }
                    }
                }
            }
            Some(_) => {
                return Err(AppError::msg(format!(
                    "Var file format is invalid: the top level must be a mapping. (file = {shown})"
                )));
            }
        }
    }
    update(
        &mut store.env,
        &parse_inputs(inputs.env).map_err(AppError::msg)?,
    );
    update(
        &mut store.var,
        &parse_inputs(inputs.var).map_err(AppError::msg)?,
    );
    Ok(store)
}

/// Read the manifest (and its imports) from disk into validated tasks.
pub fn load(file: &Path, mut store: Store) -> Result<(Store, Vec<manifest::Task>)> {
    let mut read = |p: &Path| {
        crate::config::fsio::read_input_text(p, crate::config::fsio::INPUT_FILE_LIMIT)
            .map_err(|e| io_reason(&e))
    };
    let parse = |text: &str| crate::request::yaml11::load(text);
    let tasks = manifest::load(file, &mut store, &mut read, &parse).map_err(AppError::msg)?;
    Ok((store, tasks))
}

/// The reason of an I/O error without the OS error number.
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests;
