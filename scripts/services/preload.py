"""Start a service whose configuration holds the owner's token before that token exists.

    preload.py STATE SECS SERVICE grpc|scheduler SPACEONE-ARGS...

inventory and the supervisor act with the owner's token (their `TOKEN` setting), which
the identity bootstrap creates. Importing a service's code takes most of its start-up,
so this imports it first, while identity starts, then waits (at most SECS) for
STATE/token, writes STATE/conf/SERVICE.yaml and runs `spaceone grpc|scheduler
spaceone.SERVICE SPACEONE-ARGS...` in this process: the same entry point as the
`spaceone` command.

With SERVICES_LINE=2 (the 2.x services) it waits for STATE/system_token, the token every
2.x service acts with, and runs `spaceone run grpc-server|scheduler ...`.
"""
import importlib
import os
import sys
import time
import warnings

warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))


def fail(message):
    sys.stderr.write(f"services: {message}\n")
    sys.exit(1)


def preload(service):
    """The modules `spaceone grpc|scheduler` will import for this service. Only a head
    start: what fails to import here is imported (and reported) by `spaceone` later."""
    import spaceone.core.command  # noqa: F401  (grpc, protobuf, the core)

    modules = [f"spaceone.{service}.scheduler.sync_scheduler"] if service == "supervisor" else []
    try:
        proto = importlib.import_module(f"spaceone.{service}.conf.proto_conf").PROTO
        modules += [m for m in proto if m.startswith("spaceone.")]
    except Exception:
        pass
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception:
            pass


def main(argv):
    if len(argv) < 4:
        fail("usage: preload.py STATE SECS SERVICE grpc|scheduler SPACEONE-ARGS...")
    state, seconds, service, mode, rest = argv[0], float(argv[1]), argv[2], argv[3], argv[4:]
    preload(service)
    line2 = os.environ.get("SERVICES_LINE", "1") == "2"
    token = os.path.join(state, "system_token" if line2 else "token")
    deadline = time.monotonic() + seconds
    while not os.path.isfile(token):
        if time.monotonic() > deadline:
            fail(f"{service}: no token in {token} after {seconds:g} s (did the identity bootstrap fail?)")
        time.sleep(0.05)
    sys.path.insert(0, HERE)
    import helper

    helper.cmd_config(state, [service])
    from spaceone.core.command import cli

    command = ["run", {"grpc": "grpc-server"}.get(mode, mode)] if line2 else [mode]
    sys.argv = ["spaceone", *command, f"spaceone.{service}", "-c", os.path.join(state, "conf", f"{service}.yaml"), *rest]
    cli()


if __name__ == "__main__":
    main(sys.argv[1:])
