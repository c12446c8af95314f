import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { PostHog } from 'posthog-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, sendBatch } from '../helpers/api.js';
import { hogql } from '../helpers/query.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { type Browser, hasChromium, launchChromium, logIn, screenshot } from './browser.js';

const QUERY = 'SELECT event, count() AS c FROM events GROUP BY event ORDER BY c DESC, event';

/** The SQL editor in real Chromium: typed queries, results equal to the API's, sorting, CSV, chart, completion, errors. */
describe.skipIf(!hasChromium)('web app: SQL editor (skipped only where /usr/bin/chromium is absent)', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let projectId: number;
  let sqlUrl: string;

  const editor = () => page.locator('.hogql-editor .cm-content');
  const resultRows = () => page.locator('.sql-output table tbody tr');
  const column = (n: number) => resultRows().locator(`td:nth-child(${n})`).allTextContents();

  /** Replaces the editor's text by typing, as a person would. */
  async function typeQuery(text: string) {
    await editor().click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Backspace');
    await page.keyboard.type(text);
    await page.keyboard.press('Escape'); // close a completion popup left open by the last word
  }

  /** Ctrl/Cmd+Enter, then waits for that run's answer (or error). */
  async function runWithKeyboard() {
    const runs = Number(await page.locator('.sql-editor-card').getAttribute('data-runs'));
    await page.keyboard.press('ControlOrMeta+Enter');
    await page.locator(`.sql-editor-card[data-runs="${runs + 1}"]`).waitFor();
  }

  beforeAll(async () => {
    server = await startServer();
    browser = await launchChromium();
    page = await browser.context.newPage();
    projectId = (await api<{ id: number }>(server, '/api/projects/@current/')).body.id;
    sqlUrl = `${server.url}/project/${projectId}/sql`;

    const day = (d: number) => new Date(Date.UTC(2026, 0, 10 + d, 12)).toISOString();
    await sendBatch(server, server.projectApiKey, [
      ...Array.from({ length: 6 }, (_, i) => ({ event: '$pageview', distinct_id: `v${i % 3}`, properties: { plan_tier: i % 2 ? 'pro' : 'free', $current_url: 'https://shop.test/' }, timestamp: day(i % 3) })),
      ...Array.from({ length: 3 }, (_, i) => ({ event: 'signed up', distinct_id: `v${i}`, properties: { plan_tier: 'free' }, timestamp: day(i) })),
      { event: 'order, "quoted"', distinct_id: 'v0', properties: { amount: 5 }, timestamp: day(2) },
    ]);
    const client = new PostHog(server.projectApiKey, { host: server.url, flushAt: 100, flushInterval: 0 });
    client.identify({ distinctId: 'v0', properties: { $set: { email: 'zero@example.com' } } });
    await client.shutdown();

    await page.goto(sqlUrl);
    await logIn(page, server);
    await page.waitForURL((url) => url.pathname === `/project/${projectId}/sql`);
    await editor().waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('a typed query runs with Ctrl/Cmd+Enter; the table equals the API answer; timings and the row count show; the URL holds the query', async () => {
    expect(await page.getByText('Query results will appear here.').count()).toBe(1);
    await typeQuery(QUERY);
    await runWithKeyboard();

    const expected = (await hogql(server, projectId, QUERY)).body;
    expect(expected.results.length).toBe(4);
    expect(await page.getByTestId('sql-row-count').textContent()).toBe(String(expected.results.length));
    expect(await page.locator('.sql-output thead th').allTextContents()).toEqual(expected.columns.map((c) => expect.stringContaining(c)));
    expect(await column(1)).toEqual(expected.results.map((r) => String(r[0])));
    expect(await column(2)).toEqual(expected.results.map((r) => String(r[1])));
    expect(await page.locator('.sql-stats').textContent()).toMatch(/server \d+ ms \(compile \d+ ms, execute \d+ ms\) · round trip \d+ ms/);

    await page.waitForURL((url) => url.searchParams.get('q') === QUERY);
    await screenshot(page, 'sql');
  });

  it('a column header sorts this page of rows both ways', async () => {
    const expected = (await hogql(server, projectId, QUERY)).body.results;
    const counts = expected.map((r) => Number(r[1]));
    await page.getByRole('button', { name: 'c', exact: true }).click();
    await page.locator('th[aria-sort="ascending"]').waitFor();
    expect(await page.locator('th[aria-sort="ascending"]').textContent()).toContain('c');
    expect((await column(2)).map(Number)).toEqual([...counts].sort((a, b) => a - b));
    await page.getByRole('button', { name: 'c', exact: true }).click();
    expect((await column(2)).map(Number)).toEqual([...counts].sort((a, b) => b - a));
    await page.getByRole('button', { name: 'event', exact: true }).click();
    expect(await column(1)).toEqual(expected.map((r) => String(r[0])).sort((a, b) => a.localeCompare(b, undefined, { numeric: true })));
  });

  it('downloads the rows as CSV, in the order shown, quoted where needed', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^hedgerow-query-.*\.csv$/);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    const shown = await column(1);
    const counts = await column(2);
    const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
    expect(csv).toBe(['event,c', ...shown.map((e, i) => `${quote(e)},${counts[i]}`)].join('\r\n') + '\r\n');
    expect(csv).toContain('"order, ""quoted""",1');
  });

  it('charts the result (first column as x, numeric columns as series), line or bar', async () => {
    const byDay = 'SELECT toDate(timestamp) AS day, count() AS events, uniq(distinct_id) AS people FROM events GROUP BY day ORDER BY day';
    await typeQuery(byDay);
    await runWithKeyboard();
    await page.getByRole('tab', { name: 'Chart' }).click();
    await page.waitForURL((url) => url.searchParams.get('output_tab') === 'visualization');
    const chart = page.getByRole('img', { name: /Line chart of events, people by day/ });
    await chart.locator('svg').waitFor();
    const expected = (await hogql(server, projectId, byDay)).body.results;
    const labels = await chart.locator('svg text').allTextContents();
    for (const [d] of expected) expect(labels).toContain(String(d));
    expect(labels).toContain('people'); // legend of the two series
    await screenshot(page, 'sql-chart');
    await page.getByLabel('Bar').check();
    await page.waitForURL((url) => url.searchParams.get('chart') === 'bar');
    await page.getByRole('img', { name: /Bar chart of events, people by day/ }).locator('svg').waitFor();
    await page.getByRole('tab', { name: 'Results' }).click();
  });

  it('autocomplete offers tables, event property names and person property names', async () => {
    const options = () => page.locator('.cm-tooltip-autocomplete .cm-completionLabel').allTextContents();
    await typeQuery('SELECT count() FROM eve');
    await page.keyboard.press('Control+Space');
    await page.locator('.cm-tooltip-autocomplete').waitFor();
    expect(await options()).toContain('events');
    await page.keyboard.press('Escape');

    await typeQuery('SELECT properties.plan');
    await page.keyboard.press('Control+Space');
    await page.locator('.cm-tooltip-autocomplete').waitFor();
    expect(await options()).toContain('plan_tier');
    await screenshot(page, 'sql-autocomplete');
    await page.keyboard.press('Enter');
    expect(await editor().textContent()).toBe('SELECT properties.plan_tier');

    await page.keyboard.type(', person.properties.em');
    await page.keyboard.press('Control+Space');
    await page.locator('.cm-tooltip-autocomplete').waitFor();
    expect(await options()).toContain('email');
  });

  it('a bad query underlines the error position and shows the message', async () => {
    const bad = 'SELECT event, nosuchfield FROM events';
    await typeQuery(bad);
    await runWithKeyboard();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const api = (await hogql(server, projectId, bad)).body;
    expect(api.detail).toBe('Unable to resolve field: nosuchfield');
    expect(await alert.textContent()).toContain(`Line 1, column ${api.start! + 1}: ${api.detail}`);
    const underline = page.locator('.cm-lintRange-error');
    await underline.waitFor();
    expect(await underline.textContent()).toBe(bad.slice(api.start!, api.end!));
    await underline.hover();
    await page.locator('.cm-tooltip-lint').getByText(api.detail).waitFor();
    await screenshot(page, 'sql-error');
  });

  it('a shared link opens the query and runs it; more than 100 rows says so', async () => {
    const many = 'SELECT number FROM numbers(150)';
    await page.goto(`${sqlUrl}?q=${encodeURIComponent(many)}`);
    await page.getByTestId('sql-row-count').waitFor();
    expect(await editor().textContent()).toBe(many);
    const api = (await hogql(server, projectId, many)).body;
    expect(api.hasMore).toBe(true);
    expect(await page.getByTestId('sql-row-count').textContent()).toBe(String(api.results.length));
    expect(await page.getByRole('note').textContent()).toContain('Showing the first 100 rows');
  });
});
