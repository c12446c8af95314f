import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeCapturePayload } from '../../capture/decode.js';
import { HedgerowError } from '../../errors.js';
import { definitionsPayload } from '../../flags/flag-definitions.js';
import { FlagService } from '../../flags/flag-service.js';
import { parseFlagsRequest } from '../../flags/flags-request.js';
import { responseShape, shapeFlagsResponse } from '../../flags/flags-response.js';
import type { Project } from '../../metadata/projects.js';
import type { ServerContext } from '../context.js';
import { actorFromHeader, requireProjectAccess } from '../auth.js';
import { remoteConfigFor } from './remote-config.js';

const FLAGS_BODY_LIMIT = 1024 * 1024;
const MEDIA_TYPES = new Set(['', 'application/json', 'text/plain', 'application/x-www-form-urlencoded']);

/** `?v=2` → 2; absent or unparseable → undefined. */
function versionParam(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const v = Number.parseInt(raw, 10);
  return Number.isFinite(v) ? v : undefined;
}

/**
 * Remote flag evaluation for the SDKs (`/flags`, legacy `/decide`) and the flag definitions server
 * SDKs evaluate locally (`/flags/definitions`, legacy `/api/feature_flag/local_evaluation`).
 */
export function flagRoutes(ctx: ServerContext) {
  const service = new FlagService(ctx);

  async function projectForToken(token: string | undefined): Promise<Project> {
    if (!token) throw new HedgerowError('invalid_api_key', 'No project API key (token) was found in the request.', 'token');
    const project = await ctx.projects.findByToken(token);
    if (!project) throw new HedgerowError('invalid_api_key', 'Project API key invalid. You can find your project API key in your project settings.', 'token');
    return project;
  }

  async function hasFlags(project: Project): Promise<boolean> {
    return (await ctx.flags.active(project.id)).flags.length > 0;
  }

  async function evaluate(endpoint: 'flags' | 'decide', request: FastifyRequest<{ Querystring: Record<string, string | undefined> }>, reply: FastifyReply) {
    const query = request.query;
    const meta = { requestId: crypto.randomUUID(), evaluatedAt: Date.now(), errors: false };
    const shape = responseShape(endpoint, versionParam(query.v));
    if (request.method === 'HEAD') return reply.status(200).send();
    if (request.method === 'GET') return shapeFlagsResponse(shape, [], meta);
    const mediaType = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!MEDIA_TYPES.has(mediaType)) throw new HedgerowError('unsupported_media_type', `unsupported content type '${mediaType}': send application/json, text/plain or a form`);
    const decoded = await decodeCapturePayload({
      body: Buffer.isBuffer(request.body) ? request.body : undefined,
      query,
      contentType: request.headers['content-type'],
      contentEncoding: request.headers['content-encoding'],
      limit: FLAGS_BODY_LIMIT,
    });
    const req = parseFlagsRequest(decoded);
    const project = await projectForToken(req.token ?? query.token ?? query.api_key);
    const { results, errors } = await service.evaluate(project, req);
    // `/decide` always carried the remote config; `/flags` only when asked (posthog-js 1.234–1.349).
    const withConfig = endpoint === 'decide' || query.config === 'true' || query.config === '1';
    const config = withConfig ? remoteConfigFor(project, await hasFlags(project)) : undefined;
    return shapeFlagsResponse(shape, results, { ...meta, errors, config });
  }

  async function definitions(request: FastifyRequest<{ Querystring: Record<string, string | undefined> }>, reply: FastifyReply) {
    const actor = await actorFromHeader(ctx, request.headers.authorization);
    const project = await projectForToken(request.query.token);
    requireProjectAccess(actor, project, 'feature_flag:read');
    const active = await ctx.flags.active(project.id);
    const cohorts = await ctx.cohorts.all(project.id);
    const mapping = await ctx.pg.query<{ group_type: string; group_type_index: number }>(
      'SELECT group_type, group_type_index FROM group_type_mappings WHERE team_id = $1 ORDER BY group_type_index',
      [project.id],
    );
    const { body, etag } = definitionsPayload(
      active.flags,
      active.evaluable,
      cohorts,
      Object.fromEntries(mapping.map((m) => [String(m.group_type_index), m.group_type])),
      request.query.send_cohorts !== undefined,
    );
    reply.header('etag', etag).header('cache-control', 'private, must-revalidate');
    const ifNoneMatch = request.headers['if-none-match'];
    if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim() === etag)) return reply.status(304).send();
    return reply.header('content-type', 'application/json; charset=utf-8').send(body);
  }

  return async function routes(app: FastifyInstance): Promise<void> {
    for (const endpoint of ['flags', 'decide'] as const) {
      app.route<{ Querystring: Record<string, string | undefined> }>({
        method: ['GET', 'POST', 'HEAD'],
        url: `/${endpoint}`,
        bodyLimit: FLAGS_BODY_LIMIT,
        exposeHeadRoute: false,
        handler: (request, reply) => evaluate(endpoint, request, reply),
      });
    }
    for (const url of ['/flags/definitions', '/api/feature_flag/local_evaluation']) {
      app.get<{ Querystring: Record<string, string | undefined> }>(url, definitions);
    }
  };
}
