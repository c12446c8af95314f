import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './helpers/api.js';
import { postQuery } from './helpers/query.js';
import { sampled, sampledIds, samplingProject } from './helpers/sampling.js';
import { scenarioProject } from './helpers/scenario.js';
import { startServer, type TestServer } from './helpers/server.js';

/**
 * StickinessQuery: expectations worked out by hand from the events each scenario sends
 * (one project per scenario; Dn = 2024-01-01 + n days; the range is D0–D4 unless said otherwise).
 */
let server: TestServer;

interface Series {
  data: number[];
  count: number;
  days: number[];
  labels: string[];
  label: string;
  action: Record<string, unknown>;
  compare?: boolean;
  compare_label?: string;
}

const day = (d: number, hour = 12) => new Date(Date.UTC(2024, 0, 1 + d, hour)).toISOString();
const ev = (who: string, event: string, d: number, hour = 12, props: Record<string, unknown> = {}) => ({ event, distinct_id: who, properties: { $set: { name: who }, ...props }, timestamp: day(d, hour) });
const pv = (who: string, d: number, hour = 12) => ev(who, '$pageview', d, hour);

function scenario(name: string, batch: Record<string, unknown>[]): Promise<number> {
  return scenarioProject(server, `stickiness ${name}`, batch);
}

const PV = { kind: 'EventsNode', event: '$pageview' };
async function stickiness(projectId: number, extra: Record<string, unknown> = {}) {
  const res = await postQuery<{ results: Series[] }>(server, projectId, { kind: 'StickinessQuery', series: [PV], dateRange: { date_from: '2024-01-01', date_to: '2024-01-05' }, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.results;
}

let basic: number;
let weekly: number;

beforeAll(async () => {
  server = await startServer();
  [basic, weekly] = await Promise.all([
    // a: 3 days (twice on D0), b: 1 day (twice), c: 2 days, d: 5 days, e: one purchase; f: only before the range (Dec 28, 29)
    scenario('basic', [
      pv('a', 0, 10),
      pv('a', 0, 11),
      pv('a', 1),
      pv('a', 2),
      pv('b', 0, 10),
      pv('b', 0, 11),
      pv('c', 1),
      pv('c', 3),
      ...[0, 1, 2, 3, 4].map((d) => pv('d', d)),
      ev('e', 'purchase', 2),
      pv('f', -4),
      pv('f', -3),
    ]),
    // weeks (Sunday start): W0 = Jan 7–13, W1 = Jan 14–20, W2 = Jan 21–27
    scenario('weekly', [pv('a', 7), pv('a', 8), pv('a', 14), pv('b', 12), pv('c', 6), pv('c', 13), pv('c', 20), pv('c', 26)]),
  ]);
}, 60_000);
afterAll(() => server?.dispose());

describe('StickinessQuery', () => {
  it('data[k-1] = actors active on exactly k days, with labels and days', async () => {
    const [series] = await stickiness(basic);
    expect(series!.data).toEqual([1, 1, 1, 0, 1]);
    expect(series!.days).toEqual([1, 2, 3, 4, 5]);
    expect(series!.labels).toEqual(['1 day', '2 days', '3 days', '4 days', '5 days']);
    expect(series!.count).toBe(4);
    expect(series!.label).toBe('$pageview');
    expect(series!.action).toMatchObject({ id: '$pageview', type: 'events', order: 0 });
  });

  it('cumulative: actors active on at least k days', async () => {
    const [series] = await stickiness(basic, { stickinessFilter: { computedAs: 'cumulative' } });
    expect(series!.data).toEqual([4, 3, 2, 1, 1]);
    expect(series!.labels[0]).toBe('1 day or more');
  });

  it('stickinessCriteria gte 2: a day counts only with two events', async () => {
    const [series] = await stickiness(basic, { stickinessFilter: { stickinessCriteria: { operator: 'gte', value: 2 } } });
    expect(series!.data).toEqual([2, 0, 0, 0, 0]);
  });

  it('stickinessCriteria exact 1 and lte 1', async () => {
    const [exact] = await stickiness(basic, { stickinessFilter: { stickinessCriteria: { operator: 'exact', value: 1 } } });
    expect(exact!.data).toEqual([0, 2, 0, 0, 1]);
    const [lte] = await stickiness(basic, { stickinessFilter: { stickinessCriteria: { operator: 'lte', value: 1 } } });
    expect(lte!.data).toEqual([0, 2, 0, 0, 1]);
  });

  it('weekly interval', async () => {
    const [series] = await stickiness(weekly, { interval: 'week', dateRange: { date_from: '2024-01-07', date_to: '2024-01-27' } });
    expect(series!.data).toEqual([1, 1, 1]);
    expect(series!.labels).toEqual(['1 week', '2 weeks', '3 weeks']);
  });

  it('intervalCount groups intervals counted back from date_to', async () => {
    // groups: {D3, D4}, {D1, D2}, {D0}
    const [series] = await stickiness(basic, { intervalCount: 2 });
    expect(series!.data).toEqual([1, 2, 1]);
    expect(series!.days).toEqual([1, 2, 3]);
  });

  it('several series, and compare with the previous period (each series then its previous period, as PostHog)', async () => {
    const results = await stickiness(basic, { series: [PV, { kind: 'EventsNode', event: 'purchase', custom_name: 'Bought' }], compareFilter: { compare: true } });
    expect(results.map((s) => [s.label, s.compare_label, s.data])).toEqual([
      ['$pageview', 'current', [1, 1, 1, 0, 1]],
      ['$pageview', 'previous', [0, 1, 0, 0, 0]],
      ['Bought', 'current', [1, 0, 0, 0, 0]],
      ['Bought', 'previous', [0, 0, 0, 0, 0]],
    ]);
    expect(results[2]!.action).toMatchObject({ id: 'purchase', order: 1 });
  });

  it('compare_to shifts the compared period, which may overlap the current one', async () => {
    // -1d: Dec 31 – Jan 4. a: Jan 1, 2, 3 (3 days); b: Jan 1; c: Jan 2, 4 (2); d: Jan 1–4 (4); f (Dec 28, 29) is out; e buys on Jan 3.
    const results = await stickiness(basic, { series: [PV, { kind: 'EventsNode', event: 'purchase', custom_name: 'Bought' }], compareFilter: { compare: true, compare_to: '-1d' } });
    expect(results.map((s) => [s.label, s.compare_label, s.data])).toEqual([
      ['$pageview', 'current', [1, 1, 1, 0, 1]],
      ['$pageview', 'previous', [1, 1, 1, 1, 0]],
      ['Bought', 'current', [1, 0, 0, 0, 0]],
      ['Bought', 'previous', [1, 0, 0, 0, 0]],
    ]);
    // -1w: Dec 25 – 29: f on 2 days.
    const week = await stickiness(basic, { compareFilter: { compare: true, compare_to: '-1w' } });
    expect(week.map((s) => [s.compare_label, s.data])).toEqual([
      ['current', [1, 1, 1, 0, 1]],
      ['previous', [0, 1, 0, 0, 0]],
    ]);
    const source = { kind: 'StickinessQuery', series: [PV], dateRange: { date_from: '2024-01-01', date_to: '2024-01-05' }, compareFilter: { compare: true, compare_to: '-1d' } };
    const res = await postQuery<{ results: unknown[][] }>(server, basic, { kind: 'ActorsQuery', select: ['properties.name'], orderBy: ['properties.name'], source: { kind: 'StickinessActorsQuery', source, day: 4, compare: 'previous' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.results.map((r) => r[0])).toEqual(['d']);
    const bad = await postQuery(server, basic, { ...source, compareFilter: { compare: true, compare_to: 'last year' } });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/compare_to/);
  });

  it('property filters', async () => {
    const [series] = await stickiness(basic, { properties: [{ key: 'name', value: ['a', 'b'], operator: 'exact', type: 'person' }] });
    expect(series!.data).toEqual([1, 0, 1, 0, 0]);
  });

  it('StickinessActorsQuery lists the actors active on exactly k days', async () => {
    const source = { kind: 'StickinessQuery', series: [PV, { kind: 'EventsNode', event: 'purchase' }], dateRange: { date_from: '2024-01-01', date_to: '2024-01-05' } };
    const list = async (request: Record<string, unknown>, src: Record<string, unknown> = source) => {
      const res = await postQuery<{ results: unknown[][] }>(server, basic, { kind: 'ActorsQuery', select: ['properties.name'], orderBy: ['properties.name'], source: { kind: 'StickinessActorsQuery', source: src, ...request } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.results.map((r) => r[0]);
    };
    expect(await list({ day: 2 })).toEqual(['c']);
    expect(await list({ day: 5 })).toEqual(['d']);
    expect(await list({ day: 1, series: 1 })).toEqual(['e']);
    expect(await list({ day: 3 }, { ...source, stickinessFilter: { computedAs: 'cumulative' } })).toEqual(['a', 'd']);
    expect(await list({ day: 2, compare: 'previous' }, { ...source, compareFilter: { compare: true } })).toEqual(['f']);
  });

  it('rejects bad input with 400s', async () => {
    const bad = async (query: Record<string, unknown>, pattern: RegExp) => {
      const res = await postQuery(server, basic, { kind: 'StickinessQuery', series: [PV], ...query });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.detail).toMatch(pattern);
    };
    await bad({ series: [] }, /series/);
    await bad({ interval: 'year' }, /interval/);
    await bad({ stickinessFilter: { stickinessCriteria: { operator: 'about', value: 1 } } }, /operator/);
    await bad({ stickinessFilter: { computedAs: 'sometimes' } }, /computedAs/);
    await bad({ intervalCount: 0 }, /intervalCount/);
    await bad({ dateRange: { date_to: 'never' } }, /date_to/);
  });
});

describe('StickinessQuery project settings and sampling', () => {
  it('week_start_day 1: Monday weeks', async () => {
    // x views on Sun Jan 14 and Mon Jan 15, y on Mon Jan 8 and Sat Jan 13; the range is Jan 8–21.
    // Sunday weeks (Jan 7–13, 14–20, 21): x 1 week, y 1 week → [2, 0, 0].
    // Monday weeks (Jan 8–14, 15–21): x 2 weeks, y 1 week → [1, 1].
    const id = await scenario('monday weeks', [pv('x', 13), pv('x', 14), pv('y', 7), pv('y', 12)]);
    const query = { interval: 'week', dateRange: { date_from: '2024-01-08', date_to: '2024-01-21' } };
    expect((await stickiness(id, query))[0]!.data).toEqual([2, 0, 0]);
    const res = await api(server, `/api/projects/${id}/`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ week_start_day: 1 }) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [series] = await stickiness(id, query);
    expect(series!.data).toEqual([1, 1]);
    expect(series!.labels).toEqual(['1 week', '2 weeks']);
  });

  it('samplingFactor: a 10% sample of distinct ids; like PostHog, stickiness counts are not scaled', async () => {
    // s0000…s1999 view on D0; even ids again on D1. Whole data: [1000, 1000, 0, 0, 0].
    const ids = sampledIds();
    const id = await samplingProject(server, 'stickiness sampling', ids.flatMap(({ id: who, i }) => [pv(who, 0), ...(i % 2 === 0 ? [pv(who, 1)] : [])]));
    for (const samplingFactor of [1, null]) expect((await stickiness(id, { samplingFactor }))[0]!.data).toEqual([1000, 1000, 0, 0, 0]);
    const S = [...(await sampled(server, id, 0.1))];
    const even = S.filter((i) => i % 2 === 0).length;
    const [series] = await stickiness(id, { samplingFactor: 0.1 });
    expect(series!.data).toEqual([S.length - even, even, 0, 0, 0]);
    expect(series!.count).toBe(S.length);
    expect(Math.abs(S.length - 200)).toBeLessThan(50);
  });
});
