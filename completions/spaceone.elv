
use builtin;
use str;

set edit:completion:arg-completer[spaceone] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'spaceone'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'spaceone'= {
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create-project 'Create a new project'
            cand plugin 'Plugin author tools (metadata conversion, smoke tests, the handler protocol)'
            cand run 'Run a server'
            cand show-config 'Show global configurations (not in this binary: Python spaceone-core)'
            cand test 'Unit tests for source code (not in this binary: Python spaceone-core)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'spaceone;create-project'= {
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
        &'spaceone;plugin'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand metadata 'Convert a metadata YAML file into the console''s dynamic view (printed as JSON)'
            cand protocol 'Print the handler protocol: how the host runs plugin code in any language'
            cand test 'Smoke-test a plugin of any kind: serve it on a free local port, call its routes, check every response and print a summary. A collector gets init, verify (with verify.yaml or --secret), get_tasks and collect (once per task); the other kinds (external-auth, account-collector, cost, notification, webhook, metric, log) get every route with its request file (`# spacectl exec VERB plugin.SERVICE -f FILE` on the file''s first line), then an empty request, which must be refused'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'spaceone;plugin;metadata'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spaceone;plugin;protocol'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'spaceone;plugin;test'= {
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
        &'spaceone;plugin;help'= {
            cand metadata 'Convert a metadata YAML file into the console''s dynamic view (printed as JSON)'
            cand protocol 'Print the handler protocol: how the host runs plugin code in any language'
            cand test 'Smoke-test a plugin of any kind: serve it on a free local port, call its routes, check every response and print a summary. A collector gets init, verify (with verify.yaml or --secret), get_tasks and collect (once per task); the other kinds (external-auth, account-collector, cost, notification, webhook, metric, log) get every route with its request file (`# spacectl exec VERB plugin.SERVICE -f FILE` on the file''s first line), then an empty request, which must be refused'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'spaceone;plugin;help;metadata'= {
        }
        &'spaceone;plugin;help;protocol'= {
        }
        &'spaceone;plugin;help;test'= {
        }
        &'spaceone;plugin;help;help'= {
        }
        &'spaceone;run'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand grpc-server 'Run a gRPC server (not in this binary: Python spaceone-core)'
            cand plugin-server 'Run a plugin server'
            cand rest-server 'Run a FastAPI REST server (not in this binary: Python spaceone-core)'
            cand scheduler 'Run a scheduler server (not in this binary: Python spaceone-core)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'spaceone;run;grpc-server'= {
        }
        &'spaceone;run;plugin-server'= {
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
        &'spaceone;run;rest-server'= {
        }
        &'spaceone;run;scheduler'= {
        }
        &'spaceone;run;help'= {
            cand grpc-server 'Run a gRPC server (not in this binary: Python spaceone-core)'
            cand plugin-server 'Run a plugin server'
            cand rest-server 'Run a FastAPI REST server (not in this binary: Python spaceone-core)'
            cand scheduler 'Run a scheduler server (not in this binary: Python spaceone-core)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'spaceone;run;help;grpc-server'= {
        }
        &'spaceone;run;help;plugin-server'= {
        }
        &'spaceone;run;help;rest-server'= {
        }
        &'spaceone;run;help;scheduler'= {
        }
        &'spaceone;run;help;help'= {
        }
        &'spaceone;show-config'= {
        }
        &'spaceone;test'= {
        }
        &'spaceone;help'= {
            cand create-project 'Create a new project'
            cand plugin 'Plugin author tools (metadata conversion, smoke tests, the handler protocol)'
            cand run 'Run a server'
            cand show-config 'Show global configurations (not in this binary: Python spaceone-core)'
            cand test 'Unit tests for source code (not in this binary: Python spaceone-core)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'spaceone;help;create-project'= {
        }
        &'spaceone;help;plugin'= {
            cand metadata 'Convert a metadata YAML file into the console''s dynamic view (printed as JSON)'
            cand protocol 'Print the handler protocol: how the host runs plugin code in any language'
            cand test 'Smoke-test a plugin of any kind: serve it on a free local port, call its routes, check every response and print a summary. A collector gets init, verify (with verify.yaml or --secret), get_tasks and collect (once per task); the other kinds (external-auth, account-collector, cost, notification, webhook, metric, log) get every route with its request file (`# spacectl exec VERB plugin.SERVICE -f FILE` on the file''s first line), then an empty request, which must be refused'
        }
        &'spaceone;help;plugin;metadata'= {
        }
        &'spaceone;help;plugin;protocol'= {
        }
        &'spaceone;help;plugin;test'= {
        }
        &'spaceone;help;run'= {
            cand grpc-server 'Run a gRPC server (not in this binary: Python spaceone-core)'
            cand plugin-server 'Run a plugin server'
            cand rest-server 'Run a FastAPI REST server (not in this binary: Python spaceone-core)'
            cand scheduler 'Run a scheduler server (not in this binary: Python spaceone-core)'
        }
        &'spaceone;help;run;grpc-server'= {
        }
        &'spaceone;help;run;plugin-server'= {
        }
        &'spaceone;help;run;rest-server'= {
        }
        &'spaceone;help;run;scheduler'= {
        }
        &'spaceone;help;show-config'= {
        }
        &'spaceone;help;test'= {
        }
        &'spaceone;help;help'= {
        }
    ]
    $completions[$command]
}
