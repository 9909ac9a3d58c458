import { Root } from 'protobufjs';
import type { Type } from 'protobufjs';

import descriptor from './otlp-descriptor.json';

/**
 * The OTLP protobuf schema, loaded once from a static descriptor generated
 * from `libs/otlp/proto` (`scripts/generate-descriptor.cjs`).
 *
 * @see https://github.com/open-telemetry/opentelemetry-proto
 */
export const OTLP_ROOT: Root = Root.fromJSON(descriptor);

function type(name: string): Type {
  return OTLP_ROOT.lookupType(name);
}

/** Request and response messages of the three OTLP collector services. */
export const OTLP_TYPES = {
  logsRequest: type(
    'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
  ),
  logsResponse: type(
    'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse',
  ),
  metricsRequest: type(
    'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
  ),
  metricsResponse: type(
    'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse',
  ),
  status: type('google.rpc.Status'),
  tracesRequest: type(
    'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
  ),
  tracesResponse: type(
    'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
  ),
} as const;

/** Name → number of an OTLP enum, for OTLP/JSON bodies that send names. */
export function enumValues(name: string): Readonly<Record<string, number>> {
  return OTLP_ROOT.lookupEnum(name).values;
}
