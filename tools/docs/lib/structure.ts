import type { MetricFact } from './metrics';

/** What the docs read from one app's code (tools/docs/extract-apps.ts). */
export interface AppFacts {
  config: {
    properties?: Record<string, JsonSchemaProperty>;
    required?: string[];
  };
  metrics: MetricFact[];
  name: string;
  openapi: Record<string, unknown> & {
    paths?: Record<string, Record<string, unknown>>;
  };
}

export interface JsonSchemaProperty {
  default?: unknown;
  description?: string;
  enum?: unknown[];
  format?: string;
  maximum?: number;
  minimum?: number;
  type?: string | string[];
  anyOf?: JsonSchemaProperty[];
  [key: string]: unknown;
}

/** The project structure document (tools/docs/structure.schema.json). */
export interface StructureDocument {
  commit?: string;
  generatedAt: string;
  projects: ProjectEntry[];
  version: string;
}

export interface ProjectEntry {
  configKeys: {
    default?: unknown;
    name: string;
    required: boolean;
    type: string;
  }[];
  dependencies: { project: string; type: 'dynamic' | 'implicit' | 'static' }[];
  kind: 'app' | 'lib';
  metrics: {
    help: string;
    labels: string[];
    name: string;
    type: MetricFact['type'];
  }[];
  name: string;
  root: string;
  routes: { method: string; path: string; summary?: string }[];
  tags: string[];
}

/** The part of `nx graph --file=...` the structure reads. */
export interface NxGraphFile {
  graph: {
    dependencies: Record<string, { target: string; type: string }[]>;
    nodes: Record<
      string,
      { data: { root: string; tags?: string[] }; name: string; type: string }
    >;
  };
}

const HTTP_METHODS = [
  'get',
  'post',
  'put',
  'patch',
  'delete',
  'head',
  'options',
];

export function typeOf(p: JsonSchemaProperty): string {
  if (p.enum) return p.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (p.type)
    return Array.isArray(p.type)
      ? p.type.join(' | ')
      : p.format
        ? `${p.type} (${p.format})`
        : p.type;
  if (p.anyOf) return p.anyOf.map(typeOf).join(' | ');
  return 'any';
}

/** Routes of an OpenAPI document, in path order. */
export function routesOf(openapi: AppFacts['openapi']): ProjectEntry['routes'] {
  return Object.entries(openapi.paths ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([path, ops]) =>
      HTTP_METHODS.filter((m) => m in ops).map((m) => {
        const op = ops[m] as { summary?: string };
        return {
          method: m.toUpperCase(),
          path,
          ...(op.summary ? { summary: op.summary } : {}),
        };
      }),
    );
}

/** Config keys of an app's JSON Schema, alphabetical. */
export function configKeysOf(
  config: AppFacts['config'],
): ProjectEntry['configKeys'] {
  const required = new Set(config.required ?? []);
  return Object.entries(config.properties ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, p]) => ({
      name,
      required: required.has(name) && p.default === undefined,
      type: typeOf(p),
      ...(p.default !== undefined ? { default: p.default } : {}),
    }));
}

/** One document from the Nx project graph and what each app's code says about it. */
export function buildStructure(
  graph: NxGraphFile,
  facts: AppFacts[],
  meta: { commit?: string; generatedAt: string; version: string },
): StructureDocument {
  const byApp = new Map(facts.map((f) => [f.name, f]));
  const projects = Object.values(graph.graph.nodes)
    .filter((n) => /^(apps|libs)\//.test(n.data.root))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((node): ProjectEntry => {
      const app = byApp.get(node.name);
      return {
        configKeys: app ? configKeysOf(app.config) : [],
        dependencies: (graph.graph.dependencies[node.name] ?? [])
          .filter((d) => !d.target.startsWith('npm:'))
          .map((d) => ({ project: d.target, type: d.type as 'static' }))
          .sort((a, b) => a.project.localeCompare(b.project)),
        kind: node.type === 'app' ? 'app' : 'lib',
        metrics: app
          ? app.metrics.map(({ help, labels, name, type }) => ({
              help,
              labels,
              name,
              type,
            }))
          : [],
        name: node.name,
        root: node.data.root,
        routes: app ? routesOf(app.openapi) : [],
        tags: [...(node.data.tags ?? [])].sort(),
      };
    });
  return {
    ...(meta.commit ? { commit: meta.commit } : {}),
    generatedAt: meta.generatedAt,
    projects,
    version: meta.version,
  };
}
