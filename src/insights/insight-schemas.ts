import { z } from 'zod';
import { propertiesSchema } from '../hogql/property-filters.js';
import { dateRangeSchema } from '../query/date-range.js';

/**
 * Request shapes shared by the insight query kinds (PostHog's `InsightsQueryBase`, series nodes,
 * breakdown and compare filters). Field names are PostHog's; unknown display-only fields pass through.
 */

export const INTERVALS = ['minute', 'hour', 'day', 'week', 'month'] as const;
export type Interval = (typeof INTERVALS)[number];

/** Maths that are statistics of values (not counts): sampling does not scale them. */
export const STATISTIC_MATHS = [
  'avg',
  'min',
  'max',
  'median',
  'p75',
  'p90',
  'p95',
  'p99',
  'avg_count_per_actor',
  'min_count_per_actor',
  'max_count_per_actor',
  'median_count_per_actor',
  'p75_count_per_actor',
  'p90_count_per_actor',
  'p95_count_per_actor',
  'p99_count_per_actor',
] as const;

export const MATHS = [
  'total',
  'dau',
  'weekly_active',
  'monthly_active',
  'unique_session',
  'unique_group',
  'first_time_for_user',
  'first_matching_event_for_user',
  'sum',
  ...STATISTIC_MATHS,
  'hogql',
] as const;
export type MathType = (typeof MATHS)[number];

const entityCommon = {
  name: z.string().nullish(),
  custom_name: z.string().nullish(),
  properties: propertiesSchema.nullish(),
  fixedProperties: propertiesSchema.nullish(),
  math: z.enum(MATHS).nullish(),
  math_property: z.string().max(4000).nullish(),
  math_property_type: z.string().nullish(),
  math_hogql: z.string().max(10_000).nullish(),
  math_group_type_index: z.number().int().min(0).max(4).nullish(),
  math_multiplier: z.number().nullish(),
  optionalInFunnel: z.boolean().nullish(),
  limit: z.number().nullish(),
  orderBy: z.unknown().optional(),
};

export const eventsNodeSchema = z.object({ kind: z.literal('EventsNode'), event: z.string().max(400).nullish(), ...entityCommon });
export const actionsNodeSchema = z.object({ kind: z.literal('ActionsNode'), id: z.union([z.number(), z.string()]), ...entityCommon });
export const entityNodeSchema = z.discriminatedUnion('kind', [eventsNodeSchema, actionsNodeSchema]);
export type EntityNode = z.infer<typeof entityNodeSchema>;

export const BREAKDOWN_TYPES = ['event', 'person', 'group', 'session', 'hogql', 'event_metadata', 'cohort'] as const;
export type BreakdownType = (typeof BREAKDOWN_TYPES)[number];

export const breakdownSchema = z.object({
  type: z.enum(BREAKDOWN_TYPES).nullish(),
  property: z.union([z.string(), z.number()]),
  normalize_url: z.boolean().nullish(),
  group_type_index: z.number().int().min(0).max(4).nullish(),
  histogram_bin_count: z.number().int().min(1).max(1000).nullish(),
});
export type Breakdown = z.infer<typeof breakdownSchema>;

export const breakdownFilterSchema = z.object({
  breakdown_type: z.enum(BREAKDOWN_TYPES).nullish(),
  breakdown: z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))]).nullish(),
  breakdown_limit: z.number().int().min(1).max(10_000).nullish(),
  breakdown_normalize_url: z.boolean().nullish(),
  breakdown_group_type_index: z.number().int().min(0).max(4).nullish(),
  breakdown_histogram_bin_count: z.number().int().min(1).max(1000).nullish(),
  breakdown_hide_other_aggregation: z.boolean().nullish(),
  breakdowns: z.array(breakdownSchema).max(3).nullish(),
});
export type BreakdownFilter = z.infer<typeof breakdownFilterSchema>;

export const compareFilterSchema = z.object({ compare: z.boolean().nullish(), compare_to: z.string().max(32).nullish() });

/** PostHog's `InsightsQueryBase`: what every insight kind accepts. */
export const insightBase = {
  dateRange: dateRangeSchema.nullish(),
  properties: propertiesSchema.nullish(),
  filterTestAccounts: z.boolean().nullish(),
  aggregation_group_type_index: z.number().int().min(0).max(4).nullish(),
  samplingFactor: z.number().min(0).max(1).nullish(),
  modifiers: z.record(z.string(), z.unknown()).nullish(),
  dataColorTheme: z.unknown().optional(),
  tags: z.unknown().optional(),
  response: z.unknown().optional(),
  version: z.number().nullish(),
};

/** The breakdowns of a query as a list: the multi-breakdown form, or the single legacy one. */
export function breakdownsOf(filter: BreakdownFilter | null | undefined): Breakdown[] {
  if (!filter) return [];
  if (filter.breakdowns?.length) return filter.breakdowns;
  if (filter.breakdown === undefined || filter.breakdown === null || filter.breakdown === '') return [];
  const type = filter.breakdown_type ?? 'event';
  const values = Array.isArray(filter.breakdown) && type !== 'cohort' ? filter.breakdown : [filter.breakdown];
  return values.map((property) => ({
    type,
    property: property as string | number,
    normalize_url: filter.breakdown_normalize_url,
    group_type_index: filter.breakdown_group_type_index,
    histogram_bin_count: filter.breakdown_histogram_bin_count,
  }));
}
