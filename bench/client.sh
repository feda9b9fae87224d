#!/usr/bin/env bash
# Client speed: our release binary vs the Python spacectl, both calling
# `exec init plugin.Collector -f init.yaml` on the same Python plugin server
# (the compat-mode sample plugin samples/compat-collector with its data mock, on
# free local ports).
# Prints the median wall time of N runs of each, the ratio, the `--help` time
# of both, and ours with the descriptor cache vs `--no-cache`.
#
#   bench/client.sh [N]            (default N=10)
# Environment: SPACECTL_BIN (default target/release/spacectl, built when absent),
# SPACECTL_REFERENCE_DIR (default ~/.cache/spacectl-reference; missing tools are
# installed there by scripts/reference.sh).
set -euo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-10}"
REF="${SPACECTL_REFERENCE_DIR:-$HOME/.cache/spacectl-reference}"
SAMPLE="$HERE/samples/compat-collector"
PY_SPACECTL="$REF/spacectl-venv/bin/spacectl"
SPACEONE="$REF/plugin-venv/bin/spaceone"
PYTHON="$REF/plugin-venv/bin/python"
BIN="${SPACECTL_BIN:-$HERE/target/release/spacectl}"

. "$HERE/bench/lib.sh"
client_bench_setup

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0fx", a / b; else print "n/a" }'; }

echo "runs per measurement: $N   server: Python plugin server on 127.0.0.1:$PORT"
py_init=$(median_ms "$PY_SPACECTL" "${INIT[@]}")
ours_init=$(median_ms "$BIN" "${INIT[@]}")
ours_nocache=$(median_ms "$BIN" "${INIT[@]}" --no-cache)
py_help=$(median_ms "$PY_SPACECTL" --help)
ours_help=$(median_ms "$BIN" --help)

printf '%-40s %10s\n' "measurement" "median ms"
printf '%-40s %10s\n' "python spacectl exec init" "$py_init"
printf '%-40s %10s\n' "spacectl-rs exec init (cached)" "$ours_init"
printf '%-40s %10s\n' "spacectl-rs exec init --no-cache" "$ours_nocache"
printf '%-40s %10s\n' "python spacectl --help" "$py_help"
printf '%-40s %10s\n' "spacectl-rs --help" "$ours_help"
echo "exec init speed-up: $(ratio "$py_init" "$ours_init") (cached), $(ratio "$py_init" "$ours_nocache") (--no-cache)"
echo "--help speed-up:    $(ratio "$py_help" "$ours_help")"
