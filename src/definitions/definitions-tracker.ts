/**
 * Event and property definitions (PostHog's taxonomy), filled by ingestion as PostHog's
 * property-defs service does: every event name, every event property key (and which event it was
 * seen with), every person property key in `$set` / `$set_once` (including the initial/current
 * enrichment PostHog adds), and every group property key in a `$groupidentify`'s `$group_set`.
 * A property's type is inferred from the first value that has one (`property-type.ts`) and never
 * changes after that.
 *
 * Ingestion calls `observe(event)` once per stored event, after person processing. It is a few map
 * lookups for known names; only unseen names do more, and are buffered and written in the
 * background about once a second (`flush()`; the API calls it first, to read its own writes).
 * `last_seen_at` is written at most once an hour per event.
 *
 * For the HogQL compiler:
 *   await definitions.ensureLoaded(teamId);            // once per query; loads the project from Postgres
 *   definitions.propertyType(teamId, 'event', '$screen_width');   // 'Numeric'
 *   definitions.propertyType(teamId, 'person', 'email');          // 'String'
 *   definitions.propertyType(teamId, 'group', 'employees', 0);    // group type index 0
 * `propertyType` is synchronous and returns undefined for unknown (or still untyped) properties,
 * which the compiler treats as String, like PostHog.
 */
import { v7 as uuidv7 } from 'uuid';
import type { IngestEvent } from '../ingest/ingest-event.js';
import type { Logger } from '../log.js';
import { INITIAL_AND_CURRENT, INITIAL_NAMES, NO_ENRICHMENT_EVENTS } from '../persons/property-updates.js';
import type { Postgres } from '../storage/postgres.js';
import { detectPropertyType, isTypeable, type PropertyType } from './property-type.js';

export type { PropertyType } from './property-type.js';
export type DefinitionKind = 'event' | 'person' | 'group';

/** PostHog's PropertyDefinition.Type values. */
export const DEFINITION_TYPE = { event: 1, person: 2, group: 3, session: 4 } as const;
type TypeCode = 1 | 2 | 3;

const HOUR_MS = 3_600_000;
const FLUSH_INTERVAL_MS = 1000;
const LOAD_RETRY_MS = 10_000;
/** PostHog skips names longer than this many bytes (half its 400-char column). */
const MAX_NAME_BYTES = 200;
const EVENTS_WITHOUT_DEFINITIONS = new Set(['$$plugin_metrics']);
/** Event properties with special meaning, which PostHog never defines. */
const SKIP_EVENT_KEYS = new Set(['$set', '$set_once', '$unset', '$group_0', '$group_1', '$group_2', '$group_3', '$group_4', '$groups']);
/** Past this many remembered (event, property) pairs, the memory of which were written is dropped (they are rewritten idempotently). */
const MAX_REMEMBERED_PAIRS = 1_000_000;
/** Event property → index into INITIAL_AND_CURRENT: the keys PostHog's enrichment copies to the person. */
const ENRICHED = new Map(INITIAL_AND_CURRENT.map((key, i) => [key, i]));

/** Per (event, property) work left: 0 none (the hot path); else these bits. */
const UNTYPED = 1; // the event property's definition has no type yet
const ENRICHING = 2; // an enrichment key whose person definitions are not both typed yet

/** What is known of a property definition: its type; null while untyped (a later typed value fills it); false when PostHog skips the name. */
type Known = PropertyType | null | false;

interface EventEntry {
  /** PostHog writes nothing for this event name. */
  skip: boolean;
  /** last_seen_at as last queued for writing, epoch ms. */
  lastSeenMs: number;
  /** Whether PostHog's initial/current enrichment runs for this event name. */
  enriches: boolean;
  /** Property keys seen with this event (their pair is written) → work left for them (UNTYPED | ENRICHING), 0 for none. */
  keys: Map<string, number>;
}

class TeamDefinitions {
  readonly events = new Map<string, EventEntry>();
  readonly eventProps = new Map<string, Known>();
  readonly personProps = new Map<string, Known>();
  readonly groupProps: Array<Map<string, Known>> = [new Map(), new Map(), new Map(), new Map(), new Map()];
  loaded = false;
  loading: Promise<void> | undefined;
  retryLoadAt = 0;
}

interface PendingEvent {
  teamId: number;
  raw: string;
  name: string;
  at: number;
}
interface PendingProperty {
  teamId: number;
  raw: string;
  name: string;
  type: TypeCode;
  groupTypeIndex: number | null;
  propertyType: PropertyType | null;
}
interface PendingPair {
  teamId: number;
  rawEvent: string;
  rawProperty: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fitsColumn(s: string): boolean {
  // A UTF-16 unit is at most 3 UTF-8 bytes, so short names need no byte count.
  return s.length * 3 <= MAX_NAME_BYTES || Buffer.byteLength(s, 'utf8') <= MAX_NAME_BYTES;
}

/** Postgres text holds neither NUL nor lone surrogates; PostHog writes U+FFFD for NUL. */
function sanitize(s: string): string {
  return (s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s).toWellFormed();
}

export interface DefinitionsTrackerOptions {
  /** The index of an already-mapped group type (never creates one). */
  groupTypeIndex: (teamId: number, groupType: string) => number | undefined;
}

export class DefinitionsTracker {
  private readonly teams = new Map<number, TeamDefinitions>();
  private pendingEvents = new Map<string, PendingEvent>();
  private pendingProps = new Map<string, PendingProperty>();
  private pendingPairs: PendingPair[] = [];
  private rememberedPairs = 0;
  private flushing: Promise<void> = Promise.resolve();
  private flushQueued = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pg: Postgres,
    private readonly log: Logger,
    private readonly options: DefinitionsTrackerOptions,
  ) {
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
  }

  // ---- ingestion ---------------------------------------------------------------------------------

  /** Records the definitions one stored event implies. Call after person processing, for events that are written. */
  observe(e: IngestEvent): void {
    const team = this.team(e.teamId);
    const now = Date.now();
    if (!team.loaded && team.loading === undefined && now >= team.retryLoadAt) void this.startLoad(e.teamId, team).catch(() => undefined);

    let entry = team.events.get(e.event);
    if (entry === undefined) entry = this.addEvent(team, e.teamId, e.event, now);
    else if (!entry.skip && now - entry.lastSeenMs >= HOUR_MS) {
      entry.lastSeenMs = now;
      this.queueEvent(e.teamId, e.event, now);
    }
    if (entry.skip) return;

    const props = e.properties;
    // A group identify defines only its group's properties, as in PostHog.
    if (e.event === '$groupidentify') return this.observeGroupIdentify(team, e.teamId, props);

    // Personless events carry no person changes (person processing already removed their $set).
    const personful = props.$process_person_profile !== false;
    // Explicit $set / $set_once first: they win over enrichment, as in PostHog.
    if (personful) {
      const set = props.$set;
      if (isObject(set)) for (const key in set) this.personProperty(team, e.teamId, key, set[key]);
      const setOnce = props.$set_once;
      if (isObject(setOnce)) for (const key in setOnce) this.personProperty(team, e.teamId, key, setOnce[key]);
    }
    const keys = entry.keys;
    for (const key in props) {
      const work = keys.get(key);
      // Personless events have no enrichment to do, so a key waiting only for that is done for them.
      if (work !== 0 && (personful || work !== ENRICHING)) this.eventProperty(team, e.teamId, e.event, entry, key, props, work, personful);
    }
  }

  /** Person properties set outside ingestion (the persons API), which PostHog also defines. */
  observePersonProperties(teamId: number, properties: Record<string, unknown>): void {
    const team = this.team(teamId);
    for (const key in properties) this.personProperty(team, teamId, key, properties[key]);
  }

  private addEvent(team: TeamDefinitions, teamId: number, name: string, now: number): EventEntry {
    const skip = EVENTS_WITHOUT_DEFINITIONS.has(name) || !fitsColumn(name);
    const entry: EventEntry = { skip, lastSeenMs: now, enriches: !NO_ENRICHMENT_EVENTS.has(name), keys: new Map() };
    team.events.set(name, entry);
    if (!skip) this.queueEvent(teamId, name, now);
    return entry;
  }

  /** The slow path for one event property: first sight with this event, an untyped definition, or pending enrichment. */
  private eventProperty(
    team: TeamDefinitions,
    teamId: number,
    event: string,
    entry: EventEntry,
    key: string,
    props: Record<string, unknown>,
    work: number | undefined,
    personful: boolean,
  ): void {
    if (work === undefined) {
      if (SKIP_EVENT_KEYS.has(key) || !fitsColumn(key)) {
        entry.keys.set(key, 0);
        return;
      }
      // Flags ride on nearly every event; PostHog defines them but keeps them out of the per-event pairs.
      if (!key.startsWith('$feature/') && !key.startsWith('$feature_enrollment/')) {
        this.pendingPairs.push({ teamId, rawEvent: event, rawProperty: key });
        if (++this.rememberedPairs > MAX_REMEMBERED_PAIRS) this.forgetPairs();
      }
    }
    const value = props[key];
    const known = team.eventProps.get(key);
    if (known === undefined || (known === null && isTypeable(value))) this.addProperty(team.eventProps, teamId, 1, null, key, value);
    let left = team.eventProps.get(key) === null ? UNTYPED : 0;

    const enriched = entry.enriches ? ENRICHED.get(key) : undefined;
    if (enriched !== undefined) {
      // PostHog's initial/current enrichment copies this into the event's $set and (as $initial_…) $set_once.
      const initial = INITIAL_NAMES[enriched]!;
      if (personful && !((key === '$os' || key === '$os_version') && props.$is_server === true)) {
        this.personProperty(team, teamId, key, value);
        this.personProperty(team, teamId, initial, value);
      }
      // Done for good once both person definitions are typed (or skipped).
      if (team.personProps.get(key) == null || team.personProps.get(initial) == null) left |= ENRICHING;
    }
    entry.keys.set(key, left);
  }

  private personProperty(team: TeamDefinitions, teamId: number, key: string, value: unknown): void {
    const known = team.personProps.get(key);
    if (known === undefined || (known === null && isTypeable(value))) this.addProperty(team.personProps, teamId, 2, null, key, value);
  }

  private observeGroupIdentify(team: TeamDefinitions, teamId: number, props: Record<string, unknown>): void {
    const groupType = props.$group_type;
    const set = props.$group_set;
    if (typeof groupType !== 'string' || !isObject(set)) return;
    const index = this.options.groupTypeIndex(teamId, groupType);
    if (index === undefined) return; // over the group type limit: PostHog drops these too
    const known = team.groupProps[index]!;
    for (const key in set) {
      const k = known.get(key);
      if (k === undefined || (k === null && isTypeable(set[key]))) this.addProperty(known, teamId, 3, index, key, set[key]);
    }
  }

  private addProperty(known: Map<string, Known>, teamId: number, type: TypeCode, groupTypeIndex: number | null, key: string, value: unknown): void {
    if (!fitsColumn(key)) {
      known.set(key, false);
      return;
    }
    const propertyType = detectPropertyType(key, value) ?? null;
    known.set(key, propertyType);
    const name = sanitize(key);
    // Keyed like the unique index, so one batch never upserts a row twice (a later typed value replaces an untyped one).
    this.pendingProps.set(`${teamId}\u0000${type}\u0000${groupTypeIndex ?? -1}\u0000${name}`, { teamId, raw: key, name, type, groupTypeIndex, propertyType });
  }

  private queueEvent(teamId: number, raw: string, at: number): void {
    const name = sanitize(raw);
    this.pendingEvents.set(`${teamId}\u0000${name}`, { teamId, raw, name, at });
  }

  private forgetPairs(): void {
    for (const team of this.teams.values()) for (const entry of team.events.values()) entry.keys.clear();
    this.rememberedPairs = 0;
    this.log.info({ limit: MAX_REMEMBERED_PAIRS }, 'definitions: forgot which event properties were written (size limit)');
  }

  private team(teamId: number): TeamDefinitions {
    let team = this.teams.get(teamId);
    if (team === undefined) this.teams.set(teamId, (team = new TeamDefinitions()));
    return team;
  }

  // ---- lookups (HogQL compiler) ----------------------------------------------------------------

  /** Loads the project's definitions from Postgres (once); `propertyType` is complete for the project after it. */
  ensureLoaded(teamId: number): Promise<void> {
    const team = this.team(teamId);
    return team.loaded ? Promise.resolve() : this.startLoad(teamId, team);
  }

  /** The property's type as PostHog's taxonomy has it; undefined when unknown or not typed yet. Call after `ensureLoaded`. */
  propertyType(teamId: number, kind: DefinitionKind, key: string, groupTypeIndex?: number): PropertyType | undefined {
    const team = this.teams.get(teamId);
    if (team === undefined) return undefined;
    const known =
      kind === 'event'
        ? team.eventProps
        : kind === 'person'
          ? team.personProps
          : groupTypeIndex !== undefined
            ? team.groupProps[groupTypeIndex]
            : undefined;
    return known?.get(key) || undefined;
  }

  private startLoad(teamId: number, team: TeamDefinitions): Promise<void> {
    team.loading ??= this.load(teamId, team).then(
      () => {
        team.loaded = true;
        team.loading = undefined;
      },
      (err: unknown) => {
        team.loading = undefined;
        team.retryLoadAt = Date.now() + LOAD_RETRY_MS;
        this.log.error({ err, teamId }, 'loading event and property definitions failed');
        throw err;
      },
    );
    return team.loading;
  }

  private async load(teamId: number, team: TeamDefinitions): Promise<void> {
    const [events, props] = await Promise.all([
      this.pg.query<{ name: string; last_seen_at: Date | string | null }>('SELECT name, last_seen_at FROM event_definitions WHERE team_id = $1', [teamId]),
      this.pg.query<{ name: string; type: number; group_type_index: number | null; property_type: PropertyType | null }>(
        'SELECT name, type, group_type_index, property_type FROM property_definitions WHERE team_id = $1 AND type IN (1, 2, 3)',
        [teamId],
      ),
    ]);
    // Merged into what was observed meanwhile; a stored type is older than anything seen since, so it wins.
    for (const row of events) {
      if (team.events.has(row.name)) continue;
      const lastSeenMs = row.last_seen_at === null ? 0 : new Date(row.last_seen_at).getTime();
      team.events.set(row.name, { skip: false, lastSeenMs, enriches: !NO_ENRICHMENT_EVENTS.has(row.name), keys: new Map() });
    }
    for (const row of props) {
      const known = row.type === 1 ? team.eventProps : row.type === 2 ? team.personProps : team.groupProps[row.group_type_index ?? -1];
      if (known === undefined) continue;
      if (row.property_type !== null || !known.get(row.name)) known.set(row.name, row.property_type);
    }
    this.log.debug({ teamId, events: events.length, properties: props.length }, 'definitions loaded');
  }

  // ---- persistence -----------------------------------------------------------------------------

  /** Writes everything observed so far. Never rejects: a failed write is logged and its definitions are written again when next seen. */
  flush(): Promise<void> {
    if (this.flushQueued) return this.flushing;
    if (this.pendingEvents.size === 0 && this.pendingProps.size === 0 && this.pendingPairs.length === 0) return this.flushing;
    this.flushQueued = true;
    this.flushing = this.flushing.then(() => {
      this.flushQueued = false;
      return this.flushOnce();
    });
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    const events = [...this.pendingEvents.values()];
    const props = [...this.pendingProps.values()];
    const pairs = this.pendingPairs;
    if (events.length === 0 && props.length === 0 && pairs.length === 0) return;
    this.pendingEvents = new Map();
    this.pendingProps = new Map();
    this.pendingPairs = [];
    try {
      await this.pg.writeBatch(definitionWrites(events, props, pairs));
    } catch (err) {
      this.log.error(
        { err, events: events.length, properties: props.length, eventProperties: pairs.length },
        'writing event and property definitions failed; they are written again when next seen',
      );
      this.forget(events, props, pairs);
    }
  }

  /** Undoes "known" for a failed write, so the next sighting queues it again (PostHog's uncache-on-failure). */
  private forget(events: PendingEvent[], props: PendingProperty[], pairs: PendingPair[]): void {
    for (const e of events) this.teams.get(e.teamId)?.events.delete(e.raw);
    for (const p of pairs) this.teams.get(p.teamId)?.events.get(p.rawEvent)?.keys.delete(p.rawProperty);
    const recheck = new Set<TeamDefinitions>();
    for (const p of props) {
      const team = this.teams.get(p.teamId);
      if (!team) continue;
      const known = p.type === 1 ? team.eventProps : p.type === 2 ? team.personProps : team.groupProps[p.groupTypeIndex ?? -1];
      known?.delete(p.raw);
      if (p.type !== 3) recheck.add(team);
    }
    // (event, property) work marked done because these definitions looked written must be looked at again.
    for (const team of recheck) for (const entry of team.events.values()) entry.keys.clear();
  }

  /** Stops the background flush and writes what is left. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}

/** The upserts for one flush, in one batch (one transaction, one round trip). */
function definitionWrites(events: PendingEvent[], props: PendingProperty[], pairs: PendingPair[]): Array<{ sql: string; params: unknown[] }> {
  const statements: Array<{ sql: string; params: unknown[] }> = [];
  if (events.length) {
    const rows = events.map((e) => ({ id: uuidv7(), team_id: e.teamId, name: e.name, at: new Date(e.at).toISOString() }));
    statements.push({
      sql: `INSERT INTO event_definitions (id, team_id, name, created_at, last_seen_at)
            SELECT id, team_id, name, at, at FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, team_id int, name text, at timestamptz)
            ON CONFLICT (team_id, name) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at
            WHERE event_definitions.last_seen_at IS NULL OR event_definitions.last_seen_at < EXCLUDED.last_seen_at`,
      params: [JSON.stringify(rows)],
    });
  }
  if (props.length) {
    const rows = props.map((p) => ({
      id: uuidv7(),
      team_id: p.teamId,
      name: p.name,
      type: p.type,
      group_type_index: p.groupTypeIndex,
      property_type: p.propertyType,
    }));
    // The first type wins: an existing row is only updated while it has no type yet (PostHog's rule).
    statements.push({
      sql: `INSERT INTO property_definitions (id, team_id, name, type, group_type_index, property_type, is_numerical)
            SELECT id, team_id, name, type, group_type_index, property_type, coalesce(property_type = 'Numeric', false)
              FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, team_id int, name text, type smallint, group_type_index smallint, property_type text)
            ON CONFLICT (team_id, type, (coalesce(group_type_index, -1)), name) DO UPDATE
              SET property_type = EXCLUDED.property_type, is_numerical = EXCLUDED.is_numerical
              WHERE property_definitions.property_type IS NULL`,
      params: [JSON.stringify(rows)],
    });
  }
  if (pairs.length) {
    const rows = pairs.map((p) => ({ team_id: p.teamId, event: sanitize(p.rawEvent), property: sanitize(p.rawProperty) }));
    statements.push({
      sql: `INSERT INTO event_properties (team_id, event, property)
            SELECT team_id, event, property FROM jsonb_to_recordset($1::jsonb) AS x(team_id int, event text, property text)
            ON CONFLICT DO NOTHING`,
      params: [JSON.stringify(rows)],
    });
  }
  return statements;
}
