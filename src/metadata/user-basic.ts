import type { Postgres } from '../storage/postgres.js';

/** PostHog's UserBasicSerializer fields (`created_by`, `last_modified_by` of saved objects). */
export interface UserBasic {
  id: number;
  uuid: string;
  distinct_id: string;
  first_name: string;
  last_name: string;
  email: string;
  is_email_verified: boolean;
  hedgehog_config: null;
  role_at_organization: null;
}

/** The users behind these ids (nulls and repeats ignored), by id. */
export async function basicUsers(pg: Postgres, ids: Array<number | null>): Promise<Map<number, UserBasic>> {
  const wanted = [...new Set(ids.filter((x): x is number => x !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await pg.query<{ id: number; uuid: string; first_name: string; email: string }>('SELECT id, uuid, first_name, email FROM users WHERE id = ANY($1::int[])', [wanted]);
  return new Map(
    rows.map((u) => [
      u.id,
      { id: u.id, uuid: u.uuid, distinct_id: u.uuid, first_name: u.first_name, last_name: '', email: u.email, is_email_verified: false, hedgehog_config: null, role_at_organization: null },
    ]),
  );
}
