/**
 * The fixed dataset of the HogQL conformance suite (`test/hogql-conformance.test.ts`).
 *
 * Every expected result in that suite is derived by hand from the literals below, so this file is
 * the one place to read when checking an expectation. It is deliberately small: 8 people (7 with a
 * person profile, one personless), 77 events over 2024-03-08 … 2024-03-12 (the America/New_York
 * DST switch is 2024-03-10 07:00 UTC), 15 sessions, 3 groups.
 *
 * Timeline (UTC; New York local time in brackets where the local date differs):
 *
 *   Fri 03-08  E1–E3   grace: $groupidentify company acme, company globex, project web
 *              E4–E8   anon-a browses (session s1), then signs up as alice and identifies:
 *                      anon-a's person is merged INTO alice's (alice had a person already) →
 *                      anon-a's events keep their stored person_id but an override maps them to alice.
 *              E9–E10  anon-b browses (s2), identifies as bob: bob joins anon-b's person (no merge).
 *   Sat 03-09  E11–E12 bob, 03:30 / 03:45 UTC [Fri 03-08 22:30 / 22:45 EST]: blog → purchase (s3)
 *              E13–E16 carol (s4) aliases carol-work; carol-work searches and buys
 *              E17–E18 dave (s5): pageview (note: null) and pageleave (note: '')
 *   Sun 03-10  E19     erin 04:59 UTC [Sat 03-09 23:59 EST] (s6)
 *              E20     erin 05:30 UTC [00:30 EST]; E21 erin 07:30 UTC [03:30 EDT, after the switch]
 *              E22–E24 grace (s7, globex); E25 alice (s8); E26–E27 frank, personless (s9)
 *   Mon 03-11  E28     heidi 03:00 UTC [Sun 03-10 23:00 EDT] (s10)
 *              E29–E30 alice (s11) buys, pageview; E31 alice re-identifies group acme (employees 55, plan)
 *              E32–E33 bob (s12): search, search_result_click (no pageview)
 *   Tue 03-12  P0–P39  40 `ping` events, 00:00 UTC + 15 min × i, no session [P0–P15 are Mon 03-11 local]
 *              E34     dave purchase (s13); E35 heidi `$set` plan=pro; E36 erin (s14);
 *              E37     carol-work 23:30 UTC (s15)
 *
 * Person properties at the end (person.properties, PostHog's "joined" mode reads these):
 *   alice  {email alice@example.com, name Alice, plan pro, age 34}        ids alice, anon-a
 *   bob    {email bob@example.com, name Bob, plan free, age 28}            ids anon-b, bob
 *   carol  {email carol@corp.example, name Carol, plan pro, age 41}       ids carol, carol-work
 *   dave   {name Dave, plan free}                                          ids dave
 *   erin   {email erin@example.org, name Erin, plan enterprise, age 52, address {city Berlin, zip '10115'}, roles [admin, editor]}
 *   grace  {email grace@globex.example, name Grace, plan enterprise}       ids grace
 *   heidi  {name Heidi, plan pro (was free until E35), age 23}             ids heidi
 *   frank  no person (all his events have $process_person_profile: false)
 *
 * Property types the taxonomy infers (first value seen; PostHog casts typed properties on access):
 *   Numeric: price, quantity, results_count, position, n, bucket; person age; group employees
 *   Boolean: is_gift, even, $process_person_profile
 *   String:  everything else used here ($browser, currency, version ('8'…'12' as strings!), plan, …)
 *   untyped (objects/arrays): cart, tags, address, roles — only reachable as nested strings.
 */

export const SHOP = 'https://shop.example.com';
export const DOCS = 'https://docs.example.com';
export const NY = 'America/New_York';

export interface DatasetEvent {
  /** E1…E37, P0…P39: how the test file refers to an event. */
  id: string;
  event: string;
  distinct_id: string;
  timestamp: string;
  properties: Record<string, unknown>;
}

/** A valid UUIDv7 (PostHog only builds sessions from v7 ids): the session's start in ms, then the session number. */
function sessionId(n: number, start: string): string {
  const hex = Date.parse(start).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-${String(n).padStart(12, '0')}`;
}

export const SESSION = {
  s1: sessionId(1, '2024-03-08T10:00:00Z'),
  s2: sessionId(2, '2024-03-08T15:00:00Z'),
  s3: sessionId(3, '2024-03-09T03:30:00Z'),
  s4: sessionId(4, '2024-03-09T12:00:00Z'),
  s5: sessionId(5, '2024-03-09T18:00:00Z'),
  s6: sessionId(6, '2024-03-10T04:59:00Z'),
  s7: sessionId(7, '2024-03-10T14:00:00Z'),
  s8: sessionId(8, '2024-03-10T20:00:00Z'),
  s9: sessionId(9, '2024-03-10T22:00:00Z'),
  s10: sessionId(10, '2024-03-11T03:00:00Z'),
  s11: sessionId(11, '2024-03-11T09:00:00Z'),
  s12: sessionId(12, '2024-03-11T13:00:00Z'),
  s13: sessionId(13, '2024-03-12T10:00:00Z'),
  s14: sessionId(14, '2024-03-12T16:00:00Z'),
  s15: sessionId(15, '2024-03-12T23:30:00Z'),
} as const;

/** `$current_url`, `$pathname` and `$host` of a page, as posthog-js sends them. */
function at(url: string): Record<string, string> {
  const u = new URL(url);
  return { $current_url: url, $pathname: u.pathname, $host: u.host };
}

const chrome = { $browser: 'Chrome', $os: 'Mac OS X' };
const firefoxWin = { $browser: 'Firefox', $os: 'Windows' };
const firefoxLinux = { $browser: 'Firefox', $os: 'Linux' };
const safari = { $browser: 'Safari', $os: 'iOS' };
const edge = { $browser: 'Edge', $os: 'Windows' };

function ev(id: string, timestamp: string, distinct_id: string, event: string, properties: Record<string, unknown> = {}): DatasetEvent {
  return { id, event, distinct_id, timestamp, properties };
}

export const DAY1: DatasetEvent[] = [
  ev('E1', '2024-03-08T09:00:00Z', 'grace', '$groupidentify', { $group_type: 'company', $group_key: 'acme', $group_set: { name: 'Acme Inc', employees: 50, industry: 'tech' } }),
  ev('E2', '2024-03-08T09:00:01Z', 'grace', '$groupidentify', { $group_type: 'company', $group_key: 'globex', $group_set: { name: 'Globex', employees: 200, industry: 'manufacturing' } }),
  ev('E3', '2024-03-08T09:00:02Z', 'grace', '$groupidentify', { $group_type: 'project', $group_key: 'web', $group_set: { name: 'Website' } }),
  ev('E4', '2024-03-08T10:00:00Z', 'anon-a', '$pageview', { $session_id: SESSION.s1, ...at(`${SHOP}/`), ...chrome }),
  ev('E5', '2024-03-08T10:00:30Z', 'anon-a', '$pageview', { $session_id: SESSION.s1, ...at(`${SHOP}/pricing`), ...chrome }),
  ev('E6', '2024-03-08T10:01:00Z', 'anon-a', '$autocapture', { $session_id: SESSION.s1, ...at(`${SHOP}/pricing`), ...chrome, $event_type: 'click' }),
  ev('E7', '2024-03-08T10:05:00Z', 'alice', 'signed_up', {
    $session_id: SESSION.s1,
    ...at(`${SHOP}/signup`),
    ...chrome,
    plan: 'pro',
    $set: { email: 'alice@example.com', name: 'Alice', plan: 'pro', age: 34 },
  }),
  ev('E8', '2024-03-08T10:05:01Z', 'alice', '$identify', { $session_id: SESSION.s1, ...at(`${SHOP}/signup`), ...chrome, $anon_distinct_id: 'anon-a' }),
  ev('E9', '2024-03-08T15:00:00Z', 'anon-b', '$pageview', { $session_id: SESSION.s2, ...at(`${SHOP}/`), ...firefoxWin }),
  ev('E10', '2024-03-08T15:00:05Z', 'bob', '$identify', {
    $session_id: SESSION.s2,
    ...at(`${SHOP}/`),
    ...firefoxWin,
    $anon_distinct_id: 'anon-b',
    $set: { email: 'bob@example.com', name: 'Bob', plan: 'free', age: 28 },
  }),
];

export const DAY2: DatasetEvent[] = [
  ev('E11', '2024-03-09T03:30:00Z', 'bob', '$pageview', { $session_id: SESSION.s3, ...at(`${SHOP}/blog/post-1?utm_source=newsletter`), ...firefoxWin, utm_source: 'newsletter' }),
  ev('E12', '2024-03-09T03:45:00Z', 'bob', 'purchase', {
    $session_id: SESSION.s3,
    ...at(`${SHOP}/checkout`),
    ...firefoxWin,
    price: 19.99,
    quantity: 1,
    currency: 'USD',
    cart: { items: [{ sku: 'A1', qty: 1 }], total: 19.99, coupon: null },
    $groups: { company: 'acme' },
  }),
  ev('E13', '2024-03-09T12:00:00Z', 'carol', '$pageview', {
    $session_id: SESSION.s4,
    ...at(`${SHOP}/`),
    ...safari,
    $groups: { company: 'acme', project: 'web' },
    $set: { email: 'carol@corp.example', name: 'Carol', plan: 'pro', age: 41 },
  }),
  ev('E14', '2024-03-09T12:00:10Z', 'carol', '$create_alias', { $session_id: SESSION.s4, alias: 'carol-work' }),
  ev('E15', '2024-03-09T12:02:00Z', 'carol-work', 'search', {
    $session_id: SESSION.s4,
    ...at(`${SHOP}/search?q=shoes&page=2#results`),
    ...safari,
    query: 'shoes',
    results_count: 12,
    tags: ['sale', 'shoes'],
    $groups: { company: 'acme' },
  }),
  ev('E16', '2024-03-09T12:03:00Z', 'carol-work', 'purchase', {
    $session_id: SESSION.s4,
    ...at(`${SHOP}/checkout`),
    ...safari,
    price: 120,
    quantity: 2,
    currency: 'EUR',
    '$feature/new-checkout': 'test',
    cart: { items: [{ sku: 'B2', qty: 1 }, { sku: 'C3', qty: 1 }], total: 120, coupon: 'SPRING' },
    $groups: { company: 'acme', project: 'web' },
  }),
  ev('E17', '2024-03-09T18:00:00Z', 'dave', '$pageview', { $session_id: SESSION.s5, ...at(`${SHOP}/pricing`), $browser: 'Chrome', $os: 'Linux', note: null, $set: { name: 'Dave', plan: 'free' } }),
  ev('E18', '2024-03-09T18:00:03Z', 'dave', '$pageleave', { $session_id: SESSION.s5, ...at(`${SHOP}/pricing`), $browser: 'Chrome', $os: 'Linux', note: '' }),
];

export const DAY3: DatasetEvent[] = [
  ev('E19', '2024-03-10T04:59:00Z', 'erin', '$pageview', {
    $session_id: SESSION.s6,
    ...at(`${DOCS}/start`),
    ...firefoxLinux,
    $set: { email: 'erin@example.org', name: 'Erin', plan: 'enterprise', age: 52, address: { city: 'Berlin', zip: '10115' }, roles: ['admin', 'editor'] },
  }),
  ev('E20', '2024-03-10T05:30:00Z', 'erin', 'search', { $session_id: SESSION.s6, ...at(`${DOCS}/search?q=hogql`), ...firefoxLinux, query: 'hogql', results_count: 0, tags: ['docs'] }),
  ev('E21', '2024-03-10T07:30:00Z', 'erin', 'purchase', {
    $session_id: SESSION.s6,
    ...at(`${DOCS}/checkout`),
    ...firefoxLinux,
    price: 49.5,
    quantity: 3,
    currency: 'USD',
    cart: { items: [{ sku: 'D4', qty: 3 }], total: 148.5, coupon: null },
    $groups: { company: 'globex' },
  }),
  ev('E22', '2024-03-10T14:00:00Z', 'grace', '$pageview', {
    $session_id: SESSION.s7,
    ...at(`${SHOP}/`),
    ...edge,
    $groups: { company: 'globex' },
    $set: { email: 'grace@globex.example', name: 'Grace', plan: 'enterprise' },
  }),
  ev('E23', '2024-03-10T14:00:20Z', 'grace', '$pageview', { $session_id: SESSION.s7, ...at(`${SHOP}/pricing`), ...edge, $groups: { company: 'globex' } }),
  ev('E24', '2024-03-10T14:01:00Z', 'grace', 'purchase', {
    $session_id: SESSION.s7,
    ...at(`${SHOP}/checkout`),
    ...edge,
    price: 300,
    quantity: 1,
    currency: 'USD',
    '$feature/new-checkout': 'control',
    cart: { items: [{ sku: 'E5', qty: 1 }], total: 300, coupon: 'VIP' },
    $groups: { company: 'globex', project: 'web' },
  }),
  ev('E25', '2024-03-10T20:00:00Z', 'alice', '$pageview', { $session_id: SESSION.s8, ...at(`${SHOP}/blog/post-2`), ...chrome, $groups: { company: 'acme' } }),
  ev('E26', '2024-03-10T22:00:00Z', 'frank', '$pageview', { $session_id: SESSION.s9, ...at(`${SHOP}/`), $browser: 'Chrome', $os: 'Windows', $process_person_profile: false }),
  ev('E27', '2024-03-10T22:00:30Z', 'frank', '$pageview', { $session_id: SESSION.s9, ...at(`${SHOP}/pricing`), $browser: 'Chrome', $os: 'Windows', $process_person_profile: false }),
];

export const DAY4: DatasetEvent[] = [
  ev('E28', '2024-03-11T03:00:00Z', 'heidi', '$pageview', { $session_id: SESSION.s10, ...at(`${SHOP}/blog/post-1`), ...safari, $set: { name: 'Heidi', plan: 'free', age: 23 } }),
  ev('E29', '2024-03-11T09:00:00Z', 'alice', 'purchase', {
    $session_id: SESSION.s11,
    ...at(`${SHOP}/checkout`),
    ...chrome,
    price: 35.5,
    quantity: 2,
    currency: 'USD',
    is_gift: true,
    cart: { items: [{ sku: 'A1', qty: 2 }], total: 71, coupon: 'SPRING' },
    $groups: { company: 'acme' },
  }),
  ev('E30', '2024-03-11T09:10:00Z', 'alice', '$pageview', { $session_id: SESSION.s11, ...at(`${SHOP}/`), ...chrome, $groups: { company: 'acme' } }),
  ev('E31', '2024-03-11T09:30:00Z', 'alice', '$groupidentify', { $group_type: 'company', $group_key: 'acme', $group_set: { employees: 55, plan: 'enterprise' } }),
  ev('E32', '2024-03-11T13:00:00Z', 'bob', 'search', { $session_id: SESSION.s12, ...at(`${SHOP}/search?q=hats`), ...firefoxWin, query: 'hats', results_count: 3, tags: [] }),
  ev('E33', '2024-03-11T13:00:40Z', 'bob', 'search_result_click', { $session_id: SESSION.s12, ...at(`${SHOP}/search?q=hats`), ...firefoxWin, position: 2 }),
];

export const PING_USERS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;

/** P0…P39: n = i, bucket = i % 3, even = i is even, label = 'L' + i % 4, version = String(8 + i % 5) (so alice '8', bob '9', carol '10', dave '11', erin '12'). */
export const PINGS: DatasetEvent[] = Array.from({ length: 40 }, (_, i) =>
  ev(`P${i}`, new Date(Date.parse('2024-03-12T00:00:00Z') + i * 15 * 60_000).toISOString().replace('.000Z', 'Z'), PING_USERS[i % 5]!, 'ping', {
    n: i,
    bucket: i % 3,
    even: i % 2 === 0,
    label: `L${i % 4}`,
    version: String(8 + (i % 5)),
  }),
);

export const DAY5: DatasetEvent[] = [
  ...PINGS,
  ev('E34', '2024-03-12T10:00:00Z', 'dave', 'purchase', {
    $session_id: SESSION.s13,
    ...at(`${SHOP}/checkout`),
    $browser: 'Chrome',
    $os: 'Linux',
    price: 5,
    quantity: 10,
    currency: 'EUR',
    is_gift: false,
    cart: { items: [], total: 50, coupon: null },
  }),
  ev('E35', '2024-03-12T12:00:00Z', 'heidi', '$set', { $set: { plan: 'pro' } }),
  ev('E36', '2024-03-12T16:00:00Z', 'erin', '$pageview', { $session_id: SESSION.s14, ...at(`${DOCS}/start`), ...firefoxLinux }),
  ev('E37', '2024-03-12T23:30:00Z', 'carol-work', '$pageview', { $session_id: SESSION.s15, ...at(`${SHOP}/`), ...safari, $groups: { company: 'acme' } }),
];

/** Sent one `/batch/` request per day, in this order, so merges happen in time order. */
export const DATASET_BATCHES: DatasetEvent[][] = [DAY1, DAY2, DAY3, DAY4, DAY5];
export const DATASET: DatasetEvent[] = DATASET_BATCHES.flat();

/** Which person each distinct id ends up with (frank has none). */
export const PERSON_OF: Record<string, string | null> = {
  alice: 'alice',
  'anon-a': 'alice',
  bob: 'bob',
  'anon-b': 'bob',
  carol: 'carol',
  'carol-work': 'carol',
  dave: 'dave',
  erin: 'erin',
  grace: 'grace',
  heidi: 'heidi',
  frank: null,
};

/**
 * The isolation project's own data: one person, five events, and a group with the same key as the
 * dataset's. Nothing of it may ever appear in the dataset project's results (and vice versa).
 */
export const OTHER_PROJECT_EVENTS: DatasetEvent[] = [
  ev('O1', '2024-03-09T12:00:00Z', 'intruder', '$groupidentify', { $group_type: 'company', $group_key: 'acme', $group_set: { name: 'Evil Acme' } }),
  ...[1, 2, 3, 4].map((i) =>
    ev(`O${i + 1}`, `2024-03-09T12:0${i}:00Z`, 'intruder', i === 1 ? '$pageview' : 'other_event', {
      $browser: 'Chrome',
      price: 1000 * i,
      $groups: { company: 'acme' },
      ...(i === 1 ? { $set: { email: 'intruder@evil.example', name: 'Intruder', plan: 'pro' } } : {}),
    }),
  ),
];

/** The body `/batch/` takes. */
export function batchBody(token: string, events: DatasetEvent[]): string {
  return JSON.stringify({
    api_key: token,
    batch: events.map((e) => ({ event: e.event, distinct_id: e.distinct_id, timestamp: e.timestamp, properties: e.properties })),
  });
}

// ---- small helpers over the dataset, for expectations that are counts ----------------------------

export function byId(id: string): DatasetEvent {
  const found = DATASET.find((e) => e.id === id);
  if (!found) throw new Error(`no event ${id}`);
  return found;
}

export function countWhere(predicate: (e: DatasetEvent) => boolean): number {
  return DATASET.filter(predicate).length;
}

/** The UTC date (YYYY-MM-DD) of an event, or its local date in a timezone. */
export function dateOf(e: DatasetEvent, timeZone = 'UTC'): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(e.timestamp));
}

/** Events per date as [date, count] rows sorted by date. */
export function countsByDate(timeZone = 'UTC'): [string, number][] {
  const counts = new Map<string, number>();
  for (const e of DATASET) counts.set(dateOf(e, timeZone), (counts.get(dateOf(e, timeZone)) ?? 0) + 1);
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
}
