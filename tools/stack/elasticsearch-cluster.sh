#!/usr/bin/env bash
# A three-node Elasticsearch cluster on loopback: the distribution elasticsearch.sh installs, run
# as one process per node with its own HTTP and transport ports and data directory. Every node is
# master-eligible and holds data, so the cluster keeps a quorum and every index (the templates ask
# for one replica where there is a second node) when any one node is down.
#
#   elasticsearch-cluster.sh start           start the nodes in parallel, wait for green health
#   elasticsearch-cluster.sh stop            SIGTERM every node
#   elasticsearch-cluster.sh status          exit 0 when the cluster answers with every node
#   elasticsearch-cluster.sh urls            the node URLs, comma-separated (ELASTICSEARCH_URL)
#   elasticsearch-cluster.sh kill N          SIGKILL node N (1-based), as a crash; data kept
#   elasticsearch-cluster.sh start-node N    start node N again (the cluster must be running)
#
#   ES_CLUSTER_PORTS=9201,9202,9203   HTTP ports; transport ports are HTTP + 100 unless
#   ES_CLUSTER_TRANSPORT_PORTS=...    gives them. ES_HEAP (default 512m) per node.
#   ES_CLUSTER_DIR                    parent of the node directories (default $FREERIDE_RUN),
#                                     each one es-cluster-<port>
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tools/stack/lib.sh
source "$here/lib.sh"

ES_CLUSTER_PORTS="${ES_CLUSTER_PORTS:-9201,9202,9203}"
ES_CLUSTER_DIR="${ES_CLUSTER_DIR:-$FREERIDE_RUN}"
export ES_HEAP="${ES_HEAP:-512m}"
export ES_CLUSTER_NAME="${ES_CLUSTER_NAME:-freeride-cluster}"
IFS=, read -r -a HTTP_PORTS <<<"$ES_CLUSTER_PORTS"
if [[ -n "${ES_CLUSTER_TRANSPORT_PORTS:-}" ]]; then
  IFS=, read -r -a TRANSPORT_PORTS <<<"$ES_CLUSTER_TRANSPORT_PORTS"
else
  TRANSPORT_PORTS=()
  for p in "${HTTP_PORTS[@]}"; do TRANSPORT_PORTS+=("$((p + 100))"); done
fi
((${#HTTP_PORTS[@]} == ${#TRANSPORT_PORTS[@]})) || die "ES_CLUSTER_PORTS and ES_CLUSTER_TRANSPORT_PORTS differ in length"

seeds=() masters=() urls=()
for i in "${!HTTP_PORTS[@]}"; do
  seeds+=("127.0.0.1:${TRANSPORT_PORTS[$i]}")
  masters+=("freeride-es-${HTTP_PORTS[$i]}")
  urls+=("http://127.0.0.1:${HTTP_PORTS[$i]}")
done
export ES_SEED_HOSTS ES_INITIAL_MASTERS
ES_SEED_HOSTS="$(IFS=,; echo "${seeds[*]}")"
ES_INITIAL_MASTERS="$(IFS=,; echo "${masters[*]}")"

# node I CMD: elasticsearch.sh CMD for the node at index I.
node() {
  ES_PORT="${HTTP_PORTS[$1]}" ES_TRANSPORT_PORT="${TRANSPORT_PORTS[$1]}" \
    ES_RUN_DIR="$ES_CLUSTER_DIR/es-cluster-${HTTP_PORTS[$1]}" \
    bash "$here/elasticsearch.sh" "$2"
}

index_of() {
  [[ "${1:-}" =~ ^[0-9]+$ ]] && (($1 >= 1 && $1 <= ${#HTTP_PORTS[@]})) || die "node number 1..${#HTTP_PORTS[@]} expected, got '${1:-}'"
  echo $(($1 - 1))
}

# The cluster health with every node, as JSON, from the first node that answers.
health() {
  local u
  for u in "${urls[@]}"; do
    curl -fsS --max-time 5 "$u/_cluster/health?wait_for_nodes=${#urls[@]}&wait_for_status=${1:-yellow}&timeout=1s" 2>/dev/null && return 0
  done
  return 1
}

start() {
  local i pids=() failed=0 started
  started=$(date +%s)
  # In parallel: a member waits for a quorum of the others before it answers.
  for i in "${!HTTP_PORTS[@]}"; do
    ES_WAIT_STATUS=yellow node "$i" start &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || failed=1; done
  ((failed == 0)) || die "an Elasticsearch node did not start (logs: $ES_CLUSTER_DIR/es-cluster-*/logs)"
  local deadline=$(($(date +%s) + ${ES_START_TIMEOUT:-180}))
  until health green >/dev/null; do
    (($(date +%s) < deadline)) || die "the Elasticsearch cluster did not turn green with ${#urls[@]} nodes"
    sleep 1
  done
  log "Elasticsearch cluster $ES_CLUSTER_NAME is green with ${#urls[@]} nodes: $(IFS=,; echo "${urls[*]}") ($(($(date +%s) - started))s)"
}

stop() {
  local i pids=() status=0
  for i in "${!HTTP_PORTS[@]}"; do
    node "$i" stop &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || status=1; done
  return $status
}

status() {
  if health yellow >/dev/null; then
    echo "Elasticsearch cluster: up with ${#urls[@]} nodes on $(IFS=,; echo "${urls[*]}")"
  else
    echo "Elasticsearch cluster: down or missing nodes ($(IFS=,; echo "${urls[*]}"))"
    return 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  urls) (IFS=,; echo "${urls[*]}") ;;
  kill) node "$(index_of "${2:-}")" kill ;;
  start-node) node "$(index_of "${2:-}")" start ;;
  *)
    echo "usage: $(basename "$0") start|stop|status|urls|kill N|start-node N" >&2
    exit 2
    ;;
esac
