import type { FeatureFlag, FlagCondition, FlagFilters, FlagPropertyFilter } from './flag-types.js';
import { flagHash, holdoutHash, inRollout, selectVariant, VARIANT_SALT } from './hash.js';
import {
  cohortIdOf,
  cohortMembershipMatches,
  matchProperty,
  PERSON_METADATA_KEY_PREFIX,
  type MatchContext,
  type PropertyMap,
} from './property-match.js';

export { matchProperty, matchPropertyGroup, type MatchContext, type PropertyGroupOptions, type PropertyMap } from './property-match.js';

/**
 * Remote flag evaluation as PostHog's server does it (ingest-and-flags.md §5, `rust/feature-flags`
 * `flag_matching.rs`): per flag, early-access enrollment, then the experiment holdout, then the release
 * conditions in stored order, each with its own aggregation (person or group), properties and rollout,
 * then the variant. Flag dependencies are resolved first (a flag whose dependencies are missing or
 * circular fails closed with `missing_dependency`). Pure: no I/O beyond the caller's cohort callback.
 */

export interface FlagEvaluationInput {
  readonly distinctId: string;
  /** `$device_id` of the request, for `bucketing_identifier: "device_id"` flags; defaults to `personProperties.$device_id`. */
  readonly deviceId?: string | null;
  /** Stored person properties already overlaid with the request's `person_properties`. */
  readonly personProperties: PropertyMap;
  /** Group type name → group key (`{company: "acme"}`); numeric keys are allowed. */
  readonly groups?: Readonly<Record<string, unknown>>;
  /** Group type name → properties (stored, overlaid with the request's `group_properties`). */
  readonly groupProperties?: Readonly<Record<string, PropertyMap>>;
  /** Group type index → group type name. */
  readonly groupTypeMapping?: Readonly<Record<number, string>>;
  /** Flag key → stored hash key (experience continuity); consulted for `ensureExperienceContinuity` flags. */
  readonly hashKeyOverrides?: Readonly<Record<string, string>>;
  /** The request's `$anon_distinct_id`: the hash key of continuity flags that have no stored override yet. */
  readonly anonDistinctId?: string | null;
  /** The person's `created_at`, for `type: "person_metadata"` filters. */
  readonly personCreatedAt?: string | null;
  /**
   * Whether the person is in a cohort (the server decides: static membership, or `matchPropertyGroup` on a
   * property cohort). It receives the person properties the evaluator matched with. If it throws, that
   * flag comes back `failed` with the error attached.
   */
  readonly cohortMatch: (cohortId: number, personProperties: PropertyMap) => boolean;
  /** IANA zone of the project: naive date strings and relative dates are read in it. Default UTC. */
  readonly timezone?: string;
  /** Evaluation time for relative dates. Default: now. */
  readonly now?: Date | number;
  /** Only these flags are evaluated and returned (their dependencies are still evaluated, not returned). */
  readonly flagKeys?: Iterable<string>;
  /** Flags the request filters out (evaluation runtime or contexts): not returned, and `false` to flags depending on them. */
  readonly isExcluded?: (flag: FeatureFlag) => boolean;
}

export type FlagReasonCode =
  | 'condition_match'
  | 'no_condition_match'
  | 'out_of_rollout_bound'
  | 'no_group_type'
  | 'super_condition_value'
  | 'holdout_condition_value'
  | 'missing_dependency'
  /** `failed` results: */
  | 'cohort_filters_parsing_error'
  | 'evaluation_error';

export interface FlagReason {
  readonly code: FlagReasonCode;
  /** 0-based index of the deciding condition (0 for enrollment), null when none decided. */
  readonly condition_index: number | null;
  readonly description: string | null;
}

export interface FlagResult {
  readonly key: string;
  readonly enabled: boolean;
  readonly variant: string | null;
  readonly reason: FlagReason;
  /** `filters.payloads["true"]` or `[variant]` of an enabled flag, as stored (a JSON-encoded string); else null. */
  readonly payload: unknown;
  /** Present when evaluation errored (the flag is then disabled); `error` says why, for the caller's log. */
  readonly failed?: true;
  readonly error?: unknown;
}

/** Evaluates the active, non-excluded flags (restricted to `flagKeys` when given), keyed by flag key. */
export function evaluateFlags(flags: readonly FeatureFlag[], input: FlagEvaluationInput): Map<string, FlagResult> {
  const evaluation = new Evaluation(flags, input);
  const wanted = input.flagKeys === undefined ? null : new Set(input.flagKeys);
  const results = new Map<string, FlagResult>();
  for (const flag of flags) {
    if (!evaluation.isEvaluated(flag) || (wanted !== null && !wanted.has(flag.key))) continue;
    results.set(flag.key, evaluation.result(flag));
  }
  return results;
}

/** The flag's value as SDKs read it: the variant, else whether it is enabled. */
export function flagValue(result: FlagResult): string | boolean {
  return result.enabled ? (result.variant ?? true) : false;
}

// ---------------------------------------------------------------------------------------------------

/** PostHog's reasons; when no condition matches, the highest-scoring one reported by a condition wins. */
const SCORE = {
  condition_match: 4,
  out_of_rollout_bound: 3,
  no_condition_match: 2,
  no_group_type: 1,
} as const;
type ConditionReason = keyof typeof SCORE;

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  no_condition_match: 'No matching condition set',
  out_of_rollout_bound: 'Out of rollout bound',
  no_group_type: 'No group type',
  super_condition_value: 'Super condition value',
  holdout_condition_value: 'Holdout condition value',
  missing_dependency: 'Flag cannot be evaluated due to missing dependency',
};
const GROUPS_NOT_EVALUATED =
  'No matching condition set (group conditions were not evaluated because no group type was provided)';

/** Person properties PostHog copies to their `$initial_` twin when that is missing (ingestion lag). */
const INITIAL_PROPERTIES: ReadonlyMap<string, string> = new Map([
  ...[
    '$app_build', '$app_name', '$app_namespace', '$app_version', '$browser', '$browser_version', '$device_type',
    '$current_url', '$pathname', '$os', '$os_version', '$referring_domain', '$referrer', '$screen_height',
    '$screen_width', '$viewport_height', '$viewport_width', '$raw_user_agent',
  ].map((key) => [key, `$initial_${key.slice(1)}`] as const),
  ...[
    'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'gclid', 'gad_source', 'gclsrc', 'dclid',
    'gbraid', 'wbraid', 'fbclid', 'msclkid', 'twclid', 'li_fat_id', 'mc_cid', 'igshid', 'ttclid', 'rdt_cid', 'epik',
    'qclid', 'sccid', 'irclid', '_kx',
  ].map((key) => [key, `$initial_${key}`] as const),
]);

const hasOwn = Object.prototype.hasOwnProperty;
const EMPTY: PropertyMap = Object.freeze({});

class CohortFilterError extends Error {
  override readonly name = 'CohortFilterError';
}

/** Flag keys a flag's conditions depend on (`type: "flag"` filters), computed once per filters object. */
const dependencyKeys = new WeakMap<FlagFilters, readonly string[]>();

function dependenciesOf(flag: FeatureFlag): readonly string[] {
  let keys = dependencyKeys.get(flag.filters);
  if (keys === undefined) {
    keys = (flag.filters.groups ?? []).flatMap((condition) =>
      (condition.properties ?? []).filter((filter) => filter.type === 'flag').map((filter) => filter.key),
    );
    dependencyKeys.set(flag.filters, keys);
  }
  return keys;
}

function validGroupKey(key: unknown): key is string | number {
  return (typeof key === 'string' && key !== '') || (typeof key === 'number' && Number.isFinite(key));
}

interface ConditionOutcome {
  readonly matched: boolean;
  readonly reason: ConditionReason;
}

class Evaluation {
  private readonly context: MatchContext;
  private readonly byKey = new Map<string, FeatureFlag>();
  private readonly byId = new Map<number, FeatureFlag>();
  private readonly memo = new Map<FeatureFlag, FlagResult>();
  private readonly brokenMemo = new Map<FeatureFlag, boolean>();
  private readonly groupPropertiesMemo = new Map<number, PropertyMap>();
  private personPropertiesMemo: PropertyMap | undefined;
  private readonly deviceId: string | null;

  constructor(
    flags: readonly FeatureFlag[],
    private readonly input: FlagEvaluationInput,
  ) {
    const now = input.now === undefined ? Date.now() : +input.now;
    this.context = { timezone: input.timezone || 'UTC', now };
    for (const flag of flags) {
      if (flag.deleted) continue;
      this.byKey.set(flag.key, flag);
      this.byId.set(flag.id, flag);
    }
    const fromProperties = input.personProperties.$device_id;
    this.deviceId = input.deviceId || (typeof fromProperties === 'string' && fromProperties !== '' ? fromProperties : null);
  }

  isEvaluated(flag: FeatureFlag): boolean {
    return !flag.deleted && flag.active && !(this.input.isExcluded?.(flag) ?? false);
  }

  result(flag: FeatureFlag): FlagResult {
    let result = this.memo.get(flag);
    if (result === undefined) {
      result = this.compute(flag);
      this.memo.set(flag, result);
    }
    return result;
  }

  private compute(flag: FeatureFlag): FlagResult {
    if (this.isBroken(flag, new Set())) return this.outcome(flag, false, null, 'missing_dependency', null);
    try {
      return this.evaluate(flag);
    } catch (error) {
      const parsing = error instanceof CohortFilterError;
      return {
        key: flag.key,
        enabled: false,
        variant: null,
        reason: {
          code: parsing ? 'cohort_filters_parsing_error' : 'evaluation_error',
          condition_index: null,
          description: parsing ? 'Failed to parse cohort filters' : 'Flag evaluation failed',
        },
        payload: null,
        failed: true,
        error,
      };
    }
  }

  // -- dependencies ---------------------------------------------------------------------------------

  /** A dependency reference: a flag id (PostHog stores ids) or, failing that, a flag key. */
  private resolve(reference: string): FeatureFlag | undefined {
    if (/^\d+$/.test(reference)) {
      const byId = this.byId.get(Number(reference));
      if (byId) return byId;
    }
    return this.byKey.get(reference);
  }

  /**
   * Whether a flag depends, directly or transitively, on a flag that does not exist or on a cycle. Flags
   * that are not evaluated (inactive, excluded) are `false` to their dependants and their own
   * dependencies are not followed.
   */
  private isBroken(flag: FeatureFlag, path: Set<FeatureFlag>): boolean {
    const known = this.brokenMemo.get(flag);
    if (known !== undefined) return known;
    if (!this.isEvaluated(flag)) return false;
    const references = dependenciesOf(flag);
    if (references.length === 0) return false;
    if (path.has(flag)) return true;
    path.add(flag);
    let broken = false;
    for (const reference of references) {
      const dependency = this.resolve(reference);
      if (dependency === undefined || this.isBroken(dependency, path)) {
        broken = true;
        break;
      }
    }
    path.delete(flag);
    this.brokenMemo.set(flag, broken);
    return broken;
  }

  /** `flag_evaluates_to`: `true` ⇔ enabled (any variant), `false` ⇔ disabled, a string ⇔ that variant. */
  private dependencyMatches(filter: FlagPropertyFilter): boolean {
    if (filter.operator !== 'flag_evaluates_to') return false;
    const dependency = this.resolve(filter.key);
    if (dependency === undefined) return false;
    let value: string | boolean = false;
    if (this.isEvaluated(dependency)) {
      const result = this.result(dependency);
      // A dependency that errored has no value: no expectation about it holds.
      if (result.failed) return false;
      value = flagValue(result);
    }
    const expected = filter.value;
    if (expected === true) return value !== false;
    if (expected === false) return value === false;
    if (typeof expected === 'string') return value === expected;
    return false;
  }

  // -- properties -----------------------------------------------------------------------------------

  /** Person properties with `distinct_id` injected and missing `$initial_*` back-filled (built once per request). */
  private personProperties(): PropertyMap {
    if (this.personPropertiesMemo) return this.personPropertiesMemo;
    const source = this.input.personProperties;
    const properties: Record<string, unknown> = { ...source };
    if (properties.distinct_id === undefined) properties.distinct_id = this.input.distinctId;
    for (const key in source) {
      const initialKey = INITIAL_PROPERTIES.get(key);
      if (initialKey !== undefined && source[key] !== undefined && !hasOwn.call(properties, initialKey)) properties[initialKey] = source[key];
    }
    if (this.input.personCreatedAt) properties[`${PERSON_METADATA_KEY_PREFIX}created_at`] = this.input.personCreatedAt;
    this.personPropertiesMemo = properties;
    return properties;
  }

  private groupName(index: number): string | undefined {
    return this.input.groupTypeMapping?.[index];
  }

  private groupKey(index: number): string | number | undefined {
    const name = this.groupName(index);
    const key = name === undefined ? undefined : this.input.groups?.[name];
    return validGroupKey(key) ? key : undefined;
  }

  /** A group's properties with `$group_key` injected when the request names the group. */
  private groupProperties(index: number): PropertyMap {
    let properties = this.groupPropertiesMemo.get(index);
    if (properties === undefined) {
      const name = this.groupName(index);
      const stored = (name === undefined ? undefined : this.input.groupProperties?.[name]) ?? EMPTY;
      const key = this.groupKey(index);
      properties = key === undefined ? stored : { ...stored, $group_key: String(key) };
      this.groupPropertiesMemo.set(index, properties);
    }
    return properties;
  }

  /** Where a filter's property lives: person filters → person; group filters → their group type; untyped → the aggregation. */
  private propertiesFor(filter: FlagPropertyFilter, aggregation: number | null): PropertyMap {
    if (filter.type === 'person' || filter.type === 'person_metadata') return this.personProperties();
    if (filter.type === 'group') {
      const index = filter.group_type_index ?? aggregation;
      return index === null ? EMPTY : this.groupProperties(index);
    }
    return aggregation === null ? this.personProperties() : this.groupProperties(aggregation);
  }

  // -- identifiers ----------------------------------------------------------------------------------

  /**
   * What a flag hashes: the group key for a group aggregation; else the device id (device bucketing),
   * the hash-key override or `$anon_distinct_id` (experience continuity), or the distinct id.
   */
  private identifier(flag: FeatureFlag, aggregation: number | null, withOverrides = true): string {
    if (aggregation !== null) {
      const key = this.groupKey(aggregation);
      return key === undefined ? '' : String(key);
    }
    if (flag.bucketingIdentifier === 'device_id' && this.deviceId) return this.deviceId;
    if (flag.ensureExperienceContinuity) {
      const override = withOverrides ? this.input.hashKeyOverrides?.[flag.key] : undefined;
      return override ?? (this.input.anonDistinctId || this.input.distinctId);
    }
    return this.input.distinctId;
  }

  // -- evaluation -----------------------------------------------------------------------------------

  private payloadFor(flag: FeatureFlag, value: string): unknown {
    const payload = flag.filters.payloads?.[value];
    return payload === undefined ? null : payload;
  }

  private outcome(
    flag: FeatureFlag,
    enabled: boolean,
    variant: string | null,
    code: FlagReasonCode,
    conditionIndex: number | null,
    description?: string,
  ): FlagResult {
    return {
      key: flag.key,
      enabled,
      variant,
      reason: {
        code,
        condition_index: conditionIndex,
        description:
          description ?? (code === 'condition_match' ? `Matched condition set ${(conditionIndex ?? 0) + 1}` : (DESCRIPTIONS[code] ?? null)),
      },
      payload: enabled ? this.payloadFor(flag, variant ?? 'true') : null,
    };
  }

  private evaluate(flag: FeatureFlag): FlagResult {
    const filters = flag.filters;

    // Early access: enrollment is a person property, whatever the flag's aggregation.
    if (filters.feature_enrollment === true) {
      const enrolled = this.personProperties()[`$feature_enrollment/${flag.key}`];
      if (enrolled !== undefined) {
        return this.outcome(flag, enrolled === true || enrolled === 'true', null, 'super_condition_value', 0);
      }
    } else {
      const superCondition = filters.super_groups?.[0];
      const superFilters = superCondition?.properties ?? [];
      const person = superFilters.length > 0 ? this.personProperties() : EMPTY;
      if (superCondition && superFilters.some((filter) => person[filter.key] !== undefined)) {
        const { matched } = this.conditionOutcome(flag, superCondition, null);
        return this.outcome(flag, matched, null, 'super_condition_value', 0);
      }
    }

    const holdout = this.holdoutVariant(flag);
    if (holdout !== null) return this.outcome(flag, true, holdout, 'holdout_condition_value', null);

    const flagAggregation = filters.aggregation_group_type_index ?? null;
    const best: { reason: ConditionReason; index: number | null } = { reason: 'no_group_type', index: null };
    let skippedGroupCondition = false;
    const report = (reason: ConditionReason, index: number) => {
      // Ties go to the later condition, as in PostHog.
      if (SCORE[reason] >= SCORE[best.reason]) {
        best.reason = reason;
        best.index = index;
      }
    };

    const conditions = filters.groups ?? [];
    for (let index = 0; index < conditions.length; index++) {
      const condition = conditions[index]!;
      // Absent: the flag's aggregation; null: person; a number: that group type.
      const aggregation = hasOwn.call(condition, 'aggregation_group_type_index')
        ? (condition.aggregation_group_type_index ?? null)
        : flagAggregation;

      let outcome: ConditionOutcome;
      if (aggregation === null && flag.bucketingIdentifier === 'device_id' && !this.deviceId) {
        outcome = { matched: false, reason: 'out_of_rollout_bound' };
      } else if (aggregation !== null && this.groupKey(aggregation) === undefined) {
        skippedGroupCondition = true;
        report('no_group_type', index);
        continue;
      } else {
        outcome = this.conditionOutcome(flag, condition, aggregation);
      }
      report(outcome.reason, index);

      if (outcome.matched) {
        const variants = filters.multivariate?.variants ?? [];
        const override = condition.variant;
        const variant =
          override && variants.some((v) => v.key === override)
            ? override
            : selectVariant(flagHash(flag.key, this.identifier(flag, aggregation), VARIANT_SALT), variants);
        return this.outcome(flag, true, variant, 'condition_match', index);
      }
      if (filters.early_exit === true && outcome.reason === 'out_of_rollout_bound') break;
    }

    const description = best.reason === 'no_condition_match' && skippedGroupCondition ? GROUPS_NOT_EVALUATED : undefined;
    return this.outcome(flag, false, null, best.reason, best.index, description);
  }

  /** The holdout variant (`holdout-<id>`) when the identifier falls inside the experiment's exclusion percentage. */
  private holdoutVariant(flag: FeatureFlag): string | null {
    const filters = flag.filters;
    const identifier = () => this.identifier(flag, filters.aggregation_group_type_index ?? null, false);
    if (filters.holdout) {
      const percentage = Math.min(100, Math.max(0, filters.holdout.exclusion_percentage));
      if (percentage >= 100 || holdoutHash(identifier()) <= percentage / 100) return `holdout-${filters.holdout.id}`;
      return null;
    }
    // Legacy form: the first holdout group's rollout on the holdout hash, its variant (or the flag's).
    const legacy = filters.holdout_groups?.[0];
    if (!legacy || (legacy.properties?.length ?? 0) > 0) return null;
    const percentage = legacy.rollout_percentage;
    if (percentage !== null && percentage !== undefined && holdoutHash(identifier()) > percentage / 100) return null;
    return legacy.variant ?? selectVariant(flagHash(flag.key, identifier(), VARIANT_SALT), filters.multivariate?.variants ?? []);
  }

  /** One release condition: every filter (flag dependencies and properties in order, cohorts last), then the rollout. */
  private conditionOutcome(flag: FeatureFlag, condition: FlagCondition, aggregation: number | null): ConditionOutcome {
    const filters = condition.properties ?? [];
    const cohortFilters: FlagPropertyFilter[] = [];
    for (const filter of filters) {
      if (filter.type === 'flag') {
        if (!this.dependencyMatches(filter)) return { matched: false, reason: 'no_condition_match' };
      } else if (filter.type === 'cohort') {
        cohortFilters.push(filter);
      } else if (!matchProperty(filter, this.propertiesFor(filter, aggregation), this.context)) {
        return { matched: false, reason: 'no_condition_match' };
      }
    }
    for (const filter of cohortFilters) {
      const cohortId = cohortIdOf(filter);
      if (cohortId === null) throw new CohortFilterError(`cohort filter of flag ${flag.key} has no cohort id: ${JSON.stringify(filter.value)}`);
      const isMember = this.input.cohortMatch(cohortId, this.personProperties());
      if (!cohortMembershipMatches(filter.operator, isMember)) return { matched: false, reason: 'no_condition_match' };
    }
    const percentage = condition.rollout_percentage ?? 100;
    if (percentage === 100 || inRollout(flagHash(flag.key, this.identifier(flag, aggregation)), percentage)) {
      return { matched: true, reason: 'condition_match' };
    }
    return { matched: false, reason: 'out_of_rollout_bound' };
  }
}
