#!/usr/bin/env bash
# Lints .github/workflows/ with actionlint (built from Go modules by tools/setup/setup.sh).
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FREERIDE_CACHE="${FREERIDE_CACHE:-$HOME/.cache/freeride}"
bin="${ACTIONLINT:-$FREERIDE_CACHE/bin/actionlint}"
if [[ ! -x "$bin" ]]; then
  echo "error: actionlint not found at $bin: run tools/setup/setup.sh" >&2
  exit 1
fi
cd "$REPO_ROOT"
"$bin" -no-color .github/workflows/*.yml
echo "actionlint $("$bin" -version | head -1): $(ls .github/workflows/*.yml | wc -l) workflow(s) clean"
