
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'spacectl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'spacectl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'spacectl' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('analyze', 'analyze', [CompletionResultType]::ParameterValue, 'Analyze resources')
            [CompletionResult]::new('api-resources', 'api-resources', [CompletionResultType]::ParameterValue, 'Print the supported API resources')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Apply a task manifest (idempotent registration of resources)')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Modify spaceconfig files')
            [CompletionResult]::new('create-project', 'create-project', [CompletionResultType]::ParameterValue, 'Create a plugin project of any kind that runs right away (an inventory collector by default; -s KIND for the others)')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Execute a method to resource')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Show details of a specific resource')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Display one or many resources')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write the manual pages of spacectl and spaceone (one per command) into a directory')
            [CompletionResult]::new('plugin', 'plugin', [CompletionResultType]::ParameterValue, 'Plugin author tools (metadata conversion, smoke tests, the handler protocol)')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a local server (plugin-server)')
            [CompletionResult]::new('stat', 'stat', [CompletionResultType]::ParameterValue, 'Querying statistics for resources')
            [CompletionResult]::new('template', 'template', [CompletionResultType]::ParameterValue, 'Manage resource templates')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the client version information')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'spacectl;analyze' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Input Parameter (-p <key>=<value> -p ...)')
            [CompletionResult]::new('--parameter', '--parameter', [CompletionResultType]::ParameterName, 'Input Parameter (-p <key>=<value> -p ...)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'JSON type parameter')
            [CompletionResult]::new('--json-parameter', '--json-parameter', [CompletionResultType]::ParameterName, 'JSON type parameter')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'YAML file only')
            [CompletionResult]::new('--file-parameter', '--file-parameter', [CompletionResultType]::ParameterName, 'YAML file only')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Specific columns (-c id,name)')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'Specific columns (-c id,name)')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Number of rows')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Number of rows')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'API Version (prefers the service whose package ends in this version)')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'API Version (prefers the service whose package ends in this version)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'PEM file of the certificates to trust for grpc+ssl:// endpoints, instead of the system roots (a self-signed server certificate can be given here)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM file of a client certificate (chain) to present to grpc+ssl:// endpoints (mutual TLS); needs --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM file of the client certificate''s private key; needs --client-cert')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Always ask the server by reflection; do not read or write the descriptor cache')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;api-resources' {
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'PEM file of the certificates to trust for grpc+ssl:// endpoints, instead of the system roots (a self-signed server certificate can be given here)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM file of a client certificate (chain) to present to grpc+ssl:// endpoints (mutual TLS); needs --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM file of the client certificate''s private key; needs --client-cert')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;apply' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of the final document')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the final document')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Configure additional environment variables. (-e KEY=VALUE, repeatable)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Configure additional environment variables. (-e KEY=VALUE, repeatable)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Configure additional variables. You can override existing variables as well. (-v KEY=VALUE, repeatable)')
            [CompletionResult]::new('--var', '--var', [CompletionResultType]::ParameterName, 'Configure additional variables. You can override existing variables as well. (-v KEY=VALUE, repeatable)')
            [CompletionResult]::new('--var-file', '--var-file', [CompletionResultType]::ParameterName, 'Yaml file to configure var and env')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'PEM file of the certificates to trust for grpc+ssl:// endpoints, instead of the system roots (a self-signed server certificate can be given here)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM file of a client certificate (chain) to present to grpc+ssl:// endpoints (mutual TLS); needs --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM file of the client certificate''s private key; needs --client-cert')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Suppress task banners and module chatter')
            [CompletionResult]::new('--silent', '--silent', [CompletionResultType]::ParameterName, 'Suppress task banners and module chatter')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print what each task would call, call nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;completion' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Program name the script completes: spacectl, or spaceone (the name with its own command tree, e.g. a `ln -s spacectl spaceone` link)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;config' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Initialize an environment and switch to it')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set a top-level key of the current environment (the value is stored as a string)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a top-level key of the current environment')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the current environment''s configuration')
            [CompletionResult]::new('environment', 'environment', [CompletionResultType]::ParameterValue, 'List environments, or switch to / remove one')
            [CompletionResult]::new('endpoint', 'endpoint', [CompletionResultType]::ParameterValue, 'Manage the service endpoints of the current environment')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'spacectl;config;init' {
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Environment name (prompted when absent; default "default")')
            [CompletionResult]::new('--environment', '--environment', [CompletionResultType]::ParameterName, 'Environment name (prompted when absent; default "default")')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'YAML file only: import its content as the environment''s configuration')
            [CompletionResult]::new('--import-file', '--import-file', [CompletionResultType]::ParameterName, 'YAML file only: import its content as the environment''s configuration')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;config;set' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;config;remove' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;config;show' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--raw', '--raw', [CompletionResultType]::ParameterName, 'Show api_key and token values instead of REDACTED')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;config;environment' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Switch to this environment')
            [CompletionResult]::new('--switch', '--switch', [CompletionResultType]::ParameterName, 'Switch to this environment')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Remove this environment')
            [CompletionResult]::new('--remove', '--remove', [CompletionResultType]::ParameterName, 'Remove this environment')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;config;endpoint' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add an endpoint (grpc://HOST:PORT or grpc+ssl://HOST:PORT)')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Replace the URL of an existing endpoint')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove an endpoint')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the endpoints of the current environment')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show the endpoints of the current environment (same as show)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'spacectl;config;endpoint;add' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;config;endpoint;update' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;config;endpoint;remove' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;config;endpoint;show' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;config;endpoint;list' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;config;endpoint;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add an endpoint (grpc://HOST:PORT or grpc+ssl://HOST:PORT)')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Replace the URL of an existing endpoint')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove an endpoint')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the endpoints of the current environment')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show the endpoints of the current environment (same as show)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'spacectl;config;endpoint;help;add' {
            break
        }
        'spacectl;config;endpoint;help;update' {
            break
        }
        'spacectl;config;endpoint;help;remove' {
            break
        }
        'spacectl;config;endpoint;help;show' {
            break
        }
        'spacectl;config;endpoint;help;list' {
            break
        }
        'spacectl;config;endpoint;help;help' {
            break
        }
        'spacectl;config;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Initialize an environment and switch to it')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set a top-level key of the current environment (the value is stored as a string)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a top-level key of the current environment')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the current environment''s configuration')
            [CompletionResult]::new('environment', 'environment', [CompletionResultType]::ParameterValue, 'List environments, or switch to / remove one')
            [CompletionResult]::new('endpoint', 'endpoint', [CompletionResultType]::ParameterValue, 'Manage the service endpoints of the current environment')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'spacectl;config;help;init' {
            break
        }
        'spacectl;config;help;set' {
            break
        }
        'spacectl;config;help;remove' {
            break
        }
        'spacectl;config;help;show' {
            break
        }
        'spacectl;config;help;environment' {
            break
        }
        'spacectl;config;help;endpoint' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add an endpoint (grpc://HOST:PORT or grpc+ssl://HOST:PORT)')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Replace the URL of an existing endpoint')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove an endpoint')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the endpoints of the current environment')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show the endpoints of the current environment (same as show)')
            break
        }
        'spacectl;config;help;endpoint;add' {
            break
        }
        'spacectl;config;help;endpoint;update' {
            break
        }
        'spacectl;config;help;endpoint;remove' {
            break
        }
        'spacectl;config;help;endpoint;show' {
            break
        }
        'spacectl;config;help;endpoint;list' {
            break
        }
        'spacectl;config;help;help' {
            break
        }
        'spacectl;create-project' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Directory to create the project in (default: the current directory; created when missing)')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Directory to create the project in (default: the current directory; created when missing)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Kind of plugin: asset (the inventory collector, the default; also collector or spaceone.inventory.plugin.collector.skeleton), external-auth (auth), account-collector, cost, notification, webhook, metric or log')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Kind of plugin: asset (the inventory collector, the default; also collector or spaceone.inventory.plugin.collector.skeleton), external-auth (auth), account-collector, cost, notification, webhook, metric or log')
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Provider of the collected resources, e.g. my_cloud (default: derived from the project name)')
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Cloud service group, e.g. Compute (default: derived from the project name)')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Cloud service type, e.g. Instance (default: Resource)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on success (by default the next steps are printed on stderr)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on success (by default the next steps are printed on stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;exec' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Input Parameter (-p <key>=<value> -p ...)')
            [CompletionResult]::new('--parameter', '--parameter', [CompletionResultType]::ParameterName, 'Input Parameter (-p <key>=<value> -p ...)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'JSON parameter')
            [CompletionResult]::new('--json-parameter', '--json-parameter', [CompletionResultType]::ParameterName, 'JSON parameter')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'YAML file only')
            [CompletionResult]::new('--file-parameter', '--file-parameter', [CompletionResultType]::ParameterName, 'YAML file only')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'API Version (prefers the service whose package ends in this version)')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'API Version (prefers the service whose package ends in this version)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'PEM file of the certificates to trust for grpc+ssl:// endpoints, instead of the system roots (a self-signed server certificate can be given here)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM file of a client certificate (chain) to present to grpc+ssl:// endpoints (mutual TLS); needs --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM file of the client certificate''s private key; needs --client-cert')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Always ask the server by reflection; do not read or write the descriptor cache')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;get' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Input Parameter (-p <key>=<value> -p ...)')
            [CompletionResult]::new('--parameter', '--parameter', [CompletionResultType]::ParameterName, 'Input Parameter (-p <key>=<value> -p ...)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'JSON parameter')
            [CompletionResult]::new('--json-parameter', '--json-parameter', [CompletionResultType]::ParameterName, 'JSON parameter')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'YAML file only')
            [CompletionResult]::new('--file-parameter', '--file-parameter', [CompletionResultType]::ParameterName, 'YAML file only')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'API Version (prefers the service whose package ends in this version)')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'API Version (prefers the service whose package ends in this version)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'PEM file of the certificates to trust for grpc+ssl:// endpoints, instead of the system roots (a self-signed server certificate can be given here)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM file of a client certificate (chain) to present to grpc+ssl:// endpoints (mutual TLS); needs --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM file of the client certificate''s private key; needs --client-cert')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Always ask the server by reflection; do not read or write the descriptor cache')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;list' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Parameter (-p <key>=<value>)')
            [CompletionResult]::new('--parameter', '--parameter', [CompletionResultType]::ParameterName, 'Parameter (-p <key>=<value>)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'JSON type parameter')
            [CompletionResult]::new('--json-parameter', '--json-parameter', [CompletionResultType]::ParameterName, 'JSON type parameter')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Parameter file (YAML)')
            [CompletionResult]::new('--file-parameter', '--file-parameter', [CompletionResultType]::ParameterName, 'Parameter file (YAML)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Specific columns (-c id,name)')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'Specific columns (-c id,name)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Template file (YAML)')
            [CompletionResult]::new('--template-file', '--template-file', [CompletionResultType]::ParameterName, 'Template file (YAML)')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Number of rows')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Number of rows')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Sorting by given key (-s [-]<key>)')
            [CompletionResult]::new('--sort', '--sort', [CompletionResultType]::ParameterName, 'Sorting by given key (-s [-]<key>)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'API Version (prefers the service whose package ends in this version)')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'API Version (prefers the service whose package ends in this version)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'PEM file of the certificates to trust for grpc+ssl:// endpoints, instead of the system roots (a self-signed server certificate can be given here)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM file of a client certificate (chain) to present to grpc+ssl:// endpoints (mutual TLS); needs --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM file of the client certificate''s private key; needs --client-cert')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Minimal columns')
            [CompletionResult]::new('--minimal', '--minimal', [CompletionResultType]::ParameterName, 'Minimal columns')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'All columns')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'All columns')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Keep long cells whole: on a terminal, tables are fitted to its width by shortening long cells with … (piped output is never shortened)')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Always ask the server by reflection; do not read or write the descriptor cache')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;man' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;plugin' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('metadata', 'metadata', [CompletionResultType]::ParameterValue, 'Convert a metadata YAML file into the console''s dynamic view (printed as JSON)')
            [CompletionResult]::new('protocol', 'protocol', [CompletionResultType]::ParameterValue, 'Print the handler protocol: how the host runs plugin code in any language')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Smoke-test a plugin of any kind: serve it on a free local port, call its routes, check every response and print a summary. A collector gets init, verify (with verify.yaml or --secret), get_tasks and collect (once per task); the other kinds (external-auth, account-collector, cost, notification, webhook, metric, log) get every route with its request file (`# spacectl exec VERB plugin.SERVICE -f FILE` on the file''s first line), then an empty request, which must be refused')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'spacectl;plugin;metadata' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;plugin;protocol' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;plugin;test' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Source root put first on the import path (default: src when it holds PACKAGE, or when the current directory has a src but not PACKAGE; else the current directory)')
            [CompletionResult]::new('--source-root', '--source-root', [CompletionResultType]::ParameterName, 'Source root put first on the import path (default: src when it holds PACKAGE, or when the current directory has a src but not PACKAGE; else the current directory)')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Module path of the app: the text before '':'' is imported after {package} substitution')
            [CompletionResult]::new('--app-path', '--app-path', [CompletionResultType]::ParameterName, 'Module path of the app: the text before '':'' is imported after {package} substitution')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Extra module path put on the import path (repeatable; takes precedence over -s)')
            [CompletionResult]::new('--module-path', '--module-path', [CompletionResultType]::ParameterName, 'Extra module path put on the import path (repeatable; takes precedence over -s)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Collect request (YAML: options, secret_data, task_options); its options go to init and get_tasks too, and to verify unless verify.yaml has its own (default: collect.yaml of the project root or the current directory)')
            [CompletionResult]::new('--file-parameter', '--file-parameter', [CompletionResultType]::ParameterName, 'Collect request (YAML: options, secret_data, task_options); its options go to init and get_tasks too, and to verify unless verify.yaml has its own (default: collect.yaml of the project root or the current directory)')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'secret_data for verify, get_tasks and collect: a YAML or JSON mapping, or a request file with a secret_data key (default: verify gets verify.yaml''s, the others the collect request''s)')
            [CompletionResult]::new('--python', '--python', [CompletionResultType]::ParameterName, 'Python interpreter that runs the plugin code (for plugins built on the Python framework: the interpreter of their virtualenv)')
            [CompletionResult]::new('--handler', '--handler', [CompletionResultType]::ParameterName, 'Run this command as the handler instead of the Python runner (`spacectl plugin protocol` prints the protocol)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds a single call may take (0 = no limit)')
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'Write the plugin host''s log to this file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Report format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Report format')
            [CompletionResult]::new('--no-verify', '--no-verify', [CompletionResultType]::ParameterName, 'Do not call Collector.verify (by default it is called when the project has a verify.yaml, next to collect.yaml, or --secret is given)')
            [CompletionResult]::new('--no-tasks', '--no-tasks', [CompletionResultType]::ParameterName, 'Do not call Job.get_tasks: collect once with the request as it is (by default collect runs once per task, like the inventory service)')
            [CompletionResult]::new('--tasks', '--tasks', [CompletionResultType]::ParameterName, 'Call Job.get_tasks and collect once per task (the default; kept so that existing scripts that pass it keep working)')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail on warnings too (e.g. metadata fields missing from data)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;plugin;help' {
            [CompletionResult]::new('metadata', 'metadata', [CompletionResultType]::ParameterValue, 'Convert a metadata YAML file into the console''s dynamic view (printed as JSON)')
            [CompletionResult]::new('protocol', 'protocol', [CompletionResultType]::ParameterValue, 'Print the handler protocol: how the host runs plugin code in any language')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Smoke-test a plugin of any kind: serve it on a free local port, call its routes, check every response and print a summary. A collector gets init, verify (with verify.yaml or --secret), get_tasks and collect (once per task); the other kinds (external-auth, account-collector, cost, notification, webhook, metric, log) get every route with its request file (`# spacectl exec VERB plugin.SERVICE -f FILE` on the file''s first line), then an empty request, which must be refused')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'spacectl;plugin;help;metadata' {
            break
        }
        'spacectl;plugin;help;protocol' {
            break
        }
        'spacectl;plugin;help;test' {
            break
        }
        'spacectl;plugin;help;help' {
            break
        }
        'spacectl;run' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('plugin-server', 'plugin-server', [CompletionResultType]::ParameterValue, 'Serve a plugin over gRPC (its kind''s services, Health, ServerInfo, reflection)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'spacectl;run;plugin-server' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Module path of the app: the text before '':'' is imported after {package} substitution')
            [CompletionResult]::new('--app-path', '--app-path', [CompletionResultType]::ParameterName, 'Module path of the app: the text before '':'' is imported after {package} substitution')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Source root put first on the import path')
            [CompletionResult]::new('--source-root', '--source-root', [CompletionResultType]::ParameterName, 'Source root put first on the import path')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Port to listen on; 0 lets the system choose a free port, which the start line (`Start gRPC Server (...): port=N`) names')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port to listen on; 0 lets the system choose a free port, which the start line (`Start gRPC Server (...): port=N`) names')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Most calls served at once, like upstream''s worker threads (further calls queue); handlers run them on few processes, one per CPU core (see `spacectl plugin protocol`)')
            [CompletionResult]::new('--worker', '--worker', [CompletionResultType]::ParameterName, 'Most calls served at once, like upstream''s worker threads (further calls queue); handlers run them on few processes, one per CPU core (see `spacectl plugin protocol`)')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Extra module path put on the import path (repeatable; takes precedence over -s)')
            [CompletionResult]::new('--module-path', '--module-path', [CompletionResultType]::ParameterName, 'Extra module path put on the import path (repeatable; takes precedence over -s)')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Address to bind. The default `::` binds every interface (IPv6 and IPv4, or 0.0.0.0 without IPv6), so other machines can call the plugin; --host 127.0.0.1 binds the loopback interface only')
            [CompletionResult]::new('--python', '--python', [CompletionResultType]::ParameterName, 'Python interpreter that runs the plugin code (default: python3; for plugins built on the Python framework: the interpreter of their virtualenv)')
            [CompletionResult]::new('--handler', '--handler', [CompletionResultType]::ParameterName, 'Run this command as the handler instead of the Python runner (any language; `spacectl plugin protocol` prints the protocol)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds a single call (a whole collect stream included) may take before it fails with DEADLINE_EXCEEDED and its handler is replaced; 0 = no limit, like upstream')
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Serve the plugin as this kind: asset (the inventory collector; also collector), external-auth (auth), account-collector, cost, notification, webhook, metric or log. By default the class of the plugin''s app tells (or, failing that, its routes)')
            [CompletionResult]::new('--inventory-v1', '--inventory-v1', [CompletionResultType]::ParameterName, 'For inventory 1.x: also send json_metadata decoded as metadata and a cloud service''s json_data decoded as data (inventory 1.x reads only those, and fails the job task on a v2 plugin''s null ones)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;run;help' {
            [CompletionResult]::new('plugin-server', 'plugin-server', [CompletionResultType]::ParameterValue, 'Serve a plugin over gRPC (its kind''s services, Health, ServerInfo, reflection)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'spacectl;run;help;plugin-server' {
            break
        }
        'spacectl;run;help;help' {
            break
        }
        'spacectl;stat' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Input Parameter (-p <key>=<value> -p ...)')
            [CompletionResult]::new('--parameter', '--parameter', [CompletionResultType]::ParameterName, 'Input Parameter (-p <key>=<value> -p ...)')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'JSON type parameter')
            [CompletionResult]::new('--json-parameter', '--json-parameter', [CompletionResultType]::ParameterName, 'JSON type parameter')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'YAML file only')
            [CompletionResult]::new('--file-parameter', '--file-parameter', [CompletionResultType]::ParameterName, 'YAML file only')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Specific columns (-c id,name)')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'Specific columns (-c id,name)')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Number of rows')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Number of rows')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'API Version (prefers the service whose package ends in this version)')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'API Version (prefers the service whose package ends in this version)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'PEM file of the certificates to trust for grpc+ssl:// endpoints, instead of the system roots (a self-signed server certificate can be given here)')
            [CompletionResult]::new('--client-cert', '--client-cert', [CompletionResultType]::ParameterName, 'PEM file of a client certificate (chain) to present to grpc+ssl:// endpoints (mutual TLS); needs --client-key')
            [CompletionResult]::new('--client-key', '--client-key', [CompletionResultType]::ParameterName, 'PEM file of the client certificate''s private key; needs --client-cert')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Always ask the server by reflection; do not read or write the descriptor cache')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;template' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set resource template')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Display resource template')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove resource template')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'spacectl;template;set' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Import template file (YAML)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Import template file (YAML)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;template;show' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;template;remove' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;template;help' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set resource template')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Display resource template')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove resource template')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'spacectl;template;help;set' {
            break
        }
        'spacectl;template;help;show' {
            break
        }
        'spacectl;template;help;remove' {
            break
        }
        'spacectl;template;help;help' {
            break
        }
        'spacectl;version' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spacectl;help' {
            [CompletionResult]::new('analyze', 'analyze', [CompletionResultType]::ParameterValue, 'Analyze resources')
            [CompletionResult]::new('api-resources', 'api-resources', [CompletionResultType]::ParameterValue, 'Print the supported API resources')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Apply a task manifest (idempotent registration of resources)')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Modify spaceconfig files')
            [CompletionResult]::new('create-project', 'create-project', [CompletionResultType]::ParameterValue, 'Create a plugin project of any kind that runs right away (an inventory collector by default; -s KIND for the others)')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Execute a method to resource')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Show details of a specific resource')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Display one or many resources')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write the manual pages of spacectl and spaceone (one per command) into a directory')
            [CompletionResult]::new('plugin', 'plugin', [CompletionResultType]::ParameterValue, 'Plugin author tools (metadata conversion, smoke tests, the handler protocol)')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a local server (plugin-server)')
            [CompletionResult]::new('stat', 'stat', [CompletionResultType]::ParameterValue, 'Querying statistics for resources')
            [CompletionResult]::new('template', 'template', [CompletionResultType]::ParameterValue, 'Manage resource templates')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the client version information')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'spacectl;help;analyze' {
            break
        }
        'spacectl;help;api-resources' {
            break
        }
        'spacectl;help;apply' {
            break
        }
        'spacectl;help;completion' {
            break
        }
        'spacectl;help;config' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Initialize an environment and switch to it')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set a top-level key of the current environment (the value is stored as a string)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a top-level key of the current environment')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the current environment''s configuration')
            [CompletionResult]::new('environment', 'environment', [CompletionResultType]::ParameterValue, 'List environments, or switch to / remove one')
            [CompletionResult]::new('endpoint', 'endpoint', [CompletionResultType]::ParameterValue, 'Manage the service endpoints of the current environment')
            break
        }
        'spacectl;help;config;init' {
            break
        }
        'spacectl;help;config;set' {
            break
        }
        'spacectl;help;config;remove' {
            break
        }
        'spacectl;help;config;show' {
            break
        }
        'spacectl;help;config;environment' {
            break
        }
        'spacectl;help;config;endpoint' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add an endpoint (grpc://HOST:PORT or grpc+ssl://HOST:PORT)')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Replace the URL of an existing endpoint')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove an endpoint')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the endpoints of the current environment')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Show the endpoints of the current environment (same as show)')
            break
        }
        'spacectl;help;config;endpoint;add' {
            break
        }
        'spacectl;help;config;endpoint;update' {
            break
        }
        'spacectl;help;config;endpoint;remove' {
            break
        }
        'spacectl;help;config;endpoint;show' {
            break
        }
        'spacectl;help;config;endpoint;list' {
            break
        }
        'spacectl;help;create-project' {
            break
        }
        'spacectl;help;exec' {
            break
        }
        'spacectl;help;get' {
            break
        }
        'spacectl;help;list' {
            break
        }
        'spacectl;help;man' {
            break
        }
        'spacectl;help;plugin' {
            [CompletionResult]::new('metadata', 'metadata', [CompletionResultType]::ParameterValue, 'Convert a metadata YAML file into the console''s dynamic view (printed as JSON)')
            [CompletionResult]::new('protocol', 'protocol', [CompletionResultType]::ParameterValue, 'Print the handler protocol: how the host runs plugin code in any language')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Smoke-test a plugin of any kind: serve it on a free local port, call its routes, check every response and print a summary. A collector gets init, verify (with verify.yaml or --secret), get_tasks and collect (once per task); the other kinds (external-auth, account-collector, cost, notification, webhook, metric, log) get every route with its request file (`# spacectl exec VERB plugin.SERVICE -f FILE` on the file''s first line), then an empty request, which must be refused')
            break
        }
        'spacectl;help;plugin;metadata' {
            break
        }
        'spacectl;help;plugin;protocol' {
            break
        }
        'spacectl;help;plugin;test' {
            break
        }
        'spacectl;help;run' {
            [CompletionResult]::new('plugin-server', 'plugin-server', [CompletionResultType]::ParameterValue, 'Serve a plugin over gRPC (its kind''s services, Health, ServerInfo, reflection)')
            break
        }
        'spacectl;help;run;plugin-server' {
            break
        }
        'spacectl;help;stat' {
            break
        }
        'spacectl;help;template' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set resource template')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Display resource template')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove resource template')
            break
        }
        'spacectl;help;template;set' {
            break
        }
        'spacectl;help;template;show' {
            break
        }
        'spacectl;help;template;remove' {
            break
        }
        'spacectl;help;version' {
            break
        }
        'spacectl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
