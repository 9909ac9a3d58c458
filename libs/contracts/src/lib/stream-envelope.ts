import { z } from 'zod';

/**
 * The envelope of every message on a Redis stream of the platform.
 *
 * Every message carries a W3C `traceparent` so one trace runs from the
 * producer to each consumer.
 * @see https://www.w3.org/TR/trace-context/#traceparent-header
 */
export const StreamEnvelopeSchema = z.object({
  /** Message kind, e.g. `otlp.logs`, `quote`, `alert.delivery`. */
  kind: z.string().min(1),
  /** JSON payload (already validated by the producer). */
  payload: z.string(),
  /** Unix epoch milliseconds at which the producer accepted the data. */
  producedAt: z.number().int().nonnegative(),
  /** W3C trace context of the producing span, when one was active. */
  traceparent: z.string().optional(),
});

/** A validated stream envelope. */
export type StreamEnvelope = z.infer<typeof StreamEnvelopeSchema>;
