import { convert } from 'xmlbuilder2';

import { type AppFacts, type NxGraphFile, buildStructure } from './structure';
import { structureToXml, validateStructure } from './structure-formats';

const graph: NxGraphFile = {
  graph: {
    dependencies: {
      docs: [],
      'market-data': [{ target: 'npm:cockatiel', type: 'static' }],
      'market-gateway': [
        { target: 'observability', type: 'static' },
        { target: 'market-data', type: 'static' },
      ],
      observability: [],
    },
    nodes: {
      docs: {
        data: { root: 'tools/docs', tags: ['type:tooling'] },
        name: 'docs',
        type: 'app',
      },
      'market-data': {
        data: { root: 'libs/market-data', tags: ['type:core', 'scope:market'] },
        name: 'market-data',
        type: 'lib',
      },
      'market-gateway': {
        data: {
          root: 'apps/market-gateway',
          tags: ['type:app', 'scope:market'],
        },
        name: 'market-gateway',
        type: 'app',
      },
      observability: {
        data: {
          root: 'libs/observability',
          tags: ['type:nest', 'scope:shared'],
        },
        name: 'observability',
        type: 'lib',
      },
    },
  },
};

const gateway: AppFacts = {
  config: {
    properties: {
      GATEWAY_PORT: {
        default: 3001,
        maximum: 65535,
        minimum: 1,
        type: 'integer',
      },
      LOG_LEVEL: { default: 'info', enum: ['debug', 'info'], type: 'string' },
      MASSIVE_API_KEYS: { type: 'string' },
    },
    required: ['GATEWAY_PORT', 'LOG_LEVEL', 'MASSIVE_API_KEYS'],
  },
  metrics: [
    {
      help: 'Times the router left a provider',
      labels: ['from'],
      name: 'freeride_gateway_provider_failovers_total',
      source: 'x.ts',
      type: 'counter',
    },
  ],
  name: 'market-gateway',
  openapi: {
    paths: {
      '/v1/quotes/{symbol}': { get: { summary: 'A quote' }, parameters: [] },
      '/health/live': { get: {} },
    },
  },
};

const meta = {
  commit: 'abc1234',
  generatedAt: '2026-11-30T03:00:00.000Z',
  version: 'v1.2.3',
};

describe('the structure document', () => {
  const doc = buildStructure(graph, [gateway], meta);

  it('lists apps and libs from the project graph with tags and workspace dependencies only', () => {
    expect(doc.projects.map((p) => p.name)).toEqual([
      'market-data',
      'market-gateway',
      'observability',
    ]);
    const app = doc.projects[1];
    expect(app).toMatchObject({
      kind: 'app',
      root: 'apps/market-gateway',
      tags: ['scope:market', 'type:app'],
    });
    expect(app.dependencies).toEqual([
      { project: 'market-data', type: 'static' },
      { project: 'observability', type: 'static' },
    ]);
    expect(doc.projects[0].dependencies).toEqual([]);
  });

  it('takes routes from OpenAPI, config keys from the JSON Schema and metrics from the code', () => {
    const app = doc.projects[1];
    expect(app.routes).toEqual([
      { method: 'GET', path: '/health/live' },
      { method: 'GET', path: '/v1/quotes/{symbol}', summary: 'A quote' },
    ]);
    expect(app.configKeys).toEqual([
      { default: 3001, name: 'GATEWAY_PORT', required: false, type: 'integer' },
      {
        default: 'info',
        name: 'LOG_LEVEL',
        required: false,
        type: '"debug" | "info"',
      },
      { name: 'MASSIVE_API_KEYS', required: true, type: 'string' },
    ]);
    expect(app.metrics).toEqual([
      {
        help: 'Times the router left a provider',
        labels: ['from'],
        name: 'freeride_gateway_provider_failovers_total',
        type: 'counter',
      },
    ]);
  });

  it('validates against its schema, and a broken one is rejected naming the fault', () => {
    expect(() => validateStructure(doc)).not.toThrow();
    const broken = structuredClone(doc) as unknown as {
      projects: { kind: string; metrics: { name: string }[] }[];
    };
    broken.projects[0].kind = 'service';
    broken.projects[1].metrics[0].name = 'bad name';
    expect(() => validateStructure(broken)).toThrow(
      /\/projects\/0\/kind[\s\S]*\/projects\/1\/metrics\/0\/name/,
    );
  });

  it('renders the same projects, routes, keys and metrics to XML', () => {
    const xml = structureToXml(doc);
    const parsed = convert(xml, { format: 'object' }) as {
      structure: {
        '@version': string;
        project: { '@name': string; routes: { route: unknown } }[];
      };
    };
    expect(parsed.structure['@version']).toBe('v1.2.3');
    expect(parsed.structure.project.map((p) => p['@name'])).toEqual([
      'market-data',
      'market-gateway',
      'observability',
    ]);
    expect(xml).toContain(
      '<route method="GET" path="/v1/quotes/{symbol}" summary="A quote"/>',
    );
    expect(xml).toContain(
      '<configKey name="MASSIVE_API_KEYS" required="true" type="string"/>',
    );
    expect(xml).toContain('<help>Times the router left a provider</help>');
  });
});
