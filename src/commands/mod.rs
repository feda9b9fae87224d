//! One module per command: read inputs, call a layer, print. Only this layer
//! writes to stdout.

mod api_resources;
mod apply;
mod completion;
mod config;
mod create_project;
mod exec;
mod get;
mod hints;
mod list;
mod man;
mod plugin_image;
mod plugin_metadata;
mod plugin_protocol;
mod plugin_server;
mod plugin_test;
mod session;
mod spaceone;
mod stat;
mod template;
mod version;
mod watch;

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;

use clap::FromArgMatches;

use crate::cli::{BinName, Cli, Command, PluginCommand, RunCommand, SpaceoneCli};
use crate::error::{AppError, Result};

/// The name this binary was invoked as: `spaceone` when called through a link
/// of that name, otherwise `spacectl`.
fn invoked_name(argv0: Option<&OsString>) -> BinName {
    let stem = argv0
        .and_then(|a| Path::new(a).file_stem())
        .and_then(|s| s.to_str())
        .unwrap_or("spacectl");
    if stem == "spaceone" {
        BinName::Spaceone
    } else {
        BinName::Spacectl
    }
}

/// Parse argv and run the command; returns the process exit status.
pub fn main_entry(argv: Vec<OsString>) -> i32 {
    let name = invoked_name(argv.first());
    crate::complete::answer_if_asked(name);
    // The lean tree parses; help and errors come from the full one.
    let matches = match crate::cli::command_lean(name).try_get_matches_from(argv.iter()) {
        Ok(m) => m,
        Err(_) => match crate::cli::command_for(name).try_get_matches_from(argv) {
            Ok(m) => m,
            Err(e) => {
                let _ = e.print();
                return e.exit_code();
            }
        },
    };
    let parsed = match name {
        BinName::Spacectl => Cli::from_arg_matches(&matches).map(|c| Ok(c.command)),
        BinName::Spaceone => {
            SpaceoneCli::from_arg_matches(&matches).map(|c| spaceone::command(c.command))
        }
    };
    let command = match parsed {
        Ok(Ok(c)) => c,
        Ok(Err(refusal)) => {
            eprintln!("{refusal}");
            return 2;
        }
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    match dispatch(command, name) {
        Ok(()) => 0,
        Err(e) => {
            let _ = std::io::stdout().flush();
            let e = hints::with_hint(e);
            eprint!("{}", e.render());
            e.exit_code()
        }
    }
}

fn dispatch(command: Command, name: BinName) -> Result<()> {
    match command {
        Command::Config(c) => config::run(c),
        Command::Exec(a) => exec::run(a),
        Command::Get(a) => get::run(a),
        Command::List(a) => list::run(a),
        Command::Login(a) => session::login(a),
        Command::Logout => session::logout(),
        Command::Whoami(a) => session::whoami(a),
        Command::Stat(a) => stat::run_stat(a),
        Command::Analyze(a) => stat::run_analyze(a),
        Command::ApiResources(a) => api_resources::run(&a.tls),
        Command::Template(c) => template::run(c),
        Command::Version => version::run(),
        Command::CreateProject(a) => create_project::run(a, name),
        Command::Run(RunCommand::PluginServer(a)) => plugin_server::run(a),
        Command::Plugin(PluginCommand::Metadata { file }) => plugin_metadata::run(&file),
        Command::Plugin(PluginCommand::Protocol) => plugin_protocol::run(),
        Command::Plugin(PluginCommand::Test(a)) => plugin_test::run(*a),
        Command::Plugin(PluginCommand::Build(a)) => plugin_image::run_build_command(a),
        Command::Plugin(PluginCommand::Publish(a)) => plugin_image::run_publish_command(*a),
        Command::Apply(a) => apply::run(a),
        Command::Completion { shell, name } => completion::run(shell, name),
        Command::Man { dir } => man::run(&dir),
    }
}

/// Session options from the shared call flags.
pub(crate) fn session_options(call: &crate::cli::CallArgs) -> crate::grpc::Options {
    crate::grpc::Options {
        use_cache: !call.no_cache,
        ..crate::grpc::Options::default()
    }
}

/// The TLS files of a session: the flags, completed by the environment file's
/// `ca_file`, `client_cert` and `client_key` keys.
pub(crate) fn session_tls(
    flags: &crate::cli::TlsArgs,
    env: &crate::config::Environment,
) -> Result<crate::grpc::TlsFiles> {
    Ok(flag_tls(flags).or(crate::grpc::tls::files_of(env)?))
}

/// The TLS files given as flags alone.
pub(crate) fn flag_tls(flags: &crate::cli::TlsArgs) -> crate::grpc::TlsFiles {
    crate::grpc::TlsFiles {
        ca_file: flags.ca_file.clone(),
        client_cert: flags.client_cert.clone(),
        client_key: flags.client_key.clone(),
    }
}

/// Write text to stdout and flush; a closed pipe ends the command quietly.
pub fn emit(text: &str) -> Result<()> {
    emit_bytes(text.as_bytes())
}

fn emit_bytes(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(AppError::msg(e.to_string())),
    }
}

/// Standard output for a stream of documents: the text of each is gathered
/// and written ([`emit`]) when the stream has no further message ready
/// ([`StreamOut::flush`], called before waiting) or when more than
/// [`StreamOut::LIMIT`] bytes wait, so a fast stream costs one write per batch
/// and a slow one still shows every document as soon as it arrives.
#[derive(Default)]
pub struct StreamOut {
    pending: std::cell::RefCell<String>,
}

impl StreamOut {
    pub const LIMIT: usize = 64 * 1024;

    /// Adds one document's text.
    pub fn push(&self, text: &str) -> Result<()> {
        let mut pending = self.pending.borrow_mut();
        pending.push_str(text);
        if pending.len() >= Self::LIMIT {
            emit_bytes(pending.as_bytes())?;
            pending.clear();
        }
        Ok(())
    }

    /// Writes what waits.
    pub fn flush(&self) -> Result<()> {
        let mut pending = self.pending.borrow_mut();
        if !pending.is_empty() {
            emit_bytes(pending.as_bytes())?;
            pending.clear();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_follows_argv0() {
        assert_eq!(
            invoked_name(Some(&OsString::from("/usr/bin/spaceone"))),
            BinName::Spaceone
        );
        assert_eq!(
            invoked_name(Some(&OsString::from("spacectl"))),
            BinName::Spacectl
        );
        assert_eq!(invoked_name(None), BinName::Spacectl);
    }
}
