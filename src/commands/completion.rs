//! `spacectl completion SHELL`: completion scripts generated from the command tree.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::error::Result;

/// The completion script for `shell`, for a binary named `spacectl`.
pub fn script(shell: Shell) -> String {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "spacectl", &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

pub fn run(shell: Shell) -> Result<()> {
    super::emit(&script(shell))
}
