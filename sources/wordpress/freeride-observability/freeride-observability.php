<?php
/**
 * Plugin Name:       Freeride Observability
 * Description:       Ships PHP errors and plugin logs to the Freeride ingest as OTLP/JSON, and gives traders pages to manage their price alerts through the Freeride trading API.
 * Version:           0.1.0
 * Requires PHP:      7.4
 * Requires at least: 5.9
 * Author:            Freeride Ops
 * License:           MIT
 * Text Domain:       freeride-observability
 *
 * No Composer dependencies. Works without WordPress too (standalone: require this file), which is
 * how the tests load it.
 */

if (defined('FREERIDE_OBS_VERSION')) {
    return;
}
define('FREERIDE_OBS_VERSION', '0.1.0');
define('FREERIDE_OBS_DIR', __DIR__);

require_once __DIR__ . '/includes/class-freeride-config.php';
require_once __DIR__ . '/includes/class-freeride-trace-context.php';
require_once __DIR__ . '/includes/class-freeride-otlp-encoder.php';
require_once __DIR__ . '/includes/class-freeride-log-buffer.php';
require_once __DIR__ . '/includes/class-freeride-state-store.php';
require_once __DIR__ . '/includes/class-freeride-transport.php';
require_once __DIR__ . '/includes/class-freeride-shipper.php';
require_once __DIR__ . '/includes/functions.php';

// In WordPress, ABSPATH is defined; standalone callers (tests, a bare PHP app) may opt out of the
// automatic start with FREERIDE_OBS_NO_AUTOSTART and call Freeride_Shipper::start() themselves.
if (!defined('FREERIDE_OBS_NO_AUTOSTART') || !FREERIDE_OBS_NO_AUTOSTART) {
    Freeride_Shipper::start(Freeride_Config::from_environment());
}

if (defined('ABSPATH') && function_exists('add_action')) {
    require_once __DIR__ . '/includes/class-freeride-wp-hooks.php';
    require_once __DIR__ . '/includes/class-freeride-secret-box.php';
    require_once __DIR__ . '/includes/class-freeride-trading-client.php';
    require_once __DIR__ . '/includes/class-freeride-alerts-ui.php';
    require_once __DIR__ . '/includes/class-freeride-backtest-ui.php';
    Freeride_WP_Hooks::register();
    Freeride_Alerts_UI::register();
    Freeride_Backtest_UI::register();
}
