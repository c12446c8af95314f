/**
 * TrendsQuery benchmark cases on the bench/query dataset (project 1, Europe/Berlin, events
 * 2026-10-02..2026-11-01), each with the ClickHouse SQL an expert would write by hand on the stored
 * tables for the same numbers: buckets are project-local (`toTimeZone`), persons are override-aware
 * (latest `person_distinct_id_overrides` row, not deleted), events read with FINAL for project 1.
 *
 * `fromResult` flattens the response into rows `[breakdown value?, bucket, value]`, dropping the
 * zero-filled buckets (the hand-written SQL has no rows for them).
 */
import { TZ, at, between, overrides, team, type InsightBenchCase } from './insight-case.js';

const personId = `if(o.distinct_id != '', o.person_id, e.person_id)`;
const localDay = (column = 'timestamp') => `toString(toDate(toTimeZone(${column}, ${TZ})))`;

/** `[day, value]` per non-zero bucket of each series (prefixed with the breakdown value when there is one). */
function timeSeriesRows(result: any): unknown[][] {
  const rows: unknown[][] = [];
  for (const series of result.results as { days: string[]; data: number[]; breakdown_value?: unknown }[]) {
    series.days.forEach((day, i) => {
      const value = series.data[i]!;
      if (value === 0) return;
      rows.push(series.breakdown_value === undefined ? [day, value] : [series.breakdown_value, day, value]);
    });
  }
  return rows;
}

export const cases: InsightBenchCase[] = [
  {
    name: 'trends_pageviews_30d_daily',
    query: {
      kind: 'TrendsQuery',
      series: [{ kind: 'EventsNode', event: '$pageview', math: 'total' }],
      interval: 'day',
      dateRange: { date_from: '2026-10-02', date_to: '2026-10-31' },
    },
    raw: `SELECT ${localDay()} AS day, count() AS value FROM events FINAL
      WHERE ${team} AND event = '$pageview' AND ${between('2026-10-02 00:00:00', '2026-11-01 00:00:00')}
      GROUP BY day ORDER BY day`,
    fromResult: timeSeriesRows,
  },
  {
    name: 'trends_dau_30d_daily',
    query: {
      kind: 'TrendsQuery',
      series: [{ kind: 'EventsNode', event: '$pageview', math: 'dau' }],
      interval: 'day',
      dateRange: { date_from: '2026-10-02', date_to: '2026-10-31' },
    },
    raw: `SELECT ${localDay('e.timestamp')} AS day, uniqExact(${personId}) AS value
      FROM events AS e FINAL
      LEFT JOIN ${overrides} AS o ON o.distinct_id = e.distinct_id
      WHERE e.${team} AND e.event = '$pageview' AND ${between('2026-10-02 00:00:00', '2026-11-01 00:00:00', 'e.timestamp')}
      GROUP BY day ORDER BY day`,
    fromResult: timeSeriesRows,
  },
  {
    name: 'trends_browser_breakdown_14d',
    query: {
      kind: 'TrendsQuery',
      series: [{ kind: 'EventsNode', event: '$pageview' }],
      interval: 'day',
      dateRange: { date_from: '2026-10-18', date_to: '2026-10-31' },
      breakdownFilter: { breakdown_type: 'event', breakdown: '$browser', breakdown_limit: 25 },
    },
    // Fewer than 25 browsers: no Other bucket; a missing $browser is PostHog's null sentinel.
    raw: `SELECT if(b = '', '$$_posthog_breakdown_null_$$', b) AS browser, ${localDay()} AS day, count() AS value FROM (
        SELECT JSONExtractString(properties, '$browser') AS b, timestamp FROM events FINAL
        WHERE ${team} AND event = '$pageview' AND ${between('2026-10-18 00:00:00', '2026-11-01 00:00:00')})
      GROUP BY browser, day`,
    fromResult: timeSeriesRows,
  },
  {
    name: 'trends_purchase_revenue_weekly',
    query: {
      kind: 'TrendsQuery',
      series: [{ kind: 'EventsNode', event: 'purchase', math: 'sum', math_property: 'revenue' }],
      interval: 'week',
      dateRange: { date_from: '2026-10-04', date_to: '2026-10-31' },
    },
    // Weeks start on Sunday (PostHog's default); 2026-10-04 is a Sunday.
    raw: `SELECT toString(toStartOfWeek(toTimeZone(timestamp, ${TZ}), 0)) AS week, sum(JSONExtractFloat(properties, 'revenue')) AS value
      FROM events FINAL
      WHERE ${team} AND event = 'purchase' AND ${between('2026-10-04 00:00:00', '2026-11-01 00:00:00')}
      GROUP BY week ORDER BY week`,
    fromResult: timeSeriesRows,
  },
  {
    name: 'trends_weekly_active_14d',
    query: {
      kind: 'TrendsQuery',
      series: [{ kind: 'EventsNode', event: '$pageview', math: 'weekly_active' }],
      interval: 'day',
      dateRange: { date_from: '2026-10-18', date_to: '2026-10-31' },
    },
    // Each day: distinct persons active on that day or the 6 before it.
    raw: `SELECT toString(day + k) AS bucket, uniqExact(pid) AS value FROM (
        SELECT DISTINCT toDate(toTimeZone(e.timestamp, ${TZ})) AS day, ${personId} AS pid
        FROM events AS e FINAL
        LEFT JOIN ${overrides} AS o ON o.distinct_id = e.distinct_id
        WHERE e.${team} AND e.event = '$pageview' AND ${between('2026-10-12 00:00:00', '2026-11-01 00:00:00', 'e.timestamp')})
      ARRAY JOIN range(7) AS k
      WHERE day + k >= toDate('2026-10-18') AND day + k <= toDate('2026-10-31')
      GROUP BY bucket ORDER BY bucket`,
    fromResult: timeSeriesRows,
  },
  {
    name: 'trends_bold_number_dau_30d',
    query: {
      kind: 'TrendsQuery',
      series: [{ kind: 'EventsNode', event: '$pageview', math: 'dau' }],
      dateRange: { date_from: '2026-10-02', date_to: '2026-10-31' },
      trendsFilter: { display: 'BoldNumber' },
    },
    raw: `SELECT uniqExact(${personId}) AS value
      FROM events AS e FINAL
      LEFT JOIN ${overrides} AS o ON o.distinct_id = e.distinct_id
      WHERE e.${team} AND e.event = '$pageview' AND ${between('2026-10-02 00:00:00', '2026-11-01 00:00:00', 'e.timestamp')}`,
    fromResult: (result: any) => (result.results as { aggregated_value: number }[]).map((s) => [s.aggregated_value]),
  },
  {
    name: 'trends_launch_day_hourly',
    query: {
      kind: 'TrendsQuery',
      series: [{ kind: 'EventsNode', event: null, math: 'total' }],
      interval: 'hour',
      dateRange: { date_from: '2026-10-28', date_to: '2026-10-28' },
    },
    raw: `SELECT formatDateTime(toStartOfHour(toTimeZone(timestamp, ${TZ})), '%Y-%m-%d %H:%i:%S') AS hour, count() AS value FROM events FINAL
      WHERE ${team} AND ${between('2026-10-28 00:00:00', '2026-10-29 00:00:00')}
      GROUP BY hour ORDER BY hour`,
    fromResult: timeSeriesRows,
  },
];
