import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HedgerowError } from '../../errors.js';
import { hashPassword, verifyPassword } from '../../metadata/secrets.js';
import { SESSION_TTL_SECONDS, type SessionStore } from '../../metadata/sessions.js';
import { countOrganizationMembers, findUserById, findUserForLogin, setCurrentTeam, setFirstName } from '../../metadata/users.js';
import type { ServerContext } from '../context.js';
import { actorOf, jsonBody, requireCsrf, requireScope, visibleProjects } from '../auth.js';
import { CSRF_COOKIE, parseCookies, serializeCookie, SESSION_COOKIE } from '../cookies.js';
import { LoginThrottle } from '../login-throttle.js';
import type { Project } from '../../metadata/projects.js';

const loginBody = z.object({
  email: z.string().trim().min(1, 'enter your email').max(254),
  password: z.string().min(1, 'enter your password').max(1000),
});

const updateMe = z.object({
  set_current_team: z.union([z.number().int().positive(), z.string().regex(/^\d{1,9}$/).transform(Number)]).optional(),
  first_name: z.string().trim().max(150).optional(),
});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new HedgerowError('invalid_input', `${issue.path.join('.') || 'body'}: ${issue.message}`, issue.path.join('.') || null);
  }
  return parsed.data;
}

/** A cross-site HTML form cannot send JSON without a CORS preflight, which /api never grants: no login CSRF. */
function requireJson(request: FastifyRequest): void {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new HedgerowError('unsupported_media_type', 'send the login as JSON (Content-Type: application/json)');
}

function setSessionCookies(request: FastifyRequest, reply: FastifyReply, token: string, csrfToken: string, maxAgeSeconds: number): void {
  const secure = request.protocol === 'https';
  reply.header('set-cookie', [
    serializeCookie(SESSION_COOKIE, token, { maxAgeSeconds, httpOnly: true, secure }),
    serializeCookie(CSRF_COOKIE, csrfToken, { maxAgeSeconds, httpOnly: false, secure }),
  ]);
}

/** Unknown emails are checked against this too, so a wrong email takes as long as a wrong password. */
let decoyHash: string | undefined;

/** `POST /api/login` and `POST /api/logout`: outside the authenticated API. */
export function loginRoutes(ctx: ServerContext, sessions: SessionStore) {
  const throttle = new LoginThrottle();

  return async function routes(app: FastifyInstance): Promise<void> {
    app.post('/api/login', async (request, reply) => {
      requireJson(request);
      const { email, password } = parse(loginBody, jsonBody(request));
      const wait = throttle.retryAfterSeconds(request.ip);
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        throw new HedgerowError('throttled', `Too many failed logins from this address: try again in ${Math.ceil(wait / 60)} minute(s).`);
      }
      const user = await findUserForLogin(ctx.pg, email);
      const ok = await verifyPassword(password, user?.passwordHash ?? (decoyHash ??= hashPassword('decoy')));
      if (!user || !ok) {
        throttle.fail(request.ip);
        request.log.warn({ ip: request.ip }, 'failed login');
        throw new HedgerowError('authentication_failed', 'Invalid email or password.');
      }
      throttle.succeed(request.ip);
      const { token, csrfToken } = await sessions.create(user.id);
      setSessionCookies(request, reply, token, csrfToken, SESSION_TTL_SECONDS);
      return { success: true };
    });

    app.post('/api/logout', async (request, reply) => {
      const cookies = parseCookies(request.headers.cookie);
      const token = cookies[SESSION_COOKIE];
      const session = token ? await sessions.find(token) : null;
      if (token && session) {
        requireCsrf(sessions, session, request, cookies);
        await sessions.destroy(token);
      }
      setSessionCookies(request, reply, '', '', 0);
      return reply.status(204).send();
    });
  };
}

/** PostHog's TeamBasicSerializer fields that Hedgerow has. */
function teamBasic(p: Project): Record<string, unknown> {
  return { id: p.id, uuid: p.uuid, organization: p.organizationId, project_id: p.id, api_token: p.apiToken, name: p.name, timezone: p.timezone };
}

/** `/api/users/@me`: the subset of PostHog's user shape the web app and API clients read. */
export function userRoutes(ctx: ServerContext) {
  async function me(userId: number, projects: Project[]): Promise<Record<string, unknown>> {
    const user = await findUserById(ctx.pg, userId);
    if (!user) throw new HedgerowError('not_found', 'User not found.');
    const current = projects.find((p) => p.id === user.currentTeamId) ?? projects[0];
    const organization = { id: user.organizationId, name: user.organizationName };
    return {
      id: user.id,
      uuid: user.uuid,
      email: user.email,
      first_name: user.firstName,
      last_name: '',
      date_joined: user.createdAt,
      has_password: true,
      is_staff: false,
      team: current ? teamBasic(current) : null,
      organization: {
        ...organization,
        // The single admin of the organization is its owner (PostHog's level 15).
        membership_level: 15,
        teams: projects.map(teamBasic),
        projects: projects.map((p) => ({ id: p.id, name: p.name, organization_id: p.organizationId })),
      },
      organizations: [{ ...organization, logo_media_id: null, membership_level: 15, members_count: await countOrganizationMembers(ctx.pg, user.organizationId) }],
    };
  }

  return async function routes(app: FastifyInstance): Promise<void> {
    app.get('/api/users/@me', async (request) => {
      const actor = actorOf(request);
      requireScope(actor, 'user:read');
      return me(actor.userId, await visibleProjects(ctx, actor));
    });

    app.patch('/api/users/@me', async (request) => {
      const actor = actorOf(request);
      requireScope(actor, 'user:write');
      const body = parse(updateMe, jsonBody(request));
      const projects = await visibleProjects(ctx, actor);
      if (body.set_current_team !== undefined) {
        if (!projects.some((p) => p.id === body.set_current_team)) throw new HedgerowError('invalid_input', `project ${body.set_current_team} is not one of yours`, 'set_current_team');
        await setCurrentTeam(ctx.pg, actor.userId, body.set_current_team);
      }
      if (body.first_name !== undefined) await setFirstName(ctx.pg, actor.userId, body.first_name);
      return me(actor.userId, projects);
    });
  };
}
