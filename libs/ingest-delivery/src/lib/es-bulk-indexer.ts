import type { LogSink } from '@freeride/contracts';
import { NOOP_LOG_SINK } from '@freeride/contracts';

import type { Client } from '@elastic/elasticsearch';
import { errors as esErrors } from '@elastic/elasticsearch';

import { backoffDelayMs } from './backoff';
import { classifyBulkItem } from './bulk-item-outcome';
import { ElasticsearchUnavailableError } from './ingest.errors';

/** One document to create, with where it came from. */
export interface IndexRequest {
  doc: Record<string, unknown>;
  /** Deterministic `_id`: a retried create of the same record is a 409. */
  id: string;
  /** Target data stream. */
  index: string;
  /** Stream entry the document came from (kept in dead letters). */
  origin: string;
}

/** Outcome counts of one {@link EsBulkIndexer.index} call. */
export interface IndexReport {
  deadLettered: Record<string, number>;
  duplicates: number;
  indexed: number;
  /** Item-level retries made (each retried item counts once per retry). */
  retried: number;
}

/** Options of an {@link EsBulkIndexer}. */
export interface EsBulkIndexerOptions {
  /** Dead-letter index. @default 'freeride-deadletter' */
  deadLetterIndex?: string;
  /** Bytes per `_bulk` request. @default 5000000 */
  flushBytes?: number;
  /** Attempts for an item answered 429/5xx before it is dead-lettered. @default 8 */
  maxItemAttempts?: number;
  /** Concurrent `_bulk` requests. @default 2 */
  concurrency?: number;
  /** Base of the exponential item-retry backoff. @default 200 */
  retryBaseMs?: number;
  /** Logger. @default discards */
  log?: LogSink;
  /** Sleep, replaceable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

interface Failure {
  reason: string;
  request: IndexRequest;
  status: number;
  type: string;
}

const defaultSleep = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

function isConnectionLevel(err: unknown): boolean {
  return (
    err instanceof esErrors.ConnectionError ||
    err instanceof esErrors.TimeoutError ||
    err instanceof esErrors.NoLivingConnectionsError ||
    (err instanceof esErrors.ResponseError && (err.statusCode ?? 0) >= 500)
  );
}

/**
 * Writes documents with the official client's bulk helper and settles every
 * item: created, duplicate (409 on the deterministic `_id`), retried with
 * exponential backoff and jitter (429/5xx), or dead-lettered with its reason
 * (mapping and parse errors, or retries exhausted). `index` resolves only
 * when every item is settled, so the caller may then acknowledge the batch.
 *
 * When Elasticsearch cannot be reached at all it throws
 * {@link ElasticsearchUnavailableError}: nothing is dead-lettered for an
 * outage; the caller keeps the batch and tries again.
 * @see https://www.elastic.co/guide/en/elasticsearch/client/javascript-api/8.19/client-helpers.html#bulk-helper
 */
export class EsBulkIndexer {
  private readonly deadLetterIndex: string;
  private readonly flushBytes: number;
  private readonly maxItemAttempts: number;
  private readonly concurrency: number;
  private readonly retryBaseMs: number;
  private readonly log: LogSink;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: Client,
    options: EsBulkIndexerOptions = {},
  ) {
    this.deadLetterIndex = options.deadLetterIndex ?? 'freeride-deadletter';
    this.flushBytes = options.flushBytes ?? 5_000_000;
    this.maxItemAttempts = options.maxItemAttempts ?? 8;
    this.concurrency = options.concurrency ?? 2;
    this.retryBaseMs = options.retryBaseMs ?? 200;
    this.log = options.log ?? NOOP_LOG_SINK;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Indexes `requests` until every item is settled. */
  async index(requests: IndexRequest[]): Promise<IndexReport> {
    const report: IndexReport = {
      deadLettered: {},
      duplicates: 0,
      indexed: 0,
      retried: 0,
    };
    let pending = requests;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) {
        await this.sleep(
          backoffDelayMs(attempt - 1, {
            baseMs: this.retryBaseMs,
            maxMs: 10_000,
          }),
        );
      }
      const failures = await this.bulkOnce(pending, report);
      const retry: IndexRequest[] = [];
      const dead: Failure[] = [];
      for (const failure of failures) {
        const outcome = classifyBulkItem(failure.status);
        if (outcome === 'duplicate') report.duplicates++;
        else if (outcome === 'retry' && attempt + 1 < this.maxItemAttempts)
          retry.push(failure.request);
        else if (outcome === 'retry')
          dead.push({ ...failure, type: 'retries_exhausted' });
        else dead.push(failure);
      }
      if (dead.length > 0) await this.deadLetter(dead, attempt + 1, report);
      report.retried += retry.length;
      if (retry.length > 0) {
        this.log.warn(
          { attempt, items: retry.length },
          'bulk items retried after transient errors',
        );
      }
      pending = retry;
    }
    return report;
  }

  private async bulkOnce(
    requests: IndexRequest[],
    report: IndexReport,
  ): Promise<Failure[]> {
    const byId = new Map(requests.map((r) => [r.id, r]));
    const failures: Failure[] = [];
    try {
      const stats = await this.client.helpers.bulk<IndexRequest>({
        concurrency: this.concurrency,
        datasource: requests,
        flushBytes: this.flushBytes,
        onDocument: (r) => [{ create: { _id: r.id, _index: r.index } }, r.doc],
        onDrop: (drop) => {
          const id =
            (drop.operation as { create?: { _id?: string } }).create?._id ?? '';
          const request = byId.get(id);
          if (!request) return;
          const error = drop.error as { reason?: string; type?: string } | null;
          failures.push({
            reason: error?.reason ?? `status ${drop.status}`,
            request,
            status: drop.status,
            type: error?.type ?? 'unknown',
          });
        },
        retries: 0,
      });
      report.indexed += stats.successful;
    } catch (err) {
      if (isConnectionLevel(err))
        throw new ElasticsearchUnavailableError('bulk', err);
      throw err;
    }
    return failures;
  }

  private async deadLetter(
    failures: Failure[],
    attempts: number,
    report: IndexReport,
  ): Promise<void> {
    const now = new Date().toISOString();
    const operations = failures.flatMap((f) => [
      { create: { _id: f.request.id, _index: this.deadLetterIndex } },
      {
        '@timestamp': now,
        attempts,
        error: { reason: f.reason, type: f.type },
        original: JSON.stringify(f.request.doc),
        origin: f.request.origin,
        status: f.status,
        target: { id: f.request.id, index: f.request.index },
      },
    ]);
    try {
      const response = await this.client.bulk({ operations });
      for (const item of response.items) {
        const status = item.create?.status ?? 500;
        if (status >= 300 && status !== 409) {
          throw new Error(
            `dead-letter write answered ${status}: ${item.create?.error?.reason ?? 'unknown'}`,
          );
        }
      }
    } catch (err) {
      throw new ElasticsearchUnavailableError('dead-letter write', err);
    }
    for (const f of failures) {
      report.deadLettered[f.type] = (report.deadLettered[f.type] ?? 0) + 1;
      this.log.warn(
        {
          'error.type': f.type,
          index: f.request.index,
          origin: f.request.origin,
          status: f.status,
        },
        'document dead-lettered',
      );
    }
  }
}
