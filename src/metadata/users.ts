import type { Queryable } from '../storage/postgres.js';

/** A Hedgerow user (PostHog's `User`): the admin bootstrapped at first start, for now the only one. */
export interface User {
  id: number;
  uuid: string;
  email: string;
  firstName: string;
  organizationId: string;
  organizationName: string;
  /** PostHog's `current_team`: the project bare app paths open; null until the user picks one. */
  currentTeamId: number | null;
  createdAt: string;
}

interface UserRow {
  id: number;
  uuid: string;
  email: string;
  first_name: string;
  organization_id: string;
  organization_name: string;
  current_team_id: number | null;
  created_at: Date;
  password_hash: string;
}

const SELECT = `SELECT u.id, u.uuid, u.email, u.first_name, u.organization_id, o.name AS organization_name, u.current_team_id,
    u.created_at, u.password_hash
  FROM users u JOIN organizations o ON o.id = u.organization_id`;

function fromRow(row: UserRow): User {
  return {
    id: row.id,
    uuid: row.uuid,
    email: row.email,
    firstName: row.first_name,
    organizationId: row.organization_id,
    organizationName: row.organization_name,
    currentTeamId: row.current_team_id,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export async function findUserById(db: Queryable, id: number): Promise<User | undefined> {
  const [row] = await db.query<UserRow>(`${SELECT} WHERE u.id = $1`, [id]);
  return row ? fromRow(row) : undefined;
}

/** Emails match case-insensitively, as people type them. The password hash is returned for login only. */
export async function findUserForLogin(db: Queryable, email: string): Promise<(User & { passwordHash: string }) | undefined> {
  const [row] = await db.query<UserRow>(`${SELECT} WHERE lower(u.email) = lower($1)`, [email.trim()]);
  return row ? { ...fromRow(row), passwordHash: row.password_hash } : undefined;
}

export async function setCurrentTeam(db: Queryable, userId: number, teamId: number): Promise<void> {
  await db.query('UPDATE users SET current_team_id = $2 WHERE id = $1', [userId, teamId]);
}

export async function setFirstName(db: Queryable, userId: number, firstName: string): Promise<void> {
  await db.query('UPDATE users SET first_name = $2 WHERE id = $1', [userId, firstName]);
}

export async function countOrganizationMembers(db: Queryable, organizationId: string): Promise<number> {
  const [row] = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM users WHERE organization_id = $1', [organizationId]);
  return row?.count ?? 0;
}
