/**
 * Distinct ids PostHog never merges on: placeholders that SDKs and apps send by mistake
 * (`"undefined"`, `"null"`, `"[object Object]"` …). Merging on one would fuse unrelated people.
 */
const CASE_INSENSITIVE = ['anonymous', 'guest', 'distinctid', 'distinct_id', 'id', 'not_authenticated', 'email', 'undefined', 'true', 'false'];
const CASE_SENSITIVE = ['[object Object]', 'NaN', 'None', 'none', 'null', '0', 'undefined'];

const insensitive = new Set(CASE_INSENSITIVE.flatMap((id) => [id, `'${id}'`, `"${id}"`]));
const sensitive = new Set(CASE_SENSITIVE.flatMap((id) => [id, `'${id}'`, `"${id}"`]));

export function isIllegalDistinctId(id: string): boolean {
  const trimmed = id.trim();
  return trimmed.length === 0 || insensitive.has(trimmed.toLowerCase()) || sensitive.has(trimmed);
}
