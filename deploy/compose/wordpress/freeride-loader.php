<?php
/**
 * Must-use loader of the freeride-observability plugin (docker-compose.yml mounts the plugin
 * into wp-content/plugins): it is active from the first request, before other plugins load,
 * with no activation step. The plugin guards against being loaded twice.
 */
require WP_CONTENT_DIR . '/plugins/freeride-observability/freeride-observability.php';
