"""{{project_name}}: an identity account collector.

SpaceONE's identity service calls ``AccountCollector.sync`` to learn the accounts
of an outside organization and creates a service account for each, in the
project folders its ``location`` names. The sample syncs a built-in organization
(replace it with your organization's API).
"""
from spaceone_plugin_kinds import AccountCollectorPluginServer, make_account

app = AccountCollectorPluginServer()

# account id, name, folder path
ORGANIZATION = [
    ("100000000001", "sample-production", ["Sample Org", "Production"]),
    ("100000000002", "sample-staging", ["Sample Org", "Staging"]),
    ("100000000003", "sample-sandbox", ["Sample Org"]),
]


@app.route("AccountCollector.init")
def account_collector_init(params: dict) -> dict:
    return {"metadata": {"resource_type": "identity.ServiceAccount"}}


@app.route("AccountCollector.sync")
def account_collector_sync(params: dict) -> dict:
    role = (params.get("options") or {}).get("role_name", "SpaceONERole")
    return {
        "results": [
            make_account(
                name=name,
                resource_id=account_id,
                data={"account_id": account_id},
                secret_schema_id="sample-assume-role",
                secret_data={"account_id": account_id, "role_name": role},
                tags={"source": "sample-organization"},
                location=[{"name": folder, "resource_id": f"folder-{i}"} for i, folder in enumerate(path)],
            )
            for account_id, name, path in ORGANIZATION
        ]
    }
