import { type Span, SpanStatusCode } from '@opentelemetry/api';

/** Records `err` on `span` as an exception and marks the span failed. */
export function recordError(span: Span, err: unknown): void {
  const error = err instanceof Error ? err : new Error(String(err));
  span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}
