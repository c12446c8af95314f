import type { Logger } from '../log.js';
import type { ClickHouse } from '../storage/clickhouse.js';
import type { Postgres } from '../storage/postgres.js';
import type { Props } from './property-updates.js';
import { ClickHouseCopies } from './clickhouse-copies.js';
import { type DistinctIdRow, type Group, type Person, type PersonChanges } from './person-types.js';
import { personWriteStatements } from './postgres-writes.js';
import { cleanText } from '../unicode.js';

interface DistinctIdState {
  person: Person | null;
  version: number;
}

/** What this process knows of one project; everything cached here is current (this process is the only writer). */
class ProjectState {
  readonly distinctIds = new Map<string, DistinctIdState>();
  readonly persons = new Map<string, Person>();
  readonly personless = new Set<string>();
  groupTypes: Map<string, number> | undefined;
  readonly groups = new Map<string, Group>();
  /** Group keys looked up and not found (flag requests name groups that may never be identified). */
  readonly absentGroups = new Set<string>();
}

const MAX_GROUP_TYPES = 5;
const MAX_CACHED_DISTINCT_IDS = 200_000;

interface PersonRow {
  uuid: string;
  properties: Props;
  is_identified: boolean;
  created_at: Date;
  version: string | number;
  ids: Array<[string, string | number]>;
}

export const groupCacheKey = (index: number, key: string) => `${index}\u0000${key}`;

/**
 * Persons, distinct ids and groups, with Postgres as the source of truth and ClickHouse holding
 * copies for queries. Ingestion works on this in-memory state synchronously (so parallel requests
 * for one person cannot interleave inside an update) and records what changed; `flush()` writes
 * the changes in one Postgres transaction and a few ClickHouse inserts before the events that
 * depend on them are acknowledged.
 */
export class PersonStore {
  private readonly projects = new Map<number, ProjectState>();
  private dirtyPersons = new Set<Person>();
  private deletedPersons = new Map<string, Person>();
  private dirtyDistinctIds = new Map<string, { teamId: number; distinctId: string }>();
  private newPersonless: Array<{ teamId: number; distinctId: string }> = [];
  private dirtyGroups = new Set<Group>();
  private newGroupTypes: Array<{ teamId: number; type: string; index: number }> = [];
  private flushing: Promise<void> = Promise.resolve();
  private readonly loaders = new Map<number, { inFlight: Promise<void> | null; next: { ids: Set<string>; promise: Promise<void> } | null }>();
  readonly copies: ClickHouseCopies;

  constructor(
    private readonly pg: Postgres,
    ch: ClickHouse,
    private readonly log: Logger,
  ) {
    this.copies = new ClickHouseCopies(ch, log);
  }

  project(teamId: number): ProjectState {
    let state = this.projects.get(teamId);
    if (!state) this.projects.set(teamId, (state = new ProjectState()));
    return state;
  }

  // ---- loading ---------------------------------------------------------------------------------

  /** Loads whatever of these distinct ids, group types and groups is not cached yet. */
  async ensureLoaded(teamId: number, distinctIds: Iterable<string>, groupIdentifies: Array<[string, string]> = []): Promise<void> {
    const state = this.project(teamId);
    if (!state.groupTypes) {
      const rows = await this.pg.query<{ group_type: string; group_type_index: number }>(
        'SELECT group_type, group_type_index FROM group_type_mappings WHERE team_id = $1',
        [teamId],
      );
      state.groupTypes ??= new Map(rows.map((r) => [r.group_type, r.group_type_index]));
    }
    const missing = [...new Set(distinctIds)].filter((id) => !state.distinctIds.has(id));
    if (missing.length > 0) await this.requestLoad(teamId, missing);
    const missingGroups = groupIdentifies
      .map(([type, key]) => [state.groupTypes!.get(type), key] as const)
      .filter((g): g is readonly [number, string] => g[0] !== undefined && !state.groups.has(groupCacheKey(g[0], g[1])) && !state.absentGroups.has(groupCacheKey(g[0], g[1])));
    if (missingGroups.length > 0) await this.loadGroups(teamId, missingGroups);
  }

  hasLoaded(teamId: number, distinctIds: Iterable<string>): boolean {
    const state = this.projects.get(teamId);
    if (!state?.groupTypes) return false;
    for (const id of distinctIds) if (!state.distinctIds.has(id)) return false;
    return true;
  }

  /**
   * Misses of concurrent requests are coalesced: at most one lookup per project is in flight, and
   * ids asked for meanwhile wait for the next one, which takes them all in one query.
   */
  private requestLoad(teamId: number, ids: string[]): Promise<void> {
    let loader = this.loaders.get(teamId);
    if (!loader) this.loaders.set(teamId, (loader = { inFlight: null, next: null }));
    const l = loader;
    if (!l.next) {
      const batch = { ids: new Set<string>(), promise: Promise.resolve() };
      batch.promise = (l.inFlight ?? Promise.resolve()).then(async () => {
        l.next = null;
        l.inFlight = batch.promise;
        const state = this.project(teamId);
        try {
          const wanted = [...batch.ids].filter((id) => !state.distinctIds.has(id));
          if (wanted.length > 0) await this.loadDistinctIds(teamId, wanted);
        } finally {
          if (l.inFlight === batch.promise) l.inFlight = null;
        }
      });
      l.next = batch;
    }
    for (const id of ids) l.next.ids.add(id);
    return l.next.promise;
  }

  /**
   * Resolves when the person lookups now under way have finished (or after `maxMs`), so the requests
   * waiting on them can join the next insert instead of forcing an extra, nearly empty one.
   */
  loadsSettled(maxMs: number): Promise<void> {
    const pending: Array<Promise<void>> = [];
    for (const l of this.loaders.values()) {
      if (l.inFlight) pending.push(l.inFlight);
      if (l.next) pending.push(l.next.promise);
    }
    if (pending.length === 0) return Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, maxMs)));
    return Promise.race([Promise.allSettled(pending).then(() => undefined), timeout]).finally(() => clearTimeout(timer));
  }

  private async loadDistinctIds(teamId: number, ids: string[]): Promise<void> {
    const [rows, personless] = await Promise.all([
      this.pg.query<PersonRow & { key: string }>(
        `SELECT d.distinct_id AS key, p.uuid, p.properties, p.is_identified, p.created_at, p.version,
                (SELECT json_agg(json_build_array(d2.distinct_id, d2.version)) FROM person_distinct_ids d2 WHERE d2.person_uuid = p.uuid) AS ids
           FROM person_distinct_ids d JOIN persons p ON p.uuid = d.person_uuid
          WHERE d.team_id = $1 AND d.distinct_id = ANY($2::text[])`,
        [teamId, ids],
      ),
      this.pg.query<{ distinct_id: string }>('SELECT distinct_id FROM personless_distinct_ids WHERE team_id = $1 AND distinct_id = ANY($2::text[])', [
        teamId,
        ids,
      ]),
    ]);
    const state = this.project(teamId);
    for (const row of rows) this.adopt(state, teamId, row);
    for (const id of ids) if (!state.distinctIds.has(id)) state.distinctIds.set(id, { person: null, version: 0 });
    for (const r of personless) state.personless.add(r.distinct_id);
  }

  /** Turns a loaded row into cached state, unless the cache already knows newer things. */
  private adopt(state: ProjectState, teamId: number, row: PersonRow): Person {
    let person = state.persons.get(row.uuid);
    if (!person) {
      person = {
        uuid: row.uuid,
        teamId,
        properties: row.properties,
        isIdentified: row.is_identified,
        createdAt: new Date(row.created_at).getTime(),
        version: Number(row.version),
        distinctIds: new Set(row.ids.map(([id]) => id)),
      };
      state.persons.set(person.uuid, person);
    }
    for (const [id, version] of row.ids) {
      if (!state.distinctIds.has(id)) state.distinctIds.set(id, { person, version: Number(version) });
    }
    return person;
  }

  isCached(person: Person): boolean {
    return this.projects.get(person.teamId)?.persons.get(person.uuid) === person;
  }

  /** A person by uuid (API paths), loaded with all its distinct ids. */
  async findPerson(teamId: number, uuid: string): Promise<Person | undefined> {
    const state = this.project(teamId);
    const cached = state.persons.get(uuid);
    if (cached) return cached;
    const [row] = await this.pg.query<PersonRow>(
      `SELECT p.uuid, p.properties, p.is_identified, p.created_at, p.version,
              COALESCE((SELECT json_agg(json_build_array(d.distinct_id, d.version)) FROM person_distinct_ids d WHERE d.person_uuid = p.uuid), '[]') AS ids
         FROM persons p WHERE p.team_id = $1 AND p.uuid = $2`,
      [teamId, uuid],
    );
    return row ? this.adopt(state, teamId, row) : undefined;
  }

  private async loadGroups(teamId: number, keys: ReadonlyArray<readonly [number, string]>): Promise<void> {
    const rows = await this.pg.query<{ group_type_index: number; group_key: string; group_properties: Props; created_at: Date }>(
      `SELECT g.group_type_index, g.group_key, g.group_properties, g.created_at
         FROM groups g JOIN unnest($2::int[], $3::text[]) AS k(i, key) ON g.group_type_index = k.i AND g.group_key = k.key
        WHERE g.team_id = $1`,
      [teamId, keys.map((k) => k[0]), keys.map((k) => k[1])],
    );
    const state = this.project(teamId);
    // Keys not found are remembered as absent until a group is created (this process is the only writer).
    if (state.absentGroups.size > MAX_CACHED_DISTINCT_IDS) state.absentGroups.clear();
    for (const [index, key] of keys) state.absentGroups.add(groupCacheKey(index, key));
    for (const r of rows) {
      const cacheKey = groupCacheKey(r.group_type_index, r.group_key);
      state.absentGroups.delete(cacheKey);
      if (!state.groups.has(cacheKey)) {
        state.groups.set(cacheKey, {
          teamId,
          index: r.group_type_index,
          key: r.group_key,
          properties: r.group_properties,
          createdAt: new Date(r.created_at).getTime(),
        });
      }
    }
  }

  // ---- changes (synchronous, on cached state) -------------------------------------------------

  distinctId(teamId: number, id: string): DistinctIdState {
    const state = this.project(teamId).distinctIds.get(id);
    if (!state) throw new Error(`distinct id ${JSON.stringify(id)} of project ${teamId} was not loaded before processing`);
    return state;
  }

  isPersonless(teamId: number, id: string): boolean {
    return this.project(teamId).personless.has(id);
  }

  markPersonless(teamId: number, id: string): void {
    const state = this.project(teamId);
    if (state.personless.has(id)) return;
    state.personless.add(id);
    this.newPersonless.push({ teamId, distinctId: id });
  }

  createPerson(teamId: number, uuid: string, createdAt: number, properties: Props, isIdentified: boolean): Person {
    const person: Person = { uuid, teamId, properties, isIdentified, createdAt, version: 0, distinctIds: new Set() };
    this.project(teamId).persons.set(uuid, person);
    this.deletedPersons.delete(uuid);
    this.touch(person);
    return person;
  }

  /** Points a distinct id at a person with the given version (0 new, higher when moved or previously personless). */
  attach(person: Person, distinctId: string, version: number): void {
    const state = this.project(person.teamId);
    const previous = state.distinctIds.get(distinctId)?.person;
    if (previous && previous !== person) previous.distinctIds.delete(distinctId);
    state.distinctIds.set(distinctId, { person, version });
    person.distinctIds.add(distinctId);
    this.dirtyDistinctIds.set(`${person.teamId}\u0000${distinctId}`, { teamId: person.teamId, distinctId });
  }

  /** Records that a person's fields changed: bumps its version and drops serialized copies. */
  touch(person: Person): void {
    person.version++;
    person.propertiesJson = undefined;
    person.createdAtText = undefined;
    this.dirtyPersons.add(person);
  }

  deletePerson(person: Person, opts: { forgetDistinctIds: boolean }): void {
    const state = this.project(person.teamId);
    state.persons.delete(person.uuid);
    this.dirtyPersons.delete(person);
    this.deletedPersons.set(person.uuid, person);
    if (opts.forgetDistinctIds) {
      for (const id of person.distinctIds) {
        state.distinctIds.set(id, { person: null, version: 0 });
        this.dirtyDistinctIds.set(`${person.teamId}\u0000${id}`, { teamId: person.teamId, distinctId: id });
      }
    }
  }

  /** Index of a group type, creating the mapping on first sight (at most 5 per project); undefined when full. */
  groupTypeIndex(teamId: number, type: string): number | undefined {
    const types = this.project(teamId).groupTypes;
    if (!types) throw new Error(`group types of project ${teamId} were not loaded before processing`);
    const known = types.get(type);
    if (known !== undefined || types.size >= MAX_GROUP_TYPES) return known;
    const index = types.size;
    types.set(type, index);
    this.newGroupTypes.push({ teamId, type, index });
    return index;
  }

  /** Index of an already-mapped group type (`type` as sent: cleaned as person processing stores it); never creates one. */
  knownGroupTypeIndex(teamId: number, type: string): number | undefined {
    return this.projects.get(teamId)?.groupTypes?.get(cleanText(type));
  }

  group(teamId: number, index: number, key: string): Group | undefined {
    return this.project(teamId).groups.get(groupCacheKey(index, key));
  }

  upsertGroup(teamId: number, index: number, key: string, set: Props, createdAt: number): Group {
    const state = this.project(teamId);
    const cacheKey = groupCacheKey(index, key);
    let group = state.groups.get(cacheKey);
    if (!group) {
      state.groups.set(cacheKey, (group = { teamId, index, key, properties: {}, createdAt }));
      state.absentGroups.delete(cacheKey);
    }
    Object.assign(group.properties, set);
    this.dirtyGroups.add(group);
    return group;
  }

  // ---- persistence ------------------------------------------------------------------------------

  /** Writes every change made so far; concurrent callers queue behind one another. */
  flush(): Promise<void> {
    const run = this.flushing.then(() => this.flushOnce());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  private async flushOnce(): Promise<void> {
    const persons = [...this.dirtyPersons];
    const deleted = [...this.deletedPersons.values()];
    const distinctIds = [...this.dirtyDistinctIds.values()];
    const personless = this.newPersonless;
    const groups = [...this.dirtyGroups];
    const groupTypes = this.newGroupTypes;
    if (!persons.length && !deleted.length && !distinctIds.length && !personless.length && !groups.length && !groupTypes.length) {
      this.evictIfLarge();
      return;
    }
    this.dirtyPersons = new Set();
    this.deletedPersons = new Map();
    this.dirtyDistinctIds = new Map();
    this.newPersonless = [];
    this.dirtyGroups = new Set();
    this.newGroupTypes = [];
    this.log.debug({ persons: persons.length, deleted: deleted.length, distinctIds: distinctIds.length, personless: personless.length, groups: groups.length }, 'writing person changes');
    const idRows: DistinctIdRow[] = distinctIds.map(({ teamId, distinctId }) => {
      const s = this.project(teamId).distinctIds.get(distinctId)!;
      return { team_id: teamId, distinct_id: distinctId, person_uuid: s.person?.uuid ?? null, version: s.version };
    });
    const personLines = this.copies.personLines(persons, deleted);
    try {
      // Independent stores: written concurrently; the caller acknowledges nothing until both are done.
      await Promise.all([
        this.writePostgres({ persons, deleted, distinctIds: idRows, personless, groups, groupTypes }),
        this.copies.writeIdsAndGroups(idRows, groups),
      ]);
      this.copies.queuePersons(personLines);
    } catch (err) {
      // Put everything back so the next flush retries it; the requests waiting on this one fail and SDKs retry.
      for (const p of persons) if (!this.deletedPersons.has(p.uuid)) this.dirtyPersons.add(p);
      for (const p of deleted) this.deletedPersons.set(p.uuid, p);
      for (const d of distinctIds) this.dirtyDistinctIds.set(`${d.teamId}\u0000${d.distinctId}`, d);
      this.newPersonless.push(...personless);
      for (const g of groups) this.dirtyGroups.add(g);
      this.newGroupTypes.push(...groupTypes);
      this.log.error({ err, persons: persons.length, distinctIds: idRows.length }, 'writing person changes failed');
      throw err;
    }
    this.evictIfLarge();
  }

  /**
   * All changes in one transaction. When Postgres refuses the data itself rather than failing
   * (`isDataFault`), the same batch can never succeed, and as failed changes are put back for the
   * next flush, it would fail every later request of every project. So the batch is then bisected
   * until each change Postgres refuses stands alone; those are logged with their context and not
   * written, everything else is, and the events (in ClickHouse either way) are acknowledged. Any
   * other failure (the database thread died, …) is thrown as before: the requests fail, SDKs retry,
   * and every change is written again later (the writes are upserts).
   */
  private async writePostgres(changes: PersonChanges): Promise<void> {
    try {
      await this.pg.writeBatch(personWriteStatements(changes));
    } catch (err) {
      if (!isDataFault(err)) throw err;
      const parts = splitChanges(changes);
      this.log.error({ err, changes: parts.length }, 'Postgres refused a batch of person changes; isolating the bad ones');
      await this.writeIsolating(parts, err);
    }
  }

  /** Writes `parts` (`refusedWith`: already known to fail as one batch), halving whatever Postgres refuses as data. */
  private async writeIsolating(parts: ChangePart[], refusedWith?: unknown): Promise<void> {
    if (parts.length === 0) return;
    let err = refusedWith;
    if (err === undefined) {
      try {
        await this.pg.writeBatch(personWriteStatements(mergeParts(parts)));
        return;
      } catch (e) {
        if (!isDataFault(e)) throw e;
        err = e;
      }
    }
    if (parts.length === 1) {
      // The cache keeps the change: a later change of the same row is tried (and isolated) again.
      this.log.error({ err, ...parts[0]!.context }, 'Postgres refused a person change; it was not written');
      return;
    }
    const mid = parts.length >> 1;
    await this.writeIsolating(parts.slice(0, mid));
    await this.writeIsolating(parts.slice(mid));
  }

  /** The cache is authoritative only while complete for what it holds, so it is dropped whole, and only when nothing is unwritten. */
  private evictIfLarge(): void {
    let size = 0;
    for (const state of this.projects.values()) size += state.distinctIds.size;
    if (size <= MAX_CACHED_DISTINCT_IDS) return;
    if (this.dirtyPersons.size || this.deletedPersons.size || this.dirtyDistinctIds.size || this.newPersonless.length || this.dirtyGroups.size) return;
    this.projects.clear();
    this.log.info({ distinctIds: size }, 'person cache dropped after reaching its size limit');
  }
}

/**
 * Postgres refused the values themselves, so retrying them unchanged cannot succeed: SQLSTATE class
 * 22 (data exception: bad JSON or text encoding, a date out of range …), 23 (integrity constraint:
 * e.g. a row of a project that no longer exists) or 54 (a limit exceeded, e.g. an oversized jsonb);
 * or the statements could not even be built (`RangeError`: an invalid date).
 */
export function isDataFault(err: unknown): boolean {
  if (err instanceof RangeError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}

interface ChangePart {
  changes: PersonChanges;
  /** What the change is about, for the log. */
  context: Record<string, unknown>;
}

const noChanges = (): PersonChanges => ({ persons: [], deleted: [], distinctIds: [], personless: [], groups: [], groupTypes: [] });

/**
 * One flush's changes as single-change parts, in the batch's statement order, so any run of them
 * written together or one after another keeps persons before the distinct ids that reference them.
 */
function splitChanges(c: PersonChanges): ChangePart[] {
  const part = (changes: Partial<PersonChanges>, context: Record<string, unknown>): ChangePart => ({ changes: { ...noChanges(), ...changes }, context });
  return [
    ...c.persons.map((p) => part({ persons: [p] }, { teamId: p.teamId, personUuid: p.uuid, version: p.version })),
    ...c.distinctIds
      .filter((d) => d.person_uuid !== null) // detached ids are not written: they go with their deleted person
      .map((d) => part({ distinctIds: [d] }, { teamId: d.team_id, distinctId: d.distinct_id, personUuid: d.person_uuid })),
    ...c.deleted.map((p) => part({ deleted: [p] }, { teamId: p.teamId, deletedPersonUuid: p.uuid })),
    ...c.personless.map((p) => part({ personless: [p] }, { teamId: p.teamId, personlessDistinctId: p.distinctId })),
    ...c.groupTypes.map((t) => part({ groupTypes: [t] }, { teamId: t.teamId, groupType: t.type, groupTypeIndex: t.index })),
    ...c.groups.map((g) => part({ groups: [g] }, { teamId: g.teamId, groupTypeIndex: g.index, groupKey: g.key })),
  ];
}

function mergeParts(parts: ChangePart[]): PersonChanges {
  if (parts.length === 1) return parts[0]!.changes;
  const all = noChanges();
  for (const { changes: c } of parts) {
    all.persons.push(...c.persons);
    all.deleted.push(...c.deleted);
    all.distinctIds.push(...c.distinctIds);
    all.personless.push(...c.personless);
    all.groups.push(...c.groups);
    all.groupTypes.push(...c.groupTypes);
  }
  return all;
}
