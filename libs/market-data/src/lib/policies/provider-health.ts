import type { ProviderFailureKind } from '../market-data.errors';
import type { ProviderName } from '../market-data.types';
import type { BreakerState } from './circuit-breaker';

/** One provider call outcome. */
export interface CallSample {
  at: number;
  kind?: ProviderFailureKind;
  latencyMs: number;
  ok: boolean;
}

/** Health of one provider, as served by `/health/providers`. */
export interface ProviderHealthSnapshot {
  breaker: BreakerState;
  /** Age in ms of the newest price the provider gave us (null before the first). */
  dataAgeMs: number | null;
  lastError: ProviderFailureKind | null;
  lastFailureAt: string | null;
  lastSuccessAt: string | null;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  /** Share of call capacity left (limiter headroom), 0..1. */
  limiterHeadroom: number;
  provider: ProviderName;
  /** Calls in the window. */
  samples: number;
  /**
   * 0..1: `breaker × successRate × latency × staleness`, where breaker is
   * 1 closed / 0.5 half-open / 0 open, latency is `min(1, target / p95)` and
   * staleness 0.5 when the newest price is older than the freshness limit.
   */
  score: number;
  /** Successful calls / calls in the window (1 with no calls yet). */
  successRate: number;
  usableKeys: number;
}

/** Options of {@link ProviderHealthTracker}. */
export interface ProviderHealthOptions {
  /**
   * p95 latency at or below which latency does not lower the score.
   * @default 500
   */
  latencyTargetMs?: number;
  /** Prices older than this lower the score. */
  maxDataAgeMs: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
  /**
   * Number of recent calls kept per provider.
   * @default 200
   */
  window?: number;
}

/** Value at quantile `q` of ascending `sorted` (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  ];
}

/** Rolling per-provider success rate, latency and data age. */
export class ProviderHealthTracker {
  private readonly lastAsOf = new Map<ProviderName, number>();
  private readonly now: () => number;
  private readonly samples = new Map<ProviderName, CallSample[]>();

  constructor(private readonly options: ProviderHealthOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Records one call (real traffic or probe). */
  record(provider: ProviderName, sample: Omit<CallSample, 'at'>): void {
    const list = this.samples.get(provider) ?? [];
    list.push({ ...sample, at: this.now() });
    const max = this.options.window ?? 200;
    if (list.length > max) list.splice(0, list.length - max);
    this.samples.set(provider, list);
  }

  /** Records the timestamp of a price the provider served. */
  recordData(provider: ProviderName, asOf: number): void {
    this.lastAsOf.set(
      provider,
      Math.max(asOf, this.lastAsOf.get(provider) ?? 0),
    );
  }

  /** Computes the snapshot; breaker, headroom and keys come from the router. */
  snapshot(
    provider: ProviderName,
    live: {
      breaker: BreakerState;
      limiterHeadroom: number;
      usableKeys: number;
    },
  ): ProviderHealthSnapshot {
    const list = this.samples.get(provider) ?? [];
    const ok = list.filter((s) => s.ok);
    const latencies = list.map((s) => s.latencyMs).sort((a, b) => a - b);
    const successRate = list.length === 0 ? 1 : ok.length / list.length;
    const p95 = quantile(latencies, 0.95);
    const lastAsOf = this.lastAsOf.get(provider);
    const dataAgeMs =
      lastAsOf === undefined ? null : Math.max(0, this.now() - lastAsOf);
    const lastFailure = [...list].reverse().find((s) => !s.ok);
    const lastSuccess = ok.at(-1);
    const breakerFactor =
      live.breaker === 'closed' ? 1 : live.breaker === 'half_open' ? 0.5 : 0;
    const latencyFactor =
      p95 === null || p95 <= 0
        ? 1
        : Math.min(1, (this.options.latencyTargetMs ?? 500) / p95);
    const staleFactor =
      dataAgeMs !== null && dataAgeMs > this.options.maxDataAgeMs ? 0.5 : 1;
    const keyFactor = live.usableKeys > 0 ? 1 : 0;
    return {
      breaker: live.breaker,
      dataAgeMs,
      lastError: lastFailure?.kind ?? null,
      lastFailureAt: lastFailure
        ? new Date(lastFailure.at).toISOString()
        : null,
      lastSuccessAt: lastSuccess
        ? new Date(lastSuccess.at).toISOString()
        : null,
      latencyMs: {
        p50: quantile(latencies, 0.5),
        p95,
        p99: quantile(latencies, 0.99),
      },
      limiterHeadroom: Math.round(live.limiterHeadroom * 1000) / 1000,
      provider,
      samples: list.length,
      score:
        Math.round(
          breakerFactor *
            successRate *
            latencyFactor *
            staleFactor *
            keyFactor *
            1000,
        ) / 1000,
      successRate: Math.round(successRate * 1000) / 1000,
      usableKeys: live.usableKeys,
    };
  }
}
