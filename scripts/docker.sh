#!/usr/bin/env bash
# A private Docker daemon, a local base image and a local registry, for the image tests and
# the full loop with SpaceONE's real supervisor. Everything lives in one state directory and
# on loopback; nothing of the machine's own Docker set-up (if any) is used or changed.
#
#   docker.sh start    --state DIR [--watch PID]
#   docker.sh stop     --state DIR
#   docker.sh base     --state DIR [--tag TAG]
#   docker.sh registry --state DIR
#   docker.sh env      --state DIR
#
#   start     dockerd with its data, exec root, pid file and socket (DIR/docker.sock) in DIR,
#             its own bridge (a /24 of 10.213.0.0/16 that no route uses) and
#             --iptables=false --ip-forward=false --ip-masq=false: no packet-filter rule and
#             no forwarding setting of the machine changes. Published ports bind 127.0.0.1.
#             --watch PID: stop everything in DIR once process PID has exited (for tests).
#   stop      removes the daemon's containers, stops the registry and the daemon (by the
#             pids recorded in DIR), deletes the bridge and unmounts what is left under DIR.
#   base      loads the base image TAG (default spacectl-local/python3:bookworm: Debian 12
#             minbase with python3, no docs) into the daemon. The root file system comes from
#             debootstrap and is cached as a tar file in ${XDG_CACHE_HOME:-~/.cache}/spacectl-docker,
#             keyed by the mirror, suite, packages and this recipe: the first run takes
#             about 2 minutes, later ones a few seconds.
#   registry  starts a registry (Debian's docker-registry) on a free loopback port, no
#             authentication, storage in DIR/registry.
#   env       shell assignments: DOCKER_HOST, DOCKER_STATE, and REGISTRY (HOST:PORT) once
#             the registry runs.
#
# Needs root and the Debian packages docker.io, docker-registry and debootstrap
# (apt-get install -y docker.io docker-registry debootstrap); a missing one is named.
# Progress goes to stderr; exit status 1 on failure, 2 on bad arguments.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE=
WATCH=
TAG=spacectl-local/python3:bookworm
SUITE=bookworm
# What goes into the base image (part of the cache key).
BASE_PACKAGES=python3
BASE_RECIPE=2
DOCKER_CLI="${SPACECTL_DOCKER_CLI:-/usr/bin/docker}"
WAIT_SECONDS=60
RUN_DIRS="/run/docker /run/containerd /run/mount"

say() { echo "docker.sh: $*" >&2; }
die() { echo "docker.sh: $*" >&2; exit 1; }
bad() { echo "docker.sh: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

need() {
  local cmd=$1 pkg=$2
  command -v "$cmd" >/dev/null 2>&1 || [ -x "$cmd" ] ||
    die "$cmd is missing: install the Debian package $pkg (apt-get install -y $pkg)"
}

need_root() {
  [ "$(id -u)" = 0 ] || die "$1 needs root (it starts a Docker daemon / runs debootstrap)"
}

d() { DOCKER_HOST="unix://$STATE/docker.sock" "$DOCKER_CLI" "$@"; }

. "$ROOT/scripts/lib/pidfile.sh"   # start_time, alive

record() { echo "$2 $(start_time "$2")" >"$STATE/$1.pid"; }

# stop_pid NAME SECONDS: SIGTERM the recorded process, SIGKILL after SECONDS.
stop_pid() {
  local file="$STATE/$1.pid" pid rest i
  alive "$file" || { rm -f "$file"; return 0; }
  read -r pid rest <"$file"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < $2 * 10; i++)); do
    alive "$file" || break
    sleep 0.1
  done
  if alive "$file"; then
    say "$1 (pid $pid) did not stop within $2 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  rm -f "$file"
}

# A /24 of 10.213.0.0/16 that no route of the machine uses, starting at a pid-dependent offset.
free_subnet() {
  local routes i n
  routes="$(ip -4 route show 2>/dev/null)"
  for ((i = 0; i < 250; i++)); do
    n=$(( ($$ + i) % 250 + 1 ))
    case "$routes" in *"10.213.$n."*) continue ;; esac
    echo "$n"
    return 0
  done
  die "no free /24 left in 10.213.0.0/16 for the daemon's bridge"
}

cmd_start() {
  need_root start
  need dockerd docker.io
  need "$DOCKER_CLI" docker.io
  need ip iproute2
  mkdir -p "$STATE"
  alive "$STATE/dockerd.pid" && die "a daemon already runs in $STATE (stop it: $0 stop --state $STATE)"
  local bridge net pid i
  bridge="spcd$(printf '%x' "$$")"
  bridge="${bridge:0:15}"
  net="$(free_subnet)"
  ip link add "$bridge" type bridge || die "cannot create the bridge $bridge"
  echo "$bridge" >"$STATE/bridge"
  ip addr add "10.213.$net.1/24" dev "$bridge"
  ip link set "$bridge" up
  mkdir -p "$STATE/data" "$STATE/exec"
  # Whatever the exec root, dockerd makes /run/docker/plugins, containerd's shims put their
  # sockets in /run/containerd/s and mount(8) its lock in /run/mount: at stop, what of these
  # was not there before is removed (when empty).
  : >"$STATE/run-dirs-ours"
  for dir in $RUN_DIRS; do [ -e "$dir" ] || echo "$dir" >>"$STATE/run-dirs-ours"; done
  # The daemon's key goes to DIR too (its default is /etc/docker/key.json).
  printf '{"deprecated-key-path": "%s"}\n' "$STATE/key.json" >"$STATE/daemon.json"
  setsid dockerd \
    --config-file "$STATE/daemon.json" \
    --data-root "$STATE/data" --exec-root "$STATE/exec" --pidfile "$STATE/dockerd.pidfile" \
    --host "unix://$STATE/docker.sock" \
    --bridge "$bridge" --ip 127.0.0.1 \
    --iptables=false --ip-forward=false --ip-masq=false \
    >"$STATE/dockerd.log" 2>&1 </dev/null &
  pid=$!
  record dockerd "$pid"
  for ((i = 0; i < WAIT_SECONDS * 10; i++)); do
    d version >/dev/null 2>&1 && break
    if ! alive "$STATE/dockerd.pid"; then
      tail -n 20 "$STATE/dockerd.log" >&2 || true
      cmd_stop
      die "dockerd exited during start-up (log: $STATE/dockerd.log)"
    fi
    sleep 0.1
  done
  if ! d version >/dev/null 2>&1; then
    tail -n 20 "$STATE/dockerd.log" >&2 || true
    cmd_stop
    die "dockerd did not answer within $WAIT_SECONDS s (log: $STATE/dockerd.log)"
  fi
  say "dockerd $(d version --format '{{.Server.Version}}') (pid $pid) on unix://$STATE/docker.sock, bridge $bridge 10.213.$net.1/24"
  if [ -n "$WATCH" ]; then
    setsid bash "$0" _watch --state "$STATE" --watch "$WATCH" >>"$STATE/watch.log" 2>&1 </dev/null &
    record watch "$!"
  fi
  cmd_env
}

cmd_watch() {
  while kill -0 "$WATCH" 2>/dev/null; do sleep 1; done
  rm -f "$STATE/watch.pid"
  cmd_stop
  rm -rf "$STATE"
}

cmd_stop() {
  local ids m bridge
  if alive "$STATE/dockerd.pid" && [ -S "$STATE/docker.sock" ]; then
    ids="$(d ps -aq 2>/dev/null || true)"
    # shellcheck disable=SC2086
    [ -z "$ids" ] || d rm -f $ids >/dev/null 2>&1 || true
  fi
  stop_pid registry 10
  stop_pid dockerd 30
  # A watcher that is not this process.
  if [ -f "$STATE/watch.pid" ]; then stop_pid watch 2; fi
  if [ -f "$STATE/bridge" ]; then
    bridge="$(cat "$STATE/bridge")"
    ip link delete "$bridge" 2>/dev/null || true
    rm -f "$STATE/bridge"
  fi
  # Mounts dockerd may leave under DIR (deepest first).
  if [ -d "$STATE" ]; then
    while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(
      awk -v s="$STATE/" 'index($2, s) == 1 { print $2 }' /proc/mounts | sort -r)
  fi
  if [ -f "$STATE/run-dirs-ours" ]; then
    while read -r dir; do
      [ ! -d "$dir" ] || find "$dir" -depth -type d -empty -delete 2>/dev/null || true
    done <"$STATE/run-dirs-ours"
    rm -f "$STATE/run-dirs-ours"
  fi
  rm -f "$STATE/docker.sock" "$STATE/registry.env"
  say "stopped the daemon of $STATE"
}

cmd_env() {
  printf 'DOCKER_HOST=%q\n' "unix://$STATE/docker.sock"
  printf 'DOCKER_STATE=%q\n' "$STATE"
  [ ! -f "$STATE/registry.env" ] || cat "$STATE/registry.env"
}

# The Debian mirror apt uses (deb822 sources, then sources.list).
apt_mirror() {
  local m
  m="$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v -- '-security' | head -n 1 | awk '{print $1}')"
  [ -n "$m" ] || m="$(awk '$1 == "deb" && $2 !~ /^\[/ { print $2; exit } $1 == "deb" { print $3; exit }' /etc/apt/sources.list 2>/dev/null)"
  echo "${m:-http://deb.debian.org/debian}"
}

cmd_base() {
  need "$DOCKER_CLI" docker.io
  d version >/dev/null 2>&1 || die "no daemon answers on unix://$STATE/docker.sock (start it: $0 start --state $STATE)"
  if d image inspect "$TAG" >/dev/null 2>&1; then
    say "base image $TAG is present"
    return 0
  fi
  local mirror key cache tarball rootfs t0
  mirror="$(apt_mirror)"
  key="$(printf '%s\n' "$BASE_RECIPE" "$SUITE" "$mirror" "$BASE_PACKAGES" "$(uname -m)" | sha256sum | cut -c1-16)"
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/spacectl-docker"
  tarball="$cache/rootfs-$SUITE-$key.tar"
  mkdir -p "$cache"
  t0=$SECONDS
  (
    flock 9
    if [ ! -s "$tarball" ]; then
      need_root "the base image"
      need debootstrap debootstrap
      rootfs="$(mktemp -d "$cache/rootfs.XXXXXX")"
      trap 'rm -rf "$rootfs"' EXIT
      say "debootstrap $SUITE ($BASE_PACKAGES) from $mirror: about 2 minutes, once"
      debootstrap --variant=minbase --include="$BASE_PACKAGES" "$SUITE" "$rootfs" "$mirror" \
        >"$cache/debootstrap.log" 2>&1 || { tail -n 20 "$cache/debootstrap.log" >&2; die "debootstrap failed (log: $cache/debootstrap.log)"; }
      chroot "$rootfs" apt-get clean
      rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/log/*.log \
        "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/usr/share/locale/*
      tar --numeric-owner -C "$rootfs" -cf "$tarball.tmp" .
      mv "$tarball.tmp" "$tarball"
    fi
  ) 9>"$cache/.lock" || exit 1
  d import -c 'CMD ["python3"]' "$tarball" "$TAG" >/dev/null
  say "base image $TAG loaded from $tarball in $((SECONDS - t0)) s ($(d image inspect -f '{{.Size}}' "$TAG" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
}

cmd_registry() {
  need docker-registry docker-registry
  [ -d "$STATE" ] || die "no state directory $STATE (start the daemon first)"
  alive "$STATE/registry.pid" && { cat "$STATE/registry.env"; return 0; }
  local port i
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  mkdir -p "$STATE/registry"
  cat >"$STATE/registry.yml" <<EOF
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $STATE/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
EOF
  setsid docker-registry serve "$STATE/registry.yml" >"$STATE/registry.log" 2>&1 </dev/null &
  record registry "$!"
  for ((i = 0; i < WAIT_SECONDS * 10; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    alive "$STATE/registry.pid" || { tail -n 20 "$STATE/registry.log" >&2; die "the registry exited during start-up"; }
    sleep 0.1
  done
  echo "REGISTRY=127.0.0.1:$port" >"$STATE/registry.env"
  say "registry on 127.0.0.1:$port (storage $STATE/registry)"
  cat "$STATE/registry.env"
}

ACTION="${1:-}"
[ $# -gt 0 ] && shift
while [ $# -gt 0 ]; do
  case "$1" in
    --state) [ $# -ge 2 ] || bad "--state needs a directory"; STATE="$2"; shift 2 ;;
    --watch) [ $# -ge 2 ] || bad "--watch needs a pid"; WATCH="$2"; shift 2 ;;
    --tag) [ $# -ge 2 ] || bad "--tag needs an image name"; TAG="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) bad "unknown argument '$1' (try --help)" ;;
  esac
done
case "$ACTION" in -h|--help|help) usage; exit 0 ;; '') usage >&2; exit 2 ;; esac
[ -n "$STATE" ] || bad "--state DIR is required"
case "$WATCH" in *[!0-9]*) bad "--watch needs a pid, not '$WATCH'" ;; esac
mkdir -p "$STATE"
STATE="$(cd "$STATE" && pwd)"
case "$ACTION" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  _watch) cmd_watch ;;
  base) cmd_base ;;
  registry) cmd_registry ;;
  env) cmd_env ;;
  *) bad "unknown command '$ACTION' (expected start, stop, base, registry or env)" ;;
esac
