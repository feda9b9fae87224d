#!/usr/bin/env bash
# See your plugin's data in a real inventory, no Kubernetes: starts the real SpaceONE
# services (scripts/services.sh start --line 2 --loop; 1.12 with --line 1), registers the
# plugin (2.x: plugin, provider, its SECRET and SERVICE_ACCOUNT schemas, project, service
# account with its secret data; 1.12: repository, provider, plugin, service account and
# secret), creates a collector, whose plugin the real supervisor starts as a local process
# served by spacectl (`spacectl run plugin-server`), runs a collection, waits for the job,
# prints what the inventory holds and stops everything it started (also on Ctrl-C and on
# failure). On 2.x, spacectl itself signs in (`config init --identity`, `login`, `login
# --workspace`).
#
#   full-loop.sh [-s SRC] [--package NAME] [--python PYTHON] [options]
#
#   --line 1|2              the SpaceONE line: 2 (2.x, the default: what installations run
#                           today) or 1 (1.12); with --services, the line those were started with
#   -s, --source-root SRC   the plugin's source root, as for `run plugin-server -s`
#                           (default: the sample plugin, samples/compat-collector/src, with
#                           its data mock, --provider kestrel and the request
#                           collect-north-1.yaml, which leaves out the region whose load
#                           balancers fail on purpose)
#   --package NAME          the plugin package under SRC (default: plugin)
#   --python PYTHON         the interpreter that runs the plugin code (default: the
#                           reference plugin venv's python, which has the SpaceONE plugin
#                           libraries; a create-project plugin needs only python3)
#   --provider NAME         provider of the plugin, its service account and secret
#                           (default: `provider` of SRC/../register.yaml, else local)
#   --image IMAGE           image name to register; the plugin id is its last part
#                           (default: `image` of SRC/../register.yaml, else
#                           plugin-<directory name>-inven-collector)
#   --request FILE          YAML file with the collector's `options` and the secret's
#                           `secret_data` (default: SRC/../collect.yaml when present, else {})
#   --env KEY=VALUE         environment of the plugin process (repeatable)
#   --mock CMD              a data source the plugin needs: started (with bash -c, in the
#                           project directory SRC/.., $PLUGIN_PYTHON set to the plugin's
#                           interpreter) before the services, stopped at the end; `{port}`
#                           in CMD and in --env values is replaced by a free port, on which
#                           CMD must listen
#   --no-inventory-v1       (line 1) run the host without --inventory-v1 (which also sends
#                           json_metadata decoded as metadata and json_data as data):
#                           inventory 1.12 then fails the job task on a v2 plugin's
#                           cloud service types (and on cloud services sent as json_data);
#                           inventory 2.x needs no such option
#   --spacectl PATH         the spacectl to use as host and client (default: $SPACECTL_BIN,
#                           else `spacectl` on PATH, else the release binary scripts/demo.sh
#                           builds, built here with cargo's progress shown when missing)
#   --services DIR          use services already started with `services.sh start --loop
#                           --state DIR` and leave them running (names get a unique suffix)
#   --state DIR             state directory of the services this run starts (default: a new
#                           temporary directory, removed at the end unless --keep or failure)
#   --keep                  leave the services running at the end (stop them with
#                           scripts/services.sh stop --state DIR)
#   --wait SECS             how long the job may take (default 180)
#   --debug                 services log at DEBUG level (inventory 1.12 records some job
#                           task failures only as a count; their reason is logged there,
#                           in DIR/logs/inventory.log)
#
# The plugin must be an inventory collector: a project of another kind (its routes say so)
# is refused at once.
#
# Output: the inventory's cloud services of this collector, the job and its job tasks (stdout;
# progress and the spacectl calls on stderr). Exit status: 0 when the job and every job task
# ended SUCCESS, 3 when the collection ran but something failed, 1 on other errors, 2 on
# bad arguments.
set -eu

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SAMPLE="$ROOT/samples/compat-collector"
SRC=""
PACKAGE=plugin
PYTHON=""
PROVIDER=""
IMAGE=""
REQUEST=""
ENVS=()
MOCK=""
INVENTORY_V1=1
LINE=""
SPACECTL="${SPACECTL_BIN:-}"
SERVICES=""
STATE=""
KEEP=0
WAIT=180
DEBUG=""

T_START="${EPOCHREALTIME:-}"
elapsed() {
  [ -n "$T_START" ] && [ -n "${EPOCHREALTIME:-}" ] &&
    awk -v a="$T_START" -v b="$EPOCHREALTIME" 'BEGIN { printf "[%5.1f s] ", b - a }'
  return 0
}
say() { echo "full-loop: $(elapsed)$*" >&2; }
die() { echo "full-loop: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -eu/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
bad() { echo "full-loop: $* (try --help)" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    -s|--source-root) [ $# -ge 2 ] || bad "$1 needs a directory"; SRC="$2"; shift 2 ;;
    --package) [ $# -ge 2 ] || bad "--package needs a name"; PACKAGE="$2"; shift 2 ;;
    --python) [ $# -ge 2 ] || bad "--python needs an interpreter"; PYTHON="$2"; shift 2 ;;
    --provider) [ $# -ge 2 ] || bad "--provider needs a name"; PROVIDER="$2"; shift 2 ;;
    --image) [ $# -ge 2 ] || bad "--image needs a name"; IMAGE="$2"; shift 2 ;;
    --request) [ $# -ge 2 ] || bad "--request needs a file"; REQUEST="$2"; shift 2 ;;
    --env) [ $# -ge 2 ] || bad "--env needs KEY=VALUE"
      case "$2" in [A-Za-z_]*=*) ;; *) bad "--env takes KEY=VALUE, not '$2'" ;; esac
      ENVS+=("$2"); shift 2 ;;
    --mock) [ $# -ge 2 ] || bad "--mock needs a command"; MOCK="$2"; shift 2 ;;
    --no-inventory-v1) INVENTORY_V1=0; shift ;;
    --line) [ $# -ge 2 ] || bad "--line needs 1 or 2"; LINE="$2"; shift 2 ;;
    --spacectl) [ $# -ge 2 ] || bad "--spacectl needs a path"; SPACECTL="$2"; shift 2 ;;
    --services) [ $# -ge 2 ] || bad "--services needs a directory"; SERVICES="$2"; shift 2 ;;
    --state) [ $# -ge 2 ] || bad "--state needs a directory"; STATE="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --wait) [ $# -ge 2 ] || bad "--wait needs a number of seconds"; WAIT="$2"; shift 2 ;;
    --debug) DEBUG=--debug; shift ;;
    -h|--help) usage; exit 0 ;;
    *) bad "unknown argument '$1'" ;;
  esac
done
case "$WAIT" in ''|*[!0-9]*) bad "--wait must be a whole number of seconds, not '$WAIT'" ;; esac
[ -z "$SERVICES" ] || [ -z "$STATE" ] || bad "--services and --state exclude each other"
[ -z "$SERVICES" ] || [ "$KEEP" = 0 ] || bad "--keep has no effect with --services (they are left running anyway)"
case "$LINE" in
  1|1.12|1.x) LINE=1 ;;
  2|2.x) LINE=2 ;;
  '') if [ -n "$SERVICES" ] && [ -f "$SERVICES/line" ]; then LINE="$(cat "$SERVICES/line")"; else LINE=2; fi ;;
  *) bad "--line must be 1 (SpaceONE 1.12) or 2 (SpaceONE 2.x), not '$LINE'" ;;
esac
if [ -n "$SERVICES" ] && [ "$(cat "$SERVICES/line" 2>/dev/null || echo 1)" != "$LINE" ]; then
  bad "the services in $SERVICES are not of line $LINE"
fi
[ "$LINE" = 1 ] || [ "$INVENTORY_V1" = 1 ] || bad "--no-inventory-v1 applies to --line 1 only (inventory 2.x reads the plugin's metadata as it is)"
[ "$LINE" = 1 ] || INVENTORY_V1=0
if [ -z "$SRC" ]; then
  # The sample: its mock API, its provider, and a request without its FAILURE item.
  SRC="$SAMPLE/src"
  [ -n "$PROVIDER" ] || PROVIDER=kestrel
  [ -n "$REQUEST" ] || REQUEST="$SAMPLE/collect-north-1.yaml"
  [ -n "$MOCK" ] || MOCK='exec "$PLUGIN_PYTHON" mock/server.py {port} mock/data.json'
  [ "${#ENVS[@]}" -gt 0 ] || ENVS=("KESTREL_API_URL=http://127.0.0.1:{port}")
fi
[ -d "$SRC" ] || die "the source root $SRC does not exist (give the plugin's with -s SRC)"
SRC="$(cd "$SRC" && pwd)"
[ -d "$SRC/${PACKAGE//.//}" ] || die "no package '$PACKAGE' in $SRC (give it with --package NAME)"
PROJECT="$(dirname "$SRC")"
if [ -n "$REQUEST" ]; then
  [ -f "$REQUEST" ] || die "the request file $REQUEST does not exist"
  REQUEST="$(cd "$(dirname "$REQUEST")" && pwd)/$(basename "$REQUEST")"
elif [ -f "$PROJECT/collect.yaml" ]; then
  REQUEST="$PROJECT/collect.yaml"
fi

# A project of another kind than the collector fails here, not later inside inventory: the
# routes its code registers name its kind.
ROUTES="$(grep -rhoE --include='*.py' "route\([\"'][A-Za-z]+\.[a-z_]+[\"']\)" "$SRC/${PACKAGE//.//}" 2>/dev/null |
  sed -E "s/route\([\"']//; s/[\"']\)//" | sort -u | tr '\n' ' ' || true)"
if [ -n "$ROUTES" ] && ! printf '%s\n' $ROUTES | grep -q '^Collector\.'; then
  case " $ROUTES" in
    *" ExternalAuth."*) KIND="an external auth" ;;
    *" AccountCollector."*) KIND="an account collector" ;;
    *" Cost."*) KIND="a cost data source" ;;
    *" Protocol."*|*" Notification."*) KIND="a notification protocol" ;;
    *" Webhook."*|*" Event."*) KIND="a monitoring webhook" ;;
    *" Metric."*) KIND="a monitoring metric data source" ;;
    *" Log."*) KIND="a monitoring log data source" ;;
    *) KIND="not an inventory collector" ;;
  esac
  die "$SRC/${PACKAGE//.//} is $KIND plugin (routes: ${ROUTES% }), not an inventory collector: the full loop collects into inventory; smoke-test it with \`spacectl plugin test\` instead"
fi

# ------------------------------------------------------------------ tools

REF=services
[ "$LINE" = 2 ] && REF=services2
"$ROOT/scripts/reference.sh" "$REF"
VENV_PY="$("$ROOT/scripts/reference.sh" path "$REF")/bin/python"
if [ -z "$PYTHON" ]; then
  "$ROOT/scripts/reference.sh" plugin
  PYTHON="$("$ROOT/scripts/reference.sh" path plugin)/bin/python"
fi
command -v "$PYTHON" >/dev/null 2>&1 || die "the plugin interpreter '$PYTHON' is not found (give one with --python)"
PYTHON="$(command -v "$PYTHON")"
export PLUGIN_PYTHON="$PYTHON"

# The spacectl the user has: given, on PATH, or the release binary scripts/demo.sh builds
# (built here, with cargo's progress, only when there is none).
if [ -z "$SPACECTL" ] && command -v spacectl >/dev/null 2>&1; then
  SPACECTL="$(command -v spacectl)"
fi
if [ -z "$SPACECTL" ]; then
  command -v cargo >/dev/null 2>&1 || die "no spacectl on PATH and cargo is not found: install spacectl or give it with --spacectl PATH"
  TARGET="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps |
    "$VENV_PY" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')" || die "cargo metadata failed"
  case "$TARGET" in /*) ;; *) TARGET="$ROOT/$TARGET" ;; esac
  SPACECTL="$TARGET/release/spacectl"
  if [ ! -x "$SPACECTL" ]; then
    say "no spacectl on PATH: building the release binary (the first build takes a few minutes)"
    (cd "$ROOT" && cargo build --release --locked --bin spacectl) || die "cargo build failed"
  fi
fi
[ -x "$SPACECTL" ] || die "spacectl not found at $SPACECTL"
say "using $SPACECTL"
SPACECTL="$(cd "$(dirname "$SPACECTL")" && pwd)/$(basename "$SPACECTL")"

# What to register, from the project's files unless given: one Python run prints the
# shell assignments.
jq_py() { "$VENV_PY" -c "import json, sys; d = json.load(sys.stdin); print($1)"; }
DERIVED="$("$VENV_PY" - "$PROJECT" "$REQUEST" <<'EOF'
import json, os, shlex, sys, yaml
project, request = sys.argv[1], sys.argv[2]
register = {}
if os.path.isfile(os.path.join(project, "register.yaml")):
    loaded = yaml.safe_load(open(os.path.join(project, "register.yaml")))
    register = loaded if isinstance(loaded, dict) else {}
doc = {}
if request:
    docs = [d for d in yaml.safe_load_all(open(request)) if d is not None]
    doc = docs[0] if docs else {}
    if not isinstance(doc, dict):
        sys.exit(f"full-loop: {request}: expected a mapping with options and secret_data")
text = lambda v: v if isinstance(v, str) else ""
for name, value in (("REGISTER_PROVIDER", text(register.get("provider"))),
                    ("REGISTER_IMAGE", text(register.get("image"))),
                    ("OPTIONS_JSON", json.dumps(doc.get("options") or {})),
                    ("SECRET_JSON", json.dumps(doc.get("secret_data") or {}))):
    print(f"{name}={shlex.quote(value)}")
EOF
)" || die "cannot read the project files (${REQUEST:-$PROJECT/register.yaml})"
eval "$DERIVED"
[ -n "$PROVIDER" ] || PROVIDER="${REGISTER_PROVIDER:-local}"
[ -n "$IMAGE" ] || IMAGE="$REGISTER_IMAGE"
[ -n "$IMAGE" ] || IMAGE="plugin-$(basename "$PROJECT" | tr '[:upper:]_ ' '[:lower:]--')-inven-collector"

# The plugin id is the image's last part; inventory stores at most 40 characters of it (in
# a job), the repository at most 48 of the image.
SUFFIX=""
PLUGIN_ID="${IMAGE##*/}"
if [ -n "$SERVICES" ]; then
  SUFFIX="-$(printf '%05x' $(( ($(date +%s%N) / 1000 + $$) % 1048576 )))"
  PLUGIN_ID="${PLUGIN_ID:0:$((40 - ${#SUFFIX}))}$SUFFIX"
  case "$IMAGE" in */*) IMAGE="${IMAGE%/*}/$PLUGIN_ID" ;; *) IMAGE="$PLUGIN_ID" ;; esac
fi
[ "${#PLUGIN_ID}" -le 40 ] || die "the plugin id $PLUGIN_ID (the image's last part) is longer than inventory allows (40 characters): give a shorter image with --image"
[ "${#IMAGE}" -le 48 ] || die "the image name $IMAGE is longer than the repository allows (48 characters): give a shorter one with --image"

# ------------------------------------------------------------------ clean-up

STARTED=0
MOCK_PGID=""
OK=0
cleanup() {
  local code=$?
  trap - EXIT INT TERM
  [ -z "${LOOP_HOME:-}" ] || rm -rf "$LOOP_HOME"
  if [ -n "$MOCK_PGID" ]; then
    kill -TERM -- "-$MOCK_PGID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$MOCK_PGID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$MOCK_PGID" 2>/dev/null || true
  fi
  if [ "$STARTED" = 1 ]; then
    if [ "$KEEP" = 1 ] && "$ROOT/scripts/services.sh" status --state "$STATE" >/dev/null 2>&1; then
      say "the services keep running: HOME=$STATE/home $SPACECTL list inventory.CloudService"
      say "stop them with: scripts/services.sh stop --state $STATE"
    elif [ "$KEEP" = 1 ]; then
      "$ROOT/scripts/services.sh" stop --state "$STATE" >/dev/null 2>&1 || true
      say "the services are not (all) running, nothing kept; logs in $STATE/logs"
    else
      "$ROOT/scripts/services.sh" stop --state "$STATE" >/dev/null 2>&1 || say "stopping the services failed (state in $STATE)"
      if [ "$OK" = 1 ] && [ -n "${TEMP_STATE:-}" ]; then
        rm -rf "$TEMP_STATE"
      else
        say "logs kept in $STATE/logs"
      fi
    fi
  fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------ a data source

free_port() { "$VENV_PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
if [ -n "$MOCK" ]; then
  MOCK_PORT="$(free_port)"
  MOCK_CMD="${MOCK//\{port\}/$MOCK_PORT}"
  say "starting the data source: $MOCK_CMD"
  (cd "$PROJECT" && exec setsid bash -c "$MOCK_CMD" </dev/null >&2) &
  MOCK_PGID=$!
  deadline=$((SECONDS + 30))
  until (exec 3<>"/dev/tcp/127.0.0.1/$MOCK_PORT") 2>/dev/null; do
    kill -0 "$MOCK_PGID" 2>/dev/null || die "the data source exited before listening on port $MOCK_PORT"
    [ "$SECONDS" -lt "$deadline" ] || die "the data source did not listen on port $MOCK_PORT within 30 s"
    sleep 0.1
  done
  for i in "${!ENVS[@]}"; do ENVS[i]="${ENVS[i]//\{port\}/$MOCK_PORT}"; done
fi

# ------------------------------------------------------------------ the services

T0=$SECONDS
if [ -n "$SERVICES" ]; then
  STATE="$(cd "$SERVICES" && pwd)"
  [ "$(cat "$STATE/ready" 2>/dev/null)" = 1 ] || die "no loop services are running in $STATE (start them with scripts/services.sh start --loop --state $STATE)"
  "$ROOT/scripts/services.sh" status --state "$STATE" >/dev/null || die "some services in $STATE are not running (scripts/services.sh status --state $STATE)"
else
  if [ -z "$STATE" ]; then
    TEMP_STATE="$(mktemp -d "${TMPDIR:-/tmp}/spacectl-full-loop.XXXXXX")"
    STATE="$TEMP_STATE"
  fi
  STARTED=1
  "$ROOT/scripts/services.sh" start --line "$LINE" --loop --state "$STATE" ${DEBUG:+"$DEBUG"}
  STATE="$(cd "$STATE" && pwd)"
fi
T_SERVICES=$((SECONDS - T0))

# What the supervisor runs for this plugin: our host.
HOST_ARGS=(run plugin-server "$PACKAGE" -s "$SRC" -p '{port}' --host 127.0.0.1 --python "$PYTHON")
[ "$INVENTORY_V1" = 1 ] && HOST_ARGS+=(--inventory-v1)
"$VENV_PY" - "$STATE/plugins/$PLUGIN_ID.json" "$PROJECT" "$SPACECTL" "${HOST_ARGS[@]}" -- ${ENVS[@]+"${ENVS[@]}"} <<'EOF'
import json, sys
path, cwd, *rest = sys.argv[1:]
split = rest.index("--")
command, envs = rest[:split], rest[split + 1:]
spec = {"command": command, "cwd": cwd, "env": dict(e.split("=", 1) for e in envs)}
with open(path, "w") as f:
    json.dump(spec, f, indent=1)
EOF
say "the supervisor will run: $SPACECTL ${HOST_ARGS[*]}"

# ------------------------------------------------------------------ the loop, with our spacectl

# 2.x: spacectl signs in as the services' domain admin in a home of this run's own: the
# endpoints come from identity, a domain token registers the plugin, its provider and
# schemas; a workspace token (granted from the kept login) creates the project, the
# service account, the collector and runs the collection.
register_2x() {
  local domain user
  domain="$(cat "$STATE/domain_name")" user="$(cat "$STATE/admin_user")"
  sc config init -e full-loop --identity "grpc://127.0.0.1:$IDENTITY_PORT"
  echo "$(elapsed)+ spacectl login --domain $domain --user $user --password-stdin < $STATE/admin_password" >&2
  "$SPACECTL" login --domain "$domain" --user "$user" --password-stdin <"$STATE/admin_password" >&2 ||
    die "spacectl login failed"
  sc exec register repository.Plugin -o json -j "{\"plugin_id\": \"$J_PLUGIN_ID\", \"name\": \"$J_PLUGIN_ID\",
    \"resource_type\": \"inventory.Collector\", \"image\": \"$J_IMAGE\", \"registry_type\": \"DOCKER_HUB\",
    \"provider\": \"$J_PROVIDER\", \"capability\": {}, \"labels\": [],
    \"tags\": {\"description\": \"served by spacectl run plugin-server from $J_SRC\"}}"
  sc list identity.Provider -p "provider=$PROVIDER" -c provider -o quiet
  if [ "$(printf '%s\n' "$OUT" | grep -cx -- "$PROVIDER" || true)" = 0 ]; then
    sc exec create identity.Provider -j "{\"provider\": \"$J_PROVIDER\", \"name\": \"$J_PROVIDER\"}"
  fi
  # A service account needs its provider's SERVICE_ACCOUNT schema, and that one its SECRET schema.
  local kind id related
  for kind in SECRET SERVICE_ACCOUNT; do
    id="$PROVIDER-$(echo "$kind" | tr 'A-Z_' 'a-z-')" related=""
    [ "$kind" = SERVICE_ACCOUNT ] && related=", \"related_schemas\": [\"$(js "$PROVIDER")-secret\"]"
    sc list identity.Schema -p "schema_id=$id" -c schema_id -o quiet
    if [ "$(printf '%s\n' "$OUT" | grep -cx -- "$id" || true)" = 0 ]; then
      sc exec create identity.Schema -j "{\"schema_id\": \"$(js "$id")\", \"name\": \"$(js "$id")\",
        \"schema_type\": \"$kind\", \"provider\": \"$J_PROVIDER\",
        \"schema\": {\"type\": \"object\", \"properties\": {}, \"required\": []}$related}"
    fi
  done
  sc login --workspace "$(cat "$STATE/workspace_id")"
  sc exec create identity.Project -o json -j "{\"name\": \"full-loop$SUFFIX\", \"project_type\": \"PUBLIC\"}"
  local project
  project="$(field project_id)"
  # (The secret data is not shown.)
  SHOW="exec create identity.ServiceAccount -o json -j {\"name\": \"full-loop$SUFFIX\", \"provider\": \"$J_PROVIDER\", \"project_id\": \"$project\", \"secret_schema_id\": \"$J_PROVIDER-secret\", \"data\": {}, \"secret_data\": <secret_data of ${REQUEST:-no request file}>}"
  sc exec create identity.ServiceAccount -o json -j "{\"name\": \"full-loop$SUFFIX\", \"provider\": \"$J_PROVIDER\",
    \"project_id\": \"$project\", \"secret_schema_id\": \"$J_PROVIDER-secret\", \"data\": {},
    \"secret_data\": $SECRET_JSON}"
  SERVICE_ACCOUNT="$(field service_account_id)"
  sc list secret.Secret -p "service_account_id=$SERVICE_ACCOUNT" -c secret_id -o quiet
  SECRET="$OUT"
  if [ -z "$SECRET" ]; then
    # identity makes the secret only from non-empty secret data; inventory collects with a secret.
    sc exec create secret.Secret -o json -j "{\"name\": \"full-loop$SUFFIX\", \"data\": {},
      \"schema_id\": \"$J_PROVIDER-secret\", \"resource_group\": \"PROJECT\",
      \"project_id\": \"$project\", \"service_account_id\": \"$SERVICE_ACCOUNT\"}"
    SECRET="$(field secret_id)"
  fi
  say "creating the collector: the plugin service waits until the supervisor has started the plugin"
  T1=$SECONDS
  sc exec create inventory.Collector -o json -j "{\"name\": \"$J_PLUGIN_ID\", \"provider\": \"$J_PROVIDER\",
    \"resource_group\": \"WORKSPACE\",
    \"plugin_info\": {\"plugin_id\": \"$J_PLUGIN_ID\", \"upgrade_mode\": \"AUTO\", \"options\": $OPTIONS_JSON}}"
  COLLECTOR="$(field collector_id)"
  T_CREATE=$((SECONDS - T1))
}

if [ "$LINE" = 2 ]; then
  LOOP_HOME="$(mktemp -d "${TMPDIR:-/tmp}/spacectl-full-loop-home.XXXXXX")"
  export HOME="$LOOP_HOME" XDG_CACHE_HOME="$LOOP_HOME/.cache"
  # shellcheck disable=SC1091
  . "$STATE/ports.env"
else
export HOME="$STATE/home" XDG_CACHE_HOME="$STATE/cache"
fi
unset SPACECTL_DEFAULT_ENVIRONMENT
OUT=""
SHOW=""
sc() {  # sc ARGS...: run our spacectl, show the call (or $SHOW), keep the output in OUT
  echo "$(elapsed)+ spacectl ${SHOW:-$*}" >&2
  SHOW=""
  if ! OUT="$("$SPACECTL" "$@" 2>&1)"; then
    printf '%s\n' "$OUT" >&2
    die "spacectl $1 $2 $3 failed"
  fi
}
field() { printf '%s' "$OUT" | jq_py "d[\"$1\"]"; }
js() { local v="${1//\\/\\\\}"; printf '%s' "${v//\"/\\\"}"; }  # a JSON string's inside
J_PROVIDER="$(js "$PROVIDER")" J_IMAGE="$(js "$IMAGE")" J_PLUGIN_ID="$(js "$PLUGIN_ID")" J_SRC="$(js "$SRC")"

if [ "$LINE" = 2 ]; then
  register_2x
else
sc list repository.Repository -c repository_type -o quiet
if [ "$(printf '%s\n' "$OUT" | grep -cx local || true)" = 0 ]; then
  sc exec register repository.Repository -j '{"name": "local", "repository_type": "local"}'
fi
sc list identity.Provider -p "provider=$PROVIDER" -c provider -o quiet
if [ "$(printf '%s\n' "$OUT" | grep -cx -- "$PROVIDER" || true)" = 0 ]; then
  sc exec create identity.Provider -j "{\"provider\": \"$J_PROVIDER\", \"name\": \"$J_PROVIDER\",
    \"template\": {\"service_account\": {\"schema\": {\"type\": \"object\", \"properties\": {}, \"required\": []}}}}"
fi
sc exec register repository.Plugin -o json -j "{\"name\": \"$J_PLUGIN_ID\", \"service_type\": \"inventory.Collector\",
  \"image\": \"$J_IMAGE\", \"provider\": \"$J_PROVIDER\", \"capability\": {}, \"labels\": [],
  \"tags\": {\"description\": \"served by spacectl run plugin-server from $J_SRC\"}}"
sc exec create identity.ServiceAccount -o json -j "{\"name\": \"full-loop$SUFFIX\", \"provider\": \"$J_PROVIDER\",
  \"service_account_type\": \"GENERAL\", \"data\": {}}"
SERVICE_ACCOUNT="$(field service_account_id)"
# (The secret data is not shown.)
SHOW="exec create secret.Secret -o json -j {\"name\": \"full-loop$SUFFIX\", \"secret_type\": \"CREDENTIALS\", \"service_account_id\": \"$SERVICE_ACCOUNT\", \"data\": <secret_data of ${REQUEST:-no request file}>}"
sc exec create secret.Secret -o json -j "{\"name\": \"full-loop$SUFFIX\", \"secret_type\": \"CREDENTIALS\",
  \"service_account_id\": \"$SERVICE_ACCOUNT\", \"data\": $SECRET_JSON}"
SECRET="$(field secret_id)"

say "creating the collector: the plugin service waits until the supervisor has started the plugin"
T1=$SECONDS
sc exec create inventory.Collector -o json -j "{\"name\": \"$J_PLUGIN_ID\", \"plugin_info\": {\"plugin_id\": \"$J_PLUGIN_ID\",
  \"upgrade_mode\": \"AUTO\", \"options\": $OPTIONS_JSON}}"
COLLECTOR="$(field collector_id)"
T_CREATE=$((SECONDS - T1))
fi
say "collector $COLLECTOR created in $T_CREATE s"

T2=$SECONDS
# With this run's secret only (services shared with other runs may hold more of the provider).
sc exec collect inventory.Collector -o json -p "collector_id=$COLLECTOR" -p "secret_id=$SECRET"
JOB="$(field job_id)"
# Done: the job has a final status and every task is counted (inventory sets the status
# before it counts the last task).
deadline=$((SECONDS + WAIT))
while :; do
  JOB_JSON="$("$SPACECTL" list inventory.Job -p "job_id=$JOB" -o json 2>&1)" || die "cannot read job $JOB: $JOB_JSON"
  read -r STATUS COUNTED < <(printf '%s' "$JOB_JSON" | "$VENV_PY" -c '
import json, sys
job = (json.load(sys.stdin).get("results") or [{}])[0]
n = lambda key: int(job.get(key) or 0)
print(job.get("status") or "-", n("success_tasks") + n("failure_tasks") >= n("total_tasks"))')
  case "$STATUS" in
    CREATED|IN_PROGRESS|-) ;;
    *) [ "$COUNTED" = True ] && break ;;
  esac
  [ "$SECONDS" -lt "$deadline" ] || die "job $JOB did not finish within $WAIT s (status $STATUS; see $STATE/logs)"
  sleep 0.3
done
T_COLLECT=$((SECONDS - T2))
say "job $JOB ended $STATUS in $T_COLLECT s"

# ------------------------------------------------------------------ what landed

sc list inventory.JobTask -p "job_id=$JOB" -c status -o quiet
TASKS="$OUT"
echo "# inventory.CloudService collected by $COLLECTOR"
"$SPACECTL" list inventory.CloudService -c cloud_service_id,name,cloud_service_group,cloud_service_type,provider,region_code \
  -j "{\"query\": {\"filter\": [{\"k\": \"collection_info.collector_id\", \"v\": \"$COLLECTOR\", \"o\": \"eq\"}]}}"
echo "# inventory.Job"
"$SPACECTL" list inventory.Job -p "job_id=$JOB" -c job_id,status,total_tasks,remained_tasks,success_tasks,failure_tasks
echo "# inventory.JobTask"
"$SPACECTL" list inventory.JobTask -p "job_id=$JOB" \
  -c job_task_id,status,created_count,updated_count,deleted_count,failure_count
# The views the console would show for the types of the collected cloud services:
# inventory 1.x stores a cloud service type's view only when it comes as metadata.
sc list inventory.CloudService -o json -c provider,cloud_service_group,cloud_service_type \
  -j "{\"query\": {\"filter\": [{\"k\": \"collection_info.collector_id\", \"v\": \"$COLLECTOR\", \"o\": \"eq\"}]}}"
SERVICES_JSON="$OUT"
# (Only parts of the view are asked for: inventory 1.12 takes seconds to return a deeply
# nested one whole.)
sc list inventory.CloudServiceType -o json -c provider,group,name,metadata.view.search,metadata.view.table.layout.name
SERVICES_JSON="$SERVICES_JSON" TYPES_JSON="$OUT" "$VENV_PY" - >&2 <<'EOF'
import json, os
kinds = {(s.get("provider"), s.get("cloud_service_group"), s.get("cloud_service_type"))
         for s in json.loads(os.environ["SERVICES_JSON"]).get("results", [])}
types = [t for t in json.loads(os.environ["TYPES_JSON"]).get("results", [])
         if (t.get("provider"), t.get("group"), t.get("name")) in kinds]
for t in sorted(types, key=lambda t: (t.get("provider") or "", t.get("group") or "", t.get("name") or "")):
    search, table = t.get("metadata.view.search") or [], t.get("metadata.view.table.layout.name")
    what = f"view with {len(search)} search fields, table {table!r}" if search or table else "no view"
    print(f"full-loop: cloud service type {t.get('group')}/{t.get('name')} ({t.get('provider')}): {what}")
EOF
say "services $T_SERVICES s, collector $T_CREATE s, collection $T_COLLECT s; state: $STATE"

if [ "$STATUS" = SUCCESS ] && [ -n "$TASKS" ] && [ "$(printf '%s\n' "$TASKS" | grep -cvx SUCCESS || true)" = 0 ]; then
  OK=1
  exit 0
fi
# The failures the job tasks recorded; some (a resource the service cannot store) are
# only counted, their reason is logged at DEBUG level (--debug) in logs/inventory.log.
sc list inventory.JobTask -p "job_id=$JOB" -o json
TASKS_JSON="$OUT" "$VENV_PY" - >&2 <<'EOF'
import json, os
for task in json.loads(os.environ["TASKS_JSON"]).get("results", []):
    errors = task.get("errors") or []
    for e in errors:
        print(f"full-loop: {task['job_task_id']}: {e.get('error_code')}: {e.get('message')}")
    unexplained = int(task.get("failure_count") or 0) - len(errors)
    if unexplained > 0:
        print(f"full-loop: {task['job_task_id']}: {unexplained} failure(s) without a recorded error")
EOF
if [ "$LINE" = 1 ] && [ "$INVENTORY_V1" = 0 ]; then
  say "the collection had failures; inventory 1.x fails a v2 plugin's cloud service types without the host's --inventory-v1"
else
  say "the collection had failures (failures without a recorded error are logged with --debug in $STATE/logs/inventory.log)"
fi
exit 3
