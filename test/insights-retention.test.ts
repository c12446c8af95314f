import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, capture, createProject } from './helpers/api.js';
import { postQuery, waitForValue } from './helpers/query.js';
import { createCohort, personPropertyCohort } from './helpers/cohorts.js';
import { sampled, sampledIds, samplingProject } from './helpers/sampling.js';
import { scenarioProject } from './helpers/scenario.js';
import { startServer, type TestServer } from './helpers/server.js';

/**
 * RetentionQuery: every expectation is worked out by hand from the events each scenario sends
 * (one project per scenario; D0 = 2024-01-01, a Monday).
 */
let server: TestServer;

interface Row {
  date: string;
  label: string;
  values: { count: number; label: string }[];
  breakdown_value?: string;
}
type RetentionResponse = { results: Row[]; hogql: string; resolved_date_range: { date_from: string; date_to: string } };

const day = (d: number, hour = 12, minute = 0) => new Date(Date.UTC(2024, 0, 1 + d, hour, minute)).toISOString();
const ev = (who: string, event: string, timestamp: string, props: Record<string, unknown> = {}) => ({ event, distinct_id: who, properties: { $set: { name: who }, ...props }, timestamp });
const pv = (who: string, d: number, props: Record<string, unknown> = {}, hour = 12) => ev(who, '$pageview', day(d, hour), props);

async function send(token: string, batch: Record<string, unknown>[]) {
  const res = await capture(server, '/batch/', JSON.stringify({ api_key: token, batch }));
  expect(res.status).toBe(200);
}

function scenario(name: string, batch: Record<string, unknown>[], timezone?: string): Promise<number> {
  return scenarioProject(server, `retention ${name}`, batch, timezone);
}

async function retention(projectId: number, retentionFilter: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const res = await postQuery<RetentionResponse>(server, projectId, { kind: 'RetentionQuery', dateRange: { date_from: '2024-01-01', date_to: '2024-01-05' }, retentionFilter, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}
const counts = (rows: Row[]) => rows.map((r) => r.values.map((v) => v.count));

async function actors(projectId: number, source: Record<string, unknown>, request: Record<string, unknown>): Promise<string[]> {
  const res = await postQuery<{ results: unknown[][] }>(server, projectId, {
    kind: 'ActorsQuery',
    select: ['properties.name'],
    orderBy: ['properties.name'],
    source: { kind: 'InsightActorsQuery', source, ...request },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.results.map((r) => r[0] as string);
}

const FIVE_DAYS = [pv('a', 0), pv('a', 1), pv('a', 3), pv('b', 0), pv('b', 2), pv('c', 1), pv('c', 2), pv('d', 4)];

let basic: number;
let before: number;
let different: number;
let weekly: number;
let minOcc: number;
let merged: number;
let tz: number;
let breakdown: number;
let props: number;
let hourly: number;
let monthly: number;

beforeAll(async () => {
  server = await startServer();
  [basic, before, different, weekly, minOcc, tz, breakdown, props, hourly, monthly] = await Promise.all([
    scenario('basic', FIVE_DAYS),
    // e's first pageview is before the range; f's is on D0.
    scenario('before', [ev('e', '$pageview', '2023-12-30T12:00:00Z'), pv('e', 0), pv('e', 1), pv('f', 0), pv('f', 1)]),
    // a purchases before signing up on D0 (no period-0 return), b after; c only purchases.
    scenario('different', [
      ev('a', 'purchase', day(0, 9)),
      ev('a', 'signed_up', day(0, 10)),
      ev('a', 'purchase', day(2, 10)),
      ev('b', 'signed_up', day(0, 10)),
      ev('b', 'purchase', day(0, 11)),
      ev('b', 'purchase', day(1, 11)),
      ev('c', 'purchase', day(1, 11)),
    ]),
    // weeks start on Sunday: W0 = Jan 7–13, W1 = Jan 14–20, W2 = Jan 21–27
    scenario('weekly', [pv('a', 7), pv('a', 12), pv('a', 19), pv('b', 12), pv('b', 13), pv('b', 26), pv('c', 20)]),
    scenario('min occurrences', [pv('a', 0), pv('a', 1, {}, 10), pv('a', 1, {}, 11), pv('a', 2), pv('b', 0), pv('b', 1), pv('b', 2, {}, 10), pv('b', 2, {}, 11)]),
    // New York is UTC−5 in January: 03:00Z on Jan 2 is still Jan 1 locally.
    scenario(
      'timezone',
      [
        ev('a', '$pageview', '2024-01-01T15:00:00Z'),
        ev('a', '$pageview', '2024-01-02T03:00:00Z'),
        ev('a', '$pageview', '2024-01-02T06:00:00Z'),
        ev('b', '$pageview', '2024-01-02T04:00:00Z'),
        ev('b', '$pageview', '2024-01-03T04:30:00Z'),
      ],
      'America/New_York',
    ),
    scenario('breakdown', [pv('a', 0, { plan: 'pro' }), pv('a', 1, { plan: 'pro' }), pv('b', 0, { plan: 'free' }), pv('c', 0, { plan: 'pro' }), pv('d', 1)]),
    // a's first pageview (D0) lacks ok=1; b's first is on D1 with it.
    scenario('entity properties', [pv('a', 0), pv('a', 1, { ok: '1' }), pv('a', 2, { ok: '1' }), pv('b', 1, { ok: '1' }), pv('b', 2, { ok: '1' })]),
    scenario('hourly', [ev('a', '$pageview', '2024-01-01T10:15:00Z'), ev('a', '$pageview', '2024-01-01T11:59:00Z'), ev('b', '$pageview', '2024-01-01T10:30:00Z'), ev('b', '$pageview', '2024-01-01T12:01:00Z')]),
    scenario('monthly', [ev('a', '$pageview', '2024-01-15T12:00:00Z'), ev('a', '$pageview', '2024-02-03T12:00:00Z'), ev('b', '$pageview', '2024-02-10T12:00:00Z')]),
  ]);
  // Merge: x-anon browses on D0, x-user on D1 (two persons); then x-user identifies as x-anon's owner.
  const project = await createProject(server, 'retention merge');
  await send(project.api_token, [pv('x-anon', 0), pv('x-user', 1)]);
  await waitForValue(server, project.id, 'SELECT count() FROM persons', 2);
  await send(project.api_token, [ev('x-user', '$identify', day(1, 13), { $anon_distinct_id: 'x-anon' }), pv('x-user', 2)]);
  await waitForValue(server, project.id, 'SELECT count() FROM persons', 1);
  await waitForValue(server, project.id, 'SELECT count(DISTINCT person_id) FROM events', 1);
  merged = project.id;
}, 60_000);
afterAll(() => server?.dispose());

describe('RetentionQuery', () => {
  it('recurring: every active day is a cohort; the triangle has one value fewer per row', async () => {
    const body = await retention(basic, { retentionType: 'retention_recurring', targetEntity: { id: '$pageview', type: 'events' }, returningEntity: { id: '$pageview', type: 'events' } });
    expect(counts(body.results)).toEqual([[2, 1, 1, 1, 0], [2, 1, 1, 0], [2, 0, 0], [1, 0], [1]]);
    expect(body.results.map((r) => r.label)).toEqual(['Day 0', 'Day 1', 'Day 2', 'Day 3', 'Day 4']);
    expect(body.results[0]!.date).toBe('2024-01-01T00:00:00Z');
    expect(body.results[4]!.date).toBe('2024-01-05T00:00:00Z');
    expect(body.results[0]!.values.map((v) => v.label)).toEqual(['Day 0', 'Day 1', 'Day 2', 'Day 3', 'Day 4']);
    expect(body.hogql).toContain('FROM events');
  });

  it('first_time: each actor only in the cohort of their first-ever event', async () => {
    const body = await retention(basic, { retentionType: 'retention_first_time' });
    expect(counts(body.results)).toEqual([[2, 1, 1, 1, 0], [1, 1, 0, 0], [0, 0, 0], [0, 0], [1]]);
  });

  it('first_time excludes an actor whose first event precedes date_from; recurring keeps them', async () => {
    const first = await retention(before, { retentionType: 'retention_first_time' });
    expect(counts(first.results)).toEqual([[1, 1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0], [0, 0], [0]]);
    const recurring = await retention(before, { retentionType: 'retention_recurring' });
    expect(counts(recurring.results)).toEqual([[2, 2, 0, 0, 0], [2, 0, 0, 0], [0, 0, 0], [0, 0], [0]]);
  });

  it('different target and returning events: period 0 counts only returns after the cohorting event', async () => {
    const body = await retention(
      different,
      { retentionType: 'retention_recurring', targetEntity: { id: 'signed_up', type: 'events' }, returningEntity: { id: 'purchase', type: 'events' } },
      { dateRange: { date_from: '2024-01-01', date_to: '2024-01-03' } },
    );
    expect(counts(body.results)).toEqual([[1, 1, 1], [0, 0], [0]]);
  });

  it('weekly periods in calendar weeks starting on Sunday', async () => {
    const body = await retention(weekly, { period: 'Week' }, { dateRange: { date_from: '2024-01-07', date_to: '2024-01-27' } });
    expect(counts(body.results)).toEqual([[2, 2, 1], [2, 1], [2]]);
    expect(body.results.map((r) => [r.label, r.date])).toEqual([
      ['Week 0', '2024-01-07T00:00:00Z'],
      ['Week 1', '2024-01-14T00:00:00Z'],
      ['Week 2', '2024-01-21T00:00:00Z'],
    ]);
  });

  it('cumulative: returning in period k or later', async () => {
    const body = await retention(basic, { retentionType: 'retention_recurring', cumulative: true });
    expect(counts(body.results)).toEqual([[2, 2, 2, 1, 0], [2, 2, 1, 0], [2, 0, 0], [1, 0], [1]]);
  });

  it('minimumOccurrences: a return needs that many returning events in the period', async () => {
    const body = await retention(minOcc, { minimumOccurrences: 2 }, { dateRange: { date_from: '2024-01-01', date_to: '2024-01-03' } });
    expect(counts(body.results)).toEqual([[2, 1, 1], [2, 1], [2]]);
  });

  it('merged persons count once, with the events of both distinct ids', async () => {
    const body = await retention(merged, { retentionType: 'retention_recurring' }, { dateRange: { date_from: '2024-01-01', date_to: '2024-01-03' } });
    expect(counts(body.results)).toEqual([[1, 1, 1], [1, 1], [1]]);
  });

  it('periods follow the project timezone', async () => {
    const body = await retention(tz, {}, { dateRange: { date_from: '2024-01-01', date_to: '2024-01-02' } });
    expect(counts(body.results)).toEqual([[2, 2], [2]]);
    expect(body.results[0]!.date).toBe('2024-01-01T00:00:00-05:00');
  });

  it('breaks down by an event property, with the null sentinel and the Other bucket', async () => {
    const body = await retention(breakdown, {}, { dateRange: { date_from: '2024-01-01', date_to: '2024-01-02' }, breakdownFilter: { breakdown: 'plan', breakdown_type: 'event' } });
    expect(body.results.map((r) => [r.breakdown_value, r.label, r.values.map((v) => v.count)])).toEqual([
      ['pro', 'Day 0', [2, 1]],
      ['pro', 'Day 1', [1]],
      ['$$_posthog_breakdown_null_$$', 'Day 0', [0, 0]],
      ['$$_posthog_breakdown_null_$$', 'Day 1', [1]],
      ['free', 'Day 0', [1, 0]],
      ['free', 'Day 1', [0]],
    ]);
    const limited = await retention(breakdown, {}, { dateRange: { date_from: '2024-01-01', date_to: '2024-01-02' }, breakdownFilter: { breakdown: 'plan', breakdown_type: 'event', breakdown_limit: 1 } });
    expect(limited.results.map((r) => [r.breakdown_value, r.values.map((v) => v.count)])).toEqual([
      ['pro', [2, 1]],
      ['pro', [1]],
      ['$$_posthog_breakdown_other_$$', [1, 0]],
      ['$$_posthog_breakdown_other_$$', [1]],
    ]);
  });

  it('entity properties: first_time needs the first-ever event to match; first_ever_occurrence takes the first match', async () => {
    const entity = { id: '$pageview', type: 'events', properties: [{ key: 'ok', value: '1', operator: 'exact', type: 'event' }] };
    const filter = { targetEntity: entity, returningEntity: entity };
    const range = { dateRange: { date_from: '2024-01-01', date_to: '2024-01-03' } };
    expect(counts((await retention(props, { ...filter, retentionType: 'retention_first_time' }, range)).results)).toEqual([[0, 0, 0], [1, 1], [0]]);
    expect(counts((await retention(props, { ...filter, retentionType: 'retention_first_ever_occurrence' }, range)).results)).toEqual([[0, 0, 0], [2, 2], [0]]);
    expect(counts((await retention(props, { ...filter, retentionType: 'retention_recurring' }, range)).results)).toEqual([[0, 0, 0], [2, 2], [2]]);
  });

  it('hourly periods', async () => {
    const body = await retention(hourly, { period: 'Hour' }, { dateRange: { date_from: '2024-01-01T10:00:00Z', date_to: '2024-01-01T12:00:00Z' } });
    expect(counts(body.results)).toEqual([[2, 1, 1], [1, 0], [1]]);
    expect(body.results.map((r) => r.label)).toEqual(['Hour 0', 'Hour 1', 'Hour 2']);
    expect(body.results[1]!.date).toBe('2024-01-01T11:00:00Z');
  });

  it('monthly periods', async () => {
    const body = await retention(monthly, { period: 'Month' }, { dateRange: { date_from: '2024-01-01', date_to: '2024-02-29' } });
    expect(counts(body.results)).toEqual([[1, 1], [2]]);
    expect(body.results.map((r) => r.date)).toEqual(['2024-01-01T00:00:00Z', '2024-02-01T00:00:00Z']);
  });

  it('without date_from: totalIntervals cohorts ending at date_to', async () => {
    const body = await retention(basic, { totalIntervals: 3 }, { dateRange: { date_to: '2024-01-03' } });
    expect(counts(body.results)).toEqual([[2, 1, 1], [2, 1], [2]]);
    expect(body.results[0]!.date).toBe('2024-01-01T00:00:00Z');
    expect(body.resolved_date_range).toEqual({ date_from: '2024-01-01T00:00:00.000Z', date_to: '2024-01-04T00:00:00.000Z' });
  });

  it('totalIntervals caps the columns of each row', async () => {
    const body = await retention(basic, { totalIntervals: 2 });
    expect(counts(body.results)).toEqual([[2, 1], [2, 1], [2, 0], [1, 0], [1]]);
  });

  it('ActorsQuery lists the actors of a cohort row and of one cell', async () => {
    const source = { kind: 'RetentionQuery', dateRange: { date_from: '2024-01-01', date_to: '2024-01-05' }, retentionFilter: { retentionType: 'retention_recurring' } };
    expect(await actors(basic, source, { interval: 0 })).toEqual(['a', 'b']);
    expect(await actors(basic, source, { interval: 1 })).toEqual(['a', 'c']);
    expect(await actors(basic, source, { interval: 0, day: 3 })).toEqual(['a']);
    expect(await actors(basic, source, { interval: 1, day: 1 })).toEqual(['c']);
    const bd = { ...source, breakdownFilter: { breakdown: 'plan' }, dateRange: { date_from: '2024-01-01', date_to: '2024-01-02' } };
    expect(await actors(breakdown, bd, { interval: 0, breakdown: 'pro' })).toEqual(['a', 'c']);
  });

  it('rejects bad input with 400s', async () => {
    const bad = async (query: Record<string, unknown>, pattern: RegExp) => {
      const res = await postQuery(server, basic, { kind: 'RetentionQuery', retentionFilter: {}, ...query });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.detail).toMatch(pattern);
    };
    await bad({ retentionFilter: { period: 'Year' } }, /period/);
    await bad({ retentionFilter: { retentionType: 'sometimes' } }, /retentionType/);
    await bad({ retentionFilter: { totalIntervals: 0 } }, /totalIntervals/);
    await bad({ retentionFilter: { targetEntity: { id: 1, type: 'actions' } } }, /actions/);
    await bad({ retentionFilter: undefined }, /retentionFilter/);
    await bad({ dateRange: { date_from: 'yesterday-ish' } }, /date_from/);
  });
});

describe('RetentionQuery project settings and sampling', () => {
  it('week_start_day 1: weekly cohorts in calendar weeks starting on Monday', async () => {
    // The weekly scenario's events in Monday weeks (01-08, 01-15, 01-22): a on 01-08 and 01-13 | 01-20;
    // b on 01-13 and 01-14 | – | 01-27; c on 01-21. Recurring: week 0 {a, b} → a back in week 1, b in week 2.
    const id = await scenario('monday weeks', [pv('a', 7), pv('a', 12), pv('a', 19), pv('b', 12), pv('b', 13), pv('b', 26), pv('c', 20)]);
    const res = await api<{ week_start_day: number }>(server, `/api/projects/${id}/`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ week_start_day: 1 }),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.week_start_day).toBe(1);
    const body = await retention(id, { period: 'Week' }, { dateRange: { date_from: '2024-01-08', date_to: '2024-01-28' } });
    expect(counts(body.results)).toEqual([[2, 1, 1], [2, 0], [1]]);
    expect(body.results.map((r) => [r.label, r.date])).toEqual([
      ['Week 0', '2024-01-08T00:00:00Z'],
      ['Week 1', '2024-01-15T00:00:00Z'],
      ['Week 2', '2024-01-22T00:00:00Z'],
    ]);
    // A date_from on a Sunday starts the week before (Monday 01-01), where nobody was active.
    const sunday = await retention(id, { period: 'Week', totalIntervals: 2 }, { dateRange: { date_from: '2024-01-07', date_to: '2024-01-14' } });
    expect(sunday.results.map((r) => r.date)).toEqual(['2024-01-01T00:00:00Z', '2024-01-08T00:00:00Z']);
    expect(counts(sunday.results)).toEqual([[0, 0], [2]]);
  });

  it('samplingFactor: a 10% sample of distinct ids, every cell scaled back', async () => {
    // s0000…s1999 view on D0; the even ids again on D1. Whole data: D0 [2000, 1000], D1 [1000].
    const ids = sampledIds();
    const id = await samplingProject(server, 'retention sampling', ids.flatMap(({ id: who, i }) => [pv(who, 0), ...(i % 2 === 0 ? [pv(who, 1)] : [])]));
    const range = { dateRange: { date_from: '2024-01-01', date_to: '2024-01-02' } };
    for (const samplingFactor of [1, null]) {
      expect(counts((await retention(id, { totalIntervals: 2 }, { ...range, samplingFactor })).results)).toEqual([[2000, 1000], [1000]]);
    }
    const S = [...(await sampled(server, id, 0.1))];
    const all = S.length * 10;
    const even = S.filter((i) => i % 2 === 0).length * 10;
    const body = await retention(id, { totalIntervals: 2 }, { ...range, samplingFactor: 0.1 });
    expect(counts(body.results)).toEqual([[all, even], [even]]);
    expect(Math.abs(all - 2000) / 2000).toBeLessThan(0.25);
    expect(Math.abs(even - 1000) / 1000).toBeLessThan(0.3);
    expect(body.hogql).toContain('SAMPLE 0.1');
    expect(counts((await retention(id, { totalIntervals: 2 }, { ...range, samplingFactor: 0.1 })).results)).toEqual([[all, even], [even]]);
  });
});

describe('RetentionQuery 24_hour_windows', () => {
  // a: Jan 1 20:00, Jan 2 10:00 (14 h later), Jan 2 21:00 (25 h); b: Jan 1 23:00, Jan 2 01:00 (2 h);
  // c: Jan 2 12:00, Jan 3 11:00 (23 h), Jan 3 13:00 (25 h).
  // Calendar days (recurring): D0 {a, b} → both back on D1, nobody on D2; D1 {a, b, c} → c on D2; D2 {c}.
  // 24-hour windows from each actor's first pageview: a and b start in window 0 (20 h, 23 h after Jan 1
  // 00:00), c in window 1 (36 h); a and c are back 24–48 h later, b only within its first 24 h.
  let id: number;
  beforeAll(async () => {
    id = await scenario('rolling', [
      ev('a', '$pageview', '2024-01-01T20:00:00Z'),
      ev('a', '$pageview', '2024-01-02T10:00:00Z'),
      ev('a', '$pageview', '2024-01-02T21:00:00Z'),
      ev('b', '$pageview', '2024-01-01T23:00:00Z'),
      ev('b', '$pageview', '2024-01-02T01:00:00Z'),
      ev('c', '$pageview', '2024-01-02T12:00:00Z'),
      ev('c', '$pageview', '2024-01-03T11:00:00Z'),
      ev('c', '$pageview', '2024-01-03T13:00:00Z'),
    ]);
  }, 60_000);
  const range = { dateRange: { date_from: '2024-01-01', date_to: '2024-01-03' } };

  it('counts returns in 24-hour windows from each actor’s first event, one cohort per actor', async () => {
    const calendar = await retention(id, { totalIntervals: 3 }, range);
    expect(counts(calendar.results)).toEqual([[2, 2, 0], [3, 1], [1]]);
    const rolling = await retention(id, { totalIntervals: 3, timeWindowMode: '24_hour_windows' }, range);
    expect(counts(rolling.results)).toEqual([[2, 1, 0], [1, 1], [0]]);
    expect(rolling.results.map((r) => r.date)).toEqual(['2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z', '2024-01-03T00:00:00Z']);
  });

  it('drill-down lists the actors of a rolling cell; cumulative is refused', async () => {
    const source = { kind: 'RetentionQuery', ...range, retentionFilter: { totalIntervals: 3, timeWindowMode: '24_hour_windows' } };
    expect(await actors(id, source, { interval: 0 })).toEqual(['a', 'b']);
    expect(await actors(id, source, { interval: 0, day: 1 })).toEqual(['a']);
    expect(await actors(id, source, { interval: 1, day: 1 })).toEqual(['c']);
    const res = await postQuery(server, id, { kind: 'RetentionQuery', ...range, retentionFilter: { timeWindowMode: '24_hour_windows', cumulative: true } });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/Cumulative retention is not supported for 24 hour windows/);
  });
});

describe('RetentionQuery cohort breakdowns', () => {
  // a pro/DE (days 0, 1, 3), b pro/US (0, 2), c free/DE (1, 2), d free/FR (4). Cohorts Pro = {a, b},
  // Germans = {a, c}: a counts in both. Recurring $pageview retention over D0…D4.
  let id: number;
  let pro: number;
  let germans: number;
  const person = (who: string, plan: string, country: string, d: number) => pv(who, d, { $set: { name: who, plan, country } });

  beforeAll(async () => {
    id = await scenario('cohorts', [
      person('a', 'pro', 'DE', 0),
      pv('a', 1),
      pv('a', 3),
      person('b', 'pro', 'US', 0),
      pv('b', 2),
      person('c', 'free', 'DE', 1),
      pv('c', 2),
      person('d', 'free', 'FR', 4),
    ]);
    const [x, y] = await Promise.all([createCohort(server, id, personPropertyCohort('Pro', 'plan', 'pro')), createCohort(server, id, personPropertyCohort('Germans', 'country', 'DE'))]);
    expect([x.count, y.count]).toEqual([2, 2]);
    [pro, germans] = [x.id, y.id];
  }, 60_000);

  const source = (breakdown: unknown) => ({
    kind: 'RetentionQuery',
    dateRange: { date_from: '2024-01-01', date_to: '2024-01-05' },
    retentionFilter: { retentionType: 'retention_recurring' },
    breakdownFilter: { breakdown_type: 'cohort', breakdown },
  });

  it('one triangle per cohort (breakdown_value = the cohort id as a string, "0" for all users)', async () => {
    const body = await retention(id, { retentionType: 'retention_recurring' }, { breakdownFilter: { breakdown_type: 'cohort', breakdown: [pro, germans, 'all'] } });
    const by = new Map<string, Row[]>();
    for (const r of body.results) by.set(r.breakdown_value!, [...(by.get(r.breakdown_value!) ?? []), r]);
    expect(counts(by.get(String(pro))!)).toEqual([[2, 1, 1, 1, 0], [1, 0, 1, 0], [1, 0, 0], [1, 0], [0]]);
    expect(counts(by.get(String(germans))!)).toEqual([[1, 1, 0, 1, 0], [2, 1, 1, 0], [1, 0, 0], [1, 0], [0]]);
    expect(counts(by.get('0')!)).toEqual([[2, 1, 1, 1, 0], [2, 1, 1, 0], [2, 0, 0], [1, 0], [1]]);
    // all users have the largest period-0 total (8), so come first
    expect(body.results[0]!.breakdown_value).toBe('0');
  });

  it('drill-down: breakdown = a cohort id, a one-element list, or "all"', async () => {
    const q = source([pro, germans, 'all']);
    expect(await actors(id, q, { interval: 1, breakdown: germans })).toEqual(['a', 'c']);
    expect(await actors(id, q, { interval: 0, day: 2, breakdown: [String(pro)] })).toEqual(['b']);
    expect(await actors(id, q, { interval: 4, breakdown: 'all' })).toEqual(['d']);
    expect(await actors(id, q, { interval: 4, breakdown: pro })).toEqual([]);
    const res = await postQuery(server, id, { kind: 'ActorsQuery', select: ['properties.name'], source: { kind: 'InsightActorsQuery', source: q, interval: 0, breakdown: 'DE' } });
    expect(res.status).toBe(400);
  });
});
