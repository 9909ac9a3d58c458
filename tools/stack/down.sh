#!/usr/bin/env bash
# Stops what tools/stack/up.sh started, in reverse order. Keeps data directories.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# --- apps and demo sources (stopped before the servers) --------------------------------------
for a in traffic wordpress-demo python-demo node-demo webhook-receiver trading openai-fake anomaly market-gateway market-fakes ingest; do
  bash "$here/apps.sh" stop "$a" || true
done

# --- servers ---------------------------------------------------------------------------------
status=0
for s in prometheus alertmanager postgres redis elasticsearch; do
  bash "$here/$s.sh" stop || status=1
done
exit $status
