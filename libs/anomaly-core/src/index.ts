export * from './lib/alertmanager/alertmanager-alert';
export * from './lib/alertmanager/alertmanager-client';
export * from './lib/alertmanager/alertmanager.errors';
export * from './lib/alertmanager/to-alertmanager-alert';
export * from './lib/anomaly-core.constants';
export * from './lib/flap/flap-suppressor';
export * from './lib/kibana/discover-url';
