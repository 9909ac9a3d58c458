#!/usr/bin/env bash
# Creates or updates the Python venv used by sources/python, then prints its path.
# The venv lives in ${FREERIDE_CACHE:-$HOME/.cache/freeride}/venv-python (shared with
# tools/setup/setup.sh). It holds the runtime, test and lint dependencies (requirements-dev.txt,
# which includes requirements.txt) and is reinstalled only when either file changes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${FREERIDE_CACHE:-$HOME/.cache/freeride}"
venv="$cache/venv-python"
req="$here/requirements-dev.txt"
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

mkdir -p "$cache"
# Serialise concurrent callers (nx runs targets in parallel, setup.sh may run too).
exec 9>"$cache/venv-python.lock"
flock 9

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv" >&2
fi
want="$(cat "$here/requirements.txt" "$req" | sha256sum | cut -d' ' -f1)"
have="$(cat "$stamp" 2>/dev/null || true)"
if [ "$want" != "$have" ] || ! "$venv/bin/python" -c 'import opentelemetry.sdk, opentelemetry.instrumentation.logging, pytest, requests' 2>/dev/null ||
  ! "$venv/bin/ruff" --version >/dev/null 2>&1; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
  echo "$want" >"$stamp"
fi
echo "$venv"
