# shellcheck shell=bash
# Common helpers for the tools/stack/*.sh scripts. Source it, do not run it.
#
# Layout (all overridable through the environment):
#   FREERIDE_CACHE  downloads (the Elasticsearch zip), Python venv       default: $HOME/.cache/freeride
#   FREERIDE_HOME   unzipped Elasticsearch and per-service run dirs      default: $FREERIDE_CACHE, or
#                   /var/lib/freeride as root (ES runs as a non-root user that cannot enter /root)
#   FREERIDE_RUN    run dirs (data, logs, pid files) of the stack         default: $FREERIDE_HOME/run

STACK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$STACK_DIR/../.." && pwd)"

ES_VERSION="${ES_VERSION:-8.19.21}"
ES_USER="${ES_USER:-freeride-es}"
FREERIDE_CACHE="${FREERIDE_CACHE:-$HOME/.cache/freeride}"
if [[ -z "${FREERIDE_HOME:-}" ]]; then
  if [[ "$(id -u)" == 0 ]]; then FREERIDE_HOME=/var/lib/freeride; else FREERIDE_HOME="$FREERIDE_CACHE"; fi
fi
FREERIDE_RUN="${FREERIDE_RUN:-$FREERIDE_HOME/run}"
ES_HOME="${ES_HOME:-$FREERIDE_HOME/elasticsearch-$ES_VERSION}"
export ES_VERSION ES_USER FREERIDE_CACHE FREERIDE_HOME FREERIDE_RUN ES_HOME

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# is_running PIDFILE: true when the pid file names a live process.
is_running() {
  local pidfile="$1" pid
  [[ -f "$pidfile" ]] || return 1
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  [[ -n "$pid" ]] && pid_alive "$pid"
}

# pid_alive PID: true for a live process that is not a zombie (PID 1 may be slow to reap).
pid_alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local state
  state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)"
  [[ "$state" != Z && "$state" != X ]]
}

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# wait_for_http URL TIMEOUT_S [DESCRIPTION]: polls until URL answers 2xx; prints a dot every 5 s.
wait_for_http() {
  local url="$1" timeout="$2" what="${3:-$1}" start now
  start=$(date +%s)
  while true; do
    if curl -fsS -o /dev/null --max-time 5 "$url" 2>/dev/null; then
      return 0
    fi
    now=$(date +%s)
    if ((now - start >= timeout)); then
      warn "$what did not answer within ${timeout}s ($url)"
      return 1
    fi
    if (((now - start) % 5 == 0)); then
      printf '    waiting for %s (%ss)\n' "$what" "$((now - start))" >&2
    fi
    sleep 1
  done
}

# wait_for_port PORT TIMEOUT_S DESCRIPTION
wait_for_port() {
  local port="$1" timeout="$2" what="$3" i
  for ((i = 0; i < timeout * 4; i++)); do
    port_open "$port" && return 0
    sleep 0.25
  done
  warn "$what did not open port $port within ${timeout}s"
  return 1
}

# stop_pidfile PIDFILE TIMEOUT_S DESCRIPTION: SIGTERM, wait (bounded), then SIGKILL.
stop_pidfile() {
  local pidfile="$1" timeout="$2" what="$3" pid i
  if ! is_running "$pidfile"; then
    log "$what is not running"
    rm -f "$pidfile"
    return 0
  fi
  pid="$(cat "$pidfile")"
  log "stopping $what (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 4; i++)); do
    pid_alive "$pid" || break
    sleep 0.25
  done
  if pid_alive "$pid"; then
    warn "$what did not exit within ${timeout}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$pidfile"
}

# start_daemon PIDFILE LOGFILE CMD ARGS...: runs CMD in the background (own session), writes its pid.
start_daemon() {
  local pidfile="$1" logfile="$2"
  shift 2
  setsid "$@" >>"$logfile" 2>&1 </dev/null &
  echo $! >"$pidfile"
}

# as_user USER CMD ARGS...: runs CMD as USER when we are root, as ourselves otherwise.
as_user() {
  local user="$1"
  shift
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u "$user" -- "$@"
  else
    "$@"
  fi
}

# need_bin NAME PACKAGE: fails with a clear message when NAME is not on PATH.
need_bin() {
  command -v "$1" >/dev/null 2>&1 || die "$1 not found: install the Debian package '$2' (bash tools/setup/setup.sh)"
}

# java_home: ES_JAVA_HOME or the JDK behind `java` on PATH.
java_home() {
  if [[ -n "${ES_JAVA_HOME:-}" ]]; then
    echo "$ES_JAVA_HOME"
  elif [[ -n "${JAVA_HOME:-}" ]]; then
    echo "$JAVA_HOME"
  else
    local java
    java="$(command -v java)" || die "java not found: install openjdk-17-jre-headless (bash tools/setup/setup.sh)"
    dirname "$(dirname "$(readlink -f "$java")")"
  fi
}

usage_exit() {
  echo "usage: $(basename "$0") start|stop|status|restart" >&2
  exit 2
}
