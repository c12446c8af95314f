import { containsPattern } from '../like-pattern.js';
import { executeHogQL } from './execute.js';
import type { QueryContext } from './query-context.js';

/** How many values a property box suggests (PostHog's value lists are as short). */
export const VALUE_SUGGESTIONS = 10;
/** Event values come from recent events only, so a suggestion costs a bounded scan. */
const EVENT_VALUE_DAYS = 30;

export interface PropertyValuesRequest {
  kind: 'event' | 'person';
  key: string;
  /** Only values containing this text (case-insensitive). */
  search?: string;
  /** Event values seen with these events only. */
  eventNames?: string[];
}

/**
 * The most frequent values of one property, for the value box of a property filter: of events in
 * the last 30 days (optionally of some events only), or of the project's persons. Through the one
 * HogQL compiler, so the project guard and query limits apply; the key and search are bound values.
 */
export async function propertyValues(qc: QueryContext, request: PropertyValuesRequest): Promise<Array<{ name: string; count: number }>> {
  const conditions = ["v IS NOT NULL", "v != ''"];
  const values: Record<string, unknown> = { key: request.key };
  if (request.search) {
    conditions.push('v ILIKE {search}');
    values.search = containsPattern(request.search);
  }
  let from = 'persons';
  if (request.kind === 'event') {
    from = 'events';
    conditions.push(`timestamp >= now() - INTERVAL ${EVENT_VALUE_DAYS} DAY`);
    if (request.eventNames?.length) {
      conditions.push('event IN {events}');
      values.events = request.eventNames;
    }
  }
  const query = `SELECT toString(properties[{key}]) AS v, count() AS c FROM ${from} WHERE ${conditions.join(' AND ')} GROUP BY v ORDER BY c DESC, v ASC LIMIT ${VALUE_SUGGESTIONS}`;
  const result = await executeHogQL(qc.ch, qc.log, query, { ...qc.compileOptions, values });
  return result.results.map(([name, count]) => ({ name: String(name), count: Number(count) }));
}
