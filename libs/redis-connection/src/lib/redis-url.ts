/** One Redis node of a cluster's seed list. */
export interface RedisNodeAddress {
  host: string;
  port: number;
}

/**
 * Where an app's Redis is: one server (`redis://`, `rediss://`), or a Redis
 * Cluster reached through seed nodes (`redis-cluster://host:port,host:port`).
 */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | {
      kind: 'cluster';
      /** Seed nodes; the client discovers the others (`CLUSTER SLOTS`). */
      nodes: RedisNodeAddress[];
      password?: string;
      /** `rediss-cluster://`: every node over TLS. */
      tls: boolean;
      username?: string;
    };

/** A Redis URL the apps cannot use; the message says why (never the password). */
export class InvalidRedisUrlError extends Error {
  override readonly name = 'InvalidRedisUrlError';

  constructor(readonly reason: string) {
    super(`invalid Redis URL: ${reason}`);
  }
}

const CLUSTER_SCHEMES = new Set(['redis-cluster:', 'rediss-cluster:']);
const SINGLE_SCHEMES = new Set(['redis:', 'rediss:']);

/**
 * Parses a Redis URL: `redis://[user:password@]host:port[/db]` (one server,
 * as ioredis reads it) or
 * `redis-cluster://[user:password@]host:port,host:port,...` (a cluster's
 * seed nodes; no database number, a cluster has only database 0).
 * @throws InvalidRedisUrlError naming the problem
 */
export function parseRedisUrl(url: string): RedisTarget {
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0].toLowerCase();
  if (scheme && SINGLE_SCHEMES.has(scheme)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new InvalidRedisUrlError('not a URL');
    }
    if (!parsed.hostname) throw new InvalidRedisUrlError('no host');
    return { kind: 'single', url };
  }
  if (!scheme || !CLUSTER_SCHEMES.has(scheme))
    throw new InvalidRedisUrlError(
      'scheme must be redis://, rediss://, redis-cluster:// or rediss-cluster://',
    );
  let rest = url.slice(scheme.length).replace(/^\/\//, '');
  let username: string | undefined;
  let password: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const credentials = rest.slice(0, at);
    rest = rest.slice(at + 1);
    const colon = credentials.indexOf(':');
    const user = decodeURIComponent(
      colon >= 0 ? credentials.slice(0, colon) : credentials,
    );
    if (colon >= 0) password = decodeURIComponent(credentials.slice(colon + 1));
    if (user) username = user;
  }
  rest = rest.replace(/\/+$/, '');
  if (rest.includes('/') || rest.includes('?'))
    throw new InvalidRedisUrlError(
      'a cluster URL has no path or query (a cluster has only database 0)',
    );
  const nodes: RedisNodeAddress[] = [];
  for (const part of rest.split(',')) {
    const seed = part.trim();
    const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+):(\d{1,5})$/i.exec(seed);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65535)
      throw new InvalidRedisUrlError(
        `seed node "${seed}" is not host:port (every seed node needs its port)`,
      );
    nodes.push({ host: match[1].replace(/^\[|\]$/g, ''), port });
  }
  return {
    kind: 'cluster',
    nodes,
    ...(password !== undefined ? { password } : {}),
    tls: scheme === 'rediss-cluster:',
    ...(username !== undefined ? { username } : {}),
  };
}

/** Why `url` is not a usable Redis URL, or undefined when it is (for config schemas). */
export function redisUrlProblem(url: string): string | undefined {
  try {
    parseRedisUrl(url);
    return undefined;
  } catch (err) {
    if (err instanceof InvalidRedisUrlError) return err.reason;
    throw err;
  }
}
