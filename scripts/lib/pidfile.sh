# Pid files that survive pid reuse, for the scripts that start long-running processes.
# A pid file holds "PID STARTTIME"; a process counts as ours only while both match.

# The start time of a process (field 22 of /proc/PID/stat), empty when it is gone or a
# zombie.
start_time() {
  local stat rest
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 0
  rest="${stat##*) }"
  # shellcheck disable=SC2086
  set -- $rest
  case "$1" in Z|X) return 0 ;; esac
  echo "${20}"
}

# alive PIDFILE: whether the recorded process is still the one we started.
alive() {
  local pid recorded
  read -r pid recorded <"$1" 2>/dev/null || return 1
  [ -n "${pid:-}" ] && [ -n "$(start_time "$pid")" ] && [ "$(start_time "$pid")" = "${recorded:-}" ]
}
