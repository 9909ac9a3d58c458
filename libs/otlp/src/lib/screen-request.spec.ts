import { decodeOtlpRequest } from './decode';
import type { LogsRequest, TracesRequest } from './otlp-request';
import { screenRequest } from './screen-request';

const log = (body: string) => ({ body: { stringValue: body }, timeUnixNano: '1700000000000000000' });
const logs = (...bodies: string[]) =>
  decodeOtlpRequest('logs', 'json', Buffer.from(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: bodies.map(log) }] }] })));

describe('screenRequest', () => {
  it('removes a log record over the size limit and keeps the others', () => {
    const screened = screenRequest(logs('small', 'x'.repeat(5000), 'also small'), { maxItemBytes: 1000 });
    expect(screened.rejected).toBe(1);
    expect(screened.errorMessage).toBe('1 log record(s) rejected: larger than 1000 bytes');
    const kept = (screened.request as LogsRequest).resourceLogs[0].scopeLogs[0].logRecords;
    expect(kept.map((r) => r.body?.stringValue)).toEqual(['small', 'also small']);
  });

  it('measures nothing when the whole body is within the limit', () => {
    const screened = screenRequest(logs('x'.repeat(5000)), { bodyBytes: 900, maxItemBytes: 1000 });
    expect(screened.rejected).toBe(0);
  });

  it('removes an oversized span', () => {
    const span = (name: string) => ({ name, spanId: 'b7ad6b7169203331', traceId: '0af7651916cd43dd8448eb211c80319c' });
    const req = decodeOtlpRequest(
      'traces',
      'json',
      Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span('ok'), span('n'.repeat(3000))] }] }] })),
    );
    const screened = screenRequest(req, { maxItemBytes: 1000 });
    expect(screened.rejected).toBe(1);
    expect((screened.request as TracesRequest).resourceSpans[0].scopeSpans[0].spans.map((s) => s.name)).toEqual(['ok']);
  });
});
