import { type OtlpSpan, decodeOtlpRequest } from '@freeride/otlp';

import { type Server, createServer } from 'node:http';

import { getFreePort } from './free-port';

/** A span as exported, with the service and the instrumentation scope that exported it. */
export interface CollectedSpan extends OtlpSpan {
  /** Instrumentation scope name, e.g. `@opentelemetry/instrumentation-http`. */
  scope: string;
  service: string;
}

/**
 * A minimal OTLP/HTTP receiver: keeps every exported span (protobuf traces,
 * decoded with @freeride/otlp) and answers 200 to logs and metrics.
 */
export class OtlpCollector {
  readonly spans: CollectedSpan[] = [];
  url = '';
  private server?: Server;

  async start(): Promise<void> {
    const port = await getFreePort();
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          const request = decodeOtlpRequest(
            'traces',
            'protobuf',
            Buffer.concat(chunks),
          );
          if (request.signal === 'traces') {
            for (const rs of request.resourceSpans) {
              const service = String(
                rs.resource.attributes.find((a) => a.key === 'service.name')
                  ?.value.stringValue ?? '',
              );
              for (const ss of rs.scopeSpans) {
                const scope = ss.scope.name;
                for (const span of ss.spans)
                  this.spans.push({ ...span, scope, service });
              }
            }
          }
        }
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) =>
      this.server!.listen(port, '127.0.0.1', resolve),
    );
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Spans of one trace. */
  trace(traceId: string): CollectedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}
