import type { Cluster, Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';

import {
  JITTER_ALLOWANCE_MS,
  type PlanLimit,
  SAFETY_FACTOR,
} from './token-bucket';

/** A call taken from a {@link SharedRateBudget}; report back what became of it. */
export interface SharedTake {
  /** The call was not made: give the call back to every window. */
  release(): Promise<void>;
  /**
   * The call completed: a one-call-per-window plan is then spaced from now
   * (as {@link TokenBucket.complete} does locally).
   */
  complete(): Promise<void>;
}

/**
 * A call budget that several gateway instances share, per scope (a
 * provider's key, or the provider as a whole): together they never make
 * more calls in a window than the plan allows.
 */
export interface SharedRateBudget {
  /**
   * Takes one call in every window of `limits` for `scope`.
   * @returns the take, or the ms until a window frees a call
   */
  take(
    scope: string,
    limits: readonly PlanLimit[],
  ): Promise<{ take: SharedTake } | { waitMs: number }>;
}

/*
 * A sliding-window log per window of a scope (a sorted set of call times,
 * Redis' own clock, so instances need no synchronised clocks): a call is
 * taken only when every window holds fewer than its limit in the last
 * (stretched) window, and then recorded in all of them at once. The keys of
 * one scope share a hash tag: one slot on a cluster.
 */
const TAKE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
for i = 1, #KEYS do
  local limit = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  if redis.call('ZCARD', KEYS[i]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    local free = tonumber(oldest[2]) + window - now + 1
    if free > wait then wait = free end
  end
end
if wait > 0 then return wait end
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2 * i + 1]) + 1000)
end
return 0
`;

/* Moves a completed call of one-call windows to the completion time. */
const COMPLETE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], 'XX', now, ARGV[1])
end
return 0
`;

/** Window length as enforced: stretched like the local bucket's refill. */
function stretched(limit: PlanLimit): number {
  return Math.ceil(limit.windowMs * SAFETY_FACTOR + JITTER_ALLOWANCE_MS);
}

/**
 * {@link SharedRateBudget} on Redis (one Redis or a cluster). Scopes must be
 * log-safe ids (a key's {@link keyId}), never a key itself.
 * @see https://redis.io/docs/latest/develop/interact/programmability/eval-intro/
 */
export class RedisSharedBudget implements SharedRateBudget {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix = 'freeride:ratelimit',
  ) {}

  async take(
    scope: string,
    limits: readonly PlanLimit[],
  ): Promise<{ take: SharedTake } | { waitMs: number }> {
    if (limits.length === 0) return { take: NO_TAKE };
    const keys = limits.map((l) => this.key(scope, l));
    const member = randomUUID();
    const wait = Number(
      await this.redis.eval(
        TAKE_SCRIPT,
        keys.length,
        ...keys,
        member,
        ...limits.flatMap((l) => [String(l.limit), String(stretched(l))]),
      ),
    );
    if (wait > 0) return { waitMs: wait };
    const single = limits
      .filter((l) => l.limit === 1)
      .map((l) => this.key(scope, l));
    return {
      take: {
        complete: async () => {
          if (single.length > 0)
            await this.redis.eval(
              COMPLETE_SCRIPT,
              single.length,
              ...single,
              member,
            );
        },
        release: async () => {
          await Promise.all(keys.map((key) => this.redis.zrem(key, member)));
        },
      },
    };
  }

  private key(scope: string, limit: PlanLimit): string {
    return `${this.prefix}:{${scope}}:${limit.limit}/${limit.windowMs}`;
  }
}

const NO_TAKE: SharedTake = {
  complete: () => Promise.resolve(),
  release: () => Promise.resolve(),
};
