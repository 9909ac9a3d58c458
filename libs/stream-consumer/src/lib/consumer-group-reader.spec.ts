import {
  type RedisClusterServer,
  type RedisServer,
  startRedis,
  startRedisCluster,
  waitFor,
} from '@freeride/testing';

import { Cluster, Redis } from 'ioredis';

import {
  ConsumerGroupReader,
  type ConsumerGroupReaderOptions,
  type StreamEntry,
  fieldMap,
} from './consumer-group-reader';
import { hashTagged, slotOf } from './slots';

const decode = (fields: Buffer[]): string =>
  fieldMap(fields).get('v')?.toString() ?? '';

function reader(
  redis: Redis | Cluster,
  options: Partial<ConsumerGroupReaderOptions<string>> = {},
): ConsumerGroupReader<string> {
  return new ConsumerGroupReader(redis, {
    blockMs: 20,
    consumer: 'c1',
    decode,
    group: 'g',
    streams: ['s1', 's2'],
    ...options,
  });
}

const values = (entries: StreamEntry<string>[]): string[] =>
  entries.map((e) => e.value).sort();

describe('ConsumerGroupReader on one Redis', () => {
  let server: RedisServer;
  let redis: Redis;

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    redis.disconnect();
    await server.dispose();
  });

  beforeEach(async () => {
    await redis.flushall();
  });

  it('reads new entries of several streams and acknowledges only what it is told', async () => {
    const r = reader(redis);
    await r.ensureGroups();
    await r.ensureGroups(); // idempotent
    await redis.xadd('s1', '*', 'v', 'a');
    await redis.xadd('s2', '*', 'v', 'b');

    const batch = await r.next();
    expect(batch.source).toBe('new');
    expect(values(batch.entries)).toEqual(['a', 'b']);
    expect(batch.entries.map((e) => e.stream).sort()).toEqual(['s1', 's2']);

    await r.ack(batch.entries.filter((e) => e.value === 'a'));
    expect(await redis.xpending('s1', 'g')).toEqual([0, null, null, null]);
    expect((await redis.xpending('s2', 'g'))[0]).toBe(1);
    expect((await r.next()).entries).toEqual([]);
  });

  it('resumes its own pending entries first after a restart, then new ones', async () => {
    const first = reader(redis);
    await first.ensureGroups();
    for (const v of ['a', 'b', 'c']) await redis.xadd('s1', '*', 'v', v);
    const read = await first.next();
    await first.ack(read.entries.filter((e) => e.value === 'b'));
    await redis.xadd('s1', '*', 'v', 'd');

    // Same consumer name: a restarted instance.
    const restarted = reader(redis, { count: 1 });
    const p1 = await restarted.next();
    const p2 = await restarted.next();
    expect([p1.source, p2.source]).toEqual(['pending', 'pending']);
    expect([...p1.entries, ...p2.entries].map((e) => e.value)).toEqual([
      'a',
      'c',
    ]);
    const fresh = await restarted.next();
    expect(fresh).toMatchObject({ entries: [{ value: 'd' }], source: 'new' });
    // Not acknowledged: still pending, and rewind walks them again.
    restarted.rewind();
    expect((await restarted.next()).entries.map((e) => e.value)).toEqual(['a']);
  });

  it('acknowledges pending entries trimmed meanwhile instead of handing them out', async () => {
    const r = reader(redis, { streams: ['s1'] });
    await r.ensureGroups();
    const id = await redis.xadd('s1', '*', 'v', 'gone');
    await redis.xadd('s1', '*', 'v', 'kept');
    await r.next();
    await redis.xdel('s1', id!);

    const restarted = reader(redis, { streams: ['s1'] });
    const batch = await restarted.next();
    expect(batch).toMatchObject({
      entries: [{ value: 'kept' }],
      source: 'pending',
    });
    expect((await redis.xpending('s1', 'g'))[0]).toBe(1);
  });

  it('claims the entries a stopped consumer left pending, once they are idle', async () => {
    let now = 0;
    const dead = reader(redis, { consumer: 'dead' });
    await dead.ensureGroups();
    await redis.xadd('s1', '*', 'v', 'x');
    await redis.xadd('s2', '*', 'v', 'y');
    expect((await dead.next()).entries).toHaveLength(2);

    const live = reader(redis, {
      claimIdleMs: 50,
      claimIntervalMs: 1000,
      consumer: 'live',
      now: () => now,
    });
    // Scan not due yet: nothing new, nothing claimed.
    expect((await live.next()).entries).toEqual([]);
    now = 1000;
    await new Promise((resolve) => setTimeout(resolve, 60));
    const claimed: StreamEntry<string>[] = [];
    for (let i = 0; i < 3; i++) {
      const batch = await live.next({ count: 1 });
      if (batch.source === 'claimed') claimed.push(...batch.entries);
    }
    expect(values(claimed)).toEqual(['x', 'y']);
    await live.ack(claimed);
    expect((await redis.xpending('s1', 'g'))[0]).toBe(0);
    expect((await redis.xpending('s2', 'g'))[0]).toBe(0);
  });

  it('run() acknowledges settled entries only, and retries the rest from its pending list', async () => {
    const r = reader(redis, { streams: ['s1'] });
    await r.ensureGroups();
    for (const v of ['ok', 'later']) await redis.xadd('s1', '*', 'v', v);
    const seen: string[] = [];
    let rounds = 0;
    let stop = false;
    await r.run({
      errorDelayMs: 1,
      handle: (batch) => {
        rounds++;
        seen.push(...batch.entries.map((e) => `${batch.source}:${e.value}`));
        if (rounds === 1) return batch.entries.filter((e) => e.value === 'ok');
        if (rounds === 2) throw new Error('downstream failed');
        stop = true;
      },
      onError: () => undefined,
      running: () => !stop,
    });
    expect(seen).toEqual([
      'new:ok',
      'new:later',
      'pending:later',
      'pending:later',
    ]);
    expect((await redis.xpending('s1', 'g'))[0]).toBe(0);
  });
});

describe('ConsumerGroupReader on a Redis Cluster', () => {
  let cluster: RedisClusterServer;
  let client: Cluster;
  const connections: Cluster[] = [];

  beforeAll(async () => {
    cluster = await startRedisCluster();
    client = new Cluster(cluster.startupNodes, {
      clusterRetryStrategy: () => 200,
      redisOptions: { maxRetriesPerRequest: 3 },
    });
    // The killed master's connection errors until the slots are refreshed.
    client.on('error', () => undefined);
  }, 60_000);

  afterAll(async () => {
    for (const connection of [client, ...connections]) connection.disconnect();
    await cluster.dispose();
  });

  it('refuses streams of several slots in one reader', () => {
    expect(() => reader(client, { streams: ['a', 'b'] })).toThrow(
      /span 2 cluster slots/,
    );
  });

  it('shares hash-tagged partitions between two consumers and survives a master failover', async () => {
    const partitions = [0, 1, 2, 3].map((p) => [
      hashTagged('t:logs', p),
      hashTagged('t:metrics', p),
    ]);
    // A blocking read holds its connection: one client per reader.
    const readers = partitions.flatMap((streams) =>
      ['c1', 'c2'].map((consumer) => {
        const connection = client.duplicate();
        connection.on('error', () => undefined);
        connections.push(connection);
        return reader(connection, { claimIdleMs: 500, consumer, streams });
      }),
    );
    for (const r of readers) await r.ensureGroups();
    let sent = 0;
    const produce = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++, sent++) {
        const [logs, metrics] = partitions[sent % partitions.length];
        const key = sent % 2 ? logs : metrics;
        await waitFor(() => client.xadd(key, '*', 'v', String(sent)), {
          description: `XADD ${key}`,
          timeoutMs: 20_000,
        });
      }
    };
    const seen = new Map<string, number>();
    const drain = async (): Promise<void> => {
      for (const r of readers) {
        try {
          const batch = await r.next({ blockMs: 5 });
          for (const e of batch.entries)
            seen.set(e.value, (seen.get(e.value) ?? 0) + 1);
          await r.ack(batch.entries);
        } catch {
          r.rewind(); // failover in progress: try again next round
        }
      }
    };

    await produce(40);
    await waitFor(
      async () => {
        await drain();
        return seen.size === 40;
      },
      { description: 'first 40 entries read', timeoutMs: 20_000 },
    );

    // Every write replicated before the kill, as the ingest's WAIT makes it.
    const master = await cluster.masterOf(slotOf(partitions[0][0]));
    // WAIT counts the writes of its own connection: pipelined behind a keyed
    // command, it runs on the connection to that key's master.
    for (const [logs] of partitions) {
      const replies = await client
        .pipeline()
        .xlen(logs)
        .call('WAIT', 1, 5000)
        .exec();
      expect(replies?.[1]).toEqual([null, 1]);
    }
    await master.kill();
    // Its replica is promoted once the others agree it failed (node timeout).
    await waitFor(
      async () => (await cluster.masterOf(slotOf(partitions[0][0]))) !== master,
      { description: 'replica promoted', intervalMs: 250, timeoutMs: 60_000 },
    );
    await cluster.waitHealthy(60_000);
    await produce(40);
    await waitFor(
      async () => {
        await drain();
        return seen.size === 80;
      },
      { description: 'all 80 entries read after failover', timeoutMs: 30_000 },
    );
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  }, 90_000);
});
