import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, sendBatch } from '../helpers/api.js';
import { type CohortBody, waitCalculated } from '../helpers/cohorts.js';
import { waitForValue } from '../helpers/query.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { type Browser, hasChromium, launchChromium, logIn, screenshot } from './browser.js';

/** The cohort builder in real Chromium: a behavioural cohort and a static CSV cohort, member counts equal to the API's. */
describe.skipIf(!hasChromium)('web app: cohorts (skipped only where /usr/bin/chromium is absent)', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let projectId: number;

  beforeAll(async () => {
    server = await startServer();
    projectId = (await api<{ id: number }>(server, '/api/projects/@current/')).body.id;
    const now = Date.now();
    const at = (daysAgo: number) => new Date(now - daysAgo * 86_400_000 - 60_000).toISOString();
    // buyer-0..5 purchase (i % 3) + 1 times in the last days; buyer-0 and buyer-5 also churned; old-1 bought twice 60 days ago.
    const batch: unknown[] = [];
    for (let i = 0; i < 6; i++) {
      batch.push({ event: '$identify', distinct_id: `buyer-${i}`, properties: { $set: { email: `buyer${i}@example.com`, plan: i % 2 ? 'pro' : 'free' } }, timestamp: at(10) });
      for (let n = 0; n <= i % 3; n++) batch.push({ event: 'purchase', distinct_id: `buyer-${i}`, timestamp: at(1 + n) });
    }
    batch.push({ event: 'churn', distinct_id: 'buyer-0', timestamp: at(1) }, { event: 'churn', distinct_id: 'buyer-5', timestamp: at(2) });
    batch.push({ event: 'purchase', distinct_id: 'old-1', timestamp: at(60) }, { event: 'purchase', distinct_id: 'old-1', timestamp: at(61) });
    await sendBatch(server, server.projectApiKey, batch);
    await waitForValue(server, projectId, 'SELECT count() FROM persons', 7);

    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.goto(`${server.url}/project/${projectId}/cohorts`);
    await logIn(page, server);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('builds a behavioural cohort in sentences; its member count equals the API’s', async () => {
    await page.getByText('No cohorts yet').waitFor();
    await page.getByRole('link', { name: 'New cohort' }).click();
    await page.waitForURL(`${server.url}/project/${projectId}/cohorts/new`);
    await page.getByLabel('Name').fill('Repeat buyers who stayed');
    // Group 1: purchase at least 2 times in the last 30 days AND did not churn in the last 30 days.
    await page.getByLabel('Group 1, criterion 1 behaviour').selectOption({ label: 'Completed an event multiple times' });
    await page.getByLabel('Group 1, criterion 1 event').fill('purchase');
    await page.getByLabel('Group 1, criterion 1 count operator').selectOption({ label: 'at least' });
    await page.getByLabel('Group 1, criterion 1 times').fill('2');
    await page.getByLabel('Group 1, criterion 1 time window').fill('30');
    await page.getByRole('button', { name: 'Add criteria to group 1' }).click();
    await page.getByLabel('Group 1, criterion 2 behaviour').selectOption({ label: 'Did not complete event' });
    await page.getByLabel('Group 1, criterion 2 event').fill('churn');
    await page.getByLabel('Group 1, criterion 2 time window').fill('30');
    await screenshot(page, 'cohort-builder');
    await page.getByRole('button', { name: 'Create cohort' }).click();
    await page.waitForURL(/\/cohorts\/\d+$/);
    const id = Number(new URL(page.url()).pathname.split('/').pop());

    const saved = await waitCalculated(server, projectId, id);
    // buyer-1 (2), buyer-2 (3), buyer-4 (2), buyer-5 (3, churned) → 3 persons.
    expect(saved.count).toBe(3);
    expect(saved.filters).toEqual({
      properties: {
        type: 'OR',
        values: [
          {
            type: 'AND',
            values: [
              { type: 'behavioral', key: 'purchase', value: 'performed_event_multiple', event_type: 'events', time_value: 30, time_interval: 'day', operator: 'gte', operator_value: 2 },
              { type: 'behavioral', key: 'churn', value: 'performed_event', event_type: 'events', time_value: 30, time_interval: 'day', negation: true },
            ],
          },
        ],
      },
    });
    await page.getByTestId('member-count').waitFor();
    expect(await page.getByTestId('member-count').textContent()).toBe(String(saved.count));
    const members = await api<{ results: Array<{ distinct_ids: string[] }> }>(server, `/api/projects/${projectId}/cohorts/${id}/persons/`);
    const shown = await page.getByRole('table', { name: 'Members' }).locator('tbody td.mono').allTextContents();
    expect(shown.sort()).toEqual(members.body.results.map((p) => p.distinct_ids[0]).sort());
    await screenshot(page, 'cohort-members');
  });

  it('a second group with "any" and a person property widens the cohort; the editor reloads what was saved', async () => {
    await page.goto(page.url());
    await page.getByLabel('Group 1, criterion 1 behaviour').waitFor();
    expect(await page.getByLabel('Group 1, criterion 1 times').inputValue()).toBe('2');
    expect(await page.getByLabel('Group 1, criterion 2 behaviour').inputValue()).toBe('not_performed_event');
    await page.getByRole('button', { name: 'Add criteria group' }).click();
    await page.getByLabel('Group 2, criterion 1 behaviour').selectOption({ label: 'Have the property' });
    await page.getByLabel('Group 2, criterion 1 property').fill('plan');
    await page.getByLabel('Group 2, criterion 1 value').fill('free');
    await page.getByRole('button', { name: 'Save cohort' }).click();
    const id = Number(new URL(page.url()).pathname.split('/').pop());
    await page.getByText('Saved.').waitFor();
    const saved = await waitCalculated(server, projectId, id);
    // + free plan: buyer-0, buyer-2, buyer-4 → buyer-0 is new.
    expect(saved.count).toBe(4);
    await page.getByTestId('member-count').filter({ hasText: '4' }).waitFor();
  });

  it('an incomplete criterion is refused before saving, naming the row', async () => {
    await page.goto(`${server.url}/project/${projectId}/cohorts/new`);
    await page.getByLabel('Name').fill('Half typed');
    await page.getByRole('button', { name: 'Create cohort' }).click();
    await page.getByRole('alert').filter({ hasText: 'Group 1, criterion 1: choose an event.' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/project/${projectId}/cohorts/new`);
  });

  it('a static cohort from an uploaded CSV has the listed persons', async () => {
    await page.goto(`${server.url}/project/${projectId}/cohorts/new`);
    await page.getByLabel('Name').fill('Beta testers');
    await page.getByLabel('Static: a fixed list, uploaded as CSV').check();
    await page.getByLabel('CSV file').setInputFiles({ name: 'beta.csv', mimeType: 'text/csv', buffer: Buffer.from('distinct_id\nbuyer-1\nbuyer-2\nnobody\n') });
    await page.getByRole('button', { name: 'Create cohort' }).click();
    await page.waitForURL(/\/cohorts\/\d+$/);
    const id = Number(new URL(page.url()).pathname.split('/').pop());
    const saved = (await api<CohortBody>(server, `/api/projects/${projectId}/cohorts/${id}/`)).body;
    expect(saved.is_static).toBe(true);
    expect(saved.count).toBe(2);
    await page.getByTestId('member-count').filter({ hasText: '2' }).waitFor();
  });

  it('the list shows every cohort with the API’s counts and types', async () => {
    await page.getByRole('link', { name: 'Cohorts', exact: true }).first().click();
    await page.waitForURL(`${server.url}/project/${projectId}/cohorts`);
    await page.getByRole('row', { name: /Beta testers/ }).waitFor();
    const all = (await api<{ results: CohortBody[] }>(server, `/api/projects/${projectId}/cohorts/`)).body.results;
    for (const c of all) {
      const row = page.getByRole('row', { name: new RegExp(c.name) });
      expect(await row.locator('td').first().textContent()).toBe(String(c.count));
    }
    expect(await page.getByRole('row', { name: /Beta testers/ }).textContent()).toContain('Static');
    expect(await page.getByRole('row', { name: /Repeat buyers/ }).textContent()).toContain('Dynamic (behavioural)');
    await screenshot(page, 'cohorts-list');
  });
});
