/**
 * RetentionQuery, LifecycleQuery and StickinessQuery benchmark cases on the bench/query dataset
 * (project 1, Europe/Berlin, 2026-10-02..2026-11-01), each with the ClickHouse SQL an expert would
 * write by hand on the stored tables for the same numbers: override-aware person ids, project-local
 * days (`toDate(toTimeZone(timestamp, tz))`), events FINAL, persons at their latest version.
 * `cases` mixes the three kinds (each `query.kind` says which); `casesByKind` splits them.
 * Rows compared: retention `[cohort, k, actors]`, lifecycle `[bucket, status, |count|]`,
 * stickiness `[k, actors]` — zero cells left out on both sides.
 */
import { TZ, at, overrides, team, type InsightBenchCase } from './insight-case.js';

const localDate = (column: string) => `toDate(toTimeZone(${column}, ${TZ}))`;

/** (pid, local day index from `base`, timestamp) of the `$pageview`s in [from, to) local wall times. */
const pageviewDays = (base: string, from: string | null, to: string, extra = '') => `
  SELECT if(o.distinct_id != '', o.person_id, e.person_id) AS pid, dateDiff('day', toDate('${base}'), ${localDate('e.timestamp')}) AS p, e.timestamp AS ts
  FROM events AS e FINAL LEFT JOIN ${overrides} AS o ON e.distinct_id = o.distinct_id
  WHERE e.${team} AND e.event = '$pageview' ${from ? `AND e.timestamp >= ${at(from)}` : ''} AND e.timestamp < ${at(to)} ${extra}`;

const nonZero = (rows: unknown[][]) => rows.filter((r) => Number(r[r.length - 1]) !== 0);

const retentionRows = (result: any) => nonZero(result.results.flatMap((row: any, c: number) => row.values.map((v: any, k: number) => [c, k, v.count])));

const retention: InsightBenchCase[] = [
  {
    // 8 daily cohorts of the last week of October; a person is in every cohort of a day they viewed a page.
    name: 'retention_recurring_day_8',
    query: {
      kind: 'RetentionQuery',
      dateRange: { date_from: '2026-10-24', date_to: '2026-10-31' },
      retentionFilter: { retentionType: 'retention_recurring', period: 'Day', totalIntervals: 8, targetEntity: { id: '$pageview', type: 'events' }, returningEntity: { id: '$pageview', type: 'events' } },
    },
    raw: `
      WITH days AS (SELECT DISTINCT pid, p FROM (${pageviewDays('2026-10-24', '2026-10-24 00:00:00', '2026-11-01 00:00:00')}))
      SELECT c.p AS cohort, r.p - c.p AS k, count() AS actors
      FROM days AS c INNER JOIN days AS r ON c.pid = r.pid
      WHERE r.p >= c.p AND r.p - c.p < 8
      GROUP BY cohort, k ORDER BY cohort, k`,
    fromResult: retentionRows,
  },
  {
    // Weekly first-time retention (weeks start on Sunday: Oct 4, 11, 18, 25): the cohort is the week of
    // the person's first pageview ever; people whose first one is before Oct 4 are left out.
    name: 'retention_first_time_week_4',
    query: {
      kind: 'RetentionQuery',
      dateRange: { date_from: '2026-10-04', date_to: '2026-10-31' },
      retentionFilter: { retentionType: 'retention_first_time', period: 'Week', totalIntervals: 4 },
    },
    raw: `
      WITH pv AS (${pageviewDays('2026-10-04', null, '2026-11-01 00:00:00')}),
        firsts AS (SELECT pid, intDiv(dateDiff('day', toDate('2026-10-04'), toStartOfWeek(toTimeZone(min(ts), ${TZ}), 0)), 7) AS c FROM pv GROUP BY pid HAVING c >= 0),
        weeks AS (SELECT DISTINCT pid, intDiv(dateDiff('day', toDate('2026-10-04'), toStartOfWeek(toTimeZone(ts, ${TZ}), 0)), 7) AS w FROM pv WHERE ts >= ${at('2026-10-04 00:00:00')})
      SELECT f.c AS cohort, w.w - f.c AS k, count() AS actors
      FROM firsts AS f INNER JOIN weeks AS w ON f.pid = w.pid
      WHERE w.w >= f.c AND w.w < 4
      GROUP BY cohort, k ORDER BY cohort, k`,
    fromResult: retentionRows,
  },
];

const lifecycle: InsightBenchCase[] = [
  {
    // Daily lifecycle of pageviews over the last week; activity on Oct 24 classifies Oct 25.
    name: 'lifecycle_pageview_day_7',
    query: { kind: 'LifecycleQuery', series: [{ kind: 'EventsNode', event: '$pageview' }], interval: 'day', dateRange: { date_from: '2026-10-25', date_to: '2026-10-31' } },
    raw: `
      WITH act AS (SELECT DISTINCT pid, p FROM (${pageviewDays('2026-10-25', '2026-10-24 00:00:00', '2026-11-01 00:00:00', "AND JSONExtractRaw(e.properties, '$process_person_profile') != 'false'")})),
        created AS (SELECT id AS pid, dateDiff('day', toDate('2026-10-25'), ${localDate('argMax(created_at, version)')}) AS cp FROM person WHERE ${team} GROUP BY id HAVING argMax(is_deleted, version) = 0),
        active AS (
          SELECT a.pid AS pid, a.p AS p, multiIf(a.p = c.cp, 'new', (a.pid, a.p - 1) IN (SELECT pid, p FROM act), 'returning', 'resurrecting') AS status
          FROM act AS a LEFT JOIN created AS c ON a.pid = c.pid
          WHERE a.p BETWEEN 0 AND 6),
        dormant AS (
          -- (an alias named p would shadow the column in WHERE: ClickHouse resolves aliases first)
          SELECT pid, next_p, 'dormant' AS status FROM (SELECT pid, p + 1 AS next_p FROM act)
          WHERE next_p BETWEEN 0 AND 6 AND (pid, next_p) NOT IN (SELECT pid, p FROM act))
      SELECT p, status, count() AS actors FROM (SELECT * FROM active UNION ALL SELECT * FROM dormant)
      GROUP BY p, status ORDER BY p, status`,
    fromResult: (result: any) => nonZero(result.results.flatMap((s: any) => s.data.map((n: number, i: number) => [i, s.status, Math.abs(n)]))),
  },
];

const stickiness: InsightBenchCase[] = [
  {
    // Pageview stickiness over the last 7 days: how many people viewed pages on exactly k days.
    name: 'stickiness_pageview_day_7',
    query: { kind: 'StickinessQuery', series: [{ kind: 'EventsNode', event: '$pageview' }], interval: 'day', dateRange: { date_from: '2026-10-25', date_to: '2026-10-31' } },
    raw: `
      SELECT n, count() AS actors FROM (
        SELECT pid, uniqExact(p) AS n FROM (${pageviewDays('2026-10-25', '2026-10-25 00:00:00', '2026-11-01 00:00:00')}) GROUP BY pid)
      GROUP BY n ORDER BY n`,
    fromResult: (result: any) => nonZero(result.results[0].data.map((n: number, i: number) => [i + 1, n])),
  },
];

export const casesByKind: Record<'RetentionQuery' | 'LifecycleQuery' | 'StickinessQuery', InsightBenchCase[]> = {
  RetentionQuery: retention,
  LifecycleQuery: lifecycle,
  StickinessQuery: stickiness,
};

export const cases: InsightBenchCase[] = [...retention, ...lifecycle, ...stickiness];
