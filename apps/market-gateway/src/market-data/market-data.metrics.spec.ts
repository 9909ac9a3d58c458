import { resolveObservabilityOptions } from '@freeride/observability';

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';

import { MarketDataMetrics } from './market-data.metrics';

const RULES = join(
  __dirname,
  '../../../../observability/prometheus/rules/providers.rules.yml',
);
const DASHBOARD = join(
  __dirname,
  '../../../../grafana/dashboards/provider-health.json',
);

/** Metric names a file refers to, without histogram suffixes. */
function referencedMetrics(path: string): string[] {
  const names =
    readFileSync(path, 'utf8').match(/freeride_gateway_[a-z_]+/g) ?? [];
  return [...new Set(names.map((n) => n.replace(/_(bucket|sum|count)$/, '')))];
}

describe('MarketDataMetrics', () => {
  const registry = new Registry();
  // The options app.module.ts gives ObservabilityModule.forRoot.
  new MarketDataMetrics(
    registry,
    resolveObservabilityOptions({
      metricsPrefix: 'freeride_gateway_',
      serviceName: 'market-gateway',
    }),
  );
  const exported = registry.getMetricsAsArray().map((m) => m.name);

  it.each([
    ['the Prometheus alert rules', RULES],
    ['the Grafana provider-health dashboard', DASHBOARD],
  ])('exports every gateway metric that %s use', (_what, path) => {
    const used = referencedMetrics(path);
    expect(used.length).toBeGreaterThan(3);
    expect(used.filter((name) => !exported.includes(name))).toEqual([]);
  });

  it('labels provider metrics with low-cardinality labels only', () => {
    for (const metric of registry.getMetricsAsArray()) {
      const labels = (metric as unknown as { labelNames: string[] }).labelNames;
      expect(
        labels.filter(
          (l) =>
            ![
              'capability',
              'from',
              'kind',
              'outcome',
              'provider',
              'quantile',
              'reason',
              'role',
            ].includes(l),
        ),
      ).toEqual([]);
    }
  });
});
