import { z } from 'zod';

/**
 * PostHog's cohort definition (`filters.properties`): a nested AND/OR tree whose leaves are person
 * property filters, references to other cohorts, or behavioural filters over events.
 */

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const BEHAVIORAL_KINDS = ['performed_event', 'performed_event_multiple', 'performed_event_first_time'] as const;
/** PostHog's other behavioural kinds; refused with a clear message until they are built. */
export const UNSUPPORTED_BEHAVIORAL_KINDS = ['performed_event_sequence', 'performed_event_regularly', 'stopped_performing_event', 'restarted_performing_event'];

export const TIME_INTERVALS = ['hour', 'day', 'week', 'month', 'year'] as const;

export const cohortLeafSchema = z
  .object({
    type: z.string().max(64),
    key: z.union([z.string().max(4000), z.number()]),
    value: z.union([scalar, z.array(scalar).max(10_000)]).optional(),
    operator: z.string().max(64).nullish(),
    negation: z.boolean().nullish(),
    group_type_index: z.number().int().min(0).max(4).nullish(),
    // behavioural
    event_type: z.enum(['events', 'actions']).nullish(),
    time_value: z.union([z.number(), z.string()]).nullish(),
    time_interval: z.enum(TIME_INTERVALS).nullish(),
    explicit_datetime: z.string().max(100).nullish(),
    operator_value: z.number().nullish(),
    event_filters: z.array(z.record(z.string(), z.unknown())).max(100).nullish(),
  })
  .passthrough();
export type CohortLeaf = z.infer<typeof cohortLeafSchema>;

export interface CohortGroup {
  type: 'AND' | 'OR';
  values: (CohortGroup | CohortLeaf)[];
}

const groupValue: z.ZodType<CohortGroup | CohortLeaf> = z.lazy(() => z.union([cohortGroupSchema, cohortLeafSchema]));
export const cohortGroupSchema: z.ZodType<CohortGroup> = z.object({
  type: z.enum(['AND', 'OR']),
  values: z.array(groupValue).max(1000),
});

export const cohortFiltersSchema = z.object({ properties: cohortGroupSchema }).passthrough();
export type CohortFilters = z.infer<typeof cohortFiltersSchema>;

/** Beyond PostHog's UI: a cohort defined by a HogQL query whose single column is person ids. */
export const cohortQuerySchema = z.object({ kind: z.literal('HogQLQuery'), query: z.string().min(1).max(100_000) }).passthrough();
export type CohortQuery = z.infer<typeof cohortQuerySchema>;

export function isCohortGroup(v: CohortGroup | CohortLeaf): v is CohortGroup {
  return Array.isArray((v as CohortGroup).values) && ((v as CohortGroup).type === 'AND' || (v as CohortGroup).type === 'OR');
}

export interface Cohort {
  id: number;
  teamId: number;
  name: string;
  description: string;
  filters: CohortFilters | null;
  query: CohortQuery | null;
  isStatic: boolean;
  deleted: boolean;
  /** The membership version queries read; null until the first calculation finished. */
  version: number | null;
  pendingVersion: number;
  isCalculating: boolean;
  lastCalculation: string | null;
  errorsCalculating: number;
  lastError: string | null;
  count: number | null;
  createdBy: number | null;
  createdAt: string;
  updatedAt: string;
}
