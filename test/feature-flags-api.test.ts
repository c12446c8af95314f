import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createProject } from './helpers/api.js';
import { startServer, type TestServer } from './helpers/server.js';

/**
 * `/api/projects/:id/feature_flags/`: PostHog's feature flag API — its field names, its validation
 * rules and messages (`posthog/api/feature_flag.py`), soft deletion, scopes and project isolation.
 */
let server: TestServer;
let projectA: { id: number; api_token: string };
let projectB: { id: number; api_token: string };

type Flag = {
  id: number;
  key: string;
  name: string;
  filters: Record<string, any>;
  version: number;
  active: boolean;
  deleted: boolean;
  created_by: { email: string } | null;
  created_at: string;
  updated_at: string;
  is_simple_flag: boolean;
  rollout_percentage: number | null;
  status: string;
  [field: string]: unknown;
};
type ApiError = { type: string; code: string; detail: string; attr: string | null };
type Page = { count: number; next: string | null; previous: string | null; results: Flag[] };

const json = (method: string, body: unknown, key?: string) => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), key });
const flagsOf = (projectId: number) => `/api/projects/${projectId}/feature_flags/`;

/** One release condition: everyone, at `rollout` percent. */
const everyone = (rollout: number | null = 100) => ({ groups: [{ properties: [], rollout_percentage: rollout }] });
const personCondition = (key: string, value: unknown, operator = 'exact') => ({ groups: [{ properties: [{ key, value, operator, type: 'person' }], rollout_percentage: 100 }] });
const dependsOn = (flagId: number | string, operator = 'flag_evaluates_to') => ({
  groups: [{ properties: [{ key: String(flagId), type: 'flag', operator, value: true }], rollout_percentage: 100 }],
});

async function createFlag(body: Record<string, unknown>, projectId = projectA.id): Promise<Flag> {
  const res = await api<Flag>(server, flagsOf(projectId), json('POST', body));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function patchFlag(id: number, body: Record<string, unknown>, projectId = projectA.id) {
  return api<Flag & ApiError>(server, `${flagsOf(projectId)}${id}/`, json('PATCH', body));
}

async function scopedKey(scopes: string[]): Promise<string> {
  const res = await api<{ value: string }>(server, '/api/personal_api_keys/', json('POST', { label: 'flags test', scopes }));
  if (res.status !== 201) throw new Error(`key create answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.value;
}

async function createCohort(projectId: number, body: Record<string, unknown>): Promise<number> {
  const res = await api<{ id: number }>(server, `/api/projects/${projectId}/cohorts/`, json('POST', body));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

const PERSON_COHORT = { name: 'Corp people', filters: { properties: { type: 'AND', values: [{ type: 'person', key: 'email', operator: 'icontains', value: '@corp.com' }] } } };
const EVENT_COHORT = {
  name: 'Recent viewers',
  filters: { properties: { type: 'AND', values: [{ type: 'behavioral', key: '$pageview', value: 'performed_event', event_type: 'events', time_value: 30, time_interval: 'day' }] } },
};

beforeAll(async () => {
  server = await startServer();
  projectA = await createProject(server, 'flags A');
  projectB = await createProject(server, 'flags B');
});
afterAll(() => server?.dispose());

describe('feature flag CRUD', () => {
  it('creates, reads, lists and updates flags in PostHog field names', async () => {
    const created = await createFlag({
      key: 'new-ui',
      name: 'The new UI',
      filters: {
        groups: [{ properties: [{ key: 'email', type: 'person', value: '@corp.com', operator: 'icontains' }], rollout_percentage: 50 }],
        multivariate: { variants: [{ key: 'control', rollout_percentage: 50 }, { key: 'test', rollout_percentage: 50 }] },
        payloads: { test: { color: 'blue' } },
      },
    });
    expect(created).toMatchObject({
      key: 'new-ui',
      name: 'The new UI',
      active: true,
      deleted: false,
      version: 1,
      is_simple_flag: false,
      rollout_percentage: null,
      ensure_experience_continuity: false,
      experiment_set: [],
      surveys: [],
      features: [],
      rollback_conditions: null,
      performed_rollback: false,
      can_edit: true,
      tags: [],
      evaluation_tags: [],
      evaluation_runtime: 'all',
      bucketing_identifier: null,
      usage_dashboard: null,
      analytics_dashboards: [],
      has_enriched_analytics: false,
      status: 'ACTIVE',
      created_by: { email: server.adminEmail },
    });
    // An object payload is stored as its JSON encoding: SDKs are served JSON strings.
    expect(created.filters.payloads).toEqual({ test: '{"color":"blue"}' });
    expect(created.filters.multivariate.variants.map((v: { key: string }) => v.key)).toEqual(['control', 'test']);
    expect(Date.parse(created.created_at)).not.toBeNaN();

    const read = await api<Flag>(server, `${flagsOf(projectA.id)}${created.id}/`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created);
    const viaEnvironments = await api<Flag>(server, `/api/environments/${projectA.id}/feature_flags/${created.id}/`);
    expect(viaEnvironments.body).toEqual(created);

    const list = await api<Page>(server, flagsOf(projectA.id));
    expect(list.status).toBe(200);
    expect(list.body.results.find((f) => f.id === created.id)).toEqual(created);

    const disabled = await patchFlag(created.id, { active: false });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ active: false, version: 2, name: 'The new UI' });
    expect(Date.parse(disabled.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(created.updated_at));
    const renamed = await patchFlag(created.id, { name: 'Renamed' });
    expect(renamed.body).toMatchObject({ name: 'Renamed', active: false, version: 3 });

    const replaced = await api<Flag>(server, `${flagsOf(projectA.id)}${created.id}/`, json('PUT', { key: 'new-ui-2', filters: everyone(25), active: true }));
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(replaced.body).toMatchObject({ key: 'new-ui-2', name: 'Renamed', active: true, version: 4, is_simple_flag: true, rollout_percentage: 25 });
    expect(replaced.body.filters).toEqual(everyone(25));
    // Reads after a write see it (the per-project cache is dropped on every write).
    expect((await api<Flag>(server, `${flagsOf(projectA.id)}${created.id}/`)).body).toMatchObject({ key: 'new-ui-2', version: 4 });
  });

  it('gives a flag created without filters PostHog legacy condition: everyone', async () => {
    const flag = await createFlag({ key: 'no-filters' });
    expect(flag.filters).toEqual({ groups: [{ properties: [], rollout_percentage: null }] });
    expect(flag).toMatchObject({ is_simple_flag: true, rollout_percentage: null, name: '' });
  });

  it('encodes non-string payloads as JSON strings and keeps JSON strings as sent', async () => {
    const number = await createFlag({ key: 'payload-number', filters: { ...everyone(), payloads: { true: 42 } } });
    expect(number.filters.payloads).toEqual({ true: '42' });
    const text = await createFlag({ key: 'payload-text', filters: { ...everyone(), payloads: { true: '"hello"' } } });
    expect(text.filters.payloads).toEqual({ true: '"hello"' });
    const list = await createFlag({ key: 'payload-list', filters: { ...everyone(), payloads: { true: [1, 'two'] } } });
    expect(list.filters.payloads).toEqual({ true: '[1,"two"]' });
  });

  it('answers DELETE with 405 as PostHog does, and soft-deletes with PATCH deleted', async () => {
    const flag = await createFlag({ key: 'short-lived', filters: everyone() });
    const del = await api<ApiError>(server, `${flagsOf(projectA.id)}${flag.id}/`, { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect(del.body.detail).toContain('"deleted"');

    const deleted = await patchFlag(flag.id, { deleted: true });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ deleted: true, version: 2, status: 'DELETED' });
    const list = await api<Page>(server, `${flagsOf(projectA.id)}?limit=1000`);
    expect(list.body.results.map((f) => f.id)).not.toContain(flag.id);
    // Still retrievable by id, as in PostHog.
    expect((await api<Flag>(server, `${flagsOf(projectA.id)}${flag.id}/`)).body.deleted).toBe(true);

    // The key is free again.
    const again = await createFlag({ key: 'short-lived', filters: everyone() });
    expect(again.id).not.toBe(flag.id);
    // Undeleting the old one would make two live flags share the key.
    const undelete = await patchFlag(flag.id, { deleted: false });
    expect(undelete.status).toBe(400);
    expect(undelete.body).toMatchObject({ attr: 'key', detail: 'There is already a feature flag with this key.' });
  });

  it('reports status and refuses unknown ids', async () => {
    const flag = await createFlag({ key: 'status-flag', filters: everyone() });
    const status = await api<{ status: string; reason: string }>(server, `${flagsOf(projectA.id)}${flag.id}/status/`);
    expect(status.status).toBe(200);
    expect(status.body).toEqual({ status: 'active', reason: 'Flag is active and being evaluated' });
    const missing = await api<{ status: string }>(server, `${flagsOf(projectA.id)}99999999/status/`);
    expect(missing.status).toBe(404);
    expect(missing.body.status).toBe('unknown');
    expect((await api(server, `${flagsOf(projectA.id)}99999999/`)).status).toBe(404);
    expect((await api(server, `${flagsOf(projectA.id)}not-a-number/`)).status).toBe(404);
  });
});

describe('feature flag list', () => {
  let projectId: number;
  beforeAll(async () => {
    projectId = (await createProject(server, 'flags list')).id;
    await createFlag({ key: 'alpha', name: 'Checkout redesign', filters: everyone() }, projectId);
    await createFlag({ key: 'beta', filters: { ...everyone(), multivariate: { variants: [{ key: 'a', rollout_percentage: 100 }] } } }, projectId);
    const gamma = await createFlag({ key: 'gamma', filters: everyone() }, projectId);
    expect((await patchFlag(gamma.id, { active: false }, projectId)).status).toBe(200);
  });

  const keys = async (query: string) => {
    const res = await api<Page>(server, `${flagsOf(projectId)}${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.results.map((f) => f.key);
  };

  it('is newest first and filters by active, search and type', async () => {
    expect(await keys('')).toEqual(['gamma', 'beta', 'alpha']);
    expect(await keys('?order=key')).toEqual(['alpha', 'beta', 'gamma']);
    expect(await keys('?active=true')).toEqual(['beta', 'alpha']);
    expect(await keys('?active=false')).toEqual(['gamma']);
    expect(await keys('?search=CHECKOUT')).toEqual(['alpha']);
    expect(await keys('?search=amm')).toEqual(['gamma']);
    expect(await keys('?type=multivariant')).toEqual(['beta']);
    expect(await keys('?type=boolean')).toEqual(['gamma', 'alpha']);
    expect(await keys('?type=experiment')).toEqual([]);
    expect(await keys('?search=zzz&search=alp')).toEqual(['alpha']);
    for (const bad of ['?active=maybe', '?type=weird', '?order=filters', '?limit=0', '?tags=notjson']) {
      expect({ bad, status: (await api(server, `${flagsOf(projectId)}${bad}`)).status }).toEqual({ bad, status: 400 });
    }
  });

  it('pages like PostHog lists', async () => {
    const first = await api<Page>(server, `${flagsOf(projectId)}?limit=2`);
    expect(first.body.count).toBe(3);
    expect(first.body.results.map((f) => f.key)).toEqual(['gamma', 'beta']);
    const next = new URL(first.body.next!);
    const second = await api<Page>(server, next.pathname + next.search);
    expect(second.body.results.map((f) => f.key)).toEqual(['alpha']);
    expect(second.body.next).toBeNull();
  });
});

describe('feature flag validation', () => {
  let cohortId: number;
  let eventCohortId: number;
  let nestedEventCohortId: number;
  let foreignCohortId: number;
  beforeAll(async () => {
    cohortId = await createCohort(projectA.id, PERSON_COHORT);
    eventCohortId = await createCohort(projectA.id, EVENT_COHORT);
    nestedEventCohortId = await createCohort(projectA.id, {
      name: 'Includes viewers',
      filters: { properties: { type: 'OR', values: [{ type: 'cohort', key: 'id', value: eventCohortId }] } },
    });
    foreignCohortId = await createCohort(projectB.id, PERSON_COHORT);
  });

  async function expect400(body: Record<string, unknown>, attr: string | null, detail: string) {
    const res = await api<ApiError>(server, flagsOf(projectA.id), json('POST', body));
    expect({ status: res.status, attr: res.body.attr }, JSON.stringify(res.body)).toEqual({ status: 400, attr });
    expect(res.body.detail).toContain(detail);
    expect(res.body.type).toBe('validation_error');
  }

  const variants = (...pcts: number[]) => ({ variants: pcts.map((p, i) => ({ key: `v${i}`, rollout_percentage: p })) });

  it('checks the key', async () => {
    await createFlag({ key: 'taken', filters: everyone() });
    await expect400({ filters: everyone() }, 'key', 'This field is required.');
    await expect400({ key: '', filters: everyone() }, 'key', 'This field may not be blank.');
    await expect400({ key: 'has space', filters: everyone() }, 'key', 'Only letters, numbers, hyphens (-) & underscores (_) are allowed.');
    await expect400({ key: 'dots.not.ok', filters: everyone() }, 'key', 'Only letters, numbers, hyphens (-) & underscores (_) are allowed.');
    await expect400({ key: 'taken', filters: everyone() }, 'key', 'There is already a feature flag with this key.');
    await expect400({ key: 'k'.repeat(401), filters: everyone() }, 'key', 'Ensure this field has no more than 400 characters.');
    await expect400({ key: { nested: true }, filters: everyone() }, 'key', 'Not a valid string.');
    // Renaming onto a taken key is refused too.
    const other = await createFlag({ key: 'not-taken', filters: everyone() });
    expect((await patchFlag(other.id, { key: 'taken' })).body).toMatchObject({ attr: 'key', detail: 'There is already a feature flag with this key.' });
  });

  it('checks variants, rollouts and payloads', async () => {
    await expect400({ key: 'v-sum', filters: { ...everyone(), multivariate: variants(50, 40) } }, 'filters', 'Invalid variant definitions: Variant rollout percentages must sum to 100.');
    await expect400(
      { key: 'v-dup', filters: { ...everyone(), multivariate: { variants: [{ key: 'same', rollout_percentage: 50 }, { key: 'same', rollout_percentage: 50 }] } } },
      'filters',
      'Variant keys must be unique',
    );
    await expect400(
      { key: 'v-override', filters: { groups: [{ properties: [], rollout_percentage: 100, variant: 'nope' }], multivariate: variants(100) } },
      'filters',
      'Filters are not valid (variant override does not exist)',
    );
    await expect400({ key: 'v-override-bool', filters: { groups: [{ properties: [], variant: 'v0' }] } }, 'filters', 'variant override does not exist');
    await expect400({ key: 'r-high', filters: everyone(101) }, 'filters', 'rollout_percentage');
    await expect400({ key: 'r-low', filters: everyone(-1) }, 'filters', 'rollout_percentage');
    await expect400({ key: 'r-variant', filters: { ...everyone(), multivariate: variants(150, -50) } }, 'filters', 'rollout_percentage');
    await expect400({ key: 'agg', filters: { ...everyone(), aggregation_group_type_index: 5 } }, 'filters', 'aggregation_group_type_index');
    await expect400({ key: 'no-groups', filters: { groups: [] } }, 'filters', 'Feature flags must have at least one condition set (group).');
    await expect400({ key: 'p-json', filters: { ...everyone(), payloads: { true: '{not json' } } }, 'filters', 'Payload value is not valid JSON');
    await expect400({ key: 'p-dict', filters: { ...everyone(), payloads: ['x'] } }, 'filters', 'Payloads must be passed as a dictionary');
    await expect400({ key: 'p-bool', filters: { ...everyone(), payloads: { false: '1' } } }, 'filters', "Payload keys must be 'true' for boolean flags");
    await expect400({ key: 'p-multi', filters: { ...everyone(), multivariate: variants(100), payloads: { true: '1' } } }, 'filters', 'Payload keys must match a variant key for multivariate flags');
  });

  it('checks property filters', async () => {
    await expect400({ key: 'op', filters: personCondition('email', 'x', 'bogus') }, 'filters', "unknown operator 'bogus'");
    await expect400({ key: 'op-in', filters: personCondition('email', 'x', 'in') }, 'filters', "The 'in' operator is only valid for cohort properties, not 'person' properties.");
    await expect400({ key: 'op-gt', filters: personCondition('age', [5], 'gt') }, 'filters', 'Invalid value for operator gt');
    await expect400({ key: 'op-date', filters: personCondition('signup', 'not a date', 'is_date_before') }, 'filters', 'Invalid date value: not a date');
    await expect400({ key: 'op-many', filters: personCondition('id', Array.from({ length: 1001 }, (_, i) => i)) }, 'filters', 'cannot contain more than 1000 values');
    await expect400(
      { key: 'event-prop', filters: { groups: [{ properties: [{ key: '$browser', value: 'Chrome', type: 'event' }] }] } },
      'filters',
      'Filters are not valid (can only use person, cohort, and flag properties)',
    );
    await expect400(
      { key: 'group-mix', filters: { aggregation_group_type_index: 0, groups: [{ properties: [{ key: 'plan', value: 'pro', type: 'person' }] }] } },
      'filters',
      'Filters are not valid (can only use group properties)',
    );
    await expect400(
      { key: 'group-index', filters: { aggregation_group_type_index: 0, groups: [{ properties: [{ key: 'plan', value: 'pro', type: 'group', group_type_index: 1 }] }] } },
      'filters',
      'can only use group properties',
    );
    // The valid forms of the same filters are accepted.
    const dated = await createFlag({ key: 'op-date-ok', filters: personCondition('signup', '-30d', 'is_date_after') });
    expect(dated.filters.groups[0].properties[0].value).toBe('-30d');
    const group = await createFlag({ key: 'group-ok', filters: { aggregation_group_type_index: 0, groups: [{ properties: [{ key: 'plan', value: 'pro', type: 'group', group_type_index: 0 }] }] } });
    expect(group.is_simple_flag).toBe(false);
  });

  it('checks cohorts: of this project; beyond PostHog, behavioural cohorts may target flags', async () => {
    const cohortFilter = (value: unknown) => ({ groups: [{ properties: [{ key: 'id', type: 'cohort', value }], rollout_percentage: 100 }] });
    await expect400({ key: 'c-missing', filters: cohortFilter(99_999_999) }, 'filters', 'Cohort with id 99999999 does not exist');
    await expect400({ key: 'c-foreign', filters: cohortFilter(foreignCohortId) }, 'filters', `Cohort with id ${foreignCohortId} does not exist`);
    await createFlag({ key: 'c-events', filters: cohortFilter(eventCohortId) });
    await createFlag({ key: 'c-nested', filters: cohortFilter(nestedEventCohortId) });
    const ok = await createFlag({ key: 'c-ok', filters: cohortFilter(cohortId) });
    // PostHog names the cohort in responses.
    expect(ok.filters.groups[0].properties[0]).toMatchObject({ type: 'cohort', value: cohortId, cohort_name: 'Corp people' });
  });

  it('checks flag dependencies: by id, existing, active, and without cycles', async () => {
    const base = await createFlag({ key: 'dep-base', filters: everyone() });
    await expect400({ key: 'dep-by-key', filters: dependsOn('dep-base') }, 'filters', "Flag dependencies must reference flag IDs (integers), not flag keys. Invalid reference: 'dep-base'");
    await expect400({ key: 'dep-missing', filters: dependsOn(99_999_999) }, 'filters', 'Flag dependency references non-existent flag with ID 99999999');
    await expect400({ key: 'dep-operator', filters: dependsOn(base.id, 'exact') }, 'filters', "Flag properties must use the 'flag_evaluates_to' operator");

    const middle = await createFlag({ key: 'dep-middle', filters: dependsOn(base.id) });
    const top = await createFlag({ key: 'dep-top', filters: dependsOn(middle.id) });
    const self = await patchFlag(base.id, { filters: dependsOn(base.id) });
    expect(self.status).toBe(400);
    expect(self.body).toMatchObject({ attr: 'filters', detail: "Feature flag 'dep-base' cannot depend on itself" });
    const cycle = await patchFlag(base.id, { filters: dependsOn(top.id) });
    expect(cycle.status).toBe(400);
    expect(cycle.body).toMatchObject({ attr: 'filters', detail: 'Circular dependency detected: dep-base → dep-top → dep-middle → dep-base' });

    // A flag others depend on can be neither disabled nor deleted; a disabled flag cannot become a dependency.
    const disable = await patchFlag(base.id, { active: false });
    expect(disable.status).toBe(400);
    expect(disable.body.detail).toContain(`Cannot disable this feature flag because other flags depend on it: dep-middle (ID: ${middle.id})`);
    const remove = await patchFlag(base.id, { deleted: true });
    expect(remove.status).toBe(400);
    expect(remove.body.detail).toContain(`Cannot delete this feature flag because other flags depend on it: dep-middle (ID: ${middle.id})`);
    const off = await createFlag({ key: 'dep-off', filters: everyone(), active: false });
    await expect400({ key: 'dep-on-off', filters: dependsOn(off.id) }, 'filters', `Cannot create dependency on disabled flag 'dep-off' (ID: ${off.id})`);
    // Unchanged after all the refusals.
    expect((await api<Flag>(server, `${flagsOf(projectA.id)}${base.id}/`)).body).toMatchObject({ active: true, deleted: false, version: 1 });
  });

  it('checks the other fields', async () => {
    await expect400({ key: 'runtime', filters: everyone(), evaluation_runtime: 'edge' }, 'evaluation_runtime', '"edge" is not a valid choice.');
    await expect400({ key: 'bucket', filters: everyone(), bucketing_identifier: 'email' }, 'bucketing_identifier', '"email" is not a valid choice.');
    await expect400({ key: 'active-str', filters: everyone(), active: 'yes' }, 'active', 'Must be a valid boolean.');
    await expect400({ key: 'tags-str', filters: everyone(), tags: 'beta' }, 'tags', 'Expected a list of items but got type "str".');
    await expect400({ key: 'eval-tags', filters: everyone(), tags: ['web'], evaluation_tags: ['web', 'mobile'] }, 'evaluation_tags', 'Invalid evaluation tags: mobile');
    await expect400({ key: 'remote', filters: everyone(), is_remote_configuration: true }, 'is_remote_configuration', 'not supported');
    const tagged = await createFlag({ key: 'tagged', filters: everyone(), tags: [' Web ', 'web', 'Mobile'], evaluation_tags: ['web'], evaluation_runtime: 'server' });
    expect(tagged).toMatchObject({ tags: ['web', 'mobile'], evaluation_tags: ['web'], evaluation_runtime: 'server' });
  });
});

describe('feature flag scopes and isolation', () => {
  it('needs feature_flag:read to read and feature_flag:write to write', async () => {
    const flag = await createFlag({ key: 'scoped', filters: everyone() });
    const reader = await scopedKey(['feature_flag:read']);
    expect((await api(server, flagsOf(projectA.id), { key: reader })).status).toBe(200);
    expect((await api(server, `${flagsOf(projectA.id)}${flag.id}/`, { key: reader })).status).toBe(200);
    const writes = [
      api(server, flagsOf(projectA.id), json('POST', { key: 'by-reader', filters: everyone() }, reader)),
      api(server, `${flagsOf(projectA.id)}${flag.id}/`, json('PATCH', { active: false }, reader)),
      api(server, `${flagsOf(projectA.id)}${flag.id}/`, json('PUT', { key: 'scoped', filters: everyone() }, reader)),
      api(server, `${flagsOf(projectA.id)}${flag.id}/`, { method: 'DELETE', key: reader }),
    ];
    expect((await Promise.all(writes)).map((r) => r.status)).toEqual([403, 403, 403, 403]);
    expect((await api<Flag>(server, `${flagsOf(projectA.id)}${flag.id}/`)).body).toMatchObject({ active: true, version: 1 });

    const other = await scopedKey(['insight:read']);
    expect((await api(server, flagsOf(projectA.id), { key: other })).status).toBe(403);
    const writer = await scopedKey(['feature_flag:write']);
    expect((await api(server, flagsOf(projectA.id), json('POST', { key: 'by-writer', filters: everyone() }, writer))).status).toBe(201);
    expect((await api(server, flagsOf(projectA.id), { key: null })).status).toBe(401);
  });

  it("keeps each project's flags to itself", async () => {
    const mine = await createFlag({ key: 'shared-key', filters: everyone() }, projectA.id);
    const theirs = await createFlag({ key: 'shared-key', filters: everyone(10) }, projectB.id);
    expect(theirs.id).not.toBe(mine.id);
    expect((await api(server, `${flagsOf(projectB.id)}${mine.id}/`)).status).toBe(404);
    expect((await api(server, `/api/environments/${projectB.id}/feature_flags/${mine.id}/`)).status).toBe(404);
    expect((await patchFlag(mine.id, { active: false }, projectB.id)).status).toBe(404);
    expect((await api(server, `${flagsOf(projectB.id)}${mine.id}/status/`)).status).toBe(404);
    const listB = await api<Page>(server, `${flagsOf(projectB.id)}?limit=1000`);
    expect(listB.body.results.map((f) => f.id)).not.toContain(mine.id);
    expect((await api<Flag>(server, `${flagsOf(projectA.id)}${mine.id}/`)).body).toMatchObject({ active: true, version: 1 });
    // A dependency on another project's flag names no flag of this project.
    const res = await api<ApiError>(server, flagsOf(projectB.id), json('POST', { key: 'cross', filters: dependsOn(mine.id) }));
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain(`non-existent flag with ID ${mine.id}`);
  });
});

describe('hostile input', () => {
  it('refuses malformed bodies and filters with 400s naming the field', async () => {
    const post = (body: string) => api<ApiError>(server, flagsOf(projectA.id), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const huge = await post(JSON.stringify({ key: 'k'.repeat(100_000), filters: everyone() }));
    expect(huge.status).toBe(400);
    expect(huge.body.attr).toBe('key');
    for (const filters of ['everyone', [everyone()], 5, null, true]) {
      const res = await post(JSON.stringify({ key: 'bad-filters', filters }));
      expect({ filters, status: res.status, attr: res.body.attr }).toEqual({ filters, status: 400, attr: 'filters' });
    }
    for (const filters of [{ groups: 'all' }, { groups: [{ properties: 'x' }] }, { groups: [5] }, { groups: [{ properties: [{ value: 1 }] }] }]) {
      const res = await post(JSON.stringify({ key: 'bad-groups', filters }));
      expect({ filters, status: res.status, attr: res.body.attr }).toEqual({ filters, status: 400, attr: 'filters' });
    }
    for (const body of ['not json', '[]', '"key"', '{"key": "x", "filters": ']) expect((await post(body)).status).toBe(400);
    const flag = await createFlag({ key: 'patched-badly', filters: everyone() });
    for (const body of ['[1]', '{"filters": "x"}', '{"active": null}']) {
      const res = await api(server, `${flagsOf(projectA.id)}${flag.id}/`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body });
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
  });

  it('stores NUL in a name as U+FFFD', async () => {
    const flag = await createFlag({ key: 'nul-name', name: 'a\u0000b', filters: personCondition('email', 'x\u0000y') });
    expect(flag.name).toBe('a\uFFFDb');
    expect(flag.filters.groups[0].properties[0].value).toBe('x\uFFFDy');
    expect((await api<Flag>(server, `${flagsOf(projectA.id)}${flag.id}/`)).body.name).toBe('a\uFFFDb');
  });
});
