"""A collector that streams `options.items` cloud services (default 20,000),
each with about 200 bytes of `data`, built with spaceone-inventory's helpers.
Used by bench/stream.sh (the SDK twin is made from this file by rewriting its
imports)."""

from spaceone.inventory.plugin.collector.lib.server import CollectorPluginServer
from spaceone.inventory.plugin.collector.lib import make_cloud_service, make_response

app = CollectorPluginServer()


@app.route("Collector.init")
def collector_init(params: dict) -> dict:
    return {"metadata": {"options_schema": {}}}


@app.route("Collector.collect")
def collector_collect(params: dict):
    count = int(params["options"].get("items", 20000))
    for i in range(count):
        data = {
            "instance_id": f"i-{i:017x}",
            "state": "running" if i % 7 else "stopped",
            "cpu": {"cores": 4, "threads_per_core": 2, "architecture": "x86_64"},
            "memory_gb": 16.0,
            "image": "debian-12-bookworm-v20240515",
            "launched_at": "2024-05-15T08:30:00Z",
            "zone": "north-1a",
        }
        cloud_service = make_cloud_service(
            name=f"bench-instance-{i:06d}",
            cloud_service_type="Instance",
            cloud_service_group="Compute",
            provider="bench",
            data=data,
            ip_addresses=[f"10.0.{i // 256 % 256}.{i % 256}"],
            account="bench-account-0001",
            instance_type="m5.xlarge",
            region_code="north-1",
            reference={"resource_id": f"i-{i:017x}"},
            tags={"team": "platform", "index": str(i)},
        )
        yield make_response(
            cloud_service=cloud_service,
            match_keys=[["reference.resource_id", "provider", "cloud_service_type", "cloud_service_group"]],
        )
