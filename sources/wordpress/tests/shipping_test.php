<?php

const TEST_TOKEN = 'wp-test-token-never-printed';

function page_server(array $env)
{
    return new Php_Server(__DIR__ . '/fixtures/page.php', $env + array('FREERIDE_OTLP_TOKEN' => TEST_TOKEN));
}

function receiver(array $env = array())
{
    return new Php_Server(__DIR__ . '/receiver.php', $env + array('RECEIVER_TOKEN' => TEST_TOKEN));
}

function test_page_ships_its_logs_to_the_receiver()
{
    $receiver = receiver();
    $page = page_server(array('FREERIDE_OTLP_ENDPOINT' => $receiver->url()));
    $response = http_get($page->url('/shop/cart?session=secret123'), array('traceparent' => '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'));
    check_same(200, $response['status']);
    check(strpos($response['body'], 'page done') !== false, 'page rendered');
    check(strpos($response['body'], TEST_TOKEN) === false, 'token never printed');

    $requests = $receiver->requests();
    check_same(1, count($requests), 'one batch per request');
    check_same('/v1/logs', $requests[0]['path']);
    check_same('application/json', $requests[0]['headers']['content-type']);
    check_same('Bearer ' . TEST_TOKEN, $requests[0]['headers']['authorization']);
    $payload = json_decode($requests[0]['body'], true);
    $resource = attrs($payload['resourceLogs'][0]['resource']['attributes']);
    check_same('freeride-wordpress', $resource['service.name']);
    check_same('0.1.0', $resource['service.version']);
    check(is_string($resource['host.name']) && $resource['host.name'] !== '', 'host.name');

    $records = records_of($receiver);
    $bodies = array_map(function ($r) {
        return $r['body']['stringValue'];
    }, $records);
    check_same(array('Rendering page home', 'Mail to subscribers failed', 'Undefined array key "missing"'), $bodies);
    foreach ($records as $r) {
        check_same('4bf92f3577b34da6a3ce929d0e0e4736', $r['traceId']);
        check_same('00f067aa0ba902b7', $r['spanId']);
        $a = attrs($r['attributes']);
        check_same('/shop/cart', $a['url.path'], 'url.path without the query string');
        check_same('GET', $a['http.request.method']);
        check(substr($a['code.filepath'], -8) === 'page.php', 'code.filepath ' . $a['code.filepath']);
        check(ctype_digit($a['code.lineno']) && (int) $a['code.lineno'] > 0, 'code.lineno');
    }
    check_same(9, $records[0]['severityNumber']);
    check_same('3', attrs($records[0]['attributes'])['freeride.items']);
    check_same(17, $records[1]['severityNumber']);
    $mail = attrs($records[1]['attributes']);
    check_same('RuntimeException', $mail['exception.type']);
    check_same('SMTP connect() failed', $mail['exception.message']);
    check_same(13, $records[2]['severityNumber']);
    check_same('WARN', $records[2]['severityText']);
    check_same('E_WARNING', attrs($records[2]['attributes'])['php.error.type']);
}

function test_fatal_error_is_shipped_from_the_shutdown_function()
{
    $receiver = receiver();
    $page = page_server(array('FREERIDE_OTLP_ENDPOINT' => $receiver->url()));
    $response = http_get($page->url('/?fatal=1'));
    check_same(500, $response['status']);
    $fatal = array_values(array_filter(records_of($receiver), function ($r) {
        return $r['severityNumber'] === 21;
    }));
    check_same(1, count($fatal), 'one FATAL record');
    check(strpos($fatal[0]['body']['stringValue'], 'Call to undefined function freeride_undefined_function_for_the_test()') !== false, $fatal[0]['body']['stringValue']);
    $a = attrs($fatal[0]['attributes']);
    check_same('E_ERROR', $a['php.error.type']);
    check(substr($a['code.filepath'], -8) === 'page.php', 'fatal code.filepath');
    check(!isset($fatal[0]['traceId']), 'no traceparent header, no trace id');
}

function test_ingest_down_page_still_completes_quickly()
{
    $down = free_port(); // nothing listens there: connection refused
    $page = page_server(array('FREERIDE_OTLP_ENDPOINT' => 'http://127.0.0.1:' . $down));
    $response = http_get($page->url('/'));
    check_same(200, $response['status']);
    check(strpos($response['body'], 'page done') !== false, 'page rendered');
    check($response['seconds'] < 1.5, sprintf('page took %.2fs with the ingest down', $response['seconds']));
}

function test_hung_ingest_is_cut_at_the_total_timeout()
{
    $receiver = receiver(array('RECEIVER_SLEEP_MS' => '4000'));
    $page = page_server(array('FREERIDE_OTLP_ENDPOINT' => $receiver->url()));
    $response = http_get($page->url('/'));
    check_same(200, $response['status']);
    check(strpos($response['body'], 'page done') !== false, 'page rendered');
    // php -S closes the connection only after the shutdown functions: this measures the send too.
    check($response['seconds'] < 1.5, sprintf('page took %.2fs with a hung ingest (bound: 1 s send)', $response['seconds']));
}

function test_429_does_not_break_the_page()
{
    $receiver = receiver(array('RECEIVER_STATUS' => '429', 'RECEIVER_RETRY_AFTER' => '30'));
    $page = page_server(array('FREERIDE_OTLP_ENDPOINT' => $receiver->url()));
    $response = http_get($page->url('/'));
    check_same(200, $response['status']);
    check(strpos($response['body'], 'page done') !== false, 'page rendered');
    check_same(429, $receiver->requests()[0]['status']);
}

function test_buffer_overflow_is_reported_in_the_batch()
{
    $receiver = receiver();
    $page = page_server(array('FREERIDE_OTLP_ENDPOINT' => $receiver->url(), 'FREERIDE_OTLP_MAX_RECORDS' => '10'));
    $response = http_get($page->url('/?many=50'));
    check_same(200, $response['status']);
    $requests = $receiver->requests();
    $payload = json_decode($requests[0]['body'], true);
    $scope = attrs($payload['resourceLogs'][0]['scopeLogs'][0]['scope']['attributes']);
    // 3 + 50 records logged, 10 kept, 43 dropped.
    check_same('43', $scope['freeride.dropped_records']);
    $records = records_of($receiver);
    check_same(11, count($records));
    check(strpos(end($records)['body']['stringValue'], 'dropped 43 log record') !== false, 'a WARN record says how many were dropped');
}

/** In-process: drops from a failed send and a 429 back-off are reported with the next batch. */
function shipper_against($url, $transport)
{
    $config = new Freeride_Config($url, TEST_TOKEN);
    $config->transport = $transport;
    $config->failure_backoff = 0;
    return Freeride_Shipper::reset_for_tests($config, new Freeride_State_Store());
}

function test_429_retry_after_backs_off_and_next_batch_reports_drops_stream()
{
    run_backoff_scenario('stream');
}

function test_429_retry_after_backs_off_and_next_batch_reports_drops_curl()
{
    if (!function_exists('curl_init')) {
        echo "     (ext-curl not installed: curl transport not exercised)\n";
        return;
    }
    run_backoff_scenario('curl');
}

function run_backoff_scenario($transport)
{
    $limited = receiver(array('RECEIVER_STATUS' => '429', 'RECEIVER_RETRY_AFTER' => '1'));
    $shipper = shipper_against($limited->url(), $transport);
    $shipper->log('error', 'first');
    $shipper->log('error', 'second');
    $result = $shipper->flush();
    check_same(false, $result['ok']);
    check_same(429, $result['status']);
    check_same(1, $result['retry_after']);
    check_same($transport, $result['via']);

    // During the back-off nothing is sent; the records are counted as dropped.
    $shipper->log('error', 'third');
    check_same(null, $shipper->flush());
    check_same(1, count($limited->requests()));
    $limited->stop();

    usleep(1100000);
    $ok = receiver();
    // Same state store, new endpoint: simulates the next request once the ingest recovered.
    $reflection = new ReflectionProperty('Freeride_Shipper', 'transport');
    $reflection->setAccessible(true);
    $config = $shipper->config();
    $config->logs_url = Freeride_Config::logs_url($ok->url());
    $reflection->setValue($shipper, new Freeride_Transport($config));
    $shipper->log('info', 'fourth');
    $result = $shipper->flush();
    check_same(true, $result['ok'], 'sent after the back-off: ' . json_encode($result));
    $payload = json_decode($ok->requests()[0]['body'], true);
    $scope = attrs($payload['resourceLogs'][0]['scopeLogs'][0]['scope']['attributes']);
    check_same('3', $scope['freeride.dropped_records'], 'two lost to the 429 and one during the back-off');
    $bodies = array_map(function ($r) {
        return $r['body']['stringValue'];
    }, records_of($ok));
    check_same('fourth', $bodies[0]);
}

function test_connection_refused_is_a_result_not_an_exception()
{
    foreach (array('stream', 'curl') as $transport) {
        if ($transport === 'curl' && !function_exists('curl_init')) {
            continue;
        }
        $shipper = shipper_against('http://127.0.0.1:' . free_port(), $transport);
        $shipper->log('error', 'nobody listens');
        $start = microtime(true);
        $result = $shipper->flush();
        check_same(false, $result['ok']);
        check_same(null, $result['status']);
        check(is_string($result['error']) && strpos($result['error'], TEST_TOKEN) === false, 'error text without token');
        check(microtime(true) - $start < 1.0, 'refused fast');
    }
}

function test_wrong_token_gets_401_and_is_not_retried()
{
    $receiver = receiver();
    $config = new Freeride_Config($receiver->url(), 'wrong-token');
    $config->transport = 'stream';
    $shipper = Freeride_Shipper::reset_for_tests($config, new Freeride_State_Store());
    $shipper->log('error', 'x');
    $result = $shipper->flush();
    check_same(401, $result['status']);
    check_same(1, count($receiver->requests()));
}
