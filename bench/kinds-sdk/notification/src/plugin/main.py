"""The notification compat sample (tests/data/kinds/notification) written with the host's SDK.

Same routes and the same answers as the compat sample, so that bench/kinds.sh
compares one plugin's work in both modes. Standard library and the SDK only.
"""
import json
import urllib.request

from spaceone_plugin_sdk import ERROR_INVALID_ARGUMENT, ERROR_REQUIRED_PARAMETER, ERROR_AUTHENTICATE_FAILURE
from spaceone_plugin_kinds import ProtocolPluginServer

app = ProtocolPluginServer()


@app.route("Protocol.init")
def protocol_init(params: dict) -> dict:
    data_type = params["options"].get("data_type", "PLAIN_TEXT")
    return {
        "metadata": {
            "data_type": data_type,
            "data": {
                "schema": {
                    "type": "object",
                    "required": ["path"],
                    "properties": {
                        "path": {"type": "string", "title": "Outbox file"},
                        "url": {"type": "string", "title": "Webhook URL"},
                    },
                }
            },
            "extra": "not part of the response model",
        }
    }


@app.route("Protocol.verify")
def protocol_verify(params: dict) -> None:
    if params["options"].get("require_token") and not params["secret_data"].get("token"):
        raise ERROR_AUTHENTICATE_FAILURE(message="secret_data.token is missing")


@app.route("Notification.dispatch")
def notification_dispatch(params: dict) -> None:
    channel = params["channel_data"]
    message = params["message"]
    line = json.dumps(
        {
            "type": params["notification_type"],
            "title": message["title"],
            "description": message["description"],
            "tags": [(t["key"], t["value"]) for t in message["tags"] or []],
            "callbacks": [c["url"] for c in message["callbacks"] or []],
        },
        sort_keys=True,
    )
    if channel.get("path"):
        with open(channel["path"], "a", encoding="utf-8") as f:
            f.write(line + "\n")
    elif channel.get("url"):
        headers = {"Content-Type": "application/json"}
        if params["secret_data"].get("token"):
            headers["Authorization"] = "Bearer " + params["secret_data"]["token"]
        req = urllib.request.Request(channel["url"], data=line.encode(), headers=headers)
        with urllib.request.urlopen(req, timeout=10) as resp:
            if resp.status >= 300:
                raise ERROR_INVALID_ARGUMENT(message=f"HTTP {resp.status}")
    else:
        raise ERROR_REQUIRED_PARAMETER(key="channel_data.path")
