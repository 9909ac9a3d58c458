import {
  SpanStatusCode,
  context,
  propagation,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

import { ATTR } from './attribute-names';
import { recordError } from './record-error';
import {
  contextFromTraceparent,
  currentTraceId,
  currentTraceparent,
  traceparentOf,
} from './traceparent';
import { TRACER_NAME, withSpan } from './with-span';

const exporter = new InMemorySpanExporter();
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    }),
  );
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});

afterEach(() => exporter.reset());

afterAll(() => {
  trace.disable();
  context.disable();
  propagation.disable();
});

const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('withSpan', () => {
  it('ends the span with its attributes and returns what fn returns', async () => {
    const value = await withSpan(
      'ingest bulk-flush',
      { [ATTR.BATCH_SIZE]: 3 },
      async () => 42,
    );
    expect(value).toBe(42);
    const [span] = exporter.getFinishedSpans();
    expect(span.name).toBe('ingest bulk-flush');
    expect(span.attributes[ATTR.BATCH_SIZE]).toBe(3);
    expect(span.instrumentationScope.name).toBe(TRACER_NAME);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('records a thrown error on the span, ends it and rethrows', async () => {
    const boom = new Error('bulk refused');
    await expect(
      withSpan('ingest bulk-flush', {}, async () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    const [span] = exporter.getFinishedSpans();
    expect(span.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'bulk refused',
    });
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('makes the span active inside fn, so the trace id is readable there', async () => {
    const seen = await withSpan('t op', {}, async (span) => ({
      active: currentTraceId(),
      own: span.spanContext().traceId,
    }));
    expect(seen.active).toBe(seen.own);
    expect(currentTraceId()).toBeUndefined();
  });

  it('starts the span as a child of the given parent context', async () => {
    await withSpan(
      'rule-engine evaluate',
      {},
      async () => undefined,
      contextFromTraceparent(PARENT),
    );
    const [span] = exporter.getFinishedSpans();
    expect(span.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
  });
});

describe('recordError', () => {
  it('wraps a thrown non-Error so the exception event has a message', () => {
    const span = trace.getTracer('t').startSpan('t op');
    recordError(span, 'plain string');
    span.end();
    const [out] = exporter.getFinishedSpans();
    expect(out.status.message).toBe('plain string');
    expect(out.events[0].attributes?.['exception.message']).toBe(
      'plain string',
    );
  });
});

describe('traceparent helpers', () => {
  it('round-trips a traceparent through a context', () => {
    expect(currentTraceparent(contextFromTraceparent(PARENT))).toBe(PARENT);
  });

  it('gives no traceparent outside any span', () => {
    expect(currentTraceparent()).toBeUndefined();
  });

  it('falls back to the active context without a traceparent', () => {
    expect(contextFromTraceparent(undefined)).toBe(context.active());
    expect(contextFromTraceparent('')).toBe(context.active());
  });

  it('names a started span as the parent with traceparentOf', () => {
    const span = trace.getTracer('t').startSpan('t op');
    const { spanId, traceId } = span.spanContext();
    expect(traceparentOf(span)).toBe(`00-${traceId}-${spanId}-01`);
    span.end();
  });

  it('gives the active trace id only for a valid span', () => {
    const invalid = trace.wrapSpanContext({
      spanId: '0000000000000000',
      traceFlags: 0,
      traceId: '00000000000000000000000000000000',
    });
    context.with(trace.setSpan(context.active(), invalid), () => {
      expect(currentTraceId()).toBeUndefined();
    });
  });
});
