//! `spacectl run plugin-server PACKAGE`: serve a plugin over gRPC as the kind
//! it is (from the class of its app, its routes, or `--kind`).

use std::time::Duration;

use super::hints;
use crate::cli::PluginServerArgs;
use crate::error::{AppError, Result};
use crate::plugin::host::handler::{DEFAULT_IDLE_TIMEOUT, HandlerConfig};
use crate::plugin::host::kind::KindOptions;
use crate::plugin::host::server::{self, ServeOptions};
use crate::plugin::kinds;

/// Worker count used when `-w`/`SPACEONE_WORKER` is 0 (same rule).
const DEFAULT_WORKERS: usize = 100;

/// The server options for the parsed command line.
fn options(a: PluginServerArgs) -> ServeOptions {
    let workers = if a.worker == 0 {
        DEFAULT_WORKERS
    } else {
        a.worker
    };
    let handler = HandlerConfig {
        package: a.package.clone(),
        app_path: a.app_path,
        source_root: a.source_root,
        module_paths: a.module_path,
        python: a.python,
        handler_cmd: a.handler,
        workers,
        processes: 0,
        timeout: (a.timeout > 0).then(|| Duration::from_secs(a.timeout)),
        idle_timeout: DEFAULT_IDLE_TIMEOUT,
    };
    ServeOptions {
        package: a.package,
        host: a.host,
        port: a.port,
        handler,
        options: KindOptions {
            inventory_v1: a.inventory_v1,
        },
        kind: a.kind,
        select: kinds::select_for,
    }
}

pub fn run(a: PluginServerArgs) -> Result<()> {
    let package = a.package.clone();
    let source_root = a.source_root.clone();
    let python = a.python.clone();
    server::run(options(a)).map_err(|e| match e {
        AppError::Plain { text, code } => {
            let cwd = std::env::current_dir().unwrap_or_default();
            let scan = hints::PackageScan::look(&cwd, &source_root, &package);
            if let Some(lines) =
                hints::package_lines(&text, &package, "spacectl run plugin-server", &scan)
            {
                return AppError::plain(format!("{}\n{lines}", upstream_line(&text)), code);
            }
            let project = hints::Project::look(&cwd, &source_root);
            match hints::import_hint(&text, &package, python.as_deref(), &project) {
                Some(hint) => AppError::plain(format!("{}\n{hint}", text.trim_end()), code),
                None => AppError::Plain { text, code },
            }
        }
        other => other,
    })
}

/// The upstream line of an import failure (`ERROR: Exception: The package(...)
/// can not imported. ...`), without the traceback before it: the package is not
/// there, so the traceback only says `No module named`.
fn upstream_line(text: &str) -> &str {
    text.lines()
        .rev()
        .find(|l| l.contains("can not imported"))
        .unwrap_or(text.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command, RunCommand};
    use clap::Parser;

    fn parse(args: &[&str]) -> PluginServerArgs {
        let mut argv = vec!["spacectl", "run", "plugin-server"];
        argv.extend_from_slice(args);
        match Cli::try_parse_from(argv)
            .expect("valid command line")
            .command
        {
            Command::Run(RunCommand::PluginServer(a)) => a,
            _ => panic!("not plugin-server"),
        }
    }

    #[test]
    fn zero_workers_mean_the_default_and_port_zero_any_free_port() {
        let o = options(parse(&["plugin", "-p", "0", "-w", "0"]));
        assert_eq!(o.port, 0);
        assert_eq!(o.handler.workers, 100);
    }

    #[test]
    fn flags_reach_the_handler_config() {
        let o = options(parse(&[
            "plugin",
            "-p",
            "50999",
            "-w",
            "3",
            "--timeout",
            "0",
            "--host",
            "127.0.0.1",
        ]));
        assert_eq!(o.port, 50999);
        assert_eq!(o.host, "127.0.0.1");
        assert_eq!(o.package, "plugin");
        assert_eq!(o.handler.package, "plugin");
        assert_eq!(o.handler.app_path, "{package}.main:app");
        assert_eq!(o.handler.workers, 3);
        assert_eq!(o.handler.timeout, None);
        let o = options(parse(&["plugin", "--timeout", "5"]));
        assert_eq!(o.handler.timeout, Some(Duration::from_secs(5)));
        assert!(!o.options.inventory_v1);
        assert!(
            options(parse(&["plugin", "--inventory-v1"]))
                .options
                .inventory_v1
        );
    }
}
