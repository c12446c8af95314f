import { filtersFromRows, rowsFromFilters } from '../../components/property-filters-editor.js';
import type { PropertyFilter } from '../../types.js';

/** A release-condition filter as PostHog stores it. */
export interface FlagFilter {
  key: string;
  type?: string;
  operator?: string | null;
  value?: unknown;
  group_type_index?: number | null;
  [extra: string]: unknown;
}

export interface FlagCondition {
  properties?: FlagFilter[] | null;
  rollout_percentage?: number | null;
  variant?: string | null;
  [extra: string]: unknown;
}

export interface FlagVariant {
  key: string;
  name?: string | null;
  rollout_percentage: number;
}

export interface FeatureFlag {
  id: number;
  key: string;
  name: string;
  active: boolean;
  ensure_experience_continuity: boolean;
  filters: {
    groups?: FlagCondition[];
    multivariate?: { variants: FlagVariant[] } | null;
    payloads?: Record<string, string | null> | null;
    aggregation_group_type_index?: number | null;
    [extra: string]: unknown;
  };
  status: string;
  created_at: string;
  created_by: { first_name?: string; email?: string } | null;
  experiment_set: number[];
  tags: string[];
}

export interface GroupType {
  group_type: string;
  group_type_index: number;
  name_plural?: string | null;
}

/** What "who gets this flag" is in a sentence: "100% of all users", "2 condition sets". */
export function rolloutSummary(flag: FeatureFlag, groupTypes: GroupType[] = []): string {
  const groups = flag.filters.groups ?? [];
  const index = flag.filters.aggregation_group_type_index;
  const who = index === null || index === undefined ? 'users' : (groupTypes.find((g) => g.group_type_index === index)?.group_type ?? `group type ${index}`) + 's';
  if (groups.length === 0) return `No ${who}`;
  if (groups.length === 1) {
    const g = groups[0]!;
    const pct = g.rollout_percentage ?? 100;
    const props = g.properties?.length ?? 0;
    return props === 0 ? `${pct}% of all ${who}` : `${pct}% of ${who} matching ${props} filter${props === 1 ? '' : 's'}`;
  }
  return `${groups.length} condition sets`;
}

/** A filter row as edited: a person/group property, a cohort, or anything else kept as it was. */
export interface ConditionRow {
  type: 'person' | 'group' | 'cohort' | 'other';
  key: string;
  operator: string;
  value: string;
  /** `other` rows (flag dependencies…) carry their filter unchanged. */
  raw?: FlagFilter;
}

export interface ConditionDraft {
  rows: ConditionRow[];
  rollout: string;
  variant: string;
}

export interface VariantDraft {
  key: string;
  name: string;
  rollout: string;
  payload: string;
}

export interface FlagDraft {
  key: string;
  name: string;
  active: boolean;
  continuity: boolean;
  /** '' = persons; otherwise a group type index. */
  groupIndex: string;
  multivariate: boolean;
  variants: VariantDraft[];
  booleanPayload: string;
  conditions: ConditionDraft[];
  /** Filter fields this editor does not show (holdouts, super groups…), kept on save. */
  extra: Record<string, unknown>;
}

export function newDraft(): FlagDraft {
  return {
    key: '',
    name: '',
    active: true,
    continuity: false,
    groupIndex: '',
    multivariate: false,
    variants: [
      { key: 'control', name: '', rollout: '50', payload: '' },
      { key: 'test', name: '', rollout: '50', payload: '' },
    ],
    booleanPayload: '',
    conditions: [{ rows: [], rollout: '100', variant: '' }],
    extra: {},
  };
}

function rowFromFilter(f: FlagFilter): ConditionRow {
  if (f.type === 'cohort') return { type: 'cohort', key: 'id', operator: f.operator === 'not_in' ? 'not_in' : 'in', value: String(f.value ?? '') };
  if (f.type === 'person' || f.type === 'group') {
    const [row] = rowsFromFilters([{ key: f.key, type: 'person', operator: f.operator ?? 'exact', value: f.value as PropertyFilter['value'] }]);
    return { type: f.type, key: row!.key, operator: row!.operator, value: row!.value };
  }
  return { type: 'other', key: f.key, operator: f.operator ?? '', value: JSON.stringify(f.value ?? null), raw: f };
}

export function draftFromFlag(flag: FeatureFlag): FlagDraft {
  const { groups, multivariate, payloads, aggregation_group_type_index, ...extra } = flag.filters;
  const variants = multivariate?.variants ?? [];
  return {
    key: flag.key,
    name: flag.name,
    active: flag.active,
    continuity: flag.ensure_experience_continuity,
    groupIndex: aggregation_group_type_index === null || aggregation_group_type_index === undefined ? '' : String(aggregation_group_type_index),
    multivariate: variants.length > 0,
    variants: variants.length
      ? variants.map((v) => ({ key: v.key, name: v.name ?? '', rollout: String(v.rollout_percentage), payload: payloads?.[v.key] ?? '' }))
      : newDraft().variants,
    booleanPayload: variants.length ? '' : (payloads?.true ?? ''),
    conditions: (groups ?? []).map((g) => ({
      rows: (g.properties ?? []).map(rowFromFilter),
      rollout: g.rollout_percentage === null || g.rollout_percentage === undefined ? '100' : String(g.rollout_percentage),
      variant: g.variant ?? '',
    })),
    extra,
  };
}

/** The sum of the variants' rollout percentages (NaN counts as 0), shown next to the table. */
export function variantSum(draft: FlagDraft): number {
  return draft.variants.reduce((s, v) => s + (Number(v.rollout) || 0), 0);
}

/** Payload text that is not JSON, by the payload's name; empty text means "no payload". */
export function payloadErrors(draft: FlagDraft): string[] {
  const entries: Array<[string, string]> = draft.multivariate ? draft.variants.map((v) => [v.key || 'a variant', v.payload]) : [['true', draft.booleanPayload]];
  const errors: string[] = [];
  for (const [name, text] of entries) {
    if (!text.trim()) continue;
    try {
      JSON.parse(text);
    } catch (err) {
      errors.push(`The payload of “${name}” is not valid JSON: ${(err as Error).message}`);
    }
  }
  return errors;
}

function filterFromRow(row: ConditionRow, groupIndex: number | null): FlagFilter {
  if (row.type === 'other') return row.raw!;
  if (row.type === 'cohort') return { key: 'id', type: 'cohort', operator: row.operator, value: Number(row.value) };
  const [f] = filtersFromRows([{ type: 'person', key: row.key, operator: row.operator, value: row.value }]);
  return groupIndex === null ? { ...f!, type: 'person' } : { ...f!, type: 'group', group_type_index: groupIndex };
}

const NO_VALUE_OPERATORS = new Set(['is_set', 'is_not_set']);

/** A row the form would save (a property with a key, a cohort that is chosen, or a kept filter). */
const isSaved = (r: ConditionRow) => (r.type === 'other' || r.type === 'cohort' ? r.value !== '' : r.key.trim() !== '');

/** A saved row that is also complete enough to count: property rows need a value unless their operator takes none. */
const isCountable = (r: ConditionRow) => isSaved(r) && (r.type !== 'person' && r.type !== 'group' ? true : NO_VALUE_OPERATORS.has(r.operator) || r.value.trim() !== '');

/** The filters of a condition set as saved. */
export function conditionFilters(condition: ConditionDraft, groupIndex: number | null): FlagFilter[] {
  return condition.rows.filter(isSaved).map((r) => filterFromRow(r, groupIndex));
}

/** The filters of a condition set the match estimate counts, and how many rows are left out as unfinished. */
export function countableFilters(condition: ConditionDraft, groupIndex: number | null): { filters: FlagFilter[]; unfinished: number } {
  const countable = condition.rows.filter(isCountable);
  return { filters: countable.map((r) => filterFromRow(r, groupIndex)), unfinished: condition.rows.length - countable.length };
}

/** The API body of a draft. Rollouts go as numbers (text that is not one is sent as-is, for the server to refuse). */
export function bodyFromDraft(draft: FlagDraft): Record<string, unknown> {
  const groupIndex = draft.groupIndex === '' ? null : Number(draft.groupIndex);
  const num = (s: string) => (s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : s);
  const payloads: Record<string, string> = {};
  if (draft.multivariate) {
    for (const v of draft.variants) if (v.payload.trim()) payloads[v.key] = v.payload;
  } else if (draft.booleanPayload.trim()) payloads.true = draft.booleanPayload;
  return {
    key: draft.key.trim(),
    name: draft.name,
    active: draft.active,
    ensure_experience_continuity: draft.continuity,
    filters: {
      ...draft.extra,
      groups: draft.conditions.map((c) => ({
        properties: conditionFilters(c, groupIndex),
        rollout_percentage: num(c.rollout),
        variant: draft.multivariate && c.variant ? c.variant : null,
      })),
      multivariate: draft.multivariate ? { variants: draft.variants.map((v) => ({ key: v.key.trim(), name: v.name || undefined, rollout_percentage: num(v.rollout) })) } : null,
      payloads,
      aggregation_group_type_index: groupIndex,
    },
  };
}
