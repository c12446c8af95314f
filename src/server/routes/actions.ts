import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HedgerowError } from '../../errors.js';
import { actionStepSchema, type Action } from '../../metadata/actions.js';
import { zodToHttp } from '../../query/validate.js';
import type { ServerContext } from '../context.js';
import { actorOf, jsonBody, requireProject } from '../auth.js';
import { limitOffsetPage, limitOffsetParams } from '../pagination.js';

const actionBody = z.object({
  name: z.string().trim().min(1).max(400),
  description: z.string().max(10_000).optional(),
  steps: z.array(actionStepSchema).max(100).optional(),
  tags: z.array(z.string().max(100)).max(100).optional(),
  deleted: z.boolean().optional(),
});

/** PostHog's action fields (the ones Hedgerow has; the rest with PostHog's defaults). */
function serializeAction(a: Action): Record<string, unknown> {
  return {
    id: a.id,
    name: a.name,
    description: a.description,
    tags: a.tags,
    post_to_slack: false,
    slack_message_format: '',
    steps: a.steps,
    created_at: a.createdAt,
    created_by: null,
    deleted: a.deleted,
    is_calculating: false,
    last_calculated_at: a.updatedAt,
    team_id: a.teamId,
    is_action: true,
    bytecode_error: null,
    pinned_at: null,
  };
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw zodToHttp(parsed.error, 'body');
  return parsed.data;
}

/** `/api/projects/:id/actions/`: list, get, create, update (soft delete via `deleted`). */
export function actionRoutes(ctx: ServerContext) {
  const store = ctx.actions;
  return async function routes(app: FastifyInstance): Promise<void> {
    for (const prefix of ['/api/projects', '/api/environments']) {
      const base = `${prefix}/:project_id/actions`;
      type Params = { project_id: string; id: string };
      const actionId = (raw: string) => {
        if (!/^\d{1,9}$/.test(raw)) throw new HedgerowError('invalid_input', `action id must be a number, got "${raw.slice(0, 40)}"`, 'id');
        return Number(raw);
      };

      app.get<{ Params: Params; Querystring: Record<string, string | undefined> }>(base, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'action:read');
        const { limit, offset } = limitOffsetParams(request.query);
        const all = await store.list(project.id);
        return limitOffsetPage(request, { limit, offset, count: all.length, results: all.slice(offset, offset + limit).map(serializeAction) });
      });

      app.get<{ Params: Params }>(`${base}/:id`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'action:read');
        const action = await store.get(project.id, actionId(request.params.id));
        if (!action) throw new HedgerowError('not_found', 'Action not found.');
        return serializeAction(action);
      });

      app.post<{ Params: Params }>(base, async (request, reply) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'action:write');
        const body = parse(actionBody, jsonBody(request));
        const action = await store.create(project.id, { ...body, steps: body.steps ?? [], createdBy: actorOf(request).userId });
        return reply.status(201).send(serializeAction(action));
      });

      app.patch<{ Params: Params }>(`${base}/:id`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'action:write');
        const body = parse(actionBody.partial(), jsonBody(request));
        const action = await store.update(project.id, actionId(request.params.id), body);
        if (!action) throw new HedgerowError('not_found', 'Action not found.');
        return serializeAction(action);
      });

      app.delete<{ Params: Params }>(`${base}/:id`, async (request) => {
        await requireProject(ctx, request, request.params.project_id, 'action:write');
        throw new HedgerowError('method_not_allowed', 'DELETE is not allowed on actions: soft-delete with PATCH {"deleted": true}.');
      });
    }
  };
}
