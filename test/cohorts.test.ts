import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from './helpers/api.js';
import { hogql, postQuery } from './helpers/query.js';
import { scenarioProject } from './helpers/scenario.js';
import { startServer, type TestServer } from './helpers/server.js';
import { type CohortBody, createCohort as createCohortVia, waitCalculated as waitCalculatedVia } from './helpers/cohorts.js';

/**
 * Cohorts: PostHog's dynamic (person properties, behaviour, other cohorts) and static (CSV, person
 * ids) cohorts, with membership computed into ClickHouse and usable in HogQL (`IN COHORT`), in
 * insight filters and as a persons list.
 */
let server: TestServer;
let projectId: number;
let otherProjectId: number;

const DAY = 86_400_000;
const ago = (days: number, hour = 0) => new Date(Date.now() - days * DAY - hour * 3_600_000).toISOString();

// Persons: a (pro, 3 purchases in the last week), b (pro, 1 purchase 3 days ago, first ever 40 days ago),
// c (free, 1 purchase yesterday = first ever), d (free, no purchase), e (enterprise, email e@corp.test).
const events = [
  { event: '$identify', distinct_id: 'a', properties: { $set: { plan: 'pro', age: 31 } }, timestamp: ago(60) },
  { event: '$identify', distinct_id: 'b', properties: { $set: { plan: 'pro', age: 45 } }, timestamp: ago(60) },
  { event: '$identify', distinct_id: 'c', properties: { $set: { plan: 'free', age: 22 } }, timestamp: ago(60) },
  { event: '$identify', distinct_id: 'd', properties: { $set: { plan: 'free' } }, timestamp: ago(60) },
  { event: '$identify', distinct_id: 'e', properties: { $set: { plan: 'enterprise', email: 'e@corp.test' } }, timestamp: ago(60) },
  { event: 'purchase', distinct_id: 'a', properties: { amount: 10 }, timestamp: ago(1) },
  { event: 'purchase', distinct_id: 'a', properties: { amount: 20 }, timestamp: ago(2) },
  { event: 'purchase', distinct_id: 'a', properties: { amount: 30 }, timestamp: ago(6) },
  { event: 'purchase', distinct_id: 'b', properties: { amount: 5 }, timestamp: ago(3) },
  { event: 'purchase', distinct_id: 'b', properties: { amount: 5 }, timestamp: ago(40) },
  { event: 'purchase', distinct_id: 'c', properties: { amount: 99 }, timestamp: ago(1) },
  { event: '$pageview', distinct_id: 'd', properties: {}, timestamp: ago(1) },
];

beforeAll(async () => {
  server = await startServer();
  [projectId, otherProjectId] = await Promise.all([
    scenarioProject(server, 'cohorts', events),
    scenarioProject(server, 'cohorts-other', [{ event: '$identify', distinct_id: 'z', properties: { $set: { plan: 'pro' } }, timestamp: ago(1) }]),
  ]);
});
afterAll(() => server?.dispose());

function post(path: string, body: unknown) {
  return api<CohortBody & { detail: string; attr: string | null }>(server, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}
function patch(path: string, body: unknown) {
  return api<CohortBody & { detail: string; attr: string | null }>(server, path, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const createCohort = (body: Record<string, unknown>, project = projectId) => createCohortVia(server, project, body);
const waitCalculated = (id: number, project = projectId) => waitCalculatedVia(server, project, id);

async function members(id: number, project = projectId): Promise<string[]> {
  const res = await api<{ count: number; results: { distinct_ids: string[] }[] }>(server, `/api/projects/${project}/cohorts/${id}/persons/`);
  expect(res.status).toBe(200);
  return res.body.results.flatMap((p) => p.distinct_ids).sort();
}

const person = (key: string, value: unknown, operator = 'exact') => ({ type: 'person', key, value, operator });
const and = (...values: unknown[]) => ({ properties: { type: 'AND', values } });
const or = (...values: unknown[]) => ({ properties: { type: 'OR', values } });

describe('dynamic cohorts by person properties', () => {
  it('computes members, count and a persons list', async () => {
    const cohort = await createCohort({ name: 'Pro users', filters: and(person('plan', 'pro')) });
    expect(cohort).toMatchObject({ name: 'Pro users', count: 2, is_static: false, cohort_type: 'person_property' });
    expect(await members(cohort.id)).toEqual(['a', 'b']);
  });

  it('nests AND/OR groups and numeric operators', async () => {
    const cohort = await createCohort({ name: 'pro over 40 or enterprise', filters: or({ type: 'AND', values: [person('plan', 'pro'), person('age', 40, 'gt')] }, person('plan', 'enterprise')) });
    expect(await members(cohort.id)).toEqual(['b', 'e']);
  });

  it('is usable in HogQL by id and by name, and NOT IN COHORT', async () => {
    const cohort = await createCohort({ name: 'Free plan', filters: and(person('plan', 'free')) });
    const byId = await hogql(server, projectId, `SELECT distinct_id FROM events WHERE person_id IN COHORT ${cohort.id} GROUP BY distinct_id ORDER BY distinct_id`);
    expect(byId.body.results).toEqual([['c'], ['d']]);
    const byName = await hogql(server, projectId, `SELECT count() FROM events WHERE person_id IN COHORT 'Free plan'`);
    expect(byName.body.results).toEqual([[4]]); // c: identify + purchase, d: identify + pageview
    const notIn = await hogql(server, projectId, `SELECT count(DISTINCT person_id) FROM events WHERE person_id NOT IN COHORT ${cohort.id}`);
    expect(notIn.body.results).toEqual([[3]]);
    const persons = await hogql(server, projectId, `SELECT count() FROM persons WHERE id IN COHORT ${cohort.id}`);
    expect(persons.body.results).toEqual([[2]]);
  });

  it('filters insights with a cohort property filter', async () => {
    const cohort = await createCohort({ name: 'Pro for trends', filters: and(person('plan', 'pro')) });
    const res = await postQuery<{ results: { count: number }[] }>(server, projectId, {
      kind: 'TrendsQuery',
      series: [{ kind: 'EventsNode', event: 'purchase', math: 'total' }],
      dateRange: { date_from: '-30d' },
      properties: [{ type: 'cohort', key: 'id', value: cohort.id }],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.results[0]!.count).toBe(4); // a: 3, b: 1 within 30 days
    const excluded = await postQuery<{ results: { count: number }[] }>(server, projectId, {
      kind: 'TrendsQuery',
      series: [{ kind: 'EventsNode', event: 'purchase', math: 'total' }],
      dateRange: { date_from: '-30d' },
      properties: [{ type: 'cohort', key: 'id', value: cohort.id, operator: 'not_in' }],
    });
    expect(excluded.body.results[0]!.count).toBe(1); // c
  });

  it('lists persons of a cohort with ?cohort= (PostHog persons API)', async () => {
    const cohort = await createCohort({ name: 'Pro for persons API', filters: and(person('plan', 'pro')) });
    const res = await api<{ results: { distinct_ids: string[] }[] }>(server, `/api/projects/${projectId}/persons/?cohort=${cohort.id}`);
    expect(res.status).toBe(200);
    expect(res.body.results.flatMap((p) => p.distinct_ids).sort()).toEqual(['a', 'b']);
    expect((await api(server, `/api/projects/${projectId}/persons/?cohort=999999`)).status).toBe(400);
  });

  it('filters the events API with a cohort property filter', async () => {
    const cohort = await createCohort({ name: 'Enterprise for events', filters: and(person('plan', 'enterprise')) });
    const properties = encodeURIComponent(JSON.stringify([{ type: 'cohort', key: 'id', value: cohort.id }]));
    const res = await api<{ results: { distinct_id: string }[] }>(server, `/api/projects/${projectId}/events/?properties=${properties}`);
    expect(res.status).toBe(200);
    expect(res.body.results.map((e) => e.distinct_id)).toEqual(['e']);
  });

  it('recalculates when the definition changes', async () => {
    const cohort = await createCohort({ name: 'changing', filters: and(person('plan', 'pro')) });
    const res = await patch(`/api/projects/${projectId}/cohorts/${cohort.id}/`, { filters: and(person('plan', 'enterprise')) });
    expect(res.status).toBe(200);
    expect(res.body.is_calculating).toBe(true);
    const deadline = Date.now() + 15_000;
    while ((await members(cohort.id)).join() !== 'e' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await members(cohort.id)).toEqual(['e']);
    expect((await waitCalculated(cohort.id)).count).toBe(1);
  });
});

describe('behavioural cohorts', () => {
  const behavioral = (value: string, extra: Record<string, unknown> = {}) => ({ type: 'behavioral', value, key: 'purchase', event_type: 'events', time_value: 7, time_interval: 'day', ...extra });

  it('performed an event in the last N days', async () => {
    const cohort = await createCohort({ name: 'bought this week', filters: and(behavioral('performed_event')) });
    expect(cohort.cohort_type).toBe('behavioral');
    expect(await members(cohort.id)).toEqual(['a', 'b', 'c']);
  });

  it('performed an event at least N times', async () => {
    const cohort = await createCohort({ name: 'bought twice this week', filters: and(behavioral('performed_event_multiple', { operator: 'gte', operator_value: 2 })) });
    expect(await members(cohort.id)).toEqual(['a']);
    const exact = await createCohort({ name: 'bought exactly once this week', filters: and(behavioral('performed_event_multiple', { operator: 'exact', operator_value: 1 })) });
    expect(await members(exact.id)).toEqual(['b', 'c']);
  });

  it('performed an event for the first time in the window', async () => {
    // b bought 40 days ago, so b's first purchase is outside the last 7 days.
    const cohort = await createCohort({ name: 'first purchase this week', filters: and(behavioral('performed_event_first_time')) });
    expect(await members(cohort.id)).toEqual(['a', 'c']);
  });

  it('negates a behavioural filter and combines it with properties', async () => {
    const cohort = await createCohort({ name: 'free and not buying', filters: and(person('plan', 'free'), { ...behavioral('performed_event'), negation: true }) });
    expect(await members(cohort.id)).toEqual(['d']);
  });

  it('refers to other cohorts', async () => {
    const buyers = await createCohort({ name: 'buyers', filters: and(behavioral('performed_event')) });
    const cohort = await createCohort({ name: 'pro buyers', filters: and(person('plan', 'pro'), { type: 'cohort', key: 'id', value: buyers.id }) });
    expect(await members(cohort.id)).toEqual(['a', 'b']);
    const negated = await createCohort({ name: 'non-buyers', filters: and({ type: 'cohort', key: 'id', value: buyers.id, negation: true }) });
    expect(await members(negated.id)).toEqual(['d', 'e']);
  });

  it('accepts a HogQL query as the definition', async () => {
    const cohort = await createCohort({ name: 'big spenders', query: { kind: 'HogQLQuery', query: "SELECT person_id FROM events WHERE event = 'purchase' GROUP BY person_id HAVING sum(toFloat(properties.amount)) >= 50" } });
    expect(cohort.cohort_type).toBe('analytical');
    expect(await members(cohort.id)).toEqual(['a', 'c']);
  });
});

describe('static cohorts', () => {
  it('takes a CSV of distinct ids and emails (multipart, as PostHog)', async () => {
    const form = new FormData();
    form.set('name', 'uploaded');
    form.set('is_static', 'true');
    form.set('csv', new Blob(['distinct_id\na\ne@corp.test\nnobody\n'], { type: 'text/csv' }), 'people.csv');
    const res = await api<CohortBody>(server, `/api/projects/${projectId}/cohorts/`, { method: 'POST', body: form });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ is_static: true, count: 2, cohort_type: 'static' });
    expect(await members(res.body.id)).toEqual(['a', 'e']);
    const q = await hogql(server, projectId, `SELECT count() FROM events WHERE event = 'purchase' AND person_id IN COHORT ${res.body.id}`);
    expect(q.body.results).toEqual([[3]]);
  });

  it('adds and removes people by person id', async () => {
    const uuids = await hogql(server, projectId, "SELECT id, properties.plan FROM persons WHERE properties.plan IN ('free', 'pro') ORDER BY properties.plan, id");
    const ids = (uuids.body.results as string[][]).map((r) => r[0]!);
    const created = await createCohort({ name: 'hand picked', is_static: true, _create_static_person_ids: [ids[0]] });
    expect(created.count).toBe(1);
    const added = await patch(`/api/projects/${projectId}/cohorts/${created.id}/add_persons_to_static_cohort/`, { person_ids: ids });
    expect(added.status).toBe(200);
    expect(added.body.count).toBe(4);
    const removed = await patch(`/api/projects/${projectId}/cohorts/${created.id}/remove_person_from_static_cohort/`, { person_id: ids[0] });
    expect(removed.body.count).toBe(3);
    expect((await members(created.id)).length).toBe(3);
  });

  it('saves the persons behind an insight data point as a static cohort (ActorsQuery, as "Save as cohort")', async () => {
    // Purchasers in the last 7 days: a, b and c (counted by hand from the events above).
    const trend = { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: 'purchase', math: 'dau' }], dateRange: { date_from: '-7d' }, trendsFilter: { display: 'BoldNumber' } };
    const query = { kind: 'ActorsQuery', select: ['person_display_name'], source: { kind: 'InsightActorsQuery', source: trend, series: 0 } };
    const res = await post(`/api/projects/${projectId}/cohorts/`, { name: 'recent buyers', is_static: true, query });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ is_static: true, count: 3, cohort_type: 'static', query: null });
    expect(await members(res.body.id)).toEqual(['a', 'b', 'c']);
    // The ActorsQuery's own filters apply; a bad query is refused and creates nothing.
    const pro = await post(`/api/projects/${projectId}/cohorts/`, { name: 'recent pro buyers', is_static: true, query: { ...query, properties: [person('plan', 'pro')] } });
    expect(await members(pro.body.id)).toEqual(['a', 'b']);
    const before = (await api<{ count: number }>(server, `/api/projects/${projectId}/cohorts/`)).body.count;
    const bad = await post(`/api/projects/${projectId}/cohorts/`, { name: 'bad', is_static: true, query: { kind: 'ActorsQuery', limit: 'all' } });
    expect(bad.status).toBe(400);
    expect(bad.body.attr).toBe('query.limit');
    const dynamic = await post(`/api/projects/${projectId}/cohorts/`, { name: 'bad', query });
    expect(dynamic.status).toBe(400);
    expect((await api<{ count: number }>(server, `/api/projects/${projectId}/cohorts/`)).body.count).toBe(before);
  });

  it('duplicates a dynamic cohort as a static one', async () => {
    const dynamic = await createCohort({ name: 'pro to copy', filters: and(person('plan', 'pro')) });
    const res = await post(`/api/projects/${projectId}/cohorts/${dynamic.id}/duplicate_as_static_cohort/`, {});
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ is_static: true, count: 2 });
    expect(await members(res.body.id)).toEqual(['a', 'b']);
  });
});

describe('bad input and isolation', () => {
  const base = () => `/api/projects/${projectId}/cohorts/`;

  it('refuses definitions that cannot be computed, naming the problem', async () => {
    const cases: [unknown, string][] = [
      [{ name: 'x' }, 'needs filters or a query'],
      [{ name: 'x', filters: and({ type: 'behavioral', value: 'performed_event_regularly', key: 'purchase', event_type: 'events' }) }, 'not supported yet'],
      [{ name: 'x', filters: and({ type: 'behavioral', value: 'performed_event_multiple', key: 'purchase', event_type: 'events', operator: 'gte' }) }, 'operator_value'],
      [{ name: 'x', filters: and({ type: 'cohort', key: 'id', value: 999999 }) }, 'does not exist'],
      [{ name: 'x', filters: and(person('plan', 'pro', 'no_such_operator')) }, 'plan'],
      [{ name: 'x', query: { kind: 'HogQLQuery', query: 'SELECT person_id, event FROM events' } }, 'one column'],
      [{ name: 'x', query: { kind: 'HogQLQuery', query: 'SELECT person_id FROM system.tables' } }, ''],
      [{ name: 'x', filters: { properties: { type: 'XOR', values: [] } } }, 'filters'],
    ];
    for (const [body, message] of cases) {
      const res = await post(base(), body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.detail).toContain(message);
    }
    const badCsv = new FormData();
    badCsv.set('is_static', 'true');
    badCsv.set('csv', new Blob(['"unterminated\n'], { type: 'text/csv' }), 'x.csv');
    const csv = await api<{ detail: string }>(server, base(), { method: 'POST', body: badCsv });
    expect(csv.status).toBe(400);
    expect(csv.body.detail).toContain('CSV');
  });

  it('keeps cohorts to their project', async () => {
    const mine = await createCohort({ name: 'mine', filters: and(person('plan', 'pro')) });
    const theirs = await createCohort({ name: 'theirs', filters: and(person('plan', 'pro')) }, otherProjectId);
    expect((await api(server, `/api/projects/${otherProjectId}/cohorts/${mine.id}/`)).status).toBe(404);
    const q = await hogql(server, projectId, `SELECT count() FROM events WHERE person_id IN COHORT ${theirs.id}`);
    expect(q.status).toBe(400);
    expect((q.body as unknown as { detail: string }).detail).toContain('Could not find a cohort');
    const ref = await post(base(), { name: 'ref', filters: and({ type: 'cohort', key: 'id', value: theirs.id }) });
    expect(ref.status).toBe(400);
    const list = await api<{ results: CohortBody[] }>(server, `/api/projects/${otherProjectId}/cohorts/`);
    expect(list.body.results.map((c) => c.name)).toEqual(['theirs']);
  });

  it('soft-deletes with PATCH and then no longer resolves the cohort', async () => {
    const cohort = await createCohort({ name: 'to delete', filters: and(person('plan', 'pro')) });
    expect((await api(server, `${base()}${cohort.id}/`, { method: 'DELETE' })).status).toBe(405);
    expect((await patch(`${base()}${cohort.id}/`, { deleted: true })).status).toBe(200);
    expect((await api(server, `${base()}${cohort.id}/`)).status).toBe(404);
    const q = await hogql(server, projectId, `SELECT count() FROM events WHERE person_id IN COHORT 'to delete'`);
    expect(q.status).toBe(400);
  });
});
