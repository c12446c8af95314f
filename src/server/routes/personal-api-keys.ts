import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HedgerowError } from '../../errors.js';
import type { ServerContext } from '../context.js';
import { actorOf, jsonBody, requireScope, visibleProjects } from '../auth.js';

const createKey = z.object({
  label: z.string().trim().min(1).max(100),
  scopes: z.array(z.string().regex(/^(\*|[a-z_]+:(read|write))$/, 'scopes are "*" or "<object>:read|write"')).min(1).default(['*']),
  scoped_teams: z.array(z.number().int().positive()).min(1).nullable().optional(),
});

/** `/api/personal_api_keys/`: create (the value is shown once), list, revoke. */
export function personalApiKeyRoutes(ctx: ServerContext) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.get('/api/personal_api_keys', async (request) => {
      const actor = actorOf(request);
      requireScope(actor, 'personal_api_key:read');
      return ctx.keys.listForUser(actor.userId);
    });

    app.post('/api/personal_api_keys', async (request, reply) => {
      const actor = actorOf(request);
      requireScope(actor, 'personal_api_key:write');
      const parsed = createKey.safeParse(jsonBody(request));
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new HedgerowError('invalid_input', `${issue.path.join('.') || 'body'}: ${issue.message}`, issue.path.join('.') || null);
      }
      const scopedTeams = parsed.data.scoped_teams ?? actor.scopedTeams;
      if (scopedTeams) {
        const visible = new Set((await visibleProjects(ctx, actor)).map((p) => p.id));
        const foreign = scopedTeams.find((id) => !visible.has(id));
        if (foreign !== undefined) throw new HedgerowError('invalid_input', `project ${foreign} is not one of yours`, 'scoped_teams');
      }
      const { id, value } = await ctx.keys.create({ userId: actor.userId, label: parsed.data.label, scopes: parsed.data.scopes, scopedTeams });
      const [created] = (await ctx.keys.listForUser(actor.userId)).filter((k) => k.id === id);
      return reply.status(201).send({ ...created, value });
    });

    app.delete<{ Params: { id: string } }>('/api/personal_api_keys/:id', async (request, reply) => {
      const actor = actorOf(request);
      requireScope(actor, 'personal_api_key:write');
      if (!(await ctx.keys.revoke(actor.userId, request.params.id))) throw new HedgerowError('not_found', 'Personal API key not found.');
      return reply.status(204).send();
    });
  };
}
