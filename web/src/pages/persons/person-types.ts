/** A person as `/api/projects/:id/persons/` returns it. */
export interface Person {
  id: string;
  uuid: string;
  name: string;
  distinct_ids: string[];
  properties: Record<string, unknown>;
  is_identified: boolean;
  created_at: string;
}

/** PostHog's display name: email, then name, then the first distinct id. */
export function displayName(person: Person): string {
  const { email, name } = person.properties;
  if (typeof email === 'string' && email) return email;
  if (typeof name === 'string' && name) return name;
  return person.distinct_ids[0] ?? person.uuid;
}

/** A property value as text: strings as they are, everything else as JSON. */
export function propertyText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value);
}
