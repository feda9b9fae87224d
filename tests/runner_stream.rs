//! The Python runner's stream output: item lines are the same text as a single
//! `encode()` of the reply, batched writes keep every item in order before the
//! stream's end, and an item reaches the host while the plugin is still busy
//! producing the next one.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::run_bounded;

/// Runs `script` with the runner and the SDK importable; its stdout.
fn python(script: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/plugin/host/handler/python");
    let mut cmd = Command::new("python3");
    cmd.arg("-c")
        .arg(script)
        .env("PYTHONPATH", &dir)
        .env("RUNNER", dir.join("runner.py"));
    let r = run_bounded(cmd, "", Duration::from_secs(60));
    assert_eq!(r.code(), 0, "{}", r.stderr);
    r.stdout
}

#[test]
fn item_lines_are_the_text_of_one_encoded_reply() {
    let out = python(
        r#"
import runner
items = [{"a": 1, "b": [1.5, None, True, -0.0, 1e300], "ü": "é\u2028\"x\\"}, "text", 3, None, [],
         {"g": (i for i in range(3))}]
line = runner.item_encoder(7)
for item in items:
    again = {"g": (i for i in range(3))} if isinstance(item, dict) and "g" in item else item
    assert line(item) == runner.encode({"id": 7, "item": again}), item
for bad in [{1, 2}, float("nan"), {"x": object()}]:
    errors = []
    for encode in (line, lambda v: runner.encode({"id": 7, "item": v})):
        try:
            encode(bad)
        except Exception as e:
            errors.append(repr(e))
    assert errors[0] == errors[1], errors
    # (The NaN message grew a suffix in newer Pythons; both sides say the same.)
    print(errors[0] if "float" not in errors[0] else errors[0][:11])
print(line({"k": "v"}).decode(), end="")
"#,
    );
    assert_eq!(
        out,
        "TypeError('Object of type set is not JSON serializable')\n\
         ValueError(\n\
         TypeError('Object of type object is not JSON serializable')\n\
         {\"id\":7,\"item\":{\"k\":\"v\"}}\n"
    );
}

/// A plugin whose stream is fast, then slow, then raises SystemExit (which
/// fails that request only, as on upstream's server): the runner serves it over
/// real pipes and the script reports what arrived when.
#[test]
fn batched_items_arrive_in_order_and_without_waiting_for_the_next_one() {
    let out = python(
        r#"
import json, os, subprocess, sys, tempfile, time
src = tempfile.mkdtemp()
os.makedirs(os.path.join(src, "plugin"))
open(os.path.join(src, "plugin", "__init__.py"), "w").close()
with open(os.path.join(src, "plugin", "main.py"), "w") as f:
    f.write('''
import sys, time
from spaceone_plugin_sdk import CollectorPluginServer
app = CollectorPluginServer()

@app.route("Collector.collect")
def collect(params):
    n = params["options"]["items"]
    for i in range(n):
        yield {"i": i}
    if params["options"].get("then") == "sleep":
        time.sleep(3)
        yield {"i": n}
    if params["options"].get("then") == "exit":
        sys.exit(3)
''')
env = dict(os.environ, SPACEONE_PLUGIN_PACKAGE="plugin", SPACEONE_PLUGIN_SOURCE_ROOT=src,
           SPACEONE_PLUGIN_WORKERS="4", SPACEONE_PLUGIN_PROTOCOL="1")
def run(rid, options):
    p = subprocess.Popen([sys.executable, os.environ["RUNNER"]], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, env=env)
    assert b'"ready"' in p.stdout.readline()
    start = time.monotonic()
    request = {"id": rid, "method": "Collector.collect", "stream": True, "params": {"options": options}}
    p.stdin.write((json.dumps(request) + "\n").encode())
    p.stdin.flush()
    seen = []
    for line in p.stdout:
        reply = json.loads(line)
        assert reply["id"] == rid, reply
        seen.append((time.monotonic() - start, reply))
        if "item" not in reply:
            break
    p.stdin.close()
    code = p.wait(timeout=10)
    return seen, code

seen, _ = run(1, {"items": 5000})
assert [r["item"]["i"] for _, r in seen[:-1]] == list(range(5000))
print("fast:", len(seen) - 1, "items, then", seen[-1][1])

seen, _ = run(2, {"items": 1, "then": "sleep"})
first, last = seen[0][0], seen[1][0]
print("slow: first item before the plugin's next one:", first < 1.5 and last > 2.5)

seen, code = run(3, {"items": 3, "then": "exit"})
print("exit:", [r["item"]["i"] for _, r in seen if "item" in r], "then", seen[-1][1]["error"]["message"],
      "exit code", code)
"#,
    );
    assert_eq!(
        out,
        "fast: 5000 items, then {'id': 1, 'done': True}\n\
         slow: first item before the plugin's next one: True\n\
         exit: [0, 1, 2] then SystemExit: 3 exit code 0\n"
    );
}
