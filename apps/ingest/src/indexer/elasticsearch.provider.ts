import { Client } from '@elastic/elasticsearch';
import type { Provider } from '@nestjs/common';

import { INGEST_CONFIG, type IngestConfig } from '../config/ingest.config';

/** Injection token of the Elasticsearch client. */
export const ELASTICSEARCH_CLIENT = Symbol('ELASTICSEARCH_CLIENT');

export const elasticsearchProvider: Provider = {
  inject: [INGEST_CONFIG],
  provide: ELASTICSEARCH_CLIENT,
  useFactory: (config: IngestConfig) =>
    new Client({
      maxRetries: 1,
      nodes: config.elasticsearch.nodes,
      requestTimeout: 30_000,
    }),
};
