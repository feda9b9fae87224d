#!/usr/bin/env bash
# Plugin kinds: per kind, the main route (authorize, sync, get_data, dispatch, parse)
# through upstream's Python server (`spaceone run plugin-server`) and through our host,
# same client (our release binary), same run.
#
#   * compat: both servers run the kind's compat sample (tests/data/kinds/KIND, written
#     against upstream's library; our host runs it with the reference kinds Python);
#   * sdk: our host runs the project `create-project -s KIND` makes (plain python3),
#     against upstream's server on the compat sample of the same kind.
#
# Prints per kind and mode the median round trip of M calls over one connection
# (scripts/grpc-probe.py time: the server's work plus a small, equal client share),
# the ratio (upstream / ours), the median wall time of N whole client calls (our
# release binary, process start included), and the idle resident memory of each
# server (ours: the host process only, without its handler children).
#
#   bench/kinds.sh [N] [M]        (default N=9, M=200)
# Environment: SPACECTL_BIN (default target/release/spacectl, built when absent),
# SPACECTL_REFERENCE_DIR (default ~/.cache/spacectl-reference; scripts/reference.sh kinds).
set -euo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-9}"
M="${2:-200}"
REF="${SPACECTL_REFERENCE_DIR:-$HOME/.cache/spacectl-reference}"
SPACEONE="$REF/kinds-venv/bin/spaceone"
PYTHON="$REF/kinds-venv/bin/python"
BIN="${SPACECTL_BIN:-$HERE/target/release/spacectl}"
for f in "$SPACEONE" "$PYTHON"; do
  [ -e "$f" ] || { echo "missing: $f (run scripts/reference.sh kinds)" >&2; exit 1; }
done
. "$HERE/bench/lib.sh"
ensure_binary

wait_listening() { # port log
  for _ in $(seq 1 400); do
    grep -q 'Start gRPC Server' "$2" 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.25
  done
  echo "nothing listens on port $1:" >&2; cat "$2" >&2; exit 1
}
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }

export HOME="$WORK/home" XDG_CACHE_HOME="$WORK/cache"
mkdir -p "$HOME/.spaceone/environments"
use() { # port
  printf 'environment: b%s\n' "$1" >"$HOME/.spaceone/environment.yml"
  printf 'endpoints:\n  plugin: grpc://127.0.0.1:%s\n' "$1" >"$HOME/.spaceone/environments/b$1.yml"
}
call_ms() { # port verb service file -> median ms of N calls (after one warm-up)
  use "$1"
  "$BIN" exec "$2" "plugin.$3" -f "$4" >"$WORK/out.$1" 2>&1 || { echo "call failed:" >&2; cat "$WORK/out.$1" >&2; exit 1; }
  grep -q '^ERROR' "$WORK/out.$1" && { echo "port $1 answered an error:" >&2; cat "$WORK/out.$1" >&2; exit 1; }
  median_ms "$BIN" exec "$2" "plugin.$3" -f "$4"
}

start_upstream() { # dir port log
  (cd "$1" && PYTHONUNBUFFERED=1 exec "$SPACEONE" run plugin-server plugin -s src -p "$2") >"$3" 2>&1 &
  PIDS+=($!); LAST_PID=$!
}
start_ours() { # src port log [python]
  if [ -n "${4:-}" ]; then
    "$BIN" run plugin-server plugin -s "$1" --host 127.0.0.1 -p "$2" --python "$4" >"$3" 2>&1 &
  else
    "$BIN" run plugin-server plugin -s "$1" --host 127.0.0.1 -p "$2" >"$3" 2>&1 &
  fi
  PIDS+=($!); LAST_PID=$!
}

rt_ms() { # port method file -> median round trip of M calls on one connection
  "$PYTHON" "$HERE/scripts/grpc-probe.py" time "127.0.0.1:$1" "$2" "$3" "$M"
}

printf '%-18s %-30s %9s %9s %7s | %9s %9s %7s | %9s %9s\n' kind route "up rt" "our rt" ratio "up call" "our call" ratio "up RSS" "our RSS"
for entry in \
  "external-auth ExternalAuth authorize authorize.yaml" \
  "account-collector AccountCollector sync sync.yaml" \
  "cost Cost get_data get_data.yaml" \
  "notification Notification dispatch dispatch.yaml" \
  "webhook Event parse parse.yaml"; do
  set -- $entry
  kind=$1 service=$2 verb=$3 file=$4
  sample="$HERE/tests/data/kinds/$kind"
  up_port="$(free_port)"; start_upstream "$sample" "$up_port" "$WORK/up-$kind.log"; up_pid=$LAST_PID
  compat_port="$(free_port)"; start_ours "$sample/src" "$compat_port" "$WORK/compat-$kind.log" "$PYTHON"; compat_pid=$LAST_PID
  (cd "$WORK" && "$BIN" create-project "sdk-$kind" -s "$kind" -q)
  project="$WORK/sdk-$kind"
  sed -i "s#/tmp/sdk-$kind-outbox.jsonl#$WORK/outbox-$kind.jsonl#" "$project/$file"
  sdk_port="$(free_port)"; start_ours "$project/src" "$sdk_port" "$WORK/sdk-$kind.log"; sdk_pid=$LAST_PID
  wait_listening "$up_port" "$WORK/up-$kind.log"
  wait_listening "$compat_port" "$WORK/compat-$kind.log"
  wait_listening "$sdk_port" "$WORK/sdk-$kind.log"
  sleep 1
  up_rss="$(rss_kb "$up_pid")"; compat_rss="$(rss_kb "$compat_pid")"; sdk_rss="$(rss_kb "$sdk_pid")"
  up_rt="$(rt_ms "$up_port" "$service.$verb" "$sample/requests/$file")"
  compat_rt="$(rt_ms "$compat_port" "$service.$verb" "$sample/requests/$file")"
  sdk_rt="$(rt_ms "$sdk_port" "$service.$verb" "$project/$file")"
  up_ms="$(call_ms "$up_port" "$verb" "$service" "$sample/requests/$file")"
  compat_ms="$(call_ms "$compat_port" "$verb" "$service" "$sample/requests/$file")"
  sdk_ms="$(call_ms "$sdk_port" "$verb" "$service" "$project/$file")"
  printf '%-18s %-30s %6s ms %6s ms %6sx | %6s ms %6s ms %6sx | %6s kB %6s kB\n' "$kind" "compat $service.$verb" \
    "$up_rt" "$compat_rt" "$(ratio "$up_rt" "$compat_rt")" "$up_ms" "$compat_ms" "$(ratio "$up_ms" "$compat_ms")" "$up_rss" "$compat_rss"
  printf '%-18s %-30s %6s ms %6s ms %6sx | %6s ms %6s ms %6sx | %6s kB %6s kB\n' "$kind" "sdk $service.$verb" \
    "$up_rt" "$sdk_rt" "$(ratio "$up_rt" "$sdk_rt")" "$up_ms" "$sdk_ms" "$(ratio "$up_ms" "$sdk_ms")" "$up_rss" "$sdk_rss"
  kill "$up_pid" "$compat_pid" "$sdk_pid" 2>/dev/null || true
  wait "$up_pid" "$compat_pid" "$sdk_pid" 2>/dev/null || true
done
echo
echo "rt: median round trip of $M calls on one connection (grpc-probe.py); call: median of $N whole"
echo "client calls (our release binary, process start included). sdk rows: our host serving the"
echo "create-project sample of the kind, against upstream serving the kind's compat sample."
