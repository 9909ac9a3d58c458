import { BlockList, isIPv4, isIPv6 } from 'node:net';

import { bareAddress, embeddedIPv4, forbiddenClass } from './address';

/** One allowlist entry: an address range, optionally limited to one port. */
export interface AllowRule {
  /** As written, for messages. */
  entry: string;
  list: BlockList;
  port?: number;
}

/**
 * What a guarded call may reach. `allow` opens specific otherwise forbidden
 * destinations (the local demo receiver); it is empty in production.
 */
export interface NetPolicy {
  allow: readonly AllowRule[];
}

export const STRICT_POLICY: NetPolicy = { allow: [] };

function parsePort(text: string, entry: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port < 1 || port > 65_535) {
    throw new Error(`allowlist entry "${entry}": bad port "${text}"`);
  }
  return port;
}

/** One entry: `IP`, `IP/prefix`, `IPv4:port`, `IPv4/prefix:port` or `[IPv6]:port`. */
function parseRule(entry: string): AllowRule {
  let hostPart = entry;
  let port: number | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracket) {
    hostPart = bracket[1];
    if (bracket[2] !== undefined) port = parsePort(bracket[2], entry);
  } else if ((entry.match(/:/g) ?? []).length === 1) {
    const at = entry.lastIndexOf(':');
    hostPart = entry.slice(0, at);
    port = parsePort(entry.slice(at + 1), entry);
  }
  const [address, prefixText] = hostPart.split('/');
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : '';
  if (!family) {
    throw new Error(
      `allowlist entry "${entry}": "${address}" is not an IP address (names are not allowed: they can change address)`,
    );
  }
  const max = family === 'ipv4' ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) {
    throw new Error(`allowlist entry "${entry}": bad prefix "${prefixText}"`);
  }
  const list = new BlockList();
  list.addSubnet(address, prefix, family);
  return { entry, list, port };
}

/**
 * Parses a comma-separated allowlist (e.g. `127.0.0.1:4010,[::1]:4010`).
 * Throws on a malformed entry, naming it.
 */
export function parseAllowlist(spec: string | undefined): NetPolicy {
  const entries = (spec ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return { allow: entries.map(parseRule) };
}

function allowedByList(ip: string, port: number, policy: NetPolicy): boolean {
  const v4 = isIPv6(ip) ? embeddedIPv4(ip) : undefined;
  return policy.allow.some(
    (rule) =>
      (rule.port === undefined || rule.port === port) &&
      (rule.list.check(ip, isIPv4(ip) ? 'ipv4' : 'ipv6') ||
        (v4 !== undefined && rule.list.check(v4, 'ipv4'))),
  );
}

/**
 * Why `address:port` may not be reached under `policy`, or `undefined` when
 * it may. The allowlist wins over the built-in forbidden ranges.
 */
export function destinationProblem(
  address: string,
  port: number,
  policy: NetPolicy,
): string | undefined {
  const ip = bareAddress(address);
  const cls = forbiddenClass(ip);
  if (cls === undefined) return undefined;
  if (cls !== 'not-an-ip' && allowedByList(ip, port, policy)) return undefined;
  return cls === 'not-an-ip'
    ? `"${address}" is not an IP address`
    : `a ${cls} address (${ip})`;
}
