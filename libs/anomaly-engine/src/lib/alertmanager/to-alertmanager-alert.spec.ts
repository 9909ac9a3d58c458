import type { AnomalyEvent } from '@freeride/contracts';

import { toAlertmanagerAlert } from './to-alertmanager-alert';

const FIRING: AnomalyEvent = {
  '@timestamp': '2026-01-01T00:01:00.000Z',
  baseline: {
    expected: 0.5,
    lower: 0,
    observed: 42,
    unit: 'per_minute',
    upper: 3,
  },
  id: 'doc-1',
  key: 'rate_burst:checkout:abcd1234',
  kind: 'rate_burst',
  links: {
    discover: 'http://kibana/app/discover#/x',
    runbook: 'http://rb/rate_burst',
  },
  samples: [
    {
      '@timestamp': '2026-01-01T00:00:30.000Z',
      message: 'payment failed id=7',
      traceId: 't1',
    },
  ],
  score: 0.97,
  service: 'checkout',
  severity: 'critical',
  status: 'firing',
  template: 'payment failed id=<*>',
  templateId: 'abcd1234',
  traceIds: ['t1', 't2'],
  window: { start: '2026-01-01T00:00:00.000Z' },
};
const NOW = new Date('2026-01-01T00:02:00.000Z');

describe('toAlertmanagerAlert', () => {
  it('puts only the identity in labels', () => {
    const alert = toAlertmanagerAlert(FIRING, {
      generatorUrl: 'http://g',
      now: NOW,
    });
    expect(alert.labels).toEqual({
      alertname: 'FreerideAnomaly',
      kind: 'rate_burst',
      service: 'checkout',
      severity: 'critical',
      template_id: 'abcd1234',
    });
  });

  it('carries summary, links, baseline and a sample trace id as annotations', () => {
    const { annotations } = toAlertmanagerAlert(FIRING, {
      generatorUrl: 'http://g',
      now: NOW,
    });
    expect(annotations).toMatchObject({
      baseline: 'observed 42 per_minute, expected 0.500 (normal 0..3)',
      discover_url: 'http://kibana/app/discover#/x',
      runbook_url: 'http://rb/rate_burst',
      sample_trace_id: 't1',
      summary: 'Log burst in checkout: payment failed id=<*>',
    });
  });

  it('keeps a firing alert open until now plus resolveAfterMs', () => {
    const alert = toAlertmanagerAlert(FIRING, {
      generatorUrl: 'http://g',
      now: NOW,
      resolveAfterMs: 60_000,
    });
    expect(alert.startsAt).toBe('2026-01-01T00:00:00.000Z');
    expect(alert.endsAt).toBe('2026-01-01T00:03:00.000Z');
    expect(alert.generatorURL).toBe('http://g');
  });

  it('resolves with an endsAt no later than now', () => {
    const resolved: AnomalyEvent = {
      ...FIRING,
      status: 'resolved',
      window: { end: '2026-01-01T00:05:00.000Z', start: FIRING.window.start },
    };
    const alert = toAlertmanagerAlert(resolved, {
      generatorUrl: 'http://g',
      now: NOW,
    });
    expect(alert.endsAt).toBe(NOW.toISOString());
  });
});
