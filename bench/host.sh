#!/usr/bin/env bash
# Plugin host: ours (`spacectl run plugin-server`, compat mode: the sample plugin's
# own Python code in handler processes) vs the Python `spaceone run plugin-server`,
# both serving the compat-mode sample plugin (samples/compat-collector) with its
# data mock on free local ports.
#
# Prints:
#   1. `exec collect plugin.Collector -f collect.yaml` median wall time of N runs
#      against each server, same client (our release binary), and the ratio;
#   2. idle resident memory of both servers (ours: the host process only, without
#      its handler children) and the ratio;
#   3. host memory across 1,000- and 10,000-item collects served by a shell-script
#      handler (`--handler`): it must stay flat;
#   4. 100 concurrent collects against that host: every one must succeed.
#
#   bench/host.sh [N]            (default N=7)
# Environment: SPACECTL_BIN (default target/release/spacectl, built when absent),
# SPACECTL_REFERENCE_DIR (default ~/.cache/spacectl-reference; missing tools are
# installed there by scripts/reference.sh).
set -euo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-7}"
REF="${SPACECTL_REFERENCE_DIR:-$HOME/.cache/spacectl-reference}"
SAMPLE="$HERE/samples/compat-collector"
SPACEONE="$REF/plugin-venv/bin/spaceone"
PYTHON="$REF/plugin-venv/bin/python"
BIN="${SPACECTL_BIN:-$HERE/target/release/spacectl}"

. "$HERE/bench/lib.sh"
ensure_reference plugin
for f in "$SPACEONE" "$PYTHON" "$SAMPLE/collect.yaml"; do
  [ -e "$f" ] || { echo "missing: $f (scripts/reference.sh did not install it)" >&2; exit 1; }
done
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
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }

MOCK_PORT="$(free_port)"
PY_PORT="$(free_port)"
RS_PORT="$(free_port)"
TEST_PORT="$(free_port)"

(cd "$SAMPLE" && exec "$PYTHON" mock/server.py "$MOCK_PORT" mock/data.json) >"$WORK/mock.log" 2>&1 &
PIDS+=($!)
(cd "$SAMPLE" && KESTREL_API_URL="http://127.0.0.1:$MOCK_PORT" exec "$SPACEONE" run plugin-server -s src plugin -p "$PY_PORT") >"$WORK/py.log" 2>&1 &
PY_PID=$!; PIDS+=($PY_PID)
(cd "$SAMPLE" && KESTREL_API_URL="http://127.0.0.1:$MOCK_PORT" exec "$BIN" run plugin-server -s src plugin --host 127.0.0.1 -p "$RS_PORT" --python "$PYTHON") >"$WORK/rs.log" 2>&1 &
RS_PID=$!; PIDS+=($RS_PID)
wait_port "$MOCK_PORT" "$WORK/mock.log"
wait_port "$PY_PORT" "$WORK/py.log"
wait_port "$RS_PORT" "$WORK/rs.log"

# Idle memory, measured before any call.
sleep 1
PY_IDLE="$(rss_kb "$PY_PID")"
RS_IDLE="$(rss_kb "$RS_PID")"

export HOME="$WORK/home" XDG_CACHE_HOME="$WORK/cache"
mkdir -p "$HOME/.spaceone/environments"
printf 'environment: py\n' >"$HOME/.spaceone/environment.yml"
printf 'endpoints:\n  plugin: grpc://127.0.0.1:%s\n' "$PY_PORT" >"$HOME/.spaceone/environments/py.yml"
printf 'endpoints:\n  plugin: grpc://127.0.0.1:%s\n' "$RS_PORT" >"$HOME/.spaceone/environments/rs.yml"
printf 'endpoints:\n  plugin: grpc://127.0.0.1:%s\n' "$TEST_PORT" >"$HOME/.spaceone/environments/test.yml"

collect_ms() { # environment
  local t0 t1
  t0="$(now_ms)"
  "$BIN" exec collect plugin.Collector -f "$SAMPLE/collect.yaml" -o json >"$WORK/out.$1" 2>"$WORK/err.$1"
  t1="$(now_ms)"
  echo $((t1 - t0))
}
use_env() { printf 'environment: %s\n' "$1" >"$HOME/.spaceone/environment.yml"; }

# Warm-up (first call starts our handler, loads the descriptor cache).
use_env py; collect_ms py >/dev/null
use_env rs; collect_ms rs >/dev/null
# Items = top-level "state" members of the JSON documents (indented by 4).
items_in() { grep -c '^    "state": ' "$1" || true; }
cmp -s <(items_in "$WORK/out.py") <(items_in "$WORK/out.rs") \
  || { echo "the two servers answered differently" >&2; exit 1; }

PY_TIMES=(); RS_TIMES=()
for _ in $(seq 1 "$N"); do
  use_env py; PY_TIMES+=("$(collect_ms py)")
  use_env rs; RS_TIMES+=("$(collect_ms rs)")
done
PY_MED="$(printf '%s\n' "${PY_TIMES[@]}" | median)"
RS_MED="$(printf '%s\n' "${RS_TIMES[@]}" | median)"

echo "== compat sample collect ($(items_in "$WORK/out.py") items), our release client, median of $N"
echo "python plugin server : ${PY_MED} ms   (${PY_TIMES[*]})"
echo "our plugin host      : ${RS_MED} ms   (${RS_TIMES[*]})"
echo "speed-up             : $(ratio "$PY_MED" "$RS_MED")x"
echo
echo "== idle resident memory"
echo "python plugin server : ${PY_IDLE} kB"
echo "our plugin host      : ${RS_IDLE} kB (host process only; handler children not counted)"
echo "ratio                : $(ratio "$PY_IDLE" "$RS_IDLE")x"
echo

# A shell handler that yields $n Region items for any collect.
cat >"$WORK/handler.sh" <<'EOF'
#!/bin/sh
printf '%s\n' '{"ready": {"protocol": 1, "routes": ["Collector.collect"]}}'
while IFS= read -r line; do
  id=${line#'{"id":'}
  id=${id%%,*}
  n=${line#*'"items":'}
  n=${n%%[!0-9]*}
  i=1
  while [ "$i" -le "${n:-1}" ]; do
    printf '{"id":%s,"item":{"state":"SUCCESS","resource_type":"inventory.Region","region":{"region_code":"region-%s","provider":"bench","name":"A region with a reasonably long display name number %s","tags":{"owner":"bench","index":"%s"}},"match_keys":[["region_code","provider"]]}}\n' "$id" "$i" "$i" "$i"
    i=$((i + 1))
  done
  printf '{"id":%s,"done":true}\n' "$id"
done
EOF
mkdir -p "$WORK/src/plugin"
"$BIN" run plugin-server plugin -s "$WORK/src" --host 127.0.0.1 -p "$TEST_PORT" -w 16 \
  --handler "sh '$WORK/handler.sh'" >"$WORK/test.log" 2>&1 &
TEST_PID=$!; PIDS+=($TEST_PID)
wait_port "$TEST_PORT" "$WORK/test.log"
use_env test

items() { # n -> count of items received
  "$BIN" exec collect plugin.Collector -j "{\"options\": {\"items\": $1}, \"secret_data\": {}}" -o json 2>"$WORK/err.items" \
    | grep -c '"state"' || true
}
echo "== host memory while streaming (shell handler, host process only)"
echo "idle                 : $(rss_kb "$TEST_PID") kB"
got="$(items 1000)"
echo "after 1,000 items    : $(rss_kb "$TEST_PID") kB rss, $(hwm_kb "$TEST_PID") kB peak (received $got)"
got="$(items 10000)"
echo "after 10,000 items   : $(rss_kb "$TEST_PID") kB rss, $(hwm_kb "$TEST_PID") kB peak (received $got)"
[ "$got" = 10000 ] || { echo "10,000-item collect incomplete: $got" >&2; cat "$WORK/err.items" >&2; exit 1; }
echo

echo "== 100 concurrent collects (100 items each, 16 handler workers)"
t0="$(now_ms)"
CPIDS=()
for i in $(seq 1 100); do
  ( "$BIN" exec collect plugin.Collector -j '{"options": {"items": 100}, "secret_data": {}}' -o json \
      >"$WORK/c.$i.out" 2>"$WORK/c.$i.err"; echo $? >"$WORK/c.$i.rc" ) &
  CPIDS+=($!)
done
for p in "${CPIDS[@]}"; do wait "$p" || true; done
t1="$(now_ms)"
ok=0; bad=0
for i in $(seq 1 100); do
  if [ "$(cat "$WORK/c.$i.rc")" = 0 ] && [ "$(grep -c '"state"' "$WORK/c.$i.out")" = 100 ]; then
    ok=$((ok + 1))
  else
    bad=$((bad + 1)); [ "$bad" -le 3 ] && cat "$WORK/c.$i.err" >&2
  fi
done
echo "succeeded            : $ok / 100 in $((t1 - t0)) ms (errors: $bad)"
echo "host after the burst : $(rss_kb "$TEST_PID") kB rss, $(hwm_kb "$TEST_PID") kB peak"
[ "$bad" = 0 ]
