"""A well-behaved collector: every response passes the checks of `plugin test`."""

from spaceone_plugin_sdk import (
    ERROR_REQUIRED_PARAMETER,
    CollectorPluginServer,
    make_cloud_service,
    make_cloud_service_type,
    make_response,
)

app = CollectorPluginServer()

WIDGETS = [
    {"name": "w1", "size": 1024, "color": "red", "parts": [{"name": "bolt"}]},
    {"name": "w2", "size": 2048, "color": "blue", "parts": []},
]


@app.route("Collector.init")
def collector_init(params):
    return {"metadata": {"options_schema": {}}}


@app.route("Collector.verify")
def collector_verify(params):
    if not params["secret_data"].get("token"):
        raise ERROR_REQUIRED_PARAMETER(key="secret_data.token")


@app.route("Job.get_tasks")
def job_get_tasks(params):
    return {"tasks": [{"task_options": {"part": 1}}, {"task_options": {"part": 2}}]}


@app.route("Collector.collect")
def collector_collect(params):
    yield make_response(
        cloud_service_type=make_cloud_service_type(
            name="Widget", group="Things", provider="acme",
            metadata_path="metadata/things/widget.yaml",
        ),
        match_keys=[["name", "group", "provider"]],
        resource_type="inventory.CloudServiceType",
    )
    yield make_response(
        region={"name": "Home", "region_code": "home", "provider": "acme"},
        match_keys=[["region_code", "provider"]],
        resource_type="inventory.Region",
    )
    for w in WIDGETS:
        yield make_response(
            cloud_service=make_cloud_service(
                name=w["name"], cloud_service_type="Widget", cloud_service_group="Things",
                provider="acme", data=w, region_code="home", data_format="dict",
                reference={"resource_id": w["name"]},
            ),
            match_keys=[["name", "provider"]],
        )
