// SVG rendering (vega is an ES module jest does not load) is covered by the e2e test.
import { CHART_IDS, auditCharts } from './charts';
import type { AuditData } from './collect';

const empty: AuditData = {
  alerts: { dead: 0, delivered: 0, fired: 0, retried: 0, series: [] },
  anomalies: { byKind: [], firing: 0, pages: [], timeToPage: [] },
  errors: { byService: [], series: [] },
  ingest: { bySource: [], series: [] },
  latency: { cron: [], deliveries: 0, platform: [] },
  openai: { avoided: 0, made: 0, runs: [] },
  providers: { failoverTotal: 0, failovers: [], health: [] },
  window: {
    end: '2026-11-30T12:00:00.000Z',
    start: '2026-11-16T12:00:00.000Z',
    stepSeconds: 12_600,
  },
};

describe('the audit charts', () => {
  it('has every chart, saying so when the window has no data', () => {
    const charts = auditCharts(empty);
    expect(charts.map((c) => c.id)).toEqual(CHART_IDS);
    for (const c of charts) {
      expect(c.points).toBe(0);
      expect(JSON.stringify(c.spec)).toContain('no data in this window');
    }
  });

  it('puts the measured latency and the legacy cron on one chart', () => {
    const charts = auditCharts({
      ...empty,
      latency: {
        cron: [
          {
            seconds: 900,
            share: 0.5,
            system: 'legacy hourly cron (same firings)',
          },
          {
            seconds: 3000,
            share: 1,
            system: 'legacy hourly cron (same firings)',
          },
        ],
        deliveries: 2,
        platform: [
          { seconds: 0.05, share: 0.5, system: 'event-driven (measured)' },
          { seconds: 0.1, share: 1, system: 'event-driven (measured)' },
        ],
      },
    });
    const spec = charts[0].spec as {
      data: { values: { system: string }[] };
      encoding: { color: { field: string } };
    };
    expect(charts[0].points).toBe(4);
    expect(new Set(spec.data.values.map((v) => v.system))).toEqual(
      new Set(['event-driven (measured)', 'legacy hourly cron (same firings)']),
    );
    expect(spec.encoding.color.field).toBe('system');
  });
});
