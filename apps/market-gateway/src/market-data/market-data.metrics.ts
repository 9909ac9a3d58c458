import type {
  BreakerState,
  MarketDataRouter,
  RouterHooks,
} from '@freeride/market-data';
import {
  METRICS_REGISTRY,
  OBSERVABILITY_OPTIONS,
  type ResolvedObservabilityOptions,
} from '@freeride/observability';

import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const BREAKER_VALUE: Record<BreakerState, number> = {
  closed: 0,
  half_open: 1,
  open: 2,
};

/** The gateway's provider, cache and stream metrics (labels: provider, capability, outcome, kind only). */
@Injectable()
export class MarketDataMetrics {
  readonly cacheLookups: Counter<'kind' | 'outcome'>;
  readonly failovers: Counter<'capability' | 'from' | 'reason'>;
  readonly providerDuration: Histogram<'capability' | 'provider'>;
  readonly providerRequests: Counter<'capability' | 'outcome' | 'provider'>;
  readonly singleFlight: Counter<'kind' | 'role'>;
  readonly staleServed: Counter<'kind' | 'provider'>;
  readonly streamConnected: Gauge<'provider'>;
  readonly streamPublished: Counter<'provider'>;
  readonly streamDisconnects: Counter<'provider'>;
  private readonly prefix: string;
  private router?: MarketDataRouter;

  constructor(
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(OBSERVABILITY_OPTIONS)
    { durationBuckets, metricsPrefix }: ResolvedObservabilityOptions,
  ) {
    this.prefix = metricsPrefix;
    const registers = [registry];
    this.providerRequests = new Counter({
      help: 'Provider calls by outcome (success or failure kind); circuit_open and local rate_limited made no upstream call',
      labelNames: ['capability', 'outcome', 'provider'],
      name: `${metricsPrefix}provider_requests_total`,
      registers,
    });
    this.providerDuration = new Histogram({
      buckets: [...durationBuckets],
      help: 'Duration of upstream provider calls',
      labelNames: ['capability', 'provider'],
      name: `${metricsPrefix}provider_request_duration_seconds`,
      registers,
    });
    this.failovers = new Counter({
      help: 'Times the router left a provider for the next one',
      labelNames: ['capability', 'from', 'reason'],
      name: `${metricsPrefix}provider_failovers_total`,
      registers,
    });
    this.cacheLookups = new Counter({
      help: 'Cache lookups by kind and outcome (hit, miss)',
      labelNames: ['kind', 'outcome'],
      name: `${metricsPrefix}cache_lookups_total`,
      registers,
    });
    this.singleFlight = new Counter({
      help: 'Cache misses that led an upstream call (leader) or joined one in flight (joined)',
      labelNames: ['kind', 'role'],
      name: `${metricsPrefix}single_flight_total`,
      registers,
    });
    this.staleServed = new Counter({
      help: 'Stale data served (flagged stale) because no provider had fresher',
      labelNames: ['kind', 'provider'],
      name: `${metricsPrefix}stale_served_total`,
      registers,
    });
    this.streamPublished = new Counter({
      help: 'Quotes published to the freeride:quotes stream',
      labelNames: ['provider'],
      name: `${metricsPrefix}quote_stream_published_total`,
      registers,
    });
    this.streamDisconnects = new Counter({
      help: 'Provider websocket disconnects of the quote stream',
      labelNames: ['provider'],
      name: `${metricsPrefix}quote_stream_disconnects_total`,
      registers,
    });
    this.streamConnected = new Gauge({
      help: '1 while the quote stream websocket of the provider is connected',
      labelNames: ['provider'],
      name: `${metricsPrefix}quote_stream_connected`,
      registers,
    });
    this.healthGauge(
      'provider_up',
      '1 when the provider can be called: breaker not open and a usable key',
      (h) => (h.breaker !== 'open' && h.usableKeys > 0 ? 1 : 0),
    );
    this.healthGauge(
      'provider_health_score',
      'Provider health score 0..1 (see /health/providers)',
      (h) => h.score,
    );
    this.healthGauge(
      'provider_breaker_state',
      'Circuit breaker state: 0 closed, 1 half-open, 2 open',
      (h) => BREAKER_VALUE[h.breaker],
    );
    this.healthGauge(
      'provider_success_ratio',
      'Share of successful calls over the recent window',
      (h) => h.successRate,
    );
    this.healthGauge(
      'provider_limiter_headroom_ratio',
      'Share of the plan limit still available',
      (h) => h.limiterHeadroom,
    );
    this.healthGauge(
      'provider_usable_keys',
      'API keys in rotation (not revoked)',
      (h) => h.usableKeys,
    );
    this.healthGauge(
      'provider_data_age_seconds',
      'Age of the newest price the provider served',
      (h) => (h.dataAgeMs === null ? Number.NaN : h.dataAgeMs / 1000),
    );
    const latency: Gauge<'provider' | 'quantile'> = new Gauge({
      collect: () => {
        latency.reset();
        for (const h of this.router?.health() ?? []) {
          const quantiles = [
            ['0.5', h.latencyMs.p50],
            ['0.95', h.latencyMs.p95],
            ['0.99', h.latencyMs.p99],
          ] as const;
          for (const [quantile, ms] of quantiles) {
            if (ms !== null)
              latency.set({ provider: h.provider, quantile }, ms / 1000);
          }
        }
      },
      help: 'Recent provider call latency quantiles',
      labelNames: ['provider', 'quantile'],
      name: `${metricsPrefix}provider_latency_seconds`,
      registers,
    });
  }

  /** Binds the router whose health the gauges report on scrape. */
  bind(router: MarketDataRouter): void {
    this.router = router;
  }

  /** The router hooks that feed these metrics. */
  hooks(): RouterHooks {
    return {
      onAttempt: (e) => {
        this.providerRequests.inc({
          capability: e.capability,
          outcome: e.outcome,
          provider: e.provider,
        });
        if (e.upstreamCall)
          this.providerDuration.observe(
            { capability: e.capability, provider: e.provider },
            e.durationMs / 1000,
          );
      },
      onCache: (e) => this.cacheLookups.inc(e),
      onFailover: (e) => this.failovers.inc(e),
      onSingleFlight: (e) =>
        this.singleFlight.inc({
          kind: e.kind,
          role: e.joined ? 'joined' : 'leader',
        }),
      onStaleServed: (e) => this.staleServed.inc(e),
    };
  }

  private healthGauge(
    name: string,
    help: string,
    value: (h: ReturnType<MarketDataRouter['health']>[number]) => number,
  ): void {
    const gauge: Gauge<'provider'> = new Gauge({
      collect: () => {
        gauge.reset();
        for (const h of this.router?.health() ?? [])
          gauge.set({ provider: h.provider }, value(h));
      },
      help,
      labelNames: ['provider'],
      name: `${this.prefix}${name}`,
      registers: [this.registry],
    });
  }
}
