/**
 * `npm run docs`: builds the documentation site from the repository.
 *
 *   1. exports each app's OpenAPI document, config schema and metrics from its code
 *      (extract-apps.ts, in a process with decorator metadata);
 *   2. builds the project structure document from the Nx project graph and those
 *      facts, validates it against tools/docs/structure.schema.json and writes it
 *      as JSON and XML;
 *   3. writes the generated pages (READMEs, runbooks, benchmarks, APIs, config,
 *      metrics, structure) under docs/reference/ and the libraries' TypeDoc pages;
 *   4. builds the site with VitePress into dist/docs/site/<version>/;
 *   5. prints the structure page to PDF with headless Chromium;
 *   6. lists the versions present in dist/docs/site/versions.json (the switcher).
 *
 * DOCS_VERSION (default `dev`) names the build: a release build is `vX.Y.Z`.
 * DOCS_SITE_DIR (default dist/docs/site) is where versions are kept side by side.
 */
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';

import { buildLibraryPages } from './lib/libraries';
import { escapeAngles, repoPage } from './lib/markdown';
import {
  type Page,
  apiPages,
  configPages,
  linkOf,
  metricsPages,
  readmePageFile,
  runbookPageFile,
  structurePage,
} from './lib/pages';
import { printPdf } from './lib/print-pdf';
import {
  type AppFacts,
  type NxGraphFile,
  buildStructure,
} from './lib/structure';
import {
  STRUCTURE_SCHEMA_PATH,
  structureToXml,
  validateStructure,
} from './lib/structure-formats';

const ROOT = resolve(__dirname, '../..');
const DOCS = join(ROOT, 'docs');
const REFERENCE = join(DOCS, 'reference');
const PUBLIC = join(DOCS, 'public');
const BIN = join(ROOT, 'node_modules/.bin');

function step(message: string): void {
  process.stdout.write(`==> ${message}\n`);
}

function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): string {
  return execFileSync(cmd, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      ...env,
    },
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function write(file: string, content: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
}

/** Tracked files matching git pathspecs: the site publishes what the repository holds. */
function tracked(...pathspecs: string[]): string[] {
  return run('git', ['ls-files', '--', ...pathspecs])
    .split('\n')
    .filter(Boolean)
    .sort();
}

function commitOf(): string | undefined {
  try {
    return run('git', ['rev-parse', 'HEAD']).trim();
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const version = process.env.DOCS_VERSION ?? 'dev';
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  const apiVersion =
    version === 'dev' ? `${pkg.version}-dev` : version.replace(/^v/, '');
  const siteDir = resolve(ROOT, process.env.DOCS_SITE_DIR ?? 'dist/docs/site');
  const outDir = join(siteDir, version);
  const dataDir = join(ROOT, 'dist/docs/data');

  rmSync(REFERENCE, { force: true, recursive: true });
  rmSync(PUBLIC, { force: true, recursive: true });
  rmSync(dataDir, { force: true, recursive: true });
  mkdirSync(dataDir, { recursive: true });

  step(
    `exporting OpenAPI documents, config schemas and metrics (API version ${apiVersion})`,
  );
  process.stdout.write(
    run(join(BIN, 'node'), [
      '-r',
      '@swc-node/register',
      'tools/docs/extract-apps.ts',
      join(dataDir, 'apps'),
      apiVersion,
    ]),
  );
  const apps: AppFacts[] = readdirSync(join(dataDir, 'apps'))
    .sort()
    .map(
      (f) =>
        JSON.parse(readFileSync(join(dataDir, 'apps', f), 'utf8')) as AppFacts,
    );
  for (const app of apps)
    write(
      join(PUBLIC, 'openapi', `${app.name}.json`),
      `${JSON.stringify(app.openapi, null, 2)}\n`,
    );

  step('reading the Nx project graph');
  run(join(BIN, 'nx'), ['graph', `--file=${join(dataDir, 'graph.json')}`]);
  const graph = JSON.parse(
    readFileSync(join(dataDir, 'graph.json'), 'utf8'),
  ) as NxGraphFile;

  step('building, validating and rendering the structure document');
  const structure = buildStructure(graph, apps, {
    commit: commitOf(),
    generatedAt: new Date().toISOString(),
    version,
  });
  validateStructure(structure);
  write(
    join(PUBLIC, 'structure/structure.json'),
    `${JSON.stringify(structure, null, 2)}\n`,
  );
  write(
    join(PUBLIC, 'structure/structure.schema.json'),
    readFileSync(STRUCTURE_SCHEMA_PATH, 'utf8'),
  );
  write(join(PUBLIC, 'structure/structure.xml'), structureToXml(structure));

  step('writing the generated pages');
  const readmes = tracked(
    'README.md',
    'apps/*/README.md',
    'libs/*/README.md',
    'sources/*/README.md',
    'tools/*/README.md',
  );
  const runbooks = tracked('observability/**/runbooks/*.md');
  const published = new Map<string, string>([
    ...readmes.map((p): [string, string] => [p, linkOf(readmePageFile(p))]),
    ...runbooks.map((p): [string, string] => [p, linkOf(runbookPageFile(p))]),
    ['BENCHMARKS.md', '/reference/benchmarks'],
  ]);
  const pages: Page[] = [
    ...readmes.map((p) => ({
      content: repoPage(readFileSync(join(ROOT, p), 'utf8'), p, published),
      file: readmePageFile(p),
    })),
    ...runbooks.map((p) => ({
      content: repoPage(readFileSync(join(ROOT, p), 'utf8'), p, published),
      file: runbookPageFile(p),
    })),
    {
      content: [
        '# Runbooks',
        '',
        'What on-call does for each kind of alert; the anomaly service links each alert to its runbook.',
        '',
        ...runbooks.map(
          (p) =>
            `- [${p.replace(/^.*\//, '').replace(/\.md$/, '')}](${linkOf(runbookPageFile(p))}) (\`${p}\`)`,
        ),
        '',
      ].join('\n'),
      file: 'reference/runbooks/index.md',
    },
    {
      content: repoPage(
        readFileSync(join(ROOT, 'BENCHMARKS.md'), 'utf8'),
        'BENCHMARKS.md',
        published,
      ),
      file: 'reference/benchmarks.md',
    },
    ...apiPages(apps, version),
    ...configPages(apps),
    ...metricsPages(apps),
    structurePage(structure),
  ];
  for (const page of pages) write(join(DOCS, page.file), page.content);

  step('TypeDoc pages of the libraries');
  const libs = structure.projects.filter(
    (p) => p.kind === 'lib' && existsSync(join(ROOT, p.root, 'src/index.ts')),
  );
  const libSidebar = await buildLibraryPages(
    ROOT,
    libs.map((l) => ({
      entry: join(ROOT, l.root, 'src/index.ts'),
      name: l.name,
    })),
    join(REFERENCE, 'libs'),
  );

  const group = (
    text: string,
    prefix: string,
  ): {
    collapsed: boolean;
    items: { link: string; text: string }[];
    text: string;
  } => ({
    collapsed: false,
    items: pages
      .filter((p) => p.file.startsWith(prefix))
      .map((p) => ({ link: linkOf(p.file), text: titleOf(p.content, p.file) })),
    text,
  });
  const site = {
    sidebar: [
      {
        items: [
          { link: '/architecture', text: 'Architecture' },
          { link: '/reference/structure', text: 'Project structure' },
          { link: '/reference/benchmarks', text: 'Benchmarks' },
        ],
        text: 'Overview',
      },
      group('READMEs', 'reference/readme/'),
      group('HTTP APIs', 'reference/api/'),
      { collapsed: true, items: libSidebar, text: 'Libraries' },
      group('Configuration', 'reference/config/'),
      group('Metrics', 'reference/metrics/'),
      group('Runbooks', 'reference/runbooks/'),
    ],
    version,
  };
  write(join(REFERENCE, 'site.json'), `${JSON.stringify(site, null, 2)}\n`);
  // Scalar's browser bundle, served by the site itself (no CDN).
  cpSync(
    join(ROOT, 'node_modules/@scalar/api-reference/dist/browser/standalone.js'),
    join(PUBLIC, 'scalar/standalone.js'),
  );

  step(`VitePress build into ${outDir}`);
  rmSync(outDir, { force: true, recursive: true });
  run(join(BIN, 'vitepress'), ['build', 'docs'], {
    DOCS_BASE: `/${version}/`,
    DOCS_OUT_DIR: outDir,
  });

  step('printing the structure page to PDF (headless Chromium)');
  await printPdf(
    siteDir,
    `/${version}/reference/structure.html`,
    join(outDir, 'structure/structure.pdf'),
  );

  const versions = readdirSync(siteDir, { withFileTypes: true })
    .filter(
      (d) => d.isDirectory() && existsSync(join(siteDir, d.name, 'index.html')),
    )
    .map((d) => d.name)
    .sort(compareVersions);
  write(
    join(siteDir, 'versions.json'),
    `${JSON.stringify({ versions }, null, 2)}\n`,
  );
  step(
    `docs ${version} built in ${Math.round((Date.now() - started) / 1000)}s: ${outDir} (versions: ${versions.join(', ')})`,
  );
}

function titleOf(content: string, file: string): string {
  const m = /^#\s+(.+)$/m.exec(content.replace(/^::: v-pre\n/, ''));
  return m ? escapeAngles(m[1]).replace(/`/g, '') : file;
}

/** `dev` first, then releases newest first. */
export function compareVersions(a: string, b: string): number {
  if (a === 'dev' || b === 'dev')
    return a === 'dev' ? (b === 'dev' ? 0 : -1) : 1;
  const pa = a
    .replace(/^v/, '')
    .split(/[.-]/)
    .map((x) => Number(x) || 0);
  const pb = b
    .replace(/^v/, '')
    .split(/[.-]/)
    .map((x) => Number(x) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pb[i] ?? 0) - (pa[i] ?? 0);
  }
  return 0;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`docs: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
