# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_spacectl_global_optspecs
    string join \n h/help V/version
end

function __fish_spacectl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_spacectl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_spacectl_using_subcommand
    set -l cmd (__fish_spacectl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c spacectl -n "__fish_spacectl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c spacectl -n "__fish_spacectl_needs_command" -s V -l version -d 'Print version'
complete -c spacectl -n "__fish_spacectl_needs_command" -f -a "analyze" -d 'Analyze resources'
complete -c spacectl -n "__fish_spacectl_needs_command" -f -a "api-resources" -d 'Print the supported API resources'
complete -c spacectl -n "__fish_spacectl_needs_command" -f -a "apply" -d 'Apply a task manifest (idempotent registration of resources)'
complete -c spacectl -n "__fish_spacectl_needs_command" -f -a "completion" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c spacectl -n "__fish_spacectl_needs_command" -f -a "config" -d 'Modify spaceconfig files'
complete -c spacectl -n "__fish_spacectl_needs_command" -f -a "create-project" -d 'Create a plugin project of any kind that runs right away (an inventory collector by default; -s KIND for the others)'
complete -c spacectl -n "__fish_spacectl_needs_command" -f -a "exec" -d 'Execute a method to resource'
complete -c spacectl -n "__fish_spacectl_needs_command" -f -a "get" -d 'Show details of a specific resource'
complete -c spacectl -n "__fish_spacectl_needs_command" -f -a "list" -d 'Display one or many resources'
complete -c spacectl -n "__fish_spacectl_needs_command" -f -a "man" -d 'Write the manual pages of spacectl and spaceone (one per command) into a directory'
complete -c spacectl -n "__fish_spacectl_needs_command" -f -a "plugin" -d 'Plugin author tools (metadata conversion, smoke tests, the handler protocol)'
complete -c spacectl -n "__fish_spacectl_needs_command" -f -a "run" -d 'Run a local server (plugin-server)'
complete -c spacectl -n "__fish_spacectl_needs_command" -f -a "stat" -d 'Querying statistics for resources'
complete -c spacectl -n "__fish_spacectl_needs_command" -f -a "template" -d 'Manage resource templates'
complete -c spacectl -n "__fish_spacectl_needs_command" -f -a "version" -d 'Print the client version information'
complete -c spacectl -n "__fish_spacectl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c spacectl -n "__fish_spacectl_using_subcommand analyze" -s p -l parameter -d 'Input Parameter (-p <key>=<value> -p ...)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand analyze" -s j -l json-parameter -d 'JSON type parameter' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand analyze" -s f -l file-parameter -d 'YAML file only' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand analyze" -s c -l columns -d 'Specific columns (-c id,name)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand analyze" -s l -l limit -d 'Number of rows' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand analyze" -s v -l api-version -d 'API Version (prefers the service whose package ends in this version)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand analyze" -l ca-file -d 'PEM file of the certificates to trust for grpc+ssl:// endpoints, instead of the system roots (a self-signed server certificate can be given here)' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand analyze" -l client-cert -d 'PEM file of a client certificate (chain) to present to grpc+ssl:// endpoints (mutual TLS); needs --client-key' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand analyze" -l client-key -d 'PEM file of the client certificate\'s private key; needs --client-cert' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand analyze" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
csv\t''
quiet\t''"
complete -c spacectl -n "__fish_spacectl_using_subcommand analyze" -l no-cache -d 'Always ask the server by reflection; do not read or write the descriptor cache'
complete -c spacectl -n "__fish_spacectl_using_subcommand analyze" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand api-resources" -l ca-file -d 'PEM file of the certificates to trust for grpc+ssl:// endpoints, instead of the system roots (a self-signed server certificate can be given here)' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand api-resources" -l client-cert -d 'PEM file of a client certificate (chain) to present to grpc+ssl:// endpoints (mutual TLS); needs --client-key' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand api-resources" -l client-key -d 'PEM file of the client certificate\'s private key; needs --client-cert' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand api-resources" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand apply" -s o -l output -d 'Output format of the final document' -r -f -a "json\t''
yaml\t''
none\t''"
complete -c spacectl -n "__fish_spacectl_using_subcommand apply" -s e -l env -d 'Configure additional environment variables. (-e KEY=VALUE, repeatable)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand apply" -s v -l var -d 'Configure additional variables. You can override existing variables as well. (-v KEY=VALUE, repeatable)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand apply" -l var-file -d 'Yaml file to configure var and env' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand apply" -l ca-file -d 'PEM file of the certificates to trust for grpc+ssl:// endpoints, instead of the system roots (a self-signed server certificate can be given here)' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand apply" -l client-cert -d 'PEM file of a client certificate (chain) to present to grpc+ssl:// endpoints (mutual TLS); needs --client-key' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand apply" -l client-key -d 'PEM file of the client certificate\'s private key; needs --client-cert' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand apply" -s s -l silent -d 'Suppress task banners and module chatter'
complete -c spacectl -n "__fish_spacectl_using_subcommand apply" -l dry-run -d 'Print what each task would call, call nothing'
complete -c spacectl -n "__fish_spacectl_using_subcommand apply" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand completion" -l name -d 'Program name the script completes: spacectl, or spaceone (the name with its own command tree, e.g. a `ln -s spacectl spaceone` link)' -r -f -a "spacectl\t''
spaceone\t''"
complete -c spacectl -n "__fish_spacectl_using_subcommand completion" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and not __fish_seen_subcommand_from init set remove show environment endpoint help" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and not __fish_seen_subcommand_from init set remove show environment endpoint help" -f -a "init" -d 'Initialize an environment and switch to it'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and not __fish_seen_subcommand_from init set remove show environment endpoint help" -f -a "set" -d 'Set a top-level key of the current environment (the value is stored as a string)'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and not __fish_seen_subcommand_from init set remove show environment endpoint help" -f -a "remove" -d 'Remove a top-level key of the current environment'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and not __fish_seen_subcommand_from init set remove show environment endpoint help" -f -a "show" -d 'Show the current environment\'s configuration'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and not __fish_seen_subcommand_from init set remove show environment endpoint help" -f -a "environment" -d 'List environments, or switch to / remove one'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and not __fish_seen_subcommand_from init set remove show environment endpoint help" -f -a "endpoint" -d 'Manage the service endpoints of the current environment'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and not __fish_seen_subcommand_from init set remove show environment endpoint help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from init" -s e -l environment -d 'Environment name (prompted when absent; default "default")' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from init" -s f -l import-file -d 'YAML file only: import its content as the environment\'s configuration' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format' -r -f -a "json\t''
yaml\t''"
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from show" -l raw -d 'Show api_key and token values instead of REDACTED'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from environment" -s s -l switch -d 'Switch to this environment' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from environment" -s r -l remove -d 'Remove this environment' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from environment" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from endpoint" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from endpoint" -f -a "add" -d 'Add an endpoint (grpc://HOST:PORT or grpc+ssl://HOST:PORT)'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from endpoint" -f -a "update" -d 'Replace the URL of an existing endpoint'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from endpoint" -f -a "remove" -d 'Remove an endpoint'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from endpoint" -f -a "show" -d 'Show the endpoints of the current environment'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from endpoint" -f -a "list" -d 'Show the endpoints of the current environment (same as show)'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from endpoint" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "init" -d 'Initialize an environment and switch to it'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "set" -d 'Set a top-level key of the current environment (the value is stored as a string)'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a top-level key of the current environment'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show the current environment\'s configuration'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "environment" -d 'List environments, or switch to / remove one'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "endpoint" -d 'Manage the service endpoints of the current environment'
complete -c spacectl -n "__fish_spacectl_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c spacectl -n "__fish_spacectl_using_subcommand create-project" -s d -l directory -d 'Directory to create the project in (default: the current directory; created when missing)' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand create-project" -s s -l source -d 'Kind of plugin: asset (the inventory collector, the default; also collector or spaceone.inventory.plugin.collector.skeleton), external-auth (auth), account-collector, cost, notification, webhook, metric or log' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand create-project" -l provider -d 'Provider of the collected resources, e.g. my_cloud (default: derived from the project name)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand create-project" -l group -d 'Cloud service group, e.g. Compute (default: derived from the project name)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand create-project" -l type -d 'Cloud service type, e.g. Instance (default: Resource)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand create-project" -s q -l quiet -d 'Print nothing on success (by default the next steps are printed on stderr)'
complete -c spacectl -n "__fish_spacectl_using_subcommand create-project" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand exec" -s p -l parameter -d 'Input Parameter (-p <key>=<value> -p ...)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand exec" -s j -l json-parameter -d 'JSON parameter' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand exec" -s f -l file-parameter -d 'YAML file only' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand exec" -s v -l api-version -d 'API Version (prefers the service whose package ends in this version)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand exec" -l ca-file -d 'PEM file of the certificates to trust for grpc+ssl:// endpoints, instead of the system roots (a self-signed server certificate can be given here)' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand exec" -l client-cert -d 'PEM file of a client certificate (chain) to present to grpc+ssl:// endpoints (mutual TLS); needs --client-key' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand exec" -l client-key -d 'PEM file of the client certificate\'s private key; needs --client-cert' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand exec" -s o -l output -d 'Output format' -r -f -a "table\t''
csv\t''
json\t''
yaml\t''"
complete -c spacectl -n "__fish_spacectl_using_subcommand exec" -l no-cache -d 'Always ask the server by reflection; do not read or write the descriptor cache'
complete -c spacectl -n "__fish_spacectl_using_subcommand exec" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand get" -s p -l parameter -d 'Input Parameter (-p <key>=<value> -p ...)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand get" -s j -l json-parameter -d 'JSON parameter' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand get" -s f -l file-parameter -d 'YAML file only' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand get" -s v -l api-version -d 'API Version (prefers the service whose package ends in this version)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand get" -l ca-file -d 'PEM file of the certificates to trust for grpc+ssl:// endpoints, instead of the system roots (a self-signed server certificate can be given here)' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand get" -l client-cert -d 'PEM file of a client certificate (chain) to present to grpc+ssl:// endpoints (mutual TLS); needs --client-key' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand get" -l client-key -d 'PEM file of the client certificate\'s private key; needs --client-cert' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand get" -s o -l output -d 'Output format' -r -f -a "json\t''
yaml\t''"
complete -c spacectl -n "__fish_spacectl_using_subcommand get" -l no-cache -d 'Always ask the server by reflection; do not read or write the descriptor cache'
complete -c spacectl -n "__fish_spacectl_using_subcommand get" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand list" -s p -l parameter -d 'Parameter (-p <key>=<value>)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand list" -s j -l json-parameter -d 'JSON type parameter' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand list" -s f -l file-parameter -d 'Parameter file (YAML)' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand list" -s c -l columns -d 'Specific columns (-c id,name)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand list" -s t -l template-file -d 'Template file (YAML)' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand list" -s l -l limit -d 'Number of rows' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand list" -s s -l sort -d 'Sorting by given key (-s [-]<key>)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand list" -s v -l api-version -d 'API Version (prefers the service whose package ends in this version)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand list" -l ca-file -d 'PEM file of the certificates to trust for grpc+ssl:// endpoints, instead of the system roots (a self-signed server certificate can be given here)' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand list" -l client-cert -d 'PEM file of a client certificate (chain) to present to grpc+ssl:// endpoints (mutual TLS); needs --client-key' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand list" -l client-key -d 'PEM file of the client certificate\'s private key; needs --client-cert' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand list" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
csv\t''
quiet\t''"
complete -c spacectl -n "__fish_spacectl_using_subcommand list" -s m -l minimal -d 'Minimal columns'
complete -c spacectl -n "__fish_spacectl_using_subcommand list" -s a -l all -d 'All columns'
complete -c spacectl -n "__fish_spacectl_using_subcommand list" -l wide -d 'Keep long cells whole: on a terminal, tables are fitted to its width by shortening long cells with … (piped output is never shortened)'
complete -c spacectl -n "__fish_spacectl_using_subcommand list" -l no-cache -d 'Always ask the server by reflection; do not read or write the descriptor cache'
complete -c spacectl -n "__fish_spacectl_using_subcommand list" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand man" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and not __fish_seen_subcommand_from metadata protocol test help" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and not __fish_seen_subcommand_from metadata protocol test help" -f -a "metadata" -d 'Convert a metadata YAML file into the console\'s dynamic view (printed as JSON)'
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and not __fish_seen_subcommand_from metadata protocol test help" -f -a "protocol" -d 'Print the handler protocol: how the host runs plugin code in any language'
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and not __fish_seen_subcommand_from metadata protocol test help" -f -a "test" -d 'Smoke-test a plugin of any kind: serve it on a free local port, call its routes, check every response and print a summary. A collector gets init, verify (with verify.yaml or --secret), get_tasks and collect (once per task); the other kinds (external-auth, account-collector, cost, notification, webhook, metric, log) get every route with its request file (`# spacectl exec VERB plugin.SERVICE -f FILE` on the file\'s first line), then an empty request, which must be refused'
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and not __fish_seen_subcommand_from metadata protocol test help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and __fish_seen_subcommand_from metadata" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and __fish_seen_subcommand_from protocol" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and __fish_seen_subcommand_from test" -s s -l source-root -d 'Source root put first on the import path (default: src when it holds PACKAGE, or when the current directory has a src but not PACKAGE; else the current directory)' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and __fish_seen_subcommand_from test" -s a -l app-path -d 'Module path of the app: the text before \':\' is imported after {package} substitution' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and __fish_seen_subcommand_from test" -s m -l module-path -d 'Extra module path put on the import path (repeatable; takes precedence over -s)' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and __fish_seen_subcommand_from test" -s f -l file-parameter -d 'Collect request (YAML: options, secret_data, task_options); its options go to init and get_tasks too, and to verify unless verify.yaml has its own (default: collect.yaml of the project root or the current directory)' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and __fish_seen_subcommand_from test" -l secret -d 'secret_data for verify, get_tasks and collect: a YAML or JSON mapping, or a request file with a secret_data key (default: verify gets verify.yaml\'s, the others the collect request\'s)' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and __fish_seen_subcommand_from test" -l python -d 'Python interpreter that runs the plugin code (for plugins built on the Python framework: the interpreter of their virtualenv)' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and __fish_seen_subcommand_from test" -l handler -d 'Run this command as the handler instead of the Python runner (`spacectl plugin protocol` prints the protocol)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and __fish_seen_subcommand_from test" -l timeout -d 'Seconds a single call may take (0 = no limit)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and __fish_seen_subcommand_from test" -l log -d 'Write the plugin host\'s log to this file' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and __fish_seen_subcommand_from test" -s o -l output -d 'Report format' -r -f -a "table\t''
json\t''"
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and __fish_seen_subcommand_from test" -l no-verify -d 'Do not call Collector.verify (by default it is called when the project has a verify.yaml, next to collect.yaml, or --secret is given)'
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and __fish_seen_subcommand_from test" -l no-tasks -d 'Do not call Job.get_tasks: collect once with the request as it is (by default collect runs once per task, like the inventory service)'
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and __fish_seen_subcommand_from test" -l tasks -d 'Call Job.get_tasks and collect once per task (the default; kept so that existing scripts that pass it keep working)'
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and __fish_seen_subcommand_from test" -l strict -d 'Fail on warnings too (e.g. metadata fields missing from data)'
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and __fish_seen_subcommand_from help" -f -a "metadata" -d 'Convert a metadata YAML file into the console\'s dynamic view (printed as JSON)'
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and __fish_seen_subcommand_from help" -f -a "protocol" -d 'Print the handler protocol: how the host runs plugin code in any language'
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and __fish_seen_subcommand_from help" -f -a "test" -d 'Smoke-test a plugin of any kind: serve it on a free local port, call its routes, check every response and print a summary. A collector gets init, verify (with verify.yaml or --secret), get_tasks and collect (once per task); the other kinds (external-auth, account-collector, cost, notification, webhook, metric, log) get every route with its request file (`# spacectl exec VERB plugin.SERVICE -f FILE` on the file\'s first line), then an empty request, which must be refused'
complete -c spacectl -n "__fish_spacectl_using_subcommand plugin; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c spacectl -n "__fish_spacectl_using_subcommand run; and not __fish_seen_subcommand_from plugin-server help" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand run; and not __fish_seen_subcommand_from plugin-server help" -f -a "plugin-server" -d 'Serve a plugin over gRPC (its kind\'s services, Health, ServerInfo, reflection)'
complete -c spacectl -n "__fish_spacectl_using_subcommand run; and not __fish_seen_subcommand_from plugin-server help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c spacectl -n "__fish_spacectl_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -s a -l app-path -d 'Module path of the app: the text before \':\' is imported after {package} substitution' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -s s -l source-root -d 'Source root put first on the import path' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -s p -l port -d 'Port to listen on; 0 lets the system choose a free port, which the start line (`Start gRPC Server (...): port=N`) names' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -s w -l worker -d 'Most calls served at once, like upstream\'s worker threads (further calls queue); handlers run them on few processes, one per CPU core (see `spacectl plugin protocol`)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -s m -l module-path -d 'Extra module path put on the import path (repeatable; takes precedence over -s)' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -l host -d 'Address to bind. The default `::` binds every interface (IPv6 and IPv4, or 0.0.0.0 without IPv6), so other machines can call the plugin; --host 127.0.0.1 binds the loopback interface only' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -l python -d 'Python interpreter that runs the plugin code (default: python3; for plugins built on the Python framework: the interpreter of their virtualenv)' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -l handler -d 'Run this command as the handler instead of the Python runner (any language; `spacectl plugin protocol` prints the protocol)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -l timeout -d 'Seconds a single call (a whole collect stream included) may take before it fails with DEADLINE_EXCEEDED and its handler is replaced; 0 = no limit, like upstream' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -l kind -d 'Serve the plugin as this kind: asset (the inventory collector; also collector), external-auth (auth), account-collector, cost, notification, webhook, metric or log. By default the class of the plugin\'s app tells (or, failing that, its routes)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -l inventory-v1 -d 'For inventory 1.x: also send json_metadata decoded as metadata and a cloud service\'s json_data decoded as data (inventory 1.x reads only those, and fails the job task on a v2 plugin\'s null ones)'
complete -c spacectl -n "__fish_spacectl_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand run; and __fish_seen_subcommand_from help" -f -a "plugin-server" -d 'Serve a plugin over gRPC (its kind\'s services, Health, ServerInfo, reflection)'
complete -c spacectl -n "__fish_spacectl_using_subcommand run; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c spacectl -n "__fish_spacectl_using_subcommand stat" -s p -l parameter -d 'Input Parameter (-p <key>=<value> -p ...)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand stat" -s j -l json-parameter -d 'JSON type parameter' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand stat" -s f -l file-parameter -d 'YAML file only' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand stat" -s c -l columns -d 'Specific columns (-c id,name)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand stat" -s l -l limit -d 'Number of rows' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand stat" -s v -l api-version -d 'API Version (prefers the service whose package ends in this version)' -r
complete -c spacectl -n "__fish_spacectl_using_subcommand stat" -l ca-file -d 'PEM file of the certificates to trust for grpc+ssl:// endpoints, instead of the system roots (a self-signed server certificate can be given here)' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand stat" -l client-cert -d 'PEM file of a client certificate (chain) to present to grpc+ssl:// endpoints (mutual TLS); needs --client-key' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand stat" -l client-key -d 'PEM file of the client certificate\'s private key; needs --client-cert' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand stat" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''
yaml\t''
csv\t''
quiet\t''"
complete -c spacectl -n "__fish_spacectl_using_subcommand stat" -l no-cache -d 'Always ask the server by reflection; do not read or write the descriptor cache'
complete -c spacectl -n "__fish_spacectl_using_subcommand stat" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand template; and not __fish_seen_subcommand_from set show remove help" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand template; and not __fish_seen_subcommand_from set show remove help" -f -a "set" -d 'Set resource template'
complete -c spacectl -n "__fish_spacectl_using_subcommand template; and not __fish_seen_subcommand_from set show remove help" -f -a "show" -d 'Display resource template'
complete -c spacectl -n "__fish_spacectl_using_subcommand template; and not __fish_seen_subcommand_from set show remove help" -f -a "remove" -d 'Remove resource template'
complete -c spacectl -n "__fish_spacectl_using_subcommand template; and not __fish_seen_subcommand_from set show remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c spacectl -n "__fish_spacectl_using_subcommand template; and __fish_seen_subcommand_from set" -s f -l file -d 'Import template file (YAML)' -r -F
complete -c spacectl -n "__fish_spacectl_using_subcommand template; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand template; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand template; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand template; and __fish_seen_subcommand_from help" -f -a "set" -d 'Set resource template'
complete -c spacectl -n "__fish_spacectl_using_subcommand template; and __fish_seen_subcommand_from help" -f -a "show" -d 'Display resource template'
complete -c spacectl -n "__fish_spacectl_using_subcommand template; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove resource template'
complete -c spacectl -n "__fish_spacectl_using_subcommand template; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c spacectl -n "__fish_spacectl_using_subcommand version" -s h -l help -d 'Print help'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and not __fish_seen_subcommand_from analyze api-resources apply completion config create-project exec get list man plugin run stat template version help" -f -a "analyze" -d 'Analyze resources'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and not __fish_seen_subcommand_from analyze api-resources apply completion config create-project exec get list man plugin run stat template version help" -f -a "api-resources" -d 'Print the supported API resources'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and not __fish_seen_subcommand_from analyze api-resources apply completion config create-project exec get list man plugin run stat template version help" -f -a "apply" -d 'Apply a task manifest (idempotent registration of resources)'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and not __fish_seen_subcommand_from analyze api-resources apply completion config create-project exec get list man plugin run stat template version help" -f -a "completion" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and not __fish_seen_subcommand_from analyze api-resources apply completion config create-project exec get list man plugin run stat template version help" -f -a "config" -d 'Modify spaceconfig files'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and not __fish_seen_subcommand_from analyze api-resources apply completion config create-project exec get list man plugin run stat template version help" -f -a "create-project" -d 'Create a plugin project of any kind that runs right away (an inventory collector by default; -s KIND for the others)'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and not __fish_seen_subcommand_from analyze api-resources apply completion config create-project exec get list man plugin run stat template version help" -f -a "exec" -d 'Execute a method to resource'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and not __fish_seen_subcommand_from analyze api-resources apply completion config create-project exec get list man plugin run stat template version help" -f -a "get" -d 'Show details of a specific resource'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and not __fish_seen_subcommand_from analyze api-resources apply completion config create-project exec get list man plugin run stat template version help" -f -a "list" -d 'Display one or many resources'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and not __fish_seen_subcommand_from analyze api-resources apply completion config create-project exec get list man plugin run stat template version help" -f -a "man" -d 'Write the manual pages of spacectl and spaceone (one per command) into a directory'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and not __fish_seen_subcommand_from analyze api-resources apply completion config create-project exec get list man plugin run stat template version help" -f -a "plugin" -d 'Plugin author tools (metadata conversion, smoke tests, the handler protocol)'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and not __fish_seen_subcommand_from analyze api-resources apply completion config create-project exec get list man plugin run stat template version help" -f -a "run" -d 'Run a local server (plugin-server)'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and not __fish_seen_subcommand_from analyze api-resources apply completion config create-project exec get list man plugin run stat template version help" -f -a "stat" -d 'Querying statistics for resources'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and not __fish_seen_subcommand_from analyze api-resources apply completion config create-project exec get list man plugin run stat template version help" -f -a "template" -d 'Manage resource templates'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and not __fish_seen_subcommand_from analyze api-resources apply completion config create-project exec get list man plugin run stat template version help" -f -a "version" -d 'Print the client version information'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and not __fish_seen_subcommand_from analyze api-resources apply completion config create-project exec get list man plugin run stat template version help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "init" -d 'Initialize an environment and switch to it'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "set" -d 'Set a top-level key of the current environment (the value is stored as a string)'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "remove" -d 'Remove a top-level key of the current environment'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Show the current environment\'s configuration'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "environment" -d 'List environments, or switch to / remove one'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "endpoint" -d 'Manage the service endpoints of the current environment'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and __fish_seen_subcommand_from plugin" -f -a "metadata" -d 'Convert a metadata YAML file into the console\'s dynamic view (printed as JSON)'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and __fish_seen_subcommand_from plugin" -f -a "protocol" -d 'Print the handler protocol: how the host runs plugin code in any language'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and __fish_seen_subcommand_from plugin" -f -a "test" -d 'Smoke-test a plugin of any kind: serve it on a free local port, call its routes, check every response and print a summary. A collector gets init, verify (with verify.yaml or --secret), get_tasks and collect (once per task); the other kinds (external-auth, account-collector, cost, notification, webhook, metric, log) get every route with its request file (`# spacectl exec VERB plugin.SERVICE -f FILE` on the file\'s first line), then an empty request, which must be refused'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and __fish_seen_subcommand_from run" -f -a "plugin-server" -d 'Serve a plugin over gRPC (its kind\'s services, Health, ServerInfo, reflection)'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and __fish_seen_subcommand_from template" -f -a "set" -d 'Set resource template'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and __fish_seen_subcommand_from template" -f -a "show" -d 'Display resource template'
complete -c spacectl -n "__fish_spacectl_using_subcommand help; and __fish_seen_subcommand_from template" -f -a "remove" -d 'Remove resource template'
