import { startTelemetry } from '@freeride/observability';

startTelemetry({ serviceName: 'market-gateway', serviceVersion: '0.1.0' });
