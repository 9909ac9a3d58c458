/** What to do with one bulk item after Elasticsearch answered for it. */
export type BulkItemOutcome = 'indexed' | 'duplicate' | 'retry' | 'dead_letter';

/**
 * Classifies one item of a `_bulk` response (`create` operations with a
 * deterministic `_id`):
 * - 2xx: indexed;
 * - 409: the same `_id` already exists, so an earlier attempt succeeded
 *   (at-least-once delivery made idempotent): duplicate, done;
 * - 429 and 5xx: transient, retry with backoff;
 * - any other 4xx (mapping and parse errors): will never succeed as is,
 *   dead-letter it with the reason.
 * @see https://www.elastic.co/guide/en/elasticsearch/reference/8.19/docs-bulk.html#bulk-api-response-body
 */
export function classifyBulkItem(status: number): BulkItemOutcome {
  if (status >= 200 && status < 300) return 'indexed';
  if (status === 409) return 'duplicate';
  if (status === 429 || status >= 500) return 'retry';
  return 'dead_letter';
}
