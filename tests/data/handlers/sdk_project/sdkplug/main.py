"""A collector plugin written against spaceone_plugin_sdk, used by tests/handler_faults.rs."""

import os
import sys

from spaceone_plugin_sdk import (
    ERROR_REQUIRED_PARAMETER,
    CollectorPluginServer,
    make_cloud_service,
    make_cloud_service_type,
    make_cloud_service_with_metadata,
    make_error_response,
    make_response,
)

# Printing must not disturb the protocol: it ends up in the host's log.
print("sdkplug: imported")

app = CollectorPluginServer()

METADATA = "metadata/things/thing.yaml"


@app.route("Collector.init")
def collector_init(params):
    print("sdkplug: init called")
    return {"metadata": {"options_schema": {}}, "params_seen": params}


@app.route("Collector.verify")
def collector_verify(params):
    if not params.get("secret_data", {}).get("token"):
        raise ERROR_REQUIRED_PARAMETER(key="secret_data.token")


@app.route("Collector.collect")
def collector_collect(params):
    mode = params["options"].get("mode", "normal")
    if mode == "none":
        return None
    if mode == "boom":
        raise ValueError("boom")
    if mode == "dict":
        return {"a": 1}
    return _items(mode)


def _items(mode):
    if mode == "mid":
        yield {"n": 1}
        raise RuntimeError("mid stream failure")
    if mode == "not-json":
        yield {"x": {1, 2}}
        return
    if mode == "generator-list":
        # Upstream's models take a generator where they expect a list.
        yield {"match_keys": (keys for keys in [["name"], ["provider"]])}
        return
    if mode == "bad-resource-type":
        yield make_response(match_keys=[], resource_type="inventory.Foo")
        return
    if mode == "streams":
        sys.stdout.write("sdkplug: stdout write\n")
        os.write(1, b"sdkplug: fd 1 write\n")
        yield {"stdin": sys.stdin.read()}
        return
    yield make_response(
        cloud_service_type=make_cloud_service_type(
            name="Thing", group="Group", provider="prov", metadata_path=METADATA, is_primary=True
        ),
        match_keys=[["name", "provider"]],
        resource_type="inventory.CloudServiceType",
    )
    yield make_response(
        cloud_service=make_cloud_service_with_metadata(
            name="t1",
            cloud_service_type="Thing",
            cloud_service_group="Group",
            provider="prov",
            data={"a": 1},
            data_format="dict",
            metadata_path=METADATA,
        ),
        match_keys=[["name"]],
    )
    yield make_response(
        cloud_service=make_cloud_service(
            name="t2",
            cloud_service_type="Thing",
            cloud_service_group="Group",
            provider="prov",
            data={"é": 1.5},
            instance_size=2,
            reference={"resource_id": "r-2", "other": 1},
        ),
        match_keys=[["name"]],
    )
    yield make_error_response(ValueError("bad thing"), "prov", "Group", "Thing")
