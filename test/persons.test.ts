import path from 'node:path';
import { drainPending, Session } from 'chdb';
import { PostHog } from 'posthog-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allEvents, api, capture, createProject, type ApiEvent } from './helpers/api.js';
import { startServer, type TestServer } from './helpers/server.js';

/**
 * Person processing as PostHog does it, asserted through the public API: final person count,
 * person properties, and the person every event resolves to.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.dispose());

interface Person {
  id: string;
  uuid: string;
  distinct_ids: string[];
  properties: Record<string, unknown>;
  is_identified: boolean;
  created_at: string;
}
type EventWithPerson = ApiEvent & { person: Person | null };

async function project(name: string) {
  return createProject(server, name);
}

async function send(token: string, events: Array<Record<string, unknown>>): Promise<void> {
  const res = await capture(server, '/batch/', JSON.stringify({ api_key: token, batch: events }));
  expect(res.status, res.text).toBe(200);
}

let clock = Date.parse('2026-11-01T00:00:00Z');
/** Events get increasing timestamps so order is visible in the API. */
function ev(event: string, distinct_id: string, properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  clock += 1000;
  return { event, distinct_id, properties, timestamp: new Date(clock).toISOString(), ...extra };
}

async function persons(projectId: number, query = ''): Promise<Person[]> {
  const out: Person[] = [];
  let next: string | null = `/api/projects/${projectId}/persons/?limit=1000${query ? '&' + query : ''}`;
  while (next) {
    const res: { status: number; body: { results: Person[]; next: string | null } } = await api(server, next.replace(server.url, ''));
    expect(res.status).toBe(200);
    out.push(...res.body.results);
    next = res.body.next;
  }
  return out;
}

async function personOf(projectId: number, distinctId: string): Promise<Person | undefined> {
  const res = await api<{ results: Person[] }>(server, `/api/projects/${projectId}/persons/?distinct_id=${encodeURIComponent(distinctId)}`);
  return res.body.results[0];
}

async function eventsOf(projectId: number): Promise<EventWithPerson[]> {
  return (await allEvents(server, projectId)) as EventWithPerson[];
}

describe('identify, alias and merges', () => {
  it('anonymous (personless) browsing then identify: one person owns both ids and every event', async () => {
    const p = await project('journey');
    await send(p.api_token, [
      ev('$pageview', 'anon-1', { $process_person_profile: false, $set: { ignored: true } }),
      ev('$pageview', 'anon-1', { $process_person_profile: false }),
    ]);
    expect(await persons(p.id)).toHaveLength(0);
    const before = await eventsOf(p.id);
    expect(before.every((e) => e.person === null)).toBe(true);
    expect(before[0]!.properties.$set).toBeUndefined(); // personless events lose $set

    await send(p.api_token, [ev('$identify', 'user-1', { $anon_distinct_id: 'anon-1' }, { $set: { email: 'u1@example.com' } })]);
    await send(p.api_token, [ev('purchase', 'user-1'), ev('$pageview', 'anon-1')]);

    const all = await persons(p.id);
    expect(all).toHaveLength(1);
    expect(all[0]!.distinct_ids.sort()).toEqual(['anon-1', 'user-1']);
    expect(all[0]!.properties.email).toBe('u1@example.com');
    expect(all[0]!.is_identified).toBe(true);
    const events = await eventsOf(p.id);
    expect(events).toHaveLength(5);
    expect(new Set(events.map((e) => e.person?.id))).toEqual(new Set([all[0]!.id]));
  });

  it('anonymous person (profiles always) then identify: the anonymous person survives and gains the id', async () => {
    const p = await project('journey-always');
    await send(p.api_token, [ev('$pageview', 'anon-2', { $set: { first_page: '/a' } })]);
    const anon = (await personOf(p.id, 'anon-2'))!;
    expect(anon.is_identified).toBe(false);
    await send(p.api_token, [ev('$identify', 'user-2', { $anon_distinct_id: 'anon-2', $set: { email: 'u2@example.com' } })]);
    const all = await persons(p.id);
    expect(all).toHaveLength(1);
    expect(all[0]!.id).toBe(anon.id);
    expect(all[0]!.properties).toMatchObject({ first_page: '/a', email: 'u2@example.com' });
    expect(all[0]!.is_identified).toBe(true);
  });

  it('merging two persons: the event’s person survives and wins conflicts; all events follow; created_at is the earlier', async () => {
    const p = await project('merge');
    await send(p.api_token, [ev('$pageview', 'anon-3', { $set: { color: 'red', shared: 'anon' } })]);
    await send(p.api_token, [ev('$pageview', 'user-3', { $set: { size: 'L', shared: 'user' } })]);
    const anon = (await personOf(p.id, 'anon-3'))!;
    const user = (await personOf(p.id, 'user-3'))!;
    expect(anon.id).not.toBe(user.id);
    await send(p.api_token, [ev('$identify', 'user-3', { $anon_distinct_id: 'anon-3' })]);
    const all = await persons(p.id);
    expect(all).toHaveLength(1);
    expect(all[0]!.id).toBe(user.id);
    expect(all[0]!.properties).toMatchObject({ color: 'red', size: 'L', shared: 'user' });
    expect(all[0]!.created_at).toBe(anon.created_at);
    const events = await eventsOf(p.id);
    expect(events.every((e) => e.person?.id === user.id)).toBe(true);
    expect((await api(server, `/api/projects/${p.id}/persons/${anon.id}/`)).status).toBe(404);
  });

  it('refuses to merge a person that is already identified, but still applies the event’s $set', async () => {
    const p = await project('refused');
    await send(p.api_token, [ev('$identify', 'alice', { $anon_distinct_id: 'anon-a' })]);
    await send(p.api_token, [ev('$identify', 'bob', { $anon_distinct_id: 'anon-b' })]);
    await send(p.api_token, [ev('$identify', 'bob', { $anon_distinct_id: 'alice', $set: { plan: 'pro' } })]);
    const all = await persons(p.id);
    expect(all).toHaveLength(2);
    expect((await personOf(p.id, 'bob'))!.properties.plan).toBe('pro');
    expect((await personOf(p.id, 'alice'))!.distinct_ids.sort()).toEqual(['alice', 'anon-a']);
  });

  it('$merge_dangerously merges even identified persons', async () => {
    const p = await project('dangerous');
    await send(p.api_token, [ev('$identify', 'carol', { $anon_distinct_id: 'anon-c', $set: { who: 'carol' } })]);
    await send(p.api_token, [ev('$identify', 'dave', { $anon_distinct_id: 'anon-d', $set: { who: 'dave' } })]);
    await send(p.api_token, [ev('$merge_dangerously', 'dave', { alias: 'carol' })]);
    const all = await persons(p.id);
    expect(all).toHaveLength(1);
    expect(all[0]!.distinct_ids.sort()).toEqual(['anon-c', 'anon-d', 'carol', 'dave']);
    expect(all[0]!.properties.who).toBe('dave');
    expect(new Set((await eventsOf(p.id)).map((e) => e.person?.id)).size).toBe(1);
  });

  it('a chain of aliases ends in one person, and earlier events of a merged anonymous person follow', async () => {
    const p = await project('chain');
    await send(p.api_token, [ev('e1', 'id-1'), ev('e4', 'id-4')]);
    expect(await persons(p.id)).toHaveLength(2);
    // posthog-js alias(): the event comes from the current id, properties.alias is the id to add.
    await send(p.api_token, [ev('$create_alias', 'id-1', { alias: 'id-2' })]);
    await send(p.api_token, [ev('$create_alias', 'id-2', { alias: 'id-3' })]);
    await send(p.api_token, [ev('$create_alias', 'id-3', { alias: 'id-4' })]); // id-4's anonymous person is merged in
    await send(p.api_token, [ev('e2', 'id-2'), ev('e3', 'id-3')]);
    const all = await persons(p.id);
    expect(all).toHaveLength(1);
    expect(all[0]!.distinct_ids.sort()).toEqual(['id-1', 'id-2', 'id-3', 'id-4']);
    const events = await eventsOf(p.id);
    expect(events).toHaveLength(7);
    expect(events.every((e) => e.person?.id === all[0]!.id)).toBe(true);
  });

  it('never merges on illegal distinct ids', async () => {
    const p = await project('illegal');
    for (const bad of ['undefined', 'null', '"null"', 'anonymous', '[object Object]', 'NaN', '0', ' ']) {
      await send(p.api_token, [ev('$identify', `user-${bad}`, { $anon_distinct_id: bad })]);
    }
    await send(p.api_token, [ev('$create_alias', 'x-user', { alias: 'None' })]);
    const all = await persons(p.id);
    expect(all.every((person) => person.distinct_ids.length === 1)).toBe(true);
    expect(all.map((person) => person.distinct_ids[0]).sort()).toEqual(
      ['user-undefined', 'user-null', 'user-"null"', 'user-anonymous', 'user-[object Object]', 'user-NaN', 'user-0', 'user- ', 'x-user'].sort(),
    );
  });

  it('$process_person_profile: false drops identify, alias and groupidentify', async () => {
    const p = await project('dropped');
    await send(p.api_token, [
      ev('$identify', 'u', { $anon_distinct_id: 'a', $process_person_profile: false }),
      ev('$create_alias', 'u', { alias: 'b', $process_person_profile: false }),
      ev('$groupidentify', 'u', { $group_type: 'company', $group_key: 'c', $process_person_profile: false }),
      ev('kept', 'u', { $process_person_profile: false }),
    ]);
    expect((await eventsOf(p.id)).map((e) => e.event)).toEqual(['kept']);
    expect(await persons(p.id)).toHaveLength(0);
    expect((await api<unknown[]>(server, `/api/projects/${p.id}/groups_types/`)).body).toEqual([]);
  });
});

describe('person properties', () => {
  it('$set_once never overwrites, even a stored null; $set wins a same-event tie; $unset removes', async () => {
    const p = await project('props');
    await send(p.api_token, [ev('$set', 'pp', { $set: { plan: null, name: 'A', gone: 1 } })]);
    await send(p.api_token, [ev('$set', 'pp', { $set_once: { plan: 'pro', first: 'yes', name: 'B' } })]);
    await send(p.api_token, [ev('$set', 'pp', { $set_once: { tie: 'once' }, $set: { tie: 'set' }, $unset: ['gone'] })]);
    const person = (await personOf(p.id, 'pp'))!;
    expect(person.properties).toEqual({ plan: null, name: 'A', first: 'yes', tie: 'set' });
  });

  it('adds current and $initial_ browser, URL and UTM properties; skips writes that only refresh them', async () => {
    const p = await project('initial');
    await send(p.api_token, [ev('$pageview', 'vis', { $browser: 'Firefox', $current_url: 'https://a.example/x', utm_source: 'news' })]);
    const first = (await personOf(p.id, 'vis'))!;
    expect(first.properties).toMatchObject({
      $browser: 'Firefox',
      $initial_browser: 'Firefox',
      $current_url: 'https://a.example/x',
      $initial_current_url: 'https://a.example/x',
      utm_source: 'news',
      $initial_utm_source: 'news',
    });
    // Only already-present enrichment keys change: PostHog does not write the person for that.
    await send(p.api_token, [ev('$pageview', 'vis', { $browser: 'Chrome', $current_url: 'https://a.example/y' })]);
    expect((await personOf(p.id, 'vis'))!.properties.$browser).toBe('Firefox');
    // A new key makes the update worth writing, and then every change in it lands.
    await send(p.api_token, [ev('$pageview', 'vis', { $browser: 'Chrome', $current_url: 'https://a.example/z', utm_campaign: 'launch' })]);
    expect((await personOf(p.id, 'vis'))!.properties).toMatchObject({ $browser: 'Chrome', $current_url: 'https://a.example/z', utm_campaign: 'launch', $initial_browser: 'Firefox' });
  });
});

describe('concurrency', () => {
  it('parallel requests touching the same people lose no update and merge consistently', async () => {
    const p = await project('concurrent');
    const requests: Array<Array<Record<string, unknown>>> = [];
    for (let u = 0; u < 20; u++) {
      requests.push([ev('$pageview', `anon-${u}`, { $set: { [`k-anon`]: u } })]);
      requests.push([ev('$identify', `user-${u}`, { $anon_distinct_id: `anon-${u}` })]);
      for (let k = 0; k < 5; k++) requests.push([ev('$set', `user-${u}`, { $set: { [`key-${k}`]: k } })]);
      requests.push([ev('click', `anon-${u}`)]);
    }
    // Shuffle deterministically so identify and property writes race in every order.
    for (let i = requests.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [requests[i], requests[j]] = [requests[j]!, requests[i]!];
    }
    await Promise.all(requests.map((r) => send(p.api_token, r)));
    const all = await persons(p.id);
    expect(all).toHaveLength(20);
    for (const person of all) {
      expect(person.distinct_ids).toHaveLength(2);
      for (let k = 0; k < 5; k++) expect(person.properties[`key-${k}`]).toBe(k);
    }
    const events = await eventsOf(p.id);
    expect(events).toHaveLength(requests.length);
    for (const e of events) {
      const owner = all.find((person) => person.distinct_ids.includes(e.distinct_id))!;
      expect(e.person?.id).toBe(owner.id);
    }
  });
});

describe('groups', () => {
  it('maps group types to indexes, sets $group_N on events and upserts group properties', async () => {
    const p = await project('groups');
    await send(p.api_token, [
      ev('$groupidentify', 'g-user', { $group_type: 'company', $group_key: 'acme', $group_set: { name: 'Acme', size: 10 } }),
      ev('$groupidentify', 'g-user', { $group_type: 'company', $group_key: 'acme', $group_set: { size: 12 } }),
      ev('$groupidentify', 'g-user', { $group_type: 'project', $group_key: 'p1', $group_set: { name: 'P1' } }),
      ev('used', 'g-user', { $groups: { company: 'acme', project: 'p1' } }),
    ]);
    const types = await api<Array<{ group_type: string; group_type_index: number }>>(server, `/api/projects/${p.id}/groups_types/`);
    expect(types.body.map((t) => [t.group_type, t.group_type_index])).toEqual([
      ['company', 0],
      ['project', 1],
    ]);
    const companies = await api<{ results: Array<{ group_key: string; group_properties: Record<string, unknown> }> }>(
      server,
      `/api/projects/${p.id}/groups/?group_type_index=0`,
    );
    expect(companies.body.results).toHaveLength(1);
    expect(companies.body.results[0]!.group_properties).toEqual({ name: 'Acme', size: 12 });
    const found = await api<{ group_key: string }>(server, `/api/projects/${p.id}/groups/find?group_type_index=1&group_key=p1`);
    expect(found.body.group_key).toBe('p1');
    expect((await api(server, `/api/projects/${p.id}/groups/find?group_type_index=1&group_key=nope`)).status).toBe(404);
    expect((await api(server, `/api/projects/${p.id}/groups/?group_type_index=9`)).status).toBe(400);
    const [used] = (await eventsOf(p.id)).filter((e) => e.event === 'used');
    expect(used!.properties).toMatchObject({ $group_0: 'acme', $group_1: 'p1' });
    // $groupidentify never touches the person's properties
    expect((await personOf(p.id, 'g-user'))!.properties.name).toBeUndefined();
  });

  it('at most five group types per project', async () => {
    const p = await project('group-limit');
    await send(p.api_token, [ev('many', 'x', { $groups: { a: '1', b: '2', c: '3', d: '4', e: '5', f: '6' } })]);
    const types = await api<unknown[]>(server, `/api/projects/${p.id}/groups_types/`);
    expect(types.body).toHaveLength(5);
    const [e] = await eventsOf(p.id);
    expect(e!.properties.$group_4).toBe('5');
    expect(Object.keys(e!.properties).filter((k) => k.startsWith('$group_'))).toHaveLength(5);
  });
});

describe('persons API', () => {
  let p: { id: number; api_token: string };
  beforeAll(async () => {
    p = await project('persons-api');
    const batch = [];
    for (let i = 0; i < 150; i++) batch.push(ev('$set', `pa-${i}`, { $set: { email: `person${i}@${i % 2 ? 'odd' : 'even'}.example`, n: i } }));
    await send(p.api_token, batch);
  });

  it('pages through every person with next', async () => {
    const first = await api<{ results: Person[]; next: string }>(server, `/api/projects/${p.id}/persons/`);
    expect(first.body.results).toHaveLength(100);
    expect(first.body.next).toContain('cursor=');
    const all = await persons(p.id);
    expect(all).toHaveLength(150);
    expect(new Set(all.map((x) => x.id)).size).toBe(150);
  });

  it('searches by email, distinct id and property filters', async () => {
    expect((await persons(p.id, 'search=person7@odd')).map((x) => x.properties.n)).toEqual([7]);
    expect((await persons(p.id, 'search=pa-42')).map((x) => x.properties.n)).toEqual([42]);
    expect(await persons(p.id, 'search=ODD.example')).toHaveLength(75);
    const filters = encodeURIComponent(JSON.stringify([{ key: 'n', value: 140, operator: 'gte', type: 'person' }]));
    expect((await persons(p.id, `properties=${filters}`)).map((x) => x.properties.n).sort()).toEqual([140, 141, 142, 143, 144, 145, 146, 147, 148, 149]);
    const exact = encodeURIComponent(JSON.stringify([{ key: 'email', value: ['person1@odd.example', 'person2@even.example'] }]));
    expect(await persons(p.id, `properties=${exact}`)).toHaveLength(2);
    const bad = await api<{ attr: string }>(server, `/api/projects/${p.id}/persons/?properties=${encodeURIComponent('[{"key":"n","operator":"nope"}]')}`);
    expect(bad.status).toBe(400);
    expect((await api(server, `/api/projects/${p.id}/persons/?properties=notjson`)).status).toBe(400);
  });

  it('updates and deletes properties; deletes a person with its events', async () => {
    const person = (await personOf(p.id, 'pa-3'))!;
    const base = `/api/projects/${p.id}/persons/${person.id}`;
    const updated = await api<Person>(server, `${base}/update_property/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'tier', value: 'gold' }) });
    expect(updated.body.properties.tier).toBe('gold');
    const removed = await api<Person>(server, `${base}/delete_property/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ $unset: 'n' }) });
    expect(removed.body.properties.n).toBeUndefined();
    const patched = await api<Person>(server, `${base}/`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ properties: { vip: true } }) });
    expect(patched.body.properties).toMatchObject({ vip: true, tier: 'gold' });
    // Ingestion after an API change sees it (one state for both).
    await send(p.api_token, [ev('$set', 'pa-3', { $set_once: { tier: 'silver' } })]);
    expect((await personOf(p.id, 'pa-3'))!.properties.tier).toBe('gold');

    expect((await api(server, `${base}/?delete_events=true`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(server, `${base}/`)).status).toBe(404);
    expect(await allEvents(server, p.id, 'distinct_id=pa-3')).toHaveLength(0);
    expect(await persons(p.id)).toHaveLength(149);
    // A new event for the id creates a fresh person.
    await send(p.api_token, [ev('back', 'pa-3')]);
    expect((await personOf(p.id, 'pa-3'))!.properties).toEqual({});
  });

  it('404 for unknown or malformed person ids; 400 for bad bodies', async () => {
    expect((await api(server, `/api/projects/${p.id}/persons/00000000-0000-0000-0000-000000000000/`)).status).toBe(404);
    expect((await api(server, `/api/projects/${p.id}/persons/not-a-uuid/`)).status).toBe(404);
    const person = (await personOf(p.id, 'pa-5'))!;
    const res = await api(server, `/api/projects/${p.id}/persons/${person.id}/update_property/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"value": 1}' });
    expect(res.status).toBe(400);
  });

  it('another project cannot see these persons', async () => {
    const other = await project('persons-other');
    expect(await persons(other.id)).toHaveLength(0);
    const person = (await personOf(p.id, 'pa-6'))!;
    expect((await api(server, `/api/projects/${other.id}/persons/${person.id}/`)).status).toBe(404);
    expect((await api<{ results: unknown[] }>(server, `/api/projects/${other.id}/persons/?distinct_id=pa-6`)).body.results).toEqual([]);
  });
});

describe('posthog-node person and group calls', () => {
  it('identify, alias, groupIdentify and setPersonProperties', async () => {
    const p = await project('node-persons');
    const client = new PostHog(p.api_token, { host: server.url, flushAt: 100, flushInterval: 0 });
    client.capture({ distinctId: 'device-9', event: 'opened app' });
    client.identify({ distinctId: 'device-9', properties: { $set: { email: 'n@example.com' }, $set_once: { signup: '2026-11-01' } } });
    client.alias({ distinctId: 'device-9', alias: 'account-9' });
    client.setPersonProperties({ distinctId: 'device-9', properties: { plan: 'team' }, propertiesOnce: { first_plan: 'free' } });
    client.groupIdentify({ groupType: 'organization', groupKey: 'org-9', properties: { name: 'Org Nine' } });
    client.capture({ distinctId: 'account-9', event: 'paid', groups: { organization: 'org-9' } });
    await client.shutdown();

    const person = (await personOf(p.id, 'account-9'))!;
    expect(person.distinct_ids.sort()).toEqual(['account-9', 'device-9']);
    expect(person.properties).toMatchObject({ email: 'n@example.com', signup: '2026-11-01', plan: 'team', first_plan: 'free' });
    const events = await eventsOf(p.id);
    const mine = events.filter((e) => e.distinct_id !== '$organization_org-9');
    expect(mine.every((e) => e.person?.id === person.id)).toBe(true);
    expect(events.find((e) => e.event === 'paid')!.properties.$group_0).toBe('org-9');
    const org = await api<{ group_properties: Record<string, unknown> }>(server, `/api/projects/${p.id}/groups/find?group_type_index=0&group_key=org-9`);
    expect(org.body.group_properties).toEqual({ name: 'Org Nine' });
  });
});

describe('storage (runs last: stops the server to read its chDB directly)', () => {
  it('events keep the person properties of their moment; overrides exist only for re-attributed ids', async () => {
    const p = await project('poe');
    await send(p.api_token, [ev('a', 'snap', { $set: { step: 1 } })]);
    await send(p.api_token, [ev('b', 'snap', { $set: { step: 2 } })]);
    await send(p.api_token, [ev('$pageview', 'pl', { $process_person_profile: false })]);
    await send(p.api_token, [ev('$identify', 'snap', { $anon_distinct_id: 'pl' })]);
    await server.stop();
    const session = new Session(path.join(server.dataDir, 'clickhouse'));
    try {
      const rows = session.query(`SELECT event, person_properties FROM events WHERE team_id = ${p.id} AND distinct_id = 'snap' ORDER BY timestamp`, 'JSONEachRow');
      const snapshots = rows.trim().split('\n').map((l) => JSON.parse(l) as { event: string; person_properties: string });
      expect(snapshots.map((r) => [r.event, JSON.parse(r.person_properties).step])).toEqual([
        ['a', 1],
        ['b', 2],
        ['$identify', 2],
      ]);
      const overrides = session.query(`SELECT distinct_id FROM person_distinct_id_overrides WHERE team_id = ${p.id}`, 'TSV').trim();
      expect(overrides).toBe('pl');
      const people = session.query(`SELECT count() FROM person FINAL WHERE team_id = ${p.id} AND is_deleted = 0`, 'TSV').trim();
      expect(people).toBe('1');
    } finally {
      session.close();
      await drainPending();
    }
  });
});
