import { backoffDelayMs } from '@freeride/backoff';
import type { LogSink } from '@freeride/contracts';
import { NOOP_LOG_SINK } from '@freeride/contracts';

import type { Client } from '@elastic/elasticsearch';
import { errors as esErrors } from '@elastic/elasticsearch';

import { classifyBulkItem } from './bulk-item-outcome';
import {
  type DeadLetter,
  type QuarantinedEntry,
  quarantineEntries,
  writeDeadLetters,
} from './dead-letter';
import { ElasticsearchUnavailableError } from './ingest.errors';

/**
 * Documents ready for `_bulk`, as stored in the stream at receipt: per
 * document a `create` action line and a source line, each ending with `\n`.
 */
export interface BulkEntry {
  body: Buffer;
  /** Set when the entry is known not to be sendable: it is quarantined with this reason. */
  defect?: string;
  /** Documents in `body`. */
  docs: number;
  /** Stream entry id (kept in dead letters and quarantine). */
  origin: string;
}

/** Outcome counts of one {@link EsBulkIndexer.index} call. */
export interface IndexReport {
  /** Documents dead-lettered, by Elasticsearch error type. */
  deadLettered: Record<string, number>;
  duplicates: number;
  indexed: number;
  /** Entries quarantined because they are not valid `_bulk` lines. */
  quarantined: number;
  /** Item-level retries made (each retried item counts once per retry). */
  retried: number;
}

/** Options of an {@link EsBulkIndexer}. */
export interface EsBulkIndexerOptions {
  /** Bytes per `_bulk` request (whole entries; one entry may exceed it). @default 5000000 */
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

/** One document of an entry: its two lines, each with its `\n` (slices, no copy). */
interface DocLines {
  action: Buffer;
  origin: string;
  source: Buffer;
}

interface BulkItem {
  status: number;
  error?: { reason?: string; type?: string };
}

const NEWLINE = 0x0a;
/** Only what settling needs: the bulk response stays small to parse. */
const FILTER_PATH =
  'errors,items.*.status,items.*.error.type,items.*.error.reason';

const defaultSleep = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A 400 or 413 for the whole request: some entry of it is not valid `_bulk`
 * lines, or too large. Any other status (blocks, 429, 5xx) is Elasticsearch's
 * state, not the data's: those batches wait and retry.
 */
function isMalformedRequest(err: unknown): boolean {
  return (
    err instanceof esErrors.ResponseError &&
    (err.statusCode === 400 || err.statusCode === 413)
  );
}

/** Elasticsearch cannot take the request now: the batch waits and retries. */
function isUnavailable(err: unknown): boolean {
  return (
    err instanceof esErrors.ConnectionError ||
    err instanceof esErrors.TimeoutError ||
    err instanceof esErrors.NoLivingConnectionsError ||
    (err instanceof esErrors.ResponseError && !isMalformedRequest(err))
  );
}

/**
 * Why an entry cannot be sent as it is, or undefined: it must end with a
 * newline and hold exactly two lines per document. Counting newlines is a
 * native scan; the lines themselves are checked by Elasticsearch.
 */
export function bulkEntryDefect(entry: BulkEntry): string | undefined {
  if (entry.defect) return entry.defect;
  const { body, docs } = entry;
  if (docs <= 0) return `entry holds ${docs} documents`;
  if (body.length === 0 || body[body.length - 1] !== NEWLINE)
    return 'entry does not end with a newline';
  let lines = 0;
  for (
    let at = body.indexOf(NEWLINE);
    at !== -1;
    at = body.indexOf(NEWLINE, at + 1)
  )
    lines++;
  return lines === 2 * docs
    ? undefined
    : `entry has ${lines} lines for ${docs} documents (2 per document expected)`;
}

function splitDocs(entry: BulkEntry): DocLines[] {
  const out: DocLines[] = [];
  const { body } = entry;
  let start = 0;
  while (start < body.length) {
    const actionEnd = body.indexOf(NEWLINE, start) + 1;
    const sourceEnd = body.indexOf(NEWLINE, actionEnd) + 1;
    out.push({
      action: body.subarray(start, actionEnd),
      origin: entry.origin,
      source: body.subarray(actionEnd, sourceEnd),
    });
    start = sourceEnd;
  }
  return out;
}

function target(doc: DocLines): { id: string; index: string } {
  try {
    const action = JSON.parse(doc.action.toString('utf8')) as {
      create?: { _id?: string; _index?: string };
    };
    return {
      id: String(action.create?._id ?? ''),
      index: String(action.create?._index ?? ''),
    };
  } catch {
    return { id: '', index: '' };
  }
}

/**
 * Sends stored `_bulk` lines to Elasticsearch as they are (no parsing, no
 * serialising: the stored bytes are concatenated) and settles every
 * document: created, duplicate (409 on the deterministic `_id`), retried
 * with exponential backoff and jitter (429/5xx), or dead-lettered with its
 * reason (mapping and parse errors, or retries exhausted). An entry that is
 * not valid `_bulk` lines is quarantined whole. `index` resolves only when
 * every document is settled, so the caller may then acknowledge the batch.
 *
 * When Elasticsearch cannot be reached at all it throws
 * {@link ElasticsearchUnavailableError}: nothing is dead-lettered for an
 * outage; the caller keeps the batch and tries again.
 * @see https://www.elastic.co/docs/api/doc/elasticsearch/operation/operation-bulk
 */
export class EsBulkIndexer {
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
    this.flushBytes = options.flushBytes ?? 5_000_000;
    this.maxItemAttempts = options.maxItemAttempts ?? 8;
    this.concurrency = options.concurrency ?? 2;
    this.retryBaseMs = options.retryBaseMs ?? 200;
    this.log = options.log ?? NOOP_LOG_SINK;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Indexes the documents of `entries` until every one is settled. */
  async index(entries: BulkEntry[]): Promise<IndexReport> {
    const report: IndexReport = {
      deadLettered: {},
      duplicates: 0,
      indexed: 0,
      quarantined: 0,
      retried: 0,
    };
    const quarantine: QuarantinedEntry[] = [];
    const chunks: BulkEntry[][] = [];
    let chunk: BulkEntry[] = [];
    let bytes = 0;
    for (const entry of entries) {
      const defect = bulkEntryDefect(entry);
      if (defect) {
        quarantine.push({
          body: entry.body,
          origin: entry.origin,
          reason: defect,
        });
        continue;
      }
      if (chunk.length > 0 && bytes + entry.body.length > this.flushBytes) {
        chunks.push(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(entry);
      bytes += entry.body.length;
    }
    if (chunk.length > 0) chunks.push(chunk);
    let next = 0;
    await Promise.all(
      Array.from(
        { length: Math.min(this.concurrency, chunks.length) },
        async () => {
          while (next < chunks.length)
            await this.sendEntries(chunks[next++], report, quarantine);
        },
      ),
    );
    if (quarantine.length > 0) {
      await quarantineEntries(this.client, quarantine);
      report.quarantined += quarantine.length;
      for (const q of quarantine)
        this.log.error(
          { origin: q.origin, reason: q.reason },
          'stream entry is not valid bulk lines; quarantined',
        );
    }
    return report;
  }

  /** One `_bulk` request for whole entries, then item retries as needed. */
  private async sendEntries(
    entries: BulkEntry[],
    report: IndexReport,
    quarantine: QuarantinedEntry[],
  ): Promise<void> {
    const body =
      entries.length === 1
        ? entries[0].body
        : Buffer.concat(entries.map((e) => e.body));
    let docs = 0;
    for (const e of entries) docs += e.docs;
    // Some entry is not valid bulk lines: find it by sending each alone.
    const isolate = async (reason: string) => {
      if (entries.length > 1) {
        for (const e of entries)
          await this.sendEntries([e], report, quarantine);
      } else {
        quarantine.push({ body, origin: entries[0].origin, reason });
      }
    };
    let items: BulkItem[];
    let errors: boolean;
    try {
      ({ errors, items } = await this.bulk(body));
    } catch (err) {
      if (!isMalformedRequest(err)) throw err;
      return isolate(
        `elasticsearch refused the request: ${(err as Error).message}`,
      );
    }
    if (items.length !== docs)
      return isolate(
        `elasticsearch answered ${items.length} items for ${docs} documents`,
      );
    if (!errors) {
      report.indexed += docs;
      return;
    }
    await this.settle(entries.flatMap(splitDocs), items, report);
  }

  /** Settles each item; retries the retryable ones with backoff until none is left. */
  private async settle(
    docs: DocLines[],
    items: BulkItem[],
    report: IndexReport,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const retry: DocLines[] = [];
      const dead: DeadLetter[] = [];
      for (let i = 0; i < docs.length; i++) {
        const { error, status } = items[i];
        const outcome = classifyBulkItem(status);
        if (outcome === 'indexed') report.indexed++;
        else if (outcome === 'duplicate') report.duplicates++;
        else if (outcome === 'retry' && attempt < this.maxItemAttempts)
          retry.push(docs[i]);
        else
          dead.push({
            ...target(docs[i]),
            attempts: attempt,
            origin: docs[i].origin,
            original: docs[i].source.toString('utf8').trimEnd(),
            reason: error?.reason ?? `status ${status}`,
            status,
            type:
              outcome === 'retry'
                ? 'retries_exhausted'
                : (error?.type ?? 'unknown'),
          });
      }
      if (dead.length > 0) {
        await writeDeadLetters(this.client, dead);
        for (const d of dead) {
          report.deadLettered[d.type] = (report.deadLettered[d.type] ?? 0) + 1;
          this.log.warn(
            {
              'error.type': d.type,
              index: d.index,
              origin: d.origin,
              status: d.status,
            },
            'document dead-lettered',
          );
        }
      }
      if (retry.length === 0) return;
      report.retried += retry.length;
      this.log.warn(
        { attempt, items: retry.length },
        'bulk items retried after transient errors',
      );
      await this.sleep(
        backoffDelayMs(attempt - 1, {
          baseMs: this.retryBaseMs,
          maxMs: 10_000,
        }),
      );
      docs = retry;
      ({ items } = await this.bulk(
        Buffer.concat(docs.flatMap((d) => [d.action, d.source])),
      ));
      if (items.length !== docs.length)
        throw new Error(
          `elasticsearch answered ${items.length} items for ${docs.length} retried documents`,
        );
    }
  }

  private async bulk(
    body: Buffer,
  ): Promise<{ errors: boolean; items: BulkItem[] }> {
    try {
      const response = await this.client.transport.request<{
        errors?: boolean;
        items?: Record<string, BulkItem>[];
      }>(
        {
          bulkBody: body,
          method: 'POST',
          path: '/_bulk',
          querystring: { filter_path: FILTER_PATH },
        },
        { maxRetries: 0 },
      );
      const items = (response.items ?? []).map(
        (item) => Object.values(item)[0] ?? { status: 500 },
      );
      return { errors: response.errors === true, items };
    } catch (err) {
      if (isUnavailable(err))
        throw new ElasticsearchUnavailableError('bulk', err);
      throw err;
    }
  }
}
