import {
  type Context,
  type Span,
  context,
  propagation,
  trace,
} from '@opentelemetry/api';

const INVALID_TRACE_ID = '00000000000000000000000000000000';

/**
 * The W3C `traceparent` of a context, to put in a stream message so that one
 * trace runs from producer to consumer. Undefined when no propagator is
 * registered or the context holds no valid span.
 * @param ctx @default the active context
 * @see https://www.w3.org/TR/trace-context/#traceparent-header
 */
export function currentTraceparent(
  ctx: Context = context.active(),
): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier['traceparent'];
}

/** The W3C `traceparent` that names `span` as the parent. */
export function traceparentOf(span: Span): string | undefined {
  return currentTraceparent(trace.setSpan(context.active(), span));
}

/**
 * A context whose parent is the span named by `traceparent`, or the active
 * context when there is none.
 * @see https://www.w3.org/TR/trace-context/#traceparent-header
 */
export function contextFromTraceparent(
  traceparent: string | undefined,
): Context {
  if (!traceparent) {
    return context.active();
  }
  return propagation.extract(context.active(), { traceparent });
}

/** The trace id of the active span, if there is a valid one. */
export function currentTraceId(): string | undefined {
  const id = trace.getActiveSpan()?.spanContext().traceId;
  return id && id !== INVALID_TRACE_ID ? id : undefined;
}
