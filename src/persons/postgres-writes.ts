import type { PersonChanges } from './person-types.js';
import { cleanText, sanitizeJsonText } from '../unicode.js';
import { propertiesJson } from './person-types.js';

/**
 * The Postgres statements for one flush. Writes only, so they go as one batch: one round trip to
 * the database thread, one transaction. JSON parameters carry whole row sets (jsonb_to_recordset).
 * Capture and person processing already replaced NUL and lone surrogates (which Postgres refuses)
 * with U+FFFD; every string parameter is checked again here (an `indexOf` when clean), as PostHog
 * sanitizes each jsonb and text value it writes, so nothing that reached the cache another way can
 * fail the batch.
 */
export function personWriteStatements(c: PersonChanges): Array<{ sql: string; params: unknown[] }> {
  const statements: Array<{ sql: string; params: unknown[] }> = [];
  const add = (sql: string, params: unknown[]) => statements.push({ sql, params });
  const json = sanitizeJsonText;
  if (c.persons.length) {
    add(
      `INSERT INTO persons (uuid, team_id, properties, is_identified, created_at, version)
       SELECT uuid, team_id, properties, is_identified, created_at, version
         FROM jsonb_to_recordset($1::jsonb) AS x(uuid uuid, team_id int, properties jsonb, is_identified bool, created_at timestamptz, version bigint)
       ON CONFLICT (uuid) DO UPDATE SET properties = EXCLUDED.properties, is_identified = EXCLUDED.is_identified,
         created_at = EXCLUDED.created_at, version = EXCLUDED.version`,
      [
        // Built from each person's cached properties JSON rather than stringifying them again.
        json(
          '[' +
            c.persons
              .map(
                (p) =>
                  `{"uuid":"${p.uuid}","team_id":${p.teamId},"properties":${propertiesJson(p)},"is_identified":${p.isIdentified},` +
                  `"created_at":"${new Date(p.createdAt).toISOString()}","version":${p.version}}`,
              )
              .join(',') +
            ']',
        ),
      ],
    );
  }
  const attached = c.distinctIds.filter((r) => r.person_uuid !== null);
  if (attached.length) {
    add(
      `INSERT INTO person_distinct_ids (team_id, distinct_id, person_uuid, version)
       SELECT team_id, distinct_id, person_uuid, version
         FROM jsonb_to_recordset($1::jsonb) AS x(team_id int, distinct_id text, person_uuid uuid, version bigint)
       ON CONFLICT (team_id, distinct_id) DO UPDATE SET person_uuid = EXCLUDED.person_uuid, version = EXCLUDED.version`,
      [json(JSON.stringify(attached))],
    );
  }
  if (c.deleted.length) {
    // Distinct ids still pointing at a deleted person go with it (ON DELETE CASCADE).
    add('DELETE FROM persons WHERE uuid = ANY($1::uuid[])', [c.deleted.map((p) => p.uuid)]);
  }
  if (c.personless.length) {
    add(
      `INSERT INTO personless_distinct_ids (team_id, distinct_id)
       SELECT team_id, distinct_id FROM jsonb_to_recordset($1::jsonb) AS x(team_id int, distinct_id text)
       ON CONFLICT DO NOTHING`,
      [json(JSON.stringify(c.personless.map((p) => ({ team_id: p.teamId, distinct_id: p.distinctId }))))],
    );
  }
  for (const t of c.groupTypes) {
    add('INSERT INTO group_type_mappings (team_id, group_type, group_type_index) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
      t.teamId,
      cleanText(t.type),
      t.index,
    ]);
  }
  if (c.groups.length) {
    add(
      `INSERT INTO groups (team_id, group_type_index, group_key, group_properties, created_at, version)
       SELECT team_id, group_type_index, group_key, group_properties, created_at, 0
         FROM jsonb_to_recordset($1::jsonb) AS x(team_id int, group_type_index int, group_key text, group_properties jsonb, created_at timestamptz)
       ON CONFLICT (team_id, group_type_index, group_key) DO UPDATE SET group_properties = EXCLUDED.group_properties,
         version = groups.version + 1`,
      [
        json(
          JSON.stringify(
            c.groups.map((g) => ({
              team_id: g.teamId,
              group_type_index: g.index,
              group_key: g.key,
              group_properties: g.properties,
              created_at: new Date(g.createdAt).toISOString(),
            })),
          ),
        ),
      ],
    );
  }
  return statements;
}
