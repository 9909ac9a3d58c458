import {
  type ManagedProcess,
  getFreePort,
  makeTempDir,
  startProcess,
  waitFor,
} from '@freeride/testing';

import type { Client } from '@elastic/elasticsearch';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import {
  type IngestEnvironment,
  type IngestProcess,
  REPO_ROOT,
  TOKENS,
  countDocs,
  startIngestEnvironment,
  uniqueNamespace,
} from './support/ingest-harness';

/**
 * The three real sources of the platform send through one ingest: a Node
 * service (libs/observability), the Python market-data script (OTel Python
 * SDK) and the WordPress plugin (OTLP/JSON from PHP). Their logs and traces
 * land in Elasticsearch and are found by service.name and trace.id.
 */
describe('three sources → ingest → Elasticsearch', () => {
  let es: Client;
  let ingest: IngestProcess;
  const namespace = uniqueNamespace('src');
  const logs = `logs-*-${namespace}`;
  const traces = `traces-*-${namespace}`;
  const logDir = makeTempDir('sources-e2e-');
  const started: ManagedProcess[] = [];

  const otelEnv = (token: string) => ({
    OTEL_BLRP_SCHEDULE_DELAY: '200',
    OTEL_BSP_SCHEDULE_DELAY: '200',
    OTEL_EXPORTER_OTLP_ENDPOINT: ingest.url,
    OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer%20${token}`,
    OTEL_SDK_DISABLED: 'false',
  });

  const eventually = (index: string, query: string, min = 1) =>
    waitFor(async () => (await countDocs(es, index, query)) >= min, {
      description: `${min}+ docs in ${index} for ${query}`,
      intervalMs: 500,
      timeoutMs: 60_000,
    });

  let env: IngestEnvironment;

  beforeAll(async () => {
    env = await startIngestEnvironment(namespace);
    ({ es, ingest } = env);
  });

  afterAll(async () => {
    for (const proc of started) await proc.stop();
    await env?.stop();
  });

  it('a Node service: a log line written inside a traced request carries that request trace id', async () => {
    const port = await getFreePort();
    const node = await startProcess(
      process.execPath,
      ['-r', '@swc-node/register', 'tools/demo/node-source/main.ts'],
      {
        cwd: REPO_ROOT,
        env: { ...otelEnv(TOKENS.node), PORT: String(port) },
        logFile: join(logDir, 'node-demo.log'),
        name: 'node-demo',
      },
    );
    started.push(node);
    await node.waitUntilReady(
      async () =>
        (
          await fetch(`http://127.0.0.1:${port}/health/live`).catch(
            () => undefined,
          )
        )?.ok === true,
      'node demo answers',
      90_000,
    );
    const res = await fetch(`http://127.0.0.1:${port}/quote/IBM`);
    const { traceId } = (await res.json()) as { traceId: string };
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    await eventually(
      logs,
      `service.name:node-demo AND trace.id:${traceId} AND message:"demo quote served"`,
    );
    await eventually(
      traces,
      `service.name:node-demo AND trace.id:${traceId} AND span.kind:server`,
    );
  });

  it('the Python market-data script: its logs and spans land correlated', async () => {
    const python = execFileSync('bash', ['sources/python/ensure-venv.sh'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop() as string;
    const closedPort = await getFreePort();
    execFileSync(
      join(python, 'bin/python'),
      ['-m', 'freeride_fetch', '--symbols', 'AAPL,MSFT', '--iterations', '1'],
      {
        cwd: join(REPO_ROOT, 'sources/python'),
        env: {
          ...process.env,
          ...otelEnv(TOKENS.python),
          FREERIDE_GATEWAY_TIMEOUT_S: '1',
          FREERIDE_GATEWAY_URL: `http://127.0.0.1:${closedPort}`,
          OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${TOKENS.python}`,
        },
        stdio: 'pipe',
        timeout: 60_000,
      },
    );
    await eventually(logs, 'service.name:freeride-fetch AND log.level:error');
    const hit = await es.search<{ trace?: { id?: string } }>({
      index: logs,
      q: 'service.name:freeride-fetch AND log.level:error AND _exists_:trace.id',
      size: 1,
    });
    const traceId = hit.hits.hits[0]?._source?.trace?.id;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    await eventually(
      traces,
      `service.name:freeride-fetch AND trace.id:${traceId}`,
    );
  });

  it('the WordPress plugin: PHP errors and plugin events land as logs', async () => {
    const port = await getFreePort();
    const php = await startProcess(
      'php',
      ['-S', `127.0.0.1:${port}`, 'sources/wordpress/tests/fixtures/page.php'],
      {
        cwd: REPO_ROOT,
        env: {
          FREERIDE_OTLP_ENDPOINT: ingest.url,
          FREERIDE_OTLP_TOKEN: TOKENS.wordpress,
        },
        logFile: join(logDir, 'php.log'),
        name: 'php',
      },
    );
    started.push(php);
    await php.waitUntilReady(
      async () =>
        (await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined))
          ?.ok === true,
      'php page answers',
    );
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(await page.text()).toContain('page done');
    await eventually(
      logs,
      'service.name:freeride-wordpress AND message:"Mail to subscribers failed" AND log.level:error',
    );
    await eventually(
      logs,
      'service.name:freeride-wordpress AND log.level:warn',
    );
  });
});
