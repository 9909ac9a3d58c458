import { startTelemetry } from '@freeride/observability';

startTelemetry({ serviceName: 'node-demo', serviceVersion: '0.1.0' });
