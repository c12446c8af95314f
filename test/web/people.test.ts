import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, sendBatch } from '../helpers/api.js';
import { createCohort, personPropertyCohort } from '../helpers/cohorts.js';
import { postQuery, waitForValue } from '../helpers/query.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { type Browser, hasChromium, launchChromium, logIn, screenshot } from './browser.js';

interface PersonBody {
  uuid: string;
  distinct_ids: string[];
  properties: Record<string, unknown>;
}

/** Persons list (search in the URL), person page (properties, events, cohorts) in real Chromium, numbers checked against the API. */
describe.skipIf(!hasChromium)('web app: persons (skipped only where /usr/bin/chromium is absent)', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let projectId: number;
  let alice: PersonBody;

  beforeAll(async () => {
    server = await startServer();
    projectId = (await api<{ id: number }>(server, '/api/projects/@current/')).body.id;
    const now = Date.now();
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
    await sendBatch(server, server.projectApiKey, [
      { event: '$identify', distinct_id: 'alice-device', properties: { $set: { email: 'alice@shop.example', name: 'Alice', plan: 'pro', seats: 12 } }, timestamp: at(30) },
      { event: '$pageview', distinct_id: 'alice-device', properties: { $current_url: 'https://shop.example/pricing' }, timestamp: at(20) },
      { event: 'purchase', distinct_id: 'alice-device', properties: { amount: 49 }, timestamp: at(10) },
      { event: '$identify', distinct_id: 'bob-device', properties: { $set: { email: 'bob@other.example', plan: 'free' } }, timestamp: at(25) },
      { event: '$pageview', distinct_id: 'bob-device', timestamp: at(5) },
      ...Array.from({ length: 8 }, (_, i) => ({ event: '$pageview', distinct_id: `anon-${i}`, timestamp: at(40 + i) })),
    ]);
    await waitForValue(server, projectId, 'SELECT count() FROM events', 13);
    const found = await api<{ results: PersonBody[] }>(server, `/api/projects/${projectId}/persons/?distinct_id=alice-device`);
    alice = found.body.results[0]!;
    // Cohorts read the persons table, which is written a moment after the events.
    await waitForValue(server, projectId, "SELECT count() FROM persons WHERE properties.plan IN ('pro', 'free')", 2);
    expect((await createCohort(server, projectId, personPropertyCohort('Pro plan', 'plan', 'pro'))).count).toBe(1);
    expect((await createCohort(server, projectId, personPropertyCohort('Free plan', 'plan', 'free'))).count).toBe(1);

    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.goto(`${server.url}/project/${projectId}/persons`);
    await logIn(page, server);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('lists persons and finds one by typed search, which goes into the URL', async () => {
    await page.getByRole('row', { name: /bob@other\.example/ }).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(10);
    await screenshot(page, 'persons-list');

    await page.getByLabel('Search persons').fill('alice@shop');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL((url) => url.searchParams.get('search') === 'alice@shop');
    await page.getByRole('row', { name: /alice@shop\.example/ }).waitFor();
    await page.locator('tbody tr', { hasText: 'bob@' }).waitFor({ state: 'detached' });
    expect(await page.locator('tbody tr').count()).toBe(1);

    // A distinct id matches exactly; back returns to the previous search.
    await page.getByLabel('Search persons').fill('bob-device');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('row', { name: /bob@other\.example/ }).waitFor();
    await page.goBack();
    await page.getByRole('row', { name: /alice@shop\.example/ }).waitFor();
    expect(await page.getByLabel('Search persons').inputValue()).toBe('alice@shop');
  });

  it('the person page shows the properties the API has, searchable', async () => {
    await page.getByRole('link', { name: 'alice@shop.example' }).click();
    await page.waitForURL(`${server.url}/project/${projectId}/persons/${alice.uuid}`);
    await page.getByRole('heading', { name: 'alice@shop.example' }).waitFor();
    const table = page.getByRole('table', { name: 'Person properties' });
    await table.waitFor();
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')!.textContent, tr.querySelector('td')!.textContent]));
    const fromApi = (await api<PersonBody>(server, `/api/projects/${projectId}/persons/${alice.uuid}/`)).body.properties;
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(Object.entries(fromApi).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])));
    expect(await page.getByText('alice-device', { exact: true }).count()).toBeGreaterThan(0);
    await screenshot(page, 'person-properties');

    await page.getByLabel('Search properties').fill('plan');
    await page.waitForURL((url) => url.searchParams.get('q') === 'plan');
    // The table re-renders after the URL changes: wait until the other rows are gone.
    await table.locator('tbody tr').nth(1).waitFor({ state: 'detached' });
    expect(await table.locator('tbody tr').count()).toBe(1);
    expect(await table.locator('tbody td').textContent()).toBe('pro');
  });

  it('the events tab lists the person’s events, as many as EventsQuery with personId finds', async () => {
    await page.getByRole('tab', { name: 'Events' }).click();
    await page.waitForURL((url) => url.searchParams.get('tab') === 'events');
    const table = page.getByRole('table', { name: 'Events of this person, newest first' });
    await table.waitFor();
    const res = await postQuery<{ results: unknown[][] }>(server, projectId, { kind: 'EventsQuery', select: ['event'], personId: alice.uuid, after: 'all' });
    expect(await table.locator('tbody tr').count()).toBe(res.body.results.length);
    expect(await table.locator('tbody tr').first().locator('summary').textContent()).toBe('purchase'); // newest first
    expect(await table.getByText('https://shop.example/pricing', { exact: true }).count()).toBe(1);
    await table.locator('tbody tr').first().locator('summary').click();
    expect(await table.locator('tbody tr').first().locator('pre').textContent()).toContain('"amount": 49');
    await screenshot(page, 'person-events');
  });

  it('the cohorts tab shows the cohorts the person is in (one HogQL IN COHORT query)', async () => {
    await page.getByRole('tab', { name: 'Cohorts' }).click();
    const list = page.getByRole('list', { name: 'Cohorts this person is in' });
    await list.waitFor();
    expect(await list.locator('li a').allTextContents()).toEqual(['Pro plan']);
    // Reloading keeps the tab (it is in the URL).
    await page.reload();
    await page.getByRole('list', { name: 'Cohorts this person is in' }).waitFor();
  });

  it('an unknown person shows "Person not found"', async () => {
    await page.goto(`${server.url}/project/${projectId}/persons/00000000-0000-4000-8000-000000000000`);
    await page.getByText('Person not found').waitFor();
  });
});
