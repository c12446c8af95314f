import type { FastifyInstance } from 'fastify';
import { PersonQueries } from '../../persons/person-queries.js';
import { actionToExpr } from '../../hogql/action-expr.js';
import type { QueryContext } from '../../query/query-context.js';
import { runQueryRequest } from '../../query/run-query.js';
import type { Project } from '../../metadata/projects.js';
import type { ServerContext } from '../context.js';
import { cohortResolver } from '../../cohorts/cohort-store.js';
import type { CohortProjectContext } from '../../cohorts/cohort-calculator.js';
import { HedgerowError } from '../../errors.js';
import { jsonBody, requireProject } from '../auth.js';

/**
 * Builds the QueryContext a request runs with (shared by `/query/` and the saved-insight routes).
 * "now" is fixed when the context is built.
 */
export function queryContextBuilder(ctx: ServerContext): (project: Project) => Promise<QueryContext> {
  const persons = new PersonQueries(ctx.pg);
  return async function queryContext(project: Project): Promise<QueryContext> {
    await ctx.definitions.ensureLoaded(project.id);
    const actions = await ctx.actions.all(project.id);
    const cohorts = await ctx.cohorts.all(project.id);
    const propertyType: QueryContext['propertyType'] = (kind, key, groupTypeIndex) => ctx.definitions.propertyType(project.id, kind, key, groupTypeIndex);
    return {
      project,
      ch: ctx.ch,
      log: ctx.log,
      persons,
      propertyType,
      now: new Date(),
      actions,
      cohorts,
      experiment: async (id) => {
        const experiment = await ctx.experiments.get(project.id, id);
        const flag = experiment && (await ctx.flags.get(project.id, experiment.featureFlagId));
        return experiment && flag ? { experiment, flag } : undefined;
      },
      compileOptions: {
        teamId: project.id,
        timezone: project.timezone,
        propertyType,
        materializedProperty: (key) => ctx.materialized.column(key),
        action: (idOrName) => {
          const action = typeof idOrName === 'number' ? actions.get(idOrName) : [...actions.values()].find((a) => a.name === idOrName && !a.deleted);
          return action && actionToExpr(action, { propertyType });
        },
        cohort: cohortResolver(cohorts),
        onPropertyRead: (key) => ctx.materialized.noteRead(key),
        maxExecutionSeconds: ctx.config.query.maxExecutionSeconds,
        maxMemoryBytes: ctx.config.query.maxMemoryBytes,
      },
    };
  };
}

/** What cohort calculation needs of a project: the query compiler options and the context of definitions. */
export async function cohortProjectContext(ctx: ServerContext, teamId: number): ReturnType<CohortProjectContext> {
  const project = await ctx.projects.findById(teamId);
  if (!project) throw new HedgerowError('not_found', `Project ${teamId} not found.`);
  const q = await queryContextBuilder(ctx)(project);
  const cohorts = await ctx.cohorts.all(teamId);
  return {
    compile: q.compileOptions,
    expr: {
      teamTimezone: project.timezone,
      now: q.now,
      propertyType: q.propertyType,
      cohort: (id) => cohorts.get(id),
      action: (id) => {
        const action = q.actions.get(id);
        return action && !action.deleted ? actionToExpr(action, { propertyType: q.propertyType }) : undefined;
      },
    },
  };
}

/** `POST /api/projects/:id/query/` (and `/api/environments/…`, and the kind-scoped `/query/:kind/`). */
export function queryRoutes(ctx: ServerContext) {
  const queryContext = queryContextBuilder(ctx);

  return async function routes(app: FastifyInstance): Promise<void> {
    for (const prefix of ['/api/projects', '/api/environments']) {
      for (const path of ['query', 'query/:kind']) {
        app.post<{ Params: { project_id: string } }>(`${prefix}/:project_id/${path}`, async (request) => {
          const project = await requireProject(ctx, request, request.params.project_id, 'query:read');
          return runQueryRequest(jsonBody(request), await queryContext(project));
        });
      }
    }
  };
}
