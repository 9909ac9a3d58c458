import {
  type Attributes,
  type Context,
  type Span,
  SpanStatusCode,
  context,
  propagation,
  trace,
} from '@opentelemetry/api';

/** Tracer name of every manual span of the platform. */
export const TRACER_NAME = '@freeride/observability';

/**
 * Marks a span as failed with the error recorded as an exception event.
 * @see https://opentelemetry.io/docs/specs/otel/trace/exceptions/
 */
export function recordError(span: Span, err: unknown): void {
  const error = err instanceof Error ? err : new Error(String(err));
  span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}

/**
 * Runs `fn` inside a new active span named `<component> <operation>`,
 * records a thrown error on it and always ends it.
 */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  parent?: Context,
): Promise<T> {
  const tracer = trace.getTracer(TRACER_NAME);
  return tracer.startActiveSpan(
    name,
    { attributes },
    parent ?? context.active(),
    async (span) => {
      try {
        return await fn(span);
      } catch (err) {
        recordError(span, err);
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

/** The W3C `traceparent` of the active context, for a stream message. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier['traceparent'];
}

/** A context whose parent is the given `traceparent` (or the active one). */
export function contextFromTraceparent(
  traceparent: string | undefined,
): Context {
  if (!traceparent) {
    return context.active();
  }
  return propagation.extract(context.active(), { traceparent });
}

/** The trace id of the active span, if any. */
export function currentTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  const id = span?.spanContext().traceId;
  return id && id !== '00000000000000000000000000000000' ? id : undefined;
}
