import { syntheticLogStream } from '@freeride/anomaly-engine';

import { Redis } from 'ioredis';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';

import { renderAlertmanagerConfig } from './support/alertmanager-config';
import { startAnomalyApp } from './support/anomaly-app';
import type { AnomalyApp } from './support/anomaly-app';
import { groupBacklog, pushRecords } from './support/record-streams';
import {
  builtAppCommand,
  ensureElasticsearch,
  getFreePort,
  makeTempDir,
  removeTempDir,
  startAlertmanager,
  startProcess,
  startRedis,
  waitFor,
} from './support/testing';
import type {
  AlertmanagerPayload,
  ManagedProcess,
  MonitoringServer,
  RedisServer,
} from './support/testing';
import { startWebhookReceiver } from './support/webhook-receiver';
import type { WebhookReceiver } from './support/webhook-receiver';

const ROOT = resolve(__dirname, '../../..');
const SERVICE = 'freeride-fetch';
const TOKEN = 'python-e2e-token-0123456789abcdef';
const MINUTE = 60_000;

/** A market-data gateway stand-in answering every quote, so the only errors are the burst. */
async function startFakeGateway(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const symbol = decodeURIComponent(
      (req.url ?? '').split('/').pop() ?? 'AAPL',
    );
    const now = new Date().toISOString();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        ageMs: 0,
        asOf: now,
        cached: false,
        price: 123.45,
        provider: 'finnhub',
        receivedAt: now,
        stale: false,
        symbol,
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  };
}

describe('Python error burst → ingest → Redis streams → apps/anomaly → Alertmanager → webhook', () => {
  let alertmanager: MonitoringServer;
  let anomaly: AnomalyApp;
  let dir: string;
  let esUrl: string;
  let gateway: { server: Server; url: string };
  let ingest: ManagedProcess;
  let ingestUrl: string;
  let receiver: WebhookReceiver;
  let redis: Redis;
  let redisServer: RedisServer;
  let python: string;
  const dataStream = `anomalies-freeride-e2e_py${Date.now().toString(36)}`;

  beforeAll(async () => {
    const venv = execFileSync(
      'bash',
      [join(ROOT, 'sources/python/ensure-venv.sh')],
      { encoding: 'utf8', timeout: 300_000 },
    )
      .trim()
      .split('\n')
      .pop() as string;
    python = join(venv, 'bin/python');
    redisServer = await startRedis();
    redis = new Redis(redisServer.url);
    esUrl = (await ensureElasticsearch()).url;
    receiver = await startWebhookReceiver();
    gateway = await startFakeGateway();
    dir = makeTempDir('freeride-python-e2e-');
    alertmanager = await startAlertmanager({
      configFile: renderAlertmanagerConfig({ dir, receiverUrl: receiver.url }),
    });

    const ingestPort = await getFreePort();
    ingestUrl = `http://127.0.0.1:${ingestPort}`;
    const built = builtAppCommand('ingest');
    ingest = await startProcess(built.command, built.args, {
      cwd: built.cwd,
      env: {
        ELASTICSEARCH_URL: esUrl,
        INGEST_LOG_TO_ELASTICSEARCH: 'false',
        INGEST_PORT: String(ingestPort),
        INGEST_TOKENS: `python=${TOKEN}`,
        OTEL_SDK_DISABLED: 'true',
        REDIS_URL: redisServer.url,
      },
      logFile: join(dir, 'ingest.log'),
      name: `ingest :${ingestPort}`,
    });
    await ingest.waitUntilReady(
      async () => {
        try {
          return (await fetch(`${ingestUrl}/health/ready`)).ok;
        } catch {
          return false;
        }
      },
      'ingest /health/ready',
      60_000,
    );

    anomaly = await startAnomalyApp({
      ALERTMANAGER_URLS: alertmanager.url,
      ANOMALY_ALERT_REPOST_MS: '5000',
      ANOMALY_ALERT_RESOLVE_AFTER_MS: '60000',
      ANOMALY_BUCKET_MS: '10000',
      ANOMALY_DATA_STREAM: dataStream,
      ANOMALY_EVALUATE_EVERY_MS: '2000',
      ANOMALY_IDLE_ADVANCE_MS: '3000',
      ANOMALY_KEEP_FIRING_FOR_MS: '10000',
      ELASTICSEARCH_URL: esUrl,
      REDIS_URL: redisServer.url,
    });
  });

  afterAll(async () => {
    await anomaly?.proc.stop();
    await ingest?.stop();
    redis?.disconnect();
    await redisServer?.dispose();
    await alertmanager?.stop();
    await receiver?.close();
    await new Promise((r) => gateway?.server.close(r));
    if (dir) removeTempDir(dir);
    await fetch(`${esUrl}/_data_stream/${dataStream}`, {
      method: 'DELETE',
    }).catch(() => undefined);
  });

  it('pages once within 60 s of the first error line, with its context, and resolves when the burst stops', async () => {
    // the detector has watched the service for a while: 70 minutes of its usual logs, replayed
    const history = await pushRecords(
      redis,
      syntheticLogStream({
        durationMs: 70 * MINUTE,
        perSecond: 2,
        seed: 11,
        services: [SERVICE],
        startMs: Date.now() - 2 * 60 * MINUTE,
      }),
    );
    await waitFor(
      async () =>
        (await groupBacklog(redis)).lag === 0 &&
        (await groupBacklog(redis)).pending === 0,
      {
        description: `${history} replayed records consumed`,
        timeoutMs: 120_000,
      },
    );
    expect(receiver.on('/webhook')).toHaveLength(0);

    const startedAt = Date.now();
    const run = await startProcess(
      python,
      [
        '-m',
        'freeride_fetch',
        '--burst-errors',
        '50',
        '--iterations',
        '1',
        '--interval',
        '1',
      ],
      {
        cwd: join(ROOT, 'sources/python'),
        env: {
          FREERIDE_GATEWAY_URL: gateway.url,
          OTEL_BLRP_SCHEDULE_DELAY: '200',
          OTEL_BSP_SCHEDULE_DELAY: '200',
          OTEL_EXPORTER_OTLP_ENDPOINT: ingestUrl,
          OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${TOKEN}`,
          OTEL_SERVICE_NAME: SERVICE,
        },
        logFile: join(dir, 'python.log'),
        name: 'freeride_fetch',
      },
    );
    const exit = await run.exited;
    expect(exit.code).toBe(0);

    const newTemplate = () =>
      receiver
        .on('/webhook')
        .map((r) => ({
          at: r.receivedAtMs,
          body: r.body as AlertmanagerPayload,
        }))
        .filter(
          ({ body }) =>
            body.groupLabels['service'] === SERVICE &&
            body.groupLabels['kind'] === 'new_template',
        );
    await waitFor(() => newTemplate().length > 0, {
      description: 'the new_template page on the webhook',
      timeoutMs: 60_000,
    });
    const [first] = newTemplate();
    expect((first?.at ?? Infinity) - startedAt).toBeLessThan(60_000);
    expect(first?.body.status).toBe('firing');
    expect(first?.body.alerts).toHaveLength(1);
    const alert = first?.body.alerts[0];
    expect(alert?.labels).toMatchObject({
      alertname: 'FreerideAnomaly',
      kind: 'new_template',
      service: SERVICE,
      severity: 'critical',
    });
    expect(alert?.annotations['summary']).toContain(
      'Quote feed checksum mismatch',
    );
    expect(alert?.annotations['discover_url']).toContain(
      encodeURIComponent(`service.name : "${SERVICE}"`).slice(0, 20),
    );
    expect(alert?.annotations['runbook_url']).toMatch(
      /runbooks\/new_template\.md$/,
    );
    expect(alert?.annotations['sample_trace_id']).toMatch(/^[0-9a-f]{32}$/);
    expect(alert?.generatorURL).toContain('/anomalies/new_template');
    expect(Date.parse(alert?.startsAt ?? '')).toBeGreaterThanOrEqual(
      startedAt - 5_000,
    );

    await waitFor(
      () => newTemplate().some(({ body }) => body.status === 'resolved'),
      {
        description: 'the new_template page resolved',
        timeoutMs: 90_000,
      },
    );
    const firingNotifications = newTemplate().filter(
      ({ body }) => body.status === 'firing',
    );
    expect(firingNotifications).toHaveLength(1);

    // the sample trace id names a trace the ingest indexed
    const traceId = alert?.annotations['sample_trace_id'] ?? '';
    await waitFor(
      async () => {
        await fetch(`${esUrl}/logs-*/_refresh`, { method: 'POST' });
        const res = await fetch(`${esUrl}/logs-*/_count?q=trace.id:${traceId}`);
        return res.ok && ((await res.json()) as { count: number }).count > 0;
      },
      {
        description: `log lines of trace ${traceId} in logs-*`,
        timeoutMs: 30_000,
      },
    );
  });
});
