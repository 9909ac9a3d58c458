import type { OtlpRequest } from './otlp-request';

/** Options of {@link screenRequest}. */
export interface ScreenOptions {
  /**
   * Largest log record or span kept, in bytes of its JSON form. One huge
   * record must not make a whole batch fail downstream.
   * @default 1048576 (1 MiB)
   */
  maxItemBytes?: number;
  /** Size of the request body: when it is within the limit no item can exceed it, and nothing is measured. */
  bodyBytes?: number;
}

/** Result of {@link screenRequest}. */
export interface ScreenedRequest {
  /** Human-readable reason, for the OTLP `partialSuccess.errorMessage`; empty when nothing was rejected. */
  errorMessage: string;
  /** Items removed. */
  rejected: number;
  /** The request without the rejected items. */
  request: OtlpRequest;
}

/**
 * Removes single items too large to index (log records or spans over
 * `maxItemBytes`), so the rest of the batch is accepted and the sender
 * learns at once, through OTLP partial success, what was refused and why.
 * @see https://opentelemetry.io/docs/specs/otlp/#partial-success-1
 */
export function screenRequest(request: OtlpRequest, options: ScreenOptions = {}): ScreenedRequest {
  const limit = options.maxItemBytes ?? 1024 * 1024;
  if (options.bodyBytes !== undefined && options.bodyBytes <= limit) {
    return { errorMessage: '', rejected: 0, request };
  }
  const fits = (item: unknown) => JSON.stringify(item).length <= limit;
  let rejected = 0;
  if (request.signal === 'logs') {
    for (const rl of (request).resourceLogs) {
      for (const sl of rl.scopeLogs) {
        const kept = sl.logRecords.filter(fits);
        rejected += sl.logRecords.length - kept.length;
        sl.logRecords = kept;
      }
    }
  } else if (request.signal === 'traces') {
    for (const rs of (request).resourceSpans) {
      for (const ss of rs.scopeSpans) {
        const kept = ss.spans.filter(fits);
        rejected += ss.spans.length - kept.length;
        ss.spans = kept;
      }
    }
  }
  const what = request.signal === 'logs' ? 'log record(s)' : 'span(s)';
  return {
    errorMessage: rejected > 0 ? `${rejected} ${what} rejected: larger than ${limit} bytes` : '',
    rejected,
    request,
  };
}
