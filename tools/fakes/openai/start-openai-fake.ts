/* eslint-disable no-console -- a CLI: it prints the base URL the demo stack needs */
/**
 * Starts the OpenAI fake for the demo stack.
 * usage: tsx tools/fakes/openai/start-openai-fake.ts [--host 127.0.0.1] [--port 4110] [--rpm 10000] [--latency-ms 0]
 */
import { parseArgs } from 'node:util';

import { startOpenAiFake } from './openai.fake';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { default: '127.0.0.1', type: 'string' },
      'latency-ms': { default: '0', type: 'string' },
      port: { default: '4110', type: 'string' },
      rpm: { default: '10000', type: 'string' },
    },
  });
  const fake = await startOpenAiFake({
    host: values.host,
    latencyMs: Number(values['latency-ms']),
    port: Number(values.port),
    requestsPerMinute: Number(values.rpm),
  });
  console.log(`openai fake: OPENAI_BASE_URL=${fake.baseUrl}`);
  const stop = () => void fake.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
