import type { RedisIngestStream } from '@freeride/ingest-delivery';
import { ATTR, currentTraceparent } from '@freeride/observability';
import {
  type OtlpEncoding,
  type OtlpSignal,
  countItems,
  decodeOtlpRequest,
  encodeExportResponse,
  screenRequest,
} from '@freeride/otlp';

import { Inject, Injectable } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import type { Request } from 'express';

import { INGEST_CONFIG, type IngestConfig } from '../config/ingest.config';
import { INGEST_STREAMS } from './ingest-streams';
import { encodingOf, readOtlpBody } from './otlp-body';
import { OtlpMetrics } from './otlp.metrics';

/** What the controller answers for an accepted export. */
export interface ExportResult {
  body: Uint8Array;
  contentType: string;
}

/**
 * The receive path: read and decode the body, append the normalised request
 * to the signal's durable stream, and only then answer success.
 */
@Injectable()
export class OtlpService {
  constructor(
    @Inject(INGEST_CONFIG) private readonly config: IngestConfig,
    @Inject(INGEST_STREAMS)
    private readonly streams: Record<OtlpSignal, RedisIngestStream>,
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
    const decoded = decodeOtlpRequest(signal, encoding, raw, receivedAt);
    this.metrics.received.inc({ signal, source }, countItems(decoded));
    const { errorMessage, rejected, request } = screenRequest(decoded, {
      bodyBytes: raw.length,
      maxItemBytes: this.config.http.maxItemBytes,
    });
    if (rejected > 0)
      this.metrics.rejectedItems.inc({ reason: 'too_large', signal }, rejected);
    const items = countItems(request);
    const span = trace.getActiveSpan();
    span?.setAttributes({
      [ATTR.INGEST_SIGNAL]: signal,
      [ATTR.INGEST_SOURCE]: source,
      [ATTR.BATCH_SIZE]: items,
    });
    if (items > 0) {
      // The sender's bytes as they are when nothing was removed (smaller, and
      // no re-encoding); the normalised request only after partial success.
      const { id } = await this.streams[signal].append({
        body: rejected > 0 ? Buffer.from(JSON.stringify(request)) : raw,
        encoding: rejected > 0 ? 'j' : encoding === 'protobuf' ? 'p' : 'o',
        items,
        receivedAt,
        source,
        traceparent: currentTraceparent(),
      });
      span?.setAttribute(ATTR.STREAM_ID, id);
      this.metrics.accepted.inc({ signal, source }, items);
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
}
