import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HedgerowError } from '../../errors.js';
import { propertyFilterSchema } from '../../hogql/property-filters.js';
import type { Project } from '../../metadata/projects.js';
import type { ServerContext } from '../context.js';
import { actorOf, jsonBody, requireProject, requireScope, visibleProjects } from '../auth.js';

/** PostHog's project (team) fields that Hedgerow has. */
export function serializeProject(p: Project): Record<string, unknown> {
  return {
    id: p.id,
    project_id: p.id,
    uuid: p.uuid,
    organization: p.organizationId,
    name: p.name,
    api_token: p.apiToken,
    timezone: p.timezone,
    test_account_filters: p.testAccountFilters,
    test_account_filters_default_checked: false,
    week_start_day: p.weekStartDay ?? 0,
    path_cleaning_filters: p.pathCleaningFilters ?? [],
    created_at: p.createdAt,
  };
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false; // Intl throws RangeError for unknown zones; that is the answer, not a failure
  }
}

import { pathCleaningRuleSchema } from '../../insights/paths.js';

function isRegex(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false; // the constructor's SyntaxError is the answer
  }
}

const weekStartDay = z.union([z.literal(0), z.literal(1), z.null()]).optional();

const createProject = z.object({
  name: z.string().trim().min(1).max(200),
  timezone: z.string().refine(isTimeZone, 'not an IANA time zone').optional(),
  week_start_day: weekStartDay,
});

const updateProject = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  timezone: z.string().refine(isTimeZone, 'not an IANA time zone').optional(),
  test_account_filters: z.array(propertyFilterSchema).max(100).optional(),
  // PostHog: 0 = Sunday, 1 = Monday (null resets to the default, Sunday).
  week_start_day: weekStartDay,
  path_cleaning_filters: z
    .array(pathCleaningRuleSchema.refine((r) => !r.regex || isRegex(r.regex), 'regex is not a valid regular expression'))
    .max(100)
    .optional(),
});

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new HedgerowError('invalid_input', `${issue.path.join('.') || 'body'}: ${issue.message}`, issue.path.join('.') || null);
  }
  return parsed.data;
}

export function projectRoutes(ctx: ServerContext) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.get('/api/projects', async (request) => {
      const actor = actorOf(request);
      requireScope(actor, 'project:read');
      const results = (await visibleProjects(ctx, actor)).map(serializeProject);
      return { count: results.length, next: null, previous: null, results };
    });

    app.get<{ Params: { project_id: string } }>('/api/projects/:project_id', async (request) =>
      serializeProject(await requireProject(ctx, request, request.params.project_id, 'project:read')),
    );

    app.post('/api/projects', async (request, reply) => {
      const actor = actorOf(request);
      requireScope(actor, 'project:write');
      if (actor.scopedTeams) throw new HedgerowError('permission_denied', 'A key scoped to projects cannot create projects.');
      const { week_start_day, ...body } = parseBody(createProject, jsonBody(request));
      const project = await ctx.projects.create({ organizationId: actor.organizationId, ...body, weekStartDay: week_start_day ?? 0 });
      return reply.status(201).send(serializeProject(project));
    });

    // Project settings: name, timezone (bucketing of every insight), week start day (insight weeks),
    // test-account filters (`filterTestAccounts`), path cleaning rules (PathsQuery `pathReplacements`).
    for (const prefix of ['/api/projects', '/api/environments']) {
      app.patch<{ Params: { project_id: string } }>(`${prefix}/:project_id`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'project:write');
        const body = parseBody(updateProject, jsonBody(request));
        const updated = await ctx.projects.update(project.id, {
          name: body.name,
          timezone: body.timezone,
          testAccountFilters: body.test_account_filters,
          weekStartDay: body.week_start_day === undefined ? undefined : (body.week_start_day ?? 0),
          pathCleaningFilters: body.path_cleaning_filters,
        });
        if (!updated) throw new HedgerowError('not_found', `Project ${project.id} not found.`);
        return serializeProject(updated);
      });
    }
  };
}
