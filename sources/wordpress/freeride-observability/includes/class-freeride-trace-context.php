<?php
/**
 * W3C trace context from the incoming request's `traceparent` header.
 * https://www.w3.org/TR/trace-context/#traceparent-header
 */
final class Freeride_Trace_Context
{
    /** @var string 32 lowercase hex */
    public $trace_id;
    /** @var string 16 lowercase hex */
    public $span_id;
    /** @var int */
    public $flags;

    private function __construct($trace_id, $span_id, $flags)
    {
        $this->trace_id = $trace_id;
        $this->span_id = $span_id;
        $this->flags = $flags;
    }

    /** @return self|null */
    public static function parse($header)
    {
        if (!is_string($header)) {
            return null;
        }
        $header = strtolower(trim($header));
        if (!preg_match('/^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/', $header, $m)) {
            return null;
        }
        // Version ff is invalid; version 00 must not carry extra fields; all-zero ids are invalid.
        if ($m[1] === 'ff' || ($m[1] === '00' && isset($m[5]) && $m[5] !== '')) {
            return null;
        }
        if ($m[2] === str_repeat('0', 32) || $m[3] === str_repeat('0', 16)) {
            return null;
        }
        return new self($m[2], $m[3], hexdec($m[4]));
    }

    /** @return self|null from $_SERVER['HTTP_TRACEPARENT'] */
    public static function from_request()
    {
        return isset($_SERVER['HTTP_TRACEPARENT']) ? self::parse($_SERVER['HTTP_TRACEPARENT']) : null;
    }
}
