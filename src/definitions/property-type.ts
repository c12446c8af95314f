/**
 * PostHog's property type inference (rust/property-defs-rs `detect_property_type`): the type of a
 * property definition comes from the first value seen with a type. Runs only for keys not seen before.
 */

export type PropertyType = 'String' | 'Numeric' | 'Boolean' | 'DateTime';

/** PostHog's key hints for timestamps (its list also has "timestamp", which "time" already covers). */
const DATETIME_KEYWORDS = ['time', 'date', '_at', '-at', 'createdat', 'updatedat'];
const SIX_MONTHS_S = 15_768_000;

/** PostHog's DATETIME_PREFIX_REGEX: `YYYY-MM-DD` / `YYYY/MM/DD` / `DD-MM-YYYY`, optionally ` hh:mm:ss…` or `Thh:mm:ss…`. */
const DATE_PREFIX = /^(([0-9]{4}[/-][0-2][0-9][/-][0-3][0-9])|([0-2][0-9][/-][0-3][0-9][/-][0-9]{4}))([ T][0-2][0-9]:[0-6][0-9]:[0-6][0-9].*)?$/;
/** RFC 3339 (chrono's `parse_from_rfc3339`); mostly covered by DATE_PREFIX, kept for `t` separators. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
/** RFC 2822 (chrono's `parse_from_rfc2822`): `[Tue, ]1 Jul 2003 10:52:37 +0200`. */
const RFC2822 =
  /^\s*(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s*,\s*)?\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{2,4}\s+\d{2}:\d{2}(?::\d{2})?\s+(?:[+-]\d{4}|UT|GMT|[ECMP][SD]T|[A-IK-Za-ik-z])\s*$/i;

export function isLikelyDateString(s: string): boolean {
  return DATE_PREFIX.test(s) || RFC3339.test(s) || RFC2822.test(s);
}

/** A non-negative integer no older than six months, read as epoch seconds (or later: ms pass too), as PostHog does. */
function isLikelyUnixTimestamp(n: number, nowMs: number): boolean {
  return Number.isInteger(n) && n >= 0 && n >= Math.floor(nowMs / 1000) - SIX_MONTHS_S;
}

function hasDateKeyword(lowerKey: string): boolean {
  for (const word of DATETIME_KEYWORDS) if (lowerKey.includes(word)) return true;
  return false;
}

/** The type PostHog infers for `key: value`; undefined for null, objects and arrays (typed by a later value). */
export function detectPropertyType(key: string, value: unknown, nowMs = Date.now()): PropertyType | undefined {
  const k = key.toLowerCase();
  // Values of these flip between types (flags: false vs variant; utm ids that look numeric), so they are always strings.
  if (k.startsWith('utm_') || k.startsWith('$initial_utm_') || k.startsWith('$feature/') || k === '$feature_flag_response' || k.startsWith('$survey_response')) {
    return 'String';
  }
  if (typeof value === 'string') {
    if (hasDateKeyword(k) && isLikelyDateString(value)) return 'DateTime';
    const s = value.trim();
    if (s === 'true' || s === 'false' || s === 'TRUE' || s === 'FALSE') return 'Boolean';
    return isLikelyDateString(s) ? 'DateTime' : 'String';
  }
  if (typeof value === 'number') return hasDateKeyword(k) && isLikelyUnixTimestamp(value, nowMs) ? 'DateTime' : 'Numeric';
  if (typeof value === 'boolean') return 'Boolean';
  return undefined;
}

/** Whether `value` can give a type at all: the cheap check for keys whose definition is still untyped. */
export function isTypeable(value: unknown): boolean {
  const t = typeof value;
  return t === 'string' || t === 'number' || t === 'boolean';
}
