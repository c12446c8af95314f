import { PostHog } from 'posthog-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DefinitionsTracker } from '../src/definitions/definitions-tracker.js';
import { detectPropertyType } from '../src/definitions/property-type.js';
import type { IngestEvent } from '../src/ingest/ingest-event.js';
import { createLogger } from '../src/log.js';
import type { Postgres } from '../src/storage/postgres.js';
import { api, capture, createProject, sendBatch } from './helpers/api.js';
import { waitForValue } from './helpers/query.js';
import { startServer, type TestServer } from './helpers/server.js';

/**
 * Event and property definitions (PostHog's taxonomy): filled by ingestion, listed by
 * `event_definitions/` and `property_definitions/` with PostHog's filters and paging.
 */

interface EventDefinition {
  id: string;
  name: string;
  created_at: string | null;
  last_seen_at: string | null;
  volume_30_day: null;
  tags: unknown[];
}
interface PropertyDefinition {
  id: string;
  name: string;
  property_type: string | null;
  is_numerical: boolean;
  type: string;
  group_type_index: number | null;
  is_seen_on_filtered_events: boolean | null;
}
interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

describe('property type inference (PostHog property-defs rules)', () => {
  const now = Date.parse('2026-11-01T00:00:00Z');
  it.each([
    ['amount', 9.99, 'Numeric'],
    ['count', 0, 'Numeric'],
    ['paid', true, 'Boolean'],
    ['flag', 'false', 'Boolean'],
    ['flag', ' TRUE ', 'Boolean'],
    ['flag', 'True', 'String'],
    ['note', 'hello', 'String'],
    ['whenever', '2026-10-01T12:00:00Z', 'DateTime'],
    ['day', '2026-10-01', 'DateTime'],
    ['day', '01-10-2026', 'DateTime'],
    ['day', '2026/10/01 12:00:00', 'DateTime'],
    ['sent', 'Tue, 1 Jul 2003 10:52:37 +0200', 'DateTime'],
    ['created_at', Math.floor(now / 1000) - 3600, 'DateTime'],
    ['createdAt', now, 'DateTime'],
    ['created_at', 1000, 'Numeric'],
    ['size', Math.floor(now / 1000), 'Numeric'],
    ['utm_source', 123, 'String'],
    ['$initial_utm_campaign', 5, 'String'],
    ['$feature/new-ui', false, 'String'],
    ['$feature_flag_response', true, 'String'],
    ['$survey_response_2', 4, 'String'],
    ['missing', null, undefined],
    ['nested', { a: 1 }, undefined],
    ['list', [1, 2], undefined],
  ])('%s = %j → %s', (key, value, expected) => {
    expect(detectPropertyType(key, value, now)).toBe(expected);
  });
});

describe('tracker (in memory, fake Postgres)', () => {
  function fakePg(fail = false) {
    const batches: Array<Array<{ sql: string; params: unknown[] }>> = [];
    const pg = {
      query: async () => [],
      transaction: async () => undefined,
      writeBatch: async (statements: Array<{ sql: string; params: unknown[] }>) => {
        batches.push(statements);
        if (fail) throw new Error('disk full');
      },
      execScript: async () => undefined,
      close: async () => undefined,
    } as unknown as Postgres;
    return { pg, batches };
  }
  const event = (name: string, properties: Record<string, unknown>): IngestEvent => ({
    uuid: '00000000-0000-0000-0000-000000000000',
    teamId: 7,
    event: name,
    distinctId: 'd',
    properties,
    propertiesJson: JSON.stringify(properties),
    timestampMs: 0,
    head: '',
  });

  it('writes each definition once, keeps the first type, and fills an untyped one later', async () => {
    const { pg, batches } = fakePg();
    const t = new DefinitionsTracker(pg, createLogger('silent'), { groupTypeIndex: () => 0 });
    t.observe(event('a', { n: 1, x: null, $set: { plan: 'pro' } }));
    t.observe(event('a', { n: 'one', x: null, $set: { plan: 3 } }));
    expect(t.propertyType(7, 'event', 'n')).toBe('Numeric');
    expect(t.propertyType(7, 'event', 'x')).toBeUndefined();
    expect(t.propertyType(7, 'person', 'plan')).toBe('String');
    await t.flush();
    expect(batches).toHaveLength(1);
    t.observe(event('a', { n: 2, x: '2026-01-01' }));
    expect(t.propertyType(7, 'event', 'x')).toBe('DateTime');
    await t.flush();
    expect(batches).toHaveLength(2);
    const second = batches[1]!.map((s) => JSON.parse(s.params[0] as string));
    expect(second).toEqual([[expect.objectContaining({ name: 'x', property_type: 'DateTime', type: 1 })]]);
    t.observe(event('a', { n: 3, x: 'y' }));
    await t.flush();
    expect(batches).toHaveLength(2); // nothing new
    await t.close();
  });

  it('stored types win over what was seen before the project finished loading', async () => {
    const { pg } = fakePg();
    (pg as { query: unknown }).query = async (sql: string) =>
      sql.includes('property_definitions') ? [{ name: 'v', type: 1, group_type_index: null, property_type: 'Numeric' }] : [{ name: 'a', last_seen_at: new Date() }];
    const t = new DefinitionsTracker(pg, createLogger('silent'), { groupTypeIndex: () => 0 });
    t.observe(event('a', { v: 'text' })); // starts the load in the background
    expect(t.propertyType(7, 'event', 'v')).toBe('String');
    await t.ensureLoaded(7);
    expect(t.propertyType(7, 'event', 'v')).toBe('Numeric');
    await t.close();
  });

  it('last_seen_at is written again only after an hour', async () => {
    const { pg, batches } = fakePg();
    const t = new DefinitionsTracker(pg, createLogger('silent'), { groupTypeIndex: () => 0 });
    const start = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(start);
    try {
      t.observe(event('c', {}));
      await t.flush();
      clock.mockReturnValue(start + 59 * 60_000);
      t.observe(event('c', {}));
      await t.flush();
      expect(batches).toHaveLength(1);
      clock.mockReturnValue(start + 61 * 60_000);
      t.observe(event('c', {}));
      await t.flush();
      expect(batches).toHaveLength(2);
      expect(JSON.parse(batches[1]![0]!.params[0] as string)).toEqual([expect.objectContaining({ name: 'c', at: new Date(start + 61 * 60_000).toISOString() })]);
    } finally {
      clock.mockRestore();
      await t.close();
    }
  });

  it('a failed write is logged and written again when next seen', async () => {
    const { pg, batches } = fakePg(true);
    const t = new DefinitionsTracker(pg, createLogger('silent'), { groupTypeIndex: () => 0 });
    t.observe(event('b', { k: 1 }));
    await t.flush();
    expect(batches).toHaveLength(1);
    expect(t.propertyType(7, 'event', 'k')).toBeUndefined();
    t.observe(event('b', { k: 1 }));
    await t.flush();
    expect(batches).toHaveLength(2);
    await t.close();
  });
});

describe('definitions API', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.dispose());

  const send = (token: string, events: Array<Record<string, unknown>>) => sendBatch(server, token, events);
  async function props(projectId: number | string, query = '', prefix = '/api/projects'): Promise<Page<PropertyDefinition>> {
    const res = await api<Page<PropertyDefinition>>(server, `${prefix}/${projectId}/property_definitions/?limit=1000${query ? '&' + query : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  }
  async function events(projectId: number | string, query = ''): Promise<Page<EventDefinition>> {
    const res = await api<Page<EventDefinition>>(server, `/api/projects/${projectId}/event_definitions/${query ? '?' + query : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  }
  const typesOf = (page: Page<PropertyDefinition>) => Object.fromEntries(page.results.map((p) => [p.name, p.property_type]));

  it('ingestion defines events, event properties and person properties with PostHog’s types; the first type wins', async () => {
    const p = await createProject(server, 'taxonomy');
    await send(p.api_token, [
      {
        event: 'purchase',
        distinct_id: 'u1',
        properties: {
          amount: 9.99,
          paid: true,
          gift: 'false',
          delivered_at: '2026-11-01T10:00:00Z',
          note: 'hello',
          later: null,
          cart: { items: 2 },
          utm_source: 123,
          '$feature/new-ui': false,
          $browser: 'Firefox',
          $set: { plan: 'pro', age: 30 },
          $set_once: { first_seen: '2026-01-01' },
        },
      },
    ]);
    await send(p.api_token, [
      { event: 'purchase', distinct_id: 'u2', properties: { amount: 'ten', paid: 'yes', later: 5, $set: { age: 'thirty', plan: 1 } } },
      { event: 'refund', distinct_id: 'u2', properties: { amount: 3, reason: 'late' } },
    ]);

    const eventProps = await props(p.id);
    expect(typesOf(eventProps)).toEqual({
      amount: 'Numeric',
      paid: 'Boolean',
      gift: 'Boolean',
      delivered_at: 'DateTime',
      note: 'String',
      later: 'Numeric', // untyped (null) at first, typed by the first value that has one
      cart: null,
      utm_source: 'String',
      '$feature/new-ui': 'String',
      $browser: 'String',
      $ip: 'String',
      reason: 'String',
    });
    // $set / $set_once / $groups never become event properties.
    expect(eventProps.results.find((d) => d.name === 'amount')).toMatchObject({ is_numerical: true, type: 'event', group_type_index: null, is_seen_on_filtered_events: null });
    expect(eventProps.results.map((d) => d.name)).toEqual([...eventProps.results.map((d) => d.name)].sort());

    const personProps = await props(p.id, 'type=person');
    expect(typesOf(personProps)).toEqual({
      plan: 'String',
      age: 'Numeric',
      first_seen: 'DateTime',
      // PostHog's initial/current enrichment from $browser and utm_source
      $browser: 'String',
      $initial_browser: 'String',
      utm_source: 'String',
      $initial_utm_source: 'String',
    });

    const defs = await events(p.id, 'ordering=name');
    expect(defs.count).toBe(2);
    expect(defs.results.map((d) => d.name)).toEqual(['purchase', 'refund']);
    const purchase = defs.results[0]!;
    expect(purchase).toMatchObject({ volume_30_day: null, query_usage_30_day: null, tags: [], description: null });
    expect(Date.parse(purchase.created_at!)).toBeGreaterThan(Date.now() - 60_000);
    expect(purchase.last_seen_at).toBe(purchase.created_at);

    const one = await api<EventDefinition>(server, `/api/projects/${p.id}/event_definitions/${purchase.id}/`);
    expect(one.body).toMatchObject({ id: purchase.id, name: 'purchase' });
    const amount = eventProps.results.find((d) => d.name === 'amount')!;
    expect((await api<PropertyDefinition>(server, `/api/projects/${p.id}/property_definitions/${amount.id}/`)).body).toMatchObject({ name: 'amount', property_type: 'Numeric' });
    expect((await api(server, `/api/projects/${p.id}/property_definitions/not-a-uuid/`)).status).toBe(404);

    // The environments prefix serves the same.
    expect(typesOf(await props(p.id, 'type=person', '/api/environments'))).toEqual(typesOf(personProps));
  });

  it('event_names marks (or filters) properties seen with those events; seen_together; is_numerical; properties=', async () => {
    const p = await createProject(server, 'seen-with');
    await send(p.api_token, [
      { event: 'signup', distinct_id: 'a', properties: { source: 'ads', seats: 3 } },
      { event: 'login', distinct_id: 'a', properties: { method: 'sso' } },
    ]);
    const marked = await props(p.id, `event_names=${encodeURIComponent('["signup"]')}`);
    const seen = Object.fromEntries(marked.results.map((d) => [d.name, d.is_seen_on_filtered_events]));
    expect(seen).toEqual({ $ip: true, source: true, seats: true, method: false });
    // Seen ones sort first.
    expect(marked.results.map((d) => d.name)).toEqual(['$ip', 'seats', 'source', 'method']);

    const filtered = await props(p.id, `event_names=${encodeURIComponent('["login"]')}&filter_by_event_names=true`);
    expect(filtered.results.map((d) => d.name)).toEqual(['$ip', 'method']);

    expect((await props(p.id, 'is_numerical=true')).results.map((d) => d.name)).toEqual(['seats']);
    expect((await props(p.id, 'properties=method,source')).results.map((d) => d.name)).toEqual(['method', 'source']);
    expect((await props(p.id, 'search=SOU')).results.map((d) => d.name)).toEqual(['source']);
    expect((await props(p.id, 'exclude_core_properties=true')).results.map((d) => d.name)).not.toContain('$ip');

    const together = await api(server, `/api/projects/${p.id}/property_definitions/seen_together/?event_names=signup&event_names=login&property_name=method`);
    expect(together.body).toEqual({ signup: false, login: true });
  });

  it('group properties from $groupidentify (posthog-node), with their group type index', async () => {
    const p = await createProject(server, 'groups');
    const client = new PostHog(p.api_token, { host: server.url, flushAt: 100, flushInterval: 0 });
    client.groupIdentify({ groupType: 'company', groupKey: 'acme', properties: { name: 'Acme', employees: 40, founded: '1999-01-01' } });
    client.capture({ distinctId: 'u', event: 'used feature', groups: { company: 'acme' }, properties: { feature: 'x' } });
    await client.shutdown();

    const group = await props(p.id, 'type=group&group_type_index=0');
    expect(typesOf(group)).toEqual({ name: 'String', employees: 'Numeric', founded: 'DateTime' });
    expect(group.results[0]).toMatchObject({ type: 'group', group_type_index: 0 });
    expect((await props(p.id, 'type=group&group_type_index=1')).count).toBe(0);
    // A group identify defines only its group's properties.
    const eventNames = (await props(p.id)).results.map((d) => d.name);
    expect(eventNames).toContain('feature');
    expect(eventNames).not.toContain('$group_type');
    expect(eventNames).not.toContain('employees');
    expect((await events(p.id, 'ordering=name')).results.map((d) => d.name)).toEqual(['$groupidentify', 'used feature']);
  });

  it('personless events define event properties but no person properties', async () => {
    const p = await createProject(server, 'personless');
    await send(p.api_token, [{ event: 'view', distinct_id: 'anon', properties: { $process_person_profile: false, page: '/a', $browser: 'Chrome', $set: { ignored: 1 } } }]);
    expect((await props(p.id, 'type=person')).count).toBe(0);
    expect(typesOf(await props(p.id))).toMatchObject({ page: 'String', $browser: 'String', $process_person_profile: 'Boolean' });
  });

  it('event definitions: limit/offset pages with count, next and previous; search; ordering; event_type', async () => {
    const p = await createProject(server, 'paging');
    const names = Array.from({ length: 25 }, (_, i) => `step ${String(i).padStart(2, '0')}`);
    await send(p.api_token, [...names, 'checkout started', 'checkout completed', '$pageview'].map((event) => ({ event, distinct_id: 'x' })));

    const first = await events(p.id, 'ordering=name&limit=10');
    expect(first.count).toBe(28);
    expect(first.results.map((d) => d.name)).toEqual(['$pageview', 'checkout completed', 'checkout started', ...names.slice(0, 7)]);
    expect(first.previous).toBeNull();
    const next = new URL(first.next!);
    expect(next.searchParams.get('offset')).toBe('10');
    expect(next.searchParams.get('limit')).toBe('10');
    expect(next.searchParams.get('ordering')).toBe('name');

    const seen: string[] = [];
    let url: string | null = `/api/projects/${p.id}/event_definitions/?ordering=name&limit=10`;
    let pages = 0;
    while (url) {
      const res: { body: Page<EventDefinition> } = await api<Page<EventDefinition>>(server, url.replace(server.url, ''));
      seen.push(...res.body.results.map((d) => d.name));
      if (pages > 0) expect(res.body.previous).not.toBeNull();
      url = res.body.next;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(28);
    expect(new Set(seen).size).toBe(28);

    const second = await events(p.id, 'ordering=name&limit=10&offset=10');
    expect(new URL(second.previous!).searchParams.has('offset')).toBe(false);

    expect((await events(p.id, 'search=checkout')).results.map((d) => d.name)).toEqual(['checkout started', 'checkout completed']); // shortest first
    expect((await events(p.id, 'search=check%20comp')).results.map((d) => d.name)).toEqual(['checkout completed']);
    expect((await events(p.id, 'ordering=-name&limit=1')).results[0]!.name).toBe('step 24');
    expect((await events(p.id, 'event_type=event_posthog')).results.map((d) => d.name)).toEqual(['$pageview']);
    expect((await events(p.id, 'event_type=event_custom')).count).toBe(27);
    expect((await events(p.id, 'names=$pageview,step%2001')).count).toBe(2);
  });

  it('odd names: NUL and lone surrogates are stored as U+FFFD, over-long names are skipped as PostHog does', async () => {
    const p = await createProject(server, 'odd-names');
    const long = 'k'.repeat(201);
    const body = `{"api_key":"${p.api_token}","batch":[{"event":"odd\\u0000event","distinct_id":"x","properties":{"a\\u0000b":1,"lone\\ud800":"x","${long}":1,"$set":{"${long}":true,"p":true}}},{"event":"${'é'.repeat(150)}","distinct_id":"x","properties":{"only_on_long_event":1}}]}`;
    const res = await capture(server, '/batch/', body);
    expect(res.status, res.text).toBe(200);
    expect((await events(p.id)).results.map((d) => d.name)).toEqual(['odd\uFFFDevent']);
    expect(Object.keys(typesOf(await props(p.id))).sort()).toEqual(['$ip', 'a\uFFFDb', 'lone\uFFFD']);
    expect(Object.keys(typesOf(await props(p.id, 'type=person')))).toEqual(['p']);
    expect(server.output()).not.toContain('definitions failed');
  });

  it('values/: the most frequent values of an event or person property, searchable, per event, only of this project', async () => {
    const p = await createProject(server, 'values');
    const other = await createProject(server, 'values-other');
    const browsers = ['Chrome', 'Chrome', 'Chrome', 'Firefox', 'Firefox', 'Safari'];
    await send(p.api_token, [
      ...browsers.map((b, i) => ({ event: '$pageview', distinct_id: `u${i}`, properties: { $browser: b, $set: { plan: i < 4 ? 'free' : 'pro_100%' } } })),
      { event: 'signed up', distinct_id: 'u0', properties: { $browser: 'Edge' } },
      { event: '$pageview', distinct_id: 'old', timestamp: new Date(Date.now() - 40 * 86_400_000).toISOString(), properties: { $browser: 'Netscape' } },
    ]);
    await send(other.api_token, [{ event: '$pageview', distinct_id: 'x', properties: { $browser: 'Opera', $set: { plan: 'secret' } } }]);
    await waitForValue(server, p.id, 'SELECT count() FROM events', 8);
    await waitForValue(server, p.id, 'SELECT count() FROM persons', 7);
    await waitForValue(server, other.id, 'SELECT count() FROM persons', 1);

    const values = async (path: string) => {
      const res = await api<Array<{ name: string; count: number }>>(server, `/api/projects/${p.id}/${path}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    };
    // Most frequent first; events older than 30 days and other projects' values are not suggested.
    expect(await values('events/values/?key=$browser')).toEqual([
      { name: 'Chrome', count: 3 },
      { name: 'Firefox', count: 2 },
      { name: 'Edge', count: 1 },
      { name: 'Safari', count: 1 },
    ]);
    expect(await values('events/values/?key=$browser&value=FIRE')).toEqual([{ name: 'Firefox', count: 2 }]);
    expect(await values('events/values/?key=$browser&event_name=signed%20up')).toEqual([{ name: 'Edge', count: 1 }]);
    expect(await values('events/values/?key=$browser&event_name=signed%20up&event_name=$pageview')).toHaveLength(4);
    expect(await values('events/values/?key=nothing')).toEqual([]);
    // Person values; % in the search is a literal character, not a wildcard.
    expect(await values('persons/values/?key=plan')).toEqual([
      { name: 'free', count: 4 },
      { name: 'pro_100%', count: 2 },
    ]);
    expect(await values('persons/values/?key=plan&value=0%25')).toEqual([{ name: 'pro_100%', count: 2 }]);
    expect(await values('persons/values/?key=plan&value=%25e')).toEqual([]);

    for (const path of ['events/values/', 'persons/values/?value=x', `events/values/?key=${'k'.repeat(401)}`]) {
      const res = await api<{ code: string; attr: string }>(server, `/api/projects/${p.id}/${path}`);
      expect(res.status, path).toBe(400);
      expect(res.body).toMatchObject({ code: 'invalid_input', attr: 'key' });
    }
  });

  it('another project’s definitions are invisible', async () => {
    const a = await createProject(server, 'iso-a');
    const b = await createProject(server, 'iso-b');
    await send(a.api_token, [{ event: 'secret event', distinct_id: 'x', properties: { secret_prop: 1, $set: { secret_person: 1 } } }]);
    expect((await events(b.id)).count).toBe(0);
    expect((await props(b.id)).count).toBe(0);
    expect((await props(b.id, 'type=person')).count).toBe(0);
    const aDefs = await events(a.id);
    expect(aDefs.count).toBe(1);
    expect((await api(server, `/api/projects/${b.id}/event_definitions/${aDefs.results[0]!.id}/`)).status).toBe(404);
  });

  it('types survive a restart: stored definitions are loaded and keep their first type', async () => {
    const p = await createProject(server, 'restart');
    await send(p.api_token, [{ event: 'e', distinct_id: 'x', properties: { v: 1 } }]);
    expect(typesOf(await props(p.id))).toMatchObject({ v: 'Numeric' });
    await server.restart();
    await send(p.api_token, [{ event: 'e', distinct_id: 'x', properties: { v: 'text', w: true } }]);
    expect(typesOf(await props(p.id))).toMatchObject({ v: 'Numeric', w: 'Boolean' });
    expect((await events(p.id)).count).toBe(1);
  });

  it('auth: 401 without a key, 403 without the scope or outside the key’s projects, 404 for unknown projects', async () => {
    const p = await createProject(server, 'auth');
    for (const path of ['event_definitions', 'property_definitions']) {
      expect((await api(server, `/api/projects/${p.id}/${path}/`, { key: null })).status).toBe(401);
      expect((await api(server, `/api/projects/${p.id}/${path}/`, { key: server.projectApiKey })).status).toBe(401);
      expect((await api(server, `/api/projects/999999/${path}/`)).status).toBe(404);
      expect((await api(server, `/api/projects/@current/${path}/`)).status).toBe(200);
    }
    const created = await api<{ value: string }>(server, '/api/personal_api_keys/', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'events only', scopes: ['event:read', 'property_definition:read'] }),
    });
    expect(created.status).toBe(201);
    const limited = created.body.value;
    const denied = await api<{ code: string; detail: string }>(server, `/api/projects/${p.id}/event_definitions/`, { key: limited });
    expect(denied.status).toBe(403);
    expect(denied.body.detail).toContain('event_definition:read');
    expect((await api(server, `/api/projects/${p.id}/property_definitions/`, { key: limited })).status).toBe(200);

    const other = await createProject(server, 'auth-other');
    const scoped = await api<{ value: string }>(server, '/api/personal_api_keys/', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'one project', scopes: ['event_definition:read'], scoped_teams: [other.id] }),
    });
    expect((await api(server, `/api/projects/${p.id}/event_definitions/`, { key: scoped.body.value })).status).toBe(403);
    expect((await api(server, `/api/projects/${other.id}/event_definitions/`, { key: scoped.body.value })).status).toBe(200);
  });

  it('bad query parameters are a clear 400', async () => {
    const p = await createProject(server, 'bad-params');
    const cases: Array<[string, string, string | null]> = [
      ['property_definitions', 'type=bogus', 'type'],
      ['property_definitions', 'type=group', 'group_type_index'],
      ['property_definitions', 'type=group&group_type_index=7', 'group_type_index'],
      ['property_definitions', 'type=group&group_type_index=x', 'group_type_index'],
      ['property_definitions', 'group_type_index=0', 'group_type_index'],
      ['property_definitions', 'type=person&event_names=%5B%22a%22%5D', 'event_names'],
      ['property_definitions', 'event_names=not-json', 'event_names'],
      ['property_definitions', 'excluded_properties=%7B%7D', 'excluded_properties'],
      ['property_definitions', 'is_numerical=maybe', 'is_numerical'],
      ['property_definitions', 'limit=0', 'limit'],
      ['event_definitions', 'offset=-1', 'offset'],
      ['event_definitions', 'limit=ten', 'limit'],
      ['event_definitions', 'event_type=bogus', 'event_type'],
      ['property_definitions/seen_together', 'property_name=x', 'event_names'],
    ];
    for (const [path, query, attr] of cases) {
      const res = await api<{ type: string; code: string; detail: string; attr: string | null }>(server, `/api/projects/${p.id}/${path}/?${query}`);
      expect(res.status, `${path}?${query}`).toBe(400);
      expect(res.body).toMatchObject({ type: 'validation_error', code: 'invalid_input', attr });
      expect(res.body.detail.length).toBeGreaterThan(5);
    }
    // Unknown orderings are ignored, as in PostHog.
    expect((await api(server, `/api/projects/${p.id}/event_definitions/?ordering=event`)).status).toBe(200);
  });
});
