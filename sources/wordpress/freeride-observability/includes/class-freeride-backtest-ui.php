<?php
/**
 * The backtest part of the traders' pages: a form that replays a condition over the gateway's
 * bars through the trading API (POST /v1/alerts/backtest) and a chart of the price with the
 * points where the rule would have fired (inline SVG, no script).
 */
final class Freeride_Backtest_UI
{
    const RESULT_PREFIX = 'freeride_backtest_';
    const CONDITION_TYPES = array('crossing_up', 'crossing_down', 'crossing', 'price_above', 'price_below');
    const INTERVALS = array('1min', '5min', '15min', '30min', '60min');

    public static function register()
    {
        add_action('admin_post_freeride_alert_backtest', array(__CLASS__, 'handle_backtest'));
    }

    /**
     * Builds the POST /v1/alerts/backtest body from the form (pure; no WordPress needed).
     *
     * @return array{0:array|null,1:array<int,string>} the body, or null and the errors
     */
    public static function build_backtest_body(array $form)
    {
        $text = static function ($key) use ($form) {
            return isset($form[$key]) && is_scalar($form[$key]) ? trim((string) $form[$key]) : '';
        };
        $errors = array();
        $symbol = strtoupper($text('symbol'));
        if (!preg_match('/^[A-Z0-9][A-Z0-9.:\-^]{0,23}$/', $symbol)) {
            $errors[] = 'symbol: an upper-case ticker such as AAPL';
        }
        $type = $text('condition_type');
        if (!in_array($type, self::CONDITION_TYPES, true)) {
            $errors[] = 'condition: unknown type';
        }
        $threshold = is_numeric($text('threshold')) ? $text('threshold') + 0 : null;
        if ($threshold === null || $threshold <= 0) {
            $errors[] = 'threshold: a price > 0';
        }
        $interval = $text('interval') ?: '1min';
        if (!in_array($interval, self::INTERVALS, true)) {
            $errors[] = 'interval: 1min, 5min, 15min, 30min or 60min';
        }
        $body = array('condition' => array('threshold' => $threshold, 'type' => $type), 'interval' => $interval, 'symbol' => $symbol);
        return $errors ? array(null, $errors) : array($body, array());
    }

    /**
     * The price as a line and each fire as a dot (pure; escapes everything it prints).
     *
     * @param array<int,array{start:string,close:float}> $bars
     * @param array<int,array{at:string,price:float}> $fires
     */
    public static function chart_svg(array $bars, array $fires, $width = 640, $height = 240)
    {
        if (count($bars) < 2) {
            return '<p class="freeride-backtest-empty">' . esc_html__('Not enough bars to draw.', 'freeride-observability') . '</p>';
        }
        $closes = array_map(static function ($b) {
            return (float) $b['close'];
        }, $bars);
        $lo = min($closes);
        $hi = max($closes);
        $span = $hi > $lo ? $hi - $lo : 1.0;
        $pad = 10;
        $x = static function ($i) use ($bars, $width, $pad) {
            return $pad + ($width - 2 * $pad) * $i / (count($bars) - 1);
        };
        $y = static function ($price) use ($lo, $span, $height, $pad) {
            return $height - $pad - ($height - 2 * $pad) * ((float) $price - $lo) / $span;
        };
        $points = array();
        $index = array();
        foreach ($bars as $i => $b) {
            $points[] = sprintf('%.1f,%.1f', $x($i), $y($b['close']));
            $index[(string) $b['start']] = $i;
        }
        $dots = '';
        foreach ($fires as $f) {
            if (!isset($index[(string) $f['at']])) {
                continue;
            }
            $dots .= sprintf(
                '<circle class="freeride-fire" cx="%.1f" cy="%.1f" r="5" fill="#d63638"><title>%s</title></circle>',
                $x($index[(string) $f['at']]),
                $y($f['price']),
                esc_html($f['at'] . ' @ ' . $f['price'])
            );
        }
        return sprintf(
            '<svg class="freeride-backtest-chart" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s">'
            . '<rect width="100%%" height="100%%" fill="#ffffff"/><polyline fill="none" stroke="#2271b1" stroke-width="2" points="%s"/>%s</svg>',
            (int) $width,
            (int) $height,
            (int) $width,
            (int) $height,
            esc_attr__('Price with the points where the rule would have fired', 'freeride-observability'),
            esc_attr(implode(' ', $points)),
            $dots
        );
    }

    /** The form, and the last result of the current user (kept ten minutes). */
    public static function render($return_url)
    {
        $types = '';
        foreach (self::CONDITION_TYPES as $t) {
            $types .= '<option value="' . esc_attr($t) . '">' . esc_html($t) . '</option>';
        }
        $intervals = '';
        foreach (self::INTERVALS as $i) {
            $intervals .= '<option value="' . esc_attr($i) . '">' . esc_html($i) . '</option>';
        }
        $out = '<h2>' . esc_html__('Backtest a rule', 'freeride-observability') . '</h2>'
            . '<form method="post" class="freeride-backtest-form" action="' . esc_url(admin_url('admin-post.php')) . '">'
            . '<input type="hidden" name="action" value="freeride_alert_backtest">'
            . '<input type="hidden" name="return_url" value="' . esc_attr($return_url) . '">' . wp_nonce_field('freeride_alert_backtest', '_wpnonce', true, false)
            . '<p><label>' . esc_html__('Symbol', 'freeride-observability') . ' <input name="symbol" required></label> '
            . '<label>' . esc_html__('Condition', 'freeride-observability') . ' <select name="condition_type">' . $types . '</select></label> '
            . '<label>' . esc_html__('Threshold', 'freeride-observability') . ' <input name="threshold" type="number" step="any" required></label> '
            . '<label>' . esc_html__('Bars', 'freeride-observability') . ' <select name="interval">' . $intervals . '</select></label> '
            . '<button type="submit" class="button">' . esc_html__('Backtest', 'freeride-observability') . '</button></p></form>';
        $result = get_transient(self::RESULT_PREFIX . get_current_user_id());
        if (is_array($result) && isset($result['bars'], $result['fires'])) {
            $out .= '<div class="freeride-backtest-result"><p>' . esc_html(sprintf(
                /* translators: 1: symbol, 2: number of fires, 3: number of bars */
                __('%1$s: the rule would have fired %2$d times over %3$d bars.', 'freeride-observability'),
                isset($result['symbol']) ? $result['symbol'] : '',
                count($result['fires']),
                count($result['bars'])
            )) . '</p>' . self::chart_svg($result['bars'], $result['fires']) . '<ul class="freeride-backtest-fires">';
            foreach ($result['fires'] as $f) {
                $out .= '<li>' . esc_html($f['at'] . ' — ' . $f['price']) . '</li>';
            }
            $out .= '</ul></div>';
        }
        return $out;
    }

    public static function handle_backtest()
    {
        if (!is_user_logged_in() || !current_user_can('read')) {
            wp_die(esc_html__('You must be logged in.', 'freeride-observability'), 403);
        }
        check_admin_referer('freeride_alert_backtest');
        $form = wp_unslash($_POST);
        list($body, $errors) = self::build_backtest_body(is_array($form) ? $form : array());
        $user_id = get_current_user_id();
        if ($errors) {
            set_transient(Freeride_Alerts_UI::NOTICE_PREFIX . $user_id, array('kind' => 'error', 'message' => implode('; ', $errors)), 60);
        } else {
            $result = Freeride_Alerts_UI::client()->backtest($body);
            if (is_wp_error($result)) {
                set_transient(Freeride_Alerts_UI::NOTICE_PREFIX . $user_id, array('kind' => 'error', 'message' => $result->get_error_message()), 60);
            } else {
                set_transient(self::RESULT_PREFIX . $user_id, $result, 600);
            }
        }
        $url = isset($_POST['return_url']) ? esc_url_raw(wp_unslash($_POST['return_url'])) : admin_url('admin.php?page=freeride-alerts');
        wp_safe_redirect($url ?: admin_url());
        exit;
    }
}
