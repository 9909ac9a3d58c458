import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Registry, collectDefaultMetrics } from 'prom-client';
import ts from 'typescript';

/** One Prometheus metric an app exports. */
export interface MetricFact {
  help: string;
  labels: string[];
  name: string;
  /** Where it is registered: a source file, or `prom-client default metrics`. */
  source: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary';
}

const CONSTRUCTORS: Record<string, MetricFact['type']> = {
  Counter: 'counter',
  Gauge: 'gauge',
  Histogram: 'histogram',
  Summary: 'summary',
};

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry) && !/\.(spec|e2e-spec|test)\.ts$/.test(entry)
      ? [path]
      : [];
  });
}

/** The `@freeride/*` libraries the app uses, directly or through other libraries. */
function libraryDirs(root: string, appSrc: string): string[] {
  const seen = new Set<string>();
  const queue = [appSrc];
  while (queue.length > 0) {
    const dir = queue.pop() as string;
    for (const file of sourceFiles(dir)) {
      for (const m of readFileSync(file, 'utf8').matchAll(
        /from '@freeride\/([\w-]+)/g,
      )) {
        const lib = join(root, 'libs', m[1], 'src');
        if (m[1] !== 'testing' && !seen.has(lib) && existsSync(lib)) {
          seen.add(lib);
          queue.push(lib);
        }
      }
    }
  }
  return [...seen].sort();
}

function stringValue(
  node: ts.Expression,
  prefix: string,
  where: string,
): string {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))
    return node.text;
  if (ts.isTemplateExpression(node)) {
    let out = node.head.text;
    for (const span of node.templateSpans) {
      // Metric names are built only from the app's prefix (`${prefix}` or METRICS_PREFIX).
      if (!/prefix/i.test(span.expression.getText())) {
        throw new Error(
          `${where}: metric name built from ${span.expression.getText()}`,
        );
      }
      out += prefix + span.literal.text;
    }
    return out;
  }
  throw new Error(`${where}: metric name is not a literal (${node.getText()})`);
}

/** The metrics registered by prom-client constructors in the files under `dirs`. */
export function declaredMetrics(
  root: string,
  dirs: string[],
  prefix: string,
): MetricFact[] {
  const out: MetricFact[] = [];
  for (const file of dirs.flatMap(sourceFiles)) {
    const text = readFileSync(file, 'utf8');
    if (!/new (Counter|Gauge|Histogram|Summary)\b/.test(text)) continue;
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2023, true);
    const rel = file.slice(root.length + 1);
    const visit = (node: ts.Node): void => {
      if (
        ts.isNewExpression(node) &&
        ts.isIdentifier(node.expression) &&
        CONSTRUCTORS[node.expression.text] &&
        node.arguments?.[0] &&
        ts.isObjectLiteralExpression(node.arguments[0])
      ) {
        const props = new Map<string, ts.Expression>();
        for (const p of node.arguments[0].properties) {
          if (ts.isPropertyAssignment(p))
            props.set(p.name.getText(), p.initializer);
        }
        const name = props.get('name');
        const help = props.get('help');
        if (name && help) {
          const labels = props.get('labelNames');
          out.push({
            help: stringValue(help, prefix, rel),
            labels:
              labels && ts.isArrayLiteralExpression(labels)
                ? labels.elements.map((e) => stringValue(e, prefix, rel))
                : [],
            name: stringValue(name, prefix, rel),
            source: rel,
            type: CONSTRUCTORS[node.expression.text],
          });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return out;
}

/** prom-client's default metrics (process, heap, event loop) as the app registers them. */
export async function defaultMetrics(prefix: string): Promise<MetricFact[]> {
  const registry = new Registry();
  collectDefaultMetrics({ prefix, register: registry });
  const metrics = await registry.getMetricsAsJSON();
  return metrics.map((m) => ({
    help: m.help,
    labels: [],
    name: m.name,
    source: 'prom-client default metrics',
    type: String(m.type) as MetricFact['type'],
  }));
}

/** Every metric the app exports: its own, its libraries', and the default ones under its prefix. */
export async function appMetrics(
  root: string,
  app: string,
): Promise<MetricFact[]> {
  const appSrc = join(root, 'apps', app, 'src');
  const prefixMatch = sourceFiles(appSrc)
    .map((f) => /metricsPrefix:\s*'([a-z_]+)'/.exec(readFileSync(f, 'utf8')))
    .find(Boolean);
  const prefix = prefixMatch ? prefixMatch[1] : '';
  const declared = declaredMetrics(
    root,
    [appSrc, ...libraryDirs(root, appSrc)],
    prefix,
  );
  const all = [...declared, ...(await defaultMetrics(prefix))];
  const byName = new Map(all.map((m) => [m.name, m]));
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
