import { RedisIngestStream } from '@freeride/ingest-delivery';

import type { Redis } from 'ioredis';

/** One consumer loop per stream, each on its own blocking Redis connection. */
export class StreamWorkers {
  private readonly readers: Redis[] = [];
  private readonly loops: Promise<void>[] = [];
  private active = false;

  /**
   * @param redis connection to duplicate: XREADGROUP BLOCK holds a
   *   connection, so every loop gets its own
   * @param name connection name prefix, e.g. `ingest-indexer`
   */
  constructor(
    private readonly redis: Redis,
    private readonly name: string,
  ) {}

  /** True until {@link stop} is called: loops run while it holds. */
  get running(): boolean {
    return this.active;
  }

  /** Starts `run` for each key, on a stream bound to a fresh reader connection. */
  start<K extends string>(
    keys: Record<K, string>,
    run: (key: K, stream: RedisIngestStream, client: Redis) => Promise<void>,
  ): void {
    this.active = true;
    for (const [key, streamKey] of Object.entries(keys) as [K, string][]) {
      const reader = this.redis.duplicate({
        connectionName: `${this.name}-${key}`,
        enableOfflineQueue: true,
      });
      // Connection errors surface in the loops' own reads; ioredis reconnects.
      reader.on('error', () => undefined);
      this.readers.push(reader);
      this.loops.push(
        run(key, new RedisIngestStream(reader, { key: streamKey }), reader),
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
