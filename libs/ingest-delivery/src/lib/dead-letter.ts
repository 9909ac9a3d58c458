import type { Client } from '@elastic/elasticsearch';

import { ElasticsearchUnavailableError } from './ingest.errors';

/** Where documents Elasticsearch refused are kept, with the reason. */
export const DEAD_LETTER_INDEX = 'freeride-deadletter';
/** Where stream entries that cannot be sent at all are quarantined, byte for byte. */
export const QUARANTINE_INDEX = 'freeride-deadletter-unmappable';

/** One document Elasticsearch refused for good. */
export interface DeadLetter {
  /** Attempts made. */
  attempts: number;
  /** The document's `_id` and target data stream. */
  id: string;
  index: string;
  /** The document source as sent (JSON text). */
  original: string;
  /** Stream entry the document came from. */
  origin: string;
  reason: string;
  status: number;
  /** Elasticsearch error type, or `retries_exhausted`. */
  type: string;
}

/** One stream entry that could not be turned into documents. */
export interface QuarantinedEntry {
  origin: string;
  body: Buffer;
  reason: string;
}

async function writeAll(
  client: Client,
  what: string,
  operations: object[],
): Promise<void> {
  try {
    const response = await client.bulk({ operations });
    for (const item of response.items) {
      const status = item.create?.status ?? 500;
      if (status >= 300 && status !== 409) {
        throw new Error(
          `${what} write answered ${status}: ${item.create?.error?.reason ?? 'unknown'}`,
        );
      }
    }
  } catch (err) {
    throw new ElasticsearchUnavailableError(what, err);
  }
}

/**
 * Writes refused documents to {@link DEAD_LETTER_INDEX}: the original
 * source, the target, the status and Elasticsearch's reason. Keyed by the
 * document id, so writing the same letter twice keeps one.
 * @throws ElasticsearchUnavailableError when the letters cannot be written
 */
export async function writeDeadLetters(
  client: Client,
  letters: DeadLetter[],
): Promise<void> {
  if (letters.length === 0) return;
  const now = new Date().toISOString();
  await writeAll(
    client,
    'dead-letter',
    letters.flatMap((l) => [
      { create: { _id: l.id, _index: DEAD_LETTER_INDEX } },
      {
        '@timestamp': now,
        attempts: l.attempts,
        error: { reason: l.reason, type: l.type },
        origin: l.origin,
        original: l.original,
        status: l.status,
        target: { id: l.id, index: l.index },
      },
    ]),
  );
}

/**
 * Quarantines stream entries that are not valid `_bulk` lines (corruption,
 * or a bug) in {@link QUARANTINE_INDEX}, their bytes in base64, so the
 * indexer never crash-loops on them.
 * @throws ElasticsearchUnavailableError when they cannot be written
 */
export async function quarantineEntries(
  client: Client,
  entries: QuarantinedEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  const now = new Date().toISOString();
  await writeAll(
    client,
    'quarantine',
    entries.flatMap((e) => [
      { create: { _id: `unmappable-${e.origin}`, _index: QUARANTINE_INDEX } },
      {
        '@timestamp': now,
        error: { reason: e.reason, type: 'unmappable_entry' },
        origin: e.origin,
        original: e.body.toString('base64'),
      },
    ]),
  );
}
