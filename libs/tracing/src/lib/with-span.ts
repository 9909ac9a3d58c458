import {
  type Attributes,
  type Context,
  type Span,
  context,
  trace,
} from '@opentelemetry/api';

import { recordError } from './record-error';

/** Tracer (instrumentation scope) name of every manual span of the platform. */
export const TRACER_NAME = '@freeride/tracing';

/**
 * Runs `fn` inside a new active span named `<component> <operation>`; a
 * thrown error is recorded on the span and rethrown, and the span always ends.
 * @param parent context to start the span in. @default the active context
 * @see https://opentelemetry.io/docs/specs/otel/trace/api/#span-creation
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
