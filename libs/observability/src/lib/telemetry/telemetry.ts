import { DiagConsoleLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
} from '@opentelemetry/semantic-conventions';
import { hostname } from 'node:os';

import {
  RedactingLogRecordProcessor,
  RedactingSpanProcessor,
} from './redaction.processors';
import { ATTR_HOST_NAME, ATTR_SERVICE_INSTANCE_ID } from './semconv';
import { packageVersion } from './service-version';
import {
  type TelemetryEnv,
  loadTelemetryEnv,
  parseOtlpHeaders,
} from './telemetry.config';

/** Options of {@link startTelemetry}. */
export interface TelemetryOptions {
  /** `service.name` resource attribute, e.g. `market-gateway`. */
  serviceName: string;
  /** `service.version` resource attribute. @default {@link packageVersion} */
  serviceVersion?: string;
  /**
   * Export the app's own log records over OTLP. The ingest turns this off:
   * it must never log into itself.
   * @default true
   */
  exportLogs?: boolean;
  /**
   * Incoming request paths (prefixes) never traced, beyond `/health` and
   * `/metrics`. The ingest ignores `/v1/`: tracing its own OTLP exports
   * would feed itself forever.
   * @default []
   */
  ignoreIncomingPaths?: string[];
  /**
   * Environment to read the OTel settings from.
   * @default process.env
   */
  env?: Record<string, string | undefined>;
}

/** Keys under which pino lines carry the active trace (ECS names). */
export const PINO_LOG_KEYS = {
  spanId: 'span.id',
  traceFlags: 'trace.flags',
  traceId: 'trace.id',
} as const;

let sdk: NodeSDK | undefined;
let started = false;

function instrumentations(
  env: TelemetryEnv,
  exportLogs: boolean,
  ignorePaths: string[],
) {
  const wanted = new Set(
    env.FREERIDE_OTEL_INSTRUMENTATIONS.split(',').map((s) => s.trim()),
  );
  const all = wanted.has('all');
  const on = (name: string) => ({ enabled: all || wanted.has(name) });
  return getNodeAutoInstrumentations({
    '@opentelemetry/instrumentation-dns': { enabled: false },
    '@opentelemetry/instrumentation-express': on('express'),
    '@opentelemetry/instrumentation-fs': { enabled: false },
    '@opentelemetry/instrumentation-http': {
      ...on('http'),
      ignoreIncomingRequestHook: (req) => {
        const url = req.url ?? '';
        return (
          /^\/(health|metrics)/.test(url) ||
          ignorePaths.some((p) => url.startsWith(p))
        );
      },
    },
    '@opentelemetry/instrumentation-ioredis': {
      ...on('ioredis'),
      requireParentSpan: true,
    },
    '@opentelemetry/instrumentation-nestjs-core': on('nestjs-core'),
    '@opentelemetry/instrumentation-net': { enabled: false },
    '@opentelemetry/instrumentation-pg': on('pg'),
    '@opentelemetry/instrumentation-pino': {
      ...on('pino'),
      disableLogSending: !exportLogs,
      logKeys: PINO_LOG_KEYS,
    },
    '@opentelemetry/instrumentation-undici': on('undici'),
  });
}

/**
 * Starts the OpenTelemetry NodeSDK once per process: traces, metrics and
 * logs over OTLP/HTTP protobuf to `OTEL_EXPORTER_OTLP_ENDPOINT`, with the
 * auto-instrumentations chosen by `FREERIDE_OTEL_INSTRUMENTATIONS`, and
 * credentials (query parameters, `user:password@`) redacted from every span
 * and log record before export. Call it
 * from the app's `instrumentation.ts`, imported first by `main.ts`.
 *
 * It never crashes the app: a bad setting or a failing exporter goes to
 * `diag.error` and the app runs uninstrumented.
 * @throws Error when called a second time in the same process
 * @see https://opentelemetry.io/docs/languages/js/getting-started/nodejs/
 */
export function startTelemetry(options: TelemetryOptions): void {
  if (started) {
    throw new Error('startTelemetry() was already called in this process');
  }
  started = true;
  diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.ERROR);
  try {
    const env = loadTelemetryEnv(options.env ?? process.env);
    if (env.OTEL_SDK_DISABLED) {
      return;
    }
    const exportLogs = options.exportLogs ?? true;
    const base = env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '');
    const headers = parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS);
    sdk = new NodeSDK({
      instrumentations: [
        instrumentations(env, exportLogs, options.ignoreIncomingPaths ?? []),
      ],
      // The redacting processors run first: nothing exported carries a credential.
      logRecordProcessors: exportLogs
        ? [
            new RedactingLogRecordProcessor(),
            new BatchLogRecordProcessor({
              exporter: new OTLPLogExporter({
                headers,
                url: `${base}/v1/logs`,
              }),
            }),
          ]
        : [],
      metricReader: new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({
          headers,
          url: `${base}/v1/metrics`,
        }),
        exportIntervalMillis: 15_000,
      }),
      resource: resourceFromAttributes({
        [ATTR_HOST_NAME]: hostname(),
        [ATTR_SERVICE_INSTANCE_ID]: `${hostname()}:${process.pid}`,
        [ATTR_SERVICE_NAME]: options.serviceName,
        [ATTR_SERVICE_VERSION]: options.serviceVersion ?? packageVersion(),
      }),
      spanProcessors: [
        new RedactingSpanProcessor(),
        new BatchSpanProcessor(
          new OTLPTraceExporter({ headers, url: `${base}/v1/traces` }),
        ),
      ],
    });
    sdk.start();
  } catch (err) {
    diag.error('telemetry start failed; running uninstrumented', err);
    sdk = undefined;
  }
}

/**
 * Flushes and shuts the SDK down (traces, metrics and logs), bounded by
 * `timeoutMs`. Safe to call when telemetry never started.
 * @default timeoutMs 5000
 */
export async function shutdownTelemetry(timeoutMs = 5_000): Promise<void> {
  const current = sdk;
  sdk = undefined;
  if (!current) return;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      current.shutdown(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
        timer.unref();
      }),
    ]);
  } catch (err) {
    diag.error('telemetry shutdown failed', err);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
