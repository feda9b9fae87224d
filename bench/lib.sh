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

# A free TCP port on 127.0.0.1.
free_port() {
  "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
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
