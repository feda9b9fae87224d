#!/usr/bin/env bash
# Regenerates the recorded answers of upstream's Python plugin server for the kind
# sample plugins under tests/data/kinds/ (one folder per kind).
#
#   regen-kind-goldens.sh [KIND ...]      (default: every folder of tests/data/kinds)
#
# For each kind it starts `spaceone run plugin-server plugin -s KIND/src` from the
# reference kinds installation on a free 127.0.0.1 port, then writes into KIND/expected/:
#   CASE.spacectl.yaml  the Python spacectl's output for each line `CASE Service.verb FILE`
#                       of KIND/calls.txt (`spacectl exec verb plugin.Service -f requests/FILE`)
#   CASE.grpc.txt       the same call through scripts/grpc-probe.py: answers as JSON, then
#                       OK or the gRPC status code and details
#   reflection.txt      the server's reflection listing (grpc-probe.py list)
#   log.txt             the server's startup and per-call log lines of both passes (spacectl,
#                       then the probe), tracebacks and the library's debug lines left out,
#                       with times, durations, transaction ids and installation paths
#                       replaced by placeholders
# The reference installations are built first when missing (scripts/reference.sh).
# Progress goes to stderr; the server is stopped by its PID, even on failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KINDS="$ROOT/tests/data/kinds"

say() { echo "regen-kind-goldens: $*" >&2; }

"$ROOT/scripts/reference.sh" kinds
"$ROOT/scripts/reference.sh" spacectl
VENV="$("$ROOT/scripts/reference.sh" path kinds)"
SPACECTL="$("$ROOT/scripts/reference.sh" path spacectl)/bin/spacectl"

SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/kind-goldens.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

free_port() {
  "$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The log with what changes from run to run replaced, tracebacks and debug lines dropped.
normalize_log() {
  awk '
    /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T/ { skip = ($2 == "[DEBUG]" && $0 !~ /Loaded Services/) }
    /^Traceback \(most recent call last\):/ { skip = 1 }
    !skip' |
  sed -E \
    -e 's/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z /<time> /' \
    -e 's/^(<time> \[[A-Z]+\]) [0-9a-f]{32} /\1 <tnx> /' \
    -e 's/\(Time = [0-9.e-]+s,/(Time = <s>s,/' \
    -e "s#$VENV#<venv>#g" \
    -e "s#$KINDS/#<kinds>/#g" \
    -e 's/port=[0-9]+/port=<port>/'
}

regen() {  # regen KIND
  local kind=$1 dir="$KINDS/$1" port log home case method file service verb
  [ -f "$dir/calls.txt" ] || { say "$kind: no $dir/calls.txt"; exit 1; }
  port="$(free_port)"
  log="$SCRATCH/$kind.log"
  say "$kind: starting upstream's server on 127.0.0.1:$port"
  (cd "$dir" && PYTHONUNBUFFERED=1 exec "$VENV/bin/spaceone" run plugin-server plugin -s src -p "$port") >"$log" 2>&1 &
  SERVER_PID=$!
  local waited=0
  until grep -q 'Start gRPC Server' "$log" 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then cat "$log" >&2; say "$kind: the server exited"; exit 1; fi
    waited=$((waited + 1))
    [ "$waited" -le 600 ] || { cat "$log" >&2; say "$kind: the server did not listen within 60 s"; exit 1; }
    sleep 0.1
  done

  home="$SCRATCH/home-$kind"
  mkdir -p "$home/.spaceone/environments"
  echo "environment: kinds" >"$home/.spaceone/environment.yml"
  printf 'endpoints:\n  plugin: grpc://127.0.0.1:%s\n' "$port" >"$home/.spaceone/environments/kinds.yml"

  rm -rf "$dir/expected"
  mkdir -p "$dir/expected"
  local n=0
  while read -r case method file; do
    case "$case" in ''|'#'*) continue ;; esac
    service="${method%%.*}"
    verb="${method#*.}"
    HOME="$home" NO_COLOR=1 timeout 120 "$SPACECTL" exec "$verb" "plugin.$service" -f "$dir/requests/$file" \
      >"$dir/expected/$case.spacectl.yaml" 2>"$SCRATCH/stderr" \
      || { cat "$SCRATCH/stderr" >&2; say "$kind: $case: spacectl failed"; exit 1; }
    n=$((n + 1))
  done <"$dir/calls.txt"
  timeout 300 "$VENV/bin/python" "$ROOT/scripts/grpc-probe.py" calls "127.0.0.1:$port" \
    "$dir/calls.txt" "$dir/requests" "$dir/expected"
  timeout 60 "$VENV/bin/python" "$ROOT/scripts/grpc-probe.py" list "127.0.0.1:$port" >"$dir/expected/reflection.txt"

  kill -TERM "$SERVER_PID"
  for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  normalize_log <"$log" >"$dir/expected/log.txt"
  say "$kind: $n calls recorded in ${dir#"$ROOT"/}/expected"
}

if [ "$#" -gt 0 ]; then
  kinds=("$@")
else
  kinds=()
  for d in "$KINDS"/*/; do kinds+=("$(basename "$d")"); done
fi
for k in "${kinds[@]}"; do regen "$k"; done
