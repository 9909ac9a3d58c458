/**
 * The audit's charts as Vega-Lite specifications, rendered to SVG on the
 * server with Vega (no browser, no canvas). A chart without data in the window
 * is still drawn, with a note saying so.
 */
import type { AuditData, Point } from './collect';

export interface Chart {
  /** Stable id: the report marks each chart with it (`data-chart`). */
  id: string;
  title: string;
  /** Data points drawn (0 means the window had none). */
  points: number;
  spec: Record<string, unknown>;
}

/** The charts of the audit, in report order. */
export const CHART_IDS = [
  'latency',
  'alerts',
  'providers',
  'openai',
  'anomalies',
  'ingest',
  'errors',
] as const;

const WIDTH = 620;
const HEIGHT = 220;

function empty(title: string): Record<string, unknown> {
  return {
    data: { values: [{ note: 'no data in this window' }] },
    height: 80,
    mark: { fontSize: 14, type: 'text' },
    encoding: { text: { field: 'note' } },
    title,
    width: WIDTH,
  };
}

function chart(
  id: string,
  title: string,
  values: Point[],
  spec: Record<string, unknown>,
): Chart {
  return {
    id,
    points: values.length,
    spec:
      values.length > 0
        ? { data: { values }, height: HEIGHT, title, width: WIDTH, ...spec }
        : empty(title),
    title,
  };
}

const time = { field: 't', title: null, type: 'temporal' };

export function auditCharts(d: AuditData): Chart[] {
  const latency = [...d.latency.platform, ...d.latency.cron];
  return [
    chart(
      'latency',
      'Tick → webhook: share of alerts delivered within a time',
      latency,
      {
        encoding: {
          color: { field: 'system', title: null, type: 'nominal' },
          x: {
            field: 'seconds',
            scale: { type: 'log' },
            title: 'seconds after the tick (log scale)',
            type: 'quantitative',
          },
          y: {
            axis: { format: '%' },
            field: 'share',
            title: 'share delivered',
            type: 'quantitative',
          },
        },
        mark: { interpolate: 'step-after', point: true, type: 'line' },
      },
    ),
    chart('alerts', 'Alerts fired and webhook deliveries', d.alerts.series, {
      encoding: {
        color: { field: 'series', title: null, type: 'nominal' },
        x: time,
        y: { field: 'value', title: 'per minute', type: 'quantitative' },
      },
      mark: { point: true, type: 'line' },
    }),
    {
      ...chart(
        'providers',
        'Provider failovers and provider health',
        [...d.providers.failovers, ...d.providers.health],
        {},
      ),
      spec:
        d.providers.failovers.length + d.providers.health.length > 0
          ? {
              hconcat: [
                {
                  data: {
                    values:
                      d.providers.failovers.length > 0
                        ? d.providers.failovers
                        : [{ provider: 'none', t: d.window.end, value: 0 }],
                  },
                  encoding: {
                    color: {
                      field: 'provider',
                      title: 'failed over from',
                      type: 'nominal',
                    },
                    x: time,
                    y: {
                      field: 'value',
                      title: 'failovers per minute',
                      type: 'quantitative',
                    },
                  },
                  height: HEIGHT,
                  mark: 'bar',
                  title: 'Failovers',
                  width: 280,
                },
                {
                  data: { values: d.providers.health },
                  encoding: {
                    color: { field: 'outcome', type: 'nominal' },
                    x: {
                      aggregate: 'sum',
                      field: 'requests',
                      stack: 'normalize',
                      title: 'share of calls',
                      type: 'quantitative',
                    },
                    y: { field: 'provider', title: null, type: 'nominal' },
                  },
                  height: HEIGHT,
                  mark: 'bar',
                  title: 'Provider calls by outcome',
                  width: 240,
                },
              ],
              title: 'Provider failovers and provider health',
            }
          : empty('Provider failovers and provider health'),
    },
    chart('openai', 'OpenAI requests made and avoided', d.openai.runs, {
      encoding: {
        color: { field: 'kind', title: null, type: 'nominal' },
        x: {
          field: 't',
          timeUnit: 'yearmonthdatehours',
          title: null,
          type: 'ordinal',
        },
        y: {
          aggregate: 'sum',
          field: 'requests',
          title: 'requests',
          type: 'quantitative',
        },
      },
      mark: 'bar',
    }),
    {
      ...chart(
        'anomalies',
        'Anomalies, pages and time to page',
        [...d.anomalies.byKind, ...d.anomalies.timeToPage],
        {},
      ),
      spec:
        d.anomalies.byKind.length > 0
          ? {
              hconcat: [
                {
                  data: { values: d.anomalies.byKind },
                  encoding: {
                    color: { field: 'kind', type: 'nominal' },
                    x: time,
                    y: {
                      field: 'count',
                      title: 'anomalies fired',
                      type: 'quantitative',
                    },
                  },
                  height: HEIGHT,
                  mark: 'bar',
                  title: 'Anomalies fired',
                  width: 280,
                },
                {
                  data: {
                    values:
                      d.anomalies.timeToPage.length > 0
                        ? d.anomalies.timeToPage
                        : [{ kind: 'none', seconds: 0 }],
                  },
                  encoding: {
                    color: { field: 'kind', type: 'nominal' },
                    x: {
                      field: 'seconds',
                      title: 'seconds from anomaly start to page',
                      type: 'quantitative',
                    },
                    y: { field: 'kind', title: null, type: 'nominal' },
                  },
                  height: HEIGHT,
                  mark: { size: 40, type: 'tick' },
                  title: 'Time to page',
                  width: 240,
                },
              ],
              title: 'Anomalies, pages and time to page',
            }
          : empty('Anomalies, pages and time to page'),
    },
    chart(
      'ingest',
      'Ingest volume per source (items accepted)',
      d.ingest.series,
      {
        encoding: {
          color: { field: 'source', type: 'nominal' },
          x: time,
          y: {
            field: 'value',
            stack: 'zero',
            title: 'items per minute',
            type: 'quantitative',
          },
        },
        mark: 'area',
      },
    ),
    chart(
      'errors',
      'Error rate per service (error log lines / all log lines)',
      d.errors.series,
      {
        encoding: {
          color: { field: 'service', type: 'nominal' },
          x: time,
          y: {
            axis: { format: '%' },
            field: 'rate',
            title: 'error share',
            type: 'quantitative',
          },
        },
        mark: { point: true, type: 'line' },
      },
    ),
  ];
}

interface VegaModule {
  View: new (
    runtime: unknown,
    opts: { renderer: string },
  ) => { toSVG(): Promise<string>; finalize(): void };
  parse(spec: unknown): unknown;
}
interface VegaLiteModule {
  compile(spec: unknown): { spec: unknown };
}

/** Vega-Lite → Vega → SVG, server-side. */
export async function toSvg(spec: Record<string, unknown>): Promise<string> {
  const vegaName = 'vega';
  const vlName = 'vega-lite';
  const vega = (await import(vegaName)) as unknown as VegaModule;
  const vl = (await import(vlName)) as unknown as VegaLiteModule;
  const view = new vega.View(
    vega.parse(
      vl.compile({
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        ...spec,
      }).spec,
    ),
    {
      renderer: 'none',
    },
  );
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
