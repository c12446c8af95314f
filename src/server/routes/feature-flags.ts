import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HedgerowError } from '../../errors.js';
import type { FlagStore, StoredFlag } from '../../flags/flag-store.js';
import { type FlagCondition, type FlagFilters, flagFiltersSchema, type FlagPropertyFilter } from '../../flags/flag-types.js';
import type { Project } from '../../metadata/projects.js';
import type { ServerContext } from '../context.js';
import { actorOf, jsonBody, requireProject } from '../auth.js';
import { jsonParam, limitOffsetPage, limitOffsetParams } from '../pagination.js';
import { idParam, tagify } from './insights.js';
import { basicUsers } from '../../metadata/user-basic.js';
import type { CohortStore } from '../../cohorts/cohort-store.js';
import { parseBlastRadiusRequest, userBlastRadius } from '../../flags/blast-radius.js';
import { queryContextBuilder } from './query.js';

/**
 * `/api/projects/:id/feature_flags/`: PostHog's FeatureFlagViewSet and FeatureFlagSerializer —
 * field names, validation rules and messages as in `posthog/api/feature_flag.py`.
 */

const KEY_MAX = 400;
/** PostHog's MAX_PROPERTY_VALUES: longest list a property filter may match against. */
const MAX_PROPERTY_VALUES = 1000;
/** Operators the flag evaluator knows (PostHog's PropertyOperator as flags use it). */
const OPERATORS = new Set([
  'exact', 'is_not', 'is_set', 'is_not_set', 'icontains', 'not_icontains', 'icontains_multi', 'not_icontains_multi',
  'starts_with', 'not_starts_with', 'ends_with', 'not_ends_with', 'regex', 'not_regex', 'gt', 'gte', 'lt', 'lte',
  'between', 'not_between', 'is_date_before', 'is_date_after', 'is_date_exact', 'semver_eq', 'semver_neq', 'semver_gt',
  'semver_gte', 'semver_lt', 'semver_lte', 'semver_tilde', 'semver_caret', 'semver_wildcard', 'in', 'not_in', 'flag_evaluates_to',
]);
/** Operators that compare one scalar: PostHog refuses lists and objects for them (we also take numbers for the comparisons). */
const STRING_VALUE_OPERATORS = new Set(['regex', 'icontains', 'not_regex', 'not_icontains', 'gte', 'lte', 'gt', 'lt']);
const COMPARISONS = new Set(['gt', 'gte', 'lt', 'lte']);
const EVALUATION_RUNTIMES = ['server', 'client', 'all'];
const BUCKETING_IDENTIFIERS = ['distinct_id', 'device_id'];
const THIRTY_DAYS_MS = 30 * 24 * 3600 * 1000;

type Method = 'POST' | 'PUT' | 'PATCH';

function invalid(attr: string | null, detail: string): HedgerowError {
  return new HedgerowError('invalid_input', detail, attr);
}

/** Python's type names, as DRF puts them in its messages. */
function pyType(v: unknown): string {
  if (v === null) return 'NoneType';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return 'dict';
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value as PostHog's messages print it (Python `str()` of the JSON value). */
function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
}

// ---------------------------------------------------------------- body fields (DRF's field messages)

interface FlagBody {
  key?: string;
  name?: string;
  filters?: unknown;
  active?: boolean;
  deleted?: boolean;
  ensure_experience_continuity?: boolean;
  tags?: string[];
  evaluation_tags?: string[];
  evaluation_runtime?: string;
  bucketing_identifier?: string | null;
}

function stringField(body: Record<string, unknown>, field: string, opts: { allowBlank: boolean; max?: number }): string | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (v === null) throw invalid(field, 'This field may not be null.');
  if (typeof v !== 'string' && typeof v !== 'number') throw invalid(field, 'Not a valid string.');
  const s = String(v);
  if (!opts.allowBlank && s.trim() === '') throw invalid(field, 'This field may not be blank.');
  if (opts.max !== undefined && [...s].length > opts.max) throw invalid(field, `Ensure this field has no more than ${opts.max} characters.`);
  return s;
}

function boolField(body: Record<string, unknown>, field: string, nullable = false): boolean | undefined {
  const v = body[field];
  if (v === undefined || (nullable && v === null)) return undefined;
  if (typeof v !== 'boolean') throw invalid(field, 'Must be a valid boolean.');
  return v;
}

function tagsField(body: Record<string, unknown>, field: string): string[] | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw invalid(field, `Expected a list of items but got type "${pyType(v)}".`);
  if (v.length > 100) throw invalid(field, 'Ensure this field has no more than 100 elements.');
  for (const t of v) {
    if (typeof t !== 'string') throw invalid(field, 'Not a valid string.');
    if (t.length > 255) throw invalid(field, 'Ensure this field has no more than 255 characters.');
  }
  return tagify(v as string[]);
}

function choiceField(body: Record<string, unknown>, field: string, choices: string[], nullable: boolean): string | null | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (v === null && nullable) return null;
  if (typeof v !== 'string' || !choices.includes(v)) throw invalid(field, `"${show(v)}" is not a valid choice.`);
  return v;
}

function parseBody(body: Record<string, unknown>, method: Method): FlagBody {
  const out: FlagBody = {};
  const key = stringField(body, 'key', { allowBlank: false, max: KEY_MAX });
  if (key === undefined && method !== 'PATCH') throw invalid('key', 'This field is required.');
  if (key !== undefined) {
    if (!/^[a-zA-Z0-9_-]+$/.test(key)) throw invalid('key', 'Only letters, numbers, hyphens (-) & underscores (_) are allowed.');
    out.key = key;
  }
  const name = stringField(body, 'name', { allowBlank: true });
  if (name !== undefined) out.name = name;
  if (body.filters !== undefined) out.filters = body.filters;
  const active = boolField(body, 'active');
  if (active !== undefined) out.active = active;
  const deleted = boolField(body, 'deleted');
  if (deleted !== undefined) out.deleted = deleted;
  const continuity = boolField(body, 'ensure_experience_continuity', true);
  if (continuity !== undefined) out.ensure_experience_continuity = continuity;
  const tags = tagsField(body, 'tags');
  if (tags) out.tags = tags;
  const evaluationTags = tagsField(body, 'evaluation_tags');
  if (evaluationTags) out.evaluation_tags = evaluationTags;
  const runtime = choiceField(body, 'evaluation_runtime', EVALUATION_RUNTIMES, true);
  if (runtime) out.evaluation_runtime = runtime;
  const bucketing = choiceField(body, 'bucketing_identifier', BUCKETING_IDENTIFIERS, true);
  if (bucketing !== undefined) out.bucketing_identifier = bucketing;
  // Features Hedgerow does not have are refused rather than silently dropped.
  if (body.is_remote_configuration === true) throw invalid('is_remote_configuration', 'Remote configuration flags are not supported by Hedgerow.');
  if (body.has_encrypted_payloads === true) throw invalid('has_encrypted_payloads', 'Encrypted payloads are not supported by Hedgerow.');
  if (Array.isArray(body.analytics_dashboards) && body.analytics_dashboards.length > 0) {
    throw invalid('analytics_dashboards', 'Linking analytics dashboards to feature flags is not supported by Hedgerow.');
  }
  return out;
}

// ---------------------------------------------------------------- filters (PostHog's validate_filters)

const conditionsOf = (filters: FlagFilters): FlagCondition[] => filters.groups ?? [];
const propertiesOf = (filters: FlagFilters): FlagPropertyFilter[] => conditionsOf(filters).flatMap((c) => c.properties ?? []);

/** Ids of the flags a flag's conditions depend on (`{"type": "flag", "key": "<id>"}`); malformed references skipped. */
function dependencyIds(filters: FlagFilters): number[] {
  return propertiesOf(filters)
    .filter((p) => p.type === 'flag' && /^\s*\d{1,9}\s*$/.test(p.key))
    .map((p) => Number(p.key));
}

const isMultivariate = (filters: FlagFilters): boolean => !!filters.multivariate && Object.keys(filters.multivariate).length > 0;

/** PostHog's date values: relative (`-7d`) or anything its date parser reads. */
function isParsableDate(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const relative = /^-?(\d+)([hdwmy])$/.exec(v.trim());
  if (relative) return Number(relative[1]) < 10_000;
  return !Number.isNaN(Date.parse(v.trim().replace(' ', 'T')));
}

interface FilterContext {
  store: FlagStore;
  cohorts: CohortStore;
  teamId: number;
  method: Method;
  /** The flag being updated (absent when creating). */
  current?: StoredFlag;
  /** The flag's key, as messages name it. */
  key: string;
}

/** Validated, normalised filters; `undefined` when a PATCH's filters carry no `groups` (PostHog ignores them then). */
async function validateFilters(raw: unknown, c: FilterContext): Promise<FlagFilters | undefined> {
  if (raw === null) throw invalid('filters', 'This field may not be null.');
  if (!isPlainObject(raw)) throw invalid('filters', `Expected a dictionary of items but got type "${pyType(raw)}".`);
  if (!('groups' in raw) && c.method === 'PATCH') return undefined;
  if (c.method === 'POST' && (!Array.isArray(raw.groups) || raw.groups.length === 0)) {
    throw invalid('filters', 'Feature flags must have at least one condition set (group).');
  }
  if (!('groups' in raw)) throw invalid('filters', 'filters.groups: This field is required.');
  if (raw.payloads !== undefined && raw.payloads !== null && !isPlainObject(raw.payloads)) throw invalid('filters', 'Payloads must be passed as a dictionary');
  const parsed = flagFiltersSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    throw invalid('filters', `filters${path}: ${issue.message}`);
  }
  const filters: FlagFilters = { ...parsed.data, groups: parsed.data.groups ?? [] };
  const properties = propertiesOf(filters);
  const groupIndex = filters.aggregation_group_type_index ?? null;

  if (groupIndex === null) {
    if (!properties.every((p) => ['person', 'cohort', 'flag'].includes(p.type ?? 'event'))) {
      throw invalid('filters', 'Filters are not valid (can only use person, cohort, and flag properties)');
    }
    if (!properties.every((p) => p.type !== 'flag' || p.operator === 'flag_evaluates_to')) {
      throw invalid('filters', "Flag properties must use the 'flag_evaluates_to' operator");
    }
    await checkFlagDependencies(filters, c);
  } else if (!properties.every((p) => p.type === 'group' && p.group_type_index === groupIndex)) {
    throw invalid('filters', 'Filters are not valid (can only use group properties)');
  }

  const variants = filters.multivariate?.variants ?? [];
  const variantKeys = new Set(variants.map((v) => v.key));
  if (variants.length > 0) {
    if (variants.reduce((sum, v) => sum + v.rollout_percentage, 0) !== 100) {
      throw invalid('filters', 'Invalid variant definitions: Variant rollout percentages must sum to 100.');
    }
    if (variantKeys.size !== variants.length) throw invalid('filters', 'Invalid variant definitions: Variant keys must be unique.');
  }

  const cohortIds = new Set<number>();
  for (const condition of conditionsOf(filters)) {
    if (condition.variant && !variantKeys.has(condition.variant)) throw invalid('filters', 'Filters are not valid (variant override does not exist)');
    for (const p of condition.properties ?? []) {
      if (Array.isArray(p.value) && p.value.length > MAX_PROPERTY_VALUES) {
        throw invalid('filters', `Property group expressions of type ${p.key} cannot contain more than ${MAX_PROPERTY_VALUES} values.`);
      }
      const operator = p.operator ?? 'exact';
      if (!OPERATORS.has(operator)) throw invalid('filters', `Filters are not valid (unknown operator '${operator}')`);
      if (p.type === 'cohort') {
        if (!/^\d{1,9}$/.test(String(p.value))) throw invalid('filters', `Cohort with id ${show(p.value)} does not exist`);
        cohortIds.add(Number(p.value));
      }
      if ((operator === 'is_date_before' || operator === 'is_date_after') && !isParsableDate(p.value)) {
        throw invalid('filters', `Invalid date value: ${show(p.value)}`);
      }
      if (STRING_VALUE_OPERATORS.has(operator) && typeof p.value !== 'string' && !(typeof p.value === 'number' && COMPARISONS.has(operator))) {
        throw invalid('filters', `Invalid value for operator ${operator}: ${show(p.value)}`);
      }
      if ((operator === 'in' || operator === 'not_in') && p.type !== 'cohort') {
        throw invalid('filters', `The '${operator}' operator is only valid for cohort properties, not '${p.type ?? 'event'}' properties.`);
      }
    }
  }
  await checkCohorts([...cohortIds], c);

  const payloads: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filters.payloads ?? {})) {
    // Payloads are served as JSON-encoded strings (SDKs JSON-parse them), so other values are encoded here.
    if (typeof value === 'string') {
      try {
        JSON.parse(value);
      } catch {
        throw invalid('filters', 'Payload value is not valid JSON');
      }
      payloads[key] = value;
    } else payloads[key] = value === null ? null : JSON.stringify(value);
  }
  if (isMultivariate(filters)) {
    if (!Object.keys(payloads).every((k) => variantKeys.has(k))) throw invalid('filters', 'Payload keys must match a variant key for multivariate flags');
  } else if (Object.keys(payloads).some((k) => k !== 'true')) {
    throw invalid('filters', "Payload keys must be 'true' for boolean flags");
  }
  return filters.payloads === undefined ? filters : { ...filters, payloads };
}

/** Dependencies name existing, active flags of the project by id, and never lead back to the flag. */
async function checkFlagDependencies(filters: FlagFilters, c: FilterContext): Promise<void> {
  const references = propertiesOf(filters).filter((p) => p.type === 'flag');
  if (references.length === 0) return;
  const flags = await c.store.all(c.teamId);
  for (const p of references) {
    if (!/^\s*-?\d+\s*$/.test(p.key)) {
      throw invalid('filters', `Flag dependencies must reference flag IDs (integers), not flag keys. Invalid reference: '${p.key}'`);
    }
    const id = Number(p.key);
    const dependency = flags.get(id);
    if (!dependency) throw invalid('filters', `Flag dependency references non-existent flag with ID ${id}`);
    if (!dependency.active && dependency.id !== c.current?.id) {
      throw invalid('filters', `Cannot create dependency on disabled flag '${dependency.key}' (ID: ${id}). Flag dependencies must reference active flags only.`);
    }
  }
  const self = c.current?.id;
  if (self === undefined) return; // a new flag has no id yet: nothing can lead back to it
  if (dependencyIds(filters).includes(self)) throw invalid('filters', `Feature flag '${c.key}' cannot depend on itself`);
  const depsOf = (id: number): number[] => (id === self ? dependencyIds(filters) : dependencyIds(flags.get(id)?.filters ?? {}).filter((d) => flags.has(d)));
  const keyOf = (id: number): string => (id === self ? c.key : (flags.get(id)?.key ?? String(id)));
  const finished = new Set<number>();
  const visit = (id: number, path: number[]): void => {
    const at = path.indexOf(id);
    if (at >= 0) throw invalid('filters', `Circular dependency detected: ${[...path.slice(at), id].map(keyOf).join(' → ')}`);
    if (finished.has(id)) return;
    for (const next of depsOf(id)) visit(next, [...path, id]);
    finished.add(id);
  };
  for (const dep of dependencyIds(filters)) visit(dep, [self]);
}

/**
 * Cohort filters name existing cohorts of this project. Beyond PostHog, cohorts defined by events
 * (behavioural) or by HogQL may target flags too: the server evaluates them from computed membership,
 * and local evaluation in the SDKs falls back to the server for them.
 */
async function checkCohorts(ids: number[], c: FilterContext): Promise<void> {
  if (ids.length === 0) return;
  const found = await c.cohorts.all(c.teamId);
  const missing = ids.find((id) => !found.get(id) || found.get(id)!.deleted);
  if (missing !== undefined) throw invalid('filters', `Cohort with id ${missing} does not exist`);
}

// ---------------------------------------------------------------- status (PostHog's FeatureFlagStatusChecker)

type FlagStatus = 'ACTIVE' | 'STALE' | 'DELETED';

/** The variant (or `true`) every match gets, when the configuration leaves no room for anything else. */
function fullyRolledOut(flag: StoredFlag): { rolledOut: boolean; explanation: string } {
  const no = { rolledOut: false, explanation: '' };
  if (!flag.active) return no;
  const conditions = conditionsOf(flag.filters);
  const fullCondition = (c: FlagCondition) => c.rollout_percentage === 100 && (c.properties ?? []).length === 0;
  if (isMultivariate(flag.filters)) {
    const fullVariant = (flag.filters.multivariate?.variants ?? []).find((v) => v.rollout_percentage === 100)?.key ?? null;
    const full = conditions.filter(fullCondition);
    const override = full.map((c) => c.variant).find((v) => v) ?? null;
    if (full.length > 0 && (override !== null || fullVariant !== null)) {
      return { rolledOut: true, explanation: `This flag will always use the variant "${override ?? fullVariant}"` };
    }
    return no;
  }
  if (Object.keys(flag.filters).length === 0 || conditions.some(fullCondition)) {
    return { rolledOut: true, explanation: 'This boolean flag will always evaluate to "true"' };
  }
  return no;
}

/**
 * PostHog's flag status from configuration. PostHog also reports INACTIVE for flags not called in
 * 30 days; Hedgerow does not record flag calls, so that status is never given.
 */
function flagStatus(flag: StoredFlag, now: number): { status: FlagStatus; reason: string } {
  if (flag.deleted) return { status: 'DELETED', reason: 'Flag has been deleted' };
  const { rolledOut, explanation } = fullyRolledOut(flag);
  if (rolledOut && Date.parse(flag.createdAt) < now - THIRTY_DAYS_MS) return { status: 'STALE', reason: explanation };
  return { status: 'ACTIVE', reason: 'Flag is active and being evaluated' };
}

// ---------------------------------------------------------------- serializer

async function serializeFlags(ctx: ServerContext, teamId: number, flags: StoredFlag[]): Promise<Record<string, unknown>[]> {
  const store = ctx.flags;
  const cohortIds = new Set<number>();
  for (const f of flags) {
    for (const p of propertiesOf(f.filters)) if (p.type === 'cohort' && /^\d{1,9}$/.test(String(p.value))) cohortIds.add(Number(p.value));
  }
  const [users, cohorts] = await Promise.all([basicUsers(ctx.pg, flags.flatMap((f) => [f.createdBy, f.lastModifiedBy])), ctx.cohorts.all(teamId)]);
  const now = Date.now();
  const out: Record<string, unknown>[] = [];
  for (const f of flags) {
    const conditions = conditionsOf(f.filters);
    const simple = conditions.length === 1 && (conditions[0]!.properties ?? []).length === 0 && (f.filters.aggregation_group_type_index ?? null) === null;
    // PostHog names the cohorts of cohort filters in its responses; cached flags are shared, so this copies.
    const filters = cohortIds.size === 0 ? f.filters : {
      ...f.filters,
      groups: conditions.map((c) => ({
        ...c,
        ...(c.properties ? { properties: c.properties.map((p) => (p.type === 'cohort' ? { ...p, cohort_name: cohorts.get(Number(p.value))?.name ?? null } : p)) } : {}),
      })),
    };
    out.push({
      id: f.id,
      name: f.name,
      key: f.key,
      filters,
      deleted: f.deleted,
      active: f.active,
      created_by: f.createdBy === null ? null : (users.get(f.createdBy) ?? null),
      created_at: f.createdAt,
      updated_at: f.updatedAt,
      version: f.version,
      last_modified_by: f.lastModifiedBy === null ? null : (users.get(f.lastModifiedBy) ?? null),
      is_simple_flag: simple,
      rollout_percentage: simple ? (conditions[0]!.rollout_percentage ?? null) : null,
      ensure_experience_continuity: f.ensureExperienceContinuity,
      experiment_set: (await store.experimentsOf(teamId, f.id)).filter((e) => !e.deleted).map((e) => e.id),
      surveys: [],
      features: [],
      rollback_conditions: null,
      performed_rollback: false,
      can_edit: true,
      tags: f.tags,
      evaluation_tags: f.evaluationTags,
      usage_dashboard: null,
      analytics_dashboards: [],
      has_enriched_analytics: false,
      user_access_level: 'editor',
      is_remote_configuration: false,
      has_encrypted_payloads: false,
      status: flagStatus(f, now).status,
      evaluation_runtime: f.evaluationRuntime,
      bucketing_identifier: f.bucketingIdentifier,
      last_called_at: null,
    });
  }
  return out;
}

// ---------------------------------------------------------------- list filters

const ORDERS = ['created_at', '-created_at', 'updated_at', '-updated_at', 'key', '-key', 'name', '-name'] as const;
type Order = (typeof ORDERS)[number];

interface ListQuery {
  limit?: string;
  offset?: string;
  active?: string;
  search?: string;
  type?: string;
  evaluation_runtime?: string;
  created_by_id?: string;
  tags?: string;
  order?: string;
}

/** A repeated parameter arrives as an array: the last one counts, as in Django's `QueryDict.get`. */
function lastValues(raw: Record<string, unknown>): ListQuery {
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(raw)) {
    const value = Array.isArray(v) ? v[v.length - 1] : v;
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

async function listFlags(store: FlagStore, teamId: number, q: ListQuery): Promise<StoredFlag[]> {
  const now = Date.now();
  let flags = [...(await store.all(teamId)).values()];
  if (q.active !== undefined && q.active !== '') {
    if (q.active === 'STALE') flags = flags.filter((f) => flagStatus(f, now).status === 'STALE');
    else if (q.active === 'true' || q.active === 'false') flags = flags.filter((f) => f.active === (q.active === 'true'));
    else throw invalid('active', 'active must be true, false or STALE');
  }
  if (q.search) {
    const needle = q.search.toLowerCase();
    const matches: StoredFlag[] = [];
    for (const f of flags) {
      const experiments = await store.experimentsOf(teamId, f.id);
      if (f.key.toLowerCase().includes(needle) || f.name.toLowerCase().includes(needle) || experiments.some((e) => !e.deleted && e.name.toLowerCase().includes(needle))) {
        matches.push(f);
      }
    }
    flags = matches;
  }
  if (q.type !== undefined && q.type !== '') {
    const multivariant = (f: StoredFlag) => (f.filters.multivariate?.variants ?? []).length > 0;
    if (q.type === 'boolean') flags = flags.filter((f) => !multivariant(f));
    else if (q.type === 'multivariant') flags = flags.filter(multivariant);
    else if (q.type === 'experiment') {
      const withExperiments: StoredFlag[] = [];
      for (const f of flags) if ((await store.experimentsOf(teamId, f.id)).length > 0) withExperiments.push(f);
      flags = withExperiments;
    } else if (q.type === 'remote_config') flags = []; // Hedgerow has no remote configuration flags
    else throw invalid('type', 'type must be boolean, multivariant, experiment or remote_config');
  }
  if (q.evaluation_runtime) flags = flags.filter((f) => f.evaluationRuntime === q.evaluation_runtime);
  if (q.created_by_id !== undefined && q.created_by_id !== '') {
    if (!/^\d{1,9}$/.test(q.created_by_id)) throw invalid('created_by_id', 'created_by_id must be a user id');
    flags = flags.filter((f) => f.createdBy === Number(q.created_by_id));
  }
  const tags = jsonParam(q.tags, z.array(z.string().max(255)).max(100), 'tags', 'a JSON array of tag names');
  if (tags?.length) {
    const wanted = new Set(tags);
    flags = flags.filter((f) => f.tags.some((t) => wanted.has(t)));
  }
  const order = (q.order || '-created_at') as Order;
  if (!ORDERS.includes(order)) throw invalid('order', `order must be one of ${ORDERS.join(', ')}`);
  const field = order.replace(/^-/, '') as 'created_at' | 'updated_at' | 'key' | 'name';
  const sign = order.startsWith('-') ? -1 : 1;
  const value = (f: StoredFlag) => (field === 'created_at' ? f.createdAt : field === 'updated_at' ? f.updatedAt : f[field]);
  return flags.sort((a, b) => sign * (value(a) < value(b) ? -1 : value(a) > value(b) ? 1 : a.id - b.id));
}

// ---------------------------------------------------------------- routes

/** Other active flags whose conditions depend on `flag`. */
async function dependents(store: FlagStore, flag: StoredFlag): Promise<StoredFlag[]> {
  const all = await store.all(flag.teamId);
  return [...all.values()].filter((f) => f.id !== flag.id && f.active && dependencyIds(f.filters).includes(flag.id)).sort((a, b) => (a.key < b.key ? -1 : 1));
}

function describeFlags(flags: StoredFlag[]): string {
  const names = flags.slice(0, 5).map((f) => `${f.key} (ID: ${f.id})`);
  if (flags.length > 5) names.push(`and ${flags.length - 5} more`);
  return names.join(', ');
}

/** `$feature_enrollment/<key>` conditions (early access) follow a key change, as in PostHog. */
function renameEnrollment(filters: FlagFilters, key: string): FlagFilters {
  if (!filters.super_groups) return filters;
  return {
    ...filters,
    super_groups: filters.super_groups.map((g) => ({
      ...g,
      properties: (g.properties ?? []).map((p) => (p.key.startsWith('$feature_enrollment/') ? { ...p, key: `$feature_enrollment/${key}` } : p)),
    })),
  };
}

function checkEvaluationTags(evaluationTags: string[] | undefined, tags: string[]): void {
  if (!evaluationTags?.length) return;
  const invalidTags = evaluationTags.filter((t) => !tags.includes(t)).sort();
  if (invalidTags.length) throw invalid('evaluation_tags', `Evaluation tags must be a subset of tags. Invalid evaluation tags: ${invalidTags.join(', ')}`);
}

export function featureFlagRoutes(ctx: ServerContext) {
  const store = ctx.flags;
  const queryContext = queryContextBuilder(ctx);
  type Params = { project_id: string; id: string };

  async function load(project: Project, rawId: string): Promise<StoredFlag> {
    const flag = await store.get(project.id, idParam(rawId, 'Feature flag'));
    if (!flag) throw new HedgerowError('not_found', `Feature flag ${rawId.slice(0, 40)} not found.`);
    return flag;
  }

  async function one(project: Project, flag: StoredFlag): Promise<Record<string, unknown>> {
    return (await serializeFlags(ctx, project.id, [flag]))[0]!;
  }

  async function create(project: Project, request: FastifyRequest): Promise<StoredFlag> {
    const body = parseBody(jsonBody(request), 'POST');
    const key = body.key!;
    return store.serialized(async () => {
      if ([...(await store.all(project.id)).values()].some((f) => f.key === key)) throw invalid('key', 'There is already a feature flag with this key.');
      // Without filters PostHog's legacy form applies: one condition, no properties, everyone in.
      const filters = body.filters === undefined ? { groups: [{ properties: [], rollout_percentage: null }] } : (await validateFilters(body.filters, { store, cohorts: ctx.cohorts, teamId: project.id, method: 'POST', key }))!;
      const tags = body.tags ?? [];
      checkEvaluationTags(body.evaluation_tags, tags);
      return store.create(
        project.id,
        {
          key,
          name: body.name ?? '',
          filters,
          active: body.active ?? true,
          deleted: body.deleted ?? false,
          ensureExperienceContinuity: body.ensure_experience_continuity ?? false,
          evaluationRuntime: body.evaluation_runtime ?? 'all',
          evaluationTags: body.evaluation_tags ?? [],
          bucketingIdentifier: body.bucketing_identifier ?? null,
          tags,
        },
        actorOf(request).userId,
      );
    });
  }

  async function update(project: Project, request: FastifyRequest<{ Params: Params }>, method: 'PUT' | 'PATCH'): Promise<StoredFlag> {
    const id = (await load(project, request.params.id)).id;
    const body = parseBody(jsonBody(request), method);
    return store.serialized(async () => {
      const current = await store.get(project.id, id);
      if (!current) throw new HedgerowError('not_found', `Feature flag ${id} not found.`);
      const flags = await store.all(project.id);
      let key = body.key;
      if (key !== undefined && [...flags.values()].some((f) => f.key === key && f.id !== id)) throw invalid('key', 'There is already a feature flag with this key.');
      let filters = body.filters === undefined ? undefined : await validateFilters(body.filters, { store, cohorts: ctx.cohorts, teamId: project.id, method, current, key: current.key });
      const tags = body.tags ?? current.tags;
      checkEvaluationTags(body.evaluation_tags ?? (body.tags ? current.evaluationTags : undefined), tags);

      if (body.deleted === true && !current.deleted) {
        const experiments = await store.experimentsOf(project.id, id);
        const live = experiments.filter((e) => !e.deleted);
        if (live.length) {
          throw invalid(null, `Cannot delete a feature flag that is linked to active experiment(s) with ID(s): ${live.map((e) => e.id).join(', ')}. Please delete the experiment(s) before deleting the flag.`);
        }
        const dependent = await dependents(store, current);
        if (dependent.length) {
          throw invalid(null, `Cannot delete this feature flag because other flags depend on it: ${describeFlags(dependent)}. Please update or delete the dependent flags first.`);
        }
        // Deleted experiments keep naming the flag: its key is renamed so the key can be reused.
        if (experiments.length) key = `${current.key}:deleted:${current.id}`;
      }
      if (body.active === false && current.active) {
        const dependent = await dependents(store, current);
        if (dependent.length) {
          throw invalid(null, `Cannot disable this feature flag because other flags depend on it: ${describeFlags(dependent)}. Please update or disable the dependent flags first.`);
        }
      }
      if (body.active === true && !current.active) {
        const disabled = dependencyIds(current.filters).map((d) => flags.get(d)).filter((f): f is StoredFlag => !!f && !f.active);
        if (disabled.length) {
          throw invalid(null, `Cannot enable this feature flag because it depends on disabled flags: ${describeFlags(disabled.sort((a, b) => (a.key < b.key ? -1 : 1)))}. Please enable the dependency flags first.`);
        }
      }
      if (key !== undefined && key !== current.key) filters = renameEnrollment(filters ?? current.filters, key);

      const updated = await store.update(
        project.id,
        id,
        {
          key,
          name: body.name,
          filters,
          active: body.active,
          deleted: body.deleted,
          ensureExperienceContinuity: body.ensure_experience_continuity,
          evaluationRuntime: body.evaluation_runtime,
          evaluationTags: body.evaluation_tags,
          bucketingIdentifier: body.bucketing_identifier,
          tags: body.tags,
        },
        actorOf(request).userId,
      );
      if (!updated) throw new HedgerowError('not_found', `Feature flag ${id} not found.`);
      return updated;
    });
  }

  return async function routes(app: FastifyInstance): Promise<void> {
    for (const prefix of ['/api/projects', '/api/environments']) {
      const base = `${prefix}/:project_id/feature_flags`;

      app.get<{ Params: Params; Querystring: Record<string, unknown> }>(base, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'feature_flag:read');
        const query = lastValues(request.query);
        const { limit, offset } = limitOffsetParams(query);
        const flags = await listFlags(store, project.id, query);
        const page = Math.min(limit, 1000);
        const results = await serializeFlags(ctx, project.id, flags.slice(offset, offset + page));
        return limitOffsetPage(request, { limit: page, offset, count: flags.length, results });
      });

      app.post<{ Params: Params }>(base, async (request, reply) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'feature_flag:write');
        return reply.status(201).send(await one(project, await create(project, request)));
      });

      app.get<{ Params: Params }>(`${base}/:id`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'feature_flag:read');
        return one(project, await load(project, request.params.id));
      });

      app.patch<{ Params: Params }>(`${base}/:id`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'feature_flag:write');
        return one(project, await update(project, request, 'PATCH'));
      });

      app.put<{ Params: Params }>(`${base}/:id`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'feature_flag:write');
        return one(project, await update(project, request, 'PUT'));
      });

      // PostHog's ForbidDestroyModel: flags are soft-deleted with PATCH {"deleted": true}.
      app.delete<{ Params: Params }>(`${base}/:id`, async (request) => {
        await requireProject(ctx, request, request.params.project_id, 'feature_flag:write');
        throw new HedgerowError('method_not_allowed', 'Hard delete of this model is not allowed. Use a patch API call to set "deleted" to true');
      });

      // PostHog's `user_blast_radius`: how many users (or groups) one release condition matches, out of all.
      app.post<{ Params: Params }>(`${base}/user_blast_radius`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'feature_flag:read');
        const filterContext: FilterContext = { store, cohorts: ctx.cohorts, teamId: project.id, method: 'PUT', key: 'user_blast_radius' };
        const input = await parseBlastRadiusRequest(jsonBody(request), async (filters) => (await validateFilters(filters, filterContext))!);
        return userBlastRadius(input, await queryContext(project));
      });

      app.get<{ Params: Params }>(`${base}/:id/status`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'feature_flag:read');
        const flag = /^\d{1,9}$/.test(request.params.id) ? await store.get(project.id, Number(request.params.id)) : undefined;
        if (!flag) throw new HedgerowError('not_found', 'Flag could not be found', null, { status: 'unknown', reason: 'Flag could not be found' });
        const { status, reason } = flagStatus(flag, Date.now());
        return { status: status.toLowerCase(), reason };
      });
    }
  };
}
