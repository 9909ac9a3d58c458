import { RedisIngestStream } from '@freeride/ingest-delivery';
import {
  type RedisClient,
  duplicateRedisClient,
} from '@freeride/redis-connection';

/** One stream a {@link StreamWorkers} loop reads. */
export interface StreamJob {
  /** Stream key. */
  key: string;
  /** Connection name suffix, e.g. `logs-p0`. */
  name: string;
}

/** One consumer loop per stream, each on its own blocking Redis connection. */
export class StreamWorkers {
  private readonly readers: RedisClient[] = [];
  private readonly loops: Promise<void>[] = [];
  private active = false;

  /**
   * @param redis connection to duplicate: XREADGROUP BLOCK holds a
   *   connection, so every loop gets its own
   * @param name connection name prefix, e.g. `ingest-indexer`
   */
  constructor(
    private readonly redis: RedisClient,
    private readonly name: string,
  ) {}

  /** True until {@link stop} is called: loops run while it holds. */
  get running(): boolean {
    return this.active;
  }

  /** Starts `run` for each job, on a stream bound to a fresh reader connection. */
  start<J extends StreamJob>(
    jobs: readonly J[],
    run: (
      job: J,
      stream: RedisIngestStream,
      client: RedisClient,
    ) => Promise<void>,
  ): void {
    this.active = true;
    for (const job of jobs) {
      const reader = duplicateRedisClient(this.redis, {
        connectionName: `${this.name}-${job.name}`,
        enableOfflineQueue: true,
      });
      // Connection errors surface in the loops' own reads; ioredis reconnects.
      reader.on('error', () => undefined);
      this.readers.push(reader);
      this.loops.push(
        run(job, new RedisIngestStream(reader, { key: job.key }), reader),
      );
    }
  }

  /**
   * Stops the loops: waits for them to finish their batch in flight, at most
   * `deadlineMs`, then closes the connections.
   * @returns whether every loop finished before the deadline
   */
  async stop(deadlineMs: number): Promise<'drained' | 'timeout'> {
    this.active = false;
    const outcome = await Promise.race([
      Promise.all(this.loops).then(() => 'drained' as const),
      new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), deadlineMs).unref(),
      ),
    ]);
    for (const reader of this.readers) reader.disconnect();
    return outcome;
  }
}

/** One job per partition stream of each signal, named `<signal>-p<n>`. */
export function partitionJobs<S extends string>(
  streams: Partial<Record<S, readonly { key: string }[]>>,
  signals: readonly S[],
): (StreamJob & { signal: S })[] {
  return signals.flatMap((signal) =>
    (streams[signal] ?? []).map(({ key }, p) => ({
      key,
      name: `${signal}-p${p}`,
      signal,
    })),
  );
}
