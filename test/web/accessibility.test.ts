/// <reference lib="dom" />
import { createRequire } from 'node:module';
import fs from 'node:fs';
import { PostHog } from 'posthog-node';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/api.js';
import { waitForValue } from '../helpers/query.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { type Browser, hasChromium, launchChromium, logIn } from './browser.js';

/** axe-core, the accessibility engine browsers' dev tools use, injected into the page under test. */
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** WCAG 2.1 A and AA rules on the page as it is now; each violation as "rule: help → elements". */
async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the app's CSP (no inline scripts) does not apply.
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: Violation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations;
  });
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} → ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
}

/**
 * Keyboard and screen-reader basics on every screen: axe-core finds no WCAG 2.1 A/AA violation
 * once the screen has loaded its data, and the shell can be used from the keyboard alone.
 */
describe.skipIf(!hasChromium)('web app: accessibility (skipped only where /usr/bin/chromium is absent)', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let base: string;
  const ids: Record<string, string | number> = {};

  beforeAll(async () => {
    server = await startServer();
    const projectId = (await api<{ id: number }>(server, '/api/projects/@current/')).body.id;
    base = `${server.url}/project/${projectId}`;
    const client = new PostHog(server.projectApiKey, { host: server.url, flushAt: 100, flushInterval: 0 });
    for (const [i, user] of ['ada', 'bo', 'cy'].entries()) {
      client.capture({ distinctId: user, event: '$pageview', properties: { $current_url: `https://shop.test/${i}`, $browser: 'Chrome', $set: { email: `${user}@example.com`, plan: i ? 'free' : 'pro' } } });
      if (i < 2) client.capture({ distinctId: user, event: 'signed up', properties: { plan: 'free' } });
    }
    await client.shutdown();
    await waitForValue(server, projectId, 'SELECT count() FROM events', 5);
    await waitForValue(server, projectId, 'SELECT count() FROM persons', 3);

    const post = async <T>(path: string, body: unknown) => {
      const res = await api<T>(server, `/api/projects/${projectId}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body;
    };
    const dashboard = await post<{ id: number }>('dashboards/', { name: 'Growth' });
    const insight = await post<{ short_id: string }>('insights/', {
      name: 'Pageviews',
      saved: true,
      query: { kind: 'InsightVizNode', source: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview', math: 'total' }] } },
      dashboards: [dashboard.id],
    });
    const flag = await post<{ id: number }>('feature_flags/', { key: 'new-checkout', filters: { groups: [{ properties: [], rollout_percentage: 50 }] } });
    const cohort = await post<{ id: number }>('cohorts/', { name: 'Pro users', filters: { properties: { type: 'AND', values: [{ type: 'person', key: 'plan', value: ['pro'], operator: 'exact' }] } } });
    const person = await api<{ results: Array<{ id: string }> }>(server, `/api/projects/${projectId}/persons/?distinct_id=ada`);
    Object.assign(ids, { dashboard: dashboard.id, insight: insight.short_id, flag: flag.id, cohort: cohort.id, person: person.body.results[0]!.id });

    browser = await launchChromium();
    page = await browser.context.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('the login page has no violations', async () => {
    await page.goto(`${server.url}/login`);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await logIn(page, server);
  });

  const screens: Array<[string, () => string, (page: Page) => Promise<unknown>]> = [
    ['home', () => '/home', (p) => p.getByTestId('events-24h').waitFor()],
    ['activity', () => '/activity/explore', (p) => p.locator('.activity-table tbody tr, table tbody tr').first().waitFor()],
    ['persons', () => '/persons', (p) => p.getByRole('link', { name: 'ada@example.com' }).waitFor()],
    ['person', () => `/persons/${ids.person}`, (p) => p.getByRole('heading', { name: 'ada@example.com' }).waitFor()],
    ['cohorts', () => '/cohorts', (p) => p.getByRole('link', { name: 'Pro users' }).waitFor()],
    ['cohort editor', () => `/cohorts/${ids.cohort}`, (p) => p.getByLabel('Name').first().waitFor()],
    ['insights', () => '/insights', (p) => p.getByRole('link', { name: 'Pageviews' }).first().waitFor()],
    ['new trend', () => '/insights/new', (p) => p.locator('.trends-table').waitFor()],
    ['new funnel', () => '/insights/new#insight=FUNNELS', (p) => p.getByText('Add another step').waitFor()],
    ['new retention', () => '/insights/new#insight=RETENTION', (p) => p.locator('.retention-table').waitFor()],
    ['saved insight', () => `/insights/${ids.insight}`, (p) => p.getByTestId('computed-at').waitFor()],
    ['dashboards', () => '/dashboard', (p) => p.getByRole('link', { name: 'Growth' }).waitFor()],
    ['dashboard', () => `/dashboard/${ids.dashboard}`, (p) => p.locator('.tile .echart canvas').first().waitFor()],
    ['sql', () => '/sql', (p) => p.locator('.cm-editor').waitFor()],
    ['feature flags', () => '/feature_flags', (p) => p.getByRole('link', { name: 'new-checkout' }).waitFor()],
    ['flag editor', () => `/feature_flags/${ids.flag}`, (p) => p.getByLabel('Key').first().waitFor()],
    ['experiments', () => '/experiments', (p) => p.locator('main h1').waitFor()],
    ['project settings', () => '/settings/project', (p) => p.getByText(server.projectApiKey).first().waitFor()],
    ['personal API keys', () => '/settings/user-api-keys', (p) => p.locator('main h1').waitFor()],
  ];

  it.each(screens.map(([name, path, ready]) => ({ name, path, ready })))('$name has no violations once loaded', async ({ path, ready }) => {
    await page.goto(base + path());
    await ready(page);
    // Whatever else the screen loads (counts, charts) settles first: no loading state is left.
    await page.locator('.state-loading').first().waitFor({ state: 'detached', timeout: 20_000 });
    expect(await axeViolations(page)).toEqual([]);
  });

  it('from the keyboard: the first Tab reaches "Skip to content", which moves focus to the page; the sidebar links follow', async () => {
    await page.goto(`${base}/home`);
    await page.getByTestId('events-24h').waitFor();
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement?.textContent?.trim());
    expect(first).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');

    // Every sidebar link is reachable with Tab and shows a visible focus ring.
    await page.keyboard.press('Shift+Tab');
    const seen = new Set<string>();
    for (let i = 0; i < 30 && seen.size < 10; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el?.closest('nav[aria-label="Main"]')) return null;
        const style = getComputedStyle(el);
        return { text: el.textContent?.trim() ?? '', ring: style.outlineStyle !== 'none' || style.boxShadow !== 'none' };
      });
      if (focused) {
        expect(focused.ring, `focus ring on ${focused.text}`).toBe(true);
        seen.add(focused.text);
      }
    }
    expect([...seen]).toEqual(expect.arrayContaining(['Home', 'Dashboards', 'Activity', 'People', 'Cohorts', 'Product analytics', 'SQL', 'Feature flags', 'Experiments', 'Settings']));
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/settings\//);
  });
});
