import { type LookupAddress, lookup as dnsLookup } from 'node:dns';
import {
  Agent as HttpAgent,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  request as httpRequest,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';

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

/** Only guarded requests use these pools, so every pooled socket was checked. */
const HTTP_AGENT = new HttpAgent({ keepAlive: true });
const HTTPS_AGENT = new HttpsAgent({ keepAlive: true });

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
  const https = target.url.protocol === 'https:';
  const maxBody = init.maxBodyBytes ?? 64 * 1024;
  return await new Promise<GuardedResponse>((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(
      target.url,
      {
        agent: https ? HTTPS_AGENT : HTTP_AGENT,
        headers: init.headers,
        lookup: target.literal
          ? undefined
          : guardedLookup(policy, target.port, field),
        method: init.method ?? 'GET',
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < maxBody) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          resolve({
            body: Buffer.concat(chunks).subarray(0, maxBody).toString('utf8'),
            headers: res.headers,
            status: res.statusCode ?? 0,
          });
        });
      },
    );
    // A timer cleared when the exchange ends (an AbortSignal.timeout per
    // request would fire, and build its error, long after most answers).
    const timer = setTimeout(
      () =>
        req.destroy(
          new Error(`no complete answer within ${init.timeoutMs} ms`),
        ),
      init.timeoutMs,
    );
    function fail(err: Error): void {
      clearTimeout(timer);
      reject(err);
    }
    req.on('error', fail);
    req.end(init.body);
  });
}
