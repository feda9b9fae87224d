"""The webhook compat sample (tests/data/kinds/webhook) written with the host's SDK.

Same routes and the same answers as the compat sample, so that bench/kinds.sh
compares one plugin's work in both modes. Standard library and the SDK only.
"""
import hashlib

from spaceone_plugin_sdk import ERROR_REQUIRED_PARAMETER, ERROR_INVALID_ARGUMENT
from spaceone_plugin_kinds import WebhookPluginServer

app = WebhookPluginServer()

_SEVERITIES = {
    "critical": "CRITICAL",
    "error": "ERROR",
    "warning": "WARNING",
    "info": "INFO",
}


@app.route("Webhook.init")
def webhook_init(params: dict) -> dict:
    options = params["options"]
    return {
        "metadata": {
            "supported_providers": ["prometheus"],
            "default_severity": options.get("default_severity", "NOT_AVAILABLE"),
        },
        "ignored": "not part of the response model",
    }


@app.route("Webhook.verify")
def webhook_verify(params: dict) -> None:
    if params["options"].get("reject"):
        raise ERROR_INVALID_ARGUMENT(message="options.reject is set")


@app.route("Event.parse")
def event_parse(params: dict) -> dict:
    options = params["options"]
    data = params["data"]
    if "alerts" not in data:
        raise ERROR_REQUIRED_PARAMETER(key="data.alerts")
    default_severity = options.get("default_severity", "NOT_AVAILABLE")
    results = []
    for alert in data["alerts"]:
        labels = alert.get("labels", {})
        annotations = alert.get("annotations", {})
        fingerprint = alert.get("fingerprint") or hashlib.sha1(
            repr(sorted(labels.items())).encode()
        ).hexdigest()[:16]
        resolved = alert.get("status") == "resolved"
        event = {
            "event_key": fingerprint,
            "event_type": "RECOVERY" if resolved else "ALERT",
            "title": annotations.get("summary", labels.get("alertname", "alert")),
            "description": annotations.get("description", ""),
            "severity": _SEVERITIES.get(labels.get("severity", ""), default_severity),
            "rule": labels.get("alertname", ""),
            "occurred_at": alert.get("endsAt" if resolved else "startsAt", ""),
            "additional_info": {k: v for k, v in labels.items() if k != "alertname"},
            "provider": "prometheus",
            "resources": [labels["instance"]] if "instance" in labels else [],
        }
        if "instance" in labels:
            event["resource"] = {"resource_id": labels["instance"], "name": labels["instance"]}
        if alert.get("generatorURL"):
            event["image_url"] = alert["generatorURL"]
        results.append(event)
    if options.get("extra_key"):
        # Event.parse has no response model: keys the message lacks fail in conversion.
        return {"results": results, "unexpected": True}
    if options.get("as_list"):
        return results
    return {"results": results}
