import { PostHog } from 'posthog-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createProject, sendBatch } from './helpers/api.js';
import { hogql, waitForValue } from './helpers/query.js';
import { startServer, type TestServer } from './helpers/server.js';

/**
 * The real posthog-node evaluates flags locally from our `/flags/definitions`; for every tested id its
 * answer must equal what our `/flags` says for the same person properties. A user moving between
 * local and remote evaluation (or from PostHog) never sees a flag change.
 */
let server: TestServer;
let project: { id: number; api_token: string };
let client: PostHog;

const IDS = 1200;
const PLANS = ['free', 'pro', 'enterprise', 'team'];
const COUNTRIES = ['DE', 'FR', 'US', 'GB', 'JP'];
function propsOf(i: number): Record<string, string | number | boolean> {
  return {
    plan: PLANS[i % PLANS.length]!,
    country: COUNTRIES[(i * 7) % COUNTRIES.length]!,
    age: 18 + ((i * 13) % 50),
    email: `user${i}@${i % 3 === 0 ? 'acme.com' : 'example.org'}`,
    beta: i % 5 === 0,
    app_version: `${1 + (i % 3)}.${i % 10}.${i % 4}`,
  };
}

async function post(path: string, body: unknown) {
  const res = await api<{ id: number }>(server, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

let staticCohort: number;

beforeAll(async () => {
  server = await startServer();
  project = await createProject(server, 'node local evaluation');
  const base = `/api/projects/${project.id}`;
  const europe = await post(`${base}/cohorts/`, {
    name: 'europe or enterprise',
    filters: { properties: { type: 'OR', values: [{ type: 'AND', values: [{ type: 'person', key: 'country', operator: 'exact', value: ['DE', 'FR', 'GB'] }] }, { type: 'AND', values: [{ type: 'person', key: 'plan', value: 'enterprise' }] }] } },
  });
  const adults = await post(`${base}/cohorts/`, {
    name: 'older europeans',
    filters: { properties: { type: 'AND', values: [{ type: 'cohort', key: 'id', value: europe.id }, { type: 'person', key: 'age', operator: 'gte', value: 40 }] } },
  });
  await sendBatch(server, project.api_token, [{ event: '$identify', distinct_id: 'node-3', properties: { $set: propsOf(3) }, timestamp: new Date().toISOString() }]);
  await waitForValue(server, project.id, 'SELECT count() FROM persons', 1);
  const form = new FormData();
  form.set('is_static', 'true');
  form.set('name', 'static');
  form.set('csv', new Blob(['node-3\n']), 'ids.csv');
  staticCohort = (await api<{ id: number }>(server, `${base}/cohorts/`, { method: 'POST', body: form })).body.id;

  const flag = (key: string, filters: Record<string, unknown>) => post(`${base}/feature_flags/`, { key, filters });
  await flag('rollout-37', { groups: [{ properties: [], rollout_percentage: 37 }] });
  await flag('three-way', {
    groups: [{ properties: [], rollout_percentage: 80 }],
    multivariate: { variants: [{ key: 'control', rollout_percentage: 50 }, { key: 'a', rollout_percentage: 30 }, { key: 'b', rollout_percentage: 20 }] },
  });
  const paying = await flag('paying', { groups: [{ properties: [{ key: 'plan', type: 'person', value: ['pro', 'enterprise'], operator: 'exact' }], rollout_percentage: 60 }] });
  // A flag dependency: served to the SDK by key with its evaluation chain.
  await flag('paying-and-old', {
    groups: [{ properties: [{ key: String(paying.id), type: 'flag', operator: 'flag_evaluates_to', value: true }, { key: 'age', type: 'person', value: 45, operator: 'gt' }], rollout_percentage: 100 }],
  });
  await flag('grown-ups', { groups: [{ properties: [{ key: 'age', type: 'person', value: 30, operator: 'gte' }], rollout_percentage: null }] });
  await flag('acme', { groups: [{ properties: [{ key: 'email', type: 'person', value: '@acme.com', operator: 'icontains' }], rollout_percentage: 100 }] });
  await flag('overrides', {
    groups: [
      { properties: [{ key: 'beta', type: 'person', value: ['true'], operator: 'exact' }], rollout_percentage: 100, variant: 'treatment' },
      { properties: [{ key: 'country', type: 'person', value: 'US', operator: 'is_not' }], rollout_percentage: 50 },
    ],
    multivariate: { variants: [{ key: 'holdback', rollout_percentage: 70 }, { key: 'treatment', rollout_percentage: 30 }] },
  });
  await flag('europe', { groups: [{ properties: [{ key: 'id', type: 'cohort', value: europe.id }], rollout_percentage: 75 }] });
  await flag('older-europeans', { groups: [{ properties: [{ key: 'id', type: 'cohort', value: adults.id }], rollout_percentage: 100 }] });
  await flag('regex-version', { groups: [{ properties: [{ key: 'app_version', type: 'person', value: '^2\\.', operator: 'regex' }], rollout_percentage: 90 }] });
  await flag('static-only', { groups: [{ properties: [{ key: 'id', type: 'cohort', value: staticCohort }], rollout_percentage: 100 }] });

  client = new PostHog(project.api_token, { host: server.url, personalApiKey: server.personalApiKey, featureFlagsPollingInterval: 600_000, flushAt: 1 });
  await client.waitForLocalEvaluationReady();
});
afterAll(async () => {
  await client?.shutdown();
  await server?.dispose();
});

const LOCAL_KEYS = ['acme', 'europe', 'grown-ups', 'older-europeans', 'overrides', 'paying', 'paying-and-old', 'regex-version', 'rollout-37', 'three-way'];

describe('posthog-node local evaluation equals /flags', () => {
  it(`agrees on every flag for ${IDS} distinct ids`, async () => {
    const mismatches: string[] = [];
    let enabled = 0;
    for (let i = 0; i < IDS; i++) {
      const id = `node-${i}`;
      const personProperties = propsOf(i);
      const local = await client.getAllFlags(id, { personProperties, onlyEvaluateLocally: true });
      const res = await fetch(`${server.url}/flags/?v=2`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: project.api_token, distinct_id: id, person_properties: personProperties, flag_keys_to_evaluate: LOCAL_KEYS }),
      });
      const remote = (await res.json()) as { flags: Record<string, { enabled: boolean; variant: string | null }> };
      expect(Object.keys(local).sort(), `locally decided flags for ${id}`).toEqual(LOCAL_KEYS);
      for (const key of LOCAL_KEYS) {
        const r = remote.flags[key]!;
        const serverValue = r.enabled ? (r.variant ?? true) : false;
        if (serverValue !== false) enabled++;
        if (local[key] !== serverValue) mismatches.push(`${id} ${key}: local ${JSON.stringify(local[key])}, server ${JSON.stringify(serverValue)}`);
      }
    }
    expect(mismatches).toEqual([]);
    // Neither all-on nor all-off: the comparison tells something.
    expect(enabled).toBeGreaterThan(IDS * 2);
    expect(enabled).toBeLessThan(IDS * LOCAL_KEYS.length - IDS);
  }, 120_000);

  it('sends $feature_flag_called, which is ingested and queryable (experiment exposure)', async () => {
    const value = await client.getFeatureFlag('three-way', 'node-7', { personProperties: propsOf(7) });
    await client.flush();
    await waitForValue(server, project.id, "SELECT count() FROM events WHERE event = '$feature_flag_called' AND properties.$feature_flag = 'three-way' AND distinct_id = 'node-7'", 1);
    const res = await hogql(server, project.id, "SELECT properties.$feature_flag_response FROM events WHERE event = '$feature_flag_called' AND distinct_id = 'node-7'");
    expect(res.body.results).toEqual([[String(value)]]);
  });

  it('falls back to /flags for what it cannot evaluate locally (static cohorts)', async () => {
    expect(await client.getFeatureFlag('static-only', 'node-3', { personProperties: propsOf(3), onlyEvaluateLocally: true })).toBeUndefined();
    expect(await client.getFeatureFlag('static-only', 'node-3', { personProperties: propsOf(3) })).toBe(true);
    expect(await client.getFeatureFlag('static-only', 'node-4', { personProperties: propsOf(4) })).toBe(false);
  });
});
