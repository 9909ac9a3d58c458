import { DEFAULT_METRIC_LEARNING_POINTS } from '@freeride/anomaly-engine';
import { httpUrlList, parseConfig } from '@freeride/observability';
import { redisUrlSchema } from '@freeride/redis-connection';

import { hostname } from 'node:os';
import { z } from 'zod';

const positiveInt = (fallback: number) =>
  z.coerce.number().int().positive().default(fallback);
const nonNegativeInt = (fallback: number) =>
  z.coerce.number().int().nonnegative().default(fallback);
const bool = (fallback: 'false' | 'true') =>
  z
    .enum(['true', 'false'])
    .default(fallback)
    .transform((v) => v === 'true');
const urlList = z
  .string()
  .transform((raw) =>
    raw
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.url()).min(1));

/** Default PromQL series fed to the metric detector: latency, error rate, provider health. */
const DEFAULT_PROMETHEUS_QUERIES = [
  'http_p99_seconds=histogram_quantile(0.99, sum by (service, le) (rate(http_server_request_duration_seconds_bucket[5m])))',
  'http_error_ratio=sum by (service) (rate(http_server_request_duration_seconds_count{status_code=~"5.."}[5m])) / sum by (service) (rate(http_server_request_duration_seconds_count[5m]))',
  'provider_up=min by (service, provider) ({__name__=~".*provider_up"})',
].join(';');

/** The anomaly app's environment: one flat schema, defaults here only. */
export const configSchema = z
  .object({
    ALERTMANAGER_TIMEOUT_MS: positiveInt(5000),
    ALERTMANAGER_URLS: urlList.default(['http://127.0.0.1:9093']),
    ANOMALY_ALERT_REPOST_MS: positiveInt(60_000),
    ANOMALY_ALERT_RESOLVE_AFTER_MS: positiveInt(300_000),
    ANOMALY_BUCKET_MS: positiveInt(60_000),
    ANOMALY_CLAIM_IDLE_MS: positiveInt(60_000),
    ANOMALY_CONSUMER_NAME: z.string().min(1).optional(),
    ANOMALY_DATA_STREAM: z
      .string()
      .regex(/^anomalies-[a-z0-9_.]+-[a-z0-9_]+$/)
      .default('anomalies-freeride-default'),
    ANOMALY_EVALUATE_EVERY_MS: positiveInt(10_000),
    ANOMALY_HOST: z.string().default('127.0.0.1'),
    ANOMALY_IDLE_ADVANCE_MS: positiveInt(15_000),
    ANOMALY_INSTANCE_COUNT: positiveInt(1),
    ANOMALY_INSTANCE_INDEX: nonNegativeInt(0),
    ANOMALY_KEEP_FIRING_FOR_MS: nonNegativeInt(60_000),
    ANOMALY_METRIC_LEARNING_POINTS: positiveInt(DEFAULT_METRIC_LEARNING_POINTS),
    ANOMALY_MIN_BASELINE_BUCKETS: positiveInt(10),
    ANOMALY_NEW_TEMPLATE_WARMUP_MS: nonNegativeInt(3_600_000),
    /**
     * How instances share the partitions: `leases` (dynamic: leases in
     * Redis, a dead instance's partitions taken over after
     * ANOMALY_PARTITION_LEASE_MS) or `static` (p % ANOMALY_INSTANCE_COUNT ===
     * ANOMALY_INSTANCE_INDEX).
     */
    ANOMALY_PARTITION_ASSIGNMENT: z
      .enum(['leases', 'static'])
      .default('leases'),
    /** Lifetime of a partition lease without renewal: the takeover delay after a kill. */
    ANOMALY_PARTITION_LEASE_MS: positiveInt(10_000),
    ANOMALY_PARTITIONS: positiveInt(4),
    ANOMALY_MAX_FUTURE_SKEW_MS: positiveInt(300_000),
    ANOMALY_MAX_PAST_AGE_MS: positiveInt(604_800_000),
    ANOMALY_PENDING_MS: nonNegativeInt(0),
    ANOMALY_PORT: z.coerce.number().int().min(1).max(65535).default(3003),
    ANOMALY_PROMETHEUS_INTERVAL_MS: positiveInt(15_000),
    ANOMALY_PROMETHEUS_QUERIES: z.string().default(DEFAULT_PROMETHEUS_QUERIES),
    ANOMALY_PUBLIC_URL: z.url().default('http://127.0.0.1:3003'),
    ANOMALY_READ_BATCH: positiveInt(500),
    ANOMALY_READ_BLOCK_MS: positiveInt(1000),
    ANOMALY_SNAPSHOT_MS: positiveInt(60_000),
    ANOMALY_RUNBOOK_BASE_URL: z
      .url()
      .default(
        'https://github.com/freeride-ops/freeride/blob/main/observability/alertmanager/runbooks',
      ),
    ANOMALY_STREAMS_ENABLED: bool('true'),
    ELASTICSEARCH_TIMEOUT_MS: positiveInt(10_000),
    ELASTICSEARCH_URL: httpUrlList('http://127.0.0.1:9200'),
    KIBANA_URL: z.url().default('http://127.0.0.1:5601'),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
      .default('info'),
    PROMETHEUS_TIMEOUT_MS: positiveInt(5000),
    PROMETHEUS_URL: z.url().optional(),
    /** `redis://host:port` or a cluster's seed nodes, `redis-cluster://host:port,host:port`. */
    REDIS_URL: redisUrlSchema('redis://127.0.0.1:6379'),
  })
  .superRefine((env, ctx) => {
    if (env.ANOMALY_INSTANCE_INDEX >= env.ANOMALY_INSTANCE_COUNT) {
      ctx.addIssue({
        code: 'custom',
        message: `must be below ANOMALY_INSTANCE_COUNT (${env.ANOMALY_INSTANCE_COUNT})`,
        path: ['ANOMALY_INSTANCE_INDEX'],
      });
    }
    if (env.ANOMALY_ALERT_REPOST_MS >= env.ANOMALY_ALERT_RESOLVE_AFTER_MS) {
      ctx.addIssue({
        code: 'custom',
        message:
          'must be below ANOMALY_ALERT_RESOLVE_AFTER_MS, or firing alerts expire between posts',
        path: ['ANOMALY_ALERT_REPOST_MS'],
      });
    }
  });

/** One PromQL query whose series feed the metric detector. */
export interface PrometheusQuery {
  /** Metric name given to the series, e.g. `http_p99_seconds`. */
  readonly name: string;
  readonly query: string;
}

/** The anomaly app's typed, nested configuration. */
export interface AnomalyConfig {
  alertmanager: {
    repostMs: number;
    resolveAfterMs: number;
    timeoutMs: number;
    urls: string[];
  };
  detection: {
    bucketMs: number;
    evaluateEveryMs: number;
    idleAdvanceAfterMs: number;
    keepFiringForMs: number;
    metricLearningPoints: number;
    minBaselineBuckets: number;
    newTemplateWarmupMs: number;
    /** Records dated further ahead of the wall clock do not move event time. */
    maxFutureSkewMs: number;
    /** Records dated further behind the wall clock do not move event time. */
    maxPastAgeMs: number;
    pendingMs: number;
  };
  elasticsearch: {
    dataStream: string;
    /** Node URLs of one cluster; the client spreads requests and skips a dead node. */
    nodes: string[];
    timeoutMs: number;
  };
  http: { host: string; port: number; publicUrl: string };
  links: { kibanaUrl: string; runbookBaseUrl: string };
  logLevel: string;
  prometheus?: {
    intervalMs: number;
    queries: PrometheusQuery[];
    timeoutMs: number;
    url: string;
  };
  redis: { url: string };
  stream: {
    batch: number;
    blockMs: number;
    claimIdleMs: number;
    /**
     * `leases`: partitions taken dynamically (this instance is lease owner
     * `consumerName`, unique per instance); `static`: `partitions` only.
     */
    assignment: 'leases' | 'static';
    consumerName: string;
    enabled: boolean;
    leaseMs: number;
    /** Partitions of the record streams, over all instances. */
    partitionCount: number;
    /** How often the detector state of each partition is saved to Redis. */
    snapshotMs: number;
    /** Partitions this instance reads: p % instanceCount === instanceIndex. */
    partitions: number[];
  };
}

function parseQueries(raw: string): PrometheusQuery[] {
  return raw
    .split(';')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.indexOf('=');
      return {
        name: entry.slice(0, at).trim(),
        query: entry.slice(at + 1).trim(),
      };
    });
}

/**
 * Validates the environment and maps it to {@link AnomalyConfig}.
 * @throws ConfigValidationError naming every bad key, one per line
 */
export function loadConfig(
  env: Record<string, string | undefined>,
): AnomalyConfig {
  const e = parseConfig(configSchema, env);
  const partitions = Array.from(
    { length: e.ANOMALY_PARTITIONS },
    (_, p) => p,
  ).filter((p) => p % e.ANOMALY_INSTANCE_COUNT === e.ANOMALY_INSTANCE_INDEX);
  return {
    alertmanager: {
      repostMs: e.ANOMALY_ALERT_REPOST_MS,
      resolveAfterMs: e.ANOMALY_ALERT_RESOLVE_AFTER_MS,
      timeoutMs: e.ALERTMANAGER_TIMEOUT_MS,
      urls: e.ALERTMANAGER_URLS,
    },
    detection: {
      bucketMs: e.ANOMALY_BUCKET_MS,
      evaluateEveryMs: e.ANOMALY_EVALUATE_EVERY_MS,
      idleAdvanceAfterMs: e.ANOMALY_IDLE_ADVANCE_MS,
      keepFiringForMs: e.ANOMALY_KEEP_FIRING_FOR_MS,
      metricLearningPoints: e.ANOMALY_METRIC_LEARNING_POINTS,
      minBaselineBuckets: e.ANOMALY_MIN_BASELINE_BUCKETS,
      newTemplateWarmupMs: e.ANOMALY_NEW_TEMPLATE_WARMUP_MS,
      maxFutureSkewMs: e.ANOMALY_MAX_FUTURE_SKEW_MS,
      maxPastAgeMs: e.ANOMALY_MAX_PAST_AGE_MS,
      pendingMs: e.ANOMALY_PENDING_MS,
    },
    elasticsearch: {
      dataStream: e.ANOMALY_DATA_STREAM,
      timeoutMs: e.ELASTICSEARCH_TIMEOUT_MS,
      nodes: e.ELASTICSEARCH_URL,
    },
    http: {
      host: e.ANOMALY_HOST,
      port: e.ANOMALY_PORT,
      publicUrl: e.ANOMALY_PUBLIC_URL,
    },
    links: {
      kibanaUrl: e.KIBANA_URL,
      runbookBaseUrl: e.ANOMALY_RUNBOOK_BASE_URL,
    },
    logLevel: e.LOG_LEVEL,
    ...(e.PROMETHEUS_URL
      ? {
          prometheus: {
            intervalMs: e.ANOMALY_PROMETHEUS_INTERVAL_MS,
            queries: parseQueries(e.ANOMALY_PROMETHEUS_QUERIES),
            timeoutMs: e.PROMETHEUS_TIMEOUT_MS,
            url: e.PROMETHEUS_URL,
          },
        }
      : {}),
    redis: { url: e.REDIS_URL },
    stream: {
      batch: e.ANOMALY_READ_BATCH,
      blockMs: e.ANOMALY_READ_BLOCK_MS,
      claimIdleMs: e.ANOMALY_CLAIM_IDLE_MS,
      assignment: e.ANOMALY_PARTITION_ASSIGNMENT,
      consumerName:
        e.ANOMALY_CONSUMER_NAME ??
        (e.ANOMALY_PARTITION_ASSIGNMENT === 'static'
          ? `anomaly-${e.ANOMALY_INSTANCE_INDEX}`
          : `anomaly-${hostname()}-${process.pid}`),
      enabled: e.ANOMALY_STREAMS_ENABLED,
      leaseMs: e.ANOMALY_PARTITION_LEASE_MS,
      partitionCount: e.ANOMALY_PARTITIONS,
      partitions,
      snapshotMs: e.ANOMALY_SNAPSHOT_MS,
    },
  };
}

/** Injection token of the {@link AnomalyConfig}. */
export const ANOMALY_CONFIG = Symbol('ANOMALY_CONFIG');
