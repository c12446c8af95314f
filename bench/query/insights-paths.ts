/**
 * PathsQuery benchmark cases on the bench/query dataset (project 1, Europe/Berlin), each with the
 * ClickHouse SQL an expert would write by hand on the stored tables for the same edges:
 * per person (override-aware) the events sorted by time, split at gaps of 30 minutes or more,
 * consecutive duplicates collapsed (the last of a run keeps its time), trimmed, cut to the step
 * limit, edges counted per session with the average time between steps, the heaviest `edgeLimit`,
 * and only edges reachable from a first step (PostHog's `validate_results`).
 */
import { TZ, overrides, team, type InsightBenchCase } from './insight-case.js';


interface RawOptions {
  /** SQL condition on `e.event`. */
  events: string;
  /** SQL for the path item from `e.event` / `url` (the $current_url, trailing slash dropped). */
  item: string;
  /** Local wall times, from inclusive, to exclusive. */
  from: string;
  to: string;
  stepLimit: number;
  edgeLimit: number;
  startPoint?: string;
}

function rawPaths(o: RawOptions): string {
  const trimmed = o.startPoint
    ? `indexOf(p1, '${o.startPoint}') AS si, arraySlice(p1, si, ${o.stepLimit}) AS path, arraySlice(t1, si, ${o.stepLimit}) AS times`
    : `0 AS si, arraySlice(p1, 1, ${o.stepLimit}) AS path, arraySlice(t1, 1, ${o.stepLimit}) AS times`;
  const top = `
    SELECT source, target, count() AS value, sum(dt) AS total_ms FROM (
      SELECT concat(toString(i - 1), '_', path[i - 1]) AS source, concat(toString(i), '_', path[i]) AS target, times[i] - times[i - 1] AS dt
      FROM (
        SELECT
          arrayMap(x -> x.2, s) AS p0, arrayMap(x -> x.1, s) AS t0,
          arrayFilter(i -> i = length(p0) OR p0[i + 1] != p0[i], arrayEnumerate(p0)) AS keep,
          arrayMap(i -> p0[i], keep) AS p1, arrayMap(i -> t0[i], keep) AS t1,
          ${trimmed}
        FROM (
          SELECT pid, arraySort(groupArray((ms, item))) AS evs,
            arraySplit((x, d) -> d >= 1800000, evs, arrayDifference(arrayMap(x -> x.1, evs))) AS sessions
          FROM (
            SELECT if(o.distinct_id != '', o.person_id, e.person_id) AS pid, toUnixTimestamp64Milli(e.timestamp) AS ms,
              replaceRegexpAll(JSONExtractString(e.properties, '$current_url'), '(.)/$', '\\\\1') AS url, ${o.item} AS item
            FROM events AS e FINAL
            LEFT JOIN ${overrides} AS o ON o.distinct_id = e.distinct_id
            WHERE e.${team} AND (${o.events})
              AND e.timestamp >= toDateTime64('${o.from}', 6, ${TZ}) AND e.timestamp < toDateTime64('${o.to}', 6, ${TZ})
          )
          GROUP BY pid
        )
        ARRAY JOIN sessions AS s
        ${o.startPoint ? 'WHERE si > 0' : ''}
      )
      ARRAY JOIN arrayEnumerate(path) AS i
      WHERE i > 1
    )
    GROUP BY source, target
    ORDER BY value DESC, source, target
    LIMIT ${o.edgeLimit}`;
  // Reachability from the 1_ nodes: sources are at most step stepLimit-1, so three hops suffice for 5 steps.
  return `
    SELECT e.1 AS source, e.2 AS target, e.3 AS value, e.4 AS total_ms
    FROM (
      SELECT groupArray((source, target, value, total_ms)) AS edges,
        arrayMap(x -> x.2, arrayFilter(x -> startsWith(x.1, '1_'), edges)) AS r1,
        arrayMap(x -> x.2, arrayFilter(x -> has(r1, x.1), edges)) AS r2,
        arrayMap(x -> x.2, arrayFilter(x -> has(r2, x.1), edges)) AS r3
      FROM (${top})
    )
    ARRAY JOIN edges AS e
    WHERE startsWith(e.1, '1_') OR has(r1, e.1) OR has(r2, e.1) OR has(r3, e.1)
    ORDER BY value DESC, source, target`;
}

/** Rows as [source, target, value, total ms] (average × count: integers on both sides, no rounding ties). */
const rows = (result: any): unknown[][] =>
  (result.results as { source: string; target: string; value: number; average_conversion_time: number }[]).map((e) => [e.source, e.target, e.value, Math.round(e.average_conversion_time * e.value)]);

export const cases: InsightBenchCase[] = [
  {
    name: 'paths_pageviews_7d',
    query: { kind: 'PathsQuery', dateRange: { date_from: '2026-10-25', date_to: '2026-10-31' }, pathsFilter: { includeEventTypes: ['$pageview'] } },
    raw: rawPaths({ events: "e.event = '$pageview'", item: 'url', from: '2026-10-25 00:00:00', to: '2026-11-01 00:00:00', stepLimit: 5, edgeLimit: 50 }),
    fromResult: rows,
  },
  {
    name: 'paths_from_pricing_custom_events_cleaned_14d',
    query: {
      kind: 'PathsQuery',
      dateRange: { date_from: '2026-10-18', date_to: '2026-10-31' },
      pathsFilter: {
        includeEventTypes: ['$pageview', 'custom_event'],
        startPoint: 'https://www.example.com/pricing',
        stepLimit: 4,
        edgeLimit: 100,
        localPathCleaningFilters: [{ alias: '', regex: '\\?.*$' }],
      },
    },
    raw: rawPaths({
      events: "e.event = '$pageview' OR NOT startsWith(e.event, '$')",
      item: "if(e.event = '$pageview', replaceRegexpAll(url, '\\\\?.*$', ''), e.event)",
      from: '2026-10-18 00:00:00',
      to: '2026-11-01 00:00:00',
      stepLimit: 4,
      edgeLimit: 100,
      startPoint: 'https://www.example.com/pricing',
    }),
    fromResult: rows,
  },
];
