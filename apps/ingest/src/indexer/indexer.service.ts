import { backoffDelayMs } from '@freeride/backoff';
import {
  BatchReadBounds,
  ElasticsearchUnavailableError,
  EsBulkIndexer,
  RedisIngestStream,
  type StoredIngestEntry,
  bulkEntryOf,
  installIndexTemplates,
} from '@freeride/ingest-delivery';
import { nestLogSink } from '@freeride/observability';
import type { OtlpSignal } from '@freeride/otlp';
import type { RedisClient } from '@freeride/redis-connection';
import type {
  ConsumerGroupReader,
  EntrySource,
} from '@freeride/stream-consumer';
import { ATTR, contextFromTraceparent, withSpan } from '@freeride/tracing';

import type { Client } from '@elastic/elasticsearch';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';

import { INGEST_CONFIG, type IngestConfig } from '../config/ingest.config';
import {
  INDEXER_GROUP,
  INGEST_STREAMS,
  type IngestStreams,
  SIGNALS,
  groupsFor,
} from '../otlp/ingest-streams';
import { REDIS_WRITER } from '../redis/redis.module';
import { StreamWorkers, partitionJobs } from '../stream/stream-workers';
import { ELASTICSEARCH_CLIENT } from './elasticsearch.provider';
import { IndexerMetrics, deadLetterReason } from './indexer.metrics';

/**
 * The indexer consumer group: reads each signal's stream in batches bounded
 * by entries, bytes and time, sends the `_bulk` lines stored at receipt as
 * they are, and acknowledges a batch only once every document in it is settled
 * (indexed, duplicate or dead-lettered). An Elasticsearch outage leaves the
 * batch pending and retries it with backoff, so the stream grows up to the
 * high-water mark and back-pressure reaches the senders.
 */
@Injectable()
export class IndexerService
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(IndexerService.name);
  private readonly bulk: EsBulkIndexer;
  private readonly workers: StreamWorkers;
  private trimTimer?: NodeJS.Timeout;

  constructor(
    @Inject(INGEST_CONFIG) private readonly config: IngestConfig,
    @Inject(INGEST_STREAMS) private readonly streams: IngestStreams,
    @Inject(REDIS_WRITER) redis: RedisClient,
    @Inject(ELASTICSEARCH_CLIENT) private readonly es: Client,
    private readonly metrics: IndexerMetrics,
  ) {
    this.workers = new StreamWorkers(redis, 'ingest-indexer');
    this.bulk = new EsBulkIndexer(es, {
      concurrency: config.indexer.concurrency,
      flushBytes: config.indexer.batchBytes,
      log: nestLogSink(this.logger),
      maxItemAttempts: config.indexer.maxItemAttempts,
    });
  }

  onApplicationBootstrap(): void {
    this.trimTimer = setInterval(() => void this.trimAll(), 1_000);
    if (!this.config.indexer.enabled) return;
    // One loop per partition of each signal: every instance reads every
    // partition through the group, so instances share the entries and a
    // stopped instance's pending ones are claimed by the others.
    this.workers.start(partitionJobs(this.streams, SIGNALS), (job, stream) =>
      this.run(job.signal, stream),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.trimTimer) clearInterval(this.trimTimer);
    if ((await this.workers.stop(this.config.shutdownDrainMs)) === 'timeout') {
      this.logger.warn(
        { deadlineMs: this.config.shutdownDrainMs },
        'indexer drain deadline reached; pending batches resume at next start',
      );
    }
    await this.es.close().catch(() => undefined);
  }

  private async run(
    signal: OtlpSignal,
    stream: RedisIngestStream,
  ): Promise<void> {
    await this.retryUntilDone('create consumer groups', () =>
      stream.ensureGroups(groupsFor(signal, this.config)),
    );
    await this.retryUntilDone('install index templates', () =>
      installedTemplates.get(this.es, this.config.elasticsearch.templatesDir),
    );
    // Own pending entries first (read before a crash or restart, never
    // acknowledged), then entries a stopped consumer left pending, then new ones.
    const reader = stream.reader(
      INDEXER_GROUP,
      this.config.indexer.consumerName,
      {
        claimIdleMs: this.config.indexer.claimIdleMs,
        count: this.config.indexer.batchEntries,
      },
    );
    const bounds = new BatchReadBounds(
      this.config.indexer.batchEntries,
      this.config.indexer.batchBytes,
    );
    // New batches are settled concurrently (bounded), so reading and mapping the
    // next batch overlaps with Elasticsearch indexing the previous one.
    const inFlight = new Set<Promise<void>>();
    while (this.workers.running) {
      try {
        const { entries, source } = await this.collect(reader, bounds);
        if (entries.length === 0) continue;
        // The bodies: handed over in memory when this process accepted
        // them, otherwise one MGET.
        await stream.loadBodies(entries);
        if (source !== 'new') {
          // Pending and claimed entries may be held by an earlier batch of
          // this process: settle them only once nothing is in flight.
          await Promise.all(inFlight);
          await this.settle(signal, stream, entries);
          continue;
        }
        const settling: Promise<void> = this.settle(signal, stream, entries)
          .catch((err: unknown) => {
            // The batch stays pending; it is claimed again after INGEST_CLAIM_IDLE_MS.
            this.logger.error(
              { err, signal },
              'indexer batch failed; left pending',
            );
          })
          .finally(() => inFlight.delete(settling));
        inFlight.add(settling);
        if (inFlight.size >= this.config.indexer.pipeline)
          await Promise.race(inFlight);
      } catch (err) {
        if (!this.workers.running) break;
        this.logger.error({ err, signal }, 'indexer loop error; retrying');
        // What failed stays pending: walk this consumer's pending entries again.
        reader.rewind();
        await sleep(1_000);
      }
    }
    await Promise.all(inFlight);
  }

  /**
   * The reader's next batch. A read waits up to the flush time for new
   * entries; once some came, the batch takes whatever else the stream
   * already holds, up to its bounds, and goes (natural batching: under load
   * entries pile up while the batches in flight are indexed, so batches grow
   * with the load, and a quiet stream is indexed at once instead of waiting
   * for a batch to fill). `INDEXER_LINGER_MS` makes a started batch wait
   * that long for more. Each read asks for as many entries as fit in both
   * bounds (`bounds`), so that one `XREADGROUP` reply stays near the byte
   * bound too.
   */
  private async collect(
    reader: ConsumerGroupReader<StoredIngestEntry>,
    bounds: BatchReadBounds,
  ): Promise<{ entries: StoredIngestEntry[]; source: EntrySource }> {
    const { flushMs, lingerMs } = this.config.indexer;
    const first = await reader.next({
      blockMs: flushMs,
      count: bounds.count(),
    });
    const started = Date.now();
    const batch = first.entries.map((e) => e.value);
    const sizes = batch.map((entry) => entry.bytes);
    bounds.observe(sizes);
    if (first.source !== 'new' || batch.length === 0)
      return { entries: batch, source: first.source };
    let bytes = 0;
    for (const size of sizes) bytes += size;
    for (
      let count = bounds.count(batch.length, bytes);
      count > 0 && this.workers.running;
      count = bounds.count(batch.length, bytes)
    ) {
      // Past the linger time (0 by default) readNew does not wait: only what is there.
      const got = await reader.readNew(
        count,
        lingerMs - (Date.now() - started),
      );
      if (got.length === 0) break;
      for (const { value } of got) {
        bytes += value.bytes;
        batch.push(value);
      }
      bounds.observe(got.map(({ value }) => value.bytes));
    }
    return { entries: batch, source: 'new' };
  }

  private async settle(
    signal: OtlpSignal,
    stream: RedisIngestStream,
    batch: StoredIngestEntry[],
  ): Promise<void> {
    const entries = batch.map((entry) =>
      bulkEntryOf(signal, entry, this.config.elasticsearch.namespace),
    );
    let docs = 0;
    for (const e of entries) docs += e.docs;
    const parent = contextFromTraceparent(batch[0]?.traceparent);
    const endTimer = this.metrics.bulkDuration.startTimer({ signal });
    for (let attempt = 0; ; attempt++) {
      try {
        const report = await withSpan(
          'indexer bulk',
          { [ATTR.BATCH_SIZE]: docs, [ATTR.INGEST_SIGNAL]: signal },
          () => this.bulk.index(entries),
          parent,
        );
        this.metrics.indexed.inc({ signal }, report.indexed);
        this.metrics.duplicates.inc({ signal }, report.duplicates);
        this.metrics.retried.inc({ signal }, report.retried);
        if (report.quarantined > 0)
          this.metrics.deadLettered.inc(
            { reason: 'unmappable_entry', signal },
            report.quarantined,
          );
        for (const [type, count] of Object.entries(report.deadLettered)) {
          this.metrics.deadLettered.inc(
            { reason: deadLetterReason(type), signal },
            count,
          );
        }
        break;
      } catch (err) {
        if (!(err instanceof ElasticsearchUnavailableError)) throw err;
        this.metrics.esUnavailable.inc({ signal });
        if (!this.workers.running) return;
        const delay = backoffDelayMs(attempt, { baseMs: 500, maxMs: 10_000 });
        this.logger.warn(
          { attempt, delayMs: delay, entries: batch.length, signal },
          'elasticsearch unavailable; batch kept pending',
        );
        await sleep(delay);
        if (!this.workers.running) return;
      }
    }
    endTimer();
    await stream.ack(
      INDEXER_GROUP,
      batch.map((e) => e.id),
    );
    const now = Date.now();
    for (const entry of batch)
      this.metrics.indexLatency.observe(
        { signal },
        (now - entry.receivedAt) / 1000,
      );
  }

  /** Retries a start-up step with backoff until it succeeds or the app stops. */
  private async retryUntilDone(
    step: string,
    fn: () => Promise<unknown>,
  ): Promise<void> {
    for (let attempt = 0; this.workers.running; attempt++) {
      try {
        await fn();
        return;
      } catch (err) {
        const delay = backoffDelayMs(attempt, { baseMs: 500, maxMs: 10_000 });
        this.logger.warn(
          { delayMs: delay, err: { message: (err as Error).message }, step },
          'indexer start-up step failed; retrying',
        );
        await sleep(delay);
      }
    }
  }

  private async trimAll(): Promise<void> {
    for (const signal of SIGNALS) {
      try {
        let backlog = 0;
        const lags: Record<string, number> = {};
        for (const stream of this.streams[signal]) {
          const { bytes, lag } = await stream.trim(
            groupsFor(signal, this.config),
          );
          if (bytes > 0) this.metrics.trimmedBytes.inc({ signal }, bytes);
          backlog += await stream.backlogBytes();
          for (const [group, entries] of Object.entries(lag))
            lags[group] = (lags[group] ?? 0) + entries;
        }
        this.metrics.backlogBytes.set({ signal }, backlog);
        for (const [group, entries] of Object.entries(lags)) {
          this.metrics.lag.set({ group, signal }, entries);
        }
      } catch {
        // Redis is down: the receive path reports it; trimming resumes by itself.
      }
    }
  }
}

/** Installs the templates once per process, shared by the three loops. */
const installedTemplates = {
  promise: undefined as Promise<string[]> | undefined,
  get(es: Client, dir: string): Promise<string[]> {
    this.promise ??= installIndexTemplates(es, dir).catch((err: unknown) => {
      this.promise = undefined;
      throw err;
    });
    return this.promise;
  },
};

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
