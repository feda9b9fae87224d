"""A handler that serves several requests at once (one thread per request), in
plain Python, and misbehaves on request so that the host's handling of
multiplexed calls can be tested. Started as
``python3 mux_handler.py [N] [--once FILE]``: N is the concurrency it declares
(none when absent); with ``--once`` each start adds a line to FILE and every
start after the first exits with status 5 before it is ready.

What a request does is read from ``params.options``:
  sleep   seconds before the reply (unary) or before each item (stream)
  spin    like sleep, but busy on the CPU (holding the interpreter) meanwhile
  items   number of items of a stream (default 3)
  tag     copied into the result and every item
  pad     a string of this many bytes in every item
  extra   after the reply, send a second one for the same id
  kind    for a unary request: answer with an item instead of a result
  crash   exit with status 3 after ``sleep``
  hang    never answer (cancellation does not help either)
Results and items carry ``pid``, ``tag`` and the request's ``trace_id``. A
cancelled stream stops at its next item and ends with an error.
"""

import json
import os
import sys
import threading
import time

out_lock = threading.Lock()
cancelled = set()
cancel_lock = threading.Lock()


def send(message):
    line = (json.dumps(message) + "\n").encode()
    with out_lock:
        sys.stdout.buffer.write(line)
        sys.stdout.buffer.flush()


def busy(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def serve(request):
    rid = request["id"]
    options = (request.get("params") or {}).get("options") or {}
    base = {"pid": os.getpid(), "tag": options.get("tag"), "trace_id": request.get("trace_id")}
    delay = float(options.get("sleep", 0))
    spin = float(options.get("spin", 0))
    if options.get("hang"):
        time.sleep(1000)
    if options.get("crash"):
        time.sleep(delay)
        busy(spin)
        print("mux_handler: crashing", file=sys.stderr, flush=True)
        os._exit(3)
    if request.get("stream"):
        for n in range(int(options.get("items", 3))):
            time.sleep(delay)
            busy(spin)
            with cancel_lock:
                stop = rid in cancelled
            if stop:
                send({"id": rid, "error": {"code": "ERROR_CANCELLED", "status": "CANCELLED", "message": "cancelled"}})
                return
            send({"id": rid, "item": dict(base, n=n + 1, pad="x" * int(options.get("pad", 0)))})
        send({"id": rid, "done": True})
    else:
        time.sleep(delay)
        busy(spin)
        if options.get("kind"):
            send({"id": rid, "item": base})
        else:
            send({"id": rid, "result": base})
    if options.get("extra"):
        send({"id": rid, "result": base})


def main():
    args = sys.argv[1:]
    if "--once" in args:
        at = args.index("--once")
        starts = args[at + 1]
        del args[at:at + 2]
        with open(starts, "a+") as f:
            f.seek(0)
            earlier = f.read().count("\n")
            f.write("start\n")
        if earlier:
            print("mux_handler: refusing a second start", file=sys.stderr, flush=True)
            os._exit(5)
    ready = {"protocol": 1, "routes": ["Collector.init", "Collector.collect"]}
    if args:
        ready["concurrency"] = int(args[0])
    send({"ready": ready})
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        request = json.loads(line)
        if request.get("cancel"):
            with cancel_lock:
                cancelled.add(request["id"])
            continue
        threading.Thread(target=serve, args=(request,), daemon=True).start()
    os._exit(0)


if __name__ == "__main__":
    main()
