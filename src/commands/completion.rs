//! `spacectl completion SHELL [--name spaceone]`: the script that registers
//! completion for the program in a shell. At each TAB the shell asks the
//! program itself (see `crate::complete`), so commands, flags and values
//! (kinds, environments, endpoints, cached resources and verbs) are those of
//! the binary and the machine at that moment.

use clap_complete::Shell;
use clap_complete::env::EnvCompleter;

use crate::cli::BinName;
use crate::complete::ENV_VAR;
use crate::error::Result;

/// The registration script for `shell`, for the program `name`.
pub fn script(shell: Shell, name: BinName) -> String {
    let completer: &dyn EnvCompleter = match shell {
        Shell::Bash => &clap_complete::env::Bash,
        Shell::Zsh => &clap_complete::env::Zsh,
        Shell::Fish => &clap_complete::env::Fish,
        Shell::Elvish => &clap_complete::env::Elvish,
        _ => &clap_complete::env::Powershell,
    };
    let mut buf = Vec::new();
    // Writing into memory cannot fail.
    let _ = completer.write_registration(
        ENV_VAR,
        name.as_str(),
        name.as_str(),
        name.as_str(),
        &mut buf,
    );
    String::from_utf8_lossy(&buf).into_owned()
}

pub fn run(shell: Shell, name: BinName) -> Result<()> {
    super::emit(&script(shell, name))
}
