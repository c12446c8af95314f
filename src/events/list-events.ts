import type { ClickHouse } from '../storage/clickhouse.js';
import { clickHouseTime } from '../ingest/ingest-event.js';

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

/**
 * Newest-first events of one project. FINAL collapses SDK retries of the same uuid.
 * (When the HogQL compiler lands, this becomes an EventsQuery through it.) `person_id` is the
 * event's person as of now: merges after ingestion are applied through the overrides table.
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
    params.after = clickHouseTime(f.after);
  }
  if (f.before !== undefined) {
    where.push("timestamp < {before:DateTime64(6, 'UTC')}");
    params.before = clickHouseTime(f.before);
  }
  if (f.cursor) {
    where.push("(timestamp, uuid) < ({cursor_ts:DateTime64(6, 'UTC')}, {cursor_uuid:UUID})");
    params.cursor_ts = f.cursor.timestamp;
    params.cursor_uuid = f.cursor.uuid;
  }
  // Events keep the person id they were ingested with; merges since then are applied through the
  // overrides table (latest row per distinct id), PostHog's way of re-attributing without rewriting.
  const rows = await ch.query<Row>(
    `SELECT toString(e.uuid) AS id, e.event AS event, e.distinct_id AS distinct_id, e.properties AS properties,
            formatDateTime(e.timestamp, '%Y-%m-%d %H:%i:%S.%f') AS ts,
            toString(if(o.distinct_id != '', o.person_id, e.person_id)) AS person_id, e.elements_chain AS elements_chain
       FROM (SELECT * FROM events FINAL WHERE ${where.join(' AND ')} ORDER BY timestamp DESC, uuid DESC LIMIT {limit:UInt32}) AS e
       LEFT JOIN (
         SELECT distinct_id, argMax(person_id, version) AS person_id
           FROM person_distinct_id_overrides WHERE team_id = {team:Int64}
          GROUP BY distinct_id HAVING argMax(is_deleted, version) = 0
       ) AS o ON o.distinct_id = e.distinct_id
      ORDER BY e.timestamp DESC, e.uuid DESC`,
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
