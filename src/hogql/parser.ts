/**
 * Hand-written HogQL parser: recursive descent for statements, precedence climbing for expressions.
 * It builds the same tree (node names, fields, desugarings, `start`/`end` offsets) as PostHog's
 * ANTLR-based parser (`@posthog/hogql-parser`); test/hogql-parser-differential.test.ts checks that
 * on hundreds of queries and lists the few deliberate differences.
 *
 * Positions follow the reference: a node spans the tokens of the grammar rule that produced it, so
 * `(a) + b` starts at the parenthesis while the Field `a` inside starts after it. Nodes the
 * reference synthesises without a position (the 0 of `-x`, the null of `IS NULL`, the missing ELSE of a
 * CASE, …) get the span of the token(s) they stand for.
 */
import type {
  Alias,
  ArithmeticOp,
  CTE,
  Call,
  ColumnsExpr,
  CompareOp,
  Constant,
  Expr,
  Field,
  JoinConstraint,
  JoinExpr,
  LimitByExpr,
  OrderExpr,
  Placeholder,
  RatioExpr,
  SampleExpr,
  SelectQuery,
  SelectSetNode,
  SelectSetQuery,
  SetOperator,
  WindowExpr,
  WindowFrameExpr,
  WindowFunction,
} from './ast.js';
import { HogQLError } from './ast.js';
import { Kw, Tok, isReservedKeyword, syntaxError, tokenize, unquote } from './lexer.js';

/** Deepest allowed nesting of expressions/queries; deeper input is a syntax error, never a stack overflow. */
export const MAX_NESTING_DEPTH = 500;

// Binding powers, loosest first. They reproduce the reference grammar's operator order: postfix
// accessors and `::` bind tightest, then unary minus, `* / %`, `+ - ||`, comparisons, IS NULL, `??`,
// BETWEEN, NOT, AND, OR, the ternary, and finally `AS alias`.
const BP_ALIAS = 1;
const BP_TERNARY = 2;
const BP_OR = 3;
const BP_AND = 4;
const BP_NOT = 5;
const BP_BETWEEN = 6;
const BP_NULLISH = 7;
const BP_IS = 8;
const BP_COMPARE = 9;
const BP_ADD = 10;
const BP_MUL = 11;
const BP_NEG = 12;

const INTERVAL_UNITS: Partial<Record<Kw, string>> = {
  [Kw.SECOND]: 'Second',
  [Kw.MINUTE]: 'Minute',
  [Kw.HOUR]: 'Hour',
  [Kw.DAY]: 'Day',
  [Kw.WEEK]: 'Week',
  [Kw.MONTH]: 'Month',
  [Kw.QUARTER]: 'Quarter',
  [Kw.YEAR]: 'Year',
};
/** Units accepted inside `INTERVAL '<n> <unit>'` (lower-case, optional plural). */
const INTERVAL_STRING_UNITS: Record<string, string> = {};
for (const unit of ['Second', 'Minute', 'Hour', 'Day', 'Week', 'Month', 'Quarter', 'Year']) {
  INTERVAL_STRING_UNITS[unit.toLowerCase()] = unit;
  INTERVAL_STRING_UNITS[unit.toLowerCase() + 's'] = unit;
}

/** `true`/`false` get keyword ids from the lexer but are plain identifiers in HogQL's grammar. */
function isPseudoKeyword(kw: Kw): boolean {
  return kw === Kw.TRUE || kw === Kw.FALSE;
}

/** A FROM clause being built: its first table and the last one, where the next join is attached. */
type JoinChain = { join: JoinExpr; last: JoinExpr };

class Parser {
  private readonly src: string;
  private readonly kind: Tok[];
  private readonly start: number[];
  private readonly end: number[];
  private readonly kw: Kw[];
  private readonly last: number;
  private i = 0;
  private depth = 0;
  /** SELECTs ending in `LIMIT n OFFSET m` → where the reference ends them if they close a query (see limitClauses). */
  private readonly offsetQuirk = new Map<SelectQuery, number>();

  constructor(src: string) {
    const t = tokenize(src);
    this.src = src;
    this.kind = t.kind;
    this.start = t.start;
    this.end = t.end;
    this.kw = t.kw;
    this.last = t.count - 1;
  }

  // ---------------------------------------------------------------- token helpers

  private k(offset = 0): Tok {
    const j = this.i + offset;
    return j < this.last ? this.kind[j]! : Tok.EOF;
  }
  /** Keyword id of the token at `offset` (None for non-identifiers). */
  private w(offset = 0): Kw {
    const j = this.i + offset;
    return j < this.last ? this.kw[j]! : Kw.None;
  }
  private isKw(kw: Kw, offset = 0): boolean {
    return this.w(offset) === kw;
  }
  private eatKw(kw: Kw): boolean {
    if (this.w() !== kw) return false;
    this.i++;
    return true;
  }
  private expectKw(kw: Kw, what: string): void {
    if (this.w() !== kw) this.fail(what);
    this.i++;
  }
  private expect(tok: Tok, what: string): void {
    if (this.k() !== tok) this.fail(what);
    this.i++;
  }
  /** End offset of the last consumed token. */
  private prevEnd(): number {
    return this.i > 0 ? this.end[this.i - 1]! : 0;
  }
  private text(j: number): string {
    return this.src.slice(this.start[j], this.end[j]);
  }

  /** Can the token at `offset` be used as an identifier (name of a column, table, function, alias)? */
  private isIdent(offset = 0): boolean {
    const k = this.k(offset);
    return k === Tok.QuotedIdent || (k === Tok.Ident && !isReservedKeyword(this.w(offset)));
  }
  /** A bare identifier that is not a keyword (the grammar's IDENTIFIER token) or a quoted one. */
  private isPlainIdent(offset = 0): boolean {
    const k = this.k(offset);
    if (k === Tok.QuotedIdent) return true;
    if (k !== Tok.Ident) return false;
    const w = this.w(offset);
    return w === Kw.None || isPseudoKeyword(w);
  }
  private identName(j: number): string {
    if (this.kind[j] === Tok.QuotedIdent) {
      return unquote(this.src, this.start[j]! + 1, this.end[j]! - 1, this.src.charCodeAt(this.start[j]!));
    }
    return this.src.slice(this.start[j], this.end[j]);
  }
  private ident(what: string): string {
    if (!this.isIdent()) this.fail(what);
    return this.identName(this.i++);
  }

  private describe(j: number): string {
    if (this.kind[j] === Tok.EOF || j >= this.last) return 'end of input';
    return `'${truncate(this.text(j))}'`;
  }
  /** Throws "expected <what> [after '<previous token>'], found <current token>". */
  private fail(what: string, at = this.i): never {
    const j = Math.min(at, this.last);
    const after = j > 0 ? ` after '${truncate(this.text(j - 1))}'` : '';
    throw syntaxError(this.src, `expected ${what}${after}, found ${this.describe(j)}`, this.start[j]!, Math.max(this.end[j]!, this.start[j]!));
  }
  /** Throws "<what> is not supported[; <hint>]" for constructs PostHog's grammar knows but we do not build. */
  private unsupported(what: string, hint = '', at = this.i, to = this.end[Math.min(at, this.last)]!): never {
    throw syntaxError(this.src, `${what} is not supported${hint ? `; ${hint}` : ''}`, this.start[Math.min(at, this.last)]!, to);
  }
  private enter(): void {
    if (++this.depth > MAX_NESTING_DEPTH) this.tooDeep();
  }
  private tooDeep(): never {
    throw syntaxError(this.src, `query is nested too deeply (more than ${MAX_NESTING_DEPTH} levels)`, this.start[this.i]!, this.end[this.i]!);
  }

  // ---------------------------------------------------------------- entry points

  parseSelectStatement(): SelectQuery | SelectSetQuery {
    if (this.k() === Tok.EOF) this.fail('a SELECT query (the query is empty)');
    const q = this.selectSet();
    if (this.k() === Tok.Semicolon) this.i++;
    if (this.k() !== Tok.EOF) {
      if (this.kind[this.i - 1] === Tok.Semicolon) {
        throw syntaxError(this.src, 'multiple statements are not supported; send one SELECT query', this.start[this.i]!, this.end[this.i]!);
      }
      this.fail('end of query');
    }
    return q;
  }

  parseExpression(): Expr {
    if (this.k() === Tok.EOF) this.fail('an expression (the input is empty)');
    const e = this.expr(0);
    if (this.k() !== Tok.EOF) this.fail('end of expression');
    return e;
  }

  parseOrderExpression(): OrderExpr {
    if (this.k() === Tok.EOF) this.fail('an expression (the input is empty)');
    const e = this.orderExpr();
    if (this.k() !== Tok.EOF) this.fail('end of expression');
    return e;
  }

  // ---------------------------------------------------------------- expressions

  /** Parses an expression whose operators all bind at least as tightly as `minBp`. */
  private expr(minBp: number): Expr {
    this.enter();
    const first = this.i;
    let left = this.prefix();
    const s = this.start[first]!;
    // Right after `expr AS name` the reference only lets AND, OR, `?:` or another AS continue.
    let afterAlias = false;
    // `a + b + c …` nests to the left without recursion; count that depth too so that no chain
    // builds a tree too deep for the code that walks it (AND, OR and || stay flat and do not count).
    let spine = this.depth;
    let prev = left;
    for (;;) {
      if (left !== prev) {
        prev = left;
        if (left.node !== 'And' && left.node !== 'Or' && !isCall(left, 'concat') && ++spine > MAX_NESTING_DEPTH) this.tooDeep();
      }
      const k = this.k();
      let bp: number;
      if (afterAlias && !(k === Tok.Query || (k === Tok.Ident && (this.w() === Kw.AND || this.w() === Kw.OR || this.w() === Kw.AS)))) break;
      afterAlias = false;
      switch (k) {
        case Tok.Ident: {
          const w = this.w();
          if (w === Kw.AS) {
            if (minBp > BP_ALIAS) break;
            this.i++;
            let alias: string;
            if (this.k() === Tok.String) alias = this.stringValue(this.i++);
            else alias = this.ident('an alias name');
            left = { node: 'Alias', alias, expr: left, start: s, end: this.prevEnd() } satisfies Alias;
            afterAlias = true;
            continue;
          }
          if (w === Kw.OR || w === Kw.AND) {
            bp = w === Kw.OR ? BP_OR : BP_AND;
            if (minBp > bp) break;
            this.i++;
            const right = this.expr(bp + 1);
            left = this.logical(w === Kw.OR ? 'Or' : 'And', left, right, s);
            continue;
          }
          let negated = false;
          let op: Kw = w;
          if (w === Kw.NOT) {
            op = this.w(1);
            if (op !== Kw.BETWEEN && op !== Kw.IN && op !== Kw.LIKE && op !== Kw.ILIKE) break;
            negated = true;
          }
          if (op === Kw.BETWEEN) {
            if (minBp > BP_BETWEEN) break;
            this.i += negated ? 2 : 1;
            const low = this.expr(BP_BETWEEN); // `a BETWEEN b BETWEEN c AND d AND e` nests in the low bound
            this.expectKw(Kw.AND, "AND in 'BETWEEN … AND …'");
            const high = this.expr(BP_BETWEEN + 1);
            left = { node: 'BetweenExpr', expr: left, low, high, negated, start: s, end: this.prevEnd() };
            continue;
          }
          if (op === Kw.IN || op === Kw.LIKE || op === Kw.ILIKE) {
            if (minBp > BP_COMPARE) break;
            this.i += negated ? 2 : 1;
            let cop: CompareOp;
            if (op === Kw.IN) {
              cop = negated ? 'not in' : 'in';
              if (this.isKw(Kw.COHORT) && this.cohortFollows()) {
                this.i++;
                cop = negated ? 'not in cohort' : 'in cohort';
              }
            } else if (op === Kw.LIKE) cop = negated ? 'not like' : 'like';
            else cop = negated ? 'not ilike' : 'ilike';
            const right = this.expr(BP_COMPARE + 1);
            left = { node: 'CompareOperation', op: cop, left, right, start: s, end: this.prevEnd() };
            continue;
          }
          if (w === Kw.IS) {
            if (minBp > BP_IS) break;
            this.i++;
            const not = this.eatKw(Kw.NOT);
            if (this.isKw(Kw.DISTINCT)) this.unsupported("'IS [NOT] DISTINCT FROM'");
            const nullTok = this.i;
            this.expectKw(Kw.NULL, not ? 'NULL' : 'NULL or NOT NULL');
            left = {
              node: 'CompareOperation',
              op: not ? '!=' : '==',
              left,
              right: this.constant(null, nullTok, nullTok),
              is_null_comparison_style: true,
              start: s,
              end: this.prevEnd(),
            };
            continue;
          }
          break;
        }
        case Tok.Query: {
          if (minBp > BP_TERNARY) break;
          this.i++;
          const then = this.expr(0);
          this.expect(Tok.Colon, "':' in 'condition ? then : else'");
          const otherwise = this.expr(BP_TERNARY);
          left = this.call('if', [left, then], s);
          (left as Call).args.push(otherwise);
          continue;
        }
        case Tok.Nullish: {
          if (minBp > BP_NULLISH) break;
          this.i++;
          const right = this.expr(BP_NULLISH + 1);
          left = this.call('ifNull', [left, right], s);
          continue;
        }
        case Tok.Eq:
        case Tok.EqEq:
        case Tok.NotEq:
        case Tok.Lt:
        case Tok.LtEq:
        case Tok.Gt:
        case Tok.GtEq:
        case Tok.Regex:
        case Tok.RegexDouble:
        case Tok.IRegex:
        case Tok.IRegexDouble:
        case Tok.NotRegex:
        case Tok.NotIRegex: {
          if (minBp > BP_COMPARE) break;
          this.i++;
          const right = this.expr(BP_COMPARE + 1);
          left = { node: 'CompareOperation', op: compareOp(k), left, right, start: s, end: this.prevEnd() };
          continue;
        }
        case Tok.NullSafeEq:
          return this.unsupported("the '<=>' operator");
        case Tok.Plus:
        case Tok.Dash: {
          if (minBp > BP_ADD) break;
          this.i++;
          const right = this.expr(BP_ADD + 1);
          left = { node: 'ArithmeticOperation', op: k === Tok.Plus ? '+' : '-', left, right, start: s, end: this.prevEnd() };
          continue;
        }
        case Tok.Concat: {
          if (minBp > BP_ADD) break;
          this.i++;
          const right = this.expr(BP_ADD + 1);
          // `a || b || c` and `concat(a, b) || c` both become one concat(a, b, c).
          const args = isCall(left, 'concat') ? [...left.args] : [left];
          if (isCall(right, 'concat')) args.push(...right.args);
          else args.push(right);
          left = this.call('concat', args, s);
          continue;
        }
        case Tok.Star:
        case Tok.Slash:
        case Tok.Percent: {
          if (minBp > BP_MUL) break;
          this.i++;
          const right = this.expr(BP_MUL + 1);
          const op: ArithmeticOp = k === Tok.Star ? '*' : k === Tok.Slash ? '/' : '%';
          left = { node: 'ArithmeticOperation', op, left, right, start: s, end: this.prevEnd() };
          continue;
        }
        // Postfix operators bind tighter than anything, so they always apply.
        case Tok.LBracket: {
          this.i++;
          const property = this.expr(0);
          if (this.k() === Tok.Colon) this.unsupported('array slicing (a[x:y])');
          this.expect(Tok.RBracket, "']'");
          left = { node: 'ArrayAccess', array: left, property, start: s, end: this.prevEnd() };
          continue;
        }
        case Tok.Dot:
        case Tok.NullProperty: {
          const nullish = k === Tok.NullProperty;
          this.i++;
          const next = this.k();
          if (next === Tok.Int) {
            const index = Number(this.text(this.i++));
            left = { node: 'TupleAccess', tuple: left, index, start: s, end: this.prevEnd() };
            if (nullish) left.nullish = true;
          } else if (nullish && next === Tok.LBracket) {
            this.i++;
            const property = this.expr(0);
            this.expect(Tok.RBracket, "']'");
            left = { node: 'ArrayAccess', array: left, property, nullish: true, start: s, end: this.prevEnd() };
          } else if (this.isIdent()) {
            const j = this.i++;
            const property = this.constant(this.identName(j), j, j);
            left = { node: 'ArrayAccess', array: left, property, start: s, end: this.prevEnd() };
            if (nullish) left.nullish = true;
          } else {
            this.fail(nullish ? "a property name, tuple index or '['" : 'a property name or tuple index');
          }
          continue;
        }
        case Tok.DoubleColon: {
          this.i++;
          const type_name = this.castTypeName();
          left = { node: 'TypeCast', expr: left, type_name, start: s, end: this.prevEnd() };
          continue;
        }
        case Tok.LParen:
          return this.unsupported('calling the result of an expression (e.g. f(x)(y)(z) or (x -> x)(1))');
        default:
          break;
      }
      break;
    }
    this.depth--;
    return left;
  }

  /** `IN COHORT x` vs a column called `cohort`: COHORT is the keyword when a value follows it. */
  private cohortFollows(): boolean {
    return this.valueStartsAt(1);
  }

  /** Does an operand clearly start at `offset` (a literal, a non-keyword name, a bracket…)? Used to tell keywords from column names. */
  private valueStartsAt(offset: number): boolean {
    switch (this.k(offset)) {
      case Tok.Ident:
        return this.w(offset) === Kw.None || isPseudoKeyword(this.w(offset));
      case Tok.Int:
      case Tok.Float:
      case Tok.Hex:
      case Tok.Bin:
      case Tok.String:
      case Tok.QuotedIdent:
      case Tok.FStart:
      case Tok.LParen:
      case Tok.LBracket:
      case Tok.LBrace:
      case Tok.Dash:
        return true;
      case Tok.Dot:
        return this.k(offset + 1) === Tok.Int; // .5
      default:
        return false;
    }
  }

  private logical(node: 'And' | 'Or', left: Expr, right: Expr, s: number): Expr {
    // `a AND (b AND c)` and `(a AND b) AND c` both flatten into one node, as in the reference.
    const exprs = left.node === node ? [...left.exprs] : [left];
    if (right.node === node) exprs.push(...right.exprs);
    else exprs.push(right);
    return { node, exprs, start: s, end: this.prevEnd() };
  }

  private call(name: string, args: Expr[], s: number): Call {
    return { node: 'Call', name, args, start: s, end: this.prevEnd() };
  }

  private constant(value: Constant['value'], from: number, to: number): Constant {
    return { node: 'Constant', value, start: this.start[from]!, end: this.end[to]! };
  }

  private stringValue(j: number): string {
    return unquote(this.src, this.start[j]! + 1, this.end[j]! - 1, 39);
  }

  /** Everything that can start an expression. */
  private prefix(): Expr {
    const t = this.i;
    switch (this.k()) {
      case Tok.Int:
      case Tok.Hex:
      case Tok.Bin:
      case Tok.Float:
        return this.numberLiteral(t, '');
      case Tok.Dot:
        if (this.k(1) === Tok.Int) return this.numberLiteral(t, '');
        break;
      case Tok.Dash:
      case Tok.Plus: {
        const n = this.k(1);
        if (n === Tok.Int || n === Tok.Hex || n === Tok.Bin || n === Tok.Float || (n === Tok.Dot && this.k(2) === Tok.Int)) {
          this.i++;
          return this.numberLiteral(t, this.kind[t] === Tok.Dash ? '-' : '+');
        }
        if (n === Tok.Ident && (this.w(1) === Kw.INF || this.w(1) === Kw.NAN)) {
          this.i++;
          return this.numberLiteral(t, this.kind[t] === Tok.Dash ? '-' : '+');
        }
        if (this.kind[t] === Tok.Plus) break;
        this.i++;
        const right = this.expr(BP_NEG);
        const zero = this.constant(0, t, t);
        return { node: 'ArithmeticOperation', op: '-', left: zero, right, start: this.start[t]!, end: this.prevEnd() };
      }
      case Tok.String:
        this.i++;
        return this.constant(this.stringValue(t), t, t);
      case Tok.FStart:
        return this.templateString();
      case Tok.QuotedIdent:
        return this.identifierExpr();
      case Tok.Ident:
        return this.keywordOrIdentifier();
      case Tok.LParen:
        return this.parenthesized();
      case Tok.LBracket: {
        this.i++;
        const exprs = this.exprList(Tok.RBracket, "']'");
        return { node: 'Array', exprs, start: this.start[t]!, end: this.prevEnd() };
      }
      case Tok.LBrace:
        return this.braces();
      case Tok.Star: {
        this.i++;
        if (this.isKw(Kw.EXCLUDE)) {
          const exclude = this.excludeList();
          return { node: 'ColumnsExpr', all_columns: true, exclude, start: this.start[t]!, end: this.prevEnd() };
        }
        if (this.isKw(Kw.COLUMNS)) this.unsupported("'* COLUMNS(…)'");
        return { node: 'Field', chain: ['*'], start: this.start[t]!, end: this.end[t]! };
      }
      case Tok.Hash:
        return this.unsupported('positional references (#1)');
      case Tok.Lt:
        return this.unsupported('HogQLX tags');
      default:
        break;
    }
    return this.fail('an expression');
  }

  /**
   * A number literal starting at token `t` (after an optional sign already consumed). `1.5` arrives
   * as Int Dot Int so that `t.1.2` can be tuple access; the pieces are glued back together here.
   *
   * `value` is always a JS number (inf → Infinity, nan → NaN; integers beyond 2^53 are rounded) and
   * `literal` keeps the exact spelling, sign included. PostHog's parser writes integers outside
   * int64 and ±inf/nan as strings instead; a number is what the rest of our pipeline expects.
   */
  private numberLiteral(t: number, sign: '' | '-' | '+'): Constant {
    const k = this.k();
    let literal: string;
    let value: number;
    if (k === Tok.Ident) {
      // inf / nan
      const w = this.w();
      this.i++;
      value = w === Kw.INF ? Infinity : NaN;
      literal = this.text(this.i - 1);
    } else if (k === Tok.Dot) {
      this.i++;
      literal = '.' + this.text(this.i++);
      value = Number('0' + literal);
    } else {
      const j = this.i++;
      literal = this.text(j);
      if (k === Tok.Int && this.k() === Tok.Dot && (this.k(1) === Tok.Int || !this.isPlainIdent(1))) {
        // 1.  1.5  (also written with spaces, `1 . 5`, as the reference allows); `1.b` is property access
        // but in `1. AND x` the keyword is not a property name.
        this.i++;
        literal += '.';
        if (this.k() === Tok.Int) literal += this.text(this.i++);
        value = Number(literal);
      } else if (k === Tok.Float && (literal.charCodeAt(1) === 120 || literal.charCodeAt(1) === 88)) {
        value = hexFloat(literal);
      } else {
        value = Number(literal);
      }
    }
    if (sign === '-') value = -value;
    return { node: 'Constant', value, literal: sign === '-' ? '-' + literal : literal, start: this.start[t]!, end: this.prevEnd() };
  }

  private keywordOrIdentifier(): Expr {
    const t = this.i;
    const w = this.w();
    const next = this.k(1);
    switch (w) {
      case Kw.None:
        break;
      case Kw.NULL:
        this.i++;
        return this.constant(null, t, t);
      case Kw.INF:
      case Kw.NAN:
        return this.numberLiteral(t, '');
      case Kw.TRUE:
      case Kw.FALSE:
        // A bare `true`/`false` is a constant (`true.1` is tuple access on it); `true.x` is a field.
        if (next === Tok.LParen || next === Tok.Arrow || (next === Tok.Dot && this.isIdent(2))) break;
        this.i++;
        return this.constant(w === Kw.TRUE, t, t);
      case Kw.CASE:
        return this.caseExpr();
      case Kw.CAST:
        if (next === Tok.LParen) return this.castExpr();
        break;
      case Kw.TRY_CAST:
        if (next === Tok.LParen) this.unsupported('TRY_CAST');
        break;
      case Kw.INTERVAL:
        return this.intervalExpr();
      case Kw.NOT: {
        // `not(x)` is a call to the function not(), as in the reference; `NOT x` is negation. Before
        // LIKE/ILIKE/BETWEEN the reference reads `not` as a column name.
        if (next === Tok.LParen && !this.startsSelect(2) && !(this.isIdent(2) && this.parenLambdaAhead(t + 1))) break;
        if (next === Tok.Ident && (this.w(1) === Kw.LIKE || this.w(1) === Kw.ILIKE || this.w(1) === Kw.BETWEEN) && this.valueStartsAt(2)) break;
        if (next === Tok.Star && this.k(2) !== Tok.Dash && this.valueStartsAt(2)) break; // `not * 2`
        if (isBinaryOnly(next)) break; // `not = 1`
        if (next === Tok.EOF || next === Tok.Comma || next === Tok.RParen || next === Tok.RBracket || next === Tok.RBrace) break; // `not` alone
        this.i++;
        const expr = this.expr(BP_NOT);
        return { node: 'Not', expr, start: this.start[t]!, end: this.prevEnd() };
      }
      case Kw.DATE:
      case Kw.TIMESTAMP:
        if (next === Tok.String) this.unsupported(`${this.text(t).toUpperCase()} '…' literals`, 'use toDate(…) or toDateTime(…)');
        break;
      case Kw.TRIM:
        if (next === Tok.LParen && (this.isKw(Kw.BOTH, 2) || this.isKw(Kw.LEADING, 2) || this.isKw(Kw.TRAILING, 2))) return this.trimExpr();
        break;
      case Kw.COLUMNS:
        if (next === Tok.LParen) return this.columnsExpr();
        break;
      case Kw.ARRAY:
        if (next === Tok.LBracket) {
          this.i += 2;
          const exprs = this.exprList(Tok.RBracket, "']'");
          return { node: 'Array', exprs, start: this.start[t]!, end: this.prevEnd() };
        }
        break;
      case Kw.LAMBDA:
        return this.unsupported("'LAMBDA x: …'", 'write x -> …');
      default:
        if (isReservedKeyword(w)) this.fail('an expression');
    }
    return this.identifierExpr();
  }

  /** A name in expression position: lambda `x -> …`, function call `f(…)` or field chain `a.b.c`. */
  private identifierExpr(): Expr {
    const t = this.i;
    const next = this.k(1);
    if (next === Tok.Arrow || (next === Tok.Comma && this.lambdaParamsAhead(t))) return this.lambda(t, false);
    if (next === Tok.LParen) return this.functionCall();
    const chain: string[] = [this.identName(this.i++)];
    while (this.k() === Tok.Dot) {
      if (this.isIdent(1)) {
        chain.push(this.identName(this.i + 1));
        this.i += 2;
      } else if (this.k(1) === Tok.Star) {
        this.i += 2;
        chain.push('*');
        if (this.isKw(Kw.EXCLUDE)) this.unsupported("'table.* EXCLUDE (…)'", "use '* EXCLUDE (…)'");
        break;
      } else break;
    }
    return { node: 'Field', chain, start: this.start[t]!, end: this.prevEnd() } satisfies Field;
  }

  /** After identifier `t` comes `, ident …`: is this `x, y -> body` (a lambda with bare parameters)? */
  private lambdaParamsAhead(t: number): boolean {
    let j = t + 1;
    while (this.kind[j] === Tok.Comma) {
      j++;
      if (this.kind[j] === Tok.Arrow) return true; // trailing comma: `x, -> …`
      const k = this.kind[j];
      if (!(k === Tok.QuotedIdent || (k === Tok.Ident && !isReservedKeyword(this.kw[j]!)))) return false;
      j++;
    }
    return this.kind[j] === Tok.Arrow;
  }

  /** `x -> e`, `x, y -> e` or (with `parens`) `(x, y) -> e` / `() -> e`, starting at token `t`. */
  private lambda(t: number, parens: boolean): Expr {
    const args: string[] = [];
    if (parens) this.i++;
    while (this.k() !== Tok.Arrow && this.k() !== Tok.RParen) {
      args.push(this.ident('a lambda parameter name'));
      if (this.k() === Tok.Comma) this.i++;
      else break;
    }
    if (parens) this.expect(Tok.RParen, "')' to close the lambda parameters");
    this.expect(Tok.Arrow, "'->'");
    const expr = this.expr(0);
    return { node: 'Lambda', args, expr, start: this.start[t]!, end: this.prevEnd() };
  }

  /** `name(args)`, `name(params)(args)`, `count(DISTINCT x)`, `f(x ORDER BY y)`, `FILTER (WHERE …)`, `OVER …`. */
  private functionCall(): Expr {
    const t = this.i;
    const name = this.identName(t);
    this.i += 2; // name (
    let first = this.callArgs();
    let params: Expr[] | null = null;
    if (this.k() === Tok.LParen) {
      if (first.distinct || first.orderBy) this.fail("')' (DISTINCT and ORDER BY belong in the argument list)", first.at);
      params = first.args;
      this.i++;
      first = this.callArgs();
    }
    let filter: Expr | null = null;
    if (this.isKw(Kw.FILTER) && this.k(1) === Tok.LParen && this.isKw(Kw.WHERE, 2)) {
      this.i += 3;
      filter = this.expr(0);
      this.expect(Tok.RParen, "')' to close FILTER (WHERE …)");
    }
    if (this.isKw(Kw.OVER)) {
      if (filter) this.unsupported('FILTER (WHERE …) on a window function');
      if (first.distinct) this.unsupported('DISTINCT in a window function call');
      if (first.orderBy) this.unsupported('ORDER BY inside the arguments of a window function');
      this.i++;
      const wf: WindowFunction = {
        node: 'WindowFunction',
        name,
        exprs: params ?? first.args,
        args: params ? first.args : [],
        start: this.start[t]!,
        end: 0,
      };
      if (this.k() === Tok.LParen) {
        const open = this.i++;
        wf.over_expr = this.windowExpr(open);
        this.expect(Tok.RParen, "')' to close the window definition");
      } else {
        wf.over_identifier = this.ident("a window name or '(' after OVER");
      }
      wf.end = this.prevEnd();
      return wf;
    }
    const c: Call = { node: 'Call', name, args: first.args, start: this.start[t]!, end: this.prevEnd() };
    if (params) c.params = params;
    if (first.distinct) c.distinct = true;
    if (filter) c.filter_expr = filter;
    if (first.orderBy) c.order_by = first.orderBy;
    return c;
  }

  /** Arguments after an opening '(' up to and including ')'. */
  private callArgs(): { args: Expr[]; distinct: boolean; orderBy: OrderExpr[] | null; at: number } {
    const at = this.i;
    let distinct = false;
    if (this.isKw(Kw.DISTINCT) && this.k(1) !== Tok.RParen && this.k(1) !== Tok.Comma) {
      this.i++;
      distinct = true;
    }
    const args: Expr[] = [];
    let orderBy: OrderExpr[] | null = null;
    while (this.k() !== Tok.RParen) {
      if (this.isKw(Kw.ORDER) && this.isKw(Kw.BY, 1) && args.length > 0) {
        this.i += 2;
        orderBy = this.orderList();
        break;
      }
      if (this.k(1) === Tok.ColonEquals && this.isIdent()) this.unsupported('named arguments (name := value)');
      if (this.startsSelect()) this.unsupported('a subquery as a function argument without parentheses', 'write f((SELECT …))');
      args.push(this.expr(0));
      if (this.k() === Tok.Comma) this.i++;
      else if (this.k() !== Tok.RParen && !(this.isKw(Kw.ORDER) && this.isKw(Kw.BY, 1))) this.fail("',' or ')' in the argument list");
    }
    this.expect(Tok.RParen, "')' to close the argument list");
    return { args, distinct, orderBy, at };
  }

  /** Comma-separated expressions up to `close` (consumed); a trailing comma is allowed. */
  private exprList(close: Tok, closeText: string): Expr[] {
    const out: Expr[] = [];
    while (this.k() !== close) {
      out.push(this.expr(0));
      if (this.k() === Tok.Comma) this.i++;
      else if (this.k() !== close) this.fail(`',' or ${closeText}`);
    }
    this.i++;
    return out;
  }

  /** Does a SELECT (or WITH …) start at `offset`? */
  private startsSelect(offset = 0): boolean {
    const w = this.w(offset);
    return w === Kw.SELECT || w === Kw.WITH;
  }

  private parenthesized(): Expr {
    const t = this.i;
    // Lambdas: `() -> e`, `(x) -> e`, `(x, y) -> e`.
    if (this.k(1) === Tok.RParen && this.k(2) === Tok.Arrow) return this.lambda(t, true);
    if (this.isIdent(1) && this.parenLambdaAhead(t)) return this.lambda(t, true);
    if (this.startsSelect(1)) {
      this.i++;
      const q = this.selectSet();
      this.expect(Tok.RParen, "')' to close the subquery");
      return q;
    }
    if (this.k(1) === Tok.Star && (this.isKw(Kw.EXCLUDE, 2) || this.isKw(Kw.REPLACE, 2))) return this.starModifiers();
    this.i++;
    const first = this.expr(0);
    let result: Expr;
    if (this.k() === Tok.RParen) {
      this.i++;
      result = first;
    } else if (this.k() === Tok.Comma) {
      this.i++;
      const exprs = [first, ...this.exprList(Tok.RParen, "')'")];
      result = { node: 'Tuple', exprs, start: this.start[t]!, end: this.prevEnd() };
    } else if ((first.node === 'SelectQuery' || first.node === 'SelectSetQuery') && this.setOperatorAhead()) {
      // `((SELECT 1) UNION ALL (SELECT 2))`
      result = this.selectSetRest(first, this.start[t + 1]!);
      this.applyOffsetQuirk(result);
      this.expect(Tok.RParen, "')' to close the subquery");
    } else {
      this.fail("')' or ','");
    }
    return result;
  }

  /** Is the '(' at token `open` the start of `(x, y) -> …`? */
  private parenLambdaAhead(open: number): boolean {
    let j = open + 1;
    for (;;) {
      const k = this.kind[j];
      if (!(k === Tok.QuotedIdent || (k === Tok.Ident && !isReservedKeyword(this.kw[j]!)))) return false;
      j++;
      if (this.kind[j] === Tok.Comma) {
        j++;
        if (this.kind[j] === Tok.RParen) break;
        continue;
      }
      break;
    }
    return this.kind[j] === Tok.RParen && this.kind[j + 1] === Tok.Arrow;
  }

  /** `(* EXCLUDE (a, b) REPLACE (expr AS c))` */
  private starModifiers(): Expr {
    const t = this.i;
    this.i += 2; // ( *
    const c: ColumnsExpr = { node: 'ColumnsExpr', all_columns: true, start: this.start[t]!, end: 0 };
    if (this.isKw(Kw.EXCLUDE)) c.exclude = this.excludeList();
    if (this.eatKw(Kw.REPLACE)) {
      this.expect(Tok.LParen, "'(' after REPLACE");
      const replace: Alias[] = [];
      do {
        const e = this.expr(0);
        if (e.node !== 'Alias') this.fail("'AS name' in REPLACE (…)");
        replace.push(e);
      } while (this.k() === Tok.Comma && ++this.i);
      this.expect(Tok.RParen, "')' to close REPLACE (…)");
      c.replace = replace;
    }
    this.expect(Tok.RParen, "')'");
    c.end = this.prevEnd();
    return c;
  }

  /** `EXCLUDE (a, b)` → ['a', 'b'] */
  private excludeList(): string[] {
    this.i++; // EXCLUDE
    this.expect(Tok.LParen, "'(' after EXCLUDE");
    const names: string[] = [];
    do {
      let name = this.ident('a column name');
      while (this.k() === Tok.Dot && this.isIdent(1)) {
        name += '.' + this.identName(this.i + 1);
        this.i += 2;
      }
      names.push(name);
    } while (this.k() === Tok.Comma && ++this.i && this.k() !== Tok.RParen);
    this.expect(Tok.RParen, "')' to close EXCLUDE (…)");
    return names;
  }

  /** `COLUMNS('regex')`, `COLUMNS(a, b)`, `COLUMNS(*)` */
  private columnsExpr(): Expr {
    const t = this.i;
    this.i += 2;
    if (this.k() === Tok.String && this.k(1) === Tok.RParen) {
      const regex = this.stringValue(this.i);
      this.i += 2;
      return { node: 'ColumnsExpr', regex, start: this.start[t]!, end: this.prevEnd() };
    }
    if (this.k() === Tok.Star && this.k(1) !== Tok.RParen) this.unsupported("'COLUMNS(* …)' modifiers", "use '* EXCLUDE (…)'");
    const columns = this.exprList(Tok.RParen, "')'");
    if (columns.length === 0) this.fail('a regular expression or column list in COLUMNS()', this.i - 1);
    return { node: 'ColumnsExpr', columns, start: this.start[t]!, end: this.prevEnd() };
  }

  /** `{}` / `{k: v, …}` (dict) or `{expr}` (placeholder). */
  private braces(): Expr {
    const t = this.i++;
    if (this.k() === Tok.RBrace) {
      this.i++;
      return { node: 'Dict', items: [], start: this.start[t]!, end: this.prevEnd() };
    }
    const first = this.expr(0);
    let result: Expr;
    if (this.k() === Tok.Colon) {
      const items: [Expr, Expr][] = [];
      let key = first;
      for (;;) {
        this.expect(Tok.Colon, "':' between a dictionary key and its value");
        items.push([key, this.expr(0)]);
        if (this.k() === Tok.Comma) {
          this.i++;
          if (this.k() === Tok.RBrace) break;
          key = this.expr(0);
        } else break;
      }
      this.expect(Tok.RBrace, "'}' to close the dictionary");
      result = { node: 'Dict', items, start: this.start[t]!, end: this.prevEnd() };
    } else {
      this.expect(Tok.RBrace, "'}' to close the placeholder");
      result = { node: 'Placeholder', expr: first, start: this.start[t]!, end: this.prevEnd() } satisfies Placeholder;
    }
    return result;
  }

  /** f'text {expr} text' → concat('text', expr, 'text') (a single part is returned as is). */
  private templateString(): Expr {
    const t = this.i++;
    const parts: Expr[] = [];
    for (;;) {
      const k = this.k();
      if (k === Tok.FText) {
        const j = this.i++;
        parts.push(this.constant(unquote(this.src, this.start[j]!, this.end[j]!, 0), j, j));
      } else if (k === Tok.FHole) {
        this.i++;
        parts.push(this.expr(0));
        this.expect(Tok.RBrace, "'}' to close the template expression");
      } else break;
    }
    this.expect(Tok.FEnd, "the end of the template string");
    if (parts.length === 0) return { node: 'Constant', value: '', start: this.start[t]!, end: this.prevEnd() };
    if (parts.length === 1) return parts[0]!;
    return this.call('concat', parts, this.start[t]!);
  }

  /** CASE WHEN … → if()/multiIf(); CASE x WHEN … → _caseWithExpression(x, when, then, …, else). */
  private caseExpr(): Expr {
    const t = this.i++;
    const args: Expr[] = [];
    const withExpr = !this.isKw(Kw.WHEN);
    if (withExpr) args.push(this.expr(0));
    if (!this.isKw(Kw.WHEN)) this.fail("WHEN in the CASE expression");
    let whens = 0;
    while (this.eatKw(Kw.WHEN)) {
      args.push(this.expr(0));
      this.expectKw(Kw.THEN, 'THEN');
      args.push(this.expr(0));
      whens++;
    }
    if (this.eatKw(Kw.ELSE)) args.push(this.expr(0));
    else args.push(this.constant(null, t, t));
    this.expectKw(Kw.END, 'END to close the CASE expression');
    const name = withExpr ? '_caseWithExpression' : whens === 1 ? 'if' : 'multiIf';
    return this.call(name, args, this.start[t]!);
  }

  /** CAST(x AS Type); `cast(x, 'Type')` stays an ordinary call. */
  private castExpr(): Expr {
    const t = this.i;
    this.i += 2;
    let expr = this.expr(BP_TERNARY);
    for (;;) {
      if (!this.isKw(Kw.AS)) {
        this.i = t;
        return this.functionCall();
      }
      // The last `AS` introduces the type; an earlier one aliases the value (`CAST(x AS a AS Int)`).
      const save = this.i;
      this.i++;
      const depth = this.depth;
      try {
        const type_name = this.typeName();
        if (this.k() === Tok.RParen) {
          this.i++;
          return { node: 'TypeCast', expr, type_name, start: this.start[t]!, end: this.prevEnd() };
        }
      } catch (e) {
        if (!(e instanceof HogQLError)) throw e;
      }
      this.depth = depth;
      this.i = save + 1;
      const aliasTok = this.i;
      const alias = this.k() === Tok.String ? this.stringValue(this.i++) : this.ident('a type name');
      expr = { node: 'Alias', alias, expr, start: this.start[t + 2]!, end: this.end[aliasTok]! };
    }
  }

  /** A ClickHouse type inside CAST(… AS type), printed back lower-cased: `Nullable(String)` → `nullable(string)`. */
  private typeName(): string {
    let name = this.ident('a type name').toLowerCase();
    if (this.k() === Tok.LParen) {
      this.i++;
      const parts: string[] = [];
      while (this.k() !== Tok.RParen) {
        const k = this.k();
        if (k === Tok.String) {
          if (this.k(1) === Tok.Eq) this.unsupported('Enum type definitions in CAST');
          parts.push(this.text(this.i++));
        } else if (k === Tok.Int || k === Tok.Float || k === Tok.Hex || k === Tok.Dash) {
          const at = this.i;
          if (k === Tok.Dash) this.i++;
          parts.push(this.numberLiteral(at, k === Tok.Dash ? '-' : '').literal!);
        } else if (this.isIdent() && this.isIdent(1)) {
          // named element: Tuple(a Int), Nested(a String)
          const field = this.identName(this.i++).toLowerCase();
          parts.push(`${field} ${this.typeName()}`);
        } else {
          parts.push(this.typeName());
        }
        if (this.k() === Tok.Comma) this.i++;
        else if (this.k() !== Tok.RParen) this.fail("',' or ')' in the type");
      }
      this.i++;
      name += `(${parts.join(', ')})`;
    } else {
      // compound names: DOUBLE PRECISION, TIMESTAMP WITH TIME ZONE
      while (this.isIdent() && !this.isKw(Kw.AS)) name += ' ' + this.identName(this.i++).toLowerCase();
    }
    while (this.k() === Tok.LBracket) {
      this.i++;
      let size = '';
      if (this.k() === Tok.Int) size = this.text(this.i++);
      this.expect(Tok.RBracket, "']'");
      name += `[${size}]`;
    }
    return name;
  }

  /** The type after `::` — a single name, optionally `WITH [LOCAL] TIME ZONE`. */
  private castTypeName(): string {
    if (!(this.k() === Tok.QuotedIdent || this.k() === Tok.Ident)) this.fail('a type name');
    const w = this.w();
    if (w !== Kw.None && w !== Kw.DATE && w !== Kw.TIMESTAMP && w !== Kw.INTERVAL && !INTERVAL_UNITS[w] && !isPseudoKeyword(w)) this.fail('a type name');
    let name = this.identName(this.i++).toLowerCase();
    if (this.isKw(Kw.WITH) && this.k(1) === Tok.Ident) {
      const save = this.i;
      this.i++;
      const words = ['with'];
      if (this.text(this.i).toLowerCase() === 'local') words.push(this.text(this.i++).toLowerCase());
      if (this.text(this.i).toLowerCase() === 'time' && this.text(this.i + 1).toLowerCase() === 'zone') {
        this.i += 2;
        name += ' ' + [...words, 'time', 'zone'].join(' ');
      } else {
        this.i = save;
      }
    }
    return name;
  }

  /** INTERVAL 7 DAY → toIntervalDay(7); INTERVAL '7 days' → toIntervalDay(7). */
  private intervalExpr(): Expr {
    const t = this.i;
    // A string that reads '<n> <unit>' is the string form (so `INTERVAL INTERVAL '1 day' WEEK` nests);
    // otherwise prefer `INTERVAL <expr> <unit>` and fall back to the string form or, for
    // `interval(…)`, to a call of a function named interval.
    if (this.k(1) === Tok.String && /^[0-9]+ [a-z]+$/.test(this.stringValue(t + 1)) && INTERVAL_STRING_UNITS[this.stringValue(t + 1).split(' ')[1]!]) {
      return this.intervalString(t);
    }
    const depth = this.depth;
    try {
      this.i++;
      const value = this.expr(0);
      const unit = INTERVAL_UNITS[this.w()];
      if (unit && this.k() === Tok.Ident) {
        this.i++;
        return this.call(`toInterval${unit}`, [value], this.start[t]!);
      }
    } catch (e) {
      if (!(e instanceof HogQLError)) throw e;
    }
    this.i = t;
    this.depth = depth;
    if (this.k(1) === Tok.String) return this.intervalString(t);
    if (this.k(1) !== Tok.LParen && this.valueStartsAt(1)) {
      this.i++;
      this.expr(0);
      this.fail('an interval unit (SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER or YEAR)');
    }
    return this.identifierExpr(); // interval(…) or a column named interval
  }

  /** `INTERVAL '<count> <unit>'`; `t` is the INTERVAL token. */
  private intervalString(t: number): Expr {
    const j = t + 1;
    this.i = j + 1;
    const text = this.stringValue(j);
    const space = text.indexOf(' ');
    if (space < 0) throw syntaxError(this.src, "invalid interval string: must be in the format '<count> <unit>'", this.start[j]!, this.end[j]!);
    const count = text.slice(0, space);
    const unit = INTERVAL_STRING_UNITS[text.slice(space + 1)];
    if (!/^[0-9]+$/.test(count)) throw syntaxError(this.src, `invalid interval count '${count}': must be a whole number`, this.start[j]!, this.end[j]!);
    if (!unit) throw syntaxError(this.src, `invalid interval unit '${text.slice(space + 1)}'`, this.start[j]!, this.end[j]!);
    const value: Constant = { node: 'Constant', value: Number(count), literal: count, start: this.start[j]!, end: this.end[j]! };
    return this.call(`toInterval${unit}`, [value], this.start[t]!);
  }

  private matchingParen(open: number): number {
    let depth = 0;
    for (let j = open; j < this.last; j++) {
      const k = this.kind[j];
      if (k === Tok.LParen) depth++;
      else if (k === Tok.RParen && --depth === 0) return j;
    }
    return -1;
  }

  /** TRIM(BOTH|LEADING|TRAILING 'x' FROM s) → trim/trimLeft/trimRight(s, 'x') */
  private trimExpr(): Expr {
    const t = this.i;
    this.i += 2;
    const mode = this.w();
    this.i++;
    const name = mode === Kw.BOTH ? 'trim' : mode === Kw.LEADING ? 'trimLeft' : 'trimRight';
    let chars: Expr;
    if (this.k() === Tok.String) {
      const j = this.i++;
      chars = this.constant(this.stringValue(j), j, j);
    } else if (this.k() === Tok.FStart) {
      chars = this.templateString();
    } else {
      this.fail('a string with the characters to trim');
    }
    this.expectKw(Kw.FROM, "FROM in TRIM(… FROM …)");
    const expr = this.expr(0);
    this.expect(Tok.RParen, "')' to close TRIM");
    return this.call(name, [expr, chars], this.start[t]!);
  }

  // ---------------------------------------------------------------- ORDER BY and windows

  private orderList(): OrderExpr[] {
    const out = [this.orderExpr()];
    while (this.k() === Tok.Comma) {
      this.i++;
      out.push(this.orderExpr());
    }
    return out;
  }

  private orderExpr(): OrderExpr {
    const t = this.i;
    const expr = this.expr(0);
    let order: 'ASC' | 'DESC' = 'ASC';
    const w = this.w();
    if (w === Kw.ASC || w === Kw.ASCENDING) this.i++;
    else if (w === Kw.DESC || w === Kw.DESCENDING) {
      this.i++;
      order = 'DESC';
    }
    const o: OrderExpr = { node: 'OrderExpr', expr, order, start: this.start[t]!, end: 0 };
    if (this.isKw(Kw.NULLS) && (this.isKw(Kw.FIRST, 1) || this.isKw(Kw.LAST, 1))) {
      o.nulls = this.isKw(Kw.FIRST, 1) ? 'FIRST' : 'LAST';
      this.i += 2;
    }
    if (this.isKw(Kw.COLLATE)) this.unsupported('COLLATE');
    if (this.isKw(Kw.WITH) && this.isKw(Kw.FILL, 1)) this.unsupported('ORDER BY … WITH FILL');
    if (this.isKw(Kw.INTERPOLATE)) this.unsupported('INTERPOLATE');
    o.end = this.prevEnd();
    return o;
  }

  /** The inside of `OVER (…)` / `WINDOW w AS (…)`; `open` is the index of the '(' token. */
  private windowExpr(open: number): WindowExpr {
    const w: WindowExpr = { node: 'WindowExpr', start: 0, end: 0 };
    if (this.isKw(Kw.PARTITION)) {
      this.i++;
      this.expectKw(Kw.BY, 'BY');
      w.partition_by = this.listUntilClause();
    }
    if (this.isKw(Kw.ORDER)) {
      this.i++;
      this.expectKw(Kw.BY, 'BY');
      w.order_by = this.orderList();
    }
    if (this.isKw(Kw.ROWS) || this.isKw(Kw.RANGE)) {
      w.frame_method = this.isKw(Kw.ROWS) ? 'ROWS' : 'RANGE';
      this.i++;
      if (this.eatKw(Kw.BETWEEN)) {
        w.frame_start = this.frameBound();
        this.expectKw(Kw.AND, "AND in 'BETWEEN … AND …'");
        w.frame_end = this.frameBound();
      } else {
        w.frame_start = this.frameBound();
      }
    }
    // An empty window `()` spans from the ')' back to the '(' like the reference's empty rule context.
    w.start = this.start[open + 1]!;
    w.end = this.prevEnd();
    return w;
  }

  private frameBound(): WindowFrameExpr {
    const t = this.i;
    let frame_type: WindowFrameExpr['frame_type'];
    let frame_value: number | null = null;
    if (this.eatKw(Kw.CURRENT)) {
      this.expectKw(Kw.ROW, 'ROW');
      frame_type = 'CURRENT ROW';
    } else {
      if (this.eatKw(Kw.UNBOUNDED)) {
        // frame_value stays null: unbounded
      } else if (this.k() === Tok.Int || this.k() === Tok.Float || this.k() === Tok.Hex || this.k() === Tok.Dot) {
        const c = this.numberLiteral(this.i, '');
        frame_value = c.value as number;
      } else {
        this.fail('CURRENT ROW, UNBOUNDED or a number in the window frame');
      }
      if (this.eatKw(Kw.PRECEDING)) frame_type = 'PRECEDING';
      else if (this.eatKw(Kw.FOLLOWING)) frame_type = 'FOLLOWING';
      else this.fail('PRECEDING or FOLLOWING');
    }
    const f: WindowFrameExpr = { node: 'WindowFrameExpr', frame_type, start: this.start[t]!, end: this.prevEnd() };
    if (frame_value !== null) f.frame_value = frame_value;
    return f;
  }

  /** Comma-separated expressions of a clause (GROUP BY, PARTITION BY, USING, …); a trailing comma is allowed. */
  private listUntilClause(): Expr[] {
    const out = [this.expr(0)];
    while (this.k() === Tok.Comma) {
      this.i++;
      if (this.listEndsAfterComma()) break;
      out.push(this.expr(0));
    }
    return out;
  }

  // ---------------------------------------------------------------- SELECT

  private setOperatorAhead(): boolean {
    const w = this.w();
    return w === Kw.UNION || w === Kw.EXCEPT || w === Kw.INTERSECT;
  }

  /** A query possibly combined with UNION ALL / UNION DISTINCT / INTERSECT / EXCEPT (evaluated left to right). */
  private selectSet(): SelectQuery | SelectSetQuery {
    this.enter();
    const t = this.i;
    const first = this.selectOperand();
    const q = this.setOperatorAhead() ? this.selectSetRest(first, this.start[t]!) : first;
    this.applyOffsetQuirk(q);
    if ((this.isKw(Kw.ORDER) && this.isKw(Kw.BY, 1)) || this.isKw(Kw.LIMIT) || this.isKw(Kw.OFFSET)) {
      this.unsupported('ORDER BY / LIMIT / OFFSET after a parenthesized query', 'move it inside the parentheses or wrap the query in SELECT * FROM (…)');
    }
    this.depth--;
    return q;
  }

  /**
   * The reference parser lets the query-level `OFFSET m` rule take the OFFSET of `LIMIT n OFFSET m` when
   * that SELECT is the last one of a query, so the SELECT's span ends at `n`. We keep the OFFSET on the
   * SELECT but reproduce the span.
   */
  private applyOffsetQuirk(q: SelectQuery | SelectSetQuery): void {
    const last = q.node === 'SelectSetQuery' ? q.subsequent_select_queries[q.subsequent_select_queries.length - 1]!.select_query : q;
    if (last.node !== 'SelectQuery') return;
    const end = this.offsetQuirk.get(last);
    if (end !== undefined) {
      last.end = end;
      this.offsetQuirk.delete(last);
    }
  }

  private selectSetRest(first: SelectQuery | SelectSetQuery, s: number): SelectSetQuery {
    const subsequent: SelectSetNode[] = [];
    while (this.setOperatorAhead()) {
      const opStart = this.i;
      let op: SetOperator;
      if (this.eatKw(Kw.UNION)) {
        if (this.eatKw(Kw.ALL)) op = 'UNION ALL';
        else {
          this.eatKw(Kw.DISTINCT);
          op = 'UNION DISTINCT';
        }
      } else if (this.eatKw(Kw.INTERSECT)) {
        if (this.isKw(Kw.ALL)) this.unsupported('INTERSECT ALL');
        op = this.eatKw(Kw.DISTINCT) ? 'INTERSECT DISTINCT' : 'INTERSECT';
      } else {
        this.i++;
        if (this.isKw(Kw.ALL) || this.isKw(Kw.DISTINCT)) this.unsupported(`EXCEPT ${this.text(this.i).toUpperCase()}`);
        op = 'EXCEPT';
      }
      if (this.isKw(Kw.BY)) this.unsupported(`${op} BY NAME`);
      const select_query = this.selectOperand();
      subsequent.push({ node: 'SelectSetNode', select_query, set_operator: op, start: this.start[opStart]!, end: this.prevEnd() });
    }
    return { node: 'SelectSetQuery', initial_select_query: first, subsequent_select_queries: subsequent, start: s, end: this.prevEnd() };
  }

  /** One operand of a set operation: a SELECT, `(query)`, or `WITH … (query)`. */
  private selectOperand(): SelectQuery | SelectSetQuery {
    const k = this.k();
    if (k === Tok.LParen) {
      this.i++;
      const q = this.selectSet();
      this.expect(Tok.RParen, "')' to close the subquery");
      return q;
    }
    const w = this.w();
    if (w === Kw.WITH) {
      const t = this.i;
      const ctes = this.withClause();
      if (this.k() === Tok.LParen) {
        // `WITH x AS (…) (SELECT …)`: the CTEs belong to the first SELECT inside.
        this.i++;
        const q = this.selectSet();
        this.expect(Tok.RParen, "')' to close the subquery");
        let target: SelectQuery | SelectSetQuery = q;
        while (target.node === 'SelectSetQuery') target = target.initial_select_query;
        target.ctes = [...ctes, ...(target.ctes ?? [])];
        return q;
      }
      return this.selectStmt(ctes, t);
    }
    if (w === Kw.SELECT) return this.selectStmt(null, this.i);
    if (k === Tok.LBrace) this.unsupported('a placeholder in place of a SELECT query');
    if (k === Tok.Lt) this.unsupported('HogQLX tags');
    return this.fail('SELECT');
  }

  private withClause(): CTE[] {
    this.i++; // WITH
    if (this.isKw(Kw.RECURSIVE)) this.unsupported('WITH RECURSIVE');
    const ctes: CTE[] = [];
    for (;;) {
      ctes.push(this.cte());
      if (this.k() !== Tok.Comma) break;
      this.i++;
      if (this.isKw(Kw.SELECT) || this.k() === Tok.LParen) break; // trailing comma
    }
    return ctes;
  }

  private cte(): CTE {
    const t = this.i;
    if (this.isIdent() && this.k(1) === Tok.LParen) {
      const close = this.matchingParen(t + 1);
      if (close > 0 && this.kw[close + 1] === Kw.AS && (this.kind[close + 2] === Tok.LParen || this.kw[close + 2] === Kw.MATERIALIZED || this.kw[close + 2] === Kw.NOT)) {
        this.unsupported('column lists on CTEs (WITH name (a, b) AS …)', 'alias the columns inside the subquery', t + 1, this.end[close]);
      }
    }
    if (this.isIdent() && this.isKw(Kw.AS, 1) && (this.k(2) === Tok.LParen || this.isKw(Kw.MATERIALIZED, 2) || (this.isKw(Kw.NOT, 2) && this.isKw(Kw.MATERIALIZED, 3)))) {
      const name = this.identName(this.i);
      this.i += 2;
      let materialized: boolean | null = null;
      if (this.eatKw(Kw.NOT)) {
        this.i++;
        materialized = false;
      } else if (this.eatKw(Kw.MATERIALIZED)) materialized = true;
      this.expect(Tok.LParen, "'(' before the CTE's query");
      if (!this.startsSelect() && this.k() !== Tok.LParen) this.fail('a SELECT query in the CTE');
      const expr = this.selectSet();
      this.expect(Tok.RParen, "')' to close the CTE's query");
      const c: CTE = { node: 'CTE', name, expr, cte_type: 'subquery', start: this.start[t]!, end: this.prevEnd() };
      if (materialized !== null) c.materialized = materialized;
      return c;
    }
    // `WITH <expr> AS name`: the alias the expression parser builds names the CTE.
    const e = this.expr(0);
    if (e.node !== 'Alias') this.fail("'AS name' for the WITH expression");
    return { node: 'CTE', name: e.alias, expr: e.expr, cte_type: 'column', start: e.start, end: e.end };
  }

  private selectStmt(ctes: CTE[] | null, t: number): SelectQuery {
    this.expectKw(Kw.SELECT, 'SELECT');
    const q: SelectQuery = { node: 'SelectQuery', select: [], start: this.start[t]!, end: 0 };
    if (ctes) q.ctes = ctes;
    if (this.isKw(Kw.DISTINCT) && this.k(1) !== Tok.EOF && this.k(1) !== Tok.Comma && this.k(1) !== Tok.RParen) {
      if (this.isKw(Kw.ON, 1) && this.k(2) === Tok.LParen) this.unsupported('SELECT DISTINCT ON (…)');
      this.i++;
      q.distinct = true;
    }
    if (this.isKw(Kw.TOP) && this.k(1) === Tok.Int) this.unsupported('SELECT TOP n', 'use LIMIT n');
    q.select = this.selectColumns();
    if (this.eatKw(Kw.FROM)) q.select_from = this.joinExpr();
    if ((this.isKw(Kw.LEFT) || this.isKw(Kw.INNER)) && this.isKw(Kw.ARRAY, 1) && this.isKw(Kw.JOIN, 2)) {
      q.array_join_op = this.isKw(Kw.LEFT) ? 'LEFT ARRAY JOIN' : 'INNER ARRAY JOIN';
      this.i += 3;
      q.array_join_list = this.arrayJoinList();
    } else if (this.isKw(Kw.ARRAY) && this.isKw(Kw.JOIN, 1)) {
      q.array_join_op = 'ARRAY JOIN';
      this.i += 2;
      q.array_join_list = this.arrayJoinList();
    }
    if (this.eatKw(Kw.PREWHERE)) q.prewhere = this.expr(0);
    if (this.eatKw(Kw.WHERE)) q.where = this.expr(0);
    if (this.isKw(Kw.GROUP) && this.isKw(Kw.BY, 1)) {
      this.i += 2;
      const w = this.w();
      if (w === Kw.ALL && this.k(1) !== Tok.LParen && this.k(1) !== Tok.Dot) {
        this.i++;
        q.group_by_mode = 'all';
      } else if ((w === Kw.ROLLUP || w === Kw.CUBE) && this.k(1) === Tok.LParen) {
        this.i += 2;
        q.group_by = this.exprList(Tok.RParen, "')'");
        q.group_by_mode = w === Kw.ROLLUP ? 'rollup' : 'cube';
      } else if (w === Kw.GROUPING && this.text(this.i + 1).toLowerCase() === 'sets') {
        this.unsupported('GROUPING SETS');
      } else {
        q.group_by = this.listUntilClause();
      }
    }
    // GROUP BY … WITH ROLLUP | WITH CUBE | WITH TOTALS (the reference parses and drops these).
    while (this.isKw(Kw.WITH) && (this.isKw(Kw.ROLLUP, 1) || this.isKw(Kw.CUBE, 1) || this.isKw(Kw.TOTALS, 1))) {
      const mode = this.isKw(Kw.ROLLUP, 1) ? 'rollup' : this.isKw(Kw.CUBE, 1) ? 'cube' : 'totals';
      if (q.group_by_mode) this.unsupported(`combining GROUP BY modifiers (${q.group_by_mode} and WITH ${mode.toUpperCase()})`, '', this.i, this.end[this.i + 1]);
      q.group_by_mode = mode;
      this.i += 2;
    }
    if (this.eatKw(Kw.HAVING)) q.having = this.expr(0);
    if (this.eatKw(Kw.QUALIFY)) q.qualify = this.expr(0);
    if (this.eatKw(Kw.WINDOW)) {
      const windows: Record<string, WindowExpr> = {};
      do {
        const name = this.ident('a window name');
        this.expectKw(Kw.AS, 'AS');
        const open = this.i;
        this.expect(Tok.LParen, "'(' to open the window definition");
        windows[name] = this.windowExpr(open);
        this.expect(Tok.RParen, "')' to close the window definition");
      } while (this.k() === Tok.Comma && ++this.i);
      q.window_exprs = windows;
    }
    if (this.isKw(Kw.ORDER) && this.isKw(Kw.BY, 1)) {
      this.i += 2;
      q.order_by = this.orderList();
    }
    const quirkEnd = this.limitClauses(q);
    if (this.isKw(Kw.SETTINGS)) this.unsupported('SETTINGS');
    q.end = this.prevEnd();
    if (quirkEnd >= 0) this.offsetQuirk.set(q, quirkEnd);
    return q;
  }

  /** Parses LIMIT … BY, LIMIT/OFFSET; returns the select's end offset when the reference's quirk applies, else -1. */
  private limitClauses(q: SelectQuery): number {
    let quirkEnd = -1;
    while (this.isKw(Kw.LIMIT)) {
      const t = this.i++;
      const a = this.expr(0);
      let n = a;
      let offset: Expr | null = null;
      let offsetForm = false;
      let commaForm = false;
      if (this.k() === Tok.Comma) {
        // LIMIT m, n: skip m rows, return n (ClickHouse's meaning; PostHog reads plain LIMIT m, n as
        // LIMIT m OFFSET n, which is swapped below for compatibility)
        this.i++;
        n = this.expr(0);
        offset = a;
        commaForm = true;
      } else if (this.isKw(Kw.OFFSET)) {
        this.i++;
        offset = this.expr(0);
        offsetForm = true;
      }
      if (this.isKw(Kw.BY)) {
        if (q.limit_by) this.fail('LIMIT without BY (only one LIMIT … BY is allowed)', t);
        this.i++;
        const exprs = this.listUntilClause();
        const lb: LimitByExpr = { node: 'LimitByExpr', n, exprs, start: this.start[t]!, end: this.prevEnd() };
        if (offset) lb.offset_value = offset;
        q.limit_by = lb;
        continue;
      }
      if (commaForm) [n, offset] = [a, n];
      q.limit = n;
      if (offset) q.offset = offset;
      // The reference ends a query with `LIMIT n OFFSET m` at n (not m); we keep its positions.
      if (offsetForm) quirkEnd = this.end[this.indexBefore(Kw.OFFSET)]!;
      if (!offsetForm && this.isKw(Kw.WITH) && this.isKw(Kw.TIES, 1)) {
        this.i += 2;
        q.limit_with_ties = true;
      }
      if (!offsetForm && !offset && this.isKw(Kw.OFFSET)) {
        quirkEnd = this.prevEnd();
        this.i++;
        q.offset = this.expr(0);
      }
      break;
    }
    if (!q.offset && this.isKw(Kw.OFFSET)) {
      this.i++;
      q.offset = this.expr(0);
      quirkEnd = -1;
    }
    return quirkEnd;
  }

  /** Index of the token just before the last `kw` keyword consumed so far. */
  private indexBefore(kw: Kw): number {
    let j = this.i - 1;
    while (j > 0 && this.kw[j] !== kw) j--;
    return j - 1;
  }

  private selectColumns(): Expr[] {
    const out: Expr[] = [];
    for (;;) {
      if (this.isKw(Kw.FROM)) this.fail('a column expression');
      out.push(this.selectColumn());
      if (this.k() !== Tok.Comma) break;
      this.i++;
      if (this.listEndsAfterComma()) break;
    }
    return out;
  }

  /**
   * After a comma in an expression list: does the list end here (trailing comma, `SELECT a, FROM t`)?
   * True before a closing bracket, the end, or a keyword that starts the next clause.
   */
  private listEndsAfterComma(): boolean {
    const k = this.k();
    if (k === Tok.EOF || k === Tok.RParen || k === Tok.Semicolon) return true;
    switch (this.w()) {
      case Kw.FROM:
      case Kw.WHERE:
      case Kw.PREWHERE:
      case Kw.HAVING:
      case Kw.QUALIFY:
      case Kw.UNION:
      case Kw.EXCEPT:
      case Kw.INTERSECT:
      case Kw.SETTINGS:
      case Kw.JOIN:
        return true;
      case Kw.GROUP:
      case Kw.ORDER:
      case Kw.PARTITION:
        return this.isKw(Kw.BY, 1);
      case Kw.ROWS:
      case Kw.RANGE:
        return this.isKw(Kw.BETWEEN, 1) || this.isKw(Kw.UNBOUNDED, 1) || this.isKw(Kw.CURRENT, 1) || this.k(1) === Tok.Int;
      case Kw.WITH:
        return this.isKw(Kw.ROLLUP, 1) || this.isKw(Kw.CUBE, 1) || this.isKw(Kw.TOTALS, 1) || this.isKw(Kw.TIES, 1);
      case Kw.ARRAY:
      case Kw.CROSS:
        return this.isKw(Kw.JOIN, 1);
      case Kw.LEFT:
      case Kw.RIGHT:
      case Kw.INNER:
      case Kw.FULL:
        return this.isKw(Kw.JOIN, 1) || this.isKw(Kw.OUTER, 1) || this.isKw(Kw.ARRAY, 1) || this.isKw(Kw.ANY, 1) || this.isKw(Kw.ALL, 1) || this.isKw(Kw.SEMI, 1) || this.isKw(Kw.ANTI, 1) || this.isKw(Kw.ASOF, 1);
      case Kw.LIMIT:
      case Kw.OFFSET:
      case Kw.WINDOW:
        return this.k(1) !== Tok.Comma && this.k(1) !== Tok.RParen && this.k(1) !== Tok.EOF;
      default:
        return false;
    }
  }

  private selectColumn(): Expr {
    const t = this.i;
    // `name: expr` names a column up front.
    if (this.k(1) === Tok.Colon && this.isIdent()) {
      const alias = this.identName(this.i);
      this.i += 2;
      const expr = this.expr(0);
      return { node: 'Alias', alias, expr, start: this.start[t]!, end: this.prevEnd() };
    }
    const expr = this.expr(0);
    if (this.isImplicitAlias()) {
      const alias = this.identName(this.i++);
      return { node: 'Alias', alias, expr, start: this.start[t]!, end: this.prevEnd() };
    }
    return expr;
  }

  /** `SELECT expr name` (no AS): a plain identifier or one of a few non-reserved keywords. */
  private isImplicitAlias(): boolean {
    if (this.isPlainIdent()) return true;
    if (this.k() !== Tok.Ident) return false;
    switch (this.w()) {
      case Kw.ASC:
      case Kw.ASCENDING:
      case Kw.COHORT:
      case Kw.DATE:
      case Kw.DESCENDING:
      case Kw.FINAL:
      case Kw.ID:
      case Kw.RETURN:
      case Kw.TOP:
      case Kw.TOTALS:
        return true;
      default:
        return false;
    }
  }

  private arrayJoinList(): Expr[] {
    const list = this.listUntilClause();
    for (const e of list) {
      if (e.node !== 'Alias') throw syntaxError(this.src, 'ARRAY JOIN arrays must have an alias (… AS name)', e.start!, e.end);
    }
    return list;
  }

  // ---------------------------------------------------------------- FROM / JOIN

  /** FROM clause: tables joined into a linked list through `next_join`. */
  private joinExpr(): JoinExpr {
    this.enter();
    const head = this.joinOperand();
    const chain: JoinChain = { join: head.join, last: head.last };
    let joins = this.depth;
    for (;;) {
      let joinType: string;
      if (this.k() === Tok.Comma) {
        this.i++;
        joinType = 'CROSS JOIN';
      } else if (this.isKw(Kw.CROSS) && this.isKw(Kw.JOIN, 1)) {
        this.i += 2;
        joinType = 'CROSS JOIN';
      } else {
        const op = this.joinOperator();
        if (op === null) break;
        joinType = op;
      }
      const right = this.joinOperand();
      right.join.join_type = joinType;
      if (joinType !== 'CROSS JOIN') {
        const c = this.joinConstraint();
        if (c) right.join.constraint = c;
      }
      chain.last.next_join = right.join;
      chain.last = right.last;
      if (++joins > MAX_NESTING_DEPTH) this.tooDeep(); // next_join is a linked list walked recursively
    }
    this.depth--;
    return chain.join;
  }

  /** `[INNER|LEFT|RIGHT|FULL] [OUTER] [ANY|ALL|ASOF|SEMI|ANTI] JOIN` → the reference's join_type string, or null. */
  private joinOperator(): string | null {
    const save = this.i;
    let side: string | null = null;
    let outer = false;
    let inner = false;
    let strictness: string | null = null;
    for (;;) {
      const w = this.w();
      if (w === Kw.JOIN) break;
      if ((w === Kw.LEFT || w === Kw.RIGHT || w === Kw.FULL) && side === null && !inner) side = this.text(this.i).toUpperCase();
      else if (w === Kw.INNER && side === null && !inner) inner = true;
      else if (w === Kw.OUTER && side !== null && !outer) outer = true;
      else if ((w === Kw.ANY || w === Kw.ALL || w === Kw.ASOF || w === Kw.SEMI || w === Kw.ANTI) && strictness === null) {
        strictness = this.text(this.i).toUpperCase();
      } else if ((w === Kw.NATURAL || w === Kw.POSITIONAL) && this.i === save) {
        this.unsupported(`${this.text(this.i).toUpperCase()} JOIN`);
      } else {
        this.i = save;
        return null;
      }
      this.i++;
    }
    if (this.i === save && !this.isKw(Kw.JOIN)) return null;
    this.i++; // JOIN
    const parts: string[] = [];
    if (side) {
      parts.push(side);
      if (outer) parts.push('OUTER');
      if (strictness) parts.push(strictness);
    } else {
      if (strictness) parts.push(strictness);
      if (inner) parts.push('INNER');
    }
    parts.push('JOIN');
    return parts.join(' ');
  }

  private joinConstraint(): JoinConstraint | null {
    const t = this.i;
    let type: 'ON' | 'USING';
    if (this.eatKw(Kw.ON)) type = 'ON';
    else if (this.eatKw(Kw.USING)) type = 'USING';
    else return null;
    let list: Expr[];
    if (type === 'USING' && this.k() === Tok.LParen && this.k(1) !== Tok.RParen) {
      // `USING (a, b)`; a comma after the ')' starts a cross join, as in the reference.
      this.i++;
      list = this.exprList(Tok.RParen, "')'");
    } else {
      list = this.listUntilClause();
    }
    if (list.length > 1 && type === 'ON') {
      throw syntaxError(this.src, 'JOIN … ON with several comma-separated conditions is not supported (combine them with AND)', this.start[t]!, this.prevEnd());
    }
    const expr: Expr = list.length === 1 ? list[0]! : { node: 'Tuple', exprs: list, start: this.start[t + 1]!, end: this.prevEnd() };
    return { node: 'JoinConstraint', expr, constraint_type: type, start: this.start[t]!, end: this.prevEnd() };
  }

  /** One side of a join: a table (with alias, FINAL, SAMPLE) or a parenthesized join. */
  private joinOperand(): JoinChain {
    if (this.k() === Tok.LParen) {
      let j = this.i;
      while (this.kind[j] === Tok.LParen) j++;
      const w = this.kind[j] === Tok.Ident ? this.kw[j] : Kw.None;
      if (w !== Kw.SELECT && w !== Kw.WITH) {
        this.i++;
        const inner = this.joinExpr();
        this.expect(Tok.RParen, "')' to close the parenthesized join");
        let last = inner;
        while (last.next_join) last = last.next_join;
        return { join: inner, last };
      }
    }
    const join = this.joinTable();
    return { join, last: join };
  }

  private joinTable(): JoinExpr {
    const t = this.i;
    const join: JoinExpr = { node: 'JoinExpr', start: this.start[t]!, end: 0 };
    let isFunction = false;
    const k = this.k();
    if (k === Tok.LParen) {
      this.i++;
      join.table = this.selectSet();
      this.expect(Tok.RParen, "')' to close the subquery");
    } else if (k === Tok.LBrace) {
      this.i++;
      const expr = this.expr(0);
      this.expect(Tok.RBrace, "'}' to close the placeholder");
      join.table = { node: 'Placeholder', expr, start: this.start[t]!, end: this.prevEnd() };
    } else if (this.isIdent()) {
      if (this.k(1) === Tok.LParen) {
        // table function: numbers(10), s3(…)
        const name = this.identName(this.i);
        this.i += 2;
        join.table = { node: 'Field', chain: [name], start: this.start[t]!, end: this.end[t]! };
        join.table_args = this.exprList(Tok.RParen, "')'");
        isFunction = true;
      } else {
        const chain: string[] = [this.identName(this.i++)];
        while (this.k() === Tok.Dot && this.isIdent(1)) {
          chain.push(this.identName(this.i + 1));
          this.i += 2;
        }
        join.table = { node: 'Field', chain, start: this.start[t]!, end: this.prevEnd() };
      }
    } else if (k === Tok.Lt) {
      this.unsupported('HogQLX tags');
    } else {
      this.fail('a table name, table function or subquery');
    }
    const tableEnd = this.prevEnd();
    let aliasEnd = -1;
    if (this.isKw(Kw.AS)) {
      this.i++;
      join.alias = this.ident('an alias name');
      aliasEnd = this.prevEnd();
    } else if (this.isPlainIdent() || this.isKw(Kw.DATE) || this.isKw(Kw.FIRST) || this.isKw(Kw.ID) || this.isKw(Kw.KEY)) {
      join.alias = this.identName(this.i++);
      aliasEnd = this.prevEnd();
    }
    if (aliasEnd >= 0 && this.k() === Tok.LParen) this.unsupported('column aliases on a table (AS x (a, b))');
    if (this.eatKw(Kw.FINAL)) join.table_final = true;
    if (this.isKw(Kw.SAMPLE)) join.sample = this.sampleClause();
    // Spans as in the reference: a table function covers just the call, an aliased table ends at the
    // alias, anything else covers FINAL and SAMPLE too.
    join.end = isFunction ? tableEnd : aliasEnd >= 0 ? aliasEnd : this.prevEnd();
    return join;
  }

  private sampleClause(): SampleExpr {
    const t = this.i++;
    const sample_value = this.ratioExpr();
    const s: SampleExpr = { node: 'SampleExpr', sample_value, start: this.start[t]!, end: 0 };
    if (this.eatKw(Kw.OFFSET)) s.offset_value = this.ratioExpr();
    s.end = this.prevEnd();
    return s;
  }

  private ratioExpr(): RatioExpr {
    const t = this.i;
    const left = this.ratioNumber();
    const r: RatioExpr = { node: 'RatioExpr', left, start: this.start[t]!, end: 0 };
    if (this.k() === Tok.Slash) {
      this.i++;
      r.right = this.ratioNumber();
    }
    r.end = this.prevEnd();
    return r;
  }

  private ratioNumber(): Constant {
    const t = this.i;
    let sign: '' | '-' | '+' = '';
    if (this.k() === Tok.Dash || this.k() === Tok.Plus) {
      sign = this.k() === Tok.Dash ? '-' : '+';
      this.i++;
    }
    const k = this.k();
    if (k === Tok.Int || k === Tok.Float || k === Tok.Hex || k === Tok.Bin || (k === Tok.Dot && this.k(1) === Tok.Int)) return this.numberLiteral(t, sign);
    if (k === Tok.LBrace) this.unsupported('a placeholder in SAMPLE');
    return this.fail('a number in SAMPLE');
  }
}

/** Operators that can only follow an operand (so a NOT before them must be a column name). */
function isBinaryOnly(k: Tok): boolean {
  switch (k) {
    case Tok.Slash:
    case Tok.Percent:
    case Tok.Eq:
    case Tok.EqEq:
    case Tok.NotEq:
    case Tok.Lt:
    case Tok.LtEq:
    case Tok.Gt:
    case Tok.GtEq:
    case Tok.Concat:
    case Tok.Nullish:
    case Tok.RegexDouble:
    case Tok.IRegexDouble:
    case Tok.NotRegex:
    case Tok.NotIRegex:
    case Tok.Regex:
    case Tok.IRegex:
    case Tok.DoubleColon:
    case Tok.Query:
      return true;
    default:
      return false;
  }
}

function truncate(s: string): string {
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}

function isCall(e: Expr, name: string): e is Call {
  return e.node === 'Call' && e.name === name;
}

function compareOp(k: Tok): CompareOp {
  switch (k) {
    case Tok.Eq:
    case Tok.EqEq:
      return '==';
    case Tok.NotEq:
      return '!=';
    case Tok.Lt:
      return '<';
    case Tok.LtEq:
      return '<=';
    case Tok.Gt:
      return '>';
    case Tok.GtEq:
      return '>=';
    case Tok.Regex:
    case Tok.RegexDouble:
      return '=~';
    case Tok.IRegex:
    case Tok.IRegexDouble:
      return '=~*';
    case Tok.NotRegex:
      return '!~';
    default:
      return '!~*';
  }
}

/** `0x1.8p1` → 3 */
function hexFloat(literal: string): number {
  const m = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(literal);
  if (!m) return NaN;
  const frac = m[2] ?? '';
  const mantissa = parseInt((m[1] ?? '') + frac || '0', 16);
  return mantissa * Math.pow(2, Number(m[3]) - 4 * frac.length);
}

/** Parses a SELECT query (optionally combined with UNION ALL etc.); one trailing `;` is allowed. */
export function parseSelect(text: string): SelectQuery | SelectSetQuery {
  return new Parser(text).parseSelectStatement();
}

/** Parses a single HogQL expression. */
export function parseExpr(text: string): Expr {
  return new Parser(text).parseExpression();
}

/** Parses one ORDER BY item: `expr [ASC|DESC] [NULLS FIRST|LAST]`. */
export function parseOrderExpr(text: string): OrderExpr {
  return new Parser(text).parseOrderExpression();
}

