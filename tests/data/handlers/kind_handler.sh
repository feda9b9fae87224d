#!/bin/sh
# A handler in POSIX shell for the plugin kinds (docs/plugin-protocol.md). Its first
# argument is the JSON list of routes it announces, its second (optional) more members
# of its ready object (e.g. `"declared_kind": "log"`); it answers:
#   DataSource.init   {"metadata": {"source": "shell"}}
#   Metric.list       {"metrics": [{"key": "cpu", "name": "CPU"}]}
#   Log.list          two pages of one record each (a stream)
#   Event.parse       an event with an unknown severity (the host's conversion refuses it)
#   anything else     null
routes=${1:-[]}
more=${2:+, $2}
printf '{"ready": {"protocol": 1, "routes": %s%s}}\n' "$routes" "$more"
while IFS= read -r line; do
  id=${line#'{"id":'}
  id=${id%%,*}
  case "$line" in
    *'"method":"DataSource.init"'*)
      printf '{"id":%s,"result":{"metadata":{"source":"shell"}}}\n' "$id" ;;
    *'"method":"Metric.list"'*)
      printf '{"id":%s,"result":{"metrics":[{"key":"cpu","name":"CPU"}]}}\n' "$id" ;;
    *'"method":"Log.list"'*)
      printf '{"id":%s,"item":{"results":[{"message":"first"}]}}\n' "$id"
      printf '{"id":%s,"item":{"results":[{"message":"second"}]}}\n' "$id"
      printf '{"id":%s,"done":true}\n' "$id" ;;
    *'"method":"Event.parse"'*)
      printf '{"id":%s,"result":{"results":[{"event_key":"k","severity":"LOUD"}]}}\n' "$id" ;;
    *)
      printf '{"id":%s,"result":null}\n' "$id" ;;
  esac
done
