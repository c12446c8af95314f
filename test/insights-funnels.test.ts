import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, capture } from './helpers/api.js';
import { postQuery, waitForValue } from './helpers/query.js';
import { createCohort, personPropertyCohort } from './helpers/cohorts.js';
import { sampled, sampledIds, samplingProject } from './helpers/sampling.js';
import { startServer, type TestServer } from './helpers/server.js';

/**
 * FunnelsQuery: every expectation below is worked out by hand from the events of its project (one
 * project per scenario, UTC, March 2024). Steps are `signup → view → buy` unless said otherwise.
 * Conversion times are seconds; PostHog leaves 0-second conversions out of the averages.
 */
let server: TestServer;

interface Step {
  action_id: string | null;
  name: string | null;
  custom_name: string | null;
  order: number;
  count: number;
  type: string;
  average_conversion_time: number | null;
  median_conversion_time: number | null;
  people: unknown[];
  breakdown?: unknown;
  breakdown_value?: unknown;
}

const ev = (who: string, event: string, timestamp: string, properties: Record<string, unknown> = {}) => ({ event, distinct_id: who, timestamp, properties });
const node = (event: string, extra: Record<string, unknown> = {}) => ({ kind: 'EventsNode', event, ...extra });
const SIGNUP_VIEW_BUY = [node('signup'), node('view'), node('buy')];
const MARCH = { date_from: '2024-03-01', date_to: '2024-03-31' };

async function project(name: string, batch: Record<string, unknown>[], wait?: [string, unknown]): Promise<number> {
  const res = await api<{ id: number; api_token: string }>(server, '/api/projects/', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: `funnels ${name}` }),
  });
  expect(res.status).toBe(201);
  const sent = await capture(server, '/batch/', JSON.stringify({ api_key: res.body.api_token, batch }));
  expect(sent.status).toBe(200);
  await waitForValue(server, res.body.id, 'SELECT count() FROM events', batch.length);
  if (wait) await waitForValue(server, res.body.id, wait[0], wait[1]);
  return res.body.id;
}

async function funnel<T = Step[]>(projectId: number, query: Record<string, unknown>): Promise<{ results: T; hogql: string; resolved_date_range: Record<string, string> }> {
  const res = await postQuery<{ results: T; hogql: string; resolved_date_range: Record<string, string> }>(server, projectId, {
    kind: 'FunnelsQuery',
    series: SIGNUP_VIEW_BUY,
    dateRange: MARCH,
    ...query,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const counts = (steps: Step[]) => steps.map((s) => s.count);
const averages = (steps: Step[]) => steps.map((s) => s.average_conversion_time);
/** Breakdown results as `[value, counts]` in response order. */
const byValue = (groups: Step[][]) => groups.map((g) => [g[0]!.breakdown_value, counts(g)]);

/** The distinct ids of the persons ActorsQuery lists for a FunnelsActorsQuery. */
async function actors(projectId: number, source: Record<string, unknown>, request: Record<string, unknown>): Promise<string[]> {
  const res = await postQuery<{ results: [{ distinct_ids: string[] }][] }>(server, projectId, {
    kind: 'ActorsQuery',
    select: ['person'],
    source: { kind: 'FunnelsActorsQuery', source: { kind: 'FunnelsQuery', series: SIGNUP_VIEW_BUY, dateRange: MARCH, ...source }, ...request },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.results.map((r) => r[0].distinct_ids[0]!).sort();
}

const P: Record<string, number> = {};

beforeAll(async () => {
  server = await startServer();
  const projects: Record<string, Record<string, unknown>[]> = {
    // p1 converts (600 s, 3600 s); p2 reaches view (1800 s); p3's view comes before its signup; p4 buys
    // without viewing; p5 only buys; p6 views after date_to.
    basic: [
      ev('p1', 'signup', '2024-03-01T10:00:00Z'),
      ev('p1', 'view', '2024-03-01T10:10:00Z'),
      ev('p1', 'buy', '2024-03-01T11:10:00Z'),
      ev('p2', 'signup', '2024-03-02T10:00:00Z'),
      ev('p2', 'view', '2024-03-02T10:30:00Z'),
      ev('p3', 'view', '2024-03-03T09:00:00Z'),
      ev('p3', 'signup', '2024-03-03T10:00:00Z'),
      ev('p4', 'signup', '2024-03-04T10:00:00Z'),
      ev('p4', 'buy', '2024-03-04T11:00:00Z'),
      ev('p5', 'buy', '2024-03-05T10:00:00Z'),
      ev('p6', 'signup', '2024-03-31T23:00:00Z'),
      ev('p6', 'view', '2024-04-01T00:30:00Z'),
    ],
    // Window of 1 hour from signup: w1 buys exactly at the hour, w2 one second over, w3 views one second over.
    window: [
      ev('w1', 'signup', '2024-03-05T10:00:00Z'),
      ev('w1', 'view', '2024-03-05T10:30:00Z'),
      ev('w1', 'buy', '2024-03-05T11:00:00Z'),
      ev('w2', 'signup', '2024-03-05T10:00:00Z'),
      ev('w2', 'view', '2024-03-05T10:30:00Z'),
      ev('w2', 'buy', '2024-03-05T11:00:01Z'),
      ev('w3', 'signup', '2024-03-05T10:00:00Z'),
      ev('w3', 'view', '2024-03-05T11:00:01Z'),
    ],
    // Window 1 day. r1: a first attempt stalls, a later one converts (60 s, 120 s). r2: repeated signups
    // and views: the newest attempt counts, first view/buy after it (600 s, 1200 s). r3: the first attempt
    // is out of the window, the second reaches view (7200 s).
    restart: [
      ev('r1', 'signup', '2024-03-01T10:00:00Z'),
      ev('r1', 'view', '2024-03-01T10:05:00Z'),
      ev('r1', 'signup', '2024-03-10T10:00:00Z'),
      ev('r1', 'view', '2024-03-10T10:01:00Z'),
      ev('r1', 'buy', '2024-03-10T10:03:00Z'),
      ev('r2', 'signup', '2024-03-01T10:00:00Z'),
      ev('r2', 'signup', '2024-03-01T10:20:00Z'),
      ev('r2', 'view', '2024-03-01T10:30:00Z'),
      ev('r2', 'view', '2024-03-01T10:40:00Z'),
      ev('r2', 'buy', '2024-03-01T10:50:00Z'),
      ev('r3', 'signup', '2024-03-01T10:00:00Z'),
      ev('r3', 'signup', '2024-03-02T09:00:00Z'),
      ev('r3', 'view', '2024-03-02T11:00:00Z'),
    ],
    // s1: signup and view at the same instant, buy 5 minutes later. d1/d2 for the signup → signup funnel.
    sametime: [
      ev('s1', 'signup', '2024-03-01T10:00:00.000Z'),
      ev('s1', 'view', '2024-03-01T10:00:00.000Z'),
      ev('s1', 'buy', '2024-03-01T10:05:00.000Z'),
      ev('d1', 'signup', '2024-03-02T10:00:00Z'),
      ev('d2', 'signup', '2024-03-02T10:00:00Z'),
      ev('d2', 'signup', '2024-03-02T10:05:00Z'),
    ],
    // Strict order: any other event between steps resets.
    strict: [
      ev('t1', 'signup', '2024-03-01T10:00:00Z'),
      ev('t1', 'view', '2024-03-01T10:01:00Z'),
      ev('t1', 'buy', '2024-03-01T10:02:00Z'),
      ev('t2', 'signup', '2024-03-01T10:00:00Z'),
      ev('t2', 'other', '2024-03-01T10:01:00Z'),
      ev('t2', 'view', '2024-03-01T10:02:00Z'),
      ev('t3', 'signup', '2024-03-01T10:00:00Z'),
      ev('t3', 'view', '2024-03-01T10:01:00Z'),
      ev('t3', 'other', '2024-03-01T10:02:00Z'),
      ev('t3', 'buy', '2024-03-01T10:03:00Z'),
      ev('t4', 'signup', '2024-03-01T10:00:00Z'),
      ev('t4', 'view', '2024-03-01T10:01:00Z'),
      ev('t4', 'view', '2024-03-01T10:02:00Z'),
      ev('t4', 'buy', '2024-03-01T10:03:00Z'),
    ],
    // Unordered, window 1 day.
    unordered: [
      ev('u1', 'buy', '2024-03-01T10:00:00Z'),
      ev('u1', 'signup', '2024-03-01T10:10:00Z'),
      ev('u1', 'view', '2024-03-01T10:20:00Z'),
      ev('u2', 'view', '2024-03-01T10:00:00Z'),
      ev('u2', 'signup', '2024-03-01T12:00:00Z'),
      ev('u3', 'view', '2024-03-01T10:00:00Z'),
      ev('u4', 'signup', '2024-03-01T10:00:00Z'),
      ev('u4', 'view', '2024-03-03T10:00:00Z'),
    ],
    // Exclusion `cancel` between view and buy (steps 1..2).
    exclusions: [
      ev('e1', 'signup', '2024-03-01T10:00:00Z'),
      ev('e1', 'view', '2024-03-01T10:01:00Z'),
      ev('e1', 'cancel', '2024-03-01T10:02:00Z'),
      ev('e1', 'buy', '2024-03-01T10:03:00Z'),
      ev('e2', 'signup', '2024-03-01T10:00:00Z'),
      ev('e2', 'view', '2024-03-01T10:01:00Z'),
      ev('e2', 'buy', '2024-03-01T10:02:00Z'),
      ev('e2', 'cancel', '2024-03-01T10:03:00Z'),
      ev('e3', 'signup', '2024-03-01T10:00:00Z'),
      ev('e3', 'cancel', '2024-03-01T10:01:00Z'),
      ev('e3', 'view', '2024-03-01T10:02:00Z'),
      ev('e3', 'buy', '2024-03-01T10:03:00Z'),
      ev('e4', 'signup', '2024-03-01T10:00:00Z'),
      ev('e4', 'view', '2024-03-01T10:01:00Z'),
      ev('e4', 'cancel', '2024-03-01T10:02:00Z'),
      // Property-filtered exclusion: signup → view(page=pricing), excluding view(page=refund).
      ev('x1', 'signup', '2024-03-02T10:00:00Z'),
      ev('x1', 'view', '2024-03-02T10:01:00Z', { page: 'refund' }),
      ev('x1', 'view', '2024-03-02T10:02:00Z', { page: 'pricing' }),
      ev('x2', 'signup', '2024-03-02T10:00:00Z'),
      ev('x2', 'view', '2024-03-02T10:02:00Z', { page: 'pricing' }),
      ev('x3', 'signup', '2024-03-02T10:00:00Z'),
      ev('x3', 'view', '2024-03-02T10:01:00Z', { page: 'home' }),
      ev('x3', 'view', '2024-03-02T10:02:00Z', { page: 'pricing' }),
    ],
    // Breakdown by $browser (and person plan): signup → buy.
    breakdown: [
      ev('b1', 'signup', '2024-03-01T10:00:00Z', { $browser: 'Chrome', $set: { plan: 'pro' } }),
      ev('b1', 'buy', '2024-03-01T11:00:00Z', { $browser: 'Firefox' }),
      ev('b2', 'signup', '2024-03-01T10:00:00Z', { $set: { plan: 'free' } }),
      ev('b2', 'buy', '2024-03-01T11:00:00Z', { $browser: 'Safari' }),
      ev('b3', 'signup', '2024-03-01T10:00:00Z', { $browser: 'Chrome' }),
    ],
    // signup → buy after 60, 120, 600 and 3600 s; c5 never buys.
    ttc: [
      ev('c1', 'signup', '2024-03-01T10:00:00Z'),
      ev('c1', 'buy', '2024-03-01T10:01:00Z'),
      ev('c2', 'signup', '2024-03-01T10:00:00Z'),
      ev('c2', 'buy', '2024-03-01T10:02:00Z'),
      ev('c3', 'signup', '2024-03-01T10:00:00Z'),
      ev('c3', 'buy', '2024-03-01T10:10:00Z'),
      ev('c4', 'signup', '2024-03-01T10:00:00Z'),
      ev('c4', 'buy', '2024-03-01T11:00:00Z'),
      ev('c5', 'signup', '2024-03-01T10:00:00Z'),
    ],
    // Conversion trends, window 1 day: Mar 1 tA converts, tB does not; Mar 2 tC converts the next
    // morning, tA enters again and does not convert; Mar 3 nobody enters.
    trends: [
      ev('tA', 'signup', '2024-03-01T10:00:00Z'),
      ev('tA', 'buy', '2024-03-01T11:00:00Z'),
      ev('tB', 'signup', '2024-03-01T12:00:00Z'),
      ev('tC', 'signup', '2024-03-02T10:00:00Z'),
      ev('tC', 'buy', '2024-03-03T09:00:00Z'),
      ev('tA', 'signup', '2024-03-02T15:00:00Z'),
    ],
    // Aggregation by company (group type 0): acme converts across two persons, globex does not, events
    // without a company do not count.
    groups: [
      ev('g1', 'signup', '2024-03-01T10:00:00Z', { $groups: { company: 'acme' } }),
      ev('g2', 'buy', '2024-03-01T11:00:00Z', { $groups: { company: 'acme' } }),
      ev('g3', 'signup', '2024-03-01T10:00:00Z', { $groups: { company: 'globex' } }),
      ev('g4', 'signup', '2024-03-01T10:00:00Z'),
      ev('g4', 'buy', '2024-03-01T11:00:00Z'),
    ],
    // Per-step window on buy (10 minutes after view) and an optional view.
    extensions: [
      ev('s1', 'signup', '2024-03-01T10:00:00Z'),
      ev('s1', 'view', '2024-03-01T10:05:00Z'),
      ev('s1', 'buy', '2024-03-01T10:14:00Z'),
      ev('s2', 'signup', '2024-03-01T10:00:00Z'),
      ev('s2', 'view', '2024-03-01T10:05:00Z'),
      ev('s2', 'buy', '2024-03-01T10:16:00Z'),
      ev('o1', 'signup', '2024-03-02T10:00:00Z'),
      ev('o1', 'view', '2024-03-02T10:01:00Z'),
      ev('o1', 'buy', '2024-03-02T10:02:00Z'),
      ev('o2', 'signup', '2024-03-02T10:00:00Z'),
      ev('o2', 'buy', '2024-03-02T10:05:00Z'),
      ev('o3', 'signup', '2024-03-02T10:00:00Z'),
      ev('o3', 'view', '2024-03-02T10:02:00Z'),
    ],
  };
  // Person properties reach ClickHouse in the background: wait for the breakdown project's plans.
  const waits: Record<string, [string, unknown]> = { breakdown: ["SELECT count() FROM persons WHERE properties.plan IN ('pro', 'free')", 2] };
  const ids = await Promise.all(Object.entries(projects).map(([name, batch]) => project(name, batch, waits[name])));
  Object.keys(projects).forEach((name, i) => (P[name] = ids[i]!));
}, 60_000);
afterAll(() => server?.dispose());

describe('FunnelsQuery steps', () => {
  it('counts actors per step cumulatively, in order, within the date range, with PostHog’s step objects', async () => {
    const body = await funnel(P.basic!, { series: [node('signup', { custom_name: 'Sign up' }), node('view'), node('buy')] });
    // p1..p4 and p6 sign up; p1, p2 view after signing up (p6's view is after date_to); p1 buys.
    expect(counts(body.results)).toEqual([5, 2, 1]);
    expect(body.results[0]).toEqual({
      action_id: 'signup',
      name: 'signup',
      custom_name: 'Sign up',
      order: 0,
      people: [],
      count: 5,
      type: 'events',
      average_conversion_time: null,
      median_conversion_time: null,
    });
    expect(body.results[1]).toMatchObject({ action_id: 'view', name: 'view', custom_name: null, order: 1, average_conversion_time: 1200, median_conversion_time: 1200 });
    expect(body.results[2]).toMatchObject({ order: 2, average_conversion_time: 3600, median_conversion_time: 3600 });
    expect(body.resolved_date_range).toEqual({ date_from: '2024-03-01T00:00:00Z', date_to: '2024-03-31T23:59:59.999999Z' });
    expect(body.hogql).toContain('FROM events');
  });

  it('measures the window from the first step: exactly at the window converts, one second over does not', async () => {
    const body = await funnel(P.window!, { funnelsFilter: { funnelWindowInterval: 1, funnelWindowIntervalUnit: 'hour' } });
    expect(counts(body.results)).toEqual([3, 2, 1]);
    // In seconds: 3600 is still in, 3601 is out.
    const seconds = await funnel(P.window!, { funnelsFilter: { funnelWindowInterval: 3600, funnelWindowIntervalUnit: 'second' } });
    expect(counts(seconds.results)).toEqual([3, 2, 1]);
    const shorter = await funnel(P.window!, { funnelsFilter: { funnelWindowInterval: 3599, funnelWindowIntervalUnit: 'second' } });
    expect(counts(shorter.results)).toEqual([3, 2, 0]);
  });

  it('restarts attempts at every first step and keeps the furthest; one event per step, the first after the previous', async () => {
    const body = await funnel(P.restart!, { funnelsFilter: { funnelWindowInterval: 1, funnelWindowIntervalUnit: 'day' } });
    expect(counts(body.results)).toEqual([3, 3, 2]);
    // view: r1 60, r2 600 (from the newest signup), r3 7200; buy: r1 120, r2 1200.
    expect(averages(body.results)).toEqual([null, 2620, 660]);
    expect(body.results[1]!.median_conversion_time).toBe(600);
  });

  it('processes events at the same instant in step order, and uses an event for one step only', async () => {
    const body = await funnel(P.sametime!, {});
    // s1 converts; its 0-second signup → view conversion is left out of the average, as in PostHog.
    // d1 and d2 only sign up.
    expect(counts(body.results)).toEqual([3, 1, 1]);
    expect(averages(body.results)).toEqual([null, null, 300]);
    const twice = await funnel(P.sametime!, { series: [node('signup'), node('signup')] });
    // d1's single signup cannot be both steps; d2's second signup is step 2 (300 s). s1 signs up once.
    expect(counts(twice.results)).toEqual([3, 1]);
    expect(averages(twice.results)).toEqual([null, 300]);
  });

  it('strict order resets on any other event; ordered does not', async () => {
    const strict = await funnel(P.strict!, { funnelsFilter: { funnelOrderType: 'strict' } });
    // t1 converts; t2 stops at signup (other before view); t3 stops at view; t4 repeats view, then buys.
    expect(counts(strict.results)).toEqual([4, 3, 2]);
    const ordered = await funnel(P.strict!, { funnelsFilter: { funnelOrderType: 'ordered' } });
    expect(counts(ordered.results)).toEqual([4, 4, 3]);
  });

  it('unordered funnels count steps done in any order within the window, as "Completed N steps"', async () => {
    const body = await funnel(P.unordered!, { funnelsFilter: { funnelOrderType: 'unordered', funnelWindowInterval: 1, funnelWindowIntervalUnit: 'day' } });
    // u1 all three (sorted first times 10:00, 10:10, 10:20); u2 two (7200 s); u3 one; u4 two days apart: one.
    expect(counts(body.results)).toEqual([4, 2, 1]);
    expect(body.results.map((s) => [s.name, s.action_id])).toEqual([
      ['Completed 1 step', null],
      ['Completed 2 steps', null],
      ['Completed 3 steps', null],
    ]);
    expect(averages(body.results)).toEqual([null, 3900, 600]);
  });
});

describe('FunnelsQuery exclusions', () => {
  it('drops an actor whose best attempt has an exclusion event between the steps of its range', async () => {
    const body = await funnel(P.exclusions!, {
      funnelsFilter: { exclusions: [{ kind: 'EventsNode', event: 'cancel', funnelFromStep: 1, funnelToStep: 2 }] },
    });
    // e1 cancels between view and buy, e4 after view without buying: both dropped from every step.
    // e2 cancels after converting, e3 before view (outside the range): both convert. x1..x3 view, never buy.
    expect(counts(body.results)).toEqual([5, 5, 2]);
    const all = await funnel(P.exclusions!, {});
    expect(counts(all.results)).toEqual([7, 7, 3]);
  });

  it('exclusions with property filters (beyond PostHog) exclude only the matching events', async () => {
    const body = await funnel(P.exclusions!, {
      series: [node('signup'), node('view', { properties: [{ key: 'page', value: 'pricing', type: 'event' }] })],
      funnelsFilter: {
        exclusions: [{ kind: 'EventsNode', event: 'view', properties: [{ key: 'page', value: 'refund', type: 'event' }], funnelFromStep: 0, funnelToStep: 1 }],
      },
    });
    // x1 views the refund page before pricing: dropped. x2 and x3 (home is no exclusion) convert; e1..e4's
    // views have no page: they sign up only.
    expect(counts(body.results)).toEqual([6, 2]);
  });
});

describe('FunnelsQuery breakdowns', () => {
  const signupBuy = [node('signup'), node('buy')];
  const browser = { breakdown: '$browser', breakdown_type: 'event' };

  it('first touch (default): the value of the actor’s first event that has one; a missing value is ""', async () => {
    const body = await funnel<Step[][]>(P.breakdown!, { series: signupBuy, breakdownFilter: browser });
    // b1 Chrome (signup), b2 Safari (its buy is its first event with a browser), b3 Chrome.
    expect(byValue(body.results)).toEqual([
      ['Chrome', [2, 1]],
      ['Safari', [1, 1]],
    ]);
    expect(body.results[0]![0]).toMatchObject({ breakdown: 'Chrome', breakdown_value: 'Chrome', action_id: 'signup' });
  });

  it('last touch: the value of the actor’s last event that has one', async () => {
    const body = await funnel<Step[][]>(P.breakdown!, { series: signupBuy, breakdownFilter: browser, funnelsFilter: { breakdownAttributionType: 'last_touch' } });
    expect(byValue(body.results)).toEqual([
      ['Firefox', [1, 1]],
      ['Safari', [1, 1]],
      ['Chrome', [1, 0]],
    ]);
  });

  it('step attribution: the value on the chosen step’s event; all events: every step must have the value', async () => {
    const step = await funnel<Step[][]>(P.breakdown!, {
      series: signupBuy,
      breakdownFilter: browser,
      funnelsFilter: { breakdownAttributionType: 'step', breakdownAttributionValue: 1 },
    });
    // b1's buy is Firefox, b2's Safari; b3 never buys: the empty value.
    expect(byValue(step.results)).toEqual([
      ['Firefox', [1, 1]],
      ['Safari', [1, 1]],
      ['', [1, 0]],
    ]);
    const all = await funnel<Step[][]>(P.breakdown!, { series: signupBuy, breakdownFilter: browser, funnelsFilter: { breakdownAttributionType: 'all_events' } });
    // Chrome: b1 and b3 sign up with it, nobody buys with it; '': b2's signup. Firefox/Safari have no signup.
    expect(byValue(all.results)).toEqual([
      ['Chrome', [2, 0]],
      ['', [1, 0]],
    ]);
  });

  it('keeps breakdown_limit values and merges the rest into Other (or hides it)', async () => {
    const body = await funnel<Step[][]>(P.breakdown!, { series: signupBuy, breakdownFilter: { ...browser, breakdown_limit: 1 } });
    expect(byValue(body.results)).toEqual([
      ['Chrome', [2, 1]],
      ['Other', [1, 1]],
    ]);
    const hidden = await funnel<Step[][]>(P.breakdown!, { series: signupBuy, breakdownFilter: { ...browser, breakdown_limit: 1, breakdown_hide_other_aggregation: true } });
    expect(byValue(hidden.results)).toEqual([['Chrome', [2, 1]]]);
  });

  it('several breakdowns at once (beyond PostHog): values are lists, one string per breakdown', async () => {
    const body = await funnel<Step[][]>(P.breakdown!, {
      series: signupBuy,
      breakdownFilter: { breakdowns: [{ property: '$browser', type: 'event' }, { property: 'plan', type: 'person' }] },
    });
    // First event with any value: b1 [Chrome, pro]; b2 ['', free] (its signup has the person's plan); b3 [Chrome, ''].
    expect(byValue(body.results)).toEqual([
      [['', 'free'], [1, 1]],
      [['Chrome', 'pro'], [1, 1]],
      [['Chrome', ''], [1, 0]],
    ]);
  });
});

describe('FunnelsQuery other visualizations and actors', () => {
  it('time_to_convert: PostHog’s bins from the fastest to the slowest conversion, and the average', async () => {
    const series = [node('signup'), node('buy')];
    const auto = await funnel<{ bins: number[][]; average_conversion_time: number }>(P.ttc!, { series, funnelsFilter: { funnelVizType: 'time_to_convert' } });
    // 4 conversions → ceil(cbrt(4)) = 2 bins of ceil((3600 - 60) / 2) = 1770 s from 60.
    expect(auto.results).toEqual({ bins: [[60, 3], [1830, 0], [3600, 1]], average_conversion_time: 1095 });
    const three = await funnel<{ bins: number[][] }>(P.ttc!, { series, funnelsFilter: { funnelVizType: 'time_to_convert', binCount: 3 } });
    expect(three.results.bins).toEqual([[60, 3], [1240, 0], [2420, 0], [3600, 1]]);
  });

  it('trends: the conversion rate (%) of each entrance period, zero-filled', async () => {
    const body = await funnel<{ count: number; data: number[]; days: string[]; labels: string[] }[]>(P.trends!, {
      series: [node('signup'), node('buy')],
      dateRange: { date_from: '2024-03-01', date_to: '2024-03-03' },
      funnelsFilter: { funnelVizType: 'trends', funnelWindowInterval: 1, funnelWindowIntervalUnit: 'day' },
    });
    expect(body.results).toEqual([
      { count: 3, data: [50, 50, 0], days: ['2024-03-01', '2024-03-02', '2024-03-03'], labels: ['1-Mar-2024', '2-Mar-2024', '3-Mar-2024'] },
    ]);
  });

  it('aggregates by group with aggregation_group_type_index', async () => {
    const body = await funnel(P.groups!, { series: [node('signup'), node('buy')], aggregation_group_type_index: 0 });
    expect(counts(body.results)).toEqual([2, 1]);
    const persons = await funnel(P.groups!, { series: [node('signup'), node('buy')] });
    // By person: g1, g3, g4 sign up; only g4 buys itself.
    expect(counts(persons.results)).toEqual([3, 1]);
  });

  it('a window per step (beyond PostHog) and optional steps', async () => {
    const stepWindow = await funnel(P.extensions!, {
      series: [node('signup'), node('view'), node('buy', { funnelStepWindow: { interval: 10, unit: 'minute' } })],
      dateRange: { date_from: '2024-03-01', date_to: '2024-03-01' },
    });
    // s1 buys 9 minutes after viewing, s2 11 minutes after.
    expect(counts(stepWindow.results)).toEqual([2, 2, 1]);
    const optional = await funnel(P.extensions!, {
      series: [node('signup'), node('view', { optionalInFunnel: true }), node('buy')],
      dateRange: { date_from: '2024-03-02', date_to: '2024-03-02' },
    });
    // o1 all; o2 skips view; o3 views only. Buy's time is from the previous step reached: o1 60, o2 300.
    expect(counts(optional.results)).toEqual([3, 2, 2]);
    expect(averages(optional.results)).toEqual([null, 90, 180]);
  });

  it('lists the actors who reached a step, or dropped off before it, through ActorsQuery', async () => {
    expect(await actors(P.basic!, {}, { funnelStep: 1 })).toEqual(['p1', 'p2', 'p3', 'p4', 'p6']);
    expect(await actors(P.basic!, {}, { funnelStep: 2 })).toEqual(['p1', 'p2']);
    expect(await actors(P.basic!, {}, { funnelStep: -2 })).toEqual(['p3', 'p4', 'p6']);
    expect(await actors(P.basic!, {}, { funnelStep: 3 })).toEqual(['p1']);
    expect(await actors(P.basic!, {}, { funnelStep: -3 })).toEqual(['p2']);
    const breakdown = { series: [node('signup'), node('buy')], breakdownFilter: { breakdown: '$browser', breakdown_type: 'event' } };
    expect(await actors(P.breakdown!, breakdown, { funnelStep: 1, funnelStepBreakdown: 'Chrome' })).toEqual(['b1', 'b3']);
    expect(await actors(P.breakdown!, breakdown, { funnelStep: -2, funnelStepBreakdown: 'Chrome' })).toEqual(['b3']);
  });

  it('answers bad input with a 400 that says what is wrong', async () => {
    const bad = async (query: Record<string, unknown>, detail: RegExp) => {
      const res = await postQuery(server, P.basic!, { kind: 'FunnelsQuery', series: SIGNUP_VIEW_BUY, dateRange: MARCH, ...query });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.detail).toMatch(detail);
    };
    await bad({ series: [node('signup')] }, /at least two steps/);
    await bad({ funnelsFilter: { funnelOrderType: 'sideways' } }, /funnelOrderType/);
    await bad({ funnelsFilter: { funnelWindowIntervalUnit: 'fortnight' } }, /funnelWindowIntervalUnit/);
    await bad({ funnelsFilter: { exclusions: [{ kind: 'EventsNode', event: 'view', funnelFromStep: 0, funnelToStep: 1 }] } }, /cannot contain an event that's part of funnel steps/);
    await bad({ funnelsFilter: { exclusions: [{ kind: 'EventsNode', event: 'cancel', funnelFromStep: 1, funnelToStep: 1 }] } }, /End of range should be greater than start/);
    await bad({ funnelsFilter: { funnelToStep: 3 } }, /funnelToStep is out of bounds/);
    await bad({ series: [node('signup', { optionalInFunnel: true }), node('buy')] }, /first step of a funnel cannot be optional/);
    await bad({ series: [node('signup', { funnelStepWindow: { interval: 1, unit: 'hour' } }), node('buy')] }, /first step/);
    await bad({ dateRange: { date_from: 'yesterday-ish' } }, /date_from/);
    const actorsRes = await postQuery(server, P.basic!, {
      kind: 'ActorsQuery',
      source: { kind: 'FunnelsActorsQuery', source: { kind: 'FunnelsQuery', series: SIGNUP_VIEW_BUY, dateRange: MARCH }, funnelStep: -1 },
    });
    expect(actorsRes.status).toBe(400);
    expect(actorsRes.body.detail).toMatch(/-2/);
  });
});

// ------------------------------------------------------------------------------------------------
// Differential check against a port of PostHog's funnel UDF (funnel-udf/src/steps.rs and
// unordered_steps.rs), replaying each actor's events exactly as the UDF does, on seeded random event
// sequences: second-granular timestamps (many same-time events), a few seconds' window, exclusions,
// optional steps and every breakdown attribution.

interface UdfEvent {
  t: number;
  id: number;
  bd: string;
  steps: number[];
}
interface UdfArgs {
  n: number;
  W: number;
  attribution: string;
  order: string;
  propVals: string[];
  optional: number[];
  events: UdfEvent[];
}
interface UdfState {
  t: number;
  excluded: boolean;
  timings: number[];
  ids: number[];
  steps: number;
}
const udfDefault = (): UdfState => ({ t: 0, excluded: false, timings: [], ids: [], steps: 0 });
const udfClone = (e: UdfState): UdfState => ({ t: e.t, excluded: e.excluded, timings: [...e.timings], ids: [...e.ids], steps: e.steps });

/** steps.rs: per breakdown value, [steps bitmask of the best attempt, its step times], or null if excluded / not entered. */
function udfOrdered(a: UdfArgs): Map<string, [number, number[]] | null> {
  const out = new Map<string, [number, number[]] | null>();
  const breakdownStep = a.attribution.startsWith('step_') ? Number(a.attribution.slice(5)) : null;
  for (const pv of a.propVals) {
    let max: [number, UdfState] = [0, udfDefault()];
    const entered = Array.from({ length: a.n + 1 }, udfDefault);
    const process = (event: UdfEvent, multi: boolean) => {
      for (const raw of [...event.steps].reverse()) {
        const exclusion = raw < 0;
        const step = Math.abs(raw);
        let prev = step - 1;
        let inWindow = entered[prev]!.t !== 0 && event.t - entered[prev]!.t <= a.W;
        while (prev > 0 && !inWindow && a.optional.includes(prev)) {
          prev--;
          inWindow = entered[prev]!.t !== 0 && event.t - entered[prev]!.t <= a.W;
        }
        const already = entered[step]!.t === entered[prev]!.t && entered[step]!.t !== 0;
        if (!inWindow || already) continue;
        const ps = entered[prev]!;
        if (exclusion) {
          if (!ps.excluded) {
            ps.excluded = true;
            if (max[0] === prev && event.t - max[1].t <= a.W) max[1].excluded = true;
          }
        } else if (!(breakdownStep === prev && pv !== event.bd) && !(multi && ps.ids.includes(event.id))) {
          const next: UdfState = { ...udfClone(ps), steps: ps.steps | (1 << (step - 1)) };
          if (!a.optional.includes(step)) {
            next.timings.push(event.t);
            next.ids.push(event.id);
          }
          if (!ps.excluded) entered[step] = udfClone(next);
          if (step > max[0] || (step === max[0] && max[1].excluded)) max = [step, udfClone(next)];
        }
      }
      if (!multi && a.order === 'strict') for (let i = 1; i <= a.n; i++) if (!event.steps.includes(i)) entered[i] = udfDefault();
    };
    const events = a.events.filter((e) => a.attribution !== 'all_events' || e.bd === pv);
    for (let i = 0; i < events.length; ) {
      let j = i;
      while (j < events.length && events[j]!.t === events[i]!.t) j++;
      const group = events.slice(i, j);
      i = j;
      entered[0] = { ...udfDefault(), t: group[0]!.t };
      if (group.every((e) => String(e.steps) === String(group[0]!.steps))) for (const e of group) process(e, false);
      else {
        const flat = group.flatMap((e) => e.steps.filter((s) => s > 0).map((s) => ({ ...e, steps: [s] })));
        flat.sort((x, y) => x.steps[0]! - y.steps[0]!);
        for (const e of flat) process(e, true);
      }
      if (entered[a.n]!.t > 0) break;
    }
    out.set(pv, max[1].excluded || max[0] === 0 ? null : [max[1].steps, max[1].timings]);
  }
  return out;
}

/** unordered_steps.rs. */
function udfUnordered(a: UdfArgs): Map<string, [number, number[]] | null> {
  const out = new Map<string, [number, number[]] | null>();
  const breakdownStep = a.attribution.startsWith('step_') ? Number(a.attribution.slice(5)) : null;
  for (const pv of a.propVals) {
    const byStep: UdfEvent[][] = Array.from({ length: a.n }, () => []);
    let max: [number, number[]] = [0, []];
    let completed = 0;
    const update = () => {
      if (completed > max[0]) max = [completed, byStep.filter((d) => d.length).map((d) => d[0]!.t).sort((x, y) => x - y)];
    };
    const events = a.events.filter((e) => a.attribution !== 'all_events' || e.bd === pv);
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      for (;;) {
        let oldest = -1;
        for (let k = 0; k < a.n; k++) if (byStep[k]!.length && (oldest < 0 || byStep[k]![0]!.t < byStep[oldest]![0]!.t)) oldest = k;
        if (oldest < 0 || (completed < a.n && byStep[oldest]![0]!.t + a.W >= event.t)) break;
        update();
        byStep[oldest]!.shift();
        if (!byStep[oldest]!.length) completed--;
      }
      if (event.steps.every((s) => s < 0)) {
        for (const d of byStep) d.length = 0;
        completed = 0;
      } else if (!(breakdownStep !== null && completed === breakdownStep && pv !== event.bd)) {
        const step = event.steps.filter((s) => s > 0).sort((x, y) => (byStep[x - 1]!.at(-1)?.t ?? 0) - (byStep[y - 1]!.at(-1)?.t ?? 0))[0]!;
        if (!byStep[step - 1]!.length) completed++;
        byStep[step - 1]!.push(event);
      }
      if (max[0] === a.n) break;
      if (i === events.length - 1) update();
    }
    out.set(pv, max[0] === 0 ? null : [2 ** max[0] - 1, max[1]]);
  }
  return out;
}

describe('FunnelsQuery against a port of PostHog’s funnel UDF', () => {
  let seed = 20240301;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
  const BASE = Date.UTC(2024, 2, 5, 12);
  const scenarios = Array.from({ length: 16 }, (_, i) => {
    const order = ['ordered', 'strict', 'unordered', 'ordered'][i % 4]!;
    const exclusions = i % 3 === 0 ? (order === 'unordered' ? [[0, 2]] : [pick([[0, 1], [1, 2], [0, 2]])!]) : [];
    const optional = order !== 'unordered' && i % 5 === 2 ? [2] : [];
    const attribution = optional.length ? 'none' : pick(['none', 'first_touch', 'last_touch', 'all_events', 'step']);
    const attributionStep = attribution === 'step' ? (order === 'unordered' ? 0 : pick([0, 1, 2])) : 0;
    const windowSeconds = pick([3, 5, 8]);
    const events: { who: string; event: string; t: number; bd: string | null }[] = [];
    for (let a = 0; a < 25; a++) {
      const count = 1 + Math.floor(random() * 8);
      for (let e = 0; e < count; e++) {
        const name = pick(['a', 'b', 'c', 'a', 'b', 'c', ...(exclusions.length ? ['x'] : []), ...(order === 'strict' ? ['o'] : [])]);
        events.push({ who: `r${i}-${a}`, event: name, t: BASE + Math.floor(random() * 14) * 1000, bd: pick(['p', 'q', null]) });
      }
    }
    return { i, order, exclusions, optional, attribution, attributionStep, windowSeconds, events };
  });
  const projects: number[] = [];
  beforeAll(async () => {
    projects.push(
      ...(await Promise.all(
        scenarios.map((sc) => project(`udf ${sc.i}`, sc.events.map((e) => ev(e.who, e.event, new Date(e.t).toISOString(), e.bd === null ? {} : { bd: e.bd })))),
      )),
    );
  }, 60_000);

  it.each(scenarios.map((sc) => [sc.i, `${sc.order}, exclusions ${JSON.stringify(sc.exclusions)}, optional ${JSON.stringify(sc.optional)}, ${sc.attribution}`, sc] as const))(
    'scenario %i: %s',
    async (i, _label, sc) => {
      const n = 3;
      // Expected: the UDF on each actor's events, in the order the engine reads them (time, lowest step).
      const expected = new Map<string, { counts: number[]; times: number[][] }>();
      const actors = [...new Set(sc.events.map((e) => e.who))];
      for (const who of actors) {
        const evs = sc.events
          .filter((e) => e.who === who)
          .map((e, id) => {
            const steps = ['a', 'b', 'c'].flatMap((s, k) => (e.event === s ? [k + 1] : []));
            for (let k = 1; k < n; k++) if (e.event === 'x' && sc.exclusions.some(([from, to]) => from! < k && k <= to!)) steps.push(-(k + 1));
            const lowest = steps.filter((s) => s > 0)[0] ?? n + 1;
            return { t: e.t, id, bd: e.bd ?? '', raw: e.bd, steps, order: lowest * 1000 + steps.reduce((m, s) => m + 2 ** (Math.abs(s) + (s < 0 ? 8 : 0)), 0) };
          })
          .filter((e) => sc.order === 'strict' || e.steps.length > 0)
          .sort((x, y) => x.t - y.t || x.order - y.order);
        if (!evs.some((e) => e.steps.some((s) => s > 0))) continue;
        const valued = evs.filter((e) => e.raw !== null);
        let propVals: string[];
        if (sc.attribution === 'none') propVals = [''];
        else if (sc.attribution === 'first_touch' || sc.attribution === 'last_touch') {
          const first = sc.attribution === 'first_touch';
          const t = first ? Math.min(...valued.map((e) => e.t)) : Math.max(...valued.map((e) => e.t));
          const values = valued.filter((e) => e.t === t).map((e) => e.bd).sort();
          propVals = [values.length ? (first ? values[0]! : values.at(-1)!) : ''];
        } else if (sc.attribution === 'all_events') propVals = [...new Set(evs.map((e) => e.bd))];
        else {
          propVals = [...new Set(evs.filter((e) => sc.order === 'unordered' || e.steps.includes(sc.attributionStep + 1)).map((e) => e.bd))];
          if (!propVals.length) propVals = [''];
        }
        const args = { n, W: sc.windowSeconds * 1000, attribution: sc.attribution === 'step' ? `step_${sc.attributionStep}` : sc.attribution, order: sc.order, propVals, optional: sc.optional, events: evs };
        for (const [pv, result] of sc.order === 'unordered' ? udfUnordered(args) : udfOrdered(args)) {
          if (!result) continue;
          const [mask, times] = result;
          let e = expected.get(pv);
          if (!e) expected.set(pv, (e = { counts: [0, 0, 0], times: [[], [], []] }));
          for (let k = 0; k < n; k++) if (mask & (1 << k)) e.counts[k]!++;
          if (!sc.optional.length) for (let k = 1; k < times.length; k++) if (times[k]! > times[k - 1]!) e.times[k]!.push((times[k]! - times[k - 1]!) / 1000);
        }
      }
      const body = await funnel<Step[] | Step[][]>(projects[i]!, {
        series: ['a', 'b', 'c'].map((e, k) => node(e, sc.optional.includes(k + 1) ? { optionalInFunnel: true } : {})),
        dateRange: { date_from: '2024-03-05', date_to: '2024-03-05' },
        ...(sc.attribution === 'none' ? {} : { breakdownFilter: { breakdown: 'bd', breakdown_type: 'event', breakdown_limit: 100 } }),
        funnelsFilter: {
          funnelOrderType: sc.order,
          funnelWindowInterval: sc.windowSeconds,
          funnelWindowIntervalUnit: 'second',
          exclusions: sc.exclusions.map(([from, to]) => ({ kind: 'EventsNode', event: 'x', funnelFromStep: from, funnelToStep: to })),
          ...(sc.attribution === 'none' ? {} : { breakdownAttributionType: sc.attribution, breakdownAttributionValue: sc.attributionStep }),
        },
      });
      const groups = sc.attribution === 'none' ? (body.results.length ? [body.results as Step[]] : []) : (body.results as Step[][]);
      const got = Object.fromEntries(groups.map((g) => [String(sc.attribution === 'none' ? '' : g[0]!.breakdown_value), { counts: counts(g), averages: averages(g) }]));
      const want = Object.fromEntries(
        [...expected].map(([pv, e]) => [pv, { counts: e.counts, averages: e.times.map((ts, k) => (k === 0 || !ts.length ? null : ts.reduce((x, y) => x + y, 0) / ts.length)) }]),
      );
      if (sc.optional.length) for (const v of [...Object.values(got), ...Object.values(want)]) v.averages = [];
      for (const v of Object.values(got)) v.averages = v.averages.map((a) => (a === null ? null : Math.round(a * 1e6) / 1e6));
      for (const v of Object.values(want)) v.averages = v.averages.map((a) => (a === null ? null : Math.round(a * 1e6) / 1e6));
      expect(want['']?.counts[0] ?? Object.values(want)[0]?.counts[0]).toBeGreaterThan(0);
      expect(got).toEqual(want);
    },
  );
});

describe('FunnelsQuery samplingFactor', () => {
  // s0000…s1999 sign up on 03-05 10:00; ids with i % 2 = 0 view at 10:30, ids with i % 4 = 0 buy at 11:00.
  // Whole data: [2000, 1000, 500], 1800 s per step; entrance day 03-05 converts 500 / 2000 = 25%.
  const ids = sampledIds();
  let sampling: number;
  let inSample: number[];

  beforeAll(async () => {
    const batch = ids.flatMap(({ id, i }) => [
      ev(id, 'signup', '2024-03-05T10:00:00Z'),
      ...(i % 2 === 0 ? [ev(id, 'view', '2024-03-05T10:30:00Z')] : []),
      ...(i % 4 === 0 ? [ev(id, 'buy', '2024-03-05T11:00:00Z')] : []),
    ]);
    sampling = await samplingProject(server, 'funnels sampling', batch);
    inSample = [...(await sampled(server, sampling, 0.1))];
  }, 90_000);

  it('samplingFactor 1 / null: the exact funnel', async () => {
    for (const samplingFactor of [1, null]) {
      const body = await funnel(sampling, { samplingFactor });
      expect(counts(body.results)).toEqual([2000, 1000, 500]);
      expect(averages(body.results)).toEqual([null, 1800, 1800]);
      expect(body.hogql).not.toContain('SAMPLE');
    }
  });

  it('a 10% sample of distinct ids: step counts scaled back, conversion times and rates not', async () => {
    const expected = [inSample.length, inSample.filter((i) => i % 2 === 0).length, inSample.filter((i) => i % 4 === 0).length].map((n) => n * 10);
    const body = await funnel(sampling, { samplingFactor: 0.1 });
    expect(counts(body.results)).toEqual(expected);
    expected.forEach((n, k) => expect(Math.abs(n - [2000, 1000, 500][k]!) / [2000, 1000, 500][k]!).toBeLessThan(0.3));
    expect(averages(body.results)).toEqual([null, 1800, 1800]);
    expect(body.hogql).toContain('SAMPLE 0.1');
    // The same ids every time.
    expect(counts((await funnel(sampling, { samplingFactor: 0.1 })).results)).toEqual(expected);
    // Conversion trends report a rate: the sample's own, unscaled.
    const trends = await funnel<{ data: number[]; days: string[] }[]>(sampling, {
      samplingFactor: 0.1,
      dateRange: { date_from: '2024-03-04', date_to: '2024-03-06' },
      funnelsFilter: { funnelVizType: 'trends' },
    });
    const rate = Math.round((inSample.filter((i) => i % 4 === 0).length / inSample.length) * 10000) / 100;
    expect(trends.results[0]!.data).toEqual([0, rate, 0]);
    expect(Math.abs(rate - 25)).toBeLessThan(7);
    // The actors of a sampled step are the sampled ids.
    const buyers = await actors(sampling, { samplingFactor: 0.1 }, { funnelStep: 3 });
    expect(buyers).toEqual(ids.filter(({ i }) => i % 4 === 0 && inSample.includes(i)).map(({ id }) => id));
  });
});

describe('FunnelsQuery project week_start_day', () => {
  it('conversion trends by week follow week_start_day', async () => {
    // q1 signs up and buys on Sun 03-03; q2 signs up on Mon 03-04 and never buys. Range 03-03..03-09.
    const id = await project('monday weeks', [ev('q1', 'signup', '2024-03-03T10:00:00Z'), ev('q1', 'buy', '2024-03-03T11:00:00Z'), ev('q2', 'signup', '2024-03-04T10:00:00Z')], [
      'SELECT count() FROM persons',
      2,
    ]);
    const weekly = { series: [node('signup'), node('buy')], interval: 'week', dateRange: { date_from: '2024-03-03', date_to: '2024-03-09' }, funnelsFilter: { funnelVizType: 'trends' } };
    // Sunday weeks: one week (03-03..03-09), 1 of 2 entrances converts.
    const sunday = await funnel<{ data: number[]; days: string[] }[]>(id, weekly);
    expect([sunday.results[0]!.days, sunday.results[0]!.data]).toEqual([['2024-03-03'], [50]]);
    const res = await api(server, `/api/projects/${id}/`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ week_start_day: 1 }) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // Monday weeks: 02-26..03-03 (q1 converts) and 03-04.. (q2 does not).
    const monday = await funnel<{ data: number[]; days: string[] }[]>(id, weekly);
    expect([monday.results[0]!.days, monday.results[0]!.data]).toEqual([['2024-02-26', '2024-03-04'], [100, 0]]);
  });
});

describe('FunnelsQuery compareFilter', () => {
  // Current week 03-08..03-14: u1 signs up 03-09 10:00, views 10:10 (600 s), buys 03-10 10:00 (85800 s);
  // u2 signs up 03-10 10:00, views 10:30 (1800 s). Previous week 03-01..03-07: u3 signs up 03-02 10:00,
  // views 03-03 10:00 (86400 s). Plans (on signup): u1 a, u2 b, u3 c.
  let id: number;
  const WEEK = { date_from: '2024-03-08', date_to: '2024-03-14' };
  beforeAll(async () => {
    id = await project(
      'compare',
      [
        ev('u1', 'signup', '2024-03-09T10:00:00Z', { plan: 'a' }),
        ev('u1', 'view', '2024-03-09T10:10:00Z'),
        ev('u1', 'buy', '2024-03-10T10:00:00Z'),
        ev('u2', 'signup', '2024-03-10T10:00:00Z', { plan: 'b' }),
        ev('u2', 'view', '2024-03-10T10:30:00Z'),
        ev('u3', 'signup', '2024-03-02T10:00:00Z', { plan: 'c' }),
        ev('u3', 'view', '2024-03-03T10:00:00Z'),
      ],
      ['SELECT count() FROM persons', 3],
    );
  }, 60_000);
  const rows = (steps: (Step & { compare?: boolean; compare_label?: string })[]) => steps.map((s) => [s.compare_label, s.order, s.count, s.average_conversion_time]);

  it('steps: the current funnel, then the previous period’s, each step tagged', async () => {
    const body = await funnel<(Step & { compare?: boolean; compare_label?: string })[]>(id, { dateRange: WEEK, compareFilter: { compare: true } });
    expect(rows(body.results)).toEqual([
      ['current', 0, 2, null],
      ['current', 1, 2, 1200],
      ['current', 2, 1, 85800],
      ['previous', 0, 1, null],
      ['previous', 1, 1, 86400],
      ['previous', 2, 0, null],
    ]);
    expect(body.results.every((s) => s.compare === true)).toBe(true);
    expect(body.resolved_date_range.date_from).toBe('2024-03-08T00:00:00Z');
    // compare_to -2w: 02-23..02-29 has nobody, so its side is the current steps zeroed.
    const empty = await funnel<(Step & { compare_label?: string })[]>(id, { dateRange: WEEK, compareFilter: { compare: true, compare_to: '-2w' } });
    expect(rows(empty.results).slice(3)).toEqual([
      ['previous', 0, 0, null],
      ['previous', 1, 0, null],
      ['previous', 2, 0, null],
    ]);
  });

  it('breakdown: current funnels then previous ones in the same value order, zeroed where a value is missing', async () => {
    const body = await funnel<(Step & { compare_label?: string })[][]>(id, { dateRange: WEEK, compareFilter: { compare: true }, breakdownFilter: { breakdown: 'plan' } });
    expect(body.results.map((g) => [g[0]!.compare_label, g[0]!.breakdown_value, counts(g)])).toEqual([
      ['current', 'a', [1, 1, 1]],
      ['current', 'b', [1, 1, 0]],
      ['current', 'c', [0, 0, 0]],
      ['previous', 'a', [0, 0, 0]],
      ['previous', 'b', [0, 0, 0]],
      ['previous', 'c', [1, 1, 0]],
    ]);
  });

  it('trends: current and previous series with their own days; actors of the previous period', async () => {
    const body = await funnel<{ data: number[]; days: string[]; compare_label: string }[]>(id, {
      series: [node('signup'), node('buy')],
      dateRange: WEEK,
      compareFilter: { compare: true },
      funnelsFilter: { funnelVizType: 'trends' },
    });
    expect(body.results.map((r) => [r.compare_label, r.days[0], r.data])).toEqual([
      ['current', '2024-03-08', [0, 100, 0, 0, 0, 0, 0]],
      ['previous', '2024-03-01', [0, 0, 0, 0, 0, 0, 0]],
    ]);
    expect(await actors(id, { dateRange: WEEK, compareFilter: { compare: true } }, { funnelStep: 2, compare: 'previous' })).toEqual(['u3']);
    expect(await actors(id, { dateRange: WEEK, compareFilter: { compare: true } }, { funnelStep: 2 })).toEqual(['u1', 'u2']);
    const bad = await postQuery(server, id, { kind: 'FunnelsQuery', series: SIGNUP_VIEW_BUY, dateRange: WEEK, compareFilter: { compare: true }, funnelsFilter: { funnelVizType: 'time_to_convert' } });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/compareFilter/);
  });
});

describe('FunnelsQuery cohort breakdowns', () => {
  // Persons (properties set by $identify before the range): c1 pro/DE, c2 pro/US, c3 free/DE, c4 free/FR.
  // Cohorts: Pro = {c1, c2}, Germans = {c1, c3}; c1 is in both. Steps signup → buy:
  //   c1 signup 03-01 10:00, buy 03-02 13:00 (97200 s); c2 signup 03-01 12:00; c3 signup 03-02 11:00;
  //   c4 signup 03-03 10:00, buy 03-03 11:00 (3600 s).
  let id: number;
  let pro: number;
  let germans: number;
  const identify = (who: string, plan: string, country: string) => ev(who, '$identify', '2024-02-20T10:00:00Z', { $set: { plan, country } });
  const SIGNUP_BUY = [node('signup'), node('buy')];
  const cohorts = (breakdown: unknown) => ({ series: SIGNUP_BUY, breakdownFilter: { breakdown_type: 'cohort', breakdown } });

  beforeAll(async () => {
    id = await project(
      'cohorts',
      [
        identify('c1', 'pro', 'DE'),
        identify('c2', 'pro', 'US'),
        identify('c3', 'free', 'DE'),
        identify('c4', 'free', 'FR'),
        ev('c1', 'signup', '2024-03-01T10:00:00Z'),
        ev('c1', 'buy', '2024-03-02T13:00:00Z'),
        ev('c2', 'signup', '2024-03-01T12:00:00Z'),
        ev('c3', 'signup', '2024-03-02T11:00:00Z'),
        ev('c4', 'signup', '2024-03-03T10:00:00Z'),
        ev('c4', 'buy', '2024-03-03T11:00:00Z'),
      ],
      ['SELECT count() FROM persons', 4],
    );
    const [a, b] = await Promise.all([createCohort(server, id, personPropertyCohort('Pro', 'plan', 'pro')), createCohort(server, id, personPropertyCohort('Germans', 'country', 'DE'))]);
    expect([a.count, b.count]).toEqual([2, 2]);
    [pro, germans] = [a.id, b.id];
  }, 60_000);

  /** Groups keyed by breakdown_value: [breakdown (name), counts, average times]. */
  const byCohort = (groups: Step[][]) => Object.fromEntries(groups.map((g) => [String(g[0]!.breakdown_value), [g[0]!.breakdown, counts(g), averages(g)]]));

  it('a funnel per cohort (c1 counts in both); "all" = every actor as "all users" with breakdown_value 0', async () => {
    const body = await funnel<Step[][]>(id, cohorts([pro, germans, 'all']));
    // all users first (most conversions); Pro and Germans tie.
    expect(body.results[0]![0]!.breakdown_value).toBe(0);
    expect(byCohort(body.results)).toEqual({
      0: ['all users', [4, 2], [null, 50400]],
      [pro]: ['Pro', [2, 1], [null, 97200]],
      [germans]: ['Germans', [2, 1], [null, 97200]],
    });
    expect(body.results[1]![1]).toMatchObject({ action_id: 'buy', order: 1, median_conversion_time: 97200 });
    // One cohort (not a list); the attribution type does not matter; unordered funnels too.
    const one = await funnel<Step[][]>(id, { ...cohorts(germans), funnelsFilter: { breakdownAttributionType: 'last_touch' } });
    expect(byCohort(one.results)).toEqual({ [germans]: ['Germans', [2, 1], [null, 97200]] });
    const unordered = await funnel<Step[][]>(id, { ...cohorts([pro]), funnelsFilter: { funnelOrderType: 'unordered' } });
    expect(byCohort(unordered.results)).toEqual({ [pro]: ['Pro', [2, 1], [null, 97200]] });
  });

  it('conversion trends per cohort: breakdown_value is the cohort id', async () => {
    const body = await funnel<{ data: number[]; breakdown_value: unknown }[]>(id, {
      ...cohorts([pro, 'all']),
      dateRange: { date_from: '2024-03-01', date_to: '2024-03-03' },
      funnelsFilter: { funnelVizType: 'trends' },
    });
    // Entrants per day: Pro 03-01 c1 (converts), c2 → 50 %; all: 03-01 50 %, 03-02 c3 0 %, 03-03 c4 100 %.
    expect(Object.fromEntries(body.results.map((r) => [String(r.breakdown_value), r.data]))).toEqual({ [pro]: [50, 0, 0], 0: [50, 0, 100] });
  });

  it('FunnelsActorsQuery: funnelStepBreakdown = a cohort id (or "all")', async () => {
    const q = cohorts([pro, germans, 'all']);
    expect(await actors(id, q, { funnelStep: 2, funnelStepBreakdown: germans })).toEqual(['c1']);
    expect(await actors(id, q, { funnelStep: 1, funnelStepBreakdown: germans })).toEqual(['c1', 'c3']);
    expect(await actors(id, q, { funnelStep: -2, funnelStepBreakdown: pro })).toEqual(['c2']);
    expect(await actors(id, q, { funnelStep: 2, funnelStepBreakdown: 'all' })).toEqual(['c1', 'c4']);
    expect(await actors(id, q, { funnelStep: 2, funnelStepBreakdown: 0 })).toEqual(['c1', 'c4']);
    expect(await actors(id, cohorts([pro, germans]), { funnelStep: 1 })).toEqual(['c1', 'c2', 'c3']);
    const res = await postQuery(server, id, {
      kind: 'ActorsQuery',
      source: { kind: 'FunnelsActorsQuery', source: { kind: 'FunnelsQuery', dateRange: MARCH, ...q }, funnelStep: 1, funnelStepBreakdown: 'Pro' },
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/not one of the cohorts/);
  });

  it('unknown cohorts and cohorts mixed with other breakdowns are 400s', async () => {
    const bad = async (breakdownFilter: Record<string, unknown>, detail: RegExp) => {
      const res = await postQuery(server, id, { kind: 'FunnelsQuery', series: SIGNUP_BUY, dateRange: MARCH, breakdownFilter });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.detail).toMatch(detail);
    };
    await bad({ breakdown_type: 'cohort', breakdown: [pro, 999999] }, /cohort 999999 not found/);
    await bad({ breakdowns: [{ type: 'cohort', property: pro }, { type: 'person', property: 'plan' }] }, /cannot be combined/);
  });
});

describe('FunnelsActorsQuery: the persons behind a trends period and a time to convert bin', () => {
  // signup → buy, window 1 day, 03-01..03-03 (UTC). Entrance period = the day of the attempt's signup.
  //   03-01: a1 09:00 → buy 10:00 (converted); a2 08:00, its next buy is 27 h later (dropped off);
  //          a3 23:30 → buy 03-02 08:00 (converted, counted on the day it entered).
  //   03-02: a2 again 10:00 → buy 11:00 (converted); a4 13:00, never buys (dropped off).
  //   03-03: a5 10:00 → 10:30 (converted); a6 11:00 and 15:00 → 16:00 (converted once);
  //          a7 12:00 (dropped off).
  //   a8 only buys; a9 signs up the day before the range.
  // First-touch $browser: a1 a3 a4 a6 a7 Chrome, a2 Firefox, a5 Safari.
  let id: number;
  const SIGNUP_BUY = [node('signup'), node('buy')];
  const RANGE = { date_from: '2024-03-01', date_to: '2024-03-03' };
  const TRENDS = { series: SIGNUP_BUY, dateRange: RANGE, funnelsFilter: { funnelVizType: 'trends', funnelWindowInterval: 1, funnelWindowIntervalUnit: 'day' } };
  const expected: Record<string, { converted: string[]; droppedOff: string[] }> = {
    '2024-03-01': { converted: ['a1', 'a3'], droppedOff: ['a2'] },
    '2024-03-02': { converted: ['a2'], droppedOff: ['a4'] },
    '2024-03-03': { converted: ['a5', 'a6'], droppedOff: ['a7'] },
  };

  beforeAll(async () => {
    id = await project(
      'trends actors',
      [
        ev('a1', 'signup', '2024-03-01T09:00:00Z', { $browser: 'Chrome' }),
        ev('a1', 'buy', '2024-03-01T10:00:00Z'),
        ev('a2', 'signup', '2024-03-01T08:00:00Z', { $browser: 'Firefox' }),
        ev('a3', 'signup', '2024-03-01T23:30:00Z', { $browser: 'Chrome' }),
        ev('a3', 'buy', '2024-03-02T08:00:00Z'),
        ev('a2', 'signup', '2024-03-02T10:00:00Z', { $browser: 'Firefox' }),
        ev('a2', 'buy', '2024-03-02T11:00:00Z'),
        ev('a4', 'signup', '2024-03-02T13:00:00Z', { $browser: 'Chrome' }),
        ev('a5', 'signup', '2024-03-03T10:00:00Z', { $browser: 'Safari' }),
        ev('a5', 'buy', '2024-03-03T10:30:00Z'),
        ev('a6', 'signup', '2024-03-03T11:00:00Z', { $browser: 'Chrome' }),
        ev('a6', 'signup', '2024-03-03T15:00:00Z', { $browser: 'Chrome' }),
        ev('a6', 'buy', '2024-03-03T16:00:00Z'),
        ev('a7', 'signup', '2024-03-03T12:00:00Z', { $browser: 'Chrome' }),
        ev('a8', 'buy', '2024-03-02T09:00:00Z'),
        ev('a9', 'signup', '2024-02-29T23:00:00Z'),
        ev('a9', 'buy', '2024-03-01T01:00:00Z'),
      ],
      ['SELECT count() FROM persons', 9],
    );
  }, 60_000);

  it('trends: each day’s converted and dropped-off persons; their counts are the rate’s numerator and denominator', async () => {
    const body = await funnel<{ data: number[]; days: string[] }[]>(id, TRENDS);
    expect(body.results).toHaveLength(1);
    const { data, days } = body.results[0]!;
    expect(days).toEqual(Object.keys(expected));
    for (const [i, day] of days.entries()) {
      // As PostHog's persons modal sends it, and as the `days` entry itself.
      const converted = await actors(id, TRENDS, { funnelTrendsEntrancePeriodStart: `${day} 00:00:00`, funnelTrendsDropOff: false });
      const droppedOff = await actors(id, TRENDS, { funnelTrendsEntrancePeriodStart: day, funnelTrendsDropOff: true });
      expect({ converted, droppedOff }, day).toEqual(expected[day]);
      expect(data[i]).toBe(Math.round((converted.length / (converted.length + droppedOff.length)) * 10000) / 100);
    }
    expect(data).toEqual([66.67, 50, 66.67]);
    // funnelTrendsDropOff left out: the converted; funnelStep alongside is ignored (as PostHog).
    expect(await actors(id, TRENDS, { funnelTrendsEntrancePeriodStart: '2024-03-02T00:00:00Z', funnelStep: 1 })).toEqual(['a2']);
  });

  it('trends with a breakdown: the persons of one value’s period (funnelStepBreakdown)', async () => {
    const query = { ...TRENDS, breakdownFilter: { breakdown: '$browser', breakdown_type: 'event' } };
    const body = await funnel<{ data: number[]; breakdown_value: string }[]>(id, query);
    const chrome = body.results.find((r) => r.breakdown_value === 'Chrome')!;
    // Chrome: 03-01 a1 a3 convert; 03-02 a4 drops off; 03-03 a6 converts, a7 drops off.
    expect(chrome.data).toEqual([100, 0, 50]);
    expect(await actors(id, query, { funnelTrendsEntrancePeriodStart: '2024-03-03', funnelTrendsDropOff: false, funnelStepBreakdown: 'Chrome' })).toEqual(['a6']);
    expect(await actors(id, query, { funnelTrendsEntrancePeriodStart: '2024-03-03', funnelTrendsDropOff: true, funnelStepBreakdown: 'Chrome' })).toEqual(['a7']);
    expect(await actors(id, query, { funnelTrendsEntrancePeriodStart: '2024-03-02', funnelTrendsDropOff: true, funnelStepBreakdown: ['Chrome'] })).toEqual(['a4']);
  });

  it('time to convert: the persons of each bin are those whose conversion time falls in it, as many as the bin counts', async () => {
    const TTC = { series: SIGNUP_BUY, funnelsFilter: { funnelVizType: 'time_to_convert' } };
    // P.ttc converts in 60 (c1), 120 (c2), 600 (c3) and 3600 s (c4).
    for (const [binCount, lists] of [
      [null, [['c1', 'c2', 'c3'], [], ['c4']]],
      [3, [['c1', 'c2', 'c3'], [], [], ['c4']]],
    ] as const) {
      const query = { ...TTC, funnelsFilter: { ...TTC.funnelsFilter, binCount } };
      const { results } = await funnel<{ bins: [number, number][] }>(P.ttc!, query);
      const width = results.bins[1]![0] - results.bins[0]![0];
      const persons = [];
      for (const [i, [start, count]] of results.bins.entries()) {
        const range = [start, results.bins[i + 1]?.[0] ?? start + width];
        const listed = await actors(P.ttc!, query, { funnelStepConversionTimeRange: range });
        expect(listed.length, `bin ${i}`).toBe(count);
        persons.push(listed);
      }
      expect(persons).toEqual(lists);
    }
    // Half-open: 120 s is in [120, 121), not in [60, 120).
    expect(await actors(P.ttc!, TTC, { funnelStepConversionTimeRange: [60, 120] })).toEqual(['c1']);
    expect(await actors(P.ttc!, TTC, { funnelStepConversionTimeRange: [120, 121] })).toEqual(['c2']);
    // From step 2 to 3 (view → buy): only p1, in 3600 s; the bins are [3600, 3660) and the empty next.
    const steps23 = { funnelsFilter: { funnelVizType: 'time_to_convert', funnelFromStep: 1, funnelToStep: 2 } };
    const { results } = await funnel<{ bins: [number, number][] }>(P.basic!, steps23);
    expect(results.bins).toEqual([
      [3600, 1],
      [3660, 0],
    ]);
    expect(await actors(P.basic!, steps23, { funnelStepConversionTimeRange: [3600, 3660] })).toEqual(['p1']);
  });

  it('answers drill-downs that do not fit the funnel with a 400 that says why', async () => {
    const bad = async (projectId: number, source: Record<string, unknown>, request: Record<string, unknown>, detail: RegExp) => {
      const res = await postQuery(server, projectId, {
        kind: 'ActorsQuery',
        source: { kind: 'FunnelsActorsQuery', source: { kind: 'FunnelsQuery', series: SIGNUP_BUY, dateRange: RANGE, ...source }, ...request },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.detail).toMatch(detail);
    };
    await bad(id, TRENDS, { funnelTrendsEntrancePeriodStart: '2024-03-01 12:00:00' }, /not the start of a day in the funnel's date range \(UTC\): the periods start at 2024-03-01 00:00:00, 2024-03-02 00:00:00, 2024-03-03 00:00:00/);
    await bad(id, TRENDS, { funnelTrendsEntrancePeriodStart: '2024-03-04' }, /not the start of a day/);
    await bad(id, TRENDS, { funnelTrendsEntrancePeriodStart: 'the first of March' }, /not a date/);
    await bad(id, { ...TRENDS, interval: 'week' }, { funnelTrendsEntrancePeriodStart: '2024-03-01' }, /not the start of a week/);
    await bad(id, TRENDS, { funnelTrendsDropOff: true }, /funnelTrendsDropOff needs funnelTrendsEntrancePeriodStart/);
    await bad(id, TRENDS, {}, /needs funnelStep.*funnelTrendsEntrancePeriodStart/);
    await bad(id, {}, { funnelTrendsEntrancePeriodStart: '2024-03-01', funnelTrendsDropOff: false }, /historical trends graph.*"steps"/);
    await bad(id, TRENDS, { funnelStepConversionTimeRange: [0, 60] }, /time to convert bin.*"trends"/);
    const TTC = { funnelsFilter: { funnelVizType: 'time_to_convert' } };
    await bad(id, TTC, { funnelStepConversionTimeRange: [60, 60] }, /0 ≤ from < to/);
    await bad(id, TTC, { funnelStepConversionTimeRange: [-5, 60] }, /0 ≤ from < to/);
    await bad(id, TTC, { funnelStepConversionTimeRange: [0, 60], funnelStep: 2 }, /leave funnelStep out/);
    await bad(id, TTC, { funnelStepConversionTimeRange: [0] }, /funnelStepConversionTimeRange/);
    await bad(id, TTC, {}, /needs funnelStep.*funnelStepConversionTimeRange/);
  });
});
