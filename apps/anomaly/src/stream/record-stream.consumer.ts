import type { Redis } from 'ioredis';

/** One stream message handed to the handler. */
export interface StreamMessage {
  /** Raw `event` field (JSON). */
  readonly event: string;
  readonly id: string;
  /** Stream key the message came from. */
  readonly stream: string;
  /** W3C traceparent of the producer, when it set one. */
  readonly traceparent?: string;
}

/** Options of {@link RecordStreamConsumer}. */
export interface RecordStreamConsumerOptions {
  /** Most messages per XREADGROUP / XAUTOCLAIM call. */
  readonly batch: number;
  /** XREADGROUP BLOCK, ms. */
  readonly blockMs: number;
  /** Pending entries idle this long belong to a dead consumer and are claimed. */
  readonly claimIdleMs: number;
  /** This consumer's name in the group; stable across restarts to resume its own pending entries. */
  readonly consumer: string;
  /** Consumer group name. */
  readonly group: string;
  /**
   * Processes a batch; its messages are acknowledged after it resolves.
   * Throwing leaves them pending, to be retried or claimed.
   */
  readonly handle: (messages: StreamMessage[]) => Promise<void> | void;
  /** Stream keys to read. */
  readonly streams: readonly string[];
}

type RawEntry = [id: string, fields: string[]];

function toMessage(stream: string, [id, fields]: RawEntry): StreamMessage {
  let event = '';
  let traceparent: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'event') event = fields[i + 1] ?? '';
    else if (fields[i] === 'traceparent') traceparent = fields[i + 1];
  }
  return { event, id, stream, ...(traceparent ? { traceparent } : {}) };
}

/**
 * Reads partitioned Redis streams through a consumer group, at least once:
 * its own pending entries first (a restarted instance resumes where it
 * stopped), then new entries, and from time to time the pending entries of
 * dead consumers (XAUTOCLAIM). Messages are acknowledged only after the
 * handler resolved.
 *
 * @see https://redis.io/docs/latest/develop/data-types/streams/#consumer-groups
 */
export class RecordStreamConsumer {
  private lastClaimMs = 0;
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly options: RecordStreamConsumerOptions,
  ) {}

  /** Creates the group on every stream (and the stream itself), from the start. */
  async ensureGroups(): Promise<void> {
    for (const stream of this.options.streams) {
      try {
        await this.redis.xgroup(
          'CREATE',
          stream,
          this.options.group,
          '0',
          'MKSTREAM',
        );
      } catch (err) {
        if (!(err instanceof Error) || !err.message.includes('BUSYGROUP'))
          throw err;
      }
    }
  }

  /** Starts the read loop; `onError` hears every failed round (the loop goes on). */
  start(onError: (err: unknown) => void): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run(onError);
  }

  /** Stops after the current round; resolves when the loop ended. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Reads and handles one round: own pending, claimed, then new entries. Returns messages handled. */
  async poll(): Promise<number> {
    let handled = await this.readPending();
    if (Date.now() - this.lastClaimMs >= this.options.claimIdleMs / 2) {
      this.lastClaimMs = Date.now();
      handled += await this.claimDead();
    }
    if (handled > 0) return handled;
    return this.readNew();
  }

  /** Group lag per stream (entries not yet delivered to the group), from XINFO GROUPS. */
  async lag(): Promise<Map<string, number>> {
    const lags = new Map<string, number>();
    for (const stream of this.options.streams) {
      const groups = (await this.redis.xinfo('GROUPS', stream)) as unknown[][];
      for (const group of groups) {
        const info = new Map<string, unknown>();
        for (let i = 0; i + 1 < group.length; i += 2)
          info.set(String(group[i]), group[i + 1]);
        if (info.get('name') === this.options.group) {
          const lag = Number(info.get('lag'));
          lags.set(stream, Number.isFinite(lag) ? lag : 0);
        }
      }
    }
    return lags;
  }

  private async run(onError: (err: unknown) => void): Promise<void> {
    while (this.running) {
      try {
        await this.poll();
      } catch (err) {
        onError(err);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  private async readPending(): Promise<number> {
    const { batch, consumer, group, streams } = this.options;
    const reply = (await this.redis.xreadgroup(
      'GROUP',
      group,
      consumer,
      'COUNT',
      batch,
      'STREAMS',
      ...streams,
      ...streams.map(() => '0'),
    )) as [string, RawEntry[]][] | null;
    return this.handleReply(reply);
  }

  private async readNew(): Promise<number> {
    const { batch, blockMs, consumer, group, streams } = this.options;
    const reply = (await this.redis.xreadgroup(
      'GROUP',
      group,
      consumer,
      'COUNT',
      batch,
      'BLOCK',
      blockMs,
      'STREAMS',
      ...streams,
      ...streams.map(() => '>'),
    )) as [string, RawEntry[]][] | null;
    return this.handleReply(reply);
  }

  private async claimDead(): Promise<number> {
    const { batch, claimIdleMs, consumer, group, streams } = this.options;
    let handled = 0;
    for (const stream of streams) {
      const [, entries] = (await this.redis.xautoclaim(
        stream,
        group,
        consumer,
        claimIdleMs,
        '0',
        'COUNT',
        batch,
      )) as [string, (RawEntry | null)[]];
      const live = entries.filter((e): e is RawEntry => Array.isArray(e));
      handled += await this.handleReply([[stream, live]]);
    }
    return handled;
  }

  private async handleReply(
    reply: [string, RawEntry[]][] | null,
  ): Promise<number> {
    if (!reply) return 0;
    const messages = reply.flatMap(([stream, entries]) =>
      entries.map((e) => toMessage(stream, e)),
    );
    if (messages.length === 0) return 0;
    await this.options.handle(messages);
    const pipeline = this.redis.pipeline();
    for (const [stream, entries] of reply) {
      if (entries.length > 0)
        pipeline.xack(stream, this.options.group, ...entries.map(([id]) => id));
    }
    await pipeline.exec();
    return messages.length;
  }
}
