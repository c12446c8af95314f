/**
 * The second reference: the evaluator alone, in this process, on the same 20 flags and the same
 * request mix, with everything the server would look up already at hand (stored properties from the
 * dataset, cohort membership as sets, the group's stored properties). What `/flags` costs beyond
 * this is HTTP, JSON, lookups and shaping the answer.
 */
import { performance } from 'node:perf_hooks';
import { evaluateFlags, matchPropertyGroup } from '../../src/flags/evaluate.js';
import type { FeatureFlag, FlagFilters, PropertyGroup } from '../../src/flags/flag-types.js';
import type { FlagsBody } from './bodies.js';
import { tierOf } from './dataset.js';
import type { CohortIds } from './flag-specs.js';
import { type ApiFlag, PROPERTY_COHORT } from './setup.js';

function toFeatureFlag(f: ApiFlag, teamId: number): FeatureFlag {
  return {
    id: f.id,
    teamId,
    key: f.key,
    name: f.name,
    filters: f.filters as FlagFilters,
    active: f.active,
    deleted: f.deleted,
    ensureExperienceContinuity: f.ensure_experience_continuity,
    version: f.version,
    evaluationRuntime: f.evaluation_runtime,
    evaluationTags: f.evaluation_tags,
    bucketingIdentifier: f.bucketing_identifier,
    tags: f.tags,
    hasExperiment: false,
    createdAt: f.created_at,
    updatedAt: f.updated_at,
    createdBy: null,
  };
}

export interface EvaluatorResult {
  evaluations: number;
  seconds: number;
  perSecond: number;
  /** Mean microseconds per request (all 20 flags). */
  meanMicros: number;
}

export function evaluatorThroughput(apiFlags: readonly ApiFlag[], teamId: number, cohorts: CohortIds, bodies: readonly FlagsBody[], seconds: number): EvaluatorResult {
  const flags = apiFlags.map((f) => toFeatureFlag(f, teamId));
  const timezone = 'UTC';
  const groupTypeMapping = { 0: 'company' };
  const run = (body: FlagsBody) => {
    const personProperties = { ...(body.person?.properties ?? {}), ...body.personProperties };
    const groups: Record<string, string> = body.company ? { company: body.company } : {};
    const groupProperties: Record<string, Record<string, unknown>> = {};
    if (body.company) {
      const k = Number(body.company.slice('company-'.length));
      groupProperties.company = { tier: tierOf(k), employees: 10 + ((k * 37) % 990), $group_key: body.company };
    }
    const now = Date.now();
    const cohortMatch = (id: number, props: Record<string, unknown>): boolean => {
      if (id === cohorts.static) return body.person?.inStaticCohort ?? false;
      if (id === cohorts.behavioural) return body.person?.purchaser ?? false;
      if (id === cohorts.property) return matchPropertyGroup(PROPERTY_COHORT as PropertyGroup, props, { timezone, now, cohortMatch: () => false });
      return false;
    };
    return evaluateFlags(flags, {
      distinctId: body.distinctId,
      personProperties,
      groups,
      groupProperties,
      groupTypeMapping,
      personCreatedAt: null,
      cohortMatch,
      timezone,
      now,
    });
  };
  for (let i = 0; i < Math.min(bodies.length, 20_000); i++) run(bodies[i]!); // warm-up (JIT)
  let evaluations = 0;
  let sink = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 1000; i++) sink += run(bodies[(evaluations + i) % bodies.length]!).size;
    evaluations += 1000;
  }
  const elapsed = (performance.now() - t0) / 1000;
  if (sink !== evaluations * flags.length) throw new Error(`the evaluator returned ${sink / evaluations} flags per request, expected ${flags.length}`);
  return { evaluations, seconds: elapsed, perSecond: evaluations / elapsed, meanMicros: (elapsed * 1e6) / evaluations };
}
