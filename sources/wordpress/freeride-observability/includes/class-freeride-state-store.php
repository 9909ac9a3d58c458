<?php
/**
 * Tiny cross-request state of the shipper: records dropped by failed sends (reported with the
 * next batch) and "don't send before" after a 429/503 Retry-After or a failure.
 *
 * In WordPress it is one non-autoloaded option, written only after a failure or to clear it.
 * Standalone, it lives in memory for the process.
 */
class Freeride_State_Store
{
    const OPTION = 'freeride_otlp_state';

    /** @var array{dropped:int,backoff_until:float} */
    private $memory = array('dropped' => 0, 'backoff_until' => 0.0);

    /** @return array{dropped:int,backoff_until:float} */
    public function load()
    {
        if (self::wp()) {
            $state = get_option(self::OPTION, null);
            if (is_array($state)) {
                return array(
                    'dropped' => isset($state['dropped']) ? (int) $state['dropped'] : 0,
                    'backoff_until' => isset($state['backoff_until']) ? (float) $state['backoff_until'] : 0.0,
                );
            }
            return array('dropped' => 0, 'backoff_until' => 0.0);
        }
        return $this->memory;
    }

    public function save(array $state)
    {
        if (self::wp()) {
            if ($state['dropped'] === 0 && $state['backoff_until'] <= 0) {
                if (get_option(self::OPTION, null) !== null) {
                    delete_option(self::OPTION);
                }
                return;
            }
            update_option(self::OPTION, $state, false);
            return;
        }
        $this->memory = $state;
    }

    private static function wp()
    {
        return function_exists('get_option') && function_exists('update_option') && function_exists('delete_option');
    }
}
