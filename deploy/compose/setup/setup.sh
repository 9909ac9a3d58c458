#!/usr/bin/env bash
# The compose stack's one-shot setup service (runs in the Elasticsearch image, which has bash
# and curl): effective secrets, Elasticsearch index templates, Kibana saved objects. The apps
# start only once it has completed successfully (depends_on: service_completed_successfully).
set -euo pipefail
es="${ELASTICSEARCH_URL:-http://elasticsearch:9200}"
kibana="${KIBANA_URL:-http://kibana:5601}"
templates=/observability/elasticsearch

bash /setup/secrets.sh /run/secrets /secrets

# Same order as the ingest's installIndexTemplates: component templates first.
for kind in component-templates index-templates; do
  api=_component_template
  [[ "$kind" == index-templates ]] && api=_index_template
  for file in "$templates/$kind"/*.json; do
    name="$(basename "$file" .json)"
    curl -fsS -o /dev/null -X PUT "$es/$api/$name" -H 'content-type: application/json' --data-binary "@$file"
    echo "installed $api/$name"
  done
done

KIBANA_URL="$kibana" bash /observability/kibana/load-saved-objects.sh --require
echo "setup done"
