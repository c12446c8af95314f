import crypto from 'node:crypto';
import type { Postgres, Queryable } from '../storage/postgres.js';
import { generateToken, hashApiKey, maskApiKey } from './secrets.js';

/** Who is calling the private API, as established from a personal API key. */
export interface ApiActor {
  userId: number;
  email: string;
  organizationId: string;
  keyId: string;
  /** PostHog scopes such as `event:read`; `*` grants everything. */
  scopes: string[];
  /** When set, the key may only touch these project ids. */
  scopedTeams: number[] | null;
}

interface ActorRow {
  user_id: number;
  email: string;
  organization_id: string;
  key_id: string;
  scopes: string[];
  scoped_teams: number[] | null;
}

export class PersonalApiKeyStore {
  /** hash → actor; keys are checked on every API call, and PGlite lookups cost ~1 ms. */
  private readonly cache = new Map<string, ApiActor | null>();

  constructor(private readonly pg: Postgres) {}

  async authenticate(value: string): Promise<ApiActor | null> {
    const hash = hashApiKey(value);
    const cached = this.cache.get(hash);
    if (cached !== undefined) return cached;
    const [row] = await this.pg.query<ActorRow>(
      `SELECT u.id AS user_id, u.email, u.organization_id, k.id AS key_id, k.scopes, k.scoped_teams
         FROM personal_api_keys k JOIN users u ON u.id = k.user_id
        WHERE k.secure_value = $1`,
      [hash],
    );
    const actor: ApiActor | null = row
      ? {
          userId: row.user_id,
          email: row.email,
          organizationId: row.organization_id,
          keyId: row.key_id,
          scopes: row.scopes,
          scopedTeams: row.scoped_teams,
        }
      : null;
    // Only successes are cached: caching misses would let random keys grow the map without bound.
    if (actor) this.cache.set(hash, actor);
    return actor;
  }

  async listForUser(userId: number): Promise<PersonalApiKeyInfo[]> {
    const rows = await this.pg.query<PersonalApiKeyInfo & { created_at: Date; last_used_at: Date | null }>(
      `SELECT id, label, mask_value, scopes, scoped_teams, created_at, last_used_at
         FROM personal_api_keys WHERE user_id = $1 ORDER BY created_at`,
      [userId],
    );
    return rows.map((r) => ({
      ...r,
      created_at: new Date(r.created_at).toISOString(),
      last_used_at: r.last_used_at ? new Date(r.last_used_at).toISOString() : null,
    }));
  }

  /** Deletes the key; cached authentications are dropped so it stops working at once. */
  async revoke(userId: number, id: string): Promise<boolean> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
    const rows = await this.pg.query('DELETE FROM personal_api_keys WHERE id = $1 AND user_id = $2 RETURNING id', [id, userId]);
    this.cache.clear();
    return rows.length > 0;
  }

  async create(
    input: { userId: number; label: string; scopes?: string[]; scopedTeams?: number[] | null; value?: string },
    db: Queryable = this.pg,
  ): Promise<{ id: string; value: string }> {
    const value = input.value ?? generateToken('phx_');
    const id = crypto.randomUUID();
    await db.query(
      `INSERT INTO personal_api_keys (id, user_id, label, secure_value, mask_value, scopes, scoped_teams)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, input.userId, input.label, hashApiKey(value), maskApiKey(value), input.scopes ?? ['*'], input.scopedTeams ?? null],
    );
    return { id, value };
  }
}

export interface PersonalApiKeyInfo {
  id: string;
  label: string;
  mask_value: string;
  scopes: string[];
  scoped_teams: number[] | null;
  created_at: string;
  last_used_at: string | null;
}

export function hasScope(actor: ApiActor, scope: string): boolean {
  if (actor.scopes.includes('*')) return true;
  if (actor.scopes.includes(scope)) return true;
  // A write scope implies the read scope of the same object, as in PostHog.
  const [object, action] = scope.split(':');
  return action === 'read' && actor.scopes.includes(`${object}:write`);
}
