/** Person property rules (PostHog's `computeEventPropertyUpdates` and initial/UTM enrichment). */

export type Props = Record<string, unknown>;

function isObject(value: unknown): value is Props {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keys PostHog copies from event properties into `$set` and, as `$initial_<key>`, into `$set_once`. */
export const INITIAL_AND_CURRENT = [
  '$app_build', '$app_name', '$app_namespace', '$app_version', '$browser', '$browser_version', '$device_type',
  '$current_url', '$pathname', '$os', '$os_version', '$referring_domain', '$referrer',
  'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_name', 'utm_term',
  'gclid', 'gad_source', 'gbraid', 'wbraid', 'fbclid', 'msclkid',
];
export const NO_ENRICHMENT_EVENTS = new Set(['$snapshot', '$performance_event']);
/** Events whose $set/$set_once/$unset never touch the person. */
export const NO_PERSON_UPDATE_EVENTS = new Set(['$exception', '$$heatmap', '$groupidentify']);

export interface PersonUpdate {
  set: Props;
  setOnce: Props;
  unset: string[];
}

/** Reads `$set`, `$set_once`, `$unset` from event properties and adds PostHog's initial/UTM enrichment. */
export function personUpdateFromEvent(event: string, properties: Props): PersonUpdate {
  const set: Props = isObject(properties.$set) ? { ...properties.$set } : {};
  const setOnce: Props = isObject(properties.$set_once) ? { ...properties.$set_once } : {};
  const rawUnset = properties.$unset;
  const unset = Array.isArray(rawUnset)
    ? rawUnset.filter((k): k is string => typeof k === 'string')
    : isObject(rawUnset)
      ? Object.keys(rawUnset)
      : [];
  if (event === 'survey shown' && properties.$survey_last_seen_date === undefined) {
    // nothing: PostHog only forwards the value when the SDK sent it
  } else if (event === 'survey shown') {
    set.$survey_last_seen_date = properties.$survey_last_seen_date;
  }
  if (!NO_ENRICHMENT_EVENTS.has(event)) {
    const isServer = properties.$is_server === true;
    for (const key of INITIAL_AND_CURRENT) {
      if (!(key in properties)) continue;
      if (isServer && (key === '$os' || key === '$os_version')) continue;
      const value = properties[key];
      if (!(key in set)) set[key] = value;
      const initial = `$initial_${key.replace(/^\$/, '')}`;
      if (!(initial in setOnce)) setOnce[initial] = value;
    }
  }
  return { set, setOnce, unset };
}

export const INITIAL_NAMES = INITIAL_AND_CURRENT.map((key) => `$initial_${key.replace(/^\$/, '')}`);

/**
 * True when an ordinary event (no `$set`/`$set_once`/`$unset` of its own) cannot change the person:
 * every enrichment key it carries, and its `$initial_` twin, is already on the person, so the only
 * changes would be filtered ones. The hot path for most events; allocates nothing.
 */
export function eventLeavesPersonUnchanged(event: string, eventProps: Props, personProps: Props): boolean {
  if (PERSON_EVENTS.has(event) || '$set' in eventProps || '$set_once' in eventProps || '$unset' in eventProps) return false;
  if (NO_ENRICHMENT_EVENTS.has(event)) return true;
  for (let i = 0; i < INITIAL_AND_CURRENT.length; i++) {
    const key = INITIAL_AND_CURRENT[i]!;
    if (key in eventProps && (!(key in personProps) || !(INITIAL_NAMES[i]! in personProps))) return false;
  }
  return true;
}

const ENRICHMENT_KEYS = new Set(INITIAL_AND_CURRENT);
/** Events that always write every change they carry. */
export const PERSON_EVENTS = new Set(['$identify', '$create_alias', '$merge_dangerously', '$set']);

/** Keys that change on most events and are not worth a person write on their own (PostHog's filter). */
function isFilteredKey(key: string): boolean {
  if (ENRICHMENT_KEYS.has(key)) return true;
  return key.startsWith('$geoip_') && key !== '$geoip_country_name' && key !== '$geoip_city_name';
}

/**
 * Applies an update to person properties in place. `$set_once` writes only absent keys (a stored
 * null counts as present), `$set` then overwrites (so it wins a same-key tie), `$unset` deletes.
 * Like PostHog, an ordinary event whose `$set` only changes already-present enrichment keys
 * (`$current_url`, `$browser`, …) does not update the person: those change on nearly every event,
 * and the event keeps them anyway. Person events (`personEvent`) and the API always write.
 * Returns whether anything changed.
 */
export function applyPersonUpdate(properties: Props, u: PersonUpdate, personEvent = true): boolean {
  let changed = false;
  for (const [key, value] of Object.entries(u.setOnce)) {
    if (!(key in properties)) {
      properties[key] = value;
      changed = true;
    }
  }
  let worthWriting = personEvent;
  const changedSet: string[] = [];
  for (const [key, value] of Object.entries(u.set)) {
    if (!(key in properties)) {
      worthWriting = true;
      changedSet.push(key);
    } else if (!sameValue(properties[key], value)) {
      if (!isFilteredKey(key)) worthWriting = true;
      changedSet.push(key);
    }
  }
  if (worthWriting) {
    for (const key of changedSet) properties[key] = u.set[key];
    if (changedSet.length > 0) changed = true;
  }
  for (const key of u.unset) {
    if (key in properties) {
      delete properties[key];
      changed = true;
    }
  }
  return changed;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
