#!/usr/bin/env bash
# Main job: the plugin author's loop on the built-in example, in one command.
#   1. `spacectl create-project` scaffolds a collector into a temporary directory;
#   2. `spacectl plugin test` serves it with our plugin host on a free local port, calls
#      init, verify (verify.yaml), get_tasks and collect (once per task) with our client,
#      checks every answer and prints a summary (non-zero exit on any failure);
#   3. the project is served on its own and called with `spacectl exec`, as SpaceONE would.
# Needs only Rust and python3. SPACECTL_BIN=<path> uses an already built binary.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${SPACECTL_BIN:-}" ]; then
  BIN="$SPACECTL_BIN"
else
  echo "Building spacectl (release; the first build takes a few minutes)" >&2
  cargo build --release --locked --bin spacectl
  # Where cargo put it: CARGO_TARGET_DIR, build.target-dir of a cargo config, or target/.
  target_dir="$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
  BIN="$target_dir/release/spacectl"
fi
if [ ! -x "$BIN" ]; then
  echo "demo: no spacectl binary at $BIN" >&2
  exit 1
fi

work="$(mktemp -d)"
host_pid=""
cleanup() {
  if [ -n "$host_pid" ]; then kill "$host_pid" 2>/dev/null || true; wait "$host_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
export HOME="$work/home"   # a private ~/.spaceone for the client
mkdir -p "$HOME"

set -x
"$BIN" create-project "$work/demo" -s asset
cd "$work/demo"
"$BIN" plugin test
{ set +x; } 2>/dev/null

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$BIN" run plugin-server plugin -s src --host 127.0.0.1 -p "$port" 2>"$work/host.log" &
host_pid=$!
ready=""
for _ in $(seq 1 100); do
  if grep -q 'Start gRPC Server' "$work/host.log"; then ready=1; break; fi
  sleep 0.1
done
if [ -z "$ready" ]; then
  echo "demo: the plugin server did not start within 10 s:" >&2
  cat "$work/host.log" >&2
  exit 1
fi
"$BIN" config init -e demo
"$BIN" config endpoint add plugin "grpc://127.0.0.1:$port" >/dev/null
set -x
"$BIN" exec init plugin.Collector -f init.yaml
"$BIN" exec get_tasks plugin.Job -f collect.yaml
"$BIN" exec collect plugin.Collector -f collect.yaml | tail -n 42   # the last cloud service
{ set +x; } 2>/dev/null
