#!/usr/bin/env bash
# Long streams: the per-item CPU of our plugin host, its handler runner and our
# client, next to the plugin's own cost and to upstream's server and client, all
# measured in the same run.
#
# The plugin (bench/stream/compat) is a collector on spaceone-inventory's library
# that yields ITEMS cloud services of about 200 bytes of `data` each
# (make_cloud_service / make_response); its SDK twin is the same file with its
# imports taken from our SDK.
#
# Prints:
#   1. the plugin's own cost: CPU to produce the ITEMS items and encode each once
#      as JSON, in one process (bench/stream/floor.py), compat and SDK;
#   2. server CPU (host + handler processes; upstream: its server process) of one
#      ITEMS-item collect, per item, and its ratio to the plugin's own cost
#      (target <= 1.5x), for our host in compat mode, our host with the SDK twin
#      and upstream's server;
#   3. end to end wall time of that collect (-o json to a file): upstream's client
#      and server, our client and upstream's server, our client and host; the
#      ratios (targets: >= 20x and >= 15x);
#   4. our client's CPU per printed item with -o json and -o yaml (targets: 10 and
#      15 us), the collect's client CPU minus that of a 1-item collect;
#   5. `list` of ROWS rows as a table: our client's CPU and peak memory, next to
#      the same for ROWS/10 rows (target: <= 1 s of CPU);
#   6. a BIG-item stream (SDK twin, -o json to /dev/null): the host's resident
#      memory before, at its peak and after (host process only; target: flat);
#   7. the same figures for Cost.get_data (bench/stream/cost: compat, SDK twin,
#      upstream's server) and Log.list (bench/stream/log: SDK only, upstream has no
#      library for that kind), ITEMS/2 messages of 10 rows (enough work to read at the
#      kernel clock's 10 ms ticks), per row.
#
#   bench/stream.sh [ITEMS] [BIG] [ROWS]      (defaults 20000, 500000, 100000)
# The plugin's own cost and our server's CPU are each the median of BENCH_REPEAT
# runs (default 3; upstream's server runs once): one run reads the CPU clock in
# 10 ms ticks on a machine other work shares.
# Environment: SPACECTL_BIN (default target/release/spacectl, built when absent),
# SPACECTL_REFERENCE_DIR (default ~/.cache/spacectl-reference; missing tools are
# installed there by scripts/reference.sh), BENCH_PORTS (FIRST-LAST), SKIP_UPSTREAM_CLIENT=1
# (leave out the slowest run: upstream's client), SKIP_UPSTREAM=1 (leave out upstream's
# server and client: our figures only).
set -euo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
ITEMS="${1:-20000}"
BIG="${2:-500000}"
ROWS="${3:-100000}"
N=1
REF="${SPACECTL_REFERENCE_DIR:-$HOME/.cache/spacectl-reference}"
SPACEONE="$REF/plugin-venv/bin/spaceone"
PYTHON="$REF/plugin-venv/bin/python"
PY_SPACECTL="$REF/spacectl-venv/bin/spacectl"
LIST_PYTHON="$REF/spacectl-venv/bin/python"
SDK_PYTHON="${SDK_PYTHON:-python3}"
SDK_DIR="$HERE/src/plugin/host/handler/python"
BIN="${SPACECTL_BIN:-$HERE/target/release/spacectl}"

. "$HERE/bench/lib.sh"
ensure_reference plugin spacectl kinds
for f in "$SPACEONE" "$PYTHON" "$PY_SPACECTL" "$LIST_PYTHON"; do
  [ -e "$f" ] || { echo "missing: $f (scripts/reference.sh did not install it)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "missing: /usr/bin/time (apt-get install time)" >&2; exit 1; }
ensure_binary

wait_port() { # port log
  for _ in $(seq 1 240); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.25
  done
  echo "nothing listens on port $1:" >&2; cat "$2" >&2; exit 1
}
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
now_ms() { date +%s%3N; }
TICK="$(getconf CLK_TCK)"
# CPU seconds used so far by a process and its children (living ones read from
# /proc, ended ones from the process's own counters of reaped children).
cpu_s() { # pid
  local pids=("$1") p total=0
  for p in $(pgrep -P "$1" || true); do pids+=("$p"); done
  for p in "${pids[@]}"; do
    # Fields after the command name: utime stime cutime cstime are 12..15 there.
    local t
    t="$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13 + $14 + $15}')" || t=0
    total=$((total + ${t:-0}))
  done
  awk -v t="$total" -v hz="$TICK" 'BEGIN { printf "%.3f", t / hz }'
}
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
REPEAT="${BENCH_REPEAT:-3}"
# The line of REPEAT runs of a command whose field KEY is the median.
median_of() { # key command...
  local key="$1" i runs=()
  shift
  for i in $(seq 1 "$REPEAT"); do runs+=("$("$@")"); done
  printf '%s\n' "${runs[@]}" | sort -k"$key,$key"n | sed -n "$(((REPEAT + 1) / 2))p"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }

export HOME="$WORK/home" XDG_CACHE_HOME="$WORK/cache" PYTHONWARNINGS=ignore
mkdir -p "$HOME/.spaceone/environments"
use() { # port
  printf 'environment: b%s\n' "$1" >"$HOME/.spaceone/environment.yml"
  printf 'endpoints:\n  plugin: grpc://127.0.0.1:%s\n  identity: grpc://127.0.0.1:%s\n' "$1" "$1" \
    >"$HOME/.spaceone/environments/b$1.yml"
}
request() { # items -> a collect request file
  printf 'options:\n  items: %s\nsecret_data: {}\n' "$1" >"$WORK/collect-$1.yaml"
  echo "$WORK/collect-$1.yaml"
}

# The SDK twin of the bench plugin.
COMPAT_SRC="$HERE/bench/stream/compat"
SDK_SRC="$WORK/sdk"
cp -r "$COMPAT_SRC" "$SDK_SRC"
sed -i -E \
  -e 's/^from spaceone\.inventory\.plugin\.collector\.lib\.server import /from spaceone_plugin_sdk import /' \
  -e 's/^from spaceone\.inventory\.plugin\.collector\.lib import /from spaceone_plugin_sdk import /' \
  "$SDK_SRC/plugin/main.py"
if grep -q '^from spaceone\.\|^import spaceone' "$SDK_SRC/plugin/main.py"; then
  echo "the SDK twin still imports upstream's library" >&2; exit 1
fi

# 1. The plugin's own cost.
PARAMS="{\"options\": {\"items\": $ITEMS}, \"secret_data\": {}}"
read -r FLOOR_COMPAT got < <(median_of 1 "$PYTHON" "$HERE/bench/stream/floor.py" "$COMPAT_SRC" Collector.collect "$PARAMS")
[ "$got" = "$ITEMS" ] || { echo "the compat plugin yielded $got items" >&2; exit 1; }
read -r FLOOR_SDK got < <(median_of 1 "$SDK_PYTHON" "$HERE/bench/stream/floor.py" "$SDK_SRC" Collector.collect "$PARAMS" "$SDK_DIR")
[ "$got" = "$ITEMS" ] || { echo "the SDK twin yielded $got items" >&2; exit 1; }

# The servers.
UP_PORT="$(free_port)"; COMPAT_PORT="$(free_port)"; SDK_PORT="$(free_port)"
if [ "${SKIP_UPSTREAM:-}" != 1 ]; then
  (cd "$COMPAT_SRC" && PYTHONUNBUFFERED=1 exec "$SPACEONE" run plugin-server plugin -s . -p "$UP_PORT") >"$WORK/up.log" 2>&1 &
  UP_PID=$!; PIDS+=($UP_PID)
fi
"$BIN" run plugin-server plugin -s "$COMPAT_SRC" --host 127.0.0.1 -p "$COMPAT_PORT" --python "$PYTHON" >"$WORK/compat.log" 2>&1 &
COMPAT_PID=$!; PIDS+=($COMPAT_PID)
"$BIN" run plugin-server plugin -s "$SDK_SRC" --host 127.0.0.1 -p "$SDK_PORT" --python "$SDK_PYTHON" >"$WORK/sdk.log" 2>&1 &
SDK_PID=$!; PIDS+=($SDK_PID)
[ "${SKIP_UPSTREAM:-}" = 1 ] || wait_port "$UP_PORT" "$WORK/up.log"
wait_port "$COMPAT_PORT" "$WORK/compat.log"
wait_port "$SDK_PORT" "$WORK/sdk.log"

FULL="$(request "$ITEMS")"
ONE="$(request 1)"
# One streaming call with our client: "wall-ms server-cpu-s client-cpu-s" (output to OUT).
call_stream() { # port server-pid verb resource request format out
  local c0 c1 t0 t1 client
  use "$1"
  c0="$(cpu_s "$2")"; t0="$(now_ms)"
  /usr/bin/time -o "$7.time" -f '%U %S' "$BIN" exec "$3" "$4" -f "$5" -o "$6" >"$7" 2>"$7.err" || true
  client="$(tail -n 1 "$7.time")"
  t1="$(now_ms)"; c1="$(cpu_s "$2")"
  grep -q '^ERROR' "$7.err" && { echo "$3 on port $1 failed:" >&2; cat "$7.err" >&2; exit 1; }
  echo "$((t1 - t0)) $(calc %.3f "$c1 - $c0") $(awk '{ printf "%.3f", $1 + $2 }' <<<"$client")"
}
collect() { # port server-pid request format out
  call_stream "$1" "$2" collect plugin.Collector "$3" "$4" "$5"
}
count_items() { grep -c '^    "state": ' "$1" || true; }

# Warm-up: handlers started, descriptor caches filled.
SERVERS=("$COMPAT_PORT:$COMPAT_PID" "$SDK_PORT:$SDK_PID")
[ "${SKIP_UPSTREAM:-}" = 1 ] || SERVERS+=("$UP_PORT:$UP_PID")
for p in "${SERVERS[@]}"; do
  collect "${p%%:*}" "${p##*:}" "$(request 10)" json "$WORK/warm.out" >/dev/null
done

# 2. and 3. One ITEMS-item collect per server, our client, -o json.
UP_MS=- UP_CPU=-
if [ "${SKIP_UPSTREAM:-}" != 1 ]; then
  read -r UP_MS UP_CPU UP_CLIENT < <(collect "$UP_PORT" "$UP_PID" "$FULL" json "$WORK/up.json")
fi
read -r COMPAT_MS COMPAT_CPU COMPAT_CLIENT < <(median_of 2 collect "$COMPAT_PORT" "$COMPAT_PID" "$FULL" json "$WORK/compat.json")
read -r SDK_MS SDK_CPU SDK_CLIENT < <(median_of 2 collect "$SDK_PORT" "$SDK_PID" "$FULL" json "$WORK/sdk.json")
for f in compat sdk $( [ "${SKIP_UPSTREAM:-}" = 1 ] || echo up ); do
  got="$(count_items "$WORK/$f.json")"
  [ "$got" = "$ITEMS" ] || { echo "$f: received $got items of $ITEMS" >&2; exit 1; }
done
if [ "${SKIP_UPSTREAM:-}" != 1 ] && ! cmp -s "$WORK/up.json" "$WORK/compat.json"; then
  echo "our host (compat) answered differently from upstream" >&2; exit 1
fi

UPC_MS=""
if [ "${SKIP_UPSTREAM_CLIENT:-}" != 1 ] && [ "${SKIP_UPSTREAM:-}" != 1 ]; then
  use "$UP_PORT"
  t0="$(now_ms)"
  "$PY_SPACECTL" exec collect plugin.Collector -f "$FULL" -o json >"$WORK/upc.json" 2>"$WORK/upc.err" || true
  t1="$(now_ms)"; UPC_MS=$((t1 - t0))
  got="$(count_items "$WORK/upc.json")"
  [ "$got" = "$ITEMS" ] || { echo "upstream's client received $got items:" >&2; tail -5 "$WORK/upc.err" >&2; exit 1; }
fi

per_us() { calc %.1f "$1 * 1000000 / $ITEMS"; }
echo "== $ITEMS-item collect (bench/stream/compat: ~200-byte data per item)"
printf '%-34s %10s %12s %10s\n' "" "CPU s" "us per item" "x plugin"
printf '%-34s %10s %12s %10s\n' "plugin's own cost, compat" "$FLOOR_COMPAT" "$(per_us "$FLOOR_COMPAT")" "1.0"
printf '%-34s %10s %12s %10s\n' "plugin's own cost, SDK" "$FLOOR_SDK" "$(per_us "$FLOOR_SDK")" "1.0"
[ "$UP_CPU" = - ] || printf '%-34s %10s %12s %10s\n' "upstream server (compat)" "$UP_CPU" "$(per_us "$UP_CPU")" "$(ratio "$UP_CPU" "$FLOOR_COMPAT")"
printf '%-34s %10s %12s %10s\n' "our host + handler (compat)" "$COMPAT_CPU" "$(per_us "$COMPAT_CPU")" "$(ratio "$COMPAT_CPU" "$FLOOR_COMPAT")"
printf '%-34s %10s %12s %10s\n' "our host + handler (SDK)" "$SDK_CPU" "$(per_us "$SDK_CPU")" "$(ratio "$SDK_CPU" "$FLOOR_SDK")"
echo "(target: server <= 1.5x the plugin's own cost)"
echo
echo "== end to end, wall ms (-o json to a file)"
[ -n "$UPC_MS" ] && printf '%-34s %10s\n' "upstream client + upstream server" "$UPC_MS"
[ "$UP_MS" = - ] || printf '%-34s %10s\n' "our client + upstream server" "$UP_MS"
printf '%-34s %10s\n' "our client + our host (compat)" "$COMPAT_MS"
printf '%-34s %10s\n' "our client + our host (SDK)" "$SDK_MS"
[ -n "$UPC_MS" ] && echo "upstream client+server / ours (compat): $(ratio "$UPC_MS" "$COMPAT_MS")x (target >= 20x)"
[ "$UP_MS" = - ] || echo "our client + upstream server / ours (compat): $(ratio "$UP_MS" "$COMPAT_MS")x (target >= 15x)"
echo

# 4. Client CPU per printed item (SDK host: the fastest server).
read -r _ _ ONE_JSON < <(collect "$SDK_PORT" "$SDK_PID" "$ONE" json "$WORK/one.json")
read -r _ _ ONE_YAML < <(collect "$SDK_PORT" "$SDK_PID" "$ONE" yaml "$WORK/one.yaml")
read -r _ _ FULL_YAML < <(collect "$SDK_PORT" "$SDK_PID" "$FULL" yaml "$WORK/sdk.yaml")
LINES="$(( $(wc -l <"$WORK/sdk.yaml") / ITEMS ))"
echo "== our client, CPU per printed item (collect of $ITEMS minus collect of 1; ~$LINES YAML lines an item)"
printf '%-34s %10s\n' "-o json, us per item" "$(calc %.1f "($SDK_CLIENT - $ONE_JSON) * 1000000 / ($ITEMS - 1)")"
printf '%-34s %10s\n' "-o yaml, us per item" "$(calc %.1f "($FULL_YAML - $ONE_YAML) * 1000000 / ($ITEMS - 1)")"
echo "(targets: json <= 10 us, yaml <= 15 us)"
echo

# 5. list of ROWS rows as a table.
LIST_PORT="$(free_port)"
SMALL=$((ROWS / 10))
list_run() { # rows -> "cpu-s peak-kB"
  local port pid
  port="$(free_port)"
  "$LIST_PYTHON" "$HERE/bench/list_server.py" "$port" "$1" >"$WORK/list-$1.log" 2>&1 &
  pid=$!; PIDS+=($pid)
  wait_port "$port" "$WORK/list-$1.log"
  use "$port"
  "$BIN" list identity.Provider >/dev/null 2>&1 || true
  /usr/bin/time -o "$WORK/list-$1.time" -f '%U %S %M' "$BIN" list identity.Provider >"$WORK/list-$1.out" 2>"$WORK/list-$1.err" || true
  tail -n 1 "$WORK/list-$1.time" | awk '{ printf "%.3f %s\n", $1 + $2, $3 }'
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
}
read -r LIST_CPU LIST_KB < <(list_run "$ROWS")
read -r SMALL_CPU SMALL_KB < <(list_run "$SMALL")
got=$(( $(wc -l <"$WORK/list-$ROWS.out") ))
echo "== list identity.Provider as a table (our client)"
printf '%-34s %10s %10s\n' "" "CPU s" "peak kB"
printf '%-34s %10s %10s\n' "$SMALL rows" "$SMALL_CPU" "$SMALL_KB"
printf '%-34s %10s %10s\n' "$ROWS rows ($got lines)" "$LIST_CPU" "$LIST_KB"
echo "(target: $ROWS rows <= 1 s of CPU)"
echo

# 6. A BIG-item stream: host memory.
BIGREQ="$(request "$BIG")"
use "$SDK_PORT"
IDLE_KB="$(rss_kb "$SDK_PID")"
t0="$(now_ms)"
"$BIN" exec collect plugin.Collector -f "$BIGREQ" -o json 2>"$WORK/big.err" | grep -c '^    "state": ' >"$WORK/big.count" &
BIG_PID=$!
SAMPLES=()
while kill -0 "$BIG_PID" 2>/dev/null; do
  SAMPLES+=("$(rss_kb "$SDK_PID")")
  sleep 1
done
wait "$BIG_PID" || true
t1="$(now_ms)"
got="$(cat "$WORK/big.count")"
[ "$got" = "$BIG" ] || { echo "$BIG-item stream: received $got items" >&2; cat "$WORK/big.err" >&2; exit 1; }
MAX_KB="$(printf '%s\n' "${SAMPLES[@]}" | sort -n | tail -n 1)"
echo "== $BIG-item stream (SDK twin, -o json), host process memory"
printf '%-34s %10s\n' "before, kB" "$IDLE_KB"
printf '%-34s %10s\n' "largest sample during, kB" "$MAX_KB"
printf '%-34s %10s\n' "after, kB (peak $(hwm_kb "$SDK_PID"))" "$(rss_kb "$SDK_PID")"
printf '%-34s %10s\n' "wall ms" "$((t1 - t0))"
echo

# 7. The other kinds' streaming routes: Cost.get_data (compat sample on
# spaceone-cost-analysis's library and its SDK twin, upstream's server on the
# compat sample) and Log.list (SDK only: upstream has no library for it).
# MESSAGES messages of 10 rows each.
MESSAGES=$((ITEMS / 2))
KINDS_PYTHON="$REF/kinds-venv/bin/python"
KINDS_SPACEONE="$REF/kinds-venv/bin/spaceone"
for f in "$KINDS_PYTHON" "$KINDS_SPACEONE"; do
  [ -e "$f" ] || { echo "missing: $f (run scripts/reference.sh kinds)" >&2; exit 1; }
done
COST_SRC="$HERE/bench/stream/cost"
COST_SDK="$WORK/cost-sdk"
cp -r "$COST_SRC" "$COST_SDK"
sed -i -E 's/^from spaceone\.cost_analysis\.plugin\.data_source\.lib\.server import /from spaceone_plugin_kinds import /' \
  "$COST_SDK/plugin/main.py"
LOG_SRC="$HERE/bench/stream/log"
KPARAMS="{\"options\": {\"messages\": $MESSAGES, \"rows\": 10}, \"secret_data\": {}, \"task_options\": {}, \"domain_id\": \"domain-bench\"}"
read -r FLOOR_COST _ < <(median_of 1 "$KINDS_PYTHON" "$HERE/bench/stream/floor.py" "$COST_SRC" Cost.get_data "$KPARAMS")
read -r FLOOR_COST_SDK _ < <(median_of 1 "$SDK_PYTHON" "$HERE/bench/stream/floor.py" "$COST_SDK" Cost.get_data "$KPARAMS" "$SDK_DIR")
read -r FLOOR_LOG _ < <(median_of 1 "$SDK_PYTHON" "$HERE/bench/stream/floor.py" "$LOG_SRC" Log.list "$KPARAMS" "$SDK_DIR")
printf 'options:\n  messages: %s\n  rows: 10\nsecret_data: {}\ntask_options: {}\ndomain_id: domain-bench\n' "$MESSAGES" >"$WORK/kind.yaml"
printf 'options:\n  messages: 1\n  rows: 10\nsecret_data: {}\ntask_options: {}\ndomain_id: domain-bench\n' >"$WORK/kind-1.yaml"
printf 'options:\n  messages: %s\n  rows: 10\nsecret_data: {}\n' "$MESSAGES" >"$WORK/log.yaml"
printf 'options:\n  messages: 1\n  rows: 10\nsecret_data: {}\n' >"$WORK/log-1.yaml"

KUP_PORT="$(free_port)"; KCOMPAT_PORT="$(free_port)"; KSDK_PORT="$(free_port)"; KLOG_PORT="$(free_port)"
if [ "${SKIP_UPSTREAM:-}" != 1 ]; then
  (cd "$COST_SRC" && PYTHONUNBUFFERED=1 exec "$KINDS_SPACEONE" run plugin-server plugin -s . -p "$KUP_PORT") >"$WORK/kup.log" 2>&1 &
  KUP_PID=$!; PIDS+=($KUP_PID)
fi
"$BIN" run plugin-server plugin -s "$COST_SRC" --host 127.0.0.1 -p "$KCOMPAT_PORT" --python "$KINDS_PYTHON" >"$WORK/kcompat.log" 2>&1 &
KCOMPAT_PID=$!; PIDS+=($KCOMPAT_PID)
"$BIN" run plugin-server plugin -s "$COST_SDK" --host 127.0.0.1 -p "$KSDK_PORT" --python "$SDK_PYTHON" >"$WORK/ksdk.log" 2>&1 &
KSDK_PID=$!; PIDS+=($KSDK_PID)
"$BIN" run plugin-server plugin -s "$LOG_SRC" --host 127.0.0.1 -p "$KLOG_PORT" --python "$SDK_PYTHON" >"$WORK/klog.log" 2>&1 &
KLOG_PID=$!; PIDS+=($KLOG_PID)
[ "${SKIP_UPSTREAM:-}" = 1 ] || wait_port "$KUP_PORT" "$WORK/kup.log"
wait_port "$KCOMPAT_PORT" "$WORK/kcompat.log"
wait_port "$KSDK_PORT" "$WORK/ksdk.log"
wait_port "$KLOG_PORT" "$WORK/klog.log"
KSERVERS=("$KCOMPAT_PORT:$KCOMPAT_PID" "$KSDK_PORT:$KSDK_PID")
[ "${SKIP_UPSTREAM:-}" = 1 ] || KSERVERS+=("$KUP_PORT:$KUP_PID")
for p in "${KSERVERS[@]}"; do
  call_stream "${p%%:*}" "${p##*:}" get_data plugin.Cost "$WORK/kind-1.yaml" json "$WORK/warm.out" >/dev/null
done
call_stream "$KLOG_PORT" "$KLOG_PID" list plugin.Log "$WORK/log-1.yaml" json "$WORK/warm.out" >/dev/null

ROWS_TOTAL=$((MESSAGES * 10))
per_row() { calc %.1f "$1 * 1000000 / $ROWS_TOTAL"; }
rows_in() { grep -c '^            "usage_type": \|^            "requestID": ' "$1" || true; }
kind_row() { # label cpu floor
  printf '%-34s %10s %12s %10s\n' "$1" "$2" "$(per_row "$2")" "$(ratio "$2" "$3")"
}
read -r KC_MS KC_CPU KC_CLIENT < <(median_of 2 call_stream "$KCOMPAT_PORT" "$KCOMPAT_PID" get_data plugin.Cost "$WORK/kind.yaml" json "$WORK/kcompat.json")
read -r KS_MS KS_CPU KS_CLIENT < <(median_of 2 call_stream "$KSDK_PORT" "$KSDK_PID" get_data plugin.Cost "$WORK/kind.yaml" json "$WORK/ksdk.json")
read -r KL_MS KL_CPU KL_CLIENT < <(median_of 2 call_stream "$KLOG_PORT" "$KLOG_PID" list plugin.Log "$WORK/log.yaml" json "$WORK/klog.json")
read -r _ _ KC1_CLIENT < <(call_stream "$KSDK_PORT" "$KSDK_PID" get_data plugin.Cost "$WORK/kind-1.yaml" json "$WORK/k1.json")
read -r _ _ KL1_CLIENT < <(call_stream "$KLOG_PORT" "$KLOG_PID" list plugin.Log "$WORK/log-1.yaml" json "$WORK/l1.json")
read -r _ _ KSY_CLIENT < <(call_stream "$KSDK_PORT" "$KSDK_PID" get_data plugin.Cost "$WORK/kind.yaml" yaml "$WORK/ksdk.yaml")
read -r _ _ KSY1_CLIENT < <(call_stream "$KSDK_PORT" "$KSDK_PID" get_data plugin.Cost "$WORK/kind-1.yaml" yaml "$WORK/k1.yaml")
for f in kcompat ksdk klog; do
  got="$(rows_in "$WORK/$f.json")"
  [ "$got" = "$ROWS_TOTAL" ] || { echo "$f: received $got rows of $ROWS_TOTAL" >&2; exit 1; }
done
KU_MS=- KU_CPU=-
if [ "${SKIP_UPSTREAM:-}" != 1 ]; then
  read -r KU_MS KU_CPU _ < <(call_stream "$KUP_PORT" "$KUP_PID" get_data plugin.Cost "$WORK/kind.yaml" json "$WORK/kup.json")
  cmp -s "$WORK/kup.json" "$WORK/kcompat.json" || { echo "our host (cost, compat) answered differently from upstream" >&2; exit 1; }
fi
echo "== Cost.get_data and Log.list: $MESSAGES messages of 10 rows"
printf '%-34s %10s %12s %10s\n' "" "CPU s" "us per row" "x plugin"
kind_row "cost: plugin's own cost, compat" "$FLOOR_COST" "$FLOOR_COST"
kind_row "cost: plugin's own cost, SDK" "$FLOOR_COST_SDK" "$FLOOR_COST_SDK"
kind_row "log: plugin's own cost, SDK" "$FLOOR_LOG" "$FLOOR_LOG"
[ "$KU_CPU" = - ] || kind_row "cost: upstream server (compat)" "$KU_CPU" "$FLOOR_COST"
kind_row "cost: our host + handler (compat)" "$KC_CPU" "$FLOOR_COST"
kind_row "cost: our host + handler (SDK)" "$KS_CPU" "$FLOOR_COST_SDK"
kind_row "log: our host + handler (SDK)" "$KL_CPU" "$FLOOR_LOG"
echo "(target: server <= 1.5x the plugin's own cost)"
printf '%-34s %10s\n' "cost, wall ms: upstream server" "$KU_MS"
printf '%-34s %10s\n' "cost, wall ms: our host (compat)" "$KC_MS"
[ "$KU_MS" = - ] || echo "upstream server / ours (compat), our client: $(ratio "$KU_MS" "$KC_MS")x"
printf '%-34s %10s\n' "cost: client -o json, us per row" "$(calc %.1f "($KS_CLIENT - $KC1_CLIENT) * 1000000 / ($ROWS_TOTAL - 10)")"
printf '%-34s %10s\n' "cost: client -o yaml, us per row" "$(calc %.1f "($KSY_CLIENT - $KSY1_CLIENT) * 1000000 / ($ROWS_TOTAL - 10)")"
printf '%-34s %10s\n' "log: client -o json, us per row" "$(calc %.1f "($KL_CLIENT - $KL1_CLIENT) * 1000000 / ($ROWS_TOTAL - 10)")"
