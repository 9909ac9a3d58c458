import { createHash } from 'node:crypto';

/** One client of the gateway (trading, the Python source, the demo...). */
export interface ClientKey {
  key: string;
  name: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Parses `GATEWAY_CLIENT_KEYS` (`name=key,name2=key2`). Throws naming the
 * bad entry (never its key).
 */
export function parseClientKeys(spec: string): ClientKey[] {
  const clients: ClientKey[] = [];
  for (const [i, entry] of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .entries()) {
    const at = entry.indexOf('=');
    const name = at > 0 ? entry.slice(0, at) : '';
    const key = at > 0 ? entry.slice(at + 1) : '';
    if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(name)) {
      throw new Error(
        `entry ${i + 1}: expected name=key with a lower-case name (a-z, 0-9, -)`,
      );
    }
    if (key.length < 16) {
      throw new Error(`client "${name}": key must have at least 16 characters`);
    }
    if (clients.some((c) => c.name === name)) {
      throw new Error(`client "${name}" is listed twice`);
    }
    clients.push({ key, name });
  }
  return clients;
}

/** Finds the client of a bearer token by its SHA-256 (no key compared byte by byte). */
export class ClientKeyRegistry {
  private readonly byHash: Map<string, string>;

  constructor(clients: readonly ClientKey[]) {
    this.byHash = new Map(clients.map((c) => [sha256(c.key), c.name]));
  }

  /** True when at least one client key is configured (authentication on). */
  get enabled(): boolean {
    return this.byHash.size > 0;
  }

  /** The client's name for an `Authorization` header value, or undefined. */
  identify(authorization: string | undefined): string | undefined {
    const match =
      typeof authorization === 'string'
        ? /^Bearer\s+(\S+)$/i.exec(authorization)
        : null;
    return match ? this.byHash.get(sha256(match[1])) : undefined;
  }
}
