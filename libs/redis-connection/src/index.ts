// Public entry of @freeride/redis-connection: one Redis connection factory for every app.
export {
  createRedisClient,
  duplicateRedisClient,
  isRedisCluster,
  redisReady,
} from './lib/redis-client';
export type { RedisClient, RedisClientOptions } from './lib/redis-client';
export {
  InvalidRedisUrlError,
  parseRedisUrl,
  redisUrlProblem,
} from './lib/redis-url';
export type { RedisNodeAddress, RedisTarget } from './lib/redis-url';
export { redisUrlSchema } from './lib/redis-url.schema';
