import type { Cluster, Redis } from 'ioredis';

import { slotOf } from './slots';

/** A single Redis or a Redis Cluster (ioredis). */
export type StreamClient = Redis | Cluster;

/** One entry read through the group, decoded. */
export interface StreamEntry<T> {
  readonly id: string;
  /** Stream key the entry came from. */
  readonly stream: string;
  readonly value: T;
}

/**
 * Where a batch came from: this consumer's own pending entries (read before
 * a crash or a failed round, never acknowledged), entries claimed from a
 * consumer that stopped (idle past `claimIdleMs`), or new entries.
 */
export type EntrySource = 'claimed' | 'new' | 'pending';

/** What {@link ConsumerGroupReader.next} returns. */
export interface StreamBatch<T> {
  readonly entries: StreamEntry<T>[];
  readonly source: EntrySource;
}

/** Options of a {@link ConsumerGroupReader}. */
export interface ConsumerGroupReaderOptions<T> {
  /**
   * Longest wait for new entries, ms (`XREADGROUP BLOCK`).
   * @default 1000
   */
  blockMs?: number;
  /**
   * Pending entries idle this long belong to a consumer that stopped and
   * are claimed (`XAUTOCLAIM`).
   * @default 30000
   */
  claimIdleMs?: number;
  /**
   * How often the pending entries of other consumers are scanned, ms.
   * @default claimIdleMs / 2
   */
  claimIntervalMs?: number;
  /** This consumer's name; keep it stable across restarts to resume its own pending entries. */
  consumer: string;
  /**
   * Most entries per read.
   * @default 100
   */
  count?: number;
  /**
   * Decodes an entry's field/value list. It should not throw: an entry it
   * cannot decode would stay pending and fail every round; return a value
   * that marks it invalid and let the handler count and settle it.
   */
  decode: (fields: Buffer[], stream: string, id: string) => T;
  group: string;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
  /**
   * Stream keys read together. On a cluster they must share one hash slot
   * (use a hash tag); read other slots with other readers.
   */
  streams: readonly string[];
}

type RawEntry = [id: Buffer, fields: Buffer[] | null];
type ReadReply = [stream: Buffer, entries: RawEntry[]][] | null;
type ClaimReply = [
  next: Buffer,
  entries: (RawEntry | null)[],
  deleted?: Buffer[],
];

const BUSYGROUP = 'BUSYGROUP';

/**
 * One consumer-group reader for every stream consumer of the platform, at
 * least once: first the consumer's own pending entries, then, every
 * `claimIntervalMs`, the entries other consumers left pending for
 * `claimIdleMs` (`XAUTOCLAIM`), otherwise new entries (`XREADGROUP >`,
 * blocking). Nothing is acknowledged by reading: the caller acknowledges
 * what it has settled ({@link ack}, or {@link run} after the handler).
 *
 * It works on one Redis and on a Redis Cluster: all its commands name keys
 * of one slot. A blocking read holds its connection, so give each reader
 * its own (`redis.duplicate()`).
 * @see https://redis.io/docs/latest/develop/data-types/streams/#consumer-groups
 * @see https://redis.io/docs/latest/commands/xautoclaim/
 */
export class ConsumerGroupReader<T> {
  readonly consumer: string;
  readonly group: string;
  readonly streams: readonly string[];
  private readonly blockMs: number;
  private readonly claimIdleMs: number;
  private readonly claimIntervalMs: number;
  private readonly count: number;
  private readonly decode: ConsumerGroupReaderOptions<T>['decode'];
  private readonly now: () => number;
  /** Per stream: where the walk of own pending entries stands. */
  private pendingCursor = new Map<string, string>();
  private readingPending = true;
  /** Per stream: the XAUTOCLAIM cursor of the scan in progress. */
  private claimCursor = new Map<string, string>();
  private lastClaimScan: number;

  constructor(
    private readonly redis: StreamClient,
    options: ConsumerGroupReaderOptions<T>,
  ) {
    if (options.streams.length === 0)
      throw new Error('ConsumerGroupReader needs at least one stream');
    if (isCluster(redis)) {
      const slots = new Set(options.streams.map(slotOf));
      if (slots.size > 1)
        throw new Error(
          `streams ${options.streams.join(', ')} span ${slots.size} cluster slots; ` +
            'one reader reads keys of one slot (give them one hash tag, or use one reader per slot)',
        );
    }
    this.streams = [...options.streams];
    this.group = options.group;
    this.consumer = options.consumer;
    this.decode = options.decode;
    this.blockMs = options.blockMs ?? 1000;
    this.claimIdleMs = options.claimIdleMs ?? 30_000;
    this.claimIntervalMs = options.claimIntervalMs ?? this.claimIdleMs / 2;
    this.count = options.count ?? 100;
    this.now = options.now ?? Date.now;
    // The first scan for stopped consumers' entries runs after one interval.
    this.lastClaimScan = this.now();
    this.rewind();
  }

  /** Creates the group on every stream (and the stream), idempotently. */
  async ensureGroups(startId = '0'): Promise<void> {
    for (const stream of this.streams) {
      try {
        await this.redis.xgroup(
          'CREATE',
          stream,
          this.group,
          startId,
          'MKSTREAM',
        );
      } catch (err) {
        if (!(err instanceof Error) || !err.message.includes(BUSYGROUP))
          throw err;
      }
    }
  }

  /**
   * Walks this consumer's own pending entries again from the start, e.g.
   * after a batch failed and stayed pending.
   */
  rewind(): void {
    this.readingPending = true;
    this.pendingCursor = new Map(this.streams.map((s) => [s, '0']));
  }

  /**
   * The next batch: own pending entries while there are any, then claimed
   * entries when a scan is due, otherwise new entries (waiting up to
   * `blockMs`; an empty batch when none came).
   */
  async next(
    options: { blockMs?: number; count?: number } = {},
  ): Promise<StreamBatch<T>> {
    const count = options.count ?? this.count;
    while (this.readingPending) {
      const entries = await this.readOwnPending(count);
      if (entries === undefined) this.readingPending = false;
      else if (entries.length > 0) return { entries, source: 'pending' };
    }
    if (this.now() - this.lastClaimScan >= this.claimIntervalMs) {
      const claimed = await this.claim(count);
      if (claimed.length > 0) return { entries: claimed, source: 'claimed' };
    }
    return {
      entries: await this.readNew(count, options.blockMs ?? this.blockMs),
      source: 'new',
    };
  }

  /** Acknowledges settled entries (`XACK`, one per stream). */
  async ack(
    entries: readonly Pick<StreamEntry<unknown>, 'id' | 'stream'>[],
  ): Promise<void> {
    const byStream = new Map<string, string[]>();
    for (const { id, stream } of entries) {
      const ids = byStream.get(stream);
      if (ids) ids.push(id);
      else byStream.set(stream, [id]);
    }
    await Promise.all(
      [...byStream].map(([stream, ids]) =>
        this.redis.xack(stream, this.group, ...ids),
      ),
    );
  }

  /**
   * Per stream, the entries not yet delivered to the group (`XINFO GROUPS`
   * `lag`; 0 when Redis cannot tell, e.g. after a deletion).
   */
  async lag(): Promise<Map<string, number>> {
    const lags = new Map<string, number>();
    for (const stream of this.streams) {
      const groups = (await this.redis.xinfo('GROUPS', stream)) as unknown[][];
      for (const group of groups) {
        const info = new Map<string, unknown>();
        for (let i = 0; i + 1 < group.length; i += 2)
          info.set(String(group[i]), group[i + 1]);
        if (info.get('name') !== this.group) continue;
        const lag = Number(info.get('lag'));
        lags.set(stream, Number.isFinite(lag) ? lag : 0);
      }
    }
    return lags;
  }

  /**
   * Reads and handles batches while `running()` holds: each batch's entries
   * are acknowledged once `handle` resolves (all of them, or the ones it
   * returns as settled). A failed round is reported to `onError`, waits
   * `errorDelayMs`, and re-reads the consumer's pending entries.
   */
  async run(options: {
    errorDelayMs?: number;
    handle: (
      batch: StreamBatch<T>,
    ) =>
      | Promise<readonly StreamEntry<T>[] | void>
      | readonly StreamEntry<T>[]
      | void;
    onError: (err: unknown) => void;
    running: () => boolean;
  }): Promise<void> {
    const { errorDelayMs = 1000, handle, onError, running } = options;
    while (running()) {
      try {
        const batch = await this.next();
        if (batch.entries.length === 0) continue;
        const settled = await handle(batch);
        await this.ack(settled ?? batch.entries);
        if (settled && settled.length < batch.entries.length) this.rewind();
      } catch (err) {
        if (!running()) break;
        onError(err);
        this.rewind();
        await new Promise((resolve) => setTimeout(resolve, errorDelayMs));
      }
    }
  }

  /**
   * Own pending entries after the cursors. `undefined` when there are none
   * left; entries trimmed meanwhile are acknowledged (nothing to process).
   */
  private async readOwnPending(
    count: number,
  ): Promise<StreamEntry<T>[] | undefined> {
    const read = await this.readGroup(count, [
      'STREAMS',
      ...this.streams,
      ...this.streams.map((s) => this.pendingCursor.get(s) ?? '0'),
    ]);
    for (const { id, stream } of [...read.entries, ...read.gone])
      if (compareIds(id, this.pendingCursor.get(stream) ?? '0') > 0)
        this.pendingCursor.set(stream, id);
    if (read.gone.length > 0) await this.ack(read.gone);
    return read.entries.length + read.gone.length > 0
      ? read.entries
      : undefined;
  }

  /** One step of the scan for entries idle past `claimIdleMs`, stream by stream. */
  private async claim(count: number): Promise<StreamEntry<T>[]> {
    for (const stream of this.streams) {
      let cursor = this.claimCursor.get(stream) ?? '0-0';
      if (cursor === 'done') continue;
      while (cursor !== 'done') {
        const [next, raw] = (await this.redis.callBuffer(
          'XAUTOCLAIM',
          stream,
          this.group,
          this.consumer,
          this.claimIdleMs,
          cursor,
          'COUNT',
          count,
        )) as ClaimReply;
        cursor = next.toString() === '0-0' ? 'done' : next.toString();
        this.claimCursor.set(stream, cursor);
        const entries: StreamEntry<T>[] = [];
        for (const item of raw) {
          // Redis 6.2 answers a claimed entry deleted meanwhile with nil.
          if (!item || item[1] === null) continue;
          const id = item[0].toString();
          entries.push({ id, stream, value: this.decode(item[1], stream, id) });
        }
        if (entries.length > 0) return entries;
      }
    }
    this.claimCursor.clear();
    this.lastClaimScan = this.now();
    return [];
  }

  /**
   * New entries only (`XREADGROUP >`), waiting up to `blockMs`; with
   * `blockMs` 0 (or less) only those already in the stream, without waiting:
   * for a caller that fills a batch after {@link next} returned new entries.
   */
  async readNew(count: number, blockMs: number): Promise<StreamEntry<T>[]> {
    const wait = Math.round(blockMs);
    const read = await this.readGroup(count, [
      ...(wait > 0 ? ['BLOCK', wait] : []),
      'STREAMS',
      ...this.streams,
      ...this.streams.map(() => '>'),
    ]);
    return read.entries;
  }

  /**
   * One `XREADGROUP`: the decoded entries, and those whose fields are gone
   * (a pending entry trimmed meanwhile).
   */
  private async readGroup(
    count: number,
    tail: (number | string)[],
  ): Promise<{ entries: StreamEntry<T>[]; gone: StreamEntry<null>[] }> {
    const reply = (await this.redis.callBuffer(
      'XREADGROUP',
      'GROUP',
      this.group,
      this.consumer,
      'COUNT',
      count,
      ...tail,
    )) as ReadReply;
    const entries: StreamEntry<T>[] = [];
    const gone: StreamEntry<null>[] = [];
    for (const [rawStream, raw] of reply ?? []) {
      const stream = rawStream.toString();
      for (const [rawId, fields] of raw) {
        const id = rawId.toString();
        if (fields === null) gone.push({ id, stream, value: null });
        else
          entries.push({ id, stream, value: this.decode(fields, stream, id) });
      }
    }
    return { entries, gone };
  }
}

/** Orders two stream ids (`<ms>-<seq>`). */
function compareIds(a: string, b: string): number {
  const [am, as = 0] = a.split('-').map(Number);
  const [bm, bs = 0] = b.split('-').map(Number);
  return am - bm || as - bs;
}

function isCluster(client: StreamClient): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true;
}

/** Field/value list of an entry as a map of strings (for text fields). */
export function fieldMap(fields: Buffer[]): Map<string, Buffer> {
  const map = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2)
    map.set(fields[i].toString(), fields[i + 1]);
  return map;
}
