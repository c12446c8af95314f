import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateFlags, flagValue, type FlagEvaluationInput, type FlagResult } from '../src/flags/evaluate.js';
import type { FeatureFlag, FlagFilters, FlagPropertyFilter, PropertyGroup } from '../src/flags/flag-types.js';
import { flagHash, hash01, holdoutHash, inRollout, selectVariant, truncateIdentifier } from '../src/flags/hash.js';
import { matchProperty, matchPropertyGroup, type MatchContext, type PropertyMap } from '../src/flags/property-match.js';

/**
 * The flag evaluator, specified against PostHog: the hash by PostHog's published vectors (the 1,000-id
 * consistency lists every SDK carries, and the Rust service's hash contract corpus), the operators and
 * the per-flag algorithm by the semantics of PostHog's server evaluator (ingest-and-flags.md §5).
 */

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/flags/${name}`, import.meta.url), 'utf8'));

let nextId = 1;
function flag(key: string, filters: FlagFilters, extra: Partial<FeatureFlag> = {}): FeatureFlag {
  return {
    id: nextId++,
    teamId: 1,
    key,
    name: key,
    filters,
    active: true,
    deleted: false,
    ensureExperienceContinuity: false,
    version: 1,
    evaluationRuntime: 'all',
    evaluationTags: [],
    bucketingIdentifier: null,
    tags: [],
    hasExperiment: false,
    createdAt: '2024-01-01T00:00:00Z',
    updatedAt: '2024-01-01T00:00:00Z',
    createdBy: null,
    ...extra,
  };
}

function input(over: Partial<FlagEvaluationInput> = {}): FlagEvaluationInput {
  return { distinctId: 'user-1', personProperties: {}, cohortMatch: () => false, ...over };
}

function evaluateOne(f: FeatureFlag, over: Partial<FlagEvaluationInput> = {}, others: FeatureFlag[] = []): FlagResult {
  const result = evaluateFlags([f, ...others], input(over)).get(f.key);
  if (!result) throw new Error(`flag ${f.key} was not evaluated`);
  return result;
}

/** Rollout-only condition. */
const rollout = (percentage: number | null, extra: Record<string, unknown> = {}) => ({ properties: [], rollout_percentage: percentage, ...extra });
const person = (key: string, operator: string, value: unknown): FlagPropertyFilter => ({ key, operator, value, type: 'person' });

// Facts from PostHog's published consistency lists (test/fixtures/flags/consistency.json):
// simple-flag at 45%: distinct_id_0 out, distinct_id_1 in. multivariate-flag at 55% with
// first/second/third/fourth/fifth at 50/20/20/5/5: distinct_id_0 → second, distinct_id_3 → out,
// distinct_id_11 → third, distinct_id_18 → fourth, distinct_id_81 → fifth.
const consistency = fixture('consistency.json');
const simpleFilters: FlagFilters = consistency.simple_flag.filters;
const multiFilters: FlagFilters = consistency.multivariate_flag.filters;

describe('hash consistency with PostHog', () => {
  it('reproduces the 1,000 published values of `simple-flag` (45% rollout)', () => {
    expect(consistency.source).toContain('PostHog/posthog-python');
    const f = flag('simple-flag', simpleFilters);
    const actual = Array.from({ length: 1000 }, (_, i) => flagValue(evaluateOne(f, { distinctId: `distinct_id_${i}` })));
    expect(actual).toEqual(consistency.simple_flag.results);
  });

  it('reproduces the 1,000 published values of `multivariate-flag` (55% rollout, five variants)', () => {
    const f = flag('multivariate-flag', multiFilters);
    const actual = Array.from({ length: 1000 }, (_, i) => flagValue(evaluateOne(f, { distinctId: `distinct_id_${i}` })));
    expect(actual).toEqual(consistency.multivariate_flag.results);
  });

  const corpus = fixture('hash_sha1_60_v1.json');
  type Vector = {
    id: string;
    prefix: string;
    identifier: string;
    identifier_before_truncation?: string;
    salt: string;
    hash01: number;
    hash01_binary64_hex: string;
    hash01_if_quotient_rounded_once?: number;
    rollout_checks?: { rollout_percentage: number; included: boolean }[];
    variant_check?: { variants: { key: string; rollout_percentage: number }[]; selected: string };
    holdout_checks?: { exclusion_percentage: number; member: boolean }[];
    identifier_source?: { json_group_key: number };
  };
  const vectors: Vector[] = corpus.vectors;
  const binary64 = (x: number) => {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(x);
    return b.toString('hex');
  };

  it.each(vectors.map((v) => [v.id, v] as const))('matches the Rust contract corpus vector %s bit for bit', (_id, v) => {
    expect(corpus.source).toContain('hash_sha1_60_v1.json');
    const raw = v.identifier_before_truncation ?? v.identifier;
    expect(truncateIdentifier(raw)).toBe(v.identifier);
    const h = hash01(v.prefix, raw, v.salt);
    expect(binary64(h)).toBe(v.hash01_binary64_hex);
    expect(h).toBe(v.hash01);
    if (v.hash01_if_quotient_rounded_once !== undefined) expect(h).not.toBe(v.hash01_if_quotient_rounded_once);
    for (const check of v.rollout_checks ?? []) expect(inRollout(h, check.rollout_percentage), `${check.rollout_percentage}%`).toBe(check.included);
    if (v.variant_check) expect(selectVariant(h, v.variant_check.variants)).toBe(v.variant_check.selected);
    for (const check of v.holdout_checks ?? []) expect(inRollout(h, check.exclusion_percentage)).toBe(check.member);
  });

  type ThresholdVector = { id: string; hash01: number; rollout_percentage: number; included: boolean };
  const thresholds: ThresholdVector[] = corpus.threshold_vectors;
  it.each(thresholds.map((v) => [v.id, v] as const))('threshold vector %s', (_id, v) => {
    expect(inRollout(v.hash01, v.rollout_percentage)).toBe(v.included);
  });

  type VariantVector = { id: string; hash01: number; variants: { key: string; rollout_percentage: number }[]; selected: string | null };
  const variantVectors: VariantVector[] = corpus.variant_vectors;
  it.each(variantVectors.map((v) => [v.id, v] as const))('variant vector %s', (_id, v) => {
    expect(selectVariant(v.hash01, v.variants)).toBe(v.selected);
  });

  it('applies the corpus vectors end to end: rollout, variant, holdout, integer group keys, empty identifiers', () => {
    const betaSearch = (pct: number) => flag('beta-search', { groups: [rollout(pct)] });
    expect(evaluateOne(betaSearch(0), { distinctId: 'user-17' }).enabled).toBe(false);
    expect(evaluateOne(betaSearch(1), { distinctId: 'user-17' }).enabled).toBe(true);
    expect(evaluateOne(betaSearch(25.5), { distinctId: 'user-17' }).enabled).toBe(true);
    // The server's v1 shortcut: an empty identifier hashes to 0.0 (inside even a 0% rollout) for rollouts...
    expect(flagHash('beta-search', '')).toBe(0);
    expect(evaluateOne(betaSearch(0), { distinctId: '' }).enabled).toBe(true);
    // ...while the arithmetic itself hashes the prefix alone.
    expect(hash01('beta-search.', '')).toBe(0.6211969413249854);

    const layout = flag('checkout-layout', {
      groups: [rollout(100)],
      multivariate: { variants: [{ key: 'control', rollout_percentage: 50 }, { key: 'compact', rollout_percentage: 25 }, { key: 'spacious', rollout_percentage: 25 }] },
    });
    expect(evaluateOne(layout, { distinctId: 'user-61' }).variant).toBe('compact');

    expect(holdoutHash('user-31')).toBe(0.0194745413007599);
    const experiment = (exclusion: number) => flag('checkout-experiment', { groups: [rollout(0)], holdout: { id: 4, exclusion_percentage: exclusion } });
    expect(evaluateOne(experiment(10), { distinctId: 'user-31' }).variant).toBe('holdout-4');
    expect(evaluateOne(experiment(1), { distinctId: 'user-31' }).enabled).toBe(false);

    const orgDashboard = (pct: number) => flag('org-dashboard', { aggregation_group_type_index: 0, groups: [rollout(pct)] });
    const org = { groupTypeMapping: { 0: 'organization' } };
    expect(evaluateOne(orgDashboard(60), { ...org, groups: { organization: 42 } }).enabled).toBe(true);
    expect(evaluateOne(orgDashboard(59), { ...org, groups: { organization: 42 } }).enabled).toBe(false);
    expect(evaluateOne(orgDashboard(60), { ...org, groups: { organization: '42' } }).enabled).toBe(true);
  });

  it('cuts identifiers to 200 code points before hashing (a separate SHA-1 reference agrees)', () => {
    const reference = (s: string) => Number(BigInt(`0x${createHash('sha1').update(s).digest('hex').slice(0, 15)}`)) / 2 ** 60;
    const long = '😀'.repeat(250);
    expect(hash01('k.', long)).toBe(reference(`k.${'😀'.repeat(200)}`));
    expect(hash01('k.', 'user-9', 'variant')).toBe(reference('k.user-9variant'));
  });
});

// ---------------------------------------------------------------------------------------------------

const NOW = Date.parse('2022-05-01T00:00:00Z');
const utc: MatchContext = { timezone: 'UTC', now: NOW };

type Case = [description: string, filter: FlagPropertyFilter, properties: PropertyMap, expected: boolean, context?: MatchContext];
const f = (operator: string | null, value: unknown, key = 'key'): FlagPropertyFilter => ({ key, operator, value, type: 'person' });
const has = (value: unknown): PropertyMap => ({ key: value });
const none: PropertyMap = { other: 'x' };

function table(cases: Case[]) {
  it.each(cases)('%s', (_description, filter, properties, expected, context) => {
    expect(matchProperty(filter, properties, context ?? utc)).toBe(expected);
  });
}

describe('operators: exact and is_not', () => {
  table([
    ['exact string equal', f('exact', 'value'), has('value'), true],
    ['exact string differs', f('exact', 'value'), has('value2'), false],
    ['exact vs empty string', f('exact', 'value'), has(''), false],
    ['exact vs null property', f('exact', 'value'), has(null), false],
    ['exact on a missing property', f('exact', 'value'), none, false],
    ['no operator means exact', f(null, 'value'), has('value'), true],
    ['exact is case-insensitive', f('exact', 'Value'), has('vALUE'), true],
    ['exact list: any element', f('exact', ['value1', 'value2', 'value3']), has('value2'), true],
    ['exact list: none', f('exact', ['value1', 'value2', 'value3']), has('value4'), false],
    ['exact list is case-insensitive', f('exact', ['US', 'CA', 'Uk']), has('uk'), true],
    ['exact list: lower-case filter, upper-case property', f('exact', ['us']), has('US'), true],
    ['exact empty list never matches a string', f('exact', []), has('us'), false],
    ['number filter equals numeric string', f('exact', 5), has('5'), true],
    ['string filter equals number', f('exact', '5'), has(5), true],
    ['float string forms', f('exact', '5.5'), has(5.5), true],
    ['different numbers', f('exact', 5), has(6), false],
    ['"TRUE" filter equals true', f('exact', 'TRUE'), has(true), true],
    ['true filter equals "True"', f('exact', true), has('True'), true],
    ['false filter equals "FALSE"', f('exact', false), has('FALSE'), true],
    ['true filter vs false', f('exact', true), has(false), false],
    ['"true" filter vs 1 (not a boolean)', f('exact', 'true'), has(1), false],
    ['["true"] filter equals true', f('exact', ['true']), has(true), true],
    ['false filter matches any non-true value (PostHog truthiness)', f('exact', false), has('hello'), true],
    ['array property compared through its JSON text', f('exact', '["a","b"]'), has(['a', 'b']), true],
    ['null filter value matches nothing', f('exact', null), has(null), false],
    ['is_not different', f('is_not', 'value'), has('value2'), true],
    ['is_not empty string', f('is_not', 'value'), has(''), true],
    ['is_not null property', f('is_not', 'value'), has(null), true],
    ['is_not missing property', f('is_not', 'value'), none, true],
    ['is_not equal (any case)', f('is_not', 'value'), has('VALUE'), false],
    ['is_not list: outside', f('is_not', ['value1', 'value2']), has('value4'), true],
    ['is_not list: inside', f('is_not', ['value1', 'value2']), has('value2'), false],
    ['is_not with a null filter value matches nothing', f('is_not', null), has('x'), false],
    ['is_not boolean: "false" vs true filter', f('is_not', true), has('false'), true],
  ]);
});

describe('operators: is_set, is_not_set', () => {
  table([
    ['is_set with a value', f('is_set', 'is_set'), has('x'), true],
    ['is_set with a null value (present)', f('is_set', 'is_set'), has(null), true],
    ['is_set with an empty string', f('is_set', 'is_set'), has(''), true],
    ['is_set missing', f('is_set', 'is_set'), none, false],
    ['is_not_set missing', f('is_not_set', 'is_not_set'), none, true],
    ['is_not_set present', f('is_not_set', 'is_not_set'), has('x'), false],
    ['is_not_set present null', f('is_not_set', null), has(null), false],
  ]);
});

describe('operators: substring family (ASCII case folding)', () => {
  table([
    ['icontains', f('icontains', 'valUe'), has('343tfvalue5'), true],
    ['icontains any case', f('icontains', 'valUe'), has('vaLue4'), true],
    ['icontains absent', f('icontains', 'valUe'), has('Alakazam'), false],
    ['icontains vs a number without it', f('icontains', 'valUe'), has(123), false],
    ['icontains digit in a number', f('icontains', '3'), has(323), true],
    ['icontains digit absent', f('icontains', '3'), has('three'), false],
    ['icontains folds ASCII only (É is not é)', f('icontains', 'É'), has('café'), false],
    ['icontains missing', f('icontains', 'a'), none, false],
    ['not_icontains absent', f('not_icontains', 'valUe'), has('Alakazam'), true],
    ['not_icontains present', f('not_icontains', 'valUe'), has('VALUE'), false],
    ['not_icontains missing', f('not_icontains', 'a'), none, true],
    ['icontains null property reads "null"', f('icontains', 'nul'), has(null), true],
    ['icontains_multi any', f('icontains_multi', ['foo', 'bar']), has('xxBARyy'), true],
    ['icontains_multi none', f('icontains_multi', ['foo', 'bar']), has('baz'), false],
    ['icontains_multi single value', f('icontains_multi', 'oo'), has('FOO'), true],
    ['not_icontains_multi none', f('not_icontains_multi', ['foo', 'bar']), has('baz'), true],
    ['not_icontains_multi missing', f('not_icontains_multi', ['foo']), none, true],
    ['starts_with', f('starts_with', 'Val'), has('value'), true],
    ['starts_with elsewhere', f('starts_with', 'Val'), has('xvalue'), false],
    ['not_starts_with missing', f('not_starts_with', 'a'), none, true],
    ['not_starts_with prefix', f('not_starts_with', 'a'), has('Abc'), false],
    ['ends_with', f('ends_with', 'ue'), has('VALUE'), true],
    ['ends_with no', f('ends_with', 'ue'), has('values'), false],
    ['not_ends_with', f('not_ends_with', 'ue'), has('values'), true],
    ['ends_with missing', f('ends_with', 'ue'), none, false],
  ]);
});

describe('operators: regex', () => {
  const catastrophic = 'a'.repeat(40) + '!';
  table([
    ['regex search (unanchored)', f('regex', '\\.com$'), has('value.com'), true],
    ['regex no match', f('regex', '\\.com$'), has('.com343tfvalue5'), false],
    ['regex on a number', f('regex', '3'), has(323), true],
    ['numeric pattern', f('regex', 5), has('x5'), true],
    ['regex missing', f('regex', 'a'), none, false],
    ['not_regex missing', f('not_regex', 'a'), none, true],
    ['not_regex matching', f('not_regex', '\\.com$'), has('value.com'), false],
    ['not_regex not matching', f('not_regex', '\\.com$'), has('value.org'), true],
    ['invalid pattern: regex false', f('regex', '?*'), has('value'), false],
    ['invalid pattern: not_regex false too', f('not_regex', '?*'), has('value'), false],
    ['leading (?i) flag', f('regex', '(?i)^ABC'), has('abcdef'), true],
    ['Rust named groups (?P<name>…)', f('regex', '^(?P<word>a+)b$'), has('aab'), true],
    ['POSIX class', f('regex', '^[[:digit:]]+$'), has('123'), true],
    ['Unicode class \\pL', f('regex', '^\\pL+$'), has('héllo'), true],
    ['nested repetition runs in linear time: no match', f('regex', '(a+)+$'), has(catastrophic), false],
    ['nested repetition runs in linear time: match', f('regex', '^(a+)+$'), has('aaaa'), true],
    ['nested repetition that only backtracking can run is refused', f('regex', '(?i)(a+)+$'), has('AAA'), false],
  ]);
});

describe('operators: numeric comparisons', () => {
  table([
    ['gt', f('gt', 1), has(2), true],
    ['gt equal', f('gt', 1), has(1), false],
    ['gt numeric strings compare as numbers', f('gt', '9'), has('10'), true],
    ['gte equal', f('gte', 5), has('5'), true],
    ['lt', f('lt', 5), has(-3), true],
    ['lt no', f('lt', 5), has(5), false],
    ['lte string filter', f('lte', '43'), has('43'), true],
    ['lte above', f('lte', '43'), has(44), false],
    ['exponent notation', f('gt', 999), has('1e3'), true],
    ['non-numeric property', f('gt', 1), has('abc'), false],
    ['non-numeric filter', f('lt', 'abc'), has(1), false],
    ['boolean property is not a number', f('gt', 0), has(true), false],
    ['null property', f('lt', 100), has(null), false],
    ['whitespace is not numeric', f('gt', 1), has(' 5'), false],
    ['missing', f('gt', 1), none, false],
    ['between inside', f('between', [1, 10]), has(5), true],
    ['between lower bound inclusive', f('between', [1, 10]), has(1), true],
    ['between upper bound inclusive', f('between', [1, 10]), has('10'), true],
    ['between outside', f('between', [1, 10]), has(0), false],
    ['not_between outside', f('not_between', [1, 10]), has(0), true],
    ['not_between inside', f('not_between', [1, 10]), has(5), false],
    ['between missing', f('between', [1, 10]), none, false],
    ['not_between missing', f('not_between', [1, 10]), none, true],
    ['between string bounds', f('between', ['1', '10']), has('5'), true],
    ['between reversed bounds match nothing', f('between', [10, 1]), has(5), false],
    ['not_between reversed bounds match nothing', f('not_between', [10, 1]), has(50), false],
    ['between non-array filter', f('between', 5), has(5), false],
    ['not_between NaN property', f('not_between', [1, 10]), has('NaN'), false],
  ]);
});

describe('operators: semantic versions', () => {
  table([
    ['semver_eq', f('semver_eq', '1.2.3'), has('1.2.3'), true],
    ['semver_eq strips a leading v', f('semver_eq', '1.2.3'), has('v1.2.3'), true],
    ['semver_eq pads missing parts', f('semver_eq', '1.2'), has('1.2.0'), true],
    ['semver_eq strips leading zeros', f('semver_eq', '3.8.0'), has('3.08'), true],
    ['semver_neq', f('semver_neq', '1.2.3'), has('1.2.4'), true],
    ['semver_gt compares numerically', f('semver_gt', '1.2.3'), has('1.10.0'), true],
    ['semver_gte equal', f('semver_gte', '2.0.0'), has('2.0.0'), true],
    ['semver_lt pre-release below release', f('semver_lt', '1.0.0'), has('1.0.0-alpha'), true],
    ['semver_lt pre-release order', f('semver_lt', '1.0.0-beta'), has('1.0.0-alpha.1'), true],
    ['semver_lte below', f('semver_lte', '1.0.0'), has('0.9.9'), true],
    ['unparseable property: neither eq nor neq', f('semver_neq', '1.2.3'), has('not-a-version'), false],
    ['four components are not a version', f('semver_eq', '1.2.3'), has('1.2.3.4'), false],
    ['invalid filter', f('semver_gt', 'x.y'), has('1.0.0'), false],
    ['missing property', f('semver_neq', '1.2.3'), none, false],
    ['tilde lower bound', f('semver_tilde', '1.2.3'), has('1.2.3'), true],
    ['tilde same minor', f('semver_tilde', '1.2.3'), has('1.2.9'), true],
    ['tilde next minor excluded', f('semver_tilde', '1.2.3'), has('1.3.0'), false],
    ['tilde below', f('semver_tilde', '1.2.3'), has('1.2.2'), false],
    ['tilde on a padded version', f('semver_tilde', '1.2'), has('1.2.5'), true],
    ['caret same major', f('semver_caret', '1.2.3'), has('1.9.9'), true],
    ['caret next major excluded', f('semver_caret', '1.2.3'), has('2.0.0'), false],
    ['caret below', f('semver_caret', '1.2.3'), has('1.2.2'), false],
    ['caret 0.x pins the minor', f('semver_caret', '0.2.3'), has('0.3.0'), false],
    ['caret 0.x within the minor', f('semver_caret', '0.2.3'), has('0.2.9'), true],
    ['caret 0.0.x pins the patch', f('semver_caret', '0.0.3'), has('0.0.4'), false],
    ['wildcard major', f('semver_wildcard', '1.*'), has('1.99.3'), true],
    ['wildcard major excluded', f('semver_wildcard', '1.*'), has('2.0.0'), false],
    ['wildcard minor', f('semver_wildcard', '1.2.*'), has('1.2.7'), true],
    ['wildcard minor excluded', f('semver_wildcard', '1.2.*'), has('1.3.0'), false],
    ['wildcard with leading zeros', f('semver_wildcard', '3.08.*'), has('3.8.1'), true],
    ['wildcard everything', f('semver_wildcard', '*'), has('5.0.0'), true],
    ['wildcard then a number is invalid', f('semver_wildcard', '1.*.3'), has('1.2.3'), false],
    ['pre-releases stay outside a wildcard', f('semver_wildcard', '1.2.*'), has('1.2.5-beta'), false],
  ]);
});

describe('operators: dates (now = 2022-05-01T00:00Z)', () => {
  const paris: MatchContext = { timezone: 'Europe/Paris', now: NOW };
  const newYork = (now: string): MatchContext => ({ timezone: 'America/New_York', now: Date.parse(now) });
  table([
    ['before: absolute date', f('is_date_before', '2022-05-01'), has('2022-03-01'), true],
    ['before: ISO instant just before', f('is_date_before', '2022-05-01'), has('2022-04-30T23:59:59Z'), true],
    ['before: later', f('is_date_before', '2022-05-01'), has('2022-05-30'), false],
    ['after: later', f('is_date_after', '2022-05-01'), has('2022-05-30'), true],
    ['after: the same instant is not after', f('is_date_after', '2022-05-01'), has('2022-05-01T00:00:00Z'), false],
    ['exact: naive and ISO forms of one instant', f('is_date_exact', '2022-05-01T00:00:00Z'), has('2022-05-01 00:00:00'), true],
    ['exact: epoch seconds', f('is_date_exact', '2022-05-01T00:00:00Z'), has(1651363200), true],
    ['after: numeric string is epoch seconds', f('is_date_after', '2022-01-01'), has('1651363200'), true],
    ['after: small epoch is 1970', f('is_date_after', '2022-01-01'), has(1000), false],
    ['relative -7d: after', f('is_date_after', '-7d'), has('2022-04-25'), true],
    ['relative -7d: before the window', f('is_date_after', '-7d'), has('2022-04-23'), false],
    ['relative without minus', f('is_date_after', '7d'), has('2022-04-25'), true],
    ['relative hours', f('is_date_after', '-6h'), has('2022-04-30T18:00:01Z'), true],
    ['relative hours boundary', f('is_date_after', '-6h'), has('2022-04-30T18:00:00Z'), false],
    ['relative weeks', f('is_date_before', '-2w'), has('2022-04-16T23:00:00Z'), true],
    ['relative amount of 10000 is not a date', f('is_date_before', '-10000d'), has('1900-01-01'), false],
    ['unparseable property', f('is_date_before', '2022-05-01'), has('not a date'), false],
    ['unparseable property, after', f('is_date_after', '2022-05-01'), has('not a date'), false],
    ['boolean property', f('is_date_before', '2022-05-01'), has(true), false],
    ['non-string filter value', f('is_date_before', 1651363200), has('2022-01-01'), false],
    ['missing property', f('is_date_before', '2022-05-01'), none, false],
    ['explicit offsets honoured (before)', f('is_date_before', '2022-04-05 12:34:12 +01:00'), has('2022-04-05 11:34:11 +00:00'), true],
    ['explicit offsets honoured (after)', f('is_date_before', '2022-04-05 12:34:12 +01:00'), has('2022-04-05 11:34:13 +00:00'), false],
    ['RFC 2822', f('is_date_before', '2022-05-01'), has('Sat, 30 Apr 2022 10:00:00 GMT'), true],
    ['invalid calendar date', f('is_date_before', '2022-02-30'), has('2022-01-01'), false],
    ['naive filter read in the team zone (Paris): instant after local midnight', f('is_date_before', '2022-06-01'), has('2022-05-31T22:30:00Z'), false, paris],
    ['same filter in UTC', f('is_date_before', '2022-06-01'), has('2022-05-31T22:30:00Z'), true],
    ['naive property read in the team zone too', f('is_date_before', '2022-06-01 01:00:00'), has('2022-06-01 00:30:00'), true, paris],
    ['relative days across a DST change use the wall clock', f('is_date_after', '-2d'), has('2022-03-12T12:30:00Z'), false, newYork('2022-03-14T12:00:00Z')],
    ['the same span in UTC', f('is_date_after', '-2d'), has('2022-03-12T12:30:00Z'), true, { timezone: 'UTC', now: Date.parse('2022-03-14T12:00:00Z') }],
    ['a wall time skipped by DST does not exist', f('is_date_before', '2022-03-13 02:30:00'), has('2000-01-01'), false, newYork('2022-05-01T00:00:00Z')],
    ['an unknown zone reads as UTC', f('is_date_before', '2022-06-01'), has('2022-05-31T22:30:00Z'), true, { timezone: 'Mars/Olympus', now: NOW }],
  ]);

  it('subtracts months and years one calendar step at a time, clamping the day', () => {
    const march31: MatchContext = { timezone: 'UTC', now: Date.parse('2024-03-31T12:00:00Z') };
    // -1m: February 29 (leap year), 12:00.
    expect(matchProperty(f('is_date_after', '-1m'), has('2024-02-29T12:00:01Z'), march31)).toBe(true);
    expect(matchProperty(f('is_date_after', '-1m'), has('2024-02-29T11:59:59Z'), march31)).toBe(false);
    // -2m: February 29, then January 29 (not January 31).
    expect(matchProperty(f('is_date_before', '-2m'), has('2024-01-29T11:00:00Z'), march31)).toBe(true);
    expect(matchProperty(f('is_date_before', '-2m'), has('2024-01-30'), march31)).toBe(false);
    const leapDay: MatchContext = { timezone: 'UTC', now: Date.parse('2024-02-29T00:00:00Z') };
    expect(matchProperty(f('is_date_exact', '-1y'), has('2023-02-28T00:00:00Z'), leapDay)).toBe(true);
  });
});

describe('operators: everything else', () => {
  table([
    ['unknown operator never matches', f('sounds_like', 'x'), has('x'), false],
    ['cohort operators are not property operators', f('in', 3), has(3), false],
    ['flag_evaluates_to is not a property operator', f('flag_evaluates_to', true), has(true), false],
  ]);
});

describe('property groups (cohort trees)', () => {
  const ctx = { ...utc, cohortMatch: (id: number) => id === 7 };
  const tree = (type: string, values: unknown[]) => ({ type, values }) as PropertyGroup;
  const props = { plan: 'pro', country: 'FR', email: 'a@acme.com' };
  it.each([
    ['OR of ANDs, second branch', tree('OR', [tree('AND', [person('plan', 'exact', 'free')]), tree('AND', [person('country', 'exact', 'FR'), person('email', 'icontains', 'acme')])]), true],
    ['AND fails on one leaf', tree('AND', [person('plan', 'exact', 'pro'), person('country', 'exact', 'DE')]), false],
    ['negated leaf', tree('AND', [{ ...person('country', 'exact', 'DE'), negation: true }]), true],
    ['negated leaf that matches', tree('AND', [{ ...person('plan', 'exact', 'pro'), negation: true }]), false],
    ['"property" groups combine like AND', tree('property', [person('plan', 'exact', 'pro'), person('country', 'exact', 'FR')]), true],
    ['cohort leaf through the callback', tree('AND', [{ key: 'id', type: 'cohort', value: 7 }]), true],
    ['cohort leaf not_in', tree('AND', [{ key: 'id', type: 'cohort', value: 7, operator: 'not_in' }]), false],
    ['negated cohort leaf', tree('OR', [{ key: 'id', type: 'cohort', value: 8, negation: true }]), true],
    ['behavioural leaves never match, negated or not', tree('OR', [{ key: 'signed_up', type: 'behavioral', value: 'performed_event', negation: true }]), false],
    ['empty AND matches', tree('AND', []), true],
    ['empty OR does not', tree('OR', []), false],
    ['unknown group type never matches', tree('XOR', [person('plan', 'exact', 'pro')]), false],
    ['deep nesting', tree('AND', [tree('OR', [tree('AND', [person('plan', 'exact', 'pro')]), person('x', 'is_set', null)])]), true],
  ] as const)('%s', (_description, group, expected) => {
    expect(matchPropertyGroup(group as PropertyGroup, props, ctx)).toBe(expected);
  });

  it('an empty tree matches', () => {
    expect(matchPropertyGroup({}, props, ctx)).toBe(true);
    expect(matchPropertyGroup(null, props, ctx)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('the per-flag algorithm', () => {
  const multivariate = (conditions: FlagFilters['groups'], extra: Partial<FlagFilters> = {}): FlagFilters => ({
    ...multiFilters,
    groups: conditions,
    ...extra,
  });

  it('evaluates conditions in stored order: the first matching one decides (variant overrides included)', () => {
    const f1 = flag('multivariate-flag', multivariate([
      { properties: [person('plan', 'exact', 'pro')], rollout_percentage: 100, variant: 'fourth-variant' },
      { properties: [], rollout_percentage: 100, variant: 'first-variant' },
    ]));
    const pro = evaluateOne(f1, { personProperties: { plan: 'pro' } });
    expect(pro).toMatchObject({ enabled: true, variant: 'fourth-variant', reason: { code: 'condition_match', condition_index: 0, description: 'Matched condition set 1' } });
    const free = evaluateOne(f1, { personProperties: { plan: 'free' } });
    expect(free).toMatchObject({ variant: 'first-variant', reason: { condition_index: 1, description: 'Matched condition set 2' } });
  });

  it('rollout edges: null and 100 include everyone, 0 excludes every non-zero hash, equality is inside', () => {
    const at = (pct: number | null) => flag('simple-flag', { groups: [rollout(pct)] });
    expect(evaluateOne(at(null), { distinctId: 'distinct_id_0' }).enabled).toBe(true);
    expect(evaluateOne(at(100), { distinctId: 'distinct_id_0' }).enabled).toBe(true);
    expect(evaluateOne(at(0), { distinctId: 'distinct_id_1' })).toMatchObject({
      enabled: false,
      reason: { code: 'out_of_rollout_bound', condition_index: 0, description: 'Out of rollout bound' },
    });
    expect(evaluateOne(at(45), { distinctId: 'distinct_id_1' }).enabled).toBe(true);
    expect(evaluateOne(at(45), { distinctId: 'distinct_id_0' }).enabled).toBe(false);
  });

  it('uses the computed variant when a condition names a variant that does not exist', () => {
    const withOverride = (variant: string) => flag('multivariate-flag', multivariate([rollout(55, { variant })]));
    expect(evaluateOne(withOverride('no-such-variant'), { distinctId: 'distinct_id_0' }).variant).toBe('second-variant');
    expect(evaluateOne(withOverride('fifth-variant'), { distinctId: 'distinct_id_0' }).variant).toBe('fifth-variant');
  });

  it('serves plain `true` when the variant hash falls beyond weights summing below 100', () => {
    // distinct_id_0's variant hash is in [0.5, 0.7) (published: second-variant at 50/20/…).
    const partial = flag('multivariate-flag', { groups: [rollout(55)], multivariate: { variants: [{ key: 'first-variant', rollout_percentage: 50 }] } });
    expect(evaluateOne(partial, { distinctId: 'distinct_id_0' })).toMatchObject({ enabled: true, variant: null });
    expect(evaluateOne(partial, { distinctId: 'distinct_id_2' })).toMatchObject({ enabled: true, variant: 'first-variant' });
  });

  it('reports the best non-match: out of rollout beats no match, ties go to the later condition', () => {
    const twoMisses = flag('simple-flag', { groups: [{ properties: [person('plan', 'exact', 'x')] }, { properties: [person('plan', 'exact', 'y')] }] });
    expect(evaluateOne(twoMisses).reason).toEqual({ code: 'no_condition_match', condition_index: 1, description: 'No matching condition set' });
    const outThenMiss = flag('simple-flag', { groups: [rollout(45), { properties: [person('plan', 'exact', 'y')] }] });
    expect(evaluateOne(outThenMiss, { distinctId: 'distinct_id_0' }).reason).toMatchObject({ code: 'out_of_rollout_bound', condition_index: 0 });
    const noConditions = flag('empty', { groups: [] });
    expect(evaluateOne(noConditions)).toMatchObject({ enabled: false, reason: { code: 'no_group_type', condition_index: null } });
  });

  it('stops at the first out-of-rollout condition with early_exit', () => {
    const conditions = [rollout(0), rollout(100)];
    expect(evaluateOne(flag('ee', { groups: conditions }), { distinctId: 'distinct_id_1' })).toMatchObject({ enabled: true, reason: { condition_index: 1 } });
    expect(evaluateOne(flag('ee', { groups: conditions, early_exit: true }), { distinctId: 'distinct_id_1' })).toMatchObject({
      enabled: false,
      reason: { code: 'out_of_rollout_bound', condition_index: 0 },
    });
  });

  it('returns payloads stored as JSON-encoded strings, for `true` and per variant, never for a disabled flag', () => {
    const payloads = { true: '{"color":"blue"}', 'second-variant': '"text"', 'first-variant': '42' };
    const boolean = flag('simple-flag', { groups: [rollout(45)], payloads });
    expect(evaluateOne(boolean, { distinctId: 'distinct_id_1' }).payload).toBe('{"color":"blue"}');
    expect(evaluateOne(boolean, { distinctId: 'distinct_id_0' }).payload).toBeNull();
    const variants = flag('multivariate-flag', { ...multiFilters, payloads });
    expect(evaluateOne(variants, { distinctId: 'distinct_id_0' }).payload).toBe('"text"');
    expect(evaluateOne(variants, { distinctId: 'distinct_id_11' })).toMatchObject({ variant: 'third-variant', payload: null });
  });

  it('injects distinct_id into person properties and back-fills missing $initial_ properties', () => {
    const byId = flag('by-id', { groups: [{ properties: [person('distinct_id', 'exact', 'user-1')] }] });
    expect(evaluateOne(byId).enabled).toBe(true);
    const initial = flag('initial', { groups: [{ properties: [person('$initial_browser', 'exact', 'Chrome')] }] });
    expect(evaluateOne(initial, { personProperties: { $browser: 'Chrome' } }).enabled).toBe(true);
    expect(evaluateOne(initial, { personProperties: { $browser: 'Chrome', $initial_browser: 'Firefox' } }).enabled).toBe(false);
    const utm = flag('utm', { groups: [{ properties: [person('$initial_utm_source', 'exact', 'news')] }] });
    expect(evaluateOne(utm, { personProperties: { utm_source: 'news' } }).enabled).toBe(true);
  });

  it('reads dates in the project timezone and at the given time', () => {
    const recent = flag('recent', { groups: [{ properties: [person('signed_up', 'is_date_after', '-2d')] }] });
    const now = Date.parse('2022-03-14T12:00:00Z');
    expect(evaluateOne(recent, { now, personProperties: { signed_up: '2022-03-12T12:30:00Z' } }).enabled).toBe(true);
    expect(evaluateOne(recent, { now, timezone: 'America/New_York', personProperties: { signed_up: '2022-03-12T12:30:00Z' } }).enabled).toBe(false);
    const joined = flag('joined', { groups: [{ properties: [{ key: 'created_at', type: 'person_metadata', operator: 'is_date_before', value: '2024-01-01' }] }] });
    expect(evaluateOne(joined, { personCreatedAt: '2023-06-01T00:00:00Z' }).enabled).toBe(true);
    expect(evaluateOne(joined, { personCreatedAt: '2024-06-01T00:00:00Z' }).enabled).toBe(false);
  });
});

describe('group flags', () => {
  const mapping = { groupTypeMapping: { 0: 'company', 1: 'project' } };
  const companyFlag = (conditions: FlagFilters['groups']) => flag('org-dashboard', { aggregation_group_type_index: 0, groups: conditions });

  it('are off with no_group_type when the request does not name the group', () => {
    const f1 = companyFlag([rollout(100), rollout(100)]);
    expect(evaluateOne(f1, mapping)).toEqual({
      key: 'org-dashboard',
      enabled: false,
      variant: null,
      reason: { code: 'no_group_type', condition_index: 1, description: 'No group type' },
      payload: null,
    });
    expect(evaluateOne(f1, { ...mapping, groups: { company: '' } }).reason.code).toBe('no_group_type');
    expect(evaluateOne(f1, { groups: { company: 'acme' } }).reason.code).toBe('no_group_type');
  });

  it('bucket by group key and match group properties, with $group_key injected', () => {
    expect(evaluateOne(companyFlag([rollout(60)]), { ...mapping, groups: { company: 42 } }).enabled).toBe(true);
    const enterprise = companyFlag([{ properties: [{ key: 'plan', type: 'group', group_type_index: 0, value: 'enterprise', operator: 'exact' }] }]);
    const groupProperties = { company: { plan: 'enterprise' } };
    expect(evaluateOne(enterprise, { ...mapping, groups: { company: 'acme' }, groupProperties }).enabled).toBe(true);
    expect(evaluateOne(enterprise, { ...mapping, groups: { company: 'acme' }, groupProperties: { company: { plan: 'free' } } }).enabled).toBe(false);
    const byKey = companyFlag([{ properties: [{ key: '$group_key', type: 'group', group_type_index: 0, value: 'acme' }] }]);
    expect(evaluateOne(byKey, { ...mapping, groups: { company: 'acme' } }).enabled).toBe(true);
    expect(evaluateOne(byKey, { ...mapping, groups: { company: 'globex' } }).enabled).toBe(false);
  });

  it('let a condition override the aggregation: a group condition in a person flag, a person condition in a group flag', () => {
    const mixed = flag('mixed', {
      groups: [
        { properties: [], rollout_percentage: 100, aggregation_group_type_index: 1 },
        { properties: [person('plan', 'exact', 'pro')] },
      ],
    });
    expect(evaluateOne(mixed, { ...mapping, groups: { project: 'p1' } })).toMatchObject({ enabled: true, reason: { condition_index: 0 } });
    expect(evaluateOne(mixed, { ...mapping, personProperties: { plan: 'pro' } })).toMatchObject({ enabled: true, reason: { condition_index: 1 } });
    expect(evaluateOne(mixed, { ...mapping, personProperties: { plan: 'free' } }).reason).toEqual({
      code: 'no_condition_match',
      condition_index: 1,
      description: 'No matching condition set (group conditions were not evaluated because no group type was provided)',
    });
    const personInGroupFlag = flag('simple-flag', {
      aggregation_group_type_index: 0,
      groups: [{ properties: [], rollout_percentage: 45, aggregation_group_type_index: null }],
    });
    expect(evaluateOne(personInGroupFlag, { ...mapping, distinctId: 'distinct_id_1' }).enabled).toBe(true);
    expect(evaluateOne(personInGroupFlag, { ...mapping, distinctId: 'distinct_id_0' }).enabled).toBe(false);
  });
});

describe('bucketing identifiers', () => {
  it('bucket device_id flags by the device id, out of rollout without one', () => {
    const byDevice = flag('simple-flag', simpleFilters, { bucketingIdentifier: 'device_id' });
    expect(evaluateOne(byDevice, { distinctId: 'distinct_id_0', deviceId: 'distinct_id_1' }).enabled).toBe(true);
    expect(evaluateOne(byDevice, { distinctId: 'distinct_id_1', deviceId: 'distinct_id_0' }).enabled).toBe(false);
    expect(evaluateOne(byDevice, { distinctId: 'distinct_id_1', personProperties: { $device_id: 'distinct_id_1' } }).enabled).toBe(true);
    expect(evaluateOne(byDevice, { distinctId: 'distinct_id_1' })).toMatchObject({ enabled: false, reason: { code: 'out_of_rollout_bound' } });
  });

  it('bucket experience-continuity flags by the stored hash key, else $anon_distinct_id, else the distinct id', () => {
    const continuity = flag('simple-flag', simpleFilters, { ensureExperienceContinuity: true });
    expect(evaluateOne(continuity, { distinctId: 'distinct_id_0', hashKeyOverrides: { 'simple-flag': 'distinct_id_1' } }).enabled).toBe(true);
    expect(evaluateOne(continuity, { distinctId: 'distinct_id_1', hashKeyOverrides: { 'simple-flag': 'distinct_id_0' } }).enabled).toBe(false);
    expect(evaluateOne(continuity, { distinctId: 'distinct_id_0', anonDistinctId: 'distinct_id_1' }).enabled).toBe(true);
    expect(evaluateOne(continuity, { distinctId: 'distinct_id_1', hashKeyOverrides: { 'other-flag': 'distinct_id_0' } }).enabled).toBe(true);
    const plain = flag('simple-flag', simpleFilters);
    expect(evaluateOne(plain, { distinctId: 'distinct_id_0', hashKeyOverrides: { 'simple-flag': 'distinct_id_1' } }).enabled).toBe(false);
  });
});

describe('early access and holdouts', () => {
  it('lets the enrollment property decide before any condition', () => {
    const beta = flag('beta', { feature_enrollment: true, groups: [rollout(0)], payloads: { true: '"welcome"' } });
    expect(evaluateOne(beta, { personProperties: { '$feature_enrollment/beta': true } })).toEqual({
      key: 'beta',
      enabled: true,
      variant: null,
      reason: { code: 'super_condition_value', condition_index: 0, description: 'Super condition value' },
      payload: '"welcome"',
    });
    expect(evaluateOne(beta, { personProperties: { '$feature_enrollment/beta': 'true' } }).enabled).toBe(true);
    expect(evaluateOne(beta, { personProperties: { '$feature_enrollment/beta': false } })).toMatchObject({ enabled: false, reason: { code: 'super_condition_value' } });
    expect(evaluateOne(beta, { distinctId: 'distinct_id_1' }).reason.code).toBe('out_of_rollout_bound');
  });

  it('evaluates the legacy super condition only when the person has one of its properties', () => {
    const legacy = flag('legacy-beta', {
      super_groups: [{ properties: [person('$feature_enrollment/legacy-beta', 'exact', ['true'])], rollout_percentage: 100 }],
      groups: [rollout(100)],
    });
    expect(evaluateOne(legacy, { personProperties: { '$feature_enrollment/legacy-beta': false } })).toMatchObject({
      enabled: false,
      reason: { code: 'super_condition_value', condition_index: 0 },
    });
    expect(evaluateOne(legacy, { personProperties: { '$feature_enrollment/legacy-beta': true } }).reason.code).toBe('super_condition_value');
    expect(evaluateOne(legacy).reason).toMatchObject({ code: 'condition_match', condition_index: 0 });
  });

  it('puts holdout members on the `holdout-<id>` variant before the conditions', () => {
    const experiment = (exclusion: number) =>
      flag('multivariate-flag', { ...multiFilters, holdout: { id: 7, exclusion_percentage: exclusion }, payloads: { 'holdout-7': '"held"' } });
    expect(evaluateOne(experiment(100), { distinctId: 'distinct_id_0' })).toEqual({
      key: 'multivariate-flag',
      enabled: true,
      variant: 'holdout-7',
      reason: { code: 'holdout_condition_value', condition_index: null, description: 'Holdout condition value' },
      payload: '"held"',
    });
    expect(evaluateOne(experiment(0), { distinctId: 'distinct_id_0' }).variant).toBe('second-variant');
  });
});

describe('flag dependencies', () => {
  const dependsOn = (key: string, reference: string, value: unknown, extra: Partial<FlagPropertyFilter> = {}) =>
    flag(key, { groups: [{ properties: [{ key: reference, type: 'flag', operator: 'flag_evaluates_to', value, dependency_chain: [reference], ...extra }] }] });
  const simple = () => flag('simple-flag', simpleFilters);

  it('match on the dependency value: true (any variant), false, or a variant', () => {
    const base = simple();
    const onTrue = dependsOn('needs-simple', base.key, true);
    expect(evaluateOne(onTrue, { distinctId: 'distinct_id_1' }, [base]).enabled).toBe(true);
    expect(evaluateOne(onTrue, { distinctId: 'distinct_id_0' }, [base]).enabled).toBe(false);
    const onFalse = dependsOn('needs-not-simple', base.key, false);
    expect(evaluateOne(onFalse, { distinctId: 'distinct_id_0' }, [base]).enabled).toBe(true);
    const multi = flag('multivariate-flag', multiFilters);
    expect(evaluateOne(dependsOn('v', multi.key, 'second-variant'), { distinctId: 'distinct_id_0' }, [multi]).enabled).toBe(true);
    expect(evaluateOne(dependsOn('v', multi.key, 'first-variant'), { distinctId: 'distinct_id_0' }, [multi]).enabled).toBe(false);
    expect(evaluateOne(dependsOn('v', multi.key, true), { distinctId: 'distinct_id_0' }, [multi]).enabled).toBe(true);
  });

  it('resolve references by flag id as PostHog stores them', () => {
    const base = simple();
    expect(evaluateOne(dependsOn('by-id', String(base.id), true), { distinctId: 'distinct_id_1' }, [base]).enabled).toBe(true);
  });

  it('never match with another operator', () => {
    const base = simple();
    expect(evaluateOne(dependsOn('odd', base.key, true, { operator: 'exact' }), { distinctId: 'distinct_id_1' }, [base]).enabled).toBe(false);
  });

  it('fail closed with missing_dependency when a dependency is missing, deleted, circular, or broken further down', () => {
    const missing = dependsOn('needs-ghost', 'ghost-flag', true);
    expect(evaluateOne(missing)).toEqual({
      key: 'needs-ghost',
      enabled: false,
      variant: null,
      reason: { code: 'missing_dependency', condition_index: null, description: 'Flag cannot be evaluated due to missing dependency' },
      payload: null,
    });
    const deleted = flag('gone', simpleFilters, { deleted: true });
    expect(evaluateOne(dependsOn('needs-gone', 'gone', false), {}, [deleted]).reason.code).toBe('missing_dependency');
    const a = dependsOn('a', 'b', true);
    const b = dependsOn('b', 'a', true);
    const c = dependsOn('c', 'a', true);
    const results = evaluateFlags([a, b, c, simple()], input({ distinctId: 'distinct_id_1' }));
    expect([...results.values()].map((r) => [r.key, r.reason.code])).toEqual([
      ['a', 'missing_dependency'],
      ['b', 'missing_dependency'],
      ['c', 'missing_dependency'],
      ['simple-flag', 'condition_match'],
    ]);
  });

  it('treat inactive and excluded dependencies as false, and evaluate dependencies that are not requested', () => {
    const inactive = flag('off', { groups: [rollout(100)] }, { active: false });
    expect(evaluateOne(dependsOn('needs-off', 'off', false), {}, [inactive]).enabled).toBe(true);
    const serverOnly = flag('server-only', { groups: [rollout(100)] }, { evaluationRuntime: 'server' });
    const dependant = dependsOn('needs-server-only', 'server-only', false);
    const excluded = evaluateFlags([serverOnly, dependant], input({ isExcluded: (fl) => fl.evaluationRuntime === 'server' }));
    expect([...excluded.keys()]).toEqual(['needs-server-only']);
    expect(excluded.get('needs-server-only')?.enabled).toBe(true);
    const base = simple();
    const requested = evaluateFlags([base, dependsOn('needs-simple', 'simple-flag', true)], input({ distinctId: 'distinct_id_1', flagKeys: ['needs-simple'] }));
    expect([...requested.keys()]).toEqual(['needs-simple']);
    expect(requested.get('needs-simple')?.enabled).toBe(true);
  });
});

describe('cohorts and failures', () => {
  const inCohort = (operator?: string, value: unknown = 7) =>
    flag('cohort-flag', { groups: [{ properties: [{ key: 'id', type: 'cohort', value, ...(operator ? { operator } : {}) }] }] });

  it('ask the server callback for membership, with the evaluated person properties', () => {
    const seen: Array<[number, unknown]> = [];
    const cohortMatch = (id: number, props: PropertyMap) => {
      seen.push([id, props.distinct_id]);
      return id === 7;
    };
    expect(evaluateOne(inCohort('in'), { cohortMatch }).enabled).toBe(true);
    expect(evaluateOne(inCohort(), { cohortMatch }).enabled).toBe(true);
    expect(evaluateOne(inCohort('exact'), { cohortMatch }).enabled).toBe(true);
    expect(evaluateOne(inCohort('not_in'), { cohortMatch }).enabled).toBe(false);
    expect(evaluateOne(inCohort('in', '7'), { cohortMatch }).enabled).toBe(true);
    expect(evaluateOne(inCohort('in', 8), { cohortMatch }).enabled).toBe(false);
    expect(seen[0]).toEqual([7, 'user-1']);
  });

  it('check cohorts after the condition\'s property filters', () => {
    let calls = 0;
    const f1 = flag('both', { groups: [{ properties: [{ key: 'id', type: 'cohort', value: 7 }, person('plan', 'exact', 'pro')] }] });
    expect(evaluateOne(f1, { personProperties: { plan: 'free' }, cohortMatch: () => (calls++, true) }).enabled).toBe(false);
    expect(calls).toBe(0);
  });

  it('mark a flag failed (and keep the others) when a cohort cannot be resolved', () => {
    const broken = evaluateOne(inCohort('in', 'seven'));
    expect(broken).toMatchObject({ enabled: false, failed: true, reason: { code: 'cohort_filters_parsing_error' } });
    const boom = new Error('cohort store unavailable');
    const results = evaluateFlags([inCohort(), flag('simple-flag', simpleFilters)], input({
      distinctId: 'distinct_id_1',
      cohortMatch: () => {
        throw boom;
      },
    }));
    expect(results.get('cohort-flag')).toMatchObject({ enabled: false, failed: true, error: boom, reason: { code: 'evaluation_error' } });
    expect(results.get('simple-flag')?.enabled).toBe(true);
  });

  it('return only active, non-deleted flags', () => {
    const results = evaluateFlags(
      [flag('on', { groups: [rollout(100)] }), flag('off', { groups: [rollout(100)] }, { active: false }), flag('gone', { groups: [rollout(100)] }, { deleted: true })],
      input(),
    );
    expect([...results.keys()]).toEqual(['on']);
  });
});
