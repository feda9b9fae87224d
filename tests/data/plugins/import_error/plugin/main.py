"""A plugin that cannot be imported."""

from spaceone_plugin_sdk import CollectorPluginServer

import plugin.no_such_module  # noqa: F401

app = CollectorPluginServer()
