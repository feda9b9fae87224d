from spaceone_plugin_sdk import CollectorPluginServer

app = CollectorPluginServer()


@app.route("Foo.init")
def foo_init(params):
    return {}
