import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allEvents, api, createProject, sendBatch, type ApiEvent } from './helpers/api.js';
import { waitForValue } from './helpers/query.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.dispose());

const send = (token: string, events: Array<Record<string, unknown>>) => sendBatch(server, token, events);

describe('authentication', () => {
  it('401 without a key, with a wrong key, and with a project key', async () => {
    for (const key of [null, 'phx_wrong', server.projectApiKey]) {
      const res = await api<{ code: string; detail: string }>(server, '/api/projects/@current/events/', { key });
      expect(res.status).toBe(401);
      expect(['not_authenticated', 'authentication_failed']).toContain(res.body.code);
      expect(res.body.detail.length).toBeGreaterThan(10);
    }
    const malformed = await fetch(server.url + '/api/projects/@current/', { headers: { authorization: 'Token abc' } });
    expect(malformed.status).toBe(401);
  });

  it('GET /api/projects/@current/ describes the project with its API token', async () => {
    const res = await api<Record<string, unknown>>(server, '/api/projects/@current/');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 1, name: 'Default project', api_token: server.projectApiKey, timezone: 'UTC' });
  });

  it('the first start kept the keys given in the environment and keeps them across restarts', async () => {
    await server.restart({ HEDGEROW_PROJECT_API_KEY: 'phc_ignoredAfterFirstStart' });
    expect(server.output()).toContain(server.projectApiKey);
    expect(server.output()).toContain(server.personalApiKey);
    const res = await api<Record<string, unknown>>(server, '/api/projects/@current/');
    expect(res.body.api_token).toBe(server.projectApiKey);
  });
});

describe('GET /api/projects/:id/events/', () => {
  let projectId: number;
  let token: string;
  const base = Date.parse('2026-11-01T12:00:00Z');

  beforeAll(async () => {
    const p = await createProject(server, 'events api');
    projectId = p.id;
    token = p.api_token;
    const events = Array.from({ length: 250 }, (_, i) => ({
      event: i % 2 ? 'odd' : 'even',
      distinct_id: `user-${i % 5}`,
      // Several events share a timestamp so pagination must not skip or repeat ties.
      timestamp: new Date(base + Math.floor(i / 3) * 60_000).toISOString(),
      properties: { i },
    }));
    await send(token, events);
  });

  it('lists newest first in PostHog shape and pages through everything with next', async () => {
    const first = await api<{ results: ApiEvent[]; next: string | null }>(server, `/api/projects/${projectId}/events/?limit=100`);
    expect(first.status).toBe(200);
    expect(first.body.results).toHaveLength(100);
    expect(first.body.next).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/projects\/\d+\/events\/?\?limit=100&cursor=/);
    const e = first.body.results[0]!;
    expect(Object.keys(e).sort()).toEqual(['distinct_id', 'elements', 'elements_chain', 'event', 'id', 'person', 'properties', 'timestamp']);
    expect(e.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);

    const all = await allEvents(server, projectId);
    expect(all).toHaveLength(250);
    expect(new Set(all.map((x) => x.properties.i)).size).toBe(250);
    const times = all.map((x) => Date.parse(x.timestamp));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('pages newest first across recent and old events alike (the recent-window shortcut changes nothing)', async () => {
    const p = await createProject(server, 'events windows');
    const now = Date.now();
    // Two events each: an hour ago, 3 days, 20 days and 400 days ago, and one an hour in the future.
    const ages = [-1, 1, 1, 72, 72, 480, 480, 9600, 9600];
    await send(p.api_token, ages.map((h, i) => ({ event: 'e', distinct_id: 'd', timestamp: new Date(now - h * 3_600_000 - i * 1000).toISOString(), properties: { i } })));
    await waitForValue(server, p.id, 'SELECT count() FROM events', ages.length);
    for (const limit of [1, 2, 3, 4, 100]) {
      const order = (await allEvents(server, p.id, '', undefined, limit)).map((e) => e.properties.i);
      expect(order, `limit ${limit}`).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    }
    const before = await api<{ results: ApiEvent[] }>(server, `/api/projects/${p.id}/events/?limit=3&before=${new Date(now - 2 * 86_400_000).toISOString()}`);
    expect(before.body.results.map((e) => e.properties.i)).toEqual([3, 4, 5]);
  });

  it('filters by event, distinct_id, after and before, and caps limit', async () => {
    const odd = await allEvents(server, projectId, 'event=odd');
    expect(odd).toHaveLength(125);
    expect(odd.every((x) => x.event === 'odd')).toBe(true);
    const u3 = await allEvents(server, projectId, 'distinct_id=user-3');
    expect(u3).toHaveLength(50);
    const after = new Date(base + 10 * 60_000).toISOString();
    const before = new Date(base + 20 * 60_000).toISOString();
    const window = await allEvents(server, projectId, `after=${encodeURIComponent(after)}&before=${encodeURIComponent(before)}`);
    // minutes 11..19 inclusive, three events each
    expect(window).toHaveLength(27);
    const small = await api<{ results: ApiEvent[] }>(server, `/api/projects/${projectId}/events/?limit=7&event=even&distinct_id=user-0`);
    expect(small.body.results).toHaveLength(7);
  });

  it('filters by properties as PostHog does (JSON list of property filters)', async () => {
    const q = (filters: unknown) => `properties=${encodeURIComponent(JSON.stringify(filters))}`;
    const exact = await allEvents(server, projectId, q([{ key: 'i', value: '7', operator: 'exact', type: 'event' }]));
    expect(exact.map((x) => x.properties.i)).toEqual([7]);
    // `i` is Numeric in the taxonomy (first seen as a number), so gt compares numbers
    const big = await allEvents(server, projectId, q([{ key: 'i', value: 240, operator: 'gt', type: 'event' }]));
    expect(big.map((x) => x.properties.i).sort((a, b) => Number(a) - Number(b))).toEqual([241, 242, 243, 244, 245, 246, 247, 248, 249]);
    const combined = await allEvents(server, projectId, `event=odd&${q([{ key: 'i', value: [1, 2, 3], operator: 'exact' }])}`);
    expect(combined.map((x) => x.properties.i).sort()).toEqual([1, 3]);
    const unset = await allEvents(server, projectId, q([{ key: 'missing', operator: 'is_not_set' }]));
    expect(unset).toHaveLength(250);
  });

  it('refuses bad filters with 400 naming the parameter', async () => {
    for (const [query, attr] of [
      ['properties=notjson', 'properties'],
      ['properties=' + encodeURIComponent('[{"key":"i","operator":"nope"}]'), 'properties'],
      ['after=notadate', 'after'],
      ['before=2026-13-45', 'before'],
      ['limit=-1', 'limit'],
      ['limit=abc', 'limit'],
      ['cursor=garbage', 'cursor'],
    ] as const) {
      const res = await api<{ code: string; attr: string }>(server, `/api/projects/${projectId}/events/?${query}`);
      expect({ query, status: res.status, attr: res.body.attr }).toEqual({ query, status: 400, attr });
    }
    const res = await api(server, '/api/projects/abc/events/');
    expect(res.status).toBe(400);
  });
});

describe('tenant isolation', () => {
  it('no project can read another project’s events', async () => {
    const a = await createProject(server, 'tenant A');
    const b = await createProject(server, 'tenant B');
    await send(a.api_token, [{ event: 'secret-a', distinct_id: 'same-id' }]);
    await send(b.api_token, [{ event: 'secret-b', distinct_id: 'same-id' }]);
    expect((await allEvents(server, a.id)).map((e) => e.event)).toEqual(['secret-a']);
    expect((await allEvents(server, b.id)).map((e) => e.event)).toEqual(['secret-b']);
    expect(await allEvents(server, a.id, 'event=secret-b')).toEqual([]);
    expect(await allEvents(server, a.id, 'distinct_id=same-id')).toHaveLength(1);
  });

  it('a project-scoped key reads its project and is refused elsewhere', async () => {
    const a = await createProject(server, 'scoped A');
    const b = await createProject(server, 'scoped B');
    await send(b.api_token, [{ event: 'b-only', distinct_id: 'x' }]);
    const scopedKey = await createScopedKey(server, [a.id], ['event:read', 'project:read']);
    expect((await api(server, `/api/projects/${a.id}/events/`, { key: scopedKey })).status).toBe(200);
    const refused = await api<{ code: string }>(server, `/api/projects/${b.id}/events/`, { key: scopedKey });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('permission_denied');
    const current = await api<{ id: number }>(server, '/api/projects/@current/', { key: scopedKey });
    expect(current.body.id).toBe(a.id);
    const list = await api<{ results: Array<{ id: number }> }>(server, '/api/projects/', { key: scopedKey });
    expect(list.body.results.map((p) => p.id)).toEqual([a.id]);
  });

  it('a key without event:read cannot list events', async () => {
    const key = await createScopedKey(server, null, ['project:read']);
    const res = await api<{ code: string }>(server, '/api/projects/@current/events/', { key });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('permission_denied');
  });

  it('a project of another organization is not found', async () => {
    const res = await api(server, '/api/projects/999999/events/');
    expect(res.status).toBe(404);
  });
});

describe('POST /api/projects/', () => {
  it('validates its input', async () => {
    for (const body of ['{}', '{"name": ""}', '{"name": "x", "timezone": "Mars/Olympus"}', 'not json', '[]']) {
      const res = await api<{ code: string }>(server, '/api/projects/', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
  });
});

async function createScopedKey(s: TestServer, scopedTeams: number[] | null, scopes: string[]): Promise<string> {
  const res = await api<{ value: string }>(s, '/api/personal_api_keys/', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ label: 'test', scopes, scoped_teams: scopedTeams }),
  });
  if (res.status !== 201) throw new Error(`key create answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.value;
}

describe('personal API keys', () => {
  it('a revoked key stops working at once', async () => {
    const key = await createScopedKey(server, null, ['*']);
    expect((await api(server, '/api/projects/@current/', { key })).status).toBe(200);
    const list = await api<Array<{ id: string; mask_value: string }>>(server, '/api/personal_api_keys/');
    const mine = list.body.find((k) => k.mask_value === `${key.slice(0, 4)}...${key.slice(-4)}`)!;
    expect((await api(server, `/api/personal_api_keys/${mine.id}/`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(server, '/api/projects/@current/', { key })).status).toBe(401);
  });

  it('refuses bad scopes and projects outside the organization', async () => {
    for (const body of [{ label: 'x', scopes: ['everything'] }, { label: 'x', scoped_teams: [999999] }, { scopes: ['*'] }]) {
      const res = await api(server, '/api/personal_api_keys/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
  });
});
