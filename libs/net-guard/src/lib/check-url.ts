import { FreerideError } from '@freeride/contracts';

import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';

import { bareAddress } from './address';
import { type NetPolicy, destinationProblem } from './policy';

/** A URL the platform refuses to call; `reason` says why, without secrets. */
export class ForbiddenDestinationError extends FreerideError {
  constructor(
    readonly reason: string,
    field = 'url',
  ) {
    super(`${field}: ${reason}`, {
      code: 'FORBIDDEN_DESTINATION',
      details: { field, reason },
      httpStatus: 400,
    });
  }
}

/** Every address a name resolves to (`dns.lookup`, as connections do). */
export type ResolveAll = (host: string) => Promise<string[]>;

export const resolveAll: ResolveAll = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** Names that mean this machine whatever DNS says (RFC 6761). */
export function isLoopbackName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return (
    h === 'localhost' ||
    h.endsWith('.localhost') ||
    h === 'localhost.localdomain' ||
    h === 'ip6-localhost' ||
    h === 'ip6-loopback'
  );
}

export interface CheckedUrl {
  /** The addresses checked (one for an IP literal). */
  addresses: string[];
  /** Host without brackets. */
  host: string;
  port: number;
  url: URL;
}

/**
 * Parses and checks the parts of a URL that need no DNS: http(s) only, IP
 * literals in every spelling (the WHATWG parser turns `2130706433`, `0177.1`
 * and `0x7f.1` into `127.0.0.1`), loopback names. Throws
 * `ForbiddenDestinationError`.
 */
export function parseGuardedUrl(
  raw: string,
  policy: NetPolicy,
  field = 'url',
): { host: string; literal: boolean; port: number; url: URL } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ForbiddenDestinationError('is not a valid URL', field);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ForbiddenDestinationError('must be an http or https URL', field);
  }
  const host = bareAddress(url.hostname);
  const port = url.port
    ? Number(url.port)
    : url.protocol === 'https:'
      ? 443
      : 80;
  if (!host) throw new ForbiddenDestinationError('has no host', field);
  if (isIP(host)) {
    const problem = destinationProblem(host, port, policy);
    if (problem) {
      throw new ForbiddenDestinationError(`points to ${problem}`, field);
    }
    return { host, literal: true, port, url };
  }
  if (isLoopbackName(host)) {
    throw new ForbiddenDestinationError(
      `${host} names a loopback address`,
      field,
    );
  }
  return { host, literal: false, port, url };
}

/**
 * Checks a URL at create time: syntax, then every address its host resolves
 * to (one forbidden address is enough to refuse it). Delivery must check
 * again against the address it connects to (see `guardedRequest`).
 */
export async function checkUrl(
  raw: string,
  policy: NetPolicy,
  options: { field?: string; resolve?: ResolveAll } = {},
): Promise<CheckedUrl> {
  const field = options.field ?? 'url';
  const parsed = parseGuardedUrl(raw, policy, field);
  if (parsed.literal) return { ...parsed, addresses: [parsed.host] };
  let addresses: string[];
  try {
    addresses = await (options.resolve ?? resolveAll)(parsed.host);
  } catch {
    throw new ForbiddenDestinationError(
      `${parsed.host} does not resolve`,
      field,
    );
  }
  if (addresses.length === 0) {
    throw new ForbiddenDestinationError(
      `${parsed.host} does not resolve`,
      field,
    );
  }
  for (const address of addresses) {
    const problem = destinationProblem(address, parsed.port, policy);
    if (problem) {
      throw new ForbiddenDestinationError(
        `${parsed.host} resolves to ${problem}`,
        field,
      );
    }
  }
  return { ...parsed, addresses };
}
