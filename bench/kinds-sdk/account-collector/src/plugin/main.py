"""The account-collector compat sample (tests/data/kinds/account-collector) written with the host's SDK.

Same routes and the same answers as the compat sample, so that bench/kinds.sh
compares one plugin's work in both modes. Standard library and the SDK only.
"""
from spaceone_plugin_sdk import ERROR_AUTHENTICATE_FAILURE
from spaceone_plugin_kinds import AccountCollectorPluginServer

app = AccountCollectorPluginServer()

_ORGANIZATION = [
    ("100000000001", "sample-production", ["Sample Org", "Production"]),
    ("100000000002", "sample-staging", ["Sample Org", "Staging"]),
    ("100000000003", "sample-sandbox", []),
]


@app.route("AccountCollector.init")
def account_collector_init(params: dict) -> dict:
    return {"metadata": {"support_trusted_service_account": True, "resource_type": "identity.ServiceAccount"}}


@app.route("AccountCollector.sync")
def account_collector_sync(params: dict) -> dict:
    if params["secret_data"].get("api_key") != "sample-key":
        raise ERROR_AUTHENTICATE_FAILURE(message="secret_data.api_key is not the sample key")
    options = params["options"]
    if options.get("empty"):
        return {}
    results = []
    for account_id, name, folders in _ORGANIZATION:
        account = {
            "name": name,
            "resource_id": account_id,
            "data": {"account_id": account_id, "status": "ACTIVE"},
            "secret_schema_id": "sample-assume-role",
            "secret_data": {"account_id": account_id, "role_name": options.get("role_name", "SpaceONERole")},
            "tags": {"source": "sample-organization"},
            "location": [{"name": folder, "resource_id": f"folder-{i}"} for i, folder in enumerate(folders)],
        }
        if not folders:
            del account["location"]
        results.append(account)
    if options.get("bad_location"):
        results[0]["location"] = "Sample Org/Production"
    return {"results": results}
