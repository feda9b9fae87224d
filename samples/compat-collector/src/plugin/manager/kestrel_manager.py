"""Turns Kestrel API records into inventory resources with the framework's helpers."""

from spaceone.core.error import ERROR_INVALID_PARAMETER, ERROR_INVALID_PARAMETER_TYPE
from spaceone.inventory.plugin.collector.lib import (
    make_cloud_service,
    make_cloud_service_type,
    make_cloud_service_with_metadata,
    make_error_response,
    make_response,
)

from plugin.connector.kestrel_api import KestrelApi
from plugin.error import ERROR_UNKNOWN_REGION

PROVIDER = "kestrel"
CONSOLE_URL = "https://console.kestrel.example"
ICON_URL = "https://assets.kestrel.example/icons"

TYPE_MATCH_KEYS = [["name", "group", "provider"]]
SERVICE_MATCH_KEYS = [["reference.resource_id", "provider", "cloud_service_type", "cloud_service_group"]]
REGION_MATCH_KEYS = [["region_code", "provider"]]


def _instance(record: dict, region_code: str, account_id: str) -> dict:
    ip_addresses = [ip for ip in (record.get("private_ip"), record.get("public_ip")) if ip]
    return make_cloud_service_with_metadata(
        name=record["name"],
        cloud_service_type="Instance",
        cloud_service_group="Compute",
        provider=PROVIDER,
        data=record,
        metadata_path="metadata/compute/instance.yaml",
        ip_addresses=ip_addresses,
        account=account_id,
        instance_type=record.get("flavor"),
        instance_size=record.get("vcpus"),
        region_code=region_code,
        reference={
            "resource_id": record["instance_id"],
            "external_link": f"{CONSOLE_URL}/{region_code}/instances/{record['instance_id']}",
        },
        tags=record.get("labels", {}),
        data_format="dict",
    )


def _volume(record: dict, region_code: str, account_id: str) -> dict:
    return make_cloud_service_with_metadata(
        name=record["name"],
        cloud_service_type="Volume",
        cloud_service_group="Compute",
        provider=PROVIDER,
        data=record,
        metadata_path="metadata/compute/volume.yaml",
        account=account_id,
        instance_type=record.get("volume_type"),
        instance_size=record.get("size_bytes"),
        region_code=region_code,
        reference={"resource_id": record["volume_id"]},
        tags=record.get("labels", {}),
        data_format="dict",
    )


def _load_balancer(record: dict, region_code: str, account_id: str) -> dict:
    # The view of a load balancer is its type's (json_metadata refers to it); the
    # record travels as JSON text (json_data).
    return make_cloud_service(
        name=record["name"],
        cloud_service_type="LoadBalancer",
        cloud_service_group="Networking",
        provider=PROVIDER,
        data=record,
        account=account_id,
        region_code=region_code,
        reference={
            "resource_id": record["lb_id"],
            "external_link": f"{CONSOLE_URL}/{region_code}/load-balancers/{record['lb_id']}",
        },
    )


class Kind:
    """One cloud service type: how to describe it, list it and convert its records."""

    def __init__(self, group, name, metadata_path, list_records, convert, is_primary, is_major, service_code, labels):
        self.group = group
        self.name = name
        self.metadata_path = metadata_path
        self.list_records = list_records
        self.convert = convert
        self.is_primary = is_primary
        self.is_major = is_major
        self.service_code = service_code
        self.labels = labels

    def cloud_service_type(self) -> dict:
        return make_cloud_service_type(
            name=self.name,
            group=self.group,
            provider=PROVIDER,
            metadata_path=self.metadata_path,
            is_primary=self.is_primary,
            is_major=self.is_major,
            service_code=self.service_code,
            tags={"spaceone:icon": f"{ICON_URL}/{self.name.lower()}.svg"},
            labels=self.labels,
        )


KINDS = [
    Kind("Compute", "Instance", "metadata/compute/instance.yaml", KestrelApi.instances, _instance,
         is_primary=True, is_major=True, service_code="KCompute", labels=["Compute", "Server"]),
    Kind("Compute", "Volume", "metadata/compute/volume.yaml", KestrelApi.volumes, _volume,
         is_primary=False, is_major=True, service_code="KCompute", labels=["Compute", "Storage"]),
    Kind("Networking", "LoadBalancer", "metadata/networking/load_balancer.yaml", KestrelApi.load_balancers,
         _load_balancer, is_primary=True, is_major=False, service_code="KNetwork", labels=["Networking"]),
]


def region_filter(options: dict) -> list:
    """options.regions: a list of region codes, or absent for every region."""
    regions = options.get("regions")
    if regions is None:
        return []
    if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
        raise ERROR_INVALID_PARAMETER_TYPE(key="options.regions", type="list of str")
    return regions


def _regions(api: KestrelApi, options: dict) -> list:
    wanted = region_filter(options)
    return [r for r in api.regions() if not wanted or r["region_code"] in wanted]


def get_tasks(options: dict, secret_data: dict) -> dict:
    """One task for the cloud service types and regions, then one per region."""
    api = KestrelApi.from_params(options, secret_data)
    tasks = [{"task_options": {"scope": "types"}}]
    for region in _regions(api, options):
        tasks.append({"task_options": {"scope": "region", "region_code": region["region_code"]}})
    return {"tasks": tasks}


def collect(options: dict, secret_data: dict, task_options: dict = None):
    """Everything without task_options; else what the task (see get_tasks) names."""
    region_filter(options)
    api = KestrelApi.from_params(options, secret_data)
    # Checks the API key before anything is sent.
    account_id = api.account()["account_id"]
    regions = _regions(api, options)
    scope = (task_options or {}).get("scope", "all")

    if scope in ("all", "types"):
        for kind in KINDS:
            yield make_response(
                cloud_service_type=kind.cloud_service_type(),
                match_keys=TYPE_MATCH_KEYS,
                resource_type="inventory.CloudServiceType",
            )
        for region in regions:
            yield make_response(
                region={
                    "name": region["name"],
                    "region_code": region["region_code"],
                    "provider": PROVIDER,
                    "tags": {"country": region["country"]},
                },
                match_keys=REGION_MATCH_KEYS,
                resource_type="inventory.Region",
            )

    if scope == "all":
        codes = [r["region_code"] for r in regions]
    elif scope == "region":
        code = task_options.get("region_code")
        known = [r["region_code"] for r in regions]
        if code not in known:
            raise ERROR_UNKNOWN_REGION(region_code=code, known=", ".join(known))
        codes = [code]
    elif scope == "types":
        codes = []
    else:
        raise ERROR_INVALID_PARAMETER(
            key="task_options.scope", reason=f"'{scope}' is none of all, types, region"
        )

    for code in codes:
        for kind in KINDS:
            try:
                records = kind.list_records(api, code)
            except Exception as e:
                yield make_error_response(
                    error=e,
                    provider=PROVIDER,
                    cloud_service_group=kind.group,
                    cloud_service_type=kind.name,
                )
                continue
            for record in records:
                try:
                    cloud_service = kind.convert(record, code, account_id)
                except Exception as e:
                    yield make_error_response(
                        error=e,
                        provider=PROVIDER,
                        cloud_service_group=kind.group,
                        cloud_service_type=kind.name,
                    )
                    continue
                yield make_response(cloud_service=cloud_service, match_keys=SERVICE_MATCH_KEYS)
