import { ConfigValidationError } from '@freeride/observability';

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { loadConfig } from './ingest.config';

const TOKENS =
  'python=python-token-0123456789,wordpress=wordpress-token-0123456789';

describe('loadConfig', () => {
  it('fills in defaults and maps tokens to their source', () => {
    const config = loadConfig({ INGEST_TOKENS: TOKENS });
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 4318 });
    expect(config.tokens.get('python-token-0123456789')).toBe('python');
    expect(config.stream.highWaterBytes).toBe(256 * 1024 * 1024);
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
  });

  it('takes every node of an Elasticsearch cluster from ELASTICSEARCH_URL', () => {
    expect(loadConfig({ INGEST_TOKENS: TOKENS }).elasticsearch.nodes).toEqual([
      'http://127.0.0.1:9200',
    ]);
    expect(
      loadConfig({
        ELASTICSEARCH_URL: 'http://es-1:9200,http://es-2:9200,http://es-3:9200',
        INGEST_TOKENS: TOKENS,
      }).elasticsearch.nodes,
    ).toEqual(['http://es-1:9200', 'http://es-2:9200', 'http://es-3:9200']);
    expect(() =>
      loadConfig({
        ELASTICSEARCH_URL: 'http://es-1:9200,es-2',
        INGEST_TOKENS: TOKENS,
      }),
    ).toThrow(/ELASTICSEARCH_URL: "es-2" is not an http\(s\) URL/);
  });

  it('reads tokens from a mounted secret file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ingest-config-'));
    writeFileSync(join(dir, 'tokens'), 'node=node-token-0123456789abcdef\n');
    const config = loadConfig({
      INGEST_TOKENS_FILE: join(dir, 'tokens'),
    });
    expect(config.tokens.get('node-token-0123456789abcdef')).toBe('node');
  });

  it('reports every bad key at once, one per line', () => {
    let error: unknown;
    try {
      loadConfig({
        INGEST_HIGH_WATER_BYTES: '-1',
        INGEST_PORT: 'http',
        REDIS_URL: 'not a url',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const keys = (error as ConfigValidationError).problems
      .map((p) => p.split(':')[0])
      .sort();
    expect(keys).toEqual([
      'INGEST_HIGH_WATER_BYTES',
      'INGEST_PORT',
      'INGEST_TOKENS',
      'REDIS_URL',
    ]);
  });

  it('rejects a short token without echoing it', () => {
    expect(() => loadConfig({ INGEST_TOKENS: 'python=short' })).toThrow(
      /INGEST_TOKENS: each entry must be source=token with a token of at least 16 characters/,
    );
    expect(() => loadConfig({ INGEST_TOKENS: 'python=short' })).not.toThrow(
      /short/,
    );
  });

  it('reads per-source write policies and the accepted time window', () => {
    const config = loadConfig({
      INGEST_SOURCE_POLICIES: JSON.stringify({
        python: { datasets: ['market.*'], services: ['freeride-fetch'] },
      }),
      INGEST_TIME_WINDOW_FUTURE_SECONDS: '60',
      INGEST_TOKENS: TOKENS,
    });
    expect(config.sourcePolicies.get('python')).toEqual({
      datasets: ['market.*'],
      services: ['freeride-fetch'],
    });
    expect(config.timeWindow).toEqual({
      futureMs: 60_000,
      pastMs: 7 * 24 * 3600 * 1000,
    });
  });

  it('rejects a policy that is not JSON or has an unknown key', () => {
    expect(() =>
      loadConfig({ INGEST_SOURCE_POLICIES: '{', INGEST_TOKENS: TOKENS }),
    ).toThrow(/INGEST_SOURCE_POLICIES: must be a JSON object/);
    expect(() =>
      loadConfig({
        INGEST_SOURCE_POLICIES: '{"node":{"indices":["x"]}}',
        INGEST_TOKENS: TOKENS,
      }),
    ).toThrow(/INGEST_SOURCE_POLICIES/);
  });
});
