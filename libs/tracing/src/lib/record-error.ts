import { type Span, SpanStatusCode } from '@opentelemetry/api';

/**
 * Marks `span` failed, with `err` recorded as an exception event. A thrown
 * value that is not an `Error` is wrapped, so the event always has a message.
 * @see https://opentelemetry.io/docs/specs/otel/trace/exceptions/
 */
export function recordError(span: Span, err: unknown): void {
  const error = err instanceof Error ? err : new Error(String(err));
  span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}
