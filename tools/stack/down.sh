#!/usr/bin/env bash
# Stops what tools/stack/up.sh started (the single-node stack or the scale-out one of
# up.sh --cluster), in reverse order. Keeps data directories. After a scale-out stack it leaves
# the single-node Elasticsearch and Redis alone (tests may share the one on :9200).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tools/stack/lib.sh
source "$here/lib.sh"
topology="$(cat "$FREERIDE_RUN/stack-topology" 2>/dev/null || echo single)"

# --- apps and demo sources (stopped before the servers) --------------------------------------
for a in traffic wordpress-demo python-demo node-demo webhook-receiver trading openai-fake anomaly market-gateway market-fakes ingest; do
  bash "$here/apps.sh" stop "$a" || true
  # The two instances of each app in the scale-out stack.
  case "$a" in
    trading | anomaly | market-gateway | ingest)
      STACK_INSTANCE=a bash "$here/apps.sh" stop "$a" || true
      STACK_INSTANCE=b bash "$here/apps.sh" stop "$a" || true
      ;;
  esac
done
HAPROXY_PORT=4318 bash "$here/haproxy.sh" stop || true

# --- servers ---------------------------------------------------------------------------------
status=0
servers="prometheus alertmanager postgres redis-cluster elasticsearch-cluster"
[[ "$topology" == cluster ]] || servers="$servers redis elasticsearch"
for s in $servers; do
  bash "$here/$s.sh" stop || status=1
done
rm -f "$FREERIDE_RUN/stack-topology"
exit $status
