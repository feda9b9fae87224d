# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_spaceone_global_optspecs
    string join \n h/help V/version
end

function __fish_spaceone_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_spaceone_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_spaceone_using_subcommand
    set -l cmd (__fish_spaceone_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c spaceone -n "__fish_spaceone_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c spaceone -n "__fish_spaceone_needs_command" -s V -l version -d 'Print version'
complete -c spaceone -n "__fish_spaceone_needs_command" -f -a "create-project" -d 'Create a new project'
complete -c spaceone -n "__fish_spaceone_needs_command" -f -a "plugin" -d 'Plugin author tools (metadata conversion, smoke tests, the handler protocol)'
complete -c spaceone -n "__fish_spaceone_needs_command" -f -a "run" -d 'Run a server'
complete -c spaceone -n "__fish_spaceone_needs_command" -f -a "show-config" -d 'Show global configurations (not in this binary: Python spaceone-core)'
complete -c spaceone -n "__fish_spaceone_needs_command" -f -a "test" -d 'Unit tests for source code (not in this binary: Python spaceone-core)'
complete -c spaceone -n "__fish_spaceone_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c spaceone -n "__fish_spaceone_using_subcommand create-project" -s d -l directory -d 'Directory to create the project in (default: the current directory; created when missing)' -r -F
complete -c spaceone -n "__fish_spaceone_using_subcommand create-project" -s s -l source -d 'Kind of plugin: asset (the inventory collector, the default; also collector or spaceone.inventory.plugin.collector.skeleton), external-auth (auth), account-collector, cost, notification, webhook, metric or log' -r
complete -c spaceone -n "__fish_spaceone_using_subcommand create-project" -l provider -d 'Provider of the collected resources, e.g. my_cloud (default: derived from the project name)' -r
complete -c spaceone -n "__fish_spaceone_using_subcommand create-project" -l group -d 'Cloud service group, e.g. Compute (default: derived from the project name)' -r
complete -c spaceone -n "__fish_spaceone_using_subcommand create-project" -l type -d 'Cloud service type, e.g. Instance (default: Resource)' -r
complete -c spaceone -n "__fish_spaceone_using_subcommand create-project" -s q -l quiet -d 'Print nothing on success (by default the next steps are printed on stderr)'
complete -c spaceone -n "__fish_spaceone_using_subcommand create-project" -s h -l help -d 'Print help'
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and not __fish_seen_subcommand_from metadata protocol test help" -s h -l help -d 'Print help'
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and not __fish_seen_subcommand_from metadata protocol test help" -f -a "metadata" -d 'Convert a metadata YAML file into the console\'s dynamic view (printed as JSON)'
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and not __fish_seen_subcommand_from metadata protocol test help" -f -a "protocol" -d 'Print the handler protocol: how the host runs plugin code in any language'
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and not __fish_seen_subcommand_from metadata protocol test help" -f -a "test" -d 'Smoke-test a plugin of any kind: serve it on a free local port, call its routes, check every response and print a summary. A collector gets init, verify (with verify.yaml or --secret), get_tasks and collect (once per task); the other kinds (external-auth, account-collector, cost, notification, webhook, metric, log) get every route with its request file (`# spacectl exec VERB plugin.SERVICE -f FILE` on the file\'s first line), then an empty request, which must be refused'
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and not __fish_seen_subcommand_from metadata protocol test help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and __fish_seen_subcommand_from metadata" -s h -l help -d 'Print help'
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and __fish_seen_subcommand_from protocol" -s h -l help -d 'Print help'
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and __fish_seen_subcommand_from test" -s s -l source-root -d 'Source root put first on the import path (default: src when it holds PACKAGE, or when the current directory has a src but not PACKAGE; else the current directory)' -r -F
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and __fish_seen_subcommand_from test" -s a -l app-path -d 'Module path of the app: the text before \':\' is imported after {package} substitution' -r
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and __fish_seen_subcommand_from test" -s m -l module-path -d 'Extra module path put on the import path (repeatable; takes precedence over -s)' -r -F
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and __fish_seen_subcommand_from test" -s f -l file-parameter -d 'Collect request (YAML: options, secret_data, task_options); its options go to init and get_tasks too, and to verify unless verify.yaml has its own (default: collect.yaml of the project root or the current directory)' -r -F
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and __fish_seen_subcommand_from test" -l secret -d 'secret_data for verify, get_tasks and collect: a YAML or JSON mapping, or a request file with a secret_data key (default: verify gets verify.yaml\'s, the others the collect request\'s)' -r -F
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and __fish_seen_subcommand_from test" -l python -d 'Python interpreter that runs the plugin code (for plugins built on the Python framework: the interpreter of their virtualenv)' -r -F
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and __fish_seen_subcommand_from test" -l handler -d 'Run this command as the handler instead of the Python runner (`spacectl plugin protocol` prints the protocol)' -r
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and __fish_seen_subcommand_from test" -l timeout -d 'Seconds a single call may take (0 = no limit)' -r
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and __fish_seen_subcommand_from test" -l log -d 'Write the plugin host\'s log to this file' -r -F
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and __fish_seen_subcommand_from test" -s o -l output -d 'Report format' -r -f -a "table\t''
json\t''"
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and __fish_seen_subcommand_from test" -l no-verify -d 'Do not call Collector.verify (by default it is called when the project has a verify.yaml, next to collect.yaml, or --secret is given)'
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and __fish_seen_subcommand_from test" -l no-tasks -d 'Do not call Job.get_tasks: collect once with the request as it is (by default collect runs once per task, like the inventory service)'
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and __fish_seen_subcommand_from test" -l tasks -d 'Call Job.get_tasks and collect once per task (the default; kept so that existing scripts that pass it keep working)'
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and __fish_seen_subcommand_from test" -l strict -d 'Fail on warnings too (e.g. metadata fields missing from data)'
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help'
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and __fish_seen_subcommand_from help" -f -a "metadata" -d 'Convert a metadata YAML file into the console\'s dynamic view (printed as JSON)'
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and __fish_seen_subcommand_from help" -f -a "protocol" -d 'Print the handler protocol: how the host runs plugin code in any language'
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and __fish_seen_subcommand_from help" -f -a "test" -d 'Smoke-test a plugin of any kind: serve it on a free local port, call its routes, check every response and print a summary. A collector gets init, verify (with verify.yaml or --secret), get_tasks and collect (once per task); the other kinds (external-auth, account-collector, cost, notification, webhook, metric, log) get every route with its request file (`# spacectl exec VERB plugin.SERVICE -f FILE` on the file\'s first line), then an empty request, which must be refused'
complete -c spaceone -n "__fish_spaceone_using_subcommand plugin; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c spaceone -n "__fish_spaceone_using_subcommand run; and not __fish_seen_subcommand_from grpc-server plugin-server rest-server scheduler help" -s h -l help -d 'Print help'
complete -c spaceone -n "__fish_spaceone_using_subcommand run; and not __fish_seen_subcommand_from grpc-server plugin-server rest-server scheduler help" -f -a "grpc-server" -d 'Run a gRPC server (not in this binary: Python spaceone-core)'
complete -c spaceone -n "__fish_spaceone_using_subcommand run; and not __fish_seen_subcommand_from grpc-server plugin-server rest-server scheduler help" -f -a "plugin-server" -d 'Run a plugin server'
complete -c spaceone -n "__fish_spaceone_using_subcommand run; and not __fish_seen_subcommand_from grpc-server plugin-server rest-server scheduler help" -f -a "rest-server" -d 'Run a FastAPI REST server (not in this binary: Python spaceone-core)'
complete -c spaceone -n "__fish_spaceone_using_subcommand run; and not __fish_seen_subcommand_from grpc-server plugin-server rest-server scheduler help" -f -a "scheduler" -d 'Run a scheduler server (not in this binary: Python spaceone-core)'
complete -c spaceone -n "__fish_spaceone_using_subcommand run; and not __fish_seen_subcommand_from grpc-server plugin-server rest-server scheduler help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c spaceone -n "__fish_spaceone_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -s a -l app-path -d 'Module path of the app: the text before \':\' is imported after {package} substitution' -r
complete -c spaceone -n "__fish_spaceone_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -s s -l source-root -d 'Source root put first on the import path' -r -F
complete -c spaceone -n "__fish_spaceone_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -s p -l port -d 'Port to listen on; 0 lets the system choose a free port, which the start line (`Start gRPC Server (...): port=N`) names' -r
complete -c spaceone -n "__fish_spaceone_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -s w -l worker -d 'Most calls served at once, like upstream\'s worker threads (further calls queue); handlers run them on few processes, one per CPU core (see `spacectl plugin protocol`)' -r
complete -c spaceone -n "__fish_spaceone_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -s m -l module-path -d 'Extra module path put on the import path (repeatable; takes precedence over -s)' -r -F
complete -c spaceone -n "__fish_spaceone_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -l host -d 'Address to bind. The default `::` binds every interface (IPv6 and IPv4, or 0.0.0.0 without IPv6), so other machines can call the plugin; --host 127.0.0.1 binds the loopback interface only' -r
complete -c spaceone -n "__fish_spaceone_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -l python -d 'Python interpreter that runs the plugin code (default: python3; for plugins built on the Python framework: the interpreter of their virtualenv)' -r -F
complete -c spaceone -n "__fish_spaceone_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -l handler -d 'Run this command as the handler instead of the Python runner (any language; `spacectl plugin protocol` prints the protocol)' -r
complete -c spaceone -n "__fish_spaceone_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -l timeout -d 'Seconds a single call (a whole collect stream included) may take before it fails with DEADLINE_EXCEEDED and its handler is replaced; 0 = no limit, like upstream' -r
complete -c spaceone -n "__fish_spaceone_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -l kind -d 'Serve the plugin as this kind: asset (the inventory collector; also collector), external-auth (auth), account-collector, cost, notification, webhook, metric or log. By default the class of the plugin\'s app tells (or, failing that, its routes)' -r
complete -c spaceone -n "__fish_spaceone_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -l inventory-v1 -d 'For inventory 1.x: also send json_metadata decoded as metadata and a cloud service\'s json_data decoded as data (inventory 1.x reads only those, and fails the job task on a v2 plugin\'s null ones)'
complete -c spaceone -n "__fish_spaceone_using_subcommand run; and __fish_seen_subcommand_from plugin-server" -s h -l help -d 'Print help'
complete -c spaceone -n "__fish_spaceone_using_subcommand run; and __fish_seen_subcommand_from help" -f -a "grpc-server" -d 'Run a gRPC server (not in this binary: Python spaceone-core)'
complete -c spaceone -n "__fish_spaceone_using_subcommand run; and __fish_seen_subcommand_from help" -f -a "plugin-server" -d 'Run a plugin server'
complete -c spaceone -n "__fish_spaceone_using_subcommand run; and __fish_seen_subcommand_from help" -f -a "rest-server" -d 'Run a FastAPI REST server (not in this binary: Python spaceone-core)'
complete -c spaceone -n "__fish_spaceone_using_subcommand run; and __fish_seen_subcommand_from help" -f -a "scheduler" -d 'Run a scheduler server (not in this binary: Python spaceone-core)'
complete -c spaceone -n "__fish_spaceone_using_subcommand run; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c spaceone -n "__fish_spaceone_using_subcommand help; and not __fish_seen_subcommand_from create-project plugin run show-config test help" -f -a "create-project" -d 'Create a new project'
complete -c spaceone -n "__fish_spaceone_using_subcommand help; and not __fish_seen_subcommand_from create-project plugin run show-config test help" -f -a "plugin" -d 'Plugin author tools (metadata conversion, smoke tests, the handler protocol)'
complete -c spaceone -n "__fish_spaceone_using_subcommand help; and not __fish_seen_subcommand_from create-project plugin run show-config test help" -f -a "run" -d 'Run a server'
complete -c spaceone -n "__fish_spaceone_using_subcommand help; and not __fish_seen_subcommand_from create-project plugin run show-config test help" -f -a "show-config" -d 'Show global configurations (not in this binary: Python spaceone-core)'
complete -c spaceone -n "__fish_spaceone_using_subcommand help; and not __fish_seen_subcommand_from create-project plugin run show-config test help" -f -a "test" -d 'Unit tests for source code (not in this binary: Python spaceone-core)'
complete -c spaceone -n "__fish_spaceone_using_subcommand help; and not __fish_seen_subcommand_from create-project plugin run show-config test help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c spaceone -n "__fish_spaceone_using_subcommand help; and __fish_seen_subcommand_from plugin" -f -a "metadata" -d 'Convert a metadata YAML file into the console\'s dynamic view (printed as JSON)'
complete -c spaceone -n "__fish_spaceone_using_subcommand help; and __fish_seen_subcommand_from plugin" -f -a "protocol" -d 'Print the handler protocol: how the host runs plugin code in any language'
complete -c spaceone -n "__fish_spaceone_using_subcommand help; and __fish_seen_subcommand_from plugin" -f -a "test" -d 'Smoke-test a plugin of any kind: serve it on a free local port, call its routes, check every response and print a summary. A collector gets init, verify (with verify.yaml or --secret), get_tasks and collect (once per task); the other kinds (external-auth, account-collector, cost, notification, webhook, metric, log) get every route with its request file (`# spacectl exec VERB plugin.SERVICE -f FILE` on the file\'s first line), then an empty request, which must be refused'
complete -c spaceone -n "__fish_spaceone_using_subcommand help; and __fish_seen_subcommand_from run" -f -a "grpc-server" -d 'Run a gRPC server (not in this binary: Python spaceone-core)'
complete -c spaceone -n "__fish_spaceone_using_subcommand help; and __fish_seen_subcommand_from run" -f -a "plugin-server" -d 'Run a plugin server'
complete -c spaceone -n "__fish_spaceone_using_subcommand help; and __fish_seen_subcommand_from run" -f -a "rest-server" -d 'Run a FastAPI REST server (not in this binary: Python spaceone-core)'
complete -c spaceone -n "__fish_spaceone_using_subcommand help; and __fish_seen_subcommand_from run" -f -a "scheduler" -d 'Run a scheduler server (not in this binary: Python spaceone-core)'
