#!/usr/bin/env bash
# Plugin kinds: every route of each kind through upstream's Python server
# (`spaceone run plugin-server`) and through our host, same client, same run.
#
#   * compat: both servers run the kind's compat sample (tests/data/kinds/KIND, written
#     against upstream's library; our host runs it with the reference kinds Python);
#   * sdk: our host runs the SDK twin of that sample (the same plugin with its imports
#     taken from our SDK, see sdk_twin; plain python3), against upstream on the compat
#     sample.
#
# First, every case of the kind's calls.txt is sent to the three servers and the
# answers compared with upstream's (grpc-probe.py calls): the bench prints "same" or
# the cases that differ, so each row compares servers doing the same work.
# Then, per route (the first case of each method that upstream answers OK):
#
#   rt    median round trip of M calls over one connection (grpc-probe.py time: the
#         request encoded once, answers taken as bytes; the client share is small and
#         equal for every server);
#   work  server-side time of the route: its rt minus the rt of a call that reaches
#         no plugin code (grpc.health.v1.Health/Check), both medians of calls made
#         alternately on the same connection; the transport, HTTP/2 and the client
#         cancel out, what is left is the route's own cost in the server (request
#         decoding, dispatch to the plugin, the plugin's code, answer encoding);
#   base  that Health/Check rt (each server's fixed per-call cost, client included);
#   call  (main route only) median wall time of N whole client calls (our release
#         binary, process start included);
#   RSS   idle resident memory of each server (ours: the host process only, without
#         its handler children), once per kind.
#
#   bench/kinds.sh [N] [M]        (default N=9, M=200)
# Environment: SPACECTL_BIN (default target/release/spacectl, built when absent),
# SPACECTL_REFERENCE_DIR (default ~/.cache/spacectl-reference; scripts/reference.sh kinds),
# BENCH_PORTS (FIRST-LAST: take the servers' TCP ports from that range).
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

timing() { # port method file -> "ROUTE BASELINE" medians (ms) of M calls each, alternating
  "$PYTHON" "$HERE/scripts/grpc-probe.py" time "127.0.0.1:$1" "$2" "$3" "$M" Health.Check "$EMPTY"
}
sub() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; printf "%.3f", (d < 0.001 ? 0.001 : d) }'; }
answers() { # port calls requests out-dir
  mkdir -p "$4"
  "$PYTHON" "$HERE/scripts/grpc-probe.py" calls "127.0.0.1:$1" "$2" "$3" "$4"
}
differ() { # dir dir -> the cases whose answers differ, or "same"
  local out="" f
  for f in "$1"/*.grpc.txt; do
    cmp -s "$f" "$2/$(basename "$f")" || out="$out $(basename "$f" .grpc.txt)"
  done
  echo "${out:- same}"
}
EMPTY="$WORK/empty.yaml"; echo '{}' >"$EMPTY"
ROW='%-18s %-6s %-32s %8s %8s %6s | %7s %7s %6s | %6s %6s | %7s %7s %6s\n'
printf "$ROW" kind mode route "up rt" "our rt" ratio "up work" "our wrk" ratio "up bs" "our bs" "up call" "our cal" ratio
row() { # kind mode route up-timing our-timing [up-call our-call]
  local up_rt up_base our_rt our_base up_work our_work
  read -r up_rt up_base <<<"$4"; read -r our_rt our_base <<<"$5"
  up_work="$(sub "$up_rt" "$up_base")"; our_work="$(sub "$our_rt" "$our_base")"
  printf "$ROW" "$1" "$2" "$3" "$up_rt" "$our_rt" "$(ratio "$up_rt" "$our_rt")x" \
    "$up_work" "$our_work" "$(ratio "$up_work" "$our_work")x" "$up_base" "$our_base" \
    "${6:--}" "${7:--}" "$( [ -n "${6:-}" ] && echo "$(ratio "$6" "$7")x" || echo -)"
}
# The SDK twin of a compat sample's source: the same plugin with the framework's errors
# imported from spaceone_plugin_sdk and the kind's server class from spaceone_plugin_kinds
# (both on the handler's path); the one datetime parameter of any kind, which reaches an
# SDK plugin as the request's text, is read with parse_datetime.
sdk_twin() { # sample_src dst
  cp -r "$1" "$2"
  sed -i -E \
    -e 's/^from spaceone\.core\.error import (.*)$/from spaceone_plugin_sdk import \1, parse_datetime/' \
    -e 's/^from spaceone\.[a-z_.]+\.lib\.server import /from spaceone_plugin_kinds import /' \
    -e 's/params\["last_synchronized_at"\]/parse_datetime(params["last_synchronized_at"])/' \
    "$2/plugin/main.py"
  if grep -q '^from spaceone\.\|^import spaceone' "$2/plugin/main.py"; then
    echo "sdk_twin: $1/plugin/main.py imports what the twin cannot rewrite" >&2
    exit 1
  fi
}

NOTES=()
for entry in \
  "external-auth ExternalAuth.authorize" \
  "account-collector AccountCollector.sync" \
  "cost Cost.get_data" \
  "notification Notification.dispatch" \
  "webhook Event.parse"; do
  set -- $entry
  kind=$1 main=$2
  sample="$HERE/tests/data/kinds/$kind"
  twin="$WORK/twin-$kind"
  sdk_twin "$sample/src" "$twin"
  up_port="$(free_port)"; start_upstream "$sample" "$up_port" "$WORK/up-$kind.log"; up_pid=$LAST_PID
  compat_port="$(free_port)"; start_ours "$sample/src" "$compat_port" "$WORK/compat-$kind.log" "$PYTHON"; compat_pid=$LAST_PID
  sdk_port="$(free_port)"; start_ours "$twin" "$sdk_port" "$WORK/sdk-$kind.log"; sdk_pid=$LAST_PID
  wait_listening "$up_port" "$WORK/up-$kind.log"
  wait_listening "$compat_port" "$WORK/compat-$kind.log"
  wait_listening "$sdk_port" "$WORK/sdk-$kind.log"
  sleep 1
  up_rss="$(rss_kb "$up_pid")"; compat_rss="$(rss_kb "$compat_pid")"; sdk_rss="$(rss_kb "$sdk_pid")"
  answers "$up_port" "$sample/calls.txt" "$sample/requests" "$WORK/ans-up-$kind"
  answers "$compat_port" "$sample/calls.txt" "$sample/requests" "$WORK/ans-compat-$kind"
  answers "$sdk_port" "$sample/calls.txt" "$sample/requests" "$WORK/ans-sdk-$kind"
  NOTES+=("$(printf '%-18s answers vs upstream: compat%s; sdk%s. RSS kB: upstream %s, ours (compat) %s, ours (sdk) %s' \
    "$kind" "$(differ "$WORK/ans-up-$kind" "$WORK/ans-compat-$kind")" "$(differ "$WORK/ans-up-$kind" "$WORK/ans-sdk-$kind")" \
    "$up_rss" "$compat_rss" "$sdk_rss")")
  # The routes: the main one first, then the first case of every other plugin method
  # that upstream answered OK.
  routes="$(awk -v main="$main" '!/^#/ && NF == 3 && $2 !~ /^(Health|ServerInfo)\./ { print $1, $2, $3 }' "$sample/calls.txt" |
    while read -r case method file; do
      if [ "$(tail -n 1 "$WORK/ans-up-$kind/$case.grpc.txt")" = OK ]; then echo "$method $file"; fi
    done | awk -v main="$main" '!seen[$1]++ { if ($1 == main) first = $0; else rest = rest $0 "\n" } END { printf "%s\n%s", first, rest }')"
  while read -r method file; do
    [ -n "$method" ] || continue
    req="$sample/requests/$file"
    up_t="$(timing "$up_port" "$method" "$req")"
    compat_t="$(timing "$compat_port" "$method" "$req")"
    sdk_t="$(timing "$sdk_port" "$method" "$req")"
    if [ "$method" = "$main" ]; then
      service="${method%%.*}" verb="${method#*.}"
      up_ms="$(call_ms "$up_port" "$verb" "$service" "$req")"
      compat_ms="$(call_ms "$compat_port" "$verb" "$service" "$req")"
      sdk_ms="$(call_ms "$sdk_port" "$verb" "$service" "$req")"
      row "$kind" compat "$method" "$up_t" "$compat_t" "$up_ms" "$compat_ms"
      row "$kind" sdk "$method" "$up_t" "$sdk_t" "$up_ms" "$sdk_ms"
    else
      row "$kind" compat "$method" "$up_t" "$compat_t"
      row "$kind" sdk "$method" "$up_t" "$sdk_t"
    fi
  done <<<"$routes"
  kill "$up_pid" "$compat_pid" "$sdk_pid" 2>/dev/null || true
  wait "$up_pid" "$compat_pid" "$sdk_pid" 2>/dev/null || true
done
echo
printf '%s\n' "${NOTES[@]}"
echo
echo "times in ms. rt: median round trip of $M calls on one connection; work: rt minus the same"
echo "server's Health/Check rt (bs) measured alternately on that connection (server-side cost of"
echo "the route); call: median of $N whole client calls (our release binary, process start"
echo "included). ratio: upstream / ours. Every row: upstream serving the compat sample; compat:"
echo "our host serving the same sample; sdk: our host serving its SDK twin (see sdk_twin)."
