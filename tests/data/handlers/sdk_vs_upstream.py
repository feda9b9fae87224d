"""Compare spaceone_plugin_sdk's helpers with spaceone-inventory's, case by case.

Run with an interpreter that has spaceone-inventory installed:
    python sdk_vs_upstream.py SDK_DIR PROJECT_DIR
SDK_DIR holds spaceone_plugin_sdk.py; PROJECT_DIR holds the package ``sdkplug``
(its metadata files are what metadata_path refers to). Prints one line per
difference and exits 1 if there is any; prints ``ok <number of cases>`` otherwise.

Where the SDK deliberately differs (metadata conversion happens in the host),
the upstream result is compared with the SDK result after the host's part:
the SDK's ``__metadata__`` marker must name the same source, and the converted
fields are taken from upstream.
"""

import copy
import sys

sdk_dir, project_dir = sys.argv[1], sys.argv[2]
sys.path.insert(0, project_dir)
sys.path.insert(0, sdk_dir)

from spaceone.core import config  # noqa: E402

config.init_conf(package="sdkplug")

import spaceone_plugin_sdk as sdk  # noqa: E402
from spaceone.inventory.plugin.collector import lib as upstream  # noqa: E402

METADATA = "metadata/things/thing.yaml"
failures = []
cases = 0


def outcome(func, *args, **kwargs):
    # Each library gets its own copy: upstream converts a metadata dict in place.
    def fresh(v):
        return copy.deepcopy(v) if isinstance(v, (dict, list)) else v

    args = [fresh(a) for a in args]
    kwargs = {k: fresh(v) for k, v in kwargs.items()}
    try:
        return ("value", func(*args, **kwargs))
    except Exception as e:  # both libraries raise their own error classes
        code = getattr(e, "error_code", type(e).__name__)
        return ("error", code, getattr(e, "status_code", None), getattr(e, "message", str(e)))


def compare(name, mine, theirs):
    global cases
    cases += 1
    if mine != theirs:
        failures.append(f"{name}:\n  sdk:      {mine!r}\n  upstream: {theirs!r}")


def same(label, helper, /, *args, **kwargs):
    compare(label, outcome(getattr(sdk, helper), *args, **kwargs),
            outcome(getattr(upstream, helper), *args, **kwargs))


def after_host(label, helper, field, source, /, *args, **kwargs):
    """SDK result with the host's metadata step applied, compared with upstream's."""
    mine = outcome(getattr(sdk, helper), *args, **kwargs)
    theirs = outcome(getattr(upstream, helper), *args, **kwargs)
    if mine[0] == "value" and theirs[0] == "value":
        mine = dict(mine[1])
        marker = mine.pop("__metadata__", None)
        compare(label + " marker", marker, source)
        mine[field] = theirs[1][field]
        mine = ("value", mine)
    compare(label, mine, theirs)


data = {"name": "x", "price": 1.5, "rank": 1, "tags": ["a", "é"], "nested": {"n": None}}
for fmt in ("json", "dict", "yaml"):
    for payload in (data, None, {}):
        same(f"make_cloud_service {fmt} {payload!r}", "make_cloud_service",
             "n", "T", "G", "p", data=payload, data_format=fmt)
same("make_cloud_service all fields", "make_cloud_service",
     name="n", cloud_service_type="T", cloud_service_group="G", provider="p", data=data,
     ip_addresses=["10.0.0.1"], account="acc", instance_type="t3", instance_size=3,
     region_code="r1", reference={"resource_id": "id-1", "external_link": "https://e", "x": 1},
     tags={"k": "v"})
same("make_cloud_service float size", "make_cloud_service", "n", "T", "G", "p", instance_size=2.5)
same("make_cloud_service empty reference", "make_cloud_service", "n", "T", "G", "p", reference={})
same("make_cloud_service_with_metadata no path", "make_cloud_service_with_metadata",
     "n", "T", "G", "p", data=data)
after_host("make_cloud_service_with_metadata path", "make_cloud_service_with_metadata", "metadata",
           {"path": METADATA, "as": "metadata"},
           "n", "T", "G", "p", data=data, data_format="dict", metadata_path=METADATA,
           instance_size=1, tags={"a": "b"})
after_host("make_cloud_service_type path", "make_cloud_service_type", "json_metadata",
           {"path": METADATA, "as": "json_metadata"},
           "Type", "Group", "p", metadata_path=METADATA, is_primary=True, is_major=True,
           service_code="svc", tags={"t": 1}, labels=["Compute"])
inline = {"search": {"fields": [{"A": "data.a"}]}}
after_host("make_cloud_service_type inline", "make_cloud_service_type", "json_metadata",
           {"value": {"search": {"fields": [{"A": "data.a"}]}}, "as": "json_metadata"},
           "Type", "Group", "p", metadata=inline)
same("make_cloud_service_type without metadata", "make_cloud_service_type", "Type", "Group", "p")
same("make_cloud_service_type empty metadata", "make_cloud_service_type", "Type", "Group", "p",
     metadata={})

resource = {"name": "r"}
for rt, key in [("inventory.CloudService", "cloud_service"),
                ("inventory.CloudServiceType", "cloud_service_type"),
                ("inventory.Region", "region"), ("inventory.Metric", "metric"),
                ("inventory.Namespace", "namespace")]:
    same(f"make_response {rt}", "make_response", [["name"]], resource_type=rt, **{key: resource})
    same(f"make_response {rt} missing", "make_response", [["name"]], resource_type=rt)
same("make_response default type", "make_response", [["a"], ["b"]], cloud_service=resource)
same("make_response error resource", "make_response", [], resource_type="inventory.ErrorResource")
same("make_response unknown type", "make_response", [], resource_type="inventory.Foo")

same("make_error_response ValueError", "make_error_response", ValueError("boom"), "p", "G", "T")
same("make_error_response region", "make_error_response", KeyError("k"), "p", "G", "T",
     resource_type="inventory.Region", region_name="x")
compare("make_error_response with an SDK error",
        outcome(sdk.make_error_response, sdk.ERROR_REQUIRED_PARAMETER(key="token"), "p", "G", "T"),
        outcome(upstream.make_error_response,
                __import__("spaceone.core.error", fromlist=["x"]).ERROR_REQUIRED_PARAMETER(key="token"),
                "p", "G", "T"))

from spaceone.core import error as core_error  # noqa: E402
from spaceone.inventory.plugin.collector.error import response as collector_error  # noqa: E402

for cls, kwargs in [
    ("ERROR_INVALID_ARGUMENT", {}),
    ("ERROR_REQUIRED_PARAMETER", {"key": "k"}),
    ("ERROR_INVALID_PARAMETER_TYPE", {"key": "k", "type": "str"}),
    ("ERROR_INVALID_PARAMETER", {"key": "k", "reason": "r"}),
    ("ERROR_NOT_FOUND", {"key": "k", "value": "v"}),
    ("ERROR_NOT_UNIQUE", {"key": "k", "value": "v"}),
    ("ERROR_AUTHENTICATE_FAILURE", {"message": "m"}),
    ("ERROR_PERMISSION_DENIED", {}),
    ("ERROR_UNKNOWN", {"message": "m"}),
    ("ERROR_REQUEST_TIMEOUT", {}),
    ("ERROR_NOT_IMPLEMENTED", {}),
    ("ERROR_NOT_SUPPORTED_RESOURCE_TYPE", {"resource_type": "x"}),
    ("ERROR_REQUIRED_PARAMETER_FOR_RESOURCE_TYPE", {"resource_type": "x", "key": "k"}),
    ("ERROR_REQUIRED_PARAMETER", {}),
]:
    theirs_cls = getattr(collector_error, cls, None) or getattr(core_error, cls)
    compare(f"{cls}({kwargs})", outcome(lambda: (_ for _ in ()).throw(getattr(sdk, cls)(**kwargs))),
            outcome(lambda: (_ for _ in ()).throw(theirs_cls(**kwargs))))

for line in failures:
    print(line)
print(f"ok {cases}" if not failures else f"{len(failures)} of {cases} cases differ")
sys.exit(1 if failures else 0)
