"""{{project_name}}: a notification protocol.

SpaceONE's notification service calls ``Notification.dispatch`` for each message of
a channel that uses this protocol. The sample delivers each message as one JSON
line: appended to the file ``channel_data.path``, or posted to the HTTP endpoint
``channel_data.url`` (with ``secret_data.token`` as a bearer token when given).
"""
import json
import urllib.request

from spaceone_plugin_kinds import ProtocolPluginServer
from spaceone_plugin_sdk import ERROR_INVALID_ARGUMENT, ERROR_REQUIRED_PARAMETER

app = ProtocolPluginServer()

# The channel data a user enters for this protocol (a JSON schema, shown as a form).
CHANNEL_SCHEMA = {
    "type": "object",
    "properties": {
        "path": {"type": "string", "title": "Outbox file", "examples": ["/tmp/outbox.jsonl"]},
        "url": {"type": "string", "title": "Webhook URL", "examples": ["http://127.0.0.1:8080/hook"]},
    },
}


@app.route("Protocol.init")
def protocol_init(params: dict) -> dict:
    return {"metadata": {"data_type": "PLAIN_TEXT", "data": {"schema": CHANNEL_SCHEMA}}}


@app.route("Protocol.verify")
def protocol_verify(params: dict) -> None:
    token = (params.get("secret_data") or {}).get("token")
    if token is not None and not isinstance(token, str):
        raise ERROR_INVALID_ARGUMENT()


@app.route("Notification.dispatch")
def notification_dispatch(params: dict) -> None:
    channel = params.get("channel_data") or {}
    message = params.get("message") or {}
    line = json.dumps(
        {
            "notification_type": params.get("notification_type"),
            "title": message.get("title"),
            "description": message.get("description"),
            "link": message.get("link"),
            "tags": {t["key"]: t["value"] for t in message.get("tags") or []},
        },
        sort_keys=True,
    )
    if channel.get("path"):
        with open(channel["path"], "a", encoding="utf-8") as f:
            f.write(line + "\n")
    elif channel.get("url"):
        headers = {"Content-Type": "application/json"}
        token = (params.get("secret_data") or {}).get("token")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(channel["url"], data=line.encode(), headers=headers)
        with urllib.request.urlopen(request, timeout=10) as response:
            if response.status >= 300:
                raise ERROR_INVALID_ARGUMENT()
    else:
        raise ERROR_REQUIRED_PARAMETER(key="channel_data.path")
