import type { StreamClient } from './consumer-group-reader';

/** Options of {@link PartitionLeases}. */
export interface PartitionLeasesOptions {
  /**
   * Redis key of partition `p`'s lease. Give each its own hash tag (e.g.
   * the partition's stream tag): every lease command names one key.
   */
  leaseKey: (partition: number) => string;
  /**
   * How long a lease lives without renewal, ms: the takeover delay after an
   * owner dies without releasing.
   */
  leaseMs: number;
  /** Redis key of the members' heartbeat (a sorted set). */
  membersKey: string;
  /**
   * Called after a round in which a partition was lost, given up or taken,
   * with the partitions held now (e.g. to restart one reader over all of
   * them). A partition whose lease expired (a Redis failover, a long pause)
   * and that is taken back in the same round counts: `onRelease` stopped it.
   */
  onChange?: (partitions: number[]) => Promise<void> | void;
  /** Called when this owner got partition `p` (start reading it). */
  onAcquire: (partition: number) => Promise<void> | void;
  /**
   * Called when this owner gives partition `p` up or lost it (stop reading
   * it, save its state); on a give-up the lease is deleted after it resolves.
   */
  onRelease: (
    partition: number,
    reason: 'lost' | 'rebalance' | 'stop',
  ) => Promise<void> | void;
  /**
   * This owner's unique name (one per running instance). An instance
   * restarted under the same name takes its unexpired leases back at once.
   */
  owner: string;
  /** Number of partitions, `0..partitions-1`. */
  partitions: number;
  /**
   * How often leases are renewed and the shares rebalanced, ms.
   * @default leaseMs / 3
   */
  renewEveryMs?: number;
}

/*
 * Heartbeat: this member's expiry (Redis' own clock) in the members set,
 * members past their expiry removed; returns the live members.
 */
const HEARTBEAT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 10)
return redis.call('ZCARD', KEYS[1])
`;

/* Renews a lease held by ARGV[1]; 0 when someone else holds it or it expired. */
const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`;

/* Deletes a lease only if ARGV[1] holds it. */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/** Removes a member from the heartbeat set (a clean stop). */
const LEAVE_SCRIPT = `return redis.call('ZREM', KEYS[1], ARGV[1])`;

/**
 * Shares partitions among the live instances of a consumer, dynamically:
 * each partition has a lease in Redis (`SET NX PX`, renewed while held),
 * and each instance holds about `ceil(partitions / live instances)` of
 * them. When an instance dies, its leases expire after `leaseMs` and the
 * survivors take its partitions; when one joins, the others give up their
 * surplus (`onRelease` first, so state is saved before the new owner starts).
 *
 * Works on one Redis and on a Redis Cluster: each command names one key.
 * A lease is a lock with a timeout, not a fencing token: an owner paused
 * longer than `leaseMs` loses its partitions at its next round
 * (`onRelease(p, 'lost')`).
 * @see https://redis.io/docs/latest/develop/use/patterns/distributed-locks/
 */
export class PartitionLeases {
  private readonly owned = new Set<number>();
  /** Whether the current round lost, gave up or took a partition. */
  private changed = false;
  /** When the held leases and the heartbeat were last renewed (Date.now()). */
  private renewedAt = 0;
  private readonly renewEveryMs: number;
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly redis: StreamClient,
    private readonly options: PartitionLeasesOptions,
  ) {
    this.renewEveryMs =
      options.renewEveryMs ?? Math.max(100, Math.floor(options.leaseMs / 3));
  }

  /** Partitions held now, ascending. */
  get partitions(): number[] {
    return [...this.owned].sort((a, b) => a - b);
  }

  /** Takes a first share at once, then rebalances every `renewEveryMs`. */
  async start(onError: (err: unknown) => void): Promise<void> {
    this.stopped = false;
    await this.rebalance().catch(onError);
    const tick = () => {
      if (this.stopped) return;
      this.round = this.rebalance()
        .catch(onError)
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.renewEveryMs);
        });
    };
    this.timer = setTimeout(tick, this.renewEveryMs);
  }

  /** Releases every partition (`onRelease(p, 'stop')` first) and leaves. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.round;
    for (const p of this.partitions) await this.giveUp(p, 'stop');
    await this.redis
      .eval(LEAVE_SCRIPT, 1, this.options.membersKey, this.options.owner)
      .catch(() => undefined);
  }

  /**
   * One round: heartbeat, renew what is held (dropping what was lost), give
   * up the surplus over a fair share, and take free partitions up to it.
   */
  async rebalance(): Promise<void> {
    this.changed = false;
    try {
      await this.balance();
    } finally {
      if (this.changed) await this.options.onChange?.(this.partitions);
    }
  }

  private async balance(): Promise<void> {
    const { leaseKey, leaseMs, owner, partitions } = this.options;
    const members = await this.keepAlive();
    if (this.stopped) return;
    const fair = Math.ceil(partitions / Math.max(1, members));
    // Give up the highest partitions beyond the fair share. Each give-up
    // waits for its reader's batch in flight: the leases kept are renewed
    // between them, or several slow give-ups would let them expire.
    while (this.owned.size > fair) {
      const p = this.partitions[this.owned.size - 1];
      await this.giveUp(p, 'rebalance');
      await this.keepAliveIfDue();
    }
    // Take free ones, starting at an offset of the owner's name so that
    // instances starting together try different partitions first.
    const start = offsetOf(owner, partitions);
    for (let i = 0; i < partitions && this.owned.size < fair; i++) {
      const p = (start + i) % partitions;
      if (this.owned.has(p)) continue;
      await this.keepAliveIfDue();
      const taken =
        (await this.redis.set(leaseKey(p), owner, 'PX', leaseMs, 'NX')) ===
          'OK' ||
        // Still ours from before a restart under the same name.
        Number(
          await this.redis.eval(RENEW_SCRIPT, 1, leaseKey(p), owner, leaseMs),
        ) === 1;
      if (!taken) continue;
      this.owned.add(p);
      this.changed = true;
      try {
        await this.options.onAcquire(p);
      } catch (err) {
        await this.giveUp(p, 'stop');
        throw err;
      }
    }
  }

  /**
   * Heartbeat, then renews every lease held, dropping (`onRelease(p,
   * 'lost')`) those that expired or that someone else holds; returns the
   * number of live members.
   */
  private async keepAlive(): Promise<number> {
    const { leaseKey, leaseMs, membersKey, owner } = this.options;
    this.renewedAt = Date.now();
    const members = Number(
      await this.redis.eval(HEARTBEAT_SCRIPT, 1, membersKey, owner, leaseMs),
    );
    for (const p of this.partitions) {
      const renewed = Number(
        await this.redis.eval(RENEW_SCRIPT, 1, leaseKey(p), owner, leaseMs),
      );
      if (renewed !== 1) {
        this.owned.delete(p);
        this.changed = true;
        await this.options.onRelease(p, 'lost');
      }
    }
    return members;
  }

  /** {@link keepAlive} when a renewal period passed since the last one (a round with slow callbacks). */
  private async keepAliveIfDue(): Promise<void> {
    if (Date.now() - this.renewedAt >= this.renewEveryMs)
      await this.keepAlive();
  }

  private async giveUp(
    partition: number,
    reason: 'rebalance' | 'stop',
  ): Promise<void> {
    this.owned.delete(partition);
    this.changed = true;
    await this.options.onRelease(partition, reason);
    await this.redis.eval(
      RELEASE_SCRIPT,
      1,
      this.options.leaseKey(partition),
      this.options.owner,
    );
  }
}

/** A stable offset in `0..n-1` from a name (FNV-1a). */
function offsetOf(name: string, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % n;
}
