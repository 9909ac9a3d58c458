import {
  POLICY_PATTERN,
  type SourcePolicyConfig,
} from '@freeride/ingest-delivery';
import { httpUrlList, parseConfig } from '@freeride/observability';
import { redisUrlSchema } from '@freeride/redis-connection';

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';

const MIB = 1024 * 1024;

const positiveInt = (fallback: number) =>
  z.coerce.number().int().positive().default(fallback);
const nonNegativeInt = (fallback: number) =>
  z.coerce.number().int().nonnegative().default(fallback);

/** `source=token,source2=token2`: one bearer token per sending source. */
const tokenList = z.string().transform((raw, ctx) => {
  const tokens = new Map<string, string>();
  for (const pair of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const at = pair.indexOf('=');
    const source = pair.slice(0, at).trim();
    const token = pair.slice(at + 1).trim();
    if (at <= 0 || !/^[a-z0-9_.-]+$/i.test(source) || token.length < 16) {
      ctx.addIssue({
        code: 'custom',
        message:
          'each entry must be source=token with a token of at least 16 characters',
      });
      return z.NEVER;
    }
    tokens.set(token, source);
  }
  return tokens;
});

const patternList = z.array(z.string().regex(POLICY_PATTERN)).min(1);

/**
 * `{"<source>": {"datasets": [...], "namespaces": [...], "services": [...]}}`:
 * what each source's token may write (`*` wildcards; an absent list allows
 * any value). The platform's own datasets are refused to every source.
 */
const sourcePolicies = z
  .string()
  .transform((raw, ctx) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
      return z.NEVER;
    }
  })
  .pipe(
    z.record(
      z.string().regex(/^[a-z0-9_.-]+$/i),
      z
        .object({
          datasets: patternList.optional(),
          namespaces: patternList.optional(),
          services: patternList.optional(),
        })
        .strict(),
    ),
  );

/**
 * The ingest's environment. Tokens come from `INGEST_TOKENS` or, better for
 * production, a mounted secret file `INGEST_TOKENS_FILE` in the same format.
 */
export const configSchema = z
  .object({
    ELASTICSEARCH_URL: httpUrlList('http://127.0.0.1:9200'),
    ES_NAMESPACE: z
      .string()
      .regex(/^[a-z0-9_]+$/)
      .default('default'),
    FANOUT_ENABLED: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    FANOUT_PARTITIONS: positiveInt(4),
    FANOUT_STREAM_MAXLEN: positiveInt(200_000),
    INDEXER_BATCH_BYTES: positiveInt(5 * MIB),
    INDEXER_BATCH_ENTRIES: positiveInt(200),
    INDEXER_CONCURRENCY: positiveInt(2),
    INDEXER_ENABLED: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    INDEXER_FLUSH_MS: positiveInt(500),
    /**
     * Bytes of accepted bodies kept in memory for this process's indexer, so
     * that it does not read them back from Redis; 0 reads every body from Redis.
     */
    INDEXER_HANDOFF_BYTES: nonNegativeInt(64 * MIB),
    INDEXER_LINGER_MS: nonNegativeInt(0),
    INDEXER_MAX_ITEM_ATTEMPTS: positiveInt(8),
    INDEXER_PIPELINE: positiveInt(2),
    /**
     * Replicas that must have a write before the sender gets its 200
     * (`WAIT`); 0 on one Redis, at least 1 on a Redis Cluster with replicas.
     */
    INGEST_ACK_REPLICAS: z.coerce.number().int().min(0).default(0),
    /** Longest wait for `INGEST_ACK_REPLICAS`; fewer in time answers 503. */
    INGEST_ACK_TIMEOUT_MS: positiveInt(1000),
    /**
     * Entries another consumer left pending this long are claimed (that
     * instance stopped): the takeover delay after an instance is killed.
     */
    INGEST_CLAIM_IDLE_MS: positiveInt(30_000),
    /** Unique per instance: the consumer name in the `indexer` and `fanout` groups. */
    INGEST_CONSUMER_NAME: z.string().min(1).optional(),
    /**
     * Counts Buffers (memory outside the JS heap) in V8's global heap limit
     * instead of starting a full collection at every 64 MiB of them
     * (`--external-memory-accounted-in-global-limit`, V8's later default).
     */
    INGEST_GC_EXTERNAL_IN_GLOBAL_LIMIT: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    INGEST_HIGH_WATER_BYTES: positiveInt(256 * MIB),
    INGEST_HOST: z.string().default('127.0.0.1'),
    INGEST_LOG_TO_ELASTICSEARCH: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    INGEST_MAX_BODY_BYTES: positiveInt(16 * MIB),
    INGEST_MAX_ITEM_BYTES: positiveInt(MIB),
    INGEST_PORT: z.coerce.number().int().min(1).max(65535).default(4318),
    INGEST_RETRY_AFTER_SECONDS: positiveInt(5),
    INGEST_SOURCE_POLICIES: sourcePolicies.optional(),
    /**
     * Partitions of each signal's stream (`freeride:ingest:<signal>:{p<n>}`):
     * writes are spread over them, and on a Redis Cluster they spread over
     * the masters.
     */
    INGEST_STREAM_PARTITIONS: positiveInt(1),
    INGEST_TIME_WINDOW_FUTURE_SECONDS: positiveInt(15 * 60),
    INGEST_TIME_WINDOW_PAST_SECONDS: positiveInt(7 * 24 * 3600),
    INGEST_SHUTDOWN_DRAIN_MS: positiveInt(10_000),
    INGEST_TEMPLATES_DIR: z
      .string()
      .default(resolve(__dirname, '../../../../observability/elasticsearch')),
    INGEST_TOKENS: tokenList.optional(),
    INGEST_TOKENS_FILE: z.string().optional(),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
      .default('info'),
    /** `redis://host:port` or a cluster's seed nodes, `redis-cluster://host:port,host:port`. */
    REDIS_URL: redisUrlSchema('redis://127.0.0.1:6379'),
  })
  .refine((env) => Boolean(env.INGEST_TOKENS ?? env.INGEST_TOKENS_FILE), {
    message:
      'set INGEST_TOKENS or INGEST_TOKENS_FILE (no source could authenticate)',
    path: ['INGEST_TOKENS'],
    // Run even when other keys are invalid, so every problem is reported at once.
    when: (payload) => {
      const value = payload.value as Record<string, unknown>;
      return (
        value['INGEST_TOKENS'] === undefined &&
        value['INGEST_TOKENS_FILE'] === undefined
      );
    },
  });

/** The ingest's typed, nested configuration. */
export interface IngestConfig {
  elasticsearch: {
    namespace: string;
    /** Node URLs of one cluster; the client spreads requests and skips a dead node. */
    nodes: string[];
    templatesDir: string;
    selfLogs: boolean;
  };
  fanout: { enabled: boolean; maxLen: number; partitions: number };
  /** Count Buffers in V8's global heap limit (see {@link configSchema}). */
  gcExternalInGlobalLimit: boolean;
  http: {
    host: string;
    maxBodyBytes: number;
    maxItemBytes: number;
    port: number;
    retryAfterSeconds: number;
  };
  indexer: {
    batchBytes: number;
    batchEntries: number;
    /** Pending entries idle this long belong to a stopped consumer and are claimed. */
    claimIdleMs: number;
    concurrency: number;
    consumerName: string;
    enabled: boolean;
    flushMs: number;
    /** Bytes of accepted bodies handed to this process's indexer in memory. */
    handOffBytes: number;
    /**
     * How long a started batch waits for more entries once the stream has
     * none; 0: it is sent with what is there (more arrive while it is indexed).
     */
    lingerMs: number;
    maxItemAttempts: number;
    pipeline: number;
  };
  logLevel: string;
  redis: { url: string };
  shutdownDrainMs: number;
  /** Per source: what its token may write (absent: any unreserved data stream). */
  sourcePolicies: Map<string, SourcePolicyConfig>;
  /** Accepted range of a record's own time around its receipt, in ms. */
  timeWindow: { futureMs: number; pastMs: number };
  stream: {
    /** Replicas that must acknowledge an append (`WAIT`); 0: none. */
    ackReplicas: number;
    ackTimeoutMs: number;
    highWaterBytes: number;
    /** Partitions of each signal's stream. */
    partitions: number;
  };
  /** Token → source name. Never logged. */
  tokens: Map<string, string>;
}

/**
 * Validates the environment and maps it to {@link IngestConfig}.
 * @throws ConfigValidationError naming every bad key
 */
export function loadConfig(
  env: Record<string, string | undefined>,
): IngestConfig {
  const e = parseConfig(configSchema, env);
  let tokens = e.INGEST_TOKENS ?? new Map<string, string>();
  if (e.INGEST_TOKENS_FILE) {
    const fromFile = parseConfig(z.object({ INGEST_TOKENS_FILE: tokenList }), {
      INGEST_TOKENS_FILE: readFileSync(e.INGEST_TOKENS_FILE, 'utf8').trim(),
    }).INGEST_TOKENS_FILE;
    tokens = new Map([...tokens, ...fromFile]);
  }
  return {
    elasticsearch: {
      namespace: e.ES_NAMESPACE,
      selfLogs: e.INGEST_LOG_TO_ELASTICSEARCH,
      templatesDir: e.INGEST_TEMPLATES_DIR,
      nodes: e.ELASTICSEARCH_URL,
    },
    fanout: {
      enabled: e.FANOUT_ENABLED,
      maxLen: e.FANOUT_STREAM_MAXLEN,
      partitions: e.FANOUT_PARTITIONS,
    },
    gcExternalInGlobalLimit: e.INGEST_GC_EXTERNAL_IN_GLOBAL_LIMIT,
    http: {
      host: e.INGEST_HOST,
      maxBodyBytes: e.INGEST_MAX_BODY_BYTES,
      maxItemBytes: e.INGEST_MAX_ITEM_BYTES,
      port: e.INGEST_PORT,
      retryAfterSeconds: e.INGEST_RETRY_AFTER_SECONDS,
    },
    indexer: {
      batchBytes: e.INDEXER_BATCH_BYTES,
      batchEntries: e.INDEXER_BATCH_ENTRIES,
      claimIdleMs: e.INGEST_CLAIM_IDLE_MS,
      concurrency: e.INDEXER_CONCURRENCY,
      consumerName: e.INGEST_CONSUMER_NAME ?? `ingest-${hostname()}`,
      enabled: e.INDEXER_ENABLED,
      flushMs: e.INDEXER_FLUSH_MS,
      handOffBytes: e.INDEXER_HANDOFF_BYTES,
      lingerMs: e.INDEXER_LINGER_MS,
      maxItemAttempts: e.INDEXER_MAX_ITEM_ATTEMPTS,
      pipeline: e.INDEXER_PIPELINE,
    },
    logLevel: e.LOG_LEVEL,
    redis: { url: e.REDIS_URL },
    shutdownDrainMs: e.INGEST_SHUTDOWN_DRAIN_MS,
    sourcePolicies: new Map(Object.entries(e.INGEST_SOURCE_POLICIES ?? {})),
    timeWindow: {
      futureMs: e.INGEST_TIME_WINDOW_FUTURE_SECONDS * 1000,
      pastMs: e.INGEST_TIME_WINDOW_PAST_SECONDS * 1000,
    },
    stream: {
      ackReplicas: e.INGEST_ACK_REPLICAS,
      ackTimeoutMs: e.INGEST_ACK_TIMEOUT_MS,
      highWaterBytes: e.INGEST_HIGH_WATER_BYTES,
      partitions: e.INGEST_STREAM_PARTITIONS,
    },
    tokens,
  };
}

/** Injection token of the {@link IngestConfig}. */
export const INGEST_CONFIG = Symbol('INGEST_CONFIG');
