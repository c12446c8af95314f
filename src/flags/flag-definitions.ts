import crypto from 'node:crypto';
import { isCohortGroup, type Cohort, type CohortGroup } from '../cohorts/cohort-types.js';
import type { FeatureFlag } from './flag-types.js';

/**
 * The local-evaluation payload server SDKs poll (`/flags/definitions`, legacy
 * `/api/feature_flag/local_evaluation`; reference §4.6): active flags, group type mapping and, with
 * `send_cohorts`, the cohorts the flags name. Only cohorts defined by filters are sent: static and
 * HogQL-defined cohorts are absent, so the SDKs fall back to `/flags` for flags that use them
 * (RequiresServerEvaluation), and behavioural leaves make them inconclusive (same fallback).
 */
export function flagDefinition(flag: FeatureFlag): Record<string, unknown> {
  return {
    id: flag.id,
    team_id: flag.teamId,
    name: flag.name,
    key: flag.key,
    filters: flag.filters,
    deleted: flag.deleted,
    active: flag.active,
    ensure_experience_continuity: flag.ensureExperienceContinuity,
    has_encrypted_payloads: false,
    version: flag.version,
    evaluation_runtime: flag.evaluationRuntime,
    evaluation_tags: flag.evaluationTags,
    bucketing_identifier: flag.bucketingIdentifier ?? 'distinct_id',
    has_experiment: flag.hasExperiment,
  };
}

/** Cohort ids named by a flag's conditions. */
function cohortIdsOf(flag: FeatureFlag): number[] {
  const ids: number[] = [];
  for (const condition of [...(flag.filters.groups ?? []), ...(flag.filters.super_groups ?? [])]) {
    for (const p of condition.properties ?? []) {
      if (p.type === 'cohort') {
        const id = Number(p.value);
        if (Number.isInteger(id)) ids.push(id);
      }
    }
  }
  return ids;
}

/** Cohorts referenced by these flags, with the cohorts those refer to in turn. */
export function referencedCohorts(flags: readonly FeatureFlag[], cohorts: ReadonlyMap<number, Cohort>): Cohort[] {
  const seen = new Map<number, Cohort>();
  const visit = (id: number) => {
    if (seen.has(id)) return;
    const cohort = cohorts.get(id);
    if (!cohort || cohort.deleted) return;
    seen.set(id, cohort);
    const walk = (g: CohortGroup) => {
      for (const v of g.values) {
        if (isCohortGroup(v)) walk(v);
        else if (v.type === 'cohort') visit(Number(v.value));
      }
    };
    if (cohort.filters) walk(cohort.filters.properties);
  };
  for (const flag of flags) for (const id of cohortIdsOf(flag)) visit(id);
  return [...seen.values()];
}

export function definitionsPayload(
  flags: readonly FeatureFlag[],
  cohorts: ReadonlyMap<number, Cohort>,
  groupTypeMapping: Record<string, string>,
  sendCohorts: boolean,
): { body: string; etag: string } {
  const payload: Record<string, unknown> = { flags: flags.map(flagDefinition), group_type_mapping: groupTypeMapping };
  if (sendCohorts) {
    const out: Record<string, unknown> = {};
    for (const cohort of referencedCohorts(flags, cohorts)) {
      if (!cohort.isStatic && !cohort.query && cohort.filters) out[String(cohort.id)] = cohort.filters.properties;
    }
    payload.cohorts = out;
  }
  const body = JSON.stringify(payload);
  return { body, etag: `W/"${crypto.createHash('sha1').update(body).digest('hex')}"` };
}
