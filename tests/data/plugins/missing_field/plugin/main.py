"""A collector whose metadata shows a field (data.price) its data never has."""

from spaceone_plugin_sdk import (
    CollectorPluginServer,
    make_cloud_service_type,
    make_cloud_service_with_metadata,
    make_response,
)

app = CollectorPluginServer()

METADATA = "metadata/things/widget.yaml"


@app.route("Collector.init")
def collector_init(params):
    return {"metadata": {}}


@app.route("Collector.collect")
def collector_collect(params):
    yield make_response(
        cloud_service_type=make_cloud_service_type(
            name="Widget", group="Things", provider="acme", metadata_path=METADATA,
        ),
        match_keys=[["name", "group", "provider"]],
        resource_type="inventory.CloudServiceType",
    )
    for name in ("w1", "w2"):
        yield make_response(
            cloud_service=make_cloud_service_with_metadata(
                name=name, cloud_service_type="Widget", cloud_service_group="Things",
                provider="acme", data={"size": 1, "color": "red", "parts": []},
                metadata_path=METADATA, data_format="dict",
                reference={"resource_id": name},
            ),
            match_keys=[["name", "provider"]],
        )
