# Shared helpers of the bench scripts (sourced, not run). Expects HERE (the crate),
# BIN (our binary), PYTHON (a Python 3) and N (runs per measurement).
# The compat-mode sample plugin they serve lives in samples/compat-collector.

# Make sure the reference installations named (spacectl, plugin, services) exist;
# scripts/reference.sh builds the missing ones (progress on stderr).
ensure_reference() {
  local name
  for name in "$@"; do
    "$HERE/scripts/reference.sh" "$name"
  done
}

# Build the release binary when BIN is missing.
ensure_binary() {
  if [ ! -x "$BIN" ]; then
    (cd "$HERE" && cargo build --release --bin spacectl)
  fi
}

# A scratch directory in WORK; processes whose PIDs are added to PIDS are
# stopped (by PID) and the directory removed when the script exits.
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# A free TCP port on 127.0.0.1 (from BENCH_PORTS=FIRST-LAST when set, each port
# handed out once per run).
free_port() {
  if [ -z "${BENCH_PORTS:-}" ]; then
    "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    return
  fi
  local first="${BENCH_PORTS%-*}" last="${BENCH_PORTS#*-}" next port
  next="$(cat "$WORK/next-port" 2>/dev/null || echo "$first")"
  port="$("$PYTHON" -c 'import socket, sys
for p in range(int(sys.argv[1]), int(sys.argv[2]) + 1):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    print(p)
    break
else:
    sys.exit("no free port in " + sys.argv[1] + "-" + sys.argv[2])' "$next" "$last")"
  echo $((port + 1)) >"$WORK/next-port"
  echo "$port"
}

# Median wall time in ms of N runs of a command (output discarded).
median_ms() {
  local times=() start end
  for _ in $(seq 1 "$N"); do
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END {
    m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
    printf "%.1f\n", m / 1000 }'
}

# Serve the compat-mode sample plugin (samples/compat-collector, with its data
# mock) with upstream's Python plugin server on a free port, and point a fresh
# HOME (our cache in XDG_CACHE_HOME) at it as the endpoint `plugin`. Expects
# SAMPLE, SPACEONE (upstream's `spaceone`) and PYTHON (its virtualenv's Python);
# sets PORT.
serve_sample() {
  local mock_port
  mock_port="$(free_port)"
  PORT="$(free_port)"
  (cd "$SAMPLE" && exec "$PYTHON" mock/server.py "$mock_port" mock/data.json) >"$WORK/mock.log" 2>&1 &
  PIDS+=($!)
  (cd "$SAMPLE" && KESTREL_API_URL="http://127.0.0.1:$mock_port" exec "$SPACEONE" run plugin-server -s src plugin -p "$PORT") >"$WORK/plugin.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 120); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.5
  done
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || { echo "plugin server did not start:" >&2; cat "$WORK/plugin.log" >&2; exit 1; }
  export HOME="$WORK/home" XDG_CACHE_HOME="$WORK/cache"
  mkdir -p "$HOME/.spaceone/environments"
  printf 'environment: bench\n' >"$HOME/.spaceone/environment.yml"
  printf 'endpoints:\n  plugin: grpc://localhost:%s\n' "$PORT" >"$HOME/.spaceone/environments/bench.yml"
}

# The client benchmarks' common start: the sample served by upstream's server
# (serve_sample), INIT set to `exec init plugin.Collector -f init.yaml`, and our
# output checked equal to the Python spacectl's (which also warms our descriptor
# cache). Expects what serve_sample expects, PY_SPACECTL and BIN.
client_bench_setup() {
  ensure_reference spacectl plugin
  for f in "$PY_SPACECTL" "$SPACEONE" "$PYTHON" "$SAMPLE/init.yaml"; do
    [ -e "$f" ] || { echo "missing: $f (scripts/reference.sh did not install it)" >&2; exit 1; }
  done
  ensure_binary
  serve_sample
  INIT=(exec init plugin.Collector -f "$SAMPLE/init.yaml")
  "$BIN" "${INIT[@]}" >"$WORK/ours.out"
  "$PY_SPACECTL" "${INIT[@]}" >"$WORK/python.out"
  if ! cmp -s "$WORK/ours.out" "$WORK/python.out"; then
    echo "outputs differ:" >&2
    diff "$WORK/python.out" "$WORK/ours.out" >&2 || true
    exit 1
  fi
}
