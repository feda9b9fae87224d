// The Examples section of every command's help, by command path (the words
// after the program name). Each example line starts with the program name and
// runs as written against a configured environment, in a project made by
// `create-project` where it names project files; a line that starts with `#`
// says what the next one does. Under the name `spaceone` the shared commands
// show `spaceone`.

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
  spacectl list repository.Plugin -o quiet -c plugin_id",
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
        "plugin metadata",
        "  spacectl plugin metadata src/plugin/metadata/compute/instance.yaml",
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
