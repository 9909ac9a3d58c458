/**
 * The built docs site (`nx run docs:site` runs first) opened in Debian's headless
 * Chromium: the API reference, a library page and the configuration reference
 * render, nothing on them points to a missing page, and the structure document
 * with its XML and PDF renderings agrees with itself.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { convert } from 'xmlbuilder2';

import { launchChromium } from '../lib/browser';
import { type StaticServer, serveStatic } from '../lib/static-server';
import type { StructureDocument } from '../lib/structure';
import { validateStructure } from '../lib/structure-formats';
import { pdfPageInk, pdfText, pngStats } from './support/image-check';

const ROOT = resolve(__dirname, '../../..');
const SITE = join(ROOT, 'dist/docs/site');
const VERSION = process.env.DOCS_VERSION ?? 'dev';
const OUT = join(SITE, VERSION);

let server: StaticServer;
let browser: Browser;
let tmp: string;
const offsite: string[] = [];

beforeAll(async () => {
  if (!existsSync(join(OUT, 'index.html'))) {
    throw new Error(
      `no built site in ${OUT}: run \`npm run docs\` (nx run docs:site) first`,
    );
  }
  tmp = mkdtempSync(join(tmpdir(), 'docs-e2e-'));
  server = await serveStatic(SITE);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { force: true, recursive: true });
});

async function open(path: string): Promise<Page> {
  const page = await browser.newPage({
    viewport: { height: 900, width: 1280 },
  });
  page.on('request', (req) => {
    if (!req.url().startsWith(server.url) && !req.url().startsWith('data:'))
      offsite.push(req.url());
  });
  const res = await page.goto(`${server.url}/${VERSION}${path}`, {
    waitUntil: 'networkidle',
  });
  expect(res?.status()).toBe(200);
  return page;
}

/** Every same-site link of the page answers 200 (fragments stripped). */
async function expectLinksResolve(page: Page): Promise<number> {
  const hrefs = await page.$$eval('a[href]', (as) =>
    as.map((a) => (a as HTMLAnchorElement).href),
  );
  const local = [
    ...new Set(
      hrefs.filter((h) => h.startsWith(server.url)).map((h) => h.split('#')[0]),
    ),
  ];
  const broken: string[] = [];
  for (const url of local) {
    const res = await fetch(url);
    if (res.status !== 200) broken.push(`${url} → ${res.status}`);
  }
  expect(broken).toEqual([]);
  return local.length;
}

async function expectNotBlank(page: Page): Promise<void> {
  const stats = await pngStats(
    browser,
    await page.screenshot({ fullPage: false }),
  );
  expect(stats.colours).toBeGreaterThan(8);
  expect(stats.inkShare).toBeGreaterThan(0.02);
}

describe('the docs site in headless Chromium', () => {
  it('renders the trading API reference from its OpenAPI document, with the release version', async () => {
    const page = await open('/reference/api/trading.html');
    const reference = page.getByTestId('api-reference');
    const pkg = JSON.parse(
      readFileSync(join(ROOT, 'package.json'), 'utf8'),
    ) as { version: string };
    const apiVersion =
      VERSION === 'dev' ? `${pkg.version}-dev` : VERSION.replace(/^v/, '');
    // Scalar renders the document client-side: its title, version and operations.
    await reference
      .getByText('/health/ready')
      .first()
      .waitFor({ timeout: 60_000 });
    const rendered = await reference.innerText();
    expect(rendered).toContain('Freeride trading alerts');
    expect(rendered).toContain(`v${apiVersion}`);
    expect(rendered).toContain('Alert rules, deliveries and operator routes');
    const spec = (await (
      await fetch(`${server.url}/${VERSION}/openapi/trading.json`)
    ).json()) as {
      info: { version: string };
      paths: Record<string, unknown>;
    };
    expect(spec.info.version).toBe(apiVersion);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/v1/alerts', '/health/ready', '/metrics']),
    );
    await expectNotBlank(page);
    expect(await expectLinksResolve(page)).toBeGreaterThan(10);
    await page.close();
  });

  it('renders a library page from its TSDoc', async () => {
    const page = await open('/reference/libs/@freeride/market-data.html');
    await expect(page.locator('h1').first().innerText()).resolves.toContain(
      '@freeride/market-data',
    );
    const text = await page.locator('main').innerText();
    expect(text).toMatch(/Classes|Functions|Interfaces/);
    await expectNotBlank(page);
    expect(await expectLinksResolve(page)).toBeGreaterThan(10);
    await page.close();
  });

  it('renders the configuration reference generated from the zod schemas', async () => {
    const page = await open('/reference/config/ingest.html');
    const text = await page.locator('main').innerText();
    expect(text).toContain('INGEST_HIGH_WATER_BYTES');
    expect(text).toContain('REDIS_URL');
    const index = await open('/reference/config/');
    await expect(index.locator('main').innerText()).resolves.toContain(
      'TRADING_ADMIN_TOKEN',
    );
    await expectNotBlank(page);
    expect(await expectLinksResolve(page)).toBeGreaterThan(10);
    await page.close();
    await index.close();
  });

  it('lists the archived versions in the version switcher', async () => {
    const page = await open('/');
    const options = await page
      .getByTestId('version-switcher')
      .locator('option')
      .allInnerTexts();
    const versions = (
      JSON.parse(readFileSync(join(SITE, 'versions.json'), 'utf8')) as {
        versions: string[];
      }
    ).versions;
    expect(versions).toContain(VERSION);
    expect(options).toEqual(expect.arrayContaining(versions));
    await page.close();
  });

  it('links the structure page to its JSON, schema, XML and PDF', async () => {
    const page = await open('/reference/structure.html');
    const hrefs = await page.$$eval('main a[href]', (as) =>
      as.map((a) => (a as HTMLAnchorElement).href),
    );
    for (const file of [
      'structure.json',
      'structure.schema.json',
      'structure.xml',
      'structure.pdf',
    ]) {
      expect(hrefs).toContain(`${server.url}/${VERSION}/structure/${file}`);
    }
    await expectLinksResolve(page);
    await page.close();
  });

  it('fetched nothing from outside the site', () => {
    expect(offsite).toEqual([]);
  });
});

describe('the structure document and its renderings', () => {
  const doc = (): StructureDocument =>
    JSON.parse(
      readFileSync(join(OUT, 'structure/structure.json'), 'utf8'),
    ) as StructureDocument;

  it('validates against its schema and holds every app with routes, config keys and metrics', () => {
    const structure = doc();
    expect(() => validateStructure(structure)).not.toThrow();
    const apps = structure.projects.filter((p) => p.kind === 'app');
    expect(apps.map((a) => a.name)).toEqual([
      'anomaly',
      'ingest',
      'market-gateway',
      'trading',
    ]);
    for (const app of apps) {
      expect(app.routes.length).toBeGreaterThan(2);
      expect(app.configKeys.length).toBeGreaterThan(5);
      expect(
        app.metrics.some(
          (m) => m.name === 'http_server_request_duration_seconds',
        ),
      ).toBe(true);
      expect(app.dependencies.length).toBeGreaterThan(0);
    }
  });

  it('has an XML rendering of the same projects from the same run', () => {
    const structure = doc();
    const parsed = convert(
      readFileSync(join(OUT, 'structure/structure.xml'), 'utf8'),
      { format: 'object' },
    ) as {
      structure: { '@generatedAt': string; project: { '@name': string }[] };
    };
    expect(parsed.structure['@generatedAt']).toBe(structure.generatedAt);
    expect(parsed.structure.project.map((p) => p['@name'])).toEqual(
      structure.projects.map((p) => p.name),
    );
  });

  it('has a PDF rendering that draws its first page and carries its text', () => {
    const pdf = join(OUT, 'structure/structure.pdf');
    expect(pdfPageInk(pdf, 1, join(tmp, 'structure-p1'))).toBeGreaterThan(
      0.005,
    );
    // Table cells wrap names at hyphens and underscores: compare without white space.
    const text = pdfText(pdf).replace(/\s+/g, '');
    expect(text).toContain('Projectstructure');
    for (const p of doc().projects) expect(text).toContain(p.name);
    expect(text).toContain('freeride_trading_tick_to_delivery_seconds');
    expect(text).not.toContain('Onthispage');
  });
});
