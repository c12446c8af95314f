/**
 * Event time resolution, as PostHog's capture does it:
 *   offset (ms before now) wins; else timestamp, corrected for client clock skew by sent_at;
 *   else now. More than 23 h in the future is clamped to now; years outside 0..9999 become the epoch.
 */

const MAX_FUTURE_MS = 23 * 3600 * 1000;
const YEAR_2021_MS = Date.UTC(2021, 0, 1);

const STRICT_ISO_Z = /^\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d\.\d{3}Z$/;
const ISO_LIKE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

function fromIsoLike(text: string): number | undefined {
  const m = ISO_LIKE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', zone] = m;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(s), ms);
  let t = date.getTime();
  const check = new Date(t);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) {
    return undefined; // 2026-02-31 and friends
  }
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
    t -= sign * offsetMin * 60_000;
  }
  return t;
}

/** Epoch numbers: seconds or milliseconds, told apart by magnitude. */
function fromEpoch(n: number): number | undefined {
  if (!Number.isFinite(n)) return undefined;
  return Math.abs(n) < 1e11 ? Math.round(n * 1000) : Math.round(n);
}

/**
 * Parses an event timestamp: RFC 3339 / ISO 8601 (naive times are UTC), date-only,
 * `YYYY-MM-DD HH:MM:SS`, RFC 2822, or epoch seconds/milliseconds (number or numeric string).
 * Returns undefined when the value is not a time.
 */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value !== 'string') return undefined;
  // Fast path: what every SDK sends (Date.prototype.toISOString form).
  if (value.length === 24 && STRICT_ISO_Z.test(value)) return Date.parse(value);
  const text = value.trim();
  if (text.length === 0 || text.length > 64) return undefined;
  if (/^-?\d+(\.\d+)?$/.test(text)) return fromEpoch(Number(text));
  const iso = fromIsoLike(text.replace(/\//g, '-'));
  if (iso !== undefined) return iso;
  // RFC 2822 and other forms JavaScript's parser knows; only when a zone or GMT is explicit.
  if (/[A-Za-z]{3},?\s+\d{1,2}\s+[A-Za-z]{3}\s+\d{4}/.test(text)) {
    const t = Date.parse(text);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/** `sent_at` from the body (ISO) or the `_` / `sent_at` query parameters (ms since epoch, from 2021 on). */
export function resolveSentAt(bodySentAt: unknown, queryValue: string | undefined): number | undefined {
  if (bodySentAt !== undefined && bodySentAt !== null && bodySentAt !== '') {
    const t = parseTimestamp(bodySentAt);
    if (t !== undefined) return t;
  }
  if (queryValue && /^\d+$/.test(queryValue)) {
    const ms = Number(queryValue);
    if (ms >= YEAR_2021_MS) return ms;
  }
  return undefined;
}

export interface TimeInputs {
  timestamp?: number;
  offsetMs?: number;
  sentAt?: number;
  ignoreSentAt: boolean;
  now: number;
}

export function resolveEventTime({ timestamp, offsetMs, sentAt, ignoreSentAt, now }: TimeInputs): number {
  let t: number;
  if (offsetMs !== undefined) t = now - offsetMs;
  else if (timestamp !== undefined) t = sentAt !== undefined && !ignoreSentAt ? timestamp - (sentAt - now) : timestamp;
  else t = now;
  if (t - now > MAX_FUTURE_MS) t = now;
  const year = new Date(t).getUTCFullYear();
  if (Number.isNaN(year) || year < 1970 || year > 9999) t = 0;
  return t;
}
