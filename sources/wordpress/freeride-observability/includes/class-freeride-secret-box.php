<?php
/**
 * Encryption at rest of each trader's trading API key (user meta `freeride_trading_api_key`).
 *
 * libsodium's secretbox (XSalsa20-Poly1305, bundled with PHP >= 7.2 and polyfilled by WordPress)
 * under a key derived from the site's salts (`wp_salt('secure_auth')` and `wp_salt('auth')`, i.e.
 * wp-config.php's AUTH_* constants): a database dump alone no longer holds usable keys. Stored form:
 * `frenc1:` + base64(nonce . ciphertext). Rotating the salts makes stored keys unreadable; traders
 * then enter their key again.
 */
final class Freeride_Secret_Box
{
    const PREFIX = 'frenc1:';

    /** @var string 32-byte secretbox key */
    private $key;

    /** @param string $key_material secret material (the site's salts), any length */
    public function __construct($key_material)
    {
        $this->key = hash_hmac('sha256', 'freeride-trading-api-key', (string) $key_material, true);
    }

    /** The box keyed by this WordPress site's salts. */
    public static function for_site()
    {
        return new self(wp_salt('secure_auth') . wp_salt('auth'));
    }

    /** Whether a stored value is sealed (anything else is a legacy plaintext key). */
    public static function is_sealed($stored)
    {
        return is_string($stored) && strncmp($stored, self::PREFIX, strlen(self::PREFIX)) === 0;
    }

    /** @return string the sealed form of $plaintext (a new random nonce each time) */
    public function seal($plaintext)
    {
        $nonce = random_bytes(SODIUM_CRYPTO_SECRETBOX_NONCEBYTES);
        return self::PREFIX . base64_encode($nonce . sodium_crypto_secretbox((string) $plaintext, $nonce, $this->key));
    }

    /** @return string|null the plaintext, or null when not sealed, tampered with, or sealed under other salts */
    public function open($stored)
    {
        if (!self::is_sealed($stored)) {
            return null;
        }
        $raw = base64_decode(substr($stored, strlen(self::PREFIX)), true);
        if ($raw === false || strlen($raw) < SODIUM_CRYPTO_SECRETBOX_NONCEBYTES + SODIUM_CRYPTO_SECRETBOX_MACBYTES) {
            return null;
        }
        $plain = sodium_crypto_secretbox_open(
            substr($raw, SODIUM_CRYPTO_SECRETBOX_NONCEBYTES),
            substr($raw, 0, SODIUM_CRYPTO_SECRETBOX_NONCEBYTES),
            $this->key
        );
        return $plain === false ? null : $plain;
    }
}
