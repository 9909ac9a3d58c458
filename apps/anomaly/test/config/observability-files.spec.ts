import { execFileSync } from 'node:child_process';
import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';

import { findBinary } from '../support/testing';

const ROOT = resolve(__dirname, '../../../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const readJson = <T>(path: string) => JSON.parse(read(path)) as T;

interface Mapping {
  properties?: Record<string, Mapping>;
  type?: string;
}

function fieldsOf(
  properties: Record<string, Mapping> | undefined,
  prefix = '',
): string[] {
  return Object.entries(properties ?? {}).flatMap(([name, mapping]) =>
    mapping.properties
      ? fieldsOf(mapping.properties, `${prefix}${name}.`)
      : [`${prefix}${name}`],
  );
}

function templateFields(...paths: string[]): Set<string> {
  return new Set(
    paths.flatMap((path) =>
      fieldsOf(
        readJson<{
          template: { mappings: { properties: Record<string, Mapping> } };
        }>(path).template.mappings.properties,
      ),
    ),
  );
}

/** Fields of each data view pattern, from the index templates that serve it. */
const FIELDS_BY_PATTERN: Record<string, Set<string>> = {
  'anomalies-*': templateFields(
    'apps/anomaly/src/anomalies/anomalies-index-template.json',
  ),
  'logs-*': templateFields(
    'observability/elasticsearch/component-templates/freeride-ecs-base.json',
    'observability/elasticsearch/index-templates/freeride-logs.json',
  ),
  'traces-*': templateFields(
    'observability/elasticsearch/component-templates/freeride-ecs-base.json',
    'observability/elasticsearch/index-templates/freeride-traces.json',
  ),
};

/** Field names a KQL query filters on (`field : value`). */
function kqlFields(query: string): string[] {
  return [...query.matchAll(/([@\w][\w.@]*)\s*:/g)].map((m) => m[1] ?? '');
}

/** Every string anywhere in the source of apps and libs: where metric names are declared. */
function declaredSource(): string {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
        out.push(readFileSync(path, 'utf8'));
    }
  };
  for (const top of ['apps', 'libs']) {
    for (const project of readdirSync(join(ROOT, top))) {
      try {
        walk(join(ROOT, top, project, 'src'));
      } catch {
        // a project without src yet
      }
    }
  }
  return out.join('\n');
}

describe('observability/prometheus', () => {
  const promtool = () => findBinary(['promtool'], 'prometheus');

  it('passes promtool check config, rule files included', () => {
    const out = execFileSync(
      promtool(),
      ['check', 'config', 'observability/prometheus/prometheus.yml'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(out).toContain('SUCCESS');
  });

  it('loads every rules/*.rules.yml and scrapes every app port', () => {
    const config = parse(read('observability/prometheus/prometheus.yml')) as {
      rule_files: string[];
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    expect(config.rule_files).toEqual(['rules/*.rules.yml']);
    const targets = config.scrape_configs.flatMap((s) =>
      s.static_configs.flatMap((c) => c.targets),
    );
    expect(targets).toEqual(
      expect.arrayContaining([
        '127.0.0.1:4318',
        '127.0.0.1:3001',
        '127.0.0.1:3002',
        '127.0.0.1:3003',
      ]),
    );
  });

  it('passes every promtool rules unit test in tests/', () => {
    const tests = readdirSync(
      join(ROOT, 'observability/prometheus/tests'),
    ).filter((f) => f.endsWith('.test.yml'));
    expect(tests).toContain('platform.test.yml');
    const out = execFileSync(promtool(), ['test', 'rules', ...tests], {
      cwd: join(ROOT, 'observability/prometheus/tests'),
      encoding: 'utf8',
    });
    expect(out).not.toContain('FAILED');
  });

  it('parses the PromQL of every Grafana panel (promtool check rules)', () => {
    const exprs = dashboards().flatMap(({ dashboard }) =>
      dashboard.panels.flatMap((p) =>
        (p.targets ?? []).flatMap((t) => (t.expr ? [t.expr] : [])),
      ),
    );
    expect(exprs.length).toBeGreaterThan(10);
    const dir = mkdtempSync(join(tmpdir(), 'freeride-promql-'));
    try {
      const rules = {
        groups: [
          {
            name: 'grafana',
            rules: exprs.map((expr, i) => ({
              expr: expr.replaceAll('$__rate_interval', '5m'),
              record: `grafana:panel_${i}`,
            })),
          },
        ],
      };
      writeFileSync(join(dir, 'panels.rules.yml'), stringify(rules));
      const out = execFileSync(
        promtool(),
        ['check', 'rules', join(dir, 'panels.rules.yml')],
        { encoding: 'utf8' },
      );
      expect(out).toContain('SUCCESS');
    } finally {
      rmSync(dir, { force: true, recursive: true });
    }
  });

  it('uses only freeride_* metrics that some app or lib declares', () => {
    const source = declaredSource();
    const texts = [
      read('observability/prometheus/rules/platform.rules.yml'),
      read('grafana/dashboards/ingest.json'),
      read('grafana/dashboards/anomaly.json'),
    ];
    const used = new Set(
      texts.flatMap((t) =>
        [...t.matchAll(/freeride_[a-z_]+/g)].map((m) =>
          m[0].replace(/_(bucket|count|sum)$/, ''),
        ),
      ),
    );
    // Apps declare their metrics as `${metricsPrefix}<suffix>`, the prefix
    // (`freeride_<app>_`) coming from the ObservabilityModule options.
    const missing = [...used].filter(
      (name) =>
        !source.includes(name) &&
        !source.includes(`}${name.replace(/^freeride_[a-z]+_/, '')}`),
    );
    expect(missing).toEqual([]);
  });
});

describe('observability/alertmanager', () => {
  const config = parse(read('observability/alertmanager/alertmanager.yml')) as {
    receivers: Record<string, unknown>[];
    route: { routes: { matchers?: string[]; receiver: string }[] };
  };

  it('passes amtool check-config', () => {
    const amtool = findBinary(['amtool'], 'prometheus-alertmanager');
    const dir = mkdtempSync(join(tmpdir(), 'freeride-am-check-'));
    try {
      writeFileSync(
        join(dir, 'alertmanager.yml'),
        read('observability/alertmanager/alertmanager.yml').replace(
          'templates/',
          `${join(ROOT, 'observability/alertmanager/templates')}/`,
        ),
      );
      const out = execFileSync(
        amtool,
        ['check-config', join(dir, 'alertmanager.yml')],
        { encoding: 'utf8' },
      );
      expect(out).toContain('SUCCESS');
    } finally {
      rmSync(dir, { force: true, recursive: true });
    }
  });

  it('configures webhook, Slack, email and PagerDuty receivers with secrets only from files', () => {
    const kinds = config.receivers.flatMap((r) =>
      Object.keys(r).filter((k) => k.endsWith('_configs')),
    );
    expect(kinds.sort()).toEqual([
      'email_configs',
      'pagerduty_configs',
      'slack_configs',
      'webhook_configs',
    ]);
    const text = read('observability/alertmanager/alertmanager.yml');
    expect(text).toMatch(/api_url_file:/);
    expect(text).toMatch(/auth_password_file:/);
    expect(text).toMatch(/routing_key_file:/);
    expect(text).not.toMatch(
      /^\s*(api_url|auth_password|routing_key|service_key):/m,
    );
  });

  it('routes by severity', () => {
    const matchers = config.route.routes.map(
      (r) => `${r.receiver}:${(r.matchers ?? []).join(',')}`,
    );
    expect(matchers).toEqual(
      expect.arrayContaining([
        'pagerduty:severity="critical"',
        'email:severity="info"',
      ]),
    );
  });
});

interface SavedObject {
  attributes: Record<string, unknown> & {
    kibanaSavedObjectMeta?: { searchSourceJSON: string };
    title: string;
  };
  id: string;
  references: { id: string; name: string; type: string }[];
  type: string;
}

describe('observability/kibana/saved-objects.ndjson', () => {
  const objects = read('observability/kibana/saved-objects.ndjson')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SavedObject);
  const byId = new Map(objects.map((o) => [`${o.type}:${o.id}`, o]));

  it('has data views for logs, traces and anomalies, and the saved searches', () => {
    const views = objects
      .filter((o) => o.type === 'index-pattern')
      .map((o) => o.attributes.title);
    expect(views.sort()).toEqual(['anomalies-*', 'logs-*', 'traces-*']);
    const searches = objects
      .filter((o) => o.type === 'search')
      .map((o) => o.attributes.title);
    expect(searches).toEqual(
      expect.arrayContaining([
        'Errors by service',
        'One trace: log lines',
        'One trace: spans',
      ]),
    );
  });

  it('names the data view the anomaly Discover links use', () => {
    expect(byId.has('index-pattern:freeride-logs')).toBe(true);
  });

  it.each(
    objects
      .filter((o) => o.type === 'search')
      .map((o) => [o.attributes.title, o] as const),
  )(
    'saved search %s references an existing data view and only mapped fields',
    (_title, search) => {
      const ref = search.references[0];
      const view = byId.get(`index-pattern:${ref?.id ?? ''}`);
      expect(view).toBeDefined();
      const fields =
        FIELDS_BY_PATTERN[view?.attributes.title ?? ''] ?? new Set<string>();
      const source = JSON.parse(
        search.attributes.kibanaSavedObjectMeta?.searchSourceJSON ?? '{}',
      ) as {
        indexRefName: string;
        query: { query: string };
      };
      expect(source.indexRefName).toBe(ref?.name);
      const used = [
        ...(search.attributes['columns'] as string[]),
        ...kqlFields(source.query.query),
        ...(search.attributes['breakdownField']
          ? [search.attributes['breakdownField'] as string]
          : []),
      ];
      expect(used.filter((f) => !fields.has(f))).toEqual([]);
    },
  );
});

interface Panel {
  datasource?: { type: string; uid: string };
  targets?: {
    bucketAggs?: { field?: string }[];
    datasource?: { uid: string };
    expr?: string;
    query?: string;
    timeField?: string;
  }[];
  transformations?: { options: { includeByName?: Record<string, boolean> } }[];
  type: string;
}

function dashboards(): {
  dashboard: { panels: Panel[]; title: string; uid: string };
  file: string;
}[] {
  return readdirSync(join(ROOT, 'grafana/dashboards'))
    .filter(
      (f) => f.endsWith('.json') && ['ingest.json', 'anomaly.json'].includes(f),
    )
    .map((file) => ({
      dashboard: readJson(`grafana/dashboards/${file}`),
      file,
    }));
}

describe('grafana', () => {
  const datasources = (
    parse(read('grafana/provisioning/datasources/freeride.yml')) as {
      datasources: {
        jsonData?: { index?: string };
        type: string;
        uid: string;
      }[];
    }
  ).datasources;
  const uids = new Map(datasources.map((d) => [d.uid, d]));

  it('provisions every dashboard of grafana/dashboards/ from one folder', () => {
    const provider = (
      parse(read('grafana/provisioning/dashboards/freeride.yml')) as {
        providers: { options: { path: string }; type: string }[];
      }
    ).providers[0];
    expect(provider?.type).toBe('file');
    expect(provider?.options.path).toContain('/var/lib/grafana/dashboards');
  });

  it('ships the ingest and anomaly dashboards with unique uids', () => {
    const list = dashboards();
    expect(list.map((d) => d.file).sort()).toEqual([
      'anomaly.json',
      'ingest.json',
    ]);
    expect(new Set(list.map((d) => d.dashboard.uid)).size).toBe(list.length);
  });

  it.each(dashboards().map((d) => [d.file, d.dashboard] as const))(
    '%s uses provisioned data sources and only mapped Elasticsearch fields',
    (_file, dashboard) => {
      for (const panel of dashboard.panels) {
        const ds = uids.get(panel.datasource?.uid ?? '');
        expect(ds).toBeDefined();
        for (const target of panel.targets ?? []) {
          expect(target.datasource?.uid).toBe(panel.datasource?.uid);
          if (ds?.type !== 'elasticsearch') continue;
          const fields =
            FIELDS_BY_PATTERN[ds.jsonData?.index ?? ''] ?? new Set<string>();
          const used = [
            target.timeField ?? '',
            ...(target.bucketAggs ?? []).flatMap((a) =>
              a.field ? [a.field] : [],
            ),
            ...kqlFields((target.query ?? '').replace(/ AND | OR /g, ' ')),
            ...(panel.transformations ?? []).flatMap((t) =>
              Object.keys(t.options.includeByName ?? {}),
            ),
          ];
          expect(used.filter((f) => !fields.has(f))).toEqual([]);
        }
      }
    },
  );
});
