import { z } from 'zod';
import { HedgerowError } from '../errors.js';
import type { FlagFilters } from '../flags/flag-types.js';
import type { Experiment } from './experiment-store.js';

/**
 * An experiment's lifecycle as PostHog's API has it: end (with a conclusion), ship a variant,
 * pause/resume (the flag's `active`), archive/unarchive. The rules here are PostHog's; the routes
 * apply them to the stores.
 */

/** PostHog's conclusions (`EndExperimentSerializer`). */
export const CONCLUSIONS = ['won', 'lost', 'inconclusive', 'stopped_early', 'invalid'] as const;
export const conclusionSchema = z.enum(CONCLUSIONS, { message: `must be one of ${CONCLUSIONS.join(', ')}` });
export const conclusionCommentSchema = z.string().max(4000);

export const endBodySchema = z.object({
  conclusion: conclusionSchema.nullish(),
  conclusion_comment: conclusionCommentSchema.nullish(),
});

export const shipVariantBodySchema = endBodySchema.extend({
  variant_key: z.string({ message: 'the key of the variant to ship is required' }).min(1).max(400),
  /**
   * Also put a 100% release condition first, so everyone gets the variant whatever the flag's other
   * conditions say (PostHog's default is false: only the variant split changes).
   */
  release_to_everyone: z.boolean().default(false),
});

const isDraft = (e: Experiment) => !e.startDate;
const isStopped = (e: Experiment) => Boolean(e.startDate && e.endDate);

export function assertRunning(e: Experiment): void {
  if (isDraft(e)) throw new HedgerowError('invalid_input', 'Experiment has not been launched yet.');
  if (isStopped(e)) throw new HedgerowError('invalid_input', 'Experiment has already ended.');
}

export function assertLaunched(e: Experiment): void {
  if (isDraft(e)) throw new HedgerowError('invalid_input', 'Experiment has not been launched yet.');
}

export function assertArchivable(e: Experiment): void {
  if (e.archived) throw new HedgerowError('invalid_input', 'Experiment is already archived.');
  if (!isStopped(e)) throw new HedgerowError('invalid_input', 'Experiment must be ended before it can be archived.');
}

export function assertUnarchivable(e: Experiment): void {
  if (!e.archived) throw new HedgerowError('invalid_input', 'Experiment is not archived.');
}

export const SHIPPED_CONDITION_DESCRIPTION = 'Added automatically when the experiment was ended to keep only one variant.';

/**
 * The flag's filters once `variantKey` ships: that variant at 100% of the split, the others at 0.
 * With `releaseToEveryone` a catch-all 100% condition goes first; the previous conditions stay after
 * it, so deleting that one condition rolls the change back (as PostHog does).
 */
export function filtersForShippedVariant(current: FlagFilters, variantKey: string, releaseToEveryone: boolean): FlagFilters {
  const variants = current.multivariate?.variants ?? [];
  if (!variants.some((v) => v.key === variantKey)) {
    throw new HedgerowError('invalid_input', `Variant '${variantKey}' not found on feature flag (its variants: ${variants.map((v) => v.key).join(', ')}).`, 'variant_key');
  }
  const groups = current.groups ?? [];
  return {
    aggregation_group_type_index: current.aggregation_group_type_index ?? null,
    payloads: current.payloads ?? {},
    multivariate: {
      variants: variants.map((v) => ({ key: v.key, rollout_percentage: v.key === variantKey ? 100 : 0, ...(v.name ? { name: v.name } : {}) })),
    },
    groups: releaseToEveryone ? [{ properties: [], rollout_percentage: 100, description: SHIPPED_CONDITION_DESCRIPTION }, ...groups] : groups,
  };
}
