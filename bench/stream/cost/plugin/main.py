"""A cost data source whose Cost.get_data streams `options.messages` messages
(default 2,000) of `options.rows` cost rows each (default 10), on
spaceone-cost-analysis's library. Used by bench/stream.sh (its SDK twin takes
the server class from spaceone_plugin_kinds)."""

from spaceone.cost_analysis.plugin.data_source.lib.server import DataSourcePluginServer

app = DataSourcePluginServer()


@app.route("Cost.get_data")
def cost_get_data(params: dict):
    options = params["options"]
    messages = int(options.get("messages", 2000))
    per_message = int(options.get("rows", 10))
    for m in range(messages):
        rows = []
        for r in range(per_message):
            i = m * per_message + r
            rows.append({
                "cost": round(0.01 * (1 + i % 97), 2),
                "usage_quantity": float(1 + i % 24),
                "usage_unit": "Hours",
                "provider": "bench",
                "region_code": "north-1",
                "product": "Compute",
                "usage_type": f"vm.size-{i % 5}",
                "billed_date": f"2024-05-{1 + i % 28:02d}",
                "additional_info": {"Account ID": f"{100000000000 + i % 10}"},
                "tags": {"team": "platform"},
            })
        yield {"results": rows}
