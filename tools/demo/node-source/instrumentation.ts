import { startTelemetry } from '@freeride/observability/telemetry';

startTelemetry({ serviceName: 'node-demo', serviceVersion: '0.1.0' });
