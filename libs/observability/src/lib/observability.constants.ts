/** Injection token of the app's prom-client `Registry`. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
/** Injection token of the resolved {@link ObservabilityOptions}. */
export const OBSERVABILITY_OPTIONS = Symbol('OBSERVABILITY_OPTIONS');
/**
 * Histogram buckets (seconds) for request and call durations, set in one
 * place so dashboards can compare services.
 */
export const DURATION_BUCKETS_SECONDS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
