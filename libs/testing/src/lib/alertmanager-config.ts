import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

import { REPO_ROOT } from './testing.constants';

const CONFIG_DIR = join(REPO_ROOT, 'observability/alertmanager');
const SECRETS_DIR = '/etc/freeride/alertmanager';

/** Options of {@link renderAlertmanagerConfig}. */
export interface RenderAlertmanagerConfigOptions {
  /** Directory to write the config and the secret files into. */
  readonly dir: string;
  /** Base URL of the local receiver; webhook, Slack and PagerDuty all post there. */
  readonly receiverUrl: string;
}

/**
 * Renders the committed observability/alertmanager/alertmanager.yml for a test:
 * short timers, every receiver pointed at a local server, secrets in files.
 * Routing, grouping, inhibition and templates stay as committed.
 */
export function renderAlertmanagerConfig(
  options: RenderAlertmanagerConfigOptions,
): string {
  const text = readFileSync(join(CONFIG_DIR, 'alertmanager.yml'), 'utf8');
  const secrets = join(options.dir, 'secrets');
  mkdirSync(secrets, { recursive: true });
  writeFileSync(
    join(secrets, 'slack_webhook_url'),
    `${options.receiverUrl}/slack`,
  );
  writeFileSync(join(secrets, 'smtp_password'), 'test-password');
  writeFileSync(
    join(secrets, 'pagerduty_routing_key'),
    'test-routing-key-0123456789abcdef',
  );
  const config = parse(text.split(SECRETS_DIR).join(secrets)) as {
    global: Record<string, unknown>;
    receivers: {
      name: string;
      pagerduty_configs?: Record<string, unknown>[];
      webhook_configs?: Record<string, unknown>[];
    }[];
    route: Record<string, unknown>;
    templates: string[];
  };
  config.global['resolve_timeout'] = '10s';
  config.route['group_wait'] = '1s';
  config.route['group_interval'] = '2s';
  config.route['repeat_interval'] = '1h';
  config.templates = config.templates.map((t) => join(CONFIG_DIR, t));
  for (const receiver of config.receivers) {
    for (const webhook of receiver.webhook_configs ?? []) {
      webhook['url'] = `${options.receiverUrl}/webhook`;
    }
    for (const pagerduty of receiver.pagerduty_configs ?? []) {
      pagerduty['url'] = `${options.receiverUrl}/pagerduty`;
    }
  }
  const path = join(options.dir, 'alertmanager.yml');
  writeFileSync(path, stringify(config));
  return path;
}
