//! spacectl: parse argv, run one command, map its error to an exit status.

mod apply;
mod cli;
mod commands;
mod complete;
mod config;
mod error;
mod fsutil;
mod grpc;
mod output;
mod plugin;
mod request;
mod scaffold;
mod suggest;

use std::io::Write;

fn main() {
    let code = commands::main_entry(std::env::args_os().collect());
    let _ = std::io::stdout().flush();
    std::process::exit(code);
}
