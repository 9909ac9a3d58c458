import { startTelemetry } from '@freeride/observability/telemetry';

startTelemetry({ serviceName: 'anomaly', serviceVersion: '0.1.0' });
