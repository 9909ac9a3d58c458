<?php

function test_record_follows_otlp_json_rules()
{
    $trace = Freeride_Trace_Context::parse('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    $r = Freeride_Otlp_Encoder::record(17, 'ERROR', 'boom', array('code.lineno' => 42, 'ratio' => 0.5, 'ok' => true, 'tags' => array('a', 'b'), 'ctx' => array('k' => 1), 'skip' => null), null, $trace);
    $json = Freeride_Otlp_Encoder::to_json(Freeride_Otlp_Encoder::payload(array('service.name' => 'freeride-wordpress'), array($r), array('freeride.dropped_records' => 3)));
    $records = check_otlp_logs_json(json_decode($json, true));
    check_same(1, count($records));
    $r = $records[0];
    check_same('4bf92f3577b34da6a3ce929d0e0e4736', $r['traceId']);
    check_same('00f067aa0ba902b7', $r['spanId']);
    check_same(1, $r['flags']);
    check_same(17, $r['severityNumber']);
    check_same(array('stringValue' => 'boom'), $r['body']);
    $a = attrs($r['attributes']);
    check_same('42', $a['code.lineno']);
    check_same(0.5, $a['ratio']);
    check_same(true, $a['ok']);
    check(!array_key_exists('skip', $a), 'null attributes are left out');
    check(strpos($json, '"intValue":"42"') !== false, 'int64 as string');
    check(strpos($json, '"freeride.dropped_records","value":{"intValue":"3"}') !== false, 'dropped count as scope attribute');
}

function test_time_unix_nano_is_now_in_nanoseconds()
{
    $ns = Freeride_Otlp_Encoder::now_unix_nano();
    check(preg_match('/^\d{19}$/', $ns) === 1, $ns);
    check(abs((int) substr($ns, 0, 10) - time()) <= 1, 'seconds part');
    check_same('000', substr($ns, -3));
}

function test_severity_mappings()
{
    check_same(array(13, 'WARN', 'E_WARNING'), Freeride_Otlp_Encoder::severity_for_php_error(E_WARNING));
    check_same(array(21, 'FATAL', 'E_ERROR'), Freeride_Otlp_Encoder::severity_for_php_error(E_ERROR));
    check_same(array(5, 'DEBUG', 'E_DEPRECATED'), Freeride_Otlp_Encoder::severity_for_php_error(E_DEPRECATED));
    check_same(array(17, 'ERROR'), Freeride_Otlp_Encoder::severity_for_level('error'));
    check_same(array(18, 'ERROR2'), Freeride_Otlp_Encoder::severity_for_level('CRITICAL'));
    check_same(array(9, 'INFO'), Freeride_Otlp_Encoder::severity_for_level('nonsense'));
}

function test_invalid_utf8_does_not_break_the_json()
{
    $r = Freeride_Otlp_Encoder::record(9, 'INFO', "bad \xC3\x28 bytes", array('x' => "\xff"));
    $json = Freeride_Otlp_Encoder::to_json(Freeride_Otlp_Encoder::payload(array(), array($r)));
    check(is_string($json) && json_decode($json, true) !== null, 'valid JSON');
}

function test_traceparent_parsing()
{
    check(Freeride_Trace_Context::parse('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01') !== null, 'valid');
    check(Freeride_Trace_Context::parse('00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-00') !== null, 'upper case is normalised');
    check_same(null, Freeride_Trace_Context::parse('00-00000000000000000000000000000000-00f067aa0ba902b7-01'));
    check_same(null, Freeride_Trace_Context::parse('00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'));
    check_same(null, Freeride_Trace_Context::parse('ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'));
    check_same(null, Freeride_Trace_Context::parse('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra'));
    check_same(null, Freeride_Trace_Context::parse('garbage'));
}

function test_config_from_environment_and_redaction()
{
    putenv('FREERIDE_OTLP_ENDPOINT');
    putenv('OTEL_EXPORTER_OTLP_ENDPOINT=http://ingest.test:4318/');
    putenv('OTEL_EXPORTER_OTLP_HEADERS=X-Other=1,Authorization=Bearer%20s3cret-token');
    try {
        $config = Freeride_Config::from_environment();
        check_same('http://ingest.test:4318/v1/logs', $config->logs_url);
        check_same('Bearer s3cret-token', $config->authorization_header());
        check(strpos(print_r($config, true), 's3cret') === false, 'print_r must not show the token');
        ob_start();
        var_dump($config);
        check(strpos(ob_get_clean(), 's3cret') === false, 'var_dump must not show the token');
    } finally {
        putenv('OTEL_EXPORTER_OTLP_ENDPOINT');
        putenv('OTEL_EXPORTER_OTLP_HEADERS');
    }
    check_same('http://x:4318/v1/logs', Freeride_Config::logs_url('http://x:4318/v1/logs'));
    check_same('http://127.0.0.1:4318/v1/logs', Freeride_Config::from_environment()->logs_url);
    check(!Freeride_Config::from_environment()->has_token(), 'no token configured');
}

function test_buffer_is_bounded_and_counts_drops()
{
    $buffer = new Freeride_Log_Buffer(3, 1 << 20);
    for ($i = 0; $i < 5; $i++) {
        $buffer->add(Freeride_Otlp_Encoder::record(9, 'INFO', "line $i", array()));
    }
    check_same(3, $buffer->count());
    check_same(2, $buffer->dropped());
    list($records, $dropped) = $buffer->drain();
    check_same(3, count($records));
    check_same(2, $dropped);
    check_same(0, $buffer->count());
}

function test_psr3_interpolation()
{
    check_same('Mail to 3 users failed: true', Freeride_Shipper::interpolate('Mail to {n} users failed: {ok}', array('n' => 3, 'ok' => true, 'x' => array())));
}
