#!/usr/bin/env bash
# Client start-up cost in CPU time (user + system, from getrusage of the finished
# process): our release binary vs the Python spacectl, both calling
# `exec init plugin.Collector -f init.yaml` on the same Python plugin server (the
# compat-mode sample plugin samples/compat-collector with its data mock, on free
# local ports), with our descriptor cache warm; and `--help` of both.
# Prints the median CPU milliseconds of N runs of each and the ratios. The goal
# for a cached exec is at most 4 ms of CPU.
#
#   bench/client_cpu.sh [N]            (default N=30)
# Environment: SPACECTL_BIN (default target/release/spacectl, built when absent),
# SPACECTL_REFERENCE_DIR (default ~/.cache/spacectl-reference; missing tools are
# installed there by scripts/reference.sh), BENCH_PORTS=FIRST-LAST (ports to use).
set -euo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-30}"
REF="${SPACECTL_REFERENCE_DIR:-$HOME/.cache/spacectl-reference}"
SAMPLE="$HERE/samples/compat-collector"
PY_SPACECTL="$REF/spacectl-venv/bin/spacectl"
SPACEONE="$REF/plugin-venv/bin/spaceone"
PYTHON="$REF/plugin-venv/bin/python"
BIN="${SPACECTL_BIN:-$HERE/target/release/spacectl}"

. "$HERE/bench/lib.sh"
client_bench_setup

# Median CPU ms (user + system) of N runs of a command, output discarded.
cpu_ms() {
  "$PYTHON" - "$N" "$@" <<'PY'
import resource, statistics, subprocess, sys
n, cmd = int(sys.argv[1]), sys.argv[2:]
samples = []
for _ in range(n):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    samples.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
print(f"{statistics.median(samples):.1f}")
PY
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0fx", a / b; else print "n/a" }'; }

echo "runs per measurement: $N   server: Python plugin server on 127.0.0.1:$PORT"
py_init=$(cpu_ms "$PY_SPACECTL" "${INIT[@]}")
ours_init=$(cpu_ms "$BIN" "${INIT[@]}")
ours_nocache=$(cpu_ms "$BIN" "${INIT[@]}" --no-cache)
py_help=$(cpu_ms "$PY_SPACECTL" --help)
ours_help=$(cpu_ms "$BIN" --help)
ours_version=$(cpu_ms "$BIN" -V)

printf '%-40s %12s\n' "measurement" "median CPU ms"
printf '%-40s %12s\n' "python spacectl exec init" "$py_init"
printf '%-40s %12s\n' "spacectl-rs exec init (cached)" "$ours_init"
printf '%-40s %12s\n' "spacectl-rs exec init --no-cache" "$ours_nocache"
printf '%-40s %12s\n' "python spacectl --help" "$py_help"
printf '%-40s %12s\n' "spacectl-rs --help" "$ours_help"
printf '%-40s %12s\n' "spacectl-rs -V" "$ours_version"
echo "exec init CPU: $(ratio "$py_init" "$ours_init") less than python (cached); goal: at most 4 ms"
echo "--help CPU:    $(ratio "$py_help" "$ours_help") less than python"
