import { randomBytes } from 'node:crypto';

export interface LogSpec {
  attributes?: Record<string, string | number>;
  body: string;
  severityNumber?: number;
  severityText?: string;
  spanId?: string;
  timeMs?: number;
  traceId?: string;
}

const kv = (attrs: Record<string, string | number>) =>
  Object.entries(attrs).map(([key, v]) => ({
    key,
    value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v },
  }));

/** An OTLP/JSON logs export request for one service. */
export function logsRequest(
  service: string,
  logs: LogSpec[],
  resourceAttributes: Record<string, string> = {},
): object {
  return {
    resourceLogs: [
      {
        resource: {
          attributes: kv({ 'service.name': service, ...resourceAttributes }),
        },
        scopeLogs: [
          {
            logRecords: logs.map((l) => ({
              attributes: kv(l.attributes ?? {}),
              body: { stringValue: l.body },
              severityNumber: l.severityNumber ?? 9,
              severityText: l.severityText ?? 'INFO',
              spanId: l.spanId ?? '',
              timeUnixNano: String(BigInt(l.timeMs ?? Date.now()) * 1_000_000n),
              traceId: l.traceId ?? '',
            })),
            scope: { name: 'e2e' },
          },
        ],
      },
    ],
  };
}

/** An OTLP/JSON traces export request with one server span. */
export function traceRequest(
  service: string,
  traceId: string,
  spanId: string,
  name: string,
): object {
  const start = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceSpans: [
      {
        resource: { attributes: kv({ 'service.name': service }) },
        scopeSpans: [
          {
            scope: { name: 'e2e' },
            spans: [
              {
                endTimeUnixNano: String(start + 5_000_000n),
                kind: 2,
                name,
                spanId,
                startTimeUnixNano: String(start),
                status: { code: 1 },
                traceId,
              },
            ],
          },
        ],
      },
    ],
  };
}

export const newTraceId = () => randomBytes(16).toString('hex');
export const newSpanId = () => randomBytes(8).toString('hex');
