// Decodes bodies written by the OpenTelemetry JS SDK's own protobuf
// serializers, to prove wire compatibility beyond our own encoder.
import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

import { decodeOtlpRequest } from './decode';
import { toEcsDocuments } from './ecs';
import type { MetricsRequest, TracesRequest } from './otlp-request';
import { toMetricPointEvents } from './record-events';

class CollectingReader extends MetricReader {
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }

  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

const resource = resourceFromAttributes({ 'service.name': 'sdk-check' });

describe('decodeOtlpRequest with SDK payloads', () => {
  it('decodes spans serialised by ProtobufTraceSerializer', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource,
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('sdk-tracer', '1.2.3');
    const parent = tracer.startSpan('parent');
    const child = tracer.startSpan(
      'child',
      { attributes: { retries: 2 } },
      trace.setSpan(ROOT_CONTEXT, parent),
    );
    child.addEvent('cache miss', { key: 'AAPL' });
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream down' });
    child.end();
    parent.end();
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans();
    const body = ProtobufTraceSerializer.serializeRequest(spans);
    await provider.shutdown();

    const req = decodeOtlpRequest('traces', 'protobuf', body!) as TracesRequest;
    const decoded = req.resourceSpans[0].scopeSpans[0].spans;
    const decodedChild = decoded.find((s) => s.name === 'child')!;
    const decodedParent = decoded.find((s) => s.name === 'parent')!;
    expect(decodedChild.traceId).toBe(spans[0].spanContext().traceId);
    expect(decodedChild.spanId).toBe(child.spanContext().spanId);
    expect(decodedChild.parentSpanId).toBe(decodedParent.spanId);
    expect(decodedChild.status).toEqual({ code: 2, message: 'upstream down' });
    expect(decodedChild.events[0]).toMatchObject({
      attributes: [{ key: 'key', value: { stringValue: 'AAPL' } }],
      name: 'cache miss',
    });
    expect(decodedChild.attributes).toEqual([
      { key: 'retries', value: { intValue: '2' } },
    ]);

    const doc = toEcsDocuments(req).find(
      (w) => (w.doc.span as { name: string }).name === 'child',
    )!.doc;
    expect(doc).toMatchObject({
      event: { outcome: 'failure' },
      parent: { id: parent.spanContext().spanId },
      service: { name: 'sdk-check' },
      span: { kind: 'internal', name: 'child' },
    });
  });

  it('decodes metrics serialised by ProtobufMetricsSerializer', async () => {
    const reader = new CollectingReader();
    const provider = new MeterProvider({ readers: [reader], resource });
    const meter = provider.getMeter('sdk-meter');
    meter.createCounter('orders', { unit: '{order}' }).add(3, { side: 'buy' });
    meter.createHistogram('latency', { unit: 'ms' }).record(12);
    meter.createHistogram('latency', { unit: 'ms' }).record(8);
    meter.createGauge('depth').record(-4);
    const { resourceMetrics } = await reader.collect();
    const body = ProtobufMetricsSerializer.serializeRequest(resourceMetrics);
    await provider.shutdown();

    const req = decodeOtlpRequest(
      'metrics',
      'protobuf',
      body!,
    ) as MetricsRequest;
    const metrics = req.resourceMetrics[0].scopeMetrics[0].metrics;
    const byName = new Map(metrics.map((m) => [m.name, m]));
    expect(byName.get('orders')?.sum).toMatchObject({
      aggregationTemporality: 2,
      isMonotonic: true,
    });
    expect(byName.get('latency')?.histogram?.dataPoints[0]).toMatchObject({
      count: '2',
      max: 12,
      min: 8,
      sum: 20,
    });

    expect(toMetricPointEvents(req).map((e) => [e.name, e.value])).toEqual(
      expect.arrayContaining([
        ['orders', 3],
        ['latency.mean', 10],
        ['latency.count', 2],
        ['depth', -4],
      ]),
    );
    const orders = toEcsDocuments(req).find(
      (w) => (w.doc.metric as { name: string }).name === 'orders',
    )!;
    expect(orders.doc).toMatchObject({
      metric: {
        monotonic: true,
        temporality: 'cumulative',
        type: 'sum',
        value: 3,
      },
      otel: { attributes: { side: 'buy' } },
    });
  });
});
