#!/usr/bin/env bash
# The whole test suite: unit tests, integration tests against our own servers, the interop
# tests against the pinned Python reference tools (built from PyPI on first use by
# scripts/reference.sh, cached under ~/.cache/spacectl-reference) and the tests against the
# real SpaceONE 1.12 services, which each test starts on free loopback ports and stops.
#
#   scripts/test.sh [CARGO TEST ARGS...]     e.g. scripts/test.sh --test interop_host
#
# Every test binary runs (--no-fail-fast); a missing reference tool is a failure here, not a
# skip. At the end: one summary line per test binary and a total; the exit status is 1 when
# anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> Python reference tools" >&2
./scripts/reference.sh all

export SPACECTL_REQUIRE_REFERENCE=1
log="$(mktemp "${TMPDIR:-/tmp}/spacectl-test.XXXXXX")"
trap 'rm -f "$log"' EXIT

echo "==> cargo test" >&2
set +e
cargo test --locked --no-fail-fast "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One line per binary: `Running <name> (...)` or `Doc-tests <crate>`, then its `test result:`.
awk '
  function flush() {
    if (name == "") return
    if (result == "") { printf "  %-44s no result (the binary crashed or was not run)\n", name; bad++ }
    else printf "  %-44s %s\n", name, result
    name = ""; result = ""
  }
  /^ *Running / { flush(); name = $2; next }
  /^ *Doc-tests / { flush(); name = "doc-tests " $2; next }
  /^test result: / {
    ok = ($3 == "ok.") ? "ok  " : "FAIL"
    line = $0; sub(/^test result: [A-Za-z]+\. /, "", line)
    split(line, f, "; ")
    passed += f[1] + 0; failed += f[2] + 0; ignored += f[3] + 0
    result = ok " " f[1] ", " f[2] ", " f[3]
    if (ok == "FAIL") bad++
    next
  }
  END {
    flush()
    printf "  %-44s %d passed, %d failed, %d ignored%s\n", "TOTAL", passed, failed, ignored, (bad ? " — " bad " binary(ies) not ok" : "")
  }
' "$log" >"$log.summary"
{
  echo
  echo "==> summary"
  cat "$log.summary"
} >&2
rm -f "$log.summary"
if [ "$status" -ne 0 ]; then
  echo "test.sh: cargo test failed (exit $status)" >&2
  exit 1
fi
