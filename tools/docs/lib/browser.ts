import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (tools/setup/setup.sh installs it); override with CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium that talks to nothing but the pages it is given. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
    executablePath: CHROMIUM_PATH,
    headless: true,
  });
}
