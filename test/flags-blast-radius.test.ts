import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createProject, sendBatch } from './helpers/api.js';
import { createCohort, personPropertyCohort } from './helpers/cohorts.js';
import { waitForValue } from './helpers/query.js';
import { startServer, type TestServer } from './helpers/server.js';

/**
 * `POST /api/projects/:id/feature_flags/user_blast_radius`: PostHog's count of the users (or groups) one
 * release condition matches, out of all — rollout not applied — against hand-counted persons.
 */
let server: TestServer;
let projectA: { id: number; api_token: string };
let projectB: { id: number; api_token: string };
let projectC: { id: number; api_token: string };
let proCohort: number;

type Radius = { users_affected: number; total_users: number };
type ApiError = { type: string; code: string; detail: string; attr: string | null };

const json = (body: unknown, key?: string | null) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), key });
const radiusPath = (projectId: number, prefix = 'projects') => `/api/${prefix}/${projectId}/feature_flags/user_blast_radius`;

async function radius(condition: unknown, projectId = projectA.id, groupTypeIndex: number | null = null): Promise<Radius> {
  const res = await api<Radius>(server, radiusPath(projectId), json({ condition, group_type_index: groupTypeIndex }));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function refused(body: unknown, projectId = projectA.id): Promise<ApiError> {
  const res = await api<ApiError>(server, radiusPath(projectId), json(body));
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.type).toBe('validation_error');
  return res.body;
}

const person = (key: string, value: unknown, operator = 'exact') => ({ key, value, operator, type: 'person' });
const matches = (...properties: unknown[]) => ({ properties, rollout_percentage: 100 });

const identify = (distinctId: string, set: Record<string, unknown>) => ({ event: '$identify', distinct_id: distinctId, properties: { $set: set }, timestamp: new Date().toISOString() });

beforeAll(async () => {
  server = await startServer();
  projectA = await createProject(server, 'blast A');
  projectB = await createProject(server, 'blast B');
  projectC = await createProject(server, 'blast C (groups)');
  // Six persons; the counts below are taken from this table.
  //   a1 ann@acme.com      pro         age 25  signed_up 2024-01-10
  //   a2 bob@acme.com      pro         age 40  signed_up 2024-03-01
  //   a3 cy@example.com    free        age 31
  //   a4 dee@example.com   free
  //   a5 eve@other.org     enterprise  age 52
  //   a6 (no email)                              name anon
  await sendBatch(server, projectA.api_token, [
    identify('a1', { email: 'ann@acme.com', plan: 'pro', age: 25, signed_up: '2024-01-10' }),
    identify('a2', { email: 'bob@acme.com', plan: 'pro', age: 40, signed_up: '2024-03-01' }),
    identify('a3', { email: 'cy@example.com', plan: 'free', age: 31 }),
    identify('a4', { email: 'dee@example.com', plan: 'free' }),
    identify('a5', { email: 'eve@other.org', plan: 'enterprise', age: 52 }),
    identify('a6', { name: 'anon' }),
  ]);
  // Another project's persons are never counted in A (and all of them are "pro").
  await sendBatch(server, projectB.api_token, [identify('b1', { plan: 'pro', age: 99 }), identify('b2', { plan: 'pro', age: 98 })]);
  // Groups in a project of their own: three organizations.
  const group = (key: string, set: Record<string, unknown>) => ({
    event: '$groupidentify',
    distinct_id: `$organization_${key}`,
    properties: { $group_type: 'organization', $group_key: key, $group_set: set },
    timestamp: new Date().toISOString(),
  });
  await sendBatch(server, projectC.api_token, [group('acme', { employees: 50, tier: 'gold' }), group('globex', { employees: 500, tier: 'silver' }), group('initech', { employees: 5 })]);
  await waitForValue(server, projectA.id, "SELECT count() FROM persons WHERE properties.email LIKE '%@%'", 5);
  await waitForValue(server, projectA.id, 'SELECT count() FROM persons', 6);
  await waitForValue(server, projectB.id, 'SELECT count() FROM persons', 2);
  await waitForValue(server, projectC.id, 'SELECT count() FROM groups WHERE index = 0', 3);
  proCohort = (await createCohort(server, projectA.id, personPropertyCohort('Pro users', 'plan', 'pro'))).id;
}, 60_000);

afterAll(() => server?.dispose());

describe('user_blast_radius counts persons', () => {
  it('no filters (or a null condition) match everyone', async () => {
    expect(await radius({ properties: [], rollout_percentage: 100 })).toEqual({ users_affected: 6, total_users: 6 });
    expect(await radius({})).toEqual({ users_affected: 6, total_users: 6 });
    expect(await radius(null)).toEqual({ users_affected: 6, total_users: 6 });
  });

  it('exact, is_not and lists', async () => {
    expect(await radius(matches(person('plan', 'pro')))).toEqual({ users_affected: 2, total_users: 6 });
    expect(await radius(matches(person('plan', ['pro', 'enterprise'])))).toEqual({ users_affected: 3, total_users: 6 });
    // a6 has no plan: a missing property is "not pro" too.
    expect((await radius(matches(person('plan', ['pro'], 'is_not')))).users_affected).toBe(4);
  });

  it('icontains, starts_with, ends_with, icontains_multi', async () => {
    expect((await radius(matches(person('email', 'EXAMPLE', 'icontains')))).users_affected).toBe(2);
    expect((await radius(matches(person('email', 'ANN', 'starts_with')))).users_affected).toBe(1);
    expect((await radius(matches(person('email', '@acme.com', 'ends_with')))).users_affected).toBe(2);
    // `.` is literal in a suffix: "@acme.com" does not match "@acmeXcom".
    expect((await radius(matches(person('email', 'acme.co', 'ends_with')))).users_affected).toBe(0);
    expect((await radius(matches(person('email', ['acme', 'other'], 'icontains_multi')))).users_affected).toBe(3);
  });

  it('is_set and is_not_set', async () => {
    expect((await radius(matches(person('email', null, 'is_set')))).users_affected).toBe(5);
    expect((await radius(matches(person('email', null, 'is_not_set')))).users_affected).toBe(1);
  });

  it('numeric and date comparisons', async () => {
    expect((await radius(matches(person('age', 30, 'gt')))).users_affected).toBe(3);
    expect((await radius(matches(person('age', '40', 'gte')))).users_affected).toBe(2);
    expect((await radius(matches(person('age', 25, 'lte')))).users_affected).toBe(1);
    expect((await radius(matches(person('signed_up', '2024-02-01', 'is_date_before')))).users_affected).toBe(1);
    expect((await radius(matches(person('signed_up', '2024-02-01', 'is_date_after')))).users_affected).toBe(1);
    // Relative dates are anchored now: both sign-ups are more than 30 days ago.
    expect((await radius(matches(person('signed_up', '-30d', 'is_date_before')))).users_affected).toBe(2);
  });

  it('filters of a condition are ANDed', async () => {
    expect((await radius(matches(person('plan', 'pro'), person('age', 30, 'gt')))).users_affected).toBe(1);
  });

  it('cohort conditions count the cohort’s members', async () => {
    expect(await radius(matches({ key: 'id', type: 'cohort', value: proCohort, operator: 'in' }))).toEqual({ users_affected: 2, total_users: 6 });
    expect((await radius(matches({ key: 'id', type: 'cohort', value: proCohort, operator: 'not_in' }))).users_affected).toBe(4);
    expect((await radius(matches({ key: 'id', type: 'cohort', value: proCohort }, person('age', 30, 'gt')))).users_affected).toBe(1);
  });

  it('the rollout percentage and a variant override do not change the count (the client applies the rollout)', async () => {
    expect(await radius({ properties: [person('plan', 'pro')], rollout_percentage: 50, variant: 'test' })).toEqual({ users_affected: 2, total_users: 6 });
  });

  it('answers under /api/environments/ too', async () => {
    const res = await api<Radius>(server, radiusPath(projectA.id, 'environments'), json({ condition: matches(person('plan', 'free')) }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ users_affected: 2, total_users: 6 });
  });
});

describe('user_blast_radius counts groups', () => {
  const group = (key: string, value: unknown, operator = 'exact') => ({ key, value, operator, type: 'group', group_type_index: 0 });

  it('counts the groups of the type', async () => {
    expect(await radius({ properties: [] }, projectC.id, 0)).toEqual({ users_affected: 3, total_users: 3 });
    expect(await radius(matches(group('tier', 'gold')), projectC.id, 0)).toEqual({ users_affected: 1, total_users: 3 });
    expect((await radius(matches(group('employees', 10, 'gt')), projectC.id, 0)).users_affected).toBe(2);
    expect((await radius(matches(group('employees', '50')), projectC.id, 0)).users_affected).toBe(1);
    expect((await radius(matches(group('tier', null, 'is_not_set')), projectC.id, 0)).users_affected).toBe(1);
    expect((await radius(matches(group('$group_key', ['acme', 'initech'])), projectC.id, 0)).users_affected).toBe(2);
    // A type with no groups yet.
    expect(await radius({ properties: [] }, projectC.id, 1)).toEqual({ users_affected: 0, total_users: 0 });
  });

  it('refuses person filters or another type’s filters on a group condition', async () => {
    const res = await api<ApiError>(server, radiusPath(projectC.id), json({ condition: matches(person('plan', 'pro')), group_type_index: 0 }));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ attr: 'condition', detail: 'Filters are not valid (can only use group properties)' });
    const other = await api<ApiError>(server, radiusPath(projectC.id), json({ condition: matches({ ...group('tier', 'gold'), group_type_index: 1 }), group_type_index: 0 }));
    expect(other.status).toBe(400);
  });
});

describe('user_blast_radius validation, scopes and isolation', () => {
  it('refuses bad bodies with a clear detail', async () => {
    expect(await refused({})).toMatchObject({ attr: 'condition', detail: 'Missing condition for which to get blast radius' });
    expect((await refused({ condition: 'everyone' })).attr).toBe('condition');
    expect((await refused({ condition: { properties: 'plan=pro' } })).detail).toBe('condition.properties must be a list of property filters');
    expect(await refused({ condition: matches(person('plan', 'pro', 'sounds_like')) })).toMatchObject({ attr: 'condition', detail: "Filters are not valid (unknown operator 'sounds_like')" });
    expect((await refused({ condition: matches({ key: 'plan', value: 'pro', type: 'event' }) })).detail).toBe('Filters are not valid (can only use person, cohort, and flag properties)');
    expect((await refused({ condition: matches(person('age', 'old', 'gt')) })).detail).toBe('property filter \'age\' with operator \'gt\' needs a number, got "old"');
    expect((await refused({ condition: matches(person('age', 'old', 'between')) })).detail).toMatch(/needs \[min, max\]/);
    expect((await refused({ condition: matches({ key: 7 }) })).detail).toMatch(/^condition\.properties\[0\]\.key: /);
    expect((await refused({ condition: { properties: [], rollout_percentage: 150 } })).detail).toMatch(/^condition\.rollout_percentage: /);
    expect((await refused({ condition: matches(person('app_version', '1.2.0', 'semver_gt')) })).detail).toBe("The semver_gt operator cannot be counted yet (property 'app_version')");
    expect((await refused({ condition: matches({ key: 'id', type: 'cohort', value: 999999, operator: 'in' }) })).detail).toBe('Cohort with id 999999 does not exist');
    expect(await refused({ condition: {}, group_type_index: 7 })).toMatchObject({ attr: 'group_type_index' });
    expect((await refused({ condition: {}, group_type_index: 'organization' })).attr).toBe('group_type_index');
  });

  it('refuses conditions on other flags, which no stored property can answer', async () => {
    const created = await api<{ id: number }>(server, `/api/projects/${projectA.id}/feature_flags/`, {
      ...json({ key: 'base-flag', filters: { groups: [{ properties: [], rollout_percentage: 100 }] } }),
    });
    expect(created.status).toBe(201);
    const detail = (await refused({ condition: matches({ key: String(created.body.id), type: 'flag', operator: 'flag_evaluates_to', value: true }) })).detail;
    expect(detail).toMatch(/^Conditions on other flags cannot be counted/);
  });

  it('never counts another project’s persons, nor reaches its cohorts', async () => {
    expect(await radius(matches(person('plan', 'pro')), projectB.id)).toEqual({ users_affected: 2, total_users: 2 });
    expect(await radius(matches(person('age', 90, 'gt')))).toEqual({ users_affected: 0, total_users: 6 });
    expect((await refused({ condition: matches({ key: 'id', type: 'cohort', value: proCohort, operator: 'in' }) }, projectB.id)).detail).toBe(`Cohort with id ${proCohort} does not exist`);
  });

  it('needs feature_flag:read, as the other flag read routes', async () => {
    const keyWith = async (scopes: string[]) => {
      const res = await api<{ value: string }>(server, '/api/personal_api_keys/', json({ label: 'blast radius', scopes }));
      expect(res.status).toBe(201);
      return res.body.value;
    };
    const reader = await keyWith(['feature_flag:read']);
    const ok = await api<Radius>(server, radiusPath(projectA.id), json({ condition: {} }, reader));
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ users_affected: 6, total_users: 6 });
    const other = await keyWith(['insight:read']);
    expect((await api(server, radiusPath(projectA.id), json({ condition: {} }, other))).status).toBe(403);
    expect((await api(server, radiusPath(projectA.id), json({ condition: {} }, null))).status).toBe(401);
  });
});
