import {
  ConsumerGroupReader,
  type ConsumerGroupReaderOptions,
  type StreamClient,
  fieldMap,
} from '@freeride/stream-consumer';

import { randomBytes } from 'node:crypto';

import {
  BackPressureError,
  ReplicaAckError,
  StreamUnavailableError,
} from './ingest.errors';

/** Options of a {@link RedisIngestStream}. */
export interface RedisIngestStreamOptions {
  /**
   * Stream key, e.g. `freeride:ingest:logs:{p0}`. The companion keys
   * (`<key>:sizes`, `<key>:backlog-bytes`) share its hash tag, so on a
   * Redis Cluster the append and trim scripts touch one slot.
   */
  key: string;
  /**
   * Replicas that must have an append before it counts as done (`WAIT`
   * after the write, on the same connection); 0 does not wait. Fewer
   * within `ackTimeoutMs` throws {@link ReplicaAckError}.
   * @default 0
   */
  ackReplicas?: number;
  /**
   * Longest wait for `ackReplicas`, ms.
   * @default 1000
   */
  ackTimeoutMs?: number;
  /**
   * Bytes not yet acknowledged by every consumer group above which appends
   * are refused with {@link BackPressureError}.
   * @default 268435456 (256 MiB)
   */
  highWaterBytes?: number;
  /**
   * `Retry-After` given to refused senders.
   * @default 5
   */
  retryAfterSeconds?: number;
  /**
   * Where appended bodies are kept in memory for this process's own reader
   * ({@link RedisIngestStream.loadBodies}), so that an entry read back by
   * the process that accepted it is not copied out of Redis again. Give
   * one to the streams of a process that runs an indexer (one shared
   * {@link BodyHandOff} bounds them all together).
   * @default none: every body is read from Redis
   */
  handOff?: BodyHandOff;
}

/**
 * Bodies appended by this process and not yet loaded by its reader, up to
 * `maxBytes` over all the streams that share it: the oldest are let go
 * first (their readers then take them from Redis). Under a steady load the
 * indexer takes each body within a batch or two, so little is held; while
 * Elasticsearch is down it fills up to the bound and stays there.
 */
export class BodyHandOff {
  private readonly bodies = new Map<string, Buffer>();
  private held = 0;

  constructor(readonly maxBytes: number) {}

  /** Bytes held now. */
  get bytes(): number {
    return this.held;
  }

  keep(key: string, body: Buffer): void {
    if (body.length > this.maxBytes) return;
    this.bodies.set(key, body);
    this.held += body.length;
    for (const [oldest, old] of this.bodies) {
      if (this.held <= this.maxBytes) break;
      this.bodies.delete(oldest);
      this.held -= old.length;
    }
  }

  /** The body kept under `key`, now let go; undefined when not kept. */
  take(key: string): Buffer | undefined {
    const body = this.bodies.get(key);
    if (body) {
      this.bodies.delete(key);
      this.held -= body.length;
    }
    return body;
  }
}

/**
 * What a stream entry's `body` holds (the `enc` field).
 * - `bulk-ndjson`: Elasticsearch `_bulk` lines, mapped and validated at
 *   receipt; the indexer sends them as they are. Written by this version.
 * - `otlp-protobuf`, `otlp-json`, `normalised-json`: the sender's OTLP
 *   protobuf or JSON body, or the decoded request as JSON, written by
 *   earlier versions (stored as `p`, `o`, `j`); still read, so that entries
 *   pending across an upgrade are indexed.
 */
export type StoredFormat =
  'bulk-ndjson' | 'otlp-protobuf' | 'otlp-json' | 'normalised-json';

/** Short codes of the formats written by earlier versions. */
const LEGACY_FORMATS: Record<string, StoredFormat> = {
  j: 'normalised-json',
  o: 'otlp-json',
  p: 'otlp-protobuf',
};

/** Result of {@link RedisIngestStream.trim}. */
export interface TrimResult {
  bytes: number;
  entries: number;
  /** Per group: entries not yet read plus entries read but not acknowledged. */
  lag: Record<string, number>;
}

/** One accepted payload as stored in the stream. */
export interface IngestEntry {
  /** Documents (log records, spans, points) in the payload. */
  items: number;
  /** What `body` holds. */
  format: StoredFormat;
  /** The `_bulk` lines (or, from earlier versions, the request). */
  body: Buffer | string;
  /**
   * The anomaly detector's per-record events (JSON array), when the fan-out
   * consumes this signal; mapped at receipt like the documents.
   */
  events?: Buffer;
  /** Epoch ms at which the ingest accepted it. */
  receivedAt: number;
  /** The authenticated source name (never the token). */
  source: string;
  /** W3C traceparent of the accepting request. */
  traceparent?: string;
}

/** An entry read back through a consumer group. */
export interface StoredIngestEntry extends IngestEntry {
  /**
   * The body: inline for entries of earlier versions; for entries stored
   * by reference (`bodyKey`), empty until {@link RedisIngestStream.loadBodies}.
   */
  body: Buffer;
  /** The key holding the body, for entries stored by reference. */
  bodyKey?: string;
  /** Byte length of the body (known before it is loaded). */
  bytes: number;
  /** Set by `loadBodies` when the body key is gone from Redis. */
  bodyMissing?: boolean;
  id: string;
}

/*
 * Runs in one MULTI right after the SET of the body to KEYS[4], so the two
 * are atomic: refuse past the high-water mark (and drop the body),
 * otherwise XADD the entry (its fields name the body key), XADD its size
 * and body key under the same id to the companion sizes stream, and raise
 * the backlog counter. The body never passes through the script: a
 * script's arguments are copied into Lua and back, which cost as much
 * Redis CPU as the rest of the append (BENCHMARKS.md).
 */
const APPEND_SCRIPT = `
local backlog = tonumber(redis.call('GET', KEYS[3]) or '0')
local size = tonumber(ARGV[2])
if backlog > 0 and backlog + size > tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[4])
  return {'', tostring(backlog)}
end
local id = redis.call('XADD', KEYS[1], '*', unpack(ARGV, 3))
redis.call('XADD', KEYS[2], id, 'b', ARGV[2], 'k', KEYS[4])
redis.call('INCRBY', KEYS[3], size)
return {id, tostring(backlog + size)}
`;

/*
 * Trim every entry below ARGV[1] (all groups have acknowledged them) from the
 * payload stream and the sizes stream, delete their body keys, and lower the
 * backlog counter by their sizes. (Entries of earlier versions hold their
 * body inline: their sizes entry names no key.)
 */
const TRIM_SCRIPT = `
local sizes = redis.call('XRANGE', KEYS[2], '-', '(' .. ARGV[1])
local total = 0
for _, e in ipairs(sizes) do
  total = total + tonumber(e[2][2])
  if e[2][3] == 'k' then redis.call('DEL', e[2][4]) end
end
redis.call('XTRIM', KEYS[1], 'MINID', ARGV[1])
redis.call('XTRIM', KEYS[2], 'MINID', ARGV[1])
if total > 0 then redis.call('DECRBY', KEYS[3], total) end
return {#sizes, total}
`;

/** At most this many unread entries are counted when Redis cannot report a group's lag. */
export const LAG_SCAN_LIMIT = 100_000;

type StreamId = [number, number];

function parseId(id: string): StreamId {
  const [ms, seq] = id.split('-');
  return [Number(ms), Number(seq ?? 0)];
}

function compareIds(a: StreamId, b: StreamId): number {
  return a[0] - b[0] || a[1] - b[1];
}

function nextId(id: string): string {
  const [ms, seq] = parseId(id);
  return `${ms}-${seq + 1}`;
}

/**
 * A durable, bounded ingest stream on Redis Streams. Producers `append`;
 * consumer groups read, acknowledge, and claim entries of dead consumers;
 * `trim` removes what every group has acknowledged and keeps a byte count
 * of the backlog for back-pressure.
 *
 * Each entry's body (the `_bulk` lines, the bulk of the bytes) is stored
 * under its own key (`<key>:body:<writer>.<n>`, the stream's hash tag) and
 * the entry names it: consumers that need only the small fields (the
 * fan-out reads the events) never copy the body out of Redis, and the
 * process that accepted an entry hands its body to its own indexer in
 * memory (`handOffBytes`). The body and the entry are written in one
 * MULTI, so neither exists without the other.
 *
 * Durability comes from Redis' append-only file (`appendonly yes`; with
 * `appendfsync always` an acknowledged entry survives a power loss) and,
 * with `ackReplicas`, from replicas: Redis replicates asynchronously, so an
 * append is acknowledged only once `WAIT` saw it on that many replicas, and
 * a master failover then loses nothing acknowledged.
 * @see https://redis.io/docs/latest/commands/wait/
 * @see https://redis.io/docs/latest/develop/data-types/streams/
 */
export class RedisIngestStream {
  readonly key: string;
  private readonly sizesKey: string;
  private readonly bytesKey: string;
  private readonly highWaterBytes: number;
  private readonly retryAfterSeconds: number;
  private readonly ackReplicas: number;
  private readonly ackTimeoutMs: number;
  /** Prefix of this writer's body keys: unique per stream object. */
  private readonly bodyPrefix: string;
  private bodySeq = 0;
  private readonly handOff: BodyHandOff | undefined;

  constructor(
    private readonly redis: StreamClient,
    options: RedisIngestStreamOptions,
  ) {
    this.key = options.key;
    this.ackReplicas = options.ackReplicas ?? 0;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 1000;
    this.sizesKey = `${options.key}:sizes`;
    this.bytesKey = `${options.key}:backlog-bytes`;
    this.highWaterBytes = options.highWaterBytes ?? 256 * 1024 * 1024;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 5;
    this.handOff = options.handOff;
    this.bodyPrefix = `${options.key}:body:${randomBytes(6).toString('hex')}.`;
  }

  /** Creates the consumer groups (idempotent), reading from the stream start. */
  async ensureGroups(groups: string[]): Promise<void> {
    for (const group of groups) {
      try {
        await this.redis.xgroup('CREATE', this.key, group, '0', 'MKSTREAM');
      } catch (err) {
        if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
      }
    }
  }

  /**
   * Appends one accepted payload. Resolves only once Redis has it.
   * With `ackReplicas`, resolves only once that many replicas have it too.
   * @returns the entry id and the backlog in bytes after the append
   * @throws BackPressureError above the high-water mark
   * @throws StreamUnavailableError when Redis cannot take the write
   * @throws ReplicaAckError when too few replicas acknowledged it in time
   */
  async append(
    entry: IngestEntry,
  ): Promise<{ backlogBytes: number; id: string }> {
    const bodyKey = `${this.bodyPrefix}${this.bodySeq++}`;
    const body =
      typeof entry.body === 'string' ? Buffer.from(entry.body) : entry.body;
    const size = String(body.length);
    const fields: (string | Buffer)[] = [
      'enc',
      entry.format,
      'n',
      String(entry.items),
      'at',
      String(entry.receivedAt),
      'src',
      entry.source,
      'tp',
      entry.traceparent ?? '',
      'bk',
      bodyKey,
      'sz',
      size,
    ];
    if (entry.events) fields.push('ev', entry.events);
    // Kept before the write: this process's reader may read the entry
    // before the write's own answer is back.
    this.handOff?.keep(bodyKey, body);
    try {
      return await this.write(bodyKey, body, size, fields);
    } catch (err) {
      this.handOff?.take(bodyKey);
      throw err;
    }
  }

  /** The append's round trip: MULTI, the body, the script, EXEC (and WAIT). */
  private async write(
    bodyKey: string,
    body: Buffer,
    size: string,
    fields: (string | Buffer)[],
  ): Promise<{ backlogBytes: number; id: string }> {
    // MULTI (the body, then the script), EXEC and WAIT in one pipeline:
    // WAIT counts the writes of its own connection, and on a cluster the
    // pipeline runs on the connection to the master of the stream's slot
    // (every key shares the stream's hash tag).
    const pipeline = this.redis
      .pipeline()
      .call('MULTI')
      .set(bodyKey, body)
      .eval(
        APPEND_SCRIPT,
        4,
        this.key,
        this.sizesKey,
        this.bytesKey,
        bodyKey,
        String(this.highWaterBytes),
        size,
        ...fields,
      )
      .call('EXEC');
    if (this.ackReplicas > 0)
      pipeline.call('WAIT', this.ackReplicas, this.ackTimeoutMs);
    let replies: [Error | null, unknown][];
    try {
      replies = (await pipeline.exec()) ?? [];
    } catch (err) {
      throw new StreamUnavailableError(err);
    }
    // SET and the script are queued; EXEC answers with their results (an
    // error in its place when one failed).
    const [execError, executed] = replies[3] ?? [
      new Error('no reply to the append'),
      undefined,
    ];
    const appended = execError ?? (executed as unknown[] | null)?.[1];
    if (!Array.isArray(appended))
      throw new StreamUnavailableError(
        appended ?? new Error('the append transaction was discarded'),
      );
    const result = appended as [string, string];
    if (this.ackReplicas > 0 && result[0] !== '') {
      const [waitError, acknowledged] = replies[4] ?? [];
      if (waitError || Number(acknowledged) < this.ackReplicas)
        throw new ReplicaAckError({
          acknowledged: waitError ? 0 : Number(acknowledged),
          cause: waitError ?? undefined,
          required: this.ackReplicas,
          timeoutMs: this.ackTimeoutMs,
        });
    }
    const [id, backlog] = result;
    if (id === '') {
      throw new BackPressureError({
        backlogBytes: Number(backlog),
        highWaterBytes: this.highWaterBytes,
        retryAfterSeconds: this.retryAfterSeconds,
      });
    }
    return { backlogBytes: Number(backlog), id };
  }

  /**
   * Fills in the bodies of entries stored by reference: those this process
   * appended and still holds (`handOff`) from memory, the others with
   * one `MGET`. A body key that is gone leaves the body empty and sets
   * `bodyMissing`, so the entry is quarantined rather than retried forever.
   * @throws StreamUnavailableError when Redis cannot be read
   */
  async loadBodies(entries: StoredIngestEntry[]): Promise<void> {
    const wanted: StoredIngestEntry[] = [];
    for (const entry of entries) {
      if (entry.bodyKey === undefined || entry.body.length > 0) continue;
      const held = this.handOff?.take(entry.bodyKey);
      if (held) entry.body = held;
      else wanted.push(entry);
    }
    if (wanted.length === 0) return;
    let bodies: (Buffer | null)[];
    try {
      bodies = await this.redis.mgetBuffer(
        ...wanted.map((e) => e.bodyKey as string),
      );
    } catch (err) {
      throw new StreamUnavailableError(err);
    }
    wanted.forEach((entry, i) => {
      const body = bodies[i];
      if (body) entry.body = body;
      else entry.bodyMissing = true;
    });
  }

  /**
   * A consumer-group reader of this stream: its own pending entries first,
   * then entries other consumers left pending for `claimIdleMs`, then new
   * ones (see `@freeride/stream-consumer`).
   * @param client the connection to read on; a blocking read holds it, so
   *   give every reader its own (default: this stream's connection)
   */
  reader(
    group: string,
    consumer: string,
    options: Pick<
      ConsumerGroupReaderOptions<StoredIngestEntry>,
      'blockMs' | 'claimIdleMs' | 'claimIntervalMs' | 'count'
    > = {},
    client: StreamClient = this.redis,
  ): ConsumerGroupReader<StoredIngestEntry> {
    return new ConsumerGroupReader(client, {
      ...options,
      consumer,
      decode: (fields, _stream, id) => decodeEntry(id, fields),
      group,
      streams: [this.key],
    });
  }

  /** Acknowledges entries for a group. */
  async ack(group: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.redis.xack(this.key, group, ...ids);
  }

  /**
   * Removes every entry that all `groups` have acknowledged, and reports
   * each group's lag from the same read of the groups.
   * @returns entries and bytes removed, and per group the entries not yet
   *   read plus those read but not acknowledged
   */
  async trim(groups: string[]): Promise<TrimResult> {
    const byName = await this.readGroups();
    const lag: Record<string, number> = {};
    for (const group of groups) {
      const record = byName.get(group);
      lag[group] = record ? await this.groupLag(record) : 0;
    }
    let floor: StreamId | undefined;
    for (const group of groups) {
      const record = byName.get(group);
      if (!record) return { bytes: 0, entries: 0, lag };
      let candidate: string;
      if (Number(record['pending']) > 0) {
        const summary = (await this.redis.xpending(this.key, group)) as [
          number,
          string,
          string,
          unknown,
        ];
        candidate = summary[1];
      } else {
        candidate = nextId(String(record['last-delivered-id']));
      }
      const parsed = parseId(candidate);
      if (!floor || compareIds(parsed, floor) < 0) floor = parsed;
    }
    if (!floor || (floor[0] === 0 && floor[1] <= 1))
      return { bytes: 0, entries: 0, lag };
    const [entries, bytes] = (await this.redis.eval(
      TRIM_SCRIPT,
      3,
      this.key,
      this.sizesKey,
      this.bytesKey,
      `${floor[0]}-${floor[1]}`,
    )) as [number, number];
    return { bytes, entries, lag };
  }

  /** Bytes accepted but not yet acknowledged by every group (trimmed). */
  async backlogBytes(): Promise<number> {
    return Number((await this.redis.get(this.bytesKey)) ?? 0);
  }

  /**
   * Entries of a group not yet read plus those read but not acknowledged.
   * Redis reports `lag` as nil when it cannot tell (e.g. after a restart
   * that lost or reloaded the stream): then the unread entries are counted
   * from the group's last delivered id, up to {@link LAG_SCAN_LIMIT}.
   */
  private async groupLag(record: Record<string, unknown>): Promise<number> {
    const pending = Number(record['pending'] ?? 0);
    const reported = record['lag'];
    if (reported !== null && reported !== undefined)
      return Number(reported) + pending;
    const last = record['last-delivered-id'];
    const after = typeof last === 'string' ? last : '0-0';
    const unread = (await this.redis.xrange(
      this.key,
      `(${after}`,
      '+',
      'COUNT',
      LAG_SCAN_LIMIT,
    )) as unknown[];
    return unread.length + pending;
  }

  /**
   * `XINFO GROUPS` as one record per group name; empty when the stream does
   * not exist (e.g. a Redis restarted without its data): no group, no lag.
   */
  private async readGroups(): Promise<Map<string, Record<string, unknown>>> {
    let info: unknown[][];
    try {
      info = (await this.redis.xinfo('GROUPS', this.key)) as unknown[][];
    } catch (err) {
      if (/no such key/i.test(String((err as Error).message))) return new Map();
      throw err;
    }
    const byName = new Map<string, Record<string, unknown>>();
    for (const raw of info) {
      const record: Record<string, unknown> = {};
      for (let i = 0; i < raw.length; i += 2)
        record[String(raw[i])] = raw[i + 1];
      byName.set(String(record['name']), record);
    }
    return byName;
  }
}

function decodeEntry(id: string, fields: Buffer[]): StoredIngestEntry {
  const map = fieldMap(fields);
  const tp = map.get('tp')?.toString();
  const enc = map.get('enc')?.toString() ?? 'p';
  const events = map.get('ev');
  const bodyKey = map.get('bk')?.toString();
  const body = map.get('body') ?? EMPTY_BODY;
  const entry: StoredIngestEntry = {
    body,
    bytes: bodyKey ? Number(map.get('sz')?.toString() ?? 0) : body.length,
    format: LEGACY_FORMATS[enc] ?? (enc as StoredFormat),
    id,
    items: Number(map.get('n')?.toString() ?? 0),
    receivedAt: Number(map.get('at')?.toString() ?? 0),
    source: map.get('src')?.toString() ?? 'unknown',
    traceparent: tp ? tp : undefined,
  };
  if (events) entry.events = events;
  if (bodyKey) entry.bodyKey = bodyKey;
  return entry;
}

const EMPTY_BODY = Buffer.alloc(0);
