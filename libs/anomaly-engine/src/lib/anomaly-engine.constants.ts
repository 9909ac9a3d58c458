/** `alertname` label of every alert apps/anomaly posts. */
export const ANOMALY_ALERT_NAME = 'FreerideAnomaly';

/** Alertmanager API v2 path that accepts alerts. */
export const ALERTMANAGER_ALERTS_PATH = '/api/v2/alerts';
