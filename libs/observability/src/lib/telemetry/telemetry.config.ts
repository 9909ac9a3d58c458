import { z } from 'zod';

import { parseConfig } from '../config/parse-config';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

/**
 * Environment understood by {@link startTelemetry}: the standard OTel SDK
 * variables the platform relies on, plus `FREERIDE_OTEL_INSTRUMENTATIONS`.
 * @see https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
 */
export const TelemetryEnvSchema = z.object({
  /** Comma-separated instrumentation short names to enable; `all` for the default set. */
  FREERIDE_OTEL_INSTRUMENTATIONS: z
    .string()
    .default('http,express,nestjs-core,pino,ioredis,pg,undici'),
  /** Base URL of the OTLP/HTTP receiver (the platform's own ingest). */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().default('http://127.0.0.1:4318'),
  /** `key=value` pairs, e.g. `Authorization=Bearer%20<token>`. */
  OTEL_EXPORTER_OTLP_HEADERS: z.string().optional(),
  OTEL_SDK_DISABLED: booleanFromEnv.default(false),
});

/** Parsed telemetry environment. */
export type TelemetryEnv = z.output<typeof TelemetryEnvSchema>;

/** Validates the telemetry environment (runs before Nest, so no ConfigModule). */
export function loadTelemetryEnv(
  env: Record<string, string | undefined>,
): TelemetryEnv {
  return parseConfig(TelemetryEnvSchema, env);
}

/** Parses `OTEL_EXPORTER_OTLP_HEADERS` (`k=v,k2=v2`, values URL-encoded). */
export function parseOtlpHeaders(
  raw: string | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (raw ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    headers[pair.slice(0, at).trim()] = decodeURIComponent(
      pair.slice(at + 1).trim(),
    );
  }
  return headers;
}
