#!/usr/bin/env bash
# Starts the local stack on loopback. Each line is one part; add apps and demo sources below.
#   ES_PORT=9200 REDIS_PORT=6379 PG_PORT=5432 ALERTMANAGER_PORT=9093 PROMETHEUS_PORT=9090
# STACK_SKIP="postgres prometheus" leaves parts out. Stop everything with tools/stack/down.sh.
#
# --cluster (or STACK_CLUSTER=1): the scale-out topology instead, same entry points:
#   Redis Cluster 3 masters + 3 replicas (7001-7006), Elasticsearch x3 (9201-9203), ingest x2
#   (4321, 4322; indexer and fan-out in each) behind HAProxy on 4318, market gateway x2 (3001,
#   3011) sharing one provider budget, anomaly x2 (3003, 3013), trading x2 (3002, 3012).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tools/stack/lib.sh
source "$here/lib.sh"

part() {
  local name="$1"
  shift
  if [[ " ${STACK_SKIP:-} " == *" $name "* ]]; then
    log "skipping $name (STACK_SKIP)"
    return 0
  fi
  "$@"
}

cluster="${STACK_CLUSTER:-0}"
for arg in "$@"; do
  case "$arg" in
    --cluster) cluster=1 ;;
    *) die "unknown argument: $arg (usage: up.sh [--cluster])" ;;
  esac
done

# down.sh stops the servers of the topology started last.
mkdir -p "$FREERIDE_RUN"
if [[ "$cluster" == 1 ]]; then echo cluster; else echo single; fi >"$FREERIDE_RUN/stack-topology"

# --- servers ---------------------------------------------------------------------------------
if [[ "$cluster" == 1 ]]; then
  part elasticsearch bash "$here/elasticsearch-cluster.sh" start
  part redis bash "$here/redis-cluster.sh" start
  STACK_ES_URL="$(bash "$here/elasticsearch-cluster.sh" urls)"
  STACK_REDIS_URL="$(bash "$here/redis-cluster.sh" url)"
  export STACK_ES_URL STACK_REDIS_URL
else
  part elasticsearch bash "$here/elasticsearch.sh" start
  part redis bash "$here/redis.sh" start
fi
part postgres bash "$here/postgres.sh" start
part alertmanager bash "$here/alertmanager.sh" start
if [[ "$cluster" == 1 ]]; then
  # Every instance of every app, each under its own `instance` label (not the load balancer).
  part prometheus env PROMETHEUS_CONFIG="$REPO_ROOT/observability/prometheus/prometheus-cluster.yml" \
    bash "$here/prometheus.sh" start
else
  part prometheus bash "$here/prometheus.sh" start
fi

# --- apps and demo sources (started after the servers they need) ----------------------------
if [[ "$cluster" == 1 ]]; then
  # Two instances of each app: instance a on the single stack's port, b on port + 10 (ingest:
  # both behind HAProxy on 4318). Each consumer has its own name; WAIT for one replica; the two
  # evaluators share two symbol partitions by leases in Redis (a dead one's taken over after
  # TRADING_EVAL_LEASE_MS).
  instance() { STACK_INSTANCE="$1" "${@:2}"; }
  part ingest instance a env INGEST_PORT=4321 STACK_INGEST_LB_PORT=4318 \
    STACK_APP_ENV="INGEST_CONSUMER_NAME=ingest-a INGEST_ACK_REPLICAS=1 INGEST_STREAM_PARTITIONS=4" bash "$here/apps.sh" start ingest
  part ingest instance b env INGEST_PORT=4322 STACK_INGEST_LB_PORT=4318 \
    STACK_APP_ENV="INGEST_CONSUMER_NAME=ingest-b INGEST_ACK_REPLICAS=1 INGEST_STREAM_PARTITIONS=4" bash "$here/apps.sh" start ingest
  part ingest env HAPROXY_PORT=4318 HAPROXY_SERVERS=127.0.0.1:4321,127.0.0.1:4322 bash "$here/haproxy.sh" start
  part market-fakes bash "$here/apps.sh" start market-fakes
  part market-gateway instance a env MARKET_GATEWAY_PORT=3001 STACK_APP_ENV="PROVIDER_BUDGET_SHARED=true" bash "$here/apps.sh" start market-gateway
  part market-gateway instance b env MARKET_GATEWAY_PORT=3011 STACK_APP_ENV="PROVIDER_BUDGET_SHARED=true" bash "$here/apps.sh" start market-gateway
  part anomaly instance a env ANOMALY_PORT=3003 STACK_APP_ENV="ANOMALY_CONSUMER_NAME=anomaly-a" bash "$here/apps.sh" start anomaly
  part anomaly instance b env ANOMALY_PORT=3013 STACK_APP_ENV="ANOMALY_CONSUMER_NAME=anomaly-b" bash "$here/apps.sh" start anomaly
  part openai-fake bash "$here/apps.sh" start openai-fake
  part trading instance a env TRADING_PORT=3002 STACK_APP_ENV="TRADING_EVAL_PARTITION_COUNT=2 TRADING_EVAL_CONSUMER_NAME=evaluator-a TRADING_EVAL_LEASE_MS=5000" bash "$here/apps.sh" start trading
  part trading instance b env TRADING_PORT=3012 MARKET_GATEWAY_PORT=3011 STACK_APP_ENV="TRADING_EVAL_PARTITION_COUNT=2 TRADING_EVAL_CONSUMER_NAME=evaluator-b TRADING_EVAL_LEASE_MS=5000" bash "$here/apps.sh" start trading
else
  part ingest bash "$here/apps.sh" start ingest
  part market-fakes bash "$here/apps.sh" start market-fakes
  part market-gateway bash "$here/apps.sh" start market-gateway
  part anomaly bash "$here/apps.sh" start anomaly
  part openai-fake bash "$here/apps.sh" start openai-fake
  part trading bash "$here/apps.sh" start trading
fi
part trading-demo bash "$here/apps.sh" start trading-demo
part node-demo bash "$here/apps.sh" start node-demo
part python-demo bash "$here/apps.sh" start python-demo
part wordpress-demo bash "$here/apps.sh" start wordpress-demo
part traffic bash "$here/apps.sh" start traffic

# Where to look: the first Elasticsearch node of the cluster, or the single one.
es_url="${STACK_ES_URL:-http://127.0.0.1:${ES_PORT:-9200}}"
es_url="${es_url%%,*}"
log "stack is up:"
cat >&2 <<MSG
    ingest (OTLP/HTTP)      http://127.0.0.1:${INGEST_PORT:-4318}/v1/logs  (metrics: /metrics, health: /health/ready)
    Elasticsearch           $es_url
      logs of every source: curl '$es_url/logs-*/_search?q=service.name:freeride-fetch&size=5&pretty'
      one trace:            curl '$es_url/traces-*,logs-*/_search?q=trace.id:<id>&pretty'
    market-data gateway     http://127.0.0.1:${MARKET_GATEWAY_PORT:-3001}/v1/quotes/AAPL  (providers: /health/providers, API: /docs)
      with a client key:    curl -H "authorization: Bearer \$(cat $FREERIDE_RUN/gateway-key-python)" http://127.0.0.1:${MARKET_GATEWAY_PORT:-3001}/v1/quotes/AAPL
    anomaly detection       http://127.0.0.1:${ANOMALY_PORT:-3003}/anomalies  (pages on-call through Alertmanager http://127.0.0.1:${ALERTMANAGER_PORT:-9093})
      make it page:         bash tools/stack/apps.sh start error-burst   (two minutes after start: 50 lines of a new error from the Python source)
    trading alerts          http://127.0.0.1:${TRADING_PORT:-3002}/docs  (demo trader in $FREERIDE_RUN/demo-trader.json; signed webhooks land in $FREERIDE_RUN/apps/webhook-receiver.log)
    demo sources            node-demo http://127.0.0.1:${NODE_DEMO_PORT:-3099}/quote/IBM, python-demo, wordpress-demo http://127.0.0.1:${WORDPRESS_DEMO_PORT:-3098}/
    app and demo logs       $FREERIDE_RUN/apps/*.log
    stop everything         npm run stack:down
MSG
if [[ "$cluster" == 1 ]]; then
  log "scale-out topology: Elasticsearch $STACK_ES_URL, Redis $STACK_REDIS_URL; second instances on ports + 10 (ingest 4321/4322 behind HAProxy 4318)"
  servers="elasticsearch-cluster redis-cluster haproxy postgres alertmanager prometheus"
else
  servers="elasticsearch redis postgres alertmanager prometheus"
fi
for s in $servers; do
  [[ " ${STACK_SKIP:-} " == *" ${s%-cluster} "* ]] || env HAPROXY_PORT=4318 bash "$here/$s.sh" status | sed 's/^/    /' || true
done
