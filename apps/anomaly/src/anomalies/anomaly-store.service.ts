import { toAnomalyDocument } from '@freeride/anomaly-engine';
import type { AnomalyEvent } from '@freeride/contracts';
import { HealthRegistry } from '@freeride/observability';

import { Client } from '@elastic/elasticsearch';
import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ANOMALY_CONFIG } from '../config/anomaly.config';
import type { AnomalyConfig } from '../config/anomaly.config';
import { AnomalyStoreError } from './anomaly-store.errors';

/** Name of the composable index template of `anomalies-*`. */
export const ANOMALIES_TEMPLATE_NAME = 'freeride-anomalies';

/** Loads the committed index template of `anomalies-*`. */
export function anomaliesIndexTemplate(): Record<string, unknown> {
  return JSON.parse(
    readFileSync(join(__dirname, 'anomalies-index-template.json'), 'utf8'),
  ) as Record<string, unknown>;
}

/** Installs the `anomalies-*` index template and writes anomaly documents. */
@Injectable()
export class AnomalyStoreService
  implements OnModuleInit, OnApplicationShutdown
{
  private readonly client: Client;
  private readonly logger = new Logger(AnomalyStoreService.name);
  private templateInstalled = false;

  constructor(
    @Inject(ANOMALY_CONFIG) private readonly config: AnomalyConfig,
    private readonly health: HealthRegistry,
  ) {
    this.client = new Client({
      nodes: config.elasticsearch.nodes,
      requestTimeout: config.elasticsearch.timeoutMs,
    });
  }

  async onModuleInit(): Promise<void> {
    this.health.register('elasticsearch', async () => {
      try {
        await this.client.cluster.health({ timeout: '2s' });
        return { status: 'up' };
      } catch (err) {
        return { details: { reason: (err as Error).message }, status: 'down' };
      }
    });
    try {
      await this.installTemplate();
    } catch (err) {
      // start without it: paging must not wait for Elasticsearch; write() retries
      this.logger.warn({ err }, 'anomalies index template not installed yet');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }

  /** Installs (or updates) the index template of `anomalies-*`. */
  async installTemplate(): Promise<void> {
    const { index_patterns, ...body } = anomaliesIndexTemplate();
    await this.client.indices.putIndexTemplate({
      index_patterns: index_patterns as string[],
      name: ANOMALIES_TEMPLATE_NAME,
      ...body,
    });
    this.templateInstalled = true;
  }

  /**
   * Writes anomaly documents to the data stream with `op_type: create` and
   * their stable ids, so a replay after a restart writes no duplicates.
   * @returns documents written (duplicates excluded)
   * @throws AnomalyStoreError when Elasticsearch refused any document
   */
  async write(events: readonly AnomalyEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    if (!this.templateInstalled) await this.installTemplate();
    const operations = events.flatMap((event) => [
      {
        create: { _id: event.id, _index: this.config.elasticsearch.dataStream },
      },
      toAnomalyDocument(event),
    ]);
    let response;
    try {
      response = await this.client.bulk({ operations, refresh: false });
    } catch (err) {
      throw new AnomalyStoreError(
        `bulk write to ${this.config.elasticsearch.dataStream} failed`,
        { dataStream: this.config.elasticsearch.dataStream },
        err,
      );
    }
    let written = 0;
    const failures: unknown[] = [];
    for (const item of response.items) {
      const result = item.create;
      if (!result) continue;
      if (result.status === 201) written++;
      else if (result.status !== 409) failures.push(result.error);
    }
    if (failures.length > 0) {
      throw new AnomalyStoreError('Elasticsearch refused anomaly documents', {
        dataStream: this.config.elasticsearch.dataStream,
        failures: failures.slice(0, 3),
      });
    }
    return written;
  }
}
