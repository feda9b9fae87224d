"""Kestrel Cloud inventory collector, on spaceone-inventory's collector framework."""

from spaceone.inventory.plugin.collector.lib.server import CollectorPluginServer

from plugin.connector.kestrel_api import KestrelApi
from plugin.manager import kestrel_manager

app = CollectorPluginServer()

OPTIONS_SCHEMA = {
    "type": "object",
    "properties": {
        "api_url": {
            "type": "string",
            "title": "API address",
            "description": "Base URL of the Kestrel API; default: $KESTREL_API_URL of the plugin process",
            "examples": ["https://api.kestrel.example"],
        },
        "regions": {
            "type": "array",
            "title": "Regions",
            "description": "Collect only these region codes (default: every region of the account)",
            "items": {"type": "string"},
        },
    },
}


@app.route("Collector.init")
def collector_init(params: dict) -> dict:
    kestrel_manager.region_filter(params["options"])
    return {"metadata": {"options_schema": OPTIONS_SCHEMA}}


@app.route("Collector.verify")
def collector_verify(params: dict) -> None:
    api = KestrelApi.from_params(params["options"], params["secret_data"])
    api.account()


@app.route("Collector.collect")
def collector_collect(params: dict):
    return kestrel_manager.collect(
        params["options"], params["secret_data"], params.get("task_options")
    )


@app.route("Job.get_tasks")
def job_get_tasks(params: dict) -> dict:
    return kestrel_manager.get_tasks(params["options"], params["secret_data"])
