import type { AlertDelivery, AlertWebhookPayload } from '@freeride/contracts';

/** Data of one delivery job; the job id is the trigger id (enqueueing twice is a no-op). */
export interface DeliveryJobData {
  /**
   * What to POST, built by the evaluator at fire time so the worker needs no
   * database read. Absent for jobs re-enqueued after a restart or a replay:
   * the worker then loads the trigger from PostgreSQL.
   */
  target?: {
    delivery: AlertDelivery;
    payload: AlertWebhookPayload;
    traderId: string;
  };
  /**
   * Attempts made before this job (the first attempt, made right after the
   * evaluator's commit, when it failed): the job's attempts are numbered on
   * from there.
   */
  priorAttempts?: number;
  /** Epoch ms at which the evaluator read the tick from the stream. */
  tickReceivedAt?: number;
  /** W3C trace context of the evaluation span, so the delivery joins the tick's trace. */
  traceparent?: string;
  triggerId: string;
}
