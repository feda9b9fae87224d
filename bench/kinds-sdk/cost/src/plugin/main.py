"""The cost compat sample (tests/data/kinds/cost) written with the host's SDK.

Same routes and the same answers as the compat sample, so that bench/kinds.sh
compares one plugin's work in both modes. Standard library and the SDK only.
"""
import calendar

from spaceone_plugin_sdk import ERROR_INVALID_ARGUMENT, ERROR_AUTHENTICATE_FAILURE, parse_datetime
from spaceone_plugin_kinds import DataSourcePluginServer

app = DataSourcePluginServer()

_PRODUCTS = [("Compute", "vm.small", "Hours", 24.0), ("Storage", "disk.ssd", "GB-Month", 100.0)]


def _months(start: str, count: int) -> list:
    year, month = (int(x) for x in start.split("-")[:2])
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _check_secret(secret_data: dict) -> None:
    if secret_data.get("api_key") != "sample-key":
        raise ERROR_AUTHENTICATE_FAILURE(message="secret_data.api_key is not the sample key")


@app.route("DataSource.init")
def data_source_init(params: dict) -> dict:
    options = params["options"]
    metadata = {
        "currency": options.get("currency", "USD"),
        "data_source_rules": [
            {
                "name": "match_service_account",
                "conditions_policy": "ALWAYS",
                "actions": {
                    "match_service_account": {"source": "additional_info.Account ID", "target": "data.account_id"}
                },
                "options": {"stop_processing": True},
            }
        ],
        "alias": {"cost": "Sample Cost", "usage_quantity": "Usage"},
    }
    if "secret_types" in options:
        metadata["supported_secret_types"] = options["secret_types"]
    return {"metadata": metadata}


@app.route("DataSource.verify")
def data_source_verify(params: dict) -> None:
    _check_secret(params["secret_data"])


@app.route("Job.get_tasks")
def job_get_tasks(params: dict) -> dict:
    _check_secret(params["secret_data"])
    start = params["start"] or params["options"].get("start", "2024-04")
    months = _months(start, int(params["options"].get("months", 2)))
    accounts = [a.get("account_id") for a in params["linked_accounts"] or []] or ["100000000001"]
    synced = parse_datetime(params["last_synchronized_at"])
    since = {"since": synced.isoformat()} if synced is not None else {}
    return {
        "tasks": [{"task_options": {"month": m, "account_id": a, **since}} for m in months for a in accounts],
        "changed": [{"start": months[0]}],
        "synced_accounts": [{"account_id": a} for a in accounts],
    }


@app.route("Cost.get_linked_accounts")
def cost_get_linked_accounts(params: dict) -> dict:
    _check_secret(params["secret_data"])
    return {
        "results": [
            {"account_id": "100000000001", "name": "sample-production"},
            {"account_id": "100000000002", "name": "sample-staging"},
        ]
    }


@app.route("Cost.get_data")
def cost_get_data(params: dict):
    _check_secret(params["secret_data"])
    task = params["task_options"]
    if "month" not in task:
        raise ERROR_INVALID_ARGUMENT(message="task_options.month is missing")
    year, month = (int(x) for x in task["month"].split("-"))
    days = calendar.monthrange(year, month)[1]
    chunk_days = int(params["options"].get("days_per_message", 10))
    fail_after = params["options"].get("fail_after_messages")
    sent = 0
    for first in range(1, days + 1, chunk_days):
        if fail_after is not None and sent >= int(fail_after):
            raise ERROR_INVALID_ARGUMENT(message="the sample source failed on purpose")
        rows = []
        for day in range(first, min(first + chunk_days, days + 1)):
            for product, usage_type, unit, quantity in _PRODUCTS:
                row = {
                    "cost": round(quantity * 0.01 * (1 + day % 7), 2),
                    "usage_quantity": quantity,
                    "usage_unit": unit,
                    "provider": "sample",
                    "region_code": "sample-east-1",
                    "product": product,
                    "usage_type": usage_type,
                    "billed_date": f"{year:04d}-{month:02d}-{day:02d}",
                    "additional_info": {"Account ID": task.get("account_id", "100000000001")},
                }
                if params["options"].get("drop_billed_date"):
                    del row["billed_date"]
                rows.append(row)
        yield {"results": rows}
        sent += 1
