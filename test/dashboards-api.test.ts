import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, capture, createProject } from './helpers/api.js';
import { waitForValue } from './helpers/query.js';
import { startServer, type TestServer } from './helpers/server.js';

/** `/api/projects/:id/dashboards/`: dashboards, tiles, filter overrides, and insights on dashboards. */
let server: TestServer;
let project: { id: number; api_token: string };

const json = (method: string, body: unknown) => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const PAGEVIEWS = { kind: 'DataVisualizationNode', source: { kind: 'HogQLQuery', query: "SELECT count() FROM events WHERE event = '$pageview' AND {filters}" } };
const EVENTS_TABLE = { kind: 'DataTableNode', source: { kind: 'EventsQuery', select: ['event', 'count()'], after: 'all', orderBy: ['event'] } };

async function insight(projectId: number, body: Record<string, unknown>) {
  const res = await api<any>(server, `/api/projects/${projectId}/insights/`, json('POST', body));
  if (res.status !== 201) throw new Error(`insight create answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}
async function dashboard(projectId: number, body: Record<string, unknown>) {
  const res = await api<any>(server, `/api/projects/${projectId}/dashboards/`, json('POST', body));
  if (res.status !== 201) throw new Error(`dashboard create answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}
const getDashboard = (projectId: number, id: number, qs = '') => api<any>(server, `/api/projects/${projectId}/dashboards/${id}/${qs}`);

beforeAll(async () => {
  server = await startServer();
  project = await createProject(server, 'dashboards api');
  const batch = [
    { event: '$pageview', distinct_id: 'a', timestamp: '2024-03-01T10:00:00Z' },
    { event: '$pageview', distinct_id: 'b', timestamp: '2024-03-02T10:00:00Z' },
    { event: '$pageview', distinct_id: 'a', timestamp: '2024-03-10T10:00:00Z' },
    { event: '$pageview', distinct_id: 'c', timestamp: '2024-03-20T10:00:00Z' },
    { event: 'signed_up', distinct_id: 'a', timestamp: '2024-03-10T10:01:00Z' },
  ].map((e) => ({ ...e, properties: {} }));
  expect((await capture(server, '/batch/', JSON.stringify({ api_key: project.api_token, batch }))).status).toBe(200);
  await waitForValue(server, project.id, 'SELECT count() FROM events', 5);
});
afterAll(() => server?.dispose());

describe('dashboard CRUD', () => {
  it('creates, reads, lists, updates and soft-deletes dashboards in PostHog shapes', async () => {
    const p = await createProject(server, 'dashboards crud');
    const d = await dashboard(p.id, { name: 'Growth', description: 'weekly', pinned: true, tags: ['Core'], filters: { date_from: '-30d' } });
    expect(d).toMatchObject({
      name: 'Growth',
      description: 'weekly',
      pinned: true,
      tags: ['core'],
      filters: { date_from: '-30d' },
      deleted: false,
      creation_mode: 'default',
      restriction_level: 21,
      tiles: [],
      created_by: { email: server.adminEmail },
    });
    const other = await dashboard(p.id, { name: 'Another' });
    const list = await api<any>(server, `/api/projects/${p.id}/dashboards/`);
    expect(list.body).toMatchObject({ count: 2, next: null, previous: null });
    expect(list.body.results.map((r: { id: number }) => r.id)).toEqual([d.id, other.id]); // pinned first
    expect(list.body.results[0].tiles).toBeUndefined(); // the list is the basic serializer
    expect((await api<any>(server, `/api/projects/${p.id}/dashboards/?pinned=false`)).body.results.map((r: { id: number }) => r.id)).toEqual([other.id]);
    expect((await api<any>(server, `/api/environments/${p.id}/dashboards/?search=grow`)).body.results.map((r: { id: number }) => r.id)).toEqual([d.id]);

    const patched = await api<any>(server, `/api/projects/${p.id}/dashboards/${d.id}/`, json('PATCH', { name: 'Renamed', pinned: false, restriction_level: 37 }));
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Renamed', pinned: false, description: 'weekly', restriction_level: 37 });

    expect((await api(server, `/api/projects/${p.id}/dashboards/${d.id}/`, { method: 'DELETE' })).status).toBe(405);
    const gone = await api<any>(server, `/api/projects/${p.id}/dashboards/${d.id}/`, json('PATCH', { deleted: true }));
    expect(gone.body.deleted).toBe(true);
    expect((await getDashboard(p.id, d.id)).status).toBe(404);
    expect((await api<any>(server, `/api/projects/${p.id}/dashboards/`)).body.count).toBe(1);
  });
});

describe('insights on dashboards', () => {
  it('adds and removes an insight with PATCH insight dashboards; tiles carry the insight with its result', async () => {
    const d1 = await dashboard(project.id, { name: 'one' });
    const d2 = await dashboard(project.id, { name: 'two' });
    const i = await insight(project.id, { name: 'pv', query: PAGEVIEWS, dashboards: [d1.id] });
    expect(i.dashboards).toEqual([d1.id]);
    expect(i.dashboard_tiles).toEqual([{ id: expect.any(Number), dashboard_id: d1.id, deleted: false }]);

    const both = await api<any>(server, `/api/projects/${project.id}/insights/${i.id}/`, json('PATCH', { dashboards: [d1.id, d2.id] }));
    expect(both.body.dashboards.sort()).toEqual([d1.id, d2.id].sort());

    const got = await getDashboard(project.id, d2.id);
    expect(got.status).toBe(200);
    expect(got.body.tiles).toHaveLength(1);
    expect(got.body.tiles[0]).toMatchObject({ color: null, text: null, layouts: {}, insight: { id: i.id, short_id: i.short_id, name: 'pv', result: [[4]], is_cached: false } });

    const only1 = await api<any>(server, `/api/projects/${project.id}/insights/${i.id}/`, json('PATCH', { dashboards: [d1.id] }));
    expect(only1.body.dashboards).toEqual([d1.id]);
    expect((await getDashboard(project.id, d2.id)).body.tiles).toEqual([]);
    expect((await getDashboard(project.id, d1.id)).body.tiles.map((t: any) => t.insight.id)).toEqual([i.id]);
    const onD1 = await api<any>(server, `/api/projects/${project.id}/insights/?dashboards=${encodeURIComponent(JSON.stringify([d1.id]))}`);
    expect(onD1.body.results.map((r: { id: number }) => r.id)).toEqual([i.id]);
  });

  it('dashboard filters override the date range (and properties) of tile queries', async () => {
    const d = await dashboard(project.id, { name: 'march first half', filters: { date_from: '2024-03-01', date_to: '2024-03-15' } });
    const pv = await insight(project.id, { query: PAGEVIEWS, dashboards: [d.id] });
    const table = await insight(project.id, { query: EVENTS_TABLE, dashboards: [d.id] });
    const tiles = (await getDashboard(project.id, d.id)).body.tiles;
    const byInsight = new Map(tiles.map((t: any) => [t.insight.id, t.insight.result]));
    expect(byInsight.get(pv.id)).toEqual([[3]]); // 03-01, 03-02, 03-10 (not 03-20)
    expect(byInsight.get(table.id)).toEqual([['$pageview', 3], ['signed_up', 1]]);
    // the insight on its own is not filtered
    expect((await api<any>(server, `/api/projects/${project.id}/insights/${pv.id}/`)).body.result).toEqual([[4]]);

    await api(server, `/api/projects/${project.id}/dashboards/${d.id}/`, json('PATCH', { filters: { date_from: '2024-03-05', date_to: null } }));
    const narrowed = (await getDashboard(project.id, d.id)).body;
    expect(narrowed.filters).toEqual({ date_from: '2024-03-05' });
    expect(new Map(narrowed.tiles.map((t: any) => [t.insight.id, t.insight.result])).get(pv.id)).toEqual([[2]]); // 03-10, 03-20

    await api(server, `/api/projects/${project.id}/dashboards/${d.id}/`, json('PATCH', { filters: { properties: [{ key: 'distinct_id', value: 'a', operator: 'exact', type: 'event_metadata' }] } }));
    const byPerson = (await getDashboard(project.id, d.id)).body;
    const res = new Map(byPerson.tiles.map((t: any) => [t.insight.id, t.insight]));
    expect((res.get(pv.id) as any).result, JSON.stringify(res.get(pv.id))).toEqual([[2]]); // a: 03-01, 03-10
    expect((res.get(table.id) as any).result).toEqual([['$pageview', 2], ['signed_up', 1]]);
  });

  it('serves tiles from the cache until refreshed', async () => {
    const d = await dashboard(project.id, { name: 'cached', filters: { date_from: '2024-03-09' } });
    await insight(project.id, { query: PAGEVIEWS, dashboards: [d.id] });
    const first = (await getDashboard(project.id, d.id)).body;
    expect(first.tiles[0]).toMatchObject({ is_cached: false, insight: { result: [[2]] } });
    const l1 = first.tiles[0].last_refresh;
    expect(first.last_refresh).toBe(l1);
    const second = (await getDashboard(project.id, d.id)).body;
    expect(second.tiles[0]).toMatchObject({ is_cached: true, last_refresh: l1 });
    const forced = (await getDashboard(project.id, d.id, '?refresh=force_blocking')).body;
    expect(forced.tiles[0].is_cached).toBe(false);
    expect(Date.parse(forced.tiles[0].last_refresh)).toBeGreaterThan(Date.parse(l1));
  });

  it('moves and resizes tiles with PATCH tiles, adds text tiles, removes tiles', async () => {
    const d = await dashboard(project.id, { name: 'layout' });
    const i = await insight(project.id, { query: PAGEVIEWS, dashboards: [d.id] });
    const tileId = (await getDashboard(project.id, d.id, '?refresh=force_cache')).body.tiles[0].id;
    const layouts = { sm: { x: 6, y: 0, w: 6, h: 5 }, xs: { x: 0, y: 5, w: 1, h: 5 } };
    const moved = await api<any>(server, `/api/projects/${project.id}/dashboards/${d.id}/`, json('PATCH', { tiles: [{ id: tileId, layouts, color: 'blue' }, { text: { body: '# Notes' }, layouts: { sm: { x: 0, y: 0, w: 6, h: 2 } } }] }));
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.tiles).toHaveLength(2);
    expect(moved.body.tiles[0]).toMatchObject({ id: tileId, layouts, color: 'blue', insight: { id: i.id } });
    expect(moved.body.tiles[1]).toMatchObject({ insight: null, text: { body: '# Notes' }, layouts: { sm: { x: 0, y: 0, w: 6, h: 2 } } });
    const reread = (await getDashboard(project.id, d.id, '?refresh=force_cache')).body;
    expect(reread.tiles[0]).toMatchObject({ layouts, color: 'blue' });

    const textId = moved.body.tiles[1].id;
    const removed = await api<any>(server, `/api/projects/${project.id}/dashboards/${d.id}/`, json('PATCH', { tiles: [{ id: textId, deleted: true }] }));
    expect(removed.body.tiles.map((t: any) => t.id)).toEqual([tileId]);

    const bad = [
      { tiles: [{ id: 99999999, layouts }] },
      { tiles: [{ id: tileId, layouts: { sm: { x: -1, y: 0, w: 6, h: 5 } } }] },
      { tiles: [{ id: tileId, layouts: { huge: { x: 0 } } }] },
      { tiles: 'x' },
    ];
    for (const body of bad) {
      const res = await api<any>(server, `/api/projects/${project.id}/dashboards/${d.id}/`, json('PATCH', body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('invalid_input');
    }
    // the failed PATCH changed nothing
    expect((await getDashboard(project.id, d.id, '?refresh=force_cache')).body.tiles[0].layouts).toEqual(layouts);
  });

  it('deleting a dashboard keeps its insights; a deleted insight leaves its tiles', async () => {
    const d = await dashboard(project.id, { name: 'doomed' });
    const keep = await insight(project.id, { name: 'keep', query: PAGEVIEWS, dashboards: [d.id] });
    const drop = await insight(project.id, { name: 'drop', query: PAGEVIEWS, dashboards: [d.id] });
    await api(server, `/api/projects/${project.id}/insights/${drop.id}/`, json('PATCH', { deleted: true }));
    expect((await getDashboard(project.id, d.id, '?refresh=force_cache')).body.tiles.map((t: any) => t.insight.id)).toEqual([keep.id]);
    await api(server, `/api/projects/${project.id}/dashboards/${d.id}/`, json('PATCH', { deleted: true }));
    const still = await api<any>(server, `/api/projects/${project.id}/insights/${keep.id}/?refresh=force_cache`);
    expect(still.status).toBe(200);
    expect(still.body).toMatchObject({ deleted: false, dashboards: [], dashboard_tiles: [] });
  });

  it('a tile whose query fails reports the error and does not break the dashboard', async () => {
    const d = await dashboard(project.id, { name: 'partly broken' });
    const ok = await insight(project.id, { query: PAGEVIEWS, dashboards: [d.id] });
    const broken = await insight(project.id, { query: { kind: 'DataVisualizationNode', source: { kind: 'HogQLQuery', query: 'SELECT no_such_column FROM events' } }, dashboards: [d.id] });
    const got = await getDashboard(project.id, d.id);
    expect(got.status).toBe(200);
    const byId = new Map(got.body.tiles.map((t: any) => [t.insight.id, t.insight]));
    expect((byId.get(ok.id) as any).result).toEqual([[4]]);
    expect(byId.get(broken.id)).toMatchObject({ result: null, query_status: { error: true, error_message: expect.stringMatching(/no_such_column/) } });
  });
});

describe('validation, auth and isolation', () => {
  it('answers bad input with clear 400s', async () => {
    const cases: Array<[unknown, string]> = [
      [{ name: 7 }, 'body.name'],
      [{ pinned: 'yes' }, 'body.pinned'],
      [{ filters: { date_from: 5 } }, 'body.filters.date_from'],
      [{ filters: { properties: [{ value: 'x' }] } }, 'body.filters.properties'],
      [{ restriction_level: 99 }, 'body.restriction_level'],
      [{ use_template: 'WEB_ANALYTICS' }, 'use_template'],
    ];
    for (const [body, attr] of cases) {
      const res = await api<any>(server, `/api/projects/${project.id}/dashboards/`, json('POST', body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ type: 'validation_error', code: 'invalid_input' });
      expect(res.body.attr, JSON.stringify(res.body)).toMatch(new RegExp(`^${attr.replace('.', '\\.')}`));
    }
    const d = await dashboard(project.id, { name: 'x' });
    expect((await getDashboard(project.id, d.id, '?refresh=never')).status).toBe(400);
    expect((await api(server, `/api/projects/${project.id}/dashboards/?pinned=maybe`)).status).toBe(400);
    expect((await getDashboard(project.id, 0)).status).toBe(404);
    expect((await api(server, `/api/projects/${project.id}/dashboards/x1/`)).status).toBe(404);
  });

  it('checks dashboard scopes', async () => {
    const mk = async (scopes: string[]) =>
      (await api<{ value: string }>(server, '/api/personal_api_keys/', json('POST', { label: 'dash test', scopes }))).body.value;
    const d = await dashboard(project.id, { name: 'scoped' });
    const reader = await mk(['dashboard:read']);
    expect((await api(server, `/api/projects/${project.id}/dashboards/${d.id}/`, { key: reader })).status).toBe(200);
    const write = await api<any>(server, `/api/projects/${project.id}/dashboards/${d.id}/`, { ...json('PATCH', { name: 'no' }), key: reader });
    expect(write.status).toBe(403);
    expect(write.body.detail).toMatch(/dashboard:write/);
    const insightOnly = await mk(['insight:write']);
    expect((await api(server, `/api/projects/${project.id}/dashboards/`, { key: insightOnly })).status).toBe(403);
    expect((await api(server, `/api/projects/${project.id}/dashboards/`, { key: null })).status).toBe(401);
  });

  it("isolates projects: another project's dashboard is not found", async () => {
    const other = await createProject(server, 'dashboards other');
    const d = await dashboard(project.id, { name: 'mine' });
    expect((await getDashboard(other.id, d.id)).status).toBe(404);
    expect((await api(server, `/api/projects/${other.id}/dashboards/${d.id}/`, json('PATCH', { name: 'stolen' }))).status).toBe(404);
    expect((await api<any>(server, `/api/projects/${other.id}/dashboards/`)).body.results.map((r: { id: number }) => r.id)).not.toContain(d.id);
    expect((await api(server, `/api/projects/${other.id}/insights/?from_dashboard=${d.id}`)).status).toBe(200);
    const theirs = await insight(other.id, { query: PAGEVIEWS });
    expect((await api(server, `/api/projects/${other.id}/insights/${theirs.id}/?from_dashboard=${d.id}`)).status).toBe(400);
  });
});
