import {
  type OtlpRequest,
  type OtlpSignal,
  decodeOtlpRequest,
  toBulkLines,
} from '@freeride/otlp';

import type { BulkEntry } from './es-bulk-indexer';
import type { StoredIngestEntry } from './redis-ingest-stream';

/**
 * The request held by a stream entry written by an earlier version (the
 * sender's OTLP body, or the decoded request as JSON), so that entries
 * pending across an upgrade are still indexed and fanned out.
 * `receivedAt` is the acceptance time, so records without a timestamp
 * keep it.
 * @throws when the entry holds `_bulk` lines, or cannot be decoded
 */
export function decodeLegacyEntry(
  signal: OtlpSignal,
  entry: StoredIngestEntry,
): OtlpRequest {
  if (entry.format === 'bulk-ndjson')
    throw new Error('the entry holds _bulk lines, not an OTLP request');
  if (entry.format === 'normalised-json') {
    return JSON.parse(entry.body.toString('utf8')) as OtlpRequest;
  }
  return decodeOtlpRequest(
    signal,
    entry.format === 'otlp-protobuf' ? 'protobuf' : 'json',
    entry.body,
    entry.receivedAt,
  );
}

/**
 * The `_bulk` lines of a stream entry: as stored, or mapped now for an
 * entry an earlier version wrote (into `namespace` unless its records name
 * one). An entry that cannot be mapped carries its defect, so the bulk
 * indexer quarantines it instead of crash-looping on it.
 */
export function bulkEntryOf(
  signal: OtlpSignal,
  entry: StoredIngestEntry,
  namespace: string,
): BulkEntry {
  if (entry.bodyMissing)
    return {
      body: entry.body,
      defect: `the entry's body (${entry.bodyKey}) is gone from Redis`,
      docs: entry.items,
      origin: entry.id,
    };
  if (entry.format === 'bulk-ndjson')
    return { body: entry.body, docs: entry.items, origin: entry.id };
  try {
    const lines = toBulkLines(decodeLegacyEntry(signal, entry), {
      namespace,
      source: entry.source,
    });
    return {
      body: Buffer.from(lines.body),
      docs: lines.docs,
      origin: entry.id,
    };
  } catch (err) {
    return {
      body: entry.body,
      defect: `entry cannot be mapped: ${(err as Error).message}`,
      docs: entry.items,
      origin: entry.id,
    };
  }
}
