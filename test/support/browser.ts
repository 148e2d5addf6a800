/**
 * A real browser for the dashboard's tests: Debian's Chromium driven by playwright-core (which
 * downloads no browser of its own). The machines that run the tests have no network, so every
 * flag that would make Chromium call home is set: without them it floods refused connections.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser (npm test installs it when missing: test/support/system-packages.mjs). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Why the browser tests cannot run here, or `undefined` when they can.
 * @example describe.skipIf(chromiumMissing())('in Chromium', () => { ... })
 */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found (install it with: apt-get install -y chromium)`;
}

/** A headless Chromium with a fresh profile, and how to close it and remove the profile. */
export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with a fresh user-data directory (playwright takes it as the
 * persistent context's directory, not as a flag).
 * @example const { context, close } = await launchChromium({ width: 1280, height: 900 });
 */
export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), 'nhn-ocr-emulator-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
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
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
