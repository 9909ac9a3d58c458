import { QUOTE_STREAM_KEY, quoteStreamFields } from '@freeride/contracts';
import { waitFor } from '@freeride/testing';

import { makeTicks, prng, symbolName } from './bench-data';
import { args } from './bench-options';
import {
  type TradingAppFixture,
  benchQuote,
  startTradingAppFixture,
} from './trading-app-fixture';

/** How often the stored checkpoint is sampled. */
const POLL_MS = 20;
/**
 * The backlog is stamped as a live stream at the goal rate would be: 200
 * ticks per millisecond of tick time (each of the 1,000 symbols every 5 ms),
 * so cooldowns and windows pass as they would at 200,000 ticks/s.
 */
const TICKS_PER_MS = 200;
/**
 * Price move per tick, relative: uniform in ± 0.01 % (a standard deviation
 * of about 0.08 % a second at 200 ticks a second per symbol). The 1 ms runs'
 * ± 0.2 % per tick would move a price by about 1.6 % a second at this rate,
 * and cross the ± 3 % thresholds within seconds.
 */
const TICK_STEP = 0.0002;
/** Ticks of the first run, which fires what holds when 20,000 rules are armed. */
const WARMUP_TICKS = 100_000;

/**
 * Appends ticks `from` … `to - 1` of the replay to the stream, `perEntry`
 * quotes to an entry as the gateway writes the trades of one provider frame
 * (1: one entry per tick). An entry's id is `0-N`, N the number of ticks up
 * to and including its last, so a checkpoint reads as a tick count.
 */
async function appendBacklog(
  fixture: TradingAppFixture,
  ticks: ReturnType<typeof makeTicks>,
  from: number,
  to: number,
  perEntry: number,
): Promise<void> {
  const now = Date.now();
  const entriesPerPipeline = Math.max(1, Math.floor(10_000 / perEntry));
  for (let i = from; i < to;) {
    const pipe = fixture.redis.pipeline();
    for (let e = 0; e < entriesPerPipeline && i < to; e++) {
      const end = Math.min(to, i + perEntry);
      const quotes = [];
      for (let j = i; j < end; j++) {
        quotes.push(
          benchQuote(
            symbolName(ticks.sym[j]),
            ticks.asOf(j),
            ticks.price[j],
            ticks.volume[j],
            now,
          ),
        );
      }
      pipe.xadd(
        QUOTE_STREAM_KEY,
        `0-${end}`,
        ...quoteStreamFields(quotes, now),
      );
      i = end;
    }
    await pipe.exec();
  }
}

/**
 * The evaluator's throughput, in the real app catching up after a restart.
 * A first run arms the 20,000 rules on 100,000 ticks (the rules that hold
 * at once fire then, and cool down), evaluates and delivers everything, and
 * stops. While it is down, a backlog of N ticks is appended, `perEntry`
 * quotes to a stream entry (entry ids `0-k`: k ticks up to its last); the
 * app starts again, resumes from its stored checkpoint (warming up on the
 * ticks before it) and catches up. The stored
 * checkpoint (written by each group commit) is sampled every POLL_MS:
 * ticks/s = ticks between the first sample past the restart point and the
 * sample reaching the last entry, over the time between them. Every tick is
 * read from Redis, parsed, evaluated against the 20,000 rules and committed;
 * the firings of the window are enqueued and delivered by the same process
 * meanwhile (the receiver counts what arrived by the end). The app's own CPU
 * time over the same window (`/proc`) gives ticks per CPU-second of the app,
 * which other load on the machine changes less than the wall-clock rate.
 */
export async function benchEvaluatorThroughput(instances = 1, perEntry = 1) {
  const total = Number(args['backlog-ticks']);
  let delivered = 0;
  const fixture = await startTradingAppFixture(() => delivered++);
  try {
    const all = WARMUP_TICKS + total;
    // A minute boundary halfway through the backlog: every symbol closes a
    // 1-minute bar during the measured run, so crossings of indicators are
    // asked too.
    const boundary = Math.ceil(Date.now() / 60_000) * 60_000 + 60_000;
    const t0 = boundary - Math.floor((WARMUP_TICKS + total / 2) / TICKS_PER_MS);
    const ticks = makeTicks(prng(5), all, t0, TICKS_PER_MS, TICK_STEP);
    // Short blocking reads: the final checkpoint is written once a read finds nothing.
    const env = { TRADING_EVAL_BLOCK_MS: '20', TRADING_EVAL_START: 'earliest' };
    await appendBacklog(fixture, ticks, 0, WARMUP_TICKS, perEntry);
    await fixture.start(env, instances);
    await waitFor(() => fixture.caughtUp(), {
      description: 'the first run evaluated and delivered',
      intervalMs: 200,
      timeoutMs: 300_000,
    });
    await fixture.stop();
    const firedBefore = await triggers(fixture);
    const deliveredBefore = delivered;
    await appendBacklog(fixture, ticks, WARMUP_TICKS, all, perEntry);

    const samples: Array<{ at: number; cpu: number; seq: number }> = [];
    let done = false;
    const poll = (async () => {
      while (!done) {
        // With several instances (started together): the window opens when
        // the first one has moved past the restart point, and the ticks are
        // counted on the least advanced one, so none is measured alone.
        const { max, min: seq, rows } = await fixture.checkpoint();
        const at = performance.now();
        if (rows >= instances && max > WARMUP_TICKS) {
          samples.push({ at, cpu: fixture.appCpuSeconds(), seq });
        }
        if (rows >= instances && seq >= all) done = true;
        else await new Promise((r) => setTimeout(r, POLL_MS));
      }
    })();
    await fixture.start(env, instances);
    const timeout = setTimeout(() => (done = true), 600_000);
    await poll;
    clearTimeout(timeout);
    const first = samples[0];
    const last = samples[samples.length - 1];
    if (!first || last.seq < all) {
      throw new Error('the evaluator did not reach the end of the backlog');
    }
    const seconds = (last.at - first.at) / 1000;
    const cpuSeconds = last.cpu - first.cpu;
    return {
      appCpuSeconds: Math.round(cpuSeconds * 100) / 100,
      backlogTicks: total,
      deliveredMeanwhile: delivered - deliveredBefore,
      fired: (await triggers(fixture)) - firedBefore,
      instances,
      measuredTicks: last.seq - first.seq,
      quotesPerEntry: perEntry,
      rules: fixture.rules,
      samples: samples.length,
      seconds: Math.round(seconds * 1000) / 1000,
      ticksPerAppCpuSecond: Math.round((last.seq - first.seq) / cpuSeconds),
      ticksPerSecond: Math.round((last.seq - first.seq) / seconds),
    };
  } finally {
    await fixture.dispose();
  }
}

async function triggers(fixture: TradingAppFixture): Promise<number> {
  const { rows } = await fixture.pg.query<{ n: string }>(
    'SELECT count(*) AS n FROM alert_triggers',
  );
  return Number(rows[0].n);
}
