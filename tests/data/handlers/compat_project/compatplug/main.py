"""A collector written against spaceone-inventory's framework, served unchanged
by the host in compat mode (tests and bench/pool.sh).

Collect options (all optional):
  items  number of cloud services (default 3)
  delay  seconds to wait before each cloud service, like a call to a cloud API
  tag    copied into every cloud service's data, to tell concurrent calls apart
  fail   also yield a FAILURE item (upstream's make_error_response logs it)
  metadata  convert the metadata file for every cloud service too (slow upstream
         code: about 0.1 s of CPU each), not only for the cloud service type
  log    a message the plugin logs at the start of the collect
"""

import logging
import os
import threading
import time

from spaceone.core.manager import BaseManager
from spaceone.core.error import ERROR_REQUIRED_PARAMETER
from spaceone.inventory.plugin.collector.lib import (
    make_cloud_service_type,
    make_cloud_service_with_metadata,
    make_error_response,
    make_response,
)
from spaceone.inventory.plugin.collector.lib.server import CollectorPluginServer

# Collectors whose package lives in the `spaceone` namespace log through the
# framework's configured `spaceone` logger, with the transaction's fields.
_LOGGER = logging.getLogger("spaceone.compatplug")
_METADATA = os.path.join(os.path.dirname(__file__), "metadata", "widget.yaml")

app = CollectorPluginServer()


class WidgetManager(BaseManager):
    provider = "compat"
    group = "Things"
    kind = "Widget"

    def collect(self, options):
        if options.get("log"):
            _LOGGER.info(options["log"])
        yield make_response(
            cloud_service_type=make_cloud_service_type(
                name=self.kind, group=self.group, provider=self.provider,
                metadata_path=_METADATA, is_primary=True,
            ),
            match_keys=[["name", "group", "provider"]],
            resource_type="inventory.CloudServiceType",
        )
        delay = float(options.get("delay", 0))
        for n in range(int(options.get("items", 3))):
            if delay:
                time.sleep(delay)
            data = {"n": n, "size": 1024 * (n + 1), "tag": options.get("tag", ""),
                    "pid": os.getpid(), "thread": threading.current_thread().name,
                    # What upstream's log records of this request are tagged with.
                    "transaction": self.transaction.id}
            yield make_response(
                cloud_service=make_cloud_service_with_metadata(
                    name=f"widget-{n}", cloud_service_type=self.kind,
                    cloud_service_group=self.group, provider=self.provider,
                    data=data, data_format="dict",
                    metadata_path=_METADATA if options.get("metadata") else None,
                    reference={"resource_id": f"widget-{n}"},
                ),
                match_keys=[["name", "provider"]],
            )
        if options.get("fail"):
            yield make_error_response(
                error=Exception("widget-x is broken"), provider=self.provider,
                cloud_service_group=self.group, cloud_service_type=self.kind,
            )


@app.route("Collector.init")
def collector_init(params):
    return {"metadata": {"options_schema": {}}}


@app.route("Collector.verify")
def collector_verify(params):
    if not params["secret_data"].get("token"):
        raise ERROR_REQUIRED_PARAMETER(key="secret_data.token")


@app.route("Collector.collect")
def collector_collect(params):
    return WidgetManager().collect(params.get("options") or {})


@app.route("Job.get_tasks")
def job_get_tasks(params):
    return {"tasks": [{"task_options": {"part": 1}}, {"task_options": {"part": 2}}]}
