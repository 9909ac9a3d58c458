import {
  ElasticsearchUnavailableError,
  type IndexReport,
  type RedisIngestStream,
  type StoredIngestEntry,
} from '@freeride/ingest-delivery';
import { resolveObservabilityOptions } from '@freeride/observability';
import type { OtlpSignal } from '@freeride/otlp';
import type { RedisClient } from '@freeride/redis-connection';

import type { Client } from '@elastic/elasticsearch';
import { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';

import { type IngestConfig, loadConfig } from '../config/ingest.config';
import {
  INDEXER_GROUP,
  type IngestStreams,
  groupsFor,
} from '../otlp/ingest-streams';
import { IndexerMetrics } from './indexer.metrics';
import { IndexerService } from './indexer.service';

// The service's collaborators: the bulk indexer and template installer (I/O
// against Elasticsearch) and the per-stream worker loops (Redis connections).
const mockIndex = jest.fn<Promise<IndexReport>, [unknown[]]>();
const mockInstallTemplates = jest.fn<Promise<string[]>, []>();
jest.mock('@freeride/ingest-delivery', () => ({
  ...jest.requireActual<object>('@freeride/ingest-delivery'),
  EsBulkIndexer: jest.fn(() => ({ index: mockIndex })),
  installIndexTemplates: () => mockInstallTemplates(),
}));

type Run = (
  job: { signal: OtlpSignal },
  stream: RedisIngestStream,
) => Promise<void>;
const mockWorkers = {
  run: undefined as Run | undefined,
  running: false,
  start: jest.fn((_keys: unknown, run: Run) => {
    mockWorkers.running = true;
    mockWorkers.run = run;
  }),
  stop: jest.fn(async () => {
    mockWorkers.running = false;
    return 'drained' as const;
  }),
};
jest.mock('../stream/stream-workers', () => ({
  ...jest.requireActual<object>('../stream/stream-workers'),
  StreamWorkers: jest.fn(() => mockWorkers),
}));

type Read = { entries: StoredIngestEntry[]; source: string };

/**
 * A stream whose reader hands out the given reads; once they are used up it
 * stops the loop as soon as `done()` holds (by default: a batch was acknowledged).
 */
function fakeStream(
  reads: Read[],
  readNew: StoredIngestEntry[][] = [],
  done?: () => boolean,
) {
  const reader = {
    next: jest.fn(async () => {
      const read = reads.shift();
      if (!read) {
        const settled = done ?? (() => stream.ack.mock.calls.length > 0);
        while (!settled()) await new Promise((r) => setTimeout(r, 5));
        mockWorkers.running = false;
        return { entries: [], source: 'new' };
      }
      return {
        entries: read.entries.map((value) => ({ value })),
        source: read.source,
      };
    }),
    readNew: jest.fn(async () =>
      (readNew.shift() ?? []).map((value) => ({ value })),
    ),
    rewind: jest.fn(),
  };
  const stream = {
    ack: jest.fn(async (_group: string, _ids: string[]) => undefined),
    ensureGroups: jest.fn(async () => undefined),
    key: 'freeride:ingest:logs',
    // The entries here hold their bodies already.
    loadBodies: jest.fn(async () => undefined),
    reader: jest.fn(() => reader),
  };
  return { reader, stream };
}

/** The app's streams (one partition per signal), as the trim timer and the worker start see them. */
function ingestStreams(): IngestStreams {
  const make = (signal: OtlpSignal) => [
    {
      backlogBytes: jest.fn(async () => 0),
      key: `freeride:ingest:${signal}:{p0}`,
      trim: jest.fn(async () => ({ bytes: 0, lag: {} })),
    },
  ];
  return {
    logs: make('logs'),
    metrics: make('metrics'),
    traces: make('traces'),
  } as unknown as IngestStreams;
}

function entry(id: string, items = 2): StoredIngestEntry {
  const body = Buffer.from(`{"create":{}}\n{"m":"${id}"}\n`);
  return {
    body,
    bytes: body.length,
    format: 'bulk-ndjson',
    id,
    items,
    receivedAt: Date.now(),
    source: 'python',
  };
}

function report(overrides: Partial<IndexReport> = {}): IndexReport {
  return {
    deadLettered: {},
    duplicates: 0,
    indexed: 0,
    quarantined: 0,
    retried: 0,
    ...overrides,
  };
}

describe('IndexerService', () => {
  let config: IngestConfig;
  let registry: Registry;
  let service: IndexerService;

  function start(stream: ReturnType<typeof fakeStream>['stream']) {
    service.onApplicationBootstrap();
    return mockWorkers.run!(
      { signal: 'logs' },
      stream as unknown as RedisIngestStream,
    );
  }

  async function counter(name: string): Promise<Record<string, number>> {
    const metric = registry.getSingleMetric(`freeride_ingest_${name}`);
    const values = (await metric!.get()).values;
    return Object.fromEntries(
      values.map((v) => [Object.values(v.labels).join(','), v.value]),
    );
  }

  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  beforeEach(() => {
    jest.clearAllMocks();
    // No backoff wait: full jitter times 0.
    jest.spyOn(Math, 'random').mockReturnValue(0);
    mockWorkers.running = false;
    mockInstallTemplates.mockResolvedValue([]);
    config = loadConfig({
      INDEXER_BATCH_ENTRIES: '3',
      INGEST_TOKENS: 'python=python-token-0123456789',
    });
    registry = new Registry();
    const metrics = new IndexerMetrics(
      registry,
      resolveObservabilityOptions({
        metricsPrefix: 'freeride_ingest_',
        serviceName: 'ingest',
      }),
    );
    const es = { close: jest.fn(async () => undefined) };
    service = new IndexerService(
      config,
      ingestStreams(),
      {} as RedisClient,
      es as unknown as Client,
      metrics,
    );
  });

  afterEach(async () => {
    await service.onApplicationShutdown();
    jest.restoreAllMocks();
  });

  it('starts no worker loop when the indexer is disabled', () => {
    service = new IndexerService(
      { ...config, indexer: { ...config.indexer, enabled: false } },
      ingestStreams(),
      {} as RedisClient,
      { close: jest.fn(async () => undefined) } as unknown as Client,
      new IndexerMetrics(
        new Registry(),
        resolveObservabilityOptions({ serviceName: 'ingest' }),
      ),
    );
    service.onApplicationBootstrap();
    expect(mockWorkers.start).not.toHaveBeenCalled();
  });

  it('acknowledges a batch once every document is settled and counts each outcome', async () => {
    mockIndex.mockResolvedValue(
      report({
        deadLettered: { mapper_parsing_exception: 1 },
        duplicates: 1,
        indexed: 2,
        quarantined: 1,
        retried: 3,
      }),
    );
    const { stream } = fakeStream([
      { entries: [entry('1-0'), entry('1-1'), entry('1-2')], source: 'new' },
    ]);
    await start(stream);

    expect(stream.ensureGroups).toHaveBeenCalledWith(groupsFor('logs', config));
    expect(mockIndex).toHaveBeenCalledTimes(1);
    expect(mockIndex.mock.calls[0][0]).toHaveLength(3);
    expect(stream.ack).toHaveBeenCalledWith(INDEXER_GROUP, [
      '1-0',
      '1-1',
      '1-2',
    ]);
    expect(await counter('indexed_total')).toEqual({ logs: 2 });
    expect(await counter('duplicates_total')).toEqual({ logs: 1 });
    expect(await counter('retried_total')).toEqual({ logs: 3 });
    expect(await counter('dead_lettered_total')).toEqual({
      'mapper_parsing_exception,logs': 1,
      'unmappable_entry,logs': 1,
    });
  });

  it('fills a batch of new entries up to the entry bound before indexing it', async () => {
    mockIndex.mockResolvedValue(report({ indexed: 6 }));
    const { reader, stream } = fakeStream(
      [{ entries: [entry('1-0')], source: 'new' }],
      [[entry('1-1')], [entry('1-2')]],
    );
    await start(stream);

    expect(reader.readNew).toHaveBeenCalledTimes(2);
    expect(mockIndex).toHaveBeenCalledTimes(1);
    expect(stream.ack).toHaveBeenCalledWith(INDEXER_GROUP, [
      '1-0',
      '1-1',
      '1-2',
    ]);
  });

  it('settles pending entries as read, without waiting for new ones', async () => {
    mockIndex.mockResolvedValue(report({ indexed: 2 }));
    const { reader, stream } = fakeStream([
      { entries: [entry('0-1')], source: 'pending' },
    ]);
    await start(stream);

    expect(reader.readNew).not.toHaveBeenCalled();
    expect(stream.ack).toHaveBeenCalledWith(INDEXER_GROUP, ['0-1']);
  });

  it('keeps the batch pending through an Elasticsearch outage and acknowledges it after', async () => {
    mockIndex
      .mockRejectedValueOnce(
        new ElasticsearchUnavailableError('bulk', new Error('ECONNREFUSED')),
      )
      .mockRejectedValueOnce(
        new ElasticsearchUnavailableError('bulk', new Error('ECONNREFUSED')),
      )
      .mockResolvedValue(report({ indexed: 2 }));
    const { stream } = fakeStream([{ entries: [entry('2-0')], source: 'new' }]);
    await start(stream);

    expect(mockIndex).toHaveBeenCalledTimes(3);
    expect(stream.ack).toHaveBeenCalledTimes(1);
    expect(stream.ack).toHaveBeenCalledWith(INDEXER_GROUP, ['2-0']);
    expect(await counter('elasticsearch_unavailable_total')).toEqual({
      logs: 2,
    });
  });

  it('leaves a batch unacknowledged when indexing fails otherwise', async () => {
    mockIndex.mockRejectedValue(new Error('bulk response unreadable'));
    const { stream } = fakeStream(
      [{ entries: [entry('3-0')], source: 'new' }],
      [],
      () => mockIndex.mock.calls.length > 0,
    );
    await start(stream);

    expect(mockIndex).toHaveBeenCalledTimes(1);
    expect(stream.ack).not.toHaveBeenCalled();
    expect(await counter('elasticsearch_unavailable_total')).toEqual({});
  });

  it('retries a failed start-up step before reading', async () => {
    mockIndex.mockResolvedValue(report({ indexed: 2 }));
    const { reader, stream } = fakeStream([
      { entries: [entry('4-0')], source: 'new' },
    ]);
    stream.ensureGroups
      .mockRejectedValueOnce(new Error('NOGROUP: connection refused'))
      .mockResolvedValue(undefined);
    await start(stream);

    expect(stream.ensureGroups).toHaveBeenCalledTimes(2);
    expect(reader.next).toHaveBeenCalled();
    expect(stream.ack).toHaveBeenCalledWith(INDEXER_GROUP, ['4-0']);
  });
});
