/**
 * Secondary entry point `@freeride/observability/telemetry`: only the
 * telemetry start-up, for an app's `instrumentation.ts`. It must not load
 * pino, Nest or any instrumented module, or those would be required before
 * the instrumentations are registered and stay unpatched (no trace ids in
 * logs). The main entry re-exports the same functions.
 */
export * from './lib/telemetry/telemetry';
export * from './lib/telemetry/telemetry.config';
export * from './lib/telemetry/service-version';
