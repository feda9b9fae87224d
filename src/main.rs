//! spacectl: parse argv, run one command, map its error to an exit status.

mod apply;
mod cli;
mod commands;
mod complete;
mod config;
mod error;
mod fsutil;
mod grpc;
mod image;
mod output;
mod plugin;
mod request;
mod scaffold;
mod session;
mod suggest;

use std::io::Write;

/// The plugin host and the client make many small, short-lived allocations per
/// streamed item (parsed replies, data trees, messages); mimalloc serves them
/// markedly faster than the system allocator. Built without transparent huge
/// pages (`no_thp`), which would add megabytes to an idle host's resident memory.
/// (Unit tests count allocations with an allocator of their own,
/// `request::fuzz::alloc`.)
#[cfg(not(test))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let code = commands::main_entry(std::env::args_os().collect());
    let _ = std::io::stdout().flush();
    std::process::exit(code);
}
