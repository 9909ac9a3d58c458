import { Root } from 'protobufjs';
import type { Type } from 'protobufjs';

import descriptor from './otlp-descriptor.json';

interface DescriptorNode {
  nested?: Record<string, DescriptorNode>;
  oneofs?: Record<string, { oneof: string[] }>;
}

/**
 * Splits every oneof of several fields (AnyValue.value,
 * NumberDataPoint.value, Metric.data...) into one-field oneofs, as proto3
 * `optional` fields are. On decode, protobufjs clears the other members of
 * a oneof with `delete` each time it reads one, which turns every AnyValue
 * into a slow dictionary-mode object and halves decode speed; one-field
 * oneofs keep explicit presence (a `boolValue: false` is still read) with
 * nothing to delete. Oneofs do not exist on the wire: decoding is
 * identical, but a message object may carry several members of an upstream
 * oneof when a (broken) sender sets several, so decoders test members in a
 * fixed order with own properties.
 */
function splitOneofs(node: DescriptorNode): DescriptorNode {
  if (node.oneofs) {
    for (const [name, oneof] of Object.entries(node.oneofs)) {
      if (oneof.oneof.length < 2) continue;
      delete node.oneofs[name];
      for (const field of oneof.oneof) {
        node.oneofs[`_${field}`] = { oneof: [field] };
      }
    }
  }
  for (const child of Object.values(node.nested ?? {})) splitOneofs(child);
  return node;
}

/**
 * The OTLP protobuf schema, loaded once from a static descriptor generated
 * from `libs/otlp/proto` (`scripts/generate-descriptor.cjs`). Use it to
 * encode.
 *
 * @see https://github.com/open-telemetry/opentelemetry-proto
 */
export const OTLP_ROOT: Root = Root.fromJSON(descriptor);

/** The same schema with one-field oneofs only (see `splitOneofs`), to decode. */
const DECODE_ROOT: Root = Root.fromJSON(
  splitOneofs(JSON.parse(JSON.stringify(descriptor)) as DescriptorNode),
);

function type(name: string, root = OTLP_ROOT): Type {
  return root.lookupType(name);
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

/**
 * The three request messages, for decoding. Their message objects may
 * carry several members of an upstream oneof; test presence with own
 * properties.
 */
export const OTLP_DECODE_TYPES = {
  logs: type(
    'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
    DECODE_ROOT,
  ),
  metrics: type(
    'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
    DECODE_ROOT,
  ),
  traces: type(
    'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
    DECODE_ROOT,
  ),
} as const;

/**
 * Messages the single-pass logs reader hands to protobufjs (resources,
 * scopes, and values other than strings and numbers), with the same
 * one-field oneofs as {@link OTLP_DECODE_TYPES}.
 */
export const OTLP_DECODE_PARTS = {
  anyValue: type('opentelemetry.proto.common.v1.AnyValue', DECODE_ROOT),
  resource: type('opentelemetry.proto.resource.v1.Resource', DECODE_ROOT),
  scope: type(
    'opentelemetry.proto.common.v1.InstrumentationScope',
    DECODE_ROOT,
  ),
} as const;

/** Name → number of an OTLP enum, for OTLP/JSON bodies that send names. */
export function enumValues(name: string): Readonly<Record<string, number>> {
  return OTLP_ROOT.lookupEnum(name).values;
}
