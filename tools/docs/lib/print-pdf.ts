import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import { launchChromium } from './browser';
import { serveStatic } from './static-server';

/** Prints one page of a built site to PDF with headless Chromium (printToPDF). */
export async function printPdf(
  siteDir: string,
  path: string,
  out: string,
): Promise<void> {
  const server = await serveStatic(siteDir);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const res = await page.goto(`${server.url}${path}`, {
      waitUntil: 'networkidle',
    });
    if (!res || res.status() !== 200)
      throw new Error(`${path}: HTTP ${res?.status() ?? 'no response'}`);
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
    await server.close();
  }
}
