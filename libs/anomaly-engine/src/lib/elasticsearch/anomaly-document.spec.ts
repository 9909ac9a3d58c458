import type { AnomalyEvent } from '@freeride/contracts';

import { toAnomalyDocument } from './anomaly-document';

const EVENT: AnomalyEvent = {
  '@timestamp': '2026-01-01T00:01:00.000Z',
  baseline: { expected: 0, observed: 1, unit: 'count' },
  id: 'new_template:py:ab:1:firing',
  key: 'new_template:py:ab',
  kind: 'new_template',
  links: { discover: 'http://k', runbook: 'http://r' },
  samples: [
    {
      '@timestamp': '2026-01-01T00:00:00.000Z',
      message: 'boom',
      spanId: 's1',
      traceId: 't1',
    },
  ],
  score: 1,
  service: 'py',
  severity: 'critical',
  status: 'firing',
  template: 'boom',
  templateId: 'ab',
  traceIds: ['t1'],
  window: { start: '2026-01-01T00:00:00.000Z' },
};

describe('toAnomalyDocument', () => {
  it('puts ECS fields at the top and the rest under anomaly.*', () => {
    const doc = toAnomalyDocument(EVENT);
    expect(doc).toMatchObject({
      '@timestamp': EVENT['@timestamp'],
      event: { dataset: 'freeride.anomaly', kind: 'alert' },
      message: 'new_template firing in py: boom',
      service: { name: 'py' },
      trace: { id: ['t1'] },
    });
    expect(doc.anomaly.samples).toEqual([
      {
        '@timestamp': '2026-01-01T00:00:00.000Z',
        message: 'boom',
        span_id: 's1',
        trace_id: 't1',
      },
    ]);
    expect(doc.anomaly.template_id).toBe('ab');
  });

  it('leaves trace out when no sample had a trace id', () => {
    expect(toAnomalyDocument({ ...EVENT, traceIds: [] }).trace).toBeUndefined();
  });
});
