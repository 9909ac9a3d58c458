import { syntheticLogStream } from '@freeride/anomaly-engine';
import { STREAM_KEYS } from '@freeride/contracts';

import { loadImage } from '@napi-rs/canvas';
import { Redis } from 'ioredis';

import { metricValue, startAnomalyApp } from './support/anomaly-app';
import type { AnomalyApp } from './support/anomaly-app';
import { deleteDataStream, startPagingPath } from './support/paging-path';
import type { PagingPath } from './support/paging-path';
import {
  groupBacklog,
  pushMetricPoints,
  pushRecords,
} from './support/record-streams';
import { ensureElasticsearch, startRedis, waitFor } from './support/testing';
import type {
  AlertmanagerPayload,
  MonitoringServer,
  RedisServer,
} from './support/testing';
import type { WebhookReceiver } from './support/webhook-receiver';

const MINUTE = 60_000;
// replayed history starts 3 hours ago so it never overlaps the wall clock
const HISTORY_START =
  Math.floor((Date.now() - 3 * 60 * MINUTE) / MINUTE) * MINUTE;

describe('apps/anomaly on the record streams (real Redis, Elasticsearch, Alertmanager)', () => {
  let alertmanager: MonitoringServer;
  let app: AnomalyApp | undefined;
  let paging: PagingPath | undefined;
  let esUrl: string;
  let receiver: WebhookReceiver;
  let redis: Redis;
  let redisServer: RedisServer;
  const dataStream = `anomalies-freeride-e2e_${Date.now().toString(36)}`;
  let pushed = 0;

  const env = (): Record<string, string> => ({
    ALERTMANAGER_URLS: alertmanager.url,
    ANOMALY_ALERT_REPOST_MS: '5000',
    ANOMALY_ALERT_RESOLVE_AFTER_MS: '60000',
    ANOMALY_CLAIM_IDLE_MS: '5000',
    ANOMALY_DATA_STREAM: dataStream,
    ANOMALY_IDLE_ADVANCE_MS: '3000',
    ANOMALY_KEEP_FIRING_FOR_MS: '10000',
    ANOMALY_METRIC_LEARNING_POINTS: '30',
    ELASTICSEARCH_URL: esUrl,
    REDIS_URL: redisServer.url,
  });

  const payloads = (service: string, kind: string) =>
    receiver
      .on('/webhook')
      .map((r) => r.body as AlertmanagerPayload)
      .filter(
        (p) =>
          p.groupLabels['service'] === service &&
          p.groupLabels['kind'] === kind,
      );

  async function anomalyDocs(): Promise<
    { _source: Record<string, unknown> }[]
  > {
    await fetch(`${esUrl}/${dataStream}/_refresh`, { method: 'POST' });
    const res = await fetch(
      `${esUrl}/${dataStream}/_search?size=100&sort=@timestamp:asc`,
    );
    if (res.status === 404) return [];
    const body = (await res.json()) as {
      hits: { hits: { _source: Record<string, unknown> }[] };
    };
    return body.hits.hits;
  }

  async function drained(target: AnomalyApp, expected: number): Promise<void> {
    await waitFor(
      async () =>
        (await metricValue(
          target.url,
          'freeride_anomaly_records_consumed_total',
          { signal: 'logs' },
        )) >= expected && (await groupBacklog(redis)).pending === 0,
      {
        description: `${expected} log records consumed and acknowledged`,
        timeoutMs: 120_000,
      },
    );
  }

  beforeAll(async () => {
    redisServer = await startRedis();
    redis = new Redis(redisServer.url);
    esUrl = (await ensureElasticsearch()).url;
    paging = await startPagingPath('freeride-anomaly-e2e-');
    ({ alertmanager, receiver } = paging);
  });

  afterAll(async () => {
    await app?.proc.stop();
    redis?.disconnect();
    await redisServer?.dispose();
    await paging?.close();
    await deleteDataStream(esUrl, dataStream);
  });

  it('raises nothing on a quiet, steady stream of 10 minutes of replayed time', async () => {
    app = await startAnomalyApp(env());
    pushed += await pushRecords(
      redis,
      syntheticLogStream({ durationMs: 10 * MINUTE, startMs: HISTORY_START }),
    );
    expect(pushed).toBeGreaterThan(8_000);
    await drained(app, pushed);
    await new Promise((r) => setTimeout(r, 5_000));
    expect(receiver.on('/webhook')).toHaveLength(0);
    expect(await anomalyDocs()).toHaveLength(0);
    expect(await metricValue(app.url, 'freeride_anomaly_anomalies_total')).toBe(
      0,
    );
  });

  it('pages once for a burst of a new error pattern, stores the anomaly, and resolves it when the burst stops', async () => {
    if (!app) throw new Error('app not started');
    const burstAt = HISTORY_START + 70 * MINUTE;
    pushed += await pushRecords(
      redis,
      syntheticLogStream({
        bursts: [
          {
            atMs: burstAt,
            durationMs: MINUTE,
            perSecond: 20,
            service: 'checkout',
          },
        ],
        durationMs: 61 * MINUTE,
        seed: 2,
        startMs: HISTORY_START + 10 * MINUTE,
      }),
    );
    await waitFor(() => payloads('checkout', 'new_template').length >= 1, {
      description: 'the new_template alert on the webhook',
      timeoutMs: 60_000,
    });
    const firing = payloads('checkout', 'new_template')[0];
    expect(firing?.status).toBe('firing');
    expect(firing?.alerts).toHaveLength(1);
    const alert = firing?.alerts[0];
    expect(alert?.labels).toMatchObject({
      alertname: 'FreerideAnomaly',
      kind: 'new_template',
      service: 'checkout',
      severity: 'critical',
    });
    expect(alert?.annotations['summary']).toContain('payment declined');
    expect(alert?.annotations['discover_url']).toContain('/app/discover#/?_g=');
    expect(alert?.annotations['runbook_url']).toMatch(/new_template\.md$/);
    expect(alert?.annotations['sample_trace_id']).toMatch(/^[0-9a-f]{32}$/);

    await waitFor(
      () =>
        payloads('checkout', 'new_template').some(
          (p) => p.status === 'resolved',
        ),
      {
        description: 'the new_template alert resolved on the webhook',
        timeoutMs: 90_000,
      },
    );
    expect(
      payloads('checkout', 'new_template').filter((p) => p.status === 'firing'),
    ).toHaveLength(1);

    const docs = (await anomalyDocs()).map(
      (d) =>
        d._source as {
          anomaly: Record<string, unknown>;
          service: { name: string };
          trace?: { id: string[] };
        },
    );
    const newTemplate = docs.filter(
      (d) => d.anomaly['kind'] === 'new_template',
    );
    expect(newTemplate.map((d) => d.anomaly['status'])).toEqual([
      'firing',
      'resolved',
    ]);
    expect(newTemplate[0]?.service.name).toBe('checkout');
    expect(newTemplate[0]?.trace?.id.length).toBeGreaterThan(0);
    expect(
      (newTemplate[0]?.anomaly['samples'] as unknown[]).length,
    ).toBeGreaterThan(0);
    expect(new Set(docs.map((d) => d.service.name))).toEqual(
      new Set(['checkout']),
    );
  });

  it('resumes where it stopped after a crash, losing and re-reading nothing', async () => {
    if (!app) throw new Error('app not started');
    await app.proc.kill();
    const more = await pushRecords(
      redis,
      syntheticLogStream({
        durationMs: 5 * MINUTE,
        seed: 3,
        startMs: HISTORY_START + 71 * MINUTE,
      }),
    );
    expect((await groupBacklog(redis)).lag).toBe(more);
    app = await startAnomalyApp(env());
    await drained(app, more);
    expect(
      await metricValue(app.url, 'freeride_anomaly_records_consumed_total', {
        signal: 'logs',
      }),
    ).toBe(more);
    expect(await groupBacklog(redis)).toEqual({ lag: 0, pending: 0 });
  });

  it('claims and processes the pending entries of a consumer that died', async () => {
    await app?.proc.stop();
    const records = [
      ...syntheticLogStream({
        durationMs: MINUTE,
        seed: 5,
        startMs: HISTORY_START + 74 * MINUTE,
      }),
    ];
    await pushRecords(redis, records);
    // a consumer reads everything and dies before acknowledging
    for (let p = 0; p < 4; p++) {
      await redis.xreadgroup(
        'GROUP',
        'anomaly',
        'ghost',
        'COUNT',
        100_000,
        'STREAMS',
        STREAM_KEYS.logRecords(p),
        '>',
      );
    }
    expect((await groupBacklog(redis)).pending).toBe(records.length);
    app = await startAnomalyApp({ ...env(), ANOMALY_CLAIM_IDLE_MS: '2000' });
    await drained(app, records.length);
    expect(await groupBacklog(redis)).toEqual({ lag: 0, pending: 0 });
  });

  it('pages a metric anomaly from OTLP metric points on the stream', async () => {
    if (!app) throw new Error('app not started');
    const start = HISTORY_START + 80 * MINUTE;
    const points = Array.from({ length: 120 }, (_, i) => ({
      '@timestamp': new Date(start + i * 15_000).toISOString(),
      attributes: { 'http.route': '/v1/quotes/:symbol' },
      kind: 'gauge' as const,
      name: 'http.server.duration.p99',
      service: 'market-gateway',
      unit: 's',
      value: i < 100 ? 0.12 + 0.004 * Math.sin(i) : 2.4,
    }));
    await pushMetricPoints(redis, points);
    await waitFor(() => payloads('market-gateway', 'metric').length > 0, {
      description: 'a metric page for market-gateway',
      timeoutMs: 60_000,
    });
    const alert = payloads('market-gateway', 'metric')[0]?.alerts[0];
    expect(alert?.labels).toMatchObject({
      metric: 'http.server.duration.p99{http.route=/v1/quotes/:symbol}',
      service: 'market-gateway',
      severity: 'warning',
    });
    expect(Date.parse(alert?.startsAt ?? '')).toBeGreaterThanOrEqual(
      start + 100 * 15_000,
    );
    // the alert links a PNG chart of the series that the app serves
    const chartUrl = alert?.annotations['chart_url'] ?? '';
    expect(chartUrl).toMatch(/\/anomalies\/.+\/chart\.png$/);
    const res = await fetch(chartUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const image = await loadImage(Buffer.from(await res.arrayBuffer()));
    expect([image.width, image.height]).toEqual([640, 280]);
    expect(
      (await fetch(`${app.url}/anomalies/no-such-key/chart.png`)).status,
    ).toBe(404);
  });

  it('shares the partitions statically between two instances by service', async () => {
    await app?.proc.stop();
    app = undefined;
    const [even, odd] = await Promise.all([
      startAnomalyApp({
        ...env(),
        ANOMALY_INSTANCE_COUNT: '2',
        ANOMALY_INSTANCE_INDEX: '0',
        ANOMALY_PARTITION_ASSIGNMENT: 'static',
      }),
      startAnomalyApp({
        ...env(),
        ANOMALY_INSTANCE_COUNT: '2',
        ANOMALY_INSTANCE_INDEX: '1',
        ANOMALY_PARTITION_ASSIGNMENT: 'static',
      }),
    ]);
    try {
      // checkout lives on partition 1, quotes and wordpress on partition 0
      const records = [
        ...syntheticLogStream({
          durationMs: 2 * MINUTE,
          seed: 4,
          startMs: HISTORY_START + 76 * MINUTE,
        }),
      ];
      await pushRecords(redis, records);
      const checkout = records.filter((r) => r.service === 'checkout').length;
      await drained(odd, checkout);
      await drained(even, records.length - checkout);
      expect(
        await metricValue(odd.url, 'freeride_anomaly_records_consumed_total', {
          signal: 'logs',
        }),
      ).toBe(checkout);
      expect(
        await metricValue(even.url, 'freeride_anomaly_records_consumed_total', {
          signal: 'logs',
        }),
      ).toBe(records.length - checkout);
    } finally {
      await Promise.all([even.proc.stop(), odd.proc.stop()]);
    }
    // a graceful stop saves each partition's detector state for the next start
    const saved = JSON.parse(
      (await redis.get('freeride:anomaly:state:{1}')) ?? '{}',
    ) as { services?: { service: string }[] };
    expect(saved.services?.map((s) => s.service)).toEqual(['checkout']);
  });
});
