/** Person property rules (PostHog's `computeEventPropertyUpdates` and initial/UTM enrichment). */

export type Props = Record<string, unknown>;

function isObject(value: unknown): value is Props {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keys PostHog copies from event properties into `$set` and, as `$initial_<key>`, into `$set_once`. */
const INITIAL_AND_CURRENT = [
  '$app_build', '$app_name', '$app_namespace', '$app_version', '$browser', '$browser_version', '$device_type',
  '$current_url', '$pathname', '$os', '$os_version', '$referring_domain', '$referrer',
  'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_name', 'utm_term',
  'gclid', 'gad_source', 'gbraid', 'wbraid', 'fbclid', 'msclkid',
];
const NO_ENRICHMENT_EVENTS = new Set(['$snapshot', '$performance_event']);
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

export function isEmptyUpdate(u: PersonUpdate): boolean {
  return Object.keys(u.set).length === 0 && Object.keys(u.setOnce).length === 0 && u.unset.length === 0;
}

/**
 * Applies an update to person properties in place. `$set_once` writes only absent keys (a stored
 * null counts as present), `$set` then overwrites (so it wins a same-key tie), `$unset` deletes.
 * Returns whether anything changed.
 */
export function applyPersonUpdate(properties: Props, u: PersonUpdate): boolean {
  let changed = false;
  for (const [key, value] of Object.entries(u.setOnce)) {
    if (!(key in properties)) {
      properties[key] = value;
      changed = true;
    }
  }
  for (const [key, value] of Object.entries(u.set)) {
    if (!(key in properties) || !sameValue(properties[key], value)) {
      properties[key] = value;
      changed = true;
    }
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
