import { redactUrl } from '@freeride/net-guard';

import {
  MalformedResponseError,
  ProviderTimeoutError,
  UpstreamError,
} from '../market-data.errors';
import type { ProviderName } from '../market-data.types';

/** A provider response: status, headers and the raw body. */
export interface ProviderResponse {
  headers: Headers;
  status: number;
  text: string;
}

/** Arguments of {@link providerGet}. */
export interface ProviderGetOptions {
  headers?: Record<string, string>;
  /** Operation named in errors, e.g. `finnhub quote`. */
  operation: string;
  provider: ProviderName;
  signal?: AbortSignal;
  symbol?: string;
  timeoutMs: number;
  url: string;
}

/**
 * GETs a provider URL with an explicit timeout. Network failures become
 * {@link UpstreamError}, the timeout a {@link ProviderTimeoutError} naming the
 * operation, the (redacted) target and the limit. Status handling is left to
 * the caller, which knows the provider's conventions.
 */
export async function providerGet(
  options: ProviderGetOptions,
): Promise<ProviderResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal
    ? AbortSignal.any([options.signal, timeout])
    : timeout;
  const target = redactUrl(options.url);
  try {
    const res = await fetch(options.url, { headers: options.headers, signal });
    const text = await res.text();
    return { headers: res.headers, status: res.status, text };
  } catch (err) {
    if (signal.aborted) {
      throw new ProviderTimeoutError(options.provider, {
        cause: err,
        operation: options.operation,
        symbol: options.symbol,
        target,
        timeoutMs: options.timeoutMs,
      });
    }
    throw new UpstreamError(options.provider, {
      cause: err,
      reason: 'network',
      symbol: options.symbol,
    });
  }
}

/** Parses a JSON body or throws {@link MalformedResponseError}. */
export function parseJsonBody(
  provider: ProviderName,
  res: ProviderResponse,
  symbol?: string,
): unknown {
  if (res.text.trim() === '') {
    throw new MalformedResponseError(provider, {
      reason: 'empty body',
      status: res.status,
      symbol,
    });
  }
  try {
    return JSON.parse(res.text) as unknown;
  } catch (err) {
    throw new MalformedResponseError(provider, {
      cause: err,
      reason: 'body is not JSON',
      status: res.status,
      symbol,
    });
  }
}

/**
 * Reads `Retry-After` (delta seconds or an HTTP date) in ms, or `undefined`.
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 */
export function retryAfterMs(
  headers: Headers,
  now: number = Date.now(),
): number | undefined {
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** True when `value` is a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a number that may arrive as a string (Alpha Vantage) or throws. */
export function toNumber(
  provider: ProviderName,
  value: unknown,
  field: string,
  symbol?: string,
): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string'
        ? Number(value)
        : NaN;
  if (!Number.isFinite(n)) {
    throw new MalformedResponseError(provider, {
      reason: `field ${field} is not a number`,
      symbol,
    });
  }
  return n;
}
