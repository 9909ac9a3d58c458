import { STREAM_KEYS, partitionOf } from '@freeride/contracts';
import type { AnomalyEvent, MetricPointEvent } from '@freeride/contracts';
import {
  HealthRegistry,
  resolveObservabilityOptions,
} from '@freeride/observability';

import { Registry } from 'prom-client';

import type { AlertingService } from '../alerting/alerting.service';
import type { AnomalyStoreService } from '../anomalies/anomaly-store.service';
import { loadConfig } from '../config/anomaly.config';
import type { StreamMessage } from '../stream/record-stream.consumer';
import { DetectionService } from './detection.service';

const PREFIX = 'test_anomaly_';
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
const STEP_MS = 15_000;

/** Four partitions over two instances: this one (index 0) reads 0 and 2. */
const config = loadConfig({
  ANOMALY_INSTANCE_COUNT: '2',
  ANOMALY_INSTANCE_INDEX: '0',
  ANOMALY_METRIC_LEARNING_POINTS: '30',
  ANOMALY_PARTITIONS: '4',
  ANOMALY_STREAMS_ENABLED: 'false',
});

/** The first `svc-N` name whose partition is (or is not) read by this instance. */
function serviceOn(mine: boolean): string {
  for (let i = 0; ; i++) {
    const name = `svc-${i}`;
    if (config.stream.partitions.includes(partitionOf(name, 4)) === mine)
      return name;
  }
}

function setup() {
  const registry = new Registry();
  const alerting = { post: jest.fn<Promise<void>, [AnomalyEvent[]]>() };
  const store = { write: jest.fn<Promise<number>, [AnomalyEvent[]]>() };
  alerting.post.mockResolvedValue(undefined);
  store.write.mockImplementation((events) => Promise.resolve(events.length));
  const service = new DetectionService(
    config,
    registry,
    resolveObservabilityOptions({
      metricsPrefix: PREFIX,
      serviceName: 'anomaly',
    }),
    alerting as unknown as AlertingService,
    store as unknown as AnomalyStoreService,
    new HealthRegistry(),
  );
  const counter = async (name: string, labels: Record<string, string>) => {
    const metric = await registry.getSingleMetric(`${PREFIX}${name}`)?.get();
    return (
      metric?.values.find((v) =>
        Object.entries(labels).every(([k, x]) => v.labels[k] === x),
      )?.value ?? 0
    );
  };
  return { alerting, counter, service, store };
}

/** A quiet series (value 100 ± 1) with one spike to 400 at `spikeAt`, 15 s apart, ending in the recent past. */
function series(service: string, points: number, spikeAt: number) {
  const start = Date.now() - (points + 10) * STEP_MS;
  return Array.from({ length: points }, (_, i): MetricPointEvent => ({
    '@timestamp': new Date(start + i * STEP_MS).toISOString(),
    attributes: {},
    kind: 'gauge',
    name: 'queue_depth',
    service,
    value: i === spikeAt ? 400 : 100 + Math.sin(i * 1.7),
  }));
}

const firingOf = (calls: AnomalyEvent[][]) =>
  calls.flat().filter((e) => e.status === 'firing');

describe('DetectionService', () => {
  it('does not touch Redis when the streams are off', async () => {
    const { service } = setup();
    await expect(service.onApplicationBootstrap()).resolves.toBeUndefined();
    await expect(service.onApplicationShutdown()).resolves.toBeUndefined();
  });

  it('pages and stores a metric anomaly of a service on its partitions, and serves its chart', async () => {
    const { alerting, counter, service, store } = setup();
    const name = serviceOn(true);
    for (const point of series(name, 80, 74))
      await service.observeMetric(point);

    const fired = firingOf(alerting.post.mock.calls.map(([e]) => e));
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({
      kind: 'metric',
      metric: 'queue_depth',
      service: name,
    });
    expect(fired[0].baseline.observed).toBe(400);
    // the same events went to the store
    expect(store.write.mock.calls.flatMap(([e]) => e)).toEqual(
      alerting.post.mock.calls.flatMap(([e]) => e),
    );
    expect(service.firing().map((e) => e.key)).toContain(fired[0].key);
    const png = service.chart(fired[0].key);
    expect(png?.subarray(0, 4)).toEqual(PNG_SIGNATURE);
    expect(service.chart('metric:nobody:nothing')).toBeUndefined();
    expect(
      await counter('records_consumed_total', { signal: 'prometheus' }),
    ).toBe(80);
    expect(
      await counter('alerts_posted_total', { outcome: 'ok', status: 'firing' }),
    ).toBe(1);
  });

  it("ignores a service of another instance's partition", async () => {
    const { alerting, service } = setup();
    for (const point of series(serviceOn(false), 80, 60))
      await service.observeMetric(point);
    expect(alerting.post).not.toHaveBeenCalled();
    expect(service.firing()).toEqual([]);
  });

  it('still stores the anomaly when Alertmanager fails, and counts the failure', async () => {
    const { alerting, counter, service, store } = setup();
    alerting.post.mockRejectedValue(new Error('alertmanager down'));
    for (const point of series(serviceOn(true), 80, 60))
      await service.observeMetric(point);
    expect(store.write).toHaveBeenCalled();
    expect(
      await counter('alerts_posted_total', {
        outcome: 'failed',
        status: 'firing',
      }),
    ).toBe(1);
  });

  it('counts stream records it cannot parse and feeds the valid ones to their partition', async () => {
    const { counter, service } = setup();
    const partition = config.stream.partitions[0];
    const handle = (
      service as unknown as {
        handle(partition: number, messages: StreamMessage[]): Promise<void>;
      }
    ).handle.bind(service);
    await handle(partition, [
      {
        event: '{not json',
        id: '1-0',
        stream: STREAM_KEYS.logRecords(partition),
      },
      {
        event: JSON.stringify({ level: 'info' }),
        id: '1-1',
        stream: STREAM_KEYS.logRecords(partition),
      },
      {
        event: JSON.stringify(series('svc-x', 1, -1)[0]),
        id: '1-2',
        stream: STREAM_KEYS.metricPoints(partition),
      },
    ]);
    expect(
      await counter('records_consumed_total', {
        outcome: 'invalid',
        signal: 'logs',
      }),
    ).toBe(2);
    expect(
      await counter('records_consumed_total', {
        outcome: 'ok',
        signal: 'metrics',
      }),
    ).toBe(1);
  });
});
