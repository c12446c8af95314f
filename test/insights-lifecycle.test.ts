import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, capture, createProject } from './helpers/api.js';
import { postQuery, waitForValue } from './helpers/query.js';
import { sampled, sampledIds, samplingProject } from './helpers/sampling.js';
import { scenarioProject } from './helpers/scenario.js';
import { startServer, type TestServer } from './helpers/server.js';

/**
 * LifecycleQuery: expectations worked out by hand from the events each scenario sends (one project
 * per scenario; Dn = 2024-01-01 + n days; a person is created at their first event).
 */
let server: TestServer;

interface Series {
  data: number[];
  count: number;
  days: string[];
  labels: string[];
  label: string;
  status: string;
  action: Record<string, unknown>;
}

const day = (d: number, hour = 12) => new Date(Date.UTC(2024, 0, 1 + d, hour)).toISOString();
const ev = (who: string, event: string, timestamp: string, props: Record<string, unknown> = {}) => ({ event, distinct_id: who, properties: { $set: { name: who }, ...props }, timestamp });
const pv = (who: string, d: number, props: Record<string, unknown> = {}) => ev(who, '$pageview', day(d), props);

async function send(token: string, batch: Record<string, unknown>[]) {
  const res = await capture(server, '/batch/', JSON.stringify({ api_key: token, batch }));
  expect(res.status).toBe(200);
}

function scenario(name: string, batch: Record<string, unknown>[], timezone?: string): Promise<number> {
  return scenarioProject(server, `lifecycle ${name}`, batch, timezone);
}

async function lifecycle(projectId: number, extra: Record<string, unknown> = {}) {
  const res = await postQuery<{ results: Series[] }>(server, projectId, {
    kind: 'LifecycleQuery',
    series: [{ kind: 'EventsNode', event: '$pageview' }],
    dateRange: { date_from: '2024-01-02', date_to: '2024-01-05' },
    ...extra,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.results;
}
const byStatus = (results: Series[]) => Object.fromEntries(results.map((s) => [s.status, s.data]));

let basic: number;
let created: number;
let weekly: number;
let tz: number;
let merged: number;

beforeAll(async () => {
  server = await startServer();
  [basic, created, weekly, tz] = await Promise.all([
    scenario('basic', [
      ev('b', '$pageview', '2023-12-27T12:00:00Z'),
      pv('c', 0),
      pv('f', 0),
      pv('a', 1),
      pv('c', 1),
      pv('a', 2),
      pv('b', 2),
      pv('p', 2, { $process_person_profile: false }),
      pv('a', 4),
      pv('d', 4),
    ]),
    // h is created on D1 by another event and first views a page on D2; k is created on D2 by a pageview.
    scenario('created', [ev('h', 'signed_up', day(1)), pv('h', 2), pv('k', 2)]),
    // weeks (Sunday start): W-1 = Dec 31–Jan 6, W0 = Jan 7–13, W1 = Jan 14–20, W2 = Jan 21–27
    scenario('weekly', [pv('b', 1), pv('a', 7), pv('a', 14), pv('b', 20)]),
    // New York is UTC−5: 03:00Z on Jan 2 is Jan 1 locally
    scenario('timezone', [ev('a', '$pageview', '2024-01-02T03:00:00Z'), ev('a', '$pageview', '2024-01-02T20:00:00Z')], 'America/New_York'),
  ]);
  const project = await createProject(server, 'lifecycle merge');
  await send(project.api_token, [pv('x-anon', 1), pv('x-user', 2)]);
  await waitForValue(server, project.id, 'SELECT count() FROM persons', 2);
  await send(project.api_token, [ev('x-user', '$identify', day(2, 13), { $anon_distinct_id: 'x-anon' })]);
  await waitForValue(server, project.id, 'SELECT count() FROM persons', 1);
  await waitForValue(server, project.id, 'SELECT count(DISTINCT person_id) FROM events', 1);
  merged = project.id;
}, 60_000);
afterAll(() => server?.dispose());

describe('LifecycleQuery', () => {
  it('classifies new, returning, resurrecting and dormant (negative) per day', async () => {
    const results = await lifecycle(basic);
    expect(results.map((s) => s.status)).toEqual(['new', 'returning', 'resurrecting', 'dormant']);
    expect(byStatus(results)).toEqual({
      new: [1, 0, 0, 1],
      returning: [1, 1, 0, 0],
      resurrecting: [0, 1, 0, 1],
      dormant: [-1, -1, -2, 0],
    });
    expect(results.map((s) => s.count)).toEqual([2, 2, 2, -4]);
  });

  it('answers PostHog’s series shape: labels, days, action', async () => {
    const results = await lifecycle(basic);
    expect(results[0]!.days).toEqual(['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05']);
    expect(results[0]!.labels).toEqual(['2-Jan-2024', '3-Jan-2024', '4-Jan-2024', '5-Jan-2024']);
    expect(results.map((s) => s.label)).toEqual(['$pageview - new', '$pageview - returning', '$pageview - resurrecting', '$pageview - dormant']);
    expect(results[3]!.action).toMatchObject({ id: '$pageview', type: 'events', order: 0, math: 'total' });
  });

  it('"new" is the period of person.created_at: first activity after creation is resurrecting', async () => {
    const results = await lifecycle(created, { dateRange: { date_from: '2024-01-02', date_to: '2024-01-04' } });
    expect(byStatus(results)).toEqual({ new: [0, 1, 0], returning: [0, 0, 0], resurrecting: [0, 1, 0], dormant: [0, 0, -2] });
  });

  it('weekly interval, with the week before the range classifying the first one', async () => {
    const results = await lifecycle(weekly, { interval: 'week', dateRange: { date_from: '2024-01-07', date_to: '2024-01-27' } });
    expect(byStatus(results)).toEqual({ new: [1, 0, 0], returning: [0, 1, 0], resurrecting: [0, 0, 1], dormant: [-1, 0, -1] });
    expect(results[0]!.days).toEqual(['2024-01-07', '2024-01-14', '2024-01-21']);
  });

  it('buckets and created_at follow the project timezone', async () => {
    const results = await lifecycle(tz, { dateRange: { date_from: '2024-01-01', date_to: '2024-01-02' } });
    expect(byStatus(results)).toEqual({ new: [1, 0], returning: [0, 1], resurrecting: [0, 0], dormant: [0, 0] });
  });

  it('a merged person keeps the earlier created_at and counts once', async () => {
    const results = await lifecycle(merged, { dateRange: { date_from: '2024-01-02', date_to: '2024-01-03' } });
    expect(byStatus(results)).toEqual({ new: [1, 0], returning: [0, 1], resurrecting: [0, 0], dormant: [0, 0] });
  });

  it('ignores personless events and applies property filters', async () => {
    // p's personless pageview on D3 is not counted (basic's D3 has b and a only)
    const results = await lifecycle(basic, { properties: [{ key: '$process_person_profile', operator: 'is_not_set', type: 'event' }] });
    expect(byStatus(results).resurrecting).toEqual([0, 1, 0, 1]);
    const onlyA = await lifecycle(basic, { properties: [{ key: 'name', value: 'a', operator: 'exact', type: 'person' }] });
    expect(byStatus(onlyA)).toEqual({ new: [1, 0, 0, 0], returning: [0, 1, 0, 0], resurrecting: [0, 0, 0, 1], dormant: [0, 0, -1, 0] });
  });

  it('ActorsQuery lists the actors of one status on one day', async () => {
    const source = { kind: 'LifecycleQuery', series: [{ kind: 'EventsNode', event: '$pageview' }], dateRange: { date_from: '2024-01-02', date_to: '2024-01-05' } };
    const list = async (day: string, status: string) => {
      const res = await postQuery<{ results: unknown[][] }>(server, basic, { kind: 'ActorsQuery', select: ['properties.name'], orderBy: ['properties.name'], source: { kind: 'InsightActorsQuery', source, day, status } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.results.map((r) => r[0]);
    };
    expect(await list('2024-01-04', 'dormant')).toEqual(['a', 'b']);
    expect(await list('2024-01-02', 'new')).toEqual(['a']);
    expect(await list('2024-01-02', 'returning')).toEqual(['c']);
    expect(await list('2024-01-05', 'resurrecting')).toEqual(['a']);
    const bad = await postQuery(server, basic, { kind: 'ActorsQuery', source: { kind: 'InsightActorsQuery', source, day: '2024-01-02', status: 'zombie' } });
    expect(bad.status).toBe(400);
  });

  it('rejects bad input with 400s', async () => {
    const bad = async (query: Record<string, unknown>, pattern: RegExp) => {
      const res = await postQuery(server, basic, { kind: 'LifecycleQuery', series: [{ kind: 'EventsNode', event: '$pageview' }], ...query });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.detail).toMatch(pattern);
    };
    await bad({ series: [] }, /series/);
    await bad({ series: undefined }, /series/);
    await bad({ interval: 'fortnight' }, /interval/);
    await bad({ dateRange: { date_from: 'soon' } }, /date_from/);
    await bad({ series: [{ kind: 'ActionsNode', id: 1 }] }, /action/i);
  });
});

describe('LifecycleQuery project settings and sampling', () => {
  it('week_start_day 1: Monday weeks', async () => {
    // The weekly scenario's events in Monday weeks (W-1 = Jan 1–7, W0 = Jan 8–14, W1 = Jan 15–21, W2 = Jan 22–28):
    // b on Jan 2 (W-1, new there) and Jan 21 (W1); a on Jan 8 (W0, new) and Jan 15 (W1).
    // W0: a new, b dormant; W1: a returning, b resurrecting; W2: both dormant.
    const id = await scenario('monday weeks', [pv('b', 1), pv('a', 7), pv('a', 14), pv('b', 20)]);
    const res = await api(server, `/api/projects/${id}/`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ week_start_day: 1 }) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const results = await lifecycle(id, { interval: 'week', dateRange: { date_from: '2024-01-08', date_to: '2024-01-28' } });
    expect(byStatus(results)).toEqual({ new: [1, 0, 0], returning: [0, 1, 0], resurrecting: [0, 1, 0], dormant: [-1, 0, -2] });
    expect(results[0]!.days).toEqual(['2024-01-08', '2024-01-15', '2024-01-22']);
  });

  it('samplingFactor: a 10% sample of distinct ids, counts scaled back (dormant stays negative)', async () => {
    // s0000…s1999 view on D1 (created then); even ids again on D2. Whole data over D1..D3:
    // new [2000, 0, 0], returning [0, 1000, 0], dormant [0, −1000, −1000].
    const ids = sampledIds();
    const id = await samplingProject(server, 'lifecycle sampling', ids.flatMap(({ id: who, i }) => [pv(who, 1), ...(i % 2 === 0 ? [pv(who, 2)] : [])]));
    const range = { dateRange: { date_from: '2024-01-02', date_to: '2024-01-04' } };
    for (const samplingFactor of [1, null]) {
      expect(byStatus(await lifecycle(id, { ...range, samplingFactor }))).toEqual({ new: [2000, 0, 0], returning: [0, 1000, 0], resurrecting: [0, 0, 0], dormant: [0, -1000, -1000] });
    }
    const S = [...(await sampled(server, id, 0.1))];
    const n = S.length * 10;
    const m = S.filter((i) => i % 2 === 0).length * 10;
    const results = await lifecycle(id, { ...range, samplingFactor: 0.1 });
    expect(byStatus(results)).toEqual({ new: [n, 0, 0], returning: [0, m, 0], resurrecting: [0, 0, 0], dormant: [0, -(n - m), -m] });
    expect(results[0]!.count).toBe(n);
    expect(Math.abs(n - 2000) / 2000).toBeLessThan(0.25);
    expect(Math.abs(m - 1000) / 1000).toBeLessThan(0.3);
  });
});
