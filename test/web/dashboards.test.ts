import { PostHog } from 'posthog-node';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/api.js';
import { postQuery, waitForValue } from '../helpers/query.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { type Browser, hasChromium, launchChromium, logIn, screenshot } from './browser.js';

const DAY = 86_400_000;
const USERS = ['ada', 'bo', 'cy', 'di', 'ed', 'flo'];

/** Pageviews over six days (some persons come back), and a signup four of six complete. */
async function sendEvents(server: TestServer): Promise<number> {
  const client = new PostHog(server.projectApiKey, { host: server.url, flushAt: 200, flushInterval: 0 });
  const now = Date.now();
  const at = (daysAgo: number, minutes = 0) => new Date(now - daysAgo * DAY - 3 * 3600_000 + minutes * 60_000);
  const returns: Record<string, number[]> = { ada: [4, 3, 2, 1, 0], bo: [4, 2, 0], cy: [3], di: [1], ed: [], flo: [0] };
  let sent = 0;
  for (const [i, u] of USERS.entries()) {
    client.capture({ distinctId: u, event: '$pageview', timestamp: at(5), properties: { $current_url: 'https://shop.test/', $set: { email: `${u}@example.com` } } });
    sent++;
    for (const d of returns[u]!) {
      client.capture({ distinctId: u, event: '$pageview', timestamp: at(d), properties: { $current_url: 'https://shop.test/pricing' } });
      sent++;
    }
    if (i < 4) {
      client.capture({ distinctId: u, event: 'signed up', timestamp: at(5, 10) });
      sent++;
    }
  }
  await client.shutdown();
  return sent;
}

const TREND = { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview', name: '$pageview', math: 'total' }], interval: 'day', dateRange: { date_from: '-7d' }, trendsFilter: { display: 'BoldNumber' } };
const FUNNEL = {
  kind: 'FunnelsQuery',
  series: [
    { kind: 'EventsNode', event: '$pageview', name: '$pageview' },
    { kind: 'EventsNode', event: 'signed up', name: 'signed up' },
  ],
  dateRange: { date_from: '-7d' },
  funnelsFilter: { funnelWindowInterval: 14, funnelWindowIntervalUnit: 'day' },
};
const RETENTION = {
  kind: 'RetentionQuery',
  retentionFilter: {
    retentionType: 'retention_first_time',
    totalIntervals: 8,
    period: 'Day',
    targetEntity: { id: '$pageview', type: 'events', name: '$pageview' },
    returningEntity: { id: '$pageview', type: 'events', name: '$pageview' },
  },
};

interface Sm {
  x: number;
  y: number;
  w: number;
  h: number;
}

interface DashboardBody {
  id: number;
  filters: Record<string, unknown>;
  tiles: Array<{ id: number; layouts: { sm?: Sm }; insight: { id: number; name: string } | null }>;
}

const overlap = (a: Sm, b: Sm) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * Dashboards in real Chromium: create one, add three saved insights (trend, funnel, retention),
 * see their numbers equal the queries', drag a tile to a new place and resize one by its corner
 * (the others reflow), move one with the keyboard, override the date range, resize with a preset
 * and remove a tile — each change read back through the dashboards API.
 */
describe.skipIf(!hasChromium)('web app: dashboards (skipped only where /usr/bin/chromium is absent)', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let projectId: number;
  let base: string;
  let dashboardId: number;

  const query = async <T>(q: Record<string, unknown>) => {
    const res = await postQuery<{ results: T }>(server, projectId, q);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.results;
  };
  const dashboard = async () => (await api<DashboardBody>(server, `/api/projects/${projectId}/dashboards/${dashboardId}/?refresh=force_cache`)).body;
  /** Each tile's saved desktop layout, by insight name. */
  const saved = async () => Object.fromEntries((await dashboard()).tiles.map((t) => [t.insight?.name ?? String(t.id), t.layouts.sm]));
  /** The tiles' names in the order a person reads (and tabs through) them. */
  const onScreen = () => page.locator('.tile').evaluateAll((tiles) => tiles.map((t) => t.getAttribute('aria-label')));
  /** The grid's pitch in pixels: a column (or row) plus the gap after it. */
  const pitch = async () => {
    const box = (await page.locator('.dashboard-grid').boundingBox())!;
    return { col: (box.width - 11 * 16) / 12 + 16, row: 64 + 16 };
  };
  /** Resolves once every CSS transition (tiles gliding to their places) has finished. */
  const settled = () => page.evaluate('Promise.all(document.getAnimations().map((a) => a.finished)).then(() => undefined)');
  /** A mouse drag as a person makes it: press on `from`, move in small steps along each leg, (`beforeRelease`,) release. */
  const drag = async (from: Locator, legs: Array<[number, number]>, beforeRelease?: () => Promise<unknown>) => {
    const box = (await from.boundingBox())!;
    let x = box.x + box.width / 2;
    let y = box.y + box.height / 2;
    await page.mouse.move(x, y);
    await page.mouse.down();
    for (const [dx, dy] of legs) {
      x += dx;
      y += dy;
      await page.mouse.move(x, y, { steps: 8 });
    }
    // The grid draws its placeholder from the position before the latest pointer event, so a hand's
    // last tiny movement (which automation lacks) is what brings it up to date.
    await page.mouse.move(x + 1, y);
    await beforeRelease?.();
    await page.mouse.up();
  };
  /** Records the dashboard PATCHes the page sends (their JSON bodies) until `stop()`. */
  const recordPatches = () => {
    const bodies: Array<{ tiles?: Array<{ id: number }> }> = [];
    const listener = (request: import('playwright-core').Request) => {
      if (request.method() === 'PATCH' && request.url().includes(`/dashboards/${dashboardId}/`)) bodies.push(JSON.parse(request.postData() ?? '{}'));
    };
    page.on('request', listener);
    return { bodies, stop: () => page.off('request', listener) };
  };

  beforeAll(async () => {
    server = await startServer();
    projectId = (await api<{ id: number }>(server, '/api/projects/@current/')).body.id;
    const sent = await sendEvents(server);
    await waitForValue(server, projectId, 'SELECT count() FROM events', sent);
    for (const [name, source] of [
      ['Weekly pageviews', TREND],
      ['Signup funnel', FUNNEL],
      ['Pageview retention', RETENTION],
    ] as const) {
      const res = await api(server, `/api/projects/${projectId}/insights/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, query: { kind: 'InsightVizNode', source }, saved: true }),
      });
      expect(res.status).toBe(201);
    }
    browser = await launchChromium();
    page = await browser.context.newPage();
    base = `${server.url}/project/${projectId}`;
    await page.goto(`${base}/dashboard`);
    await logIn(page, server);
    await page.waitForURL(`${base}/dashboard`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('a new dashboard is created from the list and starts empty', async () => {
    await page.getByText('No dashboards yet').waitFor();
    await page.getByRole('button', { name: 'New dashboard' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Product health');
    await dialog.getByRole('button', { name: 'Create dashboard' }).click();
    await page.waitForURL(/\/dashboard\/\d+$/);
    dashboardId = Number(page.url().split('/').pop());
    await page.getByText('This dashboard is empty').waitFor();
    expect((await dashboard()).tiles).toEqual([]);
  });

  it('three saved insights added from the dialog show the same numbers as their queries', async () => {
    await page.getByRole('button', { name: 'Add insight' }).first().click();
    const dialog = page.getByRole('dialog');
    for (const name of ['Weekly pageviews', 'Signup funnel', 'Pageview retention']) {
      await dialog.getByRole('button', { name: `Add ${name}` }).click();
      await dialog.getByRole('button', { name: `${name} is on this dashboard` }).waitFor();
    }
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => page.locator('.tile').count()).toBe(3);

    const trend = (await query<Array<{ aggregated_value: number }>>(TREND))[0]!;
    const funnel = await query<Array<{ count: number }>>(FUNNEL);
    const retention = await query<Array<{ values: Array<{ count: number }> }>>(RETENTION);

    const trendTile = page.getByRole('listitem', { name: 'Weekly pageviews' });
    await expect.poll(() => trendTile.getByTestId('bold-number').textContent()).toBe(String(trend.aggregated_value));
    const funnelTile = page.getByRole('listitem', { name: 'Signup funnel' });
    await funnelTile.getByTestId('funnel-step-2').waitFor();
    expect(await funnelTile.getByTestId('step-count').allTextContents()).toEqual(funnel.map((s) => String(s.count)));
    expect(await funnelTile.getByTestId('step-conversion').allTextContents()).toEqual(['100%', '66.7%']);
    const retentionTile = page.getByRole('listitem', { name: 'Pageview retention' });
    await retentionTile.locator('.retention-table').waitFor();
    const cells = await retentionTile.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td[data-count]')].map((td) => Number(td.getAttribute('data-count')))));
    expect(cells).toEqual(retention.map((r) => r.values.map((v) => v.count)));
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/Last refreshed/);
    await screenshot(page, 'dashboard');

    // Opening the dashboard again shows the cached results at once, each with when it was computed.
    await page.reload();
    await trendTile.getByTestId('bold-number').waitFor();
    const computed = await page.locator('.tile-computed').allTextContents();
    expect(computed).toHaveLength(3);
    for (const text of computed) expect(text).toMatch(/^Computed /);
  });

  it('a tile dragged by its handle moves, the others reflow, and all of it is saved in one PATCH', async () => {
    // Tiles added from the dialog have no layout yet: shown first-fit, two to a row, in the order added.
    expect(Object.values(await saved())).toEqual([undefined, undefined, undefined]);
    expect(await onScreen()).toEqual(['Weekly pageviews', 'Signup funnel', 'Pageview retention']);
    const { col, row } = await pitch();
    // Tall enough that every drag stays inside the viewport (the mouse acts only on what is shown).
    await page.setViewportSize({ width: 1280, height: 1400 });
    const patches = recordPatches();

    // Retention (left, second row) goes to the top right: along its row to column 7, then up, held a
    // little short of the spot (which rounds to it). Mid-drag, the placeholder shows where it will
    // land and the funnel has already made room.
    await drag(
      page.getByRole('button', { name: 'Move tile Pageview retention' }),
      [
        [6.3 * col, 0],
        [0, -4.6 * row],
      ],
      async () => {
        await settled();
        const placeholder = (await page.locator('.react-grid-placeholder').boundingBox())!;
        const retention = (await page.getByRole('listitem', { name: 'Pageview retention' }).boundingBox())!;
        expect(Math.abs(placeholder.y - retention.y)).toBeLessThan(row / 2);
        await screenshot(page, 'dashboard-drag');
      },
    );
    await expect.poll(saved).toEqual({
      'Weekly pageviews': { x: 0, y: 0, w: 6, h: 5 },
      'Pageview retention': { x: 6, y: 0, w: 6, h: 5 },
      'Signup funnel': { x: 6, y: 5, w: 6, h: 5 },
    });
    // The browser reports its requests a moment after the server has them.
    await expect.poll(() => patches.bodies.length).toBe(1);
    expect(patches.bodies[0]!.tiles).toHaveLength(3);
    expect(await onScreen()).toEqual(['Weekly pageviews', 'Pageview retention', 'Signup funnel']);

    // The funnel, now under it, is resized by its bottom-right corner: two columns narrower, two rows taller.
    const funnel = page.getByRole('listitem', { name: 'Signup funnel' });
    const before = (await funnel.boundingBox())!;
    await drag(funnel.locator('.react-resizable-handle'), [[-2 * col, 2 * row]]);
    await expect.poll(async () => (await saved())['Signup funnel']).toEqual({ x: 6, y: 5, w: 4, h: 7 });
    await expect.poll(() => patches.bodies.length).toBe(2);
    expect(patches.bodies[1]!.tiles).toHaveLength(1);
    await expect.poll(async () => (await funnel.boundingBox())!.height).toBeGreaterThan(before.height + 1.5 * row);
    expect(await funnel.getAttribute('data-size')).toBe('custom');
    // Whatever moved, no two tiles share a cell.
    const layout = Object.values(await saved()) as Sm[];
    for (const [i, a] of layout.entries()) for (const b of layout.slice(i + 1)) expect(overlap(a, b), JSON.stringify(layout)).toBe(false);
    patches.stop();

    // The layout is the dashboard's: a reload shows it in the same places.
    await page.reload();
    await page.getByRole('listitem', { name: 'Signup funnel' }).getByTestId('funnel-step-2').waitFor();
    expect(await onScreen()).toEqual(['Weekly pageviews', 'Pageview retention', 'Signup funnel']);
    const boxes = await Promise.all(['Weekly pageviews', 'Pageview retention', 'Signup funnel'].map(async (name) => (await page.getByRole('listitem', { name }).boundingBox())!));
    expect(boxes[1]!.x).toBeGreaterThan(boxes[0]!.x + 5 * col); // side by side…
    expect(Math.abs(boxes[1]!.y - boxes[0]!.y)).toBeLessThan(2);
    expect(Math.abs(boxes[2]!.x - boxes[1]!.x)).toBeLessThan(2); // …and the funnel under retention
    expect(boxes[2]!.y).toBeGreaterThan(boxes[1]!.y + 4 * row);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('arrow keys on a tile handle move it and save; a narrow screen shows one column and saves nothing', async () => {
    const patches = recordPatches();
    const handle = page.getByRole('button', { name: 'Move tile Signup funnel' });
    await handle.focus();
    await page.keyboard.press('ArrowUp'); // swaps places with retention above it
    await expect.poll(saved).toEqual({
      'Weekly pageviews': { x: 0, y: 0, w: 6, h: 5 },
      'Signup funnel': { x: 6, y: 0, w: 4, h: 7 },
      'Pageview retention': { x: 6, y: 7, w: 6, h: 5 },
    });
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await saved())['Signup funnel']).toEqual({ x: 7, y: 0, w: 4, h: 7 });
    expect(await page.locator(':focus').getAttribute('aria-label')).toBe('Move tile Signup funnel');
    await page.getByText('Moved “Signup funnel” right: tile 2 of 3, column 8 of 12.').waitFor({ state: 'attached' });
    await page.keyboard.press('ArrowUp'); // already at the top: said so, nothing saved
    await page.getByText('“Signup funnel” cannot move further up.').waitFor({ state: 'attached' });
    await expect.poll(() => patches.bodies.length).toBe(2);
    expect(await onScreen()).toEqual(['Weekly pageviews', 'Signup funnel', 'Pageview retention']);

    // Narrow: the tiles stack in reading order, with no handles to drag and no layout written back.
    await page.setViewportSize({ width: 700, height: 900 });
    await expect.poll(() => page.getByRole('button', { name: /^Move tile / }).count()).toBe(0);
    // (Polled: the tiles glide to their places.)
    const lefts = () => page.locator('.tile').evaluateAll((tiles) => new Set(tiles.map((t) => Math.round(t.getBoundingClientRect().x))).size);
    await expect.poll(lefts).toBe(1);
    expect(await onScreen()).toEqual(['Weekly pageviews', 'Signup funnel', 'Pageview retention']);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('button', { name: 'Move tile Signup funnel' }).waitFor();
    expect(patches.bodies).toHaveLength(2);
    patches.stop();
    expect((await saved())['Signup funnel']).toEqual({ x: 7, y: 0, w: 4, h: 7 });
  });

  it('a dashboard date range overrides every tile, is saved, and is marked on the tiles', async () => {
    await page.getByLabel('Date range').selectOption({ label: 'Last 24 hours' });
    await expect.poll(async () => (await dashboard()).filters).toEqual({ date_from: '-24h' });
    const trendTile = page.getByRole('listitem', { name: 'Weekly pageviews' });
    const trend = (await query<Array<{ aggregated_value: number }>>({ ...TREND, dateRange: { date_from: '-24h' } }))[0]!;
    expect(trend.aggregated_value).toBeLessThan(20);
    await expect.poll(() => trendTile.getByTestId('bold-number').textContent()).toBe(String(trend.aggregated_value));
    expect(await page.getByText('Date range overridden by dashboard: Last 24 hours').count()).toBe(3);

    // The override survives a reload (it is the dashboard's, not the page's).
    await page.reload();
    await expect.poll(() => page.getByLabel('Date range').inputValue()).not.toBe('none');
    await expect.poll(() => trendTile.getByTestId('bold-number').textContent()).toBe(String(trend.aggregated_value));

    // The trend's own page, reached from the tile, says so too.
    await trendTile.getByRole('link', { name: 'Weekly pageviews' }).click();
    await page.getByRole('note').getByText(/Date range overridden by the dashboard “Product health”: Last 24 hours/).waitFor();
    expect(await page.getByTestId('bold-number').textContent()).toBe(String(trend.aggregated_value));
    await page.getByRole('link', { name: 'Product health' }).click();
    await page.waitForURL(`${base}/dashboard/${dashboardId}`);

    await page.getByLabel('Date range').selectOption({ label: 'No date range override' });
    await expect.poll(async () => (await dashboard()).filters).toEqual({});
    await expect.poll(() => page.getByText(/overridden by dashboard/).count()).toBe(0);
  });

  it('a tile resized with its size control and a removed tile stay so after a reload', async () => {
    const funnelTile = page.getByRole('listitem', { name: 'Signup funnel' });
    await funnelTile.getByLabel('Size of Signup funnel').selectOption({ label: 'Full width' });
    const tileOf = async (name: string) => (await dashboard()).tiles.find((t) => t.insight?.name === name);
    await expect.poll(async () => (await tileOf('Signup funnel'))?.layouts.sm).toMatchObject({ w: 12, h: 6 });
    expect(await funnelTile.getAttribute('data-size')).toBe('full');

    await page.getByRole('button', { name: 'Remove Pageview retention from dashboard' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove tile' }).click();
    await expect.poll(() => page.locator('.tile').count()).toBe(2);
    expect((await dashboard()).tiles.map((t) => t.insight?.name).sort()).toEqual(['Signup funnel', 'Weekly pageviews']);
    // The insight itself is kept.
    const insights = await api<{ results: Array<{ name: string }> }>(server, `/api/projects/${projectId}/insights/?search=retention`);
    expect(insights.body.results.map((i) => i.name)).toEqual(['Pageview retention']);

    await page.reload();
    await expect.poll(() => page.locator('.tile').count()).toBe(2);
    expect(await page.getByRole('listitem', { name: 'Signup funnel' }).getAttribute('data-size')).toBe('full');
  });

  it('Refresh recomputes every tile and a tile point opens its persons', async () => {
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/Last refreshed/);
    const funnelTile = page.getByRole('listitem', { name: 'Signup funnel' });
    await funnelTile.getByTestId('funnel-step-2').getByRole('button', { name: /persons/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('tbody tr').first().waitFor();
    expect((await dialog.locator('tbody th').allTextContents()).sort()).toEqual(['ada@example.com', 'bo@example.com', 'cy@example.com', 'di@example.com']);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await screenshot(page, 'dashboard-edited');
  });

  it('the list shows the dashboard and opens it', async () => {
    await page.getByRole('link', { name: 'Dashboards' }).first().click();
    await page.waitForURL(`${base}/dashboard`);
    await page.getByRole('link', { name: 'Product health' }).click();
    await page.waitForURL(`${base}/dashboard/${dashboardId}`);
    await expect.poll(() => page.locator('.tile').count()).toBe(2);
  });
});
