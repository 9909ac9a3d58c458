import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

import { RedactingSpanProcessor } from './redaction.processors';

describe('RedactingSpanProcessor', () => {
  it('removes credentials from URL attributes, events and status before export', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [
        new RedactingSpanProcessor(),
        new SimpleSpanProcessor(exporter),
      ],
    });
    const span = provider.getTracer('t').startSpan('GET');
    span.setAttributes({
      'http.target': '/v1/quotes?apikey=incoming-secret',
      'url.full':
        'https://finnhub.test/api/v1/quote?symbol=AAPL&token=fh-secret',
      'url.query': 'apiKey=pg-secret&ticker=MSFT',
      'url.path': '/api/v1/quote',
    });
    span.recordException(
      new Error('fetch https://x.test/q?api_key=av-secret failed'),
    );
    span.setStatus({ code: 2, message: 'GET /q?token=fh-secret: 500' });
    span.end();
    const [out] = exporter.getFinishedSpans();
    const text = JSON.stringify({
      attributes: out.attributes,
      events: out.events,
      status: out.status,
    });
    expect(text).not.toMatch(/secret/);
    expect(out.attributes['url.full']).toBe(
      'https://finnhub.test/api/v1/quote?symbol=AAPL&token=[REDACTED]',
    );
    expect(out.attributes['url.path']).toBe('/api/v1/quote');
  });
});
