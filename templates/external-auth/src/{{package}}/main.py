"""{{project_name}}: an identity external auth.

SpaceONE's identity service calls ``ExternalAuth.authorize`` with what a user
typed at sign-in (``credentials``) and expects the user's identity back. The
sample checks the user id and password against a small built-in directory
(replace it with your identity provider's API).
"""
import hashlib
import hmac

from spaceone_plugin_kinds import ExternalAuthPluginServer, make_user_info
from spaceone_plugin_sdk import ERROR_AUTHENTICATE_FAILURE

app = ExternalAuthPluginServer()

# user id -> (sha256 of the password, name, email, state)
DIRECTORY = {
    "alice": (hashlib.sha256(b"wonderland").hexdigest(), "Alice Liddell", "alice@example.com", "ENABLED"),
    "bob": (hashlib.sha256(b"builder").hexdigest(), "Bob", "bob@example.com", "DISABLED"),
}


@app.route("ExternalAuth.init")
def external_auth_init(params: dict) -> dict:
    return {"metadata": {"user_type": "EXTERNAL", "protocol": "password", "identity_provider": "sample-directory"}}


@app.route("ExternalAuth.authorize")
def external_auth_authorize(params: dict) -> dict:
    credentials = params.get("credentials") or {}
    user_id = str(credentials.get("user_id", ""))
    password = str(credentials.get("password", ""))
    entry = DIRECTORY.get(user_id)
    digest = hashlib.sha256(password.encode()).hexdigest()
    if entry is None or not hmac.compare_digest(digest, entry[0]):
        raise ERROR_AUTHENTICATE_FAILURE(message=f"wrong user id or password for {user_id!r}")
    _, name, email, state = entry
    return make_user_info(user_id, state=state, name=name, email=email)
