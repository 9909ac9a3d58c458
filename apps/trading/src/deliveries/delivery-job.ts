/** Data of one delivery job; the job id is the trigger id (enqueueing twice is a no-op). */
export interface DeliveryJobData {
  /** Epoch ms at which the evaluator read the tick from the stream. */
  tickReceivedAt?: number;
  /** W3C trace context of the evaluation span, so the delivery joins the tick's trace. */
  traceparent?: string;
  triggerId: string;
}
