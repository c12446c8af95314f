import type { ClickHouse } from './clickhouse.js';
import type { Logger } from '../log.js';

/** distinct id → person, latest version wins; the shape of both the mapping and its overrides. */
function distinctIdTable(name: string): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
        team_id Int64,
        distinct_id String,
        person_id UUID,
        is_deleted Int8 DEFAULT 0,
        version Int64
      ) ENGINE = ReplacingMergeTree(version) ORDER BY (team_id, distinct_id)`;
}

interface Migration {
  version: number;
  name: string;
  statements: string[];
}

/**
 * Versioned ClickHouse schema. Append new migrations; never edit one that has shipped.
 *
 * `events` follows PostHog's events table. ReplacingMergeTree on the sorting key (which ends in the
 * uuid) collapses SDK retries of the same event; readers use FINAL so duplicates never count, even
 * before a background merge. fsync_* make an acknowledged insert survive a crash of the machine,
 * not only of the process.
 */
export const clickhouseMigrations: Migration[] = [
  {
    version: 1,
    name: 'events',
    statements: [
      `CREATE TABLE IF NOT EXISTS events (
        uuid UUID,
        team_id Int64,
        event String,
        distinct_id String,
        properties String CODEC(ZSTD(3)),
        timestamp DateTime64(6, 'UTC'),
        created_at DateTime64(6, 'UTC'),
        person_id UUID,
        person_properties String CODEC(ZSTD(3)),
        person_created_at DateTime64(3, 'UTC'),
        \`$session_id\` String,
        \`$window_id\` String,
        \`$group_0\` String,
        \`$group_1\` String,
        \`$group_2\` String,
        \`$group_3\` String,
        \`$group_4\` String,
        elements_chain String,
        inserted_at DateTime64(6, 'UTC') DEFAULT now64(6)
      )
      ENGINE = ReplacingMergeTree(inserted_at)
      PARTITION BY toYYYYMM(timestamp)
      ORDER BY (team_id, toDate(timestamp), event, cityHash64(distinct_id), cityHash64(uuid))
      SETTINGS fsync_after_insert = 1, fsync_part_directory = 1`,
    ],
  },
  {
    version: 2,
    name: 'persons, distinct ids, overrides, groups',
    // Copies of the Postgres person data for analytics, as PostHog keeps them: ReplacingMergeTree on
    // version, so readers take the latest row per key (argMax / FINAL).
    statements: [
      `CREATE TABLE IF NOT EXISTS person (
        id UUID,
        team_id Int64,
        properties String CODEC(ZSTD(3)),
        is_identified Int8,
        created_at DateTime64(3, 'UTC'),
        version UInt64,
        is_deleted Int8 DEFAULT 0
      ) ENGINE = ReplacingMergeTree(version) ORDER BY (team_id, id)`,
      distinctIdTable('person_distinct_id2'),
      // Only distinct ids whose person changed after events were written (version > 0): queries
      // re-attribute those events here instead of rewriting history.
      distinctIdTable('person_distinct_id_overrides'),
      `CREATE TABLE IF NOT EXISTS groups (
        group_type_index UInt8,
        group_key String,
        created_at DateTime64(3, 'UTC'),
        team_id Int64,
        group_properties String CODEC(ZSTD(3)),
        version UInt64
      ) ENGINE = ReplacingMergeTree(version) ORDER BY (team_id, group_type_index, group_key)`,
    ],
  },
  {
    version: 3,
    name: 'cohort people',
    // Cohort membership, one complete set per (cohort, version): a recalculation writes version N+1,
    // then the cohort's current version moves to it and older versions are deleted. Static cohorts
    // use the same table.
    statements: [
      `CREATE TABLE IF NOT EXISTS cohort_people (
        team_id Int64,
        cohort_id Int64,
        version UInt64,
        person_id UUID
      ) ENGINE = MergeTree ORDER BY (team_id, cohort_id, version, person_id)`,
    ],
  },
  {
    version: 4,
    name: 'events sample by distinct id',
    // PostHog's events table is `SAMPLE BY cityHash64(distinct_id)`: insights with `samplingFactor`
    // (HogQL `SAMPLE 1/10`) read a deterministic share of distinct ids. The expression is already in
    // the sorting key, so this only changes table metadata.
    statements: ['ALTER TABLE events MODIFY SAMPLE BY cityHash64(distinct_id)'],
  },
];

export async function migrateClickHouse(ch: ClickHouse, log: Logger): Promise<void> {
  await ch.exec(`CREATE TABLE IF NOT EXISTS hedgerow_schema_migrations (
      version UInt32, name String, applied_at DateTime DEFAULT now()
    ) ENGINE = MergeTree ORDER BY version`);
  const applied = new Set(
    (await ch.query<{ version: number }>('SELECT version FROM hedgerow_schema_migrations')).map((r) => Number(r.version)),
  );
  for (const m of clickhouseMigrations) {
    if (applied.has(m.version)) continue;
    for (const statement of m.statements) await ch.exec(statement);
    await ch.exec('INSERT INTO hedgerow_schema_migrations (version, name) VALUES ({v:UInt32}, {n:String})', { v: m.version, n: m.name });
    log.info({ engine: 'clickhouse', version: m.version, name: m.name }, 'applied migration');
  }
}
