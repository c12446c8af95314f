import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/api.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { type Browser, hasChromium, launchChromium, logIn, screenshot } from './browser.js';

interface ProjectBody {
  id: number;
  api_token: string;
  timezone: string;
  week_start_day: number;
  test_account_filters: unknown[];
}

/** Project settings and personal API keys in real Chromium, each change checked through the API. */
describe.skipIf(!hasChromium)('web app: project settings and personal API keys (skipped only where /usr/bin/chromium is absent)', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let project: ProjectBody;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchChromium();
    page = await browser.context.newPage();
    project = (await api<ProjectBody>(server, '/api/projects/@current/')).body;
    await page.goto(`${server.url}/project/${project.id}/settings/project`);
    await logIn(page, server);
    await page.waitForURL(`${server.url}/project/${project.id}/settings/project`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('shows the project ID, API key, API host and SDK snippet of this project', async () => {
    await page.locator('#project-api-key').waitFor();
    expect(await page.locator('#project-id').inputValue()).toBe(String(project.id));
    expect(await page.locator('#project-api-key').inputValue()).toBe(server.projectApiKey);
    expect(await page.locator('#api-host').inputValue()).toBe(server.url);
    expect(await page.locator('#sdk-panel pre').textContent()).toContain(`posthog.init('${server.projectApiKey}'`);
    // Every IANA zone is offered.
    const zones = await page.locator('#project-timezone option').count();
    expect(zones).toBeGreaterThan(300);
  });

  it('a new timezone and week start are saved to the project', async () => {
    await page.getByLabel('Timezone').selectOption('Asia/Tokyo');
    await page.getByLabel('Week starts on').selectOption('Monday');
    await page.getByRole('button', { name: 'Save date & time' }).click();
    await page.locator('#date-and-time').getByText('Saved.').waitFor();

    const saved = await api<ProjectBody>(server, `/api/projects/${project.id}/`);
    expect(saved.body.timezone).toBe('Asia/Tokyo');
    expect(saved.body.week_start_day).toBe(1);

    // A deep link to the block shows the stored values.
    await page.goto(`${server.url}/project/${project.id}/settings/project#date-and-time`);
    await page.locator('#project-timezone').waitFor();
    expect(await page.locator('#project-timezone').inputValue()).toBe('Asia/Tokyo');
    expect(await page.locator('#project-week-start').inputValue()).toBe('1');
  });

  it('a test-account filter added in the editor is saved as a PostHog property filter', async () => {
    const block = page.locator('#internal-user-filtering');
    await block.getByText('No filters: every event counts.').waitFor();
    await block.getByRole('button', { name: 'Add filter' }).click();
    await page.getByRole('combobox', { name: 'Filter 1 property name' }).fill('email');
    await page.getByLabel('Filter 1 operator').selectOption({ label: "doesn't contain" });
    await page.getByLabel('Filter 1 value').fill('@example.com');
    await block.getByRole('button', { name: 'Add filter' }).click();
    await page.getByLabel('Filter 2 property type').selectOption({ label: 'Event property' });
    await page.getByRole('combobox', { name: 'Filter 2 property name' }).fill('$host');
    await page.getByLabel('Filter 2 operator').selectOption({ label: "doesn't equal" });
    await page.getByLabel('Filter 2 value').fill('localhost:3000, 127.0.0.1');
    await block.getByRole('button', { name: 'Save filters' }).click();
    await block.getByText('Saved.').waitFor();
    await screenshot(page, 'settings-project');

    const saved = await api<ProjectBody>(server, `/api/projects/${project.id}/`);
    expect(saved.body.test_account_filters).toEqual([
      { key: 'email', type: 'person', operator: 'not_icontains', value: '@example.com' },
      { key: '$host', type: 'event', operator: 'is_not', value: ['localhost:3000', '127.0.0.1'] },
    ]);

    // Removing one and saving leaves the other.
    await page.getByRole('button', { name: 'Remove filter 2' }).click();
    await block.getByRole('button', { name: 'Save filters' }).click();
    await block.getByText('Saved.').waitFor();
    expect((await api<ProjectBody>(server, `/api/projects/${project.id}/`)).body.test_account_filters).toEqual([
      { key: 'email', type: 'person', operator: 'not_icontains', value: '@example.com' },
    ]);
  });

  it('a name the server refuses shows its error and saves nothing; a good one renames the project everywhere', async () => {
    const general = page.locator('#general');
    await page.getByLabel('Display name').fill('   ');
    await page.getByRole('button', { name: 'Save name' }).click();
    const alert = general.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^name: /);
    expect((await api<{ name: string }>(server, `/api/projects/${project.id}/`)).body.name).toBe('Default project');

    await page.getByLabel('Display name').fill('Shop (prod)');
    await page.getByRole('button', { name: 'Save name' }).click();
    await general.getByText('Saved.').waitFor();
    expect(await general.getByRole('alert').count()).toBe(0);
    expect((await api<{ name: string }>(server, `/api/projects/${project.id}/`)).body.name).toBe('Shop (prod)');
    expect(await page.getByRole('button', { name: 'Switch project' }).textContent()).toContain('Shop (prod)');
  });

  it('a personal API key created with a preset works with exactly its scope, is shown once, and stops working when revoked', async () => {
    await page.getByRole('link', { name: 'Personal API keys' }).click();
    await page.waitForURL(`${server.url}/project/${project.id}/settings/user-api-keys`);
    // The bootstrap key is listed (masked).
    await page.getByRole('row', { name: /Bootstrap key/ }).waitFor();
    expect(await page.getByRole('row', { name: /Bootstrap key/ }).textContent()).toContain(server.personalApiKey.slice(-4));

    await page.getByRole('button', { name: 'Create personal API key' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Label').fill('Analytics export');
    await dialog.getByLabel('Scopes').selectOption({ label: 'Performing analytics queries' });
    expect(await dialog.getByLabel('Query: read').isChecked()).toBe(true);
    expect(await dialog.getByLabel('Feature flag: no access').isChecked()).toBe(true);
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const value = dialog.locator('#new-key-value');
    await value.waitFor();
    const key = await value.inputValue();
    expect(key).toMatch(/^phx_[A-Za-z0-9_-]{43}$/);
    await screenshot(page, 'settings-api-key-created');

    // query:read runs queries, and nothing else.
    const query = await api<{ results: unknown[][] }>(server, `/api/projects/${project.id}/query/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: { kind: 'HogQLQuery', query: 'SELECT 1 + 1' } }),
      key,
    });
    expect(query.status).toBe(200);
    expect(query.body.results).toEqual([[2]]);
    expect((await api(server, `/api/projects/${project.id}/feature_flags/`, { key })).status).toBe(403);

    await dialog.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row', { name: /Analytics export/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('Performing analytics queries');
    expect(await row.textContent()).toContain(key.slice(-4));
    expect(await page.locator('#new-key-value').count()).toBe(0); // never shown again
    await screenshot(page, 'settings-api-keys');

    await page.getByRole('button', { name: 'Revoke Analytics export' }).click();
    await page.getByRole('dialog').getByText('This cannot be undone.').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
    await row.waitFor({ state: 'detached' });
    const revoked = await api(server, `/api/projects/${project.id}/query/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: { kind: 'HogQLQuery', query: 'SELECT 1' } }),
      key,
    });
    expect(revoked.status).toBe(401);
  });

  it('a custom per-object grid and one project become the key scopes and scoped_teams', async () => {
    await page.getByRole('button', { name: 'Create personal API key' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Label').fill('Flags worker');
    await dialog.getByLabel('Feature flag: write').check();
    await dialog.getByLabel('Cohort: read').check();
    await dialog.getByLabel('Only these projects:').check();
    await dialog.getByLabel('Shop (prod)').check();
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const key = await dialog.locator('#new-key-value').inputValue();
    await dialog.getByRole('button', { name: 'Done' }).click();

    const listed = await api<Array<{ label: string; scopes: string[]; scoped_teams: number[] | null }>>(server, '/api/personal_api_keys/');
    const created = listed.body.find((k) => k.label === 'Flags worker')!;
    expect(created.scopes.sort()).toEqual(['cohort:read', 'feature_flag:write']);
    expect(created.scoped_teams).toEqual([project.id]);
    expect((await api(server, `/api/projects/${project.id}/feature_flags/`, { key })).status).toBe(200);
    expect((await api(server, `/api/projects/${project.id}/events/`, { key })).status).toBe(403);
  });
});
