import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, capture, sendBatch } from '../helpers/api.js';
import { waitForValue } from '../helpers/query.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { type Browser, hasChromium, launchChromium, logIn, screenshot } from './browser.js';

interface FlagBody {
  id: number;
  key: string;
  name: string;
  active: boolean;
  ensure_experience_continuity: boolean;
  filters: Record<string, unknown>;
}

interface FlagsAnswer {
  flags: Record<string, { enabled: boolean; variant: string | null; reason: { description: string }; metadata: { payload: string | null } }>;
}

/** Feature flags in real Chromium: a flag with a condition and a variant split made in the form, checked through `/flags`. */
describe.skipIf(!hasChromium)('web app: feature flags (skipped only where /usr/bin/chromium is absent)', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let projectId: number;
  let flagId: number;

  async function flagsFor(distinctId: string, extra: Record<string, unknown> = {}): Promise<FlagsAnswer> {
    const res = await capture(server, '/flags/?v=2', JSON.stringify({ token: server.projectApiKey, distinct_id: distinctId, ...extra }));
    expect(res.status).toBe(200);
    return res.body as FlagsAnswer;
  }

  beforeAll(async () => {
    server = await startServer();
    projectId = (await api<{ id: number }>(server, '/api/projects/@current/')).body.id;
    const ts = new Date().toISOString();
    await sendBatch(
      server,
      server.projectApiKey,
      Array.from({ length: 6 }, (_, i) => ({ event: '$identify', distinct_id: `user-${i}`, properties: { $set: { email: `user${i}@example.com`, plan: i < 4 ? 'pro' : 'free' } }, timestamp: ts })),
    );
    await waitForValue(server, projectId, "SELECT count() FROM persons WHERE properties.plan = 'pro'", 4);
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.goto(`${server.url}/project/${projectId}/feature_flags`);
    await logIn(page, server);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('creates a multivariate flag with a person-property condition; the variant sum and the server’s error are shown', async () => {
    await page.getByText('No feature flags yet').waitFor();
    await page.getByRole('link', { name: 'New feature flag' }).click();
    await page.waitForURL(`${server.url}/project/${projectId}/feature_flags/new`);
    await page.getByLabel('Key', { exact: true }).fill('new-checkout');
    await page.getByLabel('Description', { exact: true }).fill('The one-page checkout');
    await page.getByLabel('Persist flag across authentication steps').check();
    await page.getByLabel('Multiple variants with rollout percentages (A/B/C test)').check();
    await page.getByLabel('Variant 2 rollout').fill('40');
    await page.getByTestId('variant-sum').filter({ hasText: 'Total: 90% (must be 100%)' }).waitFor();
    await page.getByLabel('Variant 2 payload').fill('{"color": "green"');
    await page.getByText('The payload of “test” is not valid JSON').waitFor();
    await page.getByLabel('Variant 2 payload').fill('{"color": "green"}');

    await page.getByRole('button', { name: 'Add filter to set 1' }).click();
    await page.getByLabel('Set 1 filter 1 property').fill('plan');
    await page.getByLabel('Set 1 filter 1 value').fill('pro');
    await page.locator('#set-1-rollout').fill('100');

    // The server refuses a split that does not sum to 100, and the page says so.
    await page.getByRole('button', { name: 'Create flag' }).click();
    await page.getByRole('alert').filter({ hasText: 'Variant rollout percentages must sum to 100' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/project/${projectId}/feature_flags/new`);

    await page.getByRole('button', { name: 'Distribute split evenly' }).click();
    await page.getByTestId('variant-sum').filter({ hasText: /^Total: 100%$/ }).waitFor();
    await screenshot(page, 'flag-editor');
    await page.getByRole('button', { name: 'Create flag' }).click();
    await page.waitForURL(/\/feature_flags\/\d+$/);
    flagId = Number(new URL(page.url()).pathname.split('/').pop());

    const saved = (await api<FlagBody>(server, `/api/projects/${projectId}/feature_flags/${flagId}/`)).body;
    expect(saved.key).toBe('new-checkout');
    expect(saved.name).toBe('The one-page checkout');
    expect(saved.active).toBe(true);
    expect(saved.ensure_experience_continuity).toBe(true);
    expect(saved.filters.groups).toEqual([{ properties: [{ key: 'plan', type: 'person', operator: 'exact', value: ['pro'] }], rollout_percentage: 100, variant: null }]);
    expect(saved.filters.multivariate).toEqual({ variants: [{ key: 'control', rollout_percentage: 50 }, { key: 'test', rollout_percentage: 50 }] });
    expect(saved.filters.payloads).toEqual({ test: '{"color": "green"}' });
  });

  it('the tester shows the value and reason /flags gives for a couple of distinct ids', async () => {
    for (const id of ['user-0', 'user-1', 'user-5']) {
      const expected = (await flagsFor(id)).flags['new-checkout']!;
      if (id === 'user-5') expect(expected.enabled).toBe(false);
      else expect(['control', 'test']).toContain(expected.variant);
      await page.getByLabel('Distinct ID', { exact: true }).fill(id);
      await page.getByRole('button', { name: 'Evaluate' }).click();
      await page.getByRole('status').filter({ hasText: `Value for ${id}` }).waitFor();
      expect(await page.getByTestId('tester-value').textContent()).toBe(expected.variant ?? String(expected.enabled));
      expect(await page.getByTestId('tester-reason').textContent()).toBe(expected.reason.description);
    }
    // Properties given in the tester override the stored ones, as SDK person_properties do.
    const overridden = (await flagsFor('user-5', { person_properties: { plan: 'pro' } })).flags['new-checkout']!;
    await page.getByLabel('Person properties (optional JSON)').fill('{"plan": "pro"}');
    await page.getByRole('button', { name: 'Evaluate' }).click();
    await page.getByTestId('tester-value').filter({ hasText: overridden.variant! }).waitFor();
    expect(await page.getByTestId('tester-reason').textContent()).toBe(overridden.reason.description);
    await screenshot(page, 'flag-tester');
  });

  it('a second condition set with a variant override changes what /flags answers', async () => {
    await page.getByRole('button', { name: 'Add condition set' }).click();
    await page.getByRole('button', { name: 'Add filter to set 2' }).click();
    await page.getByLabel('Set 2 filter 1 property').fill('email');
    await page.getByLabel('Set 2 filter 1 value').fill('user5@example.com');
    await page.getByLabel('Variant override').nth(1).selectOption('test');
    await page.getByRole('button', { name: 'Save flag' }).click();
    await page.getByText('Saved.').waitFor();
    const answer = (await flagsFor('user-5')).flags['new-checkout']!;
    expect(answer.variant).toBe('test');
    expect(answer.metadata.payload).toBe('{"color": "green"}');
    expect(answer.reason.description).toBe('Matched condition set 2');
  });

  it('each condition set shows how many users it matches, as user_blast_radius counts them, and follows edits', async () => {
    const sets = page.locator('fieldset.condition-set');
    const estimate = (set: number) => sets.nth(set).getByTestId('blast-radius-text');
    /** The API's count for a condition, as the page asks for it. */
    const blastRadius = async (condition: unknown) => {
      const res = await api<{ users_affected: number; total_users: number }>(server, `/api/projects/${projectId}/feature_flags/user_blast_radius`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ condition, group_type_index: null }),
      });
      expect(res.status).toBe(200);
      return res.body;
    };
    const saved = (await api<FlagBody>(server, `/api/projects/${projectId}/feature_flags/${flagId}/`)).body;
    const [first, second] = saved.filters.groups as Array<{ properties: unknown[] }>;
    // Hand count: 4 of the 6 persons are on "pro"; one has the email of set 2.
    expect(await blastRadius(first)).toEqual({ users_affected: 4, total_users: 6 });
    expect(await blastRadius(second)).toEqual({ users_affected: 1, total_users: 6 });
    await estimate(0).filter({ hasText: 'Matches about 4 of 6 users (66.7%) · rollout 100% → ~4 users' }).waitFor();
    await estimate(1).filter({ hasText: 'Matches about 1 of 6 users (16.7%) · rollout 100% → ~1 user' }).waitFor();

    // The rollout share is applied on the page; the count follows the filters as they are typed.
    await page.locator('#set-1-rollout').fill('50');
    await estimate(0).filter({ hasText: 'Matches about 4 of 6 users (66.7%) · rollout 50% → ~2 users' }).waitFor();
    await page.getByLabel('Set 2 filter 1 value').fill('user4@example.com, user5@example.com');
    expect(await blastRadius({ properties: [{ key: 'email', type: 'person', operator: 'exact', value: ['user4@example.com', 'user5@example.com'] }] })).toEqual({
      users_affected: 2,
      total_users: 6,
    });
    await estimate(1).filter({ hasText: 'Matches about 2 of 6 users (33.3%) · rollout 100% → ~2 users' }).waitFor();
    await screenshot(page, 'flag-blast-radius');

    // A filter the server cannot count shows its reason; an unfinished one is left out and said so.
    await page.getByRole('button', { name: 'Add filter to set 2' }).click();
    await sets.nth(1).getByText('(1 unfinished filter not counted)').waitFor();
    await page.getByLabel('Set 2 filter 2 property').fill('plan');
    await page.getByLabel('Set 2 filter 2 operator').selectOption('gt');
    await page.getByLabel('Set 2 filter 2 value').fill('lots');
    await sets.nth(1).getByText("Could not estimate the matching users: property filter 'plan' with operator 'gt' needs a number").waitFor();
    await page.getByRole('button', { name: 'Discard changes' }).click();
    await estimate(1).filter({ hasText: 'Matches about 1 of 6 users (16.7%)' }).waitFor();
  });

  it('the list shows key, conditions and status; search goes into the URL', async () => {
    await api(server, `/api/projects/${projectId}/feature_flags/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'dark-mode', active: false, filters: { groups: [{ properties: [], rollout_percentage: 30 }] } }),
    });
    await page.getByRole('link', { name: 'Feature flags', exact: true }).first().click();
    await page.waitForURL(`${server.url}/project/${projectId}/feature_flags`);
    const dark = page.getByRole('row', { name: /dark-mode/ });
    await dark.waitFor();
    expect(await dark.textContent()).toContain('30% of all users');
    expect(await dark.textContent()).toContain('Disabled');
    const checkout = page.getByRole('row', { name: /new-checkout/ });
    expect(await checkout.textContent()).toContain('2 condition sets');
    expect(await checkout.textContent()).toContain('Enabled');
    await screenshot(page, 'flags-list');

    await page.getByLabel('Search flags').fill('checkout');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL((url) => url.searchParams.get('search') === 'checkout');
    await dark.waitFor({ state: 'detached' });
    await page.getByLabel('Status').selectOption({ label: 'Disabled' });
    await page.getByText('No flag matches these filters').waitFor();
    expect(new URL(page.url()).searchParams.get('active')).toBe('false');
  });
});
