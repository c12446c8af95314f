import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HedgerowError } from '../../errors.js';
import { experimentMetricSchema, exposureCriteriaSchema } from '../../experiments/experiment-data.js';
import {
  assertArchivable,
  assertLaunched,
  assertRunning,
  assertUnarchivable,
  conclusionCommentSchema,
  conclusionSchema,
  endBodySchema,
  filtersForShippedVariant,
  shipVariantBodySchema,
} from '../../experiments/experiment-lifecycle.js';
import type { Experiment, ExperimentWrite } from '../../experiments/experiment-store.js';
import type { StoredFlag } from '../../flags/flag-store.js';
import type { FlagFilters } from '../../flags/flag-types.js';
import { zodToHttp } from '../../query/validate.js';
import type { ServerContext } from '../context.js';
import { actorOf, jsonBody, requireProject } from '../auth.js';
import { limitOffsetPage, limitOffsetParams } from '../pagination.js';

const variantSchema = z.object({ key: z.string().min(1).max(400).regex(/^[a-zA-Z0-9_-]+$/, 'variant keys use letters, digits, - and _'), name: z.string().nullish(), rollout_percentage: z.number().min(0).max(100) });
const datetime = z.string().datetime({ offset: true }).nullish();

const experimentBody = z.object({
  name: z.string().trim().min(1).max(400),
  description: z.string().max(10_000).optional(),
  feature_flag_key: z.string().min(1).max(400).regex(/^[a-zA-Z0-9_-]+$/, 'Only letters, numbers, hyphens ("-") & underscores ("_") are allowed.'),
  start_date: datetime,
  end_date: datetime,
  parameters: z
    .object({ feature_flag_variants: z.array(variantSchema).min(2).max(10).nullish(), minimum_detectable_effect: z.number().nullish() })
    .passthrough()
    .nullish(),
  filters: z.record(z.string(), z.unknown()).nullish(),
  metrics: z.array(experimentMetricSchema).max(20).nullish(),
  metrics_secondary: z.array(experimentMetricSchema).max(20).nullish(),
  exposure_criteria: exposureCriteriaSchema.nullish(),
  stats_config: z.object({ method: z.enum(['bayesian', 'frequentist']).nullish() }).passthrough().nullish(),
  type: z.enum(['product', 'web']).optional(),
  archived: z.boolean().optional(),
  deleted: z.boolean().optional(),
  conclusion: conclusionSchema.nullish(),
  conclusion_comment: conclusionCommentSchema.nullish(),
});
type ExperimentBody = z.infer<typeof experimentBody>;

const DEFAULT_VARIANTS = [
  { key: 'control', rollout_percentage: 50 },
  { key: 'test', rollout_percentage: 50 },
];

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw zodToHttp(parsed.error, 'body');
  return parsed.data;
}

/** PostHog's rules for an experiment's variants: a `control`, unique keys, rollouts summing to 100. */
function checkVariants(variants: { key: string; rollout_percentage: number }[], attr: string): void {
  if (!variants.some((v) => v.key === 'control')) throw new HedgerowError('invalid_input', 'Feature flag variants must contain a control variant', attr);
  if (new Set(variants.map((v) => v.key)).size !== variants.length) throw new HedgerowError('invalid_input', 'Feature flag variant keys must be unique', attr);
  const total = variants.reduce((s, v) => s + v.rollout_percentage, 0);
  if (Math.abs(total - 100) > 1e-9) throw new HedgerowError('invalid_input', 'Invalid variant definitions: Variant rollout percentages must sum to 100.', attr);
}

function toWrite(body: Partial<ExperimentBody>): ExperimentWrite {
  return {
    name: body.name,
    description: body.description,
    startDate: body.start_date,
    endDate: body.end_date,
    parameters: body.parameters ?? undefined,
    filters: body.filters ?? undefined,
    metrics: body.metrics ?? undefined,
    metricsSecondary: body.metrics_secondary ?? undefined,
    exposureCriteria: body.exposure_criteria,
    statsConfig: body.stats_config,
    type: body.type,
    archived: body.archived,
    deleted: body.deleted,
    conclusion: body.conclusion,
    conclusionComment: body.conclusion_comment,
  };
}

function serializeFlag(f: StoredFlag): Record<string, unknown> {
  return {
    id: f.id,
    team_id: f.teamId,
    name: f.name,
    key: f.key,
    filters: f.filters,
    deleted: f.deleted,
    active: f.active,
    ensure_experience_continuity: f.ensureExperienceContinuity,
    has_encrypted_payloads: false,
    version: f.version,
  };
}

/** PostHog's experiment fields (the ones Hedgerow has; the rest with PostHog's defaults). */
function serializeExperiment(e: Experiment, flag: StoredFlag | undefined): Record<string, unknown> {
  return {
    id: e.id,
    name: e.name,
    description: e.description,
    start_date: e.startDate,
    end_date: e.endDate,
    feature_flag_key: flag?.key ?? null,
    feature_flag: flag ? serializeFlag(flag) : null,
    holdout: null,
    holdout_id: null,
    exposure_cohort: null,
    parameters: e.parameters,
    secondary_metrics: [],
    saved_metrics: [],
    saved_metrics_ids: [],
    filters: e.filters,
    archived: e.archived,
    deleted: e.deleted,
    created_by: null,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
    type: e.type,
    exposure_criteria: e.exposureCriteria,
    metrics: e.metrics,
    metrics_secondary: e.metricsSecondary,
    stats_config: e.statsConfig,
    conclusion: e.conclusion,
    conclusion_comment: e.conclusionComment,
    status: !e.startDate ? 'draft' : e.endDate ? 'stopped' : 'running',
  };
}

/** `/api/projects/:id/experiments/`: experiments on multivariate flags; results come from `ExperimentQuery`. */
export function experimentRoutes(ctx: ServerContext) {
  const store = ctx.experiments;

  /** The experiment's flag: an existing multivariate flag with a control, or a new one created inactive until launch. */
  async function flagFor(teamId: number, body: ExperimentBody, userId: number): Promise<StoredFlag> {
    const existing = [...(await ctx.flags.all(teamId)).values()].find((f) => f.key === body.feature_flag_key);
    if (existing) {
      const variants = existing.filters.multivariate?.variants ?? [];
      if (variants.length < 2) throw new HedgerowError('invalid_input', 'Feature flag must be multivariate (have at least two variants) to run an experiment', 'feature_flag_key');
      checkVariants(variants, 'feature_flag_key');
      return existing;
    }
    const variants = body.parameters?.feature_flag_variants ?? DEFAULT_VARIANTS;
    checkVariants(variants, 'parameters');
    const filters: FlagFilters = { groups: [{ properties: [], rollout_percentage: 100 }], multivariate: { variants }, payloads: {} };
    return ctx.flags.create(teamId, { key: body.feature_flag_key, name: `Feature Flag for Experiment ${body.name}`, filters, active: Boolean(body.start_date) }, userId);
  }

  async function find(request: FastifyRequest<{ Params: { project_id: string; id: string } }>, scope: string): Promise<{ experiment: Experiment; flag: StoredFlag | undefined }> {
    const project = await requireProject(ctx, request, request.params.project_id, scope);
    if (!/^\d{1,9}$/.test(request.params.id)) throw new HedgerowError('invalid_input', `experiment id must be a number, got "${request.params.id.slice(0, 40)}"`, 'id');
    const experiment = await store.get(project.id, Number(request.params.id));
    if (!experiment) throw new HedgerowError('not_found', 'Experiment not found.');
    return { experiment, flag: await ctx.flags.get(project.id, experiment.featureFlagId) };
  }

  /** The experiment as the API answers after a lifecycle action (with its flag as it now is). */
  async function answer(updated: Experiment | undefined): Promise<Record<string, unknown>> {
    if (!updated) throw new HedgerowError('not_found', 'Experiment not found.');
    ctx.flags.invalidate(updated.teamId);
    return serializeExperiment(updated, await ctx.flags.get(updated.teamId, updated.featureFlagId));
  }

  return async function routes(app: FastifyInstance): Promise<void> {
    for (const prefix of ['/api/projects', '/api/environments']) {
      const base = `${prefix}/:project_id/experiments`;
      type Params = { project_id: string; id: string };

      app.get<{ Params: Params; Querystring: Record<string, string | undefined> }>(base, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'experiment:read');
        const { limit, offset } = limitOffsetParams(request.query);
        // `?archived=true|false` picks one side (PostHog's list filter); without it, every experiment.
        const archived = request.query.archived;
        if (archived !== undefined && archived !== 'true' && archived !== 'false') throw new HedgerowError('invalid_input', 'archived must be true or false', 'archived');
        const all = (await store.list(project.id)).filter((e) => archived === undefined || e.archived === (archived === 'true'));
        const page = all.slice(offset, offset + limit);
        const flags = await ctx.flags.all(project.id);
        return limitOffsetPage(request, { limit, offset, count: all.length, results: page.map((e) => serializeExperiment(e, flags.get(e.featureFlagId))) });
      });

      app.get<{ Params: Params }>(`${base}/:id`, async (request) => {
        const { experiment, flag } = await find(request, 'experiment:read');
        return serializeExperiment(experiment, flag);
      });

      app.post<{ Params: Params }>(base, async (request, reply) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'experiment:write');
        const body = parse(experimentBody, jsonBody(request));
        const userId = actorOf(request).userId;
        const { experiment, flag } = await ctx.flags.serialized(async () => {
          const flag = await flagFor(project.id, body, userId);
          const experiment = await store.create(project.id, flag.id, { ...toWrite(body), name: body.name }, userId);
          return { experiment, flag };
        });
        ctx.flags.invalidate(project.id); // has_experiment
        return reply.status(201).send(serializeExperiment(experiment, await ctx.flags.get(project.id, flag.id)));
      });

      app.patch<{ Params: Params }>(`${base}/:id`, async (request) => {
        const { experiment, flag } = await find(request, 'experiment:write');
        const body = parse(experimentBody.partial(), jsonBody(request));
        if (body.feature_flag_key !== undefined && body.feature_flag_key !== flag?.key) throw new HedgerowError('invalid_input', "Can't change feature flag key of an experiment", 'feature_flag_key');
        const teamId = experiment.teamId;
        const userId = actorOf(request).userId;
        if (flag && body.parameters?.feature_flag_variants) {
          if (experiment.startDate) throw new HedgerowError('invalid_input', "Can't update feature_flag_variants on a launched experiment", 'parameters');
          checkVariants(body.parameters.feature_flag_variants, 'parameters');
          await ctx.flags.update(teamId, flag.id, { filters: { ...flag.filters, multivariate: { variants: body.parameters.feature_flag_variants } } }, userId);
        }
        // Launching activates the flag, as PostHog does.
        if (flag && body.start_date && !experiment.startDate && !flag.active) await ctx.flags.update(teamId, flag.id, { active: true }, userId);
        const updated = await store.update(teamId, experiment.id, toWrite(body));
        ctx.flags.invalidate(teamId);
        if (!updated) throw new HedgerowError('not_found', 'Experiment not found.');
        return serializeExperiment(updated, await ctx.flags.get(teamId, updated.featureFlagId));
      });

      // Lifecycle actions (PostHog's `end`, `ship_variant`, `pause`, `resume`, `archive`, `unarchive`).
      app.post<{ Params: Params }>(`${base}/:id/end`, async (request) => {
        const { experiment } = await find(request, 'experiment:write');
        const body = parse(endBodySchema, jsonBody(request));
        assertRunning(experiment);
        // Freezes the results window; the flag keeps serving variants.
        const updated = await store.update(experiment.teamId, experiment.id, { endDate: new Date().toISOString(), conclusion: body.conclusion ?? null, conclusionComment: body.conclusion_comment ?? null });
        return answer(updated);
      });

      app.post<{ Params: Params }>(`${base}/:id/ship_variant`, async (request) => {
        const { experiment } = await find(request, 'experiment:write');
        const body = parse(shipVariantBodySchema, jsonBody(request));
        assertLaunched(experiment);
        const teamId = experiment.teamId;
        const userId = actorOf(request).userId;
        await ctx.flags.serialized(async () => {
          const flag = await ctx.flags.get(teamId, experiment.featureFlagId);
          if (!flag || flag.deleted) throw new HedgerowError('invalid_input', 'Experiment does not have a linked feature flag.');
          await ctx.flags.update(teamId, flag.id, { filters: filtersForShippedVariant(flag.filters, body.variant_key, body.release_to_everyone) }, userId);
        });
        // A running experiment ends now; an ended one keeps its end ("end first, ship later").
        const updated = await store.update(teamId, experiment.id, {
          endDate: experiment.endDate ? undefined : new Date().toISOString(),
          conclusion: body.conclusion ?? undefined,
          conclusionComment: body.conclusion_comment ?? undefined,
        });
        return answer(updated);
      });

      for (const [action, active] of [['pause', false], ['resume', true]] as const) {
        app.post<{ Params: Params }>(`${base}/:id/${action}`, async (request) => {
          const { experiment } = await find(request, 'experiment:write');
          assertRunning(experiment);
          const userId = actorOf(request).userId;
          await ctx.flags.serialized(async () => {
            const flag = await ctx.flags.get(experiment.teamId, experiment.featureFlagId);
            if (!flag || flag.deleted) throw new HedgerowError('invalid_input', 'Experiment does not have a linked feature flag.');
            if (flag.active === active) throw new HedgerowError('invalid_input', active ? 'Experiment is not paused.' : 'Experiment is already paused.');
            // A paused experiment's flag is off: /flags stops serving it and no new exposures are recorded.
            await ctx.flags.update(experiment.teamId, flag.id, { active }, userId);
          });
          return answer(await store.get(experiment.teamId, experiment.id));
        });
      }

      for (const [action, archived] of [['archive', true], ['unarchive', false]] as const) {
        app.post<{ Params: Params }>(`${base}/:id/${action}`, async (request) => {
          const { experiment } = await find(request, 'experiment:write');
          if (archived) assertArchivable(experiment);
          else assertUnarchivable(experiment);
          return answer(await store.update(experiment.teamId, experiment.id, { archived }));
        });
      }

      app.delete<{ Params: Params }>(`${base}/:id`, async (request, reply) => {
        const { experiment } = await find(request, 'experiment:write');
        await store.update(experiment.teamId, experiment.id, { deleted: true });
        ctx.flags.invalidate(experiment.teamId);
        return reply.status(204).send();
      });
    }
  };
}
