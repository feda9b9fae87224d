"""Load generator of bench/pool.sh: concurrent Collector.collect calls on one channel.

    python pool_load.py PORT CALLS CONCURRENCY ITEMS DELAY [OPTIONS]

Runs CALLS collects, at most CONCURRENCY at a time, each asking the compat test
plugin for ITEMS cloud services with DELAY seconds before each one (OPTIONS: a
JSON object of further collect options). Prints one
JSON object: wall time (ms) of the whole run, the median and maximum latency (ms)
of a call, and how many calls returned every expected item. Needs grpcio and
spaceone-api (the plugin reference venv has both).
"""

import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import grpc
from google.protobuf import struct_pb2
from spaceone.api.inventory.plugin import collector_pb2, collector_pb2_grpc


def struct(value):
    s = struct_pb2.Struct()
    s.update(value)
    return s


def main():
    port, calls, concurrency, items, delay = sys.argv[1:6]
    calls, concurrency, items, delay = int(calls), int(concurrency), int(items), float(delay)
    extra = json.loads(sys.argv[6]) if len(sys.argv) > 6 else {}
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    grpc.channel_ready_future(channel).result(timeout=30)
    stub = collector_pb2_grpc.CollectorStub(channel)
    lock = threading.Lock()
    latencies, good, errors = [], [0], []

    def one(i):
        req = collector_pb2.CollectRequest(
            options=struct({**extra, "items": items, "delay": delay, "tag": f"call-{i}"}),
            secret_data=struct({}),
        )
        t0 = time.monotonic()
        try:
            got = [r for r in stub.collect(req, timeout=600)]
            ok = len(got) == items + 1 and all(
                r.resource["data"]["tag"] == f"call-{i}" for r in got[1:]
            )
        except grpc.RpcError as e:
            ok = False
            with lock:
                errors.append(f"{e.code().name}: {e.details()}")
        ms = (time.monotonic() - t0) * 1000
        with lock:
            latencies.append(ms)
            good[0] += ok

    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(calls)))
    wall = (time.monotonic() - t0) * 1000
    latencies.sort()
    print(json.dumps({
        "wall_ms": round(wall),
        "median_ms": round(latencies[len(latencies) // 2], 1),
        "max_ms": round(latencies[-1], 1),
        "ok": good[0],
        "calls": calls,
        "errors": errors[:3],
    }))


if __name__ == "__main__":
    main()
