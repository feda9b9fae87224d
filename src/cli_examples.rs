// The Examples section of every command's help, by command path (the words
// after the program name). Each example line starts with the program name and
// runs as written against a configured environment, in a project made by
// `create-project` where it names project files; a line that starts with `#`
// says what the next one does. Notes may follow the examples after a blank
// line. Under the name `spaceone` the shared commands show `spaceone`.

/// The kinds `create-project -s` and `--kind` accept, aliases in parentheses
/// (checked against the table of kinds by a test of `plugin::kinds`).
#[allow(dead_code)]
pub const KIND_NAMES: &str = "asset (collector), external-auth (auth), account-collector, cost, notification, webhook, metric, log";

/// `(command path, examples)`; the path of the program itself is "".
pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "",
        "  spacectl config init -e local
  spacectl config endpoint add identity grpc://localhost:50051
  spacectl list identity.Provider
  spacectl create-project my-collector && cd my-collector && spacectl plugin test",
    ),
    (
        "analyze",
        "  spacectl analyze inventory.CloudService -f analyze.yaml",
    ),
    (
        "api-resources",
        "  # every resource, verb and short name of every endpoint
  spacectl api-resources",
    ),
    (
        "apply",
        "  spacectl apply manifest.yaml --dry-run    # what each task would call
  spacectl apply manifest.yaml -v domain_name=demo -o yaml",
    ),
    (
        "completion",
        "  mkdir -p ~/.local/share/bash-completion/completions
  spacectl completion bash > ~/.local/share/bash-completion/completions/spacectl
  spacectl completion zsh > ~/.zfunc/_spacectl     # a directory of $fpath
  spacectl completion fish > ~/.config/fish/completions/spacectl.fish",
    ),
    (
        "config",
        "  spacectl config init -e local
  spacectl config endpoint add identity grpc://localhost:50051
  spacectl config show",
    ),
    (
        "config init",
        "  spacectl config init -e local
  spacectl config init -e prod -f prod.yml     # import a configuration file",
    ),
    (
        "config set",
        "  spacectl config set api_key <api_key>
  spacectl config set x_domain_id domain-123",
    ),
    ("config remove", "  spacectl config remove x_domain_id"),
    (
        "config show",
        "  spacectl config show
  spacectl config show -o json --raw    # api_key and token shown",
    ),
    (
        "config environment",
        "  spacectl config environment            # list
  spacectl config environment -s prod    # switch
  spacectl config environment -r old     # remove",
    ),
    (
        "config endpoint",
        "  spacectl config endpoint add identity grpc://localhost:50051
  spacectl config endpoint show",
    ),
    (
        "config endpoint add",
        "  spacectl config endpoint add identity grpc+ssl://identity.example.com:443
  spacectl config endpoint add plugin grpc://localhost:50051",
    ),
    (
        "config endpoint update",
        "  spacectl config endpoint update identity grpc://localhost:50061",
    ),
    ("config endpoint remove", "  spacectl config endpoint remove identity"),
    (
        "config endpoint show",
        "  spacectl config endpoint show
  spacectl config endpoint show -o yaml",
    ),
    ("config endpoint list", "  spacectl config endpoint list -o json"),
    (
        "config endpoint discover",
        "  spacectl config endpoint discover              # from identity's Endpoint.list (2.x)
  spacectl config endpoint discover --internal   # the endpoints inside the cluster
  spacectl config endpoint discover --identity grpc+ssl://identity.example.com:443",
    ),
    (
        "create-project",
        "  spacectl create-project my-collector --provider my_cloud --group Compute --type Instance
  spacectl create-project my-webhook -s webhook
  spacectl create-project my-auth -s external-auth -d ~/plugins",
    ),
    (
        "exec",
        "  spacectl exec init plugin.Collector -f init.yaml
  spacectl exec list repository.Plugin -p service_type=inventory.Collector
  spacectl exec get provider -p provider=aws -o json",
    ),
    (
        "get",
        "  spacectl get provider -p provider=aws
  spacectl get identity.Provider -p provider=aws -o json",
    ),
    (
        "list",
        "  spacectl list identity.Provider
  spacectl list provider -c 'provider|ID,name' -s -name -l 10
  spacectl list repository.Plugin -o quiet -c plugin_id
  spacectl list inventory.Job -c job_id,status -w          # watch: new or changed rows every 2 s
  spacectl list inventory.Job -p job_id=job-123 -w 5 --until status=SUCCESS",
    ),
    (
        "login",
        "  spacectl login                       # on a terminal: asks, then offers your workspaces
  # in a script: the password from stdin, nothing asked
  spacectl login --domain spaceone --user admin@example.com --password-stdin
  spacectl login --workspace default   # another workspace, from the kept login (no password)
  spacectl login --scope domain        # back to a domain token

The granted token becomes the environment's api_key (a `token` key, which would shadow it, is
removed). The refresh token is kept in ~/.spaceone/sessions/ENV.json (mode 0600), outside the
environment file: --workspace, --scope and a bare `spacectl login` in a script grant anew from it
without the password, and an expired token is granted anew from it before a call.",
    ),
    (
        "logout",
        "  spacectl logout
  spacectl config environment -s prod && spacectl logout   # another environment's login",
    ),
    (
        "man",
        "  spacectl man ~/.cargo/share/man/man1     # found by man while ~/.cargo/bin is on PATH",
    ),
    (
        "plugin",
        "  spacectl plugin test
  spacectl plugin metadata src/plugin/metadata/compute/instance.yaml",
    ),
    (
        "plugin build",
        "  spacectl plugin build        # in the project: plugin-my-cloud-inven-collector:0.1.0
  spacectl plugin build --base-image local/python3:bookworm   # a base image of your own
  spacectl plugin build my-collector --tag my-collector:dev   # another directory, one more tag

The Docker command is `docker` on PATH (SPACECTL_DOCKER names another), talking to the daemon of
DOCKER_HOST or its context. The build context gets this program as bin/spacectl.",
    ),
    (
        "plugin metadata",
        "  spacectl plugin metadata src/plugin/metadata/compute/instance.yaml",
    ),
    (
        "plugin publish",
        "  spacectl plugin publish --registry registry.example.com/my-org
  spacectl plugin publish --registry 127.0.0.1:5000/my-org --dry-run   # print the plan, change nothing
  spacectl plugin publish --registry 127.0.0.1:5000/my-org --build     # build first

The image NAME:VERSION (as plugin build tags it) is pushed as REGISTRY/NAMESPACE/NAME:VERSION,
then registered with register.yaml in the repository service of the current environment (its
`repository` endpoint), which must map the registry type (HARBOR for a plain registry) to this
registry in its REGISTRY_URL_MAP (1.x) or REGISTRY_INFO (2.x). Running it again changes
nothing; a new VERSION adds the version to the registered plugin.",
    ),
    (
        "plugin protocol",
        "  spacectl plugin protocol | less",
    ),
    (
        "plugin test",
        "  spacectl plugin test                          # in a project made by create-project
  spacectl plugin test -o json --strict         # the report for CI
  spacectl plugin test --secret secret.yaml     # verify with real credentials
  spacectl plugin test plugin -s src --python .venv/bin/python   # a framework plugin",
    ),
    (
        "run",
        "  spacectl run plugin-server plugin -s src",
    ),
    (
        "run plugin-server",
        "  spacectl run plugin-server plugin -s src                     # every interface, port 50051
  spacectl run plugin-server plugin -s src --host 127.0.0.1 -p 0   # loopback only, any free port
  spacectl run plugin-server plugin -s src --kind metric --python .venv/bin/python",
    ),
    (
        "stat",
        "  spacectl stat inventory.CloudService -j '{\"query\": {\"aggregate\": [{\"count\": {\"name\": \"total\"}}]}}'",
    ),
    (
        "template",
        "  spacectl template set identity.Provider -f provider-columns.yml
  spacectl template show identity.Provider",
    ),
    (
        "template set",
        "  spacectl template set identity.Provider -f provider-columns.yml",
    ),
    ("template show", "  spacectl template show identity.Provider"),
    ("template remove", "  spacectl template remove identity.Provider"),
    ("version", "  spacectl version"),
    (
        "whoami",
        "  spacectl whoami
  spacectl whoami --verify     # ask identity whether it accepts the token
  spacectl whoami -o json",
    ),
];

/// The program `spaceone` itself (its other commands share spacectl's examples).
const SPACEONE: &str = "  spaceone create-project my-collector
  cd my-collector && spaceone plugin test
  spaceone run plugin-server plugin -s src";

/// The examples of `path` for the program `bin` (`spacectl` or `spaceone`).
pub fn examples_for(path: &str, bin: &str) -> Option<String> {
    if path.is_empty() && bin == "spaceone" {
        return Some(SPACEONE.to_string());
    }
    EXAMPLES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, text)| text.replace("spacectl ", &format!("{bin} ")))
}
