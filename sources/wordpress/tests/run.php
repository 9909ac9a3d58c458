<?php
/**
 * Plain test runner (no PHPUnit needed): runs every test_* function of tests/*_test.php and
 * prints "N passed, N failed". Usage: php tests/run.php [filter]
 */
error_reporting(E_ALL);
ini_set('display_errors', '1');
define('FREERIDE_OBS_NO_AUTOSTART', true);
require __DIR__ . '/lib.php';
require dirname(__DIR__) . '/freeride-observability/freeride-observability.php';

$filter = isset($argv[1]) ? $argv[1] : '';
foreach (glob(__DIR__ . '/*_test.php') as $file) {
    require $file;
}
$passed = 0;
$failed = 0;
foreach (get_defined_functions()['user'] as $fn) {
    if (strpos($fn, 'test_') !== 0 || ($filter !== '' && strpos($fn, strtolower($filter)) === false)) {
        continue;
    }
    $start = microtime(true);
    try {
        $fn();
        $passed++;
        printf("ok   %s (%.2fs)\n", $fn, microtime(true) - $start);
    } catch (Throwable $e) {
        $failed++;
        printf("FAIL %s: %s\n     at %s:%d\n", $fn, $e->getMessage(), $e->getFile(), $e->getLine());
    }
    Php_Server::stop_all();
}
echo "\n{$passed} passed, {$failed} failed\n";
exit($failed === 0 && $passed > 0 ? 0 : 1);
