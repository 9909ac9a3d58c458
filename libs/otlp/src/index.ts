export { decodeOtlpRequest, countItems } from './lib/decode';
export { encodeExportResponse, encodeStatus } from './lib/encode-response';
export type { OtlpPartialSuccess } from './lib/encode-response';
export { toBulkLines, toEcsDocuments, logLevel } from './lib/ecs';
export type { EcsWrite } from './lib/ecs';
export { contentId } from './lib/ecs-sink';
export { logsProtobufToBulkLines } from './lib/logs-wire';
export type { WireBulkLines } from './lib/logs-wire';
export type {
  BulkLines,
  TimeWindow,
  TimestampAdjustment,
  ToEcsOptions,
} from './lib/ecs-sink';
export {
  DEFAULT_DATASET,
  DEFAULT_NAMESPACE,
  dataStreamName,
  sanitizeDataset,
  sanitizeNamespace,
} from './lib/data-stream';
export type { DataStream } from './lib/data-stream';
export { toLogRecordEvents, toMetricPointEvents } from './lib/record-events';
export { OtlpDecodeError } from './lib/otlp-decode.errors';
export type { OtlpDecodeErrorDetails } from './lib/otlp-decode.errors';
export type * from './lib/otlp-request';
export { encodeOtlpRequest } from './lib/encode-request';
export { screenRequest } from './lib/screen-request';
export type { ScreenOptions, ScreenedRequest } from './lib/screen-request';
