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
