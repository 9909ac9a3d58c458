<?php
/**
 * Minimal test harness: assertions, a free port, and php -S processes that are always stopped.
 */

final class Freeride_Test_Failure extends Exception
{
}

function check($condition, $message = 'assertion failed')
{
    if (!$condition) {
        throw new Freeride_Test_Failure($message);
    }
}

function check_same($expected, $actual, $message = '')
{
    if ($expected !== $actual) {
        throw new Freeride_Test_Failure(($message ? $message . ': ' : '') . 'expected ' . var_export($expected, true) . ', got ' . var_export($actual, true));
    }
}

function free_port()
{
    $server = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
    $name = stream_socket_get_name($server, false);
    fclose($server);
    return (int) substr($name, strrpos($name, ':') + 1);
}

/** A php -S process; stopped by stop() or at exit. */
final class Php_Server
{
    /** @var resource */
    private $proc;
    /** @var int */
    public $port;
    /** @var string */
    public $log;
    /** @var array<int,self> */
    private static $running = array();

    public function __construct($router, array $env = array(), $docroot = null)
    {
        $this->port = free_port();
        $this->log = tempnam(sys_get_temp_dir(), 'freeride-recv-');
        $env = array_merge(getenv(), array('RECEIVER_LOG' => $this->log), $env);
        $cmd = array(PHP_BINARY, '-d', 'display_errors=0', '-d', 'log_errors=0', '-S', '127.0.0.1:' . $this->port);
        if ($docroot !== null) {
            $cmd[] = '-t';
            $cmd[] = $docroot;
        }
        $cmd[] = $router;
        $this->proc = proc_open($cmd, array(0 => array('file', '/dev/null', 'r'), 1 => array('file', '/dev/null', 'w'), 2 => array('file', '/dev/null', 'w')), $pipes, null, $env);
        check(is_resource($this->proc), 'could not start php -S');
        self::$running[spl_object_id($this)] = $this;
        $deadline = microtime(true) + 5;
        while (microtime(true) < $deadline) {
            $fp = @stream_socket_client('tcp://127.0.0.1:' . $this->port, $errno, $errstr, 0.2);
            if ($fp) {
                fclose($fp);
                return;
            }
            usleep(20000);
        }
        $this->stop();
        throw new Freeride_Test_Failure('php -S did not start on port ' . $this->port);
    }

    public function url($path = '')
    {
        return 'http://127.0.0.1:' . $this->port . $path;
    }

    /** @return array<int,array> one entry per request received */
    public function requests()
    {
        $out = array();
        foreach (file($this->log, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) ?: array() as $line) {
            $out[] = json_decode($line, true);
        }
        return $out;
    }

    public function stop()
    {
        if (is_resource($this->proc)) {
            proc_terminate($this->proc, 15);
            $deadline = microtime(true) + 3;
            while (microtime(true) < $deadline && proc_get_status($this->proc)['running']) {
                usleep(20000);
            }
            if (proc_get_status($this->proc)['running']) {
                proc_terminate($this->proc, 9);
            }
            proc_close($this->proc);
        }
        @unlink($this->log);
        unset(self::$running[spl_object_id($this)]);
    }

    public static function stop_all()
    {
        foreach (self::$running as $server) {
            $server->stop();
        }
    }
}

register_shutdown_function(array('Php_Server', 'stop_all'));

/** GET with a socket (no ext-curl needed). @return array{status:int,body:string,seconds:float} */
function http_get($url, array $headers = array(), $timeout = 10.0)
{
    $start = microtime(true);
    $p = parse_url($url);
    $fp = stream_socket_client('tcp://' . $p['host'] . ':' . $p['port'], $errno, $errstr, 2);
    check($fp !== false, "connect $url: $errstr");
    stream_set_timeout($fp, (int) ceil($timeout));
    $path = $p['path'] . (isset($p['query']) ? '?' . $p['query'] : '');
    $req = "GET $path HTTP/1.1\r\nHost: {$p['host']}:{$p['port']}\r\nConnection: close\r\n";
    foreach ($headers as $k => $v) {
        $req .= "$k: $v\r\n";
    }
    fwrite($fp, $req . "\r\n");
    $response = stream_get_contents($fp);
    fclose($fp);
    preg_match('#^HTTP/\S+ (\d{3})#', (string) $response, $m);
    $pos = strpos((string) $response, "\r\n\r\n");
    return array('status' => isset($m[1]) ? (int) $m[1] : 0, 'body' => $pos === false ? '' : substr($response, $pos + 4), 'seconds' => microtime(true) - $start);
}

/**
 * Checks an ExportLogsServiceRequest decoded from OTLP/JSON against the encoding rules:
 * hex ids of the right length, 64-bit ints as decimal strings, enums as ints, AnyValue shapes.
 * @return array<int,array> the log records
 */
function check_otlp_logs_json(array $payload)
{
    check(isset($payload['resourceLogs']) && is_array($payload['resourceLogs']), 'resourceLogs missing');
    $records = array();
    foreach ($payload['resourceLogs'] as $rl) {
        check_attributes($rl['resource']['attributes']);
        foreach ($rl['scopeLogs'] as $sl) {
            check(is_string($sl['scope']['name']), 'scope.name');
            if (isset($sl['scope']['attributes'])) {
                check_attributes($sl['scope']['attributes']);
            }
            foreach ($sl['logRecords'] as $r) {
                check(is_string($r['timeUnixNano']) && preg_match('/^\d{19}$/', $r['timeUnixNano']) === 1, 'timeUnixNano must be a 19-digit decimal string, got ' . var_export($r['timeUnixNano'], true));
                check(is_string($r['observedTimeUnixNano']) && preg_match('/^\d{19}$/', $r['observedTimeUnixNano']) === 1, 'observedTimeUnixNano');
                check(is_int($r['severityNumber']) && $r['severityNumber'] >= 1 && $r['severityNumber'] <= 24, 'severityNumber must be an int 1..24');
                check(is_string($r['severityText']), 'severityText');
                check_any_value($r['body']);
                check_attributes($r['attributes']);
                if (isset($r['traceId']) || isset($r['spanId'])) {
                    check(preg_match('/^[0-9a-f]{32}$/', $r['traceId']) === 1, 'traceId must be 32 lowercase hex');
                    check(preg_match('/^[0-9a-f]{16}$/', $r['spanId']) === 1, 'spanId must be 16 lowercase hex');
                    check(is_int($r['flags']), 'flags int');
                }
                $records[] = $r;
            }
        }
    }
    return $records;
}

function check_attributes($attributes)
{
    check(is_array($attributes), 'attributes must be a list');
    foreach ($attributes as $kv) {
        check(is_string($kv['key']) && $kv['key'] !== '', 'attribute key');
        check_any_value($kv['value']);
    }
}

function check_any_value($v)
{
    check(is_array($v) && count($v) === 1, 'AnyValue must have exactly one field');
    $k = key($v);
    $x = $v[$k];
    switch ($k) {
        case 'stringValue':
            check(is_string($x), 'stringValue');
            break;
        case 'boolValue':
            check(is_bool($x), 'boolValue');
            break;
        case 'intValue':
            check(is_string($x) && preg_match('/^-?\d+$/', $x) === 1, 'intValue must be a decimal string');
            break;
        case 'doubleValue':
            check(is_float($x) || is_int($x), 'doubleValue');
            break;
        case 'arrayValue':
            foreach ($x['values'] as $item) {
                check_any_value($item);
            }
            break;
        case 'kvlistValue':
            check_attributes($x['values']);
            break;
        default:
            check(false, 'unknown AnyValue field ' . $k);
    }
}

/** @return array<string,mixed> attribute list as a map of plain values */
function attrs(array $list)
{
    $out = array();
    foreach ($list as $kv) {
        $out[$kv['key']] = reset($kv['value']);
    }
    return $out;
}

function records_of(Php_Server $receiver)
{
    $records = array();
    foreach ($receiver->requests() as $req) {
        $payload = json_decode($req['body'], true);
        check(is_array($payload), 'body is not JSON');
        foreach (check_otlp_logs_json($payload) as $r) {
            $records[] = $r;
        }
    }
    return $records;
}
