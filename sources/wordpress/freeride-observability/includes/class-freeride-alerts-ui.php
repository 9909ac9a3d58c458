<?php
/**
 * Traders' pages: an admin page ("Freeride Alerts") and the [freeride_alerts] shortcode, both
 * listing the trader's alert rules and offering a form to create or delete one, through the
 * trading API. The trader's API key is stored in user meta and never rendered back.
 */
final class Freeride_Alerts_UI
{
    const META_KEY = 'freeride_trading_api_key';
    const NOTICE_PREFIX = 'freeride_alerts_notice_';
    const CONDITION_TYPES = array('price_above', 'price_below', 'crossing_up', 'crossing_down', 'percent_move', 'volume_spike', 'sentiment_above', 'sentiment_below', 'sequence');
    /** The steps a `sequence` chains in the form: price conditions on one threshold each. */
    const SEQUENCE_STEP_TYPES = array('price_above', 'price_below', 'crossing_up', 'crossing_down');
    /** Bar widths of `sequence` (the trading API's BAR_INTERVALS). */
    const BAR_INTERVALS = array('1min', '5min', '15min', '30min', '60min');
    const THRESHOLD_TYPES = array('price_above', 'price_below', 'crossing_up', 'crossing_down', 'sentiment_above', 'sentiment_below');
    const TRIGGER_MODES = array('once', 'every_time', 'once_per_bar');

    public static function register()
    {
        add_action('admin_menu', array(__CLASS__, 'admin_menu'));
        add_action('admin_post_freeride_alert_create', array(__CLASS__, 'handle_create'));
        add_action('admin_post_freeride_alert_delete', array(__CLASS__, 'handle_delete'));
        add_action('admin_post_freeride_api_key', array(__CLASS__, 'handle_api_key'));
        add_shortcode('freeride_alerts', array(__CLASS__, 'shortcode'));
        add_action('admin_init', array(__CLASS__, 'register_setting'));
    }

    /** Settings > General: the trading API base URL (a FREERIDE_TRADING_API_URL constant wins). */
    public static function register_setting()
    {
        register_setting('general', 'freeride_trading_api_url', array('type' => 'string', 'sanitize_callback' => 'esc_url_raw', 'default' => ''));
        add_settings_field('freeride_trading_api_url', esc_html__('Freeride trading API URL', 'freeride-observability'), array(__CLASS__, 'render_setting'), 'general');
    }

    public static function render_setting()
    {
        $fixed = Freeride_Config::setting('FREERIDE_TRADING_API_URL');
        echo '<input type="url" class="regular-text" name="freeride_trading_api_url" value="' . esc_attr((string) get_option('freeride_trading_api_url', '')) . '" placeholder="' . esc_attr(Freeride_Trading_Client::DEFAULT_BASE_URL) . '"' . ($fixed !== null ? ' disabled' : '') . '>';
        if ($fixed !== null) {
            echo '<p class="description">' . esc_html__('Set by FREERIDE_TRADING_API_URL (wp-config.php or environment).', 'freeride-observability') . '</p>';
        }
    }

    public static function admin_menu()
    {
        add_menu_page(__('Freeride Alerts', 'freeride-observability'), __('Freeride Alerts', 'freeride-observability'), 'read', 'freeride-alerts', array(__CLASS__, 'admin_page'), 'dashicons-chart-line');
    }

    public static function admin_page()
    {
        echo '<div class="wrap"><h1>' . esc_html__('Freeride Alerts', 'freeride-observability') . '</h1>';
        echo self::render(admin_url('admin.php?page=freeride-alerts'));
        echo '</div>';
    }

    public static function shortcode()
    {
        if (!is_user_logged_in()) {
            return '<p class="freeride-alerts">' . sprintf(
                /* translators: %s: login URL */
                wp_kses(__('<a href="%s">Log in</a> to manage your price alerts.', 'freeride-observability'), array('a' => array('href' => array()))),
                esc_url(wp_login_url(get_permalink()))
            ) . '</p>';
        }
        return '<div class="freeride-alerts">' . self::render(get_permalink()) . '</div>';
    }

    /** The list, the create form and the API key form for the current user. */
    public static function render($return_url)
    {
        $user_id = get_current_user_id();
        $out = self::take_notice($user_id);
        $key = self::api_key($user_id);
        if ($key === '') {
            $out .= '<p>' . esc_html__('Enter the API key of your Freeride trading account to see and manage your alerts.', 'freeride-observability') . '</p>';
            return $out . self::api_key_form($return_url, false);
        }
        $client = new Freeride_Trading_Client(Freeride_Trading_Client::base_url(), $key);
        $alerts = $client->list_alerts();
        $out .= '<h2>' . esc_html__('Your alerts', 'freeride-observability') . '</h2>';
        if (is_wp_error($alerts)) {
            $out .= '<div class="notice notice-error"><p>' . esc_html($alerts->get_error_message()) . '</p></div>';
        } else {
            $out .= self::alerts_table($alerts, $return_url);
        }
        $out .= '<h2>' . esc_html__('New alert', 'freeride-observability') . '</h2>' . self::create_form($return_url);
        $out .= Freeride_Backtest_UI::render($return_url);
        return $out . '<h2>' . esc_html__('Your API key', 'freeride-observability') . '</h2>' . self::api_key_form($return_url, true);
    }

    private static function alerts_table(array $alerts, $return_url)
    {
        if (!$alerts) {
            return '<p>' . esc_html__('No alerts yet.', 'freeride-observability') . '</p>';
        }
        $rows = '';
        foreach ($alerts as $a) {
            $id = isset($a['id']) ? (string) $a['id'] : '';
            $state = !empty($a['active']) ? __('active', 'freeride-observability') : (isset($a['deactivatedReason']) ? (string) $a['deactivatedReason'] : __('inactive', 'freeride-observability'));
            $rows .= '<tr><td>' . esc_html(isset($a['symbol']) ? $a['symbol'] : '') . '</td><td>' . esc_html(isset($a['name']) ? (string) $a['name'] : '')
                . '</td><td>' . esc_html(self::describe_condition(isset($a['condition']) ? (array) $a['condition'] : array()))
                . '</td><td>' . esc_html(isset($a['trigger']['mode']) ? $a['trigger']['mode'] : '')
                . '</td><td>' . esc_html($state) . '</td><td>' . esc_html((string) (isset($a['fireCount']) ? (int) $a['fireCount'] : 0))
                . '</td><td><form method="post" action="' . esc_url(admin_url('admin-post.php')) . '">'
                . '<input type="hidden" name="action" value="freeride_alert_delete"><input type="hidden" name="alert_id" value="' . esc_attr($id) . '">'
                . '<input type="hidden" name="return_url" value="' . esc_attr($return_url) . '">' . wp_nonce_field('freeride_alert_delete_' . $id, '_wpnonce', true, false)
                . '<button type="submit" class="button button-small">' . esc_html__('Delete', 'freeride-observability') . '</button></form></td></tr>';
        }
        return '<table class="widefat striped"><thead><tr><th>' . esc_html__('Symbol', 'freeride-observability') . '</th><th>' . esc_html__('Name', 'freeride-observability')
            . '</th><th>' . esc_html__('Condition', 'freeride-observability') . '</th><th>' . esc_html__('Trigger', 'freeride-observability') . '</th><th>'
            . esc_html__('State', 'freeride-observability') . '</th><th>' . esc_html__('Fired', 'freeride-observability') . '</th><th></th></tr></thead><tbody>' . $rows . '</tbody></table>';
    }

    /** "price_above 190", "percent_move up 2% in 300s", ... */
    public static function describe_condition(array $c)
    {
        $type = isset($c['type']) ? (string) $c['type'] : '?';
        if (in_array($type, self::THRESHOLD_TYPES, true)) {
            return $type . ' ' . (isset($c['threshold']) ? $c['threshold'] : '?');
        }
        if ($type === 'percent_move') {
            return sprintf('percent_move %s %s%% in %ss', isset($c['direction']) ? $c['direction'] : '?', isset($c['percent']) ? $c['percent'] : '?', isset($c['windowSeconds']) ? $c['windowSeconds'] : '?');
        }
        if ($type === 'volume_spike') {
            return sprintf('volume_spike x%s in %ss', isset($c['factor']) ? $c['factor'] : '?', isset($c['windowSeconds']) ? $c['windowSeconds'] : '?');
        }
        if ($type === 'sequence') {
            // "crossing_up 100, then price_above 105 within 3 bars of 1min"
            return sprintf(
                '%s, then %s within %s bars of %s',
                self::describe_condition(isset($c['first']) ? (array) $c['first'] : array()),
                self::describe_condition(isset($c['then']) ? (array) $c['then'] : array()),
                isset($c['withinBars']) ? $c['withinBars'] : '?',
                isset($c['interval']) ? $c['interval'] : '?'
            );
        }
        return $type;
    }

    private static function create_form($return_url)
    {
        $types = '';
        foreach (self::CONDITION_TYPES as $t) {
            $types .= '<option value="' . esc_attr($t) . '">' . esc_html($t) . '</option>';
        }
        $modes = '';
        foreach (self::TRIGGER_MODES as $m) {
            $modes .= '<option value="' . esc_attr($m) . '">' . esc_html($m) . '</option>';
        }
        $field = static function ($name, $label, $type = 'text', $extra = '') {
            return '<p><label>' . esc_html($label) . '<br><input type="' . esc_attr($type) . '" name="' . esc_attr($name) . '" ' . $extra . '></label></p>';
        };
        $options = static function (array $values) {
            $out = '';
            foreach ($values as $v) {
                $out .= '<option value="' . esc_attr($v) . '">' . esc_html($v) . '</option>';
            }
            return $out;
        };
        $steps = $options(self::SEQUENCE_STEP_TYPES);
        $sequence = '<fieldset class="freeride-sequence"><legend>' . esc_html__('Sequence: first, then within N bars', 'freeride-observability') . '</legend>'
            . '<p><label>' . esc_html__('First', 'freeride-observability') . '<br><select name="first_type">' . $steps . '</select></label></p>'
            . $field('first_threshold', __('First threshold (price)', 'freeride-observability'), 'number', 'step="any" min="0"')
            . '<p><label>' . esc_html__('Then', 'freeride-observability') . '<br><select name="then_type">' . $steps . '</select></label></p>'
            . $field('then_threshold', __('Then threshold (price)', 'freeride-observability'), 'number', 'step="any" min="0"')
            . $field('within_bars', __('Within bars (1 to 500)', 'freeride-observability'), 'number', 'min="1" max="500" step="1"')
            . '<p><label>' . esc_html__('Bar interval', 'freeride-observability') . '<br><select name="interval">' . $options(self::BAR_INTERVALS) . '</select></label></p>'
            . '</fieldset>';
        return '<form method="post" action="' . esc_url(admin_url('admin-post.php')) . '" class="freeride-alert-form">'
            . '<input type="hidden" name="action" value="freeride_alert_create"><input type="hidden" name="return_url" value="' . esc_attr($return_url) . '">'
            . wp_nonce_field('freeride_alert_create', '_wpnonce', true, false)
            . $field('symbol', __('Symbol (e.g. AAPL)', 'freeride-observability'), 'text', 'required maxlength="24" pattern="[A-Za-z0-9][A-Za-z0-9.:\-^]{0,23}"')
            . $field('name', __('Name (optional)', 'freeride-observability'), 'text', 'maxlength="120"')
            . '<p><label>' . esc_html__('Condition', 'freeride-observability') . '<br><select name="condition_type">' . $types . '</select></label></p>'
            . $field('threshold', __('Threshold (price, or sentiment in [-1, 1])', 'freeride-observability'), 'number', 'step="any"')
            . $field('percent', __('Percent (percent_move)', 'freeride-observability'), 'number', 'step="any" min="0"')
            . '<p><label>' . esc_html__('Direction (percent_move)', 'freeride-observability') . '<br><select name="direction"><option value="up">up</option><option value="down">down</option></select></label></p>'
            . $field('factor', __('Factor (volume_spike, > 1)', 'freeride-observability'), 'number', 'step="any" min="1"')
            . $field('window_seconds', __('Window in seconds (percent_move, volume_spike)', 'freeride-observability'), 'number', 'min="1" step="1"')
            . $sequence
            . '<p><label>' . esc_html__('Trigger', 'freeride-observability') . '<br><select name="trigger_mode">' . $modes . '</select></label></p>'
            . $field('cooldown_seconds', __('Cooldown in seconds (every_time)', 'freeride-observability'), 'number', 'min="0" step="1"')
            . $field('bar_seconds', __('Bar in seconds (once_per_bar)', 'freeride-observability'), 'number', 'min="1" step="1"')
            . $field('webhook_url', __('Webhook URL', 'freeride-observability'), 'url', 'required')
            . $field('email', __('Email copy (optional)', 'freeride-observability'), 'email')
            . '<p><button type="submit" class="button button-primary">' . esc_html__('Create alert', 'freeride-observability') . '</button></p></form>';
    }

    private static function api_key_form($return_url, $has_key)
    {
        return '<form method="post" action="' . esc_url(admin_url('admin-post.php')) . '">'
            . '<input type="hidden" name="action" value="freeride_api_key"><input type="hidden" name="return_url" value="' . esc_attr($return_url) . '">'
            . wp_nonce_field('freeride_api_key', '_wpnonce', true, false)
            . '<p><label>' . esc_html($has_key ? __('Replace API key (stored; never shown again)', 'freeride-observability') : __('API key', 'freeride-observability'))
            . '<br><input type="password" name="api_key" autocomplete="off" value=""></label></p>'
            . '<p><button type="submit" class="button">' . esc_html__('Save key', 'freeride-observability') . '</button>'
            . ($has_key ? ' <button type="submit" name="forget" value="1" class="button-link">' . esc_html__('Forget key', 'freeride-observability') . '</button>' : '')
            . '</p></form>';
    }

    /**
     * Builds the POST /v1/alerts body from the form (pure; no WordPress needed).
     *
     * @return array{0:array|null,1:array<int,string>} the body, or null and the errors
     */
    public static function build_alert_body(array $form)
    {
        $errors = array();
        $text = static function ($key) use ($form) {
            return isset($form[$key]) && is_scalar($form[$key]) ? trim((string) $form[$key]) : '';
        };
        $number = static function ($key) use ($text) {
            $v = $text($key);
            return is_numeric($v) ? $v + 0 : null;
        };
        $symbol = strtoupper($text('symbol'));
        if (!preg_match('/^[A-Z0-9][A-Z0-9.:\-^]{0,23}$/', $symbol)) {
            $errors[] = 'symbol: an upper-case ticker such as AAPL';
        }
        $type = $text('condition_type');
        $condition = array('type' => $type);
        if (!in_array($type, self::CONDITION_TYPES, true)) {
            $errors[] = 'condition: unknown type';
        } elseif (in_array($type, self::THRESHOLD_TYPES, true)) {
            $threshold = $number('threshold');
            if ($threshold === null) {
                $errors[] = 'threshold: a number is required';
            } elseif (strpos($type, 'sentiment_') === 0 ? ($threshold < -1 || $threshold > 1) : $threshold <= 0) {
                $errors[] = strpos($type, 'sentiment_') === 0 ? 'threshold: a sentiment score in [-1, 1]' : 'threshold: a price > 0';
            }
            $condition['threshold'] = $threshold;
        } elseif ($type === 'sequence') {
            foreach (array('first', 'then') as $step) {
                $step_type = $text($step . '_type');
                $step_threshold = $number($step . '_threshold');
                if (!in_array($step_type, self::SEQUENCE_STEP_TYPES, true)) {
                    $errors[] = $step . '_type: ' . implode(', ', self::SEQUENCE_STEP_TYPES);
                }
                if ($step_threshold === null || $step_threshold <= 0) {
                    $errors[] = $step . '_threshold: a price > 0';
                }
                $condition[$step] = array('threshold' => $step_threshold, 'type' => $step_type);
            }
            $interval = $text('interval') ?: '1min';
            if (!in_array($interval, self::BAR_INTERVALS, true)) {
                $errors[] = 'interval: ' . implode(', ', self::BAR_INTERVALS);
            }
            $condition['interval'] = $interval;
            $within = $number('within_bars');
            if ($within === null || !is_int($within) || $within < 1 || $within > 500) {
                $errors[] = 'within_bars: a whole number of bars from 1 to 500';
            }
            $condition['withinBars'] = $within;
        } else {
            $window = $number('window_seconds');
            if ($window === null || !is_int($window) || $window <= 0) {
                $errors[] = 'window_seconds: a whole number of seconds > 0';
            }
            $condition['windowSeconds'] = $window;
            if ($type === 'percent_move') {
                $percent = $number('percent');
                if ($percent === null || $percent <= 0) {
                    $errors[] = 'percent: a number > 0';
                }
                $direction = $text('direction');
                if (!in_array($direction, array('up', 'down'), true)) {
                    $errors[] = 'direction: up or down';
                }
                $condition['percent'] = $percent;
                $condition['direction'] = $direction;
            } else {
                $factor = $number('factor');
                if ($factor === null || $factor <= 1) {
                    $errors[] = 'factor: a number > 1';
                }
                $condition['factor'] = $factor;
            }
        }
        $mode = $text('trigger_mode') ?: 'once';
        $trigger = array('mode' => $mode);
        if (!in_array($mode, self::TRIGGER_MODES, true)) {
            $errors[] = 'trigger: once, every_time or once_per_bar';
        } elseif ($mode === 'every_time') {
            $cooldown = $text('cooldown_seconds') === '' ? 0 : $number('cooldown_seconds');
            if (!is_int($cooldown) || $cooldown < 0) {
                $errors[] = 'cooldown_seconds: a whole number >= 0';
            }
            $trigger['cooldownSeconds'] = $cooldown;
        } elseif ($mode === 'once_per_bar') {
            $bar = $number('bar_seconds');
            if (!is_int($bar) || $bar <= 0) {
                $errors[] = 'bar_seconds: a whole number of seconds > 0';
            }
            $trigger['barSeconds'] = $bar;
        }
        // Only the form's shape is checked here: the trading API checks the address itself (SSRF
        // guard: loopback, private, link-local, names resolving there) and answers 400 naming
        // delivery.webhookUrl, shown as the notice. Nothing here can relax that check.
        $webhook = $text('webhook_url');
        if (!preg_match('#^https?://[^\s/]+#i', $webhook) || filter_var($webhook, FILTER_VALIDATE_URL) === false) {
            $errors[] = 'webhook_url: an http(s) URL';
        }
        $delivery = array('webhookUrl' => $webhook);
        $email = $text('email');
        if ($email !== '') {
            if (filter_var($email, FILTER_VALIDATE_EMAIL) === false) {
                $errors[] = 'email: not a valid address';
            }
            $delivery['email'] = $email;
        }
        $body = array('condition' => $condition, 'delivery' => $delivery, 'symbol' => $symbol, 'trigger' => $trigger);
        $name = $text('name');
        if ($name !== '') {
            $body['name'] = function_exists('mb_substr') ? mb_substr($name, 0, 120) : substr($name, 0, 120);
        }
        return $errors ? array(null, $errors) : array($body, array());
    }

    public static function handle_create()
    {
        self::guard('freeride_alert_create');
        $form = wp_unslash($_POST);
        list($body, $errors) = self::build_alert_body(is_array($form) ? $form : array());
        if ($errors) {
            self::notice('error', implode('; ', $errors));
        } else {
            $result = self::client()->create_alert($body);
            if (is_wp_error($result)) {
                self::notice('error', $result->get_error_message());
            } else {
                self::notice('success', sprintf(__('Alert created for %s.', 'freeride-observability'), $body['symbol']));
                freeride_log('info', 'Trader created an alert for {symbol}', array('symbol' => $body['symbol'], 'condition' => $body['condition']['type'], 'event.name' => 'freeride.alert_created'));
            }
        }
        self::back();
    }

    public static function handle_delete()
    {
        $id = isset($_POST['alert_id']) ? sanitize_text_field(wp_unslash($_POST['alert_id'])) : '';
        self::guard('freeride_alert_delete_' . $id);
        $result = self::client()->delete_alert($id);
        if (is_wp_error($result)) {
            self::notice('error', $result->get_error_message());
        } else {
            self::notice('success', __('Alert deleted.', 'freeride-observability'));
        }
        self::back();
    }

    public static function handle_api_key()
    {
        self::guard('freeride_api_key');
        $user_id = get_current_user_id();
        if (!empty($_POST['forget'])) {
            delete_user_meta($user_id, self::META_KEY);
            self::notice('success', __('API key forgotten.', 'freeride-observability'));
        } else {
            $key = isset($_POST['api_key']) ? trim(sanitize_text_field(wp_unslash($_POST['api_key']))) : '';
            if ($key === '') {
                self::notice('error', __('Enter an API key.', 'freeride-observability'));
            } else {
                self::store_api_key($user_id, $key);
                self::notice('success', __('API key saved.', 'freeride-observability'));
            }
        }
        self::back();
    }

    private static function guard($nonce_action)
    {
        if (!is_user_logged_in() || !current_user_can('read')) {
            wp_die(esc_html__('You must be logged in.', 'freeride-observability'), 403);
        }
        check_admin_referer($nonce_action);
    }

    /** The trading API client of the current user (the backtest form uses it too). */
    public static function client()
    {
        return new Freeride_Trading_Client(Freeride_Trading_Client::base_url(), self::api_key(get_current_user_id()));
    }

    /**
     * The user's trading API key, decrypted ('' when none, or sealed under older salts). A key
     * stored in plaintext by an earlier version is sealed on first read.
     */
    private static function api_key($user_id)
    {
        $stored = (string) get_user_meta($user_id, self::META_KEY, true);
        if ($stored === '') {
            return '';
        }
        if (!Freeride_Secret_Box::is_sealed($stored)) {
            self::store_api_key($user_id, $stored);
            return $stored;
        }
        $key = Freeride_Secret_Box::for_site()->open($stored);
        return $key === null ? '' : $key;
    }

    /** Stores the key sealed with the site's salts (Freeride_Secret_Box), never in plaintext. */
    private static function store_api_key($user_id, $key)
    {
        update_user_meta($user_id, self::META_KEY, Freeride_Secret_Box::for_site()->seal($key));
    }

    private static function notice($kind, $message)
    {
        set_transient(self::NOTICE_PREFIX . get_current_user_id(), array('kind' => $kind, 'message' => $message), 60);
    }

    private static function take_notice($user_id)
    {
        $notice = get_transient(self::NOTICE_PREFIX . $user_id);
        if (!is_array($notice)) {
            return '';
        }
        delete_transient(self::NOTICE_PREFIX . $user_id);
        $class = $notice['kind'] === 'success' ? 'notice-success' : 'notice-error';
        return '<div class="notice ' . $class . '"><p>' . esc_html($notice['message']) . '</p></div>';
    }

    private static function back()
    {
        $url = isset($_POST['return_url']) ? esc_url_raw(wp_unslash($_POST['return_url'])) : admin_url('admin.php?page=freeride-alerts');
        wp_safe_redirect($url ?: admin_url());
        exit;
    }
}
