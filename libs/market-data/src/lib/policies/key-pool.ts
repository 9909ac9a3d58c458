import { createHash } from 'node:crypto';

import { AuthFailedError, RateLimitedError } from '../market-data.errors';
import type { ProviderName } from '../market-data.types';
import { RateLimiter } from './rate-limiter';
import type { SharedRateBudget, SharedTake } from './shared-budget';
import type { PlanLimit } from './token-bucket';

/** Short non-reversible id of a key, safe for logs (never the key itself). */
export function keyId(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

interface KeyState {
  id: string;
  key: string;
  limiter: RateLimiter;
  revoked: boolean;
}

/** A key handed out for one call; report back what the provider said about it. */
export interface KeyLease {
  /** Returns the unused tokens (the call was not made). */
  cancel(): void;
  /** The call made with this lease has completed (successfully or not). */
  complete(): void;
  /** The key's log-safe id. */
  readonly id: string;
  readonly key: string;
  /** The provider refused the key: take it out of rotation until keys are replaced. */
  revoke(): void;
  /** The provider limited the key: no calls with it for `ms`. */
  throttle(ms: number): void;
}

/** Options of {@link KeyPool}. */
export interface KeyPoolOptions {
  /** API keys, in preference order. */
  keys: readonly string[];
  /** The plan of every key (calls per window), enforced per key. */
  perKeyLimits: readonly PlanLimit[];
  /**
   * Limits across all keys of the provider (e.g. a per-IP ceiling).
   * @default [] (none)
   */
  perProviderLimits?: readonly PlanLimit[];
  provider: ProviderName;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
  /**
   * A budget shared with the other gateway instances (Redis): {@link KeyPool.reserve}
   * takes every call from it too, so that together the instances stay within
   * each key's plan and the provider-wide limits.
   * @default none (this instance's limiters only)
   */
  shared?: SharedRateBudget;
}

/**
 * The API keys of one provider, each with its own token-bucket limiter, plus
 * an optional provider-wide limiter. Hands out the next key that has a token
 * (round robin), rotates past limited and revoked keys, and can be given a
 * new key list at run time without losing the limiter state of kept keys.
 */
export class KeyPool {
  private cursor = 0;
  private states: KeyState[] = [];
  private readonly now: () => number;
  private readonly providerLimiter: RateLimiter;

  constructor(private readonly options: KeyPoolOptions) {
    this.now = options.now ?? Date.now;
    this.providerLimiter = new RateLimiter(
      options.perProviderLimits ?? [],
      this.now(),
    );
    this.replaceKeys(options.keys);
  }

  /** Keys in rotation (not revoked). */
  get usableKeys(): number {
    return this.states.filter((s) => !s.revoked).length;
  }

  /** Number of configured keys. */
  get size(): number {
    return this.states.length;
  }

  /**
   * Replaces the key list (a rotated secret file). Kept keys keep their
   * limiter and revocation state; new keys start with a full bucket.
   */
  replaceKeys(keys: readonly string[]): void {
    const now = this.now();
    const old = new Map(this.states.map((s) => [s.key, s]));
    this.states = [...new Set(keys.map((k) => k.trim()).filter(Boolean))].map(
      (key) =>
        old.get(key) ?? {
          id: keyId(key),
          key,
          limiter: new RateLimiter(this.options.perKeyLimits, now),
          revoked: false,
        },
    );
    this.cursor = 0;
  }

  /** The first key in rotation, for a streaming connection (takes no REST token). */
  streamKey(): string | undefined {
    return this.states.find((s) => !s.revoked)?.key;
  }

  /** Takes `key` out of rotation (the provider refused it on a stream). */
  revokeKey(key: string): void {
    const state = this.states.find((s) => s.key === key);
    if (state) state.revoked = true;
  }

  /** Ms until some key could make a call (0 when one can now). */
  waitMs(): number {
    const now = this.now();
    const usable = this.states.filter((s) => !s.revoked);
    if (usable.length === 0) return Number.POSITIVE_INFINITY;
    return Math.max(
      this.providerLimiter.waitMs(now),
      Math.min(...usable.map((s) => s.limiter.waitMs(now))),
    );
  }

  /** Share of call capacity left, 0..1: provider-wide and best key. */
  headroom(): number {
    const now = this.now();
    const usable = this.states.filter((s) => !s.revoked);
    if (usable.length === 0) return 0;
    return Math.min(
      this.providerLimiter.headroom(now),
      Math.max(...usable.map((s) => s.limiter.headroom(now))),
    );
  }

  /**
   * Takes a token for one call with the next key that has one.
   * @throws AuthFailedError when every key is revoked (or none is configured)
   * @throws RateLimitedError when every key (or the provider) is out of tokens
   */
  acquire(symbol?: string): KeyLease {
    const now = this.now();
    const usable = this.states.filter((s) => !s.revoked);
    if (usable.length === 0) {
      throw new AuthFailedError(this.options.provider, {
        details: { reason: 'no usable API key' },
        symbol,
      });
    }
    if (this.providerLimiter.waitMs(now) === 0) {
      for (let i = 0; i < this.states.length; i++) {
        const state = this.states[(this.cursor + i) % this.states.length];
        if (state.revoked || !state.limiter.tryTake(now)) continue;
        this.providerLimiter.tryTake(now);
        this.cursor = (this.cursor + i + 1) % this.states.length;
        return this.lease(state);
      }
    }
    throw new RateLimitedError(this.options.provider, {
      details: { reason: 'local limiter' },
      retryAfterMs: Math.max(1, this.waitMs()),
      symbol,
      window: 'unknown',
    });
  }

  /**
   * {@link acquire}, then, with a shared budget, the same call from the
   * budget every instance shares: first provider-wide, then for the key. A
   * key whose shared budget is spent is paused here for as long as the
   * budget says, and the next key is tried.
   * @throws AuthFailedError when every key is revoked (or none is configured)
   * @throws RateLimitedError when no key (or the provider) has a call left
   */
  async reserve(symbol?: string): Promise<KeyLease> {
    const shared = this.options.shared;
    if (!shared) return this.acquire(symbol);
    let soonest = Number.POSITIVE_INFINITY;
    // Each try takes the next key in rotation (a refused one is given back).
    for (let tries = 0; tries < this.states.length; tries++) {
      const lease = this.acquire(symbol);
      const takes: SharedTake[] = [];
      let waitMs = 0;
      for (const [scope, limits] of [
        [this.options.provider, this.options.perProviderLimits ?? []],
        [`${this.options.provider}:${lease.id}`, this.options.perKeyLimits],
      ] as const) {
        const result = await shared
          .take(scope, limits)
          .catch((err: unknown) => {
            // Fail closed: without the shared budget no instance can know
            // what the others spent.
            lease.cancel();
            this.releaseAll(takes);
            throw new RateLimitedError(this.options.provider, {
              cause: err,
              details: { reason: 'shared budget unavailable' },
              retryAfterMs: 1000,
              symbol,
              window: 'unknown',
            });
          });
        if ('waitMs' in result) {
          waitMs = result.waitMs;
          break;
        }
        takes.push(result.take);
      }
      if (waitMs === 0) return this.leaseWith(lease, takes);
      lease.cancel();
      this.releaseAll(takes);
      soonest = Math.min(soonest, waitMs);
      // Provider-wide budget spent: no other key helps.
      if (takes.length === 0) break;
    }
    throw new RateLimitedError(this.options.provider, {
      details: { reason: 'shared budget' },
      retryAfterMs: Math.max(1, soonest),
      symbol,
      window: 'unknown',
    });
  }

  /** Gives shared takes back, in the background (a lost release only makes the window stricter). */
  private releaseAll(takes: SharedTake[]): void {
    void Promise.all(takes.map((t) => t.release())).catch(() => undefined);
  }

  /** A lease that also reports to the shared budget's takes. */
  private leaseWith(lease: KeyLease, takes: SharedTake[]): KeyLease {
    const report = (fn: (t: SharedTake) => Promise<void>): void => {
      // Best effort: a lost report only leaves the window more conservative.
      void Promise.all(takes.map(fn)).catch(() => undefined);
    };
    return {
      ...lease,
      cancel: () => {
        lease.cancel();
        report((t) => t.release());
      },
      complete: () => {
        lease.complete();
        report((t) => t.complete());
      },
    };
  }

  private lease(state: KeyState): KeyLease {
    return {
      cancel: () => {
        state.limiter.giveBack(this.now());
        this.providerLimiter.giveBack(this.now());
      },
      complete: () => {
        state.limiter.complete(this.now());
        this.providerLimiter.complete(this.now());
      },
      id: state.id,
      key: state.key,
      revoke: () => {
        state.revoked = true;
      },
      throttle: (ms: number) => state.limiter.pause(this.now(), ms),
    };
  }
}
