import type { DestinationStream } from 'pino';

import { DURATION_BUCKETS_SECONDS } from './observability.constants';
import { packageVersion } from './telemetry/service-version';

/** Options of `ObservabilityModule.forRoot`. Defaults are filled in by {@link resolveObservabilityOptions}. */
export interface ObservabilityOptions {
  /**
   * Histogram buckets (seconds) of every duration histogram of the app,
   * HTTP requests and the app's own alike.
   * @default DURATION_BUCKETS_SECONDS
   */
  durationBuckets?: readonly number[];
  /**
   * Minimum log level.
   * @default 'info'
   */
  logLevel?: string;
  /** Where log lines go. @default stdout */
  logStream?: DestinationStream;
  /**
   * Prefix of every metric of the app, e.g. `freeride_gateway_`.
   * @default `freeride_<serviceName>_` with `-` replaced by `_`
   */
  metricsPrefix?: string;
  /** `service.name` of logs and metrics. */
  serviceName: string;
  /** `service.version`. @default the version of the nearest package.json ({@link packageVersion}) */
  serviceVersion?: string;
}

/** {@link ObservabilityOptions} with every default applied. */
export type ResolvedObservabilityOptions = Required<
  Omit<ObservabilityOptions, 'logStream'>
> &
  Pick<ObservabilityOptions, 'logStream'>;

/** Fills in the defaults of {@link ObservabilityOptions}, in one place. */
export function resolveObservabilityOptions(
  options: ObservabilityOptions,
): ResolvedObservabilityOptions {
  return {
    durationBuckets: options.durationBuckets ?? DURATION_BUCKETS_SECONDS,
    logLevel: options.logLevel ?? 'info',
    logStream: options.logStream,
    metricsPrefix:
      options.metricsPrefix ??
      `freeride_${options.serviceName.replace(/[^a-zA-Z0-9]/g, '_')}_`,
    serviceName: options.serviceName,
    serviceVersion: options.serviceVersion ?? packageVersion(),
  };
}
