import {
  type OtlpRequest,
  type OtlpSignal,
  decodeOtlpRequest,
} from '@freeride/otlp';

import type { StoredIngestEntry } from './redis-ingest-stream';

/**
 * The request a stream entry holds. Raw bodies are decoded again here
 * rather than stored decoded: a protobuf body is 3–4 times smaller than
 * its JSON form in Redis and its append-only file, and decoding it is
 * cheaper than serialising and parsing that JSON. `receivedAt` is the
 * acceptance time, so records without a timestamp keep it.
 */
export function decodeStoredRequest(
  signal: OtlpSignal,
  entry: StoredIngestEntry,
): OtlpRequest {
  if (entry.encoding === 'j') {
    return JSON.parse(entry.body.toString('utf8')) as OtlpRequest;
  }
  return decodeOtlpRequest(
    signal,
    entry.encoding === 'p' ? 'protobuf' : 'json',
    entry.body,
    entry.receivedAt,
  );
}
