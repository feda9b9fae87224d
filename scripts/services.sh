#!/usr/bin/env bash
# Runs the real SpaceONE services of line 1.12 or 2.x (from PyPI, in the services or
# services2 reference venv) as local processes on free loopback ports, without MongoDB (an
# in-process mongomock database per service), Redis, Docker or Kubernetes.
#
#   services.sh start  [--line 1|2] [--state DIR] [--loop] [--timeout SECS] [--debug]
#   services.sh stop   [--state DIR]
#   services.sh status [--state DIR]
#   services.sh env    [--state DIR]
#
#   start   identity, repository and inventory, with a Redis stand-in (fakeredis) and a
#           stand-in for the image registry that Plugin.register asks for tags; then creates
#           the domain `root`, its owner and a token through identity's API, and writes a
#           spacectl configuration for them. With --loop also plugin, secret and the
#           supervisor, which starts collector plugins as local processes (see full-loop.sh).
#           Returns once every service answers (and, with --loop, the supervisor has
#           published itself). The data lives in the services' memory: it is gone on stop.
#   start --line 2
#           the 2.x services: identity, config, repository and inventory (with --loop also
#           plugin, secret and the supervisor); identity is bootstrapped through its API
#           (System.init, a domain `spaceone` with the admin admin@example.com, the admin's
#           domain and workspace tokens, a workspace `default`, an app) and lists every
#           service in Endpoint.list (PUBLIC grpc://127.0.0.1:PORT, INTERNAL
#           grpc://localhost:PORT). DIR also gets system_token, workspace_id,
#           workspace_token, app_token, domain_name, admin_user and admin_password.
#   stop    stops exactly the processes start recorded (and the plugin processes the
#           supervisor started): SIGTERM to each process group, SIGKILL after 10 s.
#   status  one line per process, "NAME: running (pid N)" or "NAME: stopped";
#           exit status 0 when all are running, 1 otherwise.
#   env     shell assignments to eval: SERVICES_STATE, SERVICES_HOME (use it as HOME for
#           spacectl, ours or the Python one), SERVICES_DOMAIN_ID, SERVICES_LOOP,
#           SERVICES_LINE and the ports (IDENTITY_PORT, REPOSITORY_PORT, INVENTORY_PORT,
#           PLUGIN_PORT, ..., CONFIG_PORT on line 2).
#
#   --line 1|2      the SpaceONE line: 1 (1.12, the default) or 2 (2.x); also 1.12 or 2.x.
#                   stop, status and env find it in DIR.
#   --state DIR     where ports.env, pids/, logs/, conf/, home/, token and domain_id go
#                   (default $SPACECTL_SERVICES_STATE, else ${TMPDIR:-/tmp}/spacectl-services-$UID,
#                   with --line 2 ${TMPDIR:-/tmp}/spacectl-services2-$UID)
#   --loop          also plugin, secret and the supervisor
#   --timeout SECS  how long each service may take to answer (default 180)
#   --debug         services log at DEBUG level (default INFO)
#   --docker DIR    (implies --loop) the supervisor runs plugin images with its real DockerConnector,
#                   in the Docker daemon and from the registry that scripts/docker.sh started in DIR;
#                   the repository's HARBOR registry type is that registry (scripts/services/docker-mode.sh)
#
# Environment: SERVICES_SYNC_INTERVAL (seconds between supervisor syncs, default 1),
# SERVICES_IMAGE_TAGS (tags the registry stand-in reports, default 1.0.0,1.1.0),
# SERVICES_PORTS (LOW-HIGH: take every port from that range, e.g. 21000-21999; default any free port),
# SPACECTL_REFERENCE_DIR (where scripts/reference.sh keeps the venvs).
# Every process runs in its own session (its pid is its process group, recorded with its
# start time in DIR/pids/NAME.pid) and has SPACECTL_SERVICES_STATE=DIR in its environment.
# Progress goes to stderr. Logs: DIR/logs/NAME.log. Exit status: 0 on success, 1 on
# failure (a start that fails or is interrupted stops what it started), 2 on bad arguments.
set -eu

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SUPPORT="$ROOT/scripts/services"
STATE="${SPACECTL_SERVICES_STATE:-}"
LINE=1
LOOP=0
TIMEOUT=180
LOG_LEVEL=INFO
DOCKER_STATE=
SUPERVISOR_WRAP=()
STOP_SECONDS=10

T_START="${EPOCHREALTIME:-}"
# Progress on stderr, with the seconds since this script started.
say() {
  local t=""
  if [ -n "$T_START" ] && [ -n "${EPOCHREALTIME:-}" ]; then
    t="$(awk -v a="$T_START" -v b="$EPOCHREALTIME" 'BEGIN { printf "[%5.1f s] ", b - a }')"
  fi
  echo "services: $t$*" >&2
}
die() { echo "services: $*" >&2; exit 1; }
bad() { echo "services: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -eu/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

# ------------------------------------------------------------------ processes

. "$ROOT/scripts/lib/pidfile.sh"   # start_time, alive

# launch NAME CMD...: in its own session (its pid is its process group), output to its log.
launch() {
  local name=$1 pid
  shift
  setsid "$@" >"$STATE/logs/$name.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid $(start_time "$pid")" >"$STATE/pids/$name.pid"
  say "started $name (pid $pid)"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_port NAME PORT: bounded; on failure the tail of the service's log goes to stderr.
wait_port() {
  local name=$1 port=$2 deadline=$((SECONDS + TIMEOUT))
  while ! port_open "$port"; do
    if ! alive "$STATE/pids/$name.pid"; then
      say "$name exited during start-up; the end of $STATE/logs/$name.log:"
      tail -n 40 "$STATE/logs/$name.log" >&2 || true
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "$name did not listen on port $port within $TIMEOUT s; the end of $STATE/logs/$name.log:"
      tail -n 40 "$STATE/logs/$name.log" >&2 || true
      return 1
    fi
    sleep 0.1
  done
}

# wait_file FILE WATCHED...: wait (bounded) until STATE/FILE exists, failing with the tail
# of a watched process' log when that one exits first.
wait_file() {
  local file=$1 deadline=$((SECONDS + TIMEOUT)) w
  shift
  while [ ! -f "$STATE/$file" ]; do
    for w in "$@"; do
      if ! alive "$STATE/pids/$w.pid"; then
        say "$w exited before $STATE/$file was written; the end of $STATE/logs/$w.log:"
        tail -n 40 "$STATE/logs/$w.log" >&2 || true
        return 1
      fi
    done
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "$STATE/$file was not written within $TIMEOUT s; the end of $STATE/logs/$1.log:"
      tail -n 40 "$STATE/logs/$1.log" >&2 || true
      return 1
    fi
    sleep 0.05
  done
}

# wait_exit NAME [WATCHED...]: wait (bounded) for a one-off process started with launch;
# fails with the tail of its log unless it exited with status 0, or with the tail of a
# watched process' log when that one exits first.
wait_exit() {
  local name=$1 deadline=$((SECONDS + TIMEOUT)) pid rest code=0 w
  shift
  read -r pid rest <"$STATE/pids/$name.pid"
  while alive "$STATE/pids/$name.pid"; do
    for w in "$@"; do
      if ! alive "$STATE/pids/$w.pid"; then
        say "$w exited while waiting for $name; the end of $STATE/logs/$w.log:"
        tail -n 40 "$STATE/logs/$w.log" >&2 || true
        return 1
      fi
    done
    if [ "$SECONDS" -ge "$deadline" ]; then
      say "$name did not finish within $TIMEOUT s; the end of $STATE/logs/$name.log:"
      tail -n 40 "$STATE/logs/$name.log" >&2 || true
      return 1
    fi
    sleep 0.05
  done
  # It has exited: wait only collects its status.
  wait "$pid" || code=$?
  if [ "$code" -ne 0 ]; then
    say "$name failed (exit status $code); the end of $STATE/logs/$name.log:"
    tail -n 40 "$STATE/logs/$name.log" >&2 || true
    return 1
  fi
  rm -f "$STATE/pids/$name.pid"
}

# Stop order: the supervisor first (it would start plugins again), then the plugins it
# started, then everything else, the stand-ins (aux) last.
stop_order() {
  local f name rest=()
  [ -f "$STATE/pids/supervisor.pid" ] && echo supervisor
  for f in "$STATE"/pids/*.pid; do
    [ -f "$f" ] || continue
    name="${f##*/}"
    name="${name%.pid}"
    case "$name" in
      supervisor|aux) ;;
      plugin-*) echo "$name" ;;
      *) rest+=("$name") ;;
    esac
  done
  [ "${#rest[@]}" -eq 0 ] || printf '%s\n' "${rest[@]}"
  [ -f "$STATE/pids/aux.pid" ] && echo aux
  return 0
}

# terminate NAME...: SIGTERM to each recorded process group, wait, SIGKILL what is left.
terminate() {
  local name pid rest deadline left
  for name in "$@"; do
    alive "$STATE/pids/$name.pid" || continue
    read -r pid rest <"$STATE/pids/$name.pid"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  deadline=$((SECONDS + STOP_SECONDS))
  while :; do
    left=()
    for name in "$@"; do
      alive "$STATE/pids/$name.pid" && left+=("$name")
    done
    [ "${#left[@]}" -eq 0 ] && break
    if [ "$SECONDS" -ge "$deadline" ]; then
      for name in "${left[@]}"; do
        read -r pid rest <"$STATE/pids/$name.pid"
        say "$name (pid $pid) did not stop within $STOP_SECONDS s: SIGKILL"
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      done
      sleep 0.2
      break
    fi
    sleep 0.1
  done
  for name in "$@"; do
    rm -f "$STATE/pids/$name.pid" "$STATE/running/${name#plugin-}.json"
  done
}

cmd_stop() {
  local names=() name
  [ -d "$STATE/pids" ] || { say "nothing to stop in $STATE"; return 0; }
  if [ -f "$STATE/pids/supervisor.pid" ]; then terminate supervisor; fi
  "$SUPPORT/docker-mode.sh" stop "$STATE" || true
  while read -r name; do names+=("$name"); done < <(stop_order)
  if [ "${#names[@]}" -gt 0 ]; then
    say "stopping ${names[*]}"
    terminate "${names[@]}"
  fi
  rm -f "$STATE/ready"
  say "stopped (state kept in $STATE)"
}

cmd_status() {
  local f name pid rest all=0 up=0
  for f in "$STATE"/pids/*.pid; do
    [ -f "$f" ] || continue
    name="${f##*/}"
    name="${name%.pid}"
    all=$((all + 1))
    read -r pid rest <"$f"
    if alive "$f"; then
      up=$((up + 1))
      echo "$name: running (pid $pid)"
    else
      echo "$name: stopped"
    fi
  done
  [ "$all" -eq 0 ] && echo "no services started in $STATE"
  [ "$all" -gt 0 ] && [ "$up" -eq "$all" ]
}

cmd_env() {
  [ -f "$STATE/ready" ] || die "no running services in $STATE (start them: scripts/services.sh start)"
  local line
  printf 'SERVICES_STATE=%q\n' "$STATE"
  printf 'SERVICES_HOME=%q\n' "$STATE/home"
  printf 'SERVICES_DOMAIN_ID=%q\n' "$(cat "$STATE/domain_id")"
  printf 'SERVICES_LOOP=%q\n' "$(cat "$STATE/ready")"
  printf 'SERVICES_LINE=%q\n' "$(cat "$STATE/line" 2>/dev/null || echo 1)"
  while IFS= read -r line; do printf '%s\n' "$line"; done <"$STATE/ports.env"
}

# ------------------------------------------------------------------ start

# On any exit of an unfinished start (an error, a failed wait, Ctrl-C), stop what it started.
start_ended() {
  local code=$?
  trap - EXIT INT TERM
  if [ "${STARTED:-1}" = 0 ]; then
    say "start did not finish (exit status $code): stopping what it started"
    cmd_stop
    [ "$code" -ne 0 ] || code=1
  fi
  exit "$code"
}

# wait_started SERVICE...: each service listens; the setup's first calls are made and, with
# --loop, the supervisor has published itself (until then Collector.create fails with
# ERROR_NO_POSSIBLE_SUPERVISOR). Then the set is ready.
wait_started() {
  local name port_var
  for name in "$@"; do
    port_var="$(echo "$name" | tr '[:lower:]' '[:upper:]')_PORT"
    wait_port "$name" "${!port_var}"
  done
  if [ "$LOOP" = 0 ]; then
    wait_exit setup
  elif ! wait_exit setup supervisor; then
    say "the end of $STATE/logs/supervisor.log:"
    tail -n 40 "$STATE/logs/supervisor.log" >&2 || true
    false
  fi
  echo "$LOOP" >"$STATE/ready"
  STARTED=1
}

cmd_start() {
  local venv py spaceone ext name
  local ref=services
  [ "$LINE" = 2 ] && ref=services2
  "$ROOT/scripts/reference.sh" "$ref"
  venv="$("$ROOT/scripts/reference.sh" path "$ref")"
  py="$venv/bin/python"
  spaceone="$venv/bin/spaceone"
  ext="$SUPPORT/ext"
  mkdir -p "$STATE"
  for f in "$STATE"/pids/*.pid; do
    [ -f "$f" ] || continue
    alive "$f" && die "services are already running in $STATE (stop them first: scripts/services.sh stop --state $STATE)"
  done
  # Only what start writes is removed: DIR may be a directory of the user's.
  rm -rf "$STATE/pids" "$STATE/running" "$STATE/logs" "$STATE/conf" "$STATE/home" "$STATE/plugins" \
    "$STATE/ports.env" "$STATE/token" "$STATE/domain_id" "$STATE/ready" "$STATE"/registry-*.pem \
    "$STATE/line" "$STATE/system_token" "$STATE/domain_name" "$STATE/workspace_id" "$STATE/workspace_token" \
    "$STATE/app_token" "$STATE/admin_user" "$STATE/admin_password" "$STATE/docker.env"
  mkdir -p "$STATE/pids" "$STATE/running" "$STATE/logs" "$STATE/plugins"

  # SPACECTL_SERVICES_STATE also marks every process of this set (and the plugins the
  # supervisor starts) in its environment.
  export PYTHONWARNINGS=ignore PYTHONDONTWRITEBYTECODE=1 SERVICES_LOG_LEVEL="$LOG_LEVEL" SERVICES_LOOP="$LOOP" \
    SERVICES_LINE="$LINE" SPACECTL_SERVICES_STATE="$STATE"
  echo "$LINE" >"$STATE/line"
  # Plugin.register asks the registry stand-in over HTTPS; it trusts the stand-in's certificate.
  export REQUESTS_CA_BUNDLE="$STATE/registry-cert.pem"
  if [ -n "$DOCKER_STATE" ]; then
    "$SUPPORT/docker-mode.sh" env "$DOCKER_STATE" >"$STATE/docker.env"
    set -a; . "$STATE/docker.env"; set +a
    SUPERVISOR_WRAP=("$SUPPORT/docker-mode.sh" run "$SERVICES_DOCKER_SOCKET")
  fi
  STARTED=0
  trap 'start_ended' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  if [ "$LINE" = 2 ]; then
    start_line2 "$py" "$spaceone" "$ext"
    return
  fi
  local others=(repository)
  if [ "$LOOP" = 1 ]; then others+=(plugin secret); else others+=(inventory); fi
  "$py" "$SUPPORT/helper.py" prepare "$STATE" identity "${others[@]}"
  # shellcheck disable=SC1091
  . "$STATE/ports.env"

  # Everything starts at once. identity and the setup (which waits for identity, then
  # creates the token) are the critical path: the others yield the CPU to them. inventory
  # and the supervisor of the loop import their code, then wait for the token they act with.
  local setup_for=(repository inventory)
  if [ "$LOOP" = 1 ]; then setup_for+=(plugin secret supervisor); fi
  launch aux "$py" "$SUPPORT/helper.py" aux "$STATE"
  launch identity "$spaceone" grpc spaceone.identity -p "$IDENTITY_PORT" -c "$STATE/conf/identity.yaml" -m "$ext"
  launch setup "$py" "$SUPPORT/helper.py" setup "$STATE" "$TIMEOUT" "${setup_for[@]}"
  for name in "${others[@]}"; do
    port_var="$(echo "$name" | tr '[:lower:]' '[:upper:]')_PORT"
    launch "$name" nice -n 5 "$spaceone" grpc "spaceone.$name" -p "${!port_var}" -c "$STATE/conf/$name.yaml" -m "$ext"
  done
  if [ "$LOOP" = 1 ]; then
    launch inventory nice -n 5 "$py" "$SUPPORT/preload.py" "$STATE" "$TIMEOUT" inventory grpc -p "$INVENTORY_PORT" -m "$ext"
    launch supervisor "${SUPERVISOR_WRAP[@]}" nice -n 5 "$py" "$SUPPORT/preload.py" "$STATE" "$TIMEOUT" supervisor scheduler -m "$ext"
  fi
  wait_port aux "$REDIS_PORT"
  wait_port aux "$REGISTRY_PORT"
  wait_port identity "$IDENTITY_PORT"
  wait_file token setup identity
  say "identity: domain $(cat "$STATE/domain_id") and its owner's token created"
  wait_started "${others[@]}" $([ "$LOOP" = 1 ] && echo inventory)
  say "ready: identity :$IDENTITY_PORT, repository :$REPOSITORY_PORT, inventory :$INVENTORY_PORT$(
    [ "$LOOP" = 1 ] && echo ", plugin :$PLUGIN_PORT, secret :$SECRET_PORT, supervisor (plugins on :$PLUGIN_PORTS_START-$((PLUGIN_PORTS_END - 1)))")"
  say "try: HOME=$STATE/home spacectl list repository.Repository"
}

# The 2.x services. identity starts first; the bootstrap (setup) makes its system token,
# which every other service needs in its configuration: they import their code meanwhile
# (preload.py) and start once the token exists.
start_line2() {
  local py=$1 spaceone=$2 ext=$3 name port_var
  local others=(config repository inventory)
  if [ "$LOOP" = 1 ]; then others+=(plugin secret); fi
  "$py" "$SUPPORT/helper.py" ports "$STATE"
  "$py" "$SUPPORT/helper.py" config "$STATE" identity
  # shellcheck disable=SC1091
  . "$STATE/ports.env"
  local setup_for=("${others[@]}")
  if [ "$LOOP" = 1 ]; then setup_for+=(supervisor); fi
  launch aux "$py" "$SUPPORT/helper.py" aux "$STATE"
  launch identity "$spaceone" run grpc-server spaceone.identity -p "$IDENTITY_PORT" -c "$STATE/conf/identity.yaml" -m "$ext"
  launch setup "$py" "$SUPPORT/helper.py" setup "$STATE" "$TIMEOUT" "${setup_for[@]}"
  for name in "${others[@]}"; do
    port_var="$(echo "$name" | tr '[:lower:]' '[:upper:]')_PORT"
    launch "$name" nice -n 5 "$py" "$SUPPORT/preload.py" "$STATE" "$TIMEOUT" "$name" grpc -p "${!port_var}" -m "$ext"
  done
  if [ "$LOOP" = 1 ]; then
    launch supervisor "${SUPERVISOR_WRAP[@]}" nice -n 5 "$py" "$SUPPORT/preload.py" "$STATE" "$TIMEOUT" supervisor scheduler -m "$ext"
  fi
  wait_port aux "$REDIS_PORT"
  wait_port aux "$REGISTRY_PORT"
  wait_port identity "$IDENTITY_PORT"
  wait_file token setup identity
  say "identity: system initialised; domain $(cat "$STATE/domain_name") ($(cat "$STATE/domain_id")), workspace $(cat "$STATE/workspace_id") and tokens created"
  wait_started "${others[@]}"
  say "ready (2.x): identity :$IDENTITY_PORT, config :$CONFIG_PORT, repository :$REPOSITORY_PORT, inventory :$INVENTORY_PORT$(
    [ "$LOOP" = 1 ] && echo ", plugin :$PLUGIN_PORT, secret :$SECRET_PORT, supervisor (plugins on :$PLUGIN_PORTS_START-$((PLUGIN_PORTS_END - 1)))")"
  say "try: HOME=$STATE/home spacectl list identity.Workspace"
}

# ------------------------------------------------------------------ arguments

ACTION="${1:-}"
[ $# -gt 0 ] && shift
while [ $# -gt 0 ]; do
  case "$1" in
    --state) [ $# -ge 2 ] || bad "--state needs a directory"; STATE="$2"; shift 2 ;;
    --state=*) STATE="${1#--state=}"; shift ;;
    --loop) LOOP=1; shift ;;
    --line) [ $# -ge 2 ] || bad "--line needs 1 or 2"; LINE="$2"; shift 2 ;;
    --line=*) LINE="${1#--line=}"; shift ;;
    --timeout) [ $# -ge 2 ] || bad "--timeout needs a number of seconds"; TIMEOUT="$2"; shift 2 ;;
    --debug) LOG_LEVEL=DEBUG; shift ;;
    --docker) [ $# -ge 2 ] || bad "--docker needs the directory of scripts/docker.sh start --state DIR"; DOCKER_STATE="$(cd "$2" 2>/dev/null && pwd)" || bad "--docker: no directory $2"; LOOP=1; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) bad "unknown argument '$1' (try --help)" ;;
  esac
done
case "$TIMEOUT" in ''|*[!0-9]*) bad "--timeout must be a whole number of seconds, not '$TIMEOUT'" ;; esac
case "$LINE" in
  1|1.12|1.x) LINE=1 ;;
  2|2.x) LINE=2 ;;
  *) bad "--line must be 1 (SpaceONE 1.12) or 2 (SpaceONE 2.x), not '$LINE'" ;;
esac
if [ -z "$STATE" ]; then
  STATE="${TMPDIR:-/tmp}/spacectl-services$([ "$LINE" = 2 ] && echo 2)-$(id -u)"
fi
if [ "$ACTION" = start ]; then
  mkdir -p "$STATE" 2>/dev/null || die "cannot create the state directory $STATE"
fi
[ ! -d "$STATE" ] || STATE="$(cd "$STATE" && pwd)"

case "$ACTION" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  -h|--help|help) usage ;;
  '') usage >&2; exit 2 ;;
  *) bad "unknown command '$ACTION' (expected start, stop, status or env; try --help)" ;;
esac
