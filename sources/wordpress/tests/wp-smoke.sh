#!/usr/bin/env bash
# Optional end-to-end smoke test of the plugin in a real WordPress (not part of `nx test`).
#
# Needs Debian's `wordpress` and `mariadb-server` packages (plus php-mysql and the curl CLI):
#   flock /tmp/apt.lock apt-get install -y --no-install-recommends wordpress mariadb-server
# Everything runs on 127.0.0.1 from a temp dir: a private MariaDB (own datadir and socket), a
# copy of /usr/share/wordpress served by `php -S`, the OTLP receiver and a fake trading API.
# All processes are stopped and the temp dir removed at exit. Prints "N passed, N failed".
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
plugin="$(cd "$here/../freeride-observability" && pwd)"
# Missing packages: skip loudly (exit 0), or fail when FREERIDE_REQUIRE_WP_SMOKE=1.
missing=""
for bin in mariadb-install-db mariadbd mariadb curl php; do command -v "$bin" >/dev/null || missing="$missing $bin"; done
[ -d /usr/share/wordpress ] && php -r 'exit(extension_loaded("mysqli") ? 0 : 1);' || missing="$missing wordpress/php-mysql"
if [ -n "$missing" ]; then
  echo "wp-smoke: SKIPPED, missing:$missing (apt-get install wordpress mariadb-server curl)"
  [ "${FREERIDE_REQUIRE_WP_SMOKE:-0}" = 1 ] && exit 2
  exit 0
fi

tmp="$(mktemp -d /tmp/freeride-wp-smoke.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
[ "${WP_SMOKE_KEEP:-0}" = 1 ] && trap "echo kept \$tmp; for pid in \"\${pids[@]}\"; do kill \$pid 2>/dev/null; done" EXIT

free_port() { php -r '$s=stream_socket_server("tcp://127.0.0.1:0");$n=stream_socket_get_name($s,false);echo substr($n,strrpos($n,":")+1);'; }
wait_port() { for _ in $(seq 1 100); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened"; return 1; }

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else fail "$name"; fi; }

token="smoke-ingest-token-$RANDOM$RANDOM"
trader_key="smoke-trader-key-$RANDOM$RANDOM"

# --- MariaDB ---------------------------------------------------------------------------------
mariadb-install-db --no-defaults --datadir="$tmp/db" --user=root --auth-root-authentication-method=normal >"$tmp/db-install.log" 2>&1
mariadbd --no-defaults --datadir="$tmp/db" --socket="$tmp/mysql.sock" --skip-networking --user=root \
  --pid-file="$tmp/mysql.pid" --log-error="$tmp/mysql.err" >"$tmp/mysqld.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -S "$tmp/mysql.sock" ] && break; sleep 0.1; done
mariadb --no-defaults -S "$tmp/mysql.sock" -uroot -e "CREATE DATABASE wp"

# --- receivers -------------------------------------------------------------------------------
recv_port=$(free_port); trading_port=$(free_port); wp_port=$(free_port)
RECEIVER_LOG="$tmp/otlp.jsonl" RECEIVER_TOKEN="$token" php -S "127.0.0.1:$recv_port" "$here/receiver.php" >/dev/null 2>&1 &
recv_pid=$!; pids+=($recv_pid)
RECEIVER_LOG="$tmp/trading.jsonl" TRADER_KEY="$trader_key" php -S "127.0.0.1:$trading_port" "$here/fixtures/trading-api.php" >/dev/null 2>&1 &
pids+=($!)
wait_port "$recv_port"; wait_port "$trading_port"

# --- WordPress -------------------------------------------------------------------------------
cp -a /usr/share/wordpress "$tmp/wp"
rm -f "$tmp/wp/.htaccess"
mkdir -p "$tmp/wp/wp-content/themes/smoke" "$tmp/wp/wp-content/mu-plugins"
ln -s "$plugin" "$tmp/wp/wp-content/plugins/freeride-observability"
cat >"$tmp/wp/wp-config.php" <<PHP
<?php
define('DB_NAME', 'wp'); define('DB_USER', 'root'); define('DB_PASSWORD', '');
define('DB_HOST', 'localhost:$tmp/mysql.sock'); define('DB_CHARSET', 'utf8mb4'); define('DB_COLLATE', '');
\$table_prefix = 'wp_';
define('AUTH_KEY', 'smoke1'); define('SECURE_AUTH_KEY', 'smoke2'); define('LOGGED_IN_KEY', 'smoke3'); define('NONCE_KEY', 'smoke4');
define('AUTH_SALT', 'smoke5'); define('SECURE_AUTH_SALT', 'smoke6'); define('LOGGED_IN_SALT', 'smoke7'); define('NONCE_SALT', 'smoke8');
define('WP_HOME', 'http://127.0.0.1:$wp_port'); define('WP_SITEURL', 'http://127.0.0.1:$wp_port');
define('WP_DEBUG', false); define('DISABLE_WP_CRON', true); define('AUTOMATIC_UPDATER_DISABLED', true); define('WP_HTTP_BLOCK_EXTERNAL', true);
define('FREERIDE_OTLP_ENDPOINT', 'http://127.0.0.1:$recv_port');
define('FREERIDE_OTLP_TOKEN', '$token');
define('FREERIDE_TRADING_API_URL', 'http://127.0.0.1:$trading_port');
define('ABSPATH', __DIR__ . '/');
require_once ABSPATH . 'wp-settings.php';
PHP
printf '/*\nTheme Name: Smoke\n*/\n' >"$tmp/wp/wp-content/themes/smoke/style.css"
cat >"$tmp/wp/wp-content/themes/smoke/index.php" <<'PHP'
<!doctype html><html><head><?php wp_head(); ?></head><body>
<?php while (have_posts()) { the_post(); echo '<article>'; the_content(); echo '</article>'; } ?>
<p>smoke theme rendered</p><?php wp_footer(); ?></body></html>
PHP
cat >"$tmp/wp/wp-content/mu-plugins/smoke.php" <<'PHP'
<?php
add_action('init', function () {
    if (isset($_GET['smoke_warn'])) {
        $a = array();
        $b = $a['smoke_missing_key'];
        freeride_log('error', 'Smoke test error {n}', array('n' => 7));
    }
    if (isset($_GET['smoke_hooks'])) {
        wp_remote_get('http://127.0.0.1:' . (int) $_GET['smoke_hooks'] . '/nothing-here?secret=1', array('timeout' => 1));
        add_action('phpmailer_init', function ($m) { $m->Mailer = 'smtp'; $m->Host = '127.0.0.1'; $m->Port = (int) $_GET['smoke_hooks']; $m->Timeout = 1; });
        wp_mail('trader@example.com', 'Smoke', 'body');
    }
});
PHP
cat >"$tmp/install.php" <<PHP
<?php
define('WP_INSTALLING', true);
\$_SERVER['HTTP_HOST'] = '127.0.0.1:$wp_port';
require '$tmp/wp/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
wp_install('Freeride smoke', 'admin', 'admin@example.com', false, '', 'smoke-pass-123');
switch_theme('smoke');
\$r = activate_plugin('freeride-observability/freeride-observability.php');
if (is_wp_error(\$r)) { fwrite(STDERR, \$r->get_error_message()); exit(1); }
update_user_meta(1, 'freeride_trading_api_key', '$trader_key');
\$page = wp_insert_post(array('post_type' => 'page', 'post_status' => 'publish', 'post_title' => 'Alerts', 'post_content' => '[freeride_alerts]'));
echo \$page;
PHP
page_id=$(php -d display_errors=stderr "$tmp/install.php" 2>"$tmp/install.err") || { cat "$tmp/install.err"; exit 1; }

php -d display_errors=0 -S "127.0.0.1:$wp_port" -t "$tmp/wp" >"$tmp/wp-server.log" 2>&1 &
pids+=($!)
wait_port "$wp_port"
base="http://127.0.0.1:$wp_port"

# --- checks ----------------------------------------------------------------------------------
otlp_has() { php -r '
  $want = $argv[1]; $found = false;
  foreach (file($argv[2], FILE_IGNORE_NEW_LINES) ?: array() as $l) { $r = json_decode($l, true); if ($r["status"] === 200 && strpos($r["body"], $want) !== false) { $found = true; } }
  exit($found ? 0 : 1);' "$1" "$tmp/otlp.jsonl"; }
check "plugin activation was shipped (CLI, wp transport)" otlp_has 'Plugin activated: freeride-observability/freeride-observability.php'

tp="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
code=$(curl -s -o "$tmp/home.html" -w '%{http_code}' -H "traceparent: $tp" "$base/?smoke_warn=1")
check "front page renders with the plugin active (HTTP $code)" test "$code" = 200 -a -n "$(grep -l 'smoke theme rendered' "$tmp/home.html")"
check "PHP warning shipped with the request's trace id" php -r '
  foreach (file($argv[1], FILE_IGNORE_NEW_LINES) as $l) { $r = json_decode($l, true); $p = json_decode($r["body"], true);
    foreach ($p["resourceLogs"][0]["scopeLogs"][0]["logRecords"] as $rec) {
      if (strpos($rec["body"]["stringValue"], "smoke_missing_key") !== false && $rec["traceId"] === "4bf92f3577b34da6a3ce929d0e0e4736" && $rec["severityNumber"] === 13) { exit(0); } } }
  exit(1);' "$tmp/otlp.jsonl"
check "freeride_log line shipped" otlp_has 'Smoke test error 7'
check "resource has service.name and wordpress.version" otlp_has '"key":"wordpress.version"'
check "ingest token never in the page" bash -c "! grep -q '$token' '$tmp/home.html'"

closed_port=$(free_port)
curl -s -o /dev/null "$base/?smoke_hooks=$closed_port"
check "http_api_debug: failed outbound call shipped without its query string" otlp_has "Outbound HTTP GET http://127.0.0.1:$closed_port/nothing-here failed"
check "the outbound call's query string is not shipped" bash -c "! grep -q 'secret=1' '$tmp/otlp.jsonl'"
check "requests blocked on purpose (WP_HTTP_BLOCK_EXTERNAL) are not logged as failures" bash -c "! grep -q 'blocked requests through HTTP' '$tmp/otlp.jsonl'"
check "wp_mail_failed shipped, recipients counted not listed" php -r '
  foreach (file($argv[1], FILE_IGNORE_NEW_LINES) as $l) { $r = json_decode($l, true);
    if (strpos($r["body"], "wp_mail failed") !== false && strpos($r["body"], "trader@example.com") === false && strpos($r["body"], "\"mail.recipients\",\"value\":{\"intValue\":\"1\"}") !== false) { exit(0); } }
  exit(1);' "$tmp/otlp.jsonl"

# log in (cookie jar), then the admin alerts page
curl -s -c "$tmp/jar" -b "wordpress_test_cookie=WP+Cookie+check" -o /dev/null \
  --data-urlencode "log=admin" --data-urlencode "pwd=smoke-pass-123" --data-urlencode "testcookie=1" "$base/wp-login.php"
code=$(curl -s -b "$tmp/jar" -o "$tmp/admin.html" -w '%{http_code}' "$base/wp-admin/admin.php?page=freeride-alerts")
check "Settings > General shows the trading API URL field" bash -c "curl -s -b '$tmp/jar' '$base/wp-admin/options-general.php' | grep -q 'name=\"freeride_trading_api_url\"'"
check "admin alerts page lists the trader's alerts (HTTP $code)" grep -q 'price_above 190' "$tmp/admin.html"
check "alert names are escaped" grep -q 'Smoke &lt;b&gt;alert&lt;/b&gt;' "$tmp/admin.html"
check "trader API key never rendered" bash -c "! grep -q '$trader_key' '$tmp/admin.html'"
check "trading API got the trader's bearer key" grep -q "\"authorization\":\"Bearer $trader_key\"" "$tmp/trading.jsonl"
# install.php stored the key the old way (plaintext): the first read sealed it with the site's salts.
stored_key=$(mariadb --no-defaults -S "$tmp/mysql.sock" -uroot wp -N -e "SELECT meta_value FROM wp_usermeta WHERE user_id=1 AND meta_key='freeride_trading_api_key'")
check "trader API key encrypted at rest (frenc1:..., not the key)" bash -c '[[ "$1" == frenc1:* && "$1" != *"$2"* ]]' _ "$stored_key" "$trader_key"

nonce=$(php -r 'preg_match("/name=\"action\" value=\"freeride_alert_create\".*?name=\"_wpnonce\" value=\"([0-9a-f]+)\"/s", file_get_contents($argv[1]), $m); echo $m[1] ?? "";' "$tmp/admin.html")
code=$(curl -s -b "$tmp/jar" -o /dev/null -w '%{http_code}' --data-urlencode "action=freeride_alert_create" --data-urlencode "_wpnonce=$nonce" \
  --data-urlencode "_wp_http_referer=/wp-admin/admin.php?page=freeride-alerts" --data-urlencode "return_url=$base/wp-admin/admin.php?page=freeride-alerts" \
  --data-urlencode "symbol=msft" --data-urlencode "condition_type=price_below" --data-urlencode "threshold=300" --data-urlencode "trigger_mode=once" \
  --data-urlencode "webhook_url=https://example.com/hook" "$base/wp-admin/admin-post.php")
check "create form redirects back (HTTP $code)" test "$code" = 302
check "trading API received the new alert" grep -q '"symbol\\":\\"MSFT\\"' "$tmp/trading.jsonl"
check "create notice shown" bash -c "curl -s -b '$tmp/jar' '$base/wp-admin/admin.php?page=freeride-alerts' | grep -q 'Alert created for MSFT'"

del_nonce=$(php -r 'preg_match("/name=\"alert_id\" value=\"a1b2c3\".*?name=\"_wpnonce\" value=\"([0-9a-f]+)\"/s", file_get_contents($argv[1]), $m); echo $m[1] ?? "";' "$tmp/admin.html")
code=$(curl -s -b "$tmp/jar" -o /dev/null -w '%{http_code}' --data-urlencode "action=freeride_alert_delete" --data-urlencode "_wpnonce=$del_nonce" \
  --data-urlencode "alert_id=a1b2c3" --data-urlencode "return_url=$base/wp-admin/admin.php?page=freeride-alerts" "$base/wp-admin/admin-post.php")
check "delete button sends DELETE /v1/alerts/a1b2c3 (HTTP $code)" grep -q '"method":"DELETE","path":"\\/v1\\/alerts\\/a1b2c3"' "$tmp/trading.jsonl"
code=$(curl -s -b "$tmp/jar" -o /dev/null -w '%{http_code}' --data-urlencode "action=freeride_alert_delete" --data-urlencode "_wpnonce=bad" \
  --data-urlencode "alert_id=a1b2c3" "$base/wp-admin/admin-post.php")
check "a bad nonce is refused (HTTP $code)" test "$code" = 403

# the same pages in a real browser (Chromium from Debian + playwright-core), with a screenshot check
node_bin="$here/../../../node_modules/.bin/node"; [ -x "$node_bin" ] || node_bin=node
if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  if "$node_bin" "$here/browser-check.mjs" "$base" "$tmp" >"$tmp/browser.out" 2>&1; then browser_ok=1; else browser_ok=0; fi
  cat "$tmp/browser.out"
  passed=$((passed + $(grep -c '^ok' "$tmp/browser.out" || true)))
  failed=$((failed + $(grep -c '^FAIL' "$tmp/browser.out" || true)))
  [ "$browser_ok" = 1 ] || grep -q '^FAIL' "$tmp/browser.out" || fail "browser check exited non-zero"
  check "trading API got the browser's backtest" grep -q '"path":"\\/v1\\/alerts\\/backtest"' "$tmp/trading.jsonl"
else
  fail "no Chromium at ${CHROMIUM_PATH:-/usr/bin/chromium} (tools/setup/setup.sh installs it)"
fi

code=$(curl -s -b "$tmp/jar" -o "$tmp/short.html" -w '%{http_code}' "$base/?page_id=$page_id")
check "shortcode page lists alerts for a logged-in trader (HTTP $code)" grep -q 'price_above 190' "$tmp/short.html"
code=$(curl -s -o "$tmp/anon.html" -w '%{http_code}' "$base/?page_id=$page_id")
check "shortcode asks anonymous visitors to log in" grep -q 'to manage your price alerts' "$tmp/anon.html"

# ingest down: stop the receiver, the page must still render quickly
kill "$recv_pid"; wait "$recv_pid" 2>/dev/null || true
t=$(curl -s -o "$tmp/down.html" -w '%{time_total}' "$base/?smoke_warn=1")
check "ingest down: page still renders in ${t}s (< 1.5 s)" php -r 'exit(((float) $argv[1]) < 1.5 && strpos(file_get_contents($argv[2]), "smoke theme rendered") !== false ? 0 : 1);' "$t" "$tmp/down.html"

# hung ingest on the same port: wp_remote_post must give up at the 1 s total
RECEIVER_LOG="$tmp/hung.jsonl" RECEIVER_SLEEP_MS=5000 php -S "127.0.0.1:$recv_port" "$here/receiver.php" >/dev/null 2>&1 &
pids+=($!)
wait_port "$recv_port"
# The failed send above set a 10 s back-off (freeride_otlp_state): clear it so this page sends.
mariadb --no-defaults -S "$tmp/mysql.sock" -uroot wp -e "DELETE FROM wp_options WHERE option_name='freeride_otlp_state'"
t=$(curl -s -o "$tmp/hung.html" -w '%{time_total}' "$base/?smoke_warn=1")
check "hung ingest: page still renders in ${t}s (< 1.5 s; send cut at 1 s)" php -r 'exit(((float) $argv[1]) < 1.5 && strpos(file_get_contents($argv[2]), "smoke theme rendered") !== false ? 0 : 1);' "$t" "$tmp/hung.html"
check "the hung ingest was actually called" grep -q 'smoke_missing_key' "$tmp/hung.jsonl"
check "failure state recorded for the next batch" bash -c "mariadb --no-defaults -S '$tmp/mysql.sock' -uroot wp -N -e \"SELECT option_value FROM wp_options WHERE option_name='freeride_otlp_state'\" | grep -q dropped"

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
