import { filtersFromRows, rowsFromFilters, type FilterRow } from '../../components/property-filters-editor.js';
import type { PropertyFilter } from '../../types.js';
import {
  COUNT_OPERATORS,
  isFilterGroup,
  LIST_OPERATORS,
  NO_VALUE_OPERATORS,
  NUMBER_OPERATORS,
  TIME_UNITS,
  type Behaviour,
  type CohortFilters,
  type FilterGroup,
  type Leaf,
  type TimeUnit,
} from './cohort-model.js';

/**
 * A cohort definition as the editor holds it: the stored AND/OR tree, node for node, so that any
 * definition the server accepts (PostHog's two levels, deeper nesting, criteria straight under the
 * root) opens editable and saves back as it was. A criterion that was not touched is saved as the
 * stored JSON it came from, byte for byte.
 */

/** One criterion as edited: every field of every behaviour, so switching behaviour keeps what was typed. */
export interface Criterion {
  behaviour: Behaviour;
  eventType: 'events' | 'actions';
  event: string;
  actionId: string;
  /** "in the last N units", "since" a date (`explicit_datetime`), or at any time (no window). */
  window: 'last' | 'since' | 'ever';
  timeValue: string;
  timeUnit: TimeUnit;
  since: string;
  countOperator: string;
  count: string;
  /** Event property filters on the behaviour (`event_filters`). */
  eventFilters: FilterRow[];
  propertyKey: string;
  propertyOperator: string;
  propertyValue: string;
  cohortId: string;
}

/** Where a criterion came from: the stored leaf and the criterion as first shown, to tell whether it was touched. */
interface LeafSource {
  leaf: Leaf;
  initial: string;
  /** The stored event filter behind each untouched filter row (rows keep their identity until edited). */
  filterOf: Map<FilterRow, Record<string, unknown>>;
}

let nextId = 1;
/** React keys that follow a node when its siblings are removed. */
const newId = () => nextId++;

export interface CriterionNode {
  kind: 'criterion';
  id: number;
  criterion: Criterion;
  source?: LeafSource;
}

export interface GroupNode {
  kind: 'group';
  id: number;
  type: 'AND' | 'OR';
  children: DefinitionNode[];
}

export type DefinitionNode = GroupNode | CriterionNode;

export interface CohortDefinition {
  root: GroupNode;
  /** Keys of `filters` besides `properties`, kept as they were. */
  rest: Record<string, unknown>;
}

export function newCriterion(): Criterion {
  return {
    behaviour: 'performed_event',
    eventType: 'events',
    event: '',
    actionId: '',
    window: 'last',
    timeValue: '30',
    timeUnit: 'day',
    since: '',
    countOperator: 'gte',
    count: '5',
    eventFilters: [],
    propertyKey: '',
    propertyOperator: 'exact',
    propertyValue: '',
    cohortId: '',
  };
}

export const newCriterionNode = (): CriterionNode => ({ kind: 'criterion', id: newId(), criterion: newCriterion() });
export const newGroupNode = (): GroupNode => ({ kind: 'group', id: newId(), type: 'AND', children: [newCriterionNode()] });

/** PostHog's starting point: any of one group that has one criterion. */
export function newDefinition(): CohortDefinition {
  return { root: { kind: 'group', id: newId(), type: 'OR', children: [newGroupNode()] }, rest: {} };
}

/** The text a property value is edited as: a list as "a, b", nothing as "". */
function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => String(v)).join(', ');
  return value === undefined || value === null ? '' : String(value);
}

const BEHAVIOURAL_KINDS = new Set(['performed_event', 'performed_event_multiple', 'performed_event_first_time']);

/** The editor's criterion for a stored leaf; null for a leaf the server would not calculate either. */
function criterionFromLeaf(leaf: Leaf): Criterion | null {
  const c = newCriterion();
  const not = leaf.negation === true ? 'not_' : '';
  if (leaf.type === 'behavioral') {
    const kind = String(leaf.value);
    if (!BEHAVIOURAL_KINDS.has(kind)) return null;
    c.behaviour = `${not}${kind}` as Behaviour;
    if (leaf.event_type === 'actions') {
      c.eventType = 'actions';
      c.actionId = String(leaf.key ?? '');
    } else c.event = String(leaf.key ?? '');
    if (typeof leaf.explicit_datetime === 'string' && leaf.explicit_datetime) {
      c.window = 'since';
      c.since = leaf.explicit_datetime;
    } else if (leaf.time_value === undefined || leaf.time_value === null) c.window = 'ever';
    else c.timeValue = String(leaf.time_value);
    if (TIME_UNITS.includes(leaf.time_interval as TimeUnit)) c.timeUnit = leaf.time_interval as TimeUnit;
    if (kind === 'performed_event_multiple') {
      const op = leaf.operator === 'eq' ? 'exact' : String(leaf.operator ?? 'gte');
      if (!COUNT_OPERATORS.some((o) => o.value === op)) return null;
      c.countOperator = op;
      c.count = leaf.operator_value === undefined || leaf.operator_value === null ? '' : String(leaf.operator_value);
    }
    if (Array.isArray(leaf.event_filters)) c.eventFilters = rowsFromFilters(leaf.event_filters as PropertyFilter[]);
    return c;
  }
  if (leaf.type === 'person') {
    c.behaviour = `${not}have_property` as Behaviour;
    c.propertyKey = String(leaf.key ?? '');
    c.propertyOperator = typeof leaf.operator === 'string' && leaf.operator ? leaf.operator : 'exact';
    c.propertyValue = valueText(leaf.value);
    return c;
  }
  if (leaf.type === 'cohort' || leaf.type === 'precalculated-cohort' || leaf.type === 'static-cohort') {
    c.behaviour = `${not}in_cohort` as Behaviour;
    c.cohortId = String(leaf.value ?? '');
    return c;
  }
  return null;
}

function nodeFromStored(value: FilterGroup | Leaf): DefinitionNode | null {
  if (isFilterGroup(value)) {
    const children: DefinitionNode[] = [];
    for (const child of value.values) {
      const node = nodeFromStored(child);
      if (!node) return null;
      children.push(node);
    }
    return { kind: 'group', id: newId(), type: value.type, children };
  }
  const criterion = criterionFromLeaf(value);
  if (!criterion) return null;
  const filterOf = new Map<FilterRow, Record<string, unknown>>();
  const stored = Array.isArray(value.event_filters) ? (value.event_filters as Array<Record<string, unknown>>) : [];
  criterion.eventFilters.forEach((row, i) => filterOf.set(row, stored[i]!));
  return { kind: 'criterion', id: newId(), criterion, source: { leaf: value, initial: JSON.stringify(criterion), filterOf } };
}

/**
 * The editor's tree for stored filters. null only when a leaf is of a kind the server refuses to
 * calculate (it validates every definition it stores, so only data written around the API).
 */
export function definitionFromFilters(filters: CohortFilters | null): CohortDefinition | null {
  if (!filters || !filters.properties || !isFilterGroup(filters.properties)) return null;
  const root = nodeFromStored(filters.properties);
  if (!root || root.kind !== 'group') return null;
  const { properties: _properties, ...rest } = filters;
  return { root, rest };
}

/** How many criteria the tree holds (an empty tree matches every person, which is rarely meant). */
export function countCriteria(node: DefinitionNode): number {
  return node.kind === 'criterion' ? 1 : node.children.reduce((n, child) => n + countCriteria(child), 0);
}

const wholeNumber = (text: string) => /^\d+$/.test(text.trim());

/** A property value as stored for its operator: lists for equals/between, numbers for comparisons. */
function propertyValue(operator: string, text: string, where: string): unknown {
  if (LIST_OPERATORS.has(operator)) {
    const items = text
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    if (operator === 'between' || operator === 'not_between') {
      if (items.length !== 2 || items.some((v) => !Number.isFinite(Number(v)))) throw new Error(`${where}: "between" needs two numbers, as "1, 10".`);
      return items.map(Number);
    }
    if (items.length === 0) throw new Error(`${where}: type a value.`);
    return items;
  }
  if (text.trim() === '') throw new Error(`${where}: type a value.`);
  if (NUMBER_OPERATORS.has(operator)) {
    if (!Number.isFinite(Number(text))) throw new Error(`${where}: the value must be a number.`);
    return Number(text);
  }
  return text;
}

/** The stored event filters: untouched rows as they were stored, edited ones as the filter rows write them. */
function eventFiltersOf(rows: FilterRow[], source: LeafSource | undefined): Array<Record<string, unknown>> {
  return rows
    .filter((row) => row.key.trim() !== '')
    .map((row) => source?.filterOf.get(row) ?? (filtersFromRows([row])[0] as unknown as Record<string, unknown>));
}

/** Throws a message naming the criterion when one is incomplete, so nothing half-typed is saved. */
function leafFromCriterion(c: Criterion, where: string, source: LeafSource | undefined): Leaf {
  const negation = c.behaviour.startsWith('not_');
  const kind = negation ? c.behaviour.slice(4) : c.behaviour;
  let leaf: Leaf;
  if (kind.startsWith('performed_event')) {
    if (c.eventType === 'actions' ? !c.actionId : !c.event.trim()) throw new Error(`${where}: choose ${c.eventType === 'actions' ? 'an action' : 'an event'}.`);
    leaf = { type: 'behavioral', key: c.eventType === 'actions' ? Number(c.actionId) : c.event.trim(), value: kind, event_type: c.eventType };
    if (c.window === 'last') {
      if (!wholeNumber(c.timeValue)) throw new Error(`${where}: the time window must be a whole number.`);
      leaf.time_value = Number(c.timeValue);
      leaf.time_interval = c.timeUnit;
    } else if (c.window === 'since') {
      if (!c.since.trim()) throw new Error(`${where}: type the date the window starts (as 2025-01-31, or -30d).`);
      leaf.explicit_datetime = c.since.trim();
    }
    if (kind === 'performed_event_multiple') {
      if (!wholeNumber(c.count)) throw new Error(`${where}: the number of times must be a whole number.`);
      leaf.operator = c.countOperator;
      leaf.operator_value = Number(c.count);
    }
    const filters = eventFiltersOf(c.eventFilters, source);
    if (filters.length) leaf.event_filters = filters;
  } else if (kind === 'have_property') {
    if (!c.propertyKey.trim()) throw new Error(`${where}: choose a person property.`);
    leaf = { type: 'person', key: c.propertyKey.trim(), operator: c.propertyOperator };
    if (!NO_VALUE_OPERATORS.has(c.propertyOperator)) {
      // An untouched value keeps its stored form (a number stays a number).
      const initial = source && (JSON.parse(source.initial) as Criterion);
      const unchanged = source?.leaf.type === 'person' && initial?.propertyValue === c.propertyValue && initial.propertyOperator === c.propertyOperator;
      leaf.value = unchanged ? source.leaf.value : propertyValue(c.propertyOperator, c.propertyValue, where);
    }
  } else {
    if (!c.cohortId) throw new Error(`${where}: choose a cohort.`);
    leaf = { type: 'cohort', key: 'id', value: Number(c.cohortId) };
  }
  if (negation) leaf.negation = true;
  return leaf;
}

/** The label of a node's position, as the editor's controls name it: "Group 1.2", "Group 1, criterion 3", "Criterion 2". */
export function criterionLabel(groupPath: string, index: number): string {
  return groupPath ? `Group ${groupPath}, criterion ${index}` : `Criterion ${index}`;
}

export function childGroupPath(parentPath: string, index: number): string {
  return parentPath ? `${parentPath}.${index}` : String(index);
}

function storedFromNode(node: DefinitionNode, groupPath: string, position: number): FilterGroup | Leaf {
  if (node.kind === 'criterion') {
    const { criterion, source } = node;
    if (source && JSON.stringify(criterion) === source.initial) return source.leaf;
    return leafFromCriterion(criterion, criterionLabel(groupPath, position), source);
  }
  return { type: node.type, values: storedChildren(node, groupPath) };
}

/** Children numbered as the editor shows them: groups among groups, criteria among criteria. */
function storedChildren(group: GroupNode, path: string): Array<FilterGroup | Leaf> {
  let groups = 0;
  let criteria = 0;
  return group.children.map((child) =>
    child.kind === 'group' ? storedFromNode(child, childGroupPath(path, ++groups), 0) : storedFromNode(child, path, ++criteria),
  );
}

/** PostHog's `filters` for a definition: `{properties: {type, values: [{type, values: [leaf…]}…]}}`. */
export function filtersFromDefinition(definition: CohortDefinition): CohortFilters {
  return { ...definition.rest, properties: { type: definition.root.type, values: storedChildren(definition.root, '') } };
}
