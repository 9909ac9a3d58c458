<?php
require_once dirname(__DIR__) . '/freeride-observability/includes/class-freeride-alerts-ui.php';

function test_alert_body_price_above_matches_the_trading_api()
{
    list($body, $errors) = Freeride_Alerts_UI::build_alert_body(array(
        'symbol' => 'aapl', 'name' => 'Breakout', 'condition_type' => 'price_above', 'threshold' => '190.5',
        'trigger_mode' => 'every_time', 'cooldown_seconds' => '300', 'webhook_url' => 'https://example.com/hook', 'email' => '',
    ));
    check_same(array(), $errors);
    check_same(array(
        'condition' => array('type' => 'price_above', 'threshold' => 190.5),
        'delivery' => array('webhookUrl' => 'https://example.com/hook'),
        'symbol' => 'AAPL',
        'trigger' => array('mode' => 'every_time', 'cooldownSeconds' => 300),
        'name' => 'Breakout',
    ), $body);
}

function test_alert_body_percent_move_and_volume_spike()
{
    list($body, $errors) = Freeride_Alerts_UI::build_alert_body(array('symbol' => 'MSFT', 'condition_type' => 'percent_move', 'percent' => '2', 'direction' => 'down', 'window_seconds' => '600', 'trigger_mode' => 'once', 'webhook_url' => 'http://127.0.0.1:8080/x'));
    check_same(array(), $errors);
    check_same(array('type' => 'percent_move', 'windowSeconds' => 600, 'percent' => 2, 'direction' => 'down'), $body['condition']);
    list($body, $errors) = Freeride_Alerts_UI::build_alert_body(array('symbol' => 'MSFT', 'condition_type' => 'volume_spike', 'factor' => '3', 'window_seconds' => '60', 'trigger_mode' => 'once_per_bar', 'bar_seconds' => '60', 'webhook_url' => 'http://h/x'));
    check_same(array(), $errors);
    check_same(array('mode' => 'once_per_bar', 'barSeconds' => 60), $body['trigger']);
}

function test_alert_body_reports_every_bad_field()
{
    list($body, $errors) = Freeride_Alerts_UI::build_alert_body(array('symbol' => 'not a ticker', 'condition_type' => 'sentiment_below', 'threshold' => '3', 'trigger_mode' => 'sometimes', 'webhook_url' => 'ftp://x', 'email' => 'nope'));
    check_same(null, $body);
    check_same(array('symbol', 'threshold', 'trigger', 'webhook_url', 'email'), array_map(function ($e) {
        return strstr($e, ':', true);
    }, $errors));
}

function test_alert_body_sequence_matches_the_trading_api()
{
    list($body, $errors) = Freeride_Alerts_UI::build_alert_body(array(
        'symbol' => 'nvda', 'condition_type' => 'sequence', 'first_type' => 'crossing_up', 'first_threshold' => '100',
        'then_type' => 'price_above', 'then_threshold' => '105.5', 'within_bars' => '3', 'interval' => '5min',
        'trigger_mode' => 'once', 'webhook_url' => 'https://example.com/hook',
    ));
    check_same(array(), $errors);
    check_same(array(
        'type' => 'sequence',
        'first' => array('threshold' => 100, 'type' => 'crossing_up'),
        'then' => array('threshold' => 105.5, 'type' => 'price_above'),
        'interval' => '5min',
        'withinBars' => 3,
    ), $body['condition']);
}

function test_alert_body_sequence_reports_every_bad_field()
{
    list($body, $errors) = Freeride_Alerts_UI::build_alert_body(array(
        'symbol' => 'NVDA', 'condition_type' => 'sequence', 'first_type' => 'percent_move', 'first_threshold' => '-1',
        'then_type' => 'price_below', 'then_threshold' => '', 'within_bars' => '501', 'interval' => '2min',
        'trigger_mode' => 'once', 'webhook_url' => 'https://example.com/hook',
    ));
    check_same(null, $body);
    check_same(array('first_type', 'first_threshold', 'then_threshold', 'interval', 'within_bars'), array_map(function ($e) {
        return strstr($e, ':', true);
    }, $errors));
}

function test_describe_condition()
{
    check_same('price_below 100', Freeride_Alerts_UI::describe_condition(array('type' => 'price_below', 'threshold' => 100)));
    check_same('crossing_up 100, then price_above 105 within 3 bars of 1min', Freeride_Alerts_UI::describe_condition(array(
        'type' => 'sequence', 'first' => array('type' => 'crossing_up', 'threshold' => 100),
        'then' => array('type' => 'price_above', 'threshold' => 105), 'interval' => '1min', 'withinBars' => 3,
    )));
    check_same('percent_move up 2% in 300s', Freeride_Alerts_UI::describe_condition(array('type' => 'percent_move', 'direction' => 'up', 'percent' => 2, 'windowSeconds' => 300)));
}
