import { PostHog } from 'posthog-node';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createProject } from '../helpers/api.js';
import { hogql, waitForValue } from '../helpers/query.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { type Browser, hasChromium, launchChromium, logIn, screenshot, waitForText } from './browser.js';

/**
 * The web app's front door in real Chromium: the login form, the home screen (onboarding snippet,
 * then the 24-hour event count of events sent with posthog-node), the project switcher, and logout.
 */
describe.skipIf(!hasChromium)('web app: login, home, project switcher, logout (skipped only where /usr/bin/chromium is absent)', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let projectId: number;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchChromium();
    page = await browser.context.newPage();
    const current = await api<{ id: number }>(server, '/api/projects/@current/');
    projectId = current.body.id;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('a visitor is sent to the login; a wrong password shows the error; the right one lands on the project home', async () => {
    await page.goto(server.url + '/');
    await page.waitForURL(`${server.url}/login`);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();

    await page.getByLabel('Email').fill(server.adminEmail);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe('Invalid email or password.');
    await screenshot(page, 'login');

    await page.getByLabel('Password').fill(server.adminPassword);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${server.url}/project/${projectId}/home`);
    await expect.poll(() => page.title()).toBe('Home · Default project · Hedgerow');
  });

  it('with no events, home shows what to paste: the posthog-js, posthog-node and posthog-python snippets (HTML and npm for the web) with this server and token', async () => {
    await page.getByRole('heading', { name: 'No events yet' }).waitFor();
    const snippet = page.locator('#sdk-panel pre');
    const web = await snippet.textContent();
    expect(web).toContain(`<script src="${server.url}/static/array.js"></script>`);
    expect(web).toContain(`posthog.init('${server.projectApiKey}', {`);
    expect(web).toContain(`api_host: '${server.url}'`);
    await screenshot(page, 'home-onboarding');

    // Tabs work from the keyboard, and the chosen SDK is in the URL so the link can be shared.
    await page.getByRole('tab', { name: 'Website (HTML)' }).focus();
    await page.keyboard.press('ArrowRight');
    await snippet.filter({ hasText: "import posthog from 'posthog-js'" }).waitFor();
    expect(new URL(page.url()).searchParams.get('sdk')).toBe('web');
    await page.keyboard.press('ArrowRight');
    // The panel re-renders after the tab change: wait for its text rather than reading it at once.
    await snippet.filter({ hasText: `new PostHog('${server.projectApiKey}', { host: '${server.url}' })` }).waitFor();
    expect(new URL(page.url()).searchParams.get('sdk')).toBe('node');
    await page.getByRole('tab', { name: 'Python (posthog)' }).click();
    await snippet.filter({ hasText: `Posthog('${server.projectApiKey}', host='${server.url}')` }).waitFor();
    await page.reload();
    await page.locator('#sdk-panel pre').filter({ hasText: 'from posthog import Posthog' }).waitFor();
  });

  it('events sent with posthog-node appear as the 24-hour count, equal to what the API counts', async () => {
    // 6 events now and 2 from three days ago: the last 24 hours hold 6 (counted by hand).
    const client = new PostHog(server.projectApiKey, { host: server.url, flushAt: 100, flushInterval: 0 });
    for (let i = 0; i < 6; i++) client.capture({ distinctId: `user-${i % 3}`, event: i % 2 ? 'order placed' : '$pageview', properties: { i } });
    const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000);
    for (let i = 0; i < 2; i++) client.capture({ distinctId: 'old-user', event: 'signed up', timestamp: threeDaysAgo });
    await client.shutdown();
    await waitForValue(server, projectId, 'SELECT count() FROM events', 8);

    // The onboarding polls while it waits for the first event; the count replaces it.
    await waitForText(page, '[data-testid="events-24h"]', '6');
    const api24h = await hogql(server, projectId, 'SELECT count() FROM events WHERE timestamp >= now() - INTERVAL 24 HOUR');
    expect(api24h.body.results[0]![0]).toBe(6);
    expect(await page.getByRole('heading', { name: 'No events yet' }).count()).toBe(0);
    await screenshot(page, 'home');

    // One more event: Refresh shows it.
    const more = new PostHog(server.projectApiKey, { host: server.url, flushAt: 100, flushInterval: 0 });
    more.capture({ distinctId: 'user-9', event: 'order placed' });
    await more.shutdown();
    await waitForValue(server, projectId, 'SELECT count() FROM events', 9);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await waitForText(page, '[data-testid="events-24h"]', '7');
  });

  it('bare paths open the current project; the project switcher changes project and remembers it', async () => {
    await page.goto(`${server.url}/settings/project`);
    await page.waitForURL(`${server.url}/project/${projectId}/settings/project`);

    const other = await createProject(server, 'Second shop');
    await page.reload();
    const switcher = page.getByRole('button', { name: 'Switch project' });
    await switcher.click();
    await page.getByRole('menuitemradio', { name: 'Second shop' }).click();
    // The same screen in the other project.
    await page.waitForURL(`${server.url}/project/${other.id}/settings/project`);
    await page.locator('#project-api-key').waitFor();
    expect(await page.locator('#project-api-key').inputValue()).toBe(other.api_token);
    expect(await switcher.textContent()).toContain('Second shop');

    // Remembered as the user's current project: bare paths now go there.
    await page.goto(`${server.url}/home`);
    await page.waitForURL(`${server.url}/project/${other.id}/home`);
    await page.getByRole('heading', { name: 'No events yet' }).waitFor();

    // An unknown project id says so instead of showing another project's data.
    await page.goto(`${server.url}/project/99999/home`);
    await page.getByText('Project not found').waitFor();
  });

  it('logout (from the keyboard) returns to the login, and the old session cookie no longer reads the API', async () => {
    await page.goto(`${server.url}/project/${projectId}/home`);
    await page.locator('[data-testid="events-24h"]').waitFor();
    const cookieHeader = (await browser.context.cookies(server.url)).map((c) => `${c.name}=${c.value}`).join('; ');
    expect((await fetch(`${server.url}/api/users/@me/`, { headers: { cookie: cookieHeader } })).status).toBe(200);

    const menu = page.getByRole('button', { name: `Account: ${server.adminEmail}` });
    await menu.focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowDown');
    expect(await page.locator(':focus').textContent()).toBe('Log out');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${server.url}/login`);

    const after = await fetch(`${server.url}/api/users/@me/`, { headers: { cookie: cookieHeader } });
    expect(after.status).toBe(401);
    // A deep link after logout asks for the login and then opens that page.
    await page.goto(`${server.url}/project/${projectId}/settings/user-api-keys`);
    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('next') === `/project/${projectId}/settings/user-api-keys`);
    await logIn(page, server);
    await page.waitForURL(`${server.url}/project/${projectId}/settings/user-api-keys`);
  });
});
