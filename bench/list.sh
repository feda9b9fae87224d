#!/usr/bin/env bash
# `list` of a large result: our release binary vs the Python spacectl, both
# listing ROWS providers from the same local gRPC server (bench/list_server.py,
# run with the reference venv's Python: identity.v1.Provider answering a
# precomputed response). Checks first that both print the same table and the
# same JSON (by content), then prints the median wall time of N runs of each
# for `-o table`, `-o json` and `-c ... -o table`, and the ratios.
#
#   bench/list.sh [N] [ROWS]       (defaults N=5, ROWS=10000)
# Environment: SPACECTL_BIN (default target/release/spacectl, built when absent),
# SPACECTL_REFERENCE_DIR (default ~/.cache/spacectl-reference; missing tools are
# installed there by scripts/reference.sh).
set -euo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-5}"
ROWS="${2:-10000}"
REF="${SPACECTL_REFERENCE_DIR:-$HOME/.cache/spacectl-reference}"
PY_SPACECTL="$REF/spacectl-venv/bin/spacectl"
PYTHON="$REF/spacectl-venv/bin/python"
BIN="${SPACECTL_BIN:-$HERE/target/release/spacectl}"

. "$HERE/bench/lib.sh"
ensure_reference spacectl
for f in "$PY_SPACECTL" "$PYTHON"; do
  [ -e "$f" ] || { echo "missing: $f (scripts/reference.sh did not install it)" >&2; exit 1; }
done
ensure_binary


PORT="$(free_port)"
"$PYTHON" "$HERE/bench/list_server.py" "$PORT" "$ROWS" >"$WORK/server.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  sleep 0.25
done
(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || { echo "list server did not start:" >&2; cat "$WORK/server.log" >&2; exit 1; }

export HOME="$WORK/home" XDG_CACHE_HOME="$WORK/cache" PYTHONWARNINGS=ignore
mkdir -p "$HOME/.spaceone/environments"
printf 'environment: bench\n' >"$HOME/.spaceone/environment.yml"
printf 'endpoints:\n  identity: grpc://localhost:%s\n' "$PORT" >"$HOME/.spaceone/environments/bench.yml"

TABLE=(list identity.Provider)
JSON=(list identity.Provider -o json)
COLUMNS=(list identity.Provider -c 'provider|ID,name,order,tags.color|Color,capability.supported_schema|Schemas')

# Same output from both before timing anything (dict items inside cells are
# compared order-insensitively: the reference's order is not stable).
for name in TABLE COLUMNS; do
  declare -n args="$name"
  "$BIN" "${args[@]}" >"$WORK/ours.out"
  "$PY_SPACECTL" "${args[@]}" >"$WORK/python.out"
  if ! "$PYTHON" - "$WORK/ours.out" "$WORK/python.out" <<'PY'
import sys
a, b = (open(p, encoding="utf-8").read().splitlines() for p in sys.argv[1:3])
ok = len(a) == len(b) and all(x == y or sorted(x) == sorted(y) for x, y in zip(a, b))
sys.exit(0 if ok else 1)
PY
  then
    echo "outputs differ ($name):" >&2
    diff "$WORK/python.out" "$WORK/ours.out" | head -20 >&2 || true
    exit 1
  fi
done
"$BIN" "${JSON[@]}" >"$WORK/ours.json"
"$PY_SPACECTL" "${JSON[@]}" >"$WORK/python.json"
"$PYTHON" -c 'import json, sys; a, b = (json.load(open(p)) for p in sys.argv[1:3]); sys.exit(a != b)' \
  "$WORK/ours.json" "$WORK/python.json" || { echo "JSON outputs differ" >&2; exit 1; }


ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "n/a" }'; }

echo "runs per measurement: $N   rows: $ROWS   server: bench/list_server.py on 127.0.0.1:$PORT"
printf '%-28s %12s %12s %8s\n' "list of $ROWS rows" "python ms" "ours ms" "ratio"
for name in TABLE JSON COLUMNS; do
  declare -n args="$name"
  case "$name" in
    TABLE) label="-o table (all columns)" ;;
    JSON) label="-o json" ;;
    COLUMNS) label="-c (5 columns) -o table" ;;
  esac
  py=$(median_ms "$PY_SPACECTL" "${args[@]}")
  ours=$(median_ms "$BIN" "${args[@]}")
  printf '%-28s %12s %12s %8s\n' "$label" "$py" "$ours" "$(ratio "$py" "$ours")"
done
if [ -x /usr/bin/time ]; then
  py_rss=$( { /usr/bin/time -f '%M' "$PY_SPACECTL" "${TABLE[@]}" >/dev/null; } 2>&1 | tail -1 )
  rss=$( { /usr/bin/time -f '%M' "$BIN" "${TABLE[@]}" >/dev/null; } 2>&1 | tail -1 )
  echo "peak RSS of -o table: python ${py_rss} KiB, ours ${rss} KiB"
fi
