import type { LogRecordEvent } from '@freeride/contracts';

import { Redis } from 'ioredis';

import { metricValue, startAnomalyApp } from './support/anomaly-app';
import type { AnomalyApp } from './support/anomaly-app';
import { deleteDataStream, startPagingPath } from './support/paging-path';
import type { PagingPath } from './support/paging-path';
import { pushRecords } from './support/record-streams';
import { ensureElasticsearch, startRedis, waitFor } from './support/testing';
import type {
  AlertmanagerPayload,
  MonitoringServer,
  RedisServer,
} from './support/testing';
import type { WebhookReceiver } from './support/webhook-receiver';

const SECOND = 1000;

/** Info records of a service's usual traffic, then a burst of one new error pattern. */
function trafficThenBurst(
  service: string,
  startMs: number,
  burstMessage: string,
): LogRecordEvent[] {
  const records: LogRecordEvent[] = [];
  const record = (
    atMs: number,
    level: 'error' | 'info',
    message: string,
  ): LogRecordEvent => ({
    '@timestamp': new Date(atMs).toISOString(),
    attributes: {},
    level,
    message,
    service,
    severityNumber: level === 'error' ? 17 : 9,
  });
  for (let t = startMs; t < startMs + 20 * SECOND; t += 100) {
    records.push(
      record(t, 'info', `served request ${t % 997} in ${t % 13} ms`),
    );
  }
  for (let i = 0; i < 200; i++) {
    records.push(
      record(startMs + 20 * SECOND + i * 50, 'error', `${burstMessage} ${i}`),
    );
  }
  return records;
}

describe('apps/anomaly blind spots (real Redis, Elasticsearch, Alertmanager)', () => {
  let alertmanager: MonitoringServer;
  let app: AnomalyApp | undefined;
  let paging: PagingPath | undefined;
  let receiver: WebhookReceiver;
  let redis: Redis;
  let redisServer: RedisServer;
  const dataStream = `anomalies-freeride-e2e_blind_${Date.now().toString(36)}`;
  let esUrl: string;

  const pages = (service: string): AlertmanagerPayload[] =>
    receiver
      .on('/webhook')
      .map((r) => r.body as AlertmanagerPayload)
      .filter(
        (p) =>
          p.groupLabels['service'] === service &&
          p.groupLabels['kind'] === 'new_template' &&
          p.status === 'firing',
      );

  beforeAll(async () => {
    redisServer = await startRedis();
    redis = new Redis(redisServer.url);
    esUrl = (await ensureElasticsearch()).url;
    paging = await startPagingPath('freeride-anomaly-blind-');
    ({ alertmanager, receiver } = paging);
    // Production defaults for warm-up (1 h) and event-time bounds; demo-sized buckets.
    app = await startAnomalyApp({
      ALERTMANAGER_URLS: alertmanager.url,
      ANOMALY_ALERT_REPOST_MS: '5000',
      ANOMALY_BUCKET_MS: '10000',
      ANOMALY_DATA_STREAM: dataStream,
      ANOMALY_IDLE_ADVANCE_MS: '3000',
      ELASTICSEARCH_URL: esUrl,
      REDIS_URL: redisServer.url,
    });
  });

  afterAll(async () => {
    await app?.proc.stop();
    redis?.disconnect();
    await redisServer?.dispose();
    await paging?.close();
    await deleteDataStream(esUrl, dataStream);
  });

  it('pages a brand-new error burst in the first minute after the service starts', async () => {
    await pushRecords(
      redis,
      trafficThenBurst(
        'ledger',
        Date.now() - 30 * SECOND,
        'ledger write refused for account',
      ),
    );
    await waitFor(() => pages('ledger').length > 0, {
      description: 'a new_template page for ledger',
      timeoutMs: 60_000,
    });
    expect(pages('ledger')[0]?.alerts[0]?.labels).toMatchObject({
      kind: 'new_template',
      service: 'ledger',
      severity: 'critical',
    });
  });

  it('still pages a burst that follows a record dated 2230, and counts the clamped record', async () => {
    const farFuture: LogRecordEvent = {
      '@timestamp': '2230-01-01T00:00:00.000Z',
      attributes: {},
      level: 'info',
      message: 'clock of this host is wrong',
      service: 'billing',
      severityNumber: 9,
    };
    await pushRecords(redis, [
      farFuture,
      // dated from now on (within the 5-minute skew bound): the traffic
      // follows the 2230 record in event time, as it would live
      ...trafficThenBurst(
        'billing',
        Date.now(),
        'invoice renderer crashed on template',
      ),
    ]);
    await waitFor(() => pages('billing').length > 0, {
      description: 'a new_template page for billing after the 2230 record',
      timeoutMs: 60_000,
    });
    if (!app) throw new Error('app not started');
    expect(
      await metricValue(app.url, 'freeride_anomaly_event_time_clamped_total', {
        signal: 'logs',
      }),
    ).toBeGreaterThanOrEqual(1);
  });
});
