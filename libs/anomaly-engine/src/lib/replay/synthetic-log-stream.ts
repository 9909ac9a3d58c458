import type { LogRecordEvent } from '@freeride/contracts';

/** An error burst injected into a {@link syntheticLogStream}. */
export interface InjectedBurst {
  /** Event time at which the burst starts, epoch ms. */
  readonly atMs: number;
  /** How long it lasts. */
  readonly durationMs: number;
  /** Level of the burst's records. @default 'error' */
  readonly level?: 'error' | 'info' | 'warn';
  /** Message of the burst; `<n>` is replaced by a counter. @default a new error pattern */
  readonly message?: string;
  /** Records per second during the burst. */
  readonly perSecond: number;
  readonly service: string;
}

/** Options of {@link syntheticLogStream}. */
export interface SyntheticLogStreamOptions {
  /** Bursts to inject. @default [] */
  readonly bursts?: readonly InjectedBurst[];
  /** Length of the stream in event time. */
  readonly durationMs: number;
  /** Share of steady records that are one of the service's usual errors. @default 0.02 */
  readonly errorShare?: number;
  /** Steady records per second per service. @default 5 */
  readonly perSecond?: number;
  /** PRNG seed, so every run is the same stream. @default 1 */
  readonly seed?: number;
  /** Services. @default ['checkout', 'quotes', 'wordpress'] */
  readonly services?: readonly string[];
  /** Event time of the first record, epoch ms. */
  readonly startMs: number;
}

const STEADY_TEMPLATES = [
  'GET /api/quotes/<n> answered 200 in <n> ms',
  'user <n> logged in from 10.0.<n>.<n>',
  'cache hit for symbol AAPL after <n> lookups',
  'fetched <n> quotes from provider finnhub',
  'scheduled job refresh-<n> finished',
  'connection pool size <n> idle <n>',
];
const STEADY_WARN = 'slow query on table quotes took <n> ms';
const STEADY_ERROR = 'upstream timeout after <n> ms calling provider';
const BURST_MESSAGE =
  'payment declined: card issuer <n> unreachable (code E<n>)';

const SEVERITY_NUMBERS = { error: 17, info: 9, warn: 13 } as const;

/** Templates of the steady stream, for tests and benches that target one. */
export const SYNTHETIC_TEMPLATES = {
  error: STEADY_ERROR,
  info: STEADY_TEMPLATES,
  newError: BURST_MESSAGE,
  warn: STEADY_WARN,
} as const;

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(random: () => number, length: number): string {
  let out = '';
  while (out.length < length) {
    out += Math.floor(random() * 0xffffffff)
      .toString(16)
      .padStart(8, '0');
  }
  return out.slice(0, length);
}

/**
 * A deterministic, replayable log stream in event-time order: a steady mix
 * of usual templates per service (variable parts vary), a small steady share
 * of usual errors, and optional injected bursts of a new error pattern.
 * Used by unit tests, the e2e replay and the bench.
 */
export function* syntheticLogStream(
  options: SyntheticLogStreamOptions,
): Generator<LogRecordEvent> {
  const random = prng(options.seed ?? 1);
  const services = options.services ?? ['checkout', 'quotes', 'wordpress'];
  const perSecond = options.perSecond ?? 5;
  const errorShare = options.errorShare ?? 0.02;
  const stepMs = 1000 / (perSecond * services.length);
  const bursts = options.bursts ?? [];
  const fill = (text: string) =>
    text.replace(/<n>/g, () => String(Math.floor(random() * 10_000)));
  const endMs = options.startMs + options.durationMs;
  const burstNext = bursts.map((b) => b.atMs);

  let i = 0;
  for (let t = options.startMs; t < endMs; t += stepMs, i++) {
    for (let b = 0; b < bursts.length; b++) {
      const burst = bursts[b];
      if (!burst) continue;
      while (
        (burstNext[b] ?? Infinity) <= t &&
        (burstNext[b] ?? Infinity) < burst.atMs + burst.durationMs
      ) {
        const at = burstNext[b] ?? t;
        yield {
          '@timestamp': new Date(at).toISOString(),
          attributes: {},
          level: burst.level ?? 'error',
          message: fill(burst.message ?? BURST_MESSAGE),
          service: burst.service,
          severityNumber: SEVERITY_NUMBERS[burst.level ?? 'error'],
          spanId: hex(random, 16),
          traceId: hex(random, 32),
        };
        burstNext[b] = at + 1000 / burst.perSecond;
      }
    }
    const service = services[i % services.length] ?? 'unknown_service';
    const roll = random();
    const [level, severityNumber, template] =
      roll < errorShare
        ? (['error', 17, STEADY_ERROR] as const)
        : roll < errorShare * 3
          ? (['warn', 13, STEADY_WARN] as const)
          : ([
              'info',
              9,
              STEADY_TEMPLATES[
                Math.floor(random() * STEADY_TEMPLATES.length)
              ] ?? '',
            ] as const);
    yield {
      '@timestamp': new Date(Math.round(t)).toISOString(),
      attributes: {},
      level,
      message: fill(template),
      service,
      severityNumber,
      spanId: hex(random, 16),
      traceId: hex(random, 32),
    };
  }
}
