import {
  type OtlpSignal,
  decodeOtlpRequest,
  toEcsDocuments,
} from '@freeride/otlp';

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../..');
const TEMPLATES = join(ROOT, 'observability/elasticsearch');
const FIXTURES = join(ROOT, 'libs/otlp/src/test/fixtures/ok');

interface Mapping {
  enabled?: boolean;
  properties?: Record<string, Mapping>;
  type?: string;
}

function load(path: string): {
  template: { mappings: { properties: Record<string, Mapping> } };
} {
  return JSON.parse(readFileSync(path, 'utf8')) as {
    template: { mappings: { properties: Record<string, Mapping> } };
  };
}

function merge(
  a: Record<string, Mapping>,
  b: Record<string, Mapping>,
): Record<string, Mapping> {
  const out: Record<string, Mapping> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] =
      out[k]?.properties && v.properties
        ? { ...v, properties: merge(out[k].properties ?? {}, v.properties) }
        : v;
  }
  return out;
}

/** Field paths of a document that the mapping neither indexes nor deliberately keeps opaque. */
function unmapped(
  doc: Record<string, unknown>,
  mapping: Record<string, Mapping>,
  prefix = '',
): string[] {
  const missing: string[] = [];
  for (const [key, value] of Object.entries(doc)) {
    const field = mapping[key];
    const path = `${prefix}${key}`;
    if (!field) {
      missing.push(path);
    } else if (field.type === 'flattened' || field.enabled === false) {
      continue;
    } else if (
      field.properties &&
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value)
    ) {
      missing.push(
        ...unmapped(
          value as Record<string, unknown>,
          field.properties,
          `${path}.`,
        ),
      );
    } else if (!field.type) {
      missing.push(path);
    }
  }
  return missing;
}

const base = load(join(TEMPLATES, 'component-templates/freeride-ecs-base.json'))
  .template.mappings.properties;

describe('Elasticsearch index templates', () => {
  it.each([
    ['logs', 'logs-with-trace.json', 'freeride-logs.json'],
    ['traces', 'traces-with-events-and-links.json', 'freeride-traces.json'],
    ['metrics', 'metrics-all-types.json', 'freeride-metrics.json'],
  ] as [OtlpSignal, string, string][])(
    'map every field the OTLP → ECS mapping writes for %s',
    (signal, fixture, template) => {
      const mapping = merge(
        base,
        load(join(TEMPLATES, 'index-templates', template)).template.mappings
          .properties,
      );
      const request = decodeOtlpRequest(
        signal,
        'json',
        readFileSync(join(FIXTURES, fixture)),
      );
      const docs = toEcsDocuments(request);
      expect(docs.length).toBeGreaterThan(0);
      const missing = new Set(docs.flatMap((d) => unmapped(d.doc, mapping)));
      expect([...missing]).toEqual([]);
    },
  );

  it('reports a field the templates do not map', () => {
    const mapping = merge(
      base,
      load(join(TEMPLATES, 'index-templates/freeride-logs.json')).template
        .mappings.properties,
    );
    expect(
      unmapped(
        { log: { level: 'info', origin: { file: 'x' } }, message: 'm' },
        mapping,
      ),
    ).toEqual(['log.origin']);
  });
});
