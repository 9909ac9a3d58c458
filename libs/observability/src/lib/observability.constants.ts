/** Injection token of the app's prom-client `Registry`. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
/** Injection token of the resolved {@link ObservabilityOptions}. */
export const OBSERVABILITY_OPTIONS = Symbol('OBSERVABILITY_OPTIONS');
/**
 * Default histogram buckets (seconds) for request, call and lag durations,
 * set in one place so dashboards can compare services. The 30 s and 120 s
 * buckets keep webhook deliveries that wait out a retry, and a lagging
 * evaluator, apart from `+Inf`.
 */
export const DURATION_BUCKETS_SECONDS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
  120,
];
