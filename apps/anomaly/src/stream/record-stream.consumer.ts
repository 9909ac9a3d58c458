import {
  ConsumerGroupReader,
  type StreamClient,
  fieldMap,
} from '@freeride/stream-consumer';

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
  /** Stream keys to read; on a Redis Cluster, keys of one hash slot. */
  readonly streams: readonly string[];
}

function toMessage(
  fields: Buffer[],
  stream: string,
  id: string,
): StreamMessage {
  const map = fieldMap(fields);
  const traceparent = map.get('traceparent')?.toString();
  return {
    event: map.get('event')?.toString() ?? '',
    id,
    stream,
    ...(traceparent ? { traceparent } : {}),
  };
}

/**
 * The anomaly service's reader of the partitioned record streams: the
 * platform's {@link ConsumerGroupReader} (own pending entries first, stale
 * entries of stopped consumers claimed, then new ones; acknowledged only
 * after the handler resolved) with a start/stop loop.
 */
export class RecordStreamConsumer {
  private readonly reader: ConsumerGroupReader<StreamMessage>;
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    redis: StreamClient,
    private readonly options: RecordStreamConsumerOptions,
  ) {
    this.reader = new ConsumerGroupReader(redis, {
      blockMs: options.blockMs,
      claimIdleMs: options.claimIdleMs,
      consumer: options.consumer,
      count: options.batch,
      decode: toMessage,
      group: options.group,
      streams: options.streams,
    });
  }

  /** Creates the group on every stream (and the stream itself), from the start. */
  ensureGroups(): Promise<void> {
    return this.reader.ensureGroups();
  }

  /** Starts the read loop; `onError` hears every failed round (the loop goes on). */
  start(onError: (err: unknown) => void): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.reader.run({
      handle: (batch) => this.options.handle(batch.entries.map((e) => e.value)),
      onError,
      running: () => this.running,
    });
  }

  /** Stops after the current round; resolves when the loop ended. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Group lag per stream (entries not yet delivered to the group). */
  lag(): Promise<Map<string, number>> {
    return this.reader.lag();
  }
}
