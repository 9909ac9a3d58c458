import { AnomalyEventSchema } from './anomaly-event';

const VALID = {
  '@timestamp': '2026-01-01T00:00:00.000Z',
  baseline: { expected: 0.5, observed: 40, unit: 'per_minute' },
  id: 'a1',
  key: 'rate_burst:py:abc',
  kind: 'rate_burst',
  links: { discover: 'http://kibana/app/discover', runbook: 'http://rb' },
  score: 8.2,
  service: 'py',
  severity: 'critical',
  status: 'firing',
  window: { start: '2026-01-01T00:00:00.000Z' },
};

describe('AnomalyEventSchema', () => {
  it('accepts a firing anomaly and defaults samples and trace ids', () => {
    const parsed = AnomalyEventSchema.parse(VALID);
    expect(parsed.samples).toEqual([]);
    expect(parsed.traceIds).toEqual([]);
  });

  it('rejects an unknown kind', () => {
    expect(
      AnomalyEventSchema.safeParse({ ...VALID, kind: 'weird' }).success,
    ).toBe(false);
  });

  it('rejects an anomaly without a baseline', () => {
    const { baseline: _baseline, ...rest } = VALID;
    expect(AnomalyEventSchema.safeParse(rest).success).toBe(false);
  });
});
