
use builtin;
use str;

set edit:completion:arg-completer[spacectl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'spacectl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'spacectl'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand analyze 'Analyze resources'
            cand api-resources 'Print the supported API resources'
            cand apply 'Apply a task manifest (idempotent registration of resources)'
            cand completion 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
            cand config 'Modify spaceconfig files'
            cand create-project 'Create a plugin project of any kind that runs right away (an inventory collector by default; -s KIND for the others)'
            cand exec 'Execute a method to resource'
            cand get 'Show details of a specific resource'
            cand list 'Display one or many resources'
            cand man 'Write the manual pages of spacectl and spaceone (one per command) into a directory'
            cand plugin 'Plugin author tools (metadata conversion, smoke tests, the handler protocol)'
            cand run 'Run a local server (plugin-server)'
            cand stat 'Querying statistics for resources'
            cand template 'Manage resource templates'
            cand version 'Print the client version information'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'spacectl;analyze'= {
            cand -p 'Input Parameter (-p <key>=<value> -p ...)'
            cand --parameter 'Input Parameter (-p <key>=<value> -p ...)'
            cand -j 'JSON type parameter'
            cand --json-parameter 'JSON type parameter'
            cand -f 'YAML file only'
            cand --file-parameter 'YAML file only'
            cand -c 'Specific columns (-c id,name)'
            cand --columns 'Specific columns (-c id,name)'
            cand -l 'Number of rows'
            cand --limit 'Number of rows'
            cand -v 'API Version (prefers the service whose package ends in this version)'
            cand --api-version 'API Version (prefers the service whose package ends in this version)'
            cand --ca-file 'PEM file of the certificates to trust for grpc+ssl:// endpoints, instead of the system roots (a self-signed server certificate can be given here)'
            cand --client-cert 'PEM file of a client certificate (chain) to present to grpc+ssl:// endpoints (mutual TLS); needs --client-key'
            cand --client-key 'PEM file of the client certificate''s private key; needs --client-cert'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --no-cache 'Always ask the server by reflection; do not read or write the descriptor cache'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;api-resources'= {
            cand --ca-file 'PEM file of the certificates to trust for grpc+ssl:// endpoints, instead of the system roots (a self-signed server certificate can be given here)'
            cand --client-cert 'PEM file of a client certificate (chain) to present to grpc+ssl:// endpoints (mutual TLS); needs --client-key'
            cand --client-key 'PEM file of the client certificate''s private key; needs --client-cert'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;apply'= {
            cand -o 'Output format of the final document'
            cand --output 'Output format of the final document'
            cand -e 'Configure additional environment variables. (-e KEY=VALUE, repeatable)'
            cand --env 'Configure additional environment variables. (-e KEY=VALUE, repeatable)'
            cand -v 'Configure additional variables. You can override existing variables as well. (-v KEY=VALUE, repeatable)'
            cand --var 'Configure additional variables. You can override existing variables as well. (-v KEY=VALUE, repeatable)'
            cand --var-file 'Yaml file to configure var and env'
            cand --ca-file 'PEM file of the certificates to trust for grpc+ssl:// endpoints, instead of the system roots (a self-signed server certificate can be given here)'
            cand --client-cert 'PEM file of a client certificate (chain) to present to grpc+ssl:// endpoints (mutual TLS); needs --client-key'
            cand --client-key 'PEM file of the client certificate''s private key; needs --client-cert'
            cand -s 'Suppress task banners and module chatter'
            cand --silent 'Suppress task banners and module chatter'
            cand --dry-run 'Print what each task would call, call nothing'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;completion'= {
            cand --name 'Program name the script completes: spacectl, or spaceone (the name with its own command tree, e.g. a `ln -s spacectl spaceone` link)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;config'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand init 'Initialize an environment and switch to it'
            cand set 'Set a top-level key of the current environment (the value is stored as a string)'
            cand remove 'Remove a top-level key of the current environment'
            cand show 'Show the current environment''s configuration'
            cand environment 'List environments, or switch to / remove one'
            cand endpoint 'Manage the service endpoints of the current environment'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'spacectl;config;init'= {
            cand -e 'Environment name (prompted when absent; default "default")'
            cand --environment 'Environment name (prompted when absent; default "default")'
            cand -f 'YAML file only: import its content as the environment''s configuration'
            cand --import-file 'YAML file only: import its content as the environment''s configuration'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;config;set'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;config;remove'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;config;show'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --raw 'Show api_key and token values instead of REDACTED'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;config;environment'= {
            cand -s 'Switch to this environment'
            cand --switch 'Switch to this environment'
            cand -r 'Remove this environment'
            cand --remove 'Remove this environment'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;config;endpoint'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand add 'Add an endpoint (grpc://HOST:PORT or grpc+ssl://HOST:PORT)'
            cand update 'Replace the URL of an existing endpoint'
            cand remove 'Remove an endpoint'
            cand show 'Show the endpoints of the current environment'
            cand list 'Show the endpoints of the current environment (same as show)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'spacectl;config;endpoint;add'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;config;endpoint;update'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;config;endpoint;remove'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;config;endpoint;show'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;config;endpoint;list'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;config;endpoint;help'= {
            cand add 'Add an endpoint (grpc://HOST:PORT or grpc+ssl://HOST:PORT)'
            cand update 'Replace the URL of an existing endpoint'
            cand remove 'Remove an endpoint'
            cand show 'Show the endpoints of the current environment'
            cand list 'Show the endpoints of the current environment (same as show)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'spacectl;config;endpoint;help;add'= {
        }
        &'spacectl;config;endpoint;help;update'= {
        }
        &'spacectl;config;endpoint;help;remove'= {
        }
        &'spacectl;config;endpoint;help;show'= {
        }
        &'spacectl;config;endpoint;help;list'= {
        }
        &'spacectl;config;endpoint;help;help'= {
        }
        &'spacectl;config;help'= {
            cand init 'Initialize an environment and switch to it'
            cand set 'Set a top-level key of the current environment (the value is stored as a string)'
            cand remove 'Remove a top-level key of the current environment'
            cand show 'Show the current environment''s configuration'
            cand environment 'List environments, or switch to / remove one'
            cand endpoint 'Manage the service endpoints of the current environment'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'spacectl;config;help;init'= {
        }
        &'spacectl;config;help;set'= {
        }
        &'spacectl;config;help;remove'= {
        }
        &'spacectl;config;help;show'= {
        }
        &'spacectl;config;help;environment'= {
        }
        &'spacectl;config;help;endpoint'= {
            cand add 'Add an endpoint (grpc://HOST:PORT or grpc+ssl://HOST:PORT)'
            cand update 'Replace the URL of an existing endpoint'
            cand remove 'Remove an endpoint'
            cand show 'Show the endpoints of the current environment'
            cand list 'Show the endpoints of the current environment (same as show)'
        }
        &'spacectl;config;help;endpoint;add'= {
        }
        &'spacectl;config;help;endpoint;update'= {
        }
        &'spacectl;config;help;endpoint;remove'= {
        }
        &'spacectl;config;help;endpoint;show'= {
        }
        &'spacectl;config;help;endpoint;list'= {
        }
        &'spacectl;config;help;help'= {
        }
        &'spacectl;create-project'= {
            cand -d 'Directory to create the project in (default: the current directory; created when missing)'
            cand --directory 'Directory to create the project in (default: the current directory; created when missing)'
            cand -s 'Kind of plugin: asset (the inventory collector, the default; also collector or spaceone.inventory.plugin.collector.skeleton), external-auth (auth), account-collector, cost, notification, webhook, metric or log'
            cand --source 'Kind of plugin: asset (the inventory collector, the default; also collector or spaceone.inventory.plugin.collector.skeleton), external-auth (auth), account-collector, cost, notification, webhook, metric or log'
            cand --provider 'Provider of the collected resources, e.g. my_cloud (default: derived from the project name)'
            cand --group 'Cloud service group, e.g. Compute (default: derived from the project name)'
            cand --type 'Cloud service type, e.g. Instance (default: Resource)'
            cand -q 'Print nothing on success (by default the next steps are printed on stderr)'
            cand --quiet 'Print nothing on success (by default the next steps are printed on stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;exec'= {
            cand -p 'Input Parameter (-p <key>=<value> -p ...)'
            cand --parameter 'Input Parameter (-p <key>=<value> -p ...)'
            cand -j 'JSON parameter'
            cand --json-parameter 'JSON parameter'
            cand -f 'YAML file only'
            cand --file-parameter 'YAML file only'
            cand -v 'API Version (prefers the service whose package ends in this version)'
            cand --api-version 'API Version (prefers the service whose package ends in this version)'
            cand --ca-file 'PEM file of the certificates to trust for grpc+ssl:// endpoints, instead of the system roots (a self-signed server certificate can be given here)'
            cand --client-cert 'PEM file of a client certificate (chain) to present to grpc+ssl:// endpoints (mutual TLS); needs --client-key'
            cand --client-key 'PEM file of the client certificate''s private key; needs --client-cert'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --no-cache 'Always ask the server by reflection; do not read or write the descriptor cache'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;get'= {
            cand -p 'Input Parameter (-p <key>=<value> -p ...)'
            cand --parameter 'Input Parameter (-p <key>=<value> -p ...)'
            cand -j 'JSON parameter'
            cand --json-parameter 'JSON parameter'
            cand -f 'YAML file only'
            cand --file-parameter 'YAML file only'
            cand -v 'API Version (prefers the service whose package ends in this version)'
            cand --api-version 'API Version (prefers the service whose package ends in this version)'
            cand --ca-file 'PEM file of the certificates to trust for grpc+ssl:// endpoints, instead of the system roots (a self-signed server certificate can be given here)'
            cand --client-cert 'PEM file of a client certificate (chain) to present to grpc+ssl:// endpoints (mutual TLS); needs --client-key'
            cand --client-key 'PEM file of the client certificate''s private key; needs --client-cert'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --no-cache 'Always ask the server by reflection; do not read or write the descriptor cache'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;list'= {
            cand -p 'Parameter (-p <key>=<value>)'
            cand --parameter 'Parameter (-p <key>=<value>)'
            cand -j 'JSON type parameter'
            cand --json-parameter 'JSON type parameter'
            cand -f 'Parameter file (YAML)'
            cand --file-parameter 'Parameter file (YAML)'
            cand -c 'Specific columns (-c id,name)'
            cand --columns 'Specific columns (-c id,name)'
            cand -t 'Template file (YAML)'
            cand --template-file 'Template file (YAML)'
            cand -l 'Number of rows'
            cand --limit 'Number of rows'
            cand -s 'Sorting by given key (-s [-]<key>)'
            cand --sort 'Sorting by given key (-s [-]<key>)'
            cand -v 'API Version (prefers the service whose package ends in this version)'
            cand --api-version 'API Version (prefers the service whose package ends in this version)'
            cand --ca-file 'PEM file of the certificates to trust for grpc+ssl:// endpoints, instead of the system roots (a self-signed server certificate can be given here)'
            cand --client-cert 'PEM file of a client certificate (chain) to present to grpc+ssl:// endpoints (mutual TLS); needs --client-key'
            cand --client-key 'PEM file of the client certificate''s private key; needs --client-cert'
            cand -o 'Output format'
            cand --output 'Output format'
            cand -m 'Minimal columns'
            cand --minimal 'Minimal columns'
            cand -a 'All columns'
            cand --all 'All columns'
            cand --wide 'Keep long cells whole: on a terminal, tables are fitted to its width by shortening long cells with … (piped output is never shortened)'
            cand --no-cache 'Always ask the server by reflection; do not read or write the descriptor cache'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;man'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;plugin'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand metadata 'Convert a metadata YAML file into the console''s dynamic view (printed as JSON)'
            cand protocol 'Print the handler protocol: how the host runs plugin code in any language'
            cand test 'Smoke-test a plugin of any kind: serve it on a free local port, call its routes, check every response and print a summary. A collector gets init, verify (with verify.yaml or --secret), get_tasks and collect (once per task); the other kinds (external-auth, account-collector, cost, notification, webhook, metric, log) get every route with its request file (`# spacectl exec VERB plugin.SERVICE -f FILE` on the file''s first line), then an empty request, which must be refused'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'spacectl;plugin;metadata'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;plugin;protocol'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;plugin;test'= {
            cand -s 'Source root put first on the import path (default: src when it holds PACKAGE, or when the current directory has a src but not PACKAGE; else the current directory)'
            cand --source-root 'Source root put first on the import path (default: src when it holds PACKAGE, or when the current directory has a src but not PACKAGE; else the current directory)'
            cand -a 'Module path of the app: the text before '':'' is imported after {package} substitution'
            cand --app-path 'Module path of the app: the text before '':'' is imported after {package} substitution'
            cand -m 'Extra module path put on the import path (repeatable; takes precedence over -s)'
            cand --module-path 'Extra module path put on the import path (repeatable; takes precedence over -s)'
            cand -f 'Collect request (YAML: options, secret_data, task_options); its options go to init and get_tasks too, and to verify unless verify.yaml has its own (default: collect.yaml of the project root or the current directory)'
            cand --file-parameter 'Collect request (YAML: options, secret_data, task_options); its options go to init and get_tasks too, and to verify unless verify.yaml has its own (default: collect.yaml of the project root or the current directory)'
            cand --secret 'secret_data for verify, get_tasks and collect: a YAML or JSON mapping, or a request file with a secret_data key (default: verify gets verify.yaml''s, the others the collect request''s)'
            cand --python 'Python interpreter that runs the plugin code (for plugins built on the Python framework: the interpreter of their virtualenv)'
            cand --handler 'Run this command as the handler instead of the Python runner (`spacectl plugin protocol` prints the protocol)'
            cand --timeout 'Seconds a single call may take (0 = no limit)'
            cand --log 'Write the plugin host''s log to this file'
            cand -o 'Report format'
            cand --output 'Report format'
            cand --no-verify 'Do not call Collector.verify (by default it is called when the project has a verify.yaml, next to collect.yaml, or --secret is given)'
            cand --no-tasks 'Do not call Job.get_tasks: collect once with the request as it is (by default collect runs once per task, like the inventory service)'
            cand --tasks 'Call Job.get_tasks and collect once per task (the default; kept so that existing scripts that pass it keep working)'
            cand --strict 'Fail on warnings too (e.g. metadata fields missing from data)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;plugin;help'= {
            cand metadata 'Convert a metadata YAML file into the console''s dynamic view (printed as JSON)'
            cand protocol 'Print the handler protocol: how the host runs plugin code in any language'
            cand test 'Smoke-test a plugin of any kind: serve it on a free local port, call its routes, check every response and print a summary. A collector gets init, verify (with verify.yaml or --secret), get_tasks and collect (once per task); the other kinds (external-auth, account-collector, cost, notification, webhook, metric, log) get every route with its request file (`# spacectl exec VERB plugin.SERVICE -f FILE` on the file''s first line), then an empty request, which must be refused'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'spacectl;plugin;help;metadata'= {
        }
        &'spacectl;plugin;help;protocol'= {
        }
        &'spacectl;plugin;help;test'= {
        }
        &'spacectl;plugin;help;help'= {
        }
        &'spacectl;run'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand plugin-server 'Serve a plugin over gRPC (its kind''s services, Health, ServerInfo, reflection)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'spacectl;run;plugin-server'= {
            cand -a 'Module path of the app: the text before '':'' is imported after {package} substitution'
            cand --app-path 'Module path of the app: the text before '':'' is imported after {package} substitution'
            cand -s 'Source root put first on the import path'
            cand --source-root 'Source root put first on the import path'
            cand -p 'Port to listen on; 0 lets the system choose a free port, which the start line (`Start gRPC Server (...): port=N`) names'
            cand --port 'Port to listen on; 0 lets the system choose a free port, which the start line (`Start gRPC Server (...): port=N`) names'
            cand -w 'Most calls served at once, like upstream''s worker threads (further calls queue); handlers run them on few processes, one per CPU core (see `spacectl plugin protocol`)'
            cand --worker 'Most calls served at once, like upstream''s worker threads (further calls queue); handlers run them on few processes, one per CPU core (see `spacectl plugin protocol`)'
            cand -m 'Extra module path put on the import path (repeatable; takes precedence over -s)'
            cand --module-path 'Extra module path put on the import path (repeatable; takes precedence over -s)'
            cand --host 'Address to bind. The default `::` binds every interface (IPv6 and IPv4, or 0.0.0.0 without IPv6), so other machines can call the plugin; --host 127.0.0.1 binds the loopback interface only'
            cand --python 'Python interpreter that runs the plugin code (default: python3; for plugins built on the Python framework: the interpreter of their virtualenv)'
            cand --handler 'Run this command as the handler instead of the Python runner (any language; `spacectl plugin protocol` prints the protocol)'
            cand --timeout 'Seconds a single call (a whole collect stream included) may take before it fails with DEADLINE_EXCEEDED and its handler is replaced; 0 = no limit, like upstream'
            cand --kind 'Serve the plugin as this kind: asset (the inventory collector; also collector), external-auth (auth), account-collector, cost, notification, webhook, metric or log. By default the class of the plugin''s app tells (or, failing that, its routes)'
            cand --inventory-v1 'For inventory 1.x: also send json_metadata decoded as metadata and a cloud service''s json_data decoded as data (inventory 1.x reads only those, and fails the job task on a v2 plugin''s null ones)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;run;help'= {
            cand plugin-server 'Serve a plugin over gRPC (its kind''s services, Health, ServerInfo, reflection)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'spacectl;run;help;plugin-server'= {
        }
        &'spacectl;run;help;help'= {
        }
        &'spacectl;stat'= {
            cand -p 'Input Parameter (-p <key>=<value> -p ...)'
            cand --parameter 'Input Parameter (-p <key>=<value> -p ...)'
            cand -j 'JSON type parameter'
            cand --json-parameter 'JSON type parameter'
            cand -f 'YAML file only'
            cand --file-parameter 'YAML file only'
            cand -c 'Specific columns (-c id,name)'
            cand --columns 'Specific columns (-c id,name)'
            cand -l 'Number of rows'
            cand --limit 'Number of rows'
            cand -v 'API Version (prefers the service whose package ends in this version)'
            cand --api-version 'API Version (prefers the service whose package ends in this version)'
            cand --ca-file 'PEM file of the certificates to trust for grpc+ssl:// endpoints, instead of the system roots (a self-signed server certificate can be given here)'
            cand --client-cert 'PEM file of a client certificate (chain) to present to grpc+ssl:// endpoints (mutual TLS); needs --client-key'
            cand --client-key 'PEM file of the client certificate''s private key; needs --client-cert'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --no-cache 'Always ask the server by reflection; do not read or write the descriptor cache'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;template'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand set 'Set resource template'
            cand show 'Display resource template'
            cand remove 'Remove resource template'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'spacectl;template;set'= {
            cand -f 'Import template file (YAML)'
            cand --file 'Import template file (YAML)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;template;show'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;template;remove'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;template;help'= {
            cand set 'Set resource template'
            cand show 'Display resource template'
            cand remove 'Remove resource template'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'spacectl;template;help;set'= {
        }
        &'spacectl;template;help;show'= {
        }
        &'spacectl;template;help;remove'= {
        }
        &'spacectl;template;help;help'= {
        }
        &'spacectl;version'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spacectl;help'= {
            cand analyze 'Analyze resources'
            cand api-resources 'Print the supported API resources'
            cand apply 'Apply a task manifest (idempotent registration of resources)'
            cand completion 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
            cand config 'Modify spaceconfig files'
            cand create-project 'Create a plugin project of any kind that runs right away (an inventory collector by default; -s KIND for the others)'
            cand exec 'Execute a method to resource'
            cand get 'Show details of a specific resource'
            cand list 'Display one or many resources'
            cand man 'Write the manual pages of spacectl and spaceone (one per command) into a directory'
            cand plugin 'Plugin author tools (metadata conversion, smoke tests, the handler protocol)'
            cand run 'Run a local server (plugin-server)'
            cand stat 'Querying statistics for resources'
            cand template 'Manage resource templates'
            cand version 'Print the client version information'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'spacectl;help;analyze'= {
        }
        &'spacectl;help;api-resources'= {
        }
        &'spacectl;help;apply'= {
        }
        &'spacectl;help;completion'= {
        }
        &'spacectl;help;config'= {
            cand init 'Initialize an environment and switch to it'
            cand set 'Set a top-level key of the current environment (the value is stored as a string)'
            cand remove 'Remove a top-level key of the current environment'
            cand show 'Show the current environment''s configuration'
            cand environment 'List environments, or switch to / remove one'
            cand endpoint 'Manage the service endpoints of the current environment'
        }
        &'spacectl;help;config;init'= {
        }
        &'spacectl;help;config;set'= {
        }
        &'spacectl;help;config;remove'= {
        }
        &'spacectl;help;config;show'= {
        }
        &'spacectl;help;config;environment'= {
        }
        &'spacectl;help;config;endpoint'= {
            cand add 'Add an endpoint (grpc://HOST:PORT or grpc+ssl://HOST:PORT)'
            cand update 'Replace the URL of an existing endpoint'
            cand remove 'Remove an endpoint'
            cand show 'Show the endpoints of the current environment'
            cand list 'Show the endpoints of the current environment (same as show)'
        }
        &'spacectl;help;config;endpoint;add'= {
        }
        &'spacectl;help;config;endpoint;update'= {
        }
        &'spacectl;help;config;endpoint;remove'= {
        }
        &'spacectl;help;config;endpoint;show'= {
        }
        &'spacectl;help;config;endpoint;list'= {
        }
        &'spacectl;help;create-project'= {
        }
        &'spacectl;help;exec'= {
        }
        &'spacectl;help;get'= {
        }
        &'spacectl;help;list'= {
        }
        &'spacectl;help;man'= {
        }
        &'spacectl;help;plugin'= {
            cand metadata 'Convert a metadata YAML file into the console''s dynamic view (printed as JSON)'
            cand protocol 'Print the handler protocol: how the host runs plugin code in any language'
            cand test 'Smoke-test a plugin of any kind: serve it on a free local port, call its routes, check every response and print a summary. A collector gets init, verify (with verify.yaml or --secret), get_tasks and collect (once per task); the other kinds (external-auth, account-collector, cost, notification, webhook, metric, log) get every route with its request file (`# spacectl exec VERB plugin.SERVICE -f FILE` on the file''s first line), then an empty request, which must be refused'
        }
        &'spacectl;help;plugin;metadata'= {
        }
        &'spacectl;help;plugin;protocol'= {
        }
        &'spacectl;help;plugin;test'= {
        }
        &'spacectl;help;run'= {
            cand plugin-server 'Serve a plugin over gRPC (its kind''s services, Health, ServerInfo, reflection)'
        }
        &'spacectl;help;run;plugin-server'= {
        }
        &'spacectl;help;stat'= {
        }
        &'spacectl;help;template'= {
            cand set 'Set resource template'
            cand show 'Display resource template'
            cand remove 'Remove resource template'
        }
        &'spacectl;help;template;set'= {
        }
        &'spacectl;help;template;show'= {
        }
        &'spacectl;help;template;remove'= {
        }
        &'spacectl;help;version'= {
        }
        &'spacectl;help;help'= {
        }
    ]
    $completions[$command]
}
