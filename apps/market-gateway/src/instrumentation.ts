import { startTelemetry } from '@freeride/observability/telemetry';

startTelemetry({ serviceName: 'market-gateway', serviceVersion: '0.1.0' });
