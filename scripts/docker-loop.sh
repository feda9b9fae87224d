#!/usr/bin/env bash
# From plugin to production on this machine: build the plugin's image, publish it (push to a
# local registry, register it in the real SpaceONE 1.12 repository), and let the real
# supervisor, with its own DockerConnector, run it for the real inventory: create a collector,
# collect, wait for the job, print what landed. Everything it starts is stopped at the end
# (also on Ctrl-C and on failure); nothing of the machine's own Docker set-up is used.
#
#   docker-loop.sh [PROJECT_DIR] [options]
#
#   PROJECT_DIR             a plugin project (create-project); default: a new inventory collector
#                           project made with `spacectl create-project` in the state directory
#   --spacectl PATH         the spacectl that builds, publishes and calls (default: built from
#                           this repository with cargo); a stripped copy of it goes into the image
#   --base-image IMAGE      the image's base (default: a local Debian 12 python3 image made by
#                           scripts/docker.sh base, as no image registry may be reachable)
#   --docker DIR            use the Docker daemon and registry scripts/docker.sh started in DIR
#                           (default: start both in the state directory, stop them at the end)
#   --line 1|2              the SpaceONE services: 1 (1.12, the default) or 2 (2.x: the plugin is
#                           registered in the LOCAL repository through the 2.x API, the collector
#                           made in the services' workspace)
#   --no-inventory-v1       leave the image's command as the project has it; by default on 1.12 a
#                           copy of the project gets --inventory-v1 in its Dockerfile's CMD, which
#                           inventory 1.12 needs to store a v2 plugin's cloud service types
#   --state DIR             where everything goes (default: a new temporary directory, removed
#                           at the end unless --keep or failure)
#   --keep                  leave the services (and a daemon this run started) running
#   --wait SECS             how long the job may take (default 180)
#
# Output (stdout): the job, its job tasks and the cloud services of the collector; progress and
# the spacectl calls on stderr, with the publish summary (publish runs twice: the second run must
# change nothing). Exit status: 0 when the job and every job task ended SUCCESS, 3 when the
# collection ran with failures, 1 on other errors, 2 on bad arguments. Needs root and the
# Debian packages docker.io, docker-registry and debootstrap.
set -eu

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROJECT=""
SPACECTL="${SPACECTL_BIN:-}"
BASE_IMAGE=""
DOCKER_DIR=""
INVENTORY_V1=1
LINE=1
STATE=""
KEEP=0
WAIT=180

say() { echo "docker-loop: $*" >&2; }
die() { echo "docker-loop: $*" >&2; exit 1; }
bad() { echo "docker-loop: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -eu/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --spacectl) [ $# -ge 2 ] || bad "--spacectl needs a path"; SPACECTL="$2"; shift 2 ;;
    --base-image) [ $# -ge 2 ] || bad "--base-image needs an image"; BASE_IMAGE="$2"; shift 2 ;;
    --docker) [ $# -ge 2 ] || bad "--docker needs a directory"; DOCKER_DIR="$2"; shift 2 ;;
    --no-inventory-v1) INVENTORY_V1=0; shift ;;
    --line) [ $# -ge 2 ] || bad "--line needs 1 or 2"; LINE="$2"; shift 2 ;;
    --state) [ $# -ge 2 ] || bad "--state needs a directory"; STATE="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --wait) [ $# -ge 2 ] || bad "--wait needs seconds"; WAIT="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) bad "unknown option '$1' (try --help)" ;;
    *) [ -z "$PROJECT" ] || bad "one project directory only"; PROJECT="$1"; shift ;;
  esac
done
case "$LINE" in 1|2) ;; *) bad "--line must be 1 or 2, not '$LINE'" ;; esac
[ "$LINE" = 1 ] || INVENTORY_V1=0
case "$WAIT" in ''|*[!0-9]*) bad "--wait must be a whole number of seconds, not '$WAIT'" ;; esac
[ "$(id -u)" = 0 ] || die "needs root (it starts a Docker daemon)"

if [ -z "$SPACECTL" ]; then
  say "building spacectl (cargo build)"
  (cd "$ROOT" && cargo build --locked --bin spacectl >&2) || die "cargo build failed"
  target_dir="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
  SPACECTL="$target_dir/debug/spacectl"
fi
SPACECTL="$(cd "$(dirname "$SPACECTL")" && pwd)/$(basename "$SPACECTL")"
[ -x "$SPACECTL" ] || die "no spacectl at $SPACECTL"

TEMP_STATE=""
if [ -z "$STATE" ]; then
  TEMP_STATE="$(mktemp -d "${TMPDIR:-/tmp}/spacectl-docker-loop.XXXXXX")"
  STATE="$TEMP_STATE"
fi
mkdir -p "$STATE"
STATE="$(cd "$STATE" && pwd)"
SERVICES="$STATE/services"
OUR_DOCKER=0
SERVICES_STARTED=0
OK=0

cleanup() {
  local code=$?
  trap - EXIT INT TERM
  if [ "$SERVICES_STARTED" = 1 ] && [ "$KEEP" = 0 ]; then
    "$ROOT/scripts/services.sh" stop --state "$SERVICES" >/dev/null 2>&1 || say "stopping the services failed (state in $SERVICES)"
  fi
  if [ "$OUR_DOCKER" = 1 ] && [ "$KEEP" = 0 ]; then
    "$ROOT/scripts/docker.sh" stop --state "$DOCKER_DIR" >/dev/null 2>&1 || say "stopping the Docker daemon failed (state in $DOCKER_DIR)"
  fi
  if [ "$KEEP" = 1 ]; then
    say "kept running: HOME=$SERVICES/home $SPACECTL list inventory.CloudService"
    say "stop with: scripts/services.sh stop --state $SERVICES; scripts/docker.sh stop --state ${DOCKER_DIR:-?}"
  elif [ "$OK" = 1 ] && [ -n "$TEMP_STATE" ]; then
    rm -rf "$TEMP_STATE"
  elif [ "$OK" = 1 ]; then
    say "state in $STATE"
  else
    say "state and logs kept in $STATE"
  fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------ Docker and a registry

if [ -z "$DOCKER_DIR" ]; then
  DOCKER_DIR="$STATE/docker"
  OUR_DOCKER=1
  "$ROOT/scripts/docker.sh" start --state "$DOCKER_DIR" >/dev/null
fi
DOCKER_DIR="$(cd "$DOCKER_DIR" && pwd)"
if [ -z "$BASE_IMAGE" ]; then
  BASE_IMAGE=spacectl-local/python3:bookworm
  "$ROOT/scripts/docker.sh" base --state "$DOCKER_DIR" --tag "$BASE_IMAGE"
fi
"$ROOT/scripts/docker.sh" registry --state "$DOCKER_DIR" >/dev/null
# shellcheck disable=SC1091
. "$DOCKER_DIR/registry.env"
export DOCKER_HOST="unix://$DOCKER_DIR/docker.sock"
[ -n "${SPACECTL_DOCKER:-}" ] || [ ! -x /usr/bin/docker ] || export SPACECTL_DOCKER=/usr/bin/docker

# ------------------------------------------------------------------ the project

OWN_PROJECT=0
if [ -z "$PROJECT" ]; then
  rm -rf "$STATE/my-plugin"
  (cd "$STATE" && HOME="$STATE" "$SPACECTL" create-project -q my-plugin) || die "create-project failed"
  PROJECT="$STATE/my-plugin"
  OWN_PROJECT=1
fi
PROJECT="$(cd "$PROJECT" && pwd)"
BUILD_DIR="$PROJECT"
if [ "$INVENTORY_V1" = 1 ]; then
  # A copy: the project itself is left as it is.
  BUILD_DIR="$STATE/project"
  rm -rf "$BUILD_DIR"
  mkdir -p "$BUILD_DIR"
  (cd "$PROJECT" && tar --exclude=./bin -cf - .) | (cd "$BUILD_DIR" && tar -xf -)
  sed -i 's/^\(CMD \[.*"plugin-server", "[A-Za-z0-9_]*"\)\]$/\1, "--inventory-v1"]/' "$BUILD_DIR/Dockerfile"
  grep -q '"--inventory-v1"\]$' "$BUILD_DIR/Dockerfile" || die "cannot add --inventory-v1 to the CMD of $PROJECT/Dockerfile"
fi
# The image gets a stripped copy (a debug build carries 100+ MB of debug information).
IMAGE_SPACECTL="$STATE/spacectl"
cp "$SPACECTL" "$IMAGE_SPACECTL"
if command -v strip >/dev/null; then strip "$IMAGE_SPACECTL"; fi

# ------------------------------------------------------------------ the services

"$ROOT/scripts/services.sh" start --line "$LINE" --docker "$DOCKER_DIR" --state "$SERVICES"
SERVICES_STARTED=1
export HOME="$SERVICES/home" XDG_CACHE_HOME="$STATE/cache"
unset SPACECTL_DEFAULT_ENVIRONMENT
OUT=""
sc() {  # sc ARGS...: run our spacectl, show the call, keep its stdout in OUT
  echo "+ spacectl $*" >&2
  OUT="$("$SPACECTL" "$@")" || die "spacectl $1 $2 $3 failed"
}
field() { printf '%s' "$OUT" | python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }

# Once per installation: the domain's local repository, the provider of the plugin.
if [ "$LINE" = 1 ]; then
  sc list repository.Repository -c repository_type -o quiet
  if ! printf '%s\n' "$OUT" | grep -qx local; then
    sc exec register repository.Repository -p name=local -p repository_type=local
  fi
fi
PROVIDER="$(sed -n 's/^provider: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$BUILD_DIR/register.yaml")"
[ -n "$PROVIDER" ] || die "$BUILD_DIR/register.yaml names no provider"
sc exec create identity.Provider -j "{\"provider\": \"$PROVIDER\", \"name\": \"$PROVIDER\"}"

# ------------------------------------------------------------------ build and publish

cd "$BUILD_DIR"
T0=$SECONDS
sc plugin publish --registry "$REGISTRY/my-org" --build --base-image "$BASE_IMAGE" --spacectl "$IMAGE_SPACECTL"
printf '%s\n' "$OUT" >&2
printf '%s\n' "$OUT" | grep -qx 'registration: registered' || die "the first publish did not register the plugin"
PLUGIN_ID="$(printf '%s\n' "$OUT" | sed -n 's/^plugin_id: //p')"
sc plugin publish --registry "$REGISTRY/my-org"
printf '%s\n' "$OUT" >&2
printf '%s\n' "$OUT" | grep -qx 'registration: already_registered' || die "publishing again was not a no-op"
if [ "$OWN_PROJECT" = 1 ]; then
  # A new version of the registered plugin: build, push, and the repository lists both.
  echo 0.2.0 >VERSION
  sc plugin publish --registry "$REGISTRY/my-org" --build --base-image "$BASE_IMAGE" --spacectl "$IMAGE_SPACECTL"
  printf '%s\n' "$OUT" >&2
  printf '%s\n' "$OUT" | grep -qx 'versions: \[0.2.0, 0.1.0\]' || die "the repository does not list versions 0.2.0 and 0.1.0"
fi
say "built and published in $((SECONDS - T0)) s"
# The supervisor is to pull the image from the registry, as it would on another machine.
"${SPACECTL_DOCKER:-docker}" rmi "$REGISTRY/my-org/$PLUGIN_ID:$(cat VERSION)" >/dev/null

# ------------------------------------------------------------------ the collection

if [ "$LINE" = 1 ]; then
  sc exec create identity.ServiceAccount -o json -j "{\"name\": \"docker-loop\", \"provider\": \"$PROVIDER\",
    \"service_account_type\": \"GENERAL\", \"data\": {}}"
  SA="$(field "['service_account_id']")"
  sc exec create secret.Secret -o json -j "{\"name\": \"docker-loop\", \"secret_type\": \"CREDENTIALS\",
    \"service_account_id\": \"$SA\", \"data\": {}}"
  SECRET="$(field "['secret_id']")"
  COLLECTOR_JSON="{\"name\": \"docker-loop\", \"plugin_info\": {\"plugin_id\": \"$PLUGIN_ID\", \"upgrade_mode\": \"AUTO\", \"options\": {}}}"
else
  # 2.x: the provider's schemas (a service account needs them), then the workspace's project,
  # service account and secret, with the workspace owner's token of the services.
  for kind in SECRET SERVICE_ACCOUNT; do
    id="$PROVIDER-$(echo "$kind" | tr 'A-Z_' 'a-z-')" related=""
    [ "$kind" = SERVICE_ACCOUNT ] && related=", \"related_schemas\": [\"$PROVIDER-secret\"]"
    sc exec create identity.Schema -j "{\"schema_id\": \"$id\", \"name\": \"$id\", \"schema_type\": \"$kind\",
      \"provider\": \"$PROVIDER\", \"schema\": {\"type\": \"object\", \"properties\": {}, \"required\": []}$related}"
  done
  echo "+ spacectl config set api_key <the workspace owner's token>" >&2
  "$SPACECTL" config set api_key "$(cat "$SERVICES/workspace_token")" >/dev/null || die "config set api_key failed"
  sc exec create identity.Project -o json -j '{"name": "docker-loop", "project_type": "PUBLIC"}'
  PROJECT_ID="$(field "['project_id']")"
  sc exec create identity.ServiceAccount -o json -j "{\"name\": \"docker-loop\", \"provider\": \"$PROVIDER\",
    \"project_id\": \"$PROJECT_ID\", \"secret_schema_id\": \"$PROVIDER-secret\", \"data\": {}, \"secret_data\": {}}"
  SA="$(field "['service_account_id']")"
  sc exec create secret.Secret -o json -j "{\"name\": \"docker-loop\", \"data\": {}, \"schema_id\": \"$PROVIDER-secret\",
    \"resource_group\": \"PROJECT\", \"project_id\": \"$PROJECT_ID\", \"service_account_id\": \"$SA\"}"
  SECRET="$(field "['secret_id']")"
  COLLECTOR_JSON="{\"name\": \"docker-loop\", \"provider\": \"$PROVIDER\", \"resource_group\": \"WORKSPACE\", \"plugin_info\": {\"plugin_id\": \"$PLUGIN_ID\", \"upgrade_mode\": \"AUTO\", \"options\": {}}}"
fi
say "creating the collector: the supervisor pulls the image and runs it"
T1=$SECONDS
sc exec create inventory.Collector -o json -j "$COLLECTOR_JSON"
COLLECTOR="$(field "['collector_id']")"
say "collector $COLLECTOR created in $((SECONDS - T1)) s; the plugin's container:"
"${SPACECTL_DOCKER:-docker}" ps --filter label=spaceone.supervisor.plugin_id="$PLUGIN_ID" \
  --format '{{.Names}} {{.Image}} {{.Ports}} {{.Status}}' >&2

sc exec collect inventory.Collector -o json -p "collector_id=$COLLECTOR" -p "secret_id=$SECRET"
JOB="$(field "['job_id']")"
deadline=$((SECONDS + WAIT))
while :; do
  sc list inventory.Job -p "job_id=$JOB" -o json
  read -r STATUS COUNTED < <(printf '%s' "$OUT" | python3 -c '
import json, sys
job = (json.load(sys.stdin).get("results") or [{}])[0]
n = lambda key: int(job.get(key) or 0)
print(job.get("status") or "-", n("success_tasks") + n("failure_tasks") >= n("total_tasks"))')
  case "$STATUS" in CREATED|IN_PROGRESS|-) ;; *) [ "$COUNTED" = True ] && break ;; esac
  [ "$SECONDS" -lt "$deadline" ] || die "job $JOB did not finish within $WAIT s (status $STATUS)"
  sleep 0.5
done

echo "# inventory.Job"
"$SPACECTL" list inventory.Job -p "job_id=$JOB" -c job_id,status,total_tasks,success_tasks,failure_tasks
echo "# inventory.JobTask"
"$SPACECTL" list inventory.JobTask -p "job_id=$JOB" -c job_task_id,status,created_count,updated_count,failure_count
echo "# inventory.CloudService"
"$SPACECTL" list inventory.CloudService -c name,cloud_service_group,cloud_service_type,provider,region_code \
  -j "{\"query\": {\"filter\": [{\"k\": \"collection_info.collector_id\", \"v\": \"$COLLECTOR\", \"o\": \"eq\"}]}}"
sc list inventory.JobTask -p "job_id=$JOB" -c status -o quiet
if [ "$STATUS" = SUCCESS ] && [ -n "$OUT" ] && ! printf '%s\n' "$OUT" | grep -qvx SUCCESS; then
  OK=1
  say "job $JOB: SUCCESS, every job task SUCCESS"
  exit 0
fi
say "job $JOB ended $STATUS with job tasks: $(echo $OUT)"
sc list inventory.JobTask -p "job_id=$JOB" -o json
printf '%s' "$OUT" | python3 -c '
import json, sys
for task in json.load(sys.stdin).get("results", []):
    for e in task.get("errors") or []:
        print(f"docker-loop: {task[\"job_task_id\"]}: {e.get(\"error_code\")}: {e.get(\"message\")}")
' >&2
grep -h -i -B2 -A8 "error\|traceback" "$SERVICES/logs/inventory.log" 2>/dev/null | tail -n 40 >&2 || true
exit 3
