import { z } from 'zod';

/**
 * PostHog's feature flag model (`filters` of posthog_featureflag), shared by the flag store (validation),
 * the evaluator (remote `/flags`) and the local-evaluation definitions served to server SDKs.
 */

/** A leaf filter of a release condition or a cohort: person/group property, cohort membership, flag dependency. */
export const flagPropertyFilterSchema = z
  .object({
    key: z.string().max(400),
    value: z.unknown().optional(),
    operator: z.string().max(64).nullish(),
    type: z.string().max(64).optional(),
    group_type_index: z.number().int().min(0).max(4).nullish(),
    negation: z.boolean().optional(),
    dependency_chain: z.array(z.string()).optional(),
  })
  .passthrough();
export type FlagPropertyFilter = z.infer<typeof flagPropertyFilterSchema>;

export const flagConditionSchema = z
  .object({
    properties: z.array(flagPropertyFilterSchema).nullish(),
    rollout_percentage: z.number().min(0).max(100).nullish(),
    variant: z.string().max(400).nullish(),
    aggregation_group_type_index: z.number().int().min(0).max(4).nullish(),
    description: z.string().nullish(),
  })
  .passthrough();
export type FlagCondition = z.infer<typeof flagConditionSchema>;

export const flagVariantSchema = z
  .object({
    key: z.string().min(1).max(400),
    name: z.string().nullish(),
    rollout_percentage: z.number().min(0).max(100),
  })
  .passthrough();
export type FlagVariant = z.infer<typeof flagVariantSchema>;

export const flagFiltersSchema = z
  .object({
    groups: z.array(flagConditionSchema).optional(),
    multivariate: z.object({ variants: z.array(flagVariantSchema) }).passthrough().nullish(),
    /** Payloads by `"true"` or variant key, stored as JSON-encoded strings (as PostHog serves them). */
    payloads: z.record(z.string(), z.unknown()).nullish(),
    aggregation_group_type_index: z.number().int().min(0).max(4).nullish(),
    super_groups: z.array(flagConditionSchema).nullish(),
    feature_enrollment: z.boolean().nullish(),
    holdout: z.object({ id: z.number().int(), exclusion_percentage: z.number().min(0).max(100) }).passthrough().nullish(),
    holdout_groups: z.array(flagConditionSchema).nullish(),
    early_exit: z.boolean().nullish(),
  })
  .passthrough();
export type FlagFilters = z.infer<typeof flagFiltersSchema>;

/** A stored flag, as the evaluator needs it. */
export interface FeatureFlag {
  id: number;
  teamId: number;
  key: string;
  name: string;
  filters: FlagFilters;
  active: boolean;
  deleted: boolean;
  ensureExperienceContinuity: boolean;
  version: number;
  /** `server`, `client` or `all`. */
  evaluationRuntime: string;
  evaluationTags: string[];
  /** `distinct_id` (default) or `device_id`. */
  bucketingIdentifier: string | null;
  tags: string[];
  /** True when an experiment uses this flag. */
  hasExperiment: boolean;
  createdAt: string;
  updatedAt: string;
  createdBy: number | null;
}

/** A cohort's filter tree as PostHog stores it (`filters.properties`) and serves it to local evaluation. */
export interface PropertyGroup {
  type: 'AND' | 'OR';
  values: Array<PropertyGroup | FlagPropertyFilter>;
}
