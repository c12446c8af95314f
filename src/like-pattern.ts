/**
 * A LIKE/ILIKE pattern matching text that contains `text` literally: `%` and `_` typed by a person
 * (and the escape character) are escaped, so they are not wildcards. ClickHouse and Postgres share
 * the backslash escape.
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
