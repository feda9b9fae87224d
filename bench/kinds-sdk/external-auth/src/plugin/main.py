"""The external-auth compat sample (tests/data/kinds/external-auth) written with the host's SDK.

Same routes and the same answers as the compat sample, so that bench/kinds.sh
compares one plugin's work in both modes. Standard library and the SDK only.
"""
import hashlib

from spaceone_plugin_sdk import ERROR_AUTHENTICATE_FAILURE, ERROR_INVALID_ARGUMENT
from spaceone_plugin_kinds import ExternalAuthPluginServer

app = ExternalAuthPluginServer()

_DIRECTORY = {
    "alice": {
        "password_sha256": hashlib.sha256(b"wonderland").hexdigest(),
        "name": "Alice Liddell",
        "email": "alice@example.com",
        "group": "admins",
    },
    "bob": {
        "password_sha256": hashlib.sha256(b"builder").hexdigest(),
        "name": "Bob",
        "disabled": True,
    },
}


@app.route("ExternalAuth.init")
def external_auth_init(params: dict) -> dict:
    return {
        "metadata": {
            "user_type": "EXTERNAL",
            "identity_provider": params["options"].get("provider", "sample-directory"),
            "protocol": "password",
            "domain_id": params["domain_id"],
        }
    }


@app.route("ExternalAuth.authorize")
def external_auth_authorize(params: dict) -> dict:
    if params["secret_data"].get("client_secret") != "sample-client-secret":
        raise ERROR_INVALID_ARGUMENT(message="secret_data.client_secret is wrong")
    credentials = params["credentials"]
    user_id = credentials.get("user_id", "")
    user = _DIRECTORY.get(user_id)
    password = credentials.get("password", "")
    if user is None or hashlib.sha256(password.encode()).hexdigest() != user["password_sha256"]:
        raise ERROR_AUTHENTICATE_FAILURE(message=f"wrong user id or password for {user_id!r}")
    answer = {
        "state": "DISABLED" if user.get("disabled") else "ENABLED",
        "user_id": user_id,
        "name": user["name"],
        "email": user.get("email"),
        "group": user.get("group"),
    }
    if params["options"].get("bad_state"):
        answer["state"] = "LOCKED"
    return answer
