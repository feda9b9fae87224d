//! The whole command tree: every command, flag and help text is declared here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const ABOUT: &str = "spacectl controls the SpaceONE services.";

const LONG_ABOUT: &str = "spacectl controls the SpaceONE services.

API Reference: https://spaceone-dev.gitbook.io/spaceone-apis

Following steps for first time user.

    1. spacectl config init

    2. spacectl config set api_key <api_key>

    3. spacectl config endpoint add <service> <endpoint>";

#[derive(Debug, Parser)]
#[command(
    name = "spacectl",
    about = ABOUT,
    long_about = LONG_ABOUT,
    disable_version_flag = true,
    arg_required_else_help = true,
    subcommand_help_heading = "Commands",
    args_override_self = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyze resources
    Analyze(StatArgs),
    /// Print the supported API resources
    ApiResources,
    /// Apply a task manifest (idempotent registration of resources)
    Apply(ApplyArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completion {
        /// Shell to generate the script for
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Modify spaceconfig files
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Create a plugin project that runs right away (inventory collector)
    CreateProject(CreateProjectArgs),
    /// Execute a method to resource
    Exec(ExecArgs),
    /// Show details of a specific resource
    Get(GetArgs),
    /// Display one or many resources
    List(ListArgs),
    /// Plugin author tools (metadata conversion, smoke tests)
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Run a local server (plugin-server)
    #[command(subcommand)]
    Run(RunCommand),
    /// Querying statistics for resources
    Stat(StatArgs),
    /// Manage resource templates
    #[command(subcommand)]
    Template(TemplateCommand),
    /// Print the client version information
    Version,
}

// ---------------------------------------------------------------- apply

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Manifest file (YAML)
    #[arg(value_name = "FILE_PATH")]
    pub file_path: PathBuf,
    /// Output format of the final document
    #[arg(short = 'o', long = "output", value_enum, default_value_t = ApplyFormat::None)]
    pub output: ApplyFormat,
    /// Configure additional environment variables. (-e KEY=VALUE, repeatable)
    #[arg(short = 'e', long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Configure additional variables. You can override existing variables as well. (-v KEY=VALUE, repeatable)
    #[arg(short = 'v', long = "var", value_name = "KEY=VALUE")]
    pub var: Vec<String>,
    /// Yaml file to configure var and env
    #[arg(long = "var-file", value_name = "PATH", value_parser = existing_path)]
    pub var_file: Option<PathBuf>,
    /// Suppress task banners and module chatter
    #[arg(short = 's', long = "silent")]
    pub silent: bool,
    /// Print what each task would call, call nothing
    #[arg(long = "dry-run")]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApplyFormat {
    Json,
    Yaml,
    None,
}

// ---------------------------------------------------------------- config

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Initialize an environment and switch to it
    Init {
        /// Environment name (prompted when absent; default "default")
        #[arg(short = 'e', long = "environment")]
        environment: Option<String>,
        /// YAML file only: import its content as the environment's configuration
        #[arg(short = 'f', long = "import-file", value_parser = existing_path)]
        import_file: Option<PathBuf>,
    },
    /// Set a top-level key of the current environment (the value is stored as a string)
    Set {
        /// Key to set (dots are literal, no nesting)
        key: String,
        /// Value to store
        value: String,
    },
    /// Remove a top-level key of the current environment
    Remove {
        /// Key to remove
        key: String,
    },
    /// Show the current environment's configuration
    Show {
        /// Output format
        #[arg(short = 'o', long = "output", value_enum, default_value_t = DocFormat::Yaml)]
        output: DocFormat,
        /// Show api_key and token values instead of REDACTED
        #[arg(long)]
        raw: bool,
    },
    /// List environments, or switch to / remove one
    Environment {
        /// Switch to this environment
        #[arg(short = 's', long = "switch")]
        switch: Option<String>,
        /// Remove this environment
        #[arg(short = 'r', long = "remove")]
        remove: Option<String>,
    },
    /// Manage the service endpoints of the current environment
    #[command(subcommand)]
    Endpoint(EndpointCommand),
}

#[derive(Debug, Subcommand)]
pub enum EndpointCommand {
    /// Add an endpoint (grpc://HOST:PORT or grpc+ssl://HOST:PORT)
    Add {
        /// Service name, e.g. identity, inventory, plugin
        service: String,
        /// Endpoint URL, e.g. grpc://localhost:50051
        endpoint: String,
    },
    /// Replace the URL of an existing endpoint
    Update {
        /// Service name
        service: String,
        /// New endpoint URL
        endpoint: String,
    },
    /// Remove an endpoint
    Remove {
        /// Service name
        service: String,
    },
    /// Show the endpoints of the current environment
    Show(EndpointShowArgs),
    /// Show the endpoints of the current environment (same as show)
    List(EndpointShowArgs),
}

#[derive(Debug, Args)]
pub struct EndpointShowArgs {
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value_t = EndpointFormat::Table)]
    pub output: EndpointFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EndpointFormat {
    Table,
    Json,
    Yaml,
}

/// Formats that print whole documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    Json,
    Yaml,
}

// ---------------------------------------------------------------- client calls

/// Request parameters shared by every calling command. Merge order: file < json < params.
#[derive(Debug, Args, Clone, Default)]
pub struct ParamArgs {
    /// Input Parameter (-p <key>=<value> -p ...)
    #[arg(short = 'p', long = "parameter", value_name = "KEY=VALUE")]
    pub parameter: Vec<String>,
    /// JSON parameter
    #[arg(short = 'j', long = "json-parameter", value_name = "JSON")]
    pub json_parameter: Option<String>,
    /// YAML file only
    #[arg(short = 'f', long = "file-parameter", value_name = "PATH", value_parser = existing_path)]
    pub file_parameter: Option<PathBuf>,
}

/// Connection options shared by every calling command.
#[derive(Debug, Args, Clone, Default)]
pub struct CallArgs {
    /// API Version (prefers the service whose package ends in this version)
    #[arg(short = 'v', long = "api-version", default_value = "v1")]
    pub api_version: String,
    /// Always ask the server by reflection; do not read or write the descriptor cache
    #[arg(long = "no-cache")]
    pub no_cache: bool,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Method name, e.g. init, collect, list (case-sensitive)
    pub verb: String,
    /// SERVICE.Resource (e.g. plugin.Collector) or a short name (e.g. provider)
    pub resource: String,
    #[command(flatten)]
    pub params: ParamArgs,
    #[command(flatten)]
    pub call: CallArgs,
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value_t = ExecFormat::Yaml)]
    pub output: ExecFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExecFormat {
    Table,
    Csv,
    Json,
    Yaml,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// SERVICE.Resource (e.g. identity.Provider) or a short name (e.g. provider)
    pub resource: String,
    #[command(flatten)]
    pub params: ParamArgs,
    #[command(flatten)]
    pub call: CallArgs,
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value_t = DocFormat::Yaml)]
    pub output: DocFormat,
}

// ---------------------------------------------------------------- list / stat / analyze

#[derive(Debug, Args)]
pub struct ListArgs {
    /// SERVICE.Resource (e.g. identity.Provider) or a short name (e.g. provider)
    pub resource: String,
    /// Parameter (-p <key>=<value>)
    #[arg(short = 'p', long = "parameter", value_name = "KEY=VALUE")]
    pub parameter: Vec<String>,
    /// JSON type parameter
    #[arg(short = 'j', long = "json-parameter", value_name = "JSON")]
    pub json_parameter: Option<String>,
    /// Parameter file (YAML)
    #[arg(short = 'f', long = "file-parameter", value_name = "PATH", value_parser = existing_path)]
    pub file_parameter: Option<PathBuf>,
    /// Minimal columns
    #[arg(short = 'm', long = "minimal")]
    pub minimal: bool,
    /// All columns
    #[arg(short = 'a', long = "all")]
    pub all: bool,
    /// Specific columns (-c id,name)
    #[arg(short = 'c', long = "columns", value_name = "KEY[|NAME],...")]
    pub columns: Option<String>,
    /// Template file (YAML)
    #[arg(short = 't', long = "template-file", value_name = "PATH", value_parser = existing_path)]
    pub template_file: Option<PathBuf>,
    /// Number of rows
    #[arg(short = 'l', long = "limit", allow_negative_numbers = true)]
    pub limit: Option<i64>,
    /// Sorting by given key (-s [-]<key>)
    #[arg(
        short = 's',
        long = "sort",
        value_name = "[-]KEY",
        allow_hyphen_values = true
    )]
    pub sort: Option<String>,
    #[command(flatten)]
    pub call: CallArgs,
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value_t = ListFormat::Table)]
    pub output: ListFormat,
}

/// `stat` and `analyze` take the same options.
#[derive(Debug, Args)]
pub struct StatArgs {
    /// SERVICE.Resource (e.g. identity.Provider) or a short name (e.g. provider)
    pub resource: String,
    /// Input Parameter (-p <key>=<value> -p ...)
    #[arg(short = 'p', long = "parameter", value_name = "KEY=VALUE")]
    pub parameter: Vec<String>,
    /// JSON type parameter
    #[arg(short = 'j', long = "json-parameter", value_name = "JSON")]
    pub json_parameter: Option<String>,
    /// YAML file only
    #[arg(short = 'f', long = "file-parameter", value_name = "PATH", value_parser = existing_path)]
    pub file_parameter: Option<PathBuf>,
    /// Specific columns (-c id,name)
    #[arg(short = 'c', long = "columns", value_name = "KEY[|NAME],...")]
    pub columns: Option<String>,
    /// Number of rows
    #[arg(short = 'l', long = "limit", allow_negative_numbers = true)]
    pub limit: Option<i64>,
    #[command(flatten)]
    pub call: CallArgs,
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value_t = ListFormat::Table)]
    pub output: ListFormat,
}

/// Output formats of `list`, `stat` and `analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Yaml,
    Csv,
    Quiet,
}

// ---------------------------------------------------------------- template

#[derive(Debug, Subcommand)]
pub enum TemplateCommand {
    /// Set resource template
    Set {
        /// SERVICE.Resource (e.g. identity.Provider) or a short name (e.g. provider)
        resource: String,
        /// Import template file (YAML)
        #[arg(short = 'f', long = "file", value_name = "PATH", value_parser = existing_path)]
        file: Option<PathBuf>,
    },
    /// Display resource template
    Show {
        /// SERVICE.Resource (e.g. identity.Provider) or a short name (e.g. provider)
        resource: String,
    },
    /// Remove resource template
    Remove {
        /// SERVICE.Resource (e.g. identity.Provider) or a short name (e.g. provider)
        resource: String,
    },
}

// ---------------------------------------------------------------- plugin host

#[derive(Debug, Subcommand)]
pub enum RunCommand {
    /// Serve a collector plugin over gRPC (Collector, Job, Health, ServerInfo, reflection)
    PluginServer(PluginServerArgs),
}

#[derive(Debug, Args, Clone)]
pub struct PluginServerArgs {
    /// Importable package name of the plugin, e.g. plugin
    pub package: String,
    /// Module path of the app: the text before ':' is imported after {package} substitution
    #[arg(short = 'a', long = "app-path", default_value = "{package}.main:app")]
    pub app_path: String,
    /// Source root put first on the import path
    #[arg(short = 's', long = "source-root", default_value = ".", value_parser = existing_path)]
    pub source_root: PathBuf,
    /// Port to listen on
    #[arg(
        short = 'p',
        long = "port",
        env = "SPACEONE_PORT",
        default_value_t = 50051
    )]
    pub port: u16,
    /// Most calls served at once, like upstream's worker threads (further calls queue);
    /// handlers run them on few processes, one per CPU core (see docs/plugin-protocol.md)
    #[arg(
        short = 'w',
        long = "worker",
        env = "SPACEONE_WORKER",
        default_value_t = 100
    )]
    pub worker: usize,
    /// Extra module path put on the import path (repeatable; takes precedence over -s)
    #[arg(short = 'm', long = "module-path", value_parser = existing_path)]
    pub module_path: Vec<PathBuf>,
    /// Address to bind
    #[arg(long = "host", default_value = "::")]
    pub host: String,
    /// Python interpreter that runs the plugin code
    #[arg(long = "python", value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Run this command as the handler instead of the Python runner (any language;
    /// see docs/plugin-protocol.md)
    #[arg(long = "handler", value_name = "CMD")]
    pub handler: Option<String>,
    /// Seconds a single call (a whole collect stream included) may take before it fails with
    /// DEADLINE_EXCEEDED and its handler is replaced; 0 = no limit, like upstream
    #[arg(long = "timeout", default_value_t = 0)]
    pub timeout: u64,
}

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Convert a metadata YAML file into the console's dynamic view (printed as JSON)
    Metadata {
        /// Metadata YAML file, e.g. metadata/investment/cryptocurrency.yaml
        #[arg(value_parser = existing_path)]
        file: PathBuf,
    },
    /// Smoke-test a plugin: serve it on a free local port, call init, verify and
    /// collect, check every response and print a summary
    Test(Box<PluginTestArgs>),
}

// ---------------------------------------------------------------- plugin authoring

#[derive(Debug, Args)]
pub struct CreateProjectArgs {
    /// Project directory to create; the plugin package is PROJECT_NAME/src/plugin. When
    /// the parent directory is named src (e.g. src/plugin), PROJECT_NAME is the plugin
    /// package itself and the project files go next to src
    #[arg(value_name = "PROJECT_NAME")]
    pub name: String,
    /// Directory to create the project in (default: the current directory; created when missing)
    #[arg(short = 'd', long = "directory", value_name = "PATH")]
    pub directory: Option<PathBuf>,
    /// Kind of plugin: asset (inventory collector; the default, also accepted as collector
    /// or spaceone.inventory.plugin.collector.skeleton)
    #[arg(short = 's', long = "source", value_name = "KIND")]
    pub source: Option<String>,
    /// Provider of the collected resources, e.g. my_cloud (default: derived from the project name)
    #[arg(long = "provider", value_name = "NAME")]
    pub provider: Option<String>,
    /// Cloud service group, e.g. Compute (default: derived from the project name)
    #[arg(long = "group", value_name = "NAME")]
    pub group: Option<String>,
    /// Cloud service type, e.g. Instance (default: Resource)
    #[arg(long = "type", value_name = "NAME")]
    pub type_name: Option<String>,
    /// Print nothing on success (by default the next steps are printed on stderr)
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,
}

#[derive(Debug, Args, Clone)]
pub struct PluginTestArgs {
    /// Importable package name of the plugin
    #[arg(default_value = "plugin")]
    pub package: String,
    /// Source root put first on the import path (default: src when it holds PACKAGE,
    /// else the current directory)
    #[arg(short = 's', long = "source-root", value_name = "PATH", value_parser = existing_path)]
    pub source_root: Option<PathBuf>,
    /// Module path of the app: the text before ':' is imported after {package} substitution
    #[arg(short = 'a', long = "app-path", default_value = "{package}.main:app")]
    pub app_path: String,
    /// Extra module path put on the import path (repeatable; takes precedence over -s)
    #[arg(short = 'm', long = "module-path", value_name = "PATH", value_parser = existing_path)]
    pub module_path: Vec<PathBuf>,
    /// Collect request (YAML: options, secret_data, task_options); its options go to init
    /// and verify too (default: collect.yaml of the project root or the current directory)
    #[arg(short = 'f', long = "file-parameter", value_name = "PATH", value_parser = existing_path)]
    pub file_parameter: Option<PathBuf>,
    /// secret_data for verify and collect: a YAML or JSON mapping, or a request file with a
    /// secret_data key. Verify is called only when this is given
    #[arg(long = "secret", value_name = "FILE", value_parser = existing_path)]
    pub secret: Option<PathBuf>,
    /// Also call Job.get_tasks, then collect once per task
    #[arg(long = "tasks")]
    pub tasks: bool,
    /// Python interpreter that runs the plugin code (for plugins built on the Python
    /// framework: the interpreter of their virtualenv)
    #[arg(long = "python", value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Run this command as the handler instead of the Python runner (see docs/plugin-protocol.md)
    #[arg(long = "handler", value_name = "CMD")]
    pub handler: Option<String>,
    /// Seconds a single call may take (0 = no limit)
    #[arg(long = "timeout", value_name = "SECONDS", default_value_t = 120)]
    pub timeout: u64,
    /// Fail on warnings too (e.g. metadata fields missing from data)
    #[arg(long = "strict")]
    pub strict: bool,
    /// Write the plugin host's log to this file
    #[arg(long = "log", value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// Report format
    #[arg(short = 'o', long = "output", value_enum, default_value_t = TestFormat::Table)]
    pub output: TestFormat,
}

/// Formats of the `plugin test` report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    Table,
    Json,
}

/// click's `type=click.Path(exists=True)`: reject missing paths as a usage error.
fn existing_path(s: &str) -> Result<PathBuf, String> {
    let p = PathBuf::from(s);
    if p.exists() {
        Ok(p)
    } else {
        Err(format!("Path '{s}' does not exist."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Command {
        Cli::try_parse_from(std::iter::once("spacectl").chain(args.iter().copied()))
            .expect("valid command line")
            .command
    }

    #[test]
    fn repeated_options_keep_the_last_value_like_click() {
        let Command::Exec(a) = parse(&[
            "exec",
            "init",
            "plugin.Collector",
            "-o",
            "json",
            "-o",
            "yaml",
        ]) else {
            panic!("exec expected");
        };
        assert_eq!(a.output, ExecFormat::Yaml);
    }

    #[test]
    fn repeated_parameters_accumulate() {
        let Command::Exec(a) =
            parse(&["exec", "init", "plugin.Collector", "-p", "a=1", "-p", "b=2"])
        else {
            panic!("exec expected");
        };
        assert_eq!(
            a.params.parameter,
            vec!["a=1".to_string(), "b=2".to_string()]
        );
    }

    #[test]
    fn the_command_tree_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
