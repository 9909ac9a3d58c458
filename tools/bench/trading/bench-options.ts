import { join } from 'node:path';
import { parseArgs } from 'node:util';

/** Command-line options of bench:trading (see bench-trading.ts). */
export const { values: args } = parseArgs({
  options: {
    /** Ticks in the stream before the app starts (evaluator throughput run). */
    'backlog-ticks': { default: '500000', type: 'string' },
    /** First delivery attempts in flight per app instance (`TRADING_DELIVERY_CONCURRENCY`). */
    'delivery-concurrency': { default: '32', type: 'string' },
    headlines: { default: '10000', type: 'string' },
    'indicator-rules': { default: '10000', type: 'string' },
    /** Evaluator instances of the app runs (comma-separated: each count runs in turn; several share the symbol partitions). */
    instances: { default: '1,2', type: 'string' },
    json: { type: 'string' },
    /** Tick → webhook run: one line per measured delivery, `[published, committed, received]` (epoch ms). */
    latencies: { type: 'string' },
    /** Only these parts (comma-separated: engine, webhook, throughput, sentiment); unset: all. */
    only: { type: 'string' },
    'naive-ticks': { default: '20000', type: 'string' },
    /** Directory for a V8 CPU profile of the app (`--cpu-prof`); unset: no profile. */
    'profile-app': { type: 'string' },
    /** Quotes per stream entry of the throughput run (comma-separated: each size runs in turn; 1: one entry per tick, more: the trades of one provider frame). */
    'quotes-per-entry': { default: '1,50', type: 'string' },
    rate: { default: '5000', type: 'string' },
    rules: { default: '10000', type: 'string' },
    seconds: { default: '20', type: 'string' },
    'skip-e2e': { default: false, type: 'boolean' },
    symbols: { default: '1000', type: 'string' },
    ticks: { default: '1000000', type: 'string' },
  },
});
export const N_INDICATOR_RULES = Number(args['indicator-rules']);
export const N_RULES = Number(args.rules);
export const N_SYMBOLS = Number(args.symbols);
export const N_TICKS = Number(args.ticks);
export const ROOT = join(__dirname, '..', '..', '..');
/** A timed run first publishes WARMUP_MS of ticks, evaluated and delivered before it is measured. */
export const WARMUP_MS = 2000;

/** Whether part `name` of the benchmark runs (`--only`, `--skip-e2e`). */
export function runs(
  name: 'engine' | 'sentiment' | 'throughput' | 'webhook',
): boolean {
  if (args['skip-e2e'] && (name === 'webhook' || name === 'throughput'))
    return false;
  return !args.only || args.only.split(',').includes(name);
}
