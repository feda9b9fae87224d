"""{{project_name}}: a monitoring metric data source.

SpaceONE's monitoring service asks ``Metric.list`` which metrics a resource has,
then ``Metric.get_data`` for one metric over a time range. The sample serves
CPU and memory metrics of any resource, with data points computed from the
time range (no network).
"""
import datetime

from spaceone_plugin_kinds import MetricPluginServer, make_metric
from spaceone_plugin_sdk import ERROR_INVALID_PARAMETER

app = MetricPluginServer()

METRICS = {
    "cpu_utilization": ("CPU Utilization", "Compute", {"x": "Timestamp", "y": "Percent"}),
    "memory_usage": ("Memory Usage", "Compute", {"x": "Timestamp", "y": "Bytes"}),
}


def _time(text: str) -> datetime.datetime:
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ERROR_INVALID_PARAMETER(key="start/end", reason=f"{text!r} is not an ISO 8601 time")


@app.route("DataSource.init")
def data_source_init(params: dict) -> dict:
    return {"metadata": {"supported_resource_type": ["inventory.Server"], "supported_stat": ["AVERAGE", "MAX"]}}


@app.route("DataSource.verify")
def data_source_verify(params: dict) -> None:
    return None


@app.route("Metric.list")
def metric_list(params: dict) -> dict:
    resource_id = ((params.get("query") or {}).get("resource_id")) or "sample-resource"
    return {
        "metrics": [
            make_metric(key, name, group=group, unit=unit, metric_query={"resource_id": resource_id})
            for key, (name, group, unit) in METRICS.items()
        ]
    }


@app.route("Metric.get_data")
def metric_get_data(params: dict) -> dict:
    if params.get("metric") not in METRICS:
        raise ERROR_INVALID_PARAMETER(key="metric", reason=f"use one of {', '.join(METRICS)}")
    start, end = _time(params["start"]), _time(params["end"])
    period = int(params.get("period") or 300)
    labels, values = [], []
    t = start
    while t < end and len(labels) < 1000:
        labels.append(t.strftime("%Y-%m-%dT%H:%M:%SZ"))
        minutes = t.hour * 60 + t.minute
        values.append(round(40 + 20 * ((minutes // 5) % 7) / 6, 2))
        t += datetime.timedelta(seconds=period)
    resource_id = (params.get("metric_query") or {}).get("resource_id", "sample-resource")
    return {"labels": labels, "values": {resource_id: values}}
