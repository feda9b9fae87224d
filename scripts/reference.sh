#!/usr/bin/env bash
# Builds the pinned Python reference installations that spacectl-rs is tested against,
# from PyPI, once; later calls return at once.
#
#   reference.sh [spacectl|plugin|kinds|services|services2|s3|all|path NAME]
#
#   spacectl  $DIR/spacectl-venv  Python spacectl 2.0.10 (the client)       reference/spacectl.txt
#   plugin    $DIR/plugin-venv    spaceone-core 2.0.144 + spaceone-inventory  reference/plugin.txt
#                                 2.0.dev247: `spaceone`, the Python plugin
#                                 server and the collector plugin library
#   kinds     $DIR/kinds-venv     the plugin installation plus the plugin      reference/kinds.txt
#                                 libraries of the other kinds: identity
#                                 2.0.dev299 (external auth, account
#                                 collector), cost-analysis 2.0.dev240,
#                                 notification 2.0.dev35, monitoring
#                                 2.0.dev73 (webhook)
#   services  $DIR/services-venv  the SpaceONE 1.12 services (identity,       reference/services.txt
#                                 repository, inventory, plugin, secret,
#                                 supervisor) and their Python spacectl
#   services2 $DIR/services2-venv the SpaceONE 2.x services (identity,        reference/services2.txt
#                                 config, repository, inventory, plugin,
#                                 secret, supervisor)
#   s3        $DIR/s3-venv        moto 5.2.5's server: the S3-compatible     reference/s3.txt
#                                 store (and STS) of the export-s3 tests
#   all       all six, side by side (the default)
#   path NAME print the venv directory of NAME (nothing is installed)
#
# DIR is $SPACECTL_REFERENCE_DIR, default ~/.cache/spacectl-reference. A venv is rebuilt when
# its requirements file changed (the file's hash is kept in the venv as .requirements.sha256);
# an interrupted build is started over. Progress goes to stderr.
# PYTHON picks the interpreter (default python3.11, else python3).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${SPACECTL_REFERENCE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/spacectl-reference}"
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3 || true)}"

say() { echo "reference: $*" >&2; }

requirements_of() {
  case "$1" in
    spacectl|plugin|kinds|services|services2|s3) echo "$ROOT/reference/$1.txt" ;;
    *) say "unknown installation '$1' (expected spacectl, plugin, kinds, services, services2, s3 or all)"; exit 2 ;;
  esac
}

build() {  # build NAME
  local name=$1 req venv want have
  req="$(requirements_of "$name")"
  venv="$DIR/$name-venv"
  want="$(sha256sum "$req" | cut -d' ' -f1)"
  have="$(cat "$venv/.requirements.sha256" 2>/dev/null || true)"
  if [ "$want" = "$have" ]; then
    say "$name: $venv is up to date"
    return 0
  fi
  [ -n "$PYTHON" ] || { say "python3 not found: install Python 3.11 (or set PYTHON)"; exit 1; }
  mkdir -p "$DIR"
  # One builder at a time per venv: a second caller waits for the first, then finds it done.
  exec 9>"$DIR/.$name.lock"
  if ! flock -n 9; then
    say "$name: another build is running; waiting for it (up to 15 min)"
    flock -w 900 9 || { say "$name: gave up waiting for the lock $DIR/.$name.lock"; exit 1; }
  fi
  have="$(cat "$venv/.requirements.sha256" 2>/dev/null || true)"
  if [ "$want" = "$have" ]; then
    say "$name: $venv is up to date"
    exec 9>&-
    return 0
  fi
  # The stamp is written last: a venv without it (an interrupted build) is started over.
  rm -rf "$venv"
  say "$name: creating $venv with $("$PYTHON" --version 2>&1) from reference/$(basename "$req") ($(grep -c '^[^#].*==' "$req") pinned packages)"
  "$PYTHON" -m venv "$venv"
  say "$name: installing (a few minutes the first time) ..."
  local t0=$SECONDS
  # Every package is pinned, dependencies included: --no-deps keeps pip from resolving anew.
  if ! "$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q --no-deps -r "$req" >"$venv/pip.log" 2>&1; then
    tail -n 30 "$venv/pip.log" >&2
    say "$name: pip install failed (full log: $venv/pip.log)"
    exit 1
  fi
  echo "$want" >"$venv/.requirements.sha256"
  exec 9>&-
  say "$name: ready in $((SECONDS - t0)) s"
}

case "${1:-all}" in
  all)
    # The builds are independent: run them side by side.
    pids=()
    for n in spacectl plugin kinds services services2 s3; do build "$n" & pids+=("$!"); done
    failed=0
    for p in "${pids[@]}"; do wait "$p" || failed=1; done
    [ "$failed" = 0 ] || { say "some installations failed (see above)"; exit 1; }
    ;;
  spacectl|plugin|kinds|services|services2|s3) build "$1" ;;
  path)
    [ -n "${2:-}" ] || { say "usage: reference.sh path spacectl|plugin|kinds|services|services2|s3"; exit 2; }
    requirements_of "$2" >/dev/null
    echo "$DIR/$2-venv" ;;
  -h|--help) sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) say "unknown argument '$1' (try --help)"; exit 2 ;;
esac
