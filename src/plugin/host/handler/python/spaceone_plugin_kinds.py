"""spaceone_plugin_kinds: the SpaceONE plugin kinds besides the inventory collector,
for the spacectl plugin host. Standard library only; builds on spaceone_plugin_sdk.

One server class per kind, with the same names and route tables as upstream's
plugin libraries (so that ``@app.route`` accepts and refuses the same names):

=============================  ==========================================================
class                          routes
=============================  ==========================================================
ExternalAuthPluginServer       ExternalAuth.init, ExternalAuth.authorize
AccountCollectorPluginServer   AccountCollector.init, AccountCollector.sync
DataSourcePluginServer         DataSource.init, DataSource.verify, Job.get_tasks,
                               Cost.get_data (an iterable of pages), Cost.get_linked_accounts
ProtocolPluginServer           Protocol.init, Protocol.verify, Notification.dispatch
WebhookPluginServer            Webhook.init, Webhook.verify, Event.parse
MetricPluginServer             DataSource.init, DataSource.verify, Metric.list, Metric.get_data
LogPluginServer                DataSource.init, DataSource.verify, Log.list (an iterable of pages)
=============================  ==========================================================

Each class names its kind in ``plugin_kind`` (what ``spacectl run plugin-server``
serves for it). The host validates the requests, fills in the defaults of the
answers and checks them against the kind's models; the helpers below only build
plain dicts with the keys the kind's messages have.

    from spaceone_plugin_kinds import WebhookPluginServer, make_event

    app = WebhookPluginServer()

    @app.route("Event.parse")
    def event_parse(params):
        return {"results": [make_event("key-1", "ALERT", "CPU high", "CRITICAL", rule="cpu")]}
"""

from spaceone_plugin_sdk import PluginServer

__all__ = [
    "ExternalAuthPluginServer",
    "AccountCollectorPluginServer",
    "DataSourcePluginServer",
    "ProtocolPluginServer",
    "WebhookPluginServer",
    "MetricPluginServer",
    "LogPluginServer",
    "KIND_SERVERS",
    "make_user_info",
    "make_account",
    "make_task",
    "make_cost",
    "make_costs_page",
    "make_event",
    "make_metric",
    "make_logs_page",
]

# --- servers --------------------------------------------------------------------------


class ExternalAuthPluginServer(PluginServer):
    """Identity external auth: authorizes users against an outside identity provider."""

    plugin_kind = "external-auth"
    plugin_methods = {"ExternalAuth": ["init", "authorize"]}


class AccountCollectorPluginServer(PluginServer):
    """Identity account collector: the accounts of an outside organization."""

    plugin_kind = "account-collector"
    plugin_methods = {"AccountCollector": ["init", "sync"]}


class DataSourcePluginServer(PluginServer):
    """Cost analysis data source: tasks, linked accounts and cost data (streamed).

    ``Job.get_tasks`` receives ``last_synchronized_at`` as the request's text (or
    None); ``spaceone_plugin_sdk.parse_datetime`` makes the ``datetime`` of it that
    upstream's library would pass.
    """

    plugin_kind = "cost"
    plugin_methods = {
        "DataSource": ["init", "verify"],
        "Job": ["get_tasks"],
        "Cost": ["get_data", "get_linked_accounts"],
    }


class ProtocolPluginServer(PluginServer):
    """Notification protocol: delivers messages to a channel."""

    plugin_kind = "notification"
    plugin_methods = {"Protocol": ["init", "verify"], "Notification": ["dispatch"]}


class WebhookPluginServer(PluginServer):
    """Monitoring webhook: turns received payloads into events."""

    plugin_kind = "webhook"
    plugin_methods = {"Webhook": ["init", "verify"], "Event": ["parse"]}


class MetricPluginServer(PluginServer):
    """Monitoring metric data source: metrics of resources and their data points."""

    plugin_kind = "metric"
    plugin_methods = {"DataSource": ["init", "verify"], "Metric": ["list", "get_data"]}


class LogPluginServer(PluginServer):
    """Monitoring log data source: log records matching a query (streamed)."""

    plugin_kind = "log"
    plugin_methods = {"DataSource": ["init", "verify"], "Log": ["list"]}


#: Every kind's server class, by kind name.
KIND_SERVERS = {
    cls.plugin_kind: cls
    for cls in (
        ExternalAuthPluginServer,
        AccountCollectorPluginServer,
        DataSourcePluginServer,
        ProtocolPluginServer,
        WebhookPluginServer,
        MetricPluginServer,
        LogPluginServer,
    )
}

# --- helpers --------------------------------------------------------------------------


def _without_none(d):
    return {k: v for k, v in d.items() if v is not None}


def make_user_info(user_id, state="ENABLED", name=None, email=None, mobile=None, group=None) -> dict:
    """An ``ExternalAuth.authorize`` answer; ``state`` is ENABLED, DISABLED or UNIDENTIFIED."""
    return _without_none(
        {"state": state, "user_id": user_id, "name": name, "email": email, "mobile": mobile, "group": group}
    )


def make_account(name, data=None, resource_id=None, secret_schema_id=None, secret_data=None,
                 tags=None, location=None) -> dict:
    """One account of an ``AccountCollector.sync`` answer (``{"results": [...]}``).

    ``location`` is the account's folder path, a list of ``{"name", "resource_id"}``.
    """
    return _without_none(
        {
            "name": name,
            "resource_id": resource_id,
            "data": data,
            "secret_schema_id": secret_schema_id,
            "secret_data": secret_data,
            "tags": tags,
            "location": location,
        }
    )


def make_task(task_options, start=None, end=None, filter=None) -> dict:
    """One task of a ``Job.get_tasks`` answer; ``start`` adds its ``task_changed``."""
    task = {"task_options": task_options}
    if start is not None:
        task["task_changed"] = _without_none({"start": start, "end": end, "filter": filter})
    return task


def make_cost(cost, billed_date, usage_quantity=None, usage_unit=None, provider=None, region_code=None,
              product=None, usage_type=None, resource=None, tags=None, additional_info=None,
              data=None) -> dict:
    """One cost row of a ``Cost.get_data`` page; ``billed_date`` is ``YYYY-MM-DD``."""
    return _without_none(
        {
            "cost": float(cost),
            "usage_quantity": None if usage_quantity is None else float(usage_quantity),
            "usage_unit": usage_unit,
            "provider": provider,
            "region_code": region_code,
            "product": product,
            "usage_type": usage_type,
            "resource": resource,
            "tags": tags,
            "additional_info": additional_info,
            "data": data,
            "billed_date": billed_date,
        }
    )


def make_costs_page(rows) -> dict:
    """One message of the ``Cost.get_data`` stream: ``{"results": rows}``."""
    return {"results": list(rows)}


def make_event(event_key, event_type, title, severity, rule=None, description=None, occurred_at=None,
               resource=None, additional_info=None, image_url=None, provider=None, account=None,
               resources=None) -> dict:
    """One event of an ``Event.parse`` answer (``{"results": [...]}``).

    ``event_type`` is ALERT or RECOVERY; ``severity`` one of CRITICAL, ERROR,
    WARNING, INFO, NOT_AVAILABLE, NONE.
    """
    return _without_none(
        {
            "event_key": event_key,
            "event_type": event_type,
            "title": title,
            "description": description,
            "severity": severity,
            "resource": resource,
            "rule": rule,
            "occurred_at": occurred_at,
            "additional_info": additional_info,
            "image_url": image_url,
            "provider": provider,
            "account": account,
            "resources": resources,
        }
    )


def make_metric(key, name, group=None, unit=None, metric_query=None) -> dict:
    """One metric of a ``Metric.list`` answer (``{"metrics": [...]}``)."""
    return _without_none({"key": key, "name": name, "group": group, "unit": unit, "metric_query": metric_query})


def make_logs_page(records) -> dict:
    """One message of the ``Log.list`` stream: ``{"results": records}``."""
    return {"results": list(records)}
