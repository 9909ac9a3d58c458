import { HealthRegistry } from './health-registry.service';
import { redisReadiness, registerRedisHealth } from './redis.health';

describe('redisReadiness', () => {
  it('is up when PING answers PONG', async () => {
    await expect(
      redisReadiness({ ping: () => Promise.resolve('PONG') })(),
    ).resolves.toEqual({ status: 'up' });
  });

  it('is down with the client error message when PING fails', async () => {
    await expect(
      redisReadiness({
        ping: () => Promise.reject(new Error('connect ECONNREFUSED')),
      })(),
    ).resolves.toEqual({
      details: { reason: 'connect ECONNREFUSED' },
      status: 'down',
    });
  });

  it('is down when PING answers something else', async () => {
    await expect(
      redisReadiness({ ping: () => Promise.resolve('LOADING') })(),
    ).resolves.toEqual({ details: { reason: 'no PONG' }, status: 'down' });
  });

  it('registers under "redis" by default', () => {
    const registry = new HealthRegistry();
    registerRedisHealth(registry, { ping: () => Promise.resolve('PONG') });
    expect(registry.entries().map(([name]) => name)).toEqual(['redis']);
  });
});
