/**
 * The report as Markdown (figures, tables, the SVG charts), rendered to HTML
 * with markdown-it and printed to PDF by headless Chromium.
 */
import MarkdownIt from 'markdown-it';

import { type Chart, toSvg } from './charts';
import type { AuditData } from './collect';

const fmt = (n: number | undefined, digits = 0): string =>
  n === undefined || !Number.isFinite(n)
    ? 'n/a'
    : n.toLocaleString('en-GB', { maximumFractionDigits: digits });

function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return 'n/a';
  if (seconds < 1) return `${fmt(seconds * 1000)} ms`;
  if (seconds < 120) return `${fmt(seconds, 1)} s`;
  return `${fmt(seconds / 60, 1)} min`;
}

function table(header: string[], rows: (string | number)[][]): string {
  if (rows.length === 0) return '_No data in this window._\n';
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
  ].join('\n');
}

function text(d: AuditData, id: string): string {
  switch (id) {
    case 'latency':
      return [
        `${fmt(d.latency.deliveries)} webhooks delivered in the window. Median tick → webhook latency **${duration(d.latency.platformMedianSeconds)}** (p95 ${duration(d.latency.platformP95Seconds)}), measured by the trading service from reading the tick to the receiver's 2xx.`,
        `The legacy plugin checked prices once an hour: the same firings would have waited for the next full hour, a median of **${duration(d.latency.cronMedianSeconds)}**.`,
      ].join('\n\n');
    case 'alerts':
      return table(
        [
          'rule firings',
          'delivered',
          'retried attempts',
          'dead (retries exhausted)',
        ],
        [
          [
            fmt(d.alerts.fired),
            fmt(d.alerts.delivered),
            fmt(d.alerts.retried),
            fmt(d.alerts.dead),
          ],
        ],
      );
    case 'providers':
      return `${fmt(d.providers.failoverTotal)} failovers in the window.\n\n${table(
        ['provider', 'outcome', 'calls'],
        d.providers.health.map((h) => [
          String(h.provider),
          String(h.outcome),
          fmt(Number(h.requests)),
        ]),
      )}`;
    case 'openai':
      return `${fmt(d.openai.made)} OpenAI requests made; ${fmt(d.openai.avoided)} avoided against one request per headline (the legacy plugin), by deduplication, deltas, batching and the cache.`;
    case 'anomalies':
      return `${fmt(d.anomalies.firing)} anomalies fired; median time to page ${duration(median(d.anomalies.timeToPage.map((p) => Number(p.seconds))))}.\n\n${table(
        ['alert status', 'outcome', 'alerts posted to Alertmanager'],
        d.anomalies.pages.map((p) => [
          String(p.status),
          String(p.outcome),
          fmt(Number(p.alerts)),
        ]),
      )}`;
    case 'ingest':
      return table(
        ['source', 'items accepted'],
        d.ingest.bySource.map((s) => [
          String(s.source),
          fmt(Number(s.records)),
        ]),
      );
    case 'errors':
      return table(
        ['service', 'log lines', 'errors', 'error rate'],
        d.errors.byService.map((s) => [
          String(s.service),
          fmt(Number(s.lines)),
          fmt(Number(s.errors)),
          `${fmt(Number(s.rate) * 100, 2)} %`,
        ]),
      );
    default:
      return '';
  }
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

export async function reportMarkdown(
  d: AuditData,
  charts: Chart[],
  since: string,
): Promise<string> {
  const parts = [
    '# Freeride Ops velocity audit',
    '',
    `Window: ${d.window.start} → ${d.window.end} (\`--since ${since}\`; series in ${d.window.stepSeconds}-second intervals). Figures from Prometheus (the apps' metrics) and Elasticsearch (logs and anomalies).`,
    '',
  ];
  for (const c of charts) {
    const svg = (await toSvg(c.spec)).replace(/\n\s*\n/g, '\n');
    parts.push(
      `## ${c.title}`,
      '',
      text(d, c.id),
      '',
      `<figure class="chart" data-chart="${c.id}" data-points="${c.points}">`,
      svg,
      '</figure>',
      '',
    );
  }
  return parts.join('\n');
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px}
figure.chart{margin:1em 0;break-inside:avoid}h2{break-after:avoid;margin-top:2em}`;

export function reportHtml(markdown: string): string {
  const md = new MarkdownIt({ html: true });
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Freeride Ops velocity audit</title><style>${STYLE}</style></head><body>\n${md.render(markdown)}</body></html>\n`;
}
