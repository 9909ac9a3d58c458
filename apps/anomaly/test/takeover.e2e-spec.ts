import { syntheticLogStream } from '@freeride/anomaly-engine';
import { partitionOf } from '@freeride/contracts';

import { Cluster } from 'ioredis';

import { metricValue, startAnomalyApp } from './support/anomaly-app';
import type { AnomalyApp } from './support/anomaly-app';
import { deleteDataStream, startPagingPath } from './support/paging-path';
import type { PagingPath } from './support/paging-path';
import {
  PARTITIONS,
  groupBacklog,
  pushRecords,
} from './support/record-streams';
import {
  ensureElasticsearch,
  startRedisCluster,
  waitFor,
} from './support/testing';
import type {
  AlertmanagerPayload,
  MonitoringServer,
  RedisClusterServer,
} from './support/testing';
import type { WebhookReceiver } from './support/webhook-receiver';

const MINUTE = 60_000;
const HISTORY_START =
  Math.floor((Date.now() - 3 * 60 * MINUTE) / MINUTE) * MINUTE;

/**
 * Two anomaly instances on a Redis Cluster share the partitions by leases;
 * the owner of a service's partition is killed with SIGKILL, the other
 * takes the partition over with its saved detector state, and the service's
 * anomaly pages once.
 */
describe('apps/anomaly ×2 on a Redis Cluster: partition takeover', () => {
  let alertmanager: MonitoringServer;
  let apps: Record<string, AnomalyApp> = {};
  let cluster: RedisClusterServer;
  let paging: PagingPath | undefined;
  let esUrl: string;
  let receiver: WebhookReceiver;
  let redis: Cluster;
  const dataStream = `anomalies-freeride-e2e_${Date.now().toString(36)}t`;

  const env = (name: string): Record<string, string> => ({
    ALERTMANAGER_URLS: alertmanager.url,
    ANOMALY_ALERT_REPOST_MS: '5000',
    ANOMALY_ALERT_RESOLVE_AFTER_MS: '60000',
    ANOMALY_CONSUMER_NAME: `anomaly-${name}`,
    ANOMALY_DATA_STREAM: dataStream,
    ANOMALY_IDLE_ADVANCE_MS: '3000',
    ANOMALY_KEEP_FIRING_FOR_MS: '10000',
    // A new error template within a minute of a service's first record is
    // one of its usual errors, damped by the 30-minute warm-up: a cold
    // new owner would take the burst below for one; only with the state
    // saved before the kill does it page.
    ANOMALY_NEW_TEMPLATE_WARMUP_MS: String(30 * MINUTE),
    ANOMALY_PARTITION_LEASE_MS: '2000',
    ANOMALY_PARTITIONS: String(PARTITIONS),
    ANOMALY_SNAPSHOT_MS: '1000',
    ELASTICSEARCH_URL: esUrl,
    REDIS_URL: `redis-cluster://${cluster.startupNodes
      .map((n) => `${n.host}:${n.port}`)
      .join(',')}`,
  });

  const leaseOwners = async (): Promise<(string | null)[]> =>
    Promise.all(
      Array.from({ length: PARTITIONS }, (_, p) =>
        redis.get(`freeride:anomaly:lease:{${p}}`),
      ),
    );

  const firing = (service: string) =>
    receiver
      .on('/webhook')
      .map((r) => r.body as AlertmanagerPayload)
      .filter((p) => p.groupLabels['service'] === service)
      .filter((p) => p.status === 'firing');

  beforeAll(async () => {
    cluster = await startRedisCluster({ replicas: 0 });
    redis = new Cluster(cluster.startupNodes);
    esUrl = (await ensureElasticsearch()).url;
    paging = await startPagingPath('freeride-anomaly-takeover-');
    ({ alertmanager, receiver } = paging);
  }, 90_000);

  afterAll(async () => {
    for (const app of Object.values(apps)) await app.proc.stop();
    redis?.disconnect();
    await cluster?.dispose();
    await paging?.close();
    await deleteDataStream(esUrl, dataStream);
  });

  it('takes a killed instance’s partitions over with their state, losing no record and paging once', async () => {
    apps = {
      a: await startAnomalyApp(env('a')),
      b: await startAnomalyApp(env('b')),
    };
    await waitFor(
      async () => {
        const owners = await leaseOwners();
        return (
          owners.filter((o) => o === 'anomaly-a').length === 2 &&
          owners.filter((o) => o === 'anomaly-b').length === 2
        );
      },
      { description: 'two partitions each', timeoutMs: 30_000 },
    );

    // 10 quiet minutes of event time, read by both instances.
    const quietStream = () =>
      syntheticLogStream({ durationMs: 10 * MINUTE, startMs: HISTORY_START });
    const quiet = await pushRecords(redis, quietStream());
    const lastRecordAt = new Map<number, number>();
    for (const record of quietStream())
      lastRecordAt.set(
        partitionOf(record.service, PARTITIONS),
        Date.parse(record['@timestamp']),
      );
    await waitFor(
      async () => {
        const backlog = await groupBacklog(redis);
        return backlog.lag === 0 && backlog.pending === 0;
      },
      { description: `${quiet} records consumed`, timeoutMs: 120_000 },
    );
    // Each partition's state saved (every ANOMALY_SNAPSHOT_MS) since its
    // last record was read: the saved event time has reached that record.
    await waitFor(
      async () => {
        for (const [p, at] of lastRecordAt) {
          const saved = await redis.get(`freeride:anomaly:state:{${p}}`);
          const eventTimeMs = saved
            ? (JSON.parse(saved) as { eventTimeMs?: number }).eventTimeMs
            : undefined;
          if (eventTimeMs === undefined || eventTimeMs < at) return false;
        }
        return true;
      },
      {
        description: 'every partition state saved after its last record',
        timeoutMs: 30_000,
      },
    );

    const partition = partitionOf('checkout', PARTITIONS);
    const owners = await leaseOwners();
    const victim = owners[partition] === 'anomaly-a' ? 'a' : 'b';
    const survivor = victim === 'a' ? 'b' : 'a';
    await apps[victim].proc.kill();
    delete apps[victim];
    await waitFor(
      async () =>
        (await leaseOwners()).every((o) => o === `anomaly-${survivor}`),
      {
        description: `anomaly-${survivor} holds all partitions`,
        timeoutMs: 30_000,
      },
    );

    // Six more minutes with a burst of a new error pattern in `checkout` 20 s
    // after the takeover's first record.
    const rest = await pushRecords(
      redis,
      syntheticLogStream({
        bursts: [
          {
            atMs: HISTORY_START + 10 * MINUTE + 20_000,
            durationMs: MINUTE,
            perSecond: 20,
            service: 'checkout',
          },
        ],
        durationMs: 6 * MINUTE,
        seed: 2,
        startMs: HISTORY_START + 10 * MINUTE,
      }),
    );
    await waitFor(() => firing('checkout').length >= 1, {
      description: 'the checkout anomaly paged',
      timeoutMs: 90_000,
    });
    await waitFor(
      async () => {
        const backlog = await groupBacklog(redis);
        return backlog.lag === 0 && backlog.pending === 0;
      },
      { description: `${rest} more records consumed`, timeoutMs: 120_000 },
    );
    // Re-posts go on every 5 s: let a few pass, then count.
    await new Promise((r) => setTimeout(r, 8_000));
    // Every anomaly paged once: one notification per Alertmanager group
    // (alertname, kind, service), one label set per anomaly.
    const payloads = receiver
      .on('/webhook')
      .map((r) => r.body as AlertmanagerPayload);
    const firingGroups = payloads
      .filter((p) => p.status === 'firing')
      .map((p) => `${p.groupLabels['kind']}/${p.groupLabels['service']}`);
    expect(new Set(firingGroups).size).toBe(firingGroups.length);
    const labelSets = new Map<string, Set<string>>();
    for (const alert of payloads.flatMap((p) => p.alerts)) {
      const group = `${alert.labels['kind']}/${alert.labels['service']}`;
      const sets = labelSets.get(group) ?? new Set<string>();
      sets.add(JSON.stringify(alert.labels));
      labelSets.set(group, sets);
    }
    for (const sets of labelSets.values()) expect(sets.size).toBe(1);
    // The detector state moved with the partition (see the warm-up above).
    const newTemplates = payloads
      .flatMap((p) => p.alerts)
      .filter((a) => a.labels['kind'] === 'new_template');
    expect(newTemplates.length).toBeGreaterThanOrEqual(1);
    for (const alert of newTemplates) {
      expect(alert.labels['service']).toBe('checkout');
      expect(alert.annotations['template']).toMatch(/^payment declined/);
    }
    expect(
      await metricValue(
        apps[survivor].url,
        'freeride_anomaly_records_consumed_total',
        { signal: 'logs' },
      ),
    ).toBeGreaterThanOrEqual(rest);
  }, 360_000);
});
