import { QUOTE_STREAM_KEY } from '@freeride/contracts';

import { makeTicks, prng, symbolName } from './bench-data';
import { args } from './bench-options';
import { quoteFields, startTradingAppFixture } from './trading-app-fixture';

/** How often the stored checkpoint is sampled. */
const POLL_MS = 20;
/**
 * The backlog is stamped as a live stream at the goal rate would be: 200
 * ticks per millisecond of tick time (each of the 1,000 symbols every 5 ms),
 * so cooldowns and windows pass as they would at 200,000 ticks/s.
 */
const TICKS_PER_MS = 200;

/**
 * The evaluator's throughput, in the real app: the quote stream holds a
 * backlog of ticks (entry ids `0-1` … `0-N`, so an id is its tick's index)
 * before the app starts from the earliest entry; the stored checkpoint
 * (written by each group commit) is sampled every POLL_MS. Ticks/s =
 * ticks between the first sample past 0 and the sample reaching the last
 * entry, over the time between them: every tick read from Redis, parsed,
 * evaluated against the 20,000 rules and committed, with the firings'
 * deliveries enqueued and sent by the same process meanwhile (the receiver
 * counts what arrived by the end).
 */
export async function benchEvaluatorThroughput() {
  const total = Number(args['backlog-ticks']);
  const fixture = await startTradingAppFixture(() => undefined);
  try {
    // A minute boundary halfway through: every symbol closes a 1-minute bar
    // during the run, so crossings of indicators are asked too.
    const t0 =
      Math.ceil(Date.now() / 60_000) * 60_000 -
      Math.floor(total / TICKS_PER_MS / 2);
    const ticks = makeTicks(prng(5), total, t0, TICKS_PER_MS);
    const now = Date.now();
    for (let i = 0; i < total; i += 10_000) {
      const pipe = fixture.redis.pipeline();
      for (let j = i; j < Math.min(total, i + 10_000); j++) {
        pipe.xadd(
          QUOTE_STREAM_KEY,
          `0-${j + 1}`,
          ...quoteFields(
            symbolName(ticks.sym[j]),
            ticks.asOf(j),
            ticks.price[j],
            ticks.volume[j],
            now,
          ),
        );
      }
      await pipe.exec();
    }
    const samples: Array<{ at: number; seq: number }> = [];
    let done = false;
    const poll = (async () => {
      while (!done) {
        const { rows } = await fixture.pg.query<{ last_id: string }>(
          'SELECT last_id FROM evaluator_checkpoints',
        );
        const seq = Number(rows[0]?.last_id.split('-')[1] ?? 0);
        const at = performance.now();
        if (seq > 0) samples.push({ at, seq });
        if (seq >= total) done = true;
        else await new Promise((r) => setTimeout(r, POLL_MS));
      }
    })();
    // Short blocking reads: the final checkpoint is written once a read finds nothing.
    await fixture.start({
      TRADING_EVAL_BLOCK_MS: '20',
      TRADING_EVAL_START: 'earliest',
    });
    const timeout = setTimeout(() => (done = true), 600_000);
    await poll;
    clearTimeout(timeout);
    const first = samples[0];
    const last = samples[samples.length - 1];
    if (!first || last.seq < total) {
      throw new Error(`the evaluator did not reach the end of the backlog`);
    }
    const seconds = (last.at - first.at) / 1000;
    const { rows } = await fixture.pg.query<{ n: string }>(
      'SELECT count(*) AS n FROM alert_triggers',
    );
    return {
      backlogTicks: total,
      deliveredMeanwhile: fixture.deliveries().distinct,
      fired: Number(rows[0].n),
      measuredTicks: last.seq - first.seq,
      rules: fixture.rules,
      samples: samples.length,
      seconds: Math.round(seconds * 1000) / 1000,
      ticksPerSecond: Math.round((last.seq - first.seq) / seconds),
    };
  } finally {
    await fixture.dispose();
  }
}
