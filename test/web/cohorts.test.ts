import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, sendBatch } from '../helpers/api.js';
import { type CohortBody, createCohort, waitCalculated } from '../helpers/cohorts.js';
import { waitForValue } from '../helpers/query.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { type Browser, hasChromium, launchChromium, logIn, screenshot } from './browser.js';

/** The cohort builder in real Chromium: a behavioural cohort and a static CSV cohort, member counts equal to the API's. */
describe.skipIf(!hasChromium)('web app: cohorts (skipped only where /usr/bin/chromium is absent)', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let projectId: number;
  let signedUpAction: number;

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
    // For groups, actions and event filters: buyer-3 viewed the enterprise tier, buyer-4 the startup one;
    // old-1 and buyer-3 signed up lately, buyer-5 45 days ago.
    batch.push(
      { event: 'viewed_pricing', distinct_id: 'buyer-3', properties: { tier: 'enterprise' }, timestamp: at(3) },
      { event: 'viewed_pricing', distinct_id: 'buyer-4', properties: { tier: 'startup' }, timestamp: at(3) },
      { event: 'signed_up', distinct_id: 'old-1', timestamp: at(5) },
      { event: 'signed_up', distinct_id: 'buyer-3', timestamp: at(4) },
      { event: 'signed_up', distinct_id: 'buyer-5', timestamp: at(45) },
    );
    await sendBatch(server, server.projectApiKey, batch);
    await waitForValue(server, projectId, 'SELECT count() FROM persons', 7);
    await waitForValue(server, projectId, "SELECT count() FROM events WHERE event IN ('viewed_pricing', 'signed_up')", 5);
    const action = await api<{ id: number }>(server, `/api/projects/${projectId}/actions/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Signed up', steps: [{ event: 'signed_up' }] }),
    });
    expect(action.status).toBe(201);
    signedUpAction = action.body.id;

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
    await page.getByRole('combobox', { name: 'Group 1, criterion 1 event', exact: true }).fill('purchase');
    await page.getByLabel('Group 1, criterion 1 count operator').selectOption({ label: 'at least' });
    await page.getByLabel('Group 1, criterion 1 times').fill('2');
    await page.getByLabel('Group 1, criterion 1 time window').fill('30');
    await page.getByRole('button', { name: 'Add criteria to group 1' }).click();
    await page.getByLabel('Group 1, criterion 2 behaviour').selectOption({ label: 'Did not complete event' });
    await page.getByRole('combobox', { name: 'Group 1, criterion 2 event', exact: true }).fill('churn');
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
    await page.getByRole('combobox', { name: 'Group 2, criterion 1 property', exact: true }).fill('plan');
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

  it('two groups joined by "any": a behaviour with an event property filter, and an action; stored filters and members equal the API’s', async () => {
    await page.goto(`${server.url}/project/${projectId}/cohorts/new`);
    await page.getByLabel('Name').fill('Enterprise curious or signed up');
    expect(await page.getByLabel('Match criteria groups').inputValue()).toBe('OR');
    // Group 1: viewed pricing in the last 30 days, where tier = enterprise.
    await page.getByRole('combobox', { name: 'Group 1, criterion 1 event', exact: true }).fill('viewed_pricing');
    await page.getByRole('combobox', { name: 'Group 1, criterion 1 event', exact: true }).press('Tab');
    await page.getByRole('button', { name: 'Add filter to group 1, criterion 1' }).click();
    const filters = page.getByRole('group', { name: 'Group 1, criterion 1 event filters' });
    expect(await filters.getByLabel('Filter 1 property type').inputValue()).toBe('event');
    await filters.getByRole('combobox', { name: 'Filter 1 property name' }).fill('tier');
    await filters.getByRole('combobox', { name: 'Filter 1 property name' }).press('Tab');
    await filters.getByLabel('Filter 1 value').fill('enterprise');
    // Group 2: the "Signed up" action in the last 30 days.
    await page.getByRole('button', { name: 'Add criteria group' }).click();
    await page.getByLabel('Group 2, criterion 1 event or action').selectOption('actions');
    await page.getByLabel('Group 2, criterion 1 action').selectOption({ label: 'Signed up' });
    await screenshot(page, 'cohort-editor-groups');
    await page.getByRole('button', { name: 'Create cohort' }).click();
    await page.waitForURL(/\/cohorts\/\d+$/);
    const id = Number(new URL(page.url()).pathname.split('/').pop());

    const saved = await waitCalculated(server, projectId, id);
    expect(saved.filters).toEqual({
      properties: {
        type: 'OR',
        values: [
          {
            type: 'AND',
            values: [
              {
                type: 'behavioral',
                key: 'viewed_pricing',
                value: 'performed_event',
                event_type: 'events',
                time_value: 30,
                time_interval: 'day',
                event_filters: [{ key: 'tier', type: 'event', operator: 'exact', value: ['enterprise'] }],
              },
            ],
          },
          { type: 'AND', values: [{ type: 'behavioral', key: signedUpAction, value: 'performed_event', event_type: 'actions', time_value: 30, time_interval: 'day' }] },
        ],
      },
    });
    // By hand: buyer-3 (enterprise tier; also signed up) and old-1 (signed up); buyer-4's tier is startup, buyer-5 signed up 45 days ago.
    expect(saved.count).toBe(2);
    await page.getByTestId('member-count').filter({ hasText: '2' }).waitFor();
    const shown = await page.getByRole('table', { name: 'Members' }).locator('tbody td.mono').allTextContents();
    expect(shown.sort()).toEqual(['buyer-3', 'old-1']);

    // Reopened, the editor shows what was saved: the filter and the action.
    await page.reload();
    const reopened = page.getByRole('group', { name: 'Group 1, criterion 1 event filters' });
    expect(await reopened.getByLabel('Filter 1 value').inputValue()).toBe('enterprise');
    expect(await page.getByLabel('Group 2, criterion 1 event or action').inputValue()).toBe('actions');
    expect(await page.getByLabel('Group 2, criterion 1 action').inputValue()).toBe(String(signedUpAction));
  });

  it('a HogQL cohort: the query is edited in place, the server’s 400 is shown, and the members follow the new query', async () => {
    const created = await createCohort(server, projectId, { name: 'Churned by query', query: { kind: 'HogQLQuery', query: "SELECT person_id FROM events WHERE event = 'churn'" } });
    expect(created.count).toBe(2);
    await page.goto(`${server.url}/project/${projectId}/cohorts/${created.id}`);
    const query = page.getByRole('textbox', { name: 'HogQL query' });
    expect(await query.inputValue()).toBe("SELECT person_id FROM events WHERE event = 'churn'");
    expect(await page.getByLabel('HogQL query: a SELECT of person IDs').isChecked()).toBe(true);
    await page.getByTestId('member-count').filter({ hasText: '2' }).waitFor();

    // A query the server cannot compile: its own message, and nothing saved.
    const bad = 'SELECT person_id FROM nowhere';
    const refused = await api<{ detail: string }>(server, `/api/projects/${projectId}/cohorts/${created.id}/`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: { kind: 'HogQLQuery', query: bad } }),
    });
    expect(refused.status).toBe(400);
    await query.fill(bad);
    await page.getByRole('button', { name: 'Save cohort' }).click();
    await page.getByRole('alert').filter({ hasText: refused.body.detail }).waitFor();

    // Persons who purchased at least twice: buyer-1, buyer-2, buyer-4, buyer-5 and old-1.
    const good = "SELECT person_id FROM events WHERE event = 'purchase' GROUP BY person_id HAVING count() >= 2";
    await query.fill(good);
    await page.getByRole('button', { name: 'Save cohort' }).click();
    await page.getByText('Saved.').waitFor();
    const saved = await waitCalculated(server, projectId, created.id);
    expect((saved as CohortBody & { query: unknown }).query).toEqual({ kind: 'HogQLQuery', query: good });
    expect(saved.count).toBe(5);
    await page.getByTestId('member-count').filter({ hasText: '5' }).waitFor();
  });

  it('a definition made through the API (nested groups, criteria under the root, since-dates, stored numbers) opens editable and saves back unchanged', async () => {
    const churned = await createCohort(server, projectId, { name: 'Churn reference', filters: { properties: { type: 'OR', values: [{ type: 'behavioral', key: 'churn', value: 'performed_event', event_type: 'events' }] } } });
    const filters = {
      properties: {
        type: 'AND',
        values: [
          {
            type: 'OR',
            values: [
              {
                type: 'AND',
                values: [
                  { type: 'behavioral', key: 'purchase', value: 'performed_event_multiple', operator: 'eq', operator_value: 3, event_type: 'events', time_value: '30', time_interval: 'day' },
                  { type: 'person', key: 'plan', value: 'pro' },
                ],
              },
              { type: 'person', key: 'email', operator: 'icontains', value: 'buyer1' },
              { type: 'behavioral', key: signedUpAction, value: 'performed_event_first_time', event_type: 'actions', explicit_datetime: '-30d', negation: true },
              { type: 'person', key: 'visits', operator: 'lt', value: 100 },
            ],
          },
          { type: 'behavioral', key: 'viewed_pricing', value: 'performed_event', event_type: 'events', event_filters: [{ key: 'tier', type: 'event', operator: 'is_not', value: 'startup' }], negation: true },
          { type: 'cohort', key: 'id', value: churned.id, negation: true },
          { type: 'person', key: 'email', operator: 'is_set', negation: false },
        ],
      },
    };
    const made = await createCohort(server, projectId, { name: 'Nested by API', filters });
    await page.goto(`${server.url}/project/${projectId}/cohorts/${made.id}`);
    // The tree as stored: group 1 with a group 1.1 inside, criteria under the root.
    expect(await page.getByLabel('Group 1.1, criterion 1 times').inputValue()).toBe('3');
    expect(await page.getByLabel('Group 1.1, criterion 1 count operator').inputValue()).toBe('exact');
    expect(await page.getByRole('combobox', { name: 'Group 1.1, criterion 2 property', exact: true }).inputValue()).toBe('plan');
    expect(await page.getByLabel('Group 1, criterion 1 value').inputValue()).toBe('buyer1');
    expect(await page.getByLabel('Group 1, criterion 2 behaviour').inputValue()).toBe('not_performed_event_first_time');
    expect(await page.getByLabel('Group 1, criterion 2 event or action').inputValue()).toBe('actions');
    expect(await page.getByLabel('Group 1, criterion 2 since').inputValue()).toBe('-30d');
    expect(await page.getByLabel('Group 1, criterion 3 value').inputValue()).toBe('100');
    expect(await page.getByLabel('Criterion 1 when', { exact: true }).inputValue()).toBe('ever');
    expect(await page.getByRole('group', { name: 'Criterion 1 event filters' }).getByLabel('Filter 1 operator').inputValue()).toBe('is_not');
    expect(await page.getByLabel('Criterion 2 behaviour', { exact: true }).inputValue()).toBe('not_in_cohort');
    expect(await page.getByLabel('Criterion 2 cohort', { exact: true }).inputValue()).toBe(String(churned.id));
    expect(await page.getByLabel('Criterion 3 operator', { exact: true }).inputValue()).toBe('is_set');
    // By hand: persons with an email (buyers) not in "Churn reference" (buyer-0, buyer-5) who did not view a non-startup tier (buyer-3),
    // and who are in group 1 (everyone but old-1 and buyer-3, whose first sign-up falls in the last 30 days).
    expect(made.count).toBe(3);
    await page.getByTestId('member-count').filter({ hasText: '3' }).waitFor();

    // Saved untouched: the very filters it was created with are sent and stored.
    const sent = page.waitForRequest((r) => r.method() === 'PATCH' && r.url().endsWith(`/cohorts/${made.id}/`));
    await page.getByRole('button', { name: 'Save cohort' }).click();
    expect((await sent).postDataJSON().filters).toEqual(filters);
    await page.getByText('Saved.').waitFor();
    const stored = await waitCalculated(server, projectId, made.id);
    expect(stored.filters).toEqual(filters);
    expect(stored.count).toBe(made.count);

    // One nested criterion edited: only that leaf is rewritten (as the editor writes it), its siblings stay as stored.
    await page.getByLabel('Group 1.1, criterion 1 times').fill('2');
    await page.getByRole('button', { name: 'Save cohort' }).click();
    await page.getByText('Saved.').waitFor();
    const edited = await waitCalculated(server, projectId, made.id);
    const expected = structuredClone(filters);
    (expected.properties.values[0] as { values: Array<{ values: unknown[] }> }).values[0]!.values[0] = {
      type: 'behavioral',
      key: 'purchase',
      value: 'performed_event_multiple',
      event_type: 'events',
      time_value: 30,
      time_interval: 'day',
      operator: 'exact',
      operator_value: 2,
    };
    expect(edited.filters).toEqual(expected);
    await page.getByTestId('member-count').filter({ hasText: String(edited.count) }).waitFor();
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
