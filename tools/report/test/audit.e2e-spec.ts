/**
 * `npm run report:audit` against the running demo stack: every chart is in the
 * HTML and the PDF, drawn from what the stack measured.
 *
 * Runs under `flock /tmp/freeride-stack.lock` (the e2e target): the demo stack
 * has fixed ports. A stack that is already up is used as it is; otherwise the
 * test starts it (keeping an Elasticsearch that already answers) and stops what
 * it started.
 */
import { waitFor } from '@freeride/testing';

import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { CHART_IDS } from '../lib/charts';

const ROOT = resolve(__dirname, '../../..');
const PROMETHEUS = 'http://127.0.0.1:9090';
const TRADING = 'http://127.0.0.1:3002';
const ES = process.env.ES_URL ?? 'http://127.0.0.1:9200';
/** Parts of tools/stack/up.sh, in the order tools/stack/down.sh stops them. */
const APPS = [
  'traffic',
  'wordpress-demo',
  'python-demo',
  'node-demo',
  'webhook-receiver',
  'trading',
  'openai-fake',
  'anomaly',
  'market-gateway',
  'market-fakes',
  'ingest',
];
const SERVERS = [
  'prometheus',
  'alertmanager',
  'postgres',
  'redis',
  'elasticsearch',
];

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(3000) })).ok;
  } catch {
    return false;
  }
}

async function promValue(query: string): Promise<number> {
  const res = await fetch(
    `${PROMETHEUS}/api/v1/query?query=${encodeURIComponent(query)}`,
  );
  const body = (await res.json()) as {
    data?: { result: { value: [number, string] }[] };
  };
  return (body.data?.result ?? []).reduce((n, r) => n + Number(r.value[1]), 0);
}

function sh(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): string {
  return execFileSync(cmd, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs `npm run report:audit` over the last 30 minutes; charts and their data points. */
function runReport(dir: string): {
  figures: string[];
  points: Record<string, number>;
  stdout: string;
} {
  const stdout = sh(join(ROOT, 'node_modules/.bin/tsx'), [
    'tools/report/audit.ts',
    '--since',
    '30m',
    '--out',
    dir,
  ]);
  const html = readFileSync(join(dir, 'audit-report.html'), 'utf8');
  const figures = [
    ...html.matchAll(
      /<figure class="chart" data-chart="(\w+)" data-points="(\d+)">\s*<svg[\s\S]*?<\/svg>\s*<\/figure>/g,
    ),
  ];
  return {
    figures: figures.map((f) => f[1]),
    points: Object.fromEntries(figures.map((f) => [f[1], Number(f[2])])),
    stdout,
  };
}

let started = false;
let keepElasticsearch = true;
let out: string;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'audit-e2e-'));
  if (
    (await answers(`${PROMETHEUS}/-/ready`)) &&
    (await answers(`${TRADING}/health/live`))
  )
    return;
  keepElasticsearch = await answers(`${ES}/_cluster/health`);
  started = true;
  const t0 = Date.now();
  sh(
    'bash',
    ['tools/stack/up.sh'],
    keepElasticsearch ? { STACK_SKIP: 'elasticsearch' } : {},
  );
  process.stdout.write(
    `demo stack started in ${Math.round((Date.now() - t0) / 1000)}s\n`,
  );
}, 600_000);

/** Runs the stop scripts side by side (each waits for its process to exit). */
async function stopAll(scripts: string[][]): Promise<void> {
  await Promise.all(
    scripts.map(
      (args) =>
        new Promise<void>((done) => {
          execFile('bash', args, { cwd: ROOT }, () => done());
        }),
    ),
  );
}

afterAll(async () => {
  if (out) rmSync(out, { force: true, recursive: true });
  if (!started) return;
  const t0 = Date.now();
  // Apps first (they hold connections to the servers), then the servers.
  await stopAll(APPS.map((app) => ['tools/stack/apps.sh', 'stop', app]));
  await stopAll(
    SERVERS.filter((s) => !(keepElasticsearch && s === 'elasticsearch')).map(
      (s) => [`tools/stack/${s}.sh`, 'stop'],
    ),
  );
  process.stdout.write(
    `demo stack stopped in ${Math.round((Date.now() - t0) / 1000)}s\n`,
  );
}, 300_000);

describe('npm run report:audit on the demo stack', () => {
  it('writes HTML and PDF with every chart, from what the stack measured', async () => {
    // The demo trader's alerts fire on live quotes; the sources ship logs through the ingest.
    await waitFor(
      async () =>
        (await promValue(
          'sum(freeride_trading_tick_to_delivery_seconds_count)',
        )) > 0 &&
        (await promValue('sum(freeride_ingest_accepted_total)')) > 0 &&
        (await promValue('sum(freeride_gateway_provider_requests_total)')) > 0,
      { intervalMs: 5000, timeoutMs: 300_000 },
    );
    process.stdout.write(
      `stack data ready after ${Math.round(process.uptime())}s of the test process\n`,
    );
    // One sentiment run, so the OpenAI chart has a run to show.
    const runDir = sh('bash', [
      '-c',
      'source tools/stack/lib.sh && echo "$FREERIDE_RUN"',
    ]).trim();
    const admin = readFileSync(
      join(runDir, 'trading-admin-token'),
      'utf8',
    ).trim();
    const refresh = await fetch(`${TRADING}/v1/admin/sentiment/refresh`, {
      body: JSON.stringify({ symbols: ['AAPL', 'MSFT'] }),
      headers: {
        authorization: `Bearer ${admin}`,
        'content-type': 'application/json',
      },
      method: 'POST',
    });
    expect(refresh.status).toBeLessThan(300);

    // Rate charts need two Prometheus scrapes and the logs indexed: on a quiet machine the
    // counters above can be ready before that. Re-run the report (bounded) until every chart
    // the demo stack feeds has data; the assertions below name any chart still empty.
    const fed = ['latency', 'alerts', 'providers', 'ingest', 'errors'];
    // The cron comparison also needs a delivered alert's measured latency in the window.
    const complete = (r: ReturnType<typeof runReport>): boolean => {
      if (!fed.every((id) => r.points[id] > 0)) return false;
      // …and a delivery counted in the window (an increase needs two scrapes of the counter).
      const { alerts, latency } = JSON.parse(
        readFileSync(join(out, 'audit-data.json'), 'utf8'),
      ) as {
        alerts: { delivered: number };
        latency: { cronMedianSeconds?: number };
      };
      return latency.cronMedianSeconds !== undefined && alerts.delivered > 0;
    };
    let report = runReport(out);
    await waitFor(
      () => {
        if (complete(report)) return true;
        report = runReport(out);
        return complete(report);
      },
      { intervalMs: 10_000, timeoutMs: 240_000 },
    ).catch(() => undefined);
    const { figures, points, stdout } = report;
    expect(figures).toEqual(CHART_IDS);
    // What the demo stack produces within minutes of starting.
    for (const id of fed) expect([id, points[id] > 0]).toEqual([id, true]);
    expect(stdout).toContain('audit-report.pdf');

    const data = JSON.parse(
      readFileSync(join(out, 'audit-data.json'), 'utf8'),
    ) as {
      alerts: { delivered: number; fired: number };
      ingest: { bySource: { source: string }[] };
      latency: { cronMedianSeconds?: number; platformMedianSeconds?: number };
    };
    expect(data.alerts.fired).toBeGreaterThan(0);
    expect(data.alerts.delivered).toBeGreaterThan(0);
    expect(data.latency.platformMedianSeconds).toBeLessThan(
      data.latency.cronMedianSeconds ?? 0,
    );
    expect(data.ingest.bySource.length).toBeGreaterThan(1);

    const pdf = join(out, 'audit-report.pdf');
    const text = sh('pdftotext', [pdf, '-']).replace(/\s+/g, ' ');
    for (const title of [
      'Tick → webhook',
      'Alerts fired and webhook deliveries',
      'Provider failovers and provider health',
      'OpenAI requests made and avoided',
      'Anomalies, pages and time to page',
      'Ingest volume per source',
      'Error rate per service',
    ]) {
      expect(text).toContain(title);
    }
    sh('pdftoppm', [
      '-f',
      '1',
      '-l',
      '1',
      '-r',
      '40',
      '-png',
      '-singlefile',
      pdf,
      join(out, 'page1'),
    ]);
    expect(readFileSync(join(out, 'page1.png')).length).toBeGreaterThan(5000);
  });
});
