/**
 * Markdown pages of the site generated from the repository and from what
 * extract-apps.ts read from each app. Markdown only: VitePress renders it.
 */
import { basename, dirname, relative } from 'node:path';

import { cell, codeCell } from './markdown';
import type { AppFacts, StructureDocument } from './structure';
import { configKeysOf, routesOf, typeOf } from './structure';

export interface Page {
  /** Path under docs/, e.g. `reference/config/ingest.md`. */
  file: string;
  content: string;
}

/**
 * Link from a page to a file of docs/public/: relative, so it holds under any
 * base (VitePress prefixes the base only to links of pages).
 */
export function assetLink(fromPage: string, asset: string): string {
  return relative(dirname(fromPage), asset);
}

/** Site link of a generated page file. */
export function linkOf(file: string): string {
  return `/${file.replace(/(^|\/)index\.md$/, '$1').replace(/\.md$/, '')}`;
}

/** `apps/ingest/README.md` → `reference/readme/apps-ingest.md`; the root README → `reference/readme/index.md`. */
export function readmePageFile(path: string): string {
  if (path === 'README.md') return 'reference/readme/index.md';
  return `reference/readme/${path.replace(/\/README\.md$/, '').replace(/\//g, '-')}.md`;
}

export function runbookPageFile(path: string): string {
  return `reference/runbooks/${basename(path)}`;
}

export function apiPages(apps: AppFacts[], version: string): Page[] {
  const index = [
    '# HTTP APIs',
    '',
    `The OpenAPI documents of release ${version}, exported from each service's Nest module at build time.`,
    '',
    '| service | routes | OpenAPI document |',
    '| --- | --- | --- |',
    ...apps.map(
      (a) =>
        `| [${a.name}](./${a.name}) | ${routesOf(a.openapi).length} | [${a.name}.json](${assetLink('reference/api/index.md', `openapi/${a.name}.json`)}){target="_self"} |`,
    ),
    '',
  ].join('\n');
  return [
    { content: index, file: 'reference/api/index.md' },
    ...apps.map((a) => {
      const info = a.openapi.info as {
        description?: string;
        title?: string;
        version?: string;
      };
      const routes = routesOf(a.openapi);
      return {
        content: [
          `# ${a.name} HTTP API`,
          '',
          `${cell(info.description)} (OpenAPI \`info.version\` ${codeCell(info.version)}; [document](${assetLink(`reference/api/${a.name}.md`, `openapi/${a.name}.json`)}){target="_self"}).`,
          '',
          '| method | path | summary |',
          '| --- | --- | --- |',
          ...routes.map(
            (r) => `| ${r.method} | ${codeCell(r.path)} | ${cell(r.summary)} |`,
          ),
          '',
          '## Reference',
          '',
          '<ClientOnly>',
          `  <ApiReference spec="/openapi/${a.name}.json" />`,
          '</ClientOnly>',
          '',
        ].join('\n'),
        file: `reference/api/${a.name}.md`,
      };
    }),
  ];
}

export function configPages(apps: AppFacts[]): Page[] {
  const index = [
    '# Configuration',
    '',
    'Every app reads its settings from the environment and validates them at start with the zod schema of `apps/<app>/src/config/<app>.config.ts`; a bad setting stops start-up with every bad key named. These tables are generated from those schemas.',
    '',
    '| app | keys | required |',
    '| --- | --- | --- |',
    ...apps.map((a) => {
      const keys = configKeysOf(a.config);
      return `| [${a.name}](./${a.name}) | ${keys.length} | ${keys
        .filter((k) => k.required)
        .map((k) => codeCell(k.name))
        .join(', ')} |`;
    }),
    '',
  ].join('\n');
  return [
    { content: index, file: 'reference/config/index.md' },
    ...apps.map((a) => {
      const props = a.config.properties ?? {};
      const rows = configKeysOf(a.config).map((k) => {
        const p = props[k.name];
        const limits = [
          p.minimum !== undefined ? `≥ ${p.minimum}` : '',
          p.maximum !== undefined && p.maximum < Number.MAX_SAFE_INTEGER
            ? `≤ ${p.maximum}`
            : '',
          p.minLength !== undefined ? `length ≥ ${Number(p.minLength)}` : '',
          p.pattern !== undefined ? `pattern ${codeCell(p.pattern)}` : '',
        ].filter(Boolean);
        return `| ${codeCell(k.name)} | ${cell(typeOf(p))} | ${k.default !== undefined ? codeCell(k.default) : ''} | ${k.required ? 'yes' : ''} | ${limits.join(', ')} | ${cell(p.description)} |`;
      });
      return {
        content: [
          `# ${a.name} configuration`,
          '',
          `Generated from the zod schema in \`apps/${a.name}/src/config/${a.name}.config.ts\`.`,
          '',
          '| variable | type | default | required | limits | description |',
          '| --- | --- | --- | --- | --- | --- |',
          ...rows,
          '',
        ].join('\n'),
        file: `reference/config/${a.name}.md`,
      };
    }),
  ];
}

export function metricsPages(apps: AppFacts[]): Page[] {
  const index = [
    '# Metrics',
    '',
    "Each app serves Prometheus metrics on `/metrics`. The lists are read from the code: the prom-client metrics constructed in the app's sources and in the libraries it uses, and prom-client's default metrics under the app's prefix.",
    '',
    '| app | own metrics | default metrics |',
    '| --- | --- | --- |',
    ...apps.map((a) => {
      const own = a.metrics.filter(
        (m) => m.source !== 'prom-client default metrics',
      ).length;
      return `| [${a.name}](./${a.name}) | ${own} | ${a.metrics.length - own} |`;
    }),
    '',
  ].join('\n');
  return [
    { content: index, file: 'reference/metrics/index.md' },
    ...apps.map((a) => {
      const table = (ms: AppFacts['metrics']): string[] => [
        '| metric | type | labels | help | registered in |',
        '| --- | --- | --- | --- | --- |',
        ...ms.map(
          (m) =>
            `| ${codeCell(m.name)} | ${m.type} | ${m.labels.map(codeCell).join(', ')} | ${cell(m.help)} | ${codeCell(m.source)} |`,
        ),
      ];
      const own = a.metrics.filter(
        (m) => m.source !== 'prom-client default metrics',
      );
      const defaults = a.metrics.filter(
        (m) => m.source === 'prom-client default metrics',
      );
      return {
        content: [
          `# ${a.name} metrics`,
          '',
          '## Application metrics',
          '',
          ...table(own),
          '',
          '## Process and runtime metrics',
          '',
          ...table(defaults),
          '',
        ].join('\n'),
        file: `reference/metrics/${a.name}.md`,
      };
    }),
  ];
}

export function structurePage(doc: StructureDocument): Page {
  const lines = [
    '# Project structure',
    '',
    `One document describes the projects of release ${doc.version}: [structure.json](${assetLink('reference/structure.md', 'structure/structure.json')}){target="_self"}, valid against [structure.schema.json](${assetLink('reference/structure.md', 'structure/structure.schema.json')}){target="_self"}. The build renders it to [XML](${assetLink('reference/structure.md', 'structure/structure.xml')}){target="_self"} and, from this page, to [PDF](${assetLink('reference/structure.md', 'structure/structure.pdf')}){target="_self"}. Dependencies and tags come from the Nx project graph.`,
    '',
    '| project | kind | tags | depends on | routes | config keys | metrics |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...doc.projects.map(
      (p) =>
        `| ${p.name} | ${p.kind} | ${p.tags.map(codeCell).join(' ')} | ${p.dependencies.map((d) => d.project).join(', ')} | ${p.routes.length} | ${p.configKeys.length} | ${p.metrics.length} |`,
    ),
    '',
  ];
  for (const p of doc.projects.filter((x) => x.kind === 'app')) {
    lines.push(
      `## ${p.name}`,
      '',
      `Root \`${p.root}\`; tags ${p.tags.map(codeCell).join(', ')}.`,
      '',
    );
    lines.push('### Routes', '', '| method | path |', '| --- | --- |');
    lines.push(
      ...p.routes.map((r) => `| ${r.method} | ${codeCell(r.path)} |`),
      '',
    );
    lines.push(
      '### Config keys',
      '',
      p.configKeys.map((k) => codeCell(k.name)).join(', '),
      '',
    );
    lines.push(
      '### Metrics',
      '',
      p.metrics.map((m) => codeCell(m.name)).join(', '),
      '',
    );
  }
  return { content: lines.join('\n'), file: 'reference/structure.md' };
}
