import { localParts } from '../query/dates.js';

/**
 * Shapes ClickHouse result values the way PostHog's query API returns them: date-times as ISO
 * strings in the project's timezone with its UTC offset (ClickHouse hands them over in UTC).
 */

const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');

/** `2024-03-31T01:30:00.123456Z` → `2024-03-31T03:30:00.123456+02:00` in Europe/Berlin. */
export function isoInTimeZone(utcIso: string, tz: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?Z$/.exec(utcIso);
  if (!m) return utcIso;
  const epoch = Date.parse(`${m[1]}Z`);
  if (Number.isNaN(epoch)) return utcIso;
  const fraction = m[2] && /[1-9]/.test(m[2]) ? m[2] : '';
  const parts = localParts(epoch, tz);
  const local = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  const offset = Math.round((local - epoch) / 60_000);
  const wall = `${parts.year}-${pad(parts.month)}-${pad(parts.day)}T${pad(parts.hour)}:${pad(parts.minute)}:${pad(parts.second)}${fraction}`;
  // PostHog's JSON renderer writes UTC as `Z`.
  if (tz === 'UTC' && offset === 0) return `${wall}Z`;
  return `${wall}${offset < 0 ? '-' : '+'}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

type Convert = (v: unknown) => unknown;

/** A converter for values of one ClickHouse type (undefined when values pass through unchanged). */
function converterFor(type: string, tz: string): Convert | undefined {
  const inner = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(type);
  if (inner) return converterFor(inner[1]!, tz);
  if (/^DateTime(64)?\b/.test(type)) return (v) => (typeof v === 'string' ? isoInTimeZone(v, tz) : v);
  const array = /^Array\((.*)\)$/.exec(type);
  if (array) {
    const element = converterFor(array[1]!, tz);
    return element && ((v) => (Array.isArray(v) ? v.map(element) : v));
  }
  return undefined;
}

export function shapeRows(meta: { name: string; type: string }[], data: unknown[][], tz: string): unknown[][] {
  const converters = meta.map((m) => converterFor(m.type, tz));
  if (converters.every((c) => c === undefined)) return data;
  return data.map((row) => row.map((v, i) => (converters[i] ? converters[i]!(v) : v)));
}
