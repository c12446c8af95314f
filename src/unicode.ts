/**
 * Text the stores cannot hold, replaced with U+FFFD as PostHog does. Lone UTF-16 surrogates are not
 * Unicode: Postgres `jsonb` refuses them and ClickHouse refuses an unpaired high surrogate escape, so
 * PostHog's capture replaces them in the raw JSON before parsing (`decodeCapturePayload`). NUL:
 * Postgres `text` and `jsonb` refuse it, so PostHog's ingestion replaces it in every value it writes
 * to Postgres (person and group properties, distinct ids, group types and keys), while events keep
 * it (payloads such as posthog-js' gzip-in-a-string session data are full of it).
 */

/** Escapes worth a closer look: any surrogate escape (`\uD800`–`\uDFFF`), and with NUL `\u0000`. */
const SUSPECT = /\\u[dD][89a-fA-F]/g;
const SUSPECT_NUL = /\\u(?:0000|[dD][89a-fA-F])/g;
/**
 * Every escape that matters, read left to right: an escaped backslash (`\\`) is consumed whole so
 * the text `\\u0000` (a backslash, then "u0000") is never taken for an escape; a high surrogate
 * escape followed by a low one is a valid pair and is kept.
 */
const ESCAPES = /\\(?:\\|u[dD][89abAB][0-9a-fA-F]{2}(?:\\u[dD][c-fC-F][0-9a-fA-F]{2})?|u[dD][c-fC-F][0-9a-fA-F]{2})/g;
const ESCAPES_NUL = /\\(?:\\|u0000|u[dD][89abAB][0-9a-fA-F]{2}(?:\\u[dD][c-fC-F][0-9a-fA-F]{2})?|u[dD][c-fC-F][0-9a-fA-F]{2})/g;
const replaceEscape = (m: string) => (m.length === 2 || m.length === 12 ? m : '\\uFFFD');

/**
 * JSON text with unpaired surrogate escapes (and, unless `nul` is false, `\u0000`) replaced by
 * `\uFFFD`, keys and values alike, at any depth. Cheap when there is nothing to do (the common
 * case): one `indexOf`, and a regex test only if the text has `\u` escapes at all. Expects JSON from
 * a UTF-8 decode or `JSON.stringify`, where such characters only ever appear escaped.
 */
export function sanitizeJsonText(text: string, nul = true): string {
  const at = text.indexOf('\\u');
  if (at < 0) return text;
  const suspect = nul ? SUSPECT_NUL : SUSPECT;
  suspect.lastIndex = at;
  if (!suspect.test(text)) return text;
  return text.replace(nul ? ESCAPES_NUL : ESCAPES, replaceEscape);
}

/** A JSON value with NUL and lone surrogates replaced by U+FFFD in every key and string (a copy). */
export function cleanJsonValue<T>(value: T): T {
  return JSON.parse(sanitizeJsonText(JSON.stringify(value))) as T;
}

/** A plain string with NUL and lone surrogates replaced by U+FFFD. */
export function cleanText(value: string): string {
  const s = value.isWellFormed() ? value : value.toWellFormed();
  return s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s;
}
