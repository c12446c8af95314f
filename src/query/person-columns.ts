import type { PersonView } from '../persons/person-queries.js';
import type { QueryContext } from './query-context.js';

/** The `person` / `person_display_name` pseudo-columns of EventsQuery and ActorsQuery, read from Postgres. */
export type PersonColumn = 'person' | 'person_display_name';

export function isPersonColumn(column: string): column is PersonColumn {
  return column === 'person' || column === 'person_display_name';
}

/** PostHog's default display name: email, name or username, else the first distinct id, else the id. */
function displayName(person: PersonView | undefined, id: string): string {
  const props = (person?.properties ?? {}) as Record<string, unknown>;
  const name = ['email', 'name', 'username'].map((k) => props[k]).find((v) => typeof v === 'string' && v !== '');
  return (name as string | undefined) ?? person?.distinct_ids[0] ?? id;
}

/**
 * Replaces person ids in the given columns by the person objects. `shape` is what each kind returns
 * for `person`: EventsQuery a short form (`uuid, created_at, properties, distinct_id`), ActorsQuery the full person.
 */
export async function fillPersonColumns(rows: unknown[][], columns: string[], ctx: QueryContext, shape: 'event' | 'actor'): Promise<unknown[][]> {
  const indexes = columns.flatMap((c, i) => (isPersonColumn(c) ? [i] : []));
  if (indexes.length === 0) return rows;
  const people = await ctx.persons.byUuids(ctx.project.id, [...new Set(rows.flatMap((r) => indexes.map((i) => String(r[i]))))]);
  return rows.map((row) => {
    const out = [...row];
    for (const i of indexes) {
      const id = String(row[i]);
      const person = people.get(id);
      if (columns[i] === 'person_display_name') out[i] = { display_name: displayName(person, id), id };
      else if (shape === 'actor') out[i] = person ?? { id, uuid: id, properties: {}, distinct_ids: [] };
      else out[i] = person ? { uuid: person.uuid, created_at: person.created_at, properties: person.properties, distinct_id: person.distinct_ids[0] ?? null } : { uuid: id, properties: {}, distinct_id: null };
    }
    return out;
  });
}
