/** Number of hash slots of a Redis Cluster. */
export const CLUSTER_SLOTS = 16384;

/**
 * The Redis Cluster hash slot of a key: CRC16 of the key, or of its hash tag
 * (the part between the first `{` and the next `}`) when it has one.
 * @see https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags
 */
export function slotOf(key: string): number {
  let bytes = Buffer.from(key, 'utf8');
  const open = bytes.indexOf(0x7b); // {
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1); // }
    if (close > open + 1) bytes = bytes.subarray(open + 1, close);
  }
  return crc16(bytes) % CLUSTER_SLOTS;
}

/*
 * CRC16-CCITT (XModem), as the cluster specification defines the key hash.
 * Written here (a table and a loop) because the one package for it that
 * ioredis uses ships no types.
 */
const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes)
    crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ byte) & 0xff];
  return crc;
}

/**
 * Groups keys by hash slot, keeping their order: a multi-key command (one
 * `XREADGROUP` over several streams) may only name keys of one slot on a
 * cluster.
 */
export function groupBySlot(keys: readonly string[]): string[][] {
  const groups = new Map<number, string[]>();
  for (const key of keys) {
    const slot = slotOf(key);
    const group = groups.get(slot);
    if (group) group.push(key);
    else groups.set(slot, [key]);
  }
  return [...groups.values()];
}

/**
 * The key with its partition as a hash tag, so every key of one partition
 * (its stream, the stream's companions) lands on one cluster slot, e.g.
 * `hashTagged('freeride:records:logs', 3)` is `freeride:records:logs:{3}`.
 */
export function hashTagged(prefix: string, tag: number | string): string {
  return `${prefix}:{${tag}}`;
}
