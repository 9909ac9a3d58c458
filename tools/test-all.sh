#!/usr/bin/env bash
# The one test command (`npm test`): setup check, Elasticsearch, then lint, typecheck (`tsc
# --noEmit`: the builds and ts-jest do not check types), unit tests and e2e tests of every Nx
# project. Prints per-phase results and a final `N passed, N failed` line
# (Nx tasks), and exits non-zero when anything failed.
#
#   ES_URL=...          use that Elasticsearch instead of starting one on :9200
#   TEST_ALL_PHASES="lint typecheck test e2e"   run only some phases
#   TEST_ALL_E2E_LIMIT=2700  a phase still running after that many seconds is stopped and fails
#                            (also TEST_ALL_LINT_LIMIT, TEST_ALL_TYPECHECK_LIMIT, TEST_ALL_TEST_LIMIT)
#   CI=true             skip the Nx cache
set -uo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
export PATH="$REPO_ROOT/node_modules/.bin:$PATH"
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false TZ=UTC
PHASES="${TEST_ALL_PHASES:-lint typecheck test e2e}"
LOG_DIR="$REPO_ROOT/tmp/test-all"
mkdir -p "$LOG_DIR"
started=$(date +%s)

say() { printf '\n==> %s\n' "$*"; }

# (a) setup: idempotent, well under a second when nothing is missing.
say "checking setup (tools/setup/setup.sh)"
if ! bash tools/setup/setup.sh; then
  echo "error: setup failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# (b) one Elasticsearch for all e2e tests; stopped at exit only if this script started it.
es_started=0
cleanup() {
  if ((es_started)); then
    say "stopping the Elasticsearch this run started"
    bash tools/stack/elasticsearch.sh stop || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export ES_URL="${ES_URL:-http://127.0.0.1:9200}"
if [[ " $PHASES " == *" e2e "* || " $PHASES " == *" test "* ]]; then
  if curl -fsS -o /dev/null --max-time 3 "$ES_URL/_cluster/health"; then
    say "Elasticsearch already answers on $ES_URL"
  else
    say "starting Elasticsearch for this run"
    es_port="$(sed -E 's#^https?://[^:/]+:?([0-9]*).*#\1#' <<<"$ES_URL")"
    if ES_PORT="${es_port:-9200}" bash tools/stack/elasticsearch.sh start; then
      es_started=1
    else
      echo "error: Elasticsearch did not start" >&2
      echo "0 passed, 1 failed"
      exit 1
    fi
  fi
fi

# Input of the secrets scan that ends the e2e phase (security-audit:e2e, after every other e2e):
# @freeride/testing records here the secrets it gives each app and a copy of each app's log.
export FREERIDE_E2E_AUDIT_DIR="$LOG_DIR/audit"
rm -rf "$FREERIDE_E2E_AUDIT_DIR"

# (c) the phases; each one runs even when an earlier one failed.
nx_flags=(--outputStyle=static)
[[ "${CI:-}" == true ]] && nx_flags+=(--skip-nx-cache)
declare -A args=(
  [lint]="--parallel=2"
  [typecheck]="--parallel=2"
  [test]="--parallel=2"
  [e2e]="--parallel=1"
)
# Upper bounds per phase, seconds (a quiet 2-core run takes about 3, 1, 6 and 17 minutes): a test
# that hangs fails its phase with a message instead of holding the whole run.
declare -A limits=(
  [lint]="${TEST_ALL_LINT_LIMIT:-1200}"
  [typecheck]="${TEST_ALL_TYPECHECK_LIMIT:-900}"
  [test]="${TEST_ALL_TEST_LIMIT:-1800}"
  [e2e]="${TEST_ALL_E2E_LIMIT:-2700}"
)
strip() { sed -E 's/\x1b\[[0-9;]*[A-Za-z]//g' "$1"; }

tasks_ok=0 tasks_failed=0 tests_ok=0 tests_failed=0 overall=0
summary=()
for phase in $PHASES; do
  log="$LOG_DIR/$phase.log"
  say "nx run-many -t $phase ${args[$phase]} ${nx_flags[*]}"
  # shellcheck disable=SC2086
  timeout --kill-after=60 "${limits[$phase]}" \
    "${NX:-nx}" run-many -t "$phase" ${args[$phase]} "${nx_flags[@]}" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  if ((rc == 124 || rc == 137)); then
    echo "error: the $phase phase did not end within ${limits[$phase]}s and was stopped" | tee -a "$log" >&2
  fi
  text="$(strip "$log")"
  # Nx 23: "Running target test for 14 projects[ and 2 tasks they depend on]:" (or "for project x:"),
  # then "Failed tasks:" followed by "- proj:target" lines when something failed.
  total=0 failed=0
  if [[ "$text" =~ Running\ target\ [^$'\n']*\ for\ ([0-9]+)\ projects? ]]; then
    total=${BASH_REMATCH[1]}
  elif [[ "$text" =~ Running\ target\ [^$'\n']*\ for\ project\  ]]; then
    total=1
  fi
  if [[ "$text" =~ and\ ([0-9]+)\ tasks?\ they\ depend\ on ]]; then
    total=$((total + BASH_REMATCH[1]))
  fi
  failed_tasks="$(sed -n '/^Failed tasks:/,/Run duration:/p' <<<"$text" | grep -E '^- [^ ]+:[^ ]+' | sed 's/^- //' || true)"
  failed=$(grep -c . <<<"$failed_tasks" || true)
  ok=$((total - failed))
  ((ok < 0)) && ok=0
  if ((rc != 0 && failed == 0)); then failed=1; fi
  ((rc != 0)) && overall=1
  # Test counts: jest "Tests: 1 failed, 9 passed, 10 total", pytest "3 passed, 1 failed in 0.2s",
  # and the PHP runner's "21 passed, 0 failed".
  read -r p_ok p_failed < <(awk '
    /^Tests: / || /^[0-9]+ passed, [0-9]+ failed$/ ||
    (/^=* *[0-9]+ (passed|failed|errors?)/ && / in [0-9.]+s/) {
      for (i = 2; i <= NF; i++) {
        w = $i; sub(/,$/, "", w)
        if (w == "passed") ok += $(i - 1)
        else if (w == "failed" || w == "error" || w == "errors") bad += $(i - 1)
      }
    }
    END { print ok + 0, bad + 0 }' <<<"$text")
  tasks_ok=$((tasks_ok + ok))
  tasks_failed=$((tasks_failed + failed))
  tests_ok=$((tests_ok + p_ok))
  tests_failed=$((tests_failed + p_failed))
  line="$(printf '%-9s %3d tasks passed, %d failed' "$phase" "$ok" "$failed")"
  [[ "$phase" != lint && "$phase" != typecheck ]] && line+="$(printf '   (tests: %d passed, %d failed)' "$p_ok" "$p_failed")"
  ((failed > 0)) && [[ -n "$failed_tasks" ]] && line+="   failed: $(paste -sd' ' <<<"$failed_tasks")"
  summary+=("$line")
done

# Stop Elasticsearch now, so the summary stays the last thing printed.
cleanup
es_started=0

say "summary ($(($(date +%s) - started))s, logs in ${LOG_DIR#"$REPO_ROOT"/})"
for line in "${summary[@]}"; do echo "    $line"; done
echo "    tests: $tests_ok passed, $tests_failed failed (jest tests and pytest cases)"
echo "$tasks_ok passed, $tasks_failed failed"
if ((overall != 0 || tasks_failed != 0)); then exit 1; fi
exit 0
