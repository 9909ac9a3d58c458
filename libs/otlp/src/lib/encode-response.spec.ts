import {
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';

import { encodeExportResponse, encodeStatus } from './encode-response';
import type { OtlpSignal } from './otlp-request';
import { OTLP_TYPES } from './proto/otlp-proto';

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

describe('encodeExportResponse', () => {
  describe('full success', () => {
    it('is an empty protobuf message', () => {
      expect(encodeExportResponse('logs', 'protobuf')).toHaveLength(0);
    });

    it('is {} in JSON', () => {
      expect(text(encodeExportResponse('traces', 'json'))).toBe('{}');
    });
  });

  describe.each<[OtlpSignal, string]>([
    ['logs', 'rejectedLogRecords'],
    ['traces', 'rejectedSpans'],
    ['metrics', 'rejectedDataPoints'],
  ])('partial success for %s', (signal, field) => {
    const partial = {
      errorMessage: 'mapping conflict on 2 records',
      rejected: 2,
    };

    it(`writes ${field} (an int64, so a decimal string) and errorMessage in JSON`, () => {
      expect(
        JSON.parse(text(encodeExportResponse(signal, 'json', partial))),
      ).toEqual({
        partialSuccess: {
          errorMessage: 'mapping conflict on 2 records',
          [field]: '2',
        },
      });
    });

    it('decodes back from protobuf', () => {
      const type = {
        logs: OTLP_TYPES.logsResponse,
        metrics: OTLP_TYPES.metricsResponse,
        traces: OTLP_TYPES.tracesResponse,
      }[signal];
      const decoded = type.toObject(
        type.decode(encodeExportResponse(signal, 'protobuf', partial)),
        {
          longs: Number,
        },
      );
      expect(decoded).toEqual({
        partialSuccess: {
          errorMessage: 'mapping conflict on 2 records',
          [field]: 2,
        },
      });
    });

    it('is read back by the OpenTelemetry JS SDK', () => {
      const serializer = {
        logs: ProtobufLogsSerializer,
        metrics: ProtobufMetricsSerializer,
        traces: ProtobufTraceSerializer,
      }[signal];
      const response = serializer.deserializeResponse(
        encodeExportResponse(signal, 'protobuf', partial),
      ) as { partialSuccess?: Record<string, unknown> };
      expect(response.partialSuccess?.errorMessage).toBe(
        'mapping conflict on 2 records',
      );
      expect(Number(response.partialSuccess?.[field])).toBe(2);
    });
  });
});

describe('encodeStatus', () => {
  it('encodes a google.rpc.Status in protobuf', () => {
    const body = encodeStatus('protobuf', 3, 'resourceLogs: expected an array');
    expect(OTLP_TYPES.status.toObject(OTLP_TYPES.status.decode(body))).toEqual({
      code: 3,
      message: 'resourceLogs: expected an array',
    });
  });

  it('encodes {code, message} in JSON', () => {
    expect(JSON.parse(text(encodeStatus('json', 14, 'stream full')))).toEqual({
      code: 14,
      message: 'stream full',
    });
  });
});
