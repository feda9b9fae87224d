"""{{project_name}}: a monitoring log data source.

SpaceONE's monitoring service calls ``Log.list`` with a resource's query, a time
range and an optional keyword, and shows the records the plugin streams. The
sample serves built-in audit records, newest first unless ``sort.desc`` is
false, a few records per page (no network).
"""
from spaceone_plugin_kinds import LogPluginServer, make_logs_page

app = LogPluginServer()

RECORDS = [
    {"time": f"2024-05-01T10:{m:02d}:00Z", "user": user, "event": event, "resource_id": "server-1"}
    for m, (user, event) in enumerate(
        [("alice", "StartInstance"), ("bob", "StopInstance"), ("alice", "RebootInstance"),
         ("carol", "AttachVolume"), ("alice", "DetachVolume"), ("bob", "StartInstance"),
         ("carol", "ModifyInstance")]
    )
]
PAGE = 3


@app.route("DataSource.init")
def data_source_init(params: dict) -> dict:
    return {"metadata": {"supported_resource_type": ["inventory.Server"]}}


@app.route("DataSource.verify")
def data_source_verify(params: dict) -> None:
    return None


@app.route("Log.list")
def log_list(params: dict):
    keyword = (params.get("keyword") or "").lower()
    start, end = params.get("start") or "", params.get("end") or "9999"
    records = [
        r for r in RECORDS
        if start <= r["time"] < end and (not keyword or keyword in f"{r['user']} {r['event']}".lower())
    ]
    sort = params.get("sort") or {}
    records.sort(key=lambda r: r[sort.get("key") or "time"], reverse=sort.get("desc", True))
    limit = int(params.get("limit") or len(records))
    records = records[:limit]
    for first in range(0, len(records), PAGE):
        yield make_logs_page(records[first:first + PAGE])
