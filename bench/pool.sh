#!/usr/bin/env bash
# The handler pool under load: our host (`spacectl run plugin-server`, compat mode:
# the plugin's own Python code in handler processes) vs the Python
# `spaceone run plugin-server`, both serving the framework plugin of
# tests/data/handlers/compat_project on free local ports, measured in the same run
# with the same client (bench/pool_load.py: one gRPC channel, a thread per call).
# A collect yields a cloud service type and ITEMS cloud services, waiting DELAY
# seconds before each one, like a collector that calls a cloud API.
#
# Prints each figure for both servers and the ratio ours / Python:
#   1. the first burst: 8 concurrent collects right after the server is up
#      (target: ours not slower);
#   2. sequential latency: median of N collects one after the other, without
#      the DELAY (what the host and the runner add to the plugin's own work);
#   3. 100 concurrent collects: wall time, and the peak resident memory of the
#      server while they run (ours: the host and all its handler processes,
#      summed) (target: ours <= 2x Python);
#   4. ours after the load: handler processes left, and the seconds until one is
#      left (target: <= 1 within 60 s).
# With SPACECTL_BASELINE_BIN (another build of spacectl, e.g. the previous
# release) figures 1-3 are also measured for that build (target for 2: ours not
# above it).
#
#   bench/pool.sh [N]            (default N=15)
# Environment: SPACECTL_BIN (default target/release/spacectl, built when absent),
# SPACECTL_REFERENCE_DIR (default ~/.cache/spacectl-reference), SPACECTL_BASELINE_BIN,
# ITEMS (default 5), DELAY (default 0.2).
set -euo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-15}"
REF="${SPACECTL_REFERENCE_DIR:-$HOME/.cache/spacectl-reference}"
SPACEONE="$REF/plugin-venv/bin/spaceone"
PYTHON="$REF/plugin-venv/bin/python"
BIN="${SPACECTL_BIN:-$HERE/target/release/spacectl}"
BASELINE="${SPACECTL_BASELINE_BIN:-}"
ITEMS="${ITEMS:-5}"
DELAY="${DELAY:-0.2}"
SRC="$HERE/tests/data/handlers/compat_project"
LOAD="$HERE/bench/pool_load.py"

for f in "$SPACEONE" "$PYTHON"; do
  [ -e "$f" ] || { echo "missing: $f (run scripts/reference.sh)" >&2; exit 1; }
done
[ -z "$BASELINE" ] || [ -x "$BASELINE" ] || { echo "not executable: $BASELINE" >&2; exit 1; }
. "$HERE/bench/lib.sh"
ensure_binary

wait_port() { # port log
  for _ in $(seq 1 240); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.25
  done
  echo "nothing listens on port $1:" >&2; cat "$2" >&2; exit 1
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
json_field() { "$PYTHON" -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# Resident memory (kB) of a process and all its descendants.
tree_rss_kb() {
  ps -e -o pid=,ppid=,rss= | awk -v root="$1" '
    { parent[$1] = $2; rss[$1] = $3 }
    END {
      for (p in rss) {
        q = p
        while (q != "" && q != root && q != 1 && q != 0) q = parent[q]
        if (q == root) total += rss[p]
      }
      print total + 0
    }'
}
children() { ps -o pid= --ppid "$1" | wc -l; }

# Run the load generator against PORT while sampling the tree RSS of PID;
# prints the generator's JSON and, on a second line, the peak RSS in kB.
load_with_rss() { # pid port calls concurrency
  local out="$WORK/load.$RANDOM" peak=0 rss lp
  "$PYTHON" "$LOAD" "$2" "$3" "$4" "$ITEMS" "$DELAY" >"$out" &
  lp=$!
  while kill -0 "$lp" 2>/dev/null; do
    rss="$(tree_rss_kb "$1")"
    [ "$rss" -gt "$peak" ] && peak="$rss"
    sleep 0.1
  done
  wait "$lp"
  cat "$out"
  echo "$peak"
}

# Start a server: `start NAME COMMAND...`; sets PID_<NAME> and PORT_<NAME>.
start() {
  local name="$1" port
  shift
  port="$(free_port)"
  (cd "$SRC" && exec "$@" -p "$port") >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  printf -v "PID_$name" '%s' "$!"
  printf -v "PORT_$name" '%s' "$port"
  wait_port "$port" "$WORK/$name.log"
}

# The figures 1-3 of one server; sets BURST_<NAME>, SEQ_<NAME>, WALL_<NAME>, RSS_<NAME>.
measure() { # name
  local name="$1" pid port out
  pid="PID_$name"; pid="${!pid}"
  port="PORT_$name"; port="${!port}"
  out="$("$PYTHON" "$LOAD" "$port" 8 8 "$ITEMS" "$DELAY")"
  [ "$(json_field "$out" ok)" = 8 ] || { echo "$name: burst failed: $out" >&2; exit 1; }
  printf -v "BURST_$name" '%s' "$(json_field "$out" wall_ms)"
  out="$("$PYTHON" "$LOAD" "$port" "$N" 1 "$ITEMS" 0)"
  [ "$(json_field "$out" ok)" = "$N" ] || { echo "$name: sequential failed: $out" >&2; exit 1; }
  printf -v "SEQ_$name" '%s' "$(json_field "$out" median_ms)"
  out="$(load_with_rss "$pid" "$port" 100 100)"
  local result peak
  result="$(head -1 <<<"$out")"; peak="$(tail -1 <<<"$out")"
  [ "$(json_field "$result" ok)" = 100 ] || { echo "$name: 100 concurrent failed: $result" >&2; exit 1; }
  printf -v "WALL_$name" '%s' "$(json_field "$result" wall_ms)"
  printf -v "RSS_$name" '%s' "$peak"
}

# Servers run one at a time, so that they do not compete for the CPU.
start py "$SPACEONE" run plugin-server -s . compatplug
measure py
kill "$PID_py"; wait "$PID_py" 2>/dev/null || true

start rs "$BIN" run plugin-server compatplug -s . --host 127.0.0.1 --python "$PYTHON"
measure rs
AFTER="$(children "$PID_rs")"
t0="$(date +%s)"
IDLE_S="more than 90"
for _ in $(seq 1 90); do
  if [ "$(children "$PID_rs")" -le 1 ]; then IDLE_S="$(( $(date +%s) - t0 ))"; break; fi
  sleep 1
done
LEFT="$(children "$PID_rs")"
kill "$PID_rs"; wait "$PID_rs" 2>/dev/null || true

if [ -n "$BASELINE" ]; then
  start base "$BASELINE" run plugin-server compatplug -s . --host 127.0.0.1 --python "$PYTHON"
  measure base
  BASE_AFTER="$(children "$PID_base")"
  kill "$PID_base"; wait "$PID_base" 2>/dev/null || true
fi

row() { # label python ours [baseline] unit
  printf '%-40s %10s %10s %8s' "$1" "$2 $5" "$3 $5" "$(ratio "$3" "$2")x"
  [ -n "$4" ] && printf ' %12s' "$4 $5"
  echo
}
echo "== compat plugin, collects of $ITEMS items with ${DELAY} s before each (sequential: no wait, median of $N)"
printf '%-40s %10s %10s %8s' "" "python" "ours" "ours/py"
[ -n "$BASELINE" ] && printf ' %12s' "baseline"
echo
row "first burst, 8 concurrent (wall)" "$BURST_py" "$BURST_rs" "${BURST_base:-}" ms
row "sequential collect (median)" "$SEQ_py" "$SEQ_rs" "${SEQ_base:-}" ms
row "100 concurrent (wall)" "$WALL_py" "$WALL_rs" "${WALL_base:-}" ms
row "100 concurrent, peak RSS (server tree)" "$RSS_py" "$RSS_rs" "${RSS_base:-}" kB
echo
echo "ours after the 100 concurrent collects: $AFTER handler processes; one left after $IDLE_S s ($LEFT now)"
[ -n "$BASELINE" ] && echo "baseline after the 100 concurrent collects: $BASE_AFTER handler processes"
echo
fail=0
check() { # description condition
  if eval "$2"; then echo "ok     $1"; else echo "MISSED $1"; fail=1; fi
}
check "RSS under 100 concurrent collects <= 2x Python's" "[ \"\$RSS_rs\" -le \$((2 * RSS_py)) ]"
check "first burst of 8 not slower than Python's" "[ \"\$BURST_rs\" -le \"\$BURST_py\" ]"
[ -n "$BASELINE" ] && check "sequential latency not above the baseline's" "[ \"\$SEQ_rs\" -le \"\$SEQ_base\" ]"
check "idle back to <= 1 handler within 60 s" "[ \"\$LEFT\" -le 1 ] && [ \"\$IDLE_S\" != 'more than 90' ] && [ \"\$IDLE_S\" -le 60 ]"
exit "$fail"
