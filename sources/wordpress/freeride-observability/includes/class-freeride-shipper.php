<?php
/**
 * Collects log records during a request and ships them as one OTLP/JSON batch at shutdown.
 *
 * - PHP errors: set_error_handler (chains the previous handler; returns false when there is
 *   none, so PHP's own logging and display still happen).
 * - Fatal errors: register_shutdown_function + error_get_last().
 * - freeride_log($level, $message, $context) and the WordPress hooks feed the same buffer.
 * - At shutdown the response is first finished for the visitor (fastcgi_finish_request /
 *   litespeed_finish_request), then the batch is POSTed with connect <= 0.5 s, total <= 1 s.
 * - Nothing here throws into the page or prints anything; the token is never output.
 */
final class Freeride_Shipper
{
    const FATAL_TYPES = 85; // E_ERROR | E_PARSE | E_CORE_ERROR | E_COMPILE_ERROR (1|4|16|64)

    /** @var self|null */
    private static $instance;

    /** @var Freeride_Config */
    private $config;
    /** @var Freeride_Log_Buffer */
    private $buffer;
    /** @var Freeride_Transport */
    private $transport;
    /** @var Freeride_State_Store */
    private $state;
    /** @var callable|null */
    private $previous_error_handler;
    /** @var bool */
    private $in_handler = false;
    /** @var bool */
    private $shutdown_registered = false;
    /** @var bool */
    private $flushed_at_shutdown = false;
    /** @var Freeride_Trace_Context|null */
    private $trace;
    /** @var array|null last send result, for tests and diagnostics */
    public $last_result;

    private function __construct(Freeride_Config $config, ?Freeride_Transport $transport = null, ?Freeride_State_Store $state = null)
    {
        $this->config = $config;
        $this->buffer = new Freeride_Log_Buffer($config->max_records, $config->max_bytes);
        $this->transport = $transport ?: new Freeride_Transport($config);
        $this->state = $state ?: new Freeride_State_Store();
        $this->trace = Freeride_Trace_Context::from_request();
    }

    /** Starts once per request: installs the error handler and the shutdown function. */
    public static function start(Freeride_Config $config, $install_handlers = true)
    {
        if (self::$instance !== null) {
            return self::$instance;
        }
        self::$instance = new self($config);
        if ($install_handlers) {
            self::$instance->install();
        }
        return self::$instance;
    }

    /** @return self|null */
    public static function instance()
    {
        return self::$instance;
    }

    private function install()
    {
        $this->previous_error_handler = set_error_handler(array($this, 'handle_error'));
        register_shutdown_function(array($this, 'on_shutdown'));
        $this->shutdown_registered = true;
    }

    public function config()
    {
        return $this->config;
    }

    public function buffered()
    {
        return $this->buffer->count();
    }

    /**
     * The error handler. Records the error, then hands it to the previous handler (or to PHP's
     * standard handler by returning false).
     */
    public function handle_error($errno, $errstr, $errfile = '', $errline = 0)
    {
        if (!$this->in_handler && (error_reporting() & $errno)) {
            $this->in_handler = true;
            try {
                list($number, $text, $name) = Freeride_Otlp_Encoder::severity_for_php_error($errno);
                $this->add($number, $text, $errstr, array(
                    'php.error.type' => $name,
                    'code.filepath' => (string) $errfile,
                    'code.lineno' => (int) $errline,
                ));
            } catch (Throwable $e) {
                // never let logging break the page
            }
            $this->in_handler = false;
        }
        if ($this->previous_error_handler !== null) {
            return call_user_func($this->previous_error_handler, $errno, $errstr, $errfile, $errline);
        }
        return false;
    }

    /**
     * freeride_log(): PSR-3 style level, message with {placeholders}, context. A Throwable under
     * context['exception'] becomes exception.* attributes and sets code.* from where it was thrown.
     */
    public function log($level, $message, array $context = array())
    {
        try {
            list($number, $text) = Freeride_Otlp_Encoder::severity_for_level($level);
            $attributes = array();
            $caller = null;
            if (isset($context['exception']) && $context['exception'] instanceof Throwable) {
                $e = $context['exception'];
                unset($context['exception']);
                $attributes['exception.type'] = get_class($e);
                $attributes['exception.message'] = $e->getMessage();
                $attributes['exception.stacktrace'] = (string) $e;
                $attributes['code.filepath'] = $e->getFile();
                $attributes['code.lineno'] = $e->getLine();
            } else {
                $frames = debug_backtrace(DEBUG_BACKTRACE_IGNORE_ARGS, 3);
                foreach ($frames as $frame) {
                    if (isset($frame['file']) && strpos($frame['file'], FREERIDE_OBS_DIR . DIRECTORY_SEPARATOR . 'includes') !== 0) {
                        $caller = $frame;
                        break;
                    }
                }
                if ($caller !== null) {
                    $attributes['code.filepath'] = $caller['file'];
                    $attributes['code.lineno'] = isset($caller['line']) ? (int) $caller['line'] : 0;
                }
            }
            $this->add($number, $text, self::interpolate((string) $message, $context), $attributes + $context);
        } catch (Throwable $e) {
            // never let logging break the page
        }
    }

    /** Adds one record, with the request attributes and the trace context. */
    public function add($severity_number, $severity_text, $body, array $attributes)
    {
        if ($severity_number < $this->config->min_severity) {
            return;
        }
        $attributes += self::request_attributes();
        $this->buffer->add(Freeride_Otlp_Encoder::record($severity_number, $severity_text, $body, $attributes, null, $this->trace));
    }

    /** Shutdown: record a fatal error, finish the response for the visitor, then ship. */
    public function on_shutdown()
    {
        try {
            $error = error_get_last();
            if (is_array($error) && ($error['type'] & self::FATAL_TYPES)) {
                list($number, $text, $name) = Freeride_Otlp_Encoder::severity_for_php_error($error['type']);
                $this->add($number, $text, $error['message'], array(
                    'php.error.type' => $name,
                    'code.filepath' => $error['file'],
                    'code.lineno' => (int) $error['line'],
                ));
            }
            // Run once more as the very last shutdown function, so that records logged by
            // later shutdown functions (WordPress's own 'shutdown' action included) are shipped.
            if (!$this->flushed_at_shutdown) {
                $this->flushed_at_shutdown = true;
                register_shutdown_function(array($this, 'ship_at_end'));
            }
        } catch (Throwable $e) {
            // nothing may escape a shutdown function
        }
    }

    public function ship_at_end()
    {
        try {
            if ($this->buffer->count() === 0 && $this->buffer->dropped() === 0) {
                return;
            }
            if (!$this->config->has_token()) {
                $this->buffer->drain();
                return;
            }
            self::finish_response();
            $this->flush();
        } catch (Throwable $e) {
            // nothing may escape a shutdown function
        }
    }

    /**
     * Sends what is buffered now. Honours a pending back-off (after 429/503 Retry-After or a
     * failure): during it, records are dropped and counted rather than sent.
     *
     * @return array|null the transport result, or null when nothing was sent
     */
    public function flush()
    {
        list($records, $dropped) = $this->buffer->drain();
        $state = $this->state->load();
        $now = microtime(true);
        if ($state['backoff_until'] > $now) {
            $state['dropped'] += count($records) + $dropped;
            $this->state->save($state);
            return $this->last_result = null;
        }
        $dropped += $state['dropped'];
        if (!$records && $dropped === 0) {
            return $this->last_result = null;
        }
        $real = count($records);
        $scope_attributes = array();
        if ($dropped > 0) {
            $scope_attributes['freeride.dropped_records'] = $dropped;
            $records[] = Freeride_Otlp_Encoder::record(13, 'WARN', sprintf('freeride-observability dropped %d log record(s): buffer full or ingest unavailable', $dropped), array('freeride.dropped_records' => $dropped) + self::request_attributes(), null, $this->trace);
        }
        $json = Freeride_Otlp_Encoder::to_json(Freeride_Otlp_Encoder::payload($this->resource(), $records, $scope_attributes));
        if ($json === null) {
            $this->state->save(array('dropped' => $dropped + $real, 'backoff_until' => $state['backoff_until']));
            return $this->last_result = null;
        }
        $result = $this->transport->post($json);
        if ($result['ok']) {
            if ($state['dropped'] !== 0 || $state['backoff_until'] > 0) {
                $this->state->save(array('dropped' => 0, 'backoff_until' => 0.0));
            }
        } elseif (in_array($result['status'], array(400, 401, 403, 404, 413), true)) {
            // Not retryable (OTLP spec): the batch is lost; count it, no back-off.
            $this->state->save(array('dropped' => $dropped + $real, 'backoff_until' => 0.0));
        } else {
            // 429/502/503/504 or a network failure: wait Retry-After (bounded) or a short back-off.
            $wait = $result['retry_after'] !== null ? min($result['retry_after'], $this->config->max_backoff) : $this->config->failure_backoff;
            $this->state->save(array('dropped' => $dropped + $real, 'backoff_until' => $now + $wait));
        }
        return $this->last_result = $result;
    }

    /** Ends the HTTP response so the visitor does not wait for the shipping. */
    private static function finish_response()
    {
        if (function_exists('fastcgi_finish_request')) {
            @fastcgi_finish_request();
        } elseif (function_exists('litespeed_finish_request')) {
            @litespeed_finish_request();
        }
    }

    private function resource()
    {
        $resource = array(
            'service.name' => $this->config->service_name,
            'service.version' => FREERIDE_OBS_VERSION,
            'service.namespace' => 'freeride',
            'host.name' => (string) gethostname(),
            'telemetry.sdk.name' => 'freeride-observability',
            'telemetry.sdk.language' => 'php',
            'telemetry.sdk.version' => FREERIDE_OBS_VERSION,
            'process.runtime.name' => 'php',
            'process.runtime.version' => PHP_VERSION,
        );
        if (isset($GLOBALS['wp_version']) && is_string($GLOBALS['wp_version'])) {
            $resource['wordpress.version'] = $GLOBALS['wp_version'];
        }
        return $resource;
    }

    /** url.path (no query string: it may carry secrets) and http.request.method of this request. */
    public static function request_attributes()
    {
        $attributes = array();
        if (isset($_SERVER['REQUEST_URI']) && is_string($_SERVER['REQUEST_URI'])) {
            $path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
            if (is_string($path)) {
                $attributes['url.path'] = $path;
            }
        }
        if (isset($_SERVER['REQUEST_METHOD']) && is_string($_SERVER['REQUEST_METHOD'])) {
            $attributes['http.request.method'] = strtoupper($_SERVER['REQUEST_METHOD']);
        }
        return $attributes;
    }

    /** PSR-3 placeholder interpolation: "{key}" is replaced by scalar context values. */
    public static function interpolate($message, array $context)
    {
        if (strpos($message, '{') === false) {
            return $message;
        }
        $replace = array();
        foreach ($context as $key => $value) {
            if (is_scalar($value) || $value === null || (is_object($value) && method_exists($value, '__toString'))) {
                $replace['{' . $key . '}'] = is_bool($value) ? ($value ? 'true' : 'false') : (string) $value;
            }
        }
        return strtr($message, $replace);
    }

    /** For tests only: forget the instance (does not uninstall handlers). */
    public static function reset_for_tests(?Freeride_Config $config = null, ?Freeride_State_Store $state = null)
    {
        self::$instance = $config === null ? null : new self($config, null, $state);
        return self::$instance;
    }
}
