/**
 * FunnelsQuery benchmark cases on the bench/query dataset (project 1, Europe/Berlin, events
 * 2026-10-02..2026-11-01), each with the ClickHouse SQL an expert would write by hand for the same
 * numbers: ClickHouse's own `windowFunnel` per actor (for ordered funnels without exclusions its
 * deepest level is PostHog's "furthest step across attempts", window measured from the first step),
 * persons override-aware (latest `person_distinct_id_overrides` row, not deleted), events with FINAL
 * for project 1. Only counts are compared (windowFunnel has no conversion times).
 *
 * `fromResult` turns the response into `[step, count]` rows (prefixed with the breakdown value).
 */
import type { InsightBenchCase } from './insight-case.js';
import { TEAM_ID, TIMEZONE } from './spec.js';

const TZ = `'${TIMEZONE}'`;
const team = `team_id = ${TEAM_ID}`;
const at = (wallTime: string) => `toDateTime64('${wallTime}', 6, ${TZ})`;
const between = (from: string, to: string, column = 'e.timestamp') => `${column} >= ${at(from)} AND ${column} < ${at(to)}`;
const overrides = `(SELECT distinct_id, argMax(person_id, version) AS person_id FROM person_distinct_id_overrides
     WHERE ${team} GROUP BY distinct_id HAVING argMax(is_deleted, version) = 0)`;
const personId = `if(o.distinct_id != '', o.person_id, e.person_id)`;
const ms = 'toUInt64(toUnixTimestamp64Milli(e.timestamp))';
const DAY_MS = 86_400_000;

/** `[order, count]` per step. */
function stepRows(result: any): unknown[][] {
  return (result.results as { order: number; count: number }[]).map((s) => [s.order, s.count]);
}

/** `[breakdown value, order, count]` per step of every breakdown value. */
function breakdownRows(result: any): unknown[][] {
  return (result.results as { order: number; count: number; breakdown_value: unknown }[][]).flatMap((steps) => steps.map((s) => [s.breakdown_value, s.order, s.count]));
}

/** Hand-written: the deepest level per actor with windowFunnel, then actors at level ≥ k per step k. */
function levelsToSteps(levels: string, steps: number, groupBy = ''): string {
  const key = groupBy ? `${groupBy}, ` : '';
  return `SELECT ${key}k AS step, countIf(level >= k + 1) AS actors FROM (${levels} HAVING level >= 1)
    ARRAY JOIN range(${steps}) AS k GROUP BY ${key}step`;
}

export const cases: InsightBenchCase[] = [
  {
    // Issue 5's target: a 3-step ordered funnel over 30 days under 1.5 s.
    name: 'funnels_3step_ordered_30d',
    query: {
      kind: 'FunnelsQuery',
      series: [
        { kind: 'EventsNode', event: '$pageview' },
        { kind: 'EventsNode', event: 'product_viewed' },
        { kind: 'EventsNode', event: 'purchase' },
      ],
      dateRange: { date_from: '2026-10-02', date_to: '2026-10-31' },
      funnelsFilter: { funnelWindowInterval: 14, funnelWindowIntervalUnit: 'day' },
    },
    raw: levelsToSteps(
      `SELECT ${personId} AS actor,
         windowFunnel(${14 * DAY_MS})(${ms}, e.event = '$pageview', e.event = 'product_viewed', e.event = 'purchase') AS level
       FROM events AS e FINAL LEFT JOIN ${overrides} AS o ON o.distinct_id = e.distinct_id
       WHERE e.${team} AND e.event IN ('$pageview', 'product_viewed', 'purchase') AND ${between('2026-10-02 00:00:00', '2026-11-01 00:00:00')}
       GROUP BY actor`,
      3,
    ),
    fromResult: stepRows,
  },
  {
    // First-touch breakdown: each person's browser is that of their first funnel event with one.
    name: 'funnels_browser_first_touch_14d',
    query: {
      kind: 'FunnelsQuery',
      series: [
        { kind: 'EventsNode', event: '$pageview' },
        { kind: 'EventsNode', event: 'add_to_cart' },
        { kind: 'EventsNode', event: 'purchase' },
      ],
      dateRange: { date_from: '2026-10-18', date_to: '2026-10-31' },
      breakdownFilter: { breakdown: '$browser', breakdown_type: 'event', breakdown_limit: 25 },
      funnelsFilter: { funnelWindowInterval: 1, funnelWindowIntervalUnit: 'day' },
    },
    // Fewer than 25 browsers: no Other bucket; a person without a browser is ''.
    raw: levelsToSteps(
      `SELECT ${personId} AS actor,
         windowFunnel(${DAY_MS})(${ms}, e.event = '$pageview', e.event = 'add_to_cart', e.event = 'purchase') AS level,
         argMinIf(JSONExtractString(e.properties, '$browser'), (toUnixTimestamp64Milli(e.timestamp), JSONExtractString(e.properties, '$browser')),
                  JSONExtractString(e.properties, '$browser') != '') AS browser
       FROM events AS e FINAL LEFT JOIN ${overrides} AS o ON o.distinct_id = e.distinct_id
       WHERE e.${team} AND e.event IN ('$pageview', 'add_to_cart', 'purchase') AND ${between('2026-10-18 00:00:00', '2026-11-01 00:00:00')}
       GROUP BY actor`,
      3,
      'browser',
    ),
    fromResult: breakdownRows,
  },
  {
    // Aggregated by organisation (group type 0): events of any member count for the organisation.
    name: 'funnels_orgs_2step_30d',
    query: {
      kind: 'FunnelsQuery',
      series: [
        { kind: 'EventsNode', event: 'pricing_viewed' },
        { kind: 'EventsNode', event: 'purchase' },
      ],
      dateRange: { date_from: '2026-10-02', date_to: '2026-10-31' },
      aggregation_group_type_index: 0,
      funnelsFilter: { funnelWindowInterval: 7, funnelWindowIntervalUnit: 'day' },
    },
    raw: levelsToSteps(
      `SELECT e.\`$group_0\` AS actor,
         windowFunnel(${7 * DAY_MS})(${ms}, e.event = 'pricing_viewed', e.event = 'purchase') AS level
       FROM events AS e FINAL
       WHERE e.${team} AND e.event IN ('pricing_viewed', 'purchase') AND e.\`$group_0\` != '' AND ${between('2026-10-02 00:00:00', '2026-11-01 00:00:00')}
       GROUP BY actor`,
      2,
    ),
    fromResult: stepRows,
  },
];
