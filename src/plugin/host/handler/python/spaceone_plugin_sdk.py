"""spaceone_plugin_sdk: write SpaceONE inventory collector plugins for the spacectl plugin host.

Standard library only. A plugin's ``main.py`` creates one server object and
registers one function per route::

    from spaceone_plugin_sdk import CollectorPluginServer, make_cloud_service, make_response

    app = CollectorPluginServer()

    @app.route("Collector.init")
    def collector_init(params: dict) -> dict:
        return {"metadata": {"options_schema": {}}}

    @app.route("Collector.collect")
    def collector_collect(params: dict):
        yield make_response(
            cloud_service=make_cloud_service(
                name="vm-1", cloud_service_type="Instance", cloud_service_group="Compute",
                provider="my-cloud", data={"cpu": 2}, data_format="dict",
            ),
            match_keys=[["name", "provider"]],
        )

Serve it with ``spacectl run plugin-server PACKAGE -s SOURCE_ROOT``. The host
validates params and return values, fills in defaults and converts metadata
YAML files (``metadata_path`` is passed through, relative to the package
directory); the helpers here only build plain dicts.

Routes: ``Collector.init``, ``Collector.verify``, ``Collector.collect`` (an
iterable of responses) and ``Job.get_tasks``. Each route function receives the
request as a dict. Raise one of the ``ERROR_*`` exceptions below to answer with
that error code and gRPC status; any other exception is reported as
``ERROR_UNKNOWN`` with ``str(exception)``.
"""

import datetime
import json
import logging
import os
import re

__all__ = [
    "PluginServer",
    "CollectorPluginServer",
    "make_cloud_service_type",
    "make_cloud_service_with_metadata",
    "make_cloud_service",
    "make_response",
    "make_error_response",
    "parse_datetime",
    "ERROR_BASE",
    "ERROR_INVALID_ARGUMENT",
    "ERROR_REQUIRED_PARAMETER",
    "ERROR_INVALID_PARAMETER_TYPE",
    "ERROR_INVALID_PARAMETER",
    "ERROR_NOT_FOUND",
    "ERROR_NOT_UNIQUE",
    "ERROR_AUTHENTICATE_FAILURE",
    "ERROR_PERMISSION_DENIED",
    "ERROR_UNKNOWN",
    "ERROR_REQUEST_TIMEOUT",
    "ERROR_NOT_IMPLEMENTED",
    "ERROR_MESSAGE_FORMAT",
    "ERROR_NOT_SUPPORTED_RESOURCE_TYPE",
    "ERROR_REQUIRED_PARAMETER_FOR_RESOURCE_TYPE",
]

SDK_VERSION = "1"

_LOGGER = logging.getLogger("spaceone_plugin_sdk")


# --- datetimes --------------------------------------------------------------------

_DATETIME = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})"
    r"(?::(\d{1,2})(?:\.(\d{1,6})\d{0,6})?)?"
    r"(Z|[+-]\d{2}(?::?\d{2})?)?"
)
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def parse_datetime(text):
    """The ``datetime`` a datetime parameter's text stands for.

    In SDK mode a route receives datetime parameters (the cost data source's
    ``last_synchronized_at``) as the request's text, which the host has checked:
    ``YYYY-MM-DD[T ]HH:MM[:SS[.ffffff]][Z|+HH[:MM]|-HH[:MM]]`` (aware when it has
    an offset), or a number of seconds since the epoch (milliseconds above
    2e10; aware, UTC). ``None`` stays ``None``; any other text is a ValueError.
    """
    if text is None or isinstance(text, datetime.datetime):
        return text
    if isinstance(text, (int, float)) or _NUMBER.fullmatch(text or ""):
        seconds = float(text)
        if abs(seconds) > 2e10:
            seconds /= 1000
        return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)
    m = _DATETIME.fullmatch(text)
    if m is None:
        raise ValueError(f"invalid datetime format: {text!r}")
    year, month, day, hour, minute, second, fraction, tz = m.groups()
    tzinfo = None
    if tz == "Z":
        tzinfo = datetime.timezone.utc
    elif tz:
        minutes = 60 * int(tz[1:3]) + (int(tz[-2:]) if len(tz) > 3 else 0)
        tzinfo = datetime.timezone(datetime.timedelta(minutes=-minutes if tz[0] == "-" else minutes))
    return datetime.datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
        int((fraction or "0").ljust(6, "0")), tzinfo=tzinfo,
    )


# --- errors -----------------------------------------------------------------------


class ERROR_BASE(Exception):
    """An error answered to the caller as ``<error_code>: <message>`` with ``status_code``.

    Subclasses set ``_status_code`` (a gRPC status name) and ``_message`` (a
    ``str.format`` template filled from the keyword arguments); the error code is
    the class name.
    """

    _status_code = "INTERNAL"
    _message = "Base Error Class"

    def __init__(self, **kwargs):
        template = type(self)._message
        try:
            text = template.format(**kwargs)
        except (KeyError, IndexError, ValueError):
            raise ERROR_MESSAGE_FORMAT(error_class=type(self).__name__, key=str(kwargs))
        super().__init__(text)
        self._message = text
        self.kwargs = kwargs

    @property
    def error_code(self):
        return type(self).__name__

    @property
    def status_code(self):
        return type(self)._status_code

    @property
    def message(self):
        return self._message

    def __str__(self):
        return f"{self.error_code}: {self._message}"

    def __reduce__(self):
        # Copy and pickle by keyword arguments (the message is a formatted template).
        return (_rebuild_error, (type(self), self.kwargs))

    def __repr__(self):
        return f"{self.error_code}({self._message!r})"


def _rebuild_error(cls, kwargs):
    return cls(**kwargs)


class ERROR_INVALID_ARGUMENT(ERROR_BASE):
    _status_code = "INVALID_ARGUMENT"
    _message = "Argument is invalid."


class ERROR_REQUIRED_PARAMETER(ERROR_INVALID_ARGUMENT):
    _message = "Required parameter. (key = {key})"


class ERROR_INVALID_PARAMETER_TYPE(ERROR_INVALID_ARGUMENT):
    _message = "Parameter type is invalid. (key = {key}, type = {type})"


class ERROR_INVALID_PARAMETER(ERROR_INVALID_ARGUMENT):
    _message = "Parameter is invalid. (key = {key}, reason = {reason})"


class ERROR_NOT_FOUND(ERROR_INVALID_ARGUMENT):
    _status_code = "NOT_FOUND"
    _message = "Resource cannot be found or access is denied. ({key} = {value})"


class ERROR_NOT_UNIQUE(ERROR_INVALID_ARGUMENT):
    _status_code = "ALREADY_EXISTS"
    _message = "Tried to save duplicate unique key. ({key} = {value})"


class ERROR_AUTHENTICATE_FAILURE(ERROR_INVALID_ARGUMENT):
    _status_code = "UNAUTHENTICATED"
    _message = "Authenticate failure. (message = {message})"


class ERROR_PERMISSION_DENIED(ERROR_INVALID_ARGUMENT):
    _status_code = "PERMISSION_DENIED"
    _message = "Permission denied."


class ERROR_UNKNOWN(ERROR_BASE):
    _status_code = "INTERNAL"
    _message = "{message}"


class ERROR_REQUEST_TIMEOUT(ERROR_UNKNOWN):
    _status_code = "DEADLINE_EXCEEDED"
    _message = "Request timeout!"


class ERROR_NOT_IMPLEMENTED(ERROR_UNKNOWN):
    _status_code = "UNIMPLEMENTED"
    _message = "Not implemented."


class ERROR_MESSAGE_FORMAT(ERROR_UNKNOWN):
    _message = "Error message format is invalid. (error_class = {error_class}, key = {key})"


class ERROR_NOT_SUPPORTED_RESOURCE_TYPE(ERROR_UNKNOWN):
    _message = "The resource type is not supported. (resource_type={resource_type})"


class ERROR_REQUIRED_PARAMETER_FOR_RESOURCE_TYPE(ERROR_UNKNOWN):
    _message = (
        "The required parameter is not given for the resource type. "
        "(resource_type={resource_type}, key={key})"
    )


# --- server -----------------------------------------------------------------------


class PluginServer:
    """Route table of a plugin; subclasses list the allowed ``Class.method`` names."""

    # Read by the host's runner to recognise apps built with this module.
    SPACEONE_PLUGIN_SDK = SDK_VERSION
    # The kind the host serves for this server (reported in the handler's ready
    # message); each kind's server class names it.
    plugin_kind = None
    plugin_methods = {}

    def __init__(self):
        self._routes = {}

    def route(self, plugin_method):
        """Decorator registering ``func`` for ``plugin_method`` (e.g. ``"Collector.init"``).

        Unknown names fail at import time with the same messages as upstream's
        framework. The decorated function is returned unchanged.
        """
        class_name, method_name = plugin_method.split(".")
        allowed = type(self).plugin_methods
        if class_name not in allowed:
            raise ValueError(
                f"Plugin method is invalid. (plugin_method = {plugin_method}, "
                f"allowed = {list(allowed)})"
            )
        if method_name not in allowed[class_name]:
            raise ValueError(
                f"Plugin method is invalid. (plugin_method = {plugin_method},"
                f"allowed = {list(allowed[class_name])})"
            )

        def register(func):
            self._routes[plugin_method] = func
            return func

        return register

    def plugin_routes(self):
        """Registered route names, in registration order."""
        return list(self._routes)

    def is_plugin_method(self, plugin_method):
        """Whether ``plugin_method`` is an allowed route name (registered or not)."""
        class_name, _, method_name = str(plugin_method).partition(".")
        return method_name in type(self).plugin_methods.get(class_name, ())

    def get_plugin_method(self, plugin_method):
        """The function registered for ``plugin_method``, or None."""
        return self._routes.get(plugin_method)


class CollectorPluginServer(PluginServer):
    """Inventory collector plugin: ``Collector.init/verify/collect`` and ``Job.get_tasks``."""

    plugin_kind = "asset"
    plugin_methods = {
        "Collector": ["init", "verify", "collect"],
        "Job": ["get_tasks"],
    }


# --- helpers ----------------------------------------------------------------------

_RESOURCE_FIELDS = {
    "inventory.CloudServiceType": "cloud_service_type",
    "inventory.CloudService": "cloud_service",
    "inventory.Region": "region",
    "inventory.Metric": "metric",
    "inventory.Namespace": "namespace",
}


def _dump_json(data):
    try:
        return json.dumps(data, ensure_ascii=False)
    except Exception as e:
        raise ValueError(f"JSON Dump Error: {e}")


def _metadata_source(path, kind):
    # The host reads the YAML file (relative to the package directory), converts it
    # to the dynamic view and stores the result in ``kind``; see docs/plugin-protocol.md.
    return {"path": os.fspath(path) if isinstance(path, os.PathLike) else path, "as": kind}


def _as_float(value):
    if isinstance(value, (int, float)):
        return float(value)
    return value


def _reference(reference):
    if isinstance(reference, dict):
        return {k: reference[k] for k in ("resource_id", "external_link") if k in reference}
    return reference


def _cloud_service(name, cloud_service_type, cloud_service_group, provider, data, ip_addresses,
                   account, instance_type, instance_size, region_code, reference, tags, data_format):
    if data_format == "json":
        data_value, json_data = None, _dump_json(data)
    else:
        data_value, json_data = data, None
    return {
        "name": name,
        "cloud_service_type": cloud_service_type,
        "cloud_service_group": cloud_service_group,
        "provider": provider,
        "ip_addresses": [] if ip_addresses is None else ip_addresses,
        "account": account,
        "instance_type": instance_type,
        "instance_size": 0.0 if instance_size is None else _as_float(instance_size),
        "launched_at": None,
        "region_code": region_code,
        "data": data_value,
        "json_data": json_data,
        "metadata": None,
        "json_metadata": None,
        "reference": _reference(reference),
        "tags": {} if tags is None else tags,
    }


def make_cloud_service_type(
    name,
    group,
    provider,
    metadata_path=None,
    metadata=None,
    is_primary=False,
    is_major=False,
    service_code=None,
    tags=None,
    labels=None,
) -> dict:
    """A CloudServiceType dict; its view comes from ``metadata`` (a dict) or the YAML at ``metadata_path``.

    The host converts the metadata and stores the result as ``json_metadata``.
    """
    if not metadata and metadata_path is None:
        raise ERROR_REQUIRED_PARAMETER(key="metadata or metadata_path")
    if metadata:
        source = {"value": metadata, "as": "json_metadata"}
    else:
        source = _metadata_source(metadata_path, "json_metadata")
    return {
        "name": name,
        "group": group,
        "provider": provider,
        "is_primary": is_primary,
        "is_major": is_major,
        "metadata": None,
        "json_metadata": None,
        "service_code": service_code,
        "tags": {} if tags is None else tags,
        "labels": [] if labels is None else labels,
        "__metadata__": source,
    }


def make_cloud_service_with_metadata(
    name,
    cloud_service_type,
    cloud_service_group,
    provider,
    data=None,
    metadata_path=None,
    ip_addresses=None,
    account=None,
    instance_type=None,
    instance_size=None,
    region_code=None,
    reference=None,
    tags=None,
    data_format="json",
) -> dict:
    """A CloudService dict carrying its own view (``metadata``) converted from ``metadata_path``.

    ``data_format="json"`` stores ``data`` as the ``json_data`` string; any other
    value keeps the ``data`` dict.
    """
    cloud_service = _cloud_service(
        name, cloud_service_type, cloud_service_group, provider, data, ip_addresses, account,
        instance_type, instance_size, region_code, reference, tags, data_format,
    )
    if metadata_path:
        cloud_service["__metadata__"] = _metadata_source(metadata_path, "metadata")
    else:
        cloud_service["metadata"] = {}
    return cloud_service


def make_cloud_service(
    name,
    cloud_service_type,
    cloud_service_group,
    provider,
    data=None,
    ip_addresses=None,
    account=None,
    instance_type=None,
    instance_size=None,
    region_code=None,
    reference=None,
    tags=None,
    data_format="json",
) -> dict:
    """A CloudService dict whose view refers to its CloudServiceType's view."""
    cloud_service = _cloud_service(
        name, cloud_service_type, cloud_service_group, provider, data, ip_addresses, account,
        instance_type, instance_size, region_code, reference, tags, data_format,
    )
    cloud_service["json_metadata"] = _dump_json({
        "view": {
            "sub_data": {
                "reference": {
                    "resource_type": "inventory.CloudServiceType",
                    "options": {
                        "provider": provider,
                        "cloud_service_group": cloud_service_group,
                        "cloud_service_type": cloud_service_type,
                    },
                }
            }
        }
    })
    return cloud_service


def make_response(
    match_keys,
    cloud_service_type=None,
    cloud_service=None,
    region=None,
    metric=None,
    namespace=None,
    resource_type="inventory.CloudService",
) -> dict:
    """A SUCCESS collect response for ``resource_type`` carrying the matching resource."""
    field = _RESOURCE_FIELDS.get(resource_type)
    if field is None:
        raise ERROR_NOT_SUPPORTED_RESOURCE_TYPE(resource_type=resource_type)
    value = {
        "cloud_service_type": cloud_service_type,
        "cloud_service": cloud_service,
        "region": region,
        "metric": metric,
        "namespace": namespace,
    }[field]
    if value is None:
        raise ERROR_REQUIRED_PARAMETER_FOR_RESOURCE_TYPE(resource_type=resource_type, key=field)
    return {
        "state": "SUCCESS",
        "resource_type": resource_type,
        "match_keys": match_keys,
        field: value,
    }


def make_error_response(
    error,
    provider,
    cloud_service_group,
    cloud_service_type,
    resource_type="inventory.CloudService",
    region_name="",
) -> dict:
    """A FAILURE collect response describing ``error`` (logged to the host log)."""
    if isinstance(error, ERROR_BASE) or (
        hasattr(error, "error_code") and isinstance(getattr(error, "message", None), str)
    ):
        error_message = error.message
    else:
        error_message = str(error)
    _LOGGER.error(
        f"[make_error_response] {provider}.{cloud_service_group}.{cloud_service_type}: {error_message}",
        exc_info=True,
    )
    return {
        "state": "FAILURE",
        "resource_type": "inventory.ErrorResource",
        "error_message": error_message,
        "error_data": {
            "provider": provider,
            "cloud_service_group": cloud_service_group,
            "cloud_service_type": cloud_service_type,
            "resource_type": resource_type,
        },
    }
