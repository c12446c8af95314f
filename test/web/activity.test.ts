import type { Page } from 'playwright-core';
import { PostHog } from 'posthog-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allEvents, api, sendBatch, type ApiEvent } from '../helpers/api.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { type Browser, hasChromium, launchChromium, logIn, screenshot } from './browser.js';

/** The Activity screen (events explorer) in real Chromium, every number checked against the events API. */
describe.skipIf(!hasChromium)('web app: activity (skipped only where /usr/bin/chromium is absent)', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let projectId: number;
  let explore: string;

  const rows = () => page.locator('table tbody tr[data-row-key]');
  const eventNames = () => rows().locator('td:nth-child(2)').allTextContents();
  const shownCount = async () => Number((await page.getByTestId('events-count').textContent())!.replace(/\D/g, ''));

  async function capture(events: Array<{ distinctId: string; event: string; properties?: Record<string, unknown>; timestamp?: Date }>, identify?: { distinctId: string; email: string }) {
    const client = new PostHog(server.projectApiKey, { host: server.url, flushAt: 100, flushInterval: 0 });
    for (const e of events) client.capture(e);
    if (identify) client.identify({ distinctId: identify.distinctId, properties: { $set: { email: identify.email } } });
    await client.shutdown();
  }

  /** Waits until the list shows what the API lists for the same filter, newest first. */
  async function expectListMatchesApi(query: string) {
    const expected = await allEvents(server, projectId, query);
    await expect.poll(shownCount, { timeout: 15_000 }).toBe(expected.length);
    expect(await eventNames()).toEqual(expected.slice(0, 50).map((e) => e.event));
    return expected;
  }

  beforeAll(async () => {
    server = await startServer();
    browser = await launchChromium();
    page = await browser.context.newPage();
    projectId = (await api<{ id: number }>(server, '/api/projects/@current/')).body.id;
    explore = `${server.url}/project/${projectId}/activity/explore`;
    // PostHog's older address, deep-linked before logging in.
    await page.goto(`${server.url}/project/${projectId}/events`);
    await logIn(page, server);
    await page.waitForURL(explore);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('an empty project says exactly what to paste, then shows the first events as they arrive', async () => {
    await page.getByRole('heading', { name: 'No events yet' }).waitFor();
    expect(await page.locator('#sdk-panel pre').textContent()).toContain(`posthog.init('${server.projectApiKey}'`);
    expect(await page.locator('#sdk-panel pre').textContent()).toContain(server.url);
    await screenshot(page, 'activity-empty');

    const t0 = Date.now() - 60 * 60_000;
    // 55 older pageviews (more than one page) and three recent events from two people.
    await sendBatch(
      server,
      server.projectApiKey,
      Array.from({ length: 55 }, (_, i) => ({
        event: '$pageview',
        distinct_id: 'visitor-3',
        properties: { $current_url: `https://shop.test/p/${i}`, $lib: 'web', plan: 'free' },
        timestamp: new Date(t0 + i * 1000).toISOString(),
      })),
    );
    await capture(
      [
        { distinctId: 'user-1', event: 'order placed', properties: { plan: 'pro', amount: 42, $current_url: 'https://shop.test/checkout' }, timestamp: new Date(Date.now() - 3 * 60_000) },
        { distinctId: 'user-2', event: 'order placed', properties: { plan: 'free', amount: 7 }, timestamp: new Date(Date.now() - 2 * 60_000) },
        {
          distinctId: 'user-1',
          event: '$autocapture',
          properties: { $event_type: 'click', $elements_chain: 'button.buy.primary:nth-child="1"text="Buy now";form.checkout:attr__id="pay"nth-child="2"' },
          timestamp: new Date(Date.now() - 60_000),
        },
      ],
      { distinctId: 'user-1', email: 'one@example.com' },
    );

    // Live mode (on by default) brings them in without a reload.
    await rows().first().waitFor({ timeout: 15_000 });
    const all = await expectListMatchesApi('');
    expect(all.length).toBe(59); // 55 + 3 + $identify
    expect(await rows().count()).toBe(50);

    // The person column names people by email when they have one; the time hover is UTC.
    const order = rows().filter({ hasText: 'https://shop.test/checkout' });
    expect(await order.locator('td:nth-child(3)').textContent()).toBe('one@example.com');
    expect(await order.locator('td:nth-child(5)').textContent()).toBe('posthog-node');
    expect(await order.locator('time').getAttribute('title')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} UTC$/);

    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByText('That is every matching event.').waitFor();
    expect(await rows().count()).toBe(59);
    expect(await eventNames()).toEqual(all.map((e) => e.event));
  });

  it('filters by event name with the picker; the URL keeps it across a reload', async () => {
    const picker = page.getByRole('combobox', { name: 'Event' });
    await picker.click();
    await picker.fill('order');
    await page.getByRole('option', { name: 'order placed' }).waitFor();
    // Keyboard only: the first match, then Enter.
    await picker.press('ArrowDown');
    expect(await picker.getAttribute('aria-activedescendant')).toBe(await page.getByRole('option', { name: 'order placed' }).getAttribute('id'));
    await picker.press('Enter');
    await page.waitForURL((url) => url.searchParams.get('event') === 'order placed');
    const expected = await expectListMatchesApi('event=order%20placed');
    expect(expected.length).toBe(2);

    await page.reload();
    await rows().first().waitFor();
    expect(await page.getByRole('combobox', { name: 'Event' }).inputValue()).toBe('order placed');
    await expectListMatchesApi('event=order%20placed');
  });

  it('filters by a property; the URL holds the PostHog filter and a reload keeps it', async () => {
    await page.getByRole('button', { name: 'Add filter' }).click();
    expect(await page.getByLabel('Filter 1 property type').inputValue()).toBe('event');
    await page.getByRole('combobox', { name: 'Filter 1 property name' }).fill('plan');
    await page.getByLabel('Filter 1 value').fill('pro');
    await page.getByLabel('Filter 1 value').press('Enter');
    const filter = [{ key: 'plan', type: 'event', operator: 'exact', value: ['pro'] }];
    await page.waitForURL((url) => url.searchParams.get('properties') === JSON.stringify(filter));
    const expected = await expectListMatchesApi(`event=order%20placed&properties=${encodeURIComponent(JSON.stringify(filter))}`);
    expect(expected.map((e) => e.distinct_id)).toEqual(['user-1']);
    await screenshot(page, 'activity-filtered');

    await page.reload();
    await rows().first().waitFor();
    expect(await page.getByRole('combobox', { name: 'Filter 1 property name' }).inputValue()).toBe('plan');
    expect(await page.getByLabel('Filter 1 value').inputValue()).toBe('pro');
    expect(await rows().count()).toBe(1);

    // Back to the previous URL (event filter only).
    await page.goBack();
    await page.waitForURL((url) => !url.searchParams.has('properties'));
    await expectListMatchesApi('event=order%20placed');
  });

  it('a pasted link with a filter opens filtered; a row opens the event with all its properties (searchable), its person and its elements', async () => {
    const filter = [{ key: '$lib', type: 'event', operator: 'exact', value: ['posthog-node'] }];
    await page.goto(`${explore}?properties=${encodeURIComponent(JSON.stringify(filter))}`);
    await rows().first().waitFor();
    await expectListMatchesApi(`properties=${encodeURIComponent(JSON.stringify(filter))}`);
    expect(await page.getByRole('combobox', { name: 'Filter 1 property name' }).inputValue()).toBe('$lib');
    await screenshot(page, 'activity');
    const autocapture = rows().filter({ hasText: '$autocapture' });
    await autocapture.waitFor();
    await autocapture.getByRole('button', { name: /Show details of \$autocapture/ }).click();
    const detail = page.locator('.data-table-detail');
    await detail.waitFor();
    const [stored] = (await allEvents(server, projectId, 'event=%24autocapture')) as ApiEvent[];
    expect(await detail.textContent()).toContain(stored!.id);
    // Every property is listed; the search narrows by key or value.
    expect(await detail.locator('.kv-table tbody tr').count()).toBe(Object.keys(stored!.properties).length);
    await detail.getByRole('searchbox').fill('event_type');
    await detail.locator('.kv-table tbody tr').nth(1).waitFor({ state: 'detached' });
    expect(await detail.locator('.kv-table tbody tr').count()).toBe(1);
    expect(await detail.locator('.kv-table tbody tr td').textContent()).toBe('click');

    await detail.getByRole('tab', { name: 'Person' }).click();
    expect(await detail.getByRole('link', { name: 'one@example.com' }).getAttribute('href')).toMatch(new RegExp(`/project/${projectId}/persons/[0-9a-f-]{36}$`));
    expect(await detail.locator('.kv-table').textContent()).toContain('one@example.com');

    await detail.getByRole('tab', { name: 'Elements' }).click();
    const elements = detail.locator('.elements-chain li');
    expect(await elements.count()).toBe(2);
    expect(await elements.nth(0).textContent()).toContain('<button class="buy primary">');
    expect(await elements.nth(0).textContent()).toContain('Buy now');
    expect(await elements.nth(1).textContent()).toContain('attr__id=pay');
    await screenshot(page, 'activity-event-detail');
  });

  it('live mode shows a newly captured event without a reload, highlighted; paused, it waits for Play', async () => {
    await page.getByRole('link', { name: 'Clear all filters' }).first().click();
    await page.waitForURL(explore);
    await expectListMatchesApi('');
    await page.evaluate('window.marker = 1');
    const before = await shownCount();
    await capture([{ distinctId: 'user-2', event: 'live ping' }]);
    const fresh = rows().filter({ hasText: 'live ping' });
    await fresh.waitFor({ timeout: 15_000 });
    expect(await fresh.getAttribute('class')).toContain('row-new');
    expect((await eventNames())[0]).toBe('live ping');
    await expect.poll(shownCount, { timeout: 15_000 }).toBe(before + 1);
    expect(await page.evaluate('window.marker')).toBe(1); // same page, no reload

    await page.getByRole('button', { name: 'Pause live updates' }).click();
    await capture([{ distinctId: 'user-2', event: 'while paused' }]);
    await page.waitForTimeout(4500);
    expect(await rows().filter({ hasText: 'while paused' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Resume live updates' }).click();
    await rows().filter({ hasText: 'while paused' }).waitFor({ timeout: 15_000 });
  });
});
