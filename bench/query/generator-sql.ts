/**
 * The SQL that generates the query benchmark's dataset inside ClickHouse (`INSERT … SELECT … FROM
 * numbers(…)`). Every value is a deterministic function of a row number (cityHash64 / MD5 of it with
 * a salt), so a given size always produces the same rows.
 *
 * Shape: sessions are the unit. Session `s` belongs to a person (skewed: low person numbers are the
 * heavy users), uses one of the person's 1–3 distinct ids (a device: browser/OS/screen are functions
 * of person and device), starts at a diurnal/weekly-weighted instant and holds 1–19 events a few
 * seconds to 1.5 minutes apart. Sessions come in pairs whose lengths add up to 20, so N events are
 * exactly N/10 sessions.
 */
import {
  DAYS,
  EVENTS_PER_SESSION_PAIR,
  HOT_HOUR_MS,
  ORGS,
  OTHER_TEAM_ID,
  START_MS,
} from './spec.js';

type Choices = ReadonlyArray<readonly [string | number, number]>;

const DAY_MS = 86_400_000;

function lit(v: string | number): string {
  return typeof v === 'number' ? String(v) : `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A UInt64 hash of a salt and some columns. */
function h(salt: string, ...args: string[]): string {
  return `cityHash64('${salt}', ${args.join(', ')})`;
}

/** One of `choices`, with probability proportional to its (integer) weight, chosen by a UInt64 hash expression. */
function pick(choices: Choices, hash: string): string {
  let total = 0;
  const cum = choices.map(([, w]) => (total += w));
  return `[${choices.map(([v]) => lit(v)).join(', ')}][arrayFirstIndex(_c -> _c > (${hash}) % ${total}, [${cum.join(', ')}])]`;
}

// --- value distributions -------------------------------------------------------------------------

const PLANS: Choices = [['free', 70], ['pro', 24], ['enterprise', 6]];
const COUNTRIES: Choices = [
  ['US', 35], ['DE', 12], ['GB', 10], ['IN', 8], ['FR', 7], ['BR', 6], ['CA', 5], ['NL', 4], ['ES', 4], ['PL', 3], ['JP', 3], ['AU', 3],
];
const EMAIL_DOMAINS: Choices = [['gmail.com', 40], ['outlook.com', 10], ['yahoo.com', 5], ['proton.me', 3], ['acme.io', 8], ['globex.com', 6], ['initech.dev', 4]];
const FIRST_NAMES: Choices = ['Ada', 'Grace', 'Linus', 'Margaret', 'Alan', 'Barbara', 'Ken', 'Radia', 'Dennis', 'Frances', 'Guido', 'Hedy'].map((n) => [n, 1] as const);
const LAST_NAMES: Choices = ['Lovelace', 'Hopper', 'Torvalds', 'Hamilton', 'Turing', 'Liskov', 'Thompson', 'Perlman', 'Ritchie', 'Allen', 'van Rossum', 'Lamarr'].map((n) => [n, 1] as const);
const DEVICE_TYPES: Choices = [['Desktop', 62], ['Mobile', 33], ['Tablet', 5]];
const DESKTOP_OS: Choices = [['Windows', 55], ['Mac OS X', 35], ['Linux', 10]];
const MOBILE_OS: Choices = [['iOS', 55], ['Android', 45]];
const TABLET_OS: Choices = [['iOS', 65], ['Android', 35]];
const IOS_BROWSERS: Choices = [['Mobile Safari', 80], ['Chrome iOS', 20]];
const ANDROID_BROWSERS: Choices = [['Chrome', 85], ['Samsung Internet', 15]];
const MAC_BROWSERS: Choices = [['Chrome', 55], ['Safari', 35], ['Firefox', 7], ['Microsoft Edge', 3]];
const PC_BROWSERS: Choices = [['Chrome', 68], ['Microsoft Edge', 17], ['Firefox', 12], ['Opera', 3]];
const SCREENS: ReadonlyArray<readonly [number, number]> = [
  [1920, 1080], [1440, 900], [1536, 864], [2560, 1440], [1366, 768], // desktop: 1–5
  [390, 844], [414, 896], [393, 873], [360, 800], [412, 915], // mobile: 6–10
  [768, 1024], [820, 1180], [1024, 1366], // tablet: 11–13
];
const DESKTOP_SCREENS: Choices = [[1, 45], [2, 15], [3, 15], [4, 12], [5, 13]];
const MOBILE_SCREENS: Choices = [[6, 30], [7, 15], [8, 20], [9, 20], [10, 15]];
const TABLET_SCREENS: Choices = [[11, 50], [12, 30], [13, 20]];
const REFERRING_DOMAINS: Choices = [
  ['$direct', 45], ['www.google.com', 30], ['news.ycombinator.com', 5], ['twitter.com', 4], ['github.com', 4], ['www.bing.com', 3],
  ['duckduckgo.com', 3], ['www.linkedin.com', 2], ['www.reddit.com', 2], ['t.co', 2],
];
const UTM_SOURCES: Choices = [['google', 40], ['newsletter', 25], ['twitter', 12], ['linkedin', 10], ['producthunt', 8], ['reddit', 5]];
const INDUSTRIES: Choices = [['software', 40], ['ecommerce', 20], ['finance', 12], ['healthcare', 10], ['education', 8], ['media', 10]];

/** 50 event names. The first event of a session is a $pageview and half the last ones a $pageleave, so $pageview ends near 40%. */
const EVENTS: Choices = [
  ['$pageview', 350], ['$autocapture', 235], ['$pageleave', 60], ['product_viewed', 45], ['$feature_flag_called', 30], ['search', 25],
  ['dashboard_viewed', 22], ['add_to_cart', 20], ['insight_viewed', 18], ['$web_vitals', 18], ['login', 15], ['$identify', 12],
  ['filter_applied', 12], ['purchase', 10], ['checkout_started', 10], ['pricing_viewed', 9], ['onboarding_step_completed', 8],
  ['video_played', 7], ['$rageclick', 6], ['$set', 6], ['notification_opened', 6], ['file_downloaded', 5], ['insight_created', 5],
  ['comment_added', 5], ['sign_up', 5], ['remove_from_cart', 5], ['logout', 4], ['$exception', 4], ['video_paused', 4],
  ['file_uploaded', 4], ['project_created', 4], ['settings_changed', 4], ['invite_sent', 3], ['share_clicked', 3], ['$groupidentify', 2],
  ['invite_accepted', 2], ['subscription_upgraded', 2], ['export_started', 2], ['onboarding_completed', 2], ['trial_started', 2],
  ['project_deleted', 1], ['subscription_cancelled', 1], ['password_reset', 1], ['api_key_created', 1], ['payment_failed', 1],
  ['support_ticket_created', 1], ['integration_connected', 1], ['dashboard_created', 1], ['survey_sent', 1], ['plan_downgraded', 1],
];

/** ~110 paths with a Zipf-like skew (weight ∝ 1/rank). */
const PATHS: Choices = (() => {
  const names = [
    '/', '/pricing', '/app/dashboard', '/docs', '/blog', '/app/insights', '/features', '/login', '/signup', '/app/settings',
    '/docs/getting-started', '/docs/api', '/about', '/customers', '/changelog', '/app/events', '/app/persons', '/careers', '/contact',
    '/docs/sdk/js', '/docs/sdk/python', '/docs/self-host', '/integrations', '/security', '/app/billing', '/legal/privacy',
    ...Array.from({ length: 40 }, (_, i) => `/blog/post-${i + 1}`),
    ...Array.from({ length: 40 }, (_, i) => `/docs/guides/guide-${i + 1}`),
  ];
  return names.map((n, i) => [n, Math.max(1, Math.round(10_000 / (i + 1)))] as const);
})();
const LANDING_PATHS: Choices = [['/', 40], ['/pricing', 12], ['/blog', 10], ['/docs', 10], ['/app/dashboard', 15], ['/blog/post-1', 5], ['/features', 8]];
const ELEMENTS_CHAINS: Choices = [
  ['button.btn.btn-primary:attr__class="btn btn-primary"nth-child="1"nth-of-type="1"text="Sign up"', 25],
  ['a:attr__href="/pricing"href="/pricing"nth-child="2"nth-of-type="1"text="Pricing"', 20],
  ['button:nth-child="1"nth-of-type="1"text="Add to cart"', 15],
  ['input.search:attr__class="search"attr__type="text"nth-child="1"nth-of-type="1"', 15],
  ['a.nav-link:attr__class="nav-link"attr__href="/docs"href="/docs"nth-child="3"nth-of-type="3"text="Docs"', 15],
  ['button.close:attr__aria-label="Close"nth-child="2"nth-of-type="2"', 10],
];

/** Session start days: weekends quieter, slow growth over the month. */
const DAY_WEIGHTS: Choices = Array.from({ length: DAYS }, (_, d) => {
  const weekday = new Date(START_MS + d * DAY_MS).getUTCDay();
  const weekend = weekday === 0 || weekday === 6 ? 0.6 : 1;
  return [d, Math.round(1000 * weekend * (1 + d / 60))] as const;
});
/** Session start hour (UTC): a European morning and an American afternoon. */
const HOUR_WEIGHTS: Choices = [2, 1.5, 1, 1, 1, 1.5, 3, 5, 7, 8, 9, 9, 9, 9, 10, 11, 11, 10, 9, 8, 7, 6, 4, 3].map((w, hr) => [hr, Math.round(w * 10)] as const);

// --- person, device and distinct id expressions --------------------------------------------------

export function personUuidSql(team: string, p: string): string {
  return `reinterpretAsUUID(MD5(concat('person-', toString(${team}), '-', toString(${p}))))`;
}

/** Distinct id `j` (0–2) of person `p`: an anonymous device id, `user_<p>` (shared across projects), another device. */
export function distinctIdSql(team: string, p: string, j: string): string {
  return (
    `multiIf(${j} = 0, UUIDNumToString(MD5(concat('anon-', toString(${team}), '-', toString(${p})))), ` +
    `${j} = 1, concat('user_', toString(${p})), concat('device-', lower(hex(${h('dev2', team, p)}))))`
  );
}

/** Browser, OS, screen and library of device `j` of person `p`, as columns named `<pre>…`. */
function deviceColumns(pre: string, team: string, p: string, j: string): string[] {
  const screenIdx = `multiIf(${pre}device = 'Desktop', ${pick(DESKTOP_SCREENS, h('scr', team, p, j))}, ${pre}device = 'Mobile', ${pick(MOBILE_SCREENS, h('scr', team, p, j))}, ${pick(TABLET_SCREENS, h('scr', team, p, j))})`;
  return [
    `${pick(DEVICE_TYPES, h('device', team, p, j))} AS ${pre}device`,
    `multiIf(${pre}device = 'Desktop', ${pick(DESKTOP_OS, h('os', team, p, j))}, ${pre}device = 'Mobile', ${pick(MOBILE_OS, h('os', team, p, j))}, ${pick(TABLET_OS, h('os', team, p, j))}) AS ${pre}os`,
    `multiIf(${pre}os = 'iOS', ${pick(IOS_BROWSERS, h('br', team, p, j))}, ${pre}os = 'Android', ${pick(ANDROID_BROWSERS, h('br', team, p, j))}, ` +
      `${pre}os = 'Mac OS X', ${pick(MAC_BROWSERS, h('br', team, p, j))}, ${pick(PC_BROWSERS, h('br', team, p, j))}) AS ${pre}browser`,
    `toUInt32(115 + ${h('bv', team, p, j)} % 16) AS ${pre}browser_version`,
    `${screenIdx} AS ${pre}screen`,
    `toUInt32([${SCREENS.map((s) => s[0]).join(', ')}][${pre}screen]) AS ${pre}sw`,
    `toUInt32([${SCREENS.map((s) => s[1]).join(', ')}][${pre}screen]) AS ${pre}sh`,
    `multiIf(${pre}os = 'iOS' AND ${h('lib', team, p, j)} % 4 = 0, 'posthog-ios', ${pre}os = 'Android' AND ${h('lib', team, p, j)} % 4 = 0, 'posthog-android', 'web') AS ${pre}lib`,
    `UUIDNumToString(MD5(concat('device-', toString(${team}), '-', toString(${p}), '-', toString(${j})))) AS ${pre}device_id`,
  ];
}

/**
 * Person `p` of project `team`: uuid, plan, country, number of distinct ids, creation time and the
 * properties JSON (the same text goes into `person` and, as the snapshot, into events).
 */
function personColumns(team: string, p: string): string[] {
  return [
    `${personUuidSql(team, p)} AS p_uuid`,
    `${pick(PLANS, h('plan', team, p))} AS p_plan`,
    `${pick(COUNTRIES, h('country', team, p))} AS p_country`,
    `toUInt32(1 + ${h('ids', team, p)} % 3) AS p_ids`,
    `toInt64(${START_MS}) - toInt64(${h('created', team, p)} % ${365 * DAY_MS}) AS p_created_ms`,
    ...deviceColumns('p0_', team, p, '0'),
    `formatRowNoNewline('JSONEachRow',
        concat('user', toString(${p}), '@', ${pick(EMAIL_DOMAINS, h('mail', team, p))}) AS email,
        concat(${pick(FIRST_NAMES, h('first', team, p))}, ' ', ${pick(LAST_NAMES, h('last', team, p))}) AS name,
        p_plan AS plan,
        p_country AS country,
        p0_browser AS \`$initial_browser\`,
        p0_os AS \`$initial_os\`,
        ${pick(REFERRING_DOMAINS, h('iref', team, p))} AS \`$initial_referring_domain\`,
        formatDateTime(fromUnixTimestamp64Milli(p_created_ms, 'UTC'), '%Y-%m-%dT%H:%i:%SZ', 'UTC') AS created,
        toUInt32(if(p_plan = 'free', 1, 1 + ${h('seats', team, p)} % 50)) AS seats
      ) AS p_props`,
  ];
}

/** Writing settings: JSON as an SDK writes it (no escaped slashes, plain numbers). */
const JSON_SETTINGS = 'SETTINGS output_format_json_escape_forward_slashes = 0, output_format_json_quote_64bit_integers = 0';

export function insertPersonsSql(team: number, persons: number): string {
  return `INSERT INTO person (id, team_id, properties, is_identified, created_at, version, is_deleted)
    SELECT p_uuid, team, p_props, toInt8(p_ids >= 2), fromUnixTimestamp64Milli(p_created_ms, 'UTC'), 1, 0
    FROM (SELECT number AS p, toInt64(${team}) AS team, ${personColumns('team', 'p').join(',\n')} FROM numbers(${persons}))
    ${JSON_SETTINGS}`;
}

/**
 * Merges: for a few persons, distinct id 1 now belongs to another person (PostHog writes an override
 * and a newer person_distinct_id2 row). Some overrides were re-pointed (version 2), some removed
 * again (a deleted version 3: the events keep their own person id).
 */
function mergeColumns(team: string, p: string, persons: number, mergeEvery: number): string[] {
  return [
    `p_ids >= 2 AND ${h('merge', team, p)} % ${mergeEvery} = 0 AS merged`,
    `(${p} + 1 + ${h('t1', team, p)} % ${persons - 1}) % ${persons} AS target1`,
    `(${p} + 1 + ${h('t2', team, p)} % ${persons - 1}) % ${persons} AS target2`,
    `${h('merge2', team, p)} % 5 = 0 AS repointed`,
    `${h('unmerge', team, p)} % 7 = 0 AS unmerged`,
  ];
}

export function insertDistinctIdsSql(team: number, persons: number, mergeEvery: number): string {
  return `INSERT INTO person_distinct_id2 (team_id, distinct_id, person_id, is_deleted, version)
    SELECT team, ${distinctIdSql('team', 'p', 'j')},
           if(j = 1 AND merged AND NOT unmerged, ${personUuidSql('team', 'if(repointed, target2, target1)')}, p_uuid),
           0, if(j = 1 AND merged, if(unmerged, 3, if(repointed, 2, 1)), 0)
    FROM (SELECT number AS p, toInt64(${team}) AS team, ${personUuidSql('team', 'p')} AS p_uuid, toUInt32(1 + ${h('ids', 'team', 'p')} % 3) AS p_ids,
                 ${mergeColumns('team', 'p', persons, mergeEvery).join(', ')}
          FROM numbers(${persons}))
    ARRAY JOIN range(p_ids) AS j`;
}

export function insertOverridesSql(team: number, persons: number, mergeEvery: number): string {
  return `INSERT INTO person_distinct_id_overrides (team_id, distinct_id, person_id, is_deleted, version)
    SELECT team, ${distinctIdSql('team', 'p', '1')},
           multiIf(v = 1, ${personUuidSql('team', 'target1')}, v = 2, ${personUuidSql('team', 'target2')}, p_uuid),
           toInt8(v = 3), v
    FROM (SELECT number AS p, toInt64(${team}) AS team, ${personUuidSql('team', 'p')} AS p_uuid, toUInt32(1 + ${h('ids', 'team', 'p')} % 3) AS p_ids,
                 ${mergeColumns('team', 'p', persons, mergeEvery).join(', ')},
                 arrayConcat([1], if(repointed, [2], []), if(unmerged, [3], [])) AS versions
          FROM numbers(${persons}) WHERE merged)
    ARRAY JOIN versions AS v`;
}

export function insertGroupsSql(team: number): string {
  return `INSERT INTO groups (group_type_index, group_key, created_at, team_id, group_properties, version)
    SELECT 0, concat('org-', toString(number)), fromUnixTimestamp64Milli(toInt64(${START_MS}) - toInt64(${h('gc', 'number')} % ${365 * DAY_MS}), 'UTC'), ${team},
           formatRowNoNewline('JSONEachRow', concat('Org ', toString(number)) AS name, ${pick(INDUSTRIES, h('ind', 'number'))} AS industry,
                              toUInt32(1 + ${h('emp', 'number')} % 2000) AS employees),
           1
    FROM numbers(${ORGS})
    ${JSON_SETTINGS}`;
}

/**
 * Events of sessions [firstSession, firstSession + sessions): `sessions / 2 * 20` rows.
 * Layers: sessions (person, device, start, ids) → events (ARRAY JOIN over the session's length:
 * name, time, path) → the row (properties JSON).
 */
export function insertEventsSql(firstSession: number, sessions: number, persons: number, otherPersons: number): string {
  const sessionCols = [
    'number AS s',
    'intDiv(number, 2) AS pair',
    // 1% of session pairs belong to the other project.
    `toInt64(if(pair % 100 = 49, ${OTHER_TEAM_ID}, 1)) AS team`,
    `1 + intDiv((${h('la', 'pair')} % 19) * (${h('lb', 'pair')} % 19), 19) AS len_a`,
    `toUInt32(if(s % 2 = 0, len_a, ${EVENTS_PER_SESSION_PAIR} - len_a)) AS len`,
    // Heavy users: person = floor(N·u²) puts 10% of the sessions on the first 1% of persons.
    `toUInt32(if(team = 1, floor(${persons} * pow((${h('sp', 's')} % 1000000) / 1000000, 2)), ${h('sp2', 's')} % ${otherPersons})) AS p`,
    ...personColumns('team', 'p'),
    `toUInt32(${h('dj', 's')} % p_ids) AS j`,
    `${distinctIdSql('team', 'p', 'j')} AS did`,
    ...deviceColumns('d_', 'team', 'p', 'j'),
    `toInt64(if(${h('hot', 's')} % 1000 < 15, ${HOT_HOUR_MS} + ${h('hs', 's')} % 3600000,
        ${START_MS} + toInt64(${pick(DAY_WEIGHTS, h('day', 's'))}) * ${DAY_MS} + toInt64(${pick(HOUR_WEIGHTS, h('hour', 's'))}) * 3600000 + ${h('sec', 's')} % 3600000)) AS start_ms`,
    `toInt64((5 + ${h('gap', 's')} % 90) * 1000) AS gap_ms`,
    `leftPad(lower(hex(toUInt64(start_ms))), 12, '0') AS t12`,
    `lower(hex(MD5(concat('session-', toString(s))))) AS sr`,
    // UUIDv7-shaped like posthog-js session ids: the start time in the first 48 bits.
    `concat(substring(t12, 1, 8), '-', substring(t12, 9, 4), '-7', substring(sr, 1, 3), '-', substring(sr, 4, 4), '-', substring(sr, 8, 12)) AS session_id`,
    `concat(substring(t12, 1, 8), '-', substring(t12, 9, 4), '-7', substring(sr, 13, 3), '-', substring(sr, 16, 4), '-', substring(sr, 20, 12)) AS window_id`,
    `${pick(REFERRING_DOMAINS, h('ref', 's'))} AS referring_domain`,
    `if(${h('utm', 's')} % 5 = 0, ${pick(UTM_SOURCES, h('utms', 's'))}, '') AS utm`,
    `${pick(LANDING_PATHS, h('land', 's'))} AS landing`,
    `if(team = 1 AND p_plan != 'free', concat('org-', toString(${h('org', 'team', 'p')} % ${ORGS})), '') AS org`,
  ];
  const eventCols = [
    '*',
    'k', // ARRAY JOIN columns are not part of `*`
    `toInt64(start_ms + k * gap_ms + toInt64(${h('jit', 's', 'k')} % gap_ms)) AS ts_ms`,
    `multiIf(k = 0, '$pageview', k = len - 1 AND ${h('pl', 's')} % 2 = 0, '$pageleave', ${pick(EVENTS, h('ev', 's', 'k'))}) AS ev`,
    `multiIf(ev = 'purchase', '/checkout/complete', ev = 'sign_up', '/signup', ev IN ('product_viewed', 'add_to_cart', 'remove_from_cart'),
        concat('/product/', toString(1 + ${h('prod', 's', 'k')} % 40)), k = 0, landing, ${pick(PATHS, h('path', 's', 'k'))}) AS path`,
    `multiIf(startsWith(path, '/app'), 'app.example.com', startsWith(path, '/docs'), 'docs.example.com', 'www.example.com') AS host`,
    `concat('https://', host, path, if(k = 0 AND utm != '', concat('?utm_source=', utm), if(${h('q', 's', 'k')} % 10 = 0, '?ref=nav', ''))) AS url`,
    `round(4.99 + (${h('rev', 's', 'k')} % 29500) / 100, 2) AS revenue`,
    `round(1.99 + (${h('price', 's', 'k')} % 19500) / 100, 2) AS price`,
  ];
  const base = `formatRowNoNewline('JSONEachRow',
      d_browser AS \`$browser\`, d_browser_version AS \`$browser_version\`, d_os AS \`$os\`, d_device AS \`$device_type\`,
      url AS \`$current_url\`, path AS \`$pathname\`, host AS \`$host\`, referring_domain AS \`$referring_domain\`,
      d_sw AS \`$screen_width\`, d_sh AS \`$screen_height\`, d_lib AS \`$lib\`,
      concat('1.', toString(180 + ${h('lv', 'team', 'p', 'j')} % 40), '.0') AS \`$lib_version\`,
      session_id AS \`$session_id\`, window_id AS \`$window_id\`, d_device_id AS \`$device_id\`,
      p_country AS \`$geoip_country_code\`, p_plan AS plan, toBool(k = 0) AS is_first)`;
  // Optional keys are appended only where they exist (utm_source on campaign sessions, revenue on purchases, price on product events).
  const properties = `concat(substring(base_json, 1, length(base_json) - 1),
      if(utm != '', concat(',"utm_source":"', utm, '"'), ''),
      if(ev = 'purchase', concat(',"revenue":', toString(revenue)), ''),
      if(ev IN ('purchase', 'product_viewed', 'add_to_cart'), concat(',"price":', toString(price)), ''),
      '}')`;
  return `INSERT INTO events (uuid, team_id, event, distinct_id, properties, timestamp, created_at, person_id, person_properties,
                              person_created_at, \`$session_id\`, \`$window_id\`, \`$group_0\`, elements_chain, inserted_at)
    SELECT reinterpretAsUUID(MD5(concat('event-', toString(s), '-', toString(k)))), team, ev, did, ${properties},
           fromUnixTimestamp64Milli(ts_ms, 'UTC'), created_ts, p_uuid, p_props, fromUnixTimestamp64Milli(p_created_ms, 'UTC'),
           session_id, window_id, org, if(ev = '$autocapture', ${pick(ELEMENTS_CHAINS, h('el', 's', 'k'))}, ''), created_ts
    FROM (
      SELECT ${eventCols.join(',\n')}, ${base} AS base_json,
             fromUnixTimestamp64Milli(toInt64(ts_ms + 50 + ${h('lag', 's', 'k')} % 2000), 'UTC') AS created_ts
      FROM (SELECT ${sessionCols.join(',\n')} FROM numbers(${firstSession}, ${sessions}))
      ARRAY JOIN range(len) AS k
    )
    ${JSON_SETTINGS}`;
}
