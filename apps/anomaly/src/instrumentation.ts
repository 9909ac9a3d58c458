import { startTelemetry } from '@freeride/observability';

startTelemetry({ serviceName: 'anomaly', serviceVersion: '0.1.0' });
