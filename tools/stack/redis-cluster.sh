#!/usr/bin/env bash
# A Redis Cluster on loopback: 3 masters + 3 replicas (one per master), AOF with appendfsync
# always, each node its own process, port and data directory ($FREERIDE_RUN/redis-cluster-<port>).
# The first start joins the nodes (redis-cli --cluster create); later starts reuse nodes.conf.
#
#   redis-cluster.sh start         start every node, create the cluster once, wait for cluster_state:ok
#   redis-cluster.sh stop          SIGTERM every node
#   redis-cluster.sh status        exit 0 when every slot is served
#   redis-cluster.sh url           the apps' REDIS_URL: redis-cluster://127.0.0.1:<port>,...
#   redis-cluster.sh kill PORT     SIGKILL one node, as a crash (its replica takes over after
#                                  cluster-node-timeout); start brings it back as a replica
#
#   REDIS_CLUSTER_PORTS=7001,...,7006 (the first three are created as masters)
#   REDIS_CLUSTER_NODE_TIMEOUT_MS=2000
set -euo pipefail
# shellcheck source=tools/stack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REDIS_CLUSTER_PORTS="${REDIS_CLUSTER_PORTS:-7001,7002,7003,7004,7005,7006}"
IFS=, read -r -a PORTS <<<"$REDIS_CLUSTER_PORTS"

dir_of() { echo "$FREERIDE_RUN/redis-cluster-$1"; }
cli() { redis-cli -h 127.0.0.1 -p "$1" "${@:2}" 2>/dev/null; }
answers() { [[ "$(cli "$1" ping)" == PONG ]]; }
cluster_ok() { cli "$1" cluster info | grep -q '^cluster_state:ok'; }

start_node() {
  local port="$1" dir
  dir="$(dir_of "$port")"
  answers "$port" && return 0
  port_open "$port" && die "port $port is taken by something that is not Redis"
  # The cluster bus port is port + 10000.
  port_open "$((port + 10000))" && die "port $((port + 10000)) (cluster bus of $port) is taken"
  mkdir -p "$dir"
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
    --appendonly yes --appendfsync always --protected-mode no \
    --cluster-enabled yes --cluster-config-file nodes.conf \
    --cluster-node-timeout "${REDIS_CLUSTER_NODE_TIMEOUT_MS:-2000}" --repl-diskless-sync-delay 0
  local i
  for ((i = 0; i < 60; i++)); do
    answers "$port" && return 0
    sleep 0.25
  done
  tail -n 20 "$dir/redis.log" >&2 || true
  die "Redis on :$port did not answer PING within 15s"
}

start() {
  need_bin redis-server redis-server
  local port
  for port in "${PORTS[@]}"; do start_node "$port"; done
  # Nodes that know only themselves have never been joined: create the cluster once.
  if cli "${PORTS[0]}" cluster info | grep -q '^cluster_known_nodes:1'; then
    log "creating Redis Cluster on ${PORTS[*]} (1 replica per master)"
    local nodes=()
    for port in "${PORTS[@]}"; do nodes+=("127.0.0.1:$port"); done
    redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >/dev/null
  fi
  local i
  for ((i = 0; i < 120; i++)); do
    if all_ok; then
      log "Redis Cluster is up: $(url)"
      return 0
    fi
    sleep 0.5
  done
  die "Redis Cluster did not reach cluster_state:ok within 60s"
}

all_ok() {
  local port
  for port in "${PORTS[@]}"; do
    answers "$port" || continue
    cluster_ok "$port" || return 1
  done
}

stop() {
  local port
  for port in "${PORTS[@]}"; do
    stop_pidfile "$(dir_of "$port")/redis.pid" 30 "Redis Cluster node :$port"
  done
}

status() {
  if answers "${PORTS[0]}" && all_ok; then echo "Redis Cluster: up, $(url)"; else
    echo "Redis Cluster: down or failing (${PORTS[*]})"
    return 1
  fi
}

url() {
  local list=() port
  for port in "${PORTS[@]}"; do list+=("127.0.0.1:$port"); done
  echo "redis-cluster://$(IFS=,; echo "${list[*]}")"
}

kill_node() {
  local port="${1:-}" pidfile
  [[ " ${PORTS[*]} " == *" $port "* ]] || die "not a node of this cluster: '$port'"
  pidfile="$(dir_of "$port")/redis.pid"
  is_running "$pidfile" || die "Redis Cluster node :$port is not running"
  log "killing Redis Cluster node :$port (SIGKILL)"
  kill -KILL "$(cat "$pidfile")"
  rm -f "$pidfile"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  url) url ;;
  kill) kill_node "${2:-}" ;;
  *)
    echo "usage: $(basename "$0") start|stop|status|url|kill PORT" >&2
    exit 2
    ;;
esac
