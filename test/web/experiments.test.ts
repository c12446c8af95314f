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
  feature_flag: { key: string; active: boolean; filters: { multivariate: { variants: Array<{ key: string; rollout_percentage: number }> } } };
  metrics: unknown[];
}

interface QueryAnswer {
  baseline: { key: string; number_of_samples: number; sum: number };
  variant_results: Array<{ key: string; number_of_samples: number; sum: number; chance_to_win?: number; credible_interval?: [number, number]; significant?: boolean }>;
}

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

/** An experiment set up, launched and read in real Chromium; exposures and chance to win equal ExperimentQuery's. */
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
    const ts = new Date().toISOString(); // after the launch
    const batch: unknown[] = [];
    for (let i = 0; i < 240; i++) {
      const variant = i % 2 ? 'test' : 'control';
      const id = `visitor-${i}`;
      batch.push({ event: '$feature_flag_called', distinct_id: id, properties: { $feature_flag: 'one-page-checkout', $feature_flag_response: variant }, timestamp: ts });
      // control converts 1 in 4, test 1 in 2
      if ((variant === 'control' && i % 8 === 0) || (variant === 'test' && i % 4 === 1)) batch.push({ event: 'purchase', distinct_id: id, timestamp: ts });
    }
    // One visitor saw both variants: excluded from both.
    batch.push({ event: '$feature_flag_called', distinct_id: 'visitor-0', properties: { $feature_flag: 'one-page-checkout', $feature_flag_response: 'test' }, timestamp: ts });
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

  it('stopping freezes the experiment; the list shows its status', async () => {
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Stop experiment' }).click();
    await page.getByText('Complete', { exact: true }).waitFor();
    expect((await api<ExperimentBody>(server, `/api/projects/${projectId}/experiments/${experimentId}/`)).body.end_date).not.toBeNull();
    await page.getByRole('link', { name: 'Experiments', exact: true }).first().click();
    const row = page.getByRole('row', { name: /One-page checkout/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('one-page-checkout');
    expect(await row.textContent()).toContain('Complete');
    await screenshot(page, 'experiments-list');
  });
});
