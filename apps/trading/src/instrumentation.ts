import { startTelemetry } from '@freeride/observability/telemetry';

startTelemetry({ serviceName: 'trading' });
