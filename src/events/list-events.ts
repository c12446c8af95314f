import type { CompareOperation, Expr, Field } from '../hogql/ast.js';
import { compileHogQL, type CompileOptions } from '../hogql/compile.js';
import { propertiesToExpr, type FilterContext, type Properties } from '../hogql/property-filters.js';
import { clickHouseTime } from '../ingest/ingest-event.js';
import type { ClickHouse } from '../storage/clickhouse.js';

export interface ListEventsFilter {
  teamId: number;
  event?: string;
  distinctId?: string;
  /** Epoch ms, exclusive bounds as in PostHog's events API. */
  after?: number;
  before?: number;
  /** Keyset cursor: continue strictly below this (timestamp, uuid). */
  cursor?: { timestamp: string; uuid: string };
  /** PostHog property filters (`properties=[…]` on the events API). */
  properties?: Properties;
  propertyType?: FilterContext['propertyType'];
  /** Cohorts by id or name, for cohort property filters. */
  cohort?: CompileOptions['cohort'];
  limit: number;
}

export interface StoredEvent {
  id: string;
  event: string;
  distinct_id: string;
  properties: Record<string, unknown>;
  timestamp: string;
  person_id: string;
  elements_chain: string;
}

interface Row {
  id: string;
  event: string;
  distinct_id: string;
  properties: string;
  ts: string;
  person_id: string;
  elements_chain: string;
}

const f = (name: string): Field => ({ node: 'Field', chain: [name] });
const c = (value: string | number): Expr => ({ node: 'Constant', value });
const compare = (op: CompareOperation['op'], left: Expr, right: Expr): Expr => ({ node: 'CompareOperation', op, left, right });
const instant = (time: string): Expr => ({ node: 'Call', name: 'toDateTime64', args: [c(time), c(6), c('UTC')] });

/** Recent windows tried first, newest first: the newest page of a busy project is found without scanning all of it. */
const WINDOWS_MS = [86_400_000, 7 * 86_400_000, 30 * 86_400_000];

/**
 * Newest-first events of one project, compiled by the HogQL compiler like every other read: it
 * adds the project guard, collapses SDK retries (FINAL) and resolves `person_id` through merges.
 * The newest `limit` events are looked for in the last day before the page's upper bound, then the
 * last week and month, then everywhere: a window holding `limit` rows holds exactly the newest ones.
 */
export async function listEvents(ch: ClickHouse, f0: ListEventsFilter): Promise<StoredEvent[]> {
  const anchor = f0.before ?? (f0.cursor ? Date.parse(`${f0.cursor.timestamp.replace(' ', 'T')}Z`) : Date.now());
  for (const window of WINDOWS_MS) {
    const from = anchor - window;
    if (f0.after !== undefined && f0.after >= from) break;
    const rows = await listEventsOnce(ch, { ...f0, after: from });
    if (rows.length >= f0.limit) return rows;
  }
  return listEventsOnce(ch, f0);
}

async function listEventsOnce(ch: ClickHouse, f0: ListEventsFilter): Promise<StoredEvent[]> {
  const where: Expr[] = [];
  if (f0.event !== undefined) where.push(compare('==', f('event'), c(f0.event)));
  if (f0.distinctId !== undefined) where.push(compare('==', f('distinct_id'), c(f0.distinctId)));
  if (f0.after !== undefined) where.push(compare('>', f('timestamp'), instant(clickHouseTime(f0.after))));
  if (f0.before !== undefined) where.push(compare('<', f('timestamp'), instant(clickHouseTime(f0.before))));
  if (f0.properties) where.push(propertiesToExpr(f0.properties, { scope: 'events', propertyType: f0.propertyType }));
  if (f0.cursor) {
    where.push(
      compare('<', { node: 'Tuple', exprs: [f('timestamp'), f('uuid')] }, { node: 'Tuple', exprs: [instant(f0.cursor.timestamp), { node: 'Call', name: 'toUUID', args: [c(f0.cursor.uuid)] }] }),
    );
  }
  const alias = (name: string, expr: Expr): Expr => ({ node: 'Alias', alias: name, expr });
  const compiled = compileHogQL(
    {
      node: 'SelectQuery',
      select: [
        alias('id', { node: 'Call', name: 'toString', args: [f('uuid')] }),
        f('event'),
        f('distinct_id'),
        f('properties'),
        alias('ts', { node: 'Call', name: 'formatDateTime', args: [f('timestamp'), c('%Y-%m-%d %H:%i:%S.%f')] }),
        alias('person_id', { node: 'Call', name: 'toString', args: [f('person_id')] }),
        f('elements_chain'),
      ],
      select_from: { node: 'JoinExpr', table: f('events') },
      where: where.length === 0 ? undefined : where.length === 1 ? where[0] : { node: 'And', exprs: where },
      order_by: [
        { node: 'OrderExpr', expr: f('timestamp'), order: 'DESC' },
        { node: 'OrderExpr', expr: f('uuid'), order: 'DESC' },
      ],
      limit: c(f0.limit),
    },
    { teamId: f0.teamId, timezone: 'UTC', propertyType: f0.propertyType, cohort: f0.cohort },
  );
  const rows = await ch.query<Row>(compiled.sql, compiled.params);
  return rows.map((r) => ({
    id: r.id,
    event: r.event,
    distinct_id: r.distinct_id,
    properties: JSON.parse(r.properties) as Record<string, unknown>,
    timestamp: r.ts,
    person_id: r.person_id,
    elements_chain: r.elements_chain,
  }));
}
