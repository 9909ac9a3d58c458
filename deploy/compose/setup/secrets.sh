#!/usr/bin/env bash
# Effective secrets of the compose stack: each given compose secret (a non-empty file in IN)
# is used as is; each one not given is generated (tokens, passwords) or, for provider and
# OpenAI keys, set to the demo fakes' key. Writes one file per secret into OUT, mode 0440,
# plus the files derived from them (per-source ingest tokens and OTLP headers, the trading
# database URL). Never prints a secret.
#
#   secrets.sh IN OUT        (the setup service runs it with IN=/run/secrets OUT=/secrets)
set -euo pipefail
in="${1:?usage: secrets.sh IN OUT}"
out="${2:?usage: secrets.sh IN OUT}"
mkdir -p "$out"
umask 077

# Sources that send telemetry to the ingest, each with its own token.
SOURCES=(ingest node python wordpress gateway trading anomaly)

random_hex() { od -An -tx1 -N "$1" /dev/urandom | tr -d ' \n'; }

given() { [[ -s "$in/$1" ]] && tr -d '\r\n' <"$in/$1"; }

put() {
  printf '%s' "$2" >"$out/$1.tmp"
  mv "$out/$1.tmp" "$out/$1"
}

# secret NAME DEFAULT: the given value, else DEFAULT.
secret() {
  local value
  value="$(given "$1" || true)"
  if [[ -n "$value" ]]; then
    echo "secret $1: given"
  else
    value="$2"
    echo "secret $1: ${3:-generated}"
  fi
  put "$1" "$value"
}

# Keep what an earlier run generated: a restarted stack must not change its passwords.
keep_or() { if [[ -s "$out/$1" ]]; then cat "$out/$1"; else echo "$2"; fi; }

tokens="$(given ingest_tokens || true)"
if [[ -n "$tokens" ]]; then
  echo "secret ingest_tokens: given"
elif [[ -s "$out/ingest_tokens" ]]; then
  tokens="$(cat "$out/ingest_tokens")"
  echo "secret ingest_tokens: kept"
else
  list=()
  for s in "${SOURCES[@]}"; do list+=("$s=$(random_hex 24)"); done
  tokens="$(IFS=,; echo "${list[*]}")"
  echo "secret ingest_tokens: generated"
fi
put ingest_tokens "$tokens"
for s in "${SOURCES[@]}"; do
  token="$(tr ',' '\n' <<<"$tokens" | sed -n "s/^$s=//p")"
  [[ -n "$token" ]] || { echo "ingest_tokens has no token for source $s" >&2; exit 1; }
  put "${s}_ingest_token" "$token"
  put "${s}_otlp_headers" "Authorization=Bearer%20$token"
done

# The market gateway's client keys (name=key,...): the trading app and the Python source each
# call it with their own.
GATEWAY_CLIENTS=(trading python)
keys="$(given gateway_client_keys || true)"
if [[ -n "$keys" ]]; then
  echo "secret gateway_client_keys: given"
elif [[ -s "$out/gateway_client_keys" ]]; then
  keys="$(cat "$out/gateway_client_keys")"
  echo "secret gateway_client_keys: kept"
else
  list=()
  for c in "${GATEWAY_CLIENTS[@]}"; do list+=("$c=$(random_hex 24)"); done
  keys="$(IFS=,; echo "${list[*]}")"
  echo "secret gateway_client_keys: generated"
fi
put gateway_client_keys "$keys"
for c in "${GATEWAY_CLIENTS[@]}"; do
  key="$(tr ',' '\n' <<<"$keys" | sed -n "s/^$c=//p")"
  [[ -n "$key" ]] || { echo "gateway_client_keys has no key for client $c" >&2; exit 1; }
  put "${c}_gateway_token" "$key"
done

secret trading_admin_token "$(keep_or trading_admin_token "$(random_hex 24)")"
secret postgres_password "$(keep_or postgres_password "$(random_hex 16)")"
secret mariadb_password "$(keep_or mariadb_password "$(random_hex 16)")"
secret mariadb_root_password "$(keep_or mariadb_root_password "$(random_hex 16)")"
secret grafana_admin_password "$(keep_or grafana_admin_password "$(random_hex 12)")"
secret openai_api_key demo-openai-key "the OpenAI fake's (demo profile)"
for p in alphavantage finnhub massive; do
  secret "${p}_api_keys" "demo-$p-key" "the $p fake's (demo profile)"
done
put trading_database_url "postgres://freeride:$(cat "$out/postgres_password")@postgres:5432/freeride"
# Readable by the images' non-root users (node 1000, grafana 472, mariadb 999); the volume is
# mounted only into this stack's containers.
chmod 0444 "$out"/*
echo "secrets ready in $out"
