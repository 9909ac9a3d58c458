<?php
/**
 * Client of the Freeride trading API (apps/trading): the trader's alert rules.
 *
 *   GET    {base}/v1/alerts        -> {"items": [AlertResponse, ...]}
 *   POST   {base}/v1/alerts        -> AlertResponse (201)
 *   DELETE {base}/v1/alerts/{id}   -> 204
 *
 * Auth: "Authorization: Bearer <trader api key>". The key is never logged or rendered.
 * Presentation only: no cron, no quote fetching, no OpenAI calls (the trading service and the
 * market-data gateway do that work now).
 */
final class Freeride_Trading_Client
{
    const DEFAULT_BASE_URL = 'http://127.0.0.1:3002';
    const TIMEOUT = 3.0;

    /** @var string */
    private $base_url;
    /** @var string */
    private $api_key;

    public function __construct($base_url, $api_key)
    {
        $this->base_url = rtrim((string) $base_url, '/');
        $this->api_key = (string) $api_key;
    }

    /** FREERIDE_TRADING_API_URL (constant or env), else the plugin option, else the default. */
    public static function base_url()
    {
        $url = Freeride_Config::setting('FREERIDE_TRADING_API_URL');
        if ($url === null && function_exists('get_option')) {
            $url = get_option('freeride_trading_api_url', '') ?: null;
        }
        return $url ?: self::DEFAULT_BASE_URL;
    }

    /** @return array|WP_Error list of alerts */
    public function list_alerts()
    {
        $response = $this->request('GET', '/v1/alerts');
        if (is_wp_error($response)) {
            return $response;
        }
        return isset($response['items']) && is_array($response['items']) ? $response['items'] : array();
    }

    /** @return array|WP_Error the created alert */
    public function create_alert(array $body)
    {
        return $this->request('POST', '/v1/alerts', $body);
    }

    /** @return array|WP_Error `{ bars, fires, interval, symbol }` of POST /v1/alerts/backtest */
    public function backtest(array $body)
    {
        return $this->request('POST', '/v1/alerts/backtest', $body);
    }

    /** @return true|WP_Error */
    public function delete_alert($id)
    {
        $response = $this->request('DELETE', '/v1/alerts/' . rawurlencode((string) $id));
        return is_wp_error($response) ? $response : true;
    }

    /** @return array|WP_Error decoded JSON (empty array for 204) */
    private function request($method, $path, ?array $body = null)
    {
        $headers = array('Accept' => 'application/json', 'Authorization' => 'Bearer ' . $this->api_key);
        $trace = Freeride_Trace_Context::from_request();
        if ($trace !== null) {
            $headers['traceparent'] = sprintf('00-%s-%s-%02x', $trace->trace_id, $trace->span_id, $trace->flags);
        }
        $args = array('method' => $method, 'headers' => $headers, 'timeout' => self::TIMEOUT, 'redirection' => 0);
        if ($body !== null) {
            $args['headers']['Content-Type'] = 'application/json';
            $args['body'] = wp_json_encode($body);
        }
        $url = $this->base_url . $path;
        $response = wp_remote_request($url, $args);
        if (is_wp_error($response)) {
            freeride_log('error', 'Trading API {method} {path} failed: {reason}', array('method' => $method, 'path' => $path, 'reason' => $response->get_error_message(), 'event.name' => 'freeride.trading_api_failed'));
            return new WP_Error('freeride_trading_unreachable', __('The trading service is unreachable right now. Please try again in a moment.', 'freeride-observability'));
        }
        $status = (int) wp_remote_retrieve_response_code($response);
        $decoded = json_decode((string) wp_remote_retrieve_body($response), true);
        if ($status >= 200 && $status < 300) {
            return is_array($decoded) ? $decoded : array();
        }
        $message = self::error_message($status, $decoded);
        freeride_log($status >= 500 ? 'error' : 'warning', 'Trading API {method} {path} answered {status}', array('method' => $method, 'path' => $path, 'status' => $status, 'http.response.status_code' => $status, 'event.name' => 'freeride.trading_api_failed'));
        return new WP_Error('freeride_trading_' . $status, $message, array('status' => $status));
    }

    /** A human message from the API's error body (Nest: {message: string|string[]}). */
    public static function error_message($status, $decoded)
    {
        if ($status === 401) {
            return __('The trading service did not accept your API key. Check it under "Your API key".', 'freeride-observability');
        }
        if (is_array($decoded) && isset($decoded['message'])) {
            $m = $decoded['message'];
            return is_array($m) ? implode('; ', array_map('strval', $m)) : (string) $m;
        }
        return sprintf(__('The trading service answered HTTP %d.', 'freeride-observability'), $status);
    }
}
