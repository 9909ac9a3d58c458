#!/usr/bin/env bash
# PostgreSQL on 127.0.0.1:${PG_PORT:-5432}, cluster in $FREERIDE_RUN/postgres-<port>.
# Database `freeride`, user `freeride`, password `freeride`:
#   postgres://freeride:freeride@127.0.0.1:5432/freeride
# PostgreSQL refuses to run as root: as root it runs as the Debian `postgres` user.
#   postgres.sh start|stop|status|restart
set -euo pipefail
# shellcheck source=tools/stack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_PORT="${PG_PORT:-5432}"
PG_USER="${PG_USER:-freeride}"
PG_PASSWORD="${PG_PASSWORD:-freeride}"
PG_DATABASE="${PG_DATABASE:-freeride}"
RUN_DIR="$FREERIDE_RUN/postgres-$PG_PORT"
DATA_DIR="$RUN_DIR/data"
PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
[[ -x "$PG_BIN/postgres" ]] || die "PostgreSQL not found: install the Debian package 'postgresql' (bash tools/setup/setup.sh)"
OWNER="$(id -un)"
[[ "$(id -u)" == 0 ]] && OWNER=postgres
URL="postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DATABASE"

pg() { as_user "$OWNER" "$@"; }
answers() { pg "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; }

init_cluster() {
  [[ -f "$DATA_DIR/PG_VERSION" ]] && return 0
  log "initdb $DATA_DIR"
  mkdir -p "$RUN_DIR"
  chmod a+rx "$FREERIDE_HOME" "$FREERIDE_RUN" 2>/dev/null || true
  chown "$OWNER:" "$RUN_DIR"
  local pwfile="$RUN_DIR/.pwfile"
  printf '%s\n' "$PG_PASSWORD" >"$pwfile"
  chown "$OWNER:" "$pwfile"
  chmod 600 "$pwfile"
  pg "$PG_BIN/initdb" -D "$DATA_DIR" -U "$PG_USER" --pwfile="$pwfile" -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 --no-instructions >"$RUN_DIR/initdb.log"
  rm -f "$pwfile"
}

start() {
  if answers; then
    log "PostgreSQL already answers on 127.0.0.1:$PG_PORT"
    return 0
  fi
  port_open "$PG_PORT" && die "port $PG_PORT is taken by something that is not PostgreSQL"
  init_cluster
  log "starting PostgreSQL on 127.0.0.1:$PG_PORT (dir $RUN_DIR)"
  if ! pg "$PG_BIN/pg_ctl" -D "$DATA_DIR" -l "$RUN_DIR/postgres.log" -w -t 60 \
    -o "-p $PG_PORT -k $RUN_DIR -c listen_addresses=127.0.0.1" start >/dev/null; then
    tail -n 20 "$RUN_DIR/postgres.log" >&2 || true
    die "PostgreSQL did not start"
  fi
  if ! pg "$PG_BIN/psql" -h "$RUN_DIR" -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'" | grep -q 1; then
    pg "$PG_BIN/createdb" -h "$RUN_DIR" -p "$PG_PORT" -U "$PG_USER" "$PG_DATABASE"
  fi
  log "PostgreSQL is up on $URL"
}

stop() {
  if [[ -f "$DATA_DIR/postmaster.pid" ]]; then
    log "stopping PostgreSQL on :$PG_PORT"
    pg "$PG_BIN/pg_ctl" -D "$DATA_DIR" -m fast -w -t 60 stop >/dev/null || true
  else
    log "PostgreSQL on :$PG_PORT is not running"
  fi
}

status() {
  if answers; then echo "PostgreSQL: up on $URL"; else
    echo "PostgreSQL: down (127.0.0.1:$PG_PORT)"
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
