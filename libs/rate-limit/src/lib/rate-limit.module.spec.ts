import type { Request } from 'express';

import { RateLimitModule, bearerFingerprint } from './rate-limit.module';

const req = (authorization?: string) =>
  ({ headers: authorization ? { authorization } : {} }) as Request;

describe('bearerFingerprint', () => {
  it('is a stable hash prefix of the bearer token, never the token', () => {
    const a = bearerFingerprint(req('Bearer frk_secret_value'));
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(a).toBe(bearerFingerprint(req('bearer frk_secret_value')));
    expect(a).not.toBe(bearerFingerprint(req('Bearer frk_other')));
    expect(a).not.toContain('secret');
  });

  it('is undefined without a bearer token', () => {
    expect(bearerFingerprint(req())).toBeUndefined();
    expect(bearerFingerprint(req('Basic abc'))).toBeUndefined();
  });
});

describe('RateLimitModule.forRoot', () => {
  it('registers no guard when both limits are off', () => {
    const mod = RateLimitModule.forRoot({
      keyOf: () => undefined,
      perAddress: 0,
      perKey: 0,
      redisUrl: 'redis://127.0.0.1:1',
      windowMs: 60_000,
    });
    expect(mod.providers).toBeUndefined();
  });
});
