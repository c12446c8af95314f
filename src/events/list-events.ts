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

function chTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/**
 * Newest-first events of one project. FINAL collapses SDK retries of the same uuid.
 * (When the HogQL compiler lands, this becomes an EventsQuery through it.)
 */
export async function listEvents(ch: ClickHouse, f: ListEventsFilter): Promise<StoredEvent[]> {
  const where = ['team_id = {team:Int64}'];
  const params: Record<string, unknown> = { team: f.teamId, limit: f.limit };
  if (f.event !== undefined) {
    where.push('event = {event:String}');
    params.event = f.event;
  }
  if (f.distinctId !== undefined) {
    where.push('distinct_id = {distinct_id:String}');
    params.distinct_id = f.distinctId;
  }
  if (f.after !== undefined) {
    where.push("timestamp > {after:DateTime64(6, 'UTC')}");
    params.after = chTime(f.after);
  }
  if (f.before !== undefined) {
    where.push("timestamp < {before:DateTime64(6, 'UTC')}");
    params.before = chTime(f.before);
  }
  if (f.cursor) {
    where.push("(timestamp, uuid) < ({cursor_ts:DateTime64(6, 'UTC')}, {cursor_uuid:UUID})");
    params.cursor_ts = f.cursor.timestamp;
    params.cursor_uuid = f.cursor.uuid;
  }
  const rows = await ch.query<Row>(
    `SELECT toString(uuid) AS id, event, distinct_id, properties,
            formatDateTime(timestamp, '%Y-%m-%d %H:%i:%S.%f') AS ts, toString(person_id) AS person_id, elements_chain
       FROM events FINAL
      WHERE ${where.join(' AND ')}
      ORDER BY timestamp DESC, uuid DESC
      LIMIT {limit:UInt32}`,
    params,
  );
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
