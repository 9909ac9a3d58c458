<?php
require_once dirname(__DIR__) . '/freeride-observability/includes/class-freeride-secret-box.php';

function test_secret_box_round_trip_hides_the_key()
{
    $box = new Freeride_Secret_Box('site-salts-one');
    $sealed = $box->seal('frk_trader_key_0123456789');
    check(Freeride_Secret_Box::is_sealed($sealed), 'sealed form has the prefix');
    check(strpos($sealed, 'frk_trader_key') === false, 'plaintext not in the sealed form');
    check_same('frk_trader_key_0123456789', $box->open($sealed));
    check($sealed !== $box->seal('frk_trader_key_0123456789'), 'a fresh nonce each time');
}

function test_secret_box_refuses_other_salts_tampering_and_plaintext()
{
    $sealed = (new Freeride_Secret_Box('site-salts-one'))->seal('frk_trader_key_0123456789');
    check_same(null, (new Freeride_Secret_Box('site-salts-two'))->open($sealed));
    $tampered = substr($sealed, 0, -4) . (substr($sealed, -4) === 'AAAA' ? 'BBBB' : 'AAAA');
    check_same(null, (new Freeride_Secret_Box('site-salts-one'))->open($tampered));
    check_same(null, (new Freeride_Secret_Box('site-salts-one'))->open('frk_legacy_plaintext'));
    check(!Freeride_Secret_Box::is_sealed('frk_legacy_plaintext'), 'legacy plaintext is not sealed');
}
