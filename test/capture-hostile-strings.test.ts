import crypto from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import LZString from 'lz-string';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonStore } from '../src/persons/person-store.js';
import type { ClickHouse } from '../src/storage/clickhouse.js';
import type { Postgres } from '../src/storage/postgres.js';
import { migratePostgres } from '../src/storage/postgres-migrations.js';
import { allEvents, api, capture, createProject } from './helpers/api.js';
import { startServer, type TestServer } from './helpers/server.js';

/**
 * Strings Postgres cannot store — NUL (`\u0000`) and lone UTF-16 surrogates — sent anywhere in an
 * event that reaches the person store ($set/$set_once keys and values, distinct ids, merge ids,
 * group types, keys and properties). As in PostHog, lone surrogates become U+FFFD at capture and NUL
 * becomes U+FFFD in what is written to Postgres (events keep it); the event is accepted. Above all,
 * one such event must not make every later capture fail.
 *
 * Bodies are written as raw JSON text so the escapes are exactly what an SDK would send.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.dispose());

const R = '\uFFFD';
const json = { 'content-type': 'application/json' };

interface Person {
  uuid: string;
  distinct_ids: string[];
  properties: Record<string, unknown>;
}

async function personOf(projectId: number, distinctId: string): Promise<Person | undefined> {
  const res = await api<{ results: Person[] }>(server, `/api/projects/${projectId}/persons/?distinct_id=${encodeURIComponent(distinctId)}`);
  expect(res.status).toBe(200);
  return res.body.results[0];
}

/** One event as raw JSON text: every part is spliced in verbatim, so it can carry any escape. */
const event = (name: string, distinctId: string, props = '{}', extra = '') =>
  `{"event":"${name}","distinct_id":${distinctId},"properties":${props}${extra}}`;
const batchBody = (token: string, ...events: string[]) => `{"api_key":"${token}","batch":[${events.join(',')}]}`;

type Send = (token: string) => Promise<{ status: number; body: any; text: string }>;
type Check = (projectId: number) => Promise<void>;

const cases: Array<[name: string, send: Send, check: Check]> = [
  [
    '$set key with a lone low surrogate (/batch/)',
    (t) => capture(server, '/batch/', batchBody(t, event('x', '"d"', '{"$set":{"p\\udc00":true}}')), json),
    async (id) => expect((await personOf(id, 'd'))?.properties).toMatchObject({ [`p${R}`]: true }),
  ],
  [
    '$set value with a lone high surrogate (/e/)',
    (t) => capture(server, '/e/', `{"token":"${t}","event":"x","distinct_id":"d","properties":{"$set":{"p":"v\\ud800"}}}`, json),
    async (id) => expect((await personOf(id, 'd'))?.properties).toMatchObject({ p: `v${R}` }),
  ],
  [
    '$set key and value with NUL',
    (t) => capture(server, '/batch/', batchBody(t, event('x', '"d"', '{"$set":{"n\\u0000k":"n\\u0000v"}}')), json),
    async (id) => expect((await personOf(id, 'd'))?.properties).toMatchObject({ [`n${R}k`]: `n${R}v` }),
  ],
  [
    'nested $set_once with NUL keys, lone surrogates in arrays, and a valid pair',
    (t) => capture(server, '/batch/', batchBody(t, event('x', '"d"', '{"$set_once":{"deep":{"a\\u0000":["\\udfff","ok \\ud83d\\ude00","\\ud800\\ud800\\udc00"]}}}')), json),
    async (id) => expect((await personOf(id, 'd'))?.properties.deep).toEqual({ [`a${R}`]: [R, 'ok \u{1F600}', `${R}\u{10000}`] }),
  ],
  [
    'top-level $set (identify style) with NUL',
    (t) => capture(server, '/batch/', batchBody(t, event('$identify', '"d"', '{}', ',"$set":{"t\\u0000":"\\u0000"}')), json),
    async (id) => expect((await personOf(id, 'd'))?.properties).toMatchObject({ [`t${R}`]: R }),
  ],
  [
    '$unset with NUL and surrogate keys',
    (t) => capture(server, '/batch/', batchBody(t, event('x', '"d"', '{"$set":{"keep":1},"$unset":["x\\u0000","y\\udc00"]}')), json),
    async (id) => expect((await personOf(id, 'd'))?.properties).toMatchObject({ keep: 1 }),
  ],
  [
    'distinct_id with NUL and a lone surrogate',
    (t) => capture(server, '/batch/', batchBody(t, event('x', '"d\\u0000\\udc00"', '{"$set":{"a":1}}')), json),
    async (id) => expect((await personOf(id, `d${R}${R}`))?.properties).toMatchObject({ a: 1 }),
  ],
  [
    '$identify with NUL and a lone surrogate in $anon_distinct_id',
    (t) => capture(server, '/batch/', batchBody(t, event('$identify', '"user"', '{"$anon_distinct_id":"anon\\u0000\\ud800","$set":{"email":"u@example.com"}}')), json),
    async (id) => {
      const person = await personOf(id, 'user');
      expect(person?.properties).toMatchObject({ email: 'u@example.com' });
      expect(person?.distinct_ids.sort()).toEqual([`anon${R}${R}`, 'user']);
    },
  ],
  [
    '$create_alias with a NUL alias',
    (t) => capture(server, '/batch/', batchBody(t, event('$create_alias', '"main"', '{"alias":"al\\u0000ias"}')), json),
    async (id) => expect((await personOf(id, 'main'))?.distinct_ids.sort()).toEqual([`al${R}ias`, 'main']),
  ],
  [
    '$merge_dangerously with a lone-surrogate alias',
    (t) => capture(server, '/batch/', batchBody(t, event('x', '"m1"'), event('x', '"m2\\udbff"'), event('$merge_dangerously', '"m1"', '{"alias":"m2\\udbff"}')), json),
    async (id) => expect((await personOf(id, 'm1'))?.distinct_ids.sort()).toEqual(['m1', `m2${R}`]),
  ],
  [
    '$groupidentify with NUL group type, lone-surrogate key and hostile $group_set',
    (t) =>
      capture(server, '/batch/', batchBody(t, event('$groupidentify', '"g"', '{"$group_type":"co\\u0000","$group_key":"k\\ud800","$group_set":{"n\\u0000":"v\\udc00"}}')), json),
    async (id) => {
      const types = await api<Array<{ group_type: string; group_type_index: number }>>(server, `/api/projects/${id}/groups_types/`);
      expect(types.body.map((g) => g.group_type)).toEqual([`co${R}`]);
      const group = await api<{ group_key: string; group_properties: Record<string, unknown> }>(
        server,
        `/api/projects/${id}/groups/find?group_type_index=0&group_key=${encodeURIComponent(`k${R}`)}`,
      );
      expect(group.status).toBe(200);
      expect(group.body.group_properties).toEqual({ [`n${R}`]: `v${R}` });
    },
  ],
  [
    '$groups with a NUL type and a lone-surrogate key on an ordinary event',
    (t) => capture(server, '/batch/', batchBody(t, event('grouped', '"d"', '{"$groups":{"t\\u0000":"g\\ud800"}}')), json),
    async (id) => {
      const e = (await allEvents(server, id)).find((x) => x.event === 'grouped');
      expect(e?.properties.$group_0).toBe(`g${R}`);
      const types = await api<Array<{ group_type: string }>>(server, `/api/projects/${id}/groups_types/`);
      expect(types.body.map((g) => g.group_type)).toEqual([`t${R}`]);
    },
  ],
  [
    'event name and event property keys with NUL (definitions)',
    (t) => capture(server, '/batch/', batchBody(t, event('ev\\u0000', '"d"', '{"prop\\u0000":1,"s\\udc00":"\\ud800"}')), json),
    async (id) => {
      const e = (await allEvents(server, id)).find((x) => x.event === `ev${R}`);
      // Events keep NUL as sent (as PostHog's do); only the Postgres-bound definitions are cleaned.
      expect(e?.properties).toMatchObject({ 'prop\u0000': 1, [`s${R}`]: R });
      const defs = await api<{ results: Array<{ name: string }> }>(server, `/api/projects/${id}/property_definitions/?type=event&limit=1000`);
      expect(defs.status).toBe(200);
      expect(defs.body.results.map((d) => d.name)).toEqual(expect.arrayContaining([`prop${R}`, `s${R}`]));
    },
  ],
  [
    'NUL in event properties is kept in the event (binary strings) and replaced only for the person',
    (t) => capture(server, '/batch/', batchBody(t, event('bin', '"d"', '{"gz":"\\u001f\\b\\u0000\\u0000x","$set":{"gz":"\\u0000"}}')), json),
    async (id) => {
      const e = (await allEvents(server, id)).find((x) => x.event === 'bin');
      expect(e?.properties.gz).toBe('\u001f\b\u0000\u0000x');
      expect(e?.properties.$set).toEqual({ gz: '\u0000' });
      expect((await personOf(id, 'd'))?.properties).toMatchObject({ gz: R });
    },
  ],
  [
    'lz64 body carrying raw lone surrogates (no escapes)',
    (t) => {
      const raw = `{"token":"${t}","event":"x","distinct_id":"d","properties":{"$set":{"p\udc00":"v\ud800"}}}`;
      return capture(server, '/e/?compression=lz64', LZString.compressToBase64(raw), { 'content-type': 'text/plain' });
    },
    async (id) => expect((await personOf(id, 'd'))?.properties).toMatchObject({ [`p${R}`]: `v${R}` }),
  ],
  [
    'valid surrogate pairs and escaped backslashes are kept as sent',
    (t) => capture(server, '/batch/', batchBody(t, event('x', '"d"', '{"$set":{"emoji":"\\ud83d\\ude00","literal":"\\\\u0000 and \\\\ud800","both":"\\\\\\u0000"}}')), json),
    async (id) =>
      expect((await personOf(id, 'd'))?.properties).toMatchObject({ emoji: '\u{1F600}', literal: '\\u0000 and \\ud800', both: `\\${R}` }),
  ],
];

describe('NUL and lone surrogates bound for Postgres', () => {
  it.each(cases)('%s: accepted with U+FFFD, stored, and later captures still work', async (name, send, check) => {
    const p = await createProject(server, name);
    const hostile = await send(p.api_token);
    expect(hostile.status, hostile.text).toBe(200);
    expect(hostile.body).toEqual({ status: 1 });

    // The next, ordinary capture in the same project (and server) is stored with its person.
    const after = await capture(server, '/batch/', JSON.stringify({ api_key: p.api_token, batch: [{ event: 'after', distinct_id: 'normal', properties: { $set: { ok: 1 } } }] }), json);
    expect(after.status, after.text).toBe(200);
    expect((await personOf(p.id, 'normal'))?.properties).toMatchObject({ ok: 1 });

    await check(p.id);
    const names = (await allEvents(server, p.id)).map((e) => e.event);
    expect(names).toContain('after');
    expect(names.length).toBeGreaterThanOrEqual(2);
  });

  it('the persons API cleans NUL and lone surrogates in property updates too', async () => {
    const p = await createProject(server, 'api');
    expect((await capture(server, '/batch/', batchBody(p.api_token, event('x', '"api-user"')), json)).status).toBe(200);
    const person = (await personOf(p.id, 'api-user'))!;
    const patch = await api<{ properties: Record<string, unknown> }>(server, `/api/projects/${p.id}/persons/${person.uuid}/`, {
      method: 'PATCH',
      headers: json,
      body: '{"properties":{"k\\u0000":"v\\ud800"}}',
    });
    expect(patch.status).toBe(200);
    expect(patch.body.properties).toMatchObject({ [`k${R}`]: `v${R}` });
    const after = await capture(server, '/batch/', batchBody(p.api_token, event('after', '"api-user"', '{"$set":{"ok":2}}')), json);
    expect(after.status, after.text).toBe(200);
    expect((await personOf(p.id, 'api-user'))?.properties).toMatchObject({ [`k${R}`]: `v${R}`, ok: 2 });
  });

  it('a burst of hostile and ordinary requests from many projects all succeed', async () => {
    const projects = await Promise.all([1, 2, 3].map((i) => createProject(server, `burst ${i}`)));
    const results = await Promise.all(
      projects.flatMap((p, i) => [
        capture(server, '/batch/', batchBody(p.api_token, event('bad', `"b${i}\\u0000"`, '{"$set":{"x\\udc00":"\\u0000"},"$groups":{"org":"o\\ud800"}}')), json),
        capture(server, '/batch/', batchBody(p.api_token, event('good', `"g${i}"`, '{"$set":{"fine":true}}')), json),
      ]),
    );
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    for (const [i, p] of projects.entries()) {
      expect((await personOf(p.id, `g${i}`))?.properties).toMatchObject({ fine: true });
      expect((await personOf(p.id, `b${i}${R}`))?.properties).toMatchObject({ [`x${R}`]: R });
    }
    expect(server.output()).not.toMatch(/writing person changes failed/);
  });
});

/**
 * Defence in depth, on the person store itself: whatever Postgres refuses as data (here a date out
 * of its range and a row of a project that does not exist, which no cleaning can fix) must cost only
 * that change, not every later flush; an outage, on the other hand, must keep every change for the retry.
 */
describe('person store: a change Postgres refuses cannot poison later flushes', () => {
  let db: PGlite;
  let down = false;
  const logs: string[] = [];
  const chInserts: Array<{ table: string; text: string }> = [];
  let store: PersonStore;

  const pg: Postgres = {
    query: async <T>(sql: string, params?: unknown[]) => (await db.query<T>(sql, params)).rows,
    transaction: (fn) => db.transaction((tx) => fn({ query: async <T>(sql: string, params?: unknown[]) => (await tx.query<T>(sql, params)).rows })),
    writeBatch: async (statements) => {
      if (down) throw new Error('the Postgres worker thread exited (code 1)');
      await db.transaction(async (tx) => {
        for (const st of statements) await tx.query(st.sql, st.params);
      });
    },
    execScript: async (sql) => void (await db.exec(sql)),
    close: () => db.close(),
  };
  const ch = {
    insertJSONEachRow: async (table: string, rows: Buffer) => void chInserts.push({ table, text: rows.toString('utf8') }),
  } as unknown as ClickHouse;

  beforeAll(async () => {
    db = new PGlite();
    const log = pino({ level: 'info' }, { write: (line: string) => void logs.push(line) });
    await migratePostgres(pg, log);
    await db.query(`INSERT INTO organizations (id, name) VALUES ('00000000-0000-0000-0000-000000000001', 'o')`);
    await db.query(`INSERT INTO projects (id, uuid, organization_id, name, api_token) VALUES (1, $1, '00000000-0000-0000-0000-000000000001', 'p', 'phc_t')`, [
      crypto.randomUUID(),
    ]);
    store = new PersonStore(pg, ch, log);
    await store.ensureLoaded(1, []);
  }, 60_000);
  afterAll(() => db?.close());

  const newPerson = (teamId: number, distinctId: string, properties: Record<string, unknown>, createdAt = Date.now()) => {
    const person = store.createPerson(teamId, crypto.randomUUID(), createdAt, properties, false);
    store.attach(person, distinctId, 0);
    return person;
  };
  const storedIds = async () => (await db.query<{ distinct_id: string }>('SELECT distinct_id FROM person_distinct_ids ORDER BY 1')).rows.map((r) => r.distinct_id);

  it('refused changes are logged and dropped, the rest of the batch and later flushes are written', async () => {
    const badDate = newPerson(1, 'bad-date', { a: 1 }, -8.64e15); // year -271821: out of Postgres' range
    const noProject = newPerson(999, 'no-project', { a: 1 }); // foreign key: no such project
    newPerson(1, 'good', { ok: true });
    // Bypassing capture's cleaning: the write itself replaces what Postgres cannot store.
    newPerson(1, 'raw\u0000id\ud800', { 'k\u0000': 'v\ud800', nested: ['\udc00'] });
    const group = store.upsertGroup(1, store.groupTypeIndex(1, 'org\u0000')!, 'key\ud800', { 'n\u0000': 1 }, Date.now());
    await expect(store.flush()).resolves.toBeUndefined();

    expect(await storedIds()).toEqual(['good', 'raw\uFFFDid\uFFFD']);
    const raw = (await db.query<{ properties: unknown }>(`SELECT p.properties FROM persons p JOIN person_distinct_ids d ON d.person_uuid = p.uuid WHERE d.distinct_id = $1`, ['raw\uFFFDid\uFFFD'])).rows;
    expect(raw[0]?.properties).toEqual({ 'k\uFFFD': 'v\uFFFD', nested: ['\uFFFD'] });
    expect((await db.query('SELECT group_type FROM group_type_mappings WHERE team_id = 1')).rows).toEqual([{ group_type: 'org\uFFFD' }]);
    expect((await db.query('SELECT group_key, group_properties FROM groups WHERE team_id = 1')).rows).toEqual([
      { group_key: 'key\uFFFD', group_properties: { 'n\uFFFD': 1 } },
    ]);
    expect(group.key).toBe('key\ud800'); // the cache is untouched; only what is written is cleaned
    for (const { text } of chInserts) expect(text).not.toMatch(/\\u0000|\\ud800|\\udc00/);

    const refused = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'Postgres refused a person change; it was not written');
    expect(refused.map((l) => l.distinctId ?? l.personUuid).sort()).toEqual([badDate.uuid, noProject.uuid, 'bad-date', 'no-project'].sort());
    expect(refused.every((l) => typeof (l.err as { message?: string }).message === 'string')).toBe(true);

    // Nothing was put back to fail the next flush: it writes its own changes and nothing else.
    logs.length = 0;
    newPerson(1, 'later', { n: 2 });
    await expect(store.flush()).resolves.toBeUndefined();
    expect(await storedIds()).toEqual(['good', 'later', 'raw\uFFFDid\uFFFD']);
    expect(logs.filter((l) => l.includes('refused'))).toEqual([]);
  });

  it('an outage is not taken for bad data: the changes are kept and written once Postgres is back', async () => {
    newPerson(1, 'during-outage', { n: 3 });
    down = true;
    await expect(store.flush()).rejects.toThrow(/worker thread exited/);
    down = false;
    await expect(store.flush()).resolves.toBeUndefined();
    expect(await storedIds()).toContain('during-outage');
  });
});
