/**
 * Debian's Chromium driven by playwright-core (no browser download). Outside CI a machine without
 * Chromium skips the browser tests and says why; in CI (CI set) a missing Chromium fails the run,
 * as a missing MySQL does (.ci/run installs the `chromium` package when it is missing).
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../../../test-output/screenshots');

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}

/**
 * `describe` that runs only where Chromium is installed (and fails in CI where it is not), with one
 * Chromium launched before its tests and closed after them; `body` gets it through a getter.
 */
export function describeInBrowser(title: string, body: (browser: () => Browser) => void): void {
  describe(title, function () {
    if (!fs.existsSync(CHROMIUM_PATH)) {
      if (process.env.CI) {
        it('needs Chromium in CI', () => {
          throw new Error(`Chromium is not at ${CHROMIUM_PATH}: .ci/run must install the Debian chromium package`);
        });
        return;
      }
      it.skip(`browser tests: install Chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
      return;
    }
    let browser: Browser | undefined;
    before(async function () {
      this.timeout(60_000);
      browser = await launchChromium();
    });
    after(async () => browser?.close());
    body(() => {
      if (!browser) throw new Error('Chromium is not launched yet');
      return browser;
    });
  });
}

/** Saves a full-page screenshot as test-output/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
