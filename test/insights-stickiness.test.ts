import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postQuery } from './helpers/query.js';
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

  it('several series, and compare with the previous period', async () => {
    const results = await stickiness(basic, { series: [PV, { kind: 'EventsNode', event: 'purchase', custom_name: 'Bought' }], compareFilter: { compare: true } });
    expect(results.map((s) => [s.label, s.compare_label, s.data])).toEqual([
      ['$pageview', 'current', [1, 1, 1, 0, 1]],
      ['Bought', 'current', [1, 0, 0, 0, 0]],
      ['$pageview', 'previous', [0, 1, 0, 0, 0]],
      ['Bought', 'previous', [0, 0, 0, 0, 0]],
    ]);
    expect(results[1]!.action).toMatchObject({ id: 'purchase', order: 1 });
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
