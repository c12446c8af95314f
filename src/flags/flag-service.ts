import type { CohortCalculator } from '../cohorts/cohort-calculator.js';
import type { CohortStore } from '../cohorts/cohort-store.js';
import { isCohortGroup, type Cohort, type CohortGroup } from '../cohorts/cohort-types.js';
import type { Logger } from '../log.js';
import type { Project } from '../metadata/projects.js';
import type { PersonStore } from '../persons/person-store.js';
import type { Postgres } from '../storage/postgres.js';
import { evaluateFlags, matchPropertyGroup } from './evaluate.js';
import { referencedCohorts } from './flag-definitions.js';
import type { FlagStore } from './flag-store.js';
import type { FeatureFlag, PropertyGroup } from './flag-types.js';
import type { FlagsRequest } from './flags-request.js';
import type { EvaluatedFlag } from './flags-response.js';

/** A cohort flags can evaluate from the person's properties alone (PostHog's server does the same). */
function isPropertyOnly(cohort: Cohort, cohorts: ReadonlyMap<number, Cohort>, seen = new Set<number>()): boolean {
  if (cohort.isStatic || cohort.query || !cohort.filters || seen.has(cohort.id)) return false;
  seen.add(cohort.id);
  const walk = (g: CohortGroup): boolean =>
    g.values.every((v) => {
      if (isCohortGroup(v)) return walk(v);
      if (v.type === 'person') return true;
      if (v.type === 'cohort') {
        const target = cohorts.get(Number(v.value));
        return target !== undefined && isPropertyOnly(target, cohorts, seen);
      }
      return false;
    });
  return walk(cohort.filters.properties);
}

/**
 * Server-side flag evaluation for `/flags` and `/decide` (reference §5.9): stored person and group
 * properties overlaid with the request's, experience-continuity hash keys, and cohorts — from the
 * person's properties when the cohort is defined by them, otherwise from computed membership
 * (static, behavioural and HogQL cohorts; beyond PostHog, which cannot target flags with those).
 */
export class FlagService {
  constructor(
    private readonly deps: {
      pg: Postgres;
      log: Logger;
      flags: FlagStore;
      persons: PersonStore;
      cohorts: CohortStore;
      cohortCalculator: CohortCalculator;
    },
  ) {}

  /** Flags of another runtime or evaluation context are not this request's (they still count as dependencies). */
  private excluded(req: FlagsRequest): (f: FeatureFlag) => boolean {
    return (f) =>
      (req.evaluationRuntime !== undefined && f.evaluationRuntime !== 'all' && f.evaluationRuntime !== req.evaluationRuntime) ||
      (req.evaluationContexts !== undefined && f.evaluationTags.length > 0 && !f.evaluationTags.some((t) => req.evaluationContexts!.includes(t)));
  }

  async evaluate(project: Project, req: FlagsRequest): Promise<{ results: EvaluatedFlag[]; errors: boolean }> {
    if (req.disableFlags) return { results: [], errors: false };
    const teamId = project.id;
    const active = await this.deps.flags.active(teamId);
    const isExcluded = this.excluded(req);
    const keys = req.flagKeys && new Set(req.flagKeys);
    const wanted = active.flags.filter((f) => !isExcluded(f) && (!keys || keys.has(f.key)));
    if (wanted.length === 0) return { results: [], errors: false };

    const persons = this.deps.persons;
    await persons.ensureLoaded(teamId, [req.distinctId], Object.entries(req.groups));
    const state = persons.project(teamId);
    const person = state.distinctIds.get(req.distinctId)?.person ?? null;
    const personProperties = { ...(person?.properties ?? {}), ...req.personProperties };

    const groupTypeMapping: Record<number, string> = {};
    for (const [type, index] of state.groupTypes ?? []) groupTypeMapping[index] = type;
    const groupProperties: Record<string, Record<string, unknown>> = {};
    for (const [type, key] of Object.entries(req.groups)) {
      const index = state.groupTypes?.get(type);
      const stored = index === undefined ? undefined : persons.group(teamId, index, key);
      groupProperties[type] = { ...(stored?.properties ?? {}), ...(req.groupProperties[type] ?? {}) };
    }

    let errors = false;
    let hashKeyOverrides: Record<string, string> | undefined;
    if (wanted.some((f) => f.ensureExperienceContinuity)) {
      try {
        hashKeyOverrides = await this.hashKeyOverrides(teamId, req, person?.uuid, wanted);
      } catch (err) {
        // PostHog evaluates with the distinct id and reports the error rather than failing the request.
        this.deps.log.error({ err, teamId }, 'flag hash key overrides could not be read');
        errors = true;
      }
    }

    const cohorts = await this.deps.cohorts.all(teamId);
    const members = new Map<number, Set<string>>();
    for (const cohort of referencedCohorts(active.flags, cohorts)) {
      if (!isPropertyOnly(cohort, cohorts)) members.set(cohort.id, await this.deps.cohortCalculator.memberIds(cohort));
    }
    const now = Date.now();
    const cohortMatch = (cohortId: number, props: Record<string, unknown>): boolean => {
      const cohort = cohorts.get(cohortId);
      if (!cohort || cohort.deleted) return false;
      const set = members.get(cohortId);
      if (set) return person !== null && set.has(person.uuid);
      return matchPropertyGroup(cohort.filters!.properties as PropertyGroup, props, {
        timezone: project.timezone,
        now,
        cohortMatch: (nested) => cohortMatch(nested, props),
      });
    };

    const evaluated = evaluateFlags(active.evaluable, {
      distinctId: req.distinctId,
      deviceId: req.deviceId,
      personProperties,
      groups: req.groups,
      groupProperties,
      groupTypeMapping,
      hashKeyOverrides,
      anonDistinctId: req.anonDistinctId,
      personCreatedAt: person ? new Date(person.createdAt).toISOString() : null,
      cohortMatch,
      timezone: project.timezone,
      now,
      flagKeys: req.flagKeys,
      isExcluded,
    });
    const results: EvaluatedFlag[] = [];
    for (const flag of wanted) {
      const r = evaluated.get(flag.key);
      if (!r) continue;
      if (r.failed) {
        errors = true;
        this.deps.log.error({ err: r.error, teamId, flag: flag.key, reason: r.reason.code }, 'flag evaluation failed');
      }
      results.push({ flag, enabled: r.enabled, variant: r.variant, reason: r.reason, payload: r.payload, failed: r.failed });
    }
    return { results, errors };
  }

  /**
   * PostHog's experience continuity: on the first request that carries `$anon_distinct_id`, the
   * anonymous id is stored as the hash key of every continuity flag for the person(s) of both ids,
   * and used for them from then on, so identifying does not change their variant.
   */
  private async hashKeyOverrides(teamId: number, req: FlagsRequest, personUuid: string | undefined, flags: FeatureFlag[]): Promise<Record<string, string>> {
    const keys = flags.filter((f) => f.ensureExperienceContinuity).map((f) => f.key);
    if (req.anonDistinctId && req.anonDistinctId !== req.distinctId) {
      await this.deps.persons.ensureLoaded(teamId, [req.anonDistinctId]);
      const anon = this.deps.persons.project(teamId).distinctIds.get(req.anonDistinctId)?.person;
      const uuids = [...new Set([personUuid, anon?.uuid].filter((u): u is string => typeof u === 'string'))];
      if (uuids.length > 0) {
        await this.deps.pg.query(
          `INSERT INTO flag_hash_key_overrides (team_id, person_id, feature_flag_key, hash_key)
           SELECT $1, p, k, $4 FROM unnest($2::uuid[]) AS p, unnest($3::text[]) AS k
           ON CONFLICT DO NOTHING`,
          [teamId, uuids, keys, req.anonDistinctId],
        );
      }
    }
    if (!personUuid) return {};
    const rows = await this.deps.pg.query<{ feature_flag_key: string; hash_key: string }>(
      'SELECT feature_flag_key, hash_key FROM flag_hash_key_overrides WHERE team_id = $1 AND person_id = $2 AND feature_flag_key = ANY($3::text[])',
      [teamId, personUuid, keys],
    );
    return Object.fromEntries(rows.map((r) => [r.feature_flag_key, r.hash_key]));
  }
}
