import { describe, expect, it } from 'vitest';
import { HogQLError, type Expr, type SelectQuery } from '../src/hogql/ast.js';
import { tokenize, Tok } from '../src/hogql/lexer.js';
import { MAX_NESTING_DEPTH, parseExpr, parseOrderExpr, parseSelect } from '../src/hogql/parser.js';

/**
 * Unit tests of the hand-written HogQL parser: notable constructs, positions and error messages.
 * Tree-for-tree agreement with PostHog's own parser is checked in hogql-parser-differential.test.ts.
 */

/** The tree without positions and number spellings, for compact expectations. */
function shape(node: unknown): unknown {
  return JSON.parse(JSON.stringify(node, (k, v) => (k === 'start' || k === 'end' || k === 'literal' ? undefined : v)));
}
const f = (...chain: (string | number)[]) => ({ node: 'Field', chain });
const c = (value: unknown) => ({ node: 'Constant', value });
const e = (text: string) => shape(parseExpr(text));
const select = (text: string) => parseSelect(text) as SelectQuery;

function syntaxError(fn: () => unknown): HogQLError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HogQLError);
    expect((err as HogQLError).kind).toBe('syntax');
    return err as HogQLError;
  }
  throw new Error('expected a syntax error');
}

describe('lexer', () => {
  it('tokenizes with offsets and case-insensitive keywords', () => {
    const t = tokenize("SeLeCt a.`b c` -- comment\n, 'x''y' /* c */ >= 1.5e3");
    expect(t.kind).toEqual([Tok.Ident, Tok.Ident, Tok.Dot, Tok.QuotedIdent, Tok.Comma, Tok.String, Tok.GtEq, Tok.Float, Tok.EOF]);
    expect(t.start.slice(0, 4)).toEqual([0, 7, 8, 9]);
    expect(t.end[3]).toBe(14);
  });

  it('keeps `1.5` as Int Dot Int so tuple access `t.1.2` works', () => {
    expect(tokenize('1.5').kind).toEqual([Tok.Int, Tok.Dot, Tok.Int, Tok.EOF]);
    expect(tokenize('t.1.2').kind).toEqual([Tok.Ident, Tok.Dot, Tok.Int, Tok.Dot, Tok.Int, Tok.EOF]);
  });

  it('treats # as a comment unless a digit follows, and accepts Unicode whitespace', () => {
    expect(tokenize('1 # note').kind).toEqual([Tok.Int, Tok.EOF]);
    expect(tokenize('#1').kind).toEqual([Tok.Hash, Tok.Int, Tok.EOF]);
    expect(tokenize('\ufeff1\u00a0+\u20032').kind).toEqual([Tok.Int, Tok.Plus, Tok.Int, Tok.EOF]);
  });

  it('reports bad characters, escapes and unterminated text with positions', () => {
    expect(syntaxError(() => tokenize('a & b')).message).toBe('Syntax error at line 1, column 3: unexpected character "&"');
    const err = syntaxError(() => tokenize("x\n  'abc"));
    expect(err.message).toBe('Syntax error at line 2, column 3: unterminated string');
    expect([err.start, err.end]).toEqual([4, 8]);
    expect(syntaxError(() => tokenize("'\\q'")).message).toMatch(/invalid escape sequence in string/);
    expect(syntaxError(() => tokenize('/* open')).message).toMatch(/unterminated comment/);
  });
});

describe('expressions', () => {
  it('gives every node start/end offsets', () => {
    expect(parseExpr('a + b * c')).toEqual({
      node: 'ArithmeticOperation',
      op: '+',
      left: { node: 'Field', chain: ['a'], start: 0, end: 1 },
      right: {
        node: 'ArithmeticOperation',
        op: '*',
        left: { node: 'Field', chain: ['b'], start: 4, end: 5 },
        right: { node: 'Field', chain: ['c'], start: 8, end: 9 },
        start: 4,
        end: 9,
      },
      start: 0,
      end: 9,
    });
  });

  it('spans parentheses in the enclosing node but not in the inner one (as PostHog does)', () => {
    const sum = parseExpr('(a) + (b)') as Extract<Expr, { node: 'ArithmeticOperation' }>;
    expect([sum.start, sum.end]).toEqual([0, 9]);
    expect([sum.left.start, sum.left.end]).toEqual([1, 2]);
  });

  it('follows PostHog operator precedence', () => {
    expect(e('a OR b AND c')).toEqual({ node: 'Or', exprs: [f('a'), { node: 'And', exprs: [f('b'), f('c')] }] });
    expect(e('NOT a = b')).toEqual({ node: 'Not', expr: { node: 'CompareOperation', op: '==', left: f('a'), right: f('b') } });
    expect(e('-a * b')).toMatchObject({ op: '*', left: { op: '-', left: c(0), right: f('a') } });
    expect(e('a = b = c')).toMatchObject({ left: { node: 'CompareOperation', left: f('a') }, right: f('c') });
    expect(e('a ?? b ?? c')).toEqual({ node: 'Call', name: 'ifNull', args: [{ node: 'Call', name: 'ifNull', args: [f('a'), f('b')] }, f('c')] });
    expect(e('a ? b : c ? d : e')).toEqual({ node: 'Call', name: 'if', args: [f('a'), f('b'), { node: 'Call', name: 'if', args: [f('c'), f('d'), f('e')] }] });
    expect(e('a BETWEEN b AND c AND d')).toMatchObject({ node: 'And', exprs: [{ node: 'BetweenExpr', low: f('b'), high: f('c') }, f('d')] });
    expect(e('NOT a BETWEEN b AND c')).toMatchObject({ node: 'Not', expr: { node: 'BetweenExpr', negated: false } });
    expect(e('a + b AS x')).toMatchObject({ node: 'Alias', alias: 'x', expr: { op: '+' } });
  });

  it('flattens AND/OR and || like PostHog', () => {
    expect(e('(a AND b) AND (c AND d)')).toEqual({ node: 'And', exprs: [f('a'), f('b'), f('c'), f('d')] });
    expect(e("a || '-' || b")).toEqual({ node: 'Call', name: 'concat', args: [f('a'), c('-'), f('b')] });
  });

  it('parses comparisons, LIKE, regex and IN variants', () => {
    const op = (text: string) => (parseExpr(text) as { op: string }).op;
    expect(['a = b', 'a == b', 'a != b', 'a <> b', 'a < b', 'a <= b', 'a > b', 'a >= b'].map(op)).toEqual(['==', '==', '!=', '!=', '<', '<=', '>', '>=']);
    expect(['a LIKE b', 'a ILIKE b', 'a NOT LIKE b', 'a not ilike b'].map(op)).toEqual(['like', 'ilike', 'not like', 'not ilike']);
    expect(['a =~ b', 'a ~ b', 'a !~ b', 'a =~* b', 'a ~* b', 'a !~* b'].map(op)).toEqual(['=~', '=~', '!~', '=~*', '=~*', '!~*']);
    expect(['a IN (1, 2)', 'a NOT IN [1]', 'a IN COHORT 5', "a NOT IN COHORT 'Users'"].map(op)).toEqual(['in', 'not in', 'in cohort', 'not in cohort']);
    expect(e('a IN (SELECT 1)')).toMatchObject({ op: 'in', right: { node: 'SelectQuery' } });
  });

  it('turns IS [NOT] NULL into a null-style comparison', () => {
    expect(e('a IS NOT NULL')).toEqual({ node: 'CompareOperation', op: '!=', left: f('a'), right: c(null), is_null_comparison_style: true });
  });

  it('parses number literals, keeping the spelling in `literal`', () => {
    const lit = (text: string) => {
      const n = parseExpr(text) as { value: unknown; literal?: string };
      return [n.value, n.literal];
    };
    expect(lit('42')).toEqual([42, '42']);
    expect(lit('1.50')).toEqual([1.5, '1.50']);
    expect(lit('.5')).toEqual([0.5, '.5']);
    expect(lit('1.')).toEqual([1, '1.']);
    expect(lit('1e3')).toEqual([1000, '1e3']);
    expect(lit('0x1F')).toEqual([31, '0x1F']);
    expect(lit('0b101')).toEqual([5, '0b101']);
    expect(lit('-7')).toEqual([-7, '-7']);
    expect(lit('- 7')).toEqual([-7, '-7']);
    expect(lit('inf')).toEqual([Infinity, 'inf']);
    expect(lit('-inf')).toEqual([-Infinity, '-inf']);
    expect(Number.isNaN(lit('nan')[0])).toBe(true);
    // Beyond 2^53 the value is approximate; the exact digits stay in `literal`.
    expect(lit('9223372036854775807')).toEqual([9223372036854775807, '9223372036854775807']);
    expect(lit('18446744073709551616')[1]).toBe('18446744073709551616');
  });

  it('treats unary minus on non-literals as 0 - x', () => {
    expect(e('-x')).toEqual({ node: 'ArithmeticOperation', op: '-', left: c(0), right: f('x') });
    expect(e('a - -1')).toEqual({ node: 'ArithmeticOperation', op: '-', left: f('a'), right: c(-1) });
  });

  it('decodes strings and quoted identifiers', () => {
    expect(e("'it''s \\'ok\\' \\n\\t\\\\'")).toEqual(c("it's 'ok' \n\t\\"));
    expect(e("'nul\\0byte'")).toEqual(c('nul\0byte'));
    expect(e("'\\x41'")).toEqual(c('\\x41'));
    expect(e('`a``b`.`c d`."e""f"')).toEqual(f('a`b', 'c d', 'e"f'));
    expect(e('true')).toEqual(c(true));
    expect(e('NULL')).toEqual(c(null));
  });

  it('parses fields, properties, tuple/array access and nullish access', () => {
    expect(e('properties.$browser')).toEqual(f('properties', '$browser'));
    expect(e('properties.`$feature/x`')).toEqual(f('properties', '$feature/x'));
    expect(e('properties.$feature/x')).toMatchObject({ node: 'ArithmeticOperation', op: '/' });
    expect(e('t.1.2')).toEqual({ node: 'TupleAccess', index: 2, tuple: { node: 'TupleAccess', index: 1, tuple: f('t') } });
    expect(e("m['k'][1]")).toEqual({ node: 'ArrayAccess', array: { node: 'ArrayAccess', array: f('m'), property: c('k') }, property: c(1) });
    expect(e('a?.b')).toEqual({ node: 'ArrayAccess', array: f('a'), property: c('b'), nullish: true });
    expect(e('a?.[1]')).toEqual({ node: 'ArrayAccess', array: f('a'), property: c(1), nullish: true });
    expect(e('f(x).y')).toEqual({ node: 'ArrayAccess', array: { node: 'Call', name: 'f', args: [f('x')] }, property: c('y') });
    expect(e('e.*')).toEqual(f('e', '*'));
  });

  it('parses arrays, tuples, dicts and placeholders', () => {
    expect(e('[1, 2,]')).toEqual({ node: 'Array', exprs: [c(1), c(2)] });
    expect(e('(1,)')).toEqual({ node: 'Tuple', exprs: [c(1)] });
    expect(e("{'a': 1}")).toEqual({ node: 'Dict', items: [[c('a'), c(1)]] });
    expect(e('{}')).toEqual({ node: 'Dict', items: [] });
    expect(e('{filters}')).toEqual({ node: 'Placeholder', expr: f('filters') });
    expect(e('{variables.x}')).toEqual({ node: 'Placeholder', expr: f('variables', 'x') });
  });

  it('parses calls: parametric, DISTINCT, ORDER BY, FILTER, count(*)', () => {
    expect(e('count(*)')).toEqual({ node: 'Call', name: 'count', args: [f('*')] });
    expect(e('quantile(0.5)(x)')).toEqual({ node: 'Call', name: 'quantile', params: [c(0.5)], args: [f('x')] });
    expect(e('count(DISTINCT x)')).toEqual({ node: 'Call', name: 'count', args: [f('x')], distinct: true });
    expect(e('groupArray(x ORDER BY y DESC)')).toEqual({ node: 'Call', name: 'groupArray', args: [f('x')], order_by: [{ node: 'OrderExpr', expr: f('y'), order: 'DESC' }] });
    expect(e('count() FILTER (WHERE a)')).toEqual({ node: 'Call', name: 'count', args: [], filter_expr: f('a') });
    expect(e('not(a)')).toEqual({ node: 'Call', name: 'not', args: [f('a')] });
  });

  it('parses window functions', () => {
    expect(e('quantile(0.5)(x) OVER (PARTITION BY a ORDER BY b ROWS BETWEEN UNBOUNDED PRECEDING AND 2 FOLLOWING)')).toEqual({
      node: 'WindowFunction',
      name: 'quantile',
      exprs: [c(0.5)],
      args: [f('x')],
      over_expr: {
        node: 'WindowExpr',
        partition_by: [f('a')],
        order_by: [{ node: 'OrderExpr', expr: f('b'), order: 'ASC' }],
        frame_method: 'ROWS',
        frame_start: { node: 'WindowFrameExpr', frame_type: 'PRECEDING' },
        frame_end: { node: 'WindowFrameExpr', frame_type: 'FOLLOWING', frame_value: 2 },
      },
    });
    expect(e('sum(x) OVER w')).toEqual({ node: 'WindowFunction', name: 'sum', exprs: [f('x')], args: [], over_identifier: 'w' });
  });

  it('desugars CASE, INTERVAL, casts, f-strings', () => {
    expect(e('CASE WHEN a THEN 1 END')).toEqual({ node: 'Call', name: 'if', args: [f('a'), c(1), c(null)] });
    expect(e('CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END')).toEqual({ node: 'Call', name: 'multiIf', args: [f('a'), c(1), f('b'), c(2), c(3)] });
    expect(e("CASE x WHEN 1 THEN 'a' ELSE 'b' END")).toEqual({ node: 'Call', name: '_caseWithExpression', args: [f('x'), c(1), c('a'), c('b')] });
    expect(e('INTERVAL 7 DAY')).toEqual({ node: 'Call', name: 'toIntervalDay', args: [c(7)] });
    expect(e("INTERVAL '2 weeks'")).toEqual({ node: 'Call', name: 'toIntervalWeek', args: [c(2)] });
    expect(e('x::DateTime')).toEqual({ node: 'TypeCast', expr: f('x'), type_name: 'datetime' });
    expect(e("CAST(x AS Nullable(DateTime64(3, 'UTC')))")).toEqual({ node: 'TypeCast', expr: f('x'), type_name: "nullable(datetime64(3, 'UTC'))" });
    expect(e("f'hi {name}!'")).toEqual({ node: 'Call', name: 'concat', args: [c('hi '), f('name'), c('!')] });
    expect(e("trim(LEADING 'x' FROM s)")).toEqual({ node: 'Call', name: 'trimLeft', args: [f('s'), c('x')] });
  });

  it('parses lambdas', () => {
    expect(e('x -> x + 1')).toMatchObject({ node: 'Lambda', args: ['x'], expr: { op: '+' } });
    expect(e('(x, y) -> x')).toEqual({ node: 'Lambda', args: ['x', 'y'], expr: f('x') });
    expect(e('() -> 1')).toEqual({ node: 'Lambda', args: [], expr: c(1) });
    expect(e('arrayMap(x -> x * 2, arr)')).toMatchObject({ args: [{ node: 'Lambda' }, f('arr')] });
  });

  it('parses COLUMNS and * EXCLUDE / REPLACE', () => {
    expect(e("COLUMNS('^a')")).toEqual({ node: 'ColumnsExpr', regex: '^a' });
    expect(e('* EXCLUDE (a, b)')).toEqual({ node: 'ColumnsExpr', all_columns: true, exclude: ['a', 'b'] });
    expect(e('(* REPLACE (a + 1 AS a))')).toMatchObject({ node: 'ColumnsExpr', all_columns: true, replace: [{ node: 'Alias', alias: 'a' }] });
  });

  it('accepts keywords as names where PostHog does', () => {
    expect(e('day')).toEqual(f('day'));
    expect(e('a.select')).toEqual(f('a', 'select'));
    expect(e('a AS from')).toEqual({ node: 'Alias', alias: 'from', expr: f('a') });
    expect(e('a IN cohort')).toEqual({ node: 'CompareOperation', op: 'in', left: f('a'), right: f('cohort') });
  });
});

describe('SELECT', () => {
  it('parses every clause', () => {
    const q = select(
      'WITH x AS (SELECT 1), 5 AS five SELECT DISTINCT a, b c FROM t AS tt FINAL SAMPLE 1/10 OFFSET 1/2 ' +
        'LEFT ARRAY JOIN arr AS el PREWHERE p WHERE w GROUP BY a HAVING h QUALIFY q WINDOW w1 AS (ORDER BY a) ' +
        'ORDER BY a DESC NULLS LAST LIMIT 10 OFFSET 5',
    );
    expect(shape(q)).toEqual({
      node: 'SelectQuery',
      select: [f('a'), { node: 'Alias', alias: 'c', expr: f('b') }],
      ctes: [
        { node: 'CTE', name: 'x', expr: { node: 'SelectQuery', select: [c(1)] }, cte_type: 'subquery' },
        { node: 'CTE', name: 'five', expr: c(5), cte_type: 'column' },
      ],
      distinct: true,
      select_from: {
        node: 'JoinExpr',
        table: f('t'),
        alias: 'tt',
        table_final: true,
        sample: {
          node: 'SampleExpr',
          sample_value: { node: 'RatioExpr', left: c(1), right: c(10) },
          offset_value: { node: 'RatioExpr', left: c(1), right: c(2) },
        },
      },
      array_join_op: 'LEFT ARRAY JOIN',
      array_join_list: [{ node: 'Alias', alias: 'el', expr: f('arr') }],
      prewhere: f('p'),
      where: f('w'),
      group_by: [f('a')],
      having: f('h'),
      qualify: f('q'),
      window_exprs: { w1: { node: 'WindowExpr', order_by: [{ node: 'OrderExpr', expr: f('a'), order: 'ASC' }] } },
      order_by: [{ node: 'OrderExpr', expr: f('a'), order: 'DESC', nulls: 'LAST' }],
      limit: c(10),
      offset: c(5),
    });
  });

  it('uses the positions PostHog uses', () => {
    const q = select('SELECT a FROM events e LEFT JOIN persons p ON e.id = p.id');
    expect([q.start, q.end]).toEqual([0, 57]);
    const from = q.select_from!;
    expect([from.start, from.end]).toEqual([14, 22]);
    expect([from.next_join!.start, from.next_join!.end]).toEqual([33, 42]);
    expect([from.next_join!.constraint!.start, from.next_join!.constraint!.end]).toEqual([43, 57]);
  });

  it('builds joins as a next_join chain with PostHog join_type strings', () => {
    const types = (sql: string) => {
      const out: (string | null | undefined)[] = [];
      for (let j = select(sql).select_from; j; j = j.next_join) out.push(j.join_type);
      return out;
    };
    expect(types('SELECT 1 FROM a JOIN b ON 1 LEFT OUTER JOIN c ON 1 ANY LEFT JOIN d ON 1 CROSS JOIN e, f')).toEqual([
      undefined,
      'JOIN',
      'LEFT OUTER JOIN',
      'LEFT ANY JOIN',
      'CROSS JOIN',
      'CROSS JOIN',
    ]);
    expect(types('SELECT 1 FROM a INNER ANY JOIN b ON 1 FULL OUTER JOIN c USING x ASOF LEFT JOIN d ON 1')).toEqual([
      undefined,
      'ANY INNER JOIN',
      'FULL OUTER JOIN',
      'LEFT ASOF JOIN',
    ]);
    const using = select('SELECT 1 FROM a JOIN b USING (x, y)').select_from!.next_join!.constraint!;
    expect(shape(using)).toEqual({ node: 'JoinConstraint', constraint_type: 'USING', expr: { node: 'Tuple', exprs: [f('x'), f('y')] } });
  });

  it('parses table functions and subqueries in FROM', () => {
    expect(shape(select('SELECT 1 FROM numbers(10) AS n').select_from)).toEqual({ node: 'JoinExpr', table: f('numbers'), table_args: [c(10)], alias: 'n' });
    expect(shape(select('SELECT 1 FROM (SELECT 2) s').select_from)).toEqual({ node: 'JoinExpr', table: { node: 'SelectQuery', select: [c(2)] }, alias: 's' });
    expect(shape(select('SELECT 1 FROM {t}').select_from)).toEqual({ node: 'JoinExpr', table: { node: 'Placeholder', expr: f('t') } });
  });

  it('reads LIMIT m, n as LIMIT m OFFSET n, as PostHog does', () => {
    const q = select('SELECT 1 LIMIT 5, 10');
    expect(shape([q.limit, q.offset])).toEqual([c(5), c(10)]);
  });

  it('parses LIMIT … BY, WITH TIES and OFFSET', () => {
    const q = select('SELECT 1 LIMIT 2 OFFSET 1 BY a, b LIMIT 10 WITH TIES');
    expect(shape(q.limit_by)).toEqual({ node: 'LimitByExpr', n: c(2), offset_value: c(1), exprs: [f('a'), f('b')] });
    expect(shape(q.limit)).toEqual(c(10));
    expect(q.limit_with_ties).toBe(true);
    expect(shape(select('SELECT 1 OFFSET 3').offset)).toEqual(c(3));
  });

  it('records GROUP BY modes', () => {
    expect(select('SELECT 1 GROUP BY a WITH ROLLUP').group_by_mode).toBe('rollup');
    expect(select('SELECT 1 GROUP BY a WITH TOTALS').group_by_mode).toBe('totals');
    expect(select('SELECT 1 GROUP BY CUBE(a, b)').group_by_mode).toBe('cube');
    expect(select('SELECT 1 GROUP BY ALL').group_by_mode).toBe('all');
  });

  it('parses set operations left to right and nested parentheses', () => {
    const q = parseSelect('SELECT 1 UNION ALL (SELECT 2 UNION DISTINCT SELECT 3) INTERSECT SELECT 4 EXCEPT SELECT 5');
    expect(q.node).toBe('SelectSetQuery');
    if (q.node !== 'SelectSetQuery') return;
    expect(q.subsequent_select_queries.map((n) => n.set_operator)).toEqual(['UNION ALL', 'INTERSECT', 'EXCEPT']);
    expect(q.subsequent_select_queries[0]!.select_query.node).toBe('SelectSetQuery');
    expect(parseSelect('SELECT 1 UNION SELECT 2')).toMatchObject({ subsequent_select_queries: [{ set_operator: 'UNION DISTINCT' }] });
  });

  it('accepts one trailing semicolon, trailing commas and comments', () => {
    expect(shape(parseSelect('SELECT 1;'))).toEqual({ node: 'SelectQuery', select: [c(1)] });
    expect(shape(select('SELECT a, FROM t').select)).toEqual([f('a')]);
    expect(shape(parseSelect('SELECT /* x */ 1 -- y\n'))).toEqual({ node: 'SelectQuery', select: [c(1)] });
  });

  it('parses parseOrderExpr input', () => {
    expect(shape(parseOrderExpr('timestamp DESC'))).toEqual({ node: 'OrderExpr', expr: f('timestamp'), order: 'DESC' });
    expect(shape(parseOrderExpr('a NULLS FIRST'))).toEqual({ node: 'OrderExpr', expr: f('a'), order: 'ASC', nulls: 'FIRST' });
    expect(syntaxError(() => parseOrderExpr('a, b')).message).toBe("Syntax error at line 1, column 2: expected end of expression after 'a', found ','");
  });
});

describe('errors', () => {
  it('names what was expected and what was found, with line and column', () => {
    const err = syntaxError(() => parseSelect('SELECT * FROM t WHERE'));
    expect(err.message).toBe("Syntax error at line 1, column 22: expected an expression after 'WHERE', found end of input");
    expect([err.start, err.end]).toEqual([21, 21]);
    const err2 = syntaxError(() => parseSelect('SELECT a,\n  b c d\nFROM t'));
    expect(err2.message).toBe("Syntax error at line 2, column 7: expected end of query after 'c', found 'd'");
    expect([err2.start, err2.end]).toEqual([16, 17]);
    expect(syntaxError(() => parseExpr('f(1, 2')).message).toBe("Syntax error at line 1, column 7: expected ',' or ')' in the argument list after '2', found end of input");
    expect(syntaxError(() => parseExpr('a BETWEEN 1 OR 2')).message).toBe("Syntax error at line 1, column 13: expected AND in 'BETWEEN … AND …' after '1', found 'OR'");
  });

  it('rejects empty input and multiple statements', () => {
    expect(syntaxError(() => parseSelect('')).message).toBe('Syntax error at line 1, column 1: expected a SELECT query (the query is empty), found end of input');
    expect(syntaxError(() => parseSelect('  -- only a comment')).message).toMatch(/the query is empty/);
    expect(syntaxError(() => parseExpr('')).message).toMatch(/expected an expression \(the input is empty\)/);
    const err = syntaxError(() => parseSelect('SELECT 1; SELECT 2'));
    expect(err.message).toBe('Syntax error at line 1, column 11: multiple statements are not supported; send one SELECT query');
    expect(syntaxError(() => parseSelect('SELECT 1;;')).message).toMatch(/multiple statements/);
    expect(syntaxError(() => parseSelect('DELETE FROM events')).message).toBe("Syntax error at line 1, column 1: expected SELECT, found 'DELETE'");
  });

  it('guards nesting depth instead of overflowing the stack', () => {
    const ok = '('.repeat(MAX_NESTING_DEPTH - 2) + '1' + ')'.repeat(MAX_NESTING_DEPTH - 2);
    expect(shape(parseExpr(ok))).toEqual(c(1));
    for (const deep of [
      '('.repeat(MAX_NESTING_DEPTH + 1) + '1' + ')'.repeat(MAX_NESTING_DEPTH + 1),
      '['.repeat(100_000),
      'SELECT ' + '(SELECT '.repeat(20_000) + '1',
      'NOT '.repeat(50_000) + 'x',
      '- '.repeat(50_000) + 'x',
      'a ? b : '.repeat(20_000) + 'c',
      'f('.repeat(20_000),
    ]) {
      const parse = deep.startsWith('SELECT') ? parseSelect : parseExpr;
      expect(syntaxError(() => parse(deep)).message).toMatch(/nested too deeply/);
    }
  });

  it('limits left-nested chains too, but not flat AND / OR / || lists', () => {
    expect(syntaxError(() => parseExpr('1' + ' + 1'.repeat(2000))).message).toMatch(/nested too deeply/);
    expect(syntaxError(() => parseExpr('t' + '.1'.repeat(2000))).message).toMatch(/nested too deeply/);
    expect(syntaxError(() => parseSelect('SELECT 1 FROM t' + ', t'.repeat(2000))).message).toMatch(/nested too deeply/);
    expect((parseExpr('a' + ' OR a = 1'.repeat(5000)) as { exprs: unknown[] }).exprs).toHaveLength(5001);
    expect((parseExpr('a' + ' || a'.repeat(5000)) as { args: unknown[] }).args).toHaveLength(5001);
    expect(parseExpr('1' + ' + 1'.repeat(400)).node).toBe('ArithmeticOperation');
  });

  it('rejects constructs outside our AST with a clear message', () => {
    const cases: [string, RegExp][] = [
      ['SELECT <Sparkline data={x} />', /HogQLX tags is not supported/],
      ['SELECT a FROM t ORDER BY a INTERPOLATE (a)', /INTERPOLATE is not supported/],
      ['SELECT a FROM t ORDER BY a WITH FILL', /WITH FILL is not supported/],
      ['SELECT DISTINCT ON (a) a FROM t', /DISTINCT ON/],
      ['SELECT 1 SETTINGS max_threads = 1', /SETTINGS is not supported/],
      ['SELECT f(x)(y)(z)', /calling the result of an expression/],
      ['SELECT a FROM t ARRAY JOIN arr', /ARRAY JOIN arrays must have an alias/],
      ['SELECT 1 FROM a JOIN b ON x, y', /combine them with AND/],
      ["SELECT DATE '2024-01-01'", /DATE '…' literals is not supported; use toDate/],
      ['(SELECT 1) ORDER BY 1', /after a parenthesized query/],
      ['SELECT 1 GROUP BY a WITH ROLLUP WITH TOTALS', /combining GROUP BY modifiers/],
      ["SELECT interval '1 fortnight'", /invalid interval unit 'fortnight'/],
      ['SELECT 0o17', /octal/],
    ];
    for (const [sql, message] of cases) expect(syntaxError(() => parseSelect(sql)).message).toMatch(message);
  });
});

describe('speed', () => {
  it('reports the mean parse time of a typical query (not asserted)', () => {
    const sql =
      "SELECT toStartOfDay(timestamp) AS day, count() AS c, uniq(person_id) FROM events WHERE event = '$pageview' " +
      "AND timestamp > now() - INTERVAL 7 DAY AND properties.$browser ILIKE '%chrome%' GROUP BY day ORDER BY day DESC LIMIT 100";
    for (let i = 0; i < 500; i++) parseSelect(sql); // warm-up
    const n = 2000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) parseSelect(sql);
    const mean = (performance.now() - t0) / n;
    console.log(`hogql parser: ${sql.length}-char query, mean ${(mean * 1000).toFixed(1)} µs over ${n} parses`);
    expect(mean).toBeGreaterThan(0);
  });
});
