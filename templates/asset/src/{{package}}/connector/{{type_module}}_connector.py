"""Access to the data source of {{provider}}.

This sample connector serves built-in sample data, so the plugin works without
network access or credentials. Replace the two ``list_*`` methods with calls to
the real API (keep the returned shapes, or adapt the manager).
"""

import logging

from spaceone_plugin_sdk import ERROR_INVALID_PARAMETER

_LOGGER = logging.getLogger(__name__)

SAMPLE_REGIONS = [
    {"code": "region-east", "name": "East"},
    {"code": "region-west", "name": "West"},
]

SAMPLE_RESOURCES = [
    {
        "id": "res-0001",
        "name": "alpha",
        "region": "region-east",
        "status": "RUNNING",
        "size_bytes": 10737418240,
        "usage_percent": 42.5,
        "created_at": "2024-01-15T09:30:00Z",
        "addresses": ["10.0.0.11", "10.0.0.12"],
        "labels": ["web", "production"],
        "owner": {"team": "platform", "email": "platform@example.com"},
        "tags": {"env": "prod"},
    },
    {
        "id": "res-0002",
        "name": "beta",
        "region": "region-east",
        "status": "STOPPED",
        "size_bytes": 5368709120,
        "usage_percent": 0.0,
        "created_at": "2024-03-02T17:05:00Z",
        "addresses": ["10.0.1.20"],
        "labels": ["batch"],
        "owner": {"team": "data", "email": "data@example.com"},
        "tags": {"env": "dev"},
    },
    {
        "id": "res-0003",
        "name": "gamma",
        "region": "region-west",
        "status": "PENDING",
        "size_bytes": 21474836480,
        "usage_percent": 87.0,
        "created_at": "2024-06-21T08:00:00Z",
        "addresses": [],
        "labels": [],
        "owner": {"team": "platform", "email": "platform@example.com"},
        "tags": {},
    },
]


class {{type_class}}Connector:
    """Talks to the data source with the credentials in ``secret_data``."""

    def __init__(self, secret_data: dict):
        self.secret_data = secret_data or {}

    def verify(self) -> None:
        """Raise an ERROR_* exception when the credentials cannot be used.

        The sample source needs none; an ``api_key``, when given, must be a
        non-empty string.
        """
        if "api_key" in self.secret_data:
            api_key = self.secret_data["api_key"]
            if not isinstance(api_key, str) or not api_key:
                raise ERROR_INVALID_PARAMETER(key="secret_data.api_key", reason="must be a non-empty string")

    def list_regions(self) -> list:
        """The regions of the source: ``[{"code", "name"}, ...]``."""
        return [dict(region) for region in SAMPLE_REGIONS]

    def list_resources(self, region_code: str) -> list:
        """The resources of one region, as the source describes them."""
        _LOGGER.debug(f"[list_resources] region_code={region_code}")
        return [dict(r) for r in SAMPLE_RESOURCES if r["region"] == region_code]
