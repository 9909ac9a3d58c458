import {
  AlertmanagerClient,
  toAlertmanagerAlert,
} from '@freeride/anomaly-engine';
import type { AnomalyEvent } from '@freeride/contracts';

import { renderAlertmanagerConfig } from './support/alertmanager-config';
import {
  makeTempDir,
  removeTempDir,
  startAlertmanager,
  waitFor,
} from './support/testing';
import type { AlertmanagerPayload, MonitoringServer } from './support/testing';
import { startWebhookReceiver } from './support/webhook-receiver';
import type { WebhookReceiver } from './support/webhook-receiver';

function anomaly(overrides: Partial<AnomalyEvent> = {}): AnomalyEvent {
  const now = new Date().toISOString();
  return {
    '@timestamp': now,
    baseline: { expected: 0, observed: 50, unit: 'per_minute' },
    id: `doc-${Math.random()}`,
    key: 'new_template:checkout:abcd1234',
    kind: 'new_template',
    links: {
      discover: 'http://127.0.0.1:5601/app/discover#/?_g=()',
      runbook: 'https://runbooks.freeride.local/anomaly/new_template',
    },
    samples: [
      { '@timestamp': now, message: 'payment failed id=1', traceId: 'trace-1' },
    ],
    score: 1,
    service: 'checkout',
    severity: 'critical',
    status: 'firing',
    template: 'payment failed id=<*>',
    templateId: 'abcd1234',
    traceIds: ['trace-1'],
    window: { start: now },
    ...overrides,
  };
}

describe('Alertmanager routing (observability/alertmanager/alertmanager.yml)', () => {
  let alertmanager: MonitoringServer;
  let receiver: WebhookReceiver;
  let client: AlertmanagerClient;
  let dir: string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    dir = makeTempDir('freeride-am-config-');
    const configFile = renderAlertmanagerConfig({
      dir,
      receiverUrl: receiver.url,
    });
    alertmanager = await startAlertmanager({ configFile });
    client = new AlertmanagerClient({
      baseUrls: [alertmanager.url],
      timeoutMs: 5000,
    });
  });

  afterAll(async () => {
    await alertmanager?.stop();
    await receiver?.close();
    if (dir) removeTempDir(dir);
  });

  const webhookPayloads = (service: string) =>
    receiver
      .on('/webhook')
      .map((r) => r.body as AlertmanagerPayload)
      .filter((p) => p.groupLabels['service'] === service);

  it('notifies the webhook once for an anomaly posted many times, then resolves it', async () => {
    const firing = anomaly();
    for (let i = 0; i < 5; i++) {
      await client.post([
        toAlertmanagerAlert(firing, {
          generatorUrl: 'http://anomaly/x',
          now: new Date(),
        }),
      ]);
    }
    await waitFor(() => webhookPayloads('checkout').length >= 1, {
      description: 'a firing notification on the webhook',
      timeoutMs: 20_000,
    });
    await new Promise((r) => setTimeout(r, 4_000));
    const fired = webhookPayloads('checkout');
    expect(fired).toHaveLength(1);
    expect(fired[0]?.status).toBe('firing');
    expect(fired[0]?.alerts).toHaveLength(1);
    expect(fired[0]?.alerts[0]?.labels).toMatchObject({
      alertname: 'FreerideAnomaly',
      kind: 'new_template',
      service: 'checkout',
      severity: 'critical',
    });
    expect(fired[0]?.alerts[0]?.annotations).toMatchObject({
      discover_url: firing.links.discover,
      runbook_url: firing.links.runbook,
      sample_trace_id: 'trace-1',
    });

    const resolved = anomaly({
      status: 'resolved',
      window: { end: new Date().toISOString(), start: firing.window.start },
    });
    await client.post([
      toAlertmanagerAlert(resolved, {
        generatorUrl: 'http://anomaly/x',
        now: new Date(),
      }),
    ]);
    await waitFor(
      () => webhookPayloads('checkout').some((p) => p.status === 'resolved'),
      {
        description: 'a resolved notification on the webhook',
        timeoutMs: 20_000,
      },
    );
  });

  it('pages PagerDuty Events v2 with the routing key from its secret file for a critical anomaly', async () => {
    await waitFor(() => receiver.on('/pagerduty').length >= 1, {
      description: 'a PagerDuty event',
      timeoutMs: 20_000,
    });
    const event = receiver.on('/pagerduty')[0]?.body as Record<string, unknown>;
    expect(event).toMatchObject({
      event_action: 'trigger',
      routing_key: 'test-routing-key-0123456789abcdef',
    });
    expect(JSON.stringify(event['links'])).toContain('/app/discover');
  });

  it('posts a Slack-compatible message with the summary for a critical anomaly', async () => {
    await waitFor(() => receiver.on('/slack').length >= 1, {
      description: 'a Slack message',
      timeoutMs: 20_000,
    });
    const message = receiver.on('/slack')[0]?.body as {
      attachments: { text: string }[];
    };
    expect(message.attachments[0]?.text).toContain(
      'New error pattern in checkout',
    );
  });

  it('sends nothing for an anomaly under a silence', async () => {
    const silence = await fetch(`${alertmanager.url}/api/v2/silences`, {
      body: JSON.stringify({
        comment: 'maintenance',
        createdBy: 'e2e',
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        matchers: [
          { isEqual: true, isRegex: false, name: 'service', value: 'billing' },
        ],
        startsAt: new Date().toISOString(),
      }),
      headers: { 'content-type': 'application/json' },
      method: 'POST',
    });
    expect(silence.ok).toBe(true);
    await client.post([
      toAlertmanagerAlert(anomaly({ service: 'billing' }), {
        generatorUrl: 'http://anomaly/x',
        now: new Date(),
      }),
      toAlertmanagerAlert(anomaly({ service: 'ledger' }), {
        generatorUrl: 'http://anomaly/x',
        now: new Date(),
      }),
    ]);
    await waitFor(() => webhookPayloads('ledger').length >= 1, {
      description: 'the unsilenced alert on the webhook',
      timeoutMs: 20_000,
    });
    expect(webhookPayloads('billing')).toHaveLength(0);
  });
});
