"""Turns what the connector returns into inventory resources.

Each collected resource becomes one response built with the SDK helpers:

* the cloud service type {{group}} / {{type}}, whose view in the console is
  described by ``metadata/{{group_dir}}/{{type_module}}.yaml``;
* one region per region of the source;
* one cloud service per resource.

A resource that cannot be converted becomes a FAILURE response instead of
ending the whole collection.
"""

import logging

from spaceone_plugin_sdk import (
    make_cloud_service,
    make_cloud_service_type,
    make_error_response,
    make_response,
)

from {{package}}.connector.{{type_module}}_connector import {{type_class}}Connector

_LOGGER = logging.getLogger(__name__)

PROVIDER = "{{provider}}"
CLOUD_SERVICE_GROUP = "{{group}}"
CLOUD_SERVICE_TYPE = "{{type}}"
# Relative paths are resolved against the plugin package directory.
METADATA_PATH = "metadata/{{group_dir}}/{{type_module}}.yaml"

CLOUD_SERVICE_MATCH_KEYS = [["reference.resource_id", "provider", "cloud_service_type", "cloud_service_group"]]
CLOUD_SERVICE_TYPE_MATCH_KEYS = [["name", "group", "provider"]]
REGION_MATCH_KEYS = [["region_code", "provider"]]


class {{type_class}}Manager:
    def __init__(self, options: dict, secret_data: dict):
        self.options = options or {}
        self.connector = {{type_class}}Connector(secret_data)

    @staticmethod
    def options_schema() -> dict:
        """JSON schema of the collector options, shown by the console."""
        return {
            "type": "object",
            "properties": {
                "region_codes": {
                    "title": "Regions",
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Collect only these region codes (all regions when empty).",
                }
            },
        }

    def task_options(self) -> list:
        """One task per region."""
        return [{"region_code": code} for code in self._region_codes()]

    def collect(self, task_options: dict):
        """Yield the responses of one task (all regions when there is no task).

        The cloud service type comes with the first region's task only: the
        inventory runs the tasks at the same time, and two tasks creating the same
        type at once fail one of them (ERROR_SAVE_UNIQUE_VALUES).
        """
        _LOGGER.debug(f"[collect] task_options={task_options}")
        wanted = task_options.get("region_code")
        if not wanted or wanted == next(iter(self._region_codes()), None):
            yield self._cloud_service_type()
        for region in self.connector.list_regions():
            if region["code"] not in self._region_codes() or (wanted and region["code"] != wanted):
                continue
            yield make_response(
                region={"name": region["name"], "region_code": region["code"], "provider": PROVIDER},
                match_keys=REGION_MATCH_KEYS,
                resource_type="inventory.Region",
            )
            for resource in self.connector.list_resources(region["code"]):
                try:
                    yield self._cloud_service(resource)
                except Exception as e:
                    yield make_error_response(
                        error=e,
                        provider=PROVIDER,
                        cloud_service_group=CLOUD_SERVICE_GROUP,
                        cloud_service_type=CLOUD_SERVICE_TYPE,
                    )

    def _region_codes(self) -> list:
        selected = self.options.get("region_codes") or []
        return [r["code"] for r in self.connector.list_regions() if not selected or r["code"] in selected]

    @staticmethod
    def _cloud_service_type() -> dict:
        return make_response(
            cloud_service_type=make_cloud_service_type(
                name=CLOUD_SERVICE_TYPE,
                group=CLOUD_SERVICE_GROUP,
                provider=PROVIDER,
                metadata_path=METADATA_PATH,
                is_primary=True,
                is_major=True,
                labels=["Sample"],
            ),
            match_keys=CLOUD_SERVICE_TYPE_MATCH_KEYS,
            resource_type="inventory.CloudServiceType",
        )

    @staticmethod
    def _cloud_service(resource: dict) -> dict:
        data = {
            "id": resource["id"],
            "name": resource["name"],
            "status": resource["status"],
            "size_bytes": resource["size_bytes"],
            "usage_percent": resource["usage_percent"],
            "created_at": resource["created_at"],
            "addresses": resource["addresses"],
            "labels": resource["labels"],
            "owner": resource["owner"],
        }
        cloud_service = make_cloud_service(
            name=resource["name"],
            cloud_service_type=CLOUD_SERVICE_TYPE,
            cloud_service_group=CLOUD_SERVICE_GROUP,
            provider=PROVIDER,
            data=data,
            ip_addresses=resource["addresses"],
            instance_size=resource["size_bytes"] / 1024 ** 3,
            region_code=resource["region"],
            reference={"resource_id": resource["id"]},
            tags=resource["tags"],
            # "json" (the default) sends data as a JSON text in json_data.
            data_format="dict",
        )
        return make_response(cloud_service=cloud_service, match_keys=CLOUD_SERVICE_MATCH_KEYS)
