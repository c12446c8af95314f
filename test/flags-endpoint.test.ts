import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createProject, sendBatch } from './helpers/api.js';
import { waitForValue } from './helpers/query.js';
import { startServer, type TestServer } from './helpers/server.js';

/**
 * Remote flag evaluation as the SDKs call it (`/flags`, `/decide`), every response shape and body
 * encoding, and the definitions server SDKs poll for local evaluation. Expected buckets come from a
 * reference hash written here from PostHog's definition (SHA-1, first 15 hex digits / 0xFFFFFFFFFFFFFFF).
 */
let server: TestServer;
let project: { id: number; api_token: string };

function refHash(key: string, id: string, salt = ''): number {
  const hex = crypto.createHash('sha1').update(`${key}.${id}${salt}`, 'utf8').digest('hex').slice(0, 15);
  return parseInt(hex, 16) / 0xfffffffffffffff;
}

interface FlagV2 {
  key: string;
  enabled: boolean;
  variant: string | null;
  reason: { code: string; condition_index: number | null; description: string };
  metadata: { id: number; version: number; payload: string | null; has_experiment: boolean };
}
interface FlagsV2Body {
  flags: Record<string, FlagV2>;
  errorsWhileComputingFlags: boolean;
  requestId: string;
  evaluatedAt: number;
}

async function createFlag(body: Record<string, unknown>, projectId = project.id): Promise<{ id: number }> {
  const res = await api<{ id: number }>(server, `/api/projects/${projectId}/feature_flags/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function flags<T = FlagsV2Body>(body: Record<string, unknown>, query = '?v=2', path = '/flags/') {
  const res = await fetch(`${server.url}${path}${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as T };
}

let staticCohortId: number;
let behaviouralCohortId: number;

beforeAll(async () => {
  server = await startServer();
  project = await createProject(server, 'flags');
  const now = Date.now();
  await sendBatch(server, project.api_token, [
    { event: '$identify', distinct_id: 'pro-user', properties: { $set: { plan: 'pro', email: 'pro@acme.test' } }, timestamp: new Date(now - 60_000).toISOString() },
    { event: '$identify', distinct_id: 'free-user', properties: { $set: { plan: 'free' } }, timestamp: new Date(now - 60_000).toISOString() },
    { event: 'purchase', distinct_id: 'free-user', properties: {}, timestamp: new Date(now - 30_000).toISOString() },
    { event: '$groupidentify', distinct_id: 'pro-user', properties: { $group_type: 'company', $group_key: 'acme', $group_set: { tier: 'gold' } }, timestamp: new Date(now - 60_000).toISOString() },
  ]);
  await waitForValue(server, project.id, 'SELECT count() FROM persons', 2);
  await waitForValue(server, project.id, 'SELECT count() FROM groups', 1);

  const cohort = async (body: Record<string, unknown>) => {
    const res = await api<{ id: number }>(server, `/api/projects/${project.id}/cohorts/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id;
  };
  const form = new FormData();
  form.set('name', 'vips');
  form.set('is_static', 'true');
  form.set('csv', new Blob(['distinct_id\npro-user\n']), 'vips.csv');
  const staticRes = await api<{ id: number }>(server, `/api/projects/${project.id}/cohorts/`, { method: 'POST', body: form });
  staticCohortId = staticRes.body.id;
  behaviouralCohortId = await cohort({
    name: 'buyers',
    filters: { properties: { type: 'AND', values: [{ type: 'behavioral', value: 'performed_event', key: 'purchase', event_type: 'events', time_value: 7, time_interval: 'day' }] } },
  });
  // Membership of the behavioural cohort is computed in the background.
  for (let i = 0; i < 100; i++) {
    const c = await api<{ count: number | null; is_calculating: boolean }>(server, `/api/projects/${project.id}/cohorts/${behaviouralCohortId}/`);
    if (c.body.count !== null && !c.body.is_calculating) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  await createFlag({ key: 'everyone', filters: { groups: [{ properties: [], rollout_percentage: 100 }], payloads: { true: '{"color":"blue"}' } } });
  await createFlag({ key: 'half', filters: { groups: [{ properties: [], rollout_percentage: 50 }] } });
  await createFlag({
    key: 'colors',
    filters: {
      groups: [{ properties: [], rollout_percentage: 100 }],
      multivariate: { variants: [{ key: 'red', rollout_percentage: 34 }, { key: 'green', rollout_percentage: 33 }, { key: 'blue', rollout_percentage: 33 }] },
      payloads: { red: '"crimson"', blue: '42' },
    },
  });
  await createFlag({ key: 'pro-only', filters: { groups: [{ properties: [{ key: 'plan', type: 'person', value: 'pro', operator: 'exact' }], rollout_percentage: 100 }] } });
  await createFlag({ key: 'vip', filters: { groups: [{ properties: [{ key: 'id', type: 'cohort', value: staticCohortId }], rollout_percentage: 100 }] } });
  await createFlag({ key: 'buyers-flag', filters: { groups: [{ properties: [{ key: 'id', type: 'cohort', value: behaviouralCohortId }], rollout_percentage: 100 }] } });
  await createFlag({ key: 'gold-companies', filters: { aggregation_group_type_index: 0, groups: [{ properties: [{ key: 'tier', type: 'group', group_type_index: 0, value: 'gold' }], rollout_percentage: 100 }] } });
  await createFlag({ key: 'off', active: false, filters: { groups: [{ properties: [], rollout_percentage: 100 }] } });
});
afterAll(() => server?.dispose());

describe('/flags v2', () => {
  it('answers the details shape with reasons, metadata and payloads as JSON strings', async () => {
    const res = await flags({ token: project.api_token, distinct_id: 'pro-user' });
    expect(res.status).toBe(200);
    const f = res.body.flags;
    expect(Object.keys(f).sort()).toEqual(['buyers-flag', 'colors', 'everyone', 'gold-companies', 'half', 'pro-only', 'vip']); // inactive 'off' is absent
    expect(f.everyone).toMatchObject({ key: 'everyone', enabled: true, variant: null, reason: { code: 'condition_match', condition_index: 0, description: 'Matched condition set 1' } });
    expect(f.everyone!.metadata).toMatchObject({ payload: '{"color":"blue"}', version: 1, has_experiment: false });
    expect(f['pro-only']!.enabled).toBe(true);
    expect(f.vip!.enabled).toBe(true); // static cohort member
    expect(f['buyers-flag']!.enabled).toBe(false); // pro-user bought nothing
    expect(f['gold-companies']).toMatchObject({ enabled: false, reason: { code: 'no_group_type' } }); // no group sent
    expect(res.body.errorsWhileComputingFlags).toBe(false);
    expect(res.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('buckets percentage rollouts and variants exactly like PostHog', async () => {
    for (let i = 0; i < 40; i++) {
      const id = `user-${i}`;
      const res = await flags({ token: project.api_token, distinct_id: id });
      expect(res.body.flags.half!.enabled).toBe(refHash('half', id) <= 0.5);
      expect(res.body.flags.half!.reason.code).toBe(refHash('half', id) <= 0.5 ? 'condition_match' : 'out_of_rollout_bound');
      const v = refHash('colors', id, 'variant');
      const expected = v < 0.34 ? 'red' : v < 0.67 ? 'green' : 'blue';
      expect(res.body.flags.colors).toMatchObject({ enabled: true, variant: expected });
      expect(res.body.flags.colors!.metadata.payload).toBe(expected === 'red' ? '"crimson"' : expected === 'blue' ? '42' : null);
    }
  });

  it('merges request person properties over stored ones and evaluates cohorts and groups', async () => {
    const overridden = await flags({ token: project.api_token, distinct_id: 'pro-user', person_properties: { plan: 'free' } });
    expect(overridden.body.flags['pro-only']!.enabled).toBe(false);
    const unknown = await flags({ token: project.api_token, distinct_id: 'nobody', person_properties: { plan: 'pro' } });
    expect(unknown.body.flags['pro-only']!.enabled).toBe(true);
    expect(unknown.body.flags.vip!.enabled).toBe(false);
    const buyer = await flags({ token: project.api_token, distinct_id: 'free-user' });
    expect(buyer.body.flags['buyers-flag']!.enabled).toBe(true); // behavioural cohort, evaluated on the server
    const company = await flags({ token: project.api_token, distinct_id: 'x', groups: { company: 'acme' } });
    expect(company.body.flags['gold-companies']!.enabled).toBe(true); // stored group property
    const overriddenGroup = await flags({ token: project.api_token, distinct_id: 'x', groups: { company: 'acme' }, group_properties: { company: { tier: 'silver' } } });
    expect(overriddenGroup.body.flags['gold-companies']!.enabled).toBe(false);
  });

  it('sees a group identified after a request that named it while it did not exist', async () => {
    const before = await flags({ token: project.api_token, distinct_id: 'x', groups: { company: 'newco' } });
    expect(before.body.flags['gold-companies']!.enabled).toBe(false);
    await sendBatch(server, project.api_token, [
      { event: '$groupidentify', distinct_id: 'x', properties: { $group_type: 'company', $group_key: 'newco', $group_set: { tier: 'gold' } }, timestamp: new Date().toISOString() },
    ]);
    await waitForValue(server, project.id, "SELECT count() FROM groups WHERE key = 'newco'", 1);
    const after = await flags({ token: project.api_token, distinct_id: 'x', groups: { company: 'newco' } });
    expect(after.body.flags['gold-companies']!.enabled).toBe(true);
  });

  it('evaluates only the requested keys', async () => {
    const res = await flags({ token: project.api_token, distinct_id: 'pro-user', flag_keys_to_evaluate: ['everyone', 'nope'] });
    expect(Object.keys(res.body.flags)).toEqual(['everyone']);
    const disabled = await flags({ token: project.api_token, distinct_id: 'pro-user', disable_flags: true });
    expect(disabled.body.flags).toEqual({});
  });
});

describe('response shapes and encodings', () => {
  const body = () => ({ token: project.api_token, distinct_id: 'pro-user', flag_keys_to_evaluate: ['everyone', 'colors', 'off', 'buyers-flag'] });
  const colorsFor = (id: string) => {
    const v = refHash('colors', id, 'variant');
    return v < 0.34 ? 'red' : v < 0.67 ? 'green' : 'blue';
  };

  it('gives /flags without v the legacy featureFlags map with false values', async () => {
    const res = await flags<{ featureFlags: Record<string, unknown>; featureFlagPayloads: Record<string, unknown> }>(body(), '');
    expect(res.body.featureFlags).toEqual({ everyone: true, colors: colorsFor('pro-user'), 'buyers-flag': false });
    expect(res.body.featureFlagPayloads.everyone).toBe('{"color":"blue"}');
  });

  it('keeps /decide v1–v4 for old SDKs, with the remote config', async () => {
    const v1 = await flags<{ featureFlags: string[]; supportedCompression: string[] }>(body(), '', '/decide/');
    expect(v1.body.featureFlags.sort()).toEqual(['colors', 'everyone']);
    expect(v1.body.supportedCompression).toEqual(['gzip', 'gzip-js']);
    const v2 = await flags<{ featureFlags: Record<string, unknown> }>(body(), '?v=2', '/decide/');
    expect(v2.body.featureFlags).toEqual({ everyone: true, colors: colorsFor('pro-user') });
    const v3 = await flags<{ featureFlags: Record<string, unknown>; hasFeatureFlags: boolean }>(body(), '?v=3', '/decide/');
    expect(v3.body.featureFlags).toEqual({ everyone: true, colors: colorsFor('pro-user'), 'buyers-flag': false });
    expect(v3.body.hasFeatureFlags).toBe(true);
    const v4 = await flags(body(), '?v=4', '/decide/');
    expect(v4.body.flags.everyone!.enabled).toBe(true);
  });

  it('decodes gzip, text/plain, base64 and form bodies', async () => {
    const json = JSON.stringify(body());
    const gz = await fetch(`${server.url}/flags/?v=2&compression=gzip-js`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: zlib.gzipSync(json) });
    expect(((await gz.json()) as FlagsV2Body).flags.everyone!.enabled).toBe(true);
    const magic = await fetch(`${server.url}/flags/?v=2`, { method: 'POST', body: zlib.gzipSync(json) });
    expect(((await magic.json()) as FlagsV2Body).flags.everyone!.enabled).toBe(true);
    const form = await fetch(`${server.url}/decide/?v=3&compression=base64`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `data=${encodeURIComponent(Buffer.from(json).toString('base64'))}`,
    });
    expect(((await form.json()) as { featureFlags: Record<string, unknown> }).featureFlags.everyone).toBe(true);
    const python = await flags({ api_key: project.api_token, distinct_id: 'pro-user', flag_keys_to_evaluate: ['everyone'] });
    expect(python.body.flags.everyone!.enabled).toBe(true);
  });

  it('answers GET and HEAD probes without evaluating', async () => {
    const get = await fetch(`${server.url}/flags/?v=2`);
    expect(get.status).toBe(200);
    expect(((await get.json()) as FlagsV2Body).flags).toEqual({});
    expect((await fetch(`${server.url}/flags/`, { method: 'HEAD' })).status).toBe(200);
  });

  it('reports hasFeatureFlags in the remote config', async () => {
    const res = await fetch(`${server.url}/array/${project.api_token}/config`);
    expect(((await res.json()) as { hasFeatureFlags: boolean }).hasFeatureFlags).toBe(true);
    const empty = await createProject(server, 'no flags');
    const none = await fetch(`${server.url}/array/${empty.api_token}/config`);
    expect(((await none.json()) as { hasFeatureFlags: boolean }).hasFeatureFlags).toBe(false);
  });
});

describe('bad requests', () => {
  it('names what is wrong and keeps working', async () => {
    const noToken = await flags<{ code: string; detail: string }>({ distinct_id: 'a' });
    expect(noToken.status).toBe(401);
    expect(noToken.body.code).toBe('invalid_api_key');
    expect((await flags<{ code: string }>({ token: 'phc_unknown', distinct_id: 'a' })).status).toBe(401);
    const noId = await flags<{ code: string; attr: string }>({ token: project.api_token });
    expect(noId.status).toBe(400);
    expect(noId.body.attr).toBe('distinct_id');
    const badJson = await fetch(`${server.url}/flags/?v=2`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"token": ' });
    expect(badJson.status).toBe(400);
    const xml = await fetch(`${server.url}/flags/?v=2`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a/>' });
    expect(xml.status).toBe(415);
    const badGroups = await flags<{ attr: string }>({ token: project.api_token, distinct_id: 'a', groups: 'acme' });
    expect(badGroups.status).toBe(400);
    expect((await flags({ token: project.api_token, distinct_id: 'pro-user' })).body.flags.everyone!.enabled).toBe(true);
  });
});

describe('experience continuity', () => {
  it('keeps the anonymous bucket after identify', async () => {
    // An anonymous id and a user id whose own buckets differ, so the test tells which one was used.
    const anon = Array.from({ length: 200 }, (_, i) => `anon-${i}`).find((a) => refHash('sticky', a) <= 0.5)!;
    const user = Array.from({ length: 200 }, (_, i) => `user-sticky-${i}`).find((u) => refHash('sticky', u) > 0.5)!;
    await createFlag({ key: 'sticky', ensure_experience_continuity: true, filters: { groups: [{ properties: [], rollout_percentage: 50 }] } });
    expect((await flags({ token: project.api_token, distinct_id: anon })).body.flags.sticky!.enabled).toBe(true);
    await sendBatch(server, project.api_token, [
      { event: '$pageview', distinct_id: anon, properties: {}, timestamp: new Date(Date.now() - 1000).toISOString() },
      { event: '$identify', distinct_id: user, properties: { $anon_distinct_id: anon }, timestamp: new Date().toISOString() },
    ]);
    await waitForValue(server, project.id, `SELECT count() FROM person_distinct_ids WHERE distinct_id = '${user}'`, 1);
    // posthog-js sends $anon_distinct_id with the first /flags call after identify.
    const after = await flags({ token: project.api_token, distinct_id: user, $anon_distinct_id: anon });
    expect(after.body.flags.sticky!.enabled).toBe(true);
    expect((await flags({ token: project.api_token, distinct_id: user })).body.flags.sticky!.enabled).toBe(true);
  });
});

describe('local evaluation definitions', () => {
  const url = () => `${server.url}/flags/definitions?token=${project.api_token}&send_cohorts`;

  it('needs a personal API key with feature_flag:read', async () => {
    expect((await fetch(url())).status).toBe(401);
    expect((await fetch(url(), { headers: { authorization: `Bearer ${project.api_token}` } })).status).toBe(401);
    const key = await api<{ value: string }>(server, '/api/personal_api_keys/', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'events only', scopes: ['event:read'] }),
    });
    expect(key.status).toBe(201);
    expect((await fetch(url(), { headers: { authorization: `Bearer ${key.body.value}` } })).status).toBe(403);
  });

  it('serves active flags, dynamic cohorts and the group type mapping, with ETag and 304', async () => {
    const headers = { authorization: `Bearer ${server.personalApiKey}` };
    const res = await fetch(url(), { headers });
    expect(res.status).toBe(200);
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^W\/".+"$/);
    const body = (await res.json()) as { flags: { key: string; active: boolean; filters: unknown }[]; cohorts: Record<string, unknown>; group_type_mapping: Record<string, string> };
    expect(body.flags.map((f) => f.key)).not.toContain('off');
    expect(body.flags.find((f) => f.key === 'pro-only')!.filters).toEqual({ groups: [{ properties: [{ key: 'plan', type: 'person', value: 'pro', operator: 'exact' }], rollout_percentage: 100 }] });
    expect(body.group_type_mapping).toEqual({ '0': 'company' });
    // Static cohorts are not sent (the SDKs ask the server); behavioural ones are, and stay inconclusive locally.
    expect(Object.keys(body.cohorts)).toEqual([String(behaviouralCohortId)]);
    const again = await fetch(url(), { headers: { ...headers, 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    const legacy = await fetch(`${server.url}/api/feature_flag/local_evaluation?token=${project.api_token}&send_cohorts`, { headers });
    expect(legacy.status).toBe(200);
    await createFlag({ key: 'changes-etag', filters: { groups: [{ properties: [], rollout_percentage: 10 }] } });
    const changed = await fetch(url(), { headers: { ...headers, 'if-none-match': etag! } });
    expect(changed.status).toBe(200);
  });
});
