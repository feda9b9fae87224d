"""A small client of the Kestrel Cloud REST API (JSON over HTTP, standard library only)."""

import json
import os
import urllib.error
import urllib.parse
import urllib.request

from spaceone.core.error import (
    ERROR_INVALID_PARAMETER,
    ERROR_INVALID_PARAMETER_TYPE,
    ERROR_REQUIRED_PARAMETER,
)

from plugin.error import ERROR_KESTREL_API, ERROR_KESTREL_API_URL, ERROR_KESTREL_UNREACHABLE

API_URL_ENV = "KESTREL_API_URL"
TIMEOUT_SECONDS = 10.0


class KestrelApi:
    def __init__(self, base_url: str, api_key: str, timeout: float = TIMEOUT_SECONDS):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    @classmethod
    def from_params(cls, options: dict, secret_data: dict) -> "KestrelApi":
        """The API address comes from options.api_url, else from $KESTREL_API_URL."""
        api_url = options.get("api_url") or os.environ.get(API_URL_ENV)
        if not api_url:
            raise ERROR_KESTREL_API_URL()
        if not isinstance(api_url, str):
            raise ERROR_INVALID_PARAMETER_TYPE(key="options.api_url", type="str")
        api_key = secret_data.get("api_key")
        if not api_key:
            raise ERROR_REQUIRED_PARAMETER(key="secret_data.api_key")
        if not isinstance(api_key, str):
            raise ERROR_INVALID_PARAMETER_TYPE(key="secret_data.api_key", type="str")
        return cls(api_url, api_key)

    def get(self, path: str):
        request = urllib.request.Request(
            self.base_url + path,
            headers={"Authorization": f"Bearer {self.api_key}", "Accept": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            reason = _error_text(e)
            if e.code == 401:
                raise ERROR_INVALID_PARAMETER(
                    key="secret_data.api_key", reason=f"the Kestrel API refused it: {reason}"
                )
            raise ERROR_KESTREL_API(status=e.code, path=path, reason=reason)
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise ERROR_KESTREL_UNREACHABLE(url=self.base_url, reason=reason)

    def account(self) -> dict:
        return self.get("/v1/account")

    def regions(self) -> list:
        return self.get("/v1/regions")

    def instances(self, region_code: str) -> list:
        return self.get(f"/v1/regions/{_quote(region_code)}/instances")

    def volumes(self, region_code: str) -> list:
        return self.get(f"/v1/regions/{_quote(region_code)}/volumes")

    def load_balancers(self, region_code: str) -> list:
        return self.get(f"/v1/regions/{_quote(region_code)}/load-balancers")


def _quote(segment: str) -> str:
    return urllib.parse.quote(segment, safe="")


def _error_text(error: urllib.error.HTTPError) -> str:
    """The "error" member of a JSON error body, else the HTTP reason phrase."""
    try:
        body = json.loads(error.read().decode("utf-8"))
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            return body["error"]
    except Exception:
        pass
    return str(error.reason)
