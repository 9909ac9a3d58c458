/* eslint-disable no-console -- a CLI: it prints the URLs the demo stack needs */
/**
 * Starts the three provider fakes for the demo stack.
 * usage: tsx tools/fakes/market/start-market-fakes.ts [--scenario normal] [--host 127.0.0.1] [--alpha-port 4101] [--finnhub-port 4102] [--polygon-port 4103]
 * Switch a scenario at run time: curl -XPOST 127.0.0.1:4102/__scenario -d '{"scenario":"slow"}'
 */
import { parseArgs } from 'node:util';

import {
  FAKE_SCENARIOS,
  type FakeScenario,
  createAlphaVantageFake,
  createFinnhubFake,
  createPolygonFake,
} from './index';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'alpha-port': { default: '4101', type: 'string' },
      'finnhub-port': { default: '4102', type: 'string' },
      host: { default: '127.0.0.1', type: 'string' },
      'polygon-port': { default: '4103', type: 'string' },
      scenario: { default: 'normal', type: 'string' },
    },
  });
  const scenario = values.scenario as FakeScenario;
  if (!FAKE_SCENARIOS.includes(scenario))
    throw new Error(
      `unknown scenario ${scenario}; one of ${FAKE_SCENARIOS.join(', ')}`,
    );
  const fakes = await Promise.all([
    createAlphaVantageFake({
      host: values.host,
      port: Number(values['alpha-port']),
      scenario,
    }).start(),
    createFinnhubFake({
      host: values.host,
      port: Number(values['finnhub-port']),
      scenario,
    }).start(),
    createPolygonFake({
      host: values.host,
      port: Number(values['polygon-port']),
      scenario,
    }).start(),
  ]);
  const [av, fh, pg] = fakes;
  console.log(`ALPHAVANTAGE_BASE_URL=${av.url}`);
  console.log(`FINNHUB_BASE_URL=${fh.url}`);
  console.log(`FINNHUB_WS_URL=${fh.wsUrl}`);
  console.log(`MASSIVE_BASE_URL=${pg.url}`);
  console.log(`MASSIVE_WS_URL=${pg.wsUrl}`);
  const shutdown = (): void => {
    void Promise.all(fakes.map((f) => f.stop())).then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
