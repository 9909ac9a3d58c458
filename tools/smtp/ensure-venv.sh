#!/usr/bin/env bash
# Creates or updates the venv holding aiosmtpd (a real SMTP server for the trading email
# e2e tests), then prints its path. Reinstalled only when requirements.txt changes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${FREERIDE_CACHE:-$HOME/.cache/freeride}"
venv="$cache/venv-smtp"
req="$here/requirements.txt"
stamp="$venv/.requirements.sha256"

mkdir -p "$cache"
exec 9>"$cache/venv-smtp.lock"
flock 9

if [ ! -x "$venv/bin/python" ]; then
  "${PYTHON:-python3}" -m venv "$venv" >&2
fi
want="$(sha256sum "$req" | cut -d' ' -f1)"
have="$(cat "$stamp" 2>/dev/null || true)"
if [ "$want" != "$have" ] || ! "$venv/bin/python" -c 'import aiosmtpd' 2>/dev/null; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
  echo "$want" >"$stamp"
fi
echo "$venv"
