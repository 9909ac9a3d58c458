import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** Why an address may not be called from the platform. */
export type ForbiddenClass =
  | 'cgnat'
  | 'documentation'
  | 'link-local'
  | 'loopback'
  | 'multicast'
  | 'not-an-ip'
  | 'private'
  | 'reserved'
  | 'unspecified';

type Family = 'ipv4' | 'ipv6';

/** Special-purpose ranges (IANA IPv4/IPv6 special-purpose registries) no delivery may reach. */
const RANGES: ReadonlyArray<readonly [string, number, Family, ForbiddenClass]> =
  [
    ['0.0.0.0', 8, 'ipv4', 'unspecified'],
    ['10.0.0.0', 8, 'ipv4', 'private'],
    ['100.64.0.0', 10, 'ipv4', 'cgnat'],
    ['127.0.0.0', 8, 'ipv4', 'loopback'],
    ['169.254.0.0', 16, 'ipv4', 'link-local'],
    ['172.16.0.0', 12, 'ipv4', 'private'],
    ['192.0.0.0', 24, 'ipv4', 'reserved'],
    ['192.0.2.0', 24, 'ipv4', 'documentation'],
    ['192.88.99.0', 24, 'ipv4', 'reserved'],
    ['192.168.0.0', 16, 'ipv4', 'private'],
    ['198.18.0.0', 15, 'ipv4', 'reserved'],
    ['198.51.100.0', 24, 'ipv4', 'documentation'],
    ['203.0.113.0', 24, 'ipv4', 'documentation'],
    ['224.0.0.0', 4, 'ipv4', 'multicast'],
    ['240.0.0.0', 4, 'ipv4', 'reserved'],
    ['::', 128, 'ipv6', 'unspecified'],
    ['::1', 128, 'ipv6', 'loopback'],
    // IPv4-compatible (deprecated) and other embeddings not unpacked below.
    ['::', 96, 'ipv6', 'reserved'],
    ['100::', 64, 'ipv6', 'reserved'],
    // Teredo, ORCHID and the rest of the IETF protocol block.
    ['2001::', 23, 'ipv6', 'reserved'],
    ['2001:db8::', 32, 'ipv6', 'documentation'],
    // 6to4 embeds an IPv4 address the relay would reach.
    ['2002::', 16, 'ipv6', 'reserved'],
    ['fc00::', 7, 'ipv6', 'private'],
    ['fe80::', 10, 'ipv6', 'link-local'],
    ['fec0::', 10, 'ipv6', 'private'],
    ['ff00::', 8, 'ipv6', 'multicast'],
  ];

const LISTS = new Map<ForbiddenClass, BlockList>();
for (const [net, prefix, family, cls] of RANGES) {
  let list = LISTS.get(cls);
  if (!list) {
    list = new BlockList();
    LISTS.set(cls, list);
  }
  list.addSubnet(net, prefix, family);
}

/** Removes URL brackets and an IPv6 zone id (`fe80::1%eth0`). */
export function bareAddress(address: string): string {
  let a = address.trim();
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  const zone = a.indexOf('%');
  return zone === -1 ? a : a.slice(0, zone);
}

/** The eight 16-bit groups of an IPv6 address (already validated by `isIPv6`). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  // A trailing dotted quad becomes two groups.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number);
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const fill =
    tail === undefined
      ? []
      : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((g) => parseInt(g, 16));
}

/**
 * The IPv4 address an IPv6 address carries and a network would deliver to:
 * IPv4-mapped `::ffff:a.b.c.d` and NAT64 `64:ff9b::a.b.c.d`.
 */
export function embeddedIPv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  const mapped =
    g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0);
  const nat64 =
    g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0);
  // `::` and `::1` are their own IPv6 classes, not IPv4-compatible addresses.
  if (g[5] === 0 && mapped && g[6] === 0) return undefined;
  if (!mapped && !nat64) return undefined;
  return [g[6] >> 8, g[6] & 0xff, g[7] >> 8, g[7] & 0xff].join('.');
}

/**
 * Why `address` (an IP literal, optionally bracketed) may not be reached, or
 * `undefined` when it is a public unicast address.
 */
export function forbiddenClass(address: string): ForbiddenClass | undefined {
  const ip = bareAddress(address);
  if (isIPv4(ip)) {
    for (const [cls, list] of LISTS) if (list.check(ip, 'ipv4')) return cls;
    if (ip === '255.255.255.255') return 'reserved';
    return undefined;
  }
  if (!isIPv6(ip)) return 'not-an-ip';
  const v4 = embeddedIPv4(ip);
  if (v4 !== undefined) return forbiddenClass(v4);
  for (const [cls, list] of LISTS) if (list.check(ip, 'ipv6')) return cls;
  return undefined;
}
