import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, capture, createProject } from './helpers/api.js';
import { postQuery, waitForValue } from './helpers/query.js';
import { sampled, sampledIds, samplingProject } from './helpers/sampling.js';
import { startServer, type TestServer } from './helpers/server.js';

/**
 * PathsQuery: every expectation is worked out by hand from the events each scenario sends
 * (one project per scenario, times in minutes after 2024-03-01 10:00 UTC).
 */
let server: TestServer;

interface Edge {
  source: string;
  target: string;
  value: number;
  average_conversion_time: number;
}
type PathsResponse = { results: Edge[]; hogql: string; resolved_date_range: { date_from: string; date_to: string }; timezone: string };

const BASE = Date.UTC(2024, 2, 1, 10, 0, 0);
const MIN = 60_000;
const at = (minute: number) => new Date(BASE + minute * MIN).toISOString();
const pv = (who: string, url: string, minute: number, props: Record<string, unknown> = {}) => ({ event: '$pageview', distinct_id: who, properties: { $current_url: url, ...props }, timestamp: at(minute) });
const ev = (who: string, event: string, minute: number, props: Record<string, unknown> = {}) => ({ event, distinct_id: who, properties: props, timestamp: at(minute) });
/** A person walking through `urls`, one page per minute from `start`. */
const walk = (who: string, urls: string[], start = 0, props: Record<string, unknown> = {}) => urls.map((u, i) => pv(who, u, start + i, i === 0 ? props : {}));
const edge = (source: string, target: string, value: number, average_conversion_time: number): Edge => ({ source, target, value, average_conversion_time });

async function scenario(name: string, batch: Record<string, unknown>[]): Promise<number> {
  const project = await createProject(server, `paths ${name}`);
  const res = await capture(server, '/batch/', JSON.stringify({ api_key: project.api_token, batch }));
  expect(res.status).toBe(200);
  await waitForValue(server, project.id, 'SELECT count() FROM events', batch.length);
  return project.id;
}

const DATE_RANGE = { date_from: '2024-03-01', date_to: '2024-03-02' };

async function paths(projectId: number, pathsFilter: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const res = await postQuery<PathsResponse>(server, projectId, { kind: 'PathsQuery', dateRange: DATE_RANGE, pathsFilter: { includeEventTypes: ['$pageview'], ...pathsFilter }, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.results;
}

let simple: number;
let sessions: number;
let duplicates: number;
let trimming: number;
let steps: number;
let types: number;
let weights: number;
let cleaning: number;

beforeAll(async () => {
  server = await startServer();
  [simple, sessions, duplicates, trimming, steps, types, weights, cleaning] = await Promise.all([
    // p1: /a → /b/ (trailing slash) → /c with a custom event in between; p2: /a → /b two minutes apart.
    scenario('simple', [pv('p1', '/a', 0), ev('p1', 'clicked', 0.5), pv('p1', '/b/', 1), pv('p1', '/c', 3), pv('p2', '/a', 0), pv('p2', '/b', 2), pv('p3', '/a', 0), pv('p3', '/', 1)]),
    // 29 minutes keeps the session, 31 minutes starts a new one.
    scenario('sessions', [pv('p1', '/a', 0), pv('p1', '/b', 29), pv('p1', '/c', 60), pv('p1', '/d', 61)]),
    // /a /a /b /b /a → /a(@1) /b(@6) /a(@8): the last of each run keeps its time.
    scenario('duplicates', [pv('p1', '/a', 0), pv('p1', '/a', 1), pv('p1', '/b', 5), pv('p1', '/b', 6), pv('p1', '/a', 8)]),
    scenario('trimming', [...walk('p1', ['/x', '/a', '/b', '/c']), pv('p2', '/a', 0), pv('p2', '/c', 1), ...walk('p3', ['/x', '/y'])]),
    scenario('steps', walk('p1', ['/1', '/2', '/3', '/4', '/5', '/6', '/7'])),
    scenario('types', [pv('p1', '/home', 0), ev('p1', 'signed_up', 1), pv('p1', '/app', 2), ev('p1', '$autocapture', 3), ev('p1', 'upgraded', 4), ev('p1', '$screen', 5, { $screen_name: 'Settings' })]),
    scenario('weights', [
      ...['w1', 'w2', 'w3'].flatMap((p) => walk(p, ['/a', '/b'], 0, { $set: { email: `${p}@example.com` } })),
      ...['w4', 'w5'].flatMap((p) => walk(p, ['/a', '/c'], 0, { $set: { email: `${p}@example.com` } })),
      ...walk('w6', ['/a', '/d'], 0, { $set: { email: 'w6@example.com' } }),
      ...walk('w7', ['/q', '/r', '/s'], 0, { $set: { email: 'w7@example.com' } }),
      ...walk('w8', ['/x', '/r', '/s'], 0, { $set: { email: 'w8@example.com' } }),
    ]),
    scenario('cleaning', [pv('p1', '/product/123', 0), pv('p1', '/product/456', 1), pv('p1', '/cart', 2), ...walk('p2', ['/product/9', '/checkout'], 0)]),
  ]);
  await waitForValue(server, weights, 'SELECT count() FROM persons', 8);
}, 60_000);
afterAll(() => server?.dispose());

describe('PathsQuery', () => {
  it('builds position-prefixed edges with session counts and average times (ms), trailing slashes dropped', async () => {
    const res = await postQuery<PathsResponse>(server, simple, { kind: 'PathsQuery', dateRange: DATE_RANGE, pathsFilter: { includeEventTypes: ['$pageview'] } });
    expect(res.status).toBe(200);
    // p1: /a →1m→ /b →2m→ /c; p2: /a →2m→ /b; p3: /a →1m→ / ("/" stays "/").
    expect(res.body.results).toEqual([edge('1_/a', '2_/b', 2, 90_000), edge('1_/a', '2_/', 1, 60_000), edge('2_/b', '3_/c', 1, 120_000)]);
    expect(res.body.resolved_date_range).toEqual({ date_from: '2024-03-01T00:00:00.000000Z', date_to: '2024-03-02T23:59:59.999000Z' });
    expect(res.body.hogql).toContain('arraySplit');
  });

  it('splits a person into path sessions at 30-minute gaps', async () => {
    expect(await paths(sessions)).toEqual([edge('1_/a', '2_/b', 1, 29 * MIN), edge('1_/c', '2_/d', 1, MIN)]);
  });

  it('collapses consecutive duplicates, keeping the time of the last of a run', async () => {
    expect(await paths(duplicates)).toEqual([edge('1_/a', '2_/b', 1, 5 * MIN), edge('2_/b', '3_/a', 1, 2 * MIN)]);
  });

  it('starts paths at startPoint (paths without it drop out)', async () => {
    // p1 /x /a /b /c → /a /b /c; p2 /a /c; p3 has no /a.
    expect(await paths(trimming, { startPoint: '/a/' })).toEqual([edge('1_/a', '2_/b', 1, MIN), edge('1_/a', '2_/c', 1, MIN), edge('2_/b', '3_/c', 1, MIN)]);
  });

  it('ends paths at endPoint, keeping the last stepLimit steps', async () => {
    expect(await paths(trimming, { endPoint: '/c' })).toEqual([edge('1_/a', '2_/c', 1, MIN), edge('1_/x', '2_/a', 1, MIN), edge('2_/a', '3_/b', 1, MIN), edge('3_/b', '4_/c', 1, MIN)]);
    expect(await paths(trimming, { endPoint: '/c', stepLimit: 3 })).toEqual([edge('1_/a', '2_/b', 1, MIN), edge('1_/a', '2_/c', 1, MIN), edge('2_/b', '3_/c', 1, MIN)]);
  });

  it('with both points, elides the middle of long paths as "..."', async () => {
    // p1 /x@0 /a@1 /b@2 /c@3: 4 steps > 3 → /x, ..., /c; the "..." step carries /a's time.
    expect(await paths(trimming, { startPoint: '/x', endPoint: '/c', stepLimit: 3 })).toEqual([edge('1_/x', '2_...', 1, MIN), edge('2_...', '3_/c', 1, 2 * MIN)]);
    expect(await paths(trimming, { startPoint: '/x', endPoint: '/c' })).toEqual([edge('1_/x', '2_/a', 1, MIN), edge('2_/a', '3_/b', 1, MIN), edge('3_/b', '4_/c', 1, MIN)]);
  });

  it('truncates paths at stepLimit (default 5)', async () => {
    expect(await paths(steps)).toEqual([edge('1_/1', '2_/2', 1, MIN), edge('2_/2', '3_/3', 1, MIN), edge('3_/3', '4_/4', 1, MIN), edge('4_/4', '5_/5', 1, MIN)]);
    expect(await paths(steps, { stepLimit: 3 })).toEqual([edge('1_/1', '2_/2', 1, MIN), edge('2_/2', '3_/3', 1, MIN)]);
  });

  it('uses URLs for pageviews, screen names for screens, names for custom events, or a HogQL expression', async () => {
    // /home@0 signed_up@1 /app@2 $autocapture@3 upgraded@4 $screen(Settings)@5
    expect(await paths(types, { includeEventTypes: ['custom_event'] })).toEqual([edge('1_signed_up', '2_upgraded', 1, 3 * MIN)]);
    expect(await paths(types, { includeEventTypes: ['$pageview', 'custom_event'] })).toEqual([
      edge('1_/home', '2_signed_up', 1, MIN),
      edge('2_signed_up', '3_/app', 1, MIN),
      edge('3_/app', '4_upgraded', 1, 2 * MIN),
    ]);
    expect(await paths(types, { includeEventTypes: ['$screen', '$pageview'] })).toEqual([edge('1_/home', '2_/app', 1, 2 * MIN), edge('2_/app', '3_Settings', 1, 3 * MIN)]);
    // No event types: every event, limited to 5 steps.
    expect(await paths(types, { includeEventTypes: null })).toEqual([
      edge('1_/home', '2_signed_up', 1, MIN),
      edge('2_signed_up', '3_/app', 1, MIN),
      edge('3_/app', '4_$autocapture', 1, MIN),
      edge('4_$autocapture', '5_upgraded', 1, MIN),
    ]);
    // excludeEvents removes events and path items (URLs too).
    expect(await paths(types, { includeEventTypes: null, excludeEvents: ['$autocapture', '/app'] })).toEqual([
      edge('1_/home', '2_signed_up', 1, MIN),
      edge('2_signed_up', '3_upgraded', 1, 3 * MIN),
      edge('3_upgraded', '4_Settings', 1, MIN),
    ]);
    expect(await paths(types, { includeEventTypes: ['hogql'], pathsHogQLExpression: "substring(event, 1, 2)", stepLimit: 3 })).toEqual([
      edge('1_$p', '2_si', 1, MIN),
      edge('2_si', '3_$p', 1, MIN),
    ]);
  });

  it('orders by weight, applies min/max edge weight and edgeLimit, and drops edges unreachable from a first step', async () => {
    const ab = edge('1_/a', '2_/b', 3, MIN);
    const ac = edge('1_/a', '2_/c', 2, MIN);
    const rs = edge('2_/r', '3_/s', 2, MIN);
    const ad = edge('1_/a', '2_/d', 1, MIN);
    const qr = edge('1_/q', '2_/r', 1, MIN);
    const xr = edge('1_/x', '2_/r', 1, MIN);
    expect(await paths(weights)).toEqual([ab, ac, rs, ad, qr, xr]);
    // The 4 heaviest are ab ac rs ad; nothing kept leads to 2_/r, so rs goes too.
    expect(await paths(weights, { edgeLimit: 4 })).toEqual([ab, ac, ad]);
    expect(await paths(weights, { minEdgeWeight: 2 })).toEqual([ab, ac]);
    expect(await paths(weights, { maxEdgeWeight: 2 })).toEqual([ac, rs, ad, qr, xr]);
    expect(await paths(weights, { minEdgeWeight: 2, maxEdgeWeight: 2 })).toEqual([ac]);
  });

  it('cleans paths with localPathCleaningFilters and groups them with pathGroupings wildcards', async () => {
    expect(await paths(cleaning)).toEqual([edge('1_/product/123', '2_/product/456', 1, MIN), edge('1_/product/9', '2_/checkout', 1, MIN), edge('2_/product/456', '3_/cart', 1, MIN)]);
    // Both products become /product/:id and collapse: /product/:id@1 → /cart@2.
    const cleaned = await paths(cleaning, { localPathCleaningFilters: [{ alias: '/product/:id', regex: '/product/\\d+' }] });
    expect(cleaned).toEqual([edge('1_/product/:id', '2_/cart', 1, MIN), edge('1_/product/:id', '2_/checkout', 1, MIN)]);
    const grouped = await paths(cleaning, { pathGroupings: ['/product/*'] });
    expect(grouped).toEqual([edge('1_/product/*', '2_/cart', 1, MIN), edge('1_/product/*', '2_/checkout', 1, MIN)]);
    // A start point can name a grouped or cleaned item.
    expect(await paths(cleaning, { pathGroupings: ['/product/*'], startPoint: '/product/*' })).toEqual(grouped);
  });

  it("applies the project's path cleaning rules when pathReplacements is set", async () => {
    const patch = (body: unknown) => api<{ path_cleaning_filters: unknown[] }>(server, `/api/projects/${cleaning}/`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await patch({ path_cleaning_filters: [{ alias: 'x', regex: '(' }] })).status).toBe(400);
    const res = await patch({ path_cleaning_filters: [{ alias: '/product/:id', regex: '/product/\\d+' }] });
    expect(res.status).toBe(200);
    expect(res.body.path_cleaning_filters).toEqual([{ alias: '/product/:id', regex: '/product/\\d+' }]);
    expect(await paths(cleaning, { pathReplacements: true })).toEqual([edge('1_/product/:id', '2_/cart', 1, MIN), edge('1_/product/:id', '2_/checkout', 1, MIN)]);
    // Without pathReplacements the project's rules are not applied.
    expect(await paths(cleaning)).toEqual([edge('1_/product/123', '2_/product/456', 1, MIN), edge('1_/product/9', '2_/checkout', 1, MIN), edge('2_/product/456', '3_/cart', 1, MIN)]);
    await patch({ path_cleaning_filters: [] });
  });

  it('lists the persons behind an edge or a drop-off through ActorsQuery', async () => {
    const actors = async (pathsFilter: Record<string, unknown>) => {
      const res = await postQuery<{ results: unknown[][] }>(server, weights, {
        kind: 'ActorsQuery',
        select: ['properties.email'],
        orderBy: ['properties.email'],
        source: { kind: 'InsightActorsQuery', source: { kind: 'PathsQuery', dateRange: DATE_RANGE, pathsFilter: { includeEventTypes: ['$pageview'], ...pathsFilter } } },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.results.map((r) => r[0]);
    };
    expect(await actors({ pathEndKey: '2_/c' })).toEqual(['w4@example.com', 'w5@example.com']);
    expect(await actors({ pathStartKey: '1_/a', pathEndKey: '2_/b' })).toEqual(['w1@example.com', 'w2@example.com', 'w3@example.com']);
    expect(await actors({ pathStartKey: '2_/r' })).toEqual(['w7@example.com', 'w8@example.com']);
    expect(await actors({ pathDropoffKey: '2_/d' })).toEqual(['w6@example.com']);
    // Dropping off at 2_/r: nobody, both went on to /s.
    expect(await actors({ pathDropoffKey: '2_/r' })).toEqual([]);
  });

  it('answers bad input with a 400 that names the problem', async () => {
    const bad = async (query: Record<string, unknown>, detail: RegExp) => {
      const res = await postQuery(server, simple, { kind: 'PathsQuery', dateRange: DATE_RANGE, ...query });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.detail).toMatch(detail);
    };
    await bad({ pathsFilter: { includeEventTypes: ['$bogus'] } }, /includeEventTypes/);
    await bad({ pathsFilter: { stepLimit: 'five' } }, /stepLimit/);
    await bad({ pathsFilter: { edgeLimit: 0 } }, /edgeLimit/);
    await bad({ pathsFilter: { minEdgeWeight: 5, maxEdgeWeight: 2 } }, /minEdgeWeight/);
    await bad({ pathsFilter: { localPathCleaningFilters: [{ alias: 'x', regex: '(' }] } }, /regex/);
    await bad({ pathsFilter: { includeEventTypes: ['hogql'], pathsHogQLExpression: 'concat(' } }, /.+/);
    await bad({ dateRange: { date_from: 'last tuesday' } }, /date_from/);
    await bad({ pathsFilter: {}, funnelPathsFilter: { funnelPathType: 'funnel_path_after_step', funnelSource: { kind: 'FunnelsQuery', series: [] }, funnelStep: 1 } }, /funnelPathsFilter/);
  });
});

describe('PathsQuery samplingFactor', () => {
  it('a 10% sample of distinct ids: edge values scaled back, conversion times not', async () => {
    // s0000…s1999 walk /a → /b a minute apart; even ids go on to /c. Whole data: /a→/b 2000, /b→/c 1000, 60 s each.
    const ids = sampledIds();
    const id = await samplingProject(server, 'paths sampling', ids.flatMap(({ id: who, i }) => walk(who, i % 2 === 0 ? ['/a', '/b', '/c'] : ['/a', '/b'])));
    for (const samplingFactor of [1, null]) {
      expect(await paths(id, {}, { samplingFactor })).toEqual([edge('1_/a', '2_/b', 2000, 60_000), edge('2_/b', '3_/c', 1000, 60_000)]);
    }
    const S = [...(await sampled(server, id, 0.1))];
    const all = S.length * 10;
    const even = S.filter((i) => i % 2 === 0).length * 10;
    expect(await paths(id, {}, { samplingFactor: 0.1 })).toEqual([edge('1_/a', '2_/b', all, 60_000), edge('2_/b', '3_/c', even, 60_000)]);
    expect(Math.abs(all - 2000) / 2000).toBeLessThan(0.25);
  });
});
