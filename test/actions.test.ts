import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './helpers/api.js';
import { hogql, postQuery } from './helpers/query.js';
import { scenarioProject } from './helpers/scenario.js';
import { startServer, type TestServer } from './helpers/server.js';

/** Actions: PostHog's named event definitions (steps OR-ed, conditions AND-ed), usable in HogQL and insights. */
let server: TestServer;
let projectId: number;

const at = (minute: number) => new Date(Date.UTC(2024, 2, 1, 10, minute)).toISOString();
beforeAll(async () => {
  server = await startServer();
  projectId = await scenarioProject(server, 'actions', [
    { event: '$pageview', distinct_id: 'a', properties: { $current_url: 'https://shop.test/pricing?x=1' }, timestamp: at(0) },
    { event: '$pageview', distinct_id: 'b', properties: { $current_url: 'https://shop.test/about' }, timestamp: at(1) },
    { event: '$autocapture', distinct_id: 'b', properties: { $elements_chain: 'button.cta:nth-child="1"text="Start trial"' }, timestamp: at(2) },
    { event: 'signed_up', distinct_id: 'c', properties: { plan: 'pro' }, timestamp: at(3) },
    { event: 'signed_up', distinct_id: 'a', properties: { plan: 'free' }, timestamp: at(4) },
  ]);
});
afterAll(() => server?.dispose());

async function createAction(body: Record<string, unknown>): Promise<{ id: number; name: string; steps: unknown[] }> {
  const res = await api<{ id: number; name: string; steps: unknown[] }>(server, `/api/projects/${projectId}/actions/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe('actions', () => {
  it('are created, listed, read and soft-deleted in PostHog shapes', async () => {
    const action = await createAction({ name: 'Visited pricing', steps: [{ event: '$pageview', url: '/pricing', url_matching: 'contains' }] });
    expect(action).toMatchObject({ name: 'Visited pricing', steps: [{ event: '$pageview', url: '/pricing' }], is_action: true, deleted: false });
    const list = await api<{ count: number; results: { id: number }[] }>(server, `/api/projects/${projectId}/actions/`);
    expect(list.body.results.map((a) => a.id)).toContain(action.id);
    const patched = await api<{ deleted: boolean }>(server, `/api/projects/${projectId}/actions/${action.id}/`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ deleted: true }),
    });
    expect(patched.body.deleted).toBe(true);
    const after = await api<{ results: { id: number }[] }>(server, `/api/projects/${projectId}/actions/`);
    expect(after.body.results.map((a) => a.id)).not.toContain(action.id);
    expect((await api(server, `/api/projects/${projectId}/actions/${action.id}/`, { method: 'DELETE' })).status).toBe(405);
    const bad = await api(server, `/api/projects/${projectId}/actions/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: '', steps: 'x' }) });
    expect(bad.status).toBe(400);
  });

  it('match any step; each step all of its conditions (matchesAction in HogQL)', async () => {
    const action = await createAction({
      name: 'Converted',
      steps: [
        { event: 'signed_up', properties: [{ key: 'plan', value: 'pro', type: 'event' }] },
        { event: '$autocapture', text: 'Start trial' },
        { event: '$pageview', url: '^https://shop\\.test/pricing', url_matching: 'regex' },
      ],
    });
    const byId = await hogql(server, projectId, `SELECT distinct_id FROM events WHERE matchesAction(${action.id}) ORDER BY timestamp`);
    expect(byId.status, JSON.stringify(byId.body)).toBe(200);
    expect(byId.body.results).toEqual([['a'], ['b'], ['c']]);
    const byName = await hogql(server, projectId, "SELECT count() FROM events WHERE matchesAction('Converted')");
    expect(byName.body.results).toEqual([[3]]);
    const missing = await hogql(server, projectId, 'SELECT count() FROM events WHERE matchesAction(99999)');
    expect(missing.status).toBe(400);
  });

  it('are series of insights (ActionsNode)', async () => {
    const action = await createAction({ name: 'Signed up', steps: [{ event: 'signed_up' }] });
    const res = await postQuery<{ results: { count: number; label: string; action: { id: unknown; type: string } }[] }>(server, projectId, {
      kind: 'TrendsQuery',
      series: [{ kind: 'ActionsNode', id: action.id }],
      dateRange: { date_from: '2024-03-01', date_to: '2024-03-01' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.results[0]).toMatchObject({ count: 2, label: 'Signed up', action: { id: action.id, type: 'actions' } });
  });
});
