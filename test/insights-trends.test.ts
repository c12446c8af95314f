import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, capture } from './helpers/api.js';
import { postQuery, waitForValue } from './helpers/query.js';
import { createCohort, deleteCohort, personPropertyCohort } from './helpers/cohorts.js';
import { sampled, sampledIds, samplingProject } from './helpers/sampling.js';
import { startServer, type TestServer } from './helpers/server.js';

/**
 * TrendsQuery: every expectation is worked out by hand from the events below (one project per
 * dataset). The main dataset runs 2024-03-01..03-07 (UTC; Mar 1 is a Friday, Mar 3 a Sunday):
 *
 *   u5  $pageview 02-27 10:00 Chrome                       (before the range)
 *   u1  $pageview 03-01 10:00 Chrome price 10 s1 (person plan pro) ; 03-01 11:00 Chrome price "5" s1 ; 03-03 09:00 Chrome price 20 s4
 *   u2  $pageview 03-02 10:00 Firefox price "7" s2 (person plan free) ; 03-02 12:00 Firefox (no price) s2
 *   u3  $pageview 03-03 10:00 (no $browser) s3
 *   u4  $pageview 03-05 10:00 Safari s5
 *   signup: u1 03-02 09:00 (acme), u2 03-03 09:00 (acme), u3 03-03 11:00 (globex)
 *
 * $pageview per day 03-01..03-07: [2, 2, 2, 0, 1, 0, 0].
 */
let server: TestServer;

interface Series {
  data: number[];
  labels: string[];
  days: string[];
  count: number;
  label: string;
  action: Record<string, unknown> | null;
  filter: Record<string, unknown>;
  breakdown_value?: string | string[] | number;
  compare?: boolean;
  compare_label?: string;
  aggregated_value?: number;
  order?: number;
}
interface TrendsResponse {
  results: Series[];
  hasMore: boolean;
  hogql: string;
  resolved_date_range: { date_from: string; date_to: string };
  timezone: string;
}

const ev = (who: string, event: string, timestamp: string, properties: Record<string, unknown> = {}) => ({ event, distinct_id: who, timestamp, properties });

const tokens = new Map<number, string>();

async function project(name: string, batch: Record<string, unknown>[], timezone?: string, persons?: number): Promise<number> {
  const res = await api<{ id: number; api_token: string }>(server, '/api/projects/', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(timezone ? { name: `trends ${name}`, timezone } : { name: `trends ${name}` }),
  });
  expect(res.status).toBe(201);
  tokens.set(res.body.id, res.body.api_token);
  const sent = await capture(server, '/batch/', JSON.stringify({ api_key: res.body.api_token, batch }));
  expect(sent.status).toBe(200);
  await waitForValue(server, res.body.id, 'SELECT count() FROM events', batch.length);
  if (persons !== undefined) await waitForValue(server, res.body.id, 'SELECT count() FROM persons', persons);
  return res.body.id;
}

async function trends(projectId: number, query: Record<string, unknown>): Promise<TrendsResponse> {
  const res = await postQuery<TrendsResponse>(server, projectId, { kind: 'TrendsQuery', dateRange: { date_from: '2024-03-01', date_to: '2024-03-07' }, ...query });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const pageviews = { kind: 'EventsNode', event: '$pageview' };
const byValue = (results: Series[]) => Object.fromEntries(results.map((s) => [JSON.stringify(s.breakdown_value), s.data]));

let main: number;
let newYork: number;
let merged: number;

beforeAll(async () => {
  server = await startServer();
  [main, newYork, merged] = await Promise.all([
    project(
      'main',
      [
        ev('u5', '$pageview', '2024-02-27T10:00:00Z', { $browser: 'Chrome', $session_id: 's0' }),
        ev('u1', '$pageview', '2024-03-01T10:00:00Z', { $browser: 'Chrome', price: 10, $session_id: 's1', $set: { plan: 'pro' } }),
        ev('u1', '$pageview', '2024-03-01T11:00:00Z', { $browser: 'Chrome', price: '5', $session_id: 's1' }),
        ev('u1', '$pageview', '2024-03-03T09:00:00Z', { $browser: 'Chrome', price: 20, $session_id: 's4' }),
        ev('u2', '$pageview', '2024-03-02T10:00:00Z', { $browser: 'Firefox', price: '7', $session_id: 's2', $set: { plan: 'free' } }),
        ev('u2', '$pageview', '2024-03-02T12:00:00Z', { $browser: 'Firefox', $session_id: 's2' }),
        ev('u3', '$pageview', '2024-03-03T10:00:00Z', { $session_id: 's3' }),
        ev('u4', '$pageview', '2024-03-05T10:00:00Z', { $browser: 'Safari', $session_id: 's5' }),
        ev('u1', 'signup', '2024-03-02T09:00:00Z', { $groups: { company: 'acme' } }),
        ev('u2', 'signup', '2024-03-03T09:00:00Z', { $groups: { company: 'acme' } }),
        ev('u3', 'signup', '2024-03-03T11:00:00Z', { $groups: { company: 'globex' } }),
      ],
      undefined,
      5,
    ),
    // New York leaves standard time on 2024-03-10 at 02:00 (the day has 23 hours).
    project(
      'dst',
      [
        ev('a', '$pageview', '2024-03-10T04:30:00Z'), // 03-09 23:30 EST
        ev('a', '$pageview', '2024-03-10T05:30:00Z'), // 03-10 00:30 EST
        ev('a', '$pageview', '2024-03-10T06:30:00Z'), // 03-10 01:30 EST
        ev('a', '$pageview', '2024-03-10T07:30:00Z'), // 03-10 03:30 EDT
        ev('a', '$pageview', '2024-03-11T03:30:00Z'), // 03-10 23:30 EDT
        ev('a', '$pageview', '2024-03-11T04:30:00Z'), // 03-11 00:30 EDT
      ],
      'America/New_York',
    ),
    project('merge', [ev('anon-1', '$pageview', '2024-03-01T10:00:00Z'), ev('user-1', '$pageview', '2024-03-01T11:00:00Z'), ev('other', '$pageview', '2024-03-01T13:00:00Z')], undefined, 3),
  ]);
  // anon-1 and user-1 become one person: two distinct ids, one person.
  const sent = await capture(server, '/batch/', JSON.stringify({ api_key: tokens.get(merged), batch: [ev('user-1', '$identify', '2024-03-01T12:00:00Z', { $anon_distinct_id: 'anon-1' })] }));
  expect(sent.status).toBe(200);
  await waitForValue(server, merged, "SELECT count(DISTINCT person_id) FROM events WHERE event = '$pageview'", 2);
}, 60_000);
afterAll(() => server?.dispose());

describe('TrendsQuery time series', () => {
  it('counts events per day, zero-filled over the range, in PostHog’s series shape', async () => {
    const body = await trends(main, { series: [pageviews] });
    expect(body.results).toHaveLength(1);
    const s = body.results[0]!;
    expect(s.data).toEqual([2, 2, 2, 0, 1, 0, 0]);
    expect(s.count).toBe(7);
    expect(s.days).toEqual(['2024-03-01', '2024-03-02', '2024-03-03', '2024-03-04', '2024-03-05', '2024-03-06', '2024-03-07']);
    expect(s.labels[0]).toBe('1-Mar-2024');
    expect(s.labels[6]).toBe('7-Mar-2024');
    expect(s.label).toBe('$pageview');
    expect(s.order).toBe(0);
    expect(s.breakdown_value).toBeUndefined();
    expect(s.action).toMatchObject({ id: '$pageview', type: 'events', order: 0, name: '$pageview', math: null, properties: {} });
    expect((s.action!.days as string[])[0]).toBe('2024-03-01T00:00:00Z');
    expect(s.filter).toMatchObject({ insight: 'TRENDS', interval: 'day', entity_type: 'events' });
    expect(body.hasMore).toBe(false);
    expect(body.resolved_date_range).toEqual({ date_from: '2024-03-01T00:00:00Z', date_to: '2024-03-07T23:59:59.999999Z' });
    expect(body.hogql).toContain('FROM events');
  });

  it('sum / avg / hogql math of a numeric property: toFloat, missing values ignored, empty buckets 0', async () => {
    const body = await trends(main, {
      series: [
        { ...pageviews, math: 'sum', math_property: 'price' },
        { ...pageviews, math: 'avg', math_property: 'price' },
        { ...pageviews, math: 'max', math_property: 'price' },
        { ...pageviews, math: 'hogql', math_hogql: 'sum(toFloat(properties.price)) * 2' },
      ],
    });
    expect(body.results.map((s) => s.data)).toEqual([
      [15, 7, 20, 0, 0, 0, 0],
      [7.5, 7, 20, 0, 0, 0, 0],
      [10, 7, 20, 0, 0, 0, 0],
      [30, 14, 40, 0, 0, 0, 0],
    ]);
    expect(body.results[0]!.count).toBe(42);
    expect(body.results.map((s) => s.order)).toEqual([0, 1, 2, 3]);
  });

  it('unique_session, per-actor counts and first_time_for_user', async () => {
    const body = await trends(main, {
      series: [
        { ...pageviews, math: 'unique_session' },
        { ...pageviews, math: 'max_count_per_actor' },
        { ...pageviews, math: 'first_time_for_user' },
      ],
    });
    // sessions: 03-01 s1; 03-02 s2; 03-03 s3, s4; 03-05 s5
    expect(body.results[0]!.data).toEqual([1, 1, 2, 0, 1, 0, 0]);
    // most pageviews by one person per day: u1 2, u2 2, then 1s
    expect(body.results[1]!.data).toEqual([2, 2, 1, 0, 1, 0, 0]);
    // u5's first pageview was before the range: not counted
    expect(body.results[2]!.data).toEqual([1, 1, 1, 0, 1, 0, 0]);
  });

  it('weekly_active: distinct persons of the 7 days ending on each day, looking back before the range', async () => {
    const body = await trends(main, { series: [{ ...pageviews, math: 'weekly_active' }] });
    // 03-01: u5 (02-27), u1; 03-02: + u2; 03-03: + u3; 03-05: u5 leaves (window 02-28..), u4 joins
    expect(body.results[0]!.data).toEqual([2, 3, 4, 4, 4, 4, 4]);
  });

  it('week interval: Sunday-aligned buckets; weekly_active degrades to dau', async () => {
    const body = await trends(main, {
      interval: 'week',
      dateRange: { date_from: '2024-02-25', date_to: '2024-03-09' },
      series: [pageviews, { ...pageviews, math: 'weekly_active' }],
    });
    expect(body.results[0]!.days).toEqual(['2024-02-25', '2024-03-03']);
    expect(body.results[0]!.data).toEqual([5, 3]);
    // week 02-25: u5, u1, u2; week 03-03: u1, u3, u4
    expect(body.results[1]!.data).toEqual([3, 3]);
    expect(body.results[1]!.action).toMatchObject({ math: 'dau' });
  });

  it('hour interval: hourly buckets labelled with the time', async () => {
    const body = await trends(main, { interval: 'hour', dateRange: { date_from: '2024-03-01 09:00:00', date_to: '2024-03-01 11:59:59' }, series: [pageviews] });
    const s = body.results[0]!;
    expect(s.days).toEqual(['2024-03-01 09:00:00', '2024-03-01 10:00:00', '2024-03-01 11:00:00']);
    expect(s.labels).toEqual(['1-Mar-2024 09:00', '1-Mar-2024 10:00', '1-Mar-2024 11:00']);
    expect(s.data).toEqual([0, 1, 1]);
  });

  it('buckets by the project timezone across a DST change (America/New_York, 2024-03-10)', async () => {
    const daily = await trends(newYork, { dateRange: { date_from: '2024-03-09', date_to: '2024-03-11' }, series: [pageviews] });
    expect(daily.results[0]!.days).toEqual(['2024-03-09', '2024-03-10', '2024-03-11']);
    // UTC days would give [0, 4, 2]
    expect(daily.results[0]!.data).toEqual([1, 4, 1]);
    expect(daily.resolved_date_range).toEqual({ date_from: '2024-03-09T00:00:00-05:00', date_to: '2024-03-11T23:59:59.999999-04:00' });
    expect(daily.timezone).toBe('America/New_York');

    const hourly = await trends(newYork, { interval: 'hour', dateRange: { date_from: '2024-03-10 00:00:00', date_to: '2024-03-10 03:59:59' }, series: [pageviews] });
    // 02:00 does not exist that night
    expect(hourly.results[0]!.days).toEqual(['2024-03-10 00:00:00', '2024-03-10 01:00:00', '2024-03-10 03:00:00']);
    expect(hourly.results[0]!.data).toEqual([1, 1, 1]);
  });

  it('dau counts persons: two distinct ids merged by $identify are one user', async () => {
    const body = await trends(merged, { dateRange: { date_from: '2024-03-01', date_to: '2024-03-01' }, series: [{ ...pageviews, math: 'dau' }, pageviews] });
    expect(body.results[0]!.data).toEqual([2]);
    expect(body.results[1]!.data).toEqual([3]);
  });

  it('cumulative display and smoothing intervals', async () => {
    const cumulative = await trends(main, { series: [pageviews, { ...pageviews, math: 'dau' }], trendsFilter: { display: 'ActionsLineGraphCumulative' } });
    expect(cumulative.results[0]!.data).toEqual([2, 4, 6, 6, 7, 7, 7]);
    expect(cumulative.results[0]!.count).toBe(7);
    // cumulative users: each person once, from their first day
    expect(cumulative.results[1]!.data).toEqual([1, 2, 3, 3, 4, 4, 4]);
    const smoothed = await trends(main, { series: [pageviews], trendsFilter: { smoothingIntervals: 2 } });
    expect(smoothed.results[0]!.data).toEqual([2, 2, 2, 1, 0, 0, 0]);
  });

  it('unique_group and aggregation_group_type_index count groups', async () => {
    const signup = { kind: 'EventsNode', event: 'signup' };
    const body = await trends(main, { series: [{ ...signup, math: 'unique_group', math_group_type_index: 0 }] });
    expect(body.results[0]!.data).toEqual([0, 1, 2, 0, 0, 0, 0]);
    const aggregated = await trends(main, { aggregation_group_type_index: 0, series: [{ ...signup, math: 'dau' }], trendsFilter: { display: 'BoldNumber' } });
    expect(aggregated.results[0]!.aggregated_value).toBe(2);
  });
});

describe('TrendsQuery breakdowns', () => {
  it('breaks down by an event property; a missing property is the null sentinel, shown last', async () => {
    const body = await trends(main, { series: [pageviews], breakdownFilter: { breakdown: '$browser', breakdown_type: 'event' } });
    expect(body.results.map((s) => s.breakdown_value)).toEqual(['Chrome', 'Firefox', 'Safari', '$$_posthog_breakdown_null_$$']);
    expect(body.results.map((s) => s.label)).toEqual(['Chrome', 'Firefox', 'Safari', '$$_posthog_breakdown_null_$$']);
    expect(byValue(body.results)).toEqual({
      '"Chrome"': [2, 0, 1, 0, 0, 0, 0],
      '"Firefox"': [0, 2, 0, 0, 0, 0, 0],
      '"Safari"': [0, 0, 0, 0, 1, 0, 0],
      '"$$_posthog_breakdown_null_$$"': [0, 0, 1, 0, 0, 0, 0],
    });
    expect(body.hasMore).toBe(false);
  });

  it('breakdown_limit folds the rest into Other and sets hasMore', async () => {
    const body = await trends(main, { series: [pageviews], breakdownFilter: { breakdown: '$browser', breakdown_limit: 2 } });
    expect(body.results.map((s) => s.breakdown_value)).toEqual(['Chrome', 'Firefox', '$$_posthog_breakdown_other_$$']);
    // Other = Safari (03-05) + no browser (03-03)
    expect(body.results[2]!.data).toEqual([0, 0, 1, 0, 1, 0, 0]);
    expect(body.hasMore).toBe(true);
    const hidden = await trends(main, { series: [pageviews], breakdownFilter: { breakdown: '$browser', breakdown_limit: 2, breakdown_hide_other_aggregation: true } });
    expect(hidden.results.map((s) => s.breakdown_value)).toEqual(['Chrome', 'Firefox']);
    expect(hidden.hasMore).toBe(true);
  });

  it('several breakdowns: values are lists, labels joined with ::, two series prefix the event', async () => {
    const body = await trends(main, {
      series: [pageviews, { kind: 'EventsNode', event: 'signup' }],
      breakdownFilter: { breakdowns: [{ property: '$browser' }, { property: '$session_id', type: 'event_metadata' }] },
    });
    const pv = body.results.filter((s) => s.action?.id === '$pageview');
    expect(pv.map((s) => s.breakdown_value)).toEqual([
      ['Chrome', 's1'],
      ['Firefox', 's2'],
      ['Chrome', 's4'],
      ['Safari', 's5'],
      ['$$_posthog_breakdown_null_$$', 's3'],
    ]);
    expect(pv[0]!.label).toBe('$pageview - Chrome::s1');
    expect(pv.map((s) => s.count)).toEqual([2, 2, 1, 1, 1]);
    const signups = body.results.filter((s) => s.action?.id === 'signup');
    expect(signups.map((s) => s.breakdown_value)).toEqual([['$$_posthog_breakdown_null_$$', '$$_posthog_breakdown_null_$$']]);
    expect(signups[0]!.data).toEqual([0, 1, 2, 0, 0, 0, 0]);
  });

  it('breaks down by a person property (the person’s current value)', async () => {
    const body = await trends(main, { series: [pageviews], breakdownFilter: { breakdown: 'plan', breakdown_type: 'person' } });
    expect(body.results.map((s) => [s.breakdown_value, s.data])).toEqual([
      ['pro', [2, 0, 1, 0, 0, 0, 0]],
      ['free', [0, 2, 0, 0, 0, 0, 0]],
      ['$$_posthog_breakdown_null_$$', [0, 0, 1, 0, 1, 0, 0]],
    ]);
  });

  it('numeric histogram bins', async () => {
    const body = await trends(main, { series: [pageviews], breakdownFilter: { breakdown: 'price', breakdown_histogram_bin_count: 2 } });
    // prices 10, 5, 20, 7: bins [5,12.5) and [12.5,20.01)
    expect(byValue(body.results)).toEqual({
      '"[5,12.5]"': [2, 1, 0, 0, 0, 0, 0],
      '"[12.5,20.01]"': [0, 0, 1, 0, 0, 0, 0],
      '"$$_posthog_breakdown_null_$$"': [0, 1, 1, 0, 1, 0, 0],
    });
  });
});

describe('TrendsQuery compare, formulas and total values', () => {
  it('compares with the previous period of the same length', async () => {
    const body = await trends(main, { dateRange: { date_from: '2024-03-04', date_to: '2024-03-07' }, series: [pageviews], compareFilter: { compare: true } });
    expect(body.results.map((s) => [s.compare, s.compare_label, s.days[0], s.data, s.count])).toEqual([
      [true, 'current', '2024-03-04', [0, 1, 0, 0], 1],
      [true, 'previous', '2024-02-29', [0, 2, 2, 2], 6],
    ]);
    const shifted = await trends(main, { dateRange: { date_from: '2024-03-04', date_to: '2024-03-07' }, series: [pageviews], compareFilter: { compare: true, compare_to: '-1w' } });
    expect(shifted.results[1]!.days).toEqual(['2024-02-26', '2024-02-27', '2024-02-28', '2024-02-29']);
    expect(shifted.results[1]!.data).toEqual([0, 1, 0, 0]);
  });

  it('formula A/B per bucket (division by zero gives 0), and per breakdown value', async () => {
    const body = await trends(main, { series: [pageviews, { kind: 'EventsNode', event: 'signup' }], trendsFilter: { formula: 'A/B' } });
    // A = [2,2,2,0,1,0,0], B = [0,1,2,0,0,0,0]
    expect(body.results).toHaveLength(1);
    expect(body.results[0]!.data).toEqual([0, 2, 1, 0, 0, 0, 0]);
    expect(body.results[0]!.count).toBe(3);
    expect(body.results[0]!.label).toBe('Formula (A/B)');
    expect(body.results[0]!.action).toBeNull();

    const both = await trends(main, {
      series: [pageviews, { ...pageviews, math: 'dau' }],
      breakdownFilter: { breakdown: '$browser' },
      trendsFilter: { formulaNodes: [{ formula: '(A - B) * 10', custom_name: 'extra views' }] },
    });
    // events minus persons per browser per day: Chrome 03-01 2-1; Firefox 03-02 2-1
    expect(byValue(both.results)).toEqual({
      '"Chrome"': [10, 0, 0, 0, 0, 0, 0],
      '"Firefox"': [0, 10, 0, 0, 0, 0, 0],
      '"Safari"': [0, 0, 0, 0, 0, 0, 0],
      '"$$_posthog_breakdown_null_$$"': [0, 0, 0, 0, 0, 0, 0],
    });
    expect(both.results[0]!.label).toBe('extra views');
  });

  it('total-value displays give one aggregated value over the whole range', async () => {
    const bold = await trends(main, { series: [{ ...pageviews, math: 'dau' }], trendsFilter: { display: 'BoldNumber' } });
    // u1..u4 (u5 is before the range); the sum of daily dau would be 1+1+2+1 = 5
    expect(bold.results[0]).toMatchObject({ aggregated_value: 4, data: [], count: 0, label: '$pageview' });
    const pie = await trends(main, { series: [pageviews], breakdownFilter: { breakdown: '$browser' }, trendsFilter: { display: 'ActionsPie' } });
    expect(pie.results.map((s) => [s.breakdown_value, s.aggregated_value])).toEqual([
      ['Chrome', 3],
      ['Firefox', 2],
      ['Safari', 1],
      ['$$_posthog_breakdown_null_$$', 1],
    ]);
  });
});

describe('drill-down and bad input', () => {
  async function actors(source: Record<string, unknown>, extra: Record<string, unknown>): Promise<string[]> {
    const res = await postQuery<{ results: [{ distinct_ids: string[] }][] }>(server, main, {
      kind: 'ActorsQuery',
      select: ['person'],
      source: { kind: 'InsightActorsQuery', source: { kind: 'TrendsQuery', dateRange: { date_from: '2024-03-01', date_to: '2024-03-07' }, ...source }, ...extra },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.results.map((r) => r[0].distinct_ids[0]!).sort();
  }

  it('ActorsQuery over an InsightActorsQuery lists who is behind a data point', async () => {
    const limited = { series: [pageviews], breakdownFilter: { breakdown: '$browser', breakdown_limit: 2 } };
    expect(await actors(limited, { day: '2024-03-02', breakdown: 'Firefox' })).toEqual(['u2']);
    expect(await actors(limited, { day: '2024-03-03', breakdown: 'Chrome' })).toEqual(['u1']);
    // Other on 03-03: the pageview without a browser
    expect(await actors(limited, { day: '2024-03-03', breakdown: '$$_posthog_breakdown_other_$$' })).toEqual(['u3']);
    expect(await actors({ series: [pageviews], breakdownFilter: { breakdown: '$browser' } }, { day: '2024-03-03', breakdown: '$$_posthog_breakdown_null_$$' })).toEqual(['u3']);
    // series 1 (signup) on 03-03
    expect(await actors({ series: [pageviews, { kind: 'EventsNode', event: 'signup' }] }, { day: '2024-03-03', series: 1 })).toEqual(['u2', 'u3']);
    // weekly active on 03-05: the window 02-28..03-05
    expect(await actors({ series: [{ ...pageviews, math: 'weekly_active' }] }, { day: '2024-03-05' })).toEqual(['u1', 'u2', 'u3', 'u4']);
    // previous period of 03-04..03-07 is 02-29..03-03
    expect(await actors({ dateRange: { date_from: '2024-03-04', date_to: '2024-03-07' }, series: [pageviews], compareFilter: { compare: true } }, { day: '2024-03-01', compare: 'previous' })).toEqual(['u1']);
  });

  it('answers bad input with a clear 400', async () => {
    const bad = async (query: Record<string, unknown>, detail: RegExp) => {
      const res = await postQuery(server, main, { kind: 'TrendsQuery', series: [pageviews], ...query });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.detail).toMatch(detail);
    };
    await bad({ series: [] }, /series/);
    await bad({ series: undefined }, /series/);
    await bad({ interval: 'fortnight' }, /interval/);
    await bad({ dateRange: { date_from: 'last tuesday' } }, /date_from/);
    await bad({ series: [{ kind: 'ActionsNode', id: 999999 }] }, /Action 999999 not found/);
    await bad({ series: [{ ...pageviews, math: 'sum' }] }, /math_property/);
    await bad({ series: [{ ...pageviews, math: 'median_count_per_person' }] }, /math/);
    await bad({ trendsFilter: { formula: 'A + C' } }, /series C/);
    await bad({ trendsFilter: { display: 'Spaghetti' } }, /display/);
    await bad({ breakdownFilter: { breakdown: 3, breakdown_type: 'cohort' } }, /cohort/);
    await bad({ interval: 'minute', dateRange: { date_from: '2024-01-01', date_to: '2024-03-01' } }, /minutes/);
  });
});

describe('samplingFactor', () => {
  // s0000…s1999: id i sends (i % 3) + 1 pageviews on 2024-03-0(1 + i % 7), each with amount (i % 5) + 1.
  // Whole data: 667·1 + 667·2 + 666·3 = 3999 pageviews by 2000 persons; per 15 ids (3 and 5 coprime)
  // the amounts weigh Σ(a+1)·Σ(b+1) = 6·15 = 90 over 30 events, + the last 5 ids (i % 15 = 0…4): 28 over 9,
  // so sum = 133·90 + 28 = 11998 and avg = 11998 / 3999. Daily persons: 286 on 03-01…03-05, 285 on 03-06, 03-07.
  const ids = sampledIds();
  const eventsOf = (i: number) => (i % 3) + 1;
  const amountOf = (i: number) => (i % 5) + 1;
  let sampling: number;
  let inSample: Set<number>;
  const bold = (math: Record<string, unknown>, samplingFactor?: number | null) =>
    trends(sampling, { series: [{ ...pageviews, ...math }], trendsFilter: { display: 'BoldNumber' }, ...(samplingFactor === undefined ? {} : { samplingFactor }) });

  beforeAll(async () => {
    const batch = ids.flatMap(({ id, i }) =>
      Array.from({ length: eventsOf(i) }, (_, k) => ev(id, '$pageview', `2024-03-0${1 + (i % 7)}T10:${String(k).padStart(2, '0')}:00Z`, { amount: amountOf(i) })),
    );
    sampling = await samplingProject(server, 'trends sampling', batch);
    inSample = await sampled(server, sampling, 0.1);
  }, 90_000);

  it('without sampling, or with samplingFactor 1 / null, gives the exact result', async () => {
    for (const factor of [undefined, 1, null]) {
      expect((await bold({}, factor)).results[0]!.aggregated_value).toBe(3999);
      expect((await bold({ math: 'dau' }, factor)).results[0]!.aggregated_value).toBe(2000);
      expect((await bold({ math: 'sum', math_property: 'amount' }, factor)).results[0]!.aggregated_value).toBe(11998);
      expect((await bold({ math: 'avg', math_property: 'amount' }, factor)).results[0]!.aggregated_value).toBeCloseTo(11998 / 3999, 9);
    }
    const daily = await trends(sampling, { series: [{ ...pageviews, math: 'dau' }], samplingFactor: 1 });
    expect(daily.results[0]!.data).toEqual([286, 286, 286, 286, 286, 285, 285]);
    expect(daily.hogql).not.toContain('SAMPLE');
  });

  it('reads a 10% sample of distinct ids and scales counts and sums back; averages are not scaled', async () => {
    const S = [...inSample];
    const events = S.reduce((s, i) => s + eventsOf(i), 0);
    const amounts = S.reduce((s, i) => s + eventsOf(i) * amountOf(i), 0);
    // The sample is about a tenth of the ids: close to the whole once scaled back.
    expect(S.length).toBeGreaterThan(150);
    expect(S.length).toBeLessThan(250);
    const total = await bold({}, 0.1);
    expect(total.results[0]!.aggregated_value).toBe(events * 10);
    expect(Math.abs(total.results[0]!.aggregated_value! - 3999) / 3999).toBeLessThan(0.25);
    expect(total.hogql).toContain('SAMPLE 0.1');
    expect((await bold({ math: 'dau' }, 0.1)).results[0]!.aggregated_value).toBe(S.length * 10);
    const sum = (await bold({ math: 'sum', math_property: 'amount' }, 0.1)).results[0]!.aggregated_value!;
    expect(sum).toBe(amounts * 10);
    expect(Math.abs(sum - 11998) / 11998).toBeLessThan(0.25);
    const avg = (await bold({ math: 'avg', math_property: 'amount' }, 0.1)).results[0]!.aggregated_value!;
    expect(avg).toBeCloseTo(amounts / events, 9);
    expect(Math.abs(avg - 3)).toBeLessThan(0.3);
    // max is a statistic too: the sample has ids with amount 5, and 5 it stays.
    expect((await bold({ math: 'max', math_property: 'amount' }, 0.1)).results[0]!.aggregated_value).toBe(5);
  });

  it('scales every bucket and the count of a time series, the same ids every time', async () => {
    const S = [...inSample];
    const expected = [0, 1, 2, 3, 4, 5, 6].map((d) => 10 * S.filter((i) => i % 7 === d).reduce((s, i) => s + eventsOf(i), 0));
    const first = await trends(sampling, { series: [pageviews], samplingFactor: 0.1 });
    expect(first.results[0]!.data).toEqual(expected);
    expect(first.results[0]!.count).toBe(expected.reduce((a, b) => a + b, 0));
    const again = await trends(sampling, { series: [pageviews], samplingFactor: 0.1 });
    expect(again.results).toEqual(first.results);
    // Breakdown values and compare periods are scaled alike; the previous week is empty.
    const compared = await trends(sampling, { series: [pageviews], samplingFactor: 0.1, compareFilter: { compare: true } });
    expect(compared.results.map((s) => [s.compare_label, s.count])).toEqual([
      ['current', expected.reduce((a, b) => a + b, 0)],
      ['previous', 0],
    ]);
    // Who is behind 03-01 in the sample: exactly the sampled ids with i % 7 = 0.
    const res = await postQuery<{ results: [{ distinct_ids: string[] }][] }>(server, sampling, {
      kind: 'ActorsQuery',
      select: ['person'],
      source: { kind: 'InsightActorsQuery', day: '2024-03-01', source: { kind: 'TrendsQuery', dateRange: { date_from: '2024-03-01', date_to: '2024-03-07' }, series: [pageviews], samplingFactor: 0.1 } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.results.map((r) => r[0].distinct_ids[0]).sort()).toEqual(ids.filter(({ i }) => inSample.has(i) && i % 7 === 0).map(({ id }) => id));
  });

  it('rejects a samplingFactor outside 0…1, and SAMPLE on other tables', async () => {
    const res = await postQuery(server, sampling, { kind: 'TrendsQuery', series: [pageviews], samplingFactor: 1.5 });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/samplingFactor/);
    const table = await postQuery(server, sampling, { kind: 'HogQLQuery', query: 'SELECT count() FROM persons SAMPLE 0.1' });
    expect(table.status).toBe(400);
    expect(table.body.detail).toMatch(/SAMPLE is only supported on the events table/);
    const hogqlSample = await postQuery<{ results: unknown[][] }>(server, sampling, { kind: 'HogQLQuery', query: "SELECT count() FROM events SAMPLE 1/10 WHERE event = '$pageview'" });
    expect(hogqlSample.status, JSON.stringify(hogqlSample.body)).toBe(200);
    expect(hogqlSample.body.results[0]![0]).toBe([...inSample].reduce((s, i) => s + eventsOf(i), 0));
  });
});

describe('project week_start_day', () => {
  it('week_start_day 1 buckets insight weeks from Monday; HogQL toStartOfWeek keeps its default', async () => {
    // The main dataset's pageviews. Monday weeks: 02-19 (none), 02-26..03-03 (u5 02-27, u1 ×3, u2 ×2, u3) and 03-04.. (u4).
    const monday = await project(
      'monday',
      [
        ev('u5', '$pageview', '2024-02-27T10:00:00Z'),
        ev('u1', '$pageview', '2024-03-01T10:00:00Z'),
        ev('u1', '$pageview', '2024-03-01T11:00:00Z'),
        ev('u1', '$pageview', '2024-03-03T09:00:00Z'),
        ev('u2', '$pageview', '2024-03-02T10:00:00Z'),
        ev('u2', '$pageview', '2024-03-02T12:00:00Z'),
        ev('u3', '$pageview', '2024-03-03T10:00:00Z'),
        ev('u4', '$pageview', '2024-03-05T10:00:00Z'),
      ],
      undefined,
      5,
    );
    const patch = (body: Record<string, unknown>) =>
      api<{ week_start_day: number; detail?: string }>(server, `/api/projects/${monday}/`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const weekly = { interval: 'week', dateRange: { date_from: '2024-02-25', date_to: '2024-03-09' }, series: [pageviews, { ...pageviews, math: 'weekly_active' }] };
    // Before: Sunday weeks, as in the main project.
    expect((await trends(monday, weekly)).results[0]!.data).toEqual([5, 3]);
    expect((await patch({ week_start_day: 1 })).body.week_start_day).toBe(1);
    expect((await api<{ week_start_day: number }>(server, `/api/projects/${monday}/`)).body.week_start_day).toBe(1);
    const body = await trends(monday, weekly);
    // date_from 02-25 is a Sunday: its Monday week starts 02-19.
    expect(body.results[0]!.days).toEqual(['2024-02-19', '2024-02-26', '2024-03-04']);
    expect(body.results[0]!.data).toEqual([0, 7, 1]);
    expect(body.results[1]!.data).toEqual([0, 4, 1]);
    expect(body.resolved_date_range.date_from).toBe('2024-02-19T00:00:00Z');
    // Days are unaffected.
    expect((await trends(monday, { series: [pageviews] })).results[0]!.data).toEqual([2, 2, 2, 0, 1, 0, 0]);
    // The actors of the Monday week 02-26.
    const res = await postQuery<{ results: [{ distinct_ids: string[] }][] }>(server, monday, {
      kind: 'ActorsQuery',
      select: ['person'],
      source: { kind: 'InsightActorsQuery', day: '2024-02-26', source: { kind: 'TrendsQuery', ...weekly, series: [pageviews] } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.results.map((r) => r[0].distinct_ids[0]).sort()).toEqual(['u1', 'u2', 'u3', 'u5']);
    // HogQL's toStartOfWeek is not the insight setting: still Sunday (2024-03-05 is a Tuesday).
    const hq = await postQuery<{ results: unknown[][] }>(server, monday, { kind: 'HogQLQuery', query: "SELECT toString(toStartOfWeek(toDate('2024-03-05')))" });
    expect(hq.body.results[0]![0]).toBe('2024-03-03');
    // Bad values are 400s; null resets to Sunday.
    const bad = await patch({ week_start_day: 2 });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/week_start_day/);
    expect((await patch({ week_start_day: null })).body.week_start_day).toBe(0);
    expect((await trends(monday, weekly)).results[0]!.data).toEqual([5, 3]);
  });
});

describe('boolean breakdowns', () => {
  it('breakdown values of a Boolean property are "true" / "false" (PostHog remaps 1/0), missing ones the null sentinel', async () => {
    // b1 pro=true twice, b2 pro=false once, b3 no pro; person property beta: b1 true, b2 false.
    const id = await project(
      'booleans',
      [
        ev('b1', '$pageview', '2024-03-01T10:00:00Z', { pro: true, $set: { beta: true } }),
        ev('b1', '$pageview', '2024-03-02T10:00:00Z', { pro: true }),
        ev('b2', '$pageview', '2024-03-02T11:00:00Z', { pro: false, $set: { beta: false } }),
        ev('b3', '$pageview', '2024-03-03T10:00:00Z'),
      ],
      undefined,
      3,
    );
    const body = await trends(id, { series: [pageviews], breakdownFilter: { breakdown: 'pro' } });
    expect(body.results.map((s) => [s.breakdown_value, s.label, s.count])).toEqual([
      ['true', 'true', 2],
      ['false', 'false', 1],
      ['$$_posthog_breakdown_null_$$', '$$_posthog_breakdown_null_$$', 1],
    ]);
    const person = await trends(id, { series: [pageviews], breakdownFilter: { breakdown: 'beta', breakdown_type: 'person' }, trendsFilter: { display: 'ActionsPie' } });
    expect(person.results.map((s) => [s.breakdown_value, s.aggregated_value])).toEqual([
      ['true', 2],
      ['false', 1],
      ['$$_posthog_breakdown_null_$$', 1],
    ]);
    // Several breakdowns: each boolean value remapped, labels joined with ::.
    const both = await trends(id, { series: [pageviews], breakdownFilter: { breakdowns: [{ property: 'pro' }, { property: 'beta', type: 'person' }] } });
    expect(both.results.map((s) => [s.breakdown_value, s.label])).toEqual([
      [['true', 'true'], 'true::true'],
      [['false', 'false'], 'false::false'],
      [['$$_posthog_breakdown_null_$$', '$$_posthog_breakdown_null_$$'], '$$_posthog_breakdown_null_$$::$$_posthog_breakdown_null_$$'],
    ]);
  });
});

describe('cohort breakdowns', () => {
  // Persons (person properties set by $identify before the range):
  //   c1 pro/DE, c2 pro/US, c3 free/DE, c4 free/FR. Cohorts: Pro = {c1, c2}, Germans = {c1, c3}; c1 is in both.
  // $pageview: c1 03-01 10:00, 03-02 10:00; c2 03-01 12:00; c3 03-02 11:00, 03-02 12:00, 03-04 09:00; c4 03-03 10:00.
  // signup: c1 03-02 13:00; c4 03-03 11:00.
  let id: number;
  let pro: number;
  let germans: number;
  let gone: number;
  const identify = (who: string, plan: string, country: string) => ev(who, '$identify', '2024-02-20T10:00:00Z', { $set: { plan, country } });

  beforeAll(async () => {
    id = await project(
      'cohorts',
      [
        identify('c1', 'pro', 'DE'),
        identify('c2', 'pro', 'US'),
        identify('c3', 'free', 'DE'),
        identify('c4', 'free', 'FR'),
        ev('c1', '$pageview', '2024-03-01T10:00:00Z'),
        ev('c1', '$pageview', '2024-03-02T10:00:00Z'),
        ev('c2', '$pageview', '2024-03-01T12:00:00Z'),
        ev('c3', '$pageview', '2024-03-02T11:00:00Z'),
        ev('c3', '$pageview', '2024-03-02T12:00:00Z'),
        ev('c3', '$pageview', '2024-03-04T09:00:00Z'),
        ev('c4', '$pageview', '2024-03-03T10:00:00Z'),
        ev('c1', 'signup', '2024-03-02T13:00:00Z'),
        ev('c4', 'signup', '2024-03-03T11:00:00Z'),
      ],
      undefined,
      4,
    );
    const [a, b, c] = await Promise.all([
      createCohort(server, id, personPropertyCohort('Pro', 'plan', 'pro')),
      createCohort(server, id, personPropertyCohort('Germans', 'country', 'DE')),
      createCohort(server, id, personPropertyCohort('French', 'country', 'FR')),
    ]);
    expect([a.count, b.count, c.count]).toEqual([2, 2, 1]);
    [pro, germans, gone] = [a.id, b.id, c.id];
    await deleteCohort(server, id, gone);
  }, 60_000);

  const cohortBreakdown = (breakdown: unknown) => ({ breakdown_type: 'cohort', breakdown });
  const rows = (results: Series[]) => results.map((s) => [s.breakdown_value, s.label, s.data, s.count]);

  it('counts each event once per cohort of its person (c1 in both), ordered by total; the label is the cohort name', async () => {
    const body = await trends(id, { series: [pageviews], breakdownFilter: cohortBreakdown([pro, germans]) });
    expect(rows(body.results)).toEqual([
      [germans, 'Germans', [1, 3, 0, 1, 0, 0, 0], 5],
      [pro, 'Pro', [2, 1, 0, 0, 0, 0, 0], 3],
    ]);
    expect(body.hasMore).toBe(false);
    // A single id (not a list) breaks down by that one cohort.
    expect(rows((await trends(id, { series: [pageviews], breakdownFilter: cohortBreakdown(pro) })).results)).toEqual([[pro, 'Pro', [2, 1, 0, 0, 0, 0, 0], 3]]);
  });

  it('"all" adds every event as "all users" (breakdown_value "all")', async () => {
    const body = await trends(id, { series: [pageviews], breakdownFilter: cohortBreakdown(['all', pro, germans]) });
    expect(rows(body.results)).toEqual([
      ['all', 'all users', [2, 3, 1, 1, 0, 0, 0], 7],
      [germans, 'Germans', [1, 3, 0, 1, 0, 0, 0], 5],
      [pro, 'Pro', [2, 1, 0, 0, 0, 0, 0], 3],
    ]);
    // The multi-breakdown form with one cohort per entry means the same.
    const multi = await trends(id, { series: [pageviews], breakdownFilter: { breakdowns: [{ type: 'cohort', property: pro }, { type: 'cohort', property: 'all' }] } });
    expect(rows(multi.results)).toEqual([
      ['all', 'all users', [2, 3, 1, 1, 0, 0, 0], 7],
      [pro, 'Pro', [2, 1, 0, 0, 0, 0, 0], 3],
    ]);
  });

  it('dau and weekly_active count distinct persons per cohort', async () => {
    const dau = await trends(id, { series: [{ ...pageviews, math: 'dau' }], breakdownFilter: cohortBreakdown([pro, germans]) });
    expect(rows(dau.results)).toEqual([
      [germans, 'Germans', [1, 2, 0, 1, 0, 0, 0], 4],
      [pro, 'Pro', [2, 1, 0, 0, 0, 0, 0], 3],
    ]);
    // Pro: c1 and c2 were both active in every 7-day window ending 03-01…03-07; Germans: c3 only from 03-02.
    const wau = await trends(id, { series: [{ ...pageviews, math: 'weekly_active' }], breakdownFilter: cohortBreakdown([pro, germans]) });
    expect(rows(wau.results)).toEqual([
      [pro, 'Pro', [2, 2, 2, 2, 2, 2, 2], 14],
      [germans, 'Germans', [1, 2, 2, 2, 2, 2, 2], 13],
    ]);
  });

  it('total-value displays, several series (labels prefixed) and formulas', async () => {
    const pie = await trends(id, { series: [pageviews], breakdownFilter: cohortBreakdown([pro, 'all', germans]), trendsFilter: { display: 'ActionsPie' } });
    expect(pie.results.map((s) => [s.breakdown_value, s.label, s.aggregated_value])).toEqual([
      ['all', 'all users', 7],
      [germans, 'Germans', 5],
      [pro, 'Pro', 3],
    ]);
    const bold = await trends(id, { series: [{ ...pageviews, math: 'dau' }], breakdownFilter: cohortBreakdown(['all', pro, germans]), trendsFilter: { display: 'BoldNumber' } });
    expect(Object.fromEntries(bold.results.map((s) => [String(s.breakdown_value), s.aggregated_value]))).toEqual({ all: 4, [pro]: 2, [germans]: 2 });
    // signup: c1 (Pro, Germans) on 03-02; c4 is in neither cohort.
    const two = await trends(id, { series: [pageviews, { kind: 'EventsNode', event: 'signup' }], breakdownFilter: cohortBreakdown([pro, germans]) });
    expect(two.results.map((s) => [s.label, s.count]).sort()).toEqual([
      ['$pageview - Germans', 5],
      ['$pageview - Pro', 3],
      ['signup - Germans', 1],
      ['signup - Pro', 1],
    ]);
    const formula = await trends(id, { series: [pageviews, { kind: 'EventsNode', event: 'signup' }], breakdownFilter: cohortBreakdown([pro, germans]), trendsFilter: { formula: 'A + B' } });
    expect(formula.results.map((s) => [s.breakdown_value, s.data])).toEqual([
      [germans, [1, 4, 0, 1, 0, 0, 0]],
      [pro, [2, 2, 0, 0, 0, 0, 0]],
    ]);
  });

  it('drill-down: ActorsQuery with breakdown = a cohort id (or "all") lists that cohort’s persons behind the point', async () => {
    const actors = async (source: Record<string, unknown>, extra: Record<string, unknown>): Promise<string[]> => {
      const res = await postQuery<{ results: [{ distinct_ids: string[] }][] }>(server, id, {
        kind: 'ActorsQuery',
        select: ['person'],
        source: { kind: 'InsightActorsQuery', source: { kind: 'TrendsQuery', dateRange: { date_from: '2024-03-01', date_to: '2024-03-07' }, ...source }, ...extra },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.results.map((r) => r[0].distinct_ids[0]!).sort();
    };
    const q = { series: [pageviews], breakdownFilter: cohortBreakdown(['all', pro, germans]) };
    expect(await actors(q, { day: '2024-03-02', breakdown: germans })).toEqual(['c1', 'c3']);
    expect(await actors(q, { day: '2024-03-02', breakdown: String(pro) })).toEqual(['c1']);
    expect(await actors(q, { day: '2024-03-03', breakdown: 'all' })).toEqual(['c4']);
    expect(await actors(q, { day: '2024-03-03', breakdown: pro })).toEqual([]);
    expect(await actors(q, { breakdown: pro })).toEqual(['c1', 'c2']);
    expect(await actors({ ...q, trendsFilter: { display: 'BoldNumber' } }, { breakdown: germans })).toEqual(['c1', 'c3']);
    // weekly active on 03-07 (window 03-01…03-07), first-time users, without a breakdown value: anyone of the listed cohorts.
    expect(await actors({ ...q, series: [{ ...pageviews, math: 'weekly_active' }] }, { day: '2024-03-07', breakdown: germans })).toEqual(['c1', 'c3']);
    expect(await actors({ ...q, series: [{ ...pageviews, math: 'first_time_for_user' }] }, { day: '2024-03-02', breakdown: germans })).toEqual(['c3']);
    expect(await actors({ series: [pageviews], breakdownFilter: cohortBreakdown([pro]) }, {})).toEqual(['c1', 'c2']);
    const res = await postQuery(server, id, { kind: 'ActorsQuery', select: ['person'], source: { kind: 'InsightActorsQuery', source: { kind: 'TrendsQuery', ...q }, breakdown: 424242 } });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/424242 is not one of the cohorts/);
  });

  it('first_time_for_user per cohort: each person once, on the day of its first event', async () => {
    const body = await trends(id, { series: [{ ...pageviews, math: 'first_time_for_user' }], breakdownFilter: cohortBreakdown([pro, germans]) });
    // c1 and c2 first viewed on 03-01, c3 on 03-02 (equal totals: the order between the two is by id).
    expect(Object.fromEntries(body.results.map((s) => [String(s.breakdown_value), [s.label, s.data]]))).toEqual({
      [pro]: ['Pro', [2, 0, 0, 0, 0, 0, 0]],
      [germans]: ['Germans', [1, 1, 0, 0, 0, 0, 0]],
    });
  });

  it('unknown or deleted cohorts, bad values and cohorts mixed with other breakdowns are 400s that say so', async () => {
    const bad = async (breakdownFilter: Record<string, unknown>, detail: RegExp) => {
      const res = await postQuery(server, id, { kind: 'TrendsQuery', series: [pageviews], breakdownFilter });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.detail).toMatch(detail);
    };
    await bad(cohortBreakdown([pro, 999999]), /cohort 999999 not found/);
    await bad(cohortBreakdown([gone, 999998]), new RegExp(`cohorts ${gone}, 999998 not found`));
    await bad(cohortBreakdown(['pro users']), /cohort ids or "all"/);
    await bad(cohortBreakdown([]), /at least one cohort/);
    await bad({ breakdowns: [{ type: 'cohort', property: pro }, { type: 'event', property: '$browser' }] }, /cannot be combined with other breakdown types/);
    // A cohort of another project is unknown there.
    const other = await postQuery(server, main, { kind: 'TrendsQuery', series: [pageviews], breakdownFilter: cohortBreakdown([pro]) });
    expect(other.status).toBe(400);
    expect(other.body.detail).toMatch(new RegExp(`cohort ${pro} not found`));
  });
});
