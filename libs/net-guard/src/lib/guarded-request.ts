import { type LookupAddress, lookup as dnsLookup } from 'node:dns';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { LookupFunction } from 'node:net';
import { Pool } from 'undici';

import { ForbiddenDestinationError, parseGuardedUrl } from './check-url';
import { type NetPolicy, destinationProblem } from './policy';

/**
 * A `lookup` for `net.connect`/`http.request`: resolves like `dns.lookup`,
 * then refuses when any address is forbidden. The socket connects to the
 * address checked here, so a name that changes address between the create-
 * time check and the delivery (DNS rebinding) is caught.
 */
export function guardedLookup(
  policy: NetPolicy,
  port: number,
  field = 'url',
): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) {
        callback(err, '', 4);
        return;
      }
      const list = addresses;
      for (const a of list) {
        const problem = destinationProblem(a.address, port, policy);
        if (problem) {
          callback(
            new ForbiddenDestinationError(
              `${hostname} resolves to ${problem}`,
              field,
            ),
            '',
            4,
          );
          return;
        }
      }
      if (list.length === 0) {
        callback(
          new ForbiddenDestinationError(`${hostname} does not resolve`, field),
          '',
          4,
        );
      } else if ((options as { all?: boolean }).all) {
        (callback as unknown as (e: null, a: LookupAddress[]) => void)(
          null,
          list,
        );
      } else {
        callback(null, list[0].address, list[0].family);
      }
    });
  };
}

/**
 * Keep-alive connection pools of guarded requests, by policy, then by field
 * and origin: each pool connects only through the `guardedLookup` of its
 * policy, port and field, so every pooled socket was checked. undici's pool
 * costs the caller about a third of the CPU `http.request` does per request.
 */
const pools = new WeakMap<NetPolicy, Map<string, Pool>>();
/** Origins pooled per policy (beyond that the pools are closed and start over). */
const POOLS_MAX = 1_000;

function poolFor(
  target: ReturnType<typeof parseGuardedUrl>,
  policy: NetPolicy,
  field: string,
): Pool {
  let byOrigin = pools.get(policy);
  if (!byOrigin) {
    byOrigin = new Map();
    pools.set(policy, byOrigin);
  }
  const key = `${field} ${target.url.origin}`;
  let pool = byOrigin.get(key);
  if (!pool) {
    if (byOrigin.size >= POOLS_MAX) {
      // Requests in flight finish first; later ones open new pools.
      for (const old of byOrigin.values()) void old.close();
      byOrigin.clear();
    }
    pool = new Pool(target.url.origin, {
      connect: target.literal
        ? {}
        : { lookup: guardedLookup(policy, target.port, field) },
    });
    byOrigin.set(key, pool);
  }
  return pool;
}

/** What `parseGuardedUrl` answered, by policy, then by field and URL. */
const checkedTargets = new WeakMap<
  NetPolicy,
  Map<string, ReturnType<typeof parseGuardedUrl>>
>();
/** URLs remembered per policy (beyond that the memory starts over). */
const CHECKED_TARGETS_MAX = 10_000;

/**
 * `parseGuardedUrl` once per URL string, field and policy: its answer
 * depends on nothing else (no DNS: a name is checked at connect time, on
 * every connection, by `guardedLookup`), and a webhook URL is called again
 * and again. Refusals are not remembered; they throw every time.
 */
function checkedTarget(
  raw: string,
  policy: NetPolicy,
  field: string,
): ReturnType<typeof parseGuardedUrl> {
  let byUrl = checkedTargets.get(policy);
  if (!byUrl) {
    byUrl = new Map();
    checkedTargets.set(policy, byUrl);
  }
  const key = `${field} ${raw}`;
  let target = byUrl.get(key);
  if (!target) {
    target = parseGuardedUrl(raw, policy, field);
    if (byUrl.size >= CHECKED_TARGETS_MAX) byUrl.clear();
    byUrl.set(key, target);
  }
  return target;
}

export interface GuardedRequestInit {
  body?: Buffer | string;
  headers?: OutgoingHttpHeaders;
  /** Bytes of the answer kept (default 64 KiB); the rest is discarded. */
  maxBodyBytes?: number;
  method?: string;
  /** Aborts the whole exchange (connect, send, answer). */
  timeoutMs: number;
}

export interface GuardedResponse {
  body: string;
  headers: IncomingHttpHeaders;
  status: number;
}

/**
 * One HTTP(S) request to a URL a caller supplied (webhooks, chat hooks):
 * literal addresses are checked before connecting, names at connect time
 * through `guardedLookup`. Redirects are never followed: a 3xx comes back as
 * the answer. Throws `ForbiddenDestinationError` for a forbidden target.
 */
export async function guardedRequest(
  raw: string,
  init: GuardedRequestInit,
  policy: NetPolicy,
  field = 'url',
): Promise<GuardedResponse> {
  const target = checkedTarget(raw, policy, field);
  const maxBody = init.maxBodyBytes ?? 64 * 1024;
  // A timer cleared when the exchange ends (an AbortSignal.timeout per
  // request would fire, and build its error, long after most answers).
  const abort = new AbortController();
  const timer = setTimeout(
    () =>
      abort.abort(new Error(`no complete answer within ${init.timeoutMs} ms`)),
    init.timeoutMs,
  );
  try {
    const res = await poolFor(target, policy, field).request({
      body: init.body,
      headers: init.headers as Record<string, string>,
      method: (init.method ?? 'GET') as 'GET',
      path: target.url.pathname + target.url.search,
      signal: abort.signal,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    await new Promise<void>((resolve, reject) => {
      res.body.on('data', (chunk: Buffer) => {
        if (size < maxBody) chunks.push(chunk);
        size += chunk.length;
      });
      res.body.on('error', reject);
      res.body.on('end', resolve);
    });
    return {
      body: Buffer.concat(chunks).subarray(0, maxBody).toString('utf8'),
      headers: res.headers,
      status: res.statusCode,
    };
  } catch (err) {
    throw abort.signal.aborted ? (abort.signal.reason as Error) : err;
  } finally {
    clearTimeout(timer);
  }
}
