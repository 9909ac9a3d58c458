import { SourcePolicy } from '@freeride/ingest-delivery';
import {
  type BulkLines,
  type LogsRequest,
  type MetricsRequest,
  type OtlpEncoding,
  type OtlpRequest,
  type OtlpSignal,
  type ToEcsOptions,
  type WireBulkLines,
  countItems,
  decodeOtlpRequest,
  encodeExportResponse,
  logsProtobufToBulkLines,
  screenRequest,
  toBulkLines,
  toLogRecordEvents,
  toMetricPointEvents,
} from '@freeride/otlp';
import { ATTR, currentTraceparent } from '@freeride/tracing';

import { Inject, Injectable } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import type { Request } from 'express';

import { INGEST_CONFIG, type IngestConfig } from '../config/ingest.config';
import { INGEST_STREAMS, type IngestStreams } from './ingest-streams';
import { encodingOf, readOtlpBody } from './otlp-body';
import { OtlpRequestError } from './otlp.errors';
import { OtlpMetrics } from './otlp.metrics';

/** What the controller answers for an accepted export. */
export interface ExportResult {
  body: Uint8Array;
  contentType: string;
}

/**
 * The receive path: read and decode the body, check what the source may
 * write, map every record to its Elasticsearch document once (serialised as
 * `_bulk` lines, plus the anomaly events when the fan-out reads this
 * signal), append that to the signal's durable stream, and only then answer
 * success. The consumers never decode or map again.
 */
@Injectable()
export class OtlpService {
  private readonly policies = new Map<string, SourcePolicy>();
  /** Round-robin position over the partitions, so writes spread evenly. */
  private nextPartition = 0;

  constructor(
    @Inject(INGEST_CONFIG) private readonly config: IngestConfig,
    @Inject(INGEST_STREAMS) private readonly streams: IngestStreams,
    private readonly metrics: OtlpMetrics,
  ) {}

  async accept(
    signal: OtlpSignal,
    source: string,
    req: Request,
  ): Promise<ExportResult> {
    const encoding: OtlpEncoding = encodingOf(req.headers['content-type']);
    const raw = await readOtlpBody(req, this.config.http.maxBodyBytes);
    const receivedAt = Date.now();
    const span = trace.getActiveSpan();
    span?.setAttributes({
      [ATTR.INGEST_SIGNAL]: signal,
      [ATTR.INGEST_SOURCE]: source,
    });
    const policy = this.policyOf(source);
    const mapping: ToEcsOptions = {
      admit: (ds, serviceName) => {
        const refusal = policy.refusal(ds, serviceName);
        if (refusal) throw new OtlpRequestError('forbidden', 403, refusal);
      },
      namespace: this.config.elasticsearch.namespace,
      source,
      timeWindow: this.config.timeWindow,
    };
    // Protobuf logs (the bulk of the traffic) in one pass over the bytes,
    // when no record can be too large; anything it leaves (invalid or
    // unusual bodies) takes the generic path.
    const wire =
      signal === 'logs' &&
      encoding === 'protobuf' &&
      raw.length <= this.config.http.maxItemBytes
        ? logsProtobufToBulkLines(
            raw,
            receivedAt,
            mapping,
            this.config.fanout.enabled,
          )
        : undefined;
    let rejected = 0;
    let errorMessage = '';
    // The one-pass writer's lines are already UTF-8 (a Buffer), the generic path's a string.
    let lines: BulkLines | WireBulkLines;
    let events: Buffer | undefined;
    if (wire) {
      this.metrics.received.inc({ signal, source }, wire.records);
      lines = wire;
      if (wire.events?.length)
        events = Buffer.from(JSON.stringify(wire.events));
    } else {
      const decoded = decodeOtlpRequest(signal, encoding, raw, receivedAt);
      this.metrics.received.inc({ signal, source }, countItems(decoded));
      const screened = screenRequest(decoded, {
        bodyBytes: raw.length,
        maxItemBytes: this.config.http.maxItemBytes,
      });
      ({ errorMessage, rejected } = screened);
      if (rejected > 0)
        this.metrics.rejectedItems.inc(
          { reason: 'too_large', signal },
          rejected,
        );
      lines = toBulkLines(screened.request, mapping);
      if (lines.docs > 0) events = this.fanoutEvents(signal, screened.request);
    }
    span?.setAttribute(ATTR.BATCH_SIZE, lines.docs);
    if (lines.docs > 0) {
      const partitions = this.streams[signal];
      const stream = partitions[this.nextPartition % partitions.length];
      this.nextPartition = (this.nextPartition + 1) % partitions.length;
      const { id } = await stream.append({
        body: lines.body,
        events,
        format: 'bulk-ndjson',
        items: lines.docs,
        receivedAt,
        source,
        traceparent: currentTraceparent(),
      });
      span?.setAttribute(ATTR.STREAM_ID, id);
      this.metrics.accepted.inc({ signal, source }, lines.docs);
      for (const [reason, count] of Object.entries(lines.adjusted))
        if (count > 0)
          this.metrics.timestampsAdjusted.inc({ reason, signal }, count);
    }
    return {
      body: encodeExportResponse(
        signal,
        encoding,
        rejected > 0 ? { errorMessage, rejected } : undefined,
      ),
      contentType:
        encoding === 'json' ? 'application/json' : 'application/x-protobuf',
    };
  }

  /** The anomaly detector's events, when the fan-out consumes this signal. */
  private fanoutEvents(
    signal: OtlpSignal,
    request: OtlpRequest,
  ): Buffer | undefined {
    if (!this.config.fanout.enabled || signal === 'traces') return undefined;
    const events =
      signal === 'logs'
        ? toLogRecordEvents(request as LogsRequest)
        : toMetricPointEvents(request as MetricsRequest);
    return events.length > 0 ? Buffer.from(JSON.stringify(events)) : undefined;
  }

  private policyOf(source: string): SourcePolicy {
    let policy = this.policies.get(source);
    if (!policy) {
      policy = new SourcePolicy(source, this.config.sourcePolicies.get(source));
      this.policies.set(source, policy);
    }
    return policy;
  }
}
