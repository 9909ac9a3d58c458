/**
 * BullMQ key prefix: a hash tag, so that on a Redis Cluster every key of the
 * queue lives on one slot, as BullMQ's scripts need.
 * @see https://docs.bullmq.io/bull/patterns/redis-cluster
 */
export const BULLMQ_PREFIX = '{freeride:bull}';
/** BullMQ queue of webhook deliveries. */
export const DELIVERY_QUEUE = 'trading-deliveries';
/** Job name of one webhook delivery. */
export const DELIVER_JOB = 'deliver';
/** Custom backoff type handled by the worker's `backoffStrategy` (exponential + jitter). */
export const JITTER_BACKOFF = 'exponential-jitter';
/** How long completed jobs are kept, so a re-enqueue with the same jobId is a no-op. */
export const COMPLETED_JOB_RETENTION_SECONDS = 86_400;
/** How long "delivered" statuses are buffered before one batched UPDATE. */
export const FLUSH_INTERVAL_MS = 25;
/**
 * Key prefix of a trigger's "delivered" marker (`attempts,statusCode`, kept
 * as long as completed jobs): set as soon as a receiver accepted it, so a
 * restart reconciles the delivery as from a completed job.
 */
export const DELIVERED_MARKER_PREFIX = '{freeride:bull}:trading-delivered:';
/**
 * Deliveries waiting for a first-attempt slot beyond which new ones go to
 * the queue instead (a slow receiver must not grow the app's memory).
 */
export const FIRST_ATTEMPT_BACKLOG_MAX = 1000;
/**
 * A trigger left `pending` without a job is re-enqueued this long after it
 * fired, beyond the delivery timeout: its first attempt may still be in
 * flight in another instance (whose success the worker then sees in the
 * trigger's status).
 */
export const FIRST_ATTEMPT_GRACE_MS = 2000;
/**
 * How long a delivery job may be due while the worker, with nothing running,
 * starts no job, before the worker is replaced (see `@freeride/queue-watchdog`).
 */
export const WORKER_STUCK_GRACE_MS = 15_000;
