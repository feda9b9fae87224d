//! The `spaceone` name: its commands map onto the same implementations as
//! `spacectl`'s; upstream's commands this binary does not have are refused in
//! one line that says what to use instead.

use crate::cli::{Command, RunCommand, SpaceoneCommand, SpaceoneRunCommand};

/// Where the commands this binary lacks live.
const PYTHON_TOOL: &str = "the Python spaceone-core (pip install spaceone-core)";

/// The command to run for a parsed `spaceone` command line, or the one-line
/// refusal (usage error, exit status 2) for a command this binary does not have.
pub fn command(c: SpaceoneCommand) -> Result<Command, String> {
    match c {
        SpaceoneCommand::CreateProject(a) => Ok(Command::CreateProject(a)),
        SpaceoneCommand::Plugin(p) => Ok(Command::Plugin(p)),
        SpaceoneCommand::Run(SpaceoneRunCommand::PluginServer(a)) => {
            Ok(Command::Run(RunCommand::PluginServer(a)))
        }
        SpaceoneCommand::Run(SpaceoneRunCommand::GrpcServer(_)) => {
            Err(server_refusal("grpc-server"))
        }
        SpaceoneCommand::Run(SpaceoneRunCommand::RestServer(_)) => {
            Err(server_refusal("rest-server"))
        }
        SpaceoneCommand::Run(SpaceoneRunCommand::Scheduler(_)) => Err(server_refusal("scheduler")),
        SpaceoneCommand::ShowConfig(_) => Err(format!(
            "error: 'spaceone show-config' is not in this binary: a plugin served by 'spaceone run plugin-server' has no global configuration; for a SpaceONE service use {PYTHON_TOOL}"
        )),
        SpaceoneCommand::Test(_) => Err(format!(
            "error: 'spaceone test' is not in this binary: use 'spaceone plugin test' to serve a plugin and check its answers, or {PYTHON_TOOL} for a service's unit tests"
        )),
    }
}

fn server_refusal(command: &str) -> String {
    format!(
        "error: 'spaceone run {command}' is not in this binary, which serves plugins only: use 'spaceone run plugin-server PACKAGE' for a plugin, or {PYTHON_TOOL} for a SpaceONE service"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{BinName, SpaceoneCli};
    use clap::FromArgMatches;

    fn parse(args: &[&str]) -> Result<Command, String> {
        let matches = crate::cli::command_tree(BinName::Spaceone)
            .try_get_matches_from(std::iter::once("spaceone").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        let cli = SpaceoneCli::from_arg_matches(&matches).map_err(|e| e.to_string())?;
        command(cli.command)
    }

    #[test]
    fn implemented_commands_map_onto_spacectl_commands() {
        assert!(matches!(
            parse(&["run", "plugin-server", "plugin", "-p", "50052"]),
            Ok(Command::Run(RunCommand::PluginServer(a))) if a.port == 50052 && a.package == "plugin"
        ));
        assert!(matches!(
            parse(&["create-project", "demo"]),
            Ok(Command::CreateProject(a)) if a.name == "demo"
        ));
        assert!(matches!(
            parse(&["plugin", "protocol"]),
            Ok(Command::Plugin(crate::cli::PluginCommand::Protocol))
        ));
    }

    #[test]
    fn missing_commands_are_refused_whatever_their_arguments() {
        assert_eq!(
            parse(&["run", "grpc-server", "inventory", "-p", "50051", "--help"]).err(),
            Some("error: 'spaceone run grpc-server' is not in this binary, which serves plugins only: use 'spaceone run plugin-server PACKAGE' for a plugin, or the Python spaceone-core (pip install spaceone-core) for a SpaceONE service".to_string())
        );
        assert_eq!(
            parse(&["run", "scheduler"]).err(),
            Some("error: 'spaceone run scheduler' is not in this binary, which serves plugins only: use 'spaceone run plugin-server PACKAGE' for a plugin, or the Python spaceone-core (pip install spaceone-core) for a SpaceONE service".to_string())
        );
        assert!(parse(&["run", "rest-server", "x"]).err().is_some_and(|e| {
            e.starts_with("error: 'spaceone run rest-server' is not in this binary")
        }));
        assert_eq!(
            parse(&["show-config", "inventory", "-o", "json"]).err(),
            Some("error: 'spaceone show-config' is not in this binary: a plugin served by 'spaceone run plugin-server' has no global configuration; for a SpaceONE service use the Python spaceone-core (pip install spaceone-core)".to_string())
        );
        assert_eq!(
            parse(&["test", "-d", "test"]).err(),
            Some("error: 'spaceone test' is not in this binary: use 'spaceone plugin test' to serve a plugin and check its answers, or the Python spaceone-core (pip install spaceone-core) for a service's unit tests".to_string())
        );
    }

    #[test]
    fn spacectl_commands_are_not_spaceone_commands() {
        for args in [
            &["config", "show"][..],
            &["exec", "init", "plugin.Collector"],
            &["version"],
        ] {
            let e = parse(args).err().unwrap_or_default();
            assert!(e.contains("unrecognized subcommand"), "{args:?}: {e}");
        }
    }
}
