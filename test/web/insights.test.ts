import { PostHog } from 'posthog-node';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/api.js';
import { postQuery, waitForValue } from '../helpers/query.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { type Browser, hasChromium, launchChromium, logIn, screenshot } from './browser.js';

const DAY = 86_400_000;
const USERS = ['ada', 'bo', 'cy', 'di', 'ed', 'flo'];
const email = (u: string) => `${u}@example.com`;
const COUNTRY: Record<string, string> = { ada: 'GB', bo: 'GB', cy: 'GB', di: 'DE', ed: 'DE', flo: 'US' };

/**
 * posthog-node events over the last six days: pageviews (everyone views two pages 5 days ago, some
 * return on later days), and a 2-step signup funnel ($pageview → signed up) that four of six complete.
 * Returns how many events were sent.
 */
async function sendEvents(server: TestServer): Promise<number> {
  const client = new PostHog(server.projectApiKey, { host: server.url, flushAt: 200, flushInterval: 0 });
  const now = Date.now();
  let sent = 0;
  const at = (daysAgo: number, minutes = 0) => new Date(now - daysAgo * DAY - 3 * 3600_000 + minutes * 60_000);
  const returns: Record<string, number[]> = { ada: [4, 3, 2, 1, 0], bo: [4, 2, 0], cy: [3], di: [1], ed: [], flo: [0] };
  for (const u of USERS) {
    client.capture({ distinctId: u, event: '$pageview', timestamp: at(5), properties: { $current_url: 'https://shop.test/', $geoip_country_code: COUNTRY[u], $set: { email: email(u) } } });
    client.capture({ distinctId: u, event: '$pageview', timestamp: at(5, 5), properties: { $current_url: 'https://shop.test/pricing' } });
    sent += 2;
    for (const d of returns[u]!) {
      client.capture({ distinctId: u, event: '$pageview', timestamp: at(d), properties: { $current_url: 'https://shop.test/pricing' } });
      sent++;
    }
  }
  for (const u of USERS.slice(0, 4)) {
    client.capture({ distinctId: u, event: 'signed up', timestamp: at(5, 10), properties: { plan: u === 'ada' ? 'pro' : 'free' } });
    sent++;
  }
  await client.shutdown();
  return sent;
}

interface Series {
  data: number[];
  days: string[];
  labels: string[];
  count: number;
  aggregated_value?: number;
}

/**
 * The insight builder in real Chromium: a trend, a funnel and a retention table built by clicking,
 * their numbers checked against the same queries sent to `/query/`, a trend point drilled into,
 * and each saved onto a new dashboard.
 */
describe.skipIf(!hasChromium)('web app: insight builder (skipped only where /usr/bin/chromium is absent)', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let projectId: number;
  let base: string;

  beforeAll(async () => {
    server = await startServer();
    projectId = (await api<{ id: number }>(server, '/api/projects/@current/')).body.id;
    const sent = await sendEvents(server);
    await waitForValue(server, projectId, 'SELECT count() FROM events', sent);
    browser = await launchChromium();
    page = await browser.context.newPage();
    base = `${server.url}/project/${projectId}`;
    await page.goto(`${base}/insights/new`);
    await logIn(page, server);
    await page.waitForURL(`${base}/insights/new`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  const query = async <T>(q: Record<string, unknown>) => {
    const res = await postQuery<{ results: T }>(server, projectId, q);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.results;
  };

  it('a new insight is a $pageview trend of the last 7 days whose table and number equal the TrendsQuery', async () => {
    const table = page.locator('.trends-table');
    await table.waitFor();
    const expected = (await query<Series[]>({ kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview', name: '$pageview', math: 'total' }], interval: 'day', dateRange: { date_from: '-7d' } }))[0]!;
    expect(expected.count).toBe(23);
    const cells = await table.locator('tbody tr').first().locator('td').allTextContents();
    expect(cells).toEqual([...expected.data.map(String), String(expected.count)]);
    await screenshot(page, 'insight-trends');

    // The query is in the URL: a copied link opens the same insight.
    await page.getByLabel('Chart type').selectOption({ label: 'Number' });
    await page.waitForURL(/#q=/);
    const number = page.getByTestId('bold-number');
    await number.waitFor();
    const bold = (await query<Series[]>({ kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview', name: '$pageview', math: 'total' }], interval: 'day', dateRange: { date_from: '-7d' }, trendsFilter: { display: 'BoldNumber' } }))[0]!;
    expect(await number.textContent()).toBe(String(bold.aggregated_value));

    const url = page.url();
    const hash = decodeURIComponent(new URL(url).hash.slice('#q='.length));
    expect(JSON.parse(hash)).toMatchObject({ kind: 'InsightVizNode', source: { kind: 'TrendsQuery', trendsFilter: { display: 'BoldNumber' } } });
    await page.goto('about:blank');
    await page.goto(url);
    await page.getByTestId('bold-number').waitFor();
    expect(await page.getByTestId('bold-number').textContent()).toBe(String(bold.aggregated_value));

    // Unique users of the same trend.
    await page.getByLabel('Series A math').selectOption({ label: 'Unique users' });
    await expect.poll(() => page.getByTestId('bold-number').textContent()).toBe('6');
    await page.goBack(); // back undoes the last edit
    await expect.poll(() => page.getByTestId('bold-number').textContent()).toBe(String(bold.aggregated_value));
  });

  it('clicking a point of the trend lists the persons behind it, as the ActorsQuery does', async () => {
    await page.getByLabel('Chart type').selectOption({ label: 'Line chart' });
    const canvas = page.locator('.insight-result .echart canvas').first();
    await canvas.waitFor();
    await page.locator('.trends-table').waitFor();
    const expected = (await query<Series[]>({ kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview', name: '$pageview', math: 'total' }], interval: 'day', dateRange: { date_from: '-7d' } }))[0]!;
    // Four days ago (events are sent 3 h before "now - 4 days"): ada and bo came back.
    // The chart's grid is fixed (56 px left, 24 px right).
    const index = expected.days.indexOf(new Date(Date.now() - 4 * DAY - 3 * 3600_000).toISOString().slice(0, 10));
    expect(index).toBeGreaterThanOrEqual(0);
    const box = (await canvas.boundingBox())!;
    const x = box.x + 56 + (index * (box.width - 56 - 24)) / (expected.days.length - 1);
    await page.mouse.click(x, box.y + box.height / 2);
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.getByRole('heading').textContent()).toContain(expected.labels[index]!);
    await dialog.locator('tbody tr').first().waitFor();
    const shown = (await dialog.locator('tbody th').allTextContents()).sort();

    const actors = await query<Array<[{ display_name: string }]>>({
      kind: 'ActorsQuery',
      select: ['person_display_name'],
      source: { kind: 'InsightActorsQuery', source: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview', math: 'total' }], interval: 'day', dateRange: { date_from: '-7d' } }, day: expected.days[index], series: 0 },
    });
    expect(shown).toEqual(actors.map((r) => r[0].display_name).sort());
    expect(shown).toEqual([email('ada'), email('bo')]);
    await screenshot(page, 'insight-persons-modal');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  it('the trend saves with a name and goes onto a new dashboard', async () => {
    await page.getByLabel('Chart type').selectOption({ label: 'Number' });
    await page.getByLabel('Insight name').fill('Pageviews this week');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/\/insights\/[A-Za-z0-9]+$/);
    await page.getByRole('heading', { name: 'Pageviews this week' }).waitFor();
    await page.getByTestId('computed-at').getByText(/Computed/).waitFor();
    expect(await page.getByTestId('bold-number').textContent()).toBe('23');

    await page.getByRole('button', { name: 'Add to dashboard' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('New dashboard').fill('Growth');
    await dialog.getByRole('button', { name: 'Create and add' }).click();
    await dialog.getByRole('checkbox', { name: 'Growth' }).waitFor();
    expect(await dialog.getByRole('checkbox', { name: 'Growth' }).isChecked()).toBe(true);
    await dialog.getByRole('button', { name: 'Done' }).click();

    const shortId = page.url().split('/').pop()!;
    const saved = await api<{ results: Array<{ name: string; dashboards: number[]; query: { kind: string; source: { kind: string } } }> }>(server, `/api/projects/${projectId}/insights/?short_id=${shortId}`);
    expect(saved.body.results[0]).toMatchObject({ name: 'Pageviews this week', query: { kind: 'InsightVizNode', source: { kind: 'TrendsQuery' } } });
    expect(saved.body.results[0]!.dashboards).toHaveLength(1);
  });

  it('a funnel built with the tabs and the event picker shows the FunnelsQuery step counts and conversion', async () => {
    await page.goto(`${base}/insights/new`);
    await page.getByRole('tab', { name: 'Funnels' }).click();
    await page.getByText('Add another step').waitFor();
    await page.getByRole('button', { name: '+ Add step' }).click();
    const step2 = page.getByRole('combobox', { name: 'Step 2 event' });
    await step2.click();
    await step2.fill('sign');
    await page.getByRole('option', { name: 'signed up' }).click();
    await page.getByTestId('funnel-step-2').waitFor();

    const steps = await query<Array<{ count: number }>>({
      kind: 'FunnelsQuery',
      series: [
        { kind: 'EventsNode', event: '$pageview' },
        { kind: 'EventsNode', event: 'signed up' },
      ],
      dateRange: { date_from: '-7d' },
      funnelsFilter: { funnelOrderType: 'ordered', funnelWindowInterval: 14, funnelWindowIntervalUnit: 'day' },
    });
    expect(steps.map((s) => s.count)).toEqual([6, 4]);
    await expect.poll(() => page.getByTestId('funnel-step-2').getByTestId('step-count').textContent()).toBe('4');
    expect(await page.getByTestId('funnel-step-1').getByTestId('step-count').textContent()).toBe('6');
    expect(await page.getByTestId('funnel-step-1').getByTestId('step-conversion').textContent()).toBe('100%');
    expect(await page.getByTestId('funnel-step-2').getByTestId('step-conversion').textContent()).toBe('66.7%');
    expect(await page.getByTestId('funnel-total-conversion').textContent()).toBe('66.7%');
    await screenshot(page, 'insight-funnels');

    // The drop-off opens the persons who did not sign up.
    await page.getByTestId('funnel-step-2').getByRole('button', { name: /dropped off/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('tbody tr').first().waitFor();
    expect((await dialog.locator('tbody th').allTextContents()).sort()).toEqual([email('ed'), email('flo')]);
    await dialog.getByRole('button', { name: 'Close' }).click();

    await page.getByLabel('Insight name').fill('Signup funnel');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/\/insights\/[A-Za-z0-9]+$/);
    await page.getByRole('button', { name: 'Add to dashboard' }).click();
    const add = page.getByRole('dialog');
    await add.getByRole('checkbox', { name: 'Growth' }).check();
    await expect.poll(() => add.getByRole('status').textContent()).toBe('On 1 dashboard');
    await add.getByRole('button', { name: 'Done' }).click();
  });

  it('a retention table shows the RetentionQuery cohorts, cell by cell', async () => {
    await page.goto(`${base}/insights/new#insight=RETENTION`);
    const table = page.locator('.retention-table');
    await table.waitFor();
    const rows = await query<Array<{ values: Array<{ count: number }> }>>({
      kind: 'RetentionQuery',
      retentionFilter: {
        retentionType: 'retention_first_time',
        totalIntervals: 8,
        period: 'Day',
        targetEntity: { id: '$pageview', type: 'events', name: '$pageview' },
        returningEntity: { id: '$pageview', type: 'events', name: '$pageview' },
      },
    });
    const shown = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td[data-count]')].map((td) => Number(td.getAttribute('data-count')))));
    expect(shown).toEqual(rows.map((r) => r.values.map((v) => v.count)));
    // The cohort of five days ago: all six, four back on day 1 … 
    const cohort = rows.find((r) => r.values[0]!.count === 6)!;
    expect(cohort).toBeDefined();
    const sizes = await table.getByTestId('cohort-size').allTextContents();
    expect(sizes).toEqual(rows.map((r) => String(r.values[0]!.count)));
    await screenshot(page, 'insight-retention');

    await page.getByLabel('Insight name').fill('Pageview retention');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/\/insights\/[A-Za-z0-9]+$/);
    await page.getByRole('button', { name: 'Add to dashboard' }).click();
    const add = page.getByRole('dialog');
    await add.getByRole('checkbox', { name: 'Growth' }).check();
    await expect.poll(() => add.getByRole('status').textContent()).toBe('On 1 dashboard');
    await add.getByRole('link', { name: 'Open dashboard' }).click();

    // The dashboard holds the three insights.
    await page.waitForURL(/\/dashboard\/\d+$/);
    await page.getByRole('heading', { name: 'Growth' }).waitFor();
    await expect.poll(() => page.locator('.tile').count()).toBe(3);
    await page.locator('.tile').getByTestId('bold-number').waitFor();
    expect(await page.locator('.tile').getByTestId('bold-number').textContent()).toBe('23');
  });

  it('paths, stickiness and lifecycle draw from their queries', async () => {
    await page.goto(`${base}/insights/new#insight=PATHS`);
    await page.locator('.insight-result .echart canvas').waitFor();
    await expect.poll(() => page.locator('.insight-result .echart').getAttribute('aria-label')).toMatch(/User paths over \d+ steps/);
    await screenshot(page, 'insight-paths');

    await page.getByRole('tab', { name: 'Stickiness' }).click();
    await page.locator('.insight-result .echart canvas').waitFor();
    await expect.poll(() => page.locator('.insight-result .echart').getAttribute('aria-label')).toMatch(/Stickiness chart/);
    await screenshot(page, 'insight-stickiness');

    await page.getByRole('tab', { name: 'Lifecycle' }).click();
    await page.locator('.lifecycle-totals').waitFor();
    const lifecycle = await query<Array<{ status: string; count: number }>>({ kind: 'LifecycleQuery', series: [{ kind: 'EventsNode', event: '$pageview', name: '$pageview', math: 'total' }], interval: 'day', dateRange: { date_from: '-7d' } });
    const totals = await page.locator('.lifecycle-totals dd').allTextContents();
    expect(totals).toEqual(lifecycle.map((s) => String(s.count)));
    await screenshot(page, 'insight-lifecycle');
  });

  it('a breakdown splits the trend by property value, and compare adds the previous period', async () => {
    await page.goto(`${base}/insights/new`);
    await page.locator('.trends-table').waitFor();
    await page.getByLabel('Breakdown type').selectOption({ label: 'Event property' });
    const property = page.getByRole('combobox', { name: 'Breakdown property' });
    await property.click();
    await property.fill('current');
    await page.getByRole('option', { name: '$current_url' }).click();
    const series = [{ kind: 'EventsNode', event: '$pageview', name: '$pageview', math: 'total' }];
    const broken = await query<Array<Series & { breakdown_value: string }>>({ kind: 'TrendsQuery', series, interval: 'day', dateRange: { date_from: '-7d' }, breakdownFilter: { breakdown_type: 'event', breakdown: '$current_url' } });
    expect(broken.length).toBe(2);
    const rows = page.locator('.trends-table tbody tr');
    const shown = () => rows.evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')!.textContent!.trim(), tr.querySelector('.total-cell')!.textContent!.trim()]));
    await expect.poll(shown).toEqual(broken.map((s) => [`Pageview · ${s.breakdown_value}`, String(s.count)]));

    await page.getByLabel('Compare to previous period').click();
    const compared = await query<Array<Series & { breakdown_value: string; compare_label: string }>>({
      kind: 'TrendsQuery',
      series,
      interval: 'day',
      dateRange: { date_from: '-7d' },
      breakdownFilter: { breakdown_type: 'event', breakdown: '$current_url' },
      compareFilter: { compare: true },
    });
    await expect.poll(shown).toEqual(compared.map((s) => [`Pageview · ${s.breakdown_value}${s.compare_label === 'previous' ? ' (previous period)' : ''}`, String(s.count)]));
  });

  it('the world map shows the trend by $geoip_country_code, as the WorldMap query counts it', async () => {
    await page.goto(`${base}/insights/new`);
    await page.locator('.trends-table').waitFor();
    await page.getByLabel('Chart type').selectOption({ label: 'World map' });
    const table = page.locator('.world-map-table');
    await table.waitFor();
    await page.locator('.world-map .echart canvas').waitFor();
    const results = await query<Array<{ breakdown_value: string; aggregated_value: number }>>({
      kind: 'TrendsQuery',
      series: [{ kind: 'EventsNode', event: '$pageview', name: '$pageview', math: 'total' }],
      interval: 'day',
      dateRange: { date_from: '-7d' },
      trendsFilter: { display: 'WorldMap' },
      breakdownFilter: { breakdown_type: 'event', breakdown: '$geoip_country_code' },
    });
    const names = new Intl.DisplayNames(['en'], { type: 'region' });
    const expected = results.map((r) => [/^[A-Z]{2}$/.test(r.breakdown_value) ? names.of(r.breakdown_value)! : 'None', String(r.aggregated_value)]);
    expect(expected).toContainEqual(['United Kingdom', '3']);
    await expect.poll(() => table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')!.textContent!, tr.querySelector('td')!.textContent!]).sort())).toEqual(expected.sort());
    await screenshot(page, 'insight-world-map');
  });

  it('a query the server refuses shows its message', async () => {
    const bad = { kind: 'InsightVizNode', source: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview', math: 'total' }], dateRange: { date_from: 'not a date' } } };
    await page.goto(`${base}/insights/new#q=${encodeURIComponent(JSON.stringify(bad))}`);
    const alert = page.locator('.insight-result').getByRole('alert');
    await alert.waitFor();
    const res = await postQuery(server, projectId, bad.source);
    expect(res.status).toBe(400);
    expect(await alert.textContent()).toContain(res.body.detail);
  });
});
