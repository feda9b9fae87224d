"""A collector whose second item is a FAILURE."""

from spaceone_plugin_sdk import (
    CollectorPluginServer,
    make_cloud_service,
    make_cloud_service_type,
    make_error_response,
    make_response,
)

app = CollectorPluginServer()


@app.route("Collector.init")
def collector_init(params):
    return {"metadata": {}}


@app.route("Collector.collect")
def collector_collect(params):
    yield make_response(
        cloud_service_type=make_cloud_service_type(
            name="Widget", group="Things", provider="acme",
            metadata={"search": {"fields": [{"Size": "data.size"}]}},
        ),
        match_keys=[["name", "group", "provider"]],
        resource_type="inventory.CloudServiceType",
    )
    yield make_response(
        cloud_service=make_cloud_service(
            name="ok-1", cloud_service_type="Widget", cloud_service_group="Things",
            provider="acme", data={"size": 1},
            reference={"resource_id": "ok-1"},
        ),
        match_keys=[["name", "provider"]],
    )
    try:
        raise ConnectionError("the widget API refused the connection")
    except ConnectionError as e:
        yield make_error_response(e, "acme", "Things", "Widget")
