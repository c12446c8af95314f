import type { Props } from './property-updates.js';

export interface Person {
  uuid: string;
  teamId: number;
  properties: Props;
  isIdentified: boolean;
  /** Epoch ms. */
  createdAt: number;
  version: number;
  distinctIds: Set<string>;
  /** Serialized `properties`, kept until they change (every event of the person embeds it). */
  propertiesJson?: string;
  createdAtText?: string;
}

export interface Group {
  teamId: number;
  index: number;
  key: string;
  properties: Props;
  createdAt: number;
}

/** A distinct id's row as written: `person_uuid` null when its person was deleted. */
export interface DistinctIdRow {
  team_id: number;
  distinct_id: string;
  person_uuid: string | null;
  version: number;
}

/** Everything one flush writes. */
export interface PersonChanges {
  persons: Person[];
  deleted: Person[];
  distinctIds: DistinctIdRow[];
  personless: Array<{ teamId: number; distinctId: string }>;
  groups: Group[];
  groupTypes: Array<{ teamId: number; type: string; index: number }>;
}

/** A person's properties as JSON, cached on the person until they change (`touch`). */
export function propertiesJson(p: Person): string {
  return (p.propertiesJson ??= JSON.stringify(p.properties));
}
