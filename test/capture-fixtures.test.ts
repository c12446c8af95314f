import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCapturePayload } from '../src/capture/decode.js';
import { allEvents, type ApiEvent } from './helpers/api.js';
import { startServer, type TestServer } from './helpers/server.js';

/** Real requests recorded from posthog-js (current and 1.96.1), posthog-node and posthog-python. */
const FIXTURES = path.resolve(import.meta.dirname, 'fixtures/sdk-wire'); // copied from shared/fixtures/sdk-wire
const STUB_TOKEN = 'phc_stubProjectToken000000000000000000000001';
const CAPTURE_PATHS = new Set(['/e/', '/i/v0/e/', '/batch/', '/capture/', '/track/', '/engage/']);

interface Recorded {
  seq: number;
  scenario: string;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body_base64?: string;
  decoded?: { json?: unknown; steps?: string[] };
  file: string;
}

function loadFixtures(): Recorded[] {
  const dir = FIXTURES;
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((file) =>
      fs
        .readFileSync(path.join(dir, file), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => ({ ...(JSON.parse(l) as Recorded), file })),
    );
}

const recorded = loadFixtures();
const withBody = recorded.filter((r) => r.body_base64 && r.decoded?.json !== undefined);
const captureRequests = recorded.filter((r) => CAPTURE_PATHS.has(r.path) && r.method !== 'OPTIONS');

function eventsOf(json: unknown): Array<Record<string, any>> {
  if (Array.isArray(json)) return json;
  const obj = json as Record<string, any>;
  return Array.isArray(obj.batch) ? obj.batch : [obj];
}

function replayHeaders(r: Recorded): Record<string, string> {
  const keep = ['content-type', 'content-encoding', 'origin', 'user-agent'];
  return Object.fromEntries(Object.entries(r.headers).filter(([k]) => keep.includes(k)));
}

describe('recorded SDK requests decode exactly as the SDKs meant them', () => {
  it('covers every fixture file', () => {
    expect(new Set(recorded.map((r) => r.file)).size).toBe(15);
    expect(withBody.length).toBeGreaterThan(60);
  });

  it.each(withBody.map((r) => [`${r.file} #${r.seq} ${r.method} ${r.path}`, r] as const))('%s', async (_name, r) => {
    const decoded = await decodeCapturePayload({
      body: Buffer.from(r.body_base64!, 'base64'),
      query: r.query,
      contentType: r.headers['content-type'],
      contentEncoding: r.headers['content-encoding'],
      limit: 25 * 1024 * 1024,
    });
    expect(decoded).toEqual(r.decoded!.json);
  });
});

describe('recorded capture requests replayed over HTTP', () => {
  let server: TestServer;
  beforeAll(async () => {
    // The recordings carry the stub token; make it this server's project key.
    server = await startServer({ HEDGEROW_PROJECT_API_KEY: STUB_TOKEN });
  });
  afterAll(() => server?.dispose());

  it('answers every capture request with exactly 200 {"status":1} and stores every event once', async () => {
    expect(captureRequests.length).toBeGreaterThan(40);
    const expected = new Map<string, { event: string; file: string }>();
    for (const r of captureRequests) {
      const query = new URLSearchParams(r.query).toString();
      const res = await fetch(`${server.url}${r.path}${query ? '?' + query : ''}`, {
        method: r.method,
        headers: replayHeaders(r),
        body: r.body_base64 ? Buffer.from(r.body_base64, 'base64') : undefined,
      });
      expect({ file: r.file, seq: r.seq, status: res.status, body: await res.text() }).toEqual({
        file: r.file,
        seq: r.seq,
        status: 200,
        body: '{"status":1}',
      });
      for (const e of eventsOf(r.decoded!.json)) expect(e.uuid).toBeTruthy(), expected.set(e.uuid.toLowerCase(), { event: e.event, file: r.file });
    }
    const stored = await allEvents(server, '@current');
    const byId = new Map<string, ApiEvent>(stored.map((e) => [e.id, e]));
    expect(stored.length).toBe(expected.size);
    for (const [uuid, { event }] of expected) expect(byId.get(uuid)?.event).toBe(event);
  });

  it('keeps distinct ids, properties and element chains of browser events', async () => {
    const stored = await allEvents(server, '@current', 'event=%24autocapture');
    expect(stored.length).toBeGreaterThan(0);
    for (const e of stored) {
      expect(e.distinct_id.length).toBeGreaterThan(0);
      expect(e.elements_chain).toMatch(/^[a-z]/);
      expect(e.properties.$lib).toBe('web');
    }
  });

  it('resolves legacy posthog-js offsets to event times before the request', async () => {
    const legacy = captureRequests.filter((r) => r.file.startsWith('posthog-js-legacy'));
    const withOffset = legacy.flatMap((r) => eventsOf(r.decoded!.json)).filter((e) => typeof e.offset === 'number');
    expect(withOffset.length).toBeGreaterThan(0);
    const stored = await allEvents(server, '@current');
    for (const e of withOffset) {
      const got = stored.find((s) => s.id === e.uuid.toLowerCase())!;
      const age = Date.now() - Date.parse(got.timestamp);
      expect(age).toBeGreaterThanOrEqual(e.offset - 1);
      expect(age).toBeLessThan(e.offset + 120_000);
    }
  });

  it('merges top-level $set/$set_once of posthog-js identify into properties', async () => {
    const sent = captureRequests
      .flatMap((r) => eventsOf(r.decoded!.json))
      .filter((e) => e.event === '$identify' && e.$set_once && typeof e.$set_once === 'object');
    expect(sent.length).toBeGreaterThan(0);
    const stored = await allEvents(server, '@current', 'event=%24identify');
    for (const e of sent) {
      const got = stored.find((s) => s.id === e.uuid.toLowerCase())!;
      expect(got.properties.$set_once).toEqual({ ...(e.properties.$set_once ?? {}), ...e.$set_once });
      expect(got.properties.$set).toEqual({ ...(e.properties.$set ?? {}), ...(e.$set ?? {}) });
      expect(got.properties.$anon_distinct_id).toBe(e.properties.$anon_distinct_id);
    }
  });

  it('serves remote config that turns gzip on in posthog-js', async () => {
    const js = await fetch(`${server.url}/array/${STUB_TOKEN}/config.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    const text = await js.text();
    expect(text).toContain(`_POSTHOG_REMOTE_CONFIG["${STUB_TOKEN}"]`);
    const config = (await (await fetch(`${server.url}/array/${STUB_TOKEN}/config`)).json()) as Record<string, unknown>;
    expect(config.supportedCompression).toEqual(['gzip', 'gzip-js']);
    expect(config.defaultIdentifiedOnly).toBe(true);
    expect(config.autocapture_opt_out).toBe(false);
    expect(config.analytics).toEqual({ endpoint: '/e/' });
    expect((await fetch(`${server.url}/array/phc_unknown/config`)).status).toBe(404);
  });

  it('answers recorded CORS preflights like PostHog', async () => {
    const preflights = recorded.filter((r) => r.method === 'OPTIONS' && r.path !== '/s/'); // replay is not served yet
    expect(preflights.length).toBeGreaterThan(0);
    for (const r of preflights) {
      const res = await fetch(server.url + r.path, {
        method: 'OPTIONS',
        headers: { origin: 'http://127.0.0.1:5555', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:5555');
      expect(res.headers.get('access-control-allow-headers')).toBe('content-type');
    }
  });
});
