"""{{project_name}}: an inventory collector plugin for SpaceONE.

The four routes below are what SpaceONE's inventory service calls. Serve them
with ``spacectl run plugin-server {{package}} -s src`` from the project root.
"""

from spaceone_plugin_sdk import CollectorPluginServer

from {{package}}.connector.{{type_module}}_connector import {{type_class}}Connector
from {{package}}.manager.{{type_module}}_manager import {{type_class}}Manager

app = CollectorPluginServer()


@app.route("Collector.init")
def collector_init(params: dict) -> dict:
    """Describe the collector: what it collects and which options it accepts.

    Args:
        params (CollectorInitRequest): {
            'options': 'dict',    # Required
            'domain_id': 'str'
        }

    Returns:
        PluginResponse: {
            'metadata': 'dict'    # supported_resource_type, supported_schedules,
                                  # supported_features, filter_format, options_schema
        }
    """
    return {
        "metadata": {
            "supported_resource_type": [
                "inventory.CloudServiceType",
                "inventory.CloudService",
                "inventory.Region",
            ],
            "supported_schedules": ["hours"],
            "options_schema": {{type_class}}Manager.options_schema(),
        }
    }


@app.route("Collector.verify")
def collector_verify(params: dict) -> None:
    """Check that the collector can reach its data source with these credentials.

    Raise one of the ERROR_* exceptions of spaceone_plugin_sdk to reject them.

    Args:
        params (CollectorVerifyRequest): {
            'options': 'dict',        # Required
            'secret_data': 'dict',    # Required
            'domain_id': 'str'
        }

    Returns:
        None
    """
    {{type_class}}Connector(params["secret_data"]).verify()


@app.route("Collector.collect")
def collector_collect(params: dict):
    """Yield one response per collected resource.

    Args:
        params (CollectorCollectRequest): {
            'options': 'dict',        # Required
            'secret_data': 'dict',    # Required
            'task_options': 'dict',   # one of the tasks of Job.get_tasks, or None
            'domain_id': 'str'
        }

    Returns:
        Generator[ResourceResponse, None, None]: each response is {
            'state': 'SUCCESS | FAILURE',
            'resource_type': 'inventory.CloudServiceType | inventory.CloudService | inventory.Region',
            'cloud_service_type': 'dict',    # for inventory.CloudServiceType
            'cloud_service': 'dict',         # for inventory.CloudService
            'region': 'dict',                # for inventory.Region
            'match_keys': 'list[list[str]]',
            'error_message': 'str',          # for FAILURE
        }
        Build them with make_response() and make_error_response().
    """
    manager = {{type_class}}Manager(params["options"], params["secret_data"])
    yield from manager.collect(params.get("task_options") or {})


@app.route("Job.get_tasks")
def job_get_tasks(params: dict) -> dict:
    """Split a collection into tasks; the inventory service runs collect once per task.

    Args:
        params (JobGetTaskRequest): {
            'options': 'dict',        # Required
            'secret_data': 'dict',    # Required
            'domain_id': 'str'
        }

    Returns:
        TasksResponse: {
            'tasks': 'list'    # [{'task_options': 'dict'}, ...]
        }
    """
    manager = {{type_class}}Manager(params["options"], params["secret_data"])
    return {"tasks": [{"task_options": options} for options in manager.task_options()]}
