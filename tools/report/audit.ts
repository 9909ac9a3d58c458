/**
 * `npm run report:audit -- --since 14d`: the velocity audit as HTML and PDF,
 * with charts, from Elasticsearch and Prometheus.
 *
 *   --since 14d           window ending now (s, m, h, d, w)
 *   --out DIR             where to write (default dist/report/audit)
 *   --elasticsearch URL   default $ES_URL or http://127.0.0.1:9200
 *   --prometheus URL      default $PROMETHEUS_URL or http://127.0.0.1:9090
 *   --namespace NS        data stream namespace of the documents (default `default`)
 *
 * Writes audit-report.html, audit-report.pdf and audit-data.json (the figures).
 */
import { Client } from '@elastic/elasticsearch';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

// One headless-Chromium printer for the docs and the report, both tools, not libraries.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { printHtmlToPdf } from '../docs/lib/print-pdf';
import { auditCharts } from './lib/charts';
import { collect } from './lib/collect';
import { PrometheusClient } from './lib/prometheus';
import { reportHtml, reportMarkdown } from './lib/render';
import { windowOf } from './lib/window';

function httpUrl(flag: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`--${flag} ${JSON.stringify(value)}: not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`--${flag}: only http(s) URLs`);
  return url.toString();
}

export async function main(
  argv: string[],
): Promise<{ html: string; pdf: string }> {
  const { values } = parseArgs({
    args: argv,
    options: {
      elasticsearch: {
        default: process.env.ES_URL ?? 'http://127.0.0.1:9200',
        type: 'string',
      },
      namespace: { default: 'default', type: 'string' },
      out: { default: 'dist/report/audit', type: 'string' },
      prometheus: {
        default: process.env.PROMETHEUS_URL ?? 'http://127.0.0.1:9090',
        type: 'string',
      },
      since: { default: '14d', type: 'string' },
    },
  });
  const window = windowOf(values.since);
  const es = new Client({
    node: httpUrl('elasticsearch', values.elasticsearch),
    requestTimeout: 30_000,
  });
  const prometheus = new PrometheusClient(
    httpUrl('prometheus', values.prometheus),
  );
  const out = resolve(values.out);
  mkdirSync(out, { recursive: true });
  try {
    const data = await collect(
      { elasticsearch: es, namespace: values.namespace, prometheus },
      window,
    );
    const charts = auditCharts(data);
    const html = reportHtml(await reportMarkdown(data, charts, values.since));
    const htmlPath = join(out, 'audit-report.html');
    const pdfPath = join(out, 'audit-report.pdf');
    writeFileSync(
      join(out, 'audit-data.json'),
      `${JSON.stringify(data, null, 2)}\n`,
    );
    writeFileSync(htmlPath, html);
    await printHtmlToPdf(html, pdfPath);
    process.stdout.write(
      `audit ${window.start.toISOString()} → ${window.end.toISOString()}: ${charts.map((c) => `${c.id}=${c.points}`).join(' ')}\n${htmlPath}\n${pdfPath}\n`,
    );
    return { html: htmlPath, pdf: pdfPath };
  } finally {
    await es.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(
      `report:audit: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  });
}
