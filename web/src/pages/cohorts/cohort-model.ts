import { filtersFromRows, rowsFromFilters } from '../../components/property-filters-editor.js';
import type { PropertyFilter } from '../../types.js';

/** A cohort as `/api/projects/:id/cohorts/` returns it (the fields the screens use). */
export interface Cohort {
  id: number;
  name: string;
  description: string;
  filters: { properties: FilterGroup } | null;
  query: { kind: string; query: string } | null;
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

export interface FilterGroup {
  type: 'AND' | 'OR';
  values: Array<FilterGroup | Leaf>;
}

type Leaf = Record<string, unknown> & { type: string };

/** The calculation is still running (or has not run yet), so the count is not the final one. */
export function isCalculating(cohort: Cohort): boolean {
  return cohort.is_calculating || (cohort.count === null && cohort.errors_calculating === 0);
}

export const TIME_UNITS = ['day', 'week', 'month', 'year'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

/** PostHog's behaviours, with the words of its cohort editor. */
export const BEHAVIOURS = [
  { value: 'performed_event', label: 'Completed event' },
  { value: 'performed_event_multiple', label: 'Completed an event multiple times' },
  { value: 'performed_event_first_time', label: 'Completed an event for the first time' },
  { value: 'not_performed_event', label: 'Did not complete event' },
  { value: 'have_property', label: 'Have the property' },
  { value: 'not_have_property', label: 'Do not have the property' },
  { value: 'in_cohort', label: 'In cohort' },
  { value: 'not_in_cohort', label: 'Not in cohort' },
] as const;
export type Behaviour = (typeof BEHAVIOURS)[number]['value'];

export const COUNT_OPERATORS = [
  { value: 'gte', label: 'at least' },
  { value: 'exact', label: 'exactly' },
  { value: 'lte', label: 'at most' },
] as const;

/** One criterion as edited: every field of every behaviour, so switching behaviour keeps what was typed. */
export interface Criterion {
  behaviour: Behaviour;
  event: string;
  timeValue: string;
  timeUnit: TimeUnit;
  countOperator: string;
  count: string;
  propertyKey: string;
  propertyOperator: string;
  propertyValue: string;
  cohortId: string;
}

export interface CriteriaGroup {
  type: 'AND' | 'OR';
  criteria: Criterion[];
}

export interface CohortDefinition {
  type: 'AND' | 'OR';
  groups: CriteriaGroup[];
}

export function newCriterion(): Criterion {
  return {
    behaviour: 'performed_event',
    event: '',
    timeValue: '30',
    timeUnit: 'day',
    countOperator: 'gte',
    count: '5',
    propertyKey: '',
    propertyOperator: 'exact',
    propertyValue: '',
    cohortId: '',
  };
}

export function newDefinition(): CohortDefinition {
  return { type: 'OR', groups: [{ type: 'AND', criteria: [newCriterion()] }] };
}

const isGroup = (v: FilterGroup | Leaf): v is FilterGroup => Array.isArray((v as FilterGroup).values);

function criterionFromLeaf(leaf: Leaf): Criterion | null {
  const c = newCriterion();
  const negated = leaf.negation === true;
  if (leaf.type === 'behavioral') {
    if (leaf.event_type === 'actions') return null; // actions have no picker here yet
    c.event = String(leaf.key ?? '');
    if (leaf.time_value !== undefined && leaf.time_value !== null) c.timeValue = String(leaf.time_value);
    if (TIME_UNITS.includes(leaf.time_interval as TimeUnit)) c.timeUnit = leaf.time_interval as TimeUnit;
    else if (leaf.time_interval) return null;
    if (leaf.explicit_datetime || (Array.isArray(leaf.event_filters) && leaf.event_filters.length)) return null;
    switch (leaf.value) {
      case 'performed_event':
        c.behaviour = negated ? 'not_performed_event' : 'performed_event';
        return c;
      case 'performed_event_multiple':
        if (negated) return null;
        c.behaviour = 'performed_event_multiple';
        c.countOperator = String(leaf.operator ?? 'gte') === 'eq' ? 'exact' : String(leaf.operator ?? 'gte');
        c.count = String(leaf.operator_value ?? '');
        return COUNT_OPERATORS.some((o) => o.value === c.countOperator) ? c : null;
      case 'performed_event_first_time':
        if (negated) return null;
        c.behaviour = 'performed_event_first_time';
        return c;
      default:
        return null;
    }
  }
  if (leaf.type === 'person') {
    const [row] = rowsFromFilters([{ key: String(leaf.key), type: 'person', operator: String(leaf.operator ?? 'exact'), value: leaf.value as PropertyFilter['value'] }]);
    c.behaviour = negated ? 'not_have_property' : 'have_property';
    c.propertyKey = row!.key;
    c.propertyOperator = row!.operator;
    c.propertyValue = row!.value;
    return c;
  }
  if (leaf.type === 'cohort' || leaf.type === 'precalculated-cohort' || leaf.type === 'static-cohort') {
    c.behaviour = negated ? 'not_in_cohort' : 'in_cohort';
    c.cohortId = String(leaf.value ?? '');
    return c;
  }
  return null;
}

/**
 * The editor's shape of a stored definition: PostHog's two levels (criteria groups of criteria).
 * null when the definition uses something this editor cannot show (deeper nesting, actions, event
 * property filters on a behaviour): the page then shows it read-only instead of dropping parts.
 */
export function definitionFromFilters(filters: Cohort['filters']): CohortDefinition | null {
  if (!filters) return null;
  const root = filters.properties;
  const groups: CriteriaGroup[] = [];
  for (const value of root.values) {
    const group = isGroup(value) ? value : { type: 'AND' as const, values: [value] };
    const criteria: Criterion[] = [];
    for (const leaf of group.values) {
      if (isGroup(leaf)) return null;
      const c = criterionFromLeaf(leaf);
      if (!c) return null;
      criteria.push(c);
    }
    groups.push({ type: group.type, criteria });
  }
  return { type: root.type, groups };
}

function behaviouralLeaf(c: Criterion, value: string, negation: boolean): Leaf {
  const leaf: Leaf = { type: 'behavioral', key: c.event.trim(), value, event_type: 'events', time_value: Number(c.timeValue), time_interval: c.timeUnit };
  if (negation) leaf.negation = true;
  return leaf;
}

/** Throws a message naming the criterion when one is incomplete, so nothing half-typed is saved. */
function leafFromCriterion(c: Criterion, where: string): Leaf {
  const needsEvent = c.behaviour.includes('performed_event');
  if (needsEvent) {
    if (!c.event.trim()) throw new Error(`${where}: choose an event.`);
    if (!/^\d+$/.test(c.timeValue.trim())) throw new Error(`${where}: the time window must be a whole number.`);
  }
  switch (c.behaviour) {
    case 'performed_event':
      return behaviouralLeaf(c, 'performed_event', false);
    case 'not_performed_event':
      return behaviouralLeaf(c, 'performed_event', true);
    case 'performed_event_first_time':
      return behaviouralLeaf(c, 'performed_event_first_time', false);
    case 'performed_event_multiple': {
      if (!/^\d+$/.test(c.count.trim())) throw new Error(`${where}: the number of times must be a whole number.`);
      return { ...behaviouralLeaf(c, 'performed_event_multiple', false), operator: c.countOperator, operator_value: Number(c.count) };
    }
    case 'have_property':
    case 'not_have_property': {
      if (!c.propertyKey.trim()) throw new Error(`${where}: choose a person property.`);
      const [filter] = filtersFromRows([{ type: 'person', key: c.propertyKey, operator: c.propertyOperator, value: c.propertyValue }]);
      const leaf: Leaf = { ...filter!, type: 'person' };
      if (c.behaviour === 'not_have_property') leaf.negation = true;
      return leaf;
    }
    case 'in_cohort':
    case 'not_in_cohort': {
      if (!c.cohortId) throw new Error(`${where}: choose a cohort.`);
      const leaf: Leaf = { type: 'cohort', key: 'id', value: Number(c.cohortId) };
      if (c.behaviour === 'not_in_cohort') leaf.negation = true;
      return leaf;
    }
  }
}

/** PostHog's `filters` for a definition: `{properties: {type, values: [{type, values: [leaf…]}…]}}`. */
export function filtersFromDefinition(definition: CohortDefinition): { properties: FilterGroup } {
  if (definition.groups.length === 0 || definition.groups.every((g) => g.criteria.length === 0)) throw new Error('Add at least one criterion.');
  return {
    properties: {
      type: definition.type,
      values: definition.groups
        .filter((g) => g.criteria.length > 0)
        .map((g, gi) => ({ type: g.type, values: g.criteria.map((c, ci) => leafFromCriterion(c, `Group ${gi + 1}, criterion ${ci + 1}`)) })),
    },
  };
}
