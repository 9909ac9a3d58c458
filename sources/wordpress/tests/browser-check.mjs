// The traders' pages in a real browser: headless Chromium from Debian, driven by playwright-core,
// against the WordPress that tests/wp-smoke.sh runs. Logs in, lists, creates, backtests (chart
// with fire points, checked not blank by its pixels), creates a `sequence` alert and finds it
// listed, deletes, and saves a screenshot.
// Usage: node browser-check.mjs <wordpress base URL> <output dir>; prints "ok"/"FAIL" lines.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

const [base, outDir] = process.argv.slice(2);
let failed = 0;
const check = (name, ok) => {
  if (!ok) failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} browser: ${name}`);
};

const browser = await chromium.launch({
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
});
try {
  const page = await browser.newPage({ viewport: { height: 1200, width: 1200 } });
  page.setDefaultTimeout(20_000);
  await page.goto(`${base}/wp-login.php`);
  await page.fill('#user_login', 'admin');
  await page.fill('#user_pass', 'smoke-pass-123');
  await Promise.all([page.waitForNavigation(), page.click('#wp-submit')]);
  await page.goto(`${base}/wp-admin/admin.php?page=freeride-alerts`);
  check('alerts page lists the trader\'s alert', (await page.locator('table.widefat').innerText()).includes('price_above 190'));

  const create = page.locator('form:has(input[name="action"][value="freeride_alert_create"])');
  await create.locator('[name="symbol"]').fill('msft');
  await create.locator('[name="condition_type"]').selectOption('price_below');
  await create.locator('[name="threshold"]').fill('300');
  await create.locator('[name="webhook_url"]').fill('https://example.com/hook');
  await Promise.all([page.waitForNavigation(), create.locator('button[type="submit"]').click()]);
  check('creating an alert shows its notice', (await page.content()).includes('Alert created for MSFT'));

  // A sequence: crossing up 100, then above 105 within 3 one-minute bars; listed once created.
  const seq = page.locator('form:has(input[name="action"][value="freeride_alert_create"])');
  await seq.locator('[name="symbol"]').fill('nvda');
  await seq.locator('[name="condition_type"]').selectOption('sequence');
  await seq.locator('[name="first_type"]').selectOption('crossing_up');
  await seq.locator('[name="first_threshold"]').fill('100');
  await seq.locator('[name="then_type"]').selectOption('price_above');
  await seq.locator('[name="then_threshold"]').fill('105');
  await seq.locator('[name="within_bars"]').fill('3');
  await seq.locator('[name="interval"]').selectOption('1min');
  await seq.locator('[name="webhook_url"]').fill('https://example.com/hook');
  await Promise.all([page.waitForNavigation(), seq.locator('button[type="submit"]').click()]);
  check('creating a sequence alert shows its notice', (await page.content()).includes('Alert created for NVDA'));
  const seqRow = page.locator('table.widefat tr:has-text("NVDA")');
  check(
    'the sequence alert is listed with both steps and its window',
    (await seqRow.count()) === 1 &&
      (await seqRow.innerText()).includes('crossing_up 100, then price_above 105 within 3 bars of 1min'),
  );

  const backtest = page.locator('form.freeride-backtest-form');
  await backtest.locator('[name="symbol"]').fill('aapl');
  await backtest.locator('[name="condition_type"]').selectOption('crossing');
  await backtest.locator('[name="threshold"]').fill('100');
  await Promise.all([page.waitForNavigation(), backtest.locator('button[type="submit"]').click()]);
  const chart = page.locator('svg.freeride-backtest-chart');
  check('backtest draws the price chart', (await chart.count()) === 1);
  check('backtest marks its three fire points', (await chart.locator('circle.freeride-fire').count()) === 3);
  check('backtest lists when it would have fired', (await page.locator('ul.freeride-backtest-fires li').count()) === 3);

  // Not blank: the chart as the browser paints it has price-line and fire-dot pixels.
  const shot = await chart.screenshot();
  writeFileSync(join(outDir, 'backtest-chart.png'), shot);
  const painted = await page.evaluate(async (png) => {
    const img = new Image();
    img.src = `data:image/png;base64,${png}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const { data } = ctx.getImageData(0, 0, img.width, img.height);
    let blue = 0;
    let red = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      if (b > 150 && r < 80) blue++;
      if (r > 180 && g < 90 && b < 90) red++;
    }
    return { blue, red };
  }, shot.toString('base64'));
  check(`screenshot is not blank (${painted.blue} line, ${painted.red} dot pixels)`, painted.blue > 200 && painted.red > 100);
  await page.screenshot({ fullPage: true, path: join(outDir, 'alerts-page.png') });

  const row = page.locator('tr:has-text("price_above 190")');
  await Promise.all([page.waitForNavigation(), row.locator('button[type="submit"]').click()]);
  check('deleting an alert answers with a notice', (await page.locator('.notice').count()) > 0);
} catch (err) {
  check(`unexpected error: ${err instanceof Error ? err.message : String(err)}`, false);
} finally {
  await browser.close();
}
process.exit(failed === 0 ? 0 : 1);
