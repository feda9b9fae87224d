#!/usr/bin/env bash
# The handler pool under load: our host (`spacectl run plugin-server`) vs the Python
# `spaceone run plugin-server`, measured in the same run with the same client
# (bench/pool_load.py: one gRPC channel, a thread per call), on two plugins:
#   * framework: the framework plugin of tests/data/handlers/compat_project, served
#     by both (ours in compat mode, its Python code in handler processes);
#   * sdk: the same collector written against our SDK (made below), served by our
#     host, against upstream serving the framework plugin (what that plugin would
#     be on upstream's stack).
# A collect yields a cloud service type and ITEMS cloud services, waiting DELAY
# seconds before each one, like a collector that calls a cloud API.
#
# Memory is counted as a container counts it: the proportional set size (PSS,
# /proc/PID/smaps_rollup) of the server and all its descendants, summed, so pages
# shared between processes count once. Prints, for each plugin, both servers and
# the ratio ours / Python:
#   1. the first burst: 8 concurrent collects right after the server is up;
#   2. sequential latency: median of N collects one after the other, without
#      the DELAY (what the host and the runner add to the plugin's own work);
#   3. 100 concurrent collects: wall time (target: not slower), peak PSS and
#      peak RSS of the server tree while they run (target for PSS: <= Python's);
#   4. idle PSS 5 s after the burst (target: below Python's);
#   5. ours: handler processes after the burst, and the seconds until one is left;
#   6. ours under CPU-bound collects: the processes the pool adds and the time
#      each took to be ready (target: a copy of the template, within 50 ms).
# With SPACECTL_BASELINE_BIN (another build of spacectl, e.g. the previous
# release) the framework figures are also measured for that build.
#
#   bench/pool.sh [N]            (default N=15)
# Environment: SPACECTL_BIN (default target/release/spacectl, built when absent),
# SPACECTL_REFERENCE_DIR (default ~/.cache/spacectl-reference), SPACECTL_BASELINE_BIN,
# ITEMS (default 5), DELAY (default 0.2), BENCH_PORTS (FIRST-LAST).
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

# The process PID and all its descendants, one PID a line.
tree_pids() {
  ps -e -o pid=,ppid= | awk -v root="$1" '
    { parent[$1] = $2 }
    END {
      for (p in parent) {
        q = p
        while (q != "" && q != root && q != 1 && q != 0) q = parent[q]
        if (q == root) print p
      }
    }'
}

# "PSS RSS" (kB) of a process and all its descendants, summed.
tree_mem_kb() {
  local pid pss=0 rss=0 p r
  for pid in $(tree_pids "$1"); do
    read -r p r < <(awk '/^Pss:/ { p = $2 } /^Rss:/ { r = $2 } END { print p + 0, r + 0 }' \
      "/proc/$pid/smaps_rollup" 2>/dev/null || echo "0 0")
    pss=$((pss + p)); rss=$((rss + r))
  done
  echo "$pss $rss"
}
# Handler processes of a host: its children that lead their own process group
# (the host's death watch, a fork of the host, stays in the host's group), but
# the template that handlers are copied from (named plugin-template).
children() { ps -o pid=,pgid=,comm= --ppid "$1" | awk '$1 == $2 && $3 != "plugin-template"' | wc -l; }

# Run the load generator against PORT while sampling the tree memory of PID;
# prints the generator's JSON and, on a second line, the peak "PSS RSS" in kB.
load_with_mem() { # pid port calls concurrency
  local out="$WORK/load.$RANDOM" peak_pss=0 peak_rss=0 pss rss lp
  "$PYTHON" "$LOAD" "$2" "$3" "$4" "$ITEMS" "$DELAY" >"$out" &
  lp=$!
  while kill -0 "$lp" 2>/dev/null; do
    read -r pss rss < <(tree_mem_kb "$1")
    [ "$pss" -gt "$peak_pss" ] && peak_pss="$pss"
    [ "$rss" -gt "$peak_rss" ] && peak_rss="$rss"
    sleep 0.1
  done
  wait "$lp"
  cat "$out"
  echo "$peak_pss $peak_rss"
}

# The framework plugin's twin on our SDK: the same collector, its helpers and
# server class taken from spaceone_plugin_sdk.
SDK_SRC="$WORK/sdk"
mkdir -p "$SDK_SRC/sdkwidget"
cp -r "$SRC/compatplug/metadata" "$SDK_SRC/sdkwidget/"
: >"$SDK_SRC/sdkwidget/__init__.py"
cat >"$SDK_SRC/sdkwidget/main.py" <<'PY'
import os
import threading
import time

from spaceone_plugin_sdk import (
    CollectorPluginServer,
    make_cloud_service_type,
    make_cloud_service_with_metadata,
    make_response,
)

app = CollectorPluginServer()
_METADATA = os.path.join(os.path.dirname(__file__), "metadata", "widget.yaml")


@app.route("Collector.init")
def collector_init(params):
    return {"metadata": {"options_schema": {}}}


@app.route("Collector.collect")
def collector_collect(params):
    options = params.get("options") or {}
    yield make_response(
        cloud_service_type=make_cloud_service_type(
            name="Widget", group="Things", provider="compat",
            metadata_path=_METADATA, is_primary=True,
        ),
        match_keys=[["name", "group", "provider"]],
        resource_type="inventory.CloudServiceType",
    )
    delay = float(options.get("delay", 0))
    spin = float(options.get("spin", 0))
    for n in range(int(options.get("items", 3))):
        if delay:
            time.sleep(delay)
        until = time.monotonic() + spin
        while time.monotonic() < until:
            pass
        data = {"n": n, "size": 1024 * (n + 1), "tag": options.get("tag", ""),
                "pid": os.getpid(), "thread": threading.current_thread().name}
        yield make_response(
            cloud_service=make_cloud_service_with_metadata(
                name=f"widget-{n}", cloud_service_type="Widget",
                cloud_service_group="Things", provider="compat",
                data=data, data_format="dict",
            ),
            match_keys=[["name", "provider"]],
        )
PY

# Start a server: `start NAME DIR COMMAND...`; sets PID_<NAME> and PORT_<NAME>.
start() {
  local name="$1" dir="$2" port
  shift 2
  port="$(free_port)"
  (cd "$dir" && exec "$@" -p "$port") >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  printf -v "PID_$name" '%s' "$!"
  printf -v "PORT_$name" '%s' "$port"
  wait_port "$port" "$WORK/$name.log"
}

# The figures of one server; sets BURST_, SEQ_, WALL_, PSS_, RSS_, IDLE_<NAME>.
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
  out="$(load_with_mem "$pid" "$port" 100 100)"
  local result peak pss rss idle
  result="$(head -1 <<<"$out")"; peak="$(tail -1 <<<"$out")"
  [ "$(json_field "$result" ok)" = 100 ] || { echo "$name: 100 concurrent failed: $result" >&2; exit 1; }
  read -r pss rss <<<"$peak"
  printf -v "WALL_$name" '%s' "$(json_field "$result" wall_ms)"
  printf -v "PSS_$name" '%s' "$pss"
  printf -v "RSS_$name" '%s' "$rss"
  sleep 5
  read -r idle _ < <(tree_mem_kb "$pid")
  printf -v "IDLE_$name" '%s' "$idle"
}

# Ours under CPU-bound calls (6 concurrent collects of 40 items, each item after
# 0.1 s of a busy loop): the process stays CPU-bound for about 4 s, so the pool
# adds one, whose start the host logs with the time it took to be ready; sets
# GROWN_<NAME> (those times) and CPUWALL_<NAME>.
cpu_phase() { # name
  local name="$1" port out
  port="PORT_$name"; port="${!port}"
  out="$("$PYTHON" "$LOAD" "$port" 6 6 40 0 '{"spin": 0.1}')"
  [ "$(json_field "$out" ok)" = 6 ] || { echo "$name: CPU-bound collects failed: $out" >&2; exit 1; }
  printf -v "CPUWALL_$name" '%s' "$(json_field "$out" wall_ms)"
  printf -v "GROWN_$name" '%s' "$(grep -o 'joined the pool ([a-z]* and ready in [0-9.]* m\?s)' "$WORK/$name.log" |
    sed 's/.*(\([a-z]*\) and ready in \([0-9.]*\) \(m\?s\))/\2 \3 (\1)/' | paste -sd, - || true)"
}

# Ours after the burst: processes now, seconds until one is left; sets AFTER_, IDLE_S_, LEFT_<NAME>.
shrink() { # name
  local name="$1" pid t0 idle_s="more than 90"
  pid="PID_$name"; pid="${!pid}"
  printf -v "AFTER_$name" '%s' "$(children "$pid")"
  t0="$(date +%s)"
  for _ in $(seq 1 90); do
    if [ "$(children "$pid")" -le 1 ]; then idle_s="$(( $(date +%s) - t0 ))"; break; fi
    sleep 1
  done
  printf -v "IDLE_S_$name" '%s' "$idle_s"
  printf -v "LEFT_$name" '%s' "$(children "$pid")"
}

stop() { # name
  local pid="PID_$1"; pid="${!pid}"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

# Servers run one at a time, so that they do not compete for the CPU.
start py "$SRC" "$SPACEONE" run plugin-server -s . compatplug
measure py
stop py

start rs "$SRC" "$BIN" run plugin-server compatplug -s . --host 127.0.0.1 --python "$PYTHON"
measure rs
shrink rs
cpu_phase rs
stop rs

start sdk "$SDK_SRC" "$BIN" run plugin-server sdkwidget -s . --host 127.0.0.1 --python "$PYTHON"
measure sdk
shrink sdk
cpu_phase sdk
stop sdk

if [ -n "$BASELINE" ]; then
  start base "$SRC" "$BASELINE" run plugin-server compatplug -s . --host 127.0.0.1 --python "$PYTHON"
  measure base
  BASE_AFTER="$(children "$PID_base")"
  stop base
fi

row() { # label python ours [baseline] unit
  printf '%-44s %10s %10s %8s' "$1" "$2 $5" "$3 $5" "$(ratio "$3" "$2")x"
  [ -n "$4" ] && printf ' %12s' "$4 $5"
  echo
}
table() { # title ours-name [baseline]
  local o="$2" b="${3:-}" v
  v() { local n="$1_$2"; echo "${!n:-}"; }
  echo "== $1: collects of $ITEMS items with ${DELAY} s before each (sequential: no wait, median of $N)"
  printf '%-44s %10s %10s %8s' "" "python" "ours" "ours/py"
  [ -n "$b" ] && printf ' %12s' "baseline"
  echo
  row "first burst, 8 concurrent (wall)" "$BURST_py" "$(v BURST "$o")" "$([ -n "$b" ] && v BURST "$b")" ms
  row "sequential collect (median)" "$SEQ_py" "$(v SEQ "$o")" "$([ -n "$b" ] && v SEQ "$b")" ms
  row "100 concurrent (wall)" "$WALL_py" "$(v WALL "$o")" "$([ -n "$b" ] && v WALL "$b")" ms
  row "100 concurrent, peak PSS (server tree)" "$PSS_py" "$(v PSS "$o")" "$([ -n "$b" ] && v PSS "$b")" kB
  row "100 concurrent, peak RSS (server tree)" "$RSS_py" "$(v RSS "$o")" "$([ -n "$b" ] && v RSS "$b")" kB
  row "idle 5 s after, PSS (server tree)" "$IDLE_py" "$(v IDLE "$o")" "$([ -n "$b" ] && v IDLE "$b")" kB
  echo "ours after the 100 concurrent collects: $(v AFTER "$o") handler processes; one left after $(v IDLE_S "$o") s ($(v LEFT "$o") now)"
  echo "ours under CPU-bound collects (6 x 40 items, $(v CPUWALL "$o") ms): processes added, ready in: $(v GROWN "$o")"
  echo
}
table "framework plugin (compat mode)" rs "$([ -n "$BASELINE" ] && echo base)"
[ -n "$BASELINE" ] && echo "baseline after the 100 concurrent collects: $BASE_AFTER handler processes" && echo
table "SDK plugin (upstream: the framework plugin)" sdk

# The processes added under CPU-bound load ("12 ms (copied),9 ms (copied)"):
# at least one, all copies of the template, each ready within 50 ms.
grown_ok() {
  [ -n "$1" ] || return 1
  tr ',' '\n' <<<"$1" | awk '$2 != "ms" || $3 != "(copied)" || $1 > 50 { bad = 1 } END { exit bad }'
}
fail=0
check() { # description condition
  if eval "$2"; then echo "ok     $1"; else echo "MISSED $1"; fail=1; fi
}
for o in rs sdk; do
  wall="WALL_$o"; pss="PSS_$o"; idle="IDLE_$o"; left="LEFT_$o"; idle_s="IDLE_S_$o"
  check "$o: 100 concurrent collects not slower than Python's" "[ \"${!wall}\" -le \"\$WALL_py\" ]"
  check "$o: PSS under 100 concurrent collects <= Python's" "[ \"${!pss}\" -le \"\$PSS_py\" ]"
  check "$o: idle PSS after the burst below Python's" "[ \"${!idle}\" -lt \"\$IDLE_py\" ]"
  check "$o: idle back to <= 1 handler within 60 s" "[ \"${!left}\" -le 1 ] && [ \"${!idle_s}\" != 'more than 90' ] && [ \"${!idle_s}\" -le 60 ]"
  grown="GROWN_$o"
  check "$o: processes added under CPU-bound load are copies ready within 50 ms" "grown_ok \"\${!grown}\""
done
exit "$fail"
