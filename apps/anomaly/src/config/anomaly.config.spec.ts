import { ConfigValidationError } from '@freeride/observability';

import { hostname } from 'node:os';

import { loadConfig } from './anomaly.config';

describe('loadConfig', () => {
  it('fills in defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(3003);
    expect(config.stream).toMatchObject({
      assignment: 'leases',
      leaseMs: 10_000,
      partitionCount: 4,
      partitions: [0, 1, 2, 3],
    });
    // A lease owner unique per running instance, even two on one host.
    expect(config.stream.consumerName).toBe(
      `anomaly-${hostname()}-${process.pid}`,
    );
    expect(config.alertmanager.urls).toEqual(['http://127.0.0.1:9093']);
    expect(config.elasticsearch.dataStream).toBe('anomalies-freeride-default');
    expect(config.prometheus).toBeUndefined();
  });

  it('gives instance i of N the partitions p with p % N == i when static', () => {
    const config = loadConfig({
      ANOMALY_INSTANCE_COUNT: '3',
      ANOMALY_INSTANCE_INDEX: '1',
      ANOMALY_PARTITION_ASSIGNMENT: 'static',
      ANOMALY_PARTITIONS: '8',
    });
    expect(config.stream.partitions).toEqual([1, 4, 7]);
    expect(config.stream.consumerName).toBe('anomaly-1');
  });

  it('splits Alertmanager peers and Prometheus queries', () => {
    const config = loadConfig({
      ALERTMANAGER_URLS: 'http://a:9093, http://b:9093',
      ANOMALY_PROMETHEUS_QUERIES: 'up=up;lat=histogram_quantile(0.9, x)',
      PROMETHEUS_URL: 'http://127.0.0.1:9090',
    });
    expect(config.alertmanager.urls).toEqual([
      'http://a:9093',
      'http://b:9093',
    ]);
    expect(config.prometheus?.queries).toEqual([
      { name: 'up', query: 'up' },
      { name: 'lat', query: 'histogram_quantile(0.9, x)' },
    ]);
  });

  it('reports every bad variable at once, one per line as KEY: reason', () => {
    let error: unknown;
    try {
      loadConfig({
        ALERTMANAGER_URLS: 'not a url',
        ANOMALY_DATA_STREAM: 'Anomalies',
        ANOMALY_PORT: '70000',
        REDIS_URL: 'nope',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const keys = (error as ConfigValidationError).problems.map(
      (p) => p.split(':')[0],
    );
    expect(keys).toEqual(
      expect.arrayContaining([
        'ALERTMANAGER_URLS.0',
        'ANOMALY_DATA_STREAM',
        'ANOMALY_PORT',
        'REDIS_URL',
      ]),
    );
  });

  it('refuses an instance index outside the instance count', () => {
    expect(() =>
      loadConfig({
        ANOMALY_INSTANCE_COUNT: '2',
        ANOMALY_INSTANCE_INDEX: '2',
      }),
    ).toThrow(/ANOMALY_INSTANCE_INDEX: must be below ANOMALY_INSTANCE_COUNT/);
  });

  it('refuses a re-post interval that lets firing alerts expire', () => {
    expect(() =>
      loadConfig({
        ANOMALY_ALERT_REPOST_MS: '400000',
        ANOMALY_ALERT_RESOLVE_AFTER_MS: '300000',
      }),
    ).toThrow(/ANOMALY_ALERT_REPOST_MS/);
  });
});
