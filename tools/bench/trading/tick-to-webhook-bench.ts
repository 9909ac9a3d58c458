import { QUOTE_STREAM_KEY } from '@freeride/contracts';
import { waitFor } from '@freeride/testing';

import { writeFileSync } from 'node:fs';

import { makeTicks, percentile, prng, symbolName } from './bench-data';
import { WARMUP_MS, args } from './bench-options';
import { quoteFields, startTradingAppFixture } from './trading-app-fixture';

/** Where the first bar close falls in the measured ticks (tick time; 5 s of the clock at 5,000 ticks/s). */
const BAR_CLOSE_TICK_MS = 25_000;

/**
 * The real app on real PostgreSQL and Redis, ticks published on the quote
 * stream at a fixed rate, a local webhook receiver; latency = receiver time
 * − publish time, end to end (stream, evaluation, commit, queue, worker,
 * HTTP POST), for every delivery of a tick published after the warm-up.
 */
export async function benchTickToWebhook(instances = 1) {
  const rate = Number(args.rate);
  const seconds = Number(args.seconds);
  const latencies: number[] = [];
  // Deliveries of the warm-up ticks (published before this) are not measured.
  let measureFrom = Number.POSITIVE_INFINITY;
  const published = new Map<number, number>();
  /** Receiver time of each measured delivery, by idempotency key. */
  const receivedAt = new Map<string, number>();
  const fixture = await startTradingAppFixture((key, now) => {
    const sent = published.get(Number(key.split('@')[1]));
    if (sent !== undefined && sent >= measureFrom) {
      latencies.push(now - sent);
      receivedAt.set(key, now);
    }
  });
  try {
    await fixture.start({ TRADING_EVAL_BLOCK_MS: '20' }, instances);
    const total = rate * seconds;
    // A warm-up first (JIT, connection pools, Lua scripts, and the burst of
    // firings of every rule that holds when 20,000 rules are armed at once),
    // evaluated and delivered before the measured run starts.
    const warm = Math.round((rate * WARMUP_MS) / 1000);
    // Tick time (1 ms a tick) runs ahead of the clock from a start chosen
    // so that the first minute boundary, where every symbol closes a bar
    // and the rules armed at start fire together (the largest burst), falls
    // BAR_CLOSE_TICK_MS into the measured ticks in every run, the next one
    // 60 s of tick time later: which bursts are measured no longer depends
    // on the second the run starts.
    const boundaryAt = warm + BAR_CLOSE_TICK_MS;
    const t0 =
      Math.ceil((Date.now() + boundaryAt) / 60_000) * 60_000 - boundaryAt;
    const ticks = makeTicks(prng(3), warm + total, t0);
    const stepMs = 10;
    const perStep = Math.max(1, Math.round((rate * stepMs) / 1000));
    /** Publishes ticks `from` … `to - 1` at `rate`, in steps of `stepMs`. */
    const publish = async (from: number, to: number) => {
      const start = performance.now();
      for (let i = from; i < to; i += perStep) {
        const due = start + ((i - from) / rate) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const pipe = fixture.redis.pipeline();
        const now = performance.timeOrigin + performance.now();
        for (let j = i; j < Math.min(to, i + perStep); j++) {
          const asOf = ticks.asOf(j);
          published.set(asOf, now);
          pipe.xadd(
            QUOTE_STREAM_KEY,
            '*',
            ...quoteFields(
              symbolName(ticks.sym[j]),
              asOf,
              ticks.price[j],
              ticks.volume[j],
              now,
            ),
          );
        }
        await pipe.exec();
      }
      return (performance.now() - start) / 1000;
    };
    const caughtUp = () =>
      waitFor(() => fixture.caughtUp(), {
        description: 'all ticks evaluated and delivered',
        intervalMs: 200,
        timeoutMs: 120_000,
      });
    await publish(0, warm);
    await caughtUp();
    measureFrom = performance.timeOrigin + performance.now();
    const cpuBefore = fixture.appCpuSeconds();
    const publishSeconds = await publish(warm, warm + total);
    await caughtUp();
    const appCpuSeconds = fixture.appCpuSeconds() - cpuBefore;
    latencies.sort((x, y) => x - y);
    // Breakdown: publish → trigger committed in PostgreSQL (evaluation share of the latency).
    const { rows: firedRows } = await fixture.pg.query<{
      at: string;
      idempotency_key: string;
    }>(
      'SELECT idempotency_key, extract(epoch from fired_at) * 1000 AS at FROM alert_triggers',
    );
    // And trigger committed → receiver (the delivery's share).
    const deliveryLags = firedRows
      .map((r) => {
        const sent =
          published.get(Number(r.idempotency_key.split('@')[1])) ?? NaN;
        const received = receivedAt.get(r.idempotency_key) ?? NaN;
        return sent >= measureFrom ? received - Number(r.at) : NaN;
      })
      .filter((x) => Number.isFinite(x))
      .sort((x, y) => x - y);
    // The largest burst: measured firings of ticks published within 250 ms
    // of each other (a bar close fires hundreds of indicator rules at once).
    const firedAt = firedRows
      .map((r) => published.get(Number(r.idempotency_key.split('@')[1])) ?? NaN)
      .filter((sent) => sent >= measureFrom)
      .sort((x, y) => x - y);
    let burstFirings = 0;
    for (let lo = 0, hi = 0; hi < firedAt.length; hi++) {
      while (firedAt[hi] - firedAt[lo] > 250) lo++;
      burstFirings = Math.max(burstFirings, hi - lo + 1);
    }
    // Deliveries that went through BullMQ (a failed or an overflowing first attempt).
    const queuedJobs = await fixture.redis.zcard(
      '{freeride:bull}:trading-deliveries:completed',
    );
    const evalLags = firedRows
      .map((r) => {
        const sent =
          published.get(Number(r.idempotency_key.split('@')[1])) ?? NaN;
        return sent >= measureFrom ? Number(r.at) - sent : NaN;
      })
      .filter((x) => Number.isFinite(x))
      .sort((x, y) => x - y);
    if (args['latencies']) {
      // Per measured delivery: [published, committed, received] (epoch ms).
      const lines = firedRows.flatMap((r) => {
        const sent = published.get(Number(r.idempotency_key.split('@')[1]));
        const received = receivedAt.get(r.idempotency_key);
        return sent === undefined || received === undefined
          ? []
          : [JSON.stringify([sent, Number(r.at), received])];
      });
      // One file per instance count: FILE for one, FILE.N for N instances.
      const file =
        instances === 1
          ? args['latencies']
          : `${args['latencies']}.${instances}`;
      writeFileSync(file, lines.join('\n') + '\n');
    }
    const { distinct, duplicates } = fixture.deliveries();
    return {
      appCpuSeconds: Math.round(appCpuSeconds * 100) / 100,
      burstFirings,
      deliveryP50Ms: Math.round(percentile(deliveryLags, 50) * 10) / 10,
      deliveryP99Ms: Math.round(percentile(deliveryLags, 99) * 10) / 10,
      deliveries: distinct,
      duplicateDeliveries: duplicates,
      evalP50Ms: Math.round(percentile(evalLags, 50) * 10) / 10,
      evalP99Ms: Math.round(percentile(evalLags, 99) * 10) / 10,
      fired: evalLags.length,
      instances,
      p50Ms: Math.round(percentile(latencies, 50) * 10) / 10,
      p99Ms: Math.round(percentile(latencies, 99) * 10) / 10,
      maxMs: Math.round(latencies[latencies.length - 1] * 10) / 10,
      measuredDeliveries: latencies.length,
      publishedTicks: total,
      publishedTicksPerSecond: Math.round(total / publishSeconds),
      queuedJobs,
      rules: fixture.rules,
    };
  } finally {
    await fixture.dispose();
  }
}
