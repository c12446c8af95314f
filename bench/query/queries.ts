/**
 * The benchmark's queries: what a PostHog user or insight runs, in HogQL, each paired with the
 * ClickHouse SQL an expert would write by hand against the stored tables for the same result.
 *
 * HogQL semantics the hand-written side reproduces:
 * - a string compared with `timestamp` is a wall time in the project's timezone, and
 *   `toStartOfDay(timestamp)` is the project-local day (the field is `toTimeZone(timestamp, tz)`);
 * - `person_id` is the override's person when a merge moved the distinct id
 *   (`person_distinct_id_overrides`, latest version, not deleted), else the event's own;
 * - `person.properties` are the current (latest-version, not deleted) person's, joined on that id;
 * - `properties.x` is NULL when the key is missing (for the keys used here the hand-written
 *   `JSONExtract*` gives the same value otherwise);
 * - every table is read for project 1 only; events with FINAL.
 * The dataset ends at a fixed instant, so the queries use absolute dates rather than now().
 */
import { TEAM_ID, TIMEZONE } from './spec.js';

export interface BenchQuery {
  name: string;
  hogql: string;
  raw: string;
}

const TZ = `'${TIMEZONE}'`;
const team = `team_id = ${TEAM_ID}`;
/** A project-local wall time as an instant, the way HogQL compares strings with `timestamp`. */
const at = (wallTime: string) => `toDateTime64('${wallTime}', 6, ${TZ})`;
const between = (from: string, to: string, column = 'timestamp') => `${column} >= ${at(from)} AND ${column} < ${at(to)}`;
const day = (column = 'timestamp') => `toStartOfDay(toTimeZone(${column}, ${TZ}))`;
/** Latest override per distinct id (PostHog's merge bookkeeping), dropped when its latest row is a delete. */
const overrides = `(SELECT distinct_id, argMax(person_id, version) AS person_id FROM person_distinct_id_overrides
     WHERE ${team} GROUP BY distinct_id HAVING argMax(is_deleted, version) = 0)`;
const personId = `if(o.distinct_id != '', o.person_id, e.person_id)`;
const prop = (key: string) => `JSONExtractString(properties, '${key}')`;

export const QUERIES: BenchQuery[] = [
  {
    name: 'events_by_name_7d',
    hogql: `SELECT event, count() AS events FROM events
      WHERE timestamp >= '2026-10-25' AND timestamp < '2026-11-01'
      GROUP BY event ORDER BY events DESC, event LIMIT 100`,
    raw: `SELECT event, count() AS events FROM events FINAL
      WHERE ${team} AND ${between('2026-10-25 00:00:00', '2026-11-01 00:00:00')}
      GROUP BY event ORDER BY events DESC, event LIMIT 100`,
  },
  {
    name: 'daily_pageviews_tz',
    hogql: `SELECT toStartOfDay(timestamp) AS day, count() AS pageviews FROM events
      WHERE event = '$pageview' AND timestamp >= '2026-10-02' AND timestamp < '2026-11-01'
      GROUP BY day ORDER BY day`,
    raw: `SELECT ${day()} AS day, count() AS pageviews FROM events FINAL
      WHERE ${team} AND event = '$pageview' AND ${between('2026-10-02 00:00:00', '2026-11-01 00:00:00')}
      GROUP BY day ORDER BY day`,
  },
  {
    name: 'dau_persons',
    hogql: `SELECT toStartOfDay(timestamp) AS day, count(DISTINCT person_id) AS dau FROM events
      WHERE event = '$pageview' AND timestamp >= '2026-10-02' AND timestamp < '2026-11-01'
      GROUP BY day ORDER BY day`,
    raw: `SELECT ${day('e.timestamp')} AS day, uniqExact(${personId}) AS dau
      FROM events AS e FINAL
      LEFT JOIN ${overrides} AS o ON o.distinct_id = e.distinct_id
      WHERE e.${team} AND e.event = '$pageview' AND ${between('2026-10-02 00:00:00', '2026-11-01 00:00:00', 'e.timestamp')}
      GROUP BY day ORDER BY day`,
  },
  {
    name: 'browser_breakdown_top25',
    hogql: `SELECT properties.$browser AS browser, count() AS pageviews, count(DISTINCT $session_id) AS sessions FROM events
      WHERE event = '$pageview' AND timestamp >= '2026-10-18' AND timestamp < '2026-11-01'
      GROUP BY browser ORDER BY pageviews DESC, browser LIMIT 25`,
    raw: `SELECT ${prop('$browser')} AS browser, count() AS pageviews, uniqExact(\`$session_id\`) AS sessions FROM events FINAL
      WHERE ${team} AND event = '$pageview' AND ${between('2026-10-18 00:00:00', '2026-11-01 00:00:00')}
      GROUP BY browser ORDER BY pageviews DESC, browser LIMIT 25`,
  },
  {
    name: 'purchase_revenue_by_plan',
    hogql: `SELECT properties.plan AS plan, count() AS purchases, sum(toFloat(properties.revenue)) AS revenue,
        avg(toFloat(properties.revenue)) AS avg_revenue FROM events
      WHERE event = 'purchase' AND timestamp >= '2026-10-02' AND timestamp < '2026-11-01'
      GROUP BY plan ORDER BY revenue DESC`,
    raw: `SELECT ${prop('plan')} AS plan, count() AS purchases, sum(JSONExtractFloat(properties, 'revenue')) AS revenue,
        avg(JSONExtractFloat(properties, 'revenue')) AS avg_revenue FROM events FINAL
      WHERE ${team} AND event = 'purchase' AND ${between('2026-10-02 00:00:00', '2026-11-01 00:00:00')}
      GROUP BY plan ORDER BY revenue DESC`,
  },
  {
    name: 'person_plan_breakdown',
    hogql: `SELECT person.properties.plan AS plan, count() AS events, count(DISTINCT person_id) AS persons FROM events
      WHERE timestamp >= '2026-10-25' AND timestamp < '2026-11-01'
      GROUP BY plan ORDER BY events DESC`,
    // Only the one property is pulled out of the latest person row, instead of the whole JSON.
    raw: `SELECT p.plan AS plan, count() AS events, uniqExact(ev.pid) AS persons
      FROM (SELECT ${personId} AS pid FROM events AS e FINAL
            LEFT JOIN ${overrides} AS o ON o.distinct_id = e.distinct_id
            WHERE e.${team} AND ${between('2026-10-25 00:00:00', '2026-11-01 00:00:00', 'e.timestamp')}) AS ev
      LEFT JOIN (SELECT id, argMax(${prop('plan')}, version) AS plan FROM person
                 WHERE ${team} GROUP BY id HAVING argMax(is_deleted, version) = 0) AS p ON p.id = ev.pid
      GROUP BY plan ORDER BY events DESC`,
  },
  {
    name: 'top_pathnames',
    hogql: `SELECT properties.$pathname AS pathname, count() AS views, count(DISTINCT distinct_id) AS visitors FROM events
      WHERE event = '$pageview' AND timestamp >= '2026-10-25' AND timestamp < '2026-11-01'
      GROUP BY pathname ORDER BY views DESC, pathname LIMIT 25`,
    raw: `SELECT ${prop('$pathname')} AS pathname, count() AS views, uniqExact(distinct_id) AS visitors FROM events FINAL
      WHERE ${team} AND event = '$pageview' AND ${between('2026-10-25 00:00:00', '2026-11-01 00:00:00')}
      GROUP BY pathname ORDER BY views DESC, pathname LIMIT 25`,
  },
  {
    name: 'session_lengths_subquery',
    hogql: `SELECT count() AS sessions, avg(duration) AS avg_duration, max(duration) AS max_duration, avg(events) AS avg_events,
        countIf(events = 1) AS one_event_sessions
      FROM (SELECT $session_id AS session_id, dateDiff('second', min(timestamp), max(timestamp)) AS duration, count() AS events
            FROM events WHERE timestamp >= '2026-10-25' AND timestamp < '2026-11-01' AND $session_id != ''
            GROUP BY session_id)`,
    raw: `SELECT count() AS sessions, avg(duration) AS avg_duration, max(duration) AS max_duration, avg(events) AS avg_events,
        countIf(events = 1) AS one_event_sessions
      FROM (SELECT \`$session_id\`, dateDiff('second', min(timestamp), max(timestamp)) AS duration, count() AS events
            FROM events FINAL WHERE ${team} AND ${between('2026-10-25 00:00:00', '2026-11-01 00:00:00')} AND \`$session_id\` != ''
            GROUP BY \`$session_id\`)`,
  },
  {
    name: 'sessions_table_bounce',
    hogql: `SELECT count() AS sessions, avg($session_duration) AS avg_duration, countIf($is_bounce) / count() AS bounce_rate
      FROM sessions WHERE $start_timestamp >= '2026-10-25' AND $start_timestamp < '2026-11-01'`,
    // Sessions last under a day (PostHog's cap), so a day's margin either side finds every event of the
    // sessions that start in the window; the start filter itself goes on the aggregate.
    raw: `SELECT count() AS sessions, avg(duration) AS avg_duration, countIf(is_bounce) / count() AS bounce_rate
      FROM (SELECT \`$session_id\`, min(timestamp) AS start, dateDiff('second', min(timestamp), max(timestamp)) AS duration,
                   if(countIf(event = '$pageview') = 0, NULL,
                      NOT (countIf(event = '$pageview') > 1 OR countIf(event = '$autocapture') > 0 OR duration >= 10)) AS is_bounce
            FROM events FINAL
            WHERE ${team} AND \`$session_id\` != ''
              AND timestamp >= ${at('2026-10-25 00:00:00')} - INTERVAL 1 DAY AND timestamp < ${at('2026-11-01 00:00:00')} + INTERVAL 1 DAY
            GROUP BY \`$session_id\`
            HAVING ${between('2026-10-25 00:00:00', '2026-11-01 00:00:00', 'start')})`,
  },
  {
    name: 'hot_hour_url_like',
    hogql: `SELECT properties.$current_url AS url, count() AS events, count(DISTINCT $session_id) AS sessions FROM events
      WHERE timestamp >= '2026-10-28 15:00:00' AND timestamp < '2026-10-28 16:00:00' AND properties.$current_url LIKE '%/docs/%'
      GROUP BY url ORDER BY events DESC, url LIMIT 20`,
    raw: `SELECT ${prop('$current_url')} AS url, count() AS events, uniqExact(\`$session_id\`) AS sessions FROM events FINAL
      WHERE ${team} AND ${between('2026-10-28 15:00:00', '2026-10-28 16:00:00')} AND url LIKE '%/docs/%'
      GROUP BY url ORDER BY events DESC, url LIMIT 20`,
  },
  {
    name: 'uniq_distinct_ids_30d',
    hogql: `SELECT count(DISTINCT distinct_id) AS users, uniq(distinct_id) AS approx_users, count() AS events FROM events
      WHERE timestamp >= '2026-10-02' AND timestamp < '2026-11-01'`,
    raw: `SELECT uniqExact(distinct_id) AS users, uniq(distinct_id) AS approx_users, count() AS events FROM events FINAL
      WHERE ${team} AND ${between('2026-10-02 00:00:00', '2026-11-01 00:00:00')}`,
  },
  {
    name: 'cte_purchases_per_buyer',
    hogql: `WITH buyers AS (
        SELECT person_id, count() AS purchases, sum(toFloat(properties.revenue)) AS revenue FROM events
        WHERE event = 'purchase' AND timestamp >= '2026-10-02' AND timestamp < '2026-11-01'
        GROUP BY person_id)
      SELECT purchases, count() AS buyers, avg(revenue) AS avg_revenue FROM buyers
      GROUP BY purchases ORDER BY purchases LIMIT 50`,
    raw: `SELECT purchases, count() AS buyers, avg(revenue) AS avg_revenue
      FROM (SELECT ${personId} AS pid, count() AS purchases, sum(JSONExtractFloat(e.properties, 'revenue')) AS revenue
            FROM events AS e FINAL
            LEFT JOIN ${overrides} AS o ON o.distinct_id = e.distinct_id
            WHERE e.${team} AND e.event = 'purchase' AND ${between('2026-10-02 00:00:00', '2026-11-01 00:00:00', 'e.timestamp')}
            GROUP BY pid)
      GROUP BY purchases ORDER BY purchases LIMIT 50`,
  },
  {
    name: 'window_moving_avg',
    hogql: `SELECT day, pageviews, avg(pageviews) OVER (ORDER BY day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS avg_7d
      FROM (SELECT toStartOfDay(timestamp) AS day, count() AS pageviews FROM events
            WHERE event = '$pageview' AND timestamp >= '2026-10-02' AND timestamp < '2026-11-01' GROUP BY day)
      ORDER BY day`,
    raw: `SELECT day, pageviews, avg(pageviews) OVER (ORDER BY day ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS avg_7d
      FROM (SELECT ${day()} AS day, count() AS pageviews FROM events FINAL
            WHERE ${team} AND event = '$pageview' AND ${between('2026-10-02 00:00:00', '2026-11-01 00:00:00')} GROUP BY day)
      ORDER BY day`,
  },
  {
    name: 'window_top3_pages_per_day',
    hogql: `SELECT day, pathname, views FROM (
        SELECT toStartOfDay(timestamp) AS day, properties.$pathname AS pathname, count() AS views,
               row_number() OVER (PARTITION BY day ORDER BY count() DESC, pathname) AS rank
        FROM events WHERE event = '$pageview' AND timestamp >= '2026-10-25' AND timestamp < '2026-11-01'
        GROUP BY day, pathname)
      WHERE rank <= 3 ORDER BY day, rank`,
    raw: `SELECT day, pathname, views FROM (
        SELECT ${day()} AS day, ${prop('$pathname')} AS pathname, count() AS views,
               row_number() OVER (PARTITION BY day ORDER BY count() DESC, pathname) AS rank
        FROM events FINAL WHERE ${team} AND event = '$pageview' AND ${between('2026-10-25 00:00:00', '2026-11-01 00:00:00')}
        GROUP BY day, pathname)
      WHERE rank <= 3 ORDER BY day, rank`,
  },
  {
    name: 'typed_numeric_screen',
    hogql: `SELECT properties.$device_type AS device, count() AS events, avg(properties.$screen_width) AS avg_width,
        max(properties.$screen_height) AS max_height FROM events
      WHERE timestamp >= '2026-10-25' AND timestamp < '2026-11-01' AND properties.$screen_width >= 1000
      GROUP BY device ORDER BY events DESC`,
    raw: `SELECT ${prop('$device_type')} AS device, count() AS events, avg(JSONExtractUInt(properties, '$screen_width')) AS avg_width,
        max(JSONExtractUInt(properties, '$screen_height')) AS max_height FROM events FINAL
      WHERE ${team} AND ${between('2026-10-25 00:00:00', '2026-11-01 00:00:00')} AND JSONExtractUInt(properties, '$screen_width') >= 1000
      GROUP BY device ORDER BY events DESC`,
  },
  {
    name: 'utm_source_with_nulls',
    hogql: `SELECT properties.utm_source AS source, count(DISTINCT $session_id) AS sessions FROM events
      WHERE timestamp >= '2026-10-18' AND timestamp < '2026-11-01'
      GROUP BY source ORDER BY sessions DESC, source LIMIT 10`,
    // A missing key is NULL in HogQL: its own group (one JSON parse: Nullable extraction gives NULL when missing).
    raw: `SELECT JSONExtract(properties, 'utm_source', 'Nullable(String)') AS source, uniqExact(\`$session_id\`) AS sessions
      FROM events FINAL WHERE ${team} AND ${between('2026-10-18 00:00:00', '2026-11-01 00:00:00')}
      GROUP BY source ORDER BY sessions DESC, source LIMIT 10`,
  },
];
