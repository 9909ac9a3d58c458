import { HealthRegistry } from '@freeride/observability';

import type { Client } from '@elastic/elasticsearch';
import { Inject, Module, type OnModuleInit } from '@nestjs/common';

import { OtlpModule } from '../otlp/otlp.module';
import {
  ELASTICSEARCH_CLIENT,
  elasticsearchProvider,
} from './elasticsearch.provider';
import { IndexerMetrics } from './indexer.metrics';
import { IndexerService } from './indexer.service';

@Module({
  imports: [OtlpModule],
  providers: [elasticsearchProvider, IndexerMetrics, IndexerService],
})
export class IndexerModule implements OnModuleInit {
  constructor(
    @Inject(ELASTICSEARCH_CLIENT) private readonly es: Client,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    // Reported, but the ingest stays ready without Elasticsearch: it keeps
    // accepting into the durable stream up to the high-water mark.
    this.health.register('elasticsearch', async () => {
      try {
        // cluster.health, not ping: the integ-test distribution answers HEAD / with 405.
        await this.es.cluster.health({}, { requestTimeout: 1_000 });
        return { status: 'up' };
      } catch (err) {
        return {
          details: { reason: (err as Error).message, required: false },
          status: 'up',
        };
      }
    });
  }
}
