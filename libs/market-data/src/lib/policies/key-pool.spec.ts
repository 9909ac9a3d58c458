import { AuthFailedError, RateLimitedError } from '../market-data.errors';
import { KeyPool, keyId } from './key-pool';

describe('KeyPool', () => {
  let now = 0;
  const clock = (): number => now;
  const plan = [{ burst: 2, limit: 2, windowMs: 60_000 }];

  beforeEach(() => {
    now = 0;
  });

  it('rotates to the next key when one is out of tokens', () => {
    const pool = new KeyPool({
      keys: ['a', 'b'],
      now: clock,
      perKeyLimits: plan,
      provider: 'finnhub',
    });
    const used = Array.from({ length: 4 }, () => pool.acquire().key);
    expect(used.sort()).toEqual(['a', 'a', 'b', 'b']);
    expect(() => pool.acquire()).toThrow(RateLimitedError);
  });

  it('skips a throttled key until its Retry-After passes', () => {
    const pool = new KeyPool({
      keys: ['a', 'b'],
      now: clock,
      perKeyLimits: plan,
      provider: 'finnhub',
    });
    const lease = pool.acquire();
    lease.throttle(10_000);
    expect(pool.acquire().key).not.toBe(lease.key);
    expect(pool.acquire().key).not.toBe(lease.key);
  });

  it('takes a revoked key out of rotation and fails when none is left', () => {
    const pool = new KeyPool({
      keys: ['a'],
      now: clock,
      perKeyLimits: plan,
      provider: 'polygon',
    });
    pool.acquire().revoke();
    expect(pool.usableKeys).toBe(0);
    expect(() => pool.acquire()).toThrow(AuthFailedError);
  });

  it('uses replaced keys without losing the state of kept keys', () => {
    const pool = new KeyPool({
      keys: ['a'],
      now: clock,
      perKeyLimits: plan,
      provider: 'finnhub',
    });
    pool.acquire().revoke();
    pool.replaceKeys(['a', 'c']);
    expect(pool.acquire().key).toBe('c');
    expect(pool.usableKeys).toBe(1);
  });

  it('enforces the provider-wide limit across keys', () => {
    const pool = new KeyPool({
      keys: ['a', 'b'],
      now: clock,
      perKeyLimits: plan,
      perProviderLimits: [{ burst: 3, limit: 3, windowMs: 60_000 }],
      provider: 'finnhub',
    });
    pool.acquire();
    pool.acquire();
    pool.acquire();
    expect(() => pool.acquire()).toThrow(RateLimitedError);
  });

  it('gives unused tokens back on cancel', () => {
    const pool = new KeyPool({
      keys: ['a'],
      now: clock,
      perKeyLimits: plan,
      provider: 'finnhub',
    });
    pool.acquire().cancel();
    pool.acquire();
    expect(pool.acquire().key).toBe('a');
  });

  it('never exposes the key in its id', () => {
    expect(keyId('secret-key')).not.toContain('secret');
    expect(keyId('secret-key')).toHaveLength(8);
  });
});
