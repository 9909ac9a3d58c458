import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Page } from 'playwright-core';

import { launchChromium } from './browser';
import { serveStatic } from './static-server';

/** Prints what a fresh Chromium page shows after `load` to an A4 PDF (printToPDF). */
async function printPage(
  load: (page: Page) => Promise<void>,
  out: string,
): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await load(page);
    await page.emulateMedia({ media: 'print' });
    mkdirSync(dirname(out), { recursive: true });
    await page.pdf({
      format: 'A4',
      margin: { bottom: '12mm', left: '10mm', right: '10mm', top: '12mm' },
      path: out,
      printBackground: true,
    });
  } finally {
    await browser.close();
  }
}

/** Prints one page of a built site to PDF with headless Chromium. */
export async function printPdf(
  siteDir: string,
  path: string,
  out: string,
): Promise<void> {
  const server = await serveStatic(siteDir);
  try {
    await printPage(async (page) => {
      const res = await page.goto(`${server.url}${path}`, {
        waitUntil: 'networkidle',
      });
      if (!res || res.status() !== 200)
        throw new Error(`${path}: HTTP ${res?.status() ?? 'no response'}`);
    }, out);
  } finally {
    await server.close();
  }
}

/** Prints a self-contained HTML document (nothing fetched) to PDF with headless Chromium. */
export function printHtmlToPdf(html: string, out: string): Promise<void> {
  return printPage((page) => page.setContent(html, { waitUntil: 'load' }), out);
}
