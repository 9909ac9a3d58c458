<?php
require_once dirname(__DIR__) . '/freeride-observability/includes/class-freeride-backtest-ui.php';

// The chart is pure but escapes with WordPress's functions: their documented behaviour, outside WordPress.
foreach (array('esc_html', 'esc_attr') as $fn) {
    if (!function_exists($fn)) {
        eval('function ' . $fn . '($s) { return htmlspecialchars((string) $s, ENT_QUOTES, "UTF-8"); }');
    }
}
foreach (array('esc_html__', 'esc_attr__') as $fn) {
    if (!function_exists($fn)) {
        eval('function ' . $fn . '($s, $d = null) { return htmlspecialchars((string) $s, ENT_QUOTES, "UTF-8"); }');
    }
}

function test_backtest_body_from_the_form()
{
    list($body, $errors) = Freeride_Backtest_UI::build_backtest_body(array('symbol' => 'aapl', 'condition_type' => 'crossing', 'threshold' => '100', 'interval' => '5min'));
    check_same(array(), $errors);
    check_same(array('condition' => array('threshold' => 100, 'type' => 'crossing'), 'interval' => '5min', 'symbol' => 'AAPL'), $body);
    list($body, $errors) = Freeride_Backtest_UI::build_backtest_body(array('symbol' => 'x y', 'condition_type' => 'rsi', 'threshold' => '-1', 'interval' => '2min'));
    check_same(null, $body);
    check_same(array('symbol', 'condition', 'threshold', 'interval'), array_map(function ($e) {
        return strstr($e, ':', true);
    }, $errors));
}

function test_backtest_chart_draws_the_price_and_a_dot_per_fire()
{
    $bars = array(
        array('close' => 98, 'start' => 't0'),
        array('close' => 101, 'start' => 't1'),
        array('close' => 99, 'start' => 't2'),
    );
    $svg = Freeride_Backtest_UI::chart_svg($bars, array(array('at' => 't1', 'price' => 101), array('at' => 'unknown', 'price' => 1)), 100, 50);
    check(strpos($svg, '<polyline') !== false, 'a price line');
    check_same(1, substr_count($svg, 'class="freeride-fire"'));
    // Highest close at the top (y = pad), lowest at the bottom (y = height - pad).
    check(strpos($svg, 'points="10.0,40.0 50.0,10.0 90.0,30.0"') !== false, $svg);
    check(strpos(Freeride_Backtest_UI::chart_svg(array(), array()), '<svg') === false, 'no chart without bars');
}
