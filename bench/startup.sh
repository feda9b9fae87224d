#!/usr/bin/env bash
# Start-up of the plugin image: the time from process start to the first
# successful Health.Check and to the first successful Collector.init, for the
# command line the template's image runs. SpaceONE's callers give up when the
# plugin is not ready within 3 s; the target is under 1 s.
#
# No Docker needed: the project is made with `create-project`, and the
# Dockerfile's ENTRYPOINT + CMD (exec form, read from the file) run in its
# WORKDIR (the project's src/), with the image's environment (SPACEONE_PORT,
# PYTHONUNBUFFERED), our binary installed as `spaceone` and python3 from PATH
# (the image's python:3.12-slim has the same role). `--host 127.0.0.1` is added
# so that nothing listens beyond this machine.
#
# Prints, for each run and as medians of N runs: port accepting connections,
# first Health.Check answered, first init answered, and how long SIGTERM takes
# to stop the host (handlers included).
#
#   bench/startup.sh [N]            (default N=10)
# Environment: SPACECTL_BIN (default target/release/spacectl, built when absent),
# PYTHON (default python3).
set -euo pipefail

HERE="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-10}"
PYTHON="${PYTHON:-python3}"
BIN="${SPACECTL_BIN:-$HERE/target/release/spacectl}"
command -v "$PYTHON" >/dev/null || { echo "missing: $PYTHON (set PYTHON)" >&2; exit 1; }
. "$HERE/bench/lib.sh"
ensure_binary

now_ns() { date +%s%N; }
ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

# The project, and the image's command line from its Dockerfile.
(cd "$WORK" && "$BIN" create-project demo >/dev/null 2>&1)
PROJECT="$WORK/demo"
mapfile -t ARGV < <("$PYTHON" - "$PROJECT/Dockerfile" <<'EOF'
import json, sys
argv = []
for line in open(sys.argv[1]):
    for instruction in ("ENTRYPOINT", "CMD"):
        if line.startswith(instruction + " "):
            words = json.loads(line[len(instruction):])  # exec form only
            assert isinstance(words, list), f"{instruction} is not in exec form"
            argv += words
print("\n".join(argv))
EOF
)
[ "${ARGV[0]}" = spaceone ] || { echo "unexpected ENTRYPOINT: ${ARGV[*]}" >&2; exit 1; }
mkdir -p "$WORK/bin"
ln -s "$BIN" "$WORK/bin/spaceone"

export HOME="$WORK/home" XDG_CACHE_HOME="$WORK/cache"
mkdir -p "$HOME/.spaceone/environments"
printf 'environment: image\n' >"$HOME/.spaceone/environment.yml"

echo "== image command: ${ARGV[*]} (in src/, SPACEONE_PORT set), $("$PYTHON" --version 2>&1)"
printf '%-5s %10s %10s %10s %10s\n' run port_ms health_ms init_ms stop_ms
PORTS=(); HEALTH=(); INIT=(); STOP=()
for i in $(seq 1 "$N"); do
  port="$(free_port)"
  printf 'endpoints:\n  plugin: grpc://127.0.0.1:%s\n' "$port" >"$HOME/.spaceone/environments/image.yml"
  log="$WORK/host.$i.log"
  t0="$(now_ns)"
  (cd "$PROJECT/src" && SPACEONE_PORT="$port" PYTHONUNBUFFERED=1 \
     exec "$WORK/bin/spaceone" "${ARGV[@]:1}" --host 127.0.0.1) >"$log" 2>&1 &
  pid=$!; PIDS+=($pid)
  # The port is bound before the plugin is loaded: a Health.Check sent then
  # waits for the answer, so one call after the first connect measures readiness.
  for _ in $(seq 1 2000); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { echo "the host exited:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.002
  done
  port_ms="$(ms_since "$t0")"
  ok=0
  for _ in $(seq 1 50); do
    if "$BIN" exec Check plugin.Health -o json >"$WORK/health.out" 2>&1; then ok=1; break; fi
    sleep 0.01
  done
  [ "$ok" = 1 ] || { echo "Health.Check failed:" >&2; cat "$WORK/health.out" "$log" >&2; exit 1; }
  health_ms="$(ms_since "$t0")"
  "$BIN" exec init plugin.Collector -f "$PROJECT/init.yaml" -o json >"$WORK/init.out" 2>&1 \
    || { echo "init failed:" >&2; cat "$WORK/init.out" "$log" >&2; exit 1; }
  init_ms="$(ms_since "$t0")"
  t1="$(now_ns)"
  kill -TERM "$pid"
  wait "$pid" || { echo "the host did not stop cleanly:" >&2; cat "$log" >&2; exit 1; }
  stop_ms="$(ms_since "$t1")"
  printf '%-5s %10s %10s %10s %10s\n' "$i" "$port_ms" "$health_ms" "$init_ms" "$stop_ms"
  PORTS+=("$port_ms"); HEALTH+=("$health_ms"); INIT+=("$init_ms"); STOP+=("$stop_ms")
done
m_health="$(printf '%s\n' "${HEALTH[@]}" | median)"
m_init="$(printf '%s\n' "${INIT[@]}" | median)"
printf '%-5s %10s %10s %10s %10s\n' median \
  "$(printf '%s\n' "${PORTS[@]}" | median)" "$m_health" "$m_init" \
  "$(printf '%s\n' "${STOP[@]}" | median)"
if [ "$m_init" -lt 1000 ]; then
  echo "target met: first init answered ${m_init} ms after process start (< 1000 ms)"
else
  echo "target missed: first init answered ${m_init} ms after process start (>= 1000 ms)"
  exit 1
fi
