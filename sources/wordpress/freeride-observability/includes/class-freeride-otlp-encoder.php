<?php
/**
 * OTLP/JSON encoding of log records (pure functions).
 *
 * Follows the OTLP/HTTP JSON rules (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding):
 * lowerCamelCase field names, traceId/spanId as lowercase hex strings, enums as integers,
 * 64-bit integers (timeUnixNano, intValue) as decimal strings.
 */
final class Freeride_Otlp_Encoder
{
    const SCOPE_NAME = 'freeride-observability';

    /** PSR-3 / syslog level => [severityNumber, severityText] (OTel log data model). */
    const LEVELS = array(
        'trace' => array(1, 'TRACE'),
        'debug' => array(5, 'DEBUG'),
        'info' => array(9, 'INFO'),
        'notice' => array(10, 'INFO2'),
        'warning' => array(13, 'WARN'),
        'warn' => array(13, 'WARN'),
        'error' => array(17, 'ERROR'),
        'critical' => array(18, 'ERROR2'),
        'alert' => array(19, 'ERROR3'),
        'emergency' => array(21, 'FATAL'),
        'fatal' => array(21, 'FATAL'),
    );

    /** @return array{0:int,1:string} */
    public static function severity_for_level($level)
    {
        $key = strtolower(trim((string) $level));
        return isset(self::LEVELS[$key]) ? self::LEVELS[$key] : self::LEVELS['info'];
    }

    /** PHP error type => [severityNumber, severityText, constant name]. */
    public static function severity_for_php_error($errno)
    {
        switch ($errno) {
            case E_ERROR:
                return array(21, 'FATAL', 'E_ERROR');
            case E_PARSE:
                return array(21, 'FATAL', 'E_PARSE');
            case E_CORE_ERROR:
                return array(21, 'FATAL', 'E_CORE_ERROR');
            case E_COMPILE_ERROR:
                return array(21, 'FATAL', 'E_COMPILE_ERROR');
            case E_USER_ERROR:
                return array(17, 'ERROR', 'E_USER_ERROR');
            case E_RECOVERABLE_ERROR:
                return array(17, 'ERROR', 'E_RECOVERABLE_ERROR');
            case E_WARNING:
                return array(13, 'WARN', 'E_WARNING');
            case E_CORE_WARNING:
                return array(13, 'WARN', 'E_CORE_WARNING');
            case E_COMPILE_WARNING:
                return array(13, 'WARN', 'E_COMPILE_WARNING');
            case E_USER_WARNING:
                return array(13, 'WARN', 'E_USER_WARNING');
            case E_NOTICE:
                return array(9, 'INFO', 'E_NOTICE');
            case E_USER_NOTICE:
                return array(9, 'INFO', 'E_USER_NOTICE');
            case E_DEPRECATED:
                return array(5, 'DEBUG', 'E_DEPRECATED');
            case E_USER_DEPRECATED:
                return array(5, 'DEBUG', 'E_USER_DEPRECATED');
            case 2048: // E_STRICT (deprecated constant in PHP 8.4)
                return array(5, 'DEBUG', 'E_STRICT');
        }
        return array(13, 'WARN', 'E_UNKNOWN');
    }

    /** Now as nanoseconds since the epoch, as a decimal string (no float rounding, 32-bit safe). */
    public static function now_unix_nano()
    {
        list($usec, $sec) = explode(' ', microtime());
        return $sec . str_pad(substr($usec, 2, 6), 6, '0') . '000';
    }

    /**
     * One OTLP LogRecord.
     *
     * @param array<string,mixed> $attributes
     */
    public static function record($severity_number, $severity_text, $body, array $attributes, $time_unix_nano = null, $trace = null)
    {
        $now = self::now_unix_nano();
        $record = array(
            'timeUnixNano' => $time_unix_nano === null ? $now : (string) $time_unix_nano,
            'observedTimeUnixNano' => $now,
            'severityNumber' => (int) $severity_number,
            'severityText' => (string) $severity_text,
            'body' => array('stringValue' => self::to_utf8((string) $body)),
            'attributes' => self::attributes($attributes),
        );
        if ($trace instanceof Freeride_Trace_Context) {
            $record['traceId'] = $trace->trace_id;
            $record['spanId'] = $trace->span_id;
            $record['flags'] = $trace->flags & 0xff;
        }
        return $record;
    }

    /**
     * The ExportLogsServiceRequest body.
     *
     * @param array<string,mixed> $resource
     * @param array<int,array>    $records
     * @param array<string,mixed> $scope_attributes e.g. the dropped-records count
     */
    public static function payload(array $resource, array $records, array $scope_attributes = array())
    {
        $scope = array('name' => self::SCOPE_NAME, 'version' => defined('FREERIDE_OBS_VERSION') ? FREERIDE_OBS_VERSION : '0.0.0');
        if ($scope_attributes) {
            $scope['attributes'] = self::attributes($scope_attributes);
        }
        return array(
            'resourceLogs' => array(
                array(
                    'resource' => array('attributes' => self::attributes($resource)),
                    'scopeLogs' => array(array('scope' => $scope, 'logRecords' => array_values($records))),
                ),
            ),
        );
    }

    public static function to_json(array $payload)
    {
        $flags = JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE;
        if (defined('JSON_INVALID_UTF8_SUBSTITUTE')) {
            $flags |= JSON_INVALID_UTF8_SUBSTITUTE;
        }
        $json = json_encode($payload, $flags);
        return $json === false ? null : $json;
    }

    /** @return array<int,array{key:string,value:array}> */
    public static function attributes(array $attributes)
    {
        $out = array();
        foreach ($attributes as $key => $value) {
            if ($value === null) {
                continue;
            }
            $out[] = array('key' => (string) $key, 'value' => self::any_value($value));
        }
        return $out;
    }

    public static function any_value($value, $depth = 0)
    {
        if (is_bool($value)) {
            return array('boolValue' => $value);
        }
        if (is_int($value)) {
            return array('intValue' => (string) $value);
        }
        if (is_float($value)) {
            return is_finite($value) ? array('doubleValue' => $value) : array('stringValue' => (string) $value);
        }
        if (is_string($value)) {
            return array('stringValue' => self::to_utf8($value));
        }
        if (is_array($value) && $depth < 4) {
            if ($value === array() || array_keys($value) === range(0, count($value) - 1)) {
                $values = array();
                foreach ($value as $item) {
                    $values[] = self::any_value($item, $depth + 1);
                }
                return array('arrayValue' => array('values' => $values));
            }
            $kvs = array();
            foreach ($value as $k => $v) {
                $kvs[] = array('key' => (string) $k, 'value' => self::any_value($v, $depth + 1));
            }
            return array('kvlistValue' => array('values' => $kvs));
        }
        if ($value instanceof Throwable) {
            return array('stringValue' => get_class($value) . ': ' . self::to_utf8($value->getMessage()));
        }
        if (is_object($value) && method_exists($value, '__toString')) {
            return array('stringValue' => self::to_utf8((string) $value));
        }
        $json = json_encode($value, JSON_UNESCAPED_SLASHES | JSON_PARTIAL_OUTPUT_ON_ERROR);
        return array('stringValue' => $json === false ? gettype($value) : $json);
    }

    private static function to_utf8($text)
    {
        if (function_exists('mb_check_encoding') && !mb_check_encoding($text, 'UTF-8')) {
            return mb_convert_encoding($text, 'UTF-8', 'UTF-8');
        }
        return $text;
    }
}
