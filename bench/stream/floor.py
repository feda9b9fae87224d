"""The plugin's own cost of a stream: load a plugin the way the handler runner
does, call one streaming route in this process, and encode each item it yields
once as compact JSON. Prints the CPU seconds (user + system) of that loop and
the item count.

    python floor.py SOURCE_ROOT METHOD PARAMS_JSON [SDK_DIR]

SDK_DIR (for SDK plugins): the directory holding spaceone_plugin_sdk.
"""
import json
import os
import sys
import time


def route(app, method):
    if hasattr(app, "get_plugin_method") and getattr(app, "SPACEONE_PLUGIN_SDK", None) is not None:
        return app.get_plugin_method(method)
    class_name, _, verb = method.partition(".")
    return app._plugin_methods[class_name]["service"].get_plugin_method(verb)


def main():
    source_root, method, params = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    if len(sys.argv) > 4:
        sys.path.append(sys.argv[4])
    sys.path.insert(0, source_root)
    try:
        from spaceone.core import config

        config.init_conf(package="plugin", worker=1, plugin_app_path="plugin.main:app")
    except ImportError:
        pass
    import plugin.main

    func = route(plugin.main.app, method)
    start = os.times()
    count = 0
    for item in func(params):
        json.dumps(item, ensure_ascii=False, separators=(",", ":"))
        count += 1
    end = os.times()
    cpu = (end.user - start.user) + (end.system - start.system)
    print(f"{cpu:.3f} {count}")


if __name__ == "__main__":
    main()
