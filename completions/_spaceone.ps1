
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'spaceone' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'spaceone'
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
        'spaceone' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create-project', 'create-project', [CompletionResultType]::ParameterValue, 'Create a new project')
            [CompletionResult]::new('plugin', 'plugin', [CompletionResultType]::ParameterValue, 'Plugin author tools (metadata conversion, smoke tests, the handler protocol)')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a server')
            [CompletionResult]::new('show-config', 'show-config', [CompletionResultType]::ParameterValue, 'Show global configurations (not in this binary: Python spaceone-core)')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Unit tests for source code (not in this binary: Python spaceone-core)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'spaceone;create-project' {
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
        'spaceone;plugin' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('metadata', 'metadata', [CompletionResultType]::ParameterValue, 'Convert a metadata YAML file into the console''s dynamic view (printed as JSON)')
            [CompletionResult]::new('protocol', 'protocol', [CompletionResultType]::ParameterValue, 'Print the handler protocol: how the host runs plugin code in any language')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Smoke-test a plugin of any kind: serve it on a free local port, call its routes, check every response and print a summary. A collector gets init, verify (with verify.yaml or --secret), get_tasks and collect (once per task); the other kinds (external-auth, account-collector, cost, notification, webhook, metric, log) get every route with its request file (`# spacectl exec VERB plugin.SERVICE -f FILE` on the file''s first line), then an empty request, which must be refused')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'spaceone;plugin;metadata' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spaceone;plugin;protocol' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'spaceone;plugin;test' {
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
        'spaceone;plugin;help' {
            [CompletionResult]::new('metadata', 'metadata', [CompletionResultType]::ParameterValue, 'Convert a metadata YAML file into the console''s dynamic view (printed as JSON)')
            [CompletionResult]::new('protocol', 'protocol', [CompletionResultType]::ParameterValue, 'Print the handler protocol: how the host runs plugin code in any language')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Smoke-test a plugin of any kind: serve it on a free local port, call its routes, check every response and print a summary. A collector gets init, verify (with verify.yaml or --secret), get_tasks and collect (once per task); the other kinds (external-auth, account-collector, cost, notification, webhook, metric, log) get every route with its request file (`# spacectl exec VERB plugin.SERVICE -f FILE` on the file''s first line), then an empty request, which must be refused')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'spaceone;plugin;help;metadata' {
            break
        }
        'spaceone;plugin;help;protocol' {
            break
        }
        'spaceone;plugin;help;test' {
            break
        }
        'spaceone;plugin;help;help' {
            break
        }
        'spaceone;run' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('grpc-server', 'grpc-server', [CompletionResultType]::ParameterValue, 'Run a gRPC server (not in this binary: Python spaceone-core)')
            [CompletionResult]::new('plugin-server', 'plugin-server', [CompletionResultType]::ParameterValue, 'Run a plugin server')
            [CompletionResult]::new('rest-server', 'rest-server', [CompletionResultType]::ParameterValue, 'Run a FastAPI REST server (not in this binary: Python spaceone-core)')
            [CompletionResult]::new('scheduler', 'scheduler', [CompletionResultType]::ParameterValue, 'Run a scheduler server (not in this binary: Python spaceone-core)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'spaceone;run;grpc-server' {
            break
        }
        'spaceone;run;plugin-server' {
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
        'spaceone;run;rest-server' {
            break
        }
        'spaceone;run;scheduler' {
            break
        }
        'spaceone;run;help' {
            [CompletionResult]::new('grpc-server', 'grpc-server', [CompletionResultType]::ParameterValue, 'Run a gRPC server (not in this binary: Python spaceone-core)')
            [CompletionResult]::new('plugin-server', 'plugin-server', [CompletionResultType]::ParameterValue, 'Run a plugin server')
            [CompletionResult]::new('rest-server', 'rest-server', [CompletionResultType]::ParameterValue, 'Run a FastAPI REST server (not in this binary: Python spaceone-core)')
            [CompletionResult]::new('scheduler', 'scheduler', [CompletionResultType]::ParameterValue, 'Run a scheduler server (not in this binary: Python spaceone-core)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'spaceone;run;help;grpc-server' {
            break
        }
        'spaceone;run;help;plugin-server' {
            break
        }
        'spaceone;run;help;rest-server' {
            break
        }
        'spaceone;run;help;scheduler' {
            break
        }
        'spaceone;run;help;help' {
            break
        }
        'spaceone;show-config' {
            break
        }
        'spaceone;test' {
            break
        }
        'spaceone;help' {
            [CompletionResult]::new('create-project', 'create-project', [CompletionResultType]::ParameterValue, 'Create a new project')
            [CompletionResult]::new('plugin', 'plugin', [CompletionResultType]::ParameterValue, 'Plugin author tools (metadata conversion, smoke tests, the handler protocol)')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a server')
            [CompletionResult]::new('show-config', 'show-config', [CompletionResultType]::ParameterValue, 'Show global configurations (not in this binary: Python spaceone-core)')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Unit tests for source code (not in this binary: Python spaceone-core)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'spaceone;help;create-project' {
            break
        }
        'spaceone;help;plugin' {
            [CompletionResult]::new('metadata', 'metadata', [CompletionResultType]::ParameterValue, 'Convert a metadata YAML file into the console''s dynamic view (printed as JSON)')
            [CompletionResult]::new('protocol', 'protocol', [CompletionResultType]::ParameterValue, 'Print the handler protocol: how the host runs plugin code in any language')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Smoke-test a plugin of any kind: serve it on a free local port, call its routes, check every response and print a summary. A collector gets init, verify (with verify.yaml or --secret), get_tasks and collect (once per task); the other kinds (external-auth, account-collector, cost, notification, webhook, metric, log) get every route with its request file (`# spacectl exec VERB plugin.SERVICE -f FILE` on the file''s first line), then an empty request, which must be refused')
            break
        }
        'spaceone;help;plugin;metadata' {
            break
        }
        'spaceone;help;plugin;protocol' {
            break
        }
        'spaceone;help;plugin;test' {
            break
        }
        'spaceone;help;run' {
            [CompletionResult]::new('grpc-server', 'grpc-server', [CompletionResultType]::ParameterValue, 'Run a gRPC server (not in this binary: Python spaceone-core)')
            [CompletionResult]::new('plugin-server', 'plugin-server', [CompletionResultType]::ParameterValue, 'Run a plugin server')
            [CompletionResult]::new('rest-server', 'rest-server', [CompletionResultType]::ParameterValue, 'Run a FastAPI REST server (not in this binary: Python spaceone-core)')
            [CompletionResult]::new('scheduler', 'scheduler', [CompletionResultType]::ParameterValue, 'Run a scheduler server (not in this binary: Python spaceone-core)')
            break
        }
        'spaceone;help;run;grpc-server' {
            break
        }
        'spaceone;help;run;plugin-server' {
            break
        }
        'spaceone;help;run;rest-server' {
            break
        }
        'spaceone;help;run;scheduler' {
            break
        }
        'spaceone;help;show-config' {
            break
        }
        'spaceone;help;test' {
            break
        }
        'spaceone;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
