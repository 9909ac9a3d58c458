/* eslint-disable no-console -- a benchmark CLI: it prints its figures */
/**
 * Gateway vs naive client on one replayed burst, in one run.
 *
 * Starts a real redis-server, the Finnhub/Polygon/Alpha Vantage fakes (free
 * plans enforced per key, a fixed upstream latency) and the real gateway as a
 * child process (its production build, dist/apps/market-gateway). Then replays the same request list twice:
 * - through the gateway (`GET /v1/quotes/:symbol`);
 * - through a naive client that calls Finnhub's `/quote` per request, as the
 *   WordPress plugin and the Python scripts did.
 * Reports requests per second served, upstream calls made and calls over the
 * providers' plan limits for each.
 *
 * usage: npm run bench:gateway -- [--requests 5000] [--symbols 50] [--concurrency 200]
 *        [--upstream-latency-ms 80] [--json FILE]
 */
import {
  type FakeProviderServer,
  createAlphaVantageFake,
  createFinnhubFake,
  createPolygonFake,
} from '@freeride/market-fakes';
import {
  builtAppCommand,
  getFreePort,
  startRedis,
  waitFor,
} from '@freeride/testing';

import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface RunFigures {
  durationMs: number;
  okResponses: number;
  otherResponses: number;
  overLimitUpstreamCalls: number;
  rateLimitedResponses: number;
  requests: number;
  requestsPerSecond: number;
  /** Requests answered 200 per second: what the consumers actually got. */
  servedPerSecond: number;
  upstreamCalls: number;
}

/** Runs `requests` through `call` with at most `concurrency` in flight. */
async function replay(
  paths: readonly string[],
  concurrency: number,
  call: (path: string) => Promise<number>,
): Promise<{ durationMs: number; statuses: number[] }> {
  const statuses: number[] = new Array<number>(paths.length);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < paths.length) {
        const i = next++;
        statuses[i] = await call(paths[i]);
      }
    }),
  );
  return { durationMs: performance.now() - started, statuses };
}

function figures(
  requests: number,
  run: { durationMs: number; statuses: number[] },
  fakes: FakeProviderServer[],
): RunFigures {
  return {
    durationMs: Math.round(run.durationMs),
    okResponses: run.statuses.filter((s) => s === 200).length,
    otherResponses: run.statuses.filter((s) => s !== 200 && s !== 429).length,
    overLimitUpstreamCalls: fakes.reduce((n, f) => n + f.overLimitCalls, 0),
    rateLimitedResponses: run.statuses.filter((s) => s === 429).length,
    requests,
    requestsPerSecond: Math.round((requests / run.durationMs) * 1000),
    servedPerSecond: Math.round(
      (run.statuses.filter((s) => s === 200).length / run.durationMs) * 1000,
    ),
    upstreamCalls: fakes.reduce((n, f) => n + f.totalCalls, 0),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      concurrency: { default: '200', type: 'string' },
      json: { type: 'string' },
      requests: { default: '5000', type: 'string' },
      symbols: { default: '50', type: 'string' },
      'upstream-latency-ms': { default: '80', type: 'string' },
    },
  });
  const requests = Number(values.requests);
  const concurrency = Number(values.concurrency);
  const symbolCount = Number(values.symbols);
  const latencyMs = Number(values['upstream-latency-ms']);
  const symbols = Array.from(
    { length: symbolCount },
    (_, i) => `B${String(i).padStart(3, '0')}X`,
  );
  // A deterministic interleaving of the symbols: the same list for both clients.
  const symbolOf = (i: number): string => symbols[(i * 7919) % symbols.length];

  const redis = await startRedis({ appendOnly: false });
  const fakeOptions = { scenario: 'slow' as const, slowMs: latencyMs };
  const fakes = await Promise.all([
    createFinnhubFake({
      ...fakeOptions,
      keys: ['fh-1', 'fh-2'],
      plan: [
        { limit: 30, windowMs: 1000 },
        { limit: 60, windowMs: 60_000 },
      ],
    }).start(),
    createPolygonFake({
      ...fakeOptions,
      keys: ['pg-1'],
      plan: [{ limit: 5, windowMs: 60_000 }],
    }).start(),
    createAlphaVantageFake({
      ...fakeOptions,
      keys: ['av-1'],
      plan: [
        { limit: 1, windowMs: 1000 },
        { limit: 25, windowMs: 86_400_000 },
      ],
    }).start(),
  ]);
  const [finnhub, polygon, alphavantage] = fakes;
  const port = await getFreePort();
  let gateway: ChildProcess | undefined;
  try {
    const built = builtAppCommand('market-gateway');
    gateway = spawn(built.command, built.args, {
      cwd: built.cwd,
      env: {
        ...process.env,
        ALPHAVANTAGE_API_KEYS: 'av-1',
        ALPHAVANTAGE_BASE_URL: alphavantage.url,
        FINNHUB_API_KEYS: 'fh-1,fh-2',
        FINNHUB_BASE_URL: finnhub.url,
        FINNHUB_WS_URL: finnhub.wsUrl,
        // The bench measures the gateway, not its per-address limit.
        GATEWAY_RATE_LIMIT_PER_ADDRESS: '0',
        LOG_LEVEL: 'error',
        MARKET_GATEWAY_PORT: String(port),
        MASSIVE_API_KEYS: 'pg-1',
        MASSIVE_BASE_URL: polygon.url,
        MASSIVE_WS_URL: polygon.wsUrl,
        OTEL_SDK_DISABLED: 'true',
        PROBE_INTERVAL_MS: '0',
        QUOTE_FRESH_MS: '60000',
        REDIS_URL: redis.url,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/health/live`)).ok, {
      description: 'the gateway /health/live',
      timeoutMs: 60_000,
    });

    const paths = Array.from({ length: requests }, (_, i) => symbolOf(i));
    const viaGateway = await replay(paths, concurrency, async (symbol) => {
      const res = await fetch(`${base}/v1/quotes/${symbol}`);
      await res.arrayBuffer();
      return res.status;
    });
    const gatewayFigures = figures(requests, viaGateway, fakes);

    for (const fake of fakes) fake.resetCounters();
    const naive = await replay(paths, concurrency, async (symbol) => {
      const res = await fetch(`${finnhub.url}/quote?symbol=${symbol}`, {
        headers: { 'X-Finnhub-Token': 'fh-1' },
      });
      await res.arrayBuffer();
      return res.status;
    });
    const naiveFigures = figures(requests, naive, fakes);

    const result = {
      command: `npm run bench:gateway -- --requests ${requests} --symbols ${symbolCount} --concurrency ${concurrency} --upstream-latency-ms ${latencyMs}`,
      gateway: gatewayFigures,
      naive: naiveFigures,
      setup: {
        concurrency,
        requests,
        symbols: symbolCount,
        upstreamLatencyMs: latencyMs,
      },
    };
    console.log(result.command);
    console.table({ gateway: gatewayFigures, naive: naiveFigures });
    if (values.json)
      writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    gateway?.kill('SIGTERM');
    if (gateway && gateway.exitCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          gateway?.kill('SIGKILL');
          resolve();
        }, 5000);
        gateway?.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await Promise.all(fakes.map((f) => f.stop()));
    await redis.dispose();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
