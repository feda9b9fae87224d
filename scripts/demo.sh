#!/usr/bin/env bash
# Main job on the built-in example: serve the seed tutorial collector with our plugin host
# (the plugin's own Python code, unchanged, in handler processes) and call it with our client.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="${SPACECTL_SHARED_DIR:-$PWD/../shared}"
REF="${SPACECTL_REFERENCE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/spacectl-reference}"
SAMPLE="$SHARED/samples/seed-tutorial"

REF="$REF" bash "$SHARED/reference/setup.sh" >/dev/null   # the plugin's Python dependencies
cargo build --release --locked -q
BIN="$PWD/target/release/spacectl"

work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port="$(free_port)"; mock="$(free_port)"

(cd "$SAMPLE" && exec python3 mock/server.py "$mock" mock/coins.json) >"$work/mock.log" 2>&1 & pids+=($!)
COINGECKO_URL="http://127.0.0.1:$mock/" "$BIN" run plugin-server plugin -s "$SAMPLE/src" \
  --host 127.0.0.1 -p "$port" --python "$REF/plugin-venv/bin/python" 2>"$work/host.log" & pids+=($!)
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
head -n 2 "$work/host.log" >&2

export HOME="$work/home"
"$BIN" config init -e demo
"$BIN" config endpoint add plugin "grpc://127.0.0.1:$port" >/dev/null
set -x
"$BIN" exec init plugin.Collector -f "$SAMPLE/init.yaml"
"$BIN" exec collect plugin.Collector -f "$SAMPLE/collect.yaml" | head -n 40
