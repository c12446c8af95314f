import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allEvents, api, type ApiEvent } from './helpers/api.js';
import { startServer, type TestServer } from './helpers/server.js';

/**
 * The real posthog-js from npm in Debian's Chromium, on a page served from another origin than
 * Hedgerow: remote config, compressed batches, autocapture and identify must all land.
 */
const CHROMIUM = '/usr/bin/chromium';
const POSTHOG_JS = path.resolve(import.meta.dirname, '../node_modules/posthog-js/dist/array.full.js');
// posthog-js drops events from HeadlessChrome user agents and from navigator.webdriver browsers.
const DESKTOP_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

function page(apiHost: string, token: string): string {
  return `<!doctype html><html><head><title>Hedgerow browser test</title>
<script src="/posthog.js"></script>
<script>
  posthog.init(${JSON.stringify(token)}, { api_host: ${JSON.stringify(apiHost)}, person_profiles: 'identified_only' });
</script></head>
<body><h1>Shop</h1><button id="buy" class="btn primary">Buy now</button></body></html>`;
}

describe.skipIf(!fs.existsSync(CHROMIUM))('posthog-js in Chromium (skipped only where /usr/bin/chromium is absent; .ci/run installs it)', () => {
  let server: TestServer;
  let site: http.Server;
  let siteUrl: string;
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    server = await startServer();
    site = http.createServer((req, res) => {
      if (req.url === '/posthog.js') {
        res.writeHead(200, { 'content-type': 'application/javascript' });
        res.end(fs.readFileSync(POSTHOG_JS));
      } else {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(page(server.url, server.projectApiKey));
      }
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}/shop.html?utm_source=test`;
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hedgerow-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      userAgent: DESKTOP_UA,
      ignoreDefaultArgs: ['--enable-automation'],
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-blink-features=AutomationControlled',
        `--user-agent=${DESKTOP_UA}`,
      ],
    });
  });

  afterAll(async () => {
    await context?.close();
    await new Promise((resolve) => site?.close(resolve));
    await server?.dispose();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  async function waitForEvents(predicate: (events: ApiEvent[]) => boolean): Promise<ApiEvent[]> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const events = await allEvents(server, '@current');
      if (predicate(events) || Date.now() > deadline) return events;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  it('pageview, autocapture, custom events and identify land, attributed to one person', async () => {
    const tab = await context.newPage();
    const seen: Array<{ url: string; status: number; gzip: boolean }> = [];
    tab.on('response', (res) => {
      if (!res.url().startsWith(server.url)) return;
      const body = res.request().postDataBuffer();
      seen.push({ url: res.url().slice(server.url.length), status: res.status(), gzip: !!body && body[0] === 0x1f && body[1] === 0x8b });
    });
    await tab.goto(siteUrl);
    await tab.waitForFunction(() => (globalThis as unknown as { posthog?: { __loaded?: boolean } }).posthog?.__loaded === true);
    await tab.click('#buy');
    await tab.evaluate(() => {
      const ph = (globalThis as unknown as { posthog: { capture(e: string, p: object): void; identify(id: string, set: object): void } }).posthog;
      ph.capture('custom browser event', { plan: 'pro', count: 3 });
      ph.identify('browser-user', { email: 'browser@example.com' });
      ph.capture('after identify', {});
    });

    const events = await waitForEvents((es) => ['$pageview', '$autocapture', 'custom browser event', '$identify', 'after identify'].every((n) => es.some((e) => e.event === n)));
    // It loaded remote config, and its capture requests were gzip (sent as text/plain) and accepted.
    expect(seen).toContainEqual({ url: `/array/${server.projectApiKey}/config.js`, status: 200, gzip: false });
    const captures = seen.filter((r) => r.url.startsWith('/e/'));
    expect(captures.length).toBeGreaterThan(0);
    expect(captures.every((r) => r.status === 200 && r.gzip)).toBe(true);
    const names = new Set(events.map((e) => e.event));
    for (const name of ['$pageview', '$autocapture', 'custom browser event', '$identify', 'after identify']) expect(names).toContain(name);

    const pageview = events.find((e) => e.event === '$pageview')!;
    expect(pageview.properties).toMatchObject({ $lib: 'web', $pathname: '/shop.html', utm_source: 'test' });
    const click = events.find((e) => e.event === '$autocapture')!;
    expect(click.elements_chain).toContain('button');
    expect(click.elements_chain).toContain('Buy now');

    const person = await api<{ results: Array<{ id: string; distinct_ids: string[]; properties: Record<string, unknown> }> }>(
      server,
      '/api/projects/@current/persons/?distinct_id=browser-user',
    );
    const [p] = person.body.results;
    expect(p!.properties.email).toBe('browser@example.com');
    expect(p!.distinct_ids).toHaveLength(2); // the anonymous device id and browser-user
    // Anonymous events before identify (personless in identified_only mode) now resolve to the person.
    const after = await allEvents(server, '@current');
    expect(after.filter((e) => ['$pageview', 'custom browser event', 'after identify'].includes(e.event)).every((e) => (e as ApiEvent & { person: { id: string } | null }).person?.id === p!.id)).toBe(true);
    await tab.close();
  });
});
