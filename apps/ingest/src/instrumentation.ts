import { startTelemetry } from '@freeride/observability/telemetry';

// The ingest exports its traces and metrics like any service, but never its
// own logs over OTLP: those go straight to Elasticsearch (self-logs).
startTelemetry({
  exportLogs: false,
  ignoreIncomingPaths: ['/v1/'],
  serviceName: 'ingest',
});
