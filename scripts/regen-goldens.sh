#!/usr/bin/env bash
# Regenerates the golden files of the compat-mode sample plugin from the Python
# reference tools (scripts/reference.sh builds them when missing):
#
#   samples/compat-collector/expected/
#     init.yaml verify.yaml get_tasks.yaml collect.yaml collect-task.yaml
#         what Python spacectl 2.0.10 prints for `exec VERB -f REQUEST.yaml` against the
#         Python plugin server (spaceone-core 2.0.144, spaceone-inventory 2.0.dev247)
#         serving the sample, with its data mock
#     collect.json        the same collect with `-o json` (compared by content: the
#                         Python client's key order changes from run to run, so an
#                         existing file equal by content is kept as it is)
#     errors/NAME.txt     the output for each errors/NAME.yaml (NAME = VERB-CASE)
#   tests/data/metadata/kestrel_GROUP_TYPE.yaml, .expected.json
#         the sample's metadata files and upstream's conversion of each (json_metadata
#         text, no trailing newline)
#   tests/data/metadata/kestrel_collect/raw_items.json, sdk_items.json
#         the items the sample's collect route yields, built by upstream's helpers
#         (raw) and by the SDK's (sdk, metadata references instead of views)
#
# Every output is produced twice and the two runs must agree, else nothing is written.
# The mock and the server listen on free ports of 127.0.0.1 and are stopped by PID
# on exit, Ctrl-C included.
#
#   scripts/regen-goldens.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SAMPLE="$ROOT/samples/compat-collector"
METADATA_GOLDENS="$ROOT/tests/data/metadata"
SDK_DIR="$ROOT/src/plugin/host/handler/python"
API_KEY="kst-sample-7f3a9c"

say() { echo "regen-goldens: $*" >&2; }
fail() { say "$*"; exit 1; }

"$ROOT/scripts/reference.sh" spacectl
"$ROOT/scripts/reference.sh" plugin
PY_SPACECTL="$("$ROOT/scripts/reference.sh" path spacectl)/bin/spacectl"
PLUGIN_VENV="$("$ROOT/scripts/reference.sh" path plugin)"
PYTHON="$PLUGIN_VENV/bin/python"
SPACEONE="$PLUGIN_VENV/bin/spaceone"
for tool in "$PY_SPACECTL" "$PYTHON" "$SPACEONE"; do
  [ -x "$tool" ] || fail "$tool is missing after scripts/reference.sh"
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/regen-goldens.XXXXXX")"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM

free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_port PORT PID LOG WHAT: until something listens on PORT (60 s at most).
wait_port() {
  local port=$1 pid=$2 log=$3 what=$4 i
  for i in $(seq 1 240); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$log" >&2
      fail "$what exited before listening on port $port (log above)"
    fi
    sleep 0.25
  done
  tail -n 30 "$log" >&2
  fail "$what did not listen on port $port within 60 s (log above)"
}

MOCK_PORT="$(free_port)"
PLUGIN_PORT="$(free_port)"
export KESTREL_API_URL="http://127.0.0.1:$MOCK_PORT"

say "starting the data mock on port $MOCK_PORT and the Python plugin server on port $PLUGIN_PORT"
"$PYTHON" "$SAMPLE/mock/server.py" "$MOCK_PORT" "$SAMPLE/mock/data.json" >"$WORK/mock.log" 2>&1 &
PIDS+=($!)
wait_port "$MOCK_PORT" "$!" "$WORK/mock.log" "the data mock"
(cd "$SAMPLE" && exec "$SPACEONE" run plugin-server plugin -s src -p "$PLUGIN_PORT") >"$WORK/plugin.log" 2>&1 &
PIDS+=($!)
wait_port "$PLUGIN_PORT" "$!" "$WORK/plugin.log" "the Python plugin server"

export HOME="$WORK/home"
mkdir -p "$HOME/.spaceone/environments"
printf 'environment: goldens\n' >"$HOME/.spaceone/environment.yml"
printf 'endpoints:\n  plugin: grpc://localhost:%s\n' "$PLUGIN_PORT" >"$HOME/.spaceone/environments/goldens.yml"

resource_of() { if [ "$1" = get_tasks ]; then echo plugin.Job; else echo plugin.Collector; fi; }

# call OUT VERB REQUEST [ARGS...]: Python spacectl's stdout into OUT; stderr must stay empty.
call() {
  local out=$1 verb=$2 request=$3
  shift 3
  if ! "$PY_SPACECTL" exec "$verb" "$(resource_of "$verb")" -f "$request" "$@" >"$out" 2>"$out.err"; then
    cat "$out.err" >&2
    fail "spacectl exec $verb -f $request failed"
  fi
  if [ -s "$out.err" ]; then
    cat "$out.err" >&2
    fail "spacectl exec $verb -f $request wrote to stderr (above)"
  fi
  rm -f "$out.err"
}

# One run of every call into directory $1.
run_calls() {
  local dir=$1 verb request name
  mkdir -p "$dir/errors"
  for verb in init verify get_tasks collect; do
    call "$dir/$verb.yaml" "$verb" "$SAMPLE/$verb.yaml"
  done
  call "$dir/collect-task.yaml" collect "$SAMPLE/collect-task.yaml"
  call "$dir/collect.json" collect "$SAMPLE/collect.yaml" -o json
  for name in init verify get_tasks collect; do
    if grep -q '^ERROR: ' "$dir/$name.yaml"; then
      cat "$dir/$name.yaml" >&2
      fail "exec $name -f $name.yaml answered an error (above)"
    fi
  done
  for request in "$SAMPLE"/errors/*.yaml; do
    name="$(basename "$request" .yaml)"
    verb="${name%%-*}"
    case "$verb" in init|verify|get_tasks|collect) ;; *) fail "errors/$name.yaml: the name must start with init-, verify-, get_tasks- or collect-" ;; esac
    call "$dir/errors/$name.txt" "$verb" "$request"
    grep -q '^ERROR: ' "$dir/errors/$name.txt" || {
      cat "$dir/errors/$name.txt" >&2
      fail "errors/$name.yaml did not fail (output above)"
    }
  done
}

# The same JSON documents (a stream of them) in both files?
same_json() {
  "$PYTHON" - "$1" "$2" <<'PY'
import json, sys

def docs(path):
    text = open(path, encoding="utf-8").read()
    dec, i, out = json.JSONDecoder(), 0, []
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i == len(text):
            return out
        doc, i = dec.raw_decode(text, i)
        out.append(doc)

sys.exit(0 if docs(sys.argv[1]) == docs(sys.argv[2]) else 1)
PY
}

say "calling the server with Python spacectl (two runs)"
run_calls "$WORK/run1"
run_calls "$WORK/run2"
for f in "$WORK"/run1/*.yaml "$WORK"/run1/errors/*.txt; do
  rel="${f#"$WORK"/run1/}"
  cmp -s "$f" "$WORK/run2/$rel" || {
    diff "$f" "$WORK/run2/$rel" | head -20 >&2
    fail "$rel differs between two runs (diff above)"
  }
done
same_json "$WORK/run1/collect.json" "$WORK/run2/collect.json" || fail "collect.json differs by content between two runs"

say "converting the metadata files and building the collect items with the helpers"
mkdir -p "$WORK/metadata/kestrel_collect"
for yaml in "$SAMPLE"/src/plugin/metadata/*/*.yaml; do
  group="$(basename "$(dirname "$yaml")")"
  cp "$yaml" "$WORK/metadata/kestrel_${group}_$(basename "$yaml")"
done
"$PYTHON" - "$WORK/metadata" <<'PY'
import glob, os, sys
from spaceone.core import utils
from spaceone.inventory.plugin.collector.lib.metadata_generator import MetadataGenerator

for path in sorted(glob.glob(os.path.join(sys.argv[1], "kestrel_*.yaml"))):
    view = MetadataGenerator(utils.load_yaml_from_file(path)).generate_metadata()
    with open(path[:-5] + ".expected.json", "w", encoding="utf-8") as f:
        f.write(utils.dump_json(view))
PY
# collect_items OUT [SDK_DIR]: the items of a full collect, in process; with SDK_DIR
# the SDK module stands in for upstream's helper library.
collect_items() {
  (cd "$SAMPLE/src" && "$PYTHON" - "$API_KEY" "$1" "${2:-}" <<'PY'
import json, logging, sys

api_key, out, sdk_dir = sys.argv[1:4]
sys.path.insert(0, ".")
logging.disable(logging.CRITICAL)
if sdk_dir:
    sys.path.append(sdk_dir)
    import spaceone_plugin_sdk
    sys.modules["spaceone.inventory.plugin.collector.lib"] = spaceone_plugin_sdk
else:
    from spaceone.core import config
    config.init_conf(package="plugin")
from plugin.manager import kestrel_manager

items = list(kestrel_manager.collect({}, {"api_key": api_key}, None))
with open(out, "w", encoding="utf-8") as f:
    json.dump(items, f, indent=1, ensure_ascii=False)
    f.write("\n")
PY
  )
}
for run in 1 2; do
  collect_items "$WORK/raw$run.json"
  collect_items "$WORK/sdk$run.json" "$SDK_DIR"
done
for kind in raw sdk; do
  cmp -s "$WORK/${kind}1.json" "$WORK/${kind}2.json" || fail "${kind}_items.json differs between two runs"
  mv "$WORK/${kind}1.json" "$WORK/metadata/kestrel_collect/${kind}_items.json"
done

say "writing the goldens"
EXPECTED="$SAMPLE/expected"
mkdir -p "$EXPECTED/errors"
# An unchanged collect.json (by content) stays as it is: the Python client's key order is not stable.
if [ -f "$EXPECTED/collect.json" ] && same_json "$EXPECTED/collect.json" "$WORK/run1/collect.json"; then
  cp "$EXPECTED/collect.json" "$WORK/run1/collect.json"
fi
rm -f "$EXPECTED"/*.yaml "$EXPECTED"/*.json "$EXPECTED"/errors/*.txt
cp "$WORK"/run1/*.yaml "$WORK"/run1/collect.json "$EXPECTED/"
cp "$WORK"/run1/errors/*.txt "$EXPECTED/errors/"
rm -f "$METADATA_GOLDENS"/kestrel_*.yaml "$METADATA_GOLDENS"/kestrel_*.expected.json
mkdir -p "$METADATA_GOLDENS/kestrel_collect"
cp "$WORK"/metadata/kestrel_*.yaml "$WORK"/metadata/kestrel_*.expected.json "$METADATA_GOLDENS/"
cp "$WORK"/metadata/kestrel_collect/*.json "$METADATA_GOLDENS/kestrel_collect/"
say "done: $(find "$EXPECTED" -type f | wc -l) files in samples/compat-collector/expected, $(find "$METADATA_GOLDENS" -path '*kestrel_*' -type f | wc -l) in tests/data/metadata"
(cd "$ROOT" && git status --short -- samples/compat-collector/expected tests/data/metadata) >&2 || true
