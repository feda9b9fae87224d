"""Support commands of scripts/services.sh, run with the services venv's Python.
SERVICES_LINE=2 (exported by services.sh) selects the SpaceONE 2.x services (line2.py).

    helper.py prepare STATE SERVICE...     ports, then config
    helper.py ports STATE                  choose free loopback ports, write STATE/ports.env
    helper.py config STATE SERVICE...      write STATE/conf/SERVICE.yaml for each service
    helper.py aux STATE                    serve the stand-ins for Redis and the image registry
    helper.py setup STATE SECS SERVICE...  wait for identity; create the domain, its owner and
                                           a token (STATE/token, STATE/domain_id, the spacectl
                                           home); make each SERVICE's (slow) first call; with
                                           `supervisor`, wait until it has published itself

Every wait is bounded; errors are one line on stderr and a non-zero exit status.
"""
import json
import os
import socket
import sys
import time
import warnings

warnings.filterwarnings("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
LOOPBACK = "127.0.0.1"

# Port variables in ports.env, in the order they are chosen.
PORT_NAMES = [
    "IDENTITY_PORT", "REPOSITORY_PORT", "INVENTORY_PORT", "PLUGIN_PORT", "SECRET_PORT",
    "REDIS_PORT", "REGISTRY_PORT",
]
# The supervisor starts plugins on ports of this many consecutive numbers.
PLUGIN_PORT_SPAN = 16

# Redis database number of each service (one server, separate key spaces).
REDIS_DB = {"identity": 0, "repository": 1, "inventory": 2, "plugin": 3, "supervisor": 4, "secret": 5}

IDENTITY_TOKEN_TIMEOUT = 86400


def line2():
    """Whether the 2.x services are meant (their configuration and bootstrap are in line2.py)."""
    return os.environ.get("SERVICES_LINE", "1") == "2"


if line2():
    sys.path.insert(0, HERE)
    import line2 as v2  # noqa: E402


def fail(message):
    sys.stderr.write(f"services: {message}\n")
    sys.exit(1)


# ----------------------------------------------------------------------------- ports

def _free_port(sockets):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((LOOPBACK, 0))
    sockets.append(s)
    return s.getsockname()[1]


def _span_is_free(start, span):
    for port in range(start, start + span):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind((LOOPBACK, port))
        except OSError:
            return False
        finally:
            s.close()
    return True


def cmd_ports(state):
    held = []  # kept open until every port is chosen, so that none is chosen twice
    names = PORT_NAMES + (["CONFIG_PORT"] if line2() else [])
    ports = {name: _free_port(held) for name in names}
    start = None
    for _ in range(50):
        candidate = _free_port(held)
        if candidate + PLUGIN_PORT_SPAN < 65536 and _span_is_free(candidate + 1, PLUGIN_PORT_SPAN - 1):
            start = candidate
            break
    for s in held:
        s.close()
    if start is None:
        fail(f"found no {PLUGIN_PORT_SPAN} consecutive free ports for plugin processes")
    ports["PLUGIN_PORTS_START"] = start
    ports["PLUGIN_PORTS_END"] = start + PLUGIN_PORT_SPAN
    with open(os.path.join(state, "ports.env"), "w") as f:
        for name, port in ports.items():
            f.write(f"{name}={port}\n")


def read_env_file(path):
    values = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                k, v = line.split("=", 1)
                values[k] = v
    return values


def read_ports(state):
    path = os.path.join(state, "ports.env")
    if not os.path.isfile(path):
        fail(f"{path} not found: start the services first (scripts/services.sh start)")
    return {k: int(v) for k, v in read_env_file(path).items()}


def read_text(state, name):
    path = os.path.join(state, name)
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        fail(f"{path} not found: the identity bootstrap has not run")


# ----------------------------------------------------------------------------- configs

def _grpc(port):
    return f"grpc://{LOOPBACK}:{port}/v1"


def _base(service, ports, log_level):
    """What every gRPC service gets: an in-process mongomock database, the shared Redis
    stand-in as cache, the endpoints of the other services and identity's auth handlers."""
    identity = _grpc(ports["IDENTITY_PORT"])
    return {
        "DATABASES": {"default": {"db": service, "host": "mongomock://localhost"}},
        "CACHES": {
            "default": {
                "backend": "spaceone.core.cache.redis_cache.RedisCache",
                "host": LOOPBACK,
                "port": ports["REDIS_PORT"],
                "db": REDIS_DB[service],
                "encoding": "utf-8",
                "socket_timeout": 10,
                "socket_connect_timeout": 10,
            },
            "local": {"backend": "spaceone.core.cache.local_cache.LocalCache", "max_size": 128, "ttl": 300},
        },
        "CONNECTORS": {
            "SpaceConnector": {
                "backend": "spaceone.core.connector.space_connector.SpaceConnector",
                "endpoints": {
                    "identity": identity,
                    "repository": _grpc(ports["REPOSITORY_PORT"]),
                    "inventory": _grpc(ports["INVENTORY_PORT"]),
                    "plugin": _grpc(ports["PLUGIN_PORT"]),
                    "secret": _grpc(ports["SECRET_PORT"]),
                },
            },
        },
        "HANDLERS": {
            "authentication": [{
                "backend": "spaceone.core.handler.authentication_handler.AuthenticationGRPCHandler",
                "uri": identity,
            }],
            "authorization": [{
                "backend": "spaceone.core.handler.authorization_handler.AuthorizationGRPCHandler",
                "uri": identity,
            }],
            "mutation": [{"backend": "spaceone.core.handler.mutation_handler.SpaceONEMutationHandler"}],
            "event": [],
        },
        "LOG": {"loggers": {"spaceone": {"level": log_level}}},
    }


def service_config(service, state, ports, log_level, loop):
    if line2():
        return v2.service_config(service, state, ports, log_level, loop, read_text)
    if service == "supervisor":
        return _supervisor_config(state, ports, log_level)
    conf = _base(service, ports, log_level)
    if service == "identity":
        conf["IDENTITY"] = {"token": {"token_timeout": IDENTITY_TOKEN_TIMEOUT,
                                      "refresh_timeout": IDENTITY_TOKEN_TIMEOUT}}
    elif service == "repository":
        # Plugin.register asks the image registry for tags: DOCKER_HUB is reached as
        # https://<REGISTRY_URL_MAP.DOCKER_HUB>/v2/repositories/<image>/tags, HARBOR through base_url.
        registry = f"{LOOPBACK}:{ports['REGISTRY_PORT']}"
        conf["REGISTRY_URL_MAP"] = {"DOCKER_HUB": registry, "HARBOR": registry}
        conf["CONNECTORS"]["HarborConnector"] = {"base_url": f"https://{registry}", "token": "", "verify": True}
        docker_registry = os.environ.get("SERVICES_DOCKER_REGISTRY")
        if docker_registry:
            # A real registry (services.sh --docker): the plain registry API, over HTTP on loopback.
            conf["REGISTRY_URL_MAP"]["HARBOR"] = docker_registry
            conf["CONNECTORS"]["HarborConnector"] = {"base_url": f"http://{docker_registry}", "token": "",
                                                     "verify": False}
    elif service == "inventory" and loop:
        # TOKEN: inventory's own calls to secret and the token of the collecting tasks.
        # The collecting tasks run in threads of this process: its mongomock database is
        # not visible to another process.
        conf["TOKEN"] = read_text(state, "token")
        conf["QUEUES"] = {"collector_q": {"backend": "spacectl_local.task_queue.ThreadQueue", "workers": 2}}
        conf["collect_queue"] = "collector_q"
    elif service == "secret":
        conf["BACKEND"] = "MemorySecretConnector"
        conf["CONNECTORS"]["MemorySecretConnector"] = {"backend": "spacectl_local.secret_store.MemorySecretConnector"}
    return {"GLOBAL": conf}


def _plugin_runner(state, ports):
    """The supervisor's DockerConnector: ours, which starts plugins as local processes, or with
    services.sh --docker the supervisor's own, which runs their images in Docker."""
    ports_range = {"start_port": ports["PLUGIN_PORTS_START"], "end_port": ports["PLUGIN_PORTS_END"]}
    if os.environ.get("SERVICES_DOCKER_REGISTRY"):
        return ports_range
    return {"backend": "spacectl_local.process_connector.ProcessConnector", **ports_range, "state_dir": state}


def _supervisor_config(state, ports, log_level):
    interval = int(os.environ.get("SERVICES_SYNC_INTERVAL", "1"))
    return {"GLOBAL": {
        "NAME": "root",  # the name `root` makes the supervisor public in the plugin service
        "HOSTNAME": LOOPBACK,  # plugin endpoints are grpc://HOSTNAME:PORT
        # Only the name DockerConnector yields grpc://HOSTNAME:PORT endpoints; its class is ours.
        "BACKEND": "DockerConnector",
        "TOKEN": read_text(state, "token"),
        "CACHES": {
            "default": {"backend": "spaceone.core.cache.redis_cache.RedisCache", "host": LOOPBACK,
                        "port": ports["REDIS_PORT"], "db": REDIS_DB["supervisor"], "encoding": "utf-8"},
            "local": {"backend": "spaceone.core.cache.local_cache.LocalCache", "max_size": 128, "ttl": 300},
        },
        "CONNECTORS": {
            "PluginConnector": {"endpoint": {"v1": f"grpc://{LOOPBACK}:{ports['PLUGIN_PORT']}"}},
            "RepositoryConnector": {"endpoint": {"v1": f"grpc://{LOOPBACK}:{ports['REPOSITORY_PORT']}"}},
            "DockerConnector": _plugin_runner(state, ports),
        },
        # The sync scheduler runs its work itself; the queue is declared because the
        # scheduler server expects one, and is never used.
        "QUEUES": {"sync_q": {"backend": "spaceone.core.queue.redis_queue.RedisQueue", "host": LOOPBACK,
                              "port": ports["REDIS_PORT"], "channel": "supervisor_queue"}},
        "SCHEDULERS": {"sync": {"backend": "spaceone.supervisor.scheduler.sync_scheduler.SyncScheduler",
                                "queue": "sync_q", "interval": interval}},
        "LOG": {"loggers": {"spaceone": {"level": log_level}}},
    }}


def cmd_config(state, services):
    import yaml

    ports = read_ports(state)
    log_level = os.environ.get("SERVICES_LOG_LEVEL", "INFO")
    loop = os.environ.get("SERVICES_LOOP", "0") == "1"
    conf_dir = os.path.join(state, "conf")
    os.makedirs(conf_dir, exist_ok=True)
    known = v2.REDIS_DB if line2() else REDIS_DB
    for service in services:
        if service not in known:
            fail(f"unknown service {service!r} (expected one of {', '.join(known)})")
        path = os.path.join(conf_dir, f"{service}.yaml")
        with open(path + ".tmp", "w") as f:
            f.write(f"# {service}: written by scripts/services.sh\n")
            yaml.safe_dump(service_config(service, state, ports, log_level, loop), f, sort_keys=False)
        os.replace(path + ".tmp", path)


# ----------------------------------------------------------------------------- aux

def _make_certificate(cert_path, key_path):
    """A self-signed certificate for 127.0.0.1 and localhost, valid for a day."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "spacectl local registry")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([
            x509.IPAddress(ipaddress.ip_address(LOOPBACK)), x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    with open(cert_path + ".tmp", "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    os.replace(cert_path + ".tmp", cert_path)


def _registry_server(port, cert_path, key_path, tags):
    import ssl
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Registry(BaseHTTPRequestHandler):
        """Docker Hub's and Harbor's tag listings; every image has the same tags."""

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if path.startswith("/v2/repositories/") and path.endswith("/tags"):
                body = {"count": len(tags), "next": None, "previous": None,
                        "results": [{"name": t} for t in tags]}
            elif path.startswith("/v2/") and path.endswith("/tags/list"):
                body = {"name": path[len("/v2/"):-len("/tags/list")], "tags": tags}
            else:
                self.send_error(404, "not a tag listing")
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, fmt, *args):
            sys.stderr.write("registry: " + (fmt % args) + "\n")

    server = ThreadingHTTPServer((LOOPBACK, port), Registry)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    return server


def cmd_aux(state):
    """Redis (fakeredis) and the image registry, in one process: the registry's
    certificate is written before either port listens."""
    import threading

    from fakeredis import TcpFakeServer

    ports = read_ports(state)
    cert, key = os.path.join(state, "registry-cert.pem"), os.path.join(state, "registry-key.pem")
    _make_certificate(cert, key)
    tags = [t for t in os.environ.get("SERVICES_IMAGE_TAGS", "1.0.0,1.1.0").split(",") if t]
    registry = _registry_server(ports["REGISTRY_PORT"], cert, key, tags)
    redis = TcpFakeServer((LOOPBACK, ports["REDIS_PORT"]), server_type="redis")
    threading.Thread(target=registry.serve_forever, daemon=True, name="registry").start()
    sys.stderr.write(f"aux: redis on {LOOPBACK}:{ports['REDIS_PORT']}, "
                     f"registry on https://{LOOPBACK}:{ports['REGISTRY_PORT']} (tags {','.join(tags)})\n")
    sys.stderr.flush()
    redis.serve_forever()


# ----------------------------------------------------------------------------- bootstrap

def _dict(message):
    from google.protobuf.json_format import MessageToDict

    return MessageToDict(message, preserving_proto_field_name=True)


def wait_for_port(port, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((LOOPBACK, port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    fail(f"{what} did not listen on port {port} within {seconds:g} s")


def bootstrap(state, ports):
    """Domain `root`, its owner and an owner token, through identity's own API (the
    three calls need no token). The token is what every client and service uses."""
    from spaceone.core import pygrpc

    owner, password = "admin", os.environ.get("SERVICES_OWNER_PASSWORD", "Local-admin-1")
    timeout = int(os.environ.get("SERVICES_TOKEN_TIMEOUT", str(IDENTITY_TOKEN_TIMEOUT)))
    identity = pygrpc.client(endpoint=f"{LOOPBACK}:{ports['IDENTITY_PORT']}", version="v1")
    domain_id = _dict(identity.Domain.create({"name": "root"}, metadata=()))["domain_id"]
    identity.DomainOwner.create({"owner_id": owner, "password": password, "name": "Domain owner",
                                 "domain_id": domain_id}, metadata=())
    token = _dict(identity.Token.issue({"user_id": owner, "user_type": "DOMAIN_OWNER",
                                        "credentials": {"password": password},
                                        "domain_id": domain_id, "timeout": timeout}, metadata=()))["access_token"]
    loop = os.environ.get("SERVICES_LOOP", "0") == "1"
    services = ["identity", "repository", "inventory"] + (["plugin", "secret"] if loop else [])
    write_spacectl_home(state, ports, token, services)
    # The token comes last and whole: services that wait for it start when it exists.
    for name, value in (("domain_id", domain_id), ("token", token)):
        path = os.path.join(state, name)
        with open(path + ".tmp", "w") as f:
            f.write(value + "\n")
        os.replace(path + ".tmp", path)


def write_spacectl_home(state, ports, token, services):
    """A spacectl configuration (environment `local`) read alike by our spacectl and the
    Python one: HOME=STATE/home."""
    home = os.path.join(state, "home", ".spaceone")
    os.makedirs(os.path.join(home, "environments"), exist_ok=True)
    with open(os.path.join(home, "environment.yml"), "w") as f:
        f.write("environment: local\n")
    lines = [f"api_key: {token}", "endpoints:"]
    lines += [f"  {s}: grpc://{LOOPBACK}:{ports[s.upper() + '_PORT']}" for s in services]
    with open(os.path.join(home, "environments", "local.yml"), "w") as f:
        f.write("\n".join(lines) + "\n")


# ----------------------------------------------------------------------------- supervisor

def wait_supervisor(ports, token, domain_id, deadline):
    """Collector.create fails with ERROR_NO_POSSIBLE_SUPERVISOR until the supervisor's first
    sync has published it to the plugin service. Returns an error text, or None."""
    from spaceone.core import pygrpc

    last_error = "none published yet"
    while time.monotonic() < deadline:
        try:
            plugin = pygrpc.client(endpoint=f"{LOOPBACK}:{ports['PLUGIN_PORT']}", version="v1")
            found = _dict(plugin.Supervisor.list({"domain_id": domain_id}, metadata=(("token", token),)))
            if any(s.get("state") == "ENABLED" for s in found.get("results", [])):
                return None
        except Exception as e:  # the plugin service may still be starting
            last_error = str(e).splitlines()[0] if str(e) else type(e).__name__
        time.sleep(0.3)
    return f"the supervisor did not publish itself in time ({last_error})"


# A cheap authenticated call per service: the first call a Python service answers costs
# it (reflection descriptors, the token check through identity) far more than later ones.
WARM_CALLS = {
    "repository": ("Repository", "list"),
    "inventory": ("Collector", "list"),
    "plugin": ("Supervisor", "list"),
    "secret": ("Secret", "list"),
}


def warm(ports, token, domain_id, service, deadline):
    """The service's first call; a failure is only reported (the service's own start is
    watched by services.sh)."""
    from spaceone.core import pygrpc

    resource, verb = WARM_CALLS[service]
    port = ports[f"{service.upper()}_PORT"]
    try:
        wait_for_port(port, max(1.0, deadline - time.monotonic()), service)
        client = pygrpc.client(endpoint=f"{LOOPBACK}:{port}", version="v1")
        getattr(getattr(client, resource), verb)({"domain_id": domain_id}, metadata=(("token", token),))
    except BaseException as e:  # wait_for_port exits through SystemExit
        sys.stderr.write(f"warm-up of {service} failed: {e}\n")


def cmd_setup(state, seconds, services):
    """Everything start does through the services' APIs, in one process (its imports are
    paid once, while the services start): wait for identity and bootstrap; then, in
    parallel, make each listed service's first call and, when `supervisor` is listed,
    wait until the supervisor has published itself."""
    import threading

    deadline = time.monotonic() + seconds
    ports = read_ports(state)
    import spaceone.core.pygrpc  # noqa: F401  (while identity starts)

    wait_for_port(ports["IDENTITY_PORT"], seconds, "identity")
    if line2():
        setup_line2(state, ports, services, deadline)
        return
    bootstrap(state, ports)
    token, domain_id = read_text(state, "token"), read_text(state, "domain_id")
    jobs = [threading.Thread(target=warm, args=(ports, token, domain_id, s, deadline))
            for s in services if s in WARM_CALLS]
    run_jobs(jobs, ports, token, domain_id, "supervisor" in services, deadline)


def run_jobs(jobs, ports, token, domain_id, supervisor, deadline):
    """Run the warm-up threads and, with `supervisor`, the wait for its publication (its
    record is listed with `token` in `domain_id`); fails with the wait's error."""
    import threading

    errors = []
    if supervisor:
        jobs.append(threading.Thread(
            target=lambda: errors.append(wait_supervisor(ports, token, domain_id, deadline))))
    for job in jobs:
        job.start()
    for job in jobs:
        job.join(max(0.0, deadline - time.monotonic()) + 1)
    for error in errors:
        if error:
            fail(error)


def setup_line2(state, ports, services, deadline):
    """cmd_setup for the 2.x services."""
    import threading

    v2.bootstrap(state, ports, os.environ.get("SERVICES_LOOP", "0") == "1", write_spacectl_home)
    token = read_text(state, "token")

    def warm2(service):
        try:
            port = ports[f"{service.upper()}_PORT"]
            wait_for_port(port, max(1.0, deadline - time.monotonic()), service)
            v2.warm_call(port, service, token)
        except BaseException as e:  # wait_for_port exits through SystemExit
            sys.stderr.write(f"warm-up of {service} failed: {e}\n")

    jobs = [threading.Thread(target=warm2, args=(s,)) for s in services if s in v2.WARM_CALLS]
    # The supervisor acts with the system token: its record lives in the root domain.
    run_jobs(jobs, ports, read_text(state, "system_token"), v2.ROOT_DOMAIN_ID, "supervisor" in services, deadline)


def cmd_prepare(state, services):
    cmd_ports(state)
    cmd_config(state, services)


def main(argv):
    if len(argv) < 2 or argv[0] in ("-h", "--help"):
        sys.stdout.write(__doc__)
        return
    command, state = argv[0], argv[1]
    if command == "prepare":
        cmd_prepare(state, argv[2:])
    elif command == "ports":
        cmd_ports(state)
    elif command == "config":
        cmd_config(state, argv[2:])
    elif command == "aux":
        cmd_aux(state)
    elif command == "setup":
        cmd_setup(state, float(argv[2]) if len(argv) > 2 else 60.0, argv[3:])
    else:
        fail(f"unknown helper command {command!r} (see helper.py --help)")


if __name__ == "__main__":
    main(sys.argv[1:])
