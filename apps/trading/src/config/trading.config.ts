import { type NetPolicy, parseAllowlist } from '@freeride/net-guard';
import { parseConfig } from '@freeride/observability';
import { redisUrlSchema } from '@freeride/redis-connection';

import { hostname } from 'node:os';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');
const int = (def: number, min = 0) =>
  z.coerce.number().int().min(min).default(def);

/** The trading app's environment: every variable it reads, with its default. */
export const configSchema = z
  .object({
    OPENAI_API_KEY: z.string().min(1).default('not-set'),
    /** The official client appends `/chat/completions`, `/files`, `/batches`. */
    OPENAI_BASE_URL: z.url().default('https://api.openai.com/v1'),
    TRADING_ADMIN_TOKEN: z.string().min(16),
    TRADING_DATABASE_URL: z.url(),
    TRADING_DELIVERY_ATTEMPTS: int(6, 1),
    TRADING_DELIVERY_BACKOFF_BASE_MS: int(1000, 1),
    TRADING_DELIVERY_BACKOFF_MAX_MS: int(300_000, 1),
    TRADING_DELIVERY_CONCURRENCY: int(16, 1),
    /** BullMQ job lock: a job held by a crashed worker is retried after about this long. */
    TRADING_DELIVERY_LOCK_MS: int(30_000, 1000),
    TRADING_DELIVERY_TIMEOUT_MS: int(5000, 100),
    /** Most ticks taken per stream read (a read answers with what is there, up to this). */
    TRADING_EVAL_BATCH_SIZE: int(5000, 1),
    TRADING_EVAL_BLOCK_MS: int(100, 1),
    TRADING_EVAL_ENABLED: bool.default(true),
    /** Lease owner of this evaluator: unique per running instance. */
    TRADING_EVAL_CONSUMER_NAME: z.string().min(1).optional(),
    /** Lifetime of a partition lease without renewal: the takeover delay after a kill. */
    TRADING_EVAL_LEASE_MS: int(10_000, 500),
    /**
     * Symbol partitions of the evaluators (`partitionOf(symbol, count)`):
     * with several instances, each evaluates only the symbols of its own
     * partitions; rule changes reach every instance (LISTEN/NOTIFY). Without
     * `TRADING_EVAL_PARTITIONS` the instances share them by leases in Redis
     * and take a dead instance's partitions over.
     */
    TRADING_EVAL_PARTITION_COUNT: int(1, 1),
    /**
     * This instance's partitions (comma-separated), fixed; empty: taken by
     * leases (all of them for a single instance).
     */
    TRADING_EVAL_PARTITIONS: z
      .string()
      .default('')
      .refine((v) => /^(\d+(,\d+)*)?$/.test(v.replace(/\s/g, '')), {
        message: 'expected comma-separated partition numbers, e.g. 0,2',
      })
      .transform((v) =>
        v
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean)
          .map(Number),
      ),
    /** Where a first start (no checkpoint) begins: new ticks only, or the whole stream. */
    TRADING_EVAL_START: z.enum(['earliest', 'latest']).default('latest'),
    /** How far back a restart replays processed ticks to rebuild crossings and windows. */
    TRADING_EVAL_WARMUP_MS: int(3_600_000),
    /** Limit of each call to the gateway's `/v1/bars` (indicator seeding, backtests). */
    TRADING_GATEWAY_TIMEOUT_MS: int(5000, 100),
    /** This app's client key at the market gateway (GATEWAY_CLIENT_KEYS there). */
    TRADING_GATEWAY_TOKEN: z.string().min(16).optional(),
    TRADING_GATEWAY_URL: z.url().default('http://127.0.0.1:3001'),
    TRADING_HOST: z.string().default('127.0.0.1'),
    TRADING_LOG_LEVEL: z
      .enum(['debug', 'error', 'info', 'trace', 'warn'])
      .default('info'),
    TRADING_MIGRATE_ON_START: bool.default(true),
    TRADING_PORT: int(3002, 1),
    TRADING_QUOTE_STREAM: z.string().min(1).default('freeride:quotes'),
    /** Requests per window from one client address (before authentication); 0: off. */
    TRADING_RATE_LIMIT_PER_ADDRESS: int(1200),
    /** Requests per window with one API key or admin token; 0: off. */
    TRADING_RATE_LIMIT_PER_KEY: int(600),
    TRADING_RATE_LIMIT_WINDOW_MS: int(60_000, 1000),
    /** `redis://host:port` or a cluster's seed nodes, `redis-cluster://host:port,host:port`. */
    TRADING_REDIS_URL: redisUrlSchema('redis://127.0.0.1:6379'),
    TRADING_SENTIMENT_BATCH_SIZE: int(25, 1),
    TRADING_SENTIMENT_CACHE_TTL_SECONDS: int(21_600, 1),
    /** Poll interval of company news per symbol with sentiment rules; 0 turns polling off. */
    TRADING_SENTIMENT_INTERVAL_MS: int(0),
    TRADING_SENTIMENT_MODEL: z.string().min(1).default('gpt-4o-mini'),
    TRADING_SENTIMENT_TIMEOUT_MS: int(20_000, 100),
    /**
     * Addresses webhook deliveries may reach although they are loopback or
     * private (`127.0.0.1:4010,[::1]:4010,10.0.0.0/8`): local development
     * only; empty in production.
     */
    /** The sender address of alert emails. */
    TRADING_SMTP_FROM: z.email().default('alerts@freeride.invalid'),
    /**
     * The SMTP relay of the email channel (`smtp://host:port`, `smtps://`);
     * unset: rules with the email channel are refused.
     */
    TRADING_SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
    TRADING_WEBHOOK_ALLOWLIST: z
      .string()
      .default('')
      .superRefine((spec, ctx) => {
        try {
          parseAllowlist(spec);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
        }
      }),
  })
  .refine(
    (env) =>
      env.TRADING_EVAL_PARTITIONS.every(
        (p) => p < env.TRADING_EVAL_PARTITION_COUNT,
      ),
    {
      message: 'every partition must be below TRADING_EVAL_PARTITION_COUNT',
      path: ['TRADING_EVAL_PARTITIONS'],
    },
  )
  .refine(
    (env) =>
      env.TRADING_SENTIMENT_INTERVAL_MS === 0 ||
      env.OPENAI_API_KEY !== 'not-set',
    {
      message: 'required when TRADING_SENTIMENT_INTERVAL_MS > 0',
      path: ['OPENAI_API_KEY'],
    },
  );

/** The typed, nested configuration the app reads. */
export interface TradingConfig {
  adminToken: string;
  databaseUrl: string;
  delivery: {
    attempts: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
    concurrency: number;
    lockMs: number;
    timeoutMs: number;
  };
  evaluation: {
    batchSize: number;
    blockMs: number;
    /**
     * `leases`: partitions taken and given up at run time (several
     * partitions, none fixed); `static`: `partitions.own` fixed.
     */
    assignment: 'leases' | 'static';
    /** Where this instance's checkpoint is stored: the stream, plus its partitions when split. */
    checkpointKey: string;
    leaseMs: number;
    /** Lease owner name, unique per running instance. */
    owner: string;
    enabled: boolean;
    /**
     * Symbol partitions: `count` in all, this instance evaluates `own` (with
     * leases, the partitions held now: updated in place on reassignment).
     */
    partitions: { count: number; own: number[] };
    start: 'earliest' | 'latest';
    stream: string;
    warmupMs: number;
  };
  gatewayTimeoutMs: number;
  gatewayToken?: string;
  gatewayUrl: string;
  http: { host: string; port: number };
  logLevel: string;
  migrateOnStart: boolean;
  openai: { apiKey: string; baseUrl: string };
  /** Per-address and per-key request limits, counted in Redis. */
  rateLimit: { perAddress: number; perKey: number; windowMs: number };
  redisUrl: string;
  sentiment: {
    batchSize: number;
    cacheTtlSeconds: number;
    intervalMs: number;
    model: string;
    timeoutMs: number;
  };
  /** The email channel's relay; absent when TRADING_SMTP_URL is unset. */
  smtp?: { from: string; url: string };
  /** What webhook URLs may reach (SSRF guard); see TRADING_WEBHOOK_ALLOWLIST. */
  webhookPolicy: NetPolicy;
}

/** Validates the environment (every bad key reported as `KEY: reason`) and maps it. */
export function loadConfig(
  env: Record<string, string | undefined>,
): TradingConfig {
  const e = parseConfig(configSchema, env);
  const leases =
    e.TRADING_EVAL_PARTITIONS.length === 0 &&
    e.TRADING_EVAL_PARTITION_COUNT > 1;
  const ownPartitions =
    e.TRADING_EVAL_PARTITIONS.length > 0
      ? [...new Set(e.TRADING_EVAL_PARTITIONS)].sort((a, b) => a - b)
      : leases
        ? []
        : Array.from({ length: e.TRADING_EVAL_PARTITION_COUNT }, (_, i) => i);
  return {
    adminToken: e.TRADING_ADMIN_TOKEN,
    databaseUrl: e.TRADING_DATABASE_URL,
    delivery: {
      attempts: e.TRADING_DELIVERY_ATTEMPTS,
      backoffBaseMs: e.TRADING_DELIVERY_BACKOFF_BASE_MS,
      backoffMaxMs: e.TRADING_DELIVERY_BACKOFF_MAX_MS,
      concurrency: e.TRADING_DELIVERY_CONCURRENCY,
      lockMs: e.TRADING_DELIVERY_LOCK_MS,
      timeoutMs: e.TRADING_DELIVERY_TIMEOUT_MS,
    },
    evaluation: {
      assignment: leases ? 'leases' : 'static',
      batchSize: e.TRADING_EVAL_BATCH_SIZE,
      blockMs: e.TRADING_EVAL_BLOCK_MS,
      checkpointKey: checkpointKey(
        e.TRADING_QUOTE_STREAM,
        e.TRADING_EVAL_PARTITION_COUNT,
        ownPartitions,
      ),
      enabled: e.TRADING_EVAL_ENABLED,
      leaseMs: e.TRADING_EVAL_LEASE_MS,
      owner:
        e.TRADING_EVAL_CONSUMER_NAME ?? `trading-${hostname()}-${process.pid}`,
      partitions: { count: e.TRADING_EVAL_PARTITION_COUNT, own: ownPartitions },
      start: e.TRADING_EVAL_START,
      stream: e.TRADING_QUOTE_STREAM,
      warmupMs: e.TRADING_EVAL_WARMUP_MS,
    },
    gatewayTimeoutMs: e.TRADING_GATEWAY_TIMEOUT_MS,
    gatewayToken: e.TRADING_GATEWAY_TOKEN,
    gatewayUrl: e.TRADING_GATEWAY_URL,
    http: { host: e.TRADING_HOST, port: e.TRADING_PORT },
    logLevel: e.TRADING_LOG_LEVEL,
    migrateOnStart: e.TRADING_MIGRATE_ON_START,
    openai: { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL },
    rateLimit: {
      perAddress: e.TRADING_RATE_LIMIT_PER_ADDRESS,
      perKey: e.TRADING_RATE_LIMIT_PER_KEY,
      windowMs: e.TRADING_RATE_LIMIT_WINDOW_MS,
    },
    redisUrl: e.TRADING_REDIS_URL,
    sentiment: {
      batchSize: e.TRADING_SENTIMENT_BATCH_SIZE,
      cacheTtlSeconds: e.TRADING_SENTIMENT_CACHE_TTL_SECONDS,
      intervalMs: e.TRADING_SENTIMENT_INTERVAL_MS,
      model: e.TRADING_SENTIMENT_MODEL,
      timeoutMs: e.TRADING_SENTIMENT_TIMEOUT_MS,
    },
    smtp: e.TRADING_SMTP_URL
      ? { from: e.TRADING_SMTP_FROM, url: e.TRADING_SMTP_URL }
      : undefined,
    webhookPolicy: parseAllowlist(e.TRADING_WEBHOOK_ALLOWLIST),
  };
}

/** The stream itself for one evaluator; `<stream>#<own>/<count>` for a share of a split. */
function checkpointKey(stream: string, count: number, own: number[]): string {
  return count === 1 ? stream : `${stream}#${own.join(',')}/${count}`;
}

/** Injection token of the {@link TradingConfig}. */
export const TRADING_CONFIG = Symbol('TRADING_CONFIG');
