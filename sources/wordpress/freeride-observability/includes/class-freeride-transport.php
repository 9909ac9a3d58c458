<?php
/**
 * POSTs one OTLP/JSON body with hard time limits (connect <= connect_timeout, total <= timeout).
 *
 * Order: WordPress `wp_remote_post` when WordPress is loaded, else the curl extension, else a
 * plain socket client (stream_socket_client), so the plugin works and is testable without
 * WordPress or ext-curl. It never throws: every failure becomes a result array.
 *
 * Result: ['ok' => bool, 'status' => int|null, 'retry_after' => int|null, 'error' => string|null, 'via' => string]
 */
class Freeride_Transport
{
    /** @var Freeride_Config */
    private $config;

    public function __construct(Freeride_Config $config)
    {
        $this->config = $config;
    }

    public function choose()
    {
        $want = $this->config->transport;
        if ($want === 'wp' || ($want === 'auto' && function_exists('wp_remote_post'))) {
            return 'wp';
        }
        if ($want === 'curl' || ($want === 'auto' && function_exists('curl_init'))) {
            return function_exists('curl_init') ? 'curl' : 'stream';
        }
        return 'stream';
    }

    /** @return array */
    public function post($body)
    {
        $headers = array(
            'Content-Type' => 'application/json',
            'User-Agent' => 'freeride-observability/' . (defined('FREERIDE_OBS_VERSION') ? FREERIDE_OBS_VERSION : '0'),
        );
        $auth = $this->config->authorization_header();
        if ($auth !== null) {
            $headers['Authorization'] = $auth;
        }
        if (strlen($body) > 8192 && function_exists('gzencode')) {
            $gz = gzencode($body, 5);
            if ($gz !== false) {
                $body = $gz;
                $headers['Content-Encoding'] = 'gzip';
            }
        }
        $via = $this->choose();
        try {
            if ($via === 'wp') {
                return $this->post_wp($body, $headers);
            }
            if ($via === 'curl') {
                return $this->post_curl($body, $headers);
            }
            return $this->post_stream($body, $headers);
        } catch (Throwable $e) {
            return self::result(false, null, null, get_class($e) . ': ' . $e->getMessage(), $via);
        }
    }

    private function post_wp($body, array $headers)
    {
        $url = $this->config->logs_url;
        $connect_ms = (int) round($this->config->connect_timeout * 1000);
        // WP_Http has no connect-timeout argument: set it on the curl handle of this request only.
        $set_connect_timeout = static function ($handle, $args, $request_url) use ($url, $connect_ms) {
            if ($request_url === $url && defined('CURLOPT_CONNECTTIMEOUT_MS')) {
                curl_setopt($handle, CURLOPT_CONNECTTIMEOUT_MS, $connect_ms);
            }
        };
        add_action('http_api_curl', $set_connect_timeout, 10, 3);
        try {
            $response = wp_remote_post($url, array(
                'body' => $body,
                'headers' => $headers,
                'timeout' => $this->config->timeout,
                'redirection' => 0,
                'blocking' => true,
                'freeride_otlp' => true, // lets our http_api_debug hook skip this request
            ));
        } finally {
            remove_action('http_api_curl', $set_connect_timeout, 10);
        }
        if (is_wp_error($response)) {
            return self::result(false, null, null, $response->get_error_message(), 'wp');
        }
        $status = (int) wp_remote_retrieve_response_code($response);
        $retry = wp_remote_retrieve_header($response, 'retry-after');
        return self::result($status >= 200 && $status < 300, $status, self::retry_after(is_array($retry) ? reset($retry) : $retry), null, 'wp');
    }

    private function post_curl($body, array $headers)
    {
        $lines = array();
        foreach ($headers as $k => $v) {
            $lines[] = $k . ': ' . $v;
        }
        $lines[] = 'Expect:'; // no 100-continue round trip
        $retry = null;
        $ch = curl_init($this->config->logs_url);
        curl_setopt_array($ch, array(
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => $body,
            CURLOPT_HTTPHEADER => $lines,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_NOSIGNAL => true,
            CURLOPT_CONNECTTIMEOUT_MS => (int) round($this->config->connect_timeout * 1000),
            CURLOPT_TIMEOUT_MS => (int) round($this->config->timeout * 1000),
            CURLOPT_HEADERFUNCTION => static function ($ch, $line) use (&$retry) {
                if (stripos($line, 'retry-after:') === 0) {
                    $retry = trim(substr($line, 12));
                }
                return strlen($line);
            },
        ));
        $ok = curl_exec($ch);
        if ($ok === false) {
            $error = curl_error($ch);
            curl_close($ch);
            return self::result(false, null, null, 'curl: ' . $error, 'curl');
        }
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);
        return self::result($status >= 200 && $status < 300, $status, self::retry_after($retry), null, 'curl');
    }

    /** HTTP/1.1 over a socket with an explicit connect timeout and an overall deadline. */
    private function post_stream($body, array $headers)
    {
        $start = microtime(true);
        $deadline = $start + $this->config->timeout;
        $parts = parse_url($this->config->logs_url);
        if (!is_array($parts) || !isset($parts['host'])) {
            return self::result(false, null, null, 'invalid endpoint URL', 'stream');
        }
        $https = isset($parts['scheme']) && strtolower($parts['scheme']) === 'https';
        $port = isset($parts['port']) ? (int) $parts['port'] : ($https ? 443 : 80);
        $host = $parts['host'];
        $path = (isset($parts['path']) ? $parts['path'] : '/') . (isset($parts['query']) ? '?' . $parts['query'] : '');
        $target = ($https ? 'ssl://' : 'tcp://') . (strpos($host, ':') !== false ? '[' . $host . ']' : $host) . ':' . $port;
        $context = stream_context_create($https ? array('ssl' => array('peer_name' => $host, 'verify_peer' => true)) : array());
        $errno = 0;
        $errstr = '';
        $fp = @stream_socket_client($target, $errno, $errstr, min($this->config->connect_timeout, $this->config->timeout), STREAM_CLIENT_CONNECT, $context);
        if ($fp === false) {
            return self::result(false, null, null, 'connect ' . $host . ':' . $port . ' failed: ' . $errstr, 'stream');
        }
        $request = 'POST ' . $path . " HTTP/1.1\r\nHost: " . $host . ($port === ($https ? 443 : 80) ? '' : ':' . $port) . "\r\n";
        foreach ($headers as $k => $v) {
            $request .= $k . ': ' . $v . "\r\n";
        }
        $request .= 'Content-Length: ' . strlen($body) . "\r\nConnection: close\r\n\r\n" . $body;
        stream_set_blocking($fp, false);
        $written = 0;
        $response = '';
        $timed_out = false;
        while (true) {
            $left = $deadline - microtime(true);
            if ($left <= 0) {
                $timed_out = true;
                break;
            }
            $read = array($fp);
            $write = $written < strlen($request) ? array($fp) : null;
            $except = null;
            $n = @stream_select($read, $write, $except, 0, (int) max(1000, $left * 1e6));
            if ($n === false) {
                break;
            }
            if ($write) {
                $w = @fwrite($fp, substr($request, $written, 65536));
                if ($w === false) {
                    break;
                }
                $written += $w;
            }
            if ($read) {
                $chunk = @fread($fp, 65536);
                if ($chunk === false || ($chunk === '' && feof($fp))) {
                    break;
                }
                $response .= $chunk;
                if (self::complete($response)) {
                    break;
                }
            }
        }
        fclose($fp);
        if ($timed_out && !preg_match('#^HTTP/\d\.\d \d{3}#', $response)) {
            return self::result(false, null, null, sprintf('POST %s timed out after %.1fs', $this->config->logs_url, $this->config->timeout), 'stream');
        }
        if (!preg_match('#^HTTP/\d(?:\.\d)? (\d{3})#', $response, $m)) {
            return self::result(false, null, null, 'no HTTP response from ' . $host . ':' . $port, 'stream');
        }
        $status = (int) $m[1];
        $retry = null;
        $head = strstr($response, "\r\n\r\n", true);
        if ($head !== false && preg_match('/^retry-after:\s*(.+)$/mi', $head, $rm)) {
            $retry = trim($rm[1]);
        }
        return self::result($status >= 200 && $status < 300, $status, self::retry_after($retry), null, 'stream');
    }

    /** Enough of the response read: headers and, if announced, the whole body. */
    private static function complete($response)
    {
        $pos = strpos($response, "\r\n\r\n");
        if ($pos === false) {
            return false;
        }
        $head = substr($response, 0, $pos);
        if (preg_match('/^content-length:\s*(\d+)/mi', $head, $m)) {
            return strlen($response) - $pos - 4 >= (int) $m[1];
        }
        return false; // read until close
    }

    /** Retry-After as seconds (delta-seconds or HTTP-date), or null. */
    public static function retry_after($value)
    {
        if ($value === null || $value === '' || $value === false) {
            return null;
        }
        $value = trim((string) $value);
        if (ctype_digit($value)) {
            return (int) $value;
        }
        $t = strtotime($value);
        return $t === false ? null : max(0, $t - time());
    }

    private static function result($ok, $status, $retry_after, $error, $via)
    {
        return array('ok' => $ok, 'status' => $status, 'retry_after' => $retry_after, 'error' => $error, 'via' => $via);
    }
}
