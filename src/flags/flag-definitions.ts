import crypto from 'node:crypto';
import { isCohortGroup, type Cohort, type CohortGroup } from '../cohorts/cohort-types.js';
import type { FeatureFlag, FlagFilters } from './flag-types.js';

/**
 * The local-evaluation payload server SDKs poll (`/flags/definitions`, legacy
 * `/api/feature_flag/local_evaluation`; reference §4.6): active flags, group type mapping and, with
 * `send_cohorts`, the cohorts the flags name. Only cohorts defined by filters are sent: static and
 * HogQL-defined cohorts are absent, so the SDKs fall back to `/flags` for flags that use them
 * (RequiresServerEvaluation), and behavioural leaves make them inconclusive (same fallback).
 */
export function flagDefinition(flag: FeatureFlag, byId: ReadonlyMap<number, FeatureFlag>): Record<string, unknown> {
  return {
    id: flag.id,
    team_id: flag.teamId,
    name: flag.name,
    key: flag.key,
    filters: withDependencyChains(flag.filters, byId),
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

/** Ids of the flags a flag's conditions depend on (`{type: "flag", key: "<id>"}`). */
function dependencyIds(filters: FlagFilters): number[] {
  const ids: number[] = [];
  for (const condition of filters.groups ?? []) {
    for (const p of condition.properties ?? []) if (p.type === 'flag' && /^\d+$/.test(p.key)) ids.push(Number(p.key));
  }
  return ids;
}

/** Keys to evaluate before a dependency, ending with it; null when a flag is missing or the chain is circular. */
function dependencyChain(id: number, byId: ReadonlyMap<number, FeatureFlag>, visiting = new Set<number>()): string[] | null {
  const flag = byId.get(id);
  if (!flag || visiting.has(id)) return null;
  visiting.add(id);
  const chain: string[] = [];
  for (const dep of dependencyIds(flag.filters)) {
    const sub = dependencyChain(dep, byId, visiting);
    if (!sub) return null;
    for (const key of sub) if (!chain.includes(key)) chain.push(key);
  }
  visiting.delete(id);
  chain.push(flag.key);
  return chain;
}

/**
 * As PostHog serves flag dependencies to the SDKs: the dependency named by key, with the chain of
 * keys to evaluate first (empty when it cannot be resolved, which makes the SDK ask the server).
 */
function withDependencyChains(filters: FlagFilters, byId: ReadonlyMap<number, FeatureFlag>): FlagFilters {
  if (dependencyIds(filters).length === 0) return filters;
  return {
    ...filters,
    groups: (filters.groups ?? []).map((condition) => ({
      ...condition,
      properties: (condition.properties ?? []).map((p) => {
        if (p.type !== 'flag' || !/^\d+$/.test(p.key)) return p;
        const dep = byId.get(Number(p.key));
        return { ...p, key: dep?.key ?? p.key, dependency_chain: dependencyChain(Number(p.key), byId) ?? [] };
      }),
    })),
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
  /** Every non-deleted flag, for resolving dependencies. */
  evaluable: readonly FeatureFlag[],
  cohorts: ReadonlyMap<number, Cohort>,
  groupTypeMapping: Record<string, string>,
  sendCohorts: boolean,
): { body: string; etag: string } {
  const byId = new Map(evaluable.map((f) => [f.id, f]));
  const payload: Record<string, unknown> = { flags: flags.map((f) => flagDefinition(f, byId)), group_type_mapping: groupTypeMapping };
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
