import {
  LogRecordEventSchema,
  MetricPointEventSchema,
} from '@freeride/contracts';

import { fixture } from '../test/otlp-fixtures';
import { decodeOtlpRequest } from './decode';
import type { LogsRequest, MetricsRequest } from './otlp-request';
import { toLogRecordEvents, toMetricPointEvents } from './record-events';

describe('toLogRecordEvents', () => {
  const req = decodeOtlpRequest(
    'logs',
    'json',
    fixture('ok', 'logs-with-trace.json'),
  ) as LogsRequest;
  const events = toLogRecordEvents(req);

  it('gives one event per log record that satisfies the contract schema', () => {
    expect(events).toHaveLength(2);
    for (const e of events) expect(LogRecordEventSchema.parse(e)).toEqual(e);
  });

  it('carries the ECS level, message, service and trace context', () => {
    expect(events[0]).toEqual({
      '@timestamp': '2025-11-25T00:00:00.123Z',
      attributes: expect.objectContaining({
        cached: 'false',
        provider: 'finnhub',
        retry: '3',
      }) as unknown,
      level: 'error',
      message: 'provider failover',
      service: 'quotes-fetcher',
      severityNumber: 17,
      spanId: 'eee19b7ec3c1b174',
      traceId: '5b8efff798038103d269b633813fc60c',
    });
  });

  it('uses unknown as level and an empty message for a bare record', () => {
    const bare = decodeOtlpRequest(
      'logs',
      'json',
      Buffer.from('{"resourceLogs":[{"scopeLogs":[{"logRecords":[{}]}]}]}'),
    ) as LogsRequest;
    const [e] = toLogRecordEvents(bare);
    expect(e).toMatchObject({
      level: 'unknown',
      message: '',
      service: 'unknown_service',
      severityNumber: 0,
    });
    expect(e).not.toHaveProperty('traceId');
    expect(LogRecordEventSchema.parse(e)).toEqual(e);
  });
});

describe('toMetricPointEvents', () => {
  const req = decodeOtlpRequest(
    'metrics',
    'json',
    fixture('ok', 'metrics-all-types.json'),
  ) as MetricsRequest;
  const events = toMetricPointEvents(req);

  it('satisfies the contract schema', () => {
    for (const e of events) expect(MetricPointEventSchema.parse(e)).toEqual(e);
  });

  it('gives gauge and sum points, skips NaN, reduces histograms to mean and count', () => {
    expect(events.map((e) => [e.kind, e.name, e.value])).toEqual([
      ['gauge', 'queue.depth', 42],
      ['sum', 'deliveries', 17.5],
      ['histogram', 'http.server.request.duration.mean', 0.25],
      ['histogram', 'http.server.request.duration.count', 10],
      ['histogram', 'payload.size.mean', 100],
      ['histogram', 'payload.size.count', 6],
    ]);
  });

  it('keeps service, unit, timestamp and string attributes', () => {
    expect(events[0]).toEqual({
      '@timestamp': '2025-11-25T00:00:00.000Z',
      attributes: { queue: 'deliveries' },
      kind: 'gauge',
      name: 'queue.depth',
      service: 'trading',
      unit: '{message}',
      value: 42,
    });
  });
});
