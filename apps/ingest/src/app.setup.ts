import { installIndexTemplates } from '@freeride/ingest-delivery';

import { Client } from '@elastic/elasticsearch';

import type { IngestConfig } from './config/ingest.config';

/**
 * Installs the index templates before the self-log stream writes its first
 * line, so `logs-freeride.ingest-default` is created as a data stream. An
 * unreachable Elasticsearch does not stop start-up: the indexer retries.
 */
export async function installTemplatesEarly(
  config: IngestConfig,
): Promise<void> {
  const client = new Client({
    maxRetries: 0,
    nodes: config.elasticsearch.nodes,
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
