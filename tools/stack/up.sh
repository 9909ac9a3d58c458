#!/usr/bin/env bash
# Starts the local stack on loopback. Each line is one part; add apps and demo sources below.
#   ES_PORT=9200 REDIS_PORT=6379 PG_PORT=5432 ALERTMANAGER_PORT=9093 PROMETHEUS_PORT=9090
# STACK_SKIP="postgres prometheus" leaves parts out. Stop everything with tools/stack/down.sh.
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

# --- servers ---------------------------------------------------------------------------------
part elasticsearch bash "$here/elasticsearch.sh" start
part redis bash "$here/redis.sh" start
part postgres bash "$here/postgres.sh" start
part alertmanager bash "$here/alertmanager.sh" start
part prometheus bash "$here/prometheus.sh" start

# --- apps and demo sources (started after the servers they need) ----------------------------
part ingest bash "$here/apps.sh" start ingest
part market-fakes bash "$here/apps.sh" start market-fakes
part market-gateway bash "$here/apps.sh" start market-gateway
part anomaly bash "$here/apps.sh" start anomaly
part openai-fake bash "$here/apps.sh" start openai-fake
part trading bash "$here/apps.sh" start trading
part trading-demo bash "$here/apps.sh" start trading-demo
part node-demo bash "$here/apps.sh" start node-demo
part python-demo bash "$here/apps.sh" start python-demo
part wordpress-demo bash "$here/apps.sh" start wordpress-demo
part traffic bash "$here/apps.sh" start traffic

log "stack is up:"
cat >&2 <<MSG
    ingest (OTLP/HTTP)      http://127.0.0.1:${INGEST_PORT:-4318}/v1/logs  (metrics: /metrics, health: /health/ready)
    Elasticsearch           http://127.0.0.1:${ES_PORT:-9200}
      logs of every source: curl 'http://127.0.0.1:${ES_PORT:-9200}/logs-*/_search?q=service.name:freeride-fetch&size=5&pretty'
      one trace:            curl 'http://127.0.0.1:${ES_PORT:-9200}/traces-*,logs-*/_search?q=trace.id:<id>&pretty'
    market-data gateway     http://127.0.0.1:${MARKET_GATEWAY_PORT:-3001}/v1/quotes/AAPL  (providers: /health/providers, API: /docs)
      with a client key:    curl -H "authorization: Bearer \$(cat $FREERIDE_RUN/gateway-key-python)" http://127.0.0.1:${MARKET_GATEWAY_PORT:-3001}/v1/quotes/AAPL
    anomaly detection       http://127.0.0.1:${ANOMALY_PORT:-3003}/anomalies  (pages on-call through Alertmanager http://127.0.0.1:${ALERTMANAGER_PORT:-9093})
      make it page:         bash tools/stack/apps.sh start error-burst   (two minutes after start: 50 lines of a new error from the Python source)
    trading alerts          http://127.0.0.1:${TRADING_PORT:-3002}/docs  (demo trader in $FREERIDE_RUN/demo-trader.json; signed webhooks land in $FREERIDE_RUN/apps/webhook-receiver.log)
    demo sources            node-demo http://127.0.0.1:${NODE_DEMO_PORT:-3099}/quote/IBM, python-demo, wordpress-demo http://127.0.0.1:${WORDPRESS_DEMO_PORT:-3098}/
    app and demo logs       $FREERIDE_RUN/apps/*.log
    stop everything         npm run stack:down
MSG
for s in elasticsearch redis postgres alertmanager prometheus; do
  [[ " ${STACK_SKIP:-} " == *" $s "* ]] || bash "$here/$s.sh" status | sed 's/^/    /' || true
done
