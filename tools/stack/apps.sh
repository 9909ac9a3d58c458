#!/usr/bin/env bash
# The platform's apps and demo sources as background processes on loopback.
#
#   apps.sh start NAME   start one part (see PARTS below); no-op when its port answers
#   apps.sh stop NAME    SIGTERM (the apps drain and flush telemetry), SIGKILL after 20 s
#   apps.sh status NAME
#
# The scale-out stack (up.sh --cluster) runs two instances of each app: STACK_INSTANCE=a|b names
# the instance (pid and log files NAME-a, NAME-b), STACK_REDIS_URL and STACK_ES_URL point the
# apps at the Redis Cluster and the Elasticsearch nodes, STACK_APP_ENV="K=V K2=V2" adds settings.
#
# Demo tokens (one per source) are generated once into $FREERIDE_RUN/ingest-tokens, mode 600,
# never committed and never printed. Logs: $FREERIDE_RUN/apps/<name>.log
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
# shellcheck source=tools/stack/lib.sh
source "$here/lib.sh"

APPS_DIR="$FREERIDE_RUN/apps"
TOKENS_FILE="$FREERIDE_RUN/ingest-tokens"
NODE="$repo/node_modules/.bin/node"
INGEST_PORT="${INGEST_PORT:-4318}"
INGEST_URL="http://127.0.0.1:${STACK_INGEST_LB_PORT:-$INGEST_PORT}"
INSTANCE="${STACK_INSTANCE:-}"
REDIS_URL_STACK="${STACK_REDIS_URL:-redis://127.0.0.1:${REDIS_PORT:-6379}}"
ES_URL_STACK="${STACK_ES_URL:-http://127.0.0.1:${ES_PORT:-9200}}"
mkdir -p "$APPS_DIR"

# instance_name NAME: NAME, or NAME-<instance> in the scale-out stack.
instance_name() { echo "$1${INSTANCE:+-$INSTANCE}"; }

ensure_tokens() {
  [[ -s "$TOKENS_FILE" ]] && return 0
  umask 077
  local s list=()
  for s in ingest node python wordpress gateway trading anomaly; do
    list+=("$s=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')")
  done
  (IFS=,; echo "${list[*]}") >"$TOKENS_FILE"
  log "generated demo ingest tokens in $TOKENS_FILE"
}

token_of() { tr ',' '\n' <"$TOKENS_FILE" | sed -n "s/^$1=//p"; }

# The trading service's operator token, in its own secret file (not an ingest token).
admin_token() {
  local file="$FREERIDE_RUN/trading-admin-token"
  [[ -s "$file" ]] || (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$file")
  cat "$file"
}

# gateway_key CLIENT: the market gateway's client key of CLIENT (trading, python), made once.
gateway_key() {
  local file="$FREERIDE_RUN/gateway-key-$1"
  [[ -s "$file" ]] || (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$file")
  cat "$file"
}

# otel_env SOURCE: the OTel SDK environment of a source sending to the ingest.
otel_env() {
  printf 'OTEL_EXPORTER_OTLP_ENDPOINT=%s\nOTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%%20%s\n' \
    "$INGEST_URL" "$(token_of "$1")"
}

# built_app APP: builds dist/apps/APP (nx; a cache hit when nothing changed) and prints its
# entry. The stack runs the production builds, as the e2e tests and the images do.
built_app() {
  (cd "$repo" && NX_DAEMON=false NX_TUI=false "$repo/node_modules/.bin/nx" run "$1:build" \
    --outputStyle=static >>"$APPS_DIR/build.log" 2>&1) || die "nx run $1:build failed (see $APPS_DIR/build.log)"
  echo "$repo/dist/apps/$1/main.js"
}

# node_app NAME PORT ENTRY TOKEN_SOURCE ENV...: ENTRY is a built main.js (plain node) or a
# TypeScript demo source (under swc).
node_app() {
  local name port="$2" entry="$3" token_source="$4"
  name="$(instance_name "$1")"
  shift 4
  [[ -n "$entry" ]] || die "$name: nothing to start"
  local pidfile="$APPS_DIR/$name.pid" logfile="$APPS_DIR/$name.log"
  if port_open "$port"; then
    log "$name already listens on 127.0.0.1:$port"
    return 0
  fi
  log "starting $name on http://127.0.0.1:$port (log $logfile)"
  local run=(-r @swc-node/register "$entry")
  [[ "$entry" == *.js ]] && run=(--enable-source-maps "$entry")
  (
    cd "$repo"
    # shellcheck disable=SC2046
    env $(otel_env "$token_source") "$@" ${STACK_APP_ENV:-} setsid "$NODE" "${run[@]}" >>"$logfile" 2>&1 </dev/null &
    echo $! >"$pidfile"
  )
  wait_for_http "http://127.0.0.1:$port/health/live" 120 "$name" || {
    tail -n 30 "$logfile" >&2
    die "$name did not start"
  }
}

# bg_process NAME CMD ARGS... --cwd DIR --env "K=V K2=V2": a long-running demo process.
bg_process() {
  local name="$1"
  shift
  local cmd=() cwd="$repo" envs=()
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --cwd) cwd="$2"; shift 2 ;;
      --env) [[ -n "$2" ]] && envs+=("$2"); shift 2 ;;
      *) cmd+=("$1"); shift ;;
    esac
  done
  local pidfile="$APPS_DIR/$name.pid" logfile="$APPS_DIR/$name.log"
  if is_running "$pidfile"; then
    log "$name already running"
    return 0
  fi
  log "starting $name (log $logfile)"
  (
    cd "$cwd"
    # shellcheck disable=SC2086,SC2048
    env ${envs[*]} setsid "${cmd[@]}" >>"$logfile" 2>&1 </dev/null &
    echo $! >"$pidfile"
  )
}

start() {
  ensure_tokens
  case "$1" in
    ingest)
      node_app ingest "$INGEST_PORT" "$(built_app ingest)" ingest \
        INGEST_PORT="$INGEST_PORT" INGEST_TOKENS_FILE="$TOKENS_FILE" \
        REDIS_URL="$REDIS_URL_STACK" ELASTICSEARCH_URL="$ES_URL_STACK"
      ;;
    node-demo)
      node_app node-demo "${NODE_DEMO_PORT:-3099}" tools/demo/node-source/main.ts node PORT="${NODE_DEMO_PORT:-3099}"
      ;;
    market-fakes)
      # Local fakes of Alpha Vantage, Finnhub and Polygon (no internet here); the gateway talks to them.
      bg_process market-fakes "$repo/node_modules/.bin/tsx" tools/fakes/market/start-market-fakes.ts --cwd "$repo" --env ""
      local i
      for ((i = 0; i < 120; i++)); do
        grep -q '^MASSIVE_WS_URL=' "$APPS_DIR/market-fakes.log" 2>/dev/null && break
        sleep 0.5
      done
      grep -q '^MASSIVE_WS_URL=' "$APPS_DIR/market-fakes.log" || die "market fakes did not start (see $APPS_DIR/market-fakes.log)"
      ;;
    market-gateway)
      # shellcheck disable=SC2046
      node_app market-gateway "${MARKET_GATEWAY_PORT:-3001}" "$(built_app market-gateway)" gateway \
        MARKET_GATEWAY_PORT="${MARKET_GATEWAY_PORT:-3001}" REDIS_URL="$REDIS_URL_STACK" \
        $(grep -E '^(ALPHAVANTAGE|FINNHUB|MASSIVE)_' "$APPS_DIR/market-fakes.log" | sort -u | tr '\n' ' ') \
        ALPHAVANTAGE_API_KEYS=demo-av-key FINNHUB_API_KEYS=demo-finnhub-key MASSIVE_API_KEYS=demo-massive-key \
        STREAM_SYMBOLS=AAPL,MSFT,IBM,NVDA \
        GATEWAY_CLIENT_KEYS="trading=$(gateway_key trading),python=$(gateway_key python)"
      ;;
    anomaly)
      node_app anomaly "${ANOMALY_PORT:-3003}" "$(built_app anomaly)" anomaly \
        ANOMALY_PORT="${ANOMALY_PORT:-3003}" REDIS_URL="$REDIS_URL_STACK" \
        ELASTICSEARCH_URL="$ES_URL_STACK" \
        ALERTMANAGER_URLS="http://127.0.0.1:${ALERTMANAGER_PORT:-9093}" \
        PROMETHEUS_URL="http://127.0.0.1:${PROMETHEUS_PORT:-9090}" \
        ANOMALY_NEW_TEMPLATE_WARMUP_MS="${ANOMALY_NEW_TEMPLATE_WARMUP_MS:-60000}" \
        ANOMALY_BUCKET_MS="${ANOMALY_BUCKET_MS:-10000}" ANOMALY_EVALUATE_EVERY_MS="${ANOMALY_EVALUATE_EVERY_MS:-2000}"
      # The demo learns in minutes instead of an hour (1 min new-template warm-up, 10 s buckets),
      # so a burst sent two minutes after start-up pages; production keeps the defaults.
      ;;
    openai-fake)
      bg_process openai-fake "$repo/node_modules/.bin/tsx" tools/fakes/openai/start-openai-fake.ts --port "${OPENAI_FAKE_PORT:-4110}" --cwd "$repo" --env ""
      ;;
    trading)
      node_app trading "${TRADING_PORT:-3002}" "$(built_app trading)" trading \
        TRADING_PORT="${TRADING_PORT:-3002}" TRADING_ADMIN_TOKEN="$(admin_token)" \
        TRADING_DATABASE_URL="postgres://freeride:freeride@127.0.0.1:${PG_PORT:-5432}/freeride" \
        TRADING_REDIS_URL="$REDIS_URL_STACK" \
        TRADING_GATEWAY_URL="http://127.0.0.1:${MARKET_GATEWAY_PORT:-3001}" TRADING_GATEWAY_TOKEN="$(gateway_key trading)" \
        OPENAI_BASE_URL="http://127.0.0.1:${OPENAI_FAKE_PORT:-4110}/v1" OPENAI_API_KEY=demo-openai-key \
        TRADING_WEBHOOK_ALLOWLIST="127.0.0.1:${WEBHOOK_DEMO_PORT:-3097}"
      ;;
    trading-demo)
      # A demo trader with two alerts on the live quote stream, delivered as signed webhooks to a
      # local receiver that verifies each signature ($APPS_DIR/webhook-receiver.log).
      local trading="http://127.0.0.1:${TRADING_PORT:-3002}" creds="$FREERIDE_RUN/demo-trader.json"
      if [[ ! -s "$creds" ]]; then
        (umask 077; curl -fsS -X POST "$trading/v1/admin/traders" -H "authorization: Bearer $(admin_token)" \
          -H 'content-type: application/json' -d '{"name":"demo trader"}' >"$creds") || die "could not create the demo trader"
      fi
      local key secret
      key="$(sed -E 's/.*"apiKey":"([^"]+)".*/\1/' "$creds")"
      secret="$(sed -E 's/.*"webhookSecret":"([^"]+)".*/\1/' "$creds")"
      bg_process webhook-receiver "$repo/node_modules/.bin/tsx" tools/demo/webhook-receiver/main.ts --cwd "$repo" \
        --env "WEBHOOK_SECRET=$secret PORT=${WEBHOOK_DEMO_PORT:-3097}"
      local sym
      # Once: a restarted stack keeps the alerts it created before.
      curl -fsS "$trading/v1/alerts" -H "authorization: Bearer $key" | grep -q '"symbol"' && return 0
      for sym in AAPL MSFT; do
        curl -fsS -o /dev/null -X POST "$trading/v1/alerts" -H "authorization: Bearer $key" -H 'content-type: application/json' \
          -d "{\"symbol\":\"$sym\",\"name\":\"$sym above 1\",\"condition\":{\"type\":\"price_above\",\"threshold\":1},\"trigger\":{\"mode\":\"every_time\",\"cooldownSeconds\":30},\"delivery\":{\"webhookUrl\":\"http://127.0.0.1:${WEBHOOK_DEMO_PORT:-3097}/alerts\"}}" \
          || warn "could not create the demo alert for $sym"
      done
      log "demo trader alerts created; deliveries: $APPS_DIR/webhook-receiver.log"
      ;;
    python-demo)
      # The Python market-data script, every 5 s, for ever (until stop).
      bg_process python-demo "$(bash "$repo/sources/python/ensure-venv.sh" | tail -n 1)/bin/python" \
        -m freeride_fetch --symbols AAPL,MSFT,IBM --interval 5 --iterations 0 \
        --cwd "$repo/sources/python" --env "$(otel_env python | tr '\n' ' ') FREERIDE_GATEWAY_TOKEN=$(gateway_key python)"
      ;;
    error-burst)
      # One run of the Python source emitting a burst of a new error pattern: the anomaly
      # service pages through Alertmanager within a minute, and resolves once it stops.
      (
        cd "$repo/sources/python"
        # shellcheck disable=SC2046
        env $(otel_env python) FREERIDE_GATEWAY_TOKEN="$(gateway_key python)" "$(bash "$repo/sources/python/ensure-venv.sh" | tail -n 1)/bin/python" \
          -m freeride_fetch --burst-errors 50 --iterations 1 >>"$APPS_DIR/error-burst.log" 2>&1
      )
      log "error burst sent; watch http://127.0.0.1:${ANOMALY_PORT:-3003}/anomalies and http://127.0.0.1:${ALERTMANAGER_PORT:-9093}/#/alerts"
      ;;
    wordpress-demo)
      # The WordPress plugin loaded standalone by php's built-in server (a real WordPress
      # needs MariaDB; sources/wordpress/tests/wp-smoke.sh runs that).
      bg_process wordpress-demo php -S "127.0.0.1:${WORDPRESS_DEMO_PORT:-3098}" sources/wordpress/tests/fixtures/page.php \
        --cwd "$repo" --env "FREERIDE_OTLP_ENDPOINT=$INGEST_URL FREERIDE_OTLP_TOKEN=$(token_of wordpress)"
      ;;
    traffic)
      # Demo traffic: a request to the Node service and to the WordPress page every 2 s.
      bg_process traffic bash -c "while true; do
          for s in AAPL MSFT IBM; do curl -fsS -o /dev/null http://127.0.0.1:${NODE_DEMO_PORT:-3099}/quote/\$s || true; done
          curl -fsS -o /dev/null http://127.0.0.1:${WORDPRESS_DEMO_PORT:-3098}/ || true
          sleep 2
        done" --cwd "$repo" --env ""
      ;;
    *) die "unknown part: $1" ;;
  esac
}

stop() {
  stop_pidfile "$APPS_DIR/$(instance_name "$1").pid" 20 "$(instance_name "$1")"
}

status() {
  local name
  name="$(instance_name "$1")"
  if is_running "$APPS_DIR/$name.pid"; then echo "$name running (pid $(cat "$APPS_DIR/$name.pid"))"; else echo "$name not running"; return 1; fi
}

[[ $# -ge 2 ]] || { echo "usage: $0 start|stop|status NAME" >&2; exit 2; }
"$1" "$2"
