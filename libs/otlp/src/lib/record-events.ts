import type { LogRecordEvent, MetricPointEvent } from '@freeride/contracts';

import { logLevel, metricDataPoints } from './ecs';
import { attributeString, stringValue } from './ecs-values';
import type {
  LogsRequest,
  MetricsRequest,
  OtlpKeyValue,
  OtlpMetric,
  OtlpResource,
} from './otlp-request';
import { isEmptyId, nanosToIso } from './otlp-values';

const UNKNOWN_SERVICE = 'unknown_service';

function serviceName(r: OtlpResource): string {
  return attributeString(r.attributes, 'service.name') ?? UNKNOWN_SERVICE;
}

/** Attributes as string values (non-strings JSON-stringified). */
function stringAttributes(kvs: OtlpKeyValue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < kvs.length; i++)
    out[kvs[i].key] = stringValue(kvs[i].value);
  return out;
}

/**
 * Per-record events for the anomaly detector's log stream. `level` is the
 * ECS `log.level` (`unknown` when the record has no severity), `message` the
 * ECS `message` (`''` without a body).
 *
 * @see https://opentelemetry.io/docs/specs/otel/logs/data-model/
 */
export function toLogRecordEvents(req: LogsRequest): LogRecordEvent[] {
  const out: LogRecordEvent[] = [];
  for (const rl of req.resourceLogs) {
    const service = serviceName(rl.resource);
    for (const sl of rl.scopeLogs) {
      for (const lr of sl.logRecords) {
        const event: LogRecordEvent = {
          '@timestamp':
            nanosToIso(lr.timeUnixNano) ??
            nanosToIso(lr.observedTimeUnixNano) ??
            req.receivedAt,
          attributes: stringAttributes(lr.attributes),
          level: logLevel(lr.severityText, lr.severityNumber) ?? 'unknown',
          message: lr.body ? stringValue(lr.body) : '',
          service,
          severityNumber:
            lr.severityNumber >= 0 && lr.severityNumber <= 24
              ? lr.severityNumber
              : 0,
        };
        if (!isEmptyId(lr.spanId)) event.spanId = lr.spanId;
        if (!isEmptyId(lr.traceId)) event.traceId = lr.traceId;
        out.push(event);
      }
    }
  }
  return out;
}

function pushPoint(
  out: MetricPointEvent[],
  base: Omit<MetricPointEvent, 'name' | 'value'>,
  name: string,
  value: number,
): void {
  if (Number.isFinite(value)) out.push({ ...base, name, value });
}

function metricEvents(
  out: MetricPointEvent[],
  m: OtlpMetric,
  service: string,
  receivedAt: string,
): void {
  const points = metricDataPoints(m);
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    const base: Omit<MetricPointEvent, 'name' | 'value'> = {
      '@timestamp':
        nanosToIso(p.timeUnixNano) ??
        nanosToIso(p.startTimeUnixNano) ??
        receivedAt,
      attributes: stringAttributes(p.attributes),
      kind: 'gauge',
      service,
    };
    if (m.unit) base.unit = m.unit;
    if (m.gauge || m.sum) {
      const np = (m.gauge ?? m.sum)!.dataPoints[i];
      base.kind = m.gauge ? 'gauge' : 'sum';
      const value =
        np.asDouble !== undefined
          ? typeof np.asDouble === 'number'
            ? np.asDouble
            : NaN
          : np.asInt !== undefined
            ? Number(np.asInt)
            : NaN;
      pushPoint(out, base, m.name, value);
    } else if (m.histogram || m.exponentialHistogram) {
      const hp = (m.histogram ?? m.exponentialHistogram)!.dataPoints[i];
      base.kind = 'histogram';
      const count = Number(hp.count);
      if (count > 0 && typeof hp.sum === 'number') {
        pushPoint(out, base, `${m.name}.mean`, hp.sum / count);
      }
      pushPoint(out, base, `${m.name}.count`, count);
    }
  }
}

/**
 * Per-point events for the anomaly detector's metric stream. Gauges and
 * sums give one event per point; histograms (explicit and exponential)
 * give `<name>.mean` (`sum / count`, when sum is set and count > 0) and
 * `<name>.count`, both of kind `histogram`. Summaries and points without a
 * finite value give no event.
 *
 * @see https://opentelemetry.io/docs/specs/otel/metrics/data-model/
 */
export function toMetricPointEvents(req: MetricsRequest): MetricPointEvent[] {
  const out: MetricPointEvent[] = [];
  for (const rm of req.resourceMetrics) {
    const service = serviceName(rm.resource);
    for (const sm of rm.scopeMetrics) {
      for (const m of sm.metrics) metricEvents(out, m, service, req.receivedAt);
    }
  }
  return out;
}
