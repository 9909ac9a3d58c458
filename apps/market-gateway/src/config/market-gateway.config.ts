import {
  BAR_INTERVALS,
  type CachedKind,
  DEFAULT_FRESHNESS_MS,
  DEFAULT_ROUTES,
  FREE_PLAN_LIMITS,
  type PlanLimit,
  type ProviderName,
} from '@freeride/market-data';
import { parseConfig } from '@freeride/observability';
import { redisUrlSchema } from '@freeride/redis-connection';

import { existsSync } from 'node:fs';
import { z } from 'zod';

import { type ClientKey, parseClientKeys } from '../auth/client-keys';

const PROVIDERS = ['alphavantage', 'finnhub', 'polygon'] as const;

const positiveInt = (fallback: number) =>
  z.coerce.number().int().positive().default(fallback);
const nonNegativeInt = (fallback: number) =>
  z.coerce.number().int().nonnegative().default(fallback);
const list = (raw: string): string[] =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const providerList = (fallback: readonly ProviderName[]) =>
  z
    .string()
    .default(fallback.join(','))
    .transform(list)
    .pipe(z.array(z.enum(PROVIDERS)));

/** `60/60000,30/1000`: limit/windowMs pairs. */
const planLimits = (fallback: readonly PlanLimit[]) =>
  z
    .string()
    .default(fallback.map((p) => `${p.limit}/${p.windowMs}`).join(','))
    .transform(list)
    .pipe(
      z.array(
        z
          .string()
          .regex(/^\d+\/\d+$/, 'expected limit/windowMs pairs, e.g. 60/60000')
          .transform((pair) => {
            const [limit, windowMs] = pair.split('/').map(Number);
            return { limit, windowMs };
          })
          .refine(
            (p) => p.limit >= 1 && p.windowMs >= 1,
            'limit and window must be ≥ 1',
          ),
      ),
    );
const secretFile = z
  .string()
  .optional()
  .refine(
    (path) => path === undefined || existsSync(path),
    'file does not exist',
  );

/**
 * The market gateway's environment: one flat schema, defaults here only.
 * API keys come from `<PROVIDER>_API_KEYS` (comma-separated) or a mounted
 * `<PROVIDER>_API_KEYS_FILE` (one per line, re-read when it changes).
 */
export const configSchema = z
  .object({
    ALPHAVANTAGE_API_KEYS: z.string().optional(),
    ALPHAVANTAGE_API_KEYS_FILE: secretFile,
    ALPHAVANTAGE_BASE_URL: z.url().default('https://www.alphavantage.co'),
    ALPHAVANTAGE_PLAN_LIMITS: planLimits(FREE_PLAN_LIMITS.alphavantage),
    BARS_FRESH_MS: positiveInt(DEFAULT_FRESHNESS_MS.bars),
    BARS_PROVIDERS: providerList(DEFAULT_ROUTES.bars),
    BREAKER_FAILURE_THRESHOLD: positiveInt(5),
    BREAKER_HALF_OPEN_AFTER_MS: positiveInt(30_000),
    /**
     * Client API keys, `name=key,name2=key2` (keys of 16+ characters). Set:
     * every API route needs `Authorization: Bearer <key>`. Empty: open
     * (local development only).
     */
    GATEWAY_CLIENT_KEYS: z
      .string()
      .default('')
      .superRefine((spec, ctx) => {
        try {
          parseClientKeys(spec);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
        }
      }),
    /** Requests per window per client (its quota); 0: no quota. */
    GATEWAY_CLIENT_QUOTA: nonNegativeInt(600),
    /** Requests per window per client address, before authentication; 0: off. */
    GATEWAY_RATE_LIMIT_PER_ADDRESS: nonNegativeInt(6000),
    GATEWAY_RATE_LIMIT_WINDOW_MS: positiveInt(60_000),
    FINNHUB_API_KEYS: z.string().optional(),
    FINNHUB_API_KEYS_FILE: secretFile,
    FINNHUB_BASE_URL: z.url().default('https://finnhub.io/api/v1'),
    FINNHUB_PLAN_LIMITS: planLimits(FREE_PLAN_LIMITS.finnhub),
    FINNHUB_WS_URL: z.url().default('wss://ws.finnhub.io'),
    KEY_FILE_POLL_MS: positiveInt(2000),
    LIMITER_MAX_WAIT_MS: nonNegativeInt(1000),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
      .default('info'),
    MARKET_GATEWAY_HOST: z.string().default('127.0.0.1'),
    MARKET_GATEWAY_PORT: z.coerce
      .number()
      .int()
      .min(1)
      .max(65535)
      .default(3001),
    MASSIVE_API_KEYS: z.string().optional(),
    MASSIVE_API_KEYS_FILE: secretFile,
    MASSIVE_BASE_URL: z.url().default('https://api.massive.com'),
    MASSIVE_PLAN_LIMITS: planLimits(FREE_PLAN_LIMITS.polygon),
    MASSIVE_WS_URL: z.url().default('wss://socket.massive.com/stocks'),
    NEWS_FRESH_MS: positiveInt(DEFAULT_FRESHNESS_MS.news),
    NEWS_PROVIDERS: providerList(DEFAULT_ROUTES.news),
    PROBE_INTERVAL_MS: nonNegativeInt(30_000),
    PROBE_PROVIDERS: providerList(['finnhub', 'polygon']),
    /**
     * Take every provider call also from a budget in Redis that all gateway
     * instances share, so that together they stay within each plan (turn it
     * on when running more than one instance).
     */
    PROVIDER_BUDGET_SHARED: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    PROVIDER_TIMEOUT_MS: positiveInt(1500),
    QUOTE_FRESH_MS: positiveInt(DEFAULT_FRESHNESS_MS.quote),
    QUOTE_MAX_AGE_MS: positiveInt(20 * 60_000),
    QUOTE_PROVIDERS: providerList(DEFAULT_ROUTES.quote),
    /**
     * Quotes the quote stream keeps, approximately (older entries are
     * trimmed; an entry holds a provider frame's quotes, so the entries kept
     * are this over the quotes per entry of recent frames).
     */
    QUOTE_STREAM_MAXLEN: positiveInt(100_000),
    /** `redis://host:port` or a cluster's seed nodes, `redis-cluster://host:port,host:port`. */
    REDIS_URL: redisUrlSchema('redis://127.0.0.1:6379'),
    REQUEST_DEADLINE_MS: positiveInt(3000),
    STREAM_FAILOVER_AFTER_MS: nonNegativeInt(30_000),
    STREAM_PROVIDERS: providerList(['finnhub', 'polygon']),
    STREAM_RECONNECT_BACKOFF_MS: positiveInt(250),
    /** How long a symbol no provider knows answers 404 without asking them; 0: off. */
    UNKNOWN_SYMBOL_TTL_MS: nonNegativeInt(10 * 60_000),
    STREAM_SYMBOLS: z
      .string()
      .default('')
      .transform((raw) => list(raw).map((s) => s.toUpperCase())),
  })
  .superRefine((env, ctx) => {
    const keyVar: Record<ProviderName, 'ALPHAVANTAGE' | 'FINNHUB' | 'MASSIVE'> =
      {
        alphavantage: 'ALPHAVANTAGE',
        finnhub: 'FINNHUB',
        polygon: 'MASSIVE',
      };
    const used = new Set([
      ...env.QUOTE_PROVIDERS,
      ...env.BARS_PROVIDERS,
      ...env.NEWS_PROVIDERS,
    ]);
    for (const provider of used) {
      const prefix = keyVar[provider];
      if (!env[`${prefix}_API_KEYS`] && !env[`${prefix}_API_KEYS_FILE`]) {
        ctx.addIssue({
          code: 'custom',
          message: `${provider} is routed but has no key: set ${prefix}_API_KEYS or ${prefix}_API_KEYS_FILE`,
          path: [`${prefix}_API_KEYS`],
        });
      }
    }
    if (env.PROVIDER_TIMEOUT_MS > env.REQUEST_DEADLINE_MS) {
      ctx.addIssue({
        code: 'custom',
        message: `must not exceed REQUEST_DEADLINE_MS (${env.REQUEST_DEADLINE_MS})`,
        path: ['PROVIDER_TIMEOUT_MS'],
      });
    }
  });

/** The flat, validated environment. */
export type MarketGatewayEnv = z.output<typeof configSchema>;

/** Settings of one provider. */
export interface ProviderSettings {
  baseUrl: string;
  /** Keys given inline (`*_API_KEYS`). */
  keys: string[];
  /** Mounted secret file, watched for replaced keys. */
  keysFile?: string;
  planLimits: PlanLimit[];
  wsUrl?: string;
}

/** The gateway's typed, nested configuration. */
export interface MarketGatewayConfig {
  breaker: { failureThreshold: number; halfOpenAfterMs: number };
  cache: {
    freshnessMs: Record<CachedKind, number>;
    maxQuoteAgeMs: number;
    /** Negative cache of unknown symbols (0: off). */
    unknownSymbolTtlMs: number;
  };
  /** Client keys (empty: no authentication), per-client quota and per-address limit. */
  clients: {
    keys: ClientKey[];
    perAddress: number;
    quota: number;
    windowMs: number;
  };
  http: { host: string; port: number };
  keyFilePollMs: number;
  logLevel: string;
  probe: { intervalMs: number; providers: ProviderName[] };
  providers: Record<ProviderName, ProviderSettings>;
  redisUrl: string;
  /** Provider calls also taken from a budget shared in Redis by every instance. */
  sharedBudget: boolean;
  request: {
    deadlineMs: number;
    /** Longest wait for a limiter token on a provider before failing over. */
    limiterMaxWaitMs: number;
    providerTimeoutMs: number;
  };
  routes: Record<CachedKind, ProviderName[]>;
  stream: {
    /** Disconnected this long, the stream moves to the next provider (0: never). */
    failoverAfterMs: number;
    maxLen: number;
    providers: ProviderName[];
    reconnectBackoffMs: number;
    symbols: string[];
  };
}

/** Bar intervals the REST API accepts. */
export const SUPPORTED_INTERVALS = BAR_INTERVALS;

/** Maps the validated flat env into the nested config. */
export function toMarketGatewayConfig(
  env: MarketGatewayEnv,
): MarketGatewayConfig {
  return {
    breaker: {
      failureThreshold: env.BREAKER_FAILURE_THRESHOLD,
      halfOpenAfterMs: env.BREAKER_HALF_OPEN_AFTER_MS,
    },
    cache: {
      freshnessMs: {
        bars: env.BARS_FRESH_MS,
        news: env.NEWS_FRESH_MS,
        quote: env.QUOTE_FRESH_MS,
      },
      maxQuoteAgeMs: env.QUOTE_MAX_AGE_MS,
      unknownSymbolTtlMs: env.UNKNOWN_SYMBOL_TTL_MS,
    },
    clients: {
      keys: parseClientKeys(env.GATEWAY_CLIENT_KEYS),
      perAddress: env.GATEWAY_RATE_LIMIT_PER_ADDRESS,
      quota: env.GATEWAY_CLIENT_QUOTA,
      windowMs: env.GATEWAY_RATE_LIMIT_WINDOW_MS,
    },
    http: { host: env.MARKET_GATEWAY_HOST, port: env.MARKET_GATEWAY_PORT },
    keyFilePollMs: env.KEY_FILE_POLL_MS,
    logLevel: env.LOG_LEVEL,
    probe: {
      intervalMs: env.PROBE_INTERVAL_MS,
      providers: env.PROBE_PROVIDERS,
    },
    providers: {
      alphavantage: {
        baseUrl: env.ALPHAVANTAGE_BASE_URL,
        keys: list(env.ALPHAVANTAGE_API_KEYS ?? ''),
        keysFile: env.ALPHAVANTAGE_API_KEYS_FILE,
        planLimits: env.ALPHAVANTAGE_PLAN_LIMITS,
      },
      finnhub: {
        baseUrl: env.FINNHUB_BASE_URL,
        keys: list(env.FINNHUB_API_KEYS ?? ''),
        keysFile: env.FINNHUB_API_KEYS_FILE,
        planLimits: env.FINNHUB_PLAN_LIMITS,
        wsUrl: env.FINNHUB_WS_URL,
      },
      polygon: {
        baseUrl: env.MASSIVE_BASE_URL,
        keys: list(env.MASSIVE_API_KEYS ?? ''),
        keysFile: env.MASSIVE_API_KEYS_FILE,
        planLimits: env.MASSIVE_PLAN_LIMITS,
        wsUrl: env.MASSIVE_WS_URL,
      },
    },
    redisUrl: env.REDIS_URL,
    sharedBudget: env.PROVIDER_BUDGET_SHARED,
    request: {
      deadlineMs: env.REQUEST_DEADLINE_MS,
      limiterMaxWaitMs: env.LIMITER_MAX_WAIT_MS,
      providerTimeoutMs: env.PROVIDER_TIMEOUT_MS,
    },
    routes: {
      bars: env.BARS_PROVIDERS,
      news: env.NEWS_PROVIDERS,
      quote: env.QUOTE_PROVIDERS,
    },
    stream: {
      failoverAfterMs: env.STREAM_FAILOVER_AFTER_MS,
      maxLen: env.QUOTE_STREAM_MAXLEN,
      providers: env.STREAM_PROVIDERS,
      reconnectBackoffMs: env.STREAM_RECONNECT_BACKOFF_MS,
      symbols: env.STREAM_SYMBOLS,
    },
  };
}

/**
 * Validates `env` and returns the typed config.
 * @throws ConfigValidationError naming every bad key, one per line, as `KEY: reason`
 */
export function loadConfig(
  env: Record<string, string | undefined>,
): MarketGatewayConfig {
  return toMarketGatewayConfig(parseConfig(configSchema, env));
}

/** Injection token of the {@link MarketGatewayConfig}. */
export const MARKET_GATEWAY_CONFIG = Symbol('MARKET_GATEWAY_CONFIG');
