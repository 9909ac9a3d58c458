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

log "stack is up:"
for s in elasticsearch redis postgres alertmanager prometheus; do
  [[ " ${STACK_SKIP:-} " == *" $s "* ]] || bash "$here/$s.sh" status | sed 's/^/    /' || true
done
