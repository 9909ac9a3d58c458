#!/usr/bin/env bash
# Imports observability/kibana/saved-objects.ndjson (data views for logs, traces
# and anomalies; saved searches) through Kibana's saved-objects API.
# usage: KIBANA_URL=http://127.0.0.1:5601 observability/kibana/load-saved-objects.sh [--require]
# Without --require, an absent Kibana is reported and skipped (Kibana runs in
# docker-compose only); with it, the script fails.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kibana="${KIBANA_URL:-http://127.0.0.1:5601}"
auth=()
[[ -n "${KIBANA_USERNAME:-}" ]] && auth=(-u "$KIBANA_USERNAME:${KIBANA_PASSWORD:-}")
if ! curl -fsS -o /dev/null --max-time 5 "${auth[@]}" "$kibana/api/status"; then
  echo "Kibana does not answer at $kibana" >&2
  [[ "${1:-}" == "--require" ]] && exit 1
  exit 0
fi
response="$(curl -fsS --max-time 60 "${auth[@]}" -X POST "$kibana/api/saved_objects/_import?overwrite=true" \
  -H 'kbn-xsrf: true' --form file=@"$here/saved-objects.ndjson")"
echo "$response"
[[ "$response" == *'"success":true'* ]] || { echo "import failed" >&2; exit 1; }
