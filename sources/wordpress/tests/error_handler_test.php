<?php

function test_error_handler_chains_the_previous_handler()
{
    $seen = array();
    set_error_handler(function ($errno, $errstr) use (&$seen) {
        $seen[] = $errstr;
        return true;
    });
    $config = new Freeride_Config('http://127.0.0.1:9', TEST_TOKEN);
    $shipper = Freeride_Shipper::reset_for_tests($config, new Freeride_State_Store());
    $previous = set_error_handler(array($shipper, 'handle_error'));
    $reflection = new ReflectionProperty('Freeride_Shipper', 'previous_error_handler');
    $reflection->setAccessible(true);
    $reflection->setValue($shipper, $previous);
    try {
        trigger_error('chained warning', E_USER_WARNING);
        @trigger_error('suppressed warning', E_USER_WARNING);
    } finally {
        restore_error_handler();
        restore_error_handler();
    }
    check_same(array('chained warning', 'suppressed warning'), $seen, 'the previous handler sees every error');
    check_same(1, $shipper->buffered(), 'only the non-suppressed error is recorded');
}

function test_error_handler_returns_false_without_previous_handler()
{
    $config = new Freeride_Config('http://127.0.0.1:9', TEST_TOKEN);
    $shipper = Freeride_Shipper::reset_for_tests($config, new Freeride_State_Store());
    check_same(false, $shipper->handle_error(E_USER_NOTICE, 'n', __FILE__, __LINE__));
    check_same(1, $shipper->buffered());
}

function test_min_severity_filters()
{
    $config = new Freeride_Config('http://127.0.0.1:9', TEST_TOKEN);
    $config->min_severity = 13;
    $shipper = Freeride_Shipper::reset_for_tests($config, new Freeride_State_Store());
    $shipper->log('info', 'quiet');
    $shipper->log('warning', 'loud');
    check_same(1, $shipper->buffered());
}
