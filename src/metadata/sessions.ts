import crypto from 'node:crypto';
import type { Postgres } from '../storage/postgres.js';
import type { ApiActor } from './personal-api-keys.js';
import { generateSessionToken, hashSessionToken } from './secrets.js';

/** How long a browser login lasts (PostHog's default session age is two weeks too). */
export const SESSION_TTL_SECONDS = 14 * 24 * 3600;

/** A logged-in browser: the user acts with every scope, as PostHog's session auth does. */
export interface Session {
  actor: ApiActor;
  csrfHash: string;
  expiresAt: number;
}

interface SessionRow {
  user_id: number;
  email: string;
  organization_id: string;
  csrf_hash: string;
  expires_at: Date;
}

/** Bounded so that a flood of distinct valid sessions cannot grow memory without limit. */
const CACHE_MAX = 10_000;

export class SessionStore {
  /** token hash → session; the API checks the session on every call from the web app. */
  private readonly cache = new Map<string, Session>();

  constructor(private readonly pg: Postgres) {}

  /** Starts a session; the returned tokens go into cookies and are never stored in clear. */
  async create(userId: number): Promise<{ token: string; csrfToken: string }> {
    const token = generateSessionToken();
    const csrfToken = generateSessionToken();
    // Expired rows are removed here rather than by a timer: logins are rare, and the server stays idle.
    await this.pg.writeBatch([
      { sql: 'DELETE FROM sessions WHERE expires_at < now()', params: [] },
      {
        sql: `INSERT INTO sessions (token_hash, csrf_hash, user_id, expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
        params: [hashSessionToken(token), hashSessionToken(csrfToken), userId, SESSION_TTL_SECONDS],
      },
    ]);
    return { token, csrfToken };
  }

  async find(token: string): Promise<Session | null> {
    const hash = hashSessionToken(token);
    const cached = this.cache.get(hash);
    if (cached) {
      if (cached.expiresAt > Date.now()) return cached;
      this.cache.delete(hash);
      return null;
    }
    const [row] = await this.pg.query<SessionRow>(
      `SELECT s.user_id, u.email, u.organization_id, s.csrf_hash, s.expires_at
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.expires_at > now()`,
      [hash],
    );
    if (!row) return null;
    const session: Session = {
      actor: { userId: row.user_id, email: row.email, organizationId: row.organization_id, keyId: 'session', scopes: ['*'], scopedTeams: null },
      csrfHash: row.csrf_hash,
      expiresAt: new Date(row.expires_at).getTime(),
    };
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(hash, session);
    return session;
  }

  /** The CSRF token sent back by the page belongs to this session (compared in constant time). */
  csrfMatches(session: Session, csrfToken: string): boolean {
    const given = Buffer.from(hashSessionToken(csrfToken), 'hex');
    const expected = Buffer.from(session.csrfHash, 'hex');
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  }

  /** Logs out: the cookie stops working at once. */
  async destroy(token: string): Promise<void> {
    const hash = hashSessionToken(token);
    this.cache.delete(hash);
    await this.pg.query('DELETE FROM sessions WHERE token_hash = $1', [hash]);
  }
}
