import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import type { TestServer } from '../helpers/server.js';

/** Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it). Browser tests skip only where it is absent. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = fs.existsSync(CHROMIUM);

/** A normal desktop UA: posthog-js drops events from "HeadlessChrome"; the app itself does not care. */
export const DESKTOP_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Chromium as the browser tests run it: headless, no sandbox (root in CI), no network of its own
 * (no QUIC, background networking, component updates or sync), a fresh profile directory each time.
 */
export async function launchChromium(): Promise<Browser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hedgerow-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true, // Playwright passes --headless
    userAgent: DESKTOP_UA,
    viewport: { width: 1280, height: 800 },
    ignoreDefaultArgs: ['--enable-automation'],
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-blink-features=AutomationControlled',
      `--user-agent=${DESKTOP_UA}`,
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Logs in through the form, as a person would, on the login page the app has shown (after a
 * redirect from a deep link, whose `?next=` it then follows), and waits for the app to leave it.
 */
export async function logIn(page: Page, server: TestServer): Promise<void> {
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await page.getByLabel('Email').fill(server.adminEmail);
  await page.getByLabel('Password').fill(server.adminPassword);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((url) => url.pathname.startsWith('/project/'));
}

/**
 * Screenshots of the main screens. With HEDGEROW_SCREENSHOTS=docs they refresh the README's
 * images in docs/screenshots; otherwise they go to test-results/screenshots (not committed), so a
 * test run does not rewrite tracked files.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  const root = path.resolve(import.meta.dirname, '../..');
  const dir = process.env.HEDGEROW_SCREENSHOTS === 'docs' ? path.join(root, 'docs/screenshots') : path.join(root, 'test-results/screenshots');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  // The viewport grows to the page's height (rather than a full-page capture) so the sticky sidebar spans it.
  const original = page.viewportSize() ?? { width: 1280, height: 800 };
  const body = await page.locator('body').boundingBox();
  await page.setViewportSize({ width: original.width, height: Math.max(original.height, Math.ceil(body?.height ?? 0)) });
  await page.screenshot({ path: file });
  await page.setViewportSize(original);
  return file;
}

/** Waits until the element's whole text is `expected` (the page polls and re-renders on its own). */
export async function waitForText(page: Page, selector: string, expected: string, timeoutMs = 20_000): Promise<void> {
  const exact = new RegExp(`^\\s*${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  await page.locator(selector, { hasText: exact }).waitFor({ timeout: timeoutMs });
}
