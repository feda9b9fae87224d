"""The SpaceONE 2.x side of scripts/services/helper.py: configurations and bootstrap.

What differs from 1.12, as the 2.x services read their configuration:
- `spaceone run grpc-server|scheduler` (services.sh) instead of `spaceone grpc|scheduler`;
- a database is only connected when `engine`, `host`, `db` and `username` are all set
  (mongomock ignores the user name and password);
- caches are chosen with `engine:` (`backend:` is ignored), handler and connector classes are
  written `module:Class`, queue and scheduler classes still `module.Class`;
- keys the service does not know at the top level are dropped silently;
- every service needs identity's system token (`TOKEN`) to fetch the domains' public keys,
  identity included; it exists only once `System.init` has run on the empty database, so
  identity reads it from a file (spacectl_local.token_file) and the other services are
  configured after the bootstrap (preload.py);
- identity asks the config service for a domain's settings (`Domain.get_auth_info`) and
  lists the endpoints of its `ENDPOINTS` setting (`Endpoint.list`);
- the repository has one fixed LOCAL repository (no `Repository.register`) and reaches the
  image registry through `REGISTRY_INFO`.
"""
import os

LOOPBACK = "127.0.0.1"
ROOT_DOMAIN_ID = "domain-root"  # System.init creates the root domain under this fixed id

# Redis database number of each service (one server, separate key spaces).
REDIS_DB = {"identity": 0, "repository": 1, "inventory": 2, "plugin": 3, "supervisor": 4, "secret": 5,
            "config": 6}
# Services identity lists in Endpoint.list, with their API version.
API_VERSION = {"identity": "v2", "config": "v1", "repository": "v1", "inventory": "v1", "plugin": "v1",
               "secret": "v1"}

TOKEN_TIMEOUT = 86400

# The bootstrap's names; the password can be chosen with SERVICES_ADMIN_PASSWORD.
DOMAIN_NAME = "spaceone"
ADMIN_USER = "admin@example.com"
ROOT_USER = "root@example.com"
WORKSPACE_NAME = "default"
DEFAULT_PASSWORD = "Local-admin-1"


def admin_password():
    return os.environ.get("SERVICES_ADMIN_PASSWORD", DEFAULT_PASSWORD)


def public_endpoint(port):
    return f"grpc://{LOOPBACK}:{port}"


def internal_endpoint(port):
    # The same server under the other loopback name: `endpoint discover --internal` is told apart.
    return f"grpc://localhost:{port}"


def _running(ports, loop):
    names = ["identity", "config", "repository", "inventory"] + (["plugin", "secret"] if loop else [])
    return [n for n in names if f"{n.upper()}_PORT" in ports]


def _caches(service, ports):
    return {
        "default": {"engine": "RedisCache", "host": LOOPBACK, "port": ports["REDIS_PORT"],
                    "db": REDIS_DB[service], "encoding": "utf-8", "socket_timeout": 10,
                    "socket_connect_timeout": 10},
        "local": {"engine": "LocalCache", "max_size": 128, "ttl": 300},
    }


def _space_connector(ports, loop):
    return {"backend": "spaceone.core.connector.space_connector:SpaceConnector",
            "endpoints": {n: public_endpoint(ports[f"{n.upper()}_PORT"]) for n in _running(ports, loop)}}


def _base(service, state, ports, log_level, loop, token):
    authentication = {"backend": "spaceone.core.handler.authentication_handler:SpaceONEAuthenticationHandler"}
    if service == "identity":
        authentication = {"backend": "spacectl_local.token_file:TokenFileAuthenticationHandler",
                          "token_file": os.path.join(state, "system_token")}
    return {
        "DATABASES": {"default": {"engine": "MongoModel", "db": service, "host": "mongomock://localhost",
                                  "username": "mongomock", "password": "mongomock"}},
        "CACHES": _caches(service, ports),
        "TOKEN": token,
        "CONNECTORS": {"SpaceConnector": _space_connector(ports, loop)},
        "HANDLERS": {
            "authentication": [authentication],
            "authorization": [{"backend": "spaceone.core.handler.authorization_handler:SpaceONEAuthorizationHandler"}],
            "mutation": [{"backend": "spaceone.core.handler.mutation_handler:SpaceONEMutationHandler"}],
            "event": [],
        },
        "LOG": {"loggers": {"spaceone": {"level": log_level}}},
    }


def service_config(service, state, ports, log_level, loop, read_text):
    """The GLOBAL configuration of one 2.x service. `read_text(state, name)` reads a bootstrap file."""
    if service == "supervisor":
        return _supervisor_config(state, ports, log_level, read_text(state, "system_token"))
    token = "" if service == "identity" else read_text(state, "system_token")
    conf = _base(service, state, ports, log_level, loop, token)
    if service == "identity":
        conf["IDENTITY"] = {"token": {"token_timeout": TOKEN_TIMEOUT, "refresh_timeout": TOKEN_TIMEOUT}}
        conf["ENDPOINTS"] = [
            {"service": n, "name": f"{n.capitalize()} Service", "endpoint": public_endpoint(ports[f"{n.upper()}_PORT"]),
             "internal_endpoint": internal_endpoint(ports[f"{n.upper()}_PORT"]), "state": "ACTIVE",
             "version": API_VERSION[n]}
            for n in _running(ports, loop)]
    elif service == "repository":
        # Plugin.register and get_versions ask https://<url>/v2/repositories/<image>/tags.
        conf["REPOSITORIES"] = [{"repository_id": "repo-local", "name": "Local", "repository_type": "LOCAL"}]
        conf["REGISTRY_INFO"] = {"DOCKER_HUB": {"url": f"{LOOPBACK}:{ports['REGISTRY_PORT']}"}}
        docker_registry = os.environ.get("SERVICES_DOCKER_REGISTRY")
        if docker_registry:
            # A real registry (services.sh --docker): the plain registry API, over HTTP on loopback.
            conf["REGISTRY_INFO"]["HARBOR"] = {"url": docker_registry}
            conf["CONNECTORS"]["HarborConnector"] = {"base_url": f"http://{docker_registry}", "token": "",
                                                     "verify": False}
    elif service == "inventory":
        # The collecting tasks run in threads of this process (its database is in-process).
        conf["QUEUES"] = {"collector_q": {"backend": "spacectl_local.task_queue.ThreadQueue",
                                          "channel": "collector_q", "workers": 2}}
        conf["collect_queue"] = "collector_q"
    elif service == "secret":
        conf["BACKEND"] = "MemorySecretConnector"
        conf["CONNECTORS"]["MemorySecretConnector"] = {
            "backend": "spacectl_local.secret_store:MemorySecretConnector"}
    return {"GLOBAL": conf}


def _supervisor_config(state, ports, log_level, token):
    interval = int(os.environ.get("SERVICES_SYNC_INTERVAL", "1"))
    return {"GLOBAL": {
        "NAME": "root",  # with the system token (root domain) the supervisor is public
        "HOSTNAME": LOOPBACK,
        "BACKEND": "DockerConnector",  # only this name yields grpc://HOSTNAME:PORT endpoints
        "TOKEN": token,
        "CACHES": _caches("supervisor", ports),
        "CONNECTORS": {
            "SpaceConnector": {"backend": "spaceone.core.connector.space_connector:SpaceConnector",
                               "endpoints": {"plugin": public_endpoint(ports["PLUGIN_PORT"]),
                                             "repository": public_endpoint(ports["REPOSITORY_PORT"])}},
            "DockerConnector": {"backend": "spacectl_local.process_connector:ProcessConnector",
                                "start_port": ports["PLUGIN_PORTS_START"], "end_port": ports["PLUGIN_PORTS_END"],
                                "state_dir": state} if not os.environ.get("SERVICES_DOCKER_REGISTRY") else
            # services.sh --docker: the supervisor's own DockerConnector (docker run of the image).
            {"start_port": ports["PLUGIN_PORTS_START"], "end_port": ports["PLUGIN_PORTS_END"]},
        },
        "QUEUES": {"sync_q": {"backend": "spaceone.core.queue.redis_queue.RedisQueue", "host": LOOPBACK,
                              "port": ports["REDIS_PORT"], "channel": "supervisor_queue"}},
        "SCHEDULERS": {"sync": {"backend": "spaceone.supervisor.scheduler.sync_scheduler.SyncScheduler",
                                "queue": "sync_q", "interval": interval}},
        "LOG": {"loggers": {"spaceone": {"level": log_level}}},
    }}


# ----------------------------------------------------------------------------- bootstrap

def _write(state, name, value, private=False):
    path = os.path.join(state, name)
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    os.replace(path + ".tmp", path)


def bootstrap(state, ports, loop, write_home):
    """Through identity's API only: System.init (the system token), a domain with its
    admin, the admin's domain and workspace tokens, a workspace and an app. The system token
    is written first (the other services wait for it), the domain token last."""
    from google.protobuf.json_format import MessageToDict
    from spaceone.core import pygrpc

    identity = pygrpc.client(endpoint=f"{LOOPBACK}:{ports['IDENTITY_PORT']}", version="v2")

    def call(method, params, token=None):
        resource, verb = method.split(".")
        metadata = (("token", token),) if token else ()
        reply = getattr(getattr(identity, resource), verb)(params, metadata=metadata)
        return MessageToDict(reply, preserving_proto_field_name=True)

    password = admin_password()
    system = call("System.init", {"admin": {"user_id": ROOT_USER, "password": password, "name": "System admin"}})
    _write(state, "system_token", system["system_token"], private=True)
    # reset_password would require a password change before any grant; with a language the
    # call does not ask the config service, which is not configured yet.
    domain = call("Domain.create", {"name": DOMAIN_NAME, "admin": {
        "user_id": ADMIN_USER, "password": password, "name": "Domain admin", "reset_password": False,
        "language": "en"}}, token=system["system_token"])
    domain_id = domain["domain_id"]
    issued = call("Token.issue", {"domain_id": domain_id, "auth_type": "LOCAL", "timeout": TOKEN_TIMEOUT,
                                  "credentials": {"user_id": ADMIN_USER, "password": password}})
    refresh = issued["refresh_token"]
    grant = {"grant_type": "REFRESH_TOKEN", "token": refresh, "timeout": TOKEN_TIMEOUT}
    token = call("Token.grant", {**grant, "scope": "DOMAIN"})["access_token"]
    workspace_id = call("Workspace.create", {"name": WORKSPACE_NAME}, token=token)["workspace_id"]
    workspace_token = call("Token.grant", {**grant, "scope": "WORKSPACE", "workspace_id": workspace_id})["access_token"]
    app = call("App.create", {"name": "services", "role_id": "managed-domain-admin", "resource_group": "DOMAIN"},
               token=token)
    _write(state, "domain_id", domain_id)
    _write(state, "domain_name", DOMAIN_NAME)
    _write(state, "workspace_id", workspace_id)
    _write(state, "admin_user", ADMIN_USER)
    _write(state, "admin_password", password, private=True)
    _write(state, "workspace_token", workspace_token, private=True)
    _write(state, "app_token", app["client_secret"], private=True)
    write_home(state, ports, token, _running(ports, loop))
    _write(state, "token", token, private=True)


# A cheap authenticated first call per service (the first one costs a Python service most).
WARM_CALLS = {
    "config": ("DomainConfig", "list", "v1"),
    "repository": ("Plugin", "list", "v1"),
    "inventory": ("Collector", "list", "v1"),
    "secret": ("Secret", "list", "v1"),
}


def warm_call(port, service, token):
    from spaceone.core import pygrpc

    resource, verb, version = WARM_CALLS[service]
    client = pygrpc.client(endpoint=f"{LOOPBACK}:{port}", version=version)
    getattr(getattr(client, resource), verb)({}, metadata=(("token", token),))

