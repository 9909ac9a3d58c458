#!/usr/bin/env bash
# Starts Alertmanager (Debian prometheus-alertmanager) on 127.0.0.1:${ALERTMANAGER_PORT:-9093}
# with observability/alertmanager/alertmanager.yml. Secrets are read from
# FREERIDE_ALERTMANAGER_SECRETS (default /etc/freeride/alertmanager; see secrets.example/).
# usage: observability/alertmanager/start.sh [start|stop]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run="${FREERIDE_RUN:-${FREERIDE_CACHE:-$HOME/.cache/freeride}/run}/alertmanager"
port="${ALERTMANAGER_PORT:-9093}"
secrets="${FREERIDE_ALERTMANAGER_SECRETS:-/etc/freeride/alertmanager}"
bin="$(command -v prometheus-alertmanager || command -v alertmanager || true)"
[[ -n "$bin" ]] || { echo "error: Alertmanager missing: apt-get install prometheus-alertmanager" >&2; exit 1; }
mkdir -p "$run/data"
case "${1:-start}" in
  start)
    if [[ -f "$run/pid" ]] && kill -0 "$(cat "$run/pid")" 2>/dev/null; then echo "running (pid $(cat "$run/pid"))"; exit 0; fi
    sed -e "s#/etc/freeride/alertmanager#$secrets#g" -e "s#templates/#$here/templates/#" \
      "$here/alertmanager.yml" >"$run/alertmanager.yml"
    nohup "$bin" --config.file="$run/alertmanager.yml" --storage.path="$run/data" \
      --web.listen-address="127.0.0.1:$port" --cluster.listen-address= >"$run/alertmanager.log" 2>&1 &
    echo $! >"$run/pid"
    for _ in $(seq 1 30); do
      curl -fsS -o /dev/null "http://127.0.0.1:$port/-/ready" 2>/dev/null && { echo "alertmanager on :$port"; exit 0; }
      sleep 1
    done
    echo "error: alertmanager did not become ready, see $run/alertmanager.log" >&2; exit 1 ;;
  stop)
    [[ -f "$run/pid" ]] && kill "$(cat "$run/pid")" 2>/dev/null || true
    rm -f "$run/pid" ;;
  *) echo "usage: $0 [start|stop]" >&2; exit 2 ;;
esac
