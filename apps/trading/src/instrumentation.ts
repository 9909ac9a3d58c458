import { startTelemetry } from '@freeride/observability/telemetry';

startTelemetry({ serviceName: 'trading', serviceVersion: '0.1.0' });
