import { startTelemetry } from '@freeride/observability';

startTelemetry({ serviceName: 'trading', serviceVersion: '0.1.0' });
