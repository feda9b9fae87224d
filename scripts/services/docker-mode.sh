#!/usr/bin/env bash
# The services' Docker mode (scripts/services.sh start --docker DIR): the real supervisor with its
# own, unchanged DockerConnector runs plugin images from a local registry in a private Docker daemon,
# both started by scripts/docker.sh in DIR.
#
#   docker-mode.sh env DIR              shell assignments for services.sh: SERVICES_DOCKER_SOCKET
#                                       (the daemon's socket) and SERVICES_DOCKER_REGISTRY (HOST:PORT)
#   docker-mode.sh run SOCKET CMD...    run CMD (in this process) where /var/run/docker.sock is SOCKET
#   docker-mode.sh stop STATE           remove the plugin containers the supervisor of STATE started
#
# The connector talks to unix:///var/run/docker.sock, a fixed path. `run` gives the supervisor
# a mount namespace of its own in which /run is a small tmpfs holding docker.sock (a link to
# SOCKET) and links to everything of the machine's /run: the machine's /run and its socket, if
# any, stay untouched.
set -euo pipefail

case "${1:-}" in
  env)
    dir="${2:?usage: docker-mode.sh env DIR}"
    [ -S "$dir/docker.sock" ] || { echo "services: no Docker daemon in $dir (start one: scripts/docker.sh start --state $dir)" >&2; exit 1; }
    [ -f "$dir/registry.env" ] || { echo "services: no registry in $dir (start one: scripts/docker.sh registry --state $dir)" >&2; exit 1; }
    # shellcheck disable=SC1091
    . "$dir/registry.env"
    printf 'SERVICES_DOCKER_SOCKET=%q\n' "$dir/docker.sock"
    printf 'SERVICES_DOCKER_REGISTRY=%q\n' "$REGISTRY"
    ;;
  run)
    sock="${2:?usage: docker-mode.sh run SOCKET CMD...}"
    shift 2
    command -v unshare >/dev/null || { echo "services: unshare (util-linux) is needed for --docker" >&2; exit 1; }
    run_dir="$(readlink -f /var/run)"
    exec unshare --mount --propagation private -- bash -c '
      set -e
      sock=$1 run_dir=$2 view=$3; shift 3
      mkdir -p "$view"
      mount --bind "$run_dir" "$view"
      mount -t tmpfs -o mode=0755,size=1m spacectl-run "$run_dir"
      for entry in "$view"/* "$view"/.[!.]*; do
        [ -e "$entry" ] || [ -L "$entry" ] || continue
        [ "${entry##*/}" = docker.sock ] || ln -s "$entry" "$run_dir/${entry##*/}"
      done
      ln -sf "$sock" "$run_dir/docker.sock"
      exec "$@"
    ' docker-mode "$sock" "$run_dir" "${sock%/*}/run-view" "$@"
    ;;
  stop)
    state="${2:?usage: docker-mode.sh stop STATE}"
    [ -f "$state/docker.env" ] || exit 0
    # shellcheck disable=SC1091
    . "$state/docker.env"
    ids="$(DOCKER_HOST="unix://$SERVICES_DOCKER_SOCKET" "${SPACECTL_DOCKER_CLI:-/usr/bin/docker}" ps -aq \
      --filter label=spaceone.supervisor.name=root 2>/dev/null || true)"
    if [ -n "$ids" ]; then
      # shellcheck disable=SC2086
      DOCKER_HOST="unix://$SERVICES_DOCKER_SOCKET" "${SPACECTL_DOCKER_CLI:-/usr/bin/docker}" rm -f $ids >/dev/null
      echo "services: removed the plugin containers $(echo $ids)" >&2
    fi
    ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
