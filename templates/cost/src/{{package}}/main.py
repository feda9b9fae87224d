"""{{project_name}}: a cost data source.

SpaceONE's cost analysis service asks ``Job.get_tasks`` how to split a
synchronization, then calls ``Cost.get_data`` once per task and stores every row
of every page the plugin streams. The sample has one task per month and streams
the daily costs of two products for the task's month, ten days per page.
"""
import calendar

from spaceone_plugin_kinds import DataSourcePluginServer, make_cost, make_costs_page, make_task
from spaceone_plugin_sdk import ERROR_AUTHENTICATE_FAILURE, ERROR_REQUIRED_PARAMETER

app = DataSourcePluginServer()

PRODUCTS = [("Compute", "vm.small", "Hours", 24.0, 0.02), ("Storage", "disk.ssd", "GB-Month", 100.0, 0.001)]
ACCOUNTS = [("100000000001", "sample-production"), ("100000000002", "sample-staging")]


def _check_secret(params: dict) -> None:
    api_key = (params.get("secret_data") or {}).get("api_key")
    if api_key is not None and api_key != "sample-key":
        raise ERROR_AUTHENTICATE_FAILURE(message="secret_data.api_key is not the sample key")


@app.route("DataSource.init")
def data_source_init(params: dict) -> dict:
    return {
        "metadata": {
            "currency": "USD",
            "supported_secret_types": ["MANUAL"],
            "data_source_rules": [
                {
                    "name": "match_service_account",
                    "conditions_policy": "ALWAYS",
                    "actions": {"match_service_account": {"source": "additional_info.Account ID", "target": "data.account_id"}},
                    "options": {"stop_processing": True},
                }
            ],
        }
    }


@app.route("DataSource.verify")
def data_source_verify(params: dict) -> None:
    _check_secret(params)


@app.route("Job.get_tasks")
def job_get_tasks(params: dict) -> dict:
    _check_secret(params)
    start = params.get("start") or (params.get("options") or {}).get("start", "2024-04")
    year, month = (int(x) for x in start.split("-")[:2])
    tasks = []
    for _ in range(int((params.get("options") or {}).get("months", 2))):
        tasks.append(make_task({"month": f"{year:04d}-{month:02d}"}))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return {"tasks": tasks, "changed": [{"start": start}]}


@app.route("Cost.get_linked_accounts")
def cost_get_linked_accounts(params: dict) -> dict:
    _check_secret(params)
    return {"results": [{"account_id": a, "name": n} for a, n in ACCOUNTS]}


@app.route("Cost.get_data")
def cost_get_data(params: dict):
    _check_secret(params)
    task = params.get("task_options") or {}
    if "month" not in task:
        raise ERROR_REQUIRED_PARAMETER(key="task_options.month")
    year, month = (int(x) for x in task["month"].split("-"))
    days = calendar.monthrange(year, month)[1]
    for first in range(1, days + 1, 10):
        rows = []
        for day in range(first, min(first + 10, days + 1)):
            for i, (account_id, _) in enumerate(ACCOUNTS):
                for product, usage_type, unit, quantity, price in PRODUCTS:
                    rows.append(
                        make_cost(
                            cost=round(quantity * price * (1 + (day + i) % 5), 4),
                            billed_date=f"{year:04d}-{month:02d}-{day:02d}",
                            usage_quantity=quantity,
                            usage_unit=unit,
                            provider="sample",
                            region_code="sample-east-1",
                            product=product,
                            usage_type=usage_type,
                            additional_info={"Account ID": account_id},
                        )
                    )
        yield make_costs_page(rows)
