/**
 * Reads the figures of the velocity audit from Prometheus (the apps' own
 * metrics) and Elasticsearch (logs, anomalies) for one window.
 */
import type { Client } from '@elastic/elasticsearch';

import type { PrometheusClient } from './prometheus';
import { type Series } from './prometheus';
import { type ReportWindow, cronLatencySeconds, rangeOf } from './window';

export interface Point {
  [field: string]: number | string;
}

export interface AuditData {
  alerts: {
    fired: number;
    series: Point[];
    delivered: number;
    dead: number;
    retried: number;
  };
  anomalies: {
    byKind: Point[];
    pages: Point[];
    firing: number;
    timeToPage: Point[];
  };
  errors: { series: Point[]; byService: Point[] };
  ingest: { series: Point[]; bySource: Point[] };
  latency: {
    cron: Point[];
    cronMedianSeconds?: number;
    deliveries: number;
    platform: Point[];
    platformMedianSeconds?: number;
    platformP95Seconds?: number;
  };
  openai: { made: number; avoided: number; runs: Point[] };
  providers: { failovers: Point[]; health: Point[]; failoverTotal: number };
  window: { end: string; start: string; stepSeconds: number };
}

export interface Sources {
  elasticsearch: Client;
  /** Data stream namespace of the platform's documents (`logs-*-<namespace>`). */
  namespace: string;
  prometheus: PrometheusClient;
}

/** Data stream namespaces are lower-case words (they become index names). */
export function checkNamespace(namespace: string): string {
  if (!/^[a-z0-9_]{1,100}$/.test(namespace)) {
    throw new Error(
      `--namespace ${JSON.stringify(namespace)}: expected lower-case letters, digits and _`,
    );
  }
  return namespace;
}

const iso = (d: Date): string => d.toISOString();

/**
 * Rate per minute of a counter over each step: a window of at least one
 * minute, so it always holds several scrapes (15 s apart on the stack).
 */
function perMinute(counter: string, by: string, w: ReportWindow): string {
  const window = `${Math.max(60, w.stepSeconds)}s`;
  return `sum${by ? ` by (${by})` : ''} (rate(${counter}[${window}])) * 60`;
}

function flatten(
  series: Series[],
  field: string,
  labelOf: (l: Record<string, string>) => string,
): Point[] {
  return series.flatMap((s) =>
    s.points.map((p) => ({
      [field]: labelOf(s.labels),
      t: iso(p.t),
      value: p.v,
    })),
  );
}

async function scalar(
  prom: PrometheusClient,
  query: string,
  at: Date,
): Promise<number> {
  const samples = await prom.query(query, at);
  return samples.reduce(
    (sum, s) => sum + (Number.isFinite(s.value) ? s.value : 0),
    0,
  );
}

/** Range query in chunks Prometheus accepts (at most 10,000 points per series). */
async function rangeChunked(
  prom: PrometheusClient,
  query: string,
  w: ReportWindow,
  stepSeconds: number,
): Promise<Series[]> {
  const out = new Map<string, Series>();
  const chunkMs = stepSeconds * 1000 * 10_000;
  for (let from = w.start.getTime(); from < w.end.getTime(); from += chunkMs) {
    const to = Math.min(w.end.getTime(), from + chunkMs - stepSeconds * 1000);
    for (const s of await prom.range(
      query,
      new Date(from),
      new Date(to),
      stepSeconds,
    )) {
      const key = JSON.stringify(s.labels);
      const seen = out.get(key);
      if (seen) seen.points.push(...s.points);
      else out.set(key, s);
    }
  }
  return [...out.values()];
}

async function latency(
  prom: PrometheusClient,
  w: ReportWindow,
): Promise<AuditData['latency']> {
  const range = rangeOf(w);
  const buckets = await prom.query(
    `sum by (le) (increase(freeride_trading_tick_to_delivery_seconds_bucket[${range}]))`,
    w.end,
  );
  const total = buckets.find((b) => b.labels.le === '+Inf')?.value ?? 0;
  const platform: Point[] =
    total > 0
      ? buckets
          .filter((b) => b.labels.le !== '+Inf')
          .map((b) => ({
            seconds: Number(b.labels.le),
            share: b.value / total,
            system: 'event-driven (measured)',
          }))
          .sort((a, b) => Number(a.seconds) - Number(b.seconds))
      : [];
  const quantile = async (q: number): Promise<number | undefined> => {
    if (total === 0) return undefined;
    const v = await scalar(
      prom,
      `histogram_quantile(${q}, sum by (le) (increase(freeride_trading_tick_to_delivery_seconds_bucket[${range}])))`,
      w.end,
    );
    return Number.isFinite(v) ? v : undefined;
  };
  // The same firings under the legacy hourly cron: each waits for the next full hour.
  const fires = await rangeChunked(
    prom,
    'sum(increase(freeride_trading_rule_fires_total[1m]))',
    w,
    60,
  );
  const waits: { count: number; seconds: number }[] = [];
  for (const s of fires) {
    for (const p of s.points)
      if (p.v > 0)
        waits.push({
          count: p.v,
          seconds: cronLatencySeconds(new Date(p.t.getTime() - 30_000)),
        });
  }
  waits.sort((a, b) => a.seconds - b.seconds);
  const fired = waits.reduce((n, x) => n + x.count, 0);
  let acc = 0;
  const cron: Point[] = waits.map((x) => {
    acc += x.count;
    return {
      seconds: Math.max(1, Math.round(x.seconds)),
      share: acc / fired,
      system: 'legacy hourly cron (same firings)',
    };
  });
  let half = 0;
  const cronMedian = waits.find((x) => (half += x.count) >= fired / 2)?.seconds;
  return {
    cron,
    cronMedianSeconds: cronMedian,
    deliveries: total,
    platform,
    platformMedianSeconds: await quantile(0.5),
    platformP95Seconds: await quantile(0.95),
  };
}

async function alerts(
  prom: PrometheusClient,
  w: ReportWindow,
): Promise<AuditData['alerts']> {
  const range = rangeOf(w);
  const fired = await prom.range(
    perMinute('freeride_trading_rule_fires_total', '', w),
    w.start,
    w.end,
    w.stepSeconds,
  );
  const attempts = await prom.range(
    perMinute('freeride_trading_webhook_attempts_total', 'outcome', w),
    w.start,
    w.end,
    w.stepSeconds,
  );
  const totals = await prom.query(
    `sum by (outcome) (increase(freeride_trading_webhook_attempts_total[${range}]))`,
    w.end,
  );
  const total = (o: string): number =>
    totals.find((s) => s.labels.outcome === o)?.value ?? 0;
  return {
    dead: total('dead'),
    delivered: total('delivered'),
    fired: await scalar(
      prom,
      `sum(increase(freeride_trading_rule_fires_total[${range}]))`,
      w.end,
    ),
    retried: total('retry'),
    series: [
      ...flatten(fired, 'series', () => 'fired'),
      ...flatten(attempts, 'series', (l) =>
        l.outcome === 'delivered'
          ? 'delivered'
          : `webhook ${l.outcome ?? 'attempt'}`,
      ),
    ],
  };
}

async function providers(
  prom: PrometheusClient,
  w: ReportWindow,
): Promise<AuditData['providers']> {
  const range = rangeOf(w);
  const failovers = await prom.range(
    perMinute('freeride_gateway_provider_failovers_total', 'from', w),
    w.start,
    w.end,
    w.stepSeconds,
  );
  const requests = await prom.query(
    `sum by (provider, outcome) (increase(freeride_gateway_provider_requests_total[${range}]))`,
    w.end,
  );
  return {
    failoverTotal: await scalar(
      prom,
      `sum(increase(freeride_gateway_provider_failovers_total[${range}]))`,
      w.end,
    ),
    failovers: flatten(failovers, 'provider', (l) => l.from ?? 'unknown'),
    health: requests
      .filter((s) => s.value > 0)
      .map((s) => ({
        outcome: s.labels.outcome ?? 'unknown',
        provider: s.labels.provider ?? 'unknown',
        requests: s.value,
      })),
  };
}

async function ingest(
  prom: PrometheusClient,
  w: ReportWindow,
): Promise<AuditData['ingest']> {
  const series = await prom.range(
    perMinute('freeride_ingest_accepted_total', 'source', w),
    w.start,
    w.end,
    w.stepSeconds,
  );
  const totals = await prom.query(
    `sum by (source) (increase(freeride_ingest_accepted_total[${rangeOf(w)}]))`,
    w.end,
  );
  return {
    bySource: totals.map((s) => ({
      records: Math.round(s.value),
      source: s.labels.source ?? 'unknown',
    })),
    series: flatten(series, 'source', (l) => l.source ?? 'unknown'),
  };
}

const ERROR_LEVELS = [
  'error',
  'ERROR',
  'Error',
  'fatal',
  'FATAL',
  'critical',
  'CRITICAL',
];

interface Bucket {
  doc_count: number;
  key: number | string;
  key_as_string?: string;
}

async function errors(
  es: Client,
  ns: string,
  w: ReportWindow,
): Promise<AuditData['errors']> {
  const res = await es.search({
    aggs: {
      services: {
        aggs: {
          errors: { filter: { terms: { 'log.level': ERROR_LEVELS } } },
          over_time: {
            aggs: {
              errors: { filter: { terms: { 'log.level': ERROR_LEVELS } } },
            },
            date_histogram: {
              field: '@timestamp',
              fixed_interval: `${w.stepSeconds}s`,
              min_doc_count: 1,
            },
          },
        },
        terms: { field: 'service.name', size: 30 },
      },
    },
    ignore_unavailable: true,
    index: `logs-*-${ns}`,
    query: { range: { '@timestamp': { gte: iso(w.start), lte: iso(w.end) } } },
    size: 0,
  });
  type ServiceBucket = Bucket & {
    errors: { doc_count: number };
    over_time: { buckets: (Bucket & { errors: { doc_count: number } })[] };
  };
  const services =
    (res.aggregations?.services as { buckets?: ServiceBucket[] } | undefined)
      ?.buckets ?? [];
  return {
    byService: services.map((s) => ({
      errors: s.errors.doc_count,
      lines: s.doc_count,
      rate: s.doc_count > 0 ? s.errors.doc_count / s.doc_count : 0,
      service: String(s.key),
    })),
    series: services.flatMap((s) =>
      s.over_time.buckets.map((b) => ({
        rate: b.doc_count > 0 ? b.errors.doc_count / b.doc_count : 0,
        service: String(s.key),
        t: new Date(Number(b.key)).toISOString(),
      })),
    ),
  };
}

async function anomalies(
  es: Client,
  ns: string,
  prom: PrometheusClient,
  w: ReportWindow,
): Promise<AuditData['anomalies']> {
  const res = await es.search<{
    '@timestamp': string;
    anomaly?: {
      kind?: string;
      samples?: { '@timestamp'?: string }[];
      window?: { start?: string };
    };
    service?: { name?: string };
  }>({
    _source: [
      '@timestamp',
      'anomaly.kind',
      'anomaly.samples.@timestamp',
      'anomaly.window.start',
      'service.name',
    ],
    ignore_unavailable: true,
    index: `anomalies-*-${ns}`,
    query: {
      bool: {
        filter: [
          { range: { '@timestamp': { gte: iso(w.start), lte: iso(w.end) } } },
          { term: { 'anomaly.status': 'firing' } },
        ],
      },
    },
    size: 10_000,
    sort: [{ '@timestamp': 'asc' }],
  });
  const docs = res.hits.hits
    .map((h) => h._source)
    .filter((d): d is NonNullable<typeof d> => Boolean(d));
  const step = w.stepSeconds * 1000;
  const counts = new Map<string, number>();
  for (const d of docs) {
    const bucket = new Date(
      Math.floor(Date.parse(d['@timestamp']) / step) * step,
    ).toISOString();
    const key = `${bucket}|${d.anomaly?.kind ?? 'unknown'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const pages = await prom.query(
    `sum by (status, outcome) (increase(freeride_anomaly_alerts_posted_total[${rangeOf(w)}]))`,
    w.end,
  );
  return {
    byKind: [...counts.entries()].map(([k, count]) => {
      const [t, kind] = k.split('|');
      return { count, kind, t };
    }),
    firing: docs.length,
    pages: pages
      .filter((s) => s.value > 0)
      .map((s) => ({
        alerts: Math.round(s.value),
        outcome: s.labels.outcome ?? 'unknown',
        status: s.labels.status ?? 'unknown',
      })),
    // The page is posted when the anomaly is decided (@timestamp, pages go out
    // before the document is stored); the incident began with the earliest
    // anomalous record (its samples) or the start of the anomaly window.
    timeToPage: docs.flatMap((d) => {
      const starts = [
        ...(d.anomaly?.samples ?? []).map((x) =>
          Date.parse(x['@timestamp'] ?? ''),
        ),
        Date.parse(d.anomaly?.window?.start ?? ''),
      ].filter(Number.isFinite);
      if (starts.length === 0) return [];
      return [
        {
          kind: d.anomaly?.kind ?? 'unknown',
          seconds: Math.max(
            0,
            (Date.parse(d['@timestamp']) - Math.min(...starts)) / 1000,
          ),
          service: d.service?.name ?? 'unknown',
        },
      ];
    }),
  };
}

async function openai(
  es: Client,
  ns: string,
  w: ReportWindow,
): Promise<AuditData['openai']> {
  const res = await es.search<Record<string, unknown>>({
    _source: ['@timestamp', 'otel.attributes', 'labels'],
    ignore_unavailable: true,
    index: `logs-*-${ns}`,
    query: {
      bool: {
        filter: [
          { range: { '@timestamp': { gte: iso(w.start), lte: iso(w.end) } } },
          { match_phrase: { message: 'sentiment refreshed' } },
        ],
      },
    },
    size: 10_000,
    sort: [{ '@timestamp': 'asc' }],
  });
  const runs: Point[] = [];
  let made = 0;
  let avoided = 0;
  for (const hit of res.hits.hits) {
    const src = hit._source ?? {};
    const attrs =
      (src.otel as { attributes?: Record<string, unknown> } | undefined)
        ?.attributes ?? {};
    const requests = Number(attrs.requests ?? 0);
    const headlines = Number(attrs.headlines ?? 0);
    if (!Number.isFinite(requests) || !Number.isFinite(headlines)) continue;
    // The legacy plugin asked OpenAI once per headline it showed.
    const saved = Math.max(0, headlines - requests);
    made += requests;
    avoided += saved;
    const t = String(src['@timestamp']);
    runs.push(
      { kind: 'made', requests, t },
      { kind: 'avoided', requests: saved, t },
    );
  }
  return { avoided, made, runs };
}

export async function collect(
  sources: Sources,
  w: ReportWindow,
): Promise<AuditData> {
  const { elasticsearch: es, prometheus: prom } = sources;
  const ns = checkNamespace(sources.namespace);
  return {
    alerts: await alerts(prom, w),
    anomalies: await anomalies(es, ns, prom, w),
    errors: await errors(es, ns, w),
    ingest: await ingest(prom, w),
    latency: await latency(prom, w),
    openai: await openai(es, ns, w),
    providers: await providers(prom, w),
    window: {
      end: iso(w.end),
      start: iso(w.start),
      stepSeconds: w.stepSeconds,
    },
  };
}
