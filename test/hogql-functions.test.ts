import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Session } from 'chdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AGGREGATE_COMBINATORS,
  COMPARISON_FUNCTIONS,
  HOGQL_AGGREGATIONS,
  HOGQL_FUNCTIONS,
  type HogQLFunction,
  POSTHOG_SPECIAL_FUNCTIONS,
  type RenderArg,
  type RenderOptions,
  closestFunctionName,
  isTemplate,
  lookupFunction,
  renderFunctionCall,
  validateFunctionArgs,
} from '../src/hogql/functions.js';

/** Literal argument, printed inline. */
function c(value: string | number | boolean | null): RenderArg {
  if (value === null) return { sql: 'NULL', constant: null };
  if (typeof value === 'string') return { sql: `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`, constant: value, kind: 'string' };
  if (typeof value === 'boolean') return { sql: value ? 'true' : 'false', constant: value, kind: 'boolean' };
  return { sql: String(value), constant: value, kind: Number.isInteger(value) ? 'integer' : 'float' };
}
/** Non-literal argument. */
function e(sql: string, kind?: RenderArg['kind']): RenderArg {
  return kind ? { sql, kind } : { sql };
}

const TZ: RenderOptions = { timezone: 'Europe/Berlin' };

/** Print a HogQL call through the table, validating its arity first. */
function r(name: string, args: RenderArg[], opts: Partial<RenderOptions> = {}): string {
  const found = lookupFunction(name);
  if (!found) throw new Error(`unknown function ${name}`);
  const error = validateFunctionArgs(found.name, found.fn, args.length, opts.params?.length);
  if (error) throw new Error(error);
  return renderFunctionCall(found.name, found.fn, args, { ...TZ, ...opts });
}

describe('lookup', () => {
  it('finds scalar functions with PostHog renames', () => {
    expect(lookupFunction('toInt')).toEqual({
      name: 'toInt',
      fn: expect.objectContaining({ clickhouse: "accurateCastOrNull({0}, 'Int64')", minArgs: 1, maxArgs: 1 }),
    });
    expect(lookupFunction('toFloat')?.fn.clickhouse).toBe("accurateCastOrNull({0}, 'Float64')");
    expect(lookupFunction('toUUID')?.fn.clickhouse).toBe("accurateCastOrNull({0}, 'UUID')");
    expect(lookupFunction('toIntOrZero')?.fn.clickhouse).toBe('toInt64OrZero');
    expect(lookupFunction('toFloatOrDefault')?.fn.clickhouse).toBe('toFloat64OrDefault');
    expect(lookupFunction('trim')?.fn.clickhouse).toBe('trimBoth');
    expect(lookupFunction('lag')?.fn).toMatchObject({ clickhouse: 'lagInFrame', window: true });
    expect(lookupFunction('lead')?.fn.clickhouse).toBe('leadInFrame');
    expect(lookupFunction('now')?.fn).toMatchObject({ clickhouse: 'now64', tzAware: true });
    expect(lookupFunction('toDateTime')?.fn).toMatchObject({ clickhouse: 'parseDateTime64BestEffortOrNull', tzAware: true });
    expect(lookupFunction('toDate')?.fn.overloads?.[0]).toEqual({ kinds: ['date', 'datetime', 'integer'], clickhouse: 'toDate' });
    expect(lookupFunction('arrayMap')?.fn).toMatchObject({ minArgs: 2, lambda: 'required' });
    expect(lookupFunction('row_number')?.fn).toMatchObject({ minArgs: 0, maxArgs: 0, window: true });
    expect(lookupFunction('multiIf')?.fn).toMatchObject({ minArgs: 3 });
    expect(lookupFunction('multiIf')?.fn.maxArgs).toBeUndefined();
  });

  it('finds aggregations, parametric ones and Postgres spellings', () => {
    expect(lookupFunction('count')?.fn).toMatchObject({ aggregate: true, minArgs: 0, maxArgs: 1 });
    expect(lookupFunction('quantile')?.fn).toMatchObject({ aggregate: true, minParams: 1, maxParams: 1 });
    expect(lookupFunction('topK')?.fn).toMatchObject({ minParams: 1, maxParams: 1 });
    expect(lookupFunction('array_agg')?.fn.clickhouse).toBe('groupArray');
    expect(lookupFunction('avgArray')?.fn.clickhouse).toBe('avgArrayOrNull');
    expect(lookupFunction('medianArray')?.fn.clickhouse).toBe('medianArrayOrNull');
    expect(lookupFunction('string_agg')?.fn).toMatchObject({ aggregate: true, clickhouse: 'arrayStringConcat(groupArray({}), {})' });
    expect(lookupFunction('argMaxIf')?.fn).toMatchObject({ minArgs: 3, maxArgs: 3 });
    expect(lookupFunction('uniq')?.fn.maxArgs).toBeUndefined();
  });

  it('matches case-insensitive names in any case, and only those', () => {
    expect(lookupFunction('COUNT')?.name).toBe('count');
    expect(lookupFunction('Sum')?.name).toBe('sum');
    expect(lookupFunction('isnull')?.name).toBe('isNull');
    expect(lookupFunction('IFNULL')?.name).toBe('ifNull');
    expect(lookupFunction('NOW')?.name).toBe('now');
    expect(lookupFunction('If')?.name).toBe('if');
    expect(lookupFunction('COALESCE')?.name).toBe('coalesce');
    expect(lookupFunction('sortablesemver')?.name).toBe('sortableSemver');
    expect(lookupFunction('toint')).toBeUndefined();
    expect(lookupFunction('ToDateTime')).toBeUndefined();
    expect(lookupFunction('MULTIIF')).toBeUndefined();
    expect(lookupFunction('countif')).toBeUndefined();
    // every case-insensitive entry resolves from any spelling to its canonical entry
    for (const [name, f] of Object.entries({ ...HOGQL_FUNCTIONS, ...HOGQL_AGGREGATIONS })) {
      if (f.caseInsensitive) expect(lookupFunction(name.toUpperCase()), name).toEqual({ name, fn: f });
    }
  });

  it('generates combinator chains like PostHog', () => {
    expect(lookupFunction('sumArrayIf')?.fn).toMatchObject({ clickhouse: 'sumArrayIf', aggregate: true, minArgs: 2, maxArgs: 2 });
    expect(lookupFunction('countDistinctOrNullIf')?.fn).toMatchObject({ minArgs: 2, maxArgs: 2 });
    expect(lookupFunction('medianArgMax')?.fn).toMatchObject({ minArgs: 2, maxArgs: 2 });
    expect(lookupFunction('maxArgMinOrNullIf')?.fn).toMatchObject({ minArgs: 3, maxArgs: 3 });
    expect(lookupFunction('countIf')?.fn).toMatchObject({ minArgs: 1, maxArgs: 2 });
    expect(lookupFunction('avgForEach')).toBeDefined();
    expect(lookupFunction('minMergeOrDefault')).toBeDefined();
    // explicit entries win over generated ones
    expect(lookupFunction('avgMapState')?.fn).toMatchObject({ minArgs: 2, maxArgs: 3 });
    // If is terminal; a suffix is used at most once; only the combinator bases get chains
    expect(lookupFunction('sumIfArray')).toBeUndefined();
    expect(lookupFunction('sumArrayArray')).toBeUndefined();
    expect(lookupFunction('sumOrNullArray')).toBeUndefined();
    expect(lookupFunction('uniqArrayIf')).toBeUndefined();
    expect(lookupFunction('sumDistinct')).toBeUndefined();
    for (const name of Object.keys(HOGQL_AGGREGATIONS)) expect(HOGQL_AGGREGATIONS[name]!.aggregate).toBe(true);
    expect(Object.keys(AGGREGATE_COMBINATORS)).toEqual(
      expect.arrayContaining(['If', 'Array', 'Map', 'State', 'Merge', 'ForEach', 'OrDefault', 'OrNull', 'ArgMin', 'ArgMax']),
    );
  });

  it('has no function that reaches files, the network, dictionaries or server state', () => {
    const dangerous = [
      'file', 'url', 's3', 's3Cluster', 'remote', 'remoteSecure', 'cluster', 'mysql', 'postgresql', 'jdbc', 'odbc', 'hdfs',
      'input', 'executable', 'azureBlobStorage', 'generateRandom', 'numbers', 'dictGet', 'dictGetOrNull', 'dictGetString',
      'dictHas', 'joinGet', 'currentDatabase', 'currentUser', 'currentSchemas', 'hostName', 'hostname', 'fqdn', 'version',
      'uptime', 'getSetting', 'getMacro', 'serverUUID', 'shardNum', 'shardCount', 'filesystemAvailable', 'sleep',
      'sleepEachRow', 'arrayReduce', 'arrayReduceInRanges', 'initializeAggregation', 'runningAccumulate', 'throwIf',
      'getServerPort', 'currentProfiles', 'currentRoles', 'transactionID', 'generateSeries', 'generate_series',
      'reinterpret', 'reinterpretAsString', 'addressToLine', 'addressToSymbol', 'demangle', 'getOSKernelVersion',
      'toInt64OrNull', 'toFloat64', 'toFloat64OrNull', 'CAST', 'accurateCastOrNull',
    ];
    for (const name of dangerous) {
      expect(lookupFunction(name), name).toBeUndefined();
      expect(lookupFunction(name.toUpperCase()), name).toBeUndefined();
    }
    // Object.prototype members are not functions either
    for (const name of ['constructor', 'hasOwnProperty', '__proto__', 'valueOf', 'isPrototypeOf']) {
      expect(lookupFunction(name), name).toBeUndefined();
    }
  });

  it('lists comparison spellings and PostHog-special functions separately', () => {
    expect(COMPARISON_FUNCTIONS.equals).toBe('==');
    expect(COMPARISON_FUNCTIONS.notILike).toBe('not ilike');
    expect(POSTHOG_SPECIAL_FUNCTIONS.matchesAction).toEqual({ minArgs: 1, maxArgs: 1 });
    expect(lookupFunction('matchesAction')).toBeUndefined();
  });
});

describe('suggestions', () => {
  it('suggests the closest allowed name', () => {
    expect(closestFunctionName('cuont')).toBe('count');
    expect(closestFunctionName('todatetime')).toBe('toDateTime');
    expect(closestFunctionName('toDatetime')).toBe('toDateTime');
    expect(closestFunctionName('arrayMapp')).toBe('arrayMap');
    expect(closestFunctionName('sumIff')).toBe('sumIf');
    expect(closestFunctionName('replaceRegexAll')).toBe('replaceRegexpAll');
    expect(closestFunctionName('uniqExcat')).toBe('uniqExact');
    expect(closestFunctionName('matchesActoin')).toBe('matchesAction');
  });

  it('suggests nothing for unrelated or internal names', () => {
    expect(closestFunctionName('xyzzyplugh')).toBeUndefined();
    expect(closestFunctionName('file')).not.toBe('file');
    expect(String(closestFunctionName('_toInt64'))).not.toMatch(/^_/);
    expect(String(closestFunctionName('_toUInt128'))).not.toMatch(/^_/);
  });
});

describe('validation', () => {
  it('uses PostHog messages', () => {
    const f = (n: string): HogQLFunction => lookupFunction(n)!.fn;
    expect(validateFunctionArgs('plus', f('plus'), 1)).toBe("Function 'plus' expects 2 arguments, found 1");
    expect(validateFunctionArgs('toInt', f('toInt'), 2)).toBe("Function 'toInt' expects 1 argument, found 2");
    expect(validateFunctionArgs('concat', f('concat'), 1)).toBe("Function 'concat' expects at least 2 arguments, found 1");
    expect(validateFunctionArgs('range', f('range'), 4)).toBe("Function 'range' expects at most 3 arguments, found 4");
    expect(validateFunctionArgs('sum', f('sum'), 2)).toBe("Aggregation 'sum' expects 1 argument, found 2");
    expect(validateFunctionArgs('quantile', f('quantile'), 1)).toBe(
      "Aggregation 'quantile' requires parameters in addition to arguments",
    );
    expect(validateFunctionArgs('quantile', f('quantile'), 1, 2)).toBe("Aggregation 'quantile' expects 1 parameter, found 2");
    expect(validateFunctionArgs('quantiles', f('quantiles'), 1, 3)).toBeUndefined();
    expect(validateFunctionArgs('quantileExact', f('quantileExact'), 1)).toBeUndefined();
    expect(validateFunctionArgs('sum', f('sum'), 1, 1)).toBe("Aggregation 'sum' expects 0 parameters, found 1");
    expect(validateFunctionArgs('now', f('now'), 0)).toBeUndefined();
    expect(validateFunctionArgs('coalesce', f('coalesce'), 9)).toBeUndefined();
  });
});

describe('rendering', () => {
  it('applies renames and templates', () => {
    expect(r('toInt', [e('x')])).toBe("accurateCastOrNull(x, 'Int64')");
    expect(r('toFloat', [e('x')])).toBe("accurateCastOrNull(x, 'Float64')");
    expect(r('toDecimal', [e('x'), c(4)])).toBe("accurateCastOrNull(x, concat('Decimal64(', toString(4), ')'))");
    expect(r('trim', [e('s')])).toBe('trimBoth(s)');
    expect(r('trim', [e('s'), c('x')])).toBe("trimBoth(s, 'x')");
    expect(r('ltrim', [e('s'), c('x')])).toBe("trimLeft(s, 'x')");
    expect(r('date_part', [c('year'), e('d')])).toMatch(/^multiIf\('year' = 'year', toYear\(d\)/);
    expect(r('lag', [e('x')])).toBe('lagInFrame(x)');
    expect(r('quantile', [e('x')], { params: ['0.9'] })).toBe('quantile(0.9)(x)');
    expect(r('count', [e('x')], { distinct: true })).toBe('count(DISTINCT x)');
    expect(r('count', [])).toBe('count()');
    expect(r('string_agg', [e('s'), c(',')])).toBe("arrayStringConcat(groupArray(s), ',')");
    expect(() => r('json_agg', [])).toThrow(/expects 1 argument/);
  });

  it('appends the project timezone and DateTime64 precision', () => {
    expect(r('now', [])).toBe("now64(6, 'Europe/Berlin')");
    expect(r('now', [c('UTC')])).toBe("now64(6, 'UTC')");
    expect(r('toDateTime', [e('s', 'string')])).toBe("parseDateTime64BestEffortOrNull(s, 6, 'Europe/Berlin')");
    expect(r('toDateTime', [e('s'), c('UTC')])).toBe("parseDateTime64BestEffortOrNull(s, 6, 'UTC')");
    expect(r('toDateTime', [e('d', 'date')])).toBe("toDateTime(d, 'Europe/Berlin')");
    expect(r('toDateTime', [e('ts', 'integer')])).toBe("toDateTime(ts, 'Europe/Berlin')");
    expect(r('toDateTime', [c('2024-01-02')])).toBe("toDateTime('2024-01-02', 'Europe/Berlin')");
    expect(r('toDateTime', [c('2024-01-02 10:00:00.123')])).toBe("toDateTime64('2024-01-02 10:00:00.123', 6, 'Europe/Berlin')");
    expect(r('toDateTime', [c('Jan 2 2024')])).toBe("parseDateTime64BestEffort('Jan 2 2024', 6, 'Europe/Berlin')");
    expect(r('toDateTime64', [e('x')])).toBe("toDateTime64(x, 6, 'Europe/Berlin')");
    expect(r('toDateTime64', [e('x'), c(3)])).toBe("toDateTime64(x, 3, 'Europe/Berlin')");
    expect(r('parseDateTime', [e('s'), c('%Y')])).toBe("parseDateTimeOrNull(s, '%Y', 'Europe/Berlin')");
    expect(r('toTimeZone', [e('ts')])).toBe("toTimeZone(ts, 'Europe/Berlin')");
    expect(r('toDate', [e('s', 'string')])).toBe('toDateOrNull(s)');
    expect(r('toDate', [e('ts', 'datetime')])).toBe('toDate(ts)');
    expect(r('toStartOfDay', [e('ts')])).toBe('toStartOfDay(ts)');
    expect(r('now', [], { quote: () => '{tz:String}' })).toBe('now64(6, {tz:String})');
  });

  it('handles week mode, concat and DateTime-only arguments', () => {
    expect(r('toStartOfWeek', [e('ts')])).toBe('toStartOfWeek(ts, 0)');
    expect(r('toStartOfWeek', [e('ts')], { weekStartDay: 1 })).toBe('toStartOfWeek(ts, 3)');
    expect(r('toStartOfWeek', [e('ts'), c(1)])).toBe('toStartOfWeek(ts, 1)');
    expect(r('concat', [c('a'), c(null), c(1), e('x')])).toBe("concat('a', '', toString(1), ifNull(toString(x), ''))");
    expect(r('tumbleStart', [e('ts'), e('toIntervalHour(1)')])).toBe("tumbleStart(toDateTime(ts, 'UTC'), toIntervalHour(1))");
  });
});

describe('against chDB', () => {
  let dir: string;
  let session: Session;
  const exact = new Set<string>();
  const lower = new Set<string>();
  let combinators: string[] = [];

  function query(sql: string): string {
    return session.query(sql, 'TabSeparatedRaw').replace(/\n$/, '');
  }

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hedgerow-fn-'));
    session = new Session(dir);
    const rows = session
      .query('SELECT name, case_insensitive FROM system.functions', 'JSONEachRow')
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as { name: string; case_insensitive: number });
    for (const row of rows) {
      exact.add(row.name);
      if (row.case_insensitive) lower.add(row.name.toLowerCase());
    }
    combinators = query('SELECT name FROM system.aggregate_function_combinators WHERE NOT is_internal')
      .split('\n')
      .sort((a, b) => b.length - a.length);
  });

  afterAll(() => {
    session?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  // Names ClickHouse's parser rewrites (so they are not rows of system.functions); each one is
  // executed below instead.
  const PARSER_LEVEL = new Set(['dateAdd', 'dateSub', 'timeStampAdd', 'timeStampSub', 'date_add', 'date_sub', 'countDistinct', 'untuple']);

  function exists(name: string): boolean {
    return exact.has(name) || lower.has(name.toLowerCase()) || PARSER_LEVEL.has(name);
  }
  function aggregateExists(name: string): boolean {
    if (exists(name)) return true;
    return combinators.some((s) => name.endsWith(s) && name.length > s.length && aggregateExists(name.slice(0, -s.length)));
  }
  /** Function names a template calls: identifiers followed by "(", outside string literals. */
  function calledIn(template: string): string[] {
    const code = template.replace(/'(?:\\.|[^'\\])*'/g, "''");
    return [...code.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)].map((m) => m[1]!);
  }

  it('knows every ClickHouse function the tables print', () => {
    const missing: string[] = [];
    const check = (owner: string, f: HogQLFunction) => {
      const names = [
        ...(isTemplate(f) ? calledIn(f.clickhouse) : [f.clickhouse]),
        ...(f.overloads ?? []).map((o) => o.clickhouse),
      ];
      for (const n of names) {
        const ok = f.aggregate && !isTemplate(f) ? aggregateExists(n) : exists(n);
        if (!ok) missing.push(`${owner} → ${n}`);
      }
    };
    for (const [name, f] of Object.entries(HOGQL_FUNCTIONS)) check(name, f);
    for (const [name, f] of Object.entries(HOGQL_AGGREGATIONS)) check(name, f);
    // the renderer's own substitutions
    for (const n of ['toDateTime', 'toDateTime64', 'parseDateTime64BestEffort']) if (!exists(n)) missing.push(n);
    expect(missing).toEqual([]);
    expect(Object.keys(HOGQL_FUNCTIONS).length).toBeGreaterThan(400);
    expect(Object.keys(HOGQL_AGGREGATIONS).length).toBeGreaterThan(400);
  });

  const cases: [string, () => string, string][] = [
    ['toInt', () => r('toInt', [c('42')]), '42'],
    ['toInt bad', () => r('toInt', [c('4x')]), '\\N'],
    ['toFloat', () => r('toFloat', [c('1.5')]), '1.5'],
    ['toDecimal', () => r('toDecimal', [c('1.23456'), c(2)]), '1.23'],
    ['toDecimal type', () => `toTypeName(${r('toDecimal', [c('1.5'), c(4)])})`, 'Nullable(Decimal(18, 4))'],
    ['toNullableString', () => `toTypeName(${r('toNullableString', [c(1)])})`, 'Nullable(String)'],
    ['toUUID bad', () => r('toUUID', [c('nope')]), '\\N'],
    ['toIntOrZero', () => r('toIntOrZero', [c('x')]), '0'],
    ['toFloatOrDefault', () => r('toFloatOrDefault', [c('x'), e('toFloat64(2.5)')]), '2.5'],
    ['toDate string', () => r('toDate', [c('2024-03-05')]), '2024-03-05'],
    ['toDate bad string', () => r('toDate', [e("concat('not ', 'a date')", 'string')]), '\\N'],
    ['toDate datetime', () => r('toDate', [e("toDateTime('2024-03-05 10:00:00', 'UTC')", 'datetime')]), '2024-03-05'],
    ['toDateTime const', () => `toString(${r('toDateTime', [c('2024-03-05 10:00:00')])})`, '2024-03-05 10:00:00'],
    ['toDateTime expr', () => r('toDateTime', [e("concat('2024-03-05', ' 10:00:00')", 'string')]), '2024-03-05 10:00:00.000000'],
    ['toDateTime bad expr', () => r('toDateTime', [e("concat('not', ' a date')", 'string')]), '\\N'],
    ['toDateTime tz', () => `timeZoneOf(${r('toDateTime', [e("concat('2024-03-05', '')", 'string')])})`, 'Europe/Berlin'],
    ['toDateTime date', () => r('toDateTime', [e("toDate('2024-03-05')", 'date')]), '2024-03-05 00:00:00'],
    ['now', () => `toTypeName(${r('now', [])})`, "DateTime64(6, 'Europe/Berlin')"],
    ['toDateTimeUS', () => r('toDateTimeUS', [e("concat('03/05/2024', '')", 'string')]), '2024-03-05 00:00:00.000000'],
    ['parseDateTime', () => r('parseDateTime', [c('2024-03-05'), c('%Y-%m-%d')]), '2024-03-05 00:00:00'],
    ['toStartOfWeek sunday', () => r('toStartOfWeek', [e("toDate('2024-03-06')")]), '2024-03-03'],
    ['toStartOfWeek monday', () => r('toStartOfWeek', [e("toDate('2024-03-06')")], { weekStartDay: 1 }), '2024-03-04'],
    ['trim', () => r('trim', [c('  hi ')]), 'hi'],
    ['trim chars', () => r('trim', [c('xxhixx'), c('x')]), 'hi'],
    ['ltrim chars', () => r('ltrim', [c('xxhixx'), c('x')]), 'hixx'],
    ['rtrim', () => r('rtrim', [c(' hi ')]), ' hi'],
    ['concat nulls', () => r('concat', [c('a'), c(null), c(1), e('CAST(NULL AS Nullable(String))')]), 'a1'],
    ['md5', () => r('md5', [c('abc')]), '900150983CD24FB0D6963F7D28E17F72'],
    ['sortableSemver', () => r('sortableSemver', [c('v1.10.2-beta')]), '[1,10,2]'],
    ['sortableSemver invalid', () => r('sortableSemver', [c('1.02.3')]), '[NULL]'],
    ['sortableSemver order', () => `${r('sortableSemver', [c('1.10.0')])} > ${r('sortableSemver', [c('1.9.9')])}`, '1'],
    ['date_part', () => r('date_part', [c('month'), e("toDate('2024-03-05')")]), '3'],
    ['split_part', () => r('split_part', [c('a,b,c'), c(','), c(2)]), 'b'],
    ['split_part out of range', () => r('split_part', [c('a,b,c'), c(','), c(5)]), ''],
    ['make_interval', () => `toDateTime('2024-01-01 00:00:00', 'UTC') + ${r('make_interval', [c(0), c(1), c(1), c(1), c(0), c(0)])}`, '2024-02-02 01:00:00'],
    ['timezone', () => `toString(${r('timezone', [c('UTC'), e("toDateTime('2024-01-01 00:00:00', 'Europe/Berlin')")])})`, '2023-12-31 23:00:00'],
    ['date_bin', () => r('date_bin', [e('toIntervalHour(1)'), e("toDateTime('2024-01-01 10:35:00', 'UTC')"), e("toDateTime('2024-01-01 00:00:00', 'UTC')")]), '2024-01-01 10:00:00'],
    ['dateAdd', () => r('dateAdd', [e("toDate('2024-01-01')"), e('toIntervalDay(1)')]), '2024-01-02'],
    ['dateSub', () => r('dateSub', [e("toDate('2024-01-01')"), e('toIntervalDay(1)')]), '2023-12-31'],
    ['timeStampAdd', () => r('timeStampAdd', [e("toDate('2024-01-01')"), e('toIntervalDay(1)')]), '2024-01-02'],
    ['timeStampSub', () => r('timeStampSub', [e("toDate('2024-01-01')"), e('toIntervalDay(1)')]), '2023-12-31'],
    ['date_add', () => r('date_add', [e("toDate('2024-01-01')"), e('toIntervalDay(1)')]), '2024-01-02'],
    ['date_subtract', () => r('date_subtract', [e("toDate('2024-01-01')"), e('toIntervalDay(1)')]), '2023-12-31'],
    ['dateDiff', () => r('date_diff', [c('day'), e("toDate('2024-01-01')"), e("toDate('2024-01-03')")]), '2'],
    ['tumbleStart', () => `toString(${r('tumbleStart', [e("toDateTime64('2024-01-01 10:35:00', 6, 'UTC')"), e('toIntervalHour(1)')])})`, '2024-01-01 10:00:00'],
    ['ifNotFinite', () => r('ifNotFinite', [e('1/0'), c(7)]), '7'],
    ['isEmpty', () => r('isEmpty', [c('')]), '1'],
    ['arrayReverseSort', () => r('arrayReverseSort', [e('[1, 3, 2]')]), '[3,2,1]'],
    ['untuple', () => `tuple(${r('untuple', [e('(1, 2)')])})`, '(1,2)'],
    ['arrayMap', () => r('arrayMap', [e('x -> x * 2'), e('[1, 2]')]), '[2,4]'],
    ['UUIDv7ToDateTime', () => `timeZoneOf(${r('UUIDv7ToDateTime', [e("toUUID('018f2d6f-7a8c-7b3e-9f00-000000000000')")])})`, 'Europe/Berlin'],
  ];
  for (const [label, sql, expected] of cases) {
    it(`runs ${label}`, () => {
      expect(query(`SELECT ${sql()}`)).toBe(expected);
    });
  }

  const aggregateCases: [string, () => string, string][] = [
    ['quantile', () => r('quantile', [e('number')], { params: ['0.5'] }), '4.5'],
    ['quantiles', () => r('quantiles', [e('number')], { params: ['0.1', '0.9'] }), '[0.9,8.1]'],
    ['sumArrayIf', () => r('sumArrayIf', [e('[number]'), e('number > 2')]), '42'],
    ['countDistinct', () => r('countDistinct', [e('number % 3')]), '3'],
    ['countDistinctIf', () => r('countDistinctIf', [e('number % 3'), e('number > 0')]), '3'],
    ['count distinct', () => r('count', [e('number % 4')], { distinct: true }), '4'],
    ['string_agg', () => r('string_agg', [e('toString(number)'), c(',')]), '0,1,2,3,4,5,6,7,8,9'],
    ['json_agg', () => r('json_agg', [e('toInt32(number)')]), '[0,1,2,3,4,5,6,7,8,9]'],
    ['every', () => r('every', [e('number >= 0')]), 'true'],
    ['array_agg', () => `length(${r('array_agg', [e('number')])})`, '10'],
    ['avgArray', () => r('avgArray', [e('[toFloat64(number)]')]), '4.5'],
    ['medianArgMax', () => r('medianArgMax', [e('number'), e('number')]), '9'],
    ['topK', () => r('topK', [e('if(number < 7, 0, 1)')], { params: ['1'] }), '[0]'],
    ['uniqTheta', () => r('uniqTheta', [e('number % 5')]), '5'],
    ['uniqUpTo', () => r('uniqUpTo', [e('number')], { params: ['3'] }), '4'],
  ];
  for (const [label, sql, expected] of aggregateCases) {
    it(`aggregates ${label}`, () => {
      expect(query(`SELECT ${sql()} FROM numbers(10)`)).toBe(expected);
    });
  }

  it('runs window functions under their ClickHouse names', () => {
    const frame = 'OVER (ORDER BY number ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)';
    const sql = `SELECT groupArray(v) FROM (SELECT ${r('lag', [e('number')])} ${frame} AS v, ${r('row_number', [])} OVER (ORDER BY number) AS rn FROM numbers(3))`;
    expect(query(sql)).toBe('[0,0,1]');
  });
});
