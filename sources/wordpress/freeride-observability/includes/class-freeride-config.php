<?php
/**
 * Settings of the log shipper, read once from wp-config constants, then the environment.
 *
 * The token is kept private and is never printed: __debugInfo() and the var_export/print_r
 * views redact it.
 */
final class Freeride_Config
{
    const DEFAULT_ENDPOINT = 'http://127.0.0.1:4318';
    const DEFAULT_SERVICE_NAME = 'freeride-wordpress';

    /** @var string full URL of the logs endpoint (…/v1/logs) */
    public $logs_url;
    /** @var string */
    public $service_name;
    /** @var int records kept per request; past it records are dropped and counted */
    public $max_records = 500;
    /** @var int approximate bytes kept per request (sum of bodies and attributes) */
    public $max_bytes = 524288;
    /** @var float seconds */
    public $connect_timeout = 0.5;
    /** @var float seconds, total for the request */
    public $timeout = 1.0;
    /** @var int lowest severity number shipped (9 = INFO) */
    public $min_severity = 9;
    /** @var string 'auto' | 'wp' | 'curl' | 'stream' */
    public $transport = 'auto';
    /** @var int seconds to stop sending after a failure without Retry-After */
    public $failure_backoff = 10;
    /** @var int upper bound for a Retry-After the ingest asks for */
    public $max_backoff = 300;
    /** @var string|null */
    private $token;

    public function __construct($endpoint, $token, $service_name = self::DEFAULT_SERVICE_NAME)
    {
        $this->logs_url = self::logs_url($endpoint);
        $this->token = ($token === null || $token === '') ? null : (string) $token;
        $this->service_name = $service_name ?: self::DEFAULT_SERVICE_NAME;
    }

    /**
     * FREERIDE_OTLP_ENDPOINT / FREERIDE_OTLP_TOKEN (constants in wp-config.php, else environment),
     * falling back to the OTel variables OTEL_EXPORTER_OTLP_ENDPOINT / OTEL_EXPORTER_OTLP_HEADERS
     * ("Authorization=Bearer <token>") and OTEL_SERVICE_NAME.
     */
    public static function from_environment()
    {
        $endpoint = self::setting('FREERIDE_OTLP_ENDPOINT');
        if ($endpoint === null) {
            $endpoint = self::setting('OTEL_EXPORTER_OTLP_LOGS_ENDPOINT');
        }
        if ($endpoint === null) {
            $endpoint = self::setting('OTEL_EXPORTER_OTLP_ENDPOINT');
        }
        $token = self::setting('FREERIDE_OTLP_TOKEN');
        if ($token === null) {
            $token = self::token_from_otel_headers((string) self::setting('OTEL_EXPORTER_OTLP_HEADERS'));
        }
        $service = self::setting('FREERIDE_OTLP_SERVICE_NAME');
        if ($service === null) {
            $service = self::setting('OTEL_SERVICE_NAME');
        }
        $config = new self($endpoint ?: self::DEFAULT_ENDPOINT, $token, $service ?: self::DEFAULT_SERVICE_NAME);
        $min = self::setting('FREERIDE_OTLP_MIN_LEVEL');
        if ($min !== null) {
            $config->min_severity = Freeride_Otlp_Encoder::severity_for_level($min)[0];
        }
        $transport = self::setting('FREERIDE_OTLP_TRANSPORT');
        if (in_array($transport, array('auto', 'wp', 'curl', 'stream'), true)) {
            $config->transport = $transport;
        }
        $max = self::setting('FREERIDE_OTLP_MAX_RECORDS');
        if ($max !== null && ctype_digit($max) && (int) $max > 0) {
            $config->max_records = (int) $max;
        }
        return $config;
    }

    /** @return string|null a constant's value, else the environment's, else null */
    public static function setting($name)
    {
        if (defined($name)) {
            $value = constant($name);
            return ($value === null || $value === '' || $value === false) ? null : (string) $value;
        }
        $value = getenv($name);
        if ($value === false || $value === '') {
            return isset($_SERVER[$name]) && is_string($_SERVER[$name]) && $_SERVER[$name] !== '' ? $_SERVER[$name] : null;
        }
        return $value;
    }

    /** Parses OTEL_EXPORTER_OTLP_HEADERS (W3C baggage-like "k=v,k2=v2", values URL-encoded). */
    public static function token_from_otel_headers($headers)
    {
        foreach (explode(',', $headers) as $pair) {
            $parts = explode('=', $pair, 2);
            if (count($parts) === 2 && strtolower(trim($parts[0])) === 'authorization') {
                $value = trim(rawurldecode($parts[1]));
                if (stripos($value, 'bearer ') === 0) {
                    return trim(substr($value, 7));
                }
            }
        }
        return null;
    }

    /** The generic endpoint gets /v1/logs appended; a URL already ending in /v1/logs is kept. */
    public static function logs_url($endpoint)
    {
        $endpoint = rtrim(trim((string) $endpoint), '/');
        if (substr($endpoint, -8) === '/v1/logs') {
            return $endpoint;
        }
        return $endpoint . '/v1/logs';
    }

    public function has_token()
    {
        return $this->token !== null;
    }

    /** The Authorization header value. Only the transport calls this. */
    public function authorization_header()
    {
        return $this->token === null ? null : 'Bearer ' . $this->token;
    }

    public function __debugInfo()
    {
        $view = get_object_vars($this);
        $view['token'] = $this->token === null ? null : '[redacted]';
        return $view;
    }
}
