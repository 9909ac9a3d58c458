// First: telemetry must patch modules before anything else loads them.
import './instrumentation';

import { installIndexTemplates } from '@freeride/ingest-delivery';
import { ConfigValidationError, bootstrapApp } from '@freeride/observability';

import { Client } from '@elastic/elasticsearch';

import { AppModule } from './app.module';
import { type IngestConfig, loadIngestConfig } from './config/ingest.config';

/**
 * Installs the index templates before the self-log stream writes its first
 * line, so `logs-freeride.ingest-default` is created as a data stream. An
 * unreachable Elasticsearch does not stop start-up: the indexer retries.
 */
async function installTemplatesEarly(config: IngestConfig): Promise<void> {
  const client = new Client({
    maxRetries: 0,
    node: config.elasticsearch.url,
    requestTimeout: 3_000,
  });
  try {
    await installIndexTemplates(client, config.elasticsearch.templatesDir);
  } catch {
    // The indexer installs them once Elasticsearch answers.
  } finally {
    await client.close();
  }
}

async function main(): Promise<void> {
  const config = loadIngestConfig(process.env);
  await installTemplatesEarly(config);
  await bootstrapApp(AppModule.forRoot(config), {
    bodyParser: false,
    host: config.http.host,
    port: config.http.port,
  });
}

main().catch((err: unknown) => {
  process.stderr.write(
    `${err instanceof ConfigValidationError ? err.message : `ingest failed to start: ${(err as Error).stack ?? String(err)}`}\n`,
  );
  process.exit(1);
});
