import Redis from 'ioredis';

import type { RedisServer } from './redis';
import { pingRedis, startRedis } from './redis';

describe('startRedis', () => {
  let server: RedisServer;

  beforeAll(async () => {
    server = await startRedis();
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it('starts a redis-server on 127.0.0.1 that answers PING', async () => {
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    await expect(pingRedis(server.port)).resolves.toBe(true);
  });

  it('keeps acknowledged writes across a SIGKILL and restart (AOF)', async () => {
    const client = new Redis(server.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
    });
    await client.connect();
    await client.set('freeride:spec', 'survives');
    client.disconnect();

    await server.kill();
    expect(server.running()).toBe(false);
    await expect(pingRedis(server.port)).resolves.toBe(false);

    await server.restart();
    const again = new Redis(server.url, { lazyConnect: true });
    await again.connect();
    await expect(again.get('freeride:spec')).resolves.toBe('survives');
    await again.quit();
  });

  it('stops gracefully and frees the port', async () => {
    await server.stop();
    await expect(pingRedis(server.port)).resolves.toBe(false);
  });
});
