import { type RedisServer, startRedis } from '@freeride/testing';

import { Redis } from 'ioredis';

import { BackPressureError, StreamUnavailableError } from './ingest.errors';
import { BodyHandOff, RedisIngestStream } from './redis-ingest-stream';

const entry = (size: number, source = 'python') => ({
  body: Buffer.alloc(size, 7),
  format: 'bulk-ndjson' as const,
  items: 3,
  receivedAt: 1_700_000_000_000,
  source,
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
});

/** What reading `entry(size)` back gives, its body loaded. */
const stored = (size: number, id: string, key: string) => ({
  ...entry(size),
  bodyKey: expect.stringMatching(new RegExp(`^${key}:body:`)) as string,
  bytes: size,
  id,
});

/** New entries for a consumer, read through the stream's group reader, bodies loaded. */
async function readNew(
  stream: RedisIngestStream,
  group: string,
  consumer: string,
  count: number,
) {
  const batch = await stream
    .reader(group, consumer)
    .next({ blockMs: 10, count });
  const values = batch.entries.map((e) => e.value);
  await stream.loadBodies(values);
  return values;
}

describe('RedisIngestStream', () => {
  let server: RedisServer;
  let redis: Redis;

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  beforeEach(async () => {
    await redis.flushall();
  });

  it('round-trips an entry byte for byte through a consumer group', async () => {
    const stream = new RedisIngestStream(redis, { key: 's1' });
    await stream.ensureGroups(['indexer']);
    const { id } = await stream.append(entry(1000));
    const [read] = await readNew(stream, 'indexer', 'c1', 10);
    expect(read).toEqual(stored(1000, id, 's1'));
  });

  it('keeps each body under its own key: reading the fields does not copy it, trimming deletes it', async () => {
    const stream = new RedisIngestStream(redis, { key: 's-ref{p0}' });
    await stream.ensureGroups(['indexer', 'fanout']);
    const events = Buffer.from('[{"service":"a"}]');
    const { id } = await stream.append({ ...entry(1000), events });
    const bodyKeys = () => redis.keys('s-ref{p0}:body:*');
    expect(await bodyKeys()).toHaveLength(1);
    // The fan-out reads only the fields: the body stays in Redis.
    const fan = await stream.reader('fanout', 'c1').next({ blockMs: 10 });
    expect(fan.entries[0].value).toMatchObject({ bytes: 1000, events, id });
    expect(fan.entries[0].value.body).toHaveLength(0);
    const [indexed] = await readNew(stream, 'indexer', 'c1', 10);
    expect(indexed.body).toEqual(entry(1000).body);
    for (const group of ['indexer', 'fanout']) await stream.ack(group, [id]);
    expect(await stream.trim(['indexer', 'fanout'])).toMatchObject({
      bytes: 1000,
      entries: 1,
    });
    expect(await bodyKeys()).toEqual([]);
    expect(await redis.xlen('s-ref{p0}')).toBe(0);
  });

  it('hands the bodies it appended to its own reader in memory, up to the hand-off bound, and reads the others from Redis', async () => {
    const key = 's-hand{p0}';
    const handOff = new BodyHandOff(1500);
    const writer = new RedisIngestStream(redis, { handOff, key });
    const elsewhere = new RedisIngestStream(redis, { key });
    await writer.ensureGroups(['indexer']);
    // Kept before the write's answer is back: an entry can be read sooner.
    const pending = writer.append(entry(1000, 'first'));
    expect(handOff.bytes).toBe(1000);
    const first = await pending;
    const second = await writer.append(entry(1000, 'second'));
    expect(handOff.bytes).toBe(1000);
    // Another instance (nothing handed over) reads the bodies from Redis.
    const fromRedis = (
      await elsewhere.reader('indexer', 'c2').next({ blockMs: 10, count: 10 })
    ).entries.map((e) => e.value);
    await elsewhere.loadBodies(fromRedis);
    expect(fromRedis.map((e) => e.body.length)).toEqual([1000, 1000]);
    // With the body keys gone from Redis, only what the writer still holds
    // (the second body: the first was let go to stay within 1,500 bytes) loads.
    await redis.del(...fromRedis.map((e) => e.bodyKey as string));
    await new Promise((r) => setTimeout(r, 20));
    const [a, b] = await writer
      .reader('indexer', 'c1', { claimIdleMs: 10, claimIntervalMs: 0 })
      .next({ blockMs: 10 })
      .then((batch) => batch.entries.map((e) => e.value));
    expect([a.id, b.id]).toEqual([first.id, second.id]);
    await writer.loadBodies([a, b]);
    expect(b.body).toEqual(entry(1000).body);
    expect(b.bodyMissing).toBeUndefined();
    expect(a.body).toHaveLength(0);
    expect(a.bodyMissing).toBe(true);
    expect(handOff.bytes).toBe(0);
  });

  it('keeps the fan-out events beside the body, and reads the short formats of earlier versions', async () => {
    const stream = new RedisIngestStream(redis, { key: 's-ev' });
    await stream.ensureGroups(['indexer']);
    const events = Buffer.from('[{"service":"a"}]');
    const { id } = await stream.append({ ...entry(10), events });
    await redis.xadd(
      's-ev',
      '*',
      'enc',
      'p',
      'n',
      '1',
      'at',
      '1',
      'src',
      'old',
      'tp',
      '',
      'body',
      'x',
    );
    const [withEvents, legacy] = await readNew(stream, 'indexer', 'c1', 10);
    expect(withEvents).toEqual({ ...stored(10, id, 's-ev'), events });
    // Earlier versions kept the body inline.
    expect(legacy).toMatchObject({
      body: Buffer.from('x'),
      bytes: 1,
      format: 'otlp-protobuf',
    });
    expect(legacy.bodyKey).toBeUndefined();
  });

  it('refuses appends past the high-water mark and accepts again after trim', async () => {
    const handOff = new BodyHandOff(1_000_000);
    const stream = new RedisIngestStream(redis, {
      handOff,
      highWaterBytes: 2500,
      key: 's2',
    });
    await stream.ensureGroups(['indexer', 'fanout']);
    await stream.append(entry(1000));
    await stream.append(entry(1000));
    await expect(stream.append(entry(1000))).rejects.toBeInstanceOf(
      BackPressureError,
    );
    expect(await stream.backlogBytes()).toBe(2000);
    // The refused body was dropped with the refusal, in Redis and in memory.
    expect(await redis.keys('s2:body:*')).toHaveLength(2);
    expect(handOff.bytes).toBe(2000);

    for (const group of ['indexer', 'fanout']) {
      const read = await readNew(stream, group, 'c1', 10);
      await stream.ack(
        group,
        read.map((e) => e.id),
      );
    }
    expect(await stream.trim(['indexer', 'fanout'])).toEqual({
      bytes: 2000,
      entries: 2,
      lag: { fanout: 0, indexer: 0 },
    });
    expect(await stream.backlogBytes()).toBe(0);
    await expect(stream.append(entry(1000))).resolves.toMatchObject({
      backlogBytes: 1000,
    });
  });

  it('keeps entries that one group has not acknowledged', async () => {
    const stream = new RedisIngestStream(redis, { key: 's3' });
    await stream.ensureGroups(['indexer', 'fanout']);
    await stream.append(entry(10));
    await stream.append(entry(10));
    const read = await readNew(stream, 'indexer', 'c1', 10);
    await stream.ack(
      'indexer',
      read.map((e) => e.id),
    );
    const fan = await readNew(stream, 'fanout', 'c1', 1);
    await stream.ack(
      'fanout',
      fan.map((e) => e.id),
    );
    expect(await stream.trim(['indexer', 'fanout'])).toEqual({
      bytes: 10,
      entries: 1,
      // fanout has not read the second entry yet
      lag: { fanout: 1, indexer: 0 },
    });
    expect(await redis.xlen('s3')).toBe(1);
  });

  it('reports no lag once the stream is gone, as after a Redis restart without its data', async () => {
    const stream = new RedisIngestStream(redis, { key: 's-gone' });
    await stream.ensureGroups(['indexer']);
    await stream.append(entry(10));
    await stream.append(entry(10));
    expect((await stream.trim(['indexer'])).lag).toEqual({ indexer: 2 });
    await redis.flushall();
    expect(await stream.trim(['indexer'])).toEqual({
      bytes: 0,
      entries: 0,
      lag: { indexer: 0 },
    });
  });

  it('counts the unread entries itself when Redis cannot tell a group lag', async () => {
    const stream = new RedisIngestStream(redis, { key: 's-nil-lag' });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await stream.append(entry(10))).id);
    // A deleted entry inside the unread range makes Redis report lag as nil.
    await redis.xdel('s-nil-lag', ids[1]);
    await stream.ensureGroups(['indexer']);
    const info = (await redis.xinfo('GROUPS', 's-nil-lag')) as unknown[][];
    expect(info[0][info[0].indexOf('lag') + 1]).toBeNull();
    expect((await stream.trim(['indexer'])).lag).toEqual({ indexer: 2 });
  });

  it('redelivers unacknowledged entries to the same consumer after a restart', async () => {
    const stream = new RedisIngestStream(redis, { key: 's4' });
    await stream.ensureGroups(['indexer']);
    const { id } = await stream.append(entry(10));
    await readNew(stream, 'indexer', 'c1', 10);
    const again = await stream.reader('indexer', 'c1').next();
    expect(again.source).toBe('pending');
    expect(again.entries.map((e) => e.id)).toEqual([id]);
  });

  it('lets another consumer claim entries a dead consumer left pending', async () => {
    const stream = new RedisIngestStream(redis, { key: 's5' });
    await stream.ensureGroups(['indexer']);
    const { id } = await stream.append(entry(10));
    await readNew(stream, 'indexer', 'dead', 10);
    await new Promise((r) => setTimeout(r, 30));
    const claimed = await stream
      .reader('indexer', 'alive', { claimIdleMs: 10, claimIntervalMs: 0 })
      .next({ blockMs: 10 });
    expect(claimed.source).toBe('claimed');
    const values = claimed.entries.map((e) => e.value);
    await stream.loadBodies(values);
    expect(values).toEqual([stored(10, id, 's5')]);
  });

  it('reports the stream as unavailable when Redis is gone', async () => {
    const other = await startRedis();
    const client = new Redis(other.url, {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const stream = new RedisIngestStream(client, { key: 's6' });
    await other.kill();
    await expect(stream.append(entry(10))).rejects.toBeInstanceOf(
      StreamUnavailableError,
    );
    client.disconnect();
  });
});
