import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, sendBatch } from '../helpers/api.js';
import { postQuery, waitForValue } from '../helpers/query.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { type Browser, hasChromium, launchChromium, logIn, screenshot } from './browser.js';

interface ExperimentBody {
  id: number;
  start_date: string | null;
  end_date: string | null;
  conclusion: string | null;
  conclusion_comment: string | null;
  archived: boolean;
  feature_flag: { key: string; active: boolean; filters: { multivariate: { variants: Array<{ key: string; rollout_percentage: number }> } } };
  metrics: unknown[];
}

interface QueryAnswer {
  baseline: { key: string; number_of_samples: number; sum: number };
  variant_results: Array<{ key: string; number_of_samples: number; sum: number; chance_to_win?: number; credible_interval?: [number, number]; significant?: boolean }>;
}

interface ExposureAnswer {
  timeseries: Array<{ variant: string; days: string[]; exposure_counts: number[] }>;
  total_exposures: Record<string, number>;
}

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * An experiment set up, launched, read, paused, stopped, shipped and archived in real Chromium; exposures
 * and chance to win equal the queries' answers, and a shipped variant is what `/flags` then serves.
 */
describe.skipIf(!hasChromium)('web app: experiments (skipped only where /usr/bin/chromium is absent)', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let projectId: number;
  let experimentId: number;

  beforeAll(async () => {
    server = await startServer();
    projectId = (await api<{ id: number }>(server, '/api/projects/@current/')).body.id;
    await sendBatch(server, server.projectApiKey, [{ event: 'purchase', distinct_id: 'seed', timestamp: new Date(Date.now() - 86_400_000).toISOString() }]);
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.goto(`${server.url}/project/${projectId}/experiments`);
    await logIn(page, server);
  });

  /** What `/flags` answers a visitor for the experiment's flag. */
  async function flagFor(distinctId: string) {
    const res = await fetch(`${server.url}/flags/?v=2`, { method: 'POST', body: JSON.stringify({ token: server.projectApiKey, distinct_id: distinctId }) });
    return ((await res.json()) as { flags: Record<string, { enabled: boolean; variant: string | null }> }).flags['one-page-checkout'];
  }

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('creates a draft with a flag key and variants, adds a funnel metric, and launches it', async () => {
    await page.getByText('No experiments yet').waitFor();
    await page.getByRole('link', { name: 'New experiment' }).click();
    await page.getByLabel('Name').fill('One-page checkout');
    expect(await page.getByLabel('Feature flag key').inputValue()).toBe('one-page-checkout');
    await page.getByLabel('Hypothesis').fill('Fewer steps, more purchases');
    await page.getByRole('button', { name: 'Save as draft' }).click();
    await page.waitForURL(/\/experiments\/\d+$/);
    experimentId = Number(new URL(page.url()).pathname.split('/').pop());
    await page.getByText('Results appear once the experiment is launched').waitFor();

    await page.getByRole('button', { name: 'Add metric' }).click();
    await page.getByLabel('Step 1 event').fill('purchase');
    await page.getByRole('button', { name: 'Save metric' }).click();
    await page.getByRole('heading', { name: 'Funnel: exposure → purchase' }).waitFor();

    let saved = (await api<ExperimentBody>(server, `/api/projects/${projectId}/experiments/${experimentId}/`)).body;
    expect(saved.start_date).toBeNull();
    expect(saved.feature_flag.key).toBe('one-page-checkout');
    expect(saved.feature_flag.active).toBe(false);
    expect(saved.feature_flag.filters.multivariate.variants).toEqual([
      { key: 'control', rollout_percentage: 50 },
      { key: 'test', rollout_percentage: 50 },
    ]);
    expect(saved.metrics).toMatchObject([{ kind: 'ExperimentMetric', metric_type: 'funnel', series: [{ kind: 'EventsNode', event: 'purchase' }] }]);

    await page.getByRole('button', { name: 'Launch' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Launch' }).click();
    await page.getByText('Running', { exact: true }).waitFor();
    saved = (await api<ExperimentBody>(server, `/api/projects/${projectId}/experiments/${experimentId}/`)).body;
    expect(saved.start_date).not.toBeNull();
    expect(saved.feature_flag.active).toBe(true);
  });

  it('with few exposures the result is "not enough data", with the reason', async () => {
    const ts = new Date().toISOString(); // after the launch
    await sendBatch(server, server.projectApiKey, [
      { event: '$feature_flag_called', distinct_id: 'early-1', properties: { $feature_flag: 'one-page-checkout', $feature_flag_response: 'control' }, timestamp: ts },
      { event: '$feature_flag_called', distinct_id: 'early-2', properties: { $feature_flag: 'one-page-checkout', $feature_flag_response: 'test' }, timestamp: ts },
    ]);
    await waitForValue(server, projectId, "SELECT count() FROM events WHERE event = '$feature_flag_called'", 2);
    await page.getByRole('button', { name: 'Refresh results' }).click();
    const state = page.getByTestId('significance');
    await state.filter({ hasText: 'Not enough data yet' }).waitFor();
    expect(await state.textContent()).toContain('control has 1 exposure; each variant needs at least 50');
  });

  it('after exposures and purchases, exposures and chance to win equal ExperimentQuery’s, with the interval chart', async () => {
    // The experiment has run for a week: its launch moves back 7 days, and visitors arrive over the last 6.
    const DAY = 86_400_000;
    const moved = await api(server, `/api/projects/${projectId}/experiments/${experimentId}/`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ start_date: new Date(Date.now() - 7 * DAY).toISOString() }),
    });
    expect(moved.status).toBe(200);
    await page.reload();
    const now = Date.now();
    const batch: unknown[] = [];
    for (let i = 0; i < 240; i++) {
      const variant = i % 2 ? 'test' : 'control';
      const id = `visitor-${i}`;
      const seen = now - Math.floor(i / 40) * DAY - 3_600_000;
      batch.push({ event: '$feature_flag_called', distinct_id: id, properties: { $feature_flag: 'one-page-checkout', $feature_flag_response: variant }, timestamp: new Date(seen).toISOString() });
      // control converts 1 in 4, test 1 in 2
      if ((variant === 'control' && i % 8 === 0) || (variant === 'test' && i % 4 === 1)) batch.push({ event: 'purchase', distinct_id: id, timestamp: new Date(seen + 60_000).toISOString() });
    }
    // One visitor saw both variants: excluded from both.
    batch.push({ event: '$feature_flag_called', distinct_id: 'visitor-0', properties: { $feature_flag: 'one-page-checkout', $feature_flag_response: 'test' }, timestamp: new Date(now - 1000).toISOString() });
    await sendBatch(server, server.projectApiKey, batch);
    await waitForValue(server, projectId, "SELECT count() FROM events WHERE event = '$feature_flag_called'", 243);

    await page.getByRole('button', { name: 'Refresh results' }).click();
    await page.getByTestId('significance').filter({ hasText: /^Significant/ }).waitFor();
    const answer = (await postQuery<QueryAnswer>(server, projectId, { kind: 'ExperimentQuery', experiment_id: experimentId })).body;
    expect(answer.baseline.number_of_samples).toBe(120); // 120 control + early-1, less visitor-0
    for (const v of [answer.baseline, ...answer.variant_results]) {
      expect(await page.getByTestId(`exposures-${v.key}`).textContent()).toBe(String(v.number_of_samples));
    }
    const test = answer.variant_results[0]!;
    expect(test.chance_to_win).toBeGreaterThan(0.95);
    expect(await page.getByTestId('chance-test').textContent()).toBe(percent(test.chance_to_win!));
    const row = page.getByRole('table', { name: /results per variant/ }).locator('tr[data-variant="test"]');
    expect(await row.textContent()).toContain(percent(test.sum / test.number_of_samples));
    const chart = page.getByRole('img', { name: /Change against control/ });
    await chart.locator('svg').waitFor();
    const sign = (x: number) => `${x > 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
    expect(await chart.getAttribute('aria-label')).toContain(`test: ${sign(test.credible_interval![0])} to ${sign(test.credible_interval![1])}`);
    await screenshot(page, 'experiment-results');
  });

  it('the Exposures panel shows totals, shares and the daily chart exactly as ExperimentExposureQuery answers', async () => {
    const answer = (
      await postQuery<ExposureAnswer>(server, projectId, { kind: 'ExperimentExposureQuery', experiment_id: experimentId })
    ).body;
    const panel = page.getByRole('region', { name: 'Exposures' });
    const total = answer.total_exposures.control! + answer.total_exposures.test!;
    for (const key of ['control', 'test']) {
      expect(await panel.getByTestId(`exposures-${key}`).textContent()).toBe(String(answer.total_exposures[key]));
      expect(await panel.getByTestId(`share-${key}`).textContent()).toBe(percent(answer.total_exposures[key]! / total));
    }
    expect(await panel.getByTestId('exposures-total').textContent()).toBe(String(total));
    // visitor-0 saw both variants: counted apart, and said so.
    expect(answer.total_exposures.$multiple).toBe(1);
    expect(await panel.getByTestId('exposures-multiple').textContent()).toContain('1 user was exposed to more than one variant');
    const chart = panel.getByRole('img', { name: /Cumulative exposures per variant/ });
    await chart.locator('svg').waitFor();
    expect(await chart.getAttribute('aria-label')).toContain(`control ${answer.total_exposures.control}, test ${answer.total_exposures.test}`);
    // The day table holds the series' last (cumulative) values.
    await panel.getByText('Exposures by day', { exact: true }).click();
    const series = answer.timeseries.find((s) => s.variant === 'test')!;
    const lastRow = panel.getByRole('table', { name: 'Cumulative exposures by day' }).locator('tbody tr').last();
    expect(await lastRow.textContent()).toContain(series.days.at(-1)!);
    expect(await lastRow.textContent()).toContain(String(series.exposure_counts.at(-1)));
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, 'experiment-exposures');
  });

  it('pause turns the flag off and shows "Paused"; resume serves the variants again', async () => {
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Pause', exact: true }).click();
    await page.locator('h1 .tag', { hasText: 'Paused' }).waitFor();
    expect((await api<ExperimentBody>(server, `/api/projects/${projectId}/experiments/${experimentId}/`)).body.feature_flag.active).toBe(false);
    expect((await flagFor('someone'))?.enabled ?? false).toBe(false);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.locator('h1 .tag', { hasText: 'Running' }).waitFor();
    expect((await flagFor('someone'))?.enabled).toBe(true);
  });

  it('stopping asks for a conclusion and a comment, shows them, and the list shows "Complete"', async () => {
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Stop this experiment?' });
    await dialog.getByLabel('Conclusion').selectOption({ label: 'Inconclusive' });
    await dialog.getByLabel('Comment (optional)').fill('Holding until the pricing change lands');
    await dialog.getByRole('button', { name: 'Stop experiment' }).click();
    await page.locator('h1 .tag', { hasText: 'Complete' }).waitFor();
    const conclusion = page.getByTestId('conclusion');
    expect(await conclusion.textContent()).toContain('Conclusion: Inconclusive');
    expect(await conclusion.textContent()).toContain('Holding until the pricing change lands');
    const saved = (await api<ExperimentBody>(server, `/api/projects/${projectId}/experiments/${experimentId}/`)).body;
    expect(saved.end_date).not.toBeNull();
    expect(saved).toMatchObject({ conclusion: 'inconclusive', conclusion_comment: 'Holding until the pricing change lands' });
    await page.getByRole('link', { name: 'Experiments', exact: true }).first().click();
    const row = page.getByRole('row', { name: /One-page checkout/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('one-page-checkout');
    expect(await row.textContent()).toContain('Complete');
    expect(await row.textContent()).toContain('Inconclusive');
    await screenshot(page, 'experiments-list');
  });

  it('ships the significant winner: the flag then answers that variant for anyone', async () => {
    await page.getByRole('link', { name: 'One-page checkout' }).click();
    await page.getByRole('button', { name: 'Ship a variant' }).click();
    const dialog = page.getByRole('dialog', { name: 'Ship a variant' });
    await dialog.getByTestId('ship-recommendation').filter({ hasText: 'test wins' }).waitFor();
    // The winner is chosen by default.
    expect(await dialog.getByRole('radio', { name: 'test' }).isChecked()).toBe(true);
    expect(await dialog.getByLabel('Conclusion').inputValue()).toBe('won');
    await dialog.getByLabel('Comment (optional)').fill('Checkout in one page for everyone');
    await screenshot(page, 'experiment-ship-variant');
    await dialog.getByRole('button', { name: 'Ship variant' }).click();
    await page.getByTestId('conclusion').filter({ hasText: 'Conclusion: Won' }).waitFor();
    expect(await page.getByTestId('variant-split').textContent()).toBe('control 0% · test 100%');
    const saved = (await api<ExperimentBody>(server, `/api/projects/${projectId}/experiments/${experimentId}/`)).body;
    expect(saved).toMatchObject({ conclusion: 'won', conclusion_comment: 'Checkout in one page for everyone' });
    expect(saved.feature_flag.filters.multivariate.variants).toEqual([
      { key: 'control', rollout_percentage: 0 },
      { key: 'test', rollout_percentage: 100 },
    ]);
    for (const id of ['visitor-0', 'visitor-1', 'a-brand-new-visitor', 'someone-else', '42']) expect((await flagFor(id))?.variant).toBe('test');
  });

  it('archives a finished experiment out of the list, and back', async () => {
    await page.getByRole('button', { name: 'Archive' }).click();
    await page.locator('h1 .tag', { hasText: 'Archived' }).waitFor();
    expect((await api<ExperimentBody>(server, `/api/projects/${projectId}/experiments/${experimentId}/`)).body.archived).toBe(true);
    await page.getByRole('link', { name: 'Experiments', exact: true }).first().click();
    await page.getByText('Every experiment is archived').waitFor();
    // A controlled checkbox whose state is the URL: it changes once the navigation lands.
    await page.getByLabel('Archived only').click();
    await page.waitForURL(/archived=1/);
    expect(await page.getByLabel('Archived only').isChecked()).toBe(true);
    await page.getByRole('link', { name: 'One-page checkout' }).click();
    await page.getByRole('button', { name: 'Unarchive' }).click();
    await page.getByRole('button', { name: 'Archive', exact: true }).waitFor();
    expect((await api<ExperimentBody>(server, `/api/projects/${projectId}/experiments/${experimentId}/`)).body.archived).toBe(false);
  });
});
