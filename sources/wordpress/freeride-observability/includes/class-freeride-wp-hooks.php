<?php
/**
 * WordPress events shipped as log records: mail failures, failed outbound HTTP calls, plugin
 * and theme lifecycle. No personal data: recipients are counted, URLs lose their query string.
 */
final class Freeride_WP_Hooks
{
    public static function register()
    {
        add_action('wp_mail_failed', array(__CLASS__, 'on_mail_failed'), 10, 1);
        add_action('http_api_debug', array(__CLASS__, 'on_http_api_debug'), 10, 5);
        add_action('activated_plugin', array(__CLASS__, 'on_plugin_activated'), 10, 2);
        add_action('deactivated_plugin', array(__CLASS__, 'on_plugin_deactivated'), 10, 2);
        add_action('upgrader_process_complete', array(__CLASS__, 'on_upgrade'), 10, 2);
        add_action('switch_theme', array(__CLASS__, 'on_switch_theme'), 10, 1);
    }

    /** @param WP_Error $error */
    public static function on_mail_failed($error)
    {
        $data = is_object($error) && method_exists($error, 'get_error_data') ? $error->get_error_data() : null;
        $to = is_array($data) && isset($data['to']) ? (array) $data['to'] : array();
        freeride_log('error', 'wp_mail failed: {reason}', array(
            'reason' => is_object($error) && method_exists($error, 'get_error_message') ? $error->get_error_message() : 'unknown',
            'event.name' => 'wordpress.mail_failed',
            'mail.recipients' => count($to),
        ));
    }

    /**
     * Fires after every WP_Http request. Logs transport errors (WARN) and 5xx answers (WARN),
     * never our own OTLP request (that would log about the log shipping).
     */
    public static function on_http_api_debug($response, $context, $class, $args, $url)
    {
        if ($context !== 'response' || (is_array($args) && !empty($args['freeride_otlp']))) {
            return;
        }
        $shipper = Freeride_Shipper::instance();
        if ($shipper !== null && $url === $shipper->config()->logs_url) {
            return;
        }
        $parts = parse_url((string) $url);
        $target = (isset($parts['scheme']) ? $parts['scheme'] . '://' : '') . (isset($parts['host']) ? $parts['host'] : '') . (isset($parts['port']) ? ':' . $parts['port'] : '') . (isset($parts['path']) ? $parts['path'] : '');
        $method = is_array($args) && isset($args['method']) ? strtoupper((string) $args['method']) : 'GET';
        if (is_wp_error($response)) {
            if ($response->get_error_code() === 'http_request_not_executed') {
                return; // blocked on purpose (WP_HTTP_BLOCK_EXTERNAL, pre_http_request): not a failure
            }
            freeride_log('warning', 'Outbound HTTP {method} {target} failed: {reason}', array(
                'method' => $method,
                'target' => $target,
                'reason' => $response->get_error_message(),
                'event.name' => 'wordpress.http_failed',
                'server.address' => isset($parts['host']) ? $parts['host'] : '',
            ));
            return;
        }
        $status = (int) wp_remote_retrieve_response_code($response);
        if ($status >= 500) {
            freeride_log('warning', 'Outbound HTTP {method} {target} answered {status}', array(
                'method' => $method,
                'target' => $target,
                'status' => $status,
                'event.name' => 'wordpress.http_failed',
                'http.response.status_code' => $status,
                'server.address' => isset($parts['host']) ? $parts['host'] : '',
            ));
        }
    }

    public static function on_plugin_activated($plugin, $network_wide = false)
    {
        freeride_log('info', 'Plugin activated: {plugin}', array('plugin' => (string) $plugin, 'event.name' => 'wordpress.plugin_activated', 'network_wide' => (bool) $network_wide));
    }

    public static function on_plugin_deactivated($plugin, $network_wide = false)
    {
        freeride_log('info', 'Plugin deactivated: {plugin}', array('plugin' => (string) $plugin, 'event.name' => 'wordpress.plugin_deactivated', 'network_wide' => (bool) $network_wide));
    }

    public static function on_upgrade($upgrader, $options)
    {
        $type = is_array($options) && isset($options['type']) ? (string) $options['type'] : 'unknown';
        $action = is_array($options) && isset($options['action']) ? (string) $options['action'] : 'unknown';
        freeride_log('info', 'Upgrader finished: {action} {type}', array('action' => $action, 'type' => $type, 'event.name' => 'wordpress.upgrade_complete'));
    }

    public static function on_switch_theme($name)
    {
        freeride_log('info', 'Theme switched to {theme}', array('theme' => (string) $name, 'event.name' => 'wordpress.theme_switched'));
    }
}
