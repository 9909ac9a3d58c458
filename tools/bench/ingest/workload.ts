/**
 * The OTLP log batches every path of bench:ingest receives: the same bytes
 * for the direct bulk baseline, the OpenTelemetry Collector and our ingest.
 */
import { encodeOtlpRequest } from '@freeride/otlp';

import { randomBytes } from 'node:crypto';
import http from 'node:http';

const LEVELS: [number, string][] = [
  [9, 'INFO'],
  [9, 'INFO'],
  [9, 'INFO'],
  [13, 'WARN'],
  [17, 'ERROR'],
];

const hex = (n: number) => randomBytes(n).toString('hex');

/**
 * One OTLP/JSON-shaped logs request of `size` records for one service.
 * `traceIds`, when given, are the records' trace ids (the fault test finds
 * each record by it); otherwise they are random.
 */
export function logsBatch(
  batchNo: number,
  size: number,
  service = `bench-svc-${batchNo % 8}`,
  traceIds?: string[],
): object {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceLogs: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: service } },
            { key: 'service.version', value: { stringValue: '1.4.2' } },
            { key: 'host.name', value: { stringValue: 'bench-host' } },
          ],
        },
        scopeLogs: [
          {
            logRecords: Array.from({ length: size }, (_, i) => {
              const [severityNumber, severityText] = LEVELS[i % LEVELS.length];
              return {
                attributes: [
                  { key: 'http.request.method', value: { stringValue: 'GET' } },
                  {
                    key: 'url.path',
                    value: { stringValue: `/v1/quotes/SYM${i % 50}` },
                  },
                  {
                    key: 'http.response.status_code',
                    value: { intValue: String(200 + (i % 5)) },
                  },
                ],
                body: {
                  stringValue: `quote fetched for symbol SYM${i % 50} in ${i % 97} ms from provider finnhub (batch ${batchNo}, record ${i})`,
                },
                severityNumber,
                severityText,
                spanId: hex(8),
                timeUnixNano: String(now + BigInt(i)),
                traceId: traceIds?.[i] ?? hex(16),
              };
            }),
            scope: { name: 'bench' },
          },
        ],
      },
    ],
  };
}

/** The protobuf bytes of {@link logsBatch}. */
export function logsBody(...args: Parameters<typeof logsBatch>): Buffer {
  return Buffer.from(encodeOtlpRequest('logs', logsBatch(...args)));
}

/** Where to POST: the receiver's URL and the headers it needs. */
export interface Target {
  url: string;
  headers: Record<string, string>;
}

/**
 * Keep-alive connections shared by every request of the bench: the load
 * generator should cost the machine as little as the exporters it stands
 * for, which run elsewhere. (`fetch` spent about twice the CPU per request
 * of `node:http`, CPU taken from the receiver and Elasticsearch on the same
 * two cores; see BENCHMARKS.md.)
 */
const AGENT = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** POSTs OTLP protobuf; resolves with the status (0 when nothing answered). */
export function postOtlp(target: Target, body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      target.url,
      {
        agent: AGENT,
        headers: {
          ...target.headers,
          'content-length': body.length,
          'content-type': 'application/x-protobuf',
        },
        method: 'POST',
        timeout: 30_000,
      },
      (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/**
 * Sends every body, `concurrency` at a time, retrying 429/503 (and no
 * answer) with a short backoff, as an OTLP exporter does.
 */
export async function sendAll(
  target: Target,
  bodies: Buffer[],
  concurrency: number,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        for (let attempt = 0; ; attempt++) {
          const status = await postOtlp(target, body);
          if (status === 200) break;
          if (status !== 0 && status !== 429 && status !== 503)
            throw new Error(`${target.url} answered ${status}`);
          if (attempt > 200) throw new Error(`${target.url} kept refusing`);
          await new Promise((r) =>
            setTimeout(r, 100 * Math.min(attempt + 1, 10)),
          );
        }
      }
    }),
  );
}
