/* eslint-disable no-console -- a benchmark CLI: it prints its figures */
/**
 * Trading alerts benchmark (issues 5 and 14).
 *
 * 1. Evaluation (evaluation-bench.ts): 10,000 rules over 1,000 symbols, a
 *    replay of 1,000,000 ticks through the indexed RuleEngine; the naive scan
 *    of all rules per tick runs on a prefix and must fire the same rules.
 * 2. Indicators (evaluation-bench.ts): 10,000 indicator rules (SMA/EMA,
 *    crossovers, RSI, MACD, Bollinger, an AND) over the same symbols, seeded
 *    with 60 bars each, over the same replay; a naive recomputation (bars and
 *    indicators rebuilt from the history for every question) on a prefix must
 *    agree tick by tick.
 * 3. Tick → webhook (tick-to-webhook-bench.ts): the built app on real
 *    PostgreSQL and Redis with both rule sets, its indicator rules seeded from
 *    a bars endpoint, ticks published on the quote stream at a fixed rate, a
 *    local webhook receiver; latency = receiver time − publish time.
 * 4. Evaluator throughput (evaluator-throughput-bench.ts): the same app
 *    draining a backlog of 500,000 ticks from the quote stream; ticks/s from
 *    the stored checkpoint's progress. Once with one quote per stream entry
 *    (a provider sending one trade per message), once with 50 (the trades of
 *    one provider frame, as the gateway writes them).
 * 5. Sentiment (sentiment-bench.ts): 10,000 replayed headlines through
 *    SentimentPipeline against the OpenAI fake, vs one request per headline.
 *
 * usage: npm run bench:trading -- [--ticks 1000000] [--rate 5000] [--seconds 20]
 *          [--naive-ticks 20000] [--indicator-rules 10000] [--backlog-ticks 500000]
 *          [--headlines 10000] [--json FILE] [--skip-e2e] [--profile-app DIR]
 *          [--only engine,webhook,throughput,sentiment] [--latencies FILE]
 *          [--instances 1,2] [--quotes-per-entry 1,50] [--delivery-concurrency 32]
 *
 * `--skip-e2e` skips 3 and 4 (the runs of the app); `--only` runs only the
 * parts named (engine: 1 and 2); `--profile-app DIR` writes a V8 CPU
 * profile of each app run there; `--latencies FILE` writes each measured
 * delivery's publish, commit and receipt times of the tick → webhook run
 * (FILE.N for N instances); `--instances 1,2` (the default) runs 3 and 4
 * with one evaluator instance, then with two sharing the symbol partitions
 * (fixed shares: `TRADING_EVAL_PARTITIONS`); `--quotes-per-entry 1,50` (the
 * default) runs 4 with each entry size in turn; `--delivery-concurrency N`
 * (default 32) is each app instance's `TRADING_DELIVERY_CONCURRENCY`.
 * Environment: `BENCH_TRADING_NODE_OPTIONS` (node options of the app
 * processes only, e.g. `--max-semi-space-size=4`), `BENCH_TRADING_LOG_DIR`
 * (keeps the app processes' logs there).
 */
import { writeFileSync } from 'node:fs';

import {
  N_INDICATOR_RULES,
  N_RULES,
  N_SYMBOLS,
  N_TICKS,
  args,
  runs,
} from './bench-options';
import { benchEvaluation, benchIndicatorEvaluation } from './evaluation-bench';
import { benchEvaluatorThroughput } from './evaluator-throughput-bench';
import { benchSentiment } from './sentiment-bench';
import { benchTickToWebhook } from './tick-to-webhook-bench';

async function main(): Promise<void> {
  // The servers of @freeride/testing do not keep the event loop alive (they
  // are unref'd for tests): hold it open until the benchmark is done.
  const keepAlive = setInterval(() => undefined, 1000);
  let evaluation: ReturnType<typeof benchEvaluation> | undefined;
  let indicators: ReturnType<typeof benchIndicatorEvaluation> | undefined;
  if (runs('engine')) {
    console.log(
      `evaluation: ${N_RULES} rules over ${N_SYMBOLS} symbols, ${N_TICKS} ticks`,
    );
    evaluation = benchEvaluation();
    console.table([
      {
        engine: 'indexed (RuleEngine)',
        fires: evaluation.fires,
        seconds: evaluation.indexedSeconds.toFixed(2),
        ticks: evaluation.ticks,
        'ticks/s': evaluation.indexedTicksPerSecond,
      },
      {
        engine: 'naive scan (NaiveRuleEngine)',
        fires: evaluation.naivePrefixFires,
        seconds: evaluation.naiveSeconds.toFixed(2),
        ticks: evaluation.naiveTicks,
        'ticks/s': evaluation.naiveTicksPerSecond,
      },
    ]);
    console.log(
      `speed-up ${evaluation.speedup}x; naive vs indexed mismatched ticks on the prefix: ${evaluation.naiveMismatchedTicks}`,
    );

    console.log(
      `indicators: ${N_INDICATOR_RULES} indicator rules over ${N_SYMBOLS} symbols, ${N_TICKS} ticks`,
    );
    indicators = benchIndicatorEvaluation();
    console.table([
      {
        engine: 'RuleEngine (streaming indicators)',
        fires: indicators.fires,
        seconds: indicators.seconds.toFixed(2),
        ticks: indicators.ticks,
        'ticks/s': indicators.ticksPerSecond,
      },
      {
        engine: 'naive recomputation (NaiveSignals)',
        fires: indicators.naiveFires,
        seconds: indicators.naiveSeconds.toFixed(2),
        ticks: indicators.naiveTicks,
        'ticks/s': indicators.naiveTicksPerSecond,
      },
    ]);
    console.log(
      `speed-up ${indicators.speedup}x; naive vs engine mismatched ticks on the prefix: ${indicators.naiveMismatchedTicks}`,
    );
  }

  /** One result per evaluator instance count (`--instances`). */
  const instanceCounts = args.instances.split(',').map(Number);
  const endToEnd: Array<Awaited<ReturnType<typeof benchTickToWebhook>>> = [];
  const throughput: Array<
    Awaited<ReturnType<typeof benchEvaluatorThroughput>>
  > = [];
  if (runs('webhook')) {
    for (const instances of instanceCounts) {
      console.log(
        `tick → webhook: ${args.rate} ticks/s for ${args.seconds} s through the app (${instances} evaluator instance(s), up to ${args['delivery-concurrency']} first delivery attempts in flight each)`,
      );
      endToEnd.push(await benchTickToWebhook(instances));
    }
    console.table(endToEnd);
  }
  if (runs('throughput')) {
    const perEntry = args['quotes-per-entry'].split(',').map(Number);
    for (const quotes of perEntry) {
      for (const instances of instanceCounts) {
        console.log(
          `evaluator throughput: the app draining ${args['backlog-ticks']} ticks from the stream, ${quotes} quote(s) per entry (${instances} evaluator instance(s))`,
        );
        throughput.push(await benchEvaluatorThroughput(instances, quotes));
      }
    }
    console.table(throughput);
  }
  let sentiment: Awaited<ReturnType<typeof benchSentiment>> | undefined;
  if (runs('sentiment')) {
    console.log(`sentiment: ${args.headlines} headlines`);
    sentiment = await benchSentiment();
    console.table([sentiment]);
  }
  if (args.json) {
    writeFileSync(
      args.json,
      JSON.stringify(
        {
          endToEnd,
          evaluation,
          indicators,
          options: args,
          sentiment,
          throughput,
        },
        null,
        2,
      ),
    );
    console.log(`wrote ${args.json}`);
  }
  clearInterval(keepAlive);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
