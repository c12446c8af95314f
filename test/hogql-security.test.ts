import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, capture, createProject, sendBatch } from './helpers/api.js';
import { hogql, postQuery, waitForValue } from './helpers/query.js';
import { startServer, type TestServer } from './helpers/server.js';

/**
 * Tenant isolation and sandboxing of HogQL. Project A's key tries every way we know to read
 * project B's data or to reach beyond the virtual tables. Each attempt must either be refused by
 * the compiler with a 400 (a `hogql_*` error, so ClickHouse never saw it) or return only A's rows.
 */
let server: TestServer;
let a: { id: number; api_token: string };
let b: { id: number; api_token: string };
const SECRET = 'TOPSECRET-B';

beforeAll(async () => {
  server = await startServer({ HEDGEROW_QUERY_TIMEOUT_SECONDS: '2', HEDGEROW_QUERY_MAX_MEMORY_MB: '256' });
  a = await createProject(server, 'A');
  b = await createProject(server, 'B');
  const send = (token: string, batch: unknown[]) => sendBatch(server, token, batch);
  await send(a.api_token, [
    { event: 'a_event', distinct_id: 'a1', properties: { tag: 'mine' }, timestamp: '2024-05-01T10:00:00Z' },
    { event: 'a_event', distinct_id: 'a2', properties: { tag: 'mine', $set: { email: 'a2@a.test' } }, timestamp: '2024-05-01T11:00:00Z' },
  ]);
  await send(b.api_token, [
    { event: 'secret_b', distinct_id: 'b1', properties: { secret: SECRET, $set: { email: `${SECRET}@b.test` } }, timestamp: '2024-05-01T10:00:00Z' },
    { event: '$groupidentify', distinct_id: 'b1', properties: { $group_type: 'company', $group_key: 'bco', $group_set: { name: SECRET } }, timestamp: '2024-05-01T10:00:00Z' },
    { event: 'secret_b', distinct_id: 'b1', properties: { secret: SECRET, $session_id: 'sess-b', $groups: { company: 'bco' } }, timestamp: '2024-05-01T10:00:01Z' },
  ]);
  await waitForValue(server, a.id, 'SELECT count() FROM events', 2);
  await waitForValue(server, b.id, "SELECT count() FROM events WHERE event = 'secret_b'", 2);
  await waitForValue(server, b.id, 'SELECT count() FROM persons', 1);
}, 120_000);
afterAll(() => server?.dispose());

/** Runs as project A; whatever rows come back must not mention B's data (the query text is echoed, so only rows count). */
async function asA(query: string, extra: Record<string, unknown> = {}) {
  const res = await hogql(server, a.id, query, extra);
  const rows = JSON.stringify(res.body.results ?? []);
  expect(rows).not.toContain(SECRET);
  expect(rows).not.toContain('secret_b');
  return res;
}

/** Refused by our compiler: 400 with a HogQL error code, not a ClickHouse error. */
async function refused(query: string, detail?: RegExp) {
  const res = await asA(query);
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(['hogql_syntax_error', 'hogql_query_error']).toContain(res.body.code);
  expect(res.body.detail).not.toMatch(/DB::Exception|\([A-Z_]{6,}\)$/);
  if (detail) expect(res.body.detail).toMatch(detail);
  return res;
}

describe('every table access is guarded to the caller’s project', () => {
  it.each([
    ['plain scan', 'SELECT count() FROM events', 2],
    ['explicit team_id of another project', `SELECT count() FROM events WHERE team_id = ${0}`, 0],
    ['OR-ing the guard away', 'SELECT count() FROM events WHERE 1 = 1 OR true', 2],
    ['backticked table name', 'SELECT count() FROM `events`', 2],
    ['double-quoted table name', 'SELECT count() FROM "events"', 2],
    ['nested subqueries', 'SELECT count() FROM (SELECT * FROM (SELECT * FROM (SELECT uuid FROM events)))', 2],
    ['subquery in WHERE', "SELECT count() FROM events WHERE event IN (SELECT event FROM events WHERE event = 'secret_b')", 0],
    ['CTE', 'WITH e AS (SELECT * FROM events) SELECT count() FROM e', 2],
    ['CTE named like the table', 'WITH events AS (SELECT * FROM events) SELECT count() FROM events', 2],
    ['self join', 'SELECT count() FROM events e1 JOIN events e2 ON e1.uuid = e2.uuid', 2],
    ['cross join', 'SELECT count() FROM events e1 CROSS JOIN events e2', 4],
    ['comma join', 'SELECT count() FROM events e1, events e2', 4],
    ['UNION ALL', "SELECT count() FROM (SELECT uuid FROM events UNION ALL SELECT uuid FROM events WHERE event = 'secret_b')", 2],
    ['persons', 'SELECT count() FROM persons', 2],
    ['raw_persons', 'SELECT count() FROM raw_persons', 2],
    ['person_distinct_ids', 'SELECT count() FROM person_distinct_ids', 2],
    ['groups', 'SELECT count() FROM groups', 0],
    ['sessions', 'SELECT count() FROM sessions', 0],
    ['lazy person join from events', "SELECT count() FROM events WHERE person.properties.email LIKE '%@b.test'", 0],
    ['group join from events', `SELECT count() FROM events WHERE group_0.properties.name = '${SECRET}'`, 0],
    ['session join from events', "SELECT count() FROM events WHERE session.session_id = 'sess-b'", 0],
    ['comment hiding a condition', 'SELECT count() FROM events -- WHERE team_id = 1\n', 2],
    ['block comment', 'SELECT count() /* FROM system.tables */ FROM events', 2],
  ])('%s', async (_, query, expected) => {
    const res = await asA(query);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.results[0]![0]).toBe(expected);
  });

  it('another project’s rows never appear in SELECT *', async () => {
    const res = await asA('SELECT * FROM events ORDER BY timestamp');
    expect(res.status).toBe(200);
    expect(res.body.results).toHaveLength(2);
  });

  it('the printed ClickHouse SQL carries the guard for every table it reads', async () => {
    const res = await asA('SELECT person.properties.email, session.$session_duration, pdi.person_id FROM events e JOIN persons p ON p.id = e.person_id');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const sql = res.body.clickhouse;
    for (const table of ['events', 'person', 'person_distinct_id2', 'person_distinct_id_overrides']) {
      const reads = sql.match(new RegExp(`FROM ${table}\\b(?: AS \`[^\`]+\`)?(?: FINAL)?(?= |$)`, 'g')) ?? [];
      expect(reads.length, `reads of ${table}`).toBeGreaterThan(0);
    }
    const guards = sql.match(new RegExp(`team_id(?:\`)?, ${a.id}\\)|team_id = ${a.id}\\b`, 'g')) ?? [];
    const reads = sql.match(/FROM (events|person|person_distinct_id2|person_distinct_id_overrides|groups)\b/g) ?? [];
    expect(guards.length).toBeGreaterThanOrEqual(reads.length);
    expect(sql).not.toContain(`team_id = ${b.id}`);
  });
});

describe('nothing outside the virtual tables is reachable', () => {
  it.each([
    'SELECT * FROM system.tables',
    'SELECT * FROM system.query_log',
    'SELECT * FROM `system`.`tables`',
    'SELECT * FROM `system.tables`',
    'SELECT * FROM "system"."one"',
    'SELECT * FROM information_schema.tables',
    'SELECT * FROM person',
    'SELECT * FROM person_distinct_id2',
    'SELECT * FROM hedgerow_schema_migrations',
    'SELECT * FROM еvents',
    "SELECT * FROM file('/etc/passwd', 'LineAsString')",
    "SELECT * FROM url('http://127.0.0.1:1/', 'LineAsString')",
    "SELECT * FROM remote('127.0.0.1', system.one)",
    "SELECT * FROM s3('http://127.0.0.1/x.csv')",
    "SELECT * FROM postgresql('127.0.0.1:5432', 'db', 't', 'u', 'p')",
    "SELECT * FROM executable('id', 'TSV', 'x String')",
    "SELECT * FROM events e JOIN file('/etc/passwd', 'LineAsString') f ON 1 = 1",
    "SELECT * FROM (SELECT * FROM cluster('default', system.one))",
  ])('%s', async (query) => {
    await refused(query, /table|Table|unexpected character/);
  });

  it.each([
    "SELECT file('/etc/passwd')",
    'SELECT currentDatabase()',
    'SELECT hostName()',
    "SELECT getSetting('readonly')",
    "SELECT dictGet('d', 'a', 1)",
    'SELECT version()',
    'SELECT sleep(3)',
    "SELECT arrayReduce('sum', [1])",
    "SELECT * FROM events WHERE event = currentUser()",
  ])('function %s is not allowed', async (query) => {
    await refused(query, /Unsupported function call/);
  });

  it.each([
    ['multiple statements', 'SELECT 1; SELECT * FROM system.tables'],
    ['SETTINGS override', 'SELECT count() FROM events SETTINGS readonly = 0'],
    ['INSERT', "INSERT INTO events (event) VALUES ('x')"],
    ['DROP', 'DROP TABLE events'],
    ['ALTER', 'ALTER TABLE events DELETE WHERE 1'],
    ['CREATE', 'CREATE TABLE x (a Int8) ENGINE = Memory'],
    ['SYSTEM', 'SYSTEM DROP DNS CACHE'],
    ['OPTIMIZE', 'OPTIMIZE TABLE events FINAL'],
    ['INTO OUTFILE', "SELECT 1 INTO OUTFILE '/tmp/x'"],
    ['FORMAT', 'SELECT 1 FORMAT TabSeparated'],
    ['unterminated string', "SELECT 'abc"],
    ['unterminated comment', 'SELECT 1 /* never ends'],
  ])('%s is a syntax error', async (_, query) => {
    const res = await refused(query);
    expect(res.body.code).toBe('hogql_syntax_error');
    expect(typeof res.body.start).toBe('number');
  });
});

describe('user text is data, never SQL', () => {
  it('quote escapes in string literals stay inside the literal', async () => {
    for (const literal of ["'x\\' OR 1 = 1 --'", "'x'' OR team_id != 0 --'", "'\\\\'", "'\\0\\x00'"]) {
      const res = await asA(`SELECT count() FROM events WHERE event = ${literal}`);
      expect(res.status, `${literal}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body.results[0]![0]).toBe(0);
    }
  });

  it('placeholder values are bound as constants', async () => {
    for (const value of ["' OR 1=1 --", 'a_event\' OR event = \'secret_b', '{x:String}', '`events`']) {
      const res = await asA('SELECT count() FROM events WHERE event = {v}', { values: { v: value } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.results[0]![0]).toBe(0);
    }
    const legit = await asA('SELECT count() FROM events WHERE event = {v}', { values: { v: 'a_event' } });
    expect(legit.body.results[0]![0]).toBe(2);
  });

  it('property keys and aliases with SQL in them are inert', async () => {
    const key = await asA("SELECT count() FROM events WHERE properties.`tag') OR 1=1 OR ('` = 'mine'");
    expect(key.status, JSON.stringify(key.body)).toBe(200);
    expect(key.body.results[0]![0]).toBe(0);
    const alias = await asA('SELECT count() AS `c`` FROM events; DROP TABLE events --` FROM events');
    expect(alias.status, JSON.stringify(alias.body)).toBe(200);
    expect(alias.body.columns).toEqual(['c` FROM events; DROP TABLE events --']);
    const quoted = await asA('SELECT properties.`tag` AS "weird""name" FROM events LIMIT 1');
    expect(quoted.status, JSON.stringify(quoted.body)).toBe(200);
  });

  it('unicode and control characters in identifiers and strings are handled', async () => {
    const res = await asA("SELECT count() FROM events WHERE properties.`ta\u0000g` = '\u202e' OR event = 'a\u0301'");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.results[0]![0]).toBe(0);
  });

  it('team_id cannot be used as an alias', async () => {
    await refused('SELECT 1 AS team_id FROM events', /reserved/);
  });
});

describe('per-query limits', () => {
  it('a query over the time limit is stopped with a 400 and the server keeps answering', async () => {
    const res = await asA('SELECT count() FROM numbers(100000000000) WHERE sipHash64(number) = 1');
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.code).toBe('query_limit_exceeded');
    expect(res.body.detail).toMatch(/time limit of 2 s/);
    const after = await asA('SELECT count() FROM events');
    expect(after.status, JSON.stringify(after.body)).toBe(200);
    expect(after.body.results[0]![0]).toBe(2);
  });

  it('a query over the memory limit is stopped with a 400', async () => {
    const res = await asA('SELECT groupArray(toString(number)) FROM numbers(200000000)');
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.code).toBe('query_limit_exceeded');
  });

  it('writes stay possible after sandboxed reads (readonly is per query)', async () => {
    const res = await capture(server, '/batch/', JSON.stringify({ api_key: a.api_token, batch: [{ event: 'later', distinct_id: 'a1' }] }));
    expect(res.status).toBe(200);
    await waitForValue(server, a.id, "SELECT count() FROM events WHERE event = 'later'", 1);
  });
});

describe('query API access control', () => {
  it('needs a personal API key with query:read for a visible project', async () => {
    expect((await hogql(server, a.id, 'SELECT 1', {}, null)).status).toBe(401);
    expect((await hogql(server, a.id, 'SELECT 1', {}, a.api_token)).status).toBe(401);
    const key = await api<{ value: string }>(server, '/api/personal_api_keys/', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'events only', scopes: ['event:read'] }),
    });
    expect(key.status).toBe(201);
    const denied = await postQuery(server, a.id, { kind: 'HogQLQuery', query: 'SELECT 1' }, key.body.value);
    expect(denied.status).toBe(403);
    expect((await hogql(server, 999_999, 'SELECT 1')).status).toBe(404);
  });
});
