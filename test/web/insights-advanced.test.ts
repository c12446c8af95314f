import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, sendBatch } from '../helpers/api.js';
import { createCohort, personPropertyCohort } from '../helpers/cohorts.js';
import { postQuery, waitForValue } from '../helpers/query.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { type Browser, hasChromium, launchChromium, logIn, screenshot } from './browser.js';

const DAY = 86_400_000;
/** Midnight UTC three days ago: "day 1" of the data; "day 2" is the day after. Both inside "Last 7 days". */
const DAY1 = Math.floor(Date.now() / DAY) * DAY - 3 * DAY;
const at = (day: 1 | 2, hh: number, mm = 0) => new Date(DAY1 + (day - 1) * DAY + hh * 3600_000 + mm * 60_000).toISOString();

/**
 * A pricing → signed up → paid funnel of eight persons (three on the "pro" plan), with "cancelled"
 * events to exclude. Conversion times in minutes (pricing → signed up): u1 10, u2 30, u3 60, u5 20,
 * u8 40; signed up → paid: u1 10, u5 60. u3 and u7 cancel between pricing and signing up, u2 after
 * signing up.
 */
const EVENTS: Array<[string, string, string]> = [
  ['u1', 'viewed pricing', at(1, 10)],
  ['u1', 'signed up', at(1, 10, 10)],
  ['u1', 'paid', at(1, 10, 20)],
  ['u2', 'viewed pricing', at(1, 10)],
  ['u2', 'signed up', at(1, 10, 30)],
  ['u2', 'cancelled', at(1, 10, 40)],
  ['u3', 'viewed pricing', at(2, 11)],
  ['u3', 'cancelled', at(2, 11, 30)],
  ['u3', 'signed up', at(2, 12)],
  ['u4', 'viewed pricing', at(1, 9)],
  ['u5', 'viewed pricing', at(2, 9)],
  ['u5', 'signed up', at(2, 9, 20)],
  ['u5', 'paid', at(2, 10, 20)],
  ['u6', 'viewed pricing', at(2, 9)],
  ['u7', 'viewed pricing', at(2, 10)],
  ['u7', 'cancelled', at(2, 10, 5)],
  ['u8', 'viewed pricing', at(2, 10)],
  ['u8', 'signed up', at(2, 10, 40)],
];
const PRO = new Set(['u1', 'u2', 'u3']);

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const percent = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/**
 * The insight builder's advanced parts in real Chromium: funnel time to convert, historical trends
 * and exclusion steps, trends formulas and cohort breakdowns, each built with clicks and typing and
 * checked against the server's answer to the query the page's URL holds.
 */
describe.skipIf(!hasChromium)('web app: funnel views, exclusions, formulas and cohort breakdowns (skipped only where /usr/bin/chromium is absent)', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let projectId: number;
  let base: string;

  beforeAll(async () => {
    server = await startServer();
    projectId = (await api<{ id: number }>(server, '/api/projects/@current/')).body.id;
    const seen = new Set<string>();
    await sendBatch(
      server,
      server.projectApiKey,
      EVENTS.map(([distinct_id, event, timestamp]) => {
        const properties: Record<string, unknown> = {};
        if (!seen.has(distinct_id)) properties.$set = { email: `${distinct_id}@example.com`, plan: PRO.has(distinct_id) ? 'pro' : 'free' };
        seen.add(distinct_id);
        return { event, distinct_id, timestamp, properties };
      }),
    );
    await waitForValue(server, projectId, 'SELECT count() FROM events', EVENTS.length);
    // The cohort is calculated from person properties: wait until the persons have theirs.
    await waitForValue(server, projectId, "SELECT count() FROM persons WHERE properties.plan = 'pro'", PRO.size);
    await createCohort(server, projectId, personPropertyCohort('Pro users', 'plan', 'pro'));
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

  /** The insight query the page's URL holds (`#q=`), as the server answers it. */
  const answerOfUrl = async <T>() => {
    const hash = decodeURIComponent(new URL(page.url()).hash.slice('#q='.length));
    const source = (JSON.parse(hash) as { source: Record<string, unknown> }).source;
    const res = await postQuery<{ results: T }>(server, projectId, source);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return { source, results: res.body.results };
  };

  const pickEvent = async (box: string, typed: string, event: string) => {
    const input = page.getByRole('combobox', { name: box });
    await input.click();
    await input.fill(typed);
    await page.getByRole('option', { name: event, exact: true }).click();
  };

  const stepCounts = () => page.getByTestId('step-count').allTextContents();

  /** The persons the server lists for an ActorsQuery source (their display names: the emails). */
  const personsOf = async (source: Record<string, unknown>) => {
    const res = await postQuery<{ results: [{ display_name: string }][] }>(server, projectId, { kind: 'ActorsQuery', source, select: ['person_display_name'] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.results.map((r) => r[0].display_name).sort();
  };

  /**
   * Opens the persons modal with `click` and returns the FunnelsActorsQuery the page asked for, the
   * persons the modal lists and its title; the modal is closed again.
   */
  const drillDown = async (click: () => Promise<void>) => {
    const request = page.waitForRequest((r) => r.url().includes('/query/') && (r.postData() ?? '').includes('FunnelsActorsQuery'));
    await click();
    const source = (JSON.parse((await request).postData()!) as { query: { source: Record<string, unknown> } }).query.source;
    const dialog = page.getByRole('dialog');
    await dialog.locator('tbody tr').first().waitFor();
    const persons = (await dialog.locator('tbody th').allTextContents()).sort();
    const title = await dialog.getByRole('heading').textContent();
    return { source, persons, title, close: () => dialog.getByRole('button', { name: 'Close' }).click() };
  };

  /** A click in the middle of the `index`th of `count` categories of the chart in `container`, at half its height. */
  const clickChart = async (container: string, index: number, count: number, grid: { left: number; right: number }, onPoint: boolean) => {
    const box = (await page.locator(`${container} .echart`).boundingBox())!;
    const width = box.width - grid.left - grid.right;
    // Bars sit in the middle of their band; line points on the band edges.
    const x = grid.left + (onPoint ? (index * width) / (count - 1) : ((index + 0.5) * width) / count);
    await page.locator(`${container} .echart`).click({ position: { x, y: box.height / 2 } });
  };

  it('a funnel shows its time to convert: the average and the histogram the server computes, between the chosen steps', async () => {
    await page.getByRole('tab', { name: 'Funnels' }).click();
    await pickEvent('Step 1 event', 'viewed', 'viewed pricing');
    await page.getByRole('button', { name: '+ Add step' }).click();
    await pickEvent('Step 2 event', 'sign', 'signed up');
    await expect.poll(stepCounts).toEqual(['8', '5']);

    await page.getByLabel('Graph type').selectOption({ label: 'Time to convert' });
    const average = page.getByTestId('average-time-to-convert');
    await expect.poll(() => average.getAttribute('datetime')).toBe('PT1920S');
    const ttc = await answerOfUrl<{ average_conversion_time: number; bins: Array<[number, number]> }>();
    expect(ttc.source.funnelsFilter).toMatchObject({ funnelVizType: 'time_to_convert' });
    expect(ttc.results.average_conversion_time).toBe(1920); // (10 + 30 + 60 + 20 + 40) / 5 minutes
    expect(await average.textContent()).toBe('32m');
    const bins = await page.locator('.time-to-convert-table tbody td:first-of-type').allTextContents();
    expect(bins).toEqual(ttc.results.bins.map(([, count]) => String(count)));
    expect(ttc.results.bins.reduce((sum, [, count]) => sum + count, 0)).toBe(5);
    await screenshot(page, 'funnel-time-to-convert');

    // A bin's count lists its persons: 600, 1200 and 1800 s fall in [600, 2100) (bins of 1500 s).
    expect(ttc.results.bins).toEqual([
      [600, 3],
      [2100, 1],
      [3600, 1],
    ]);
    const fastest = await drillDown(() => page.locator('.time-to-convert-table tbody tr').first().getByRole('button').click());
    expect(fastest.source).toMatchObject({ kind: 'FunnelsActorsQuery', funnelStepConversionTimeRange: [600, 2100] });
    expect(fastest.title).toBe('Converted from step 1 to step 2 in 10m – 35m');
    expect(fastest.persons).toEqual(await personsOf(fastest.source));
    expect(fastest.persons).toEqual(['u1@example.com', 'u2@example.com', 'u5@example.com']);
    await screenshot(page, 'funnel-time-to-convert-persons');
    await fastest.close();
    // So does its bar: the slowest bin, [3600, 5100), is u3 (an hour).
    const slowest = await drillDown(() => clickChart('.time-to-convert', 2, 3, { left: 48, right: 16 }, false));
    expect(slowest.source).toMatchObject({ funnelStepConversionTimeRange: [3600, 5100] });
    expect(slowest.persons).toEqual(await personsOf(slowest.source));
    expect(slowest.persons).toEqual(['u3@example.com']);
    await slowest.close();

    // A third step: the time runs from the first to the last step, then from step 2 once chosen.
    await page.getByRole('button', { name: '+ Add step' }).click();
    await pickEvent('Step 3 event', 'paid', 'paid');
    await expect.poll(() => average.getAttribute('datetime')).toBe('PT3000S');
    expect((await answerOfUrl<{ average_conversion_time: number }>()).results.average_conversion_time).toBe(3000);
    await page.getByLabel('From step', { exact: true }).selectOption({ label: '2. signed up' });
    await expect.poll(() => average.getAttribute('datetime')).toBe('PT2100S');
    const from2 = await answerOfUrl<{ average_conversion_time: number }>();
    expect(from2.source.funnelsFilter).toMatchObject({ funnelFromStep: 1 });
    expect(from2.results.average_conversion_time).toBe(2100);
    expect(await average.textContent()).toBe('35m');

    // The link is the view: reloading it shows the same graph type, steps and average.
    await page.reload();
    await expect.poll(() => page.getByTestId('average-time-to-convert').getAttribute('datetime')).toBe('PT2100S');
    expect(await page.getByLabel('Graph type').inputValue()).toBe('time_to_convert');
    expect(await page.getByLabel('From step', { exact: true }).inputValue()).toBe('1');
  });

  it('historical trends show the conversion rate of each day’s entrants, as the server has it', async () => {
    await page.getByLabel('Graph type').selectOption({ label: 'Historical trends' });
    await page.getByLabel('From step', { exact: true }).selectOption({ label: '1. viewed pricing' });
    const table = page.locator('.funnel-trends-table');
    await table.waitFor();
    const shown = () => table.locator('tbody tr').first().locator('td').evaluateAll((tds) => tds.map((td) => [td.getAttribute('data-value'), td.querySelector('[data-testid="trend-rate"]')!.textContent]));
    // Day 1: u1 of u1, u2, u4 paid; day 2: u5 of u3, u5, u6, u7, u8.
    const day1 = new Date(DAY1).toISOString().slice(0, 10);
    const day2 = new Date(DAY1 + DAY).toISOString().slice(0, 10);
    await expect.poll(async () => (await shown()).filter(([v]) => v !== '0').map(([, text]) => text)).toEqual(['33.3%', '20%']);
    const trends = await answerOfUrl<Array<{ data: number[]; days: string[] }>>();
    expect(trends.source).toMatchObject({ interval: 'day', funnelsFilter: { funnelVizType: 'trends' } });
    const series = trends.results[0]!;
    expect(series.data[series.days.indexOf(day1)]).toBe(33.33);
    expect(series.data[series.days.indexOf(day2)]).toBe(20);
    expect(await shown()).toEqual(series.data.map((v) => [String(v), `${percent.format(v)}%`]));

    // A period's rate lists who entered then and converted; its "dropped off" link the others.
    const d1 = series.days.indexOf(day1);
    const d2 = series.days.indexOf(day2);
    const converted = await drillDown(() => table.locator('tbody tr').first().locator('td').nth(d1).getByRole('button', { name: /^33.3%/ }).click());
    expect(converted.source).toMatchObject({ kind: 'FunnelsActorsQuery', funnelTrendsEntrancePeriodStart: day1, funnelTrendsDropOff: false });
    expect(converted.title).toMatch(/^Entered on .* and converted$/);
    expect(converted.persons).toEqual(await personsOf(converted.source));
    expect(converted.persons).toEqual(['u1@example.com']);
    await converted.close();
    const droppedOff = await drillDown(() => table.locator('tbody tr').first().locator('td').nth(d2).getByRole('button', { name: /dropped off$/ }).click());
    expect(droppedOff.source).toMatchObject({ funnelTrendsEntrancePeriodStart: day2, funnelTrendsDropOff: true });
    expect(droppedOff.persons).toEqual(await personsOf(droppedOff.source));
    expect(droppedOff.persons).toEqual(['u3@example.com', 'u6@example.com', 'u7@example.com', 'u8@example.com']);
    await screenshot(page, 'funnel-trends-persons');
    await droppedOff.close();
    // A point of the line: day 2's converted, u5.
    const point = await drillDown(() => clickChart('.funnel-trends', d2, series.days.length, { left: 56, right: 24 }, true));
    expect(point.source).toMatchObject({ funnelTrendsEntrancePeriodStart: day2, funnelTrendsDropOff: false });
    expect(point.persons).toEqual(await personsOf(point.source));
    expect(point.persons).toEqual(['u5@example.com']);
    await point.close();
  });

  it('an exclusion step removes the persons who did the event between the chosen steps', async () => {
    await page.getByLabel('Graph type').selectOption({ label: 'Conversion steps' });
    await expect.poll(stepCounts).toEqual(['8', '5', '2']);
    await page.getByRole('button', { name: '+ Add exclusion' }).click();
    // The new exclusion's event box has the focus: type and pick with the keyboard.
    await page.keyboard.type('cancel');
    await page.getByRole('option', { name: 'cancelled', exact: true }).waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    // Between steps 1 and 3: u2, u3 and u7 cancelled in between.
    await expect.poll(stepCounts).toEqual(['5', '3', '2']);
    const whole = await answerOfUrl<Array<{ count: number }>>();
    expect(whole.source.funnelsFilter).toMatchObject({ exclusions: [{ kind: 'EventsNode', event: 'cancelled', funnelFromStep: 0, funnelToStep: 2 }] });
    expect(whole.results.map((s) => s.count)).toEqual([5, 3, 2]);

    // Only between steps 1 and 2: u2 cancelled after signing up, so stays.
    await page.getByLabel('Exclusion 1 to step').selectOption({ label: '2. signed up' });
    await expect.poll(stepCounts).toEqual(['6', '4', '2']);
    const narrow = await answerOfUrl<Array<{ count: number }>>();
    expect(narrow.results.map((s) => String(s.count))).toEqual(await stepCounts());

    await page.getByRole('button', { name: 'Remove exclusion 1' }).click();
    await expect.poll(stepCounts).toEqual(['8', '5', '2']);

    // Broken down by the person's plan, attributed to the value at step 2.
    await page.getByLabel('Breakdown type').selectOption({ label: 'Person property' });
    await pickEvent('Breakdown property', 'pla', 'plan');
    await page.getByLabel('Attribution type').selectOption({ label: 'Step 2: signed up' });
    const rows = page.locator('.insight-result tbody tr');
    const shown = () => rows.evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')!.textContent!.trim(), ...[...tr.querySelectorAll('td')].slice(0, 3).map((td) => td.querySelector('button')?.textContent ?? '')]));
    await expect.poll(async () => (await shown()).length).toBeGreaterThan(0);
    await expect.poll(() => page.url()).toContain(encodeURIComponent('"breakdownAttributionValue":1'));
    const attributed = await answerOfUrl<Array<Array<{ count: number; breakdown_value: string }>>>();
    expect(attributed.source.funnelsFilter).toMatchObject({ breakdownAttributionType: 'step', breakdownAttributionValue: 1 });
    // Only persons who reached step 2 have a step-2 value (pro u1, u2, u3; free u5, u8); the others none ('').
    const expected = attributed.results.map((g) => [g[0]!.breakdown_value || 'None', ...g.map((x) => String(x.count))]);
    expect(expected).toContainEqual(['pro', '3', '3', '1']);
    await expect.poll(shown).toEqual(expected);
  });

  it('formula mode charts A / B * 100 per day as the server computes it, and shows why it refuses a bad formula', async () => {
    await page.goto(`${base}/insights/new`);
    await page.locator('.trends-table').waitFor();
    await pickEvent('Series A event', 'sign', 'signed up');
    await page.getByRole('button', { name: '+ Add graph series' }).click();
    await pickEvent('Series B event', 'viewed', 'viewed pricing');
    await page.getByRole('switch', { name: 'Formula mode' }).click();
    const formula = page.getByLabel('Formula', { exact: true });
    await expect.poll(() => formula.evaluate((el) => el.matches(':focus'))).toBe(true);
    await page.keyboard.type('A / B * 100');
    await page.keyboard.press('Enter');

    const row = page.locator('.trends-table tbody tr');
    await expect.poll(() => row.locator('th').allTextContents()).toEqual(['Formula (A / B * 100)']);
    const { source, results } = await answerOfUrl<Array<{ data: number[]; count: number; label: string }>>();
    expect(source.trendsFilter).toMatchObject({ formulaNodes: [{ formula: 'A / B * 100' }] });
    expect(results).toHaveLength(1);
    // Day 1: 2 of 3 signed up; day 2: 3 of 5.
    expect(results[0]!.data.filter((v) => v !== 0).map((v) => Math.round(v * 100) / 100)).toEqual([66.67, 60]);
    await expect.poll(() => row.first().locator('td').allTextContents()).toEqual([...results[0]!.data.map((v) => number.format(v)), number.format(results[0]!.count)]);
    await screenshot(page, 'trends-formula');

    // A letter with no series: the server's message is shown where the chart was.
    await formula.fill('A / C');
    await formula.press('Enter');
    const alert = page.locator('.insight-result').getByRole('alert');
    await alert.waitFor();
    const bad = decodeURIComponent(new URL(page.url()).hash.slice('#q='.length));
    const refused = await postQuery<{ detail: string }>(server, projectId, (JSON.parse(bad) as { source: Record<string, unknown> }).source);
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toContain('references series C');
    expect(await alert.textContent()).toContain(refused.body.detail);
    // …and under the formula itself, which is marked invalid and described by the reason.
    const problem = page.locator('.formula-problem');
    await problem.waitFor();
    expect(refused.body.detail).toContain(`: ${await problem.textContent()}`);
    expect(await formula.getAttribute('aria-invalid')).toBe('true');
    expect(await formula.getAttribute('aria-describedby')).toContain((await problem.getAttribute('id'))!);

    // Formula mode off: the two series again.
    await page.getByRole('switch', { name: 'Formula mode' }).click();
    await expect.poll(() => row.locator('th').allTextContents()).toEqual(['signed up', 'viewed pricing']);
  });

  it('a breakdown by cohorts splits the trend and the funnel per cohort, with the counts the server gives', async () => {
    await page.goto(`${base}/insights/new`);
    await page.locator('.trends-table').waitFor();
    await pickEvent('Series A event', 'viewed', 'viewed pricing');
    await page.getByLabel('Breakdown type').selectOption({ label: 'Cohorts' });
    // Each tick is a new URL (the checkbox shows it once the page has re-rendered from it).
    for (const name of [/^Pro users/, /^All users/]) {
      const box = page.getByRole('checkbox', { name });
      await box.click();
      await expect.poll(() => box.isChecked()).toBe(true);
    }

    const rows = page.locator('.trends-table tbody tr');
    const shown = () => rows.evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')!.textContent!.trim(), tr.querySelector('.total-cell')!.textContent!.trim()]));
    await expect.poll(shown).toHaveLength(2);
    const trend = await answerOfUrl<Array<{ count: number; label: string; breakdown_value: number | string }>>();
    expect(trend.source.breakdownFilter).toMatchObject({ breakdown_type: 'cohort' });
    const names = (v: number | string) => (v === 'all' ? 'All users' : 'Pro users');
    expect(trend.results.map((s) => [names(s.breakdown_value), s.count]).sort()).toEqual([
      ['All users', 8],
      ['Pro users', 3],
    ]);
    expect((await shown()).sort()).toEqual(trend.results.map((s) => [`viewed pricing · ${names(s.breakdown_value)}`, String(s.count)]).sort());

    // The same cohorts break down a funnel: each cohort's own step counts.
    await page.getByRole('tab', { name: 'Funnels' }).click();
    await page.getByRole('button', { name: '+ Add step' }).click();
    await pickEvent('Step 2 event', 'sign', 'signed up');
    const table = page.locator('.insight-result table tbody tr');
    const funnelRows = () => table.evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')!.textContent!.trim(), ...[...tr.querySelectorAll('td')].slice(0, 2).map((td) => td.querySelector('button')?.textContent ?? td.textContent!)]));
    await expect.poll(funnelRows).toHaveLength(2);
    const funnel = await answerOfUrl<Array<Array<{ count: number; breakdown_value: number }>>>();
    const expected = funnel.results.map((g) => [g[0]!.breakdown_value === 0 ? 'All users' : 'Pro users', ...g.map((s) => String(s.count))]);
    expect(expected.sort()).toEqual([
      ['All users', '8', '5'],
      ['Pro users', '3', '3'],
    ]);
    expect((await funnelRows()).sort()).toEqual(expected);

    // A cohort's count lists its persons (the drill-down sends the cohort id back).
    await page.locator('.insight-result tbody tr', { hasText: 'Pro users' }).getByRole('button').nth(1).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.getByRole('heading').textContent()).toContain('Pro users: completed step 2');
    await dialog.locator('tbody tr').first().waitFor();
    expect((await dialog.locator('tbody th').allTextContents()).sort()).toEqual(['u1@example.com', 'u2@example.com', 'u3@example.com']);
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('a funnel compares its steps with the previous period, and an exclusion’s filter narrows what it excludes', async () => {
    await page.goto(`${base}/insights/new`);
    await page.locator('.trends-table').waitFor();
    await page.getByRole('tab', { name: 'Funnels' }).click();
    await pickEvent('Step 1 event', 'viewed', 'viewed pricing');
    await page.getByRole('button', { name: '+ Add step' }).click();
    await pickEvent('Step 2 event', 'sign', 'signed up');
    await expect.poll(stepCounts).toEqual(['8', '5']);

    // Compare: each step's previous-period count and conversion under the current ones.
    await page.getByRole('switch', { name: 'Compare to previous period' }).click();
    const previousCounts = () => page.getByTestId('previous-step-count').allTextContents();
    await expect.poll(async () => (await previousCounts()).length).toBe(2);
    const compared = await answerOfUrl<Array<{ count: number; compare_label: string }>>();
    expect(compared.source.compareFilter).toEqual({ compare: true });
    const period = (label: string) => compared.results.filter((s) => s.compare_label === label).map((s) => s.count);
    expect(period('current')).toEqual([8, 5]);
    expect(await stepCounts()).toEqual(period('current').map(String));
    expect(await previousCounts()).toEqual(period('previous').map(String));
    const previous = period('previous');
    expect(await page.getByTestId('previous-step-conversion').allTextContents()).toEqual(previous.map((n) => `${percent.format(previous[0] ? (n / previous[0]) * 100 : 0)}%`));
    expect(await page.getByTestId('step-conversion').allTextContents()).toEqual(['100%', '62.5%']);
    await screenshot(page, 'funnel-compare');
    await page.getByRole('switch', { name: 'Compare to previous period' }).click();
    await expect.poll(async () => (await previousCounts()).length).toBe(0);

    // Excluding "cancelled" between the two steps removes u3 and u7; filtered to pro persons' cancellations, only u3.
    await page.getByRole('button', { name: '+ Add exclusion' }).click();
    await page.keyboard.type('cancel');
    await page.getByRole('option', { name: 'cancelled', exact: true }).click();
    await expect.poll(stepCounts).toEqual(['6', '4']);
    await page.getByRole('button', { name: 'Add filter to exclusion 1' }).click();
    const filters = page.getByRole('group', { name: 'Exclusion 1 filters' });
    await filters.getByLabel('Filter 1 property type').selectOption('person');
    const key = filters.getByRole('combobox', { name: 'Filter 1 property name' });
    await key.click();
    await key.fill('pla');
    await page.getByRole('option', { name: 'plan', exact: true }).click();
    await filters.getByLabel('Filter 1 value').fill('pro');
    await filters.getByLabel('Filter 1 value').press('Enter');
    await expect.poll(stepCounts).toEqual(['7', '4']);
    const filtered = await answerOfUrl<Array<{ count: number }>>();
    expect(filtered.source.funnelsFilter).toMatchObject({ exclusions: [{ event: 'cancelled', properties: [{ key: 'plan', type: 'person', operator: 'exact', value: ['pro'] }] }] });
    expect(filtered.results.map((s) => String(s.count))).toEqual(await stepCounts());
    await screenshot(page, 'funnel-exclusion-filter');
  });

  it('retention broken down by cohorts shows each cohort’s name and the sizes the server gives', async () => {
    await page.goto(`${base}/insights/new`);
    await page.locator('.trends-table').waitFor();
    await page.getByRole('tab', { name: 'Retention' }).click();
    await pickEvent('Retention start event', 'viewed', 'viewed pricing');
    await pickEvent('Retention return event', 'sign', 'signed up');
    await page.getByLabel('Breakdown type').selectOption({ label: 'Cohorts' });
    for (const name of [/^Pro users/, /^All users/]) {
      const box = page.getByRole('checkbox', { name });
      await box.click();
      await expect.poll(() => box.isChecked()).toBe(true);
    }
    const rows = page.locator('.retention-table tbody tr');
    const shown = () => rows.evaluateAll((trs) => trs.map((tr) => [tr.querySelector('[data-testid="retention-breakdown"]')?.textContent ?? '', tr.querySelector('[data-testid="cohort-size"]')!.textContent!, ...[...tr.querySelectorAll('[data-count]')].map((td) => td.getAttribute('data-count')!)]));
    await expect.poll(async () => new Set((await shown()).map((r) => r[0])).size).toBe(2);
    const retention = await answerOfUrl<Array<{ breakdown_value: string; values: Array<{ count: number }> }>>();
    expect(retention.source.breakdownFilter).toMatchObject({ breakdown_type: 'cohort' });
    const name = (v: string) => (v === '0' ? 'All users' : 'Pro users');
    const expected = retention.results.map((r) => [name(r.breakdown_value), String(r.values[0]!.count), ...r.values.map((v) => String(v.count))]);
    await expect.poll(shown).toEqual(expected);
    // A cohort's size counts who signed up on the day they first viewed pricing (u1, u2, u3, u5, u8; pro: u1, u2, u3).
    const size = (n: string) => retention.results.filter((r) => name(r.breakdown_value) === n).reduce((sum, r) => sum + r.values[0]!.count, 0);
    expect([size('All users'), size('Pro users')]).toEqual([5, 3]);
    await screenshot(page, 'retention-cohort-breakdown');
  });
});
