import { setFlagsFromString } from 'node:v8';
import type { FlagPropertyFilter, PropertyGroup } from './flag-types.js';

/**
 * Property filters of feature flags and cohorts, with the semantics of PostHog's server evaluator
 * (`rust/feature-flags/src/properties/property_matching.rs`, ingest-and-flags.md §5.4/§5.5). The server
 * never answers "inconclusive": a missing property makes the positive operator false and its negation
 * true, and anything unparseable (filter or property) is a non-match.
 *
 * Values are compared through their "string form" — a string as-is, anything else as its JSON text —
 * which is how `5` equals `"5"`. JSON numbers arrive here already parsed, so `5.0` reads as `5` (PostHog
 * keeps the float and writes `"5.0"`); that is the one coercion we cannot reproduce.
 *
 * Filters are compiled on first use (regex, semver, dates, lowered strings) and cached by filter object,
 * so a flag store that keeps its parsed flags pays the parsing once.
 */

export type PropertyMap = Readonly<Record<string, unknown>>;

export interface MatchContext {
  /** IANA zone in which naive date strings (no offset) are read, and relative dates are anchored. */
  readonly timezone: string;
  /** "Now" for relative dates (`-7d`), epoch milliseconds. */
  readonly now: number;
}

/** Person-table columns filtered as `type: "person_metadata"` are looked up under this prefix. */
export const PERSON_METADATA_KEY_PREFIX = '__posthog_person_metadata__';

const hasOwn = Object.prototype.hasOwnProperty;

// ---------------------------------------------------------------------------------------------------
// Value forms

/** PostHog's string form of a value: strings as-is, everything else as JSON text (`null`, `true`, `[1,2]`). */
export function stringForm(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? 'null';
}

const RUST_FLOAT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)$/i;

/** Rust's `str::parse::<f64>`: no surrounding whitespace, no hex, `inf`/`infinity`/`nan` in any case. */
export function parseRustFloat(text: string): number | null {
  if (!RUST_FLOAT.test(text)) return null;
  const lower = text.toLowerCase();
  const body = lower.replace(/^[+-]/, '');
  if (body === 'nan') return Number.NaN;
  if (body === 'inf' || body === 'infinity') return lower.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}

/** A value as a float: numbers as they are, anything else through its string form. */
function toFloat(value: unknown): number | null {
  if (typeof value === 'number') return value;
  return parseRustFloat(stringForm(value));
}

/** ASCII-only lower-casing (the `icontains` family folds A–Z and nothing else, as PostHog does). */
function asciiLower(text: string): string {
  return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : text;
}

function isTruthyOrFalsy(value: unknown): boolean {
  if (typeof value === 'boolean') return true;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    return lower === 'true' || lower === 'false';
  }
  if (Array.isArray(value)) return value.every(isTruthyOrFalsy);
  return false;
}

/** `true`, any-case `"true"`, or an array of only those (an empty array counts, as in PostHog). */
function isTruthy(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.toLowerCase() === 'true';
  if (Array.isArray(value)) return value.every(isTruthy);
  return false;
}

// ---------------------------------------------------------------------------------------------------
// Compiled filters

type ExactMatcher =
  | { kind: 'boolean'; truthy: boolean }
  | { kind: 'any-of'; lowered: ReadonlySet<string> }
  | { kind: 'equals'; lowered: string };

interface CompiledFilter {
  exact?: ExactMatcher;
  needle?: string;
  needles?: readonly string[];
  regex?: RegExp | null;
  number?: number | null;
  bounds?: readonly [number, number] | null;
  version?: SemVer | null;
  requirement?: readonly Comparator[] | null;
  relativeDate?: RelativeDate | null;
  /** Absolute filter dates by timezone (a naive string means a different instant in each zone). */
  absoluteDates?: Map<string, number | null>;
}

const compiledFilters = new WeakMap<object, CompiledFilter>();

function compiled(filter: FlagPropertyFilter): CompiledFilter {
  let entry = compiledFilters.get(filter);
  if (!entry) {
    entry = {};
    compiledFilters.set(filter, entry);
  }
  return entry;
}

function exactMatcher(value: unknown): ExactMatcher {
  if (isTruthyOrFalsy(value)) return { kind: 'boolean', truthy: isTruthy(value) };
  if (Array.isArray(value)) return { kind: 'any-of', lowered: new Set(value.map((v) => stringForm(v).toLowerCase())) };
  return { kind: 'equals', lowered: stringForm(value).toLowerCase() };
}

function exactMatches(matcher: ExactMatcher, actual: unknown): boolean {
  switch (matcher.kind) {
    case 'boolean':
      return isTruthy(actual) === matcher.truthy;
    case 'any-of':
      return matcher.lowered.has(stringForm(actual).toLowerCase());
    case 'equals':
      return stringForm(actual).toLowerCase() === matcher.lowered;
  }
}

// ---------------------------------------------------------------------------------------------------
// Property matching

/**
 * Whether one property filter matches a property map (person or group properties), with PostHog's
 * server semantics. `type: "cohort"`/`"flag"` filters are not property filters and never match here
 * (the evaluator resolves them); an unknown operator never matches.
 */
export function matchProperty(filter: FlagPropertyFilter, properties: PropertyMap, context: MatchContext): boolean {
  const key = filter.type === 'person_metadata' ? PERSON_METADATA_KEY_PREFIX + filter.key : filter.key;
  const present = hasOwn.call(properties, key) && properties[key] !== undefined;
  const operator = filter.operator ?? 'exact';
  if (operator === 'is_set') return present;
  if (operator === 'is_not_set') return !present;

  const value = filter.value;
  // A filter without a value (JSON null included) matches nothing, negated operators too.
  if (value === undefined || value === null) return false;
  const actual = present ? properties[key] : undefined;
  const c = compiled(filter);

  switch (operator) {
    case 'exact':
    case 'is_not': {
      if (!present) return operator === 'is_not';
      c.exact ??= exactMatcher(value);
      const equal = exactMatches(c.exact, actual);
      return operator === 'exact' ? equal : !equal;
    }
    case 'icontains':
    case 'not_icontains': {
      if (!present) return operator === 'not_icontains';
      c.needle ??= asciiLower(stringForm(value));
      const contained = asciiLower(stringForm(actual)).includes(c.needle);
      return operator === 'icontains' ? contained : !contained;
    }
    case 'starts_with':
    case 'not_starts_with': {
      if (!present) return operator === 'not_starts_with';
      c.needle ??= asciiLower(stringForm(value));
      const prefixed = asciiLower(stringForm(actual)).startsWith(c.needle);
      return operator === 'starts_with' ? prefixed : !prefixed;
    }
    case 'ends_with':
    case 'not_ends_with': {
      if (!present) return operator === 'not_ends_with';
      c.needle ??= asciiLower(stringForm(value));
      const suffixed = asciiLower(stringForm(actual)).endsWith(c.needle);
      return operator === 'ends_with' ? suffixed : !suffixed;
    }
    case 'icontains_multi':
    case 'not_icontains_multi': {
      if (!present) return operator === 'not_icontains_multi';
      c.needles ??= (Array.isArray(value) ? value : [value]).map((v) => asciiLower(stringForm(v)));
      const haystack = asciiLower(stringForm(actual));
      const any = c.needles.some((needle) => haystack.includes(needle));
      return operator === 'icontains_multi' ? any : !any;
    }
    case 'regex':
    case 'not_regex': {
      if (!present) return operator === 'not_regex';
      if (c.regex === undefined) c.regex = compileRegex(stringForm(value));
      // An invalid (or, here, unsafe) pattern matches nothing, whichever operator.
      if (c.regex === null) return false;
      const found = c.regex.test(stringForm(actual));
      return operator === 'regex' ? found : !found;
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (!present) return false;
      const left = toFloat(actual);
      if (c.number === undefined) c.number = toFloat(value);
      const right = c.number;
      if (left === null || right === null) return false;
      if (operator === 'gt') return left > right;
      if (operator === 'gte') return left >= right;
      if (operator === 'lt') return left < right;
      return left <= right;
    }
    case 'between':
    case 'not_between': {
      if (!present) return operator === 'not_between';
      if (c.bounds === undefined) c.bounds = numericBounds(value);
      const left = toFloat(actual);
      // Malformed bounds or a non-numeric (or NaN) property match neither operator.
      if (c.bounds === null || left === null || Number.isNaN(left)) return false;
      const inside = left >= c.bounds[0] && left <= c.bounds[1];
      return operator === 'between' ? inside : !inside;
    }
    case 'semver_eq':
    case 'semver_neq':
    case 'semver_gt':
    case 'semver_gte':
    case 'semver_lt':
    case 'semver_lte': {
      if (!present) return false;
      const version = parseVersionValue(actual);
      if (c.version === undefined) c.version = parseVersionValue(value);
      if (version === null || c.version === null) return false;
      const order = compareVersions(version, c.version);
      if (operator === 'semver_eq') return order === 0;
      if (operator === 'semver_neq') return order !== 0;
      if (operator === 'semver_gt') return order > 0;
      if (operator === 'semver_gte') return order >= 0;
      if (operator === 'semver_lt') return order < 0;
      return order <= 0;
    }
    case 'semver_tilde':
    case 'semver_caret':
    case 'semver_wildcard': {
      if (!present) return false;
      const version = parseVersionValue(actual);
      if (version === null) return false;
      if (c.requirement === undefined) c.requirement = parseRequirement(requirementText(operator, value));
      if (c.requirement === null) return false;
      return requirementMatches(c.requirement, version);
    }
    case 'is_date_before':
    case 'is_date_after':
    case 'is_date_exact': {
      const when = present ? propertyDate(actual, context) : null;
      if (when === null || typeof value !== 'string') return false;
      const bound = filterDate(c, value, context);
      if (bound === null) return false;
      if (operator === 'is_date_before') return when < bound;
      if (operator === 'is_date_after') return when > bound;
      return when === bound;
    }
    default:
      // `in`/`not_in` (cohorts), `flag_evaluates_to` (dependencies) and unknown operators.
      return false;
  }
}

function numericBounds(value: unknown): readonly [number, number] | null {
  if (!Array.isArray(value) || value.length !== 2) return null;
  const low = toFloat(value[0]);
  const high = toFloat(value[1]);
  if (low === null || high === null || Number.isNaN(low) || Number.isNaN(high) || low > high) return null;
  return [low, high];
}

// ---------------------------------------------------------------------------------------------------
// Property groups (cohorts)

export interface PropertyGroupOptions extends MatchContext {
  /** Membership of a cohort referenced inside the tree (`type: "cohort"` leaves). Without it such leaves never match. */
  readonly cohortMatch?: (cohortId: number) => boolean;
}

function isGroup(value: unknown): value is PropertyGroup {
  return typeof value === 'object' && value !== null && Array.isArray((value as { values?: unknown }).values);
}

/**
 * A cohort's filter tree (`{type: "AND"|"OR", values: [group | filter, …]}`, nested to any depth) against
 * a property map. `"property"` groups combine like AND. A leaf's `negation: true` inverts it. An empty
 * tree (`{}`) matches; an empty AND matches and an empty OR does not; an unknown group type never matches.
 * Leaves that properties cannot decide (behavioural criteria, flag dependencies) never match, negated or not.
 */
export function matchPropertyGroup(
  group: PropertyGroup | Record<string, never> | null | undefined,
  properties: PropertyMap,
  options: PropertyGroupOptions,
): boolean {
  if (!group || !('type' in group) || !Array.isArray(group.values)) return true;
  const type = group.type as string;
  const all = type === 'AND' || type === 'property';
  if (!all && type !== 'OR') return false;
  for (const entry of group.values) {
    const matched = isGroup(entry) ? matchPropertyGroup(entry, properties, options) : matchLeaf(entry, properties, options);
    if (all && !matched) return false;
    if (!all && matched) return true;
  }
  return all;
}

function matchLeaf(filter: FlagPropertyFilter, properties: PropertyMap, options: PropertyGroupOptions): boolean {
  let matched: boolean;
  if (filter.type === 'cohort') {
    const cohortId = cohortIdOf(filter);
    if (cohortId === null || !options.cohortMatch) return false;
    matched = cohortMembershipMatches(filter.operator, options.cohortMatch(cohortId));
  } else if (filter.type === 'behavioral' || filter.type === 'flag') {
    return false;
  } else {
    matched = matchProperty(filter, properties, options);
  }
  return filter.negation === true ? !matched : matched;
}

/** The cohort id of a `type: "cohort"` filter (`value` as an integer or an integer string), or null. */
export function cohortIdOf(filter: FlagPropertyFilter): number | null {
  const value = filter.value;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value === 'string' && /^-?\d{1,15}$/.test(value)) return Number(value);
  return null;
}

/** `in` (the default) and `exact` require membership, `not_in` requires its absence; other operators never match. */
export function cohortMembershipMatches(operator: string | null | undefined, isMember: boolean): boolean {
  const op = operator ?? 'in';
  if (op === 'in' || op === 'exact') return isMember;
  if (op === 'not_in') return !isMember;
  return false;
}

// ---------------------------------------------------------------------------------------------------
// Regular expressions
//
// PostHog runs patterns with Rust's `fancy_regex` (unanchored search, backtrack limit 10k). We translate
// the common Rust-only syntax to JavaScript; a pattern JavaScript still rejects is invalid (no match).
// JavaScript has no backtrack limit, so a pattern with a quantified group that itself contains an
// unbounded quantifier — the shape of catastrophic backtracking, `(a+)+` — runs on V8's linear-time
// engine; when that engine cannot take it (backreferences, lookaround, case-insensitivity), the pattern
// is treated like one PostHog gives up on: no match.

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: 'a-zA-Z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: '\\s',
  xdigit: '0-9A-Fa-f',
  word: '\\w',
  punct: '!-\\/:-@\\[-`{-~',
};

function translatePattern(pattern: string): { source: string; flags: string } | null {
  let source = pattern;
  let flags = '';
  const inline = /^\(\?([a-zA-Z]+)\)/.exec(source);
  if (inline) {
    for (const flag of inline[1]!) {
      if (flag === 'i' || flag === 'm' || flag === 's') flags += flags.includes(flag) ? '' : flag;
      else if (flag !== 'u') return null;
    }
    source = source.slice(inline[0].length);
  }
  source = source
    .replace(/\(\?P</g, '(?<')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
    .replace(/\\([pP])([A-Za-z])/g, '\\$1{$2}')
    .replace(/\[:(\^?)(\w+):\]/g, (whole, negated: string, name: string) =>
      negated === '' && POSIX_CLASSES[name] !== undefined ? POSIX_CLASSES[name] : whole,
    )
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$');
  return { source, flags };
}

/** Quantifier at `at` that can repeat more than once: `*`, `+`, `{n,}` or `{n,m}` with m > 1. */
function repeatsAt(pattern: string, at: number): boolean {
  const ch = pattern[at];
  if (ch === '*' || ch === '+') return true;
  if (ch !== '{') return false;
  const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(at));
  if (!m) return false;
  if (m[2] === undefined) return Number(m[1]) > 1;
  return m[3] === '' || Number(m[3]) > 1;
}

/** Whether a repeated group contains a repetition (`(a+)+`, `(\w*x)*`, `((ab)+c){2,}`). */
function hasNestedRepetition(pattern: string): boolean {
  const repeatedInside: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      i++;
      if (!inClass && repeatsAt(pattern, i + 1) && repeatedInside.length > 0) repeatedInside[repeatedInside.length - 1] = true;
      continue;
    }
    if (inClass) {
      if (ch !== ']') continue;
      inClass = false;
      if (repeatsAt(pattern, i + 1) && repeatedInside.length > 0) repeatedInside[repeatedInside.length - 1] = true;
    } else if (ch === '[') {
      inClass = true;
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
    } else if (ch === '(') {
      repeatedInside.push(false);
    } else if (ch === ')') {
      const inner = repeatedInside.pop() ?? false;
      const repeated = repeatsAt(pattern, i + 1);
      if (repeated && inner) return true;
      if ((repeated || inner) && repeatedInside.length > 0) repeatedInside[repeatedInside.length - 1] = true;
    } else if (repeatsAt(pattern, i + 1) && repeatedInside.length > 0) {
      repeatedInside[repeatedInside.length - 1] = true;
    }
  }
  return false;
}

let linearEngine: boolean | undefined;

/**
 * V8's linear-time regex engine (flag `l`) sits behind `--enable-experimental-regexp-engine`; turning it
 * on only makes the `l` flag available and changes no other regex.
 */
function linearEngineAvailable(): boolean {
  if (linearEngine !== undefined) return linearEngine;
  linearEngine = canCompile('a', 'l');
  if (!linearEngine) {
    setFlagsFromString('--enable-experimental-regexp-engine');
    linearEngine = canCompile('a', 'l');
  }
  return linearEngine;
}

function canCompile(source: string, flags: string): boolean {
  try {
    new RegExp(source, flags);
    return true;
  } catch {
    // A SyntaxError is the answer to the question asked.
    return false;
  }
}

function compileRegex(pattern: string): RegExp | null {
  const translated = translatePattern(pattern);
  if (translated === null) return null;
  const { source, flags } = translated;
  if (hasNestedRepetition(source)) {
    if (flags.includes('i') || !linearEngineAvailable() || !canCompile(source, `${flags}l`)) return null;
    return new RegExp(source, `${flags}l`);
  }
  // Rust patterns are Unicode-aware; fall back to the legacy syntax for escapes `u` mode refuses (`\-`).
  if (canCompile(source, `${flags}u`)) return new RegExp(source, `${flags}u`);
  if (canCompile(source, flags)) return new RegExp(source, flags);
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Semantic versions (Rust `semver` crate after PostHog's normalisation)

interface SemVer {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  readonly pre: readonly string[];
  readonly build: readonly string[];
}

const U64_MAX = 18446744073709551615n;
const IDENTIFIERS = /^[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*$/;
const NUMERIC = /^(?:0|[1-9]\d*)$/;

/** `v1.2.3` → `1.2.3`, then surrounding whitespace trimmed (in that order, as PostHog does). */
function normalizeVersionText(text: string): string {
  return (text.startsWith('v') ? text.slice(1) : text).trim();
}

function stripLeadingZeros(part: string): string {
  if (part === '' || !/^\d+$/.test(part)) return part;
  const trimmed = part.replace(/^0+/, '');
  return trimmed === '' ? '0' : trimmed;
}

/** Pads `3.10` to `3.10.0` and strips leading zeros (`3.08` → `3.8.0`) in the numeric core only. */
function canonicalVersionText(text: string): string {
  const cut = text.search(/[-+]/);
  const core = cut < 0 ? text : text.slice(0, cut);
  const suffix = cut < 0 ? '' : text.slice(cut);
  const parts = core.split('.').map(stripLeadingZeros);
  while (parts.length < 3) parts.push('0');
  return parts.join('.') + suffix;
}

function parseU64(text: string): bigint | null {
  if (!NUMERIC.test(text)) return null;
  const n = BigInt(text);
  return n <= U64_MAX ? n : null;
}

function parseStrictVersion(text: string): SemVer | null {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:-([^+]*))?(?:\+(.*))?$/.exec(text);
  if (!m) return null;
  const major = parseU64(m[1]!);
  const minor = parseU64(m[2]!);
  const patch = parseU64(m[3]!);
  if (major === null || minor === null || patch === null) return null;
  const pre = m[4] === undefined ? [] : m[4].split('.');
  const build = m[5] === undefined ? [] : m[5].split('.');
  if (m[4] !== undefined && (!IDENTIFIERS.test(m[4]) || pre.some((id) => /^\d+$/.test(id) && !NUMERIC.test(id)))) return null;
  if (m[5] !== undefined && !IDENTIFIERS.test(m[5])) return null;
  return { major, minor, patch, pre, build };
}

function parseVersionValue(value: unknown): SemVer | null {
  return parseStrictVersion(canonicalVersionText(normalizeVersionText(stringForm(value))));
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareIdentifiers(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    const xNum = /^\d+$/.test(x);
    const yNum = /^\d+$/.test(y);
    let order: number;
    if (xNum && yNum) order = compareBig(BigInt(x), BigInt(y)) || x.length - y.length;
    else if (xNum) order = -1;
    else if (yNum) order = 1;
    else order = x < y ? -1 : x > y ? 1 : 0;
    if (order !== 0) return Math.sign(order);
  }
  return Math.sign(a.length - b.length);
}

/** Pre-release precedence: a version without one ranks above any with one. */
function comparePre(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return Math.sign(b.length - a.length);
  return compareIdentifiers(a, b);
}

/** Total order of the Rust crate: major, minor, patch, pre-release, then build metadata. */
function compareVersions(a: SemVer, b: SemVer): number {
  return (
    compareBig(a.major, b.major) ||
    compareBig(a.minor, b.minor) ||
    compareBig(a.patch, b.patch) ||
    comparePre(a.pre, b.pre) ||
    compareIdentifiers(a.build, b.build)
  );
}

type Op = '=' | '>' | '>=' | '<' | '<=' | '~' | '^' | '*';

interface Comparator {
  readonly op: Op;
  readonly major: bigint;
  readonly minor: bigint | null;
  readonly patch: bigint | null;
  readonly pre: readonly string[];
}

/** The requirement PostHog builds per operator: `~X.Y.Z`, `^X.Y.Z` from the padded version; wildcards with `*` → `x`. */
function requirementText(operator: string, value: unknown): string {
  const normalized = normalizeVersionText(stringForm(value));
  if (operator === 'semver_tilde') return `~${canonicalVersionText(normalized)}`;
  if (operator === 'semver_caret') return `^${canonicalVersionText(normalized)}`;
  return normalized.split('.').map(stripLeadingZeros).join('.').replaceAll('*', 'x');
}

const WILDCARD = /^[xX*]$/;

/** A Rust `VersionReq`: comma-separated comparators; no operator means caret; `x`/`X`/`*` wildcards. */
function parseRequirement(text: string): readonly Comparator[] | null {
  const parts = text.split(',').map((part) => part.trim());
  const comparators: Comparator[] = [];
  for (const part of parts) {
    const m = /^(>=|<=|=|>|<|~|\^)?\s*([^-+\s]+)(?:-([^+\s]*))?(?:\+\S*)?$/.exec(part);
    if (!m) return null;
    const pieces = m[2]!.split('.');
    if (pieces.length > 3) return null;
    const numbers: Array<bigint | null> = [];
    let wildcardSeen = false;
    for (const piece of pieces) {
      if (WILDCARD.test(piece)) {
        wildcardSeen = true;
        numbers.push(null);
        continue;
      }
      if (wildcardSeen) return null;
      const n = parseU64(piece);
      if (n === null) return null;
      numbers.push(n);
    }
    const pre = m[3] === undefined ? [] : m[3].split('.');
    if (m[3] !== undefined && (!IDENTIFIERS.test(m[3]) || pieces.length < 3 || wildcardSeen)) return null;
    const [major = null, minor = null, patch = null] = numbers;
    if (major === null) {
      // `*` (or `x`) admits every version and must stand alone.
      if (parts.length !== 1 || (m[1] !== undefined && m[1] !== '=')) return null;
      return [];
    }
    const op: Op = m[1] === undefined ? (wildcardSeen ? '*' : '^') : (m[1] as Op);
    comparators.push({ op, major, minor, patch, pre });
  }
  return comparators;
}

function matchesExact(c: Comparator, v: SemVer): boolean {
  if (v.major !== c.major) return false;
  if (c.minor !== null && v.minor !== c.minor) return false;
  if (c.patch !== null && v.patch !== c.patch) return false;
  return comparePre(v.pre, c.pre) === 0;
}

function matchesGreater(c: Comparator, v: SemVer): boolean {
  if (v.major !== c.major) return v.major > c.major;
  if (c.minor === null) return false;
  if (v.minor !== c.minor) return v.minor > c.minor;
  if (c.patch === null) return false;
  if (v.patch !== c.patch) return v.patch > c.patch;
  return comparePre(v.pre, c.pre) > 0;
}

function matchesLess(c: Comparator, v: SemVer): boolean {
  if (v.major !== c.major) return v.major < c.major;
  if (c.minor === null) return false;
  if (v.minor !== c.minor) return v.minor < c.minor;
  if (c.patch === null) return false;
  if (v.patch !== c.patch) return v.patch < c.patch;
  return comparePre(v.pre, c.pre) < 0;
}

function matchesTilde(c: Comparator, v: SemVer): boolean {
  if (v.major !== c.major) return false;
  if (c.minor !== null && v.minor !== c.minor) return false;
  if (c.patch !== null && v.patch !== c.patch) return v.patch > c.patch;
  return comparePre(v.pre, c.pre) >= 0;
}

function matchesCaret(c: Comparator, v: SemVer): boolean {
  if (v.major !== c.major) return false;
  if (c.minor === null) return true;
  if (c.patch === null) return c.major > 0n ? v.minor >= c.minor : v.minor === c.minor;
  if (c.major > 0n) {
    if (v.minor !== c.minor) return v.minor > c.minor;
    if (v.patch !== c.patch) return v.patch > c.patch;
  } else if (c.minor > 0n) {
    if (v.minor !== c.minor) return false;
    if (v.patch !== c.patch) return v.patch > c.patch;
  } else if (v.minor !== c.minor || v.patch !== c.patch) {
    return false;
  }
  return comparePre(v.pre, c.pre) >= 0;
}

function comparatorMatches(c: Comparator, v: SemVer): boolean {
  switch (c.op) {
    case '=':
    case '*':
      return matchesExact(c, v);
    case '>':
      return matchesGreater(c, v);
    case '>=':
      return matchesExact(c, v) || matchesGreater(c, v);
    case '<':
      return matchesLess(c, v);
    case '<=':
      return matchesExact(c, v) || matchesLess(c, v);
    case '~':
      return matchesTilde(c, v);
    case '^':
      return matchesCaret(c, v);
  }
}

/** A pre-release version only satisfies a requirement naming a pre-release of the same X.Y.Z. */
function requirementMatches(comparators: readonly Comparator[], v: SemVer): boolean {
  if (!comparators.every((c) => comparatorMatches(c, v))) return false;
  if (v.pre.length === 0) return true;
  return comparators.some((c) => c.major === v.major && c.minor === v.minor && c.patch === v.patch && c.pre.length > 0);
}

// ---------------------------------------------------------------------------------------------------
// Dates and time zones

interface RelativeDate {
  readonly amount: number;
  readonly unit: 'h' | 'd' | 'w' | 'm' | 'y';
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
const RELATIVE = /^-?(\d+)([hdwmy])$/;

function parseRelative(text: string): RelativeDate | null {
  const m = RELATIVE.exec(text);
  if (!m) return null;
  const digits = m[1]!.replace(/^0+(?=\d)/, '');
  // PostHog caps the amount below 10000 (larger spans are not relative dates at all).
  if (digits.length > 4) return null;
  return { amount: Number(digits), unit: m[2] as RelativeDate['unit'] };
}

const dateFormats = new Map<string, Intl.DateTimeFormat | null>();

function zoneFormat(timezone: string): Intl.DateTimeFormat | null {
  let format = dateFormats.get(timezone);
  if (format === undefined) {
    format = timezone === 'UTC' || !isValidZone(timezone) ? null : new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    dateFormats.set(timezone, format);
  }
  return format;
}

function isValidZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    // RangeError: not an IANA zone; the caller reads dates in UTC instead.
    return false;
  }
}

const offsetCache = new Map<string, Map<number, number>>();
const OFFSET_BUCKET = 15 * 60_000;

/** The zone's offset from UTC (ms) at an instant; cached per 15-minute bucket without a transition inside. */
function zoneOffset(timezone: string, instant: number): number {
  const format = zoneFormat(timezone);
  if (format === null) return 0;
  const bucket = Math.floor(instant / OFFSET_BUCKET);
  let cache = offsetCache.get(timezone);
  if (!cache) {
    cache = new Map();
    offsetCache.set(timezone, cache);
  }
  const cached = cache.get(bucket);
  if (cached !== undefined) return cached;
  const start = bucket * OFFSET_BUCKET;
  const offset = offsetAt(format, start);
  if (offsetAt(format, start + OFFSET_BUCKET - 1000) === offset) {
    if (cache.size > 50_000) cache.clear();
    cache.set(bucket, offset);
    return offset;
  }
  return offsetAt(format, instant);
}

function offsetAt(format: Intl.DateTimeFormat, instant: number): number {
  const fields: Record<string, string> = {};
  for (const part of format.formatToParts(instant)) fields[part.type] = part.value;
  let year = Number(fields.year);
  if (fields.era === 'BC' || fields.era === 'B') year = 1 - year;
  // setUTCFullYear, unlike Date.UTC, keeps years 0–99 as they are.
  const wall = new Date(0);
  wall.setUTCFullYear(year, Number(fields.month) - 1, Number(fields.day));
  wall.setUTCHours(Number(fields.hour), Number(fields.minute), Number(fields.second), 0);
  return wall.getTime() - Math.floor(instant / 1000) * 1000;
}

/** The wall clock (as a UTC-based millisecond count) of an instant in a zone. */
function wallClock(instant: number, timezone: string): number {
  return instant + zoneOffset(timezone, instant);
}

/**
 * The instant a naive wall-clock time denotes in a zone. A time that occurs twice (clocks set back) is
 * its earlier occurrence; a time skipped by a clock change does not exist (null), as in PostHog.
 */
function naiveToInstant(wall: number, timezone: string): number | null {
  if (zoneFormat(timezone) === null) return wall;
  const candidates = new Set([zoneOffset(timezone, wall - DAY), zoneOffset(timezone, wall), zoneOffset(timezone, wall + DAY)]);
  let best: number | null = null;
  for (const offset of candidates) {
    const instant = wall - offset;
    if (zoneOffset(timezone, instant) === offset && (best === null || instant < best)) best = instant;
  }
  return best;
}

/** Days in a 0-based month (setUTCFullYear, unlike Date.UTC, keeps years 0–99 as they are). */
function daysInMonth(year: number, month: number): number {
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(year, month + 1, 0);
  return lastDay.getUTCDate();
}

/** Now minus the span, computed on the zone's wall clock (months and years clamp the day as PostHog does). */
function relativeInstant(relative: RelativeDate, context: MatchContext): number | null {
  const wall = wallClock(context.now, context.timezone);
  let result: number;
  switch (relative.unit) {
    case 'h':
      result = wall - relative.amount * HOUR;
      break;
    case 'd':
      result = wall - relative.amount * DAY;
      break;
    case 'w':
      result = wall - relative.amount * 7 * DAY;
      break;
    case 'm':
    case 'y': {
      const date = new Date(wall);
      let year = date.getUTCFullYear();
      let month = date.getUTCMonth();
      let day = date.getUTCDate();
      // One step at a time: March 31 minus 2 months is January 29 in a leap year, not January 31.
      for (let i = 0; i < relative.amount; i++) {
        if (relative.unit === 'm') {
          if (month === 0) {
            year -= 1;
            month = 11;
          } else {
            month -= 1;
          }
          day = Math.min(day, daysInMonth(year, month));
        } else {
          year -= 1;
          if (month === 1) day = Math.min(day, daysInMonth(year, month));
        }
      }
      const timeOfDay = ((wall % DAY) + DAY) % DAY;
      const midnight = new Date(0);
      midnight.setUTCFullYear(year, month, day);
      result = midnight.getTime() + timeOfDay;
      break;
    }
  }
  return naiveToInstant(result, context.timezone);
}

function fractionMs(fraction: string | undefined): number {
  return fraction ? Number(`0${fraction}`) * 1000 : 0;
}

/** Date.UTC for validated fields, or null when a field is out of range (February 30, hour 24, …). */
function utcFields(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number | null {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month - 1)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

function offsetMs(zone: string): number | null {
  if (zone === 'Z' || zone === 'z' || zone === 'UTC' || zone === 'GMT') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return null;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? '0');
  if (hours > 23 || minutes > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (hours * HOUR + minutes * 60_000);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BARE_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const NAIVE_DATETIME = /^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(\.\d{1,9})?)?$/;
const OFFSET_DATETIME =
  /^(\d{4})-(\d{1,2})-(\d{1,2})[ Tt](\d{1,2}):(\d{1,2})(?::(\d{1,2})(\.\d+)?)?\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$/;
const RFC2822 = /^(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s*(GMT|UTC|Z|[+-]\d{4})$/;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * A date string as an instant: a relative span (`-7d`, anchored to now on the zone's wall clock), RFC 3339
 * with its own offset, a bare `YYYY-MM-DD` or `YYYY-MM-DD HH:MM[:SS[.f]]` read in the zone, and as a last
 * resort other common shapes with an explicit offset (a space before it, `+HHMM`, RFC 2822).
 */
export function parseDateInZone(text: string, context: MatchContext): number | null {
  const relative = parseRelative(text);
  if (relative) return relativeInstant(relative, context);
  let m = RFC3339.exec(text);
  if (m) {
    const base = utcFields(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
    const offset = offsetMs(m[8]!);
    return base === null || offset === null ? null : base + fractionMs(m[7]) - offset;
  }
  m = BARE_DATE.exec(text);
  if (m) {
    const wall = utcFields(+m[1]!, +m[2]!, +m[3]!);
    return wall === null ? null : naiveToInstant(wall, context.timezone);
  }
  m = NAIVE_DATETIME.exec(text);
  if (m) {
    const wall = utcFields(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? '0'));
    return wall === null ? null : naiveToInstant(wall + fractionMs(m[7]), context.timezone);
  }
  m = OFFSET_DATETIME.exec(text);
  if (m) {
    const base = utcFields(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? '0'));
    const offset = offsetMs(m[8]!);
    return base === null || offset === null ? null : base + fractionMs(m[7]) - offset;
  }
  m = RFC2822.exec(text);
  if (m) {
    const month = MONTHS.indexOf(m[2]!.toLowerCase());
    const base = month < 0 ? null : utcFields(+m[3]!, month + 1, +m[1]!, +m[4]!, +m[5]!, +(m[6] ?? '0'));
    const offset = offsetMs(m[7]!.length === 5 ? `${m[7]!.slice(0, 3)}:${m[7]!.slice(3)}` : m[7]!);
    return base === null || offset === null ? null : base - offset;
  }
  return null;
}

/** chrono's range, roughly ±262,000 years. */
const MAX_TIMESTAMP_SECONDS = 8.2e12;

/** An epoch timestamp in (fractional) seconds, as PostHog reads numeric date properties. */
function timestampInstant(seconds: number): number | null {
  // PostHog's integer conversion turns NaN into 0 (the epoch) and saturates infinities out of range.
  const value = Number.isNaN(seconds) ? 0 : seconds;
  const whole = Math.floor(value);
  if (!Number.isFinite(whole) || Math.abs(whole) > MAX_TIMESTAMP_SECONDS) return null;
  const nanos = Math.max(0, Math.round((value % 1) * 1e9));
  return whole * 1000 + nanos / 1e6;
}

/** A property value as an instant: numbers and numeric strings are epoch seconds; other strings as dates. */
function propertyDate(actual: unknown, context: MatchContext): number | null {
  if (typeof actual === 'number') return timestampInstant(actual);
  if (typeof actual !== 'string') return null;
  const seconds = parseRustFloat(actual);
  if (seconds !== null) return timestampInstant(seconds);
  return parseDateInZone(actual, context);
}

function filterDate(c: CompiledFilter, value: string, context: MatchContext): number | null {
  if (c.relativeDate === undefined) c.relativeDate = parseRelative(value);
  if (c.relativeDate !== null) return relativeInstant(c.relativeDate, context);
  c.absoluteDates ??= new Map();
  let instant = c.absoluteDates.get(context.timezone);
  if (instant === undefined) {
    instant = parseDateInZone(value, context);
    c.absoluteDates.set(context.timezone, instant);
  }
  return instant;
}
