//! The whole command tree: every command, flag and help text is declared here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[path = "cli_examples.rs"]
mod examples;
#[allow(unused_imports)]
pub use examples::KIND_NAMES;

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
    version,
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
    ApiResources(ApiResourcesArgs),
    /// Apply a task manifest (idempotent registration of resources)
    Apply(ApplyArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completion {
        /// Shell to generate the script for
        #[arg(value_enum)]
        shell: clap_complete::Shell,
        /// Program name the script completes: spacectl, or spaceone (the name with its
        /// own command tree, e.g. a `ln -s spacectl spaceone` link)
        #[arg(long = "name", value_enum, default_value_t = BinName::Spacectl)]
        name: BinName,
    },
    /// Modify spaceconfig files
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Create a plugin project of any kind that runs right away (an inventory collector
    /// by default; -s KIND for the others)
    CreateProject(CreateProjectArgs),
    /// Execute a method to resource
    Exec(ExecArgs),
    /// Show details of a specific resource
    Get(GetArgs),
    /// Display one or many resources
    List(ListArgs),
    /// Sign in to SpaceONE 2.x; the granted token becomes the environment's api_key
    #[command(after_help = LOGIN_EXAMPLES)]
    Login(LoginArgs),
    /// Forget the current environment's token and its kept login
    Logout,
    /// Write the manual pages of spacectl and spaceone (one per command) into a directory
    Man {
        /// Directory to write the pages into (created when missing), e.g. ~/.cargo/share/man/man1,
        /// which man searches when ~/.cargo/bin is on PATH; a note says when man will not find them
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Plugin author tools (metadata conversion, smoke tests, the handler protocol)
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
    /// Show what the current token is: user or app, domain, workspace, role, expiry
    #[command(
        after_help = "Examples:\n  spacectl whoami\n  spacectl whoami --verify     # ask identity whether it accepts the token\n  spacectl whoami -o json"
    )]
    Whoami(WhoamiArgs),
}

const LOGIN_EXAMPLES: &str = "Examples:
  spacectl login                                   # on a terminal: asks, then offers your workspaces
  echo \"$PASSWORD\" | spacectl login --domain spaceone --user admin@example.com --password-stdin
  spacectl login --workspace default               # another workspace, from the kept login (no password)
  spacectl login --scope domain                    # back to a domain token

The granted token becomes the environment's api_key (a `token` key, which would shadow it, is
removed). The refresh token is kept in ~/.spaceone/sessions/ENV.json (mode 0600), outside the
environment file: --workspace, --scope and a bare `spacectl login` in a script grant anew from it
without the password, and an expired token is granted anew from it before a call.";

// ---------------------------------------------------------------- sessions

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Domain name (asked on a terminal; default: the kept login's)
    #[arg(short = 'd', long = "domain", value_name = "NAME")]
    pub domain: Option<String>,
    /// User id, e.g. admin@example.com (asked on a terminal; default: the kept login's)
    #[arg(short = 'u', long = "user", value_name = "USER_ID")]
    pub user: Option<String>,
    /// Read the password from the first line of stdin (never asked when stdin is not a terminal)
    #[arg(long = "password-stdin")]
    pub password_stdin: bool,
    /// Get a WORKSPACE token for this workspace (name or id)
    #[arg(
        short = 'w',
        long = "workspace",
        value_name = "NAME_OR_ID",
        conflicts_with = "scope"
    )]
    pub workspace: Option<String>,
    /// Get a DOMAIN token (domain admins) or a USER token (your own resources)
    #[arg(long = "scope", value_enum)]
    pub scope: Option<LoginScope>,
    #[command(flatten)]
    pub tls: TlsArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LoginScope {
    Domain,
    User,
}

#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// Ask identity whether it accepts the token
    #[arg(long)]
    pub verify: bool,
    /// Output format (default: one `key: value` line each)
    #[arg(short = 'o', long = "output", value_enum)]
    pub output: Option<DocFormat>,
    #[command(flatten)]
    pub tls: TlsArgs,
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
    #[command(flatten)]
    pub tls: TlsArgs,
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
        /// Identity endpoint of a SpaceONE 2.x: the other endpoints are discovered from it
        /// (as `config endpoint discover`)
        #[arg(long = "identity", value_name = "URL")]
        identity: Option<String>,
        /// With --identity: write the internal endpoints instead of the public ones
        #[arg(long = "internal", requires = "identity")]
        internal: bool,
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
    /// Fill the endpoints from identity's list (SpaceONE 2.x; no token needed),
    /// keeping those identity does not list, and print what changed
    #[command(
        after_help = "Examples:\n  spacectl config endpoint discover\n  spacectl config endpoint discover --internal\n  spacectl config endpoint discover --identity grpc+ssl://identity.example.com:443"
    )]
    Discover {
        /// Write each service's internal endpoint instead of its public one
        #[arg(long)]
        internal: bool,
        /// Identity endpoint to ask (default: the environment's identity endpoint)
        #[arg(long = "identity", value_name = "URL")]
        identity: Option<String>,
        #[command(flatten)]
        tls: TlsArgs,
    },
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
    #[command(flatten)]
    pub tls: TlsArgs,
}

/// TLS files of `grpc+ssl://` endpoints, shared by every calling command. Each
/// overrides the environment file's key of the same name (`ca_file`, `client_cert`,
/// `client_key`).
#[derive(Debug, Args, Clone, Default)]
pub struct TlsArgs {
    /// PEM file of the certificates to trust for grpc+ssl:// endpoints, instead of the
    /// system roots (a self-signed server certificate can be given here)
    #[arg(long = "ca-file", value_name = "PATH", value_parser = existing_path)]
    pub ca_file: Option<PathBuf>,
    /// PEM file of a client certificate (chain) to present to grpc+ssl:// endpoints
    /// (mutual TLS); needs --client-key
    #[arg(
        long = "client-cert",
        value_name = "PATH",
        value_parser = existing_path,
        requires = "client_key"
    )]
    pub client_cert: Option<PathBuf>,
    /// PEM file of the client certificate's private key; needs --client-cert
    #[arg(
        long = "client-key",
        value_name = "PATH",
        value_parser = existing_path,
        requires = "client_cert"
    )]
    pub client_key: Option<PathBuf>,
}

/// `api-resources` takes only the TLS files.
#[derive(Debug, Args, Clone, Default)]
pub struct ApiResourcesArgs {
    #[command(flatten)]
    pub tls: TlsArgs,
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
    /// Watch: list again every SECONDS (default 2) and print the rows that are
    /// new or changed, after a time-stamp line, until Ctrl-C or --until
    #[arg(short = 'w', long = "watch", value_name = "SECONDS", num_args = 0..=1,
          default_missing_value = "2")]
    pub watch: Option<f64>,
    /// With --watch: stop (exit 0) once every listed row has FIELD=VALUE
    /// (a dotted path or a column name; implies --watch), e.g.
    /// `list inventory.Job -p job_id=job-1 -w --until status=SUCCESS`
    #[arg(long = "until", value_name = "FIELD=VALUE")]
    pub until: Option<String>,
    /// Keep long cells whole: on a terminal, tables are fitted to its width by
    /// shortening long cells with … (piped output is never shortened)
    #[arg(long = "wide")]
    pub wide: bool,
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
    /// Serve a plugin over gRPC (its kind's services, Health, ServerInfo, reflection)
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
    /// Port to listen on; 0 lets the system choose a free port, which the start line
    /// (`Start gRPC Server (...): port=N`) names
    #[arg(
        short = 'p',
        long = "port",
        env = "SPACEONE_PORT",
        default_value_t = 50051
    )]
    pub port: u16,
    /// Most calls served at once, like upstream's worker threads (further calls queue);
    /// handlers run them on few processes, one per CPU core (see `spacectl plugin protocol`)
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
    /// Address to bind. The default `::` binds every interface (IPv6 and IPv4, or
    /// 0.0.0.0 without IPv6), so other machines can call the plugin; --host 127.0.0.1
    /// binds the loopback interface only
    #[arg(long = "host", env = "SPACEONE_HOST", default_value = "::")]
    pub host: String,
    /// Python interpreter that runs the plugin code (default: python3; for plugins built
    /// on the Python framework: the interpreter of their virtualenv)
    #[arg(long = "python", value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Run this command as the handler instead of the Python runner (any language;
    /// `spacectl plugin protocol` prints the protocol)
    #[arg(long = "handler", value_name = "CMD")]
    pub handler: Option<String>,
    /// Seconds a single call (a whole collect stream included) may take before it fails with
    /// DEADLINE_EXCEEDED and its handler is replaced; 0 = no limit, like upstream
    #[arg(long = "timeout", default_value_t = 0)]
    pub timeout: u64,
    /// For inventory 1.x: also send json_metadata decoded as metadata and a cloud service's
    /// json_data decoded as data (inventory 1.x reads only those, and fails the job task on a
    /// v2 plugin's null ones)
    #[arg(long = "inventory-v1")]
    pub inventory_v1: bool,
    /// Serve the plugin as this kind: asset (the inventory collector; also collector),
    /// external-auth (auth), account-collector, cost, notification, webhook, metric or log.
    /// By default the class of the plugin's app tells (or, failing that, its routes)
    #[arg(long = "kind", value_name = "KIND")]
    pub kind: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Convert a metadata YAML file into the console's dynamic view (printed as JSON)
    Metadata {
        /// Metadata YAML file, e.g. metadata/investment/cryptocurrency.yaml
        #[arg(value_parser = existing_path)]
        file: PathBuf,
    },
    /// Print the handler protocol: how the host runs plugin code in any language
    Protocol,
    /// Smoke-test a plugin of any kind: serve it on a free local port, call its routes,
    /// check every response and print a summary. A collector gets init, verify (with
    /// verify.yaml or --secret), get_tasks and collect (once per task); the other kinds
    /// (external-auth, account-collector, cost, notification, webhook, metric, log) get
    /// every route with its request file (`# spacectl exec VERB plugin.SERVICE -f FILE`
    /// on the file's first line), then an empty request, which must be refused
    Test(Box<PluginTestArgs>),
    /// Build the plugin's image, tagged NAME:VERSION (NAME from register.yaml)
    #[command(after_help = PLUGIN_BUILD_EXAMPLES)]
    Build(PluginBuildArgs),
    /// Push the plugin's image to a registry and register it in SpaceONE's repository
    #[command(after_help = PLUGIN_PUBLISH_EXAMPLES)]
    Publish(Box<PluginPublishArgs>),
}

const PLUGIN_BUILD_EXAMPLES: &str = "Examples:
  spacectl plugin build                                # in the project: plugin-my-cloud-inven-collector:0.1.0
  spacectl plugin build --base-image local/python3:bookworm   # no Docker Hub here: a base image of your own
  spacectl plugin build my-collector --tag my-collector:dev   # another project directory, one more tag

The Docker command is `docker` on PATH (SPACECTL_DOCKER names another), talking to the daemon of
DOCKER_HOST or its context. The build context gets this spacectl as bin/spacectl.";

const PLUGIN_PUBLISH_EXAMPLES: &str = "Examples:
  spacectl plugin publish --registry registry.example.com/my-org
  spacectl plugin publish --registry 127.0.0.1:5000/my-org --dry-run   # print the plan, change nothing
  spacectl plugin publish --registry 127.0.0.1:5000/my-org --build     # build first

The image NAME:VERSION (as plugin build tags it) is pushed as REGISTRY/NAMESPACE/NAME:VERSION,
then registered with register.yaml in the repository service of the current spacectl
environment (its `repository` endpoint), which must map the registry type (HARBOR for a
plain registry) to this registry in its REGISTRY_URL_MAP (1.x) or REGISTRY_INFO (2.x).
Running it again changes nothing; a new VERSION adds the version to the registered plugin.";

#[derive(Debug, Args, Clone)]
pub struct PluginBuildArgs {
    /// Project directory (holds Dockerfile, VERSION, register.yaml)
    #[arg(value_name = "PROJECT_DIR", default_value = ".")]
    pub project: PathBuf,
    /// Base image of the Dockerfile's BASE_IMAGE argument (default: python:3.12-slim)
    #[arg(long = "base-image", value_name = "IMAGE")]
    pub base_image: Option<String>,
    /// One more tag for the image, NAME[:TAG] (repeatable)
    #[arg(short = 't', long = "tag", value_name = "NAME[:TAG]")]
    pub tag: Vec<String>,
    /// Image name instead of register.yaml's image (without registry or tag)
    #[arg(long = "image", value_name = "NAME")]
    pub image: Option<String>,
    /// The Linux spacectl binary to put into the image (default: this program)
    #[arg(long = "spacectl", value_name = "PATH")]
    pub spacectl: Option<PathBuf>,
}

#[derive(Debug, Args, Clone)]
pub struct PluginPublishArgs {
    /// Project directory (holds Dockerfile, VERSION, register.yaml)
    #[arg(value_name = "PROJECT_DIR", default_value = ".")]
    pub project: PathBuf,
    /// Registry to push to: HOST[:PORT][/NAMESPACE], e.g. registry.example.com/my-org
    #[arg(long = "registry", value_name = "HOST[:PORT][/NAMESPACE]")]
    pub registry: String,
    /// Registry type the repository records (default: DOCKER_HUB for docker.io,
    /// AWS_PRIVATE_ECR for Amazon ECR, HARBOR for any other registry)
    #[arg(long = "registry-type", value_name = "TYPE")]
    pub registry_type: Option<String>,
    /// Plugin id (default: the image name)
    #[arg(long = "plugin-id", value_name = "ID")]
    pub plugin_id: Option<String>,
    /// Image name instead of register.yaml's image (without registry or tag)
    #[arg(long = "image", value_name = "NAME")]
    pub image: Option<String>,
    /// Build the image first (as plugin build, with its --base-image and --spacectl)
    #[arg(long = "build")]
    pub build: bool,
    /// Base image for --build
    #[arg(long = "base-image", value_name = "IMAGE", requires = "build")]
    pub base_image: Option<String>,
    /// The Linux spacectl binary for --build (default: this program)
    #[arg(long = "spacectl", value_name = "PATH", requires = "build")]
    pub spacectl: Option<PathBuf>,
    /// Print the push and the registration request without doing them
    #[arg(long = "dry-run")]
    pub dry_run: bool,
    /// The repository's API: 1 (SpaceONE 1.x) or 2 (2.x, the LOCAL repository);
    /// default: what the repository service offers
    #[arg(long = "api", value_name = "1|2", value_parser = clap::value_parser!(u8).range(1..=2))]
    pub api: Option<u8>,
    #[command(flatten)]
    pub tls: TlsArgs,
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
    /// Kind of plugin: asset (the inventory collector, the default; also collector or
    /// spaceone.inventory.plugin.collector.skeleton), external-auth (auth),
    /// account-collector, cost, notification, webhook, metric or log
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
    /// Source root put first on the import path (default: src when it holds PACKAGE, or
    /// when the current directory has a src but not PACKAGE; else the current directory)
    #[arg(short = 's', long = "source-root", value_name = "PATH", value_parser = existing_path)]
    pub source_root: Option<PathBuf>,
    /// Module path of the app: the text before ':' is imported after {package} substitution
    #[arg(short = 'a', long = "app-path", default_value = "{package}.main:app")]
    pub app_path: String,
    /// Extra module path put on the import path (repeatable; takes precedence over -s)
    #[arg(short = 'm', long = "module-path", value_name = "PATH", value_parser = existing_path)]
    pub module_path: Vec<PathBuf>,
    /// Collect request (YAML: options, secret_data, task_options); its options go to init
    /// and get_tasks too, and to verify unless verify.yaml has its own (default:
    /// collect.yaml of the project root or the current directory)
    #[arg(short = 'f', long = "file-parameter", value_name = "PATH", value_parser = existing_path)]
    pub file_parameter: Option<PathBuf>,
    /// secret_data for verify, get_tasks and collect: a YAML or JSON mapping, or a request
    /// file with a secret_data key (default: verify gets verify.yaml's, the others the
    /// collect request's)
    #[arg(long = "secret", value_name = "FILE", value_parser = existing_path)]
    pub secret: Option<PathBuf>,
    /// Do not call Collector.verify (by default it is called when the project has a
    /// verify.yaml, next to collect.yaml, or --secret is given)
    #[arg(long = "no-verify")]
    pub no_verify: bool,
    /// Do not call Job.get_tasks: collect once with the request as it is (by default
    /// collect runs once per task, like the inventory service)
    #[arg(long = "no-tasks", conflicts_with = "tasks")]
    pub no_tasks: bool,
    /// Call Job.get_tasks and collect once per task (the default; kept so that
    /// existing scripts that pass it keep working)
    #[arg(long = "tasks", hide = true)]
    pub tasks: bool,
    /// Python interpreter that runs the plugin code (for plugins built on the Python
    /// framework: the interpreter of their virtualenv)
    #[arg(long = "python", value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Run this command as the handler instead of the Python runner (`spacectl plugin
    /// protocol` prints the protocol)
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

// ---------------------------------------------------------------- the spaceone name

/// The two names the binary answers to, each with its own command tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BinName {
    Spacectl,
    Spaceone,
}

impl BinName {
    pub fn as_str(self) -> &'static str {
        match self {
            BinName::Spacectl => "spacectl",
            BinName::Spaceone => "spaceone",
        }
    }
}

const SPACEONE_ABOUT: &str = "spaceone creates, tests and serves SpaceONE plugins.";

const SPACEONE_LONG_ABOUT: &str = "spaceone creates, tests and serves SpaceONE plugins (the \
plugin commands of spacectl, under upstream's names).

Following steps for first time user.

    1. spaceone create-project my-collector

    2. cd my-collector && spaceone plugin test

    3. spaceone run plugin-server plugin -s src";

/// The command tree under the name `spaceone`: upstream's commands (those this
/// binary does not have are listed and refused), plus the plugin author tools.
#[derive(Debug, Parser)]
#[command(
    name = "spaceone",
    about = SPACEONE_ABOUT,
    long_about = SPACEONE_LONG_ABOUT,
    version,
    arg_required_else_help = true,
    subcommand_help_heading = "Commands",
    args_override_self = true
)]
pub struct SpaceoneCli {
    #[command(subcommand)]
    pub command: SpaceoneCommand,
}

#[derive(Debug, Subcommand)]
pub enum SpaceoneCommand {
    /// Create a new project
    CreateProject(CreateProjectArgs),
    /// Plugin author tools (metadata conversion, smoke tests, the handler protocol)
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Run a server
    #[command(subcommand)]
    Run(SpaceoneRunCommand),
    /// Show global configurations (not in this binary: Python spaceone-core)
    #[command(disable_help_flag = true)]
    ShowConfig(Refused),
    /// Unit tests for source code (not in this binary: Python spaceone-core)
    #[command(disable_help_flag = true)]
    Test(Refused),
}

#[derive(Debug, Subcommand)]
pub enum SpaceoneRunCommand {
    /// Run a gRPC server (not in this binary: Python spaceone-core)
    #[command(disable_help_flag = true)]
    GrpcServer(Refused),
    /// Run a plugin server
    PluginServer(PluginServerArgs),
    /// Run a FastAPI REST server (not in this binary: Python spaceone-core)
    #[command(disable_help_flag = true)]
    RestServer(Refused),
    /// Run a scheduler server (not in this binary: Python spaceone-core)
    #[command(disable_help_flag = true)]
    Scheduler(Refused),
}

/// The arguments of a command this binary refuses; they are not looked at.
#[derive(Debug, Args, Clone)]
pub struct Refused {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub args: Vec<String>,
}

/// The command tree for `name`, as help and completions show it: environment
/// values are hidden (man pages and completion scripts do not depend on the
/// environment they are generated in).
pub fn command_tree(name: BinName) -> clap::Command {
    use clap::CommandFactory;
    let cmd = match name {
        BinName::Spacectl => Cli::command(),
        BinName::Spaceone => SpaceoneCli::command(),
    };
    let cmd = hide_env_values(cmd.name(name.as_str()).bin_name(name.as_str()), &|_| None);
    with_examples(cmd, "", name.as_str())
}

/// The command tree for `name` that parses a command line: the help of an option
/// with an environment variable shows the variable's value only when it is set
/// and not empty (an empty one means the default, which the help shows).
pub fn command_for(name: BinName) -> clap::Command {
    use clap::CommandFactory;
    let cmd = match name {
        BinName::Spacectl => Cli::command(),
        BinName::Spaceone => SpaceoneCli::command(),
    };
    let cmd = hide_env_values(cmd.name(name.as_str()).bin_name(name.as_str()), &|var| {
        std::env::var_os(var)
    });
    with_examples(cmd, "", name.as_str())
}

/// The command tree for `name` that parses a command line that asks for no
/// help: without examples and environment values, which only help shows. A line
/// that fails to parse (help included) is parsed again with [`command_for`] to
/// show the full text.
pub fn command_lean(name: BinName) -> clap::Command {
    use clap::CommandFactory;
    let cmd = match name {
        BinName::Spacectl => Cli::command(),
        BinName::Spaceone => SpaceoneCli::command(),
    };
    cmd.name(name.as_str()).bin_name(name.as_str())
}

/// Give every command that has examples (see cli_examples.rs) an `Examples:`
/// section at the end of its help; `path` is the command's path below the program.
pub fn with_examples(cmd: clap::Command, path: &str, bin: &str) -> clap::Command {
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    let mut cmd = match examples::examples_for(path, bin) {
        Some(text) => cmd.after_help(format!("Examples:\n{text}")),
        None => cmd,
    };
    for name in names {
        let sub = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        cmd = cmd.mut_subcommand(name, |s| with_examples(s, &sub, bin));
    }
    cmd
}

/// Hide the environment value in the help of every option (at any depth) whose
/// variable `lookup` finds unset or empty.
pub fn hide_env_values(
    cmd: clap::Command,
    lookup: &dyn Fn(&str) -> Option<std::ffi::OsString>,
) -> clap::Command {
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    let mut cmd = cmd.mut_args(|arg| {
        let empty = arg
            .get_env()
            .map(|var| lookup(&var.to_string_lossy()).is_none_or(|v| v.is_empty()));
        match empty {
            Some(true) => arg.hide_env_values(true),
            _ => arg,
        }
    });
    for name in names {
        cmd = cmd.mut_subcommand(name, |sub| hide_env_values(sub, lookup));
    }
    cmd
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
        SpaceoneCli::command().debug_assert();
    }

    fn port_help(lookup: &dyn Fn(&str) -> Option<std::ffi::OsString>) -> String {
        use clap::CommandFactory;
        let mut cmd = hide_env_values(Cli::command(), lookup);
        let help = cmd
            .find_subcommand_mut("run")
            .and_then(|r| r.find_subcommand_mut("plugin-server"))
            .map(|p| p.render_help().to_string())
            .unwrap_or_default();
        help.lines()
            .find(|l| l.contains("--port"))
            .unwrap_or_default()
            .trim()
            .to_string()
    }

    #[test]
    fn help_shows_an_environment_value_only_when_it_is_set() {
        assert_eq!(
            port_help(&|_| None),
            "-p, --port <PORT>                Port to listen on [env: SPACEONE_PORT] [default: 50051]"
        );
        assert_eq!(
            port_help(&|_| Some("".into())),
            "-p, --port <PORT>                Port to listen on [env: SPACEONE_PORT] [default: 50051]"
        );
        // A set value is left for clap to show (it reads the process environment).
        use clap::CommandFactory;
        let cmd = hide_env_values(Cli::command(), &|v| {
            (v == "SPACEONE_PORT").then(|| "1234".into())
        });
        let server = cmd
            .find_subcommand("run")
            .and_then(|r| r.find_subcommand("plugin-server"))
            .expect("run plugin-server");
        let hidden = |id: &str| {
            server
                .get_arguments()
                .find(|a| a.get_id() == id)
                .map(|a| a.is_hide_env_values_set())
        };
        assert_eq!(hidden("port"), Some(false));
        assert_eq!(hidden("worker"), Some(true));
    }

    #[test]
    fn both_names_have_version_flags() {
        for (name, expected) in [
            (BinName::Spacectl, "spacectl 0.1.0\n"),
            (BinName::Spaceone, "spaceone 0.1.0\n"),
        ] {
            for flag in ["-V", "--version"] {
                let e = command_tree(name)
                    .try_get_matches_from([name.as_str(), flag])
                    .expect_err("version is printed through an early exit");
                assert_eq!(e.kind(), clap::error::ErrorKind::DisplayVersion);
                assert_eq!(
                    e.to_string(),
                    expected.replace("0.1.0", env!("CARGO_PKG_VERSION"))
                );
            }
        }
    }

    #[test]
    fn no_help_text_points_at_files_of_the_source_tree() {
        fn walk(cmd: &clap::Command, out: &mut Vec<String>) {
            let mut c = cmd.clone();
            let help = c.render_long_help().to_string();
            if help.contains("docs/") {
                out.push(cmd.get_name().to_string());
            }
            for sub in cmd.get_subcommands() {
                walk(sub, out);
            }
        }
        for name in [BinName::Spacectl, BinName::Spaceone] {
            let mut cmd = command_tree(name);
            cmd.build();
            let mut found = Vec::new();
            walk(&cmd, &mut found);
            assert!(found.is_empty(), "{found:?}");
        }
    }
}
