#!/usr/bin/env bash
# Redis on 127.0.0.1:${REDIS_PORT:-6379}, AOF on (appendfsync always: an acknowledged OTLP record survives a crash; REDIS_APPENDFSYNC overrides), data in $FREERIDE_RUN/redis-<port>.
#   redis.sh start|stop|status|restart
set -euo pipefail
# shellcheck source=tools/stack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REDIS_PORT="${REDIS_PORT:-6379}"
RUN_DIR="$FREERIDE_RUN/redis-$REDIS_PORT"
PID_FILE="$RUN_DIR/redis.pid"

answers() { [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]]; }

start() {
  need_bin redis-server redis-server
  if answers; then
    log "Redis already answers on 127.0.0.1:$REDIS_PORT"
    return 0
  fi
  port_open "$REDIS_PORT" && die "port $REDIS_PORT is taken by something that is not Redis"
  mkdir -p "$RUN_DIR"
  log "starting Redis on 127.0.0.1:$REDIS_PORT (dir $RUN_DIR)"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$RUN_DIR" \
    --daemonize yes --pidfile "$PID_FILE" --logfile "$RUN_DIR/redis.log" \
    --appendonly yes --appendfsync "${REDIS_APPENDFSYNC:-always}" --protected-mode no
  local i
  for ((i = 0; i < 60; i++)); do
    answers && {
      log "Redis is up on redis://127.0.0.1:$REDIS_PORT"
      return 0
    }
    sleep 0.25
  done
  tail -n 20 "$RUN_DIR/redis.log" >&2 || true
  die "Redis did not answer PING within 15s"
}

stop() { stop_pidfile "$PID_FILE" 30 "Redis on :$REDIS_PORT"; }

status() {
  if answers; then echo "Redis: up on redis://127.0.0.1:$REDIS_PORT"; else
    echo "Redis: down (127.0.0.1:$REDIS_PORT)"
    return 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  restart) stop && start ;;
  *) usage_exit ;;
esac
