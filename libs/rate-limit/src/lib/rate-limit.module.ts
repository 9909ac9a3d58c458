import { createRedisClient, isRedisCluster } from '@freeride/redis-connection';

import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import {
  type DynamicModule,
  type ExecutionContext,
  Module,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  ThrottlerException,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  ThrottlerModule,
  type ThrottlerOptions,
} from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';

/** Options of {@link RateLimitModule.forRoot}. */
export interface RateLimitOptions {
  /**
   * Identity of the caller's credential, or undefined for anonymous calls
   * (not counted by the per-key limit). Never the raw key: it is stored in
   * Redis; {@link bearerFingerprint} hashes a bearer token.
   */
  keyOf: (req: Request) => string | undefined;
  /** Requests per window per credential; 0 turns the limit off. */
  perKey: number;
  /** Requests per window per client address; 0 turns the limit off. */
  perAddress: number;
  /**
   * Counters live here, shared by every instance of the app: one Redis or a
   * cluster (`redis-cluster://host:port,...`; the store's keys are
   * hash-tagged per counter, so its script touches one slot).
   */
  redisUrl: string;
  /** Window length. */
  windowMs: number;
}

/** A short SHA-256 fingerprint of the request's bearer token, or undefined. */
export function bearerFingerprint(req: Request): string | undefined {
  const header = req.headers.authorization;
  const match =
    typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match
    ? createHash('sha256').update(match[1]).digest('hex').slice(0, 32)
    : undefined;
}

const request = (ctx: ExecutionContext) =>
  ctx.switchToHttp().getRequest<Request>();

/** Probes and scrapes are never limited. */
const operational = (ctx: ExecutionContext) =>
  /^\/(health|metrics)(\/|$)/.test(request(ctx).path);

/**
 * The throttler guard with a plain `Retry-After` (seconds) on every 429,
 * whichever limit was hit (the library names it `Retry-After-<limit>`).
 */
class RetryAfterThrottlerGuard extends ThrottlerGuard {
  protected override throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const seconds = Math.max(
      1,
      Math.ceil(
        detail.isBlocked ? detail.timeToBlockExpire : detail.timeToExpire,
      ),
    );
    context
      .switchToHttp()
      .getResponse<Response>()
      .header('Retry-After', String(seconds));
    throw new ThrottlerException(
      `too many requests: at most ${detail.limit} per ${Math.round(detail.ttl / 1000)} s; retry after ${seconds} s`,
    );
  }
}

/**
 * Global request limits (`@nestjs/throttler` with a Redis store shared by
 * instances): one per client address, one per credential. Over a limit the
 * answer is 429 with `Retry-After`; the per-address limit runs before
 * authentication, so floods of wrong keys are limited too.
 */
@Module({})
export class RateLimitModule {
  static forRoot(options: RateLimitOptions): DynamicModule {
    const throttlers: ThrottlerOptions[] = [];
    if (options.perAddress > 0) {
      throttlers.push({
        limit: options.perAddress,
        name: 'address',
        ttl: options.windowMs,
      });
    }
    if (options.perKey > 0) {
      throttlers.push({
        getTracker: (req) => options.keyOf(req as Request) ?? '',
        limit: options.perKey,
        name: 'key',
        skipIf: (ctx) => options.keyOf(request(ctx)) === undefined,
        ttl: options.windowMs,
      });
    }
    if (throttlers.length === 0) return { module: RateLimitModule };
    return {
      imports: [
        ThrottlerModule.forRoot({
          skipIf: operational,
          storage: redisStorage(options.redisUrl),
          throttlers,
        }),
      ],
      module: RateLimitModule,
      providers: [{ provide: APP_GUARD, useClass: RetryAfterThrottlerGuard }],
    };
  }
}

/** The Redis store on a client for `url` (one server or a cluster), closed with the app. */
function redisStorage(url: string): ThrottlerStorageRedisService {
  const client = createRedisClient(url);
  // Two calls for the two constructor overloads (Redis, Cluster).
  const storage = isRedisCluster(client)
    ? new ThrottlerStorageRedisService(client)
    : new ThrottlerStorageRedisService(client);
  // A client handed in is not the store's to close, unless told so.
  storage.disconnectRequired = true;
  return storage;
}
