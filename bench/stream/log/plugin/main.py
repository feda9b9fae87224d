"""A log data source whose Log.list streams `options.messages` messages (default
2,000) of `options.rows` records each (default 10), on the SDK (upstream has no
library for this kind). Used by bench/stream.sh."""

from spaceone_plugin_kinds import LogPluginServer

app = LogPluginServer()


@app.route("Log.list")
def log_list(params: dict):
    options = params["options"]
    messages = int(options.get("messages", 2000))
    per_message = int(options.get("rows", 10))
    for m in range(messages):
        records = []
        for r in range(per_message):
            i = m * per_message + r
            records.append({
                "eventTime": f"2024-05-15T08:{i // 60 % 60:02d}:{i % 60:02d}Z",
                "eventName": "RunInstances" if i % 3 else "StopInstances",
                "userIdentity": {"type": "IAMUser", "userName": f"user-{i % 17}"},
                "sourceIPAddress": f"10.0.{i // 256 % 256}.{i % 256}",
                "requestID": f"req-{i:012d}",
                "readOnly": bool(i % 2),
            })
        yield {"results": records}
