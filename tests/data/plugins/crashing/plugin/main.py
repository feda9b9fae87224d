"""A collector whose process dies in the middle of collect."""

import os
import sys

from spaceone_plugin_sdk import CollectorPluginServer, make_response

app = CollectorPluginServer()


@app.route("Collector.init")
def collector_init(params):
    return {"metadata": {}}


@app.route("Collector.collect")
def collector_collect(params):
    yield make_response(
        region={"region_code": "r1", "provider": "acme"},
        match_keys=[["region_code", "provider"]],
        resource_type="inventory.Region",
    )
    print("crashing: about to exit", file=sys.stderr, flush=True)
    os._exit(3)
