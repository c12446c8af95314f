import { v5 as uuidv5 } from 'uuid';
import type { Logger } from '../log.js';
import { clickHouseTime, type IngestEvent, type PersonPart } from '../ingest/ingest-event.js';
import { isIllegalDistinctId } from './illegal-ids.js';
import type { PersonStore } from './person-store.js';
import { cleanJsonValue, cleanText } from '../unicode.js';
import { type Person, propertiesJson } from './person-types.js';
import {
  applyPersonUpdate,
  eventLeavesPersonUnchanged,
  NO_PERSON_UPDATE_EVENTS,
  PERSON_EVENTS,
  type PersonUpdate,
  personUpdateFromEvent,
  type Props,
} from './property-updates.js';

const PERSON_ID_NAMESPACE = '932979b4-65c3-4424-8467-0b66ec27bc22';
const NO_PERSON_TIME = '1970-01-01 00:00:00.000';
const MERGE_EVENTS = new Set(['$identify', '$create_alias', '$merge_dangerously']);
const EMPTY_UPDATE: PersonUpdate = { set: {}, setOnce: {}, unset: [] };

function isObject(value: unknown): value is Props {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** PostHog's deterministic person uuid for a distinct id: UUIDv5 of `"<team>:<distinct id>"`. Cached: it is a SHA-1. */
const personIds = new Map<number, Map<string, string>>();
export function defaultPersonId(teamId: number, distinctId: string): string {
  let team = personIds.get(teamId);
  if (team === undefined) personIds.set(teamId, (team = new Map()));
  let id = team.get(distinctId);
  if (id === undefined) {
    if (team.size >= 100_000) team.clear();
    id = uuidv5(`${teamId}:${distinctId}`, PERSON_ID_NAMESPACE);
    team.set(distinctId, id);
  }
  return id;
}

/** Person columns of an event without a person: the deterministic id, no properties. */
export function personlessPart(teamId: number, distinctId: string): PersonPart {
  return { personId: defaultPersonId(teamId, distinctId), personPropertiesJson: '{}', personCreatedAt: NO_PERSON_TIME };
}

/** The other distinct id an event asks to merge in, if any; cleaned like the event's own (NUL and lone surrogates → U+FFFD). */
function mergeSource(e: IngestEvent): string | undefined {
  const p = e.properties;
  const raw = e.event === '$identify' ? p.$anon_distinct_id : e.event === '$create_alias' || e.event === '$merge_dangerously' ? p.alias : undefined;
  if (raw === undefined || raw === null) return undefined;
  return cleanText(typeof raw === 'string' ? raw : String(raw));
}

/** A `$groupidentify`'s group type and key, cleaned as they are stored. */
function groupIdentifyTarget(e: IngestEvent): [type: string, key: string] | undefined {
  const { $group_type: type, $group_key: key } = e.properties;
  if (typeof type !== 'string' || key === undefined || key === null) return undefined;
  return [cleanText(type), cleanText(String(key))];
}

/**
 * Events keep NUL as sent, but Postgres cannot store it: like PostHog (`sanitizeJsonbValue`), what
 * goes to the person or group has it replaced with U+FFFD, in keys and values. The event's JSON tells
 * whether there is any at all (one `includes`), so clean events are not walked.
 */
const hasNul = (e: IngestEvent) => e.propertiesJson.includes('\\u0000');

function updateOf(e: IngestEvent): PersonUpdate {
  const update = personUpdateFromEvent(e.event, e.properties);
  if (!hasNul(e)) return update;
  return { set: cleanJsonValue(update.set), setOnce: cleanJsonValue(update.setOnce), unset: update.unset.map(cleanText) };
}

/**
 * Person processing, as PostHog's ingestion does it: each event is attributed to a person
 * (created on first sight), `$set`/`$set_once`/`$unset` applied, identify/alias/merge_dangerously
 * merge persons, `$groups` mapped to group type indexes, `$groupidentify` upserts groups, and
 * `$process_person_profile: false` makes the event personless.
 */
export class PersonProcessor {
  constructor(
    private readonly store: PersonStore,
    private readonly log: Logger,
  ) {}

  /** Loads what a request's events need, so `process` can run synchronously on cached state. */
  async prepare(teamId: number, events: IngestEvent[]): Promise<void> {
    const ids = new Set<string>();
    const groups: Array<[string, string]> = [];
    for (const e of events) {
      ids.add(e.distinctId);
      const other = mergeSource(e);
      if (other !== undefined) ids.add(other);
      const target = e.event === '$groupidentify' ? groupIdentifyTarget(e) : undefined;
      if (target) groups.push(target);
    }
    // A cache eviction can run while we wait, so check again right before the synchronous part.
    while (!this.store.hasLoaded(teamId, ids)) await this.store.ensureLoaded(teamId, ids, groups);
  }

  /** Returns the person columns for the event, or null when PostHog would drop the event. Call after `prepare`. */
  process(e: IngestEvent): PersonPart | null {
    if (e.properties.$process_person_profile === false) return this.personless(e);
    const person = this.attribute(e);
    if (e.event === '$groupidentify') this.groupIdentify(e);
    return this.part(person, this.groups(e));
  }

  /** The event's person after applying what the event asks (merge, create, property update). */
  private attribute(e: IngestEvent): Person {
    const other = mergeSource(e);
    if (other !== undefined && MERGE_EVENTS.has(e.event)) {
      return this.merge(e, other, updateOf(e), e.event === '$merge_dangerously');
    }
    const known = this.store.distinctId(e.teamId, e.distinctId).person;
    // Hot path: most events cannot change their (existing) person.
    if (known && (NO_PERSON_UPDATE_EVENTS.has(e.event) || eventLeavesPersonUnchanged(e.event, e.properties, known.properties))) return known;
    const update = NO_PERSON_UPDATE_EVENTS.has(e.event) ? EMPTY_UPDATE : updateOf(e);
    return this.updateOrCreate(e.teamId, e.distinctId, e.timestampMs, update, PERSON_EVENTS.has(e.event));
  }

  private personless(e: IngestEvent): PersonPart | null {
    if (MERGE_EVENTS.has(e.event) || e.event === '$groupidentify') {
      this.log.warn({ teamId: e.teamId, event: e.event, uuid: e.uuid }, 'invalid_event_when_process_person_profile_is_false: event dropped');
      return null;
    }
    const props = e.properties;
    if ('$set' in props || '$set_once' in props || '$unset' in props) {
      delete props.$set;
      delete props.$set_once;
      delete props.$unset;
      e.propertiesJson = JSON.stringify(props);
    }
    // An existing person is used read-only; otherwise the event carries the deterministic id and the
    // distinct id is remembered as personless, so a later identify re-attributes it.
    const person = this.store.distinctId(e.teamId, e.distinctId).person;
    if (person) return this.part(person);
    this.store.markPersonless(e.teamId, e.distinctId);
    return personlessPart(e.teamId, e.distinctId);
  }

  private updateOrCreate(teamId: number, distinctId: string, at: number, update: PersonUpdate, personEvent = true): Person {
    const existing = this.store.distinctId(teamId, distinctId).person;
    if (existing) {
      if (applyPersonUpdate(existing.properties, update, personEvent)) this.store.touch(existing);
      return existing;
    }
    const properties: Props = {};
    applyPersonUpdate(properties, update);
    const person = this.store.createPerson(teamId, defaultPersonId(teamId, distinctId), at, properties, false);
    // Its events so far (personless) already carry this deterministic id: no override needed.
    this.store.attach(person, distinctId, 0);
    return person;
  }

  /** Version for attaching an id: 1 when earlier personless events carry another person id, so an override re-attributes them. */
  private versionFor(teamId: number, distinctId: string, person: Person): number {
    return this.store.isPersonless(teamId, distinctId) && defaultPersonId(teamId, distinctId) !== person.uuid ? 1 : 0;
  }

  /** PostHog's merge(other → into), into being the event's distinct id. */
  private merge(e: IngestEvent, other: string, update: PersonUpdate, dangerously: boolean): Person {
    const { teamId, distinctId: into } = e;
    if (other === into) return this.updateOrCreate(teamId, into, e.timestampMs, update); // nothing to merge
    if (isIllegalDistinctId(other) || isIllegalDistinctId(into)) {
      this.log.warn({ teamId, other, into, event: e.event }, 'cannot_merge_with_illegal_distinct_id');
      return this.updateOrCreate(teamId, into, e.timestampMs, update);
    }
    const otherPerson = this.store.distinctId(teamId, other).person;
    const intoPerson = this.store.distinctId(teamId, into).person;

    if (!otherPerson && !intoPerson) {
      const properties: Props = {};
      applyPersonUpdate(properties, update);
      const person = this.store.createPerson(teamId, defaultPersonId(teamId, into), e.timestampMs, properties, true);
      this.store.attach(person, into, 0);
      this.store.attach(person, other, this.versionFor(teamId, other, person));
      return person;
    }
    if (otherPerson && !intoPerson) return this.attachAndUpdate(otherPerson, into, update);
    if (!otherPerson && intoPerson) return this.attachAndUpdate(intoPerson, other, update);
    if (otherPerson === intoPerson || (otherPerson!.isIdentified && !dangerously)) {
      if (otherPerson !== intoPerson) this.log.warn({ teamId, other, into, event: e.event }, 'cannot_merge_already_identified');
      // Either way the event's person is updated and counts as identified (a merge path ran).
      return this.identifyAndUpdate(intoPerson!, update);
    }
    return this.mergePeople(otherPerson!, intoPerson!, update);
  }

  private attachAndUpdate(person: Person, distinctId: string, update: PersonUpdate): Person {
    this.store.attach(person, distinctId, this.versionFor(person.teamId, distinctId, person));
    return this.identifyAndUpdate(person, update);
  }

  /** Applies the update and marks the person identified; writes the person only if either changed it. */
  private identifyAndUpdate(person: Person, update: PersonUpdate): Person {
    const changed = applyPersonUpdate(person.properties, update);
    if (changed || !person.isIdentified) {
      person.isIdentified = true;
      this.store.touch(person);
    }
    return person;
  }

  /** Moves everything of `other` into `into`; the event's person survives and wins property conflicts. */
  private mergePeople(other: Person, into: Person, update: PersonUpdate): Person {
    into.properties = { ...other.properties, ...into.properties };
    applyPersonUpdate(into.properties, update);
    into.createdAt = Math.min(into.createdAt, other.createdAt);
    into.isIdentified = true;
    into.version = Math.max(into.version, other.version);
    for (const id of [...other.distinctIds]) {
      const current = this.store.distinctId(other.teamId, id).version;
      this.store.attach(into, id, current + 1);
    }
    this.store.deletePerson(other, { forgetDistinctIds: false });
    this.store.touch(into);
    return into;
  }

  /** `$groups` → `$group_N` columns and properties, creating type mappings on first sight. */
  private groups(e: IngestEvent): string[] | undefined {
    const raw = e.properties.$groups;
    if (!isObject(raw)) return undefined;
    let groups: string[] | undefined;
    for (const [type, key] of Object.entries(raw)) {
      if (key === null || key === undefined || key === '') continue;
      const index = this.store.groupTypeIndex(e.teamId, cleanText(type));
      if (index === undefined) continue;
      groups ??= ['', '', '', '', ''];
      groups[index] = cleanText(typeof key === 'string' ? key : String(key));
      e.properties[`$group_${index}`] = groups[index];
    }
    if (groups) e.propertiesJson = JSON.stringify(e.properties);
    return groups;
  }

  private groupIdentify(e: IngestEvent): void {
    const target = groupIdentifyTarget(e);
    if (!target) return;
    const [type, key] = target;
    const index = this.store.groupTypeIndex(e.teamId, type);
    if (index === undefined) {
      this.log.warn({ teamId: e.teamId, type }, 'group type limit (5) reached; $groupidentify ignored');
      return;
    }
    const set = e.properties.$group_set;
    this.store.upsertGroup(e.teamId, index, key, isObject(set) ? (hasNul(e) ? cleanJsonValue(set) : set) : {}, e.timestampMs);
  }

  private part(person: Person, groups?: string[]): PersonPart {
    person.createdAtText ??= clickHouseTime(person.createdAt);
    return { personId: person.uuid, personPropertiesJson: propertiesJson(person), personCreatedAt: person.createdAtText, groups };
  }
}
