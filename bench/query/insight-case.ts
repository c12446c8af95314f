/**
 * What an insight benchmark case is, and the SQL pieces the hand-written side of every case shares
 * (project guard, override-aware person id, local wall times in the dataset's timezone).
 */
import { TEAM_ID, TIMEZONE } from './spec.js';

export interface InsightBenchCase {
  name: string;
  /** The insight query as a client sends it to `/query/`. */
  query: Record<string, unknown>;
  /** Hand-written ClickHouse SQL on the stored tables computing the same numbers. */
  raw: string;
  /** The runner's response as rows comparable with the raw SQL's rows. */
  fromResult(result: any): unknown[][];
}

export const TZ = `'${TIMEZONE}'`;
export const team = `team_id = ${TEAM_ID}`;
/** The latest override per distinct id (merges since the events were written). */
export const overrides = `(SELECT distinct_id, argMax(person_id, version) AS person_id FROM person_distinct_id_overrides
     WHERE ${team} GROUP BY distinct_id HAVING argMax(is_deleted, version) = 0)`;
/** A local wall time of the dataset's timezone as an instant. */
export const at = (wallTime: string) => `toDateTime64('${wallTime}', 6, ${TZ})`;
export const between = (from: string, to: string, column = 'timestamp') => `${column} >= ${at(from)} AND ${column} < ${at(to)}`;
