//! `spacectl completion SHELL [--name spaceone]`: completion scripts generated
//! from the command tree of either name.

use clap_complete::Shell;

use crate::cli::{BinName, command_tree};
use crate::error::Result;

/// The completion script for `shell`, for the program `name`.
pub fn script(shell: Shell, name: BinName) -> String {
    let mut cmd = command_tree(name);
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, name.as_str(), &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

pub fn run(shell: Shell, name: BinName) -> Result<()> {
    super::emit(&script(shell, name))
}
