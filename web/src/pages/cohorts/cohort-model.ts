import { OPERATORS } from '../../components/property-filters-editor.js';

/** A cohort as `/api/projects/:id/cohorts/` returns it (the fields the screens use). */
export interface Cohort {
  id: number;
  name: string;
  description: string;
  filters: CohortFilters | null;
  query: CohortQuery | null;
  is_static: boolean;
  is_calculating: boolean;
  last_calculation: string | null;
  errors_calculating: number;
  last_error_message: string | null;
  count: number | null;
  created_at: string;
  cohort_type: string;
  version: number | null;
}

/** `filters` of a dynamic cohort: the definition in `properties` (other keys are kept as they are). */
export type CohortFilters = Record<string, unknown> & { properties: FilterGroup };

/** Hedgerow's query cohorts: a HogQL SELECT whose single column is person ids. */
export type CohortQuery = Record<string, unknown> & { kind: string; query: string };

export interface FilterGroup {
  type: 'AND' | 'OR';
  values: Array<FilterGroup | Leaf>;
}

/** One stored criterion (a person property filter, a cohort reference or a behavioural filter). */
export type Leaf = Record<string, unknown> & { type: string };

export const isFilterGroup = (v: FilterGroup | Leaf): v is FilterGroup => Array.isArray((v as FilterGroup).values) && (v.type === 'AND' || v.type === 'OR');

/** The calculation is still running (or has not run yet), so the count is not the final one. */
export function isCalculating(cohort: Cohort): boolean {
  return cohort.is_calculating || (cohort.count === null && cohort.errors_calculating === 0);
}

/** PostHog's units, plus hours, which the server accepts too. */
export const TIME_UNITS = ['hour', 'day', 'week', 'month', 'year'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

/**
 * PostHog's behaviours, with the words of its cohort editor. Each "not" is the same stored
 * criterion with `negation: true`; the server negates every kind, so every kind has its "not".
 */
export const BEHAVIOURS = [
  { value: 'performed_event', label: 'Completed event' },
  { value: 'not_performed_event', label: 'Did not complete event' },
  { value: 'performed_event_multiple', label: 'Completed an event multiple times' },
  { value: 'not_performed_event_multiple', label: 'Did not complete an event multiple times' },
  { value: 'performed_event_first_time', label: 'Completed an event for the first time' },
  { value: 'not_performed_event_first_time', label: 'Did not complete an event for the first time' },
  { value: 'have_property', label: 'Have the property' },
  { value: 'not_have_property', label: 'Do not have the property' },
  { value: 'in_cohort', label: 'In cohort' },
  { value: 'not_in_cohort', label: 'Not in cohort' },
] as const;
export type Behaviour = (typeof BEHAVIOURS)[number]['value'];

/** The counts the server compares with (`eq` is read as `exact`). */
export const COUNT_OPERATORS = [
  { value: 'gte', label: 'at least' },
  { value: 'gt', label: 'more than' },
  { value: 'exact', label: 'exactly' },
  { value: 'lte', label: 'at most' },
  { value: 'lt', label: 'fewer than' },
] as const;

/** Person-filter operators beyond the filter rows' own, each listed after the one it extends. */
const MORE_PERSON_OPERATORS: Record<string, Array<{ value: string; label: string }>> = {
  gt: [{ value: 'gte', label: 'greater than or equal to' }],
  lt: [
    { value: 'lte', label: 'less than or equal to' },
    { value: 'between', label: 'between' },
    { value: 'not_between', label: 'not between' },
    { value: 'is_date_exact', label: 'is on date' },
    { value: 'is_date_before', label: 'is before date' },
    { value: 'is_date_after', label: 'is after date' },
  ],
};

/**
 * Person property operators the server compiles: the filter rows' ones plus the numeric, range and
 * date ones PostHog's person filters also store. `min`/`max` (older aliases) are shown by name.
 */
export const PERSON_OPERATORS: Array<{ value: string; label: string }> = OPERATORS.flatMap((op) => [op, ...(MORE_PERSON_OPERATORS[op.value] ?? [])]);
export const NO_VALUE_OPERATORS = new Set(['is_set', 'is_not_set']);
/** Operators whose value box holds a comma-separated list. */
export const LIST_OPERATORS = new Set(['exact', 'is_not', 'between', 'not_between']);
export const NUMBER_OPERATORS = new Set(['gt', 'gte', 'lt', 'lte', 'min', 'max', 'between', 'not_between']);
