import { redactUrl } from '@freeride/net-guard';

import type { AttributeValue, Attributes } from '@opentelemetry/api';
import type { LogRecordProcessor, SdkLogRecord } from '@opentelemetry/sdk-logs';
import type {
  ReadableSpan,
  SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

function redactValue(
  value: AttributeValue | undefined,
): AttributeValue | undefined {
  if (typeof value === 'string') return redactUrl(value);
  if (Array.isArray(value)) {
    return value.map((v: unknown) =>
      typeof v === 'string' ? redactUrl(v) : v,
    ) as AttributeValue;
  }
  return value;
}

/** Rewrites, in place, every string attribute that carries a credential. */
export function redactAttributes(attributes: Attributes): void {
  for (const [key, value] of Object.entries(attributes)) {
    const redacted = redactValue(value);
    if (redacted !== value) attributes[key] = redacted;
  }
}

/**
 * Runs before the exporting processor: credential query parameters and
 * `user:password@` are removed from every span attribute (`url.full`,
 * `url.query`, `http.url`, `http.target`, `db.connection_string`...), from
 * event attributes (`exception.message`) and from the status message, of
 * outgoing and incoming requests alike.
 */
export class RedactingSpanProcessor implements SpanProcessor {
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  onStart(): void {
    // Attributes set after start (url.full of a response, errors) are handled at end.
  }

  onEnd(span: ReadableSpan): void {
    redactAttributes(span.attributes);
    for (const event of span.events) {
      if (event.attributes) redactAttributes(event.attributes);
    }
    if (span.status.message) {
      (span.status as { message?: string }).message = redactUrl(
        span.status.message,
      );
    }
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The same rule for OTLP log records: body and attributes. */
export class RedactingLogRecordProcessor implements LogRecordProcessor {
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  onEmit(record: SdkLogRecord): void {
    if (typeof record.body === 'string') {
      const body = redactUrl(record.body);
      if (body !== record.body) record.setBody(body);
    }
    for (const [key, value] of Object.entries(record.attributes)) {
      const redacted = redactValue(value as AttributeValue);
      if (redacted !== value && redacted !== undefined) {
        record.setAttribute(key, redacted);
      }
    }
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
