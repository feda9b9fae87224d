#!/usr/bin/env bash
# Run the whole test suite: unit tests, integration tests against our own servers,
# and the interop tests against the Python reference tools (installed from PyPI
# on first use into ~/.cache/spacectl-reference, override with SPACECTL_REFERENCE_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED="${SPACECTL_SHARED_DIR:-$PWD/../shared}"
export SPACECTL_SHARED_DIR="$SHARED"
export SPACECTL_REFERENCE_DIR="${SPACECTL_REFERENCE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/spacectl-reference}"

if [ ! -d "$SHARED/reference" ]; then
  echo "test.sh: $SHARED/reference not found (set SPACECTL_SHARED_DIR)" >&2
  exit 1
fi
echo "==> Python reference tools ($SPACECTL_REFERENCE_DIR)"
REF="$SPACECTL_REFERENCE_DIR" bash "$SHARED/reference/setup.sh" >/dev/null

echo "==> real SpaceONE 1.12 services (identity, repository, inventory)"
bash "$SHARED/realstack/run-backend.sh" setup >/dev/null
started_stack=0
if bash "$SHARED/realstack/run-backend.sh" status | grep -q stopped; then
  bash "$SHARED/realstack/run-backend.sh" start >/dev/null
  started_stack=1
fi
stop_stack() { if [ "$started_stack" = 1 ]; then bash "$SHARED/realstack/run-backend.sh" stop >/dev/null 2>&1 || true; fi; }
trap stop_stack EXIT

# Interop tests fail (instead of skipping) when a reference tool is missing.
export SPACECTL_REQUIRE_REFERENCE=1
echo "==> cargo test"
cargo test --locked "$@"
