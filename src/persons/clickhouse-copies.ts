import type { Logger } from '../log.js';
import type { ClickHouse } from '../storage/clickhouse.js';
import type { Queryable } from '../storage/postgres.js';
import { clickHouseTime } from '../ingest/ingest-event.js';
import { sanitizeJsonText } from '../unicode.js';
import { type DistinctIdRow, type Group, type Person, propertiesJson } from './person-types.js';

/**
 * ClickHouse's copies of the person data (`person`, `person_distinct_id2`,
 * `person_distinct_id_overrides`, `groups`), which queries read. Their version column is a write
 * sequence, so the latest write always wins, also after a delete.
 */
export class ClickHouseCopies {
  private pending = '';
  private sequence = Date.now() * 1000;

  constructor(
    private readonly ch: ClickHouse,
    private readonly log: Logger,
  ) {}

  /**
   * Rows for ClickHouse's `person` copy. Unlike ids, overrides and groups (small, and needed by queries
   * at once), these carry whole property sets on every change, so they are written in the background
   * about once a second (`syncPersons`), off the acknowledgement path; after an unclean stop the
   * copy is rebuilt from Postgres (`rebuildPersons`).
   */
  personLines(persons: Person[], deleted: Person[]): string {
    // `properties` is a String column filled from a raw JSON object (as for events), so the cached JSON is embedded as is.
    const line = (p: Person, deletedRow: boolean) =>
      `{"id":"${p.uuid}","team_id":${p.teamId},"properties":${deletedRow ? '{}' : propertiesJson(p)},"is_identified":${p.isIdentified && !deletedRow ? 1 : 0},` +
      `"created_at":"${clickHouseTime(p.createdAt)}","version":${++this.sequence},"is_deleted":${deletedRow ? 1 : 0}}\n`;
    // NUL and lone surrogate escapes (only ever in properties that bypassed capture) as Postgres gets them.
    return sanitizeJsonText(persons.map((p) => line(p, false)).join('') + deleted.map((p) => line(p, true)).join(''));
  }

  queuePersons(lines: string): void {
    this.pending += lines;
  }

  /** Writes the `person` rows gathered since the last call; false when that failed (they are kept for the next call). */
  async syncPersons(): Promise<boolean> {
    const lines = this.pending;
    if (!lines) return true;
    this.pending = '';
    try {
      await this.ch.insertJSONEachRow('person', Buffer.from(lines, 'utf8'));
      return true;
    } catch (err) {
      this.pending = lines + this.pending;
      this.log.error({ err }, 'writing the ClickHouse person copy failed; will retry');
      return false;
    }
  }

  /** Refills ClickHouse's `person` table from Postgres, the source of truth. */
  async rebuildPersons(pg: Queryable): Promise<void> {
    await this.ch.exec('TRUNCATE TABLE person');
    let after = '00000000-0000-0000-0000-000000000000';
    let copied = 0;
    for (;;) {
      const rows = await pg.query<{ uuid: string; team_id: number; properties: string; is_identified: boolean; created_at: Date }>(
        `SELECT uuid, team_id, properties::text AS properties, is_identified, created_at FROM persons WHERE uuid > $1 ORDER BY uuid LIMIT 10000`,
        [after],
      );
      if (rows.length === 0) break;
      const lines = rows
        .map(
          (r) =>
            `{"id":"${r.uuid}","team_id":${r.team_id},"properties":${r.properties},"is_identified":${r.is_identified ? 1 : 0},` +
            `"created_at":"${clickHouseTime(new Date(r.created_at).getTime())}","version":${++this.sequence},"is_deleted":0}\n`,
        )
        .join('');
      await this.ch.insertJSONEachRow('person', Buffer.from(lines, 'utf8'));
      copied += rows.length;
      after = rows[rows.length - 1]!.uuid;
    }
    this.log.info({ persons: copied }, 'rebuilt the ClickHouse person copy from Postgres after an unclean stop');
  }

  /** Writes what queries need at once (ids, overrides, groups); awaited before requests are acknowledged. */
  async writeIdsAndGroups(idRows: DistinctIdRow[], groups: Group[]): Promise<void> {
    // ClickHouse refuses an unpaired high surrogate escape: cleaned as for Postgres (a no-op for what capture let through).
    const lines = (rows: unknown[]) => Buffer.from(sanitizeJsonText(rows.map((r) => JSON.stringify(r)).join('\n')) + '\n', 'utf8');
    const seq = () => ++this.sequence;
    const NO_PERSON = '00000000-0000-0000-0000-000000000000';
    const idLines = idRows.map((r) => ({
      team_id: r.team_id,
      distinct_id: r.distinct_id,
      person_id: r.person_uuid ?? NO_PERSON,
      is_deleted: r.person_uuid ? 0 : 1,
      version: seq(),
    }));
    // Overrides exist only for ids whose events may carry another person id (PostHog: version > 0).
    const overrides = idLines.filter((r, i) => idRows[i]!.version > 0 || r.is_deleted);
    const groupRows = groups.map((g) => ({
      group_type_index: g.index,
      group_key: g.key,
      created_at: clickHouseTime(g.createdAt),
      team_id: g.teamId,
      group_properties: sanitizeJsonText(JSON.stringify(g.properties)),
      version: seq(),
    }));
    const inserts: Array<Promise<void>> = [];
    if (idLines.length) inserts.push(this.ch.insertJSONEachRow('person_distinct_id2', lines(idLines)));
    if (overrides.length) inserts.push(this.ch.insertJSONEachRow('person_distinct_id_overrides', lines(overrides)));
    if (groupRows.length) inserts.push(this.ch.insertJSONEachRow('groups', lines(groupRows)));
    await Promise.all(inserts);
  }
}
