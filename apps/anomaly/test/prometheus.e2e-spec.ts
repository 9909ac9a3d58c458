import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';

import { renderAlertmanagerConfig } from './support/alertmanager-config';
import { metricValue, startAnomalyApp } from './support/anomaly-app';
import type { AnomalyApp } from './support/anomaly-app';
import {
  ensureElasticsearch,
  getFreePort,
  makeTempDir,
  removeTempDir,
  startAlertmanager,
  startPrometheus,
  startRedis,
  waitFor,
} from './support/testing';
import type {
  AlertmanagerPayload,
  MonitoringServer,
  RedisServer,
} from './support/testing';
import { startWebhookReceiver } from './support/webhook-receiver';
import type { WebhookReceiver } from './support/webhook-receiver';

const ROOT = resolve(__dirname, '../../..');

describe('metric anomalies from series read from Prometheus (real Prometheus, Alertmanager)', () => {
  let alertmanager: MonitoringServer;
  let anomaly: AnomalyApp;
  let dir: string;
  let prometheus: MonitoringServer;
  let receiver: WebhookReceiver;
  let redisServer: RedisServer;
  let target: Server;
  let latency = 0.1;
  let scrapes = 0;

  beforeAll(async () => {
    // a provider endpoint whose latency gauge the test moves
    target = createServer((_req, res) => {
      scrapes++;
      const jitter = 0.004 * Math.sin(scrapes);
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(
        `# TYPE freeride_fake_provider_latency_seconds gauge\nfreeride_fake_provider_latency_seconds{provider="finnhub"} ${latency + jitter}\n`,
      );
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const targetPort = (target.address() as AddressInfo).port;

    redisServer = await startRedis();
    const esUrl = (await ensureElasticsearch()).url;
    receiver = await startWebhookReceiver();
    dir = makeTempDir('freeride-prometheus-e2e-');
    alertmanager = await startAlertmanager({
      configFile: renderAlertmanagerConfig({ dir, receiverUrl: receiver.url }),
    });

    // the committed prometheus.yml with its rules, scraping the fake target every second
    const anomalyPort = await getFreePort();
    const committed = parse(
      readFileSync(
        join(ROOT, 'observability/prometheus/prometheus.yml'),
        'utf8',
      ),
    ) as Record<string, unknown>;
    const config = {
      ...committed,
      alerting: {
        alertmanagers: [
          {
            static_configs: [
              { targets: [alertmanager.url.replace('http://', '')] },
            ],
          },
        ],
      },
      global: { evaluation_interval: '1s', scrape_interval: '1s' },
      rule_files: [join(ROOT, 'observability/prometheus/rules/*.rules.yml')],
      scrape_configs: [
        {
          job_name: 'fake-gateway',
          static_configs: [
            {
              labels: { service: 'market-gateway' },
              targets: [`127.0.0.1:${targetPort}`],
            },
          ],
        },
        {
          job_name: 'anomaly',
          static_configs: [
            {
              labels: { service: 'anomaly' },
              targets: [`127.0.0.1:${anomalyPort}`],
            },
          ],
        },
      ],
    };
    prometheus = await startPrometheus({ config: stringify(config) });

    anomaly = await startAnomalyApp({
      ALERTMANAGER_URLS: alertmanager.url,
      ANOMALY_ALERT_REPOST_MS: '5000',
      ANOMALY_ALERT_RESOLVE_AFTER_MS: '60000',
      ANOMALY_DATA_STREAM: `anomalies-freeride-e2e_prom${Date.now().toString(36)}`,
      ANOMALY_METRIC_LEARNING_POINTS: '30',
      ANOMALY_PORT: String(anomalyPort),
      ANOMALY_PROMETHEUS_INTERVAL_MS: '1000',
      ANOMALY_PROMETHEUS_QUERIES:
        'provider_latency_seconds=freeride_fake_provider_latency_seconds',
      ELASTICSEARCH_URL: esUrl,
      PROMETHEUS_URL: prometheus.url,
      REDIS_URL: redisServer.url,
    });
  });

  afterAll(async () => {
    await anomaly?.proc.stop();
    await prometheus?.stop();
    await alertmanager?.stop();
    await redisServer?.dispose();
    await receiver?.close();
    await new Promise((r) => target?.close(r));
    if (dir) removeTempDir(dir);
  });

  it('loads every committed rule group in a real Prometheus', async () => {
    const body = (await (
      await fetch(`${prometheus.url}/api/v1/rules`)
    ).json()) as { data: { groups: { name: string }[] } };
    expect(body.data.groups.map((g) => g.name)).toEqual(
      expect.arrayContaining([
        'freeride-platform-alerts',
        'freeride-platform-recording',
      ]),
    );
  });

  it('scrapes the anomaly app /metrics', async () => {
    await waitFor(
      async () => {
        const res = await fetch(
          `${prometheus.url}/api/v1/query?query=${encodeURIComponent('up{job="anomaly"}')}`,
        );
        const body = (await res.json()) as {
          data: { result: { value: [number, string] }[] };
        };
        return body.data.result[0]?.value[1] === '1';
      },
      { description: 'up{job="anomaly"} == 1', timeoutMs: 30_000 },
    );
    const res = await fetch(
      `${prometheus.url}/api/v1/query?query=${encodeURIComponent('freeride_anomaly_records_consumed_total')}`,
    );
    expect(res.ok).toBe(true);
  });

  it('pages a metric anomaly when a provider latency series read from Prometheus jumps', async () => {
    await waitFor(
      async () =>
        (await metricValue(
          anomaly.url,
          'freeride_anomaly_records_consumed_total',
          { signal: 'prometheus' },
        )) >= 40,
      {
        description: '40 Prometheus samples fed to the metric detector',
        timeoutMs: 90_000,
      },
    );
    expect(receiver.on('/webhook')).toHaveLength(0);
    latency = 3;
    await waitFor(
      () =>
        receiver
          .on('/webhook')
          .some(
            (r) =>
              (r.body as AlertmanagerPayload).groupLabels['kind'] === 'metric',
          ),
      { description: 'a metric anomaly page', timeoutMs: 60_000 },
    );
    const page = receiver
      .on('/webhook')
      .map((r) => r.body as AlertmanagerPayload)
      .find((p) => p.groupLabels['kind'] === 'metric');
    expect(page?.alerts[0]?.labels).toMatchObject({
      kind: 'metric',
      metric:
        'provider_latency_seconds{instance=127.0.0.1:' +
        String((target.address() as AddressInfo).port) +
        ',provider=finnhub}',
      service: 'market-gateway',
      severity: 'warning',
    });
    expect(page?.alerts[0]?.annotations['summary']).toContain(
      'provider_latency_seconds',
    );
  });
});
