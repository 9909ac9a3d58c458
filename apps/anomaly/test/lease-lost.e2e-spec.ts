import { syntheticLogStream } from '@freeride/anomaly-engine';
import { partitionOf } from '@freeride/contracts';

import { Redis } from 'ioredis';

import { startAnomalyApp } from './support/anomaly-app';
import type { AnomalyApp } from './support/anomaly-app';
import {
  PARTITIONS,
  groupBacklog,
  pushRecords,
} from './support/record-streams';
import {
  ensureElasticsearch,
  getFreePort,
  startRedis,
  waitFor,
} from './support/testing';
import type { RedisServer } from './support/testing';

const MINUTE = 60_000;

/**
 * An instance that loses a partition's lease (a pause longer than the
 * lease, a Redis failover) and gets it back before anyone else saved a
 * state keeps the detector state it had, records read since its last
 * save included; when another owner saved a newer state meanwhile, it
 * takes that one.
 */
describe('apps/anomaly: a lease lost and taken back', () => {
  let app: AnomalyApp | undefined;
  let esUrl: string;
  let redis: Redis;
  let server: RedisServer;

  const stateOf = async (p: number) => {
    const saved = await redis.get(`freeride:anomaly:state:{${p}}`);
    return saved ? (JSON.parse(saved) as { eventTimeMs?: number }) : undefined;
  };

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
    esUrl = (await ensureElasticsearch()).url;
  }, 60_000);

  afterEach(async () => {
    await app?.proc.stop();
    app = undefined;
    await redis.flushall();
  });

  afterAll(async () => {
    redis?.disconnect();
    await server?.dispose();
  });

  const start = async () =>
    startAnomalyApp({
      // nothing pages here: quiet records only
      ALERTMANAGER_URLS: `http://127.0.0.1:${await getFreePort()}`,
      ANOMALY_CONSUMER_NAME: 'anomaly-solo',
      ANOMALY_DATA_STREAM: `anomalies-freeride-e2e_${Date.now().toString(36)}l`,
      // event time stays at the last record while the test runs
      ANOMALY_IDLE_ADVANCE_MS: String(10 * MINUTE),
      ANOMALY_PARTITION_LEASE_MS: '1000',
      ANOMALY_PARTITIONS: String(PARTITIONS),
      // no periodic save: only the stop below saves the state
      ANOMALY_SNAPSHOT_MS: String(10 * MINUTE),
      ELASTICSEARCH_URL: esUrl,
      REDIS_URL: server.url,
    });

  /** Records of one service, read and acknowledged; returns its partition and last record time. */
  const feed = async (): Promise<{ lastAt: number; partition: number }> => {
    const startMs = Math.floor((Date.now() - 60 * MINUTE) / MINUTE) * MINUTE;
    const records = [
      ...syntheticLogStream({ durationMs: 2 * MINUTE, startMs }),
    ].filter((r) => r.service === 'checkout');
    await pushRecords(redis, records);
    await waitFor(
      async () => {
        const backlog = await groupBacklog(redis);
        return backlog.lag === 0 && backlog.pending === 0;
      },
      { description: `${records.length} records consumed`, timeoutMs: 30_000 },
    );
    return {
      lastAt: Math.max(...records.map((r) => Date.parse(r['@timestamp']))),
      partition: partitionOf('checkout', PARTITIONS),
    };
  };

  /** The lease expires (as in a pause) and the instance takes it back. */
  const expireLease = async (p: number) => {
    const key = `freeride:anomaly:lease:{${p}}`;
    await redis.del(key);
    await waitFor(async () => (await redis.get(key)) === 'anomaly-solo', {
      description: `partition ${p} taken back`,
      timeoutMs: 10_000,
    });
  };

  it('keeps the state it had, with the records read since its last save', async () => {
    app = await start();
    const { lastAt, partition } = await feed();
    expect((await stateOf(partition))?.eventTimeMs).toBeUndefined();
    await expireLease(partition);
    // A clean stop saves every partition held.
    await app.proc.stop();
    app = undefined;
    expect((await stateOf(partition))?.eventTimeMs).toBe(lastAt);
  }, 90_000);

  it('takes the newer state another owner saved meanwhile', async () => {
    app = await start();
    const { lastAt, partition } = await feed();
    const newer = lastAt + 5 * MINUTE;
    await redis.set(
      `freeride:anomaly:state:{${partition}}`,
      JSON.stringify({ eventTimeMs: newer, services: [] }),
    );
    await expireLease(partition);
    await app.proc.stop();
    app = undefined;
    // restored from the saved state, not the engine it had: not moved
    // back to its own last record
    expect((await stateOf(partition))?.eventTimeMs).toBeGreaterThanOrEqual(
      newer,
    );
  }, 90_000);
});
