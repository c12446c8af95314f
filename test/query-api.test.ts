import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, capture, createProject } from './helpers/api.js';
import { hogql, postQuery, waitForValue } from './helpers/query.js';
import { startServer, type TestServer } from './helpers/server.js';

/** The `/query/` endpoint: PostHog's request and response envelope, kinds, and its 4xx answers. */
let server: TestServer;
let project: { id: number; api_token: string };

beforeAll(async () => {
  server = await startServer();
  project = await createProject(server, 'query api');
  const batch = [
    { event: '$pageview', distinct_id: 'u1', properties: { $browser: 'Chrome', $set: { email: 'u1@example.com', name: 'Una' } }, timestamp: new Date(Date.now() - 3600_000).toISOString() },
    { event: '$pageview', distinct_id: 'u2', properties: { $browser: 'Firefox' }, timestamp: new Date(Date.now() - 7200_000).toISOString() },
    { event: 'signed_up', distinct_id: 'u1', properties: { plan: 'pro' }, timestamp: new Date(Date.now() - 60_000).toISOString() },
    { event: 'old', distinct_id: 'u1', properties: {}, timestamp: '2020-01-01T00:00:00Z' },
  ];
  const res = await capture(server, '/batch/', JSON.stringify({ api_key: project.api_token, batch }));
  expect(res.status).toBe(200);
  await waitForValue(server, project.id, 'SELECT count() FROM events', 4);
  await waitForValue(server, project.id, 'SELECT count() FROM persons', 2);
});
afterAll(() => server?.dispose());

describe('HogQLQuery', () => {
  it('answers with results, columns, types, hogql, clickhouse, limits and timings', async () => {
    const res = await hogql(server, project.id, "SELECT event, count() AS c FROM events WHERE event != 'old' GROUP BY event ORDER BY c DESC, event");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const body = res.body;
    expect(body.results).toEqual([
      ['$pageview', 2],
      ['signed_up', 1],
    ]);
    expect(body.columns).toEqual(['event', 'c']);
    expect(body.types).toEqual([
      ['event', 'String'],
      ['c', 'UInt64'],
    ]);
    expect(body.hogql).toBe("SELECT event, count() AS c FROM events WHERE event != 'old' GROUP BY event ORDER BY c DESC, event ASC LIMIT 100");
    expect(body.clickhouse).toContain('team_id');
    expect(body).toMatchObject({ hasMore: false, limit: 100, offset: 0, is_cached: false, timezone: 'UTC' });
    expect(body.timings.map((t) => t.k)).toEqual(['./compile', './clickhouse_execute']);
  });

  it('is also served under /api/environments/ and /query/HogQLQuery/', async () => {
    for (const path of [`/api/environments/${project.id}/query/`, `/api/projects/${project.id}/query/HogQLQuery/`]) {
      const res = await api<{ results: unknown[][] }>(server, path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: { kind: 'HogQLQuery', query: 'SELECT 1 + 1' } }),
      });
      expect(res.status).toBe(200);
      expect(res.body.results).toEqual([[2]]);
    }
  });

  it('paginates queries without a LIMIT (hasMore) and clamps explicit ones to 50,000', async () => {
    const res = await hogql(server, project.id, 'SELECT number FROM numbers(10) LIMIT 3');
    expect(res.body.results).toEqual([[0], [1], [2]]);
    expect(res.body.hasMore).toBeNull();
    const all = await hogql(server, project.id, 'SELECT number FROM numbers(1000)');
    expect(all.body.results).toHaveLength(100);
    expect(all.body.hasMore).toBe(true);
    const clamped = await hogql(server, project.id, 'SELECT number FROM numbers(60000) LIMIT 100000');
    expect(clamped.body.results).toHaveLength(50_000);
    expect(clamped.body.hasMore).toBeNull();
  });

  it('returns date-times in ISO form in the project timezone', async () => {
    const res = await hogql(server, project.id, "SELECT toDateTime('2024-03-10 12:00:00'), toDate('2024-03-10'), timestamp FROM events WHERE event = 'old'");
    expect(res.body.results).toEqual([['2024-03-10T12:00:00Z', '2024-03-10', '2020-01-01T00:00:00Z']]);
  });

  it('prints parametric window functions, NULLS FIRST/LAST and GROUP BY ALL', async () => {
    const window = await hogql(server, project.id, 'SELECT number, quantile(0.5)(number) OVER () FROM numbers(3) ORDER BY number');
    expect(window.body.results).toEqual([[0, 1], [1, 1], [2, 1]]);
    const nulls = await hogql(server, project.id, 'SELECT x FROM (SELECT arrayJoin([1, NULL, 2]) AS x) ORDER BY x DESC NULLS FIRST');
    expect(nulls.body.results).toEqual([[null], [2], [1]]);
    const all = await hogql(server, project.id, "SELECT event, count() FROM events WHERE event != 'old' GROUP BY ALL ORDER BY event");
    expect(all.body.results).toEqual([['$pageview', 2], ['signed_up', 1]]);
  });

  it('joins with ASOF where ClickHouse has it', async () => {
    const res = await hogql(
      server,
      project.id,
      'SELECT a.n, b.n FROM (SELECT number * 10 AS n, 1 AS k FROM numbers(4)) a ASOF LEFT JOIN (SELECT number * 7 AS n, 1 AS k FROM numbers(5)) b ON a.k = b.k AND a.n >= b.n ORDER BY a.n',
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.results).toEqual([[0, 0], [10, 7], [20, 14], [30, 28]]);
    // ClickHouse needs an equality next to the inequality: the query's fault, so a 400 that says so
    const bad = await hogql(server, project.id, 'SELECT 1 FROM numbers(2) a ASOF JOIN numbers(2) b ON a.number >= b.number');
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/equi-join/);
  });

  it('fills {variables.code_name} from the query variables, as constants', async () => {
    const res = await hogql(server, project.id, 'SELECT count() FROM events WHERE event = {variables.event_name}', {
      variables: { 'v-1': { variableId: 'v-1', code_name: 'event_name', value: '$pageview' } },
    });
    expect(res.body.results).toEqual([[2]]);
    const missing = await hogql(server, project.id, 'SELECT {variables.nope}');
    expect(missing.status).toBe(400);
    expect(missing.body.detail).toMatch(/variables\.nope/);
  });

  it('materializes a hot event property into a column and reads the same values from it', async () => {
    const query = "SELECT properties.plan, properties.$browser, count() FROM events GROUP BY 1, 2 ORDER BY 1, 2";
    const before = await hogql(server, project.id, query);
    expect(before.body.clickhouse).not.toContain('mat_plan');
    let after = before;
    for (let i = 0; i < 50 && !after.body.clickhouse.includes('mat_plan'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await hogql(server, project.id, query);
    }
    expect(after.body.clickhouse).toContain('mat_plan');
    expect(after.body.results).toEqual(before.body.results);
    expect(after.body.results).toContainEqual(['pro', null, 1]);
  });

  it('applies {filters} from the query filters', async () => {
    const res = await hogql(server, project.id, 'SELECT count() FROM events WHERE {filters}', {
      filters: { dateRange: { date_from: '-7d' }, properties: [{ key: '$browser', value: 'Chrome', operator: 'exact', type: 'event' }] },
    });
    expect(res.body.results).toEqual([[1]]);
    const none = await hogql(server, project.id, 'SELECT count() FROM events WHERE {filters}');
    expect(none.body.results).toEqual([[4]]);
  });
});

describe('element property filters', () => {
  it('match the tag, text and href of any element in the autocapture chain', async () => {
    const p = await createProject(server, 'elements');
    const batch = [
      { event: '$autocapture', distinct_id: 'a', properties: { $elements_chain: 'a.nav:attr__href="/pricing"href="/pricing"nth-child="1"text="See \\"plans\\""' }, timestamp: '2024-05-01T10:00:00Z' },
      { event: '$autocapture', distinct_id: 'a', properties: { $elements_chain: 'button.primary:nth-child="2"text="Sign up";div:nth-child="1"' }, timestamp: '2024-05-01T10:01:00Z' },
      { event: '$pageview', distinct_id: 'a', properties: {}, timestamp: '2024-05-01T10:02:00Z' },
    ];
    expect((await capture(server, '/batch/', JSON.stringify({ api_key: p.api_token, batch }))).status).toBe(200);
    await waitForValue(server, p.id, 'SELECT count() FROM events', 3);
    const count = async (filter: Record<string, unknown>) => {
      const res = await hogql(server, p.id, 'SELECT count() FROM events WHERE {filters}', { filters: { properties: [{ type: 'element', ...filter }] } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.results[0]![0];
    };
    expect(await count({ key: 'tag_name', value: ['button'], operator: 'exact' })).toBe(1);
    expect(await count({ key: 'tag_name', value: 'div', operator: 'exact' })).toBe(1);
    expect(await count({ key: 'text', value: 'sign', operator: 'icontains' })).toBe(1);
    expect(await count({ key: 'text', value: 'See \\"plans\\"', operator: 'exact' })).toBe(1);
    expect(await count({ key: 'href', value: '/pricing', operator: 'exact' })).toBe(1);
    expect(await count({ key: 'href', value: '^/pri', operator: 'regex' })).toBe(1);
    expect(await count({ key: 'href', operator: 'is_not_set' })).toBe(2);
    expect(await count({ key: 'tag_name', value: 'a', operator: 'is_not' })).toBe(2);
    const bad = await hogql(server, p.id, 'SELECT count() FROM events WHERE {filters}', { filters: { properties: [{ type: 'element', key: 'selector', value: 'a.nav' }] } });
    expect(bad.status).toBe(400);
  });
});

describe('project settings used by queries', () => {
  it('PATCH sets the timezone and test-account filters that filterTestAccounts applies', async () => {
    const p = await createProject(server, 'settings');
    const batch = [
      { event: 'x', distinct_id: 'real', properties: { $host: 'app.example.com' }, timestamp: '2024-05-01T23:30:00Z' },
      { event: 'x', distinct_id: 'dev', properties: { $host: 'localhost' }, timestamp: '2024-05-01T23:30:00Z' },
    ];
    expect((await capture(server, '/batch/', JSON.stringify({ api_key: p.api_token, batch }))).status).toBe(200);
    await waitForValue(server, p.id, 'SELECT count() FROM events', 2);
    const patched = await api<{ timezone: string; test_account_filters: unknown[] }>(server, `/api/projects/${p.id}/`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ timezone: 'Asia/Tokyo', test_account_filters: [{ key: '$host', value: 'localhost', operator: 'is_not', type: 'event' }] }),
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ timezone: 'Asia/Tokyo', test_account_filters: [{ key: '$host', operator: 'is_not' }] });
    const filtered = await hogql(server, p.id, 'SELECT count(), any(toDate(timestamp)) FROM events WHERE {filters}', { filters: { filterTestAccounts: true } });
    // 23:30 UTC on May 1st is May 2nd in Tokyo
    expect(filtered.body.results).toEqual([[1, '2024-05-02']]);
    const bad = await api(server, `/api/projects/${p.id}/`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ timezone: 'Mars/Olympus' }) });
    expect(bad.status).toBe(400);
  });
});

describe('EventsQuery', () => {
  it('lists events of the last 24 hours with * and person columns', async () => {
    const res = await postQuery<{ results: any[][]; columns: string[]; types: string[] }>(server, project.id, {
      kind: 'EventsQuery',
      select: ['*', 'event', 'person', 'properties.$browser'],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.columns).toEqual(['*', 'event', 'person', 'properties.$browser']);
    expect(res.body.results.map((r) => r[1])).toEqual(['signed_up', '$pageview', '$pageview']);
    const first = res.body.results[0]!;
    expect(first[0]).toMatchObject({ event: 'signed_up', distinct_id: 'u1', properties: { plan: 'pro' } });
    expect(first[2]).toMatchObject({ properties: { email: 'u1@example.com' }, distinct_id: 'u1' });
    expect(res.body.results[1]![3]).toBe('Chrome');
  });

  it('groups by the non-aggregated columns when an aggregate is selected', async () => {
    const res = await postQuery<{ results: unknown[][] }>(server, project.id, { kind: 'EventsQuery', select: ['event', 'count()'], after: 'all' });
    expect(res.body.results).toEqual([
      ['$pageview', 2],
      ['old', 1],
      ['signed_up', 1],
    ].sort((a, b) => (b[1] as number) - (a[1] as number) || 0));
  });

  it('filters by event, properties and where', async () => {
    const res = await postQuery<{ results: unknown[][] }>(server, project.id, {
      kind: 'EventsQuery',
      select: ['distinct_id'],
      event: '$pageview',
      where: ["properties.$browser != 'Chrome'"],
      properties: [{ type: 'event', key: '$browser', operator: 'icontains', value: 'fire' }],
    });
    expect(res.body.results).toEqual([['u2']]);
  });
});

describe('ActorsQuery', () => {
  it('lists persons and searches them', async () => {
    const all = await postQuery<{ results: any[][] }>(server, project.id, { kind: 'ActorsQuery' });
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    expect(all.body.results).toHaveLength(2);
    const found = await postQuery<{ results: any[][] }>(server, project.id, { kind: 'ActorsQuery', search: 'U1@EXAMPLE', select: ['person', 'properties.name'] });
    expect(found.body.results).toHaveLength(1);
    expect(found.body.results[0]![0]).toMatchObject({ properties: { email: 'u1@example.com' } });
    expect(found.body.results[0]![1]).toBe('Una');
    const byDistinctId = await postQuery<{ results: any[][] }>(server, project.id, { kind: 'ActorsQuery', search: 'u2' });
    expect(byDistinctId.body.results).toHaveLength(1);
  });

  it('drilling into an insight counts the actors without a person profile as missing_actors_count', async () => {
    const own = await createProject(server, 'personless actors');
    // Two anonymous visitors whose events create no person (posthog-js identified_only), one identified.
    const batch = [
      { event: 'visit', distinct_id: 'anon-1', properties: { $process_person_profile: false } },
      { event: 'visit', distinct_id: 'anon-2', properties: { $process_person_profile: false } },
      { event: 'visit', distinct_id: 'anon-2', properties: { $process_person_profile: false } },
      { event: 'visit', distinct_id: 'known', properties: { $set: { email: 'known@example.com' } } },
    ];
    expect((await capture(server, '/batch/', JSON.stringify({ api_key: own.api_token, batch }))).status).toBe(200);
    await waitForValue(server, own.id, 'SELECT count() FROM events', 4);
    await waitForValue(server, own.id, 'SELECT count() FROM persons', 1);
    const trend = { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: 'visit', math: 'dau' }], trendsFilter: { display: 'BoldNumber' } };
    const counted = await postQuery<{ results: Array<{ aggregated_value: number }> }>(server, own.id, trend);
    expect(counted.body.results[0]!.aggregated_value).toBe(3);
    const actors = await postQuery<{ results: any[][]; missing_actors_count: number }>(server, own.id, {
      kind: 'ActorsQuery',
      select: ['person_display_name'],
      source: { kind: 'InsightActorsQuery', source: trend, series: 0 },
    });
    expect(actors.status, JSON.stringify(actors.body)).toBe(200);
    expect(actors.body.results.map((r) => r[0].display_name)).toEqual(['known@example.com']);
    expect(actors.body.missing_actors_count).toBe(2);
  });
});

describe('bad requests get a 400 that says what is wrong', () => {
  it.each([
    ['no body', undefined, /body/],
    ['no query', {}, /query/],
    ['unknown kind', { query: { kind: 'NopeQuery' } }, /not supported/],
    ['query not a string', { query: { kind: 'HogQLQuery', query: 42 } }, /query\.query/],
    ['empty query', { query: { kind: 'HogQLQuery', query: '' } }, /empty/],
    ['bad EventsQuery select', { query: { kind: 'EventsQuery', select: [] } }, /select/],
    ['bad property filter operator', { query: { kind: 'EventsQuery', select: ['event'], properties: [{ key: 'x', operator: 'nope' }] } }, /operator/],
    ['bad date', { query: { kind: 'EventsQuery', select: ['event'], after: 'yesterday-ish' } }, /not a date/],
  ])('%s', async (_, body, detail) => {
    const res = await api<{ detail: string; code: string }>(server, `/api/projects/${project.id}/query/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.detail).toMatch(detail);
  });

  it('malformed JSON is a 400', async () => {
    const res = await api<{ detail: string }>(server, `/api/projects/${project.id}/query/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/JSON/);
  });

  it('HogQL errors carry their position', async () => {
    const res = await hogql(server, project.id, 'SELECT nosuchfield FROM events');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'hogql_query_error', start: 7, end: 18 });
    expect(res.body.detail).toMatch(/Unable to resolve field: nosuchfield/);
    const syntax = await hogql(server, project.id, 'SELECT FROM events WHERE');
    expect(syntax.status).toBe(400);
    expect(syntax.body.code).toBe('hogql_syntax_error');
  });

  it('ClickHouse type errors are 400s, not 500s', async () => {
    const res = await hogql(server, project.id, "SELECT properties.$browser + 1 FROM events");
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.code).toBe('hogql_query_error');
  });
});
