<?php
/**
 * A tiny OTLP/HTTP receiver for the tests, run as `php -S 127.0.0.1:<port> receiver.php`.
 *
 * Environment (inherited from the test): RECEIVER_LOG (file: one JSON line per request),
 * RECEIVER_STATUS (default 200), RECEIVER_RETRY_AFTER, RECEIVER_SLEEP_MS (to act as a hung
 * ingest), RECEIVER_TOKEN (a request without "Bearer <token>" gets 401, like the real ingest).
 */
$log = getenv('RECEIVER_LOG');
$headers = function_exists('getallheaders') ? getallheaders() : array();
$lower = array();
foreach ($headers as $k => $v) {
    $lower[strtolower($k)] = $v;
}
$body = file_get_contents('php://input');
if (isset($lower['content-encoding']) && strtolower($lower['content-encoding']) === 'gzip') {
    $body = gzdecode($body);
}
$status = (int) (getenv('RECEIVER_STATUS') ?: 200);
$token = getenv('RECEIVER_TOKEN');
if ($token !== false && $token !== '' && (!isset($lower['authorization']) || $lower['authorization'] !== 'Bearer ' . $token)) {
    $status = 401;
}
if ($log) {
    file_put_contents($log, json_encode(array(
        'method' => $_SERVER['REQUEST_METHOD'],
        'path' => parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH),
        'headers' => $lower,
        'body' => $body,
        'status' => $status,
    )) . "\n", FILE_APPEND | LOCK_EX);
}
// Recorded first, then the (optional) hang: a test can see that a hung ingest was called.
$sleep = (int) getenv('RECEIVER_SLEEP_MS');
if ($sleep > 0) {
    usleep($sleep * 1000);
}
http_response_code($status);
if (getenv('RECEIVER_RETRY_AFTER')) {
    header('Retry-After: ' . getenv('RECEIVER_RETRY_AFTER'));
}
header('Content-Type: application/json');
echo $status === 200 ? '{}' : '{"message":"test receiver says ' . $status . '"}';
