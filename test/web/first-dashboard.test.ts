import fs from 'node:fs';
import http from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/api.js';
import { postQuery, waitForValue } from '../helpers/query.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { type Browser, hasChromium, launchChromium, logIn, screenshot } from './browser.js';

/** A shop page on another origin, with the HTML snippet exactly as the home page showed it. */
function shopPage(snippet: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
${snippet}
</head><body><h1>Shop</h1>
<label>Email <input id="email" type="email"></label><button id="signup">Sign up</button>
<button id="buy">Buy now</button>
<script>
  document.getElementById('signup').addEventListener('click', () => {
    const email = document.getElementById('email').value;
    posthog.identify(email, { email });
  });
  document.getElementById('buy').addEventListener('click', () => posthog.capture('purchase', { amount: 42 }));
</script>
</body></html>`;
}

/**
 * The "done when": a new user goes from an empty project to a saved dashboard with a trend,
 * a funnel and a retention chart over their own posthog-js events, using only what the app shows:
 * the home page's HTML snippet pasted into a site, then the home page's next steps.
 */
describe.skipIf(!hasChromium)('web app: from npm start to a first dashboard over posthog-js events (skipped only where /usr/bin/chromium is absent)', () => {
  let server: TestServer;
  let browser: Browser;
  let app: Page;
  let site: http.Server | undefined;
  let projectId: number;

  beforeAll(async () => {
    server = await startServer();
    projectId = (await api<{ id: number }>(server, '/api/projects/@current/')).body.id;
    browser = await launchChromium();
    app = await browser.context.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (site ? site.close(resolve) : resolve(undefined)));
    await server?.dispose();
  });

  const results = async <T>(query: Record<string, unknown>): Promise<T> => {
    const res = await postQuery<{ results: T }>(server, projectId, query);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.results;
  };

  const saveToDashboard = async (name: string, dashboard: { create: boolean }) => {
    await app.getByLabel('Insight name').fill(name);
    await app.getByRole('button', { name: 'Save', exact: true }).click();
    await app.waitForURL(/\/insights\/[A-Za-z0-9]+$/);
    await app.getByRole('button', { name: 'Add to dashboard' }).click();
    const dialog = app.getByRole('dialog');
    if (dashboard.create) {
      await dialog.getByLabel('New dashboard').fill('My first dashboard');
      await dialog.getByRole('button', { name: 'Create and add' }).click();
    } else {
      await dialog.getByRole('checkbox', { name: 'My first dashboard' }).check();
    }
    await expect.poll(() => dialog.getByRole('status').textContent()).toBe('On 1 dashboard');
    return dialog;
  };

  it('the home page of an empty project gives an HTML snippet; pasted into a site, posthog-js sends its events here', async () => {
    await app.goto(server.url);
    await logIn(app, server);
    await app.getByRole('heading', { name: 'No events yet' }).waitFor();
    const snippet = (await app.locator('#sdk-panel pre').textContent())!;
    expect(snippet).toContain(`${server.url}/static/array.js`);

    site = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(shopPage(snippet));
    });
    await new Promise<void>((resolve) => site!.listen(0, '127.0.0.1', resolve));
    const shopUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}/`;

    // Four visitors in one browser (reset between them): three sign up and two of them buy; the
    // fourth only looks and stays anonymous (identified_only: no person profile).
    const shop = await browser.context.newPage();
    const visitors = [
      { email: 'ann@example.com', buys: true },
      { email: 'ben@example.com', buys: false },
      { email: 'cat@example.com', buys: true },
      { email: null, buys: false },
    ];
    let pageviews = 0;
    let purchases = 0;
    for (const visitor of visitors) {
      await shop.goto(shopUrl);
      await shop.waitForFunction(() => (globalThis as unknown as { posthog?: { __loaded?: boolean } }).posthog?.__loaded === true);
      pageviews++;
      if (visitor.email) {
        await shop.getByLabel('Email').fill(visitor.email);
        await shop.getByRole('button', { name: 'Sign up' }).click();
      }
      if (visitor.buys) {
        await shop.getByRole('button', { name: 'Buy now' }).click();
        purchases++;
      }
      // Wait for this visitor's events to land before the next one takes over the browser.
      await waitForValue(server, projectId, `SELECT countIf(event = '$pageview') * 100 + countIf(event = 'purchase') FROM events`, pageviews * 100 + purchases, 30_000);
      await shop.evaluate(() => (globalThis as unknown as { posthog: { reset(): void } }).posthog.reset());
    }
    await shop.close();
    const rows = await results<number[][]>({ kind: 'HogQLQuery', query: "SELECT count(DISTINCT person_id) FROM events WHERE event = '$pageview'" });
    expect(rows).toEqual([[4]]);

    // The onboarding notices the first events by itself and turns into the next steps.
    await app.getByRole('heading', { name: 'Next steps' }).waitFor({ timeout: 20_000 });
    const steps = app.locator('.get-started li');
    expect(await steps.count()).toBe(5);
    expect(await app.locator('.get-started li.done').count()).toBe(1);
    await screenshot(app, 'home-next-steps');
  });

  it('"Chart a trend" opens a pageview trend equal to the TrendsQuery; it saves onto a new dashboard', async () => {
    await app.getByRole('link', { name: 'Chart a trend' }).click();
    const table = app.locator('.trends-table');
    await table.waitFor();
    const [series] = await results<Array<{ count: number }>>({ kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview', name: '$pageview', math: 'total' }], interval: 'day', dateRange: { date_from: '-7d' } });
    expect(series!.count).toBe(4);
    await expect.poll(() => table.locator('tbody tr').first().locator('.total-cell').textContent()).toBe('4');
    const dialog = await saveToDashboard('Pageviews', { create: true });
    await dialog.getByRole('button', { name: 'Done' }).click();
  });

  it('"Build a funnel": pageview → purchase shows 4 → 2, as the FunnelsQuery counts', async () => {
    await app.getByRole('link', { name: 'Home' }).click();
    await app.getByRole('link', { name: 'Build a funnel' }).click();
    await app.getByRole('button', { name: '+ Add step' }).click();
    const step2 = app.getByRole('combobox', { name: 'Step 2 event' });
    await step2.click();
    await step2.fill('purch');
    await app.getByRole('option', { name: 'purchase' }).click();
    const steps = await results<Array<{ count: number }>>({
      kind: 'FunnelsQuery',
      series: [
        { kind: 'EventsNode', event: '$pageview' },
        { kind: 'EventsNode', event: 'purchase' },
      ],
      dateRange: { date_from: '-7d' },
      funnelsFilter: { funnelOrderType: 'ordered', funnelWindowInterval: 14, funnelWindowIntervalUnit: 'day' },
    });
    expect(steps.map((s) => s.count)).toEqual([4, 2]);
    await expect.poll(() => app.getByTestId('funnel-step-2').getByTestId('step-count').textContent()).toBe('2');
    expect(await app.getByTestId('funnel-total-conversion').textContent()).toBe('50%');
    const dialog = await saveToDashboard('Purchase funnel', { create: false });
    await dialog.getByRole('button', { name: 'Done' }).click();
  });

  it('"See retention": the cohort of today holds the four visitors; the dashboard then shows all three insights', async () => {
    await app.getByRole('link', { name: 'Home' }).click();
    await app.getByRole('link', { name: 'See retention' }).click();
    const table = app.locator('.retention-table');
    await table.waitFor();
    const rows = await results<Array<{ values: Array<{ count: number }> }>>({
      kind: 'RetentionQuery',
      retentionFilter: {
        retentionType: 'retention_first_time',
        totalIntervals: 8,
        period: 'Day',
        targetEntity: { id: '$pageview', type: 'events', name: '$pageview' },
        returningEntity: { id: '$pageview', type: 'events', name: '$pageview' },
      },
    });
    expect(rows.map((r) => r.values[0]!.count).reduce((a, b) => a + b, 0)).toBe(4);
    expect(await table.getByTestId('cohort-size').allTextContents()).toEqual(rows.map((r) => String(r.values[0]!.count)));
    const dialog = await saveToDashboard('Visitor retention', { create: false });
    await dialog.getByRole('link', { name: 'Open dashboard' }).click();

    await app.getByRole('heading', { name: 'My first dashboard' }).waitFor();
    await expect.poll(() => app.locator('.tile').count()).toBe(3);
    const funnel = app.locator('.tile').filter({ hasText: 'Purchase funnel' });
    await expect.poll(() => funnel.getByTestId('funnel-step-2').getByTestId('step-count').textContent()).toBe('2');
    const retention = app.locator('.tile').filter({ hasText: 'Visitor retention' });
    await expect.poll(() => retention.getByTestId('cohort-size').allTextContents()).toEqual(rows.map((r) => String(r.values[0]!.count)));
    await app.locator('.tile').filter({ hasText: 'Pageviews' }).locator('.echart canvas').first().waitFor();
    await screenshot(app, 'first-dashboard');

    // The visitors who did not buy: the one with a profile is listed (saved as a cohort, exported);
    // the anonymous one is counted as missing, as the ActorsQuery says.
    await funnel.getByRole('button', { name: /dropped off/ }).click();
    const persons = app.getByRole('dialog');
    await persons.locator('tbody tr').first().waitFor();
    expect(await persons.locator('tbody tr').count()).toBe(1);
    await persons.getByText('1 more counted without a person profile').waitFor();
    const download = app.waitForEvent('download');
    await persons.getByRole('button', { name: 'Export CSV' }).click();
    const csv = fs.readFileSync((await (await download).path())!, 'utf8').trim().split('\r\n');
    expect(csv[0]).toBe('Person,Person ID,First seen');
    expect(csv).toHaveLength(2);
    expect(csv[1]).toMatch(/^ben@example\.com,/);
    const personId = csv[1]!.split(',')[1]!;
    await persons.getByRole('button', { name: 'Save as cohort' }).click();
    await persons.getByLabel('Cohort name').fill('Looked, did not buy');
    await persons.getByRole('button', { name: 'Save cohort' }).click();
    await persons.getByText('Saved 1 person as the static cohort').waitFor();
    const cohorts = await api<{ results: Array<{ id: number; name: string; count: number; is_static: boolean }> }>(server, `/api/projects/${projectId}/cohorts/`);
    const cohort = cohorts.body.results.find((c) => c.name === 'Looked, did not buy')!;
    expect(cohort).toMatchObject({ count: 1, is_static: true });
    const members = await api<{ results: Array<{ id: string }> }>(server, `/api/projects/${projectId}/cohorts/${cohort.id}/persons/`);
    expect(members.body.results.map((p) => p.id)).toEqual([personId]);
    await screenshot(app, 'persons-modal-actions');
    await persons.getByRole('button', { name: 'Close' }).click();

    // Home ticks every step off.
    await app.getByRole('link', { name: 'Home' }).click();
    await app.getByRole('heading', { name: 'All set' }).waitFor();
    expect(await app.locator('.get-started li.done').count()).toBe(5);
  });
});
