/**
 * HogQL's function allow-list and how each function prints in ClickHouse SQL.
 *
 * Mirrors PostHog's `posthog/hogql/functions/` tables (mapping.py, clickhouse/*.py, aggregations.py):
 * a call is allowed only if its name is in HOGQL_FUNCTIONS or HOGQL_AGGREGATIONS (the compiler
 * handles the PostHog-specific ones in POSTHOG_SPECIAL_FUNCTIONS itself). Anything that could reach
 * files, URLs, other servers, dictionaries or server state is simply absent. Entries marked
 * `extension` are Hedgerow additions that PostHog does not list.
 *
 * `renderFunctionCall` applies PostHog's printing rules (templates, first-arg-type overloads,
 * timezone appending, DateTime64 precision, week mode, NULL-safe concat) so the compiler only has
 * to print the arguments.
 */
import type { CompareOp } from './ast.js';

/** Coarse type of an argument, as far as the compiler knows it (drives `overloads`). */
export type ArgKind =
  | 'string'
  | 'integer'
  | 'float'
  | 'decimal'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'uuid'
  | 'array'
  | 'tuple'
  | 'interval'
  | 'unknown';

export interface FunctionOverload {
  /** When the first argument's kind is one of these… */
  kinds: readonly ArgKind[];
  /** …print this ClickHouse function instead of `clickhouse`. */
  clickhouse: string;
}

export interface HogQLFunction {
  /**
   * ClickHouse function name, or a template when the call is not a plain rename: `{}` placeholders
   * take the arguments in order (the call must have exactly that many), `{0}` `{1}` refer to them by
   * position. No template entry is tzAware, so templates print exactly as written.
   */
  clickhouse: string;
  minArgs: number;
  /** undefined = unbounded */
  maxArgs?: number;
  /** Parametric aggregates like quantile(0.5)(x). Parameters are allowed only when maxParams is set. */
  minParams?: number;
  maxParams?: number;
  aggregate?: boolean;
  /** Append the project timezone as the last argument when the caller gave fewer than maxArgs. */
  tzAware?: boolean;
  /** Matches regardless of case (PostHog's `case_sensitive=False`); everything else is exact. */
  caseInsensitive?: boolean;
  /** The first argument is a lambda (`x -> …`): always, or optionally (arraySum(x -> …, arr)). Informational. */
  lambda?: 'required' | 'optional';
  /** Window functions (row_number, lagInFrame…): only meaningful with OVER. */
  window?: boolean;
  /** Print another ClickHouse function depending on the first argument's kind (toDate of a DateTime is toDate, of a string toDateOrNull). */
  overloads?: readonly FunctionOverload[];
  /** toStartOfWeek: with one argument, insert the project's week mode (0 = Sunday weeks, 3 = Monday/ISO weeks). */
  weekMode?: boolean;
  /** tumble/hop…: ClickHouse wants a DateTime (not DateTime64) first argument, so it is wrapped in toDateTime(x, 'UTC'). */
  firstArgToDateTime?: boolean;
  /** concat: NULL-safe like PostHog — non-string arguments print as ifNull(toString(x), ''), NULL as ''. */
  nullSafeConcat?: boolean;
  /** Hedgerow addition (not in PostHog's allow-list). */
  extension?: boolean;
}

type Table = Record<string, HogQLFunction>;

// ---------------------------------------------------------------------------------------------
// Table-building helpers: most entries are "same name in ClickHouse, N..M arguments".

/** Same-named ClickHouse function. `max` null = unbounded, omitted = same as min. */
function fn(min: number, max: number | null = min, extra: Partial<HogQLFunction> = {}): Omit<HogQLFunction, 'clickhouse'> {
  const out: Omit<HogQLFunction, 'clickhouse'> = { minArgs: min, ...extra };
  if (max !== null) out.maxArgs = max;
  return out;
}

/** Renamed (or templated) function. */
function to(clickhouse: string, min: number, max: number | null = min, extra: Partial<HogQLFunction> = {}): HogQLFunction {
  return { clickhouse, ...fn(min, max, extra) };
}

/** Build a table where each key prints as itself unless the entry sets `clickhouse`. */
function table(entries: Record<string, Omit<HogQLFunction, 'clickhouse'> & { clickhouse?: string }>): Table {
  const out: Table = {};
  for (const [name, e] of Object.entries(entries)) out[name] = { ...e, clickhouse: e.clickhouse ?? name };
  return out;
}

/** Many names with the same shape. */
function many(names: readonly string[], min: number, max: number | null = min, extra: Partial<HogQLFunction> = {}): Table {
  const out: Table = {};
  for (const name of names) out[name] = { clickhouse: name, ...fn(min, max, extra) };
  return out;
}

const CI = { caseInsensitive: true } as const;
const TZ = { tzAware: true } as const;
const LAMBDA = { lambda: 'required' } as const;
const LAMBDA_OPT = { lambda: 'optional' } as const;
const EXT = { extension: true } as const;
const WINDOW = { window: true } as const;

// ---------------------------------------------------------------------------------------------
// Scalar functions

const ARITHMETIC = table({
  plus: fn(2),
  minus: fn(2),
  multiply: fn(2),
  divide: fn(2),
  intDiv: fn(2),
  intDivOrZero: fn(2),
  modulo: fn(2),
  moduloOrZero: fn(2),
  positiveModulo: fn(2),
  negate: fn(1),
  abs: fn(1, 1, CI),
  gcd: fn(2),
  lcm: fn(2),
  max2: fn(2, 2, CI),
  min2: fn(2, 2, CI),
  multiplyDecimal: fn(2, 3),
  divideDecimal: fn(2, 3),
});

const COMPARISON_AND_LOGIC = table({
  equals: fn(2),
  notEquals: fn(2),
  less: fn(2),
  greater: fn(2),
  lessOrEquals: fn(2),
  greaterOrEquals: fn(2),
  in: fn(2),
  notIn: fn(2),
  and: fn(2, null),
  or: fn(2, null),
  xor: fn(2, null),
  not: fn(1, 1, CI),
  if: fn(3, 3, CI),
  multiIf: fn(3, null),
});

const ARRAYS = table({
  // shared with strings
  empty: fn(1),
  notEmpty: fn(1),
  // ClickHouse has no isEmpty/isNotEmpty: PostHog aliases them
  isEmpty: { clickhouse: 'empty', ...fn(1) },
  isNotEmpty: { clickhouse: 'notEmpty', ...fn(1) },
  length: fn(1, 1, CI),
  reverse: fn(1, 1, CI),
  // arrays
  array: fn(0, null),
  range: fn(1, 3),
  arrayConcat: fn(2, null),
  arrayElement: fn(2),
  has: fn(2),
  hasAll: fn(2),
  hasAny: fn(2),
  hasSubstr: fn(2),
  indexOf: fn(2),
  arrayCount: fn(1, null, LAMBDA_OPT),
  countEqual: fn(2),
  arrayEnumerate: fn(1),
  arrayEnumerateUniq: fn(2, null),
  arrayPopBack: fn(1),
  arrayPopFront: fn(1),
  arrayPushBack: fn(2),
  arrayPushFront: fn(2),
  arrayResize: fn(2, 3),
  arraySlice: fn(2, 3),
  arraySort: fn(1, null, LAMBDA_OPT),
  // PostHog prints arraySort here (a bug); the real function is meant
  arrayReverseSort: fn(1, null, LAMBDA_OPT),
  arrayUniq: fn(1, null),
  arrayJoin: fn(1),
  arrayDifference: fn(1),
  arrayDistinct: fn(1),
  arrayEnumerateDense: fn(1),
  arrayIntersect: fn(1, null),
  // arrayReduce / arrayReduceInRanges are deliberately absent: they take an aggregate *name* as a string
  arrayReverse: fn(1),
  arrayFilter: fn(2, null, LAMBDA),
  arrayFlatten: fn(1),
  arrayCompact: fn(1),
  arrayZip: fn(2, null),
  arrayAUC: fn(2),
  arrayMap: fn(2, null, LAMBDA),
  arrayFill: fn(2, null, LAMBDA),
  arrayFold: fn(3, null, LAMBDA),
  arrayWithConstant: fn(2),
  arraySplit: fn(2, null, LAMBDA),
  arrayReverseFill: fn(2, null, LAMBDA),
  arrayReverseSplit: fn(2, null, LAMBDA),
  arrayRotateLeft: fn(2),
  arrayRotateRight: fn(2),
  arrayExists: fn(1, null, LAMBDA_OPT),
  arrayAll: fn(1, null, LAMBDA_OPT),
  arrayFirst: fn(2, null, LAMBDA),
  arrayLast: fn(2, null, LAMBDA),
  arrayFirstIndex: fn(2, null, LAMBDA),
  arrayLastIndex: fn(2, null, LAMBDA),
  arrayMin: fn(1, 2, LAMBDA_OPT),
  arrayMax: fn(1, 2, LAMBDA_OPT),
  arraySum: fn(1, 2, LAMBDA_OPT),
  arrayAvg: fn(1, 2, LAMBDA_OPT),
  arrayCumSum: fn(1, null, LAMBDA_OPT),
  arrayCumSumNonNegative: fn(1, null, LAMBDA_OPT),
  arrayProduct: fn(1),
  arrayStringConcat: fn(1, 2),
});

const CONVERSIONS = table({
  hex: fn(1),
  unhex: fn(1),
  // only the fixed-width reinterprets (PostHog avoids the generic `reinterpret`)
  ...many(
    [
      'reinterpretAsUInt8',
      'reinterpretAsUInt16',
      'reinterpretAsUInt32',
      'reinterpretAsUInt64',
      'reinterpretAsUInt128',
      'reinterpretAsUInt256',
      'reinterpretAsInt8',
      'reinterpretAsInt16',
      'reinterpretAsInt32',
      'reinterpretAsInt64',
      'reinterpretAsInt128',
      'reinterpretAsInt256',
      'reinterpretAsFloat32',
      'reinterpretAsFloat64',
      'reinterpretAsUUID',
    ],
    1,
  ),
  // NULL instead of an exception on bad input: properties are strings of unknown shape
  toInt: to("accurateCastOrNull({0}, 'Int64')", 1),
  toIntOrZero: to('toInt64OrZero', 1),
  toFloat: to("accurateCastOrNull({0}, 'Float64')", 1),
  toFloatOrZero: to('toFloat64OrZero', 1),
  toFloatOrDefault: to('toFloat64OrDefault', 1, 2),
  // the scale must be a constant; ClickHouse folds the concat into the type name 'Decimal64(s)'
  toDecimal: to("accurateCastOrNull({0}, concat('Decimal64(', toString({1}), ')'))", 2),
  toUUID: to("accurateCastOrNull({0}, 'UUID')", 1),
  toUUIDOrDefault: fn(2),
  toString: fn(1, 2),
  toNullableString: to("accurateCastOrNull({0}, 'Nullable(String)')", 1),
  toBool: fn(1),
  toJSONString: fn(1),
  toTypeName: fn(1),
  // internal raw casts (leading underscore: hidden from suggestions)
  _toInt8: to('toInt8', 1),
  _toInt16: to('toInt16', 1),
  _toInt32: to('toInt32', 1),
  _toInt64: to('toInt64', 1),
  _toUInt64: to('toUInt64', 1),
  _toUInt128: to('toUInt128', 1),
  _toDate: to('toDate', 1),
  _toNullableBool: to("accurateCastOrNull({0}, 'Bool')", 1),
  // dates: strings parse leniently to NULL; values that are already dates/datetimes convert directly
  toDate: to('toDateOrNull', 1, 1, {
    overloads: [{ kinds: ['date', 'datetime', 'integer'], clickhouse: 'toDate' }],
  }),
  to_date: to('toDateOrNull', 1, 1, {
    overloads: [{ kinds: ['date', 'datetime', 'integer'], clickhouse: 'toDate' }],
  }),
  toDateTime: to('parseDateTime64BestEffortOrNull', 1, 2, {
    ...TZ,
    overloads: [{ kinds: ['date', 'datetime', 'integer'], clickhouse: 'toDateTime' }],
  }),
  toDateTime64: fn(1, 3, TZ),
  toDateTimeUS: to('parseDateTime64BestEffortUSOrNull', 1, 2, TZ),
  parseDateTime: to('parseDateTimeOrNull', 2, 3, TZ),
  parseDateTimeBestEffort: to('parseDateTime64BestEffortOrNull', 1, 2, TZ),
  // PostHog caps this at one argument (so never appends the tz); two lets the project tz apply
  UUIDv7ToDateTime: fn(1, 2, TZ),
  // nullability
  isNull: fn(1, 1, CI),
  isNotNull: fn(1),
  coalesce: fn(1, null, CI),
  ifNull: fn(2, 2, CI),
  nullIf: fn(2, 2, CI),
  assumeNotNull: fn(1),
  toNullable: fn(1),
});

const HASHING = table({
  cityHash64: fn(1),
  // PostHog lists md5 (as an "aggregation", which it is not); hex digest like PostHog: uppercase
  md5: to('hex(MD5({}))', 1),
  sipHash64: fn(1, null, EXT),
  xxHash64: fn(1, null, EXT),
  murmurHash3_64: fn(1, null, EXT),
});

const DATETIME = table({
  timeZoneOf: fn(1),
  timeZoneOffset: fn(1),
  toYear: fn(1),
  toQuarter: fn(1),
  toMonth: fn(1),
  toDayOfYear: fn(1),
  toDayOfMonth: fn(1),
  toDayOfWeek: fn(1, 3),
  toHour: fn(1),
  toMinute: fn(1),
  toSecond: fn(1),
  toUnixTimestamp: fn(1, 2),
  toUnixTimestamp64Milli: fn(1),
  fromUnixTimestamp: fn(1),
  fromUnixTimestamp64Milli: fn(1),
  // Not tz-aware in PostHog: DateTime columns are already converted to the project tz before use
  toStartOfInterval: fn(2, 3),
  toStartOfYear: fn(1),
  toStartOfISOYear: fn(1),
  toStartOfQuarter: fn(1),
  toStartOfMonth: fn(1),
  toLastDayOfMonth: fn(1),
  toMonday: fn(1),
  toStartOfWeek: fn(1, 2, { weekMode: true }),
  toStartOfDay: fn(1, 2),
  toLastDayOfWeek: fn(1, 2),
  toStartOfHour: fn(1),
  toStartOfMinute: fn(1),
  toStartOfSecond: fn(1),
  toStartOfFiveMinutes: fn(1),
  toStartOfTenMinutes: fn(1),
  toStartOfFifteenMinutes: fn(1),
  toTime: fn(1),
  toISOYear: fn(1),
  toISOWeek: fn(1),
  toWeek: fn(1, 3),
  toYearWeek: fn(1, 3),
  toYYYYMM: fn(1),
  toYYYYMMDD: fn(1),
  toYYYYMMDDhhmmss: fn(1),
  age: fn(3),
  dateDiff: fn(3),
  date_diff: to('dateDiff', 3),
  dateTrunc: fn(2, 3),
  date_trunc: to('dateTrunc', 2, 3),
  dateAdd: fn(2, 3),
  dateSub: fn(2, 3),
  date_add: fn(2, 2),
  date_subtract: to('date_sub', 2, 2),
  timeStampAdd: fn(2),
  timeStampSub: fn(2),
  ...many(['addYears', 'addQuarters', 'addMonths', 'addWeeks', 'addDays', 'addHours', 'addMinutes', 'addSeconds'], 2),
  ...many(
    [
      'subtractYears',
      'subtractQuarters',
      'subtractMonths',
      'subtractWeeks',
      'subtractDays',
      'subtractHours',
      'subtractMinutes',
      'subtractSeconds',
    ],
    2,
  ),
  timeSlot: fn(1),
  timeSlots: fn(2, 3),
  formatDateTime: fn(2, 3),
  to_char: to('formatDateTime', 2, 3, TZ),
  dateName: fn(2),
  monthName: fn(1),
  toModifiedJulianDay: to('toModifiedJulianDayOrNull', 1),
  fromModifiedJulianDay: to('fromModifiedJulianDayOrNull', 1),
  nowInBlock: fn(1),
  rowNumberInBlock: fn(0),
  rowNumberInAllBlocks: fn(0),
  // "now" is always in the project tz and microsecond precision
  now: to('now64', 0, 1, { ...TZ, ...CI }),
  current_timestamp: to('now64', 0, 0, TZ),
  today: fn(0),
  current_date: to('today', 0),
  yesterday: fn(0),
  toTimeZone: fn(1, 2, TZ),
  timezone: to('toTimeZone({1}, {0})', 2),
  make_date: to('makeDate', 3),
  make_timestamp: to('makeDateTime', 6, 7, TZ),
  make_timestamptz: to('toTimeZone(makeDateTime({}, {}, {}, {}, {}, {}), {})', 7),
  make_interval: to(
    'toIntervalYear({}) + toIntervalMonth({}) + toIntervalDay({}) + toIntervalHour({}) + toIntervalMinute({}) + toIntervalSecond({})',
    6,
  ),
  to_timestamp: to('toDateTime(fromUnixTimestamp({}))', 1),
  date_bin: to('toStartOfInterval({1}, {0}, {2})', 3),
  date_part: to(
    "multiIf({0} = 'year', toYear({1}), {0} = 'quarter', toQuarter({1}), {0} = 'month', toMonth({1}), {0} = 'day', toDayOfMonth({1}), {0} = 'dow', toDayOfWeek({1}), {0} = 'doy', toDayOfYear({1}), {0} = 'hour', toHour({1}), {0} = 'minute', toMinute({1}), {0} = 'second', toSecond({1}), NULL)",
    2,
  ),
  ...many(
    [
      'toIntervalSecond',
      'toIntervalMinute',
      'toIntervalHour',
      'toIntervalDay',
      'toIntervalWeek',
      'toIntervalMonth',
      'toIntervalQuarter',
      'toIntervalYear',
    ],
    1,
  ),
  // time windows: ClickHouse rejects DateTime64 here
  tumble: fn(2, 2, { firstArgToDateTime: true }),
  hop: fn(3, 3, { firstArgToDateTime: true }),
  tumbleStart: fn(1, 3, { firstArgToDateTime: true }),
  tumbleEnd: fn(1, 3, { firstArgToDateTime: true }),
  hopStart: fn(1, 3, { firstArgToDateTime: true }),
  hopEnd: fn(1, 3, { firstArgToDateTime: true }),
});

const STRINGS = table({
  left: fn(2),
  right: fn(2),
  lengthUTF8: fn(1),
  leftPad: fn(2, 3),
  rightPad: fn(2, 3),
  leftPadUTF8: fn(2, 3),
  rightPadUTF8: fn(2, 3),
  lpad: fn(3),
  rpad: fn(3),
  lower: fn(1, 1, CI),
  upper: fn(1, 1, CI),
  lowerUTF8: fn(1),
  upperUTF8: fn(1),
  initcap: fn(1),
  isValidUTF8: fn(1),
  toValidUTF8: fn(1),
  repeat: fn(2),
  format: fn(2, null),
  reverseUTF8: fn(1),
  concat: fn(2, null, { ...CI, nullSafeConcat: true }),
  concatWithSeparator: fn(2, null),
  substring: fn(3, 3, CI),
  substringUTF8: fn(3),
  appendTrailingCharIfAbsent: fn(2),
  convertCharset: fn(3),
  base58Encode: fn(1),
  base58Decode: fn(1),
  tryBase58Decode: fn(1),
  base64Encode: fn(1),
  base64Decode: fn(1),
  tryBase64Decode: fn(1),
  endsWith: fn(2),
  startsWith: fn(2),
  encodeXMLComponent: fn(1),
  decodeXMLComponent: fn(1),
  extractTextFromHTML: fn(1),
  ascii: fn(1, 1, CI),
  // trimming: one argument trims spaces, an optional second names the characters to trim
  trim: to('trimBoth', 1, 2, CI),
  btrim: to('trimBoth', 1, 2),
  trimLeft: fn(1, 2),
  ltrim: to('trimLeft', 1, 2),
  trimRight: fn(1, 2),
  rtrim: to('trimRight', 1, 2),
  // Postgres split_part(s, delimiter, n): '' when out of range
  split_part: to(
    "if(length(splitByString({1}, {0})) >= {2}, arrayElement(splitByString({1}, {0}), {2}), '')",
    3,
  ),
  // searching
  position: fn(2, 3, CI),
  positionCaseInsensitive: fn(2, 3),
  positionUTF8: fn(2, 3),
  positionCaseInsensitiveUTF8: fn(2, 3),
  ...many(
    [
      'multiSearchAllPositions',
      'multiSearchAllPositionsUTF8',
      'multiSearchFirstPosition',
      'multiSearchFirstIndex',
      'multiSearchAny',
      'match',
      'multiMatchAny',
      'multiMatchAnyIndex',
      'multiMatchAllIndices',
      'extractAll',
      'extractAllGroupsHorizontal',
      'extractAllGroupsVertical',
      'like',
      'ilike',
      'notLike',
      'notILike',
      'ngramDistance',
      'ngramSearch',
      'countMatches',
    ],
    2,
  ),
  ...many(['multiFuzzyMatchAny', 'multiFuzzyMatchAnyIndex', 'multiFuzzyMatchAllIndices'], 3),
  extract: fn(2, 2, CI),
  countSubstrings: fn(2, 3),
  countSubstringsCaseInsensitive: fn(2, 3),
  countSubstringsCaseInsensitiveUTF8: fn(2, 3),
  regexpExtract: fn(2, 3),
  // replacing
  replace: fn(3, 3, CI),
  replaceAll: fn(3),
  replaceOne: fn(3),
  replaceRegexpAll: fn(3),
  replaceRegexpOne: fn(3),
  regexpQuoteMeta: fn(1),
  translate: fn(3),
  translateUTF8: fn(3),
  // splitting
  splitByChar: fn(2, 3),
  splitByString: fn(2, 3),
  splitByRegexp: fn(2, 3),
  splitByWhitespace: fn(1, 2),
  splitByNonAlpha: fn(1, 2),
  alphaTokens: fn(1, 2),
  extractAllGroups: fn(2),
  ngrams: fn(2),
  tokens: fn(1),
});

// JSON functions take the document plus up to five path elements (PostHog's limits)
const JSON_FUNCTIONS = table({
  isValidJSON: fn(1),
  JSONHas: fn(1, 6),
  JSONLength: fn(1, 6),
  JSONArrayLength: fn(1, 6),
  JSONType: fn(1, 6),
  JSONExtract: fn(2, 7),
  JSONExtractUInt: fn(1, 6),
  JSONExtractInt: fn(1, 6),
  JSONExtractFloat: fn(1, 6),
  JSONExtractBool: fn(1, 6),
  JSONExtractString: fn(1, 6),
  JSONExtractKeys: fn(1, 5),
  JSONExtractRaw: fn(1, 6),
  JSONExtractArrayRaw: fn(1, 6),
  JSONExtractKeysAndValues: fn(2, 7),
  JSONExtractKeysAndValuesRaw: fn(1, 6),
  JSON_VALUE: fn(2),
});

const MATH = table({
  e: fn(0),
  pi: fn(0),
  ...many(['exp', 'log', 'ln', 'log2', 'log10', 'sqrt', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan'], 1, 1, CI),
  ...many(['sign', 'degrees', 'radians', 'factorial'], 1, 1, CI),
  ...many(['exp2', 'exp10', 'cbrt', 'erf', 'erfc', 'lgamma', 'tgamma', 'intExp2', 'intExp10'], 1),
  ...many(['cosh', 'acosh', 'sinh', 'asinh', 'atanh', 'log1p'], 1),
  pow: fn(2, 2, CI),
  power: fn(2, 2, CI),
  atan2: fn(2),
  hypot: fn(2),
  width_bucket: fn(4),
  ...many(['floor', 'ceil', 'trunc', 'round'], 1, 2, CI),
  roundBankers: fn(1, 2),
  roundToExp2: fn(1),
  roundDuration: fn(1),
  roundAge: fn(1),
  roundDown: fn(2),
  rand: fn(0),
  isFinite: fn(1),
  isInfinite: fn(1),
  // PostHog allows one argument, but ClickHouse's ifNotFinite(x, fallback) needs two
  ifNotFinite: fn(2),
  isNaN: fn(1),
  least: fn(2, 2, CI),
  greatest: fn(2, 2, CI),
});

const MAPS_TUPLES = table({
  map: fn(0, null),
  mapFromArrays: fn(2),
  mapAdd: fn(2, null),
  mapSubtract: fn(2, null),
  mapPopulateSeries: fn(1, 3),
  mapContains: fn(2),
  mapKeys: fn(1),
  mapValues: fn(1),
  mapContainsKeyLike: fn(2),
  mapExtractKeyLike: fn(2),
  mapApply: fn(2, 2, LAMBDA),
  mapFilter: fn(2, 2, LAMBDA),
  mapUpdate: fn(2),
  tuple: fn(0, null),
  tupleElement: fn(2, 3),
  untuple: fn(1),
  tupleHammingDistance: fn(2),
  tupleToNameValuePairs: fn(1),
  tuplePlus: fn(2),
  tupleMinus: fn(2),
  tupleMultiply: fn(2),
  tupleDivide: fn(2),
  tupleNegate: fn(1),
  tupleMultiplyByNumber: fn(2),
  tupleDivideByNumber: fn(2),
  // joins tuples (the funnel engine builds its per-step chains with it)
  tupleConcat: fn(1, null, EXT),
  dotProduct: fn(2),
  // vector distances
  ...many(['L1Norm', 'L2Norm', 'LinfNorm', 'L1Normalize', 'L2Normalize', 'LinfNormalize'], 1),
  ...many(['LpNorm', 'L1Distance', 'L2Distance', 'LinfDistance', 'LpNormalize', 'cosineDistance'], 2),
  LpDistance: fn(3),
});

const BITS = table({
  ...many(['bitAnd', 'bitOr', 'bitXor', 'bitShiftLeft', 'bitShiftRight', 'bitRotateLeft', 'bitRotateRight'], 2),
  bitNot: fn(1),
  bitSlice: fn(3),
  bitTest: fn(2),
  bitTestAll: fn(3, null),
  bitTestAny: fn(3, null),
  bitCount: fn(1),
  bitHammingDistance: fn(2),
  ...many(['bitmapBuild', 'bitmapToArray', 'bitmapCardinality', 'bitmapMin', 'bitmapMax'], 1),
  ...many(['bitmapSubsetInRange', 'bitmapSubsetLimit', 'subBitmap', 'bitmapTransform'], 3),
  ...many(
    [
      'bitmapContains',
      'bitmapHasAny',
      'bitmapHasAll',
      'bitmapAnd',
      'bitmapOr',
      'bitmapXor',
      'bitmapAndnot',
      'bitmapAndCardinality',
      'bitmapOrCardinality',
      'bitmapXorCardinality',
      'bitmapAndnotCardinality',
    ],
    2,
  ),
});

// URL functions parse strings; none of them fetch anything
const URLS = table({
  ...many(
    [
      'protocol',
      'domain',
      'domainWithoutWWW',
      'topLevelDomain',
      'firstSignificantSubdomain',
      'cutToFirstSignificantSubdomain',
      'cutToFirstSignificantSubdomainWithWWW',
      'path',
      'pathFull',
      'queryString',
      'fragment',
      'queryStringAndFragment',
      'extractURLParameters',
      'extractURLParameterNames',
      'URLHierarchy',
      'URLPathHierarchy',
      'encodeURLComponent',
      'decodeURLComponent',
      'encodeURLFormComponent',
      'decodeURLFormComponent',
      'netloc',
      'cutWWW',
      'cutQueryString',
      'cutFragment',
      'cutQueryStringAndFragment',
    ],
    1,
  ),
  port: fn(1, 2),
  extractURLParameter: fn(2),
  cutURLParameter: fn(2),
});

const GEO = table({
  greatCircleDistance: fn(4),
  geoDistance: fn(4),
  greatCircleAngle: fn(4),
  pointInEllipses: fn(6, null),
  pointInPolygon: fn(2, null),
  geohashEncode: fn(2, 3),
  geohashDecode: fn(1),
  geohashesInBox: fn(5),
  ...many(
    [
      'h3IsValid',
      'h3GetResolution',
      'h3GetBaseCell',
      'h3EdgeAngle',
      'h3EdgeLengthM',
      'h3EdgeLengthKm',
      'h3ToGeo',
      'h3ToGeoBoundary',
      'h3HexAreaM2',
      'h3HexAreaKm2',
      'h3ToString',
      'stringToH3',
      'h3IsResClassIII',
      'h3IsPentagon',
      'h3GetFaces',
      'h3CellAreaM2',
      'h3CellAreaRads2',
      'h3ExactEdgeLengthM',
      'h3ExactEdgeLengthKm',
      'h3ExactEdgeLengthRads',
      'h3NumHexagons',
      'h3GetPentagonIndexes',
      'h3UnidirectionalEdgeIsValid',
      'h3GetOriginIndexFromUnidirectionalEdge',
      'h3GetDestinationIndexFromUnidirectionalEdge',
      'h3GetIndexesFromUnidirectionalEdge',
      'h3GetUnidirectionalEdgesFromHexagon',
      'h3GetUnidirectionalEdgeBoundary',
    ],
    1,
  ),
  ...many(
    [
      'h3kRing',
      'h3IndexesAreNeighbors',
      'h3ToChildren',
      'h3ToParent',
      'h3ToCenterChild',
      'h3Line',
      'h3Distance',
      'h3HexRing',
      'h3GetUnidirectionalEdge',
    ],
    2,
  ),
  geoToH3: fn(3),
  ...many(['h3PointDistM', 'h3PointDistKm', 'h3PointDistRads'], 4),
  h3GetRes0Indexes: fn(0),
});

const OTHER = table({
  bar: fn(4),
  transform: fn(3, 4),
  formatReadableDecimalSize: fn(1),
  formatReadableSize: fn(1),
  formatReadableQuantity: fn(1),
  formatReadableTimeDelta: fn(1, 2),
  indexHint: fn(1),
  // "1.10.2" → [1, 10, 2] so versions compare numerically; anything that is not X.Y.Z (optional
  // leading v, optional -prerelease/+build) becomes [NULL], which compares as neither bigger nor smaller
  sortableSemver: to(
    "arrayMap(part -> toInt64OrNull(part), splitByChar('.', coalesce(nullIf(extract(ifNull({0}, ''), '^\\\\s*v?((?:0|[1-9][0-9]*)\\\\.(?:0|[1-9][0-9]*)\\\\.(?:0|[1-9][0-9]*))(?:[-+]\\\\S*)?\\\\s*$'), ''), '_')))",
    1,
    1,
    CI,
  ),
});

const WINDOW_FUNCTIONS = table({
  row_number: fn(0, 0, WINDOW),
  rank: fn(0, 0, WINDOW),
  dense_rank: fn(0, 0, WINDOW),
  first_value: fn(1, 1, WINDOW),
  last_value: fn(1, 1, WINDOW),
  nth_value: fn(2, 2, WINDOW),
  lagInFrame: fn(1, 3, WINDOW),
  leadInFrame: fn(1, 3, WINDOW),
  // Postgres spellings; ClickHouse's frame-bound versions are what PostHog prints
  lag: to('lagInFrame', 1, 3, WINDOW),
  lead: to('leadInFrame', 1, 3, WINDOW),
  ntile: fn(1, 1, { ...WINDOW, ...EXT }),
  percent_rank: fn(0, 0, { ...WINDOW, ...EXT }),
  cume_dist: fn(0, 0, { ...WINDOW, ...EXT }),
});

/** Scalar (and window) functions, keyed by their HogQL name. */
export const HOGQL_FUNCTIONS: Readonly<Record<string, HogQLFunction>> = {
  ...ARITHMETIC,
  ...COMPARISON_AND_LOGIC,
  ...ARRAYS,
  ...CONVERSIONS,
  ...HASHING,
  ...DATETIME,
  ...STRINGS,
  ...JSON_FUNCTIONS,
  ...MATH,
  ...MAPS_TUPLES,
  ...BITS,
  ...URLS,
  ...GEO,
  ...OTHER,
  ...WINDOW_FUNCTIONS,
};

// ---------------------------------------------------------------------------------------------
// Aggregations

const AGG = { aggregate: true } as const;

/** Aggregate with the same name; `If` variant(s) get one more argument. */
function agg(min: number, max: number | null = min, extra: Partial<HogQLFunction> = {}) {
  return fn(min, max, { ...AGG, ...extra });
}

/** `name` and `nameIf` (one extra condition argument), like most of PostHog's list. */
function withIf(names: readonly string[], min: number, max: number | null = min, extra: Partial<HogQLFunction> = {}): Table {
  const out: Table = {};
  for (const name of names) {
    out[name] = { clickhouse: name, ...agg(min, max, extra) };
    out[`${name}If`] = { clickhouse: `${name}If`, ...agg(min + 1, max === null ? null : max + 1, extra) };
  }
  return out;
}

/**
 * PostHog's combinator rules for its combinator families: after a suffix only the listed suffixes may
 * follow (each at most once); `If`, `ArgMin` and `ArgMax` take one more argument.
 */
export const AGGREGATE_COMBINATORS: Readonly<Record<string, { follow: readonly string[]; extraArgs: number }>> = {
  If: { follow: [], extraArgs: 1 },
  Array: { follow: ['If', 'OrDefault', 'OrNull'], extraArgs: 0 },
  Map: { follow: ['If', 'OrDefault', 'OrNull'], extraArgs: 0 },
  State: { follow: ['If', 'OrDefault', 'OrNull'], extraArgs: 0 },
  Merge: { follow: ['If', 'OrDefault', 'OrNull'], extraArgs: 0 },
  ForEach: { follow: ['If', 'OrDefault', 'OrNull'], extraArgs: 0 },
  OrDefault: { follow: ['If'], extraArgs: 0 },
  OrNull: { follow: ['If'], extraArgs: 0 },
  ArgMin: { follow: ['If', 'OrDefault', 'OrNull'], extraArgs: 1 },
  ArgMax: { follow: ['If', 'OrDefault', 'OrNull'], extraArgs: 1 },
};

/** Bases that get every combinator chain (PostHog's COMBINATOR_AGGREGATIONS). */
const COMBINATOR_BASES: Readonly<Record<string, readonly [number, number]>> = {
  avg: [1, 1],
  sum: [1, 1],
  min: [1, 1],
  max: [1, 1],
  count: [0, 1],
  countDistinct: [1, 1],
  median: [1, 1],
};

function generateCombinatorAggregations(): Table {
  const out: Table = {};
  const walk = (base: string, range: readonly [number, number], chain: readonly string[]): void => {
    const next = chain.length === 0 ? Object.keys(AGGREGATE_COMBINATORS) : (AGGREGATE_COMBINATORS[chain.at(-1)!]?.follow ?? []);
    for (const suffix of next) {
      if (chain.includes(suffix)) continue;
      const extra = AGGREGATE_COMBINATORS[suffix]!.extraArgs;
      const r: [number, number] = [range[0] + extra, range[1] + extra];
      const name = base + [...chain, suffix].join('');
      out[name] = { clickhouse: name, minArgs: r[0], maxArgs: r[1], aggregate: true };
      walk(base, r, [...chain, suffix]);
    }
  };
  for (const [base, range] of Object.entries(COMBINATOR_BASES)) walk(base, range, []);
  return out;
}

const QUANTILE = { minParams: 1, maxParams: 1 } as const;
// "any number of levels": a cap only so that every parametric entry states its maximum
const MANY_PARAMS = 1000;
const QUANTILES = { minParams: 1, maxParams: MANY_PARAMS } as const;
const QUANTILE_OPT = { minParams: 0, maxParams: 1 } as const; // level defaults to 0.5

const EXPLICIT_AGGREGATIONS: Table = {
  count: { clickhouse: 'count', ...agg(0, 1, CI) },
  countIf: { clickhouse: 'countIf', ...agg(1, 2) },
  countState: { clickhouse: 'countState', ...agg(0, 1) },
  countMerge: { clickhouse: 'countMerge', ...agg(1) },
  countStateIf: { clickhouse: 'countStateIf', ...agg(1, 2) },
  // ClickHouse rewrites countDistinct to count_distinct_implementation (uniqExact); PostHog only
  // lists the suffixed forms, plain countDistinct(x) is a harmless extension
  countDistinct: { clickhouse: 'countDistinct', ...agg(1, 1, EXT) },
  countDistinctIf: { clickhouse: 'countDistinctIf', ...agg(1, 2) },
  countMapIf: { clickhouse: 'countMapIf', ...agg(2, 3) },
  min: { clickhouse: 'min', ...agg(1, 1, CI) },
  minIf: { clickhouse: 'minIf', ...agg(2) },
  max: { clickhouse: 'max', ...agg(1, 1, CI) },
  maxIf: { clickhouse: 'maxIf', ...agg(2) },
  sum: { clickhouse: 'sum', ...agg(1, 1, CI) },
  sumIf: { clickhouse: 'sumIf', ...agg(2) },
  sumForEach: { clickhouse: 'sumForEach', ...agg(1) },
  minForEach: { clickhouse: 'minForEach', ...agg(1) },
  avg: { clickhouse: 'avg', ...agg(1, 1, CI) },
  avgIf: { clickhouse: 'avgIf', ...agg(2) },
  avgMap: { clickhouse: 'avgMap', ...agg(1) },
  avgMapIf: { clickhouse: 'avgMapIf', ...agg(2, 3) },
  avgMapState: { clickhouse: 'avgMapState', ...agg(2, 3) },
  avgMapMerge: { clickhouse: 'avgMapMerge', ...agg(1) },
  avgMapMergeIf: { clickhouse: 'avgMapMergeIf', ...agg(2) },
  avgState: { clickhouse: 'avgState', ...agg(1) },
  avgStateIf: { clickhouse: 'avgStateIf', ...agg(2) },
  avgMerge: { clickhouse: 'avgMerge', ...agg(1) },
  avgMergeIf: { clickhouse: 'avgMergeIf', ...agg(2) },
  // NULL for empty arrays rather than NaN / exception
  avgArray: { clickhouse: 'avgArrayOrNull', ...agg(1) },
  medianArray: { clickhouse: 'medianArrayOrNull', ...agg(1) },
  ...withIf(['any', 'anyHeavy', 'anyLast'], 1),
  ...withIf(['stddevPop', 'stddevSamp', 'varPop', 'varSamp', 'skewSamp', 'skewPop', 'kurtSamp', 'kurtPop'], 1),
  ...withIf(['covarPop', 'covarSamp'], 2),
  corr: { clickhouse: 'corr', ...agg(2) },
  ...withIf(['argMin', 'argMax', 'avgWeighted'], 2),
  argMinMerge: { clickhouse: 'argMinMerge', ...agg(1) },
  argMaxMerge: { clickhouse: 'argMaxMerge', ...agg(1) },
  // Postgres-style
  groupArray: { clickhouse: 'groupArray', ...agg(1) },
  array_agg: { clickhouse: 'groupArray', ...agg(1) },
  json_agg: { clickhouse: 'toJSONString(groupArray({}))', ...agg(1) },
  string_agg: { clickhouse: 'arrayStringConcat(groupArray({}), {})', ...agg(2) },
  every: { clickhouse: 'toBool(min({}))', ...agg(1) },
  topK: { clickhouse: 'topK', ...agg(1, 1, QUANTILE) },
  groupArrayIf: { clickhouse: 'groupArrayIf', ...agg(2) },
  ...withIf(['groupUniqArray', 'groupArrayMovingAvg', 'groupArrayMovingSum'], 1),
  ...withIf(['groupArrayInsertAt'], 2),
  ...withIf(['groupArraySample'], 1, 1, { minParams: 1, maxParams: 2 }),
  ...withIf(['groupBitAnd', 'groupBitOr', 'groupBitXor', 'groupBitmap', 'groupBitmapAnd', 'groupBitmapOr', 'groupBitmapXor'], 1),
  groupBitmapState: { clickhouse: 'groupBitmapState', ...agg(1) },
  groupBitmapAndState: { clickhouse: 'groupBitmapAndState', ...agg(1) },
  groupBitmapOrState: { clickhouse: 'groupBitmapOrState', ...agg(1) },
  ...withIf(['sumWithOverflow', 'deltaSum'], 1),
  ...withIf(['deltaSumTimestamp'], 2),
  ...withIf(['sumMap', 'minMap', 'maxMap'], 1, 2),
  sumMapMerge: { clickhouse: 'sumMapMerge', ...agg(1) },
  sumMapMergeIf: { clickhouse: 'sumMapMergeIf', ...agg(2) },
  sumMerge: { clickhouse: 'sumMerge', ...agg(1) },
  sumMergeIf: { clickhouse: 'sumMergeIf', ...agg(2) },
  sumState: { clickhouse: 'sumState', ...agg(1) },
  sumStateIf: { clickhouse: 'sumStateIf', ...agg(2) },
  ...withIf(['uniq', 'uniqExact', 'uniqHLL12'], 1, null),
  // chDB is built without DataSketches, so uniqTheta is not available; uniq is the closest
  // approximate distinct count (same kind of answer, different error profile)
  uniqTheta: { clickhouse: 'uniq', ...agg(1, null) },
  uniqThetaIf: { clickhouse: 'uniqIf', ...agg(2, null) },
  uniqExactState: { clickhouse: 'uniqExactState', ...agg(1, null) },
  uniqExactMerge: { clickhouse: 'uniqExactMerge', ...agg(1, null) },
  uniqMerge: { clickhouse: 'uniqMerge', ...agg(1) },
  uniqMergeIf: { clickhouse: 'uniqMergeIf', ...agg(2) },
  uniqMap: { clickhouse: 'uniqMap', ...agg(1) },
  uniqMapMerge: { clickhouse: 'uniqMapMerge', ...agg(1) },
  uniqMapMergeIf: { clickhouse: 'uniqMapMergeIf', ...agg(2) },
  uniqState: { clickhouse: 'uniqState', ...agg(1) },
  uniqStateIf: { clickhouse: 'uniqStateIf', ...agg(2) },
  uniqUpToMerge: { clickhouse: 'uniqUpToMerge', ...agg(1, 1, { minParams: 1, maxParams: 1 }) },
  uniqUpTo: { clickhouse: 'uniqUpTo', ...agg(1, null, { minParams: 1, maxParams: 1, ...EXT }) },
  ...withIf(
    [
      'median',
      'medianExact',
      'medianExactLow',
      'medianExactHigh',
      'medianExactWeighted',
      'medianTiming',
      'medianTimingWeighted',
      'medianDeterministic',
      'medianTDigest',
      'medianTDigestWeighted',
      'medianBFloat16',
    ],
    1,
  ),
  quantile: { clickhouse: 'quantile', ...agg(1, 1, QUANTILE) },
  quantileIf: { clickhouse: 'quantileIf', ...agg(2, 2, QUANTILE) },
  // PostHog checks no parameters for quantiles; levels are its parameters
  quantiles: { clickhouse: 'quantiles', ...agg(1, 1, QUANTILES) },
  quantilesIf: { clickhouse: 'quantilesIf', ...agg(2, 2, QUANTILES) },
  // PostHog has the quantile* variants commented out; they are pure computations
  ...withIf(['quantileExact', 'quantileExactLow', 'quantileExactHigh', 'quantileTiming', 'quantileTDigest', 'quantileBFloat16'], 1, 1, {
    ...QUANTILE_OPT,
    ...EXT,
  }),
  ...withIf(['quantileExactWeighted', 'quantileTDigestWeighted', 'quantileDeterministic'], 2, 2, { ...QUANTILE_OPT, ...EXT }),
  ...withIf(['quantilesExact', 'quantilesTiming', 'quantilesTDigest'], 1, 1, { ...QUANTILES, ...EXT }),
  ...withIf(['simpleLinearRegression', 'contingency', 'cramersV', 'cramersVBiasCorrected', 'theilsU'], 2),
  ...withIf(['maxIntersections', 'maxIntersectionsPosition'], 2),
  // windowFunnel(window[, mode…])(timestamp, cond1, …)
  windowFunnel: { clickhouse: 'windowFunnel', ...agg(1, 99, { minParams: 1, maxParams: 4 }) },
};

/** Aggregations: PostHog's explicit list plus the generated combinator chains (explicit entries win). */
export const HOGQL_AGGREGATIONS: Readonly<Record<string, HogQLFunction>> = {
  ...generateCombinatorAggregations(),
  ...EXPLICIT_AGGREGATIONS,
};

/** Function-call spellings of comparisons: the compiler should print these as CompareOperations (null-safe). */
export const COMPARISON_FUNCTIONS: Readonly<Record<string, CompareOp>> = {
  equals: '==',
  notEquals: '!=',
  less: '<',
  greater: '>',
  lessOrEquals: '<=',
  greaterOrEquals: '>=',
  like: 'like',
  ilike: 'ilike',
  notLike: 'not like',
  notILike: 'not ilike',
  in: 'in',
  notIn: 'not in',
};

/**
 * PostHog-specific functions the compiler has to expand itself (actions, cohorts, dictionaries,
 * surveys…). Listed for arity checks and suggestions only; they have no ClickHouse mapping here.
 */
export const POSTHOG_SPECIAL_FUNCTIONS: Readonly<Record<string, { minArgs: number; maxArgs: number }>> = {
  matchesAction: { minArgs: 1, maxArgs: 1 },
  sparkline: { minArgs: 1, maxArgs: 1 },
  recordingButton: { minArgs: 1, maxArgs: 2 },
  explainCSPReport: { minArgs: 1, maxArgs: 1 },
  embedText: { minArgs: 1, maxArgs: 2 },
  lookupDomainType: { minArgs: 1, maxArgs: 1 },
  lookupPaidSourceType: { minArgs: 1, maxArgs: 1 },
  lookupPaidMediumType: { minArgs: 1, maxArgs: 1 },
  lookupOrganicSourceType: { minArgs: 1, maxArgs: 1 },
  lookupOrganicMediumType: { minArgs: 1, maxArgs: 1 },
  convertCurrency: { minArgs: 3, maxArgs: 4 },
  getSurveyResponse: { minArgs: 1, maxArgs: 3 },
  uniqueSurveySubmissionsFilter: { minArgs: 1, maxArgs: 3 },
  getTrafficType: { minArgs: 1, maxArgs: 1 },
  getTrafficCategory: { minArgs: 1, maxArgs: 1 },
  isLikelyBot: { minArgs: 1, maxArgs: 1 },
  getBotType: { minArgs: 1, maxArgs: 1 },
  getBotName: { minArgs: 1, maxArgs: 1 },
  getBotOperator: { minArgs: 1, maxArgs: 1 },
};

// ---------------------------------------------------------------------------------------------
// Lookup

// Case-insensitive entries are also findable by their lowercased name (PostHog's _find_function).
const LOWER_INDEX = new Map<string, { name: string; fn: HogQLFunction }>();
for (const t of [HOGQL_FUNCTIONS, HOGQL_AGGREGATIONS]) {
  for (const [name, f] of Object.entries(t)) if (f.caseInsensitive) LOWER_INDEX.set(name.toLowerCase(), { name, fn: f });
}

/**
 * Resolve a HogQL function or aggregation name (aggregations first, like PostHog). Exact match,
 * or any spelling of a case-insensitive one; combinator chains (sumArrayIf, countDistinctOrNullIf…)
 * are pre-generated for PostHog's combinator bases. Returns the canonical name.
 */
export function lookupFunction(name: string): { name: string; fn: HogQLFunction } | undefined {
  if (Object.hasOwn(HOGQL_AGGREGATIONS, name)) return { name, fn: HOGQL_AGGREGATIONS[name]! };
  if (Object.hasOwn(HOGQL_FUNCTIONS, name)) return { name, fn: HOGQL_FUNCTIONS[name]! };
  return LOWER_INDEX.get(name.toLowerCase());
}

/** Names offered as suggestions: everything public (leading underscore = internal). */
let suggestionNames: string[] | undefined;
function publicNames(): string[] {
  suggestionNames ??= [
    ...Object.keys(HOGQL_FUNCTIONS),
    ...Object.keys(HOGQL_AGGREGATIONS),
    ...Object.keys(POSTHOG_SPECIAL_FUNCTIONS),
  ].filter((n) => !n.startsWith('_'));
  return suggestionNames;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), case-insensitive. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > limit) return limit + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The closest allowed function name, for "Perhaps you meant 'x(...)'?" hints; undefined when nothing
 * is reasonably close (more than about a third of the name would have to change).
 */
export function closestFunctionName(name: string): string | undefined {
  const needle = name.toLowerCase();
  const limit = Math.max(1, Math.min(3, Math.floor(needle.length / 3)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of publicNames()) {
    if (candidate === name) continue;
    const d = editDistance(needle, candidate.toLowerCase(), Math.min(limit, bestDistance));
    // ties: prefer the shorter (usually more basic) name, then the first listed
    if (d < bestDistance || (d === bestDistance && best !== undefined && candidate.length < best.length)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

// ---------------------------------------------------------------------------------------------
// Validation and printing

function countError(term: string, name: string, noun: string, min: number, max: number | undefined, found: number): string | undefined {
  const plural = (n: number) => `${noun}${n === 1 ? '' : 's'}`;
  const tooFew = found < min;
  const tooMany = max !== undefined && found > max;
  if (min === max && (tooFew || tooMany)) return `${term} '${name}' expects ${min} ${plural(min)}, found ${found}`;
  if (tooFew) return `${term} '${name}' expects at least ${min} ${plural(min)}, found ${found}`;
  if (tooMany) return `${term} '${name}' expects at most ${max} ${plural(max)}, found ${found}`;
  return undefined;
}

/**
 * PostHog's argument/parameter count messages ("Function 'x' expects 2 arguments, found 1";
 * aggregations say "Aggregation"). `paramCount` undefined = the call has no parameter list.
 * Returns the error message, or undefined when the call is fine.
 */
export function validateFunctionArgs(name: string, f: HogQLFunction, argCount: number, paramCount?: number): string | undefined {
  const term = f.aggregate ? 'Aggregation' : 'Function';
  const argError = countError(term, name, 'argument', f.minArgs, f.maxArgs, argCount);
  if (argError) return argError;
  if (f.maxParams === undefined) {
    if (paramCount !== undefined) return `${term} '${name}' expects 0 parameters, found ${paramCount}`;
    return undefined;
  }
  const minParams = f.minParams ?? 0;
  if (paramCount === undefined) {
    return minParams > 0 ? `Aggregation '${name}' requires parameters in addition to arguments` : undefined;
  }
  return countError(term, name, 'parameter', minParams, f.maxParams, paramCount);
}

export function isTemplate(f: HogQLFunction): boolean {
  return f.clickhouse.includes('{');
}

/** An already-printed argument plus what the compiler knows about it. */
export interface RenderArg {
  /** The argument printed as ClickHouse SQL. */
  sql: string;
  /** Its type, if known (drives overloads and concat's NULL handling). */
  kind?: ArgKind;
  /** Set when the HogQL argument is a literal: its value (null for NULL). */
  constant?: string | number | boolean | null;
}

export interface RenderOptions {
  /** Project timezone (IANA). */
  timezone: string;
  /** 0 = weeks start on Sunday (default), 1 = Monday. */
  weekStartDay?: 0 | 1;
  /** Printed parameters of a parametric aggregate: quantile(0.9)(x). */
  params?: readonly string[];
  /** count(DISTINCT x) etc. (aggregations only). */
  distinct?: boolean;
  /** How to print the timezone string the renderer adds. Default: inline escaped literal. */
  quote?: (value: string) => string;
}

/** ClickHouse string literal. */
export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `{}` in order, or `{0}` `{1}` by position. */
function fillTemplate(name: string, template: string, args: readonly string[]): string {
  if (/\{\d+\}/.test(template)) {
    return template.replace(/\{(\d+)\}/g, (_, i: string) => {
      const arg = args[Number(i)];
      if (arg === undefined) throw new Error(`Invalid argument reference in function '${name}': ${i}`);
      return arg;
    });
  }
  const slots = template.split('{}').length - 1;
  if (args.length !== slots) {
    throw new Error(`Function '${name}' requires exactly ${slots} argument${slots === 1 ? '' : 's'}`);
  }
  let i = 0;
  return template.replace(/\{\}/g, () => args[i++]!);
}

// ClickHouse functions that need a DateTime64 precision before the timezone argument
const DATETIME64_WITH_PRECISION = new Set([
  'now64',
  'parseDateTime64BestEffortOrNull',
  'parseDateTime64BestEffortUSOrNull',
  'parseDateTime64BestEffort',
  'toDateTime64',
]);

/**
 * Print a call to an allowed function the way PostHog does. Arguments are already printed; the
 * caller validates counts first (validateFunctionArgs) and wraps window functions in OVER itself.
 * Throws (Error) only for a template called with the wrong number of arguments.
 */
export function renderFunctionCall(name: string, f: HogQLFunction, args: readonly RenderArg[], opts: RenderOptions): string {
  const quote = opts.quote ?? quoteString;
  if (isTemplate(f)) return fillTemplate(name, f.clickhouse, args.map((a) => a.sql));

  const params = opts.params ? `(${opts.params.join(', ')})` : '';
  if (f.aggregate) {
    return `${f.clickhouse}${params}(${opts.distinct ? 'DISTINCT ' : ''}${args.map((a) => a.sql).join(', ')})`;
  }

  let printed: string[];
  if (f.firstArgToDateTime) {
    printed = args.map((a, i) => (i === 0 ? `toDateTime(${a.sql}, 'UTC')` : a.sql));
  } else if (f.nullSafeConcat) {
    printed = args.map((a) => {
      if (a.constant === null) return "''";
      if (typeof a.constant === 'string') return a.sql;
      if (a.constant !== undefined) return `toString(${a.sql})`;
      return `ifNull(toString(${a.sql}), '')`;
    });
  } else {
    printed = args.map((a) => a.sql);
  }

  let clickhouse = f.clickhouse;
  const firstKind = args[0]?.kind;
  if (f.overloads && firstKind !== undefined) {
    const overload = f.overloads.find((o) => o.kinds.includes(firstKind));
    if (overload) clickhouse = overload.clickhouse;
  }

  if (f.tzAware) {
    const tzGiven = args.length === f.maxArgs;
    if (!tzGiven) printed.push(quote(opts.timezone));
    // A literal date string in a well-known shape can use the strict (index-friendly) parser
    const only = args.length === 1 ? args[0] : undefined;
    if (clickhouse === 'parseDateTime64BestEffortOrNull' && typeof only?.constant === 'string') {
      if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{1,6}$/.test(only.constant)) clickhouse = 'toDateTime64';
      else if (/^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/.test(only.constant)) clickhouse = 'toDateTime';
      else clickhouse = 'parseDateTime64BestEffort';
    }
    const valueOnly = clickhouse === 'now64' ? args.length === 0 || (tzGiven && args.length === 1) : args.length === 1 || (tzGiven && args.length === 2);
    if (DATETIME64_WITH_PRECISION.has(clickhouse) && valueOnly) printed.splice(printed.length - 1, 0, '6');
  }

  if (f.weekMode && args.length === 1) printed.splice(1, 0, opts.weekStartDay === 1 ? '3' : '0');

  return `${clickhouse}${params}(${printed.join(', ')})`;
}
