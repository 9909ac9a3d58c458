import {
  type RedisClient,
  createRedisClient,
} from '@freeride/redis-connection';

import { Inject, Injectable } from '@nestjs/common';

import { TRADING_CONFIG, type TradingConfig } from '../config/trading.config';

/** One stream entry as Redis returns it: its id and its flat field list. */
export type StreamEntry = [id: string, fields: string[]];

/**
 * The evaluator's reading side of the gateway's quote stream, on a Redis
 * connection of its own (a blocking read holds it).
 */
@Injectable()
export class QuoteStreamReader {
  private redis?: RedisClient;
  /** Rejections of the reads in flight, for {@link close}. */
  private readonly inFlight = new Set<(err: Error) => void>();

  constructor(@Inject(TRADING_CONFIG) private readonly config: TradingConfig) {}

  private get client(): RedisClient {
    this.redis ??= createRedisClient(this.config.redisUrl, {
      maxRetriesPerRequest: null,
    });
    return this.redis;
  }

  /**
   * Up to `count` entries after `afterId`; waits up to `blockMs` for the
   * first one (answers as soon as one is there), `[]` when none came.
   */
  async readAfter(
    afterId: string,
    count: number,
    blockMs: number,
  ): Promise<StreamEntry[]> {
    const read = this.client.xread(
      'COUNT',
      count,
      'BLOCK',
      blockMs,
      'STREAMS',
      this.config.evaluation.stream,
      afterId,
    );
    const res = await new Promise<Awaited<typeof read>>((resolve, reject) => {
      this.inFlight.add(reject);
      read.then(resolve, reject).finally(() => this.inFlight.delete(reject));
    });
    return res?.[0]?.[1] ?? [];
  }

  /** Up to `count` entries from `from` (an id, `(id` exclusive, or ms) to `to` inclusive. */
  async range(from: string, to: string, count: number): Promise<StreamEntry[]> {
    return await this.client.xrange(
      this.config.evaluation.stream,
      from,
      to,
      'COUNT',
      count,
    );
  }

  /** Id of the newest entry, or `0-0` for an empty stream. */
  async lastId(): Promise<string> {
    const last = (await this.client.xrevrange(
      this.config.evaluation.stream,
      '+',
      '-',
      'COUNT',
      1,
    )) as StreamEntry[];
    return last[0]?.[0] ?? '0-0';
  }

  /**
   * Closes the connection; a pending blocking read fails at once. The next
   * read opens a new one.
   */
  close(): void {
    // A Redis Cluster client's disconnect does not fail a read it is retrying across a failover
    // (the read would stay pending forever, and so would a reassignment waiting for it).
    const closed = new Error('quote stream reader closed');
    for (const reject of this.inFlight) reject(closed);
    this.inFlight.clear();
    this.redis?.disconnect();
    this.redis = undefined;
  }
}
