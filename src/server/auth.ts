import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HedgerowError } from '../errors.js';
import { type ApiActor, hasScope } from '../metadata/personal-api-keys.js';
import type { Project } from '../metadata/projects.js';
import type { Session, SessionStore } from '../metadata/sessions.js';
import { sanitizeJsonText } from '../unicode.js';
import type { ServerContext } from './context.js';
import { CSRF_COOKIE, parseCookies, SESSION_COOKIE } from './cookies.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: ApiActor | null;
  }
}

/** The one place Bearer credentials are checked: `Authorization: Bearer phx_…` (personal API key). */
export async function actorFromHeader(ctx: ServerContext, header: string | undefined): Promise<ApiActor> {
  if (!header) throw new HedgerowError('not_authenticated', 'Authentication credentials were not provided: send "Authorization: Bearer <personal API key>".');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw new HedgerowError('authentication_failed', 'Authorization header must be "Bearer <personal API key>".');
  const value = match[1]!;
  if (value.startsWith('phc_')) {
    throw new HedgerowError('authentication_failed', 'A project API key (phc_) cannot read the private API; use a personal API key (phx_).');
  }
  const actor = await ctx.keys.authenticate(value);
  if (!actor) throw new HedgerowError('authentication_failed', 'Personal API key is invalid or has been revoked.');
  return actor;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Double-submit CSRF check for cookie-authenticated writes: the `X-CSRFToken` header must equal the
 * CSRF cookie, and that token must be the one issued with this session (so a cookie planted by a
 * sibling host cannot pass).
 */
export function requireCsrf(sessions: SessionStore, session: Session, request: FastifyRequest, cookies: Record<string, string>): void {
  const header = request.headers['x-csrftoken'];
  const cookie = cookies[CSRF_COOKIE];
  if (typeof header !== 'string' || !header || header !== cookie || !sessions.csrfMatches(session, header)) {
    throw new HedgerowError(
      'permission_denied',
      `CSRF check failed: a logged-in browser request that changes data must send the X-CSRFToken header with the value of the ${CSRF_COOKIE} cookie.`,
    );
  }
}

/**
 * The caller of the private API: a Bearer personal API key when `Authorization` is sent (unchanged),
 * otherwise the web app's session cookie, which acts with every scope of its user and must pass the
 * CSRF check on unsafe methods.
 */
export async function actorFromRequest(ctx: ServerContext, sessions: SessionStore, request: FastifyRequest): Promise<ApiActor> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) return actorFromHeader(ctx, authorization);
  const cookies = parseCookies(request.headers.cookie);
  const token = cookies[SESSION_COOKIE];
  if (!token) return actorFromHeader(ctx, undefined);
  const session = await sessions.find(token);
  if (!session) throw new HedgerowError('not_authenticated', 'Your session has expired or you have logged out: log in again.');
  if (!SAFE_METHODS.has(request.method)) requireCsrf(sessions, session, request, cookies);
  return session.actor;
}

/** The private API: every route under this hook has an authenticated actor. */
export function registerApiAuth(api: FastifyInstance, ctx: ServerContext, sessions: SessionStore): void {
  api.decorateRequest('actor', null);
  api.addHook('onRequest', async (request) => {
    request.actor = await actorFromRequest(ctx, sessions, request);
  });
}

export function actorOf(request: FastifyRequest): ApiActor {
  if (!request.actor) throw new HedgerowError('not_authenticated', 'Authentication credentials were not provided.');
  return request.actor;
}

export function requireScope(actor: ApiActor, scope: string): void {
  if (!hasScope(actor, scope)) throw new HedgerowError('permission_denied', `This API key lacks the scope "${scope}".`);
}

/** Projects this key may see: its organization's, narrowed to `scoped_teams` when the key has them. */
export async function visibleProjects(ctx: ServerContext, actor: ApiActor): Promise<Project[]> {
  const all = await ctx.projects.listForOrganization(actor.organizationId);
  return actor.scopedTeams ? all.filter((p) => actor.scopedTeams!.includes(p.id)) : all;
}

/**
 * Resolves `:project_id` (a number or `@current`) for this caller and checks the scope.
 * Another organization's project is reported as not found, so ids cannot be probed.
 */
export async function requireProject(ctx: ServerContext, request: FastifyRequest, projectId: string, scope: string): Promise<Project> {
  const actor = actorOf(request);
  requireScope(actor, scope);
  if (projectId === '@current') {
    const [first] = await visibleProjects(ctx, actor);
    if (!first) throw new HedgerowError('not_found', 'This API key has no project.');
    return first;
  }
  if (!/^\d{1,9}$/.test(projectId)) throw new HedgerowError('invalid_input', `project id must be a number or @current, got "${projectId}"`, 'project_id');
  const project = await ctx.projects.findById(Number(projectId));
  if (!project || project.organizationId !== actor.organizationId) throw new HedgerowError('not_found', `Project ${projectId} not found.`);
  requireProjectAccess(actor, project, scope);
  return project;
}

/** The key may act on this project with this scope (its organization's, within `scoped_teams`). */
export function requireProjectAccess(actor: ApiActor, project: Project, scope: string): void {
  requireScope(actor, scope);
  if (project.organizationId !== actor.organizationId || (actor.scopedTeams && !actor.scopedTeams.includes(project.id))) {
    throw new HedgerowError('permission_denied', `This API key has no access to project ${project.id}.`);
  }
}

/** Parses a JSON request body (the API keeps bodies raw until a route asks). */
export function jsonBody(request: FastifyRequest): Record<string, unknown> {
  const raw = request.body;
  if (raw === undefined || raw === null || (Buffer.isBuffer(raw) && raw.length === 0)) return {};
  if (!Buffer.isBuffer(raw)) throw new HedgerowError('invalid_input', 'request body could not be read');
  let value: unknown;
  try {
    value = JSON.parse(sanitizeJsonText(raw.toString('utf8'))); // NUL and lone surrogates: Postgres cannot store them
  } catch (err) {
    throw new HedgerowError('invalid_input', `request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HedgerowError('invalid_input', 'request body must be a JSON object');
  return value as Record<string, unknown>;
}
