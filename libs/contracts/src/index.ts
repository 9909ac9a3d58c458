export * from './lib/alert-rule';
export * from './lib/anomaly-event';
export * from './lib/freeride-error';
export * from './lib/log-sink';
export * from './lib/quote';
export * from './lib/telemetry-records';
