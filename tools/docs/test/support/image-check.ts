import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';

export interface ImageStats {
  /** Distinct colours (quantised to 4 bits per channel). */
  colours: number;
  /** Share of pixels that differ from the most common colour. */
  inkShare: number;
}

/** Decodes a PNG in Chromium (canvas) and measures how much is drawn on it. */
export async function pngStats(
  browser: Browser,
  png: Buffer,
): Promise<ImageStats> {
  const page = await browser.newPage();
  try {
    return await page.evaluate(async (b64: string) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext('2d');
      if (!ctx) throw new Error('no 2d context');
      ctx.drawImage(img, 0, 0);
      const data = ctx.getImageData(0, 0, img.width, img.height).data;
      const counts = new Map<number, number>();
      for (let i = 0; i < data.length; i += 4) {
        const key =
          ((data[i] >> 4) << 8) |
          ((data[i + 1] >> 4) << 4) |
          (data[i + 2] >> 4);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const total = data.length / 4;
      const top = Math.max(...counts.values());
      return { colours: counts.size, inkShare: (total - top) / total };
    }, png.toString('base64'));
  } finally {
    await page.close();
  }
}

/** Renders one PDF page with pdftoppm (poppler-utils) as greyscale PGM; share of non-white pixels. */
export function pdfPageInk(
  pdf: string,
  pageNo: number,
  outPrefix: string,
): number {
  execFileSync('pdftoppm', [
    '-f',
    String(pageNo),
    '-l',
    String(pageNo),
    '-r',
    '50',
    '-gray',
    '-singlefile',
    pdf,
    outPrefix,
  ]);
  const pgm = readFileSync(`${outPrefix}.pgm`);
  // P5 header: magic, width, height, maxval separated by whitespace, then bytes.
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(
    pgm.subarray(0, 64).toString('latin1'),
  );
  if (!header) throw new Error('pdftoppm did not write a PGM');
  const [, w, h] = header.map(Number);
  const pixels = pgm.subarray(pgm.length - w * h);
  let ink = 0;
  for (const v of pixels) if (v < 200) ink++;
  return ink / pixels.length;
}

/** Text of a PDF (pdftotext, poppler-utils). */
export function pdfText(pdf: string): string {
  return execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
}
