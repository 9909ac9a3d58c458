import {
  type OtlpRequest,
  type OtlpSignal,
  decodeOtlpRequest,
} from '@freeride/otlp';

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
