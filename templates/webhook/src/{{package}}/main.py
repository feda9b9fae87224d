"""{{project_name}}: a monitoring webhook.

SpaceONE's monitoring service forwards what a monitoring system posts to the
webhook URL as ``data``; ``Event.parse`` turns it into events. The sample parses
Alertmanager-style notifications (``data.alerts``): one event per alert, ALERT
while it fires, RECOVERY once resolved.
"""
from spaceone_plugin_kinds import WebhookPluginServer, make_event
from spaceone_plugin_sdk import ERROR_REQUIRED_PARAMETER

app = WebhookPluginServer()

SEVERITIES = {"critical": "CRITICAL", "error": "ERROR", "warning": "WARNING", "info": "INFO"}


@app.route("Webhook.init")
def webhook_init(params: dict) -> dict:
    return {"metadata": {"supported_sources": ["alertmanager"]}}


@app.route("Webhook.verify")
def webhook_verify(params: dict) -> None:
    severity = (params.get("options") or {}).get("default_severity")
    if severity is not None and severity not in SEVERITIES.values():
        raise ERROR_REQUIRED_PARAMETER(key="options.default_severity")


@app.route("Event.parse")
def event_parse(params: dict) -> dict:
    options = params.get("options") or {}
    data = params.get("data") or {}
    if "alerts" not in data:
        raise ERROR_REQUIRED_PARAMETER(key="data.alerts")
    default = options.get("default_severity", "NOT_AVAILABLE")
    events = []
    for alert in data["alerts"]:
        labels = alert.get("labels", {})
        annotations = alert.get("annotations", {})
        resolved = alert.get("status") == "resolved"
        instance = labels.get("instance")
        events.append(
            make_event(
                event_key=alert.get("fingerprint") or "-".join(f"{k}={labels[k]}" for k in sorted(labels)),
                event_type="RECOVERY" if resolved else "ALERT",
                title=annotations.get("summary", labels.get("alertname", "alert")),
                severity=SEVERITIES.get(labels.get("severity", ""), default),
                rule=labels.get("alertname"),
                description=annotations.get("description"),
                occurred_at=alert.get("endsAt" if resolved else "startsAt"),
                resource={"resource_id": instance, "name": instance} if instance else None,
                additional_info={k: v for k, v in labels.items() if k not in ("alertname", "severity")},
                image_url=alert.get("generatorURL"),
                provider="prometheus",
                resources=[instance] if instance else None,
            )
        )
    return {"results": events}
