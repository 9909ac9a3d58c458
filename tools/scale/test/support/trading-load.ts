import { QUOTE_STREAM_KEY, partitionOf } from '@freeride/contracts';

import { type Cluster, type Redis } from 'ioredis';
import { type Server, createServer } from 'node:http';
import { type AddressInfo } from 'node:net';

/** The first symbol `SCALE<n>` of each of `count` evaluator partitions. */
export function symbolPerPartition(count: number): string[] {
  return Array.from({ length: count }, (_, p) => {
    for (let n = 0; ; n++)
      if (partitionOf(`SCALE${n}`, count) === p) return `SCALE${n}`;
  });
}

/** Records the idempotency key of every webhook it answers 200, and when it came. */
export class KeyRecordingReceiver {
  readonly keys: string[] = [];
  /** Arrival times (epoch ms) by key. */
  private readonly arrivals = new Map<string, number[]>();
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            idempotencyKey?: string;
          };
          const key = body.idempotencyKey;
          if (key) {
            this.keys.push(key);
            this.arrivals.set(key, [
              ...(this.arrivals.get(key) ?? []),
              Date.now(),
            ]);
          }
        } catch {
          // not a trigger: counted nowhere
        }
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) =>
      this.server!.listen(0, '127.0.0.1', resolve),
    );
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * Keys received more than once, each with its arrival times (UTC), except those sent once more
   * after a SIGKILL: a key received twice whose first arrival lies in one of `inFlightAtKill` (its
   * sender was killed after the receiver had it and before it could record the delivery, so the
   * survivor's recovery sends it again, with the same key for the receiver to drop).
   */
  duplicates(
    inFlightAtKill: readonly { from: number; to: number }[] = [],
  ): string[] {
    const time = (t: number) => new Date(t).toISOString().slice(11, 23);
    return [...this.arrivals]
      .filter(
        ([, times]) =>
          times.length > 2 ||
          (times.length === 2 &&
            !inFlightAtKill.some(
              (w) => times[0] >= w.from && times[0] <= w.to,
            )),
      )
      .map(([key, times]) => `${key} at ${times.map(time).join(', ')}`);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}

/**
 * Steady ticks on the quote stream, as the gateway publishes them: every `intervalMs` one
 * tick per symbol, every other one above `threshold`. Counts the ticks above it that Redis
 * acknowledged with at least one replica holding them (`WAIT 1`, as the ingest acknowledges):
 * each must fire its rule exactly once, even across a master failover.
 */
export class TickLoad {
  /** Acknowledged ticks above the threshold, per symbol. */
  readonly above = new Map<string, number>();
  /**
   * Ticks above the threshold whose fate is unknown (written, but no replica confirmed it, or
   * no answer): a trigger for them is allowed, not owed.
   */
  uncertain = 0;
  private loop?: Promise<void>;
  private n = 0;
  private running = false;
  private readonly t0 = Date.now();

  constructor(
    private readonly redis: Cluster | Redis,
    private readonly symbols: string[],
    private readonly threshold: number,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    this.running = true;
    const t0 = this.t0;
    this.loop = (async () => {
      while (this.running) {
        const i = this.n++;
        const high = i % 2 === 1;
        for (const symbol of this.symbols) {
          const now = Date.now();
          const quote = {
            ageMs: 0,
            asOf: new Date(t0 + i * 1000).toISOString(),
            cached: false,
            price: this.threshold + (high ? 1 : -1),
            provider: 'finnhub',
            receivedAt: new Date(now).toISOString(),
            stale: false,
            symbol,
          };
          try {
            // One node: the XADD and the WAIT for its replica go to the same master.
            const replies = await this.redis
              .pipeline()
              .xadd(
                QUOTE_STREAM_KEY,
                '*',
                'kind',
                'quote',
                'payload',
                JSON.stringify(quote),
                'producedAt',
                String(now),
                'symbol',
                symbol,
              )
              .wait(1, 1000)
              .exec();
            const written = replies?.[0] && !replies[0][0];
            const replicated = written && Number(replies?.[1]?.[1]) >= 1;
            if (high && replicated)
              this.above.set(symbol, (this.above.get(symbol) ?? 0) + 1);
            else if (high && written) this.uncertain += 1;
          } catch {
            // No answer (a failover): the tick may or may not be on the stream.
            if (high) this.uncertain += 1;
          }
        }
        await new Promise((r) => setTimeout(r, this.intervalMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Triggers owed so far: one per acknowledged tick above the threshold. */
  get owed(): number {
    return [...this.above.values()].reduce((a, b) => a + b, 0);
  }
}
