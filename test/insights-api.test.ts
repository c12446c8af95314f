import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, capture, createProject } from './helpers/api.js';
import { waitForValue } from './helpers/query.js';
import { startServer, type TestServer } from './helpers/server.js';

/** `/api/projects/:id/insights/`: PostHog's saved insights, cached results and refresh modes. */
let server: TestServer;
let project: { id: number; api_token: string };

const json = (method: string, body: unknown) => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const COUNT_PAGEVIEWS = { kind: 'DataVisualizationNode', source: { kind: 'HogQLQuery', query: "SELECT count() FROM events WHERE event = '$pageview' AND {filters}" } };

async function scopedKey(scopes: string[], teams: number[] | null = null): Promise<string> {
  const res = await api<{ value: string }>(server, '/api/personal_api_keys/', json('POST', { label: 'insights test', scopes, scoped_teams: teams }));
  if (res.status !== 201) throw new Error(`key create answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.value;
}

async function send(p: { api_token: string }, batch: Array<{ event: string; distinct_id: string; timestamp: string }>) {
  const res = await capture(server, '/batch/', JSON.stringify({ api_key: p.api_token, batch: batch.map((e) => ({ ...e, properties: {} })) }));
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  server = await startServer();
  project = await createProject(server, 'insights api');
  await send(project, [
    { event: '$pageview', distinct_id: 'a', timestamp: '2024-01-10T10:00:00Z' },
    { event: '$pageview', distinct_id: 'b', timestamp: '2024-01-10T11:00:00Z' },
    { event: '$pageview', distinct_id: 'a', timestamp: '2024-01-20T10:00:00Z' },
    { event: 'signed_up', distinct_id: 'a', timestamp: '2024-01-20T10:05:00Z' },
  ]);
  await waitForValue(server, project.id, 'SELECT count() FROM events', 4);
});
afterAll(() => server?.dispose());

describe('insight CRUD', () => {
  it('creates, reads, lists and updates an insight in PostHog shapes', async () => {
    const created = await api<any>(
      server,
      `/api/projects/${project.id}/insights/`,
      json('POST', { name: 'Pageviews', description: 'all of them', query: COUNT_PAGEVIEWS, tags: [' Growth ', 'growth', 'KPI'], saved: true }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const i = created.body;
    expect(i).toMatchObject({
      name: 'Pageviews',
      derived_name: null,
      description: 'all of them',
      query: COUNT_PAGEVIEWS,
      filters: {},
      tags: ['growth', 'kpi'],
      favorited: false,
      saved: true,
      deleted: false,
      dashboards: [],
      dashboard_tiles: [],
      // creation never computes: the result is not cached yet
      result: null,
      last_refresh: null,
      is_cached: false,
      timezone: 'UTC',
      created_by: { email: server.adminEmail },
    });
    expect(i.id).toEqual(expect.any(Number));
    expect(i.short_id).toMatch(/^[A-Za-z0-9]{8}$/);
    expect(Date.parse(i.created_at)).not.toBeNaN();
    expect(i.last_modified_at).toEqual(expect.any(String));

    const got = await api<any>(server, `/api/environments/${project.id}/insights/${i.id}/`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: i.id, short_id: i.short_id, result: [[3]], columns: ['count()'], is_cached: false });

    const patched = await api<any>(server, `/api/projects/${project.id}/insights/${i.id}/`, json('PATCH', { name: 'Renamed', favorited: true, derived_name: 'Count of pageviews' }));
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Renamed', favorited: true, derived_name: 'Count of pageviews', description: 'all of them', tags: ['growth', 'kpi'] });
    expect(Date.parse(patched.body.last_modified_at)).toBeGreaterThanOrEqual(Date.parse(i.last_modified_at));
    // the result computed by the GET is served from the cache on later reads
    expect(patched.body).toMatchObject({ result: [[3]], is_cached: true });

    const byShortId = await api<any>(server, `/api/projects/${project.id}/insights/?short_id=${i.short_id}`);
    expect(byShortId.body).toMatchObject({ count: 1, next: null, previous: null });
    expect(byShortId.body.results[0]).toMatchObject({ id: i.id, name: 'Renamed' });
  });

  it('filters and paginates the list', async () => {
    const p = await createProject(server, 'insights list');
    const mk = (body: Record<string, unknown>) => api<any>(server, `/api/projects/${p.id}/insights/`, json('POST', { query: COUNT_PAGEVIEWS, ...body }));
    const a = (await mk({ name: 'Alpha signups', saved: true, favorited: true })).body;
    const b = (await mk({ name: 'Beta', saved: true, description: 'about SIGNUPS' })).body;
    const c = (await mk({ name: 'Gamma draft', query: { kind: 'DataTableNode', source: { kind: 'EventsQuery', select: ['event'] } } })).body;
    const ids = async (qs: string) => ((await api<any>(server, `/api/projects/${p.id}/insights/?${qs}`)).body.results as Array<{ id: number }>).map((r) => r.id);
    expect(await ids('')).toEqual([c.id, b.id, a.id]); // most recently modified first
    expect(await ids('saved=true')).toEqual([b.id, a.id]);
    expect(await ids('favorited=true')).toEqual([a.id]);
    expect(await ids('search=signups')).toEqual([b.id, a.id]);
    expect(await ids('kind=EventsQuery')).toEqual([c.id]);
    expect(await ids('order=name')).toEqual([a.id, b.id, c.id]);
    const page = await api<any>(server, `/api/projects/${p.id}/insights/?limit=2&order=name`);
    expect(page.body.count).toBe(3);
    expect(page.body.results.map((r: { id: number }) => r.id)).toEqual([a.id, b.id]);
    expect(page.body.next).toContain('offset=2');
    const next = await api<any>(server, page.body.next.slice(server.url.length));
    expect(next.body.results.map((r: { id: number }) => r.id)).toEqual([c.id]);
    expect(next.body.next).toBeNull();
    // basic=true: the insights' own fields only, no result read or computed (PostHog's light list).
    const basic = await api<any>(server, `/api/projects/${p.id}/insights/?basic=true&order=name`);
    expect(basic.body.results.map((r: { id: number }) => r.id)).toEqual([a.id, b.id, c.id]);
    expect(basic.body.results[0]).toMatchObject({ name: 'Alpha signups', saved: true, favorited: true, dashboards: [] });
    expect(basic.body.results[0]).not.toHaveProperty('result');
    expect((await api<any>(server, `/api/projects/${p.id}/insights/?basic=maybe`)).status).toBe(400);
  });

  it('soft-deletes with PATCH deleted:true; DELETE is 405; a deleted insight can be restored', async () => {
    const p = await createProject(server, 'insights delete');
    const i = (await api<any>(server, `/api/projects/${p.id}/insights/`, json('POST', { name: 'bye', query: COUNT_PAGEVIEWS }))).body;
    const del = await api<any>(server, `/api/projects/${p.id}/insights/${i.id}/`, { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect(del.body.detail).toMatch(/deleted/);
    expect((await api<any>(server, `/api/projects/${p.id}/insights/${i.id}/`)).status).toBe(200);
    const soft = await api<any>(server, `/api/projects/${p.id}/insights/${i.id}/`, json('PATCH', { deleted: true }));
    expect(soft.status).toBe(200);
    expect(soft.body.deleted).toBe(true);
    expect((await api<any>(server, `/api/projects/${p.id}/insights/${i.id}/`)).status).toBe(404);
    expect((await api<any>(server, `/api/projects/${p.id}/insights/`)).body.count).toBe(0);
    const restored = await api<any>(server, `/api/projects/${p.id}/insights/${i.id}/`, json('PATCH', { deleted: false }));
    expect(restored.body.deleted).toBe(false);
    expect((await api<any>(server, `/api/projects/${p.id}/insights/`)).body.count).toBe(1);
  });

  it('saves insight query kinds that have landed (RetentionQuery inside an InsightVizNode) and answers as /query/ does', async () => {
    const source = { kind: 'RetentionQuery', dateRange: { date_from: '2024-01-08', date_to: '2024-01-21' }, retentionFilter: { period: 'Week', totalIntervals: 2 } };
    const res = await api<any>(server, `/api/projects/${project.id}/insights/`, json('POST', { name: 'retention', query: { kind: 'InsightVizNode', source } }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const direct = await api<any>(server, `/api/projects/${project.id}/query/`, json('POST', { query: source }));
    const got = await api<any>(server, `/api/projects/${project.id}/insights/${res.body.id}/`);
    // the runner belongs to another module: whatever /query/ answers, the insight answers the same
    expect(got.status, JSON.stringify(got.body)).toBe(direct.status);
    if (direct.status === 200) {
      expect(got.body.result).toEqual(direct.body.results);
      expect(got.body.last_refresh).toEqual(expect.any(String));
    } else {
      expect(got.body.detail).toBe(direct.body.detail);
    }
    const bad = await api<any>(server, `/api/projects/${project.id}/insights/`, json('POST', { query: { kind: 'InsightVizNode', source: { ...source, retentionFilter: { period: 'Fortnight' } } } }));
    expect(bad.status).toBe(400);
    expect(bad.body.attr).toMatch(/^query\.source\.retentionFilter/);
  });
});

describe('cached results and refresh modes', () => {
  it('reuses the cached result (last_refresh unchanged) until forced to refresh', async () => {
    const p = await createProject(server, 'insights cache');
    await send(p, [
      { event: '$pageview', distinct_id: 'x', timestamp: '2024-02-01T10:00:00Z' },
      { event: '$pageview', distinct_id: 'y', timestamp: '2024-02-02T10:00:00Z' },
    ]);
    await waitForValue(server, p.id, 'SELECT count() FROM events', 2);
    const i = (await api<any>(server, `/api/projects/${p.id}/insights/`, json('POST', { query: COUNT_PAGEVIEWS }))).body;
    const url = `/api/projects/${p.id}/insights/${i.id}/`;

    const cacheOnly = await api<any>(server, `${url}?refresh=force_cache`);
    expect(cacheOnly.body).toMatchObject({ result: null, last_refresh: null, is_cached: false });

    const first = await api<any>(server, url);
    expect(first.body).toMatchObject({ result: [[2]], is_cached: false });
    const l1 = first.body.last_refresh as string;
    expect(Date.parse(first.body.next_allowed_client_refresh) - Date.parse(l1)).toBe(15 * 60_000);
    expect(Date.parse(first.body.cache_target_age) - Date.parse(l1)).toBe(6 * 3600_000); // HogQL counts as a "day" insight
    expect(first.body.cache_key).toMatch(/^cache_/);

    // a new event: the cached answer stays (it is fresh), the forced one sees it
    await send(p, [{ event: '$pageview', distinct_id: 'z', timestamp: '2024-02-03T10:00:00Z' }]);
    await waitForValue(server, p.id, 'SELECT count() FROM events', 3);
    for (const mode of ['', '?refresh=blocking', '?refresh=force_cache', '?refresh=lazy_async', '?refresh=async']) {
      const again = await api<any>(server, url + mode);
      expect(again.body, mode).toMatchObject({ result: [[2]], is_cached: true, last_refresh: l1 });
    }
    const listed = await api<any>(server, `/api/projects/${p.id}/insights/`);
    expect(listed.body.results[0]).toMatchObject({ result: [[2]], is_cached: true, last_refresh: l1 });

    const forced = await api<any>(server, `${url}?refresh=force_blocking`);
    expect(forced.body).toMatchObject({ result: [[3]], is_cached: false });
    expect(Date.parse(forced.body.last_refresh)).toBeGreaterThan(Date.parse(l1));
    const legacy = await api<any>(server, `${url}?refresh=true`);
    expect(legacy.body.is_cached).toBe(false);
    expect(Date.parse(legacy.body.last_refresh)).toBeGreaterThan(Date.parse(forced.body.last_refresh));
    const cached = await api<any>(server, url);
    expect(cached.body).toMatchObject({ result: [[3]], is_cached: true, last_refresh: legacy.body.last_refresh });
  });

  it('a changed query is recomputed, not served from the old cache', async () => {
    const i = (await api<any>(server, `/api/projects/${project.id}/insights/`, json('POST', { query: COUNT_PAGEVIEWS }))).body;
    const url = `/api/projects/${project.id}/insights/${i.id}/`;
    expect((await api<any>(server, url)).body.result).toEqual([[3]]);
    const query = { kind: 'DataVisualizationNode', source: { kind: 'HogQLQuery', query: "SELECT count() FROM events WHERE event = 'signed_up'" } };
    await api(server, url, json('PATCH', { query }));
    const got = await api<any>(server, url);
    expect(got.body).toMatchObject({ query, result: [[1]], is_cached: false });
  });

  it('applies filters_override and from_dashboard to the query', async () => {
    const i = (await api<any>(server, `/api/projects/${project.id}/insights/`, json('POST', { query: COUNT_PAGEVIEWS }))).body;
    const override = encodeURIComponent(JSON.stringify({ date_from: '2024-01-15', date_to: '2024-01-31' }));
    const res = await api<any>(server, `/api/projects/${project.id}/insights/${i.id}/?filters_override=${override}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.result).toEqual([[1]]);
    expect((await api<any>(server, `/api/projects/${project.id}/insights/${i.id}/`)).body.result).toEqual([[3]]);
    const d = (await api<any>(server, `/api/projects/${project.id}/dashboards/`, json('POST', { name: 'd', filters: { date_from: '2024-01-01', date_to: '2024-01-12' } }))).body;
    const fromDashboard = await api<any>(server, `/api/projects/${project.id}/insights/${i.id}/?from_dashboard=${d.id}`);
    expect(fromDashboard.body.result).toEqual([[2]]);
  });
});

describe('validation, auth and isolation', () => {
  it('answers bad input with clear 400s', async () => {
    const post = (body: unknown) => api<any>(server, `/api/projects/${project.id}/insights/`, json('POST', body));
    const cases: Array<[unknown, RegExp, string]> = [
      [{ query: { kind: 'NoSuchQuery' } }, /NoSuchQuery.*not supported/, 'query.kind'],
      [{ query: { kind: 'InsightVizNode' } }, /source is required/, 'query.source'],
      [{ query: { kind: 'InsightVizNode', source: { kind: 'Nope' } } }, /not supported/, 'query.source.kind'],
      [{ query: { kind: 'DataVisualizationNode', source: { kind: 'HogQLQuery', query: '' } } }, /query\.source\.query/, 'query.source.query'],
      [{ query: 'SELECT 1' }, /query node/, 'query'],
      [{ name: 5 }, /name/, 'body.name'],
      [{ tags: 'x' }, /tags/, 'body.tags'],
      [{ filters: { events: [{ id: '$pageview' }] } }, /legacy/, 'filters'],
      [{ dashboards: [999999] }, /Dashboard 999999 not found/, 'dashboards'],
    ];
    for (const [body, detail, attr] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ type: 'validation_error', code: 'invalid_input', attr });
      expect(res.body.detail).toMatch(detail);
    }
    const notJson = await api<any>(server, `/api/projects/${project.id}/insights/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(notJson.status).toBe(400);
    const i = (await post({ query: COUNT_PAGEVIEWS })).body;
    expect((await api<any>(server, `/api/projects/${project.id}/insights/${i.id}/?refresh=sometimes`)).body).toMatchObject({ attr: 'refresh' });
    expect((await api<any>(server, `/api/projects/${project.id}/insights/?saved=maybe`)).status).toBe(400);
    expect((await api<any>(server, `/api/projects/${project.id}/insights/?order=id`)).status).toBe(400);
    expect((await api<any>(server, `/api/projects/${project.id}/insights/?limit=0`)).status).toBe(400);
    expect((await api<any>(server, `/api/projects/${project.id}/insights/abc/`)).status).toBe(404);
    // a query that fails when run is the caller's fault
    const broken = (await post({ query: { kind: 'DataVisualizationNode', source: { kind: 'HogQLQuery', query: 'SELECT nope FROM events' } } })).body;
    const run = await api<any>(server, `/api/projects/${project.id}/insights/${broken.id}/`);
    expect(run.status).toBe(400);
    expect(run.body.detail).toMatch(/nope/);
  });

  it('checks insight scopes', async () => {
    const i = (await api<any>(server, `/api/projects/${project.id}/insights/`, json('POST', { query: COUNT_PAGEVIEWS }))).body;
    const reader = await scopedKey(['insight:read']);
    expect((await api(server, `/api/projects/${project.id}/insights/${i.id}/`, { key: reader })).status).toBe(200);
    expect((await api(server, `/api/projects/${project.id}/insights/`, { key: reader })).status).toBe(200);
    const write = await api<any>(server, `/api/projects/${project.id}/insights/${i.id}/`, { ...json('PATCH', { name: 'x' }), key: reader });
    expect(write.status).toBe(403);
    expect(write.body.detail).toMatch(/insight:write/);
    const other = await scopedKey(['dashboard:write', 'query:read']);
    expect((await api(server, `/api/projects/${project.id}/insights/`, { key: other })).status).toBe(403);
    const writer = await scopedKey(['insight:write']);
    expect((await api(server, `/api/projects/${project.id}/insights/`, { ...json('POST', { name: 'w' }), key: writer })).status).toBe(201);
    expect((await api(server, `/api/projects/${project.id}/insights/`, { key: null })).status).toBe(401);
    expect((await api(server, `/api/projects/${project.id}/insights/`, { key: project.api_token })).status).toBe(401);
  });

  it('isolates projects: another project\'s insight is not found, its dashboards cannot be used', async () => {
    const other = await createProject(server, 'insights other');
    const i = (await api<any>(server, `/api/projects/${project.id}/insights/`, json('POST', { name: 'mine', query: COUNT_PAGEVIEWS }))).body;
    expect((await api(server, `/api/projects/${other.id}/insights/${i.id}/`)).status).toBe(404);
    expect((await api(server, `/api/projects/${other.id}/insights/${i.id}/`, json('PATCH', { name: 'stolen' }))).status).toBe(404);
    expect((await api<any>(server, `/api/projects/${other.id}/insights/?short_id=${i.short_id}`)).body.count).toBe(0);
    const theirs = (await api<any>(server, `/api/projects/${other.id}/dashboards/`, json('POST', { name: 'theirs' }))).body;
    const cross = await api<any>(server, `/api/projects/${project.id}/insights/${i.id}/`, json('PATCH', { dashboards: [theirs.id] }));
    expect(cross.status).toBe(400);
    expect(cross.body.attr).toBe('dashboards');
    // the other project's result is computed on its own (empty) events
    const copy = (await api<any>(server, `/api/projects/${other.id}/insights/`, json('POST', { query: COUNT_PAGEVIEWS }))).body;
    expect((await api<any>(server, `/api/projects/${other.id}/insights/${copy.id}/`)).body.result).toEqual([[0]]);
    expect((await api(server, '/api/projects/999999/insights/')).status).toBe(404);
  });
});
