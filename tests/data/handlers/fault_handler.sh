#!/bin/sh
# A handler written in POSIX shell. It speaks the spacectl handler protocol
# (docs/plugin-protocol.md) and misbehaves on purpose according to its first
# argument, so that the host's fault handling can be tested:
#   ok             answers every request
#   crash          exits with status 3 when asked Collector.verify
#   children       starts a background process, then behaves like crash (the
#                  background process is left running when the script ends)
#   hang           never answers Collector.verify (sleeps in a child process);
#                  Collector.collect sends one item, then hangs the same way
#   garbage        answers Collector.verify with a line that is not JSON
#   huge           answers Collector.verify with a 70 MB line
#   fds            answers Collector.init with where its open descriptors point
#   wrong-id       answers Collector.verify with another request's id
#   extra          answers Collector.verify twice
#   slow-stream    streams Collector.collect items forever, 20 per second
#   slow-init      takes 0.3 s to answer Collector.init
#   many N         streams N Region items for Collector.collect
#   exit-at-start  exits with status 4 before the ready message
#   start-once F   starts once (creating file F); later starts exit with status 5
#   startup-error  reports a plugin load failure instead of ready
#   bad-hello      prints a banner instead of the ready message

mode=${1:-ok}
case "$mode" in
  exit-at-start)
    echo "fault_handler: exiting at start" >&2
    exit 4 ;;
  start-once)
    if [ -e "$2" ]; then
      echo "fault_handler: refusing a second start" >&2
      exit 5
    fi
    : > "$2" ;;
  startup-error)
    echo '{"startup_error":{"message":"Exception: The package(nopkg) can not imported. Please check the module path.","exit_code":1}}'
    exit 1 ;;
  bad-hello)
    echo "Welcome to my handler"
    exec sleep 30 ;;
  children)
    sleep 1000 </dev/null >/dev/null 2>&1 & ;;
esac

# It reads and answers one request after the other: "concurrency": 1.
echo '{"ready":{"protocol":1,"routes":["Collector.init","Collector.verify","Collector.collect"],"package_dir":"/srv/plugin","concurrency":1}}'
echo "fault_handler: ready (mode $mode, package $SPACEONE_PLUGIN_PACKAGE)" >&2

while IFS= read -r line; do
  # The host writes compact JSON with "id" first and "params" last.
  id=${line#\{\"id\":}
  id=${id%%,*}
  method=${line#*\"method\":\"}
  method=${method%%\"*}
  params=${line#*\"params\":}
  params=${params%\}}
  case "$mode:$method" in
    fds:Collector.init)
      # e.g. "pipe:[123] pipe:[124] /path/to/fault_handler.sh pipe:[125] ": the
      # loop runs in a subshell, so the listing shows the handler's own table.
      printf '{"id":%s,"result":{"metadata":{},"pid":%s,"fds":"' "$id" "$$"
      for f in /proc/$$/fd/*; do readlink "$f"; done | tr '\n' ' '
      printf '"}}\n' ;;
    slow-init:Collector.init)
      sleep 0.3
      printf '{"id":%s,"result":{"metadata":{},"method":"%s","pid":%s,"params":%s}}\n' "$id" "$method" "$$" "$params" ;;
    *:Collector.init)
      printf '{"id":%s,"result":{"metadata":{},"method":"%s","pid":%s,"params":%s}}\n' "$id" "$method" "$$" "$params" ;;
    crash:Collector.verify|children:Collector.verify)
      echo "fault_handler: crashing" >&2
      exit 3 ;;
    hang:Collector.verify)
      sleep 1000 ;;
    garbage:Collector.verify)
      echo "this is not json" ;;
    huge:Collector.verify)
      # Made here, not read from a device file: whatever /dev/zero is on the
      # machine, the line is 70 MB long.
      a=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
      yes "$a$a$a$a" | tr -d '\n' | head -c 70000000
      echo ;;
    extra:Collector.verify)
      printf '{"id":%s,"result":null}\n{"id":%s,"result":null}\n' "$id" "$id" ;;
    wrong-id:Collector.verify)
      printf '{"id":%s,"result":null}\n' "$((id + 1))" ;;
    *:Collector.verify)
      printf '{"id":%s,"error":{"code":"ERROR_REQUIRED_PARAMETER","status":"INVALID_ARGUMENT","message":"Required parameter. (key = secret_data.token)"}}\n' "$id" ;;
    slow-stream:Collector.collect)
      n=0
      while :; do
        n=$((n + 1))
        printf '{"id":%s,"item":{"n":%s,"pid":%s}}\n' "$id" "$n" "$$"
        sleep 0.05
      done ;;
    many:Collector.collect)
      n=0
      while [ "$n" -lt "$2" ]; do
        n=$((n + 1))
        printf '{"id":%s,"item":{"state":"SUCCESS","resource_type":"inventory.Region","match_keys":[["region_code","provider"]],"region":{"name":"Region %s","region_code":"r-%s","provider":"test"}}}\n' "$id" "$n" "$n"
      done
      printf '{"id":%s,"done":true}\n' "$id" ;;
    hang:Collector.collect)
      printf '{"id":%s,"item":{"n":1,"pid":%s}}\n' "$id" "$$"
      sleep 1000 ;;
    *:Collector.collect)
      for n in 1 2 3; do
        printf '{"id":%s,"item":{"n":%s,"pid":%s}}\n' "$id" "$n" "$$"
      done
      printf '{"id":%s,"done":true}\n' "$id" ;;
    *)
      printf '{"id":%s,"error":{"code":"ERROR_NOT_IMPLEMENTED","status":"UNIMPLEMENTED","message":"Method not found! (method = %s)"}}\n' "$id" "$method" ;;
  esac
done
