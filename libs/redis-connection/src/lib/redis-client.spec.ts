import {
  type RedisClusterServer,
  type RedisServer,
  startRedis,
  startRedisCluster,
} from '@freeride/testing';

import { Redis } from 'ioredis';

import {
  type RedisClient,
  createRedisClient,
  duplicateRedisClient,
  isRedisCluster,
  redisReady,
} from './redis-client';

describe('createRedisClient', () => {
  const clients: RedisClient[] = [];
  const track = <T extends RedisClient>(client: T): T => {
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  };

  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });

  describe('on one Redis', () => {
    let server: RedisServer;
    beforeAll(async () => {
      server = await startRedis();
    });
    afterAll(() => server.dispose());

    it('connects a Redis client with the connection name, duplicates included', async () => {
      const client = track(
        createRedisClient(server.url, { connectionName: 'spec-main' }),
      );
      expect(isRedisCluster(client)).toBe(false);
      await redisReady(client, 10_000);
      await client.set('k', 'v');
      const copy = track(
        duplicateRedisClient(client, { connectionName: 'spec-copy' }),
      );
      expect(await copy.get('k')).toBe('v');
      const list = String(await copy.client('LIST'));
      expect(list).toContain('name=spec-main');
      expect(list).toContain('name=spec-copy');
    });
  });

  describe('on a Redis Cluster', () => {
    let cluster: RedisClusterServer;
    beforeAll(async () => {
      cluster = await startRedisCluster({ replicas: 0 });
    }, 60_000);
    afterAll(() => cluster.dispose());

    it('reaches every slot through the seed nodes of a redis-cluster:// URL', async () => {
      const url = `redis-cluster://${cluster.startupNodes
        .slice(0, 2)
        .map((n) => `${n.host}:${n.port}`)
        .join(',')}`;
      const client = track(
        createRedisClient(url, { connectionName: 'spec-cluster' }),
      );
      expect(isRedisCluster(client)).toBe(true);
      await redisReady(client, 20_000);
      // Keys of many slots, spread over the three masters.
      for (let i = 0; i < 30; i++) await client.set(`key:${i}`, String(i));
      const copy = track(
        duplicateRedisClient(client, { connectionName: 'spec-cluster-copy' }),
      );
      expect(isRedisCluster(copy)).toBe(true);
      for (let i = 0; i < 30; i++)
        expect(await copy.get(`key:${i}`)).toBe(String(i));
      // Every master saw the duplicate's named connection.
      for (const node of cluster.nodes) {
        const direct = track(new Redis(node.url));
        expect(String(await direct.client('LIST'))).toContain(
          'name=spec-cluster-copy',
        );
      }
    }, 60_000);
  });
});
