import type {
  DependencyCheck,
  HealthRegistry,
} from './health-registry.service';

/** The one call of an ioredis client that the readiness check makes. */
export interface PingableRedis {
  ping(): Promise<string>;
}

/**
 * Readiness of a Redis: `up` when PING answers PONG, `down` with the
 * client's error message otherwise (never the URL, which may hold a password).
 */
export function redisReadiness(redis: PingableRedis): DependencyCheck {
  return async () => {
    try {
      return (await redis.ping()) === 'PONG'
        ? { status: 'up' }
        : { details: { reason: 'no PONG' }, status: 'down' };
    } catch (err) {
      return { details: { reason: (err as Error).message }, status: 'down' };
    }
  };
}

/** Registers {@link redisReadiness} of `redis` under `name` (default `redis`). */
export function registerRedisHealth(
  registry: HealthRegistry,
  redis: PingableRedis,
  name = 'redis',
): void {
  registry.register(name, redisReadiness(redis));
}
