<?php
/**
 * Public API of the plugin.
 */

if (!function_exists('freeride_log')) {
    /**
     * Logs one line to the Freeride ingest (shipped at the end of the request).
     *
     * @param string $level   PSR-3 level: debug, info, notice, warning, error, critical, alert, emergency
     * @param string $message may contain {placeholders} filled from $context
     * @param array  $context attributes; a Throwable under 'exception' becomes exception.* attributes
     */
    function freeride_log($level, $message, array $context = array())
    {
        $shipper = Freeride_Shipper::instance();
        if ($shipper !== null) {
            $shipper->log($level, $message, $context);
        }
    }
}
