/**
 * Hand-written HogQL tokenizer. Token rules follow PostHog's HogQL lexer (the ANTLR grammar behind
 * `@posthog/hogql-parser`): keywords are case-insensitive identifiers, `1.5` is left to the parser
 * (so `t.1.2` stays a tuple access), `#` starts a comment unless a digit follows, and f-strings
 * switch into a template mode with `{…}` holes that nest like normal braces.
 *
 * Tokens are stored in parallel arrays (kind, start, end, keyword id) rather than objects: a query is
 * tokenized once up front and the parser only ever indexes into these arrays.
 */
import { HogQLError } from './ast.js';

export enum Tok {
  EOF,
  Ident, // unquoted identifier or keyword (see `kw`)
  QuotedIdent, // `x` or "x"
  Int, // decimal digits (a leading 0 does not mean octal)
  Hex, // 0x1F
  Bin, // 0b101
  Float, // only the exponent forms: 1e5, 1.5e3, .5e3, 0x1p3 (plain 1.5 is Int Dot Int)
  String, // 'x'
  FStart, // f'  (template string start)
  FText, // literal text inside a template string
  FHole, // `{` opening an expression hole inside a template string
  FEnd, // closing ' of a template string
  Arrow, // ->
  Star,
  DoubleColon, // ::
  ColonEquals, // :=
  Colon,
  Comma,
  Concat, // ||
  Dash,
  Dot,
  EqEq, // ==
  Eq, // =
  GtEq,
  Gt,
  Hash, // # followed by a digit (positional reference)
  IRegex, // ~*
  IRegexDouble, // =~*
  LBrace,
  LBracket,
  LParen,
  NullSafeEq, // <=>
  LtEq,
  Lt,
  NotEq, // != or <>
  NotIRegex, // !~*
  NotRegex, // !~
  NullProperty, // ?.
  Nullish, // ??
  Percent,
  Plus,
  Query, // ?
  Regex, // ~
  RegexDouble, // =~
  RBrace,
  RBracket,
  RParen,
  Semicolon,
  Slash,
}

/** Keyword ids. Only keywords the parser looks at (plus the reserved ones) get an id. */
export enum Kw {
  None,
  ALL,
  AND,
  ANTI,
  ANY,
  ARRAY,
  AS,
  ASC,
  ASCENDING,
  ASOF,
  BETWEEN,
  BOTH,
  BY,
  CASE,
  CAST,
  COHORT,
  COLLATE,
  COLUMNS,
  CROSS,
  CUBE,
  CURRENT,
  DATE,
  DAY,
  DESC,
  DESCENDING,
  DISTINCT,
  ELSE,
  END,
  EXCLUDE,
  FALSE,
  FILL,
  FILTER,
  FINAL,
  FIRST,
  FOLLOWING,
  FROM,
  FULL,
  GROUP,
  GROUPING,
  HAVING,
  HOUR,
  ID,
  IGNORE,
  ILIKE,
  IN,
  INNER,
  INTERPOLATE,
  INTERVAL,
  IS,
  JOIN,
  KEY,
  LAMBDA,
  LAST,
  LEADING,
  LEFT,
  LIKE,
  LIMIT,
  MINUTE,
  MONTH,
  NATURAL,
  NOT,
  NULLS,
  OFFSET,
  ON,
  OR,
  ORDER,
  OUTER,
  OVER,
  PARTITION,
  PIVOT,
  POSITIONAL,
  PRECEDING,
  PREWHERE,
  QUALIFY,
  QUARTER,
  RANGE,
  RECURSIVE,
  REPLACE,
  RETURN,
  RIGHT,
  ROLLUP,
  ROW,
  ROWS,
  SAMPLE,
  SECOND,
  SELECT,
  SEMI,
  SETTINGS,
  SUBSTRING,
  THEN,
  TIES,
  TIMESTAMP,
  TOP,
  TOTALS,
  TRAILING,
  TRIM,
  TRUE,
  TRY_CAST,
  UNBOUNDED,
  UNION,
  UNPIVOT,
  USING,
  VALUES,
  WEEK,
  WHEN,
  WHERE,
  WINDOW,
  WITH,
  YEAR,
  // Reserved: keywords of the grammar that can never be identifiers.
  NULL,
  INF,
  NAN,
  EXCEPT,
  INTERSECT,
  MATERIALIZED,
  CATCH,
  FINALLY,
  FN,
  FUN,
  LET,
  THROW,
  TRY,
  WHILE,
  WITHIN,
}

const KEYWORDS = new Map<string, Kw>();
for (const [name, id] of Object.entries(Kw)) {
  if (typeof id === 'number' && id !== Kw.None) KEYWORDS.set(name.toLowerCase(), id);
}
// Spelling variants that map to the same keyword.
KEYWORDS.set('infinity', Kw.INF);
KEYWORDS.set('yyyy', Kw.YEAR);
const LONGEST_KEYWORD = Math.max(...[...KEYWORDS.keys()].map((k) => k.length));

/** Keywords that PostHog's grammar never accepts as identifiers. */
export function isReservedKeyword(kw: Kw): boolean {
  return kw >= Kw.NULL;
}

export interface Tokens {
  readonly src: string;
  readonly count: number;
  readonly kind: Tok[];
  readonly start: number[];
  readonly end: number[];
  readonly kw: Kw[];
}

/** 1-based line and column of an offset, for error messages. */
export function lineCol(src: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < src.length; i++) {
    if (src.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

export function syntaxError(src: string, message: string, start: number, end = start): HogQLError {
  const { line, column } = lineCol(src, start);
  return new HogQLError('syntax', `Syntax error at line ${line}, column ${column}: ${message}`, start, end);
}

// Character classes, indexed by char code (ASCII only; everything else is handled explicitly).
const IDENT_START = new Uint8Array(128);
const IDENT_PART = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  const letter = /[a-zA-Z_$]/.test(ch);
  IDENT_START[c] = letter ? 1 : 0;
  IDENT_PART[c] = letter || (c >= 48 && c <= 57) ? 1 : 0;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Whitespace as PostHog's lexer defines it: ASCII blanks plus the Unicode White_Space set and the BOM. */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

const enum Mode {
  Default,
  Template,
}

/**
 * Letters accepted after a backslash in quoted text: b f r n t 0 a v and \ (plus \xHH and the quote,
 * checked separately). Like PostHog's lexer we accept the upper-case letters too; only the lower-case
 * ones are decoded, the others stay verbatim (see unquote).
 */
function isEscapeChar(c: number): boolean {
  const lower = c | 0x20;
  return c === 48 || c === 92 || lower === 98 || lower === 102 || lower === 114 || lower === 110 || lower === 116 || lower === 97 || lower === 118;
}

export function tokenize(src: string): Tokens {
  const kind: Tok[] = [];
  const start: number[] = [];
  const end: number[] = [];
  const kw: Kw[] = [];
  const n = src.length;
  // Each `{` pushes the default mode and each `}` pops, so `}` can return into a template string.
  const modes: Mode[] = [];
  let mode = Mode.Default;
  let i = 0;

  const push = (k: Tok, s: number, e: number, w: Kw = Kw.None) => {
    kind.push(k);
    start.push(s);
    end.push(e);
    kw.push(w);
  };
  const fail = (message: string, at: number, to = at + 1): never => {
    throw syntaxError(src, message, at, to);
  };

  /** Scans quoted text starting after the opening quote; returns the index after the closing quote. */
  const scanQuoted = (from: number, quote: number, what: string): number => {
    let j = from;
    for (;;) {
      if (j >= n) fail(`unterminated ${what}`, from - 1, n);
      const c = src.charCodeAt(j);
      if (c === quote) {
        if (src.charCodeAt(j + 1) === quote) {
          j += 2;
          continue;
        }
        return j + 1;
      }
      if (c === 92) {
        const d = src.charCodeAt(j + 1);
        if (isEscapeChar(d) || (d === quote && quote !== 96) || (d === 39 && quote === 96)) j += 2;
        else if ((d === 120 || d === 88) && isHexDigit(src.charCodeAt(j + 2)) && isHexDigit(src.charCodeAt(j + 3))) j += 4;
        else fail(`invalid escape sequence in ${what}`, j, j + 2);
        continue;
      }
      j++;
    }
  };

  /** Scans template text up to (not including) an unescaped `{` or the closing quote. */
  const scanTemplateText = (from: number): number => {
    let j = from;
    while (j < n) {
      const c = src.charCodeAt(j);
      if (c === 123) return j;
      if (c === 39) {
        if (src.charCodeAt(j + 1) === 39) {
          j += 2;
          continue;
        }
        return j;
      }
      if (c === 92) {
        const d = src.charCodeAt(j + 1);
        if (isEscapeChar(d) || d === 39 || d === 123) j += 2;
        else if ((d === 120 || d === 88) && isHexDigit(src.charCodeAt(j + 2)) && isHexDigit(src.charCodeAt(j + 3))) j += 4;
        else fail('invalid escape sequence in template string', j, j + 2);
        continue;
      }
      j++;
    }
    return j;
  };

  while (i < n) {
    if (mode === Mode.Template) {
      const textEnd = scanTemplateText(i);
      if (textEnd > i) push(Tok.FText, i, textEnd);
      i = textEnd;
      if (i >= n) fail('unterminated template string', i, n);
      if (src.charCodeAt(i) === 123) {
        push(Tok.FHole, i, i + 1);
        modes.push(Mode.Template);
        mode = Mode.Default;
      } else {
        push(Tok.FEnd, i, i + 1);
        mode = modes.pop() ?? Mode.Default;
      }
      i++;
      continue;
    }

    const c = src.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const s = i;

    if (c < 128 && IDENT_START[c] === 1) {
      // `f'…'` opens a template string; `F'` is PostHog's full-template mode, not part of HogQL expressions.
      if ((c === 102 || c === 70) && src.charCodeAt(i + 1) === 39) {
        if (c === 70) fail("full template strings (F'…') are not supported", i, i + 2);
        push(Tok.FStart, i, i + 2);
        modes.push(mode);
        mode = Mode.Template;
        i += 2;
        continue;
      }
      i++;
      while (i < n) {
        const d = src.charCodeAt(i);
        if (d < 128 && IDENT_PART[d] === 1) i++;
        else break;
      }
      let word = Kw.None;
      if (i - s <= LONGEST_KEYWORD) word = KEYWORDS.get(src.slice(s, i).toLowerCase()) ?? Kw.None;
      push(Tok.Ident, s, i, word);
      continue;
    }

    if (isDigit(c)) {
      i = scanNumber(src, i, push);
      continue;
    }

    const c1 = src.charCodeAt(i + 1);
    switch (c) {
      case 39: // '
        i = scanQuoted(i + 1, 39, 'string');
        push(Tok.String, s, i);
        continue;
      case 96: // `
        i = scanQuoted(i + 1, 96, 'quoted identifier');
        push(Tok.QuotedIdent, s, i);
        continue;
      case 34: // "
        i = scanQuoted(i + 1, 34, 'quoted identifier');
        push(Tok.QuotedIdent, s, i);
        continue;
      case 45: // -
        if (c1 === 45) {
          i = skipLine(src, i);
          continue;
        }
        if (c1 === 62) {
          push(Tok.Arrow, s, (i += 2));
          continue;
        }
        push(Tok.Dash, s, ++i);
        continue;
      case 47: // /
        if (c1 === 47) {
          i = skipLine(src, i);
          continue;
        }
        if (c1 === 42) {
          const close = src.indexOf('*/', i + 2);
          if (close < 0) fail('unterminated comment', i, n);
          i = close + 2;
          continue;
        }
        push(Tok.Slash, s, ++i);
        continue;
      case 35: // #
        if (isDigit(c1)) {
          push(Tok.Hash, s, ++i);
          continue;
        }
        i = skipLine(src, i);
        continue;
      case 46: // .
        if (isDigit(c1)) {
          // `.5e3` is a single float token; `.5` is Dot Int, composed by the parser.
          const j = scanExponent(src, skipDigits(src, i + 1));
          if (j > 0) {
            push(Tok.Float, s, (i = j));
            continue;
          }
        }
        push(Tok.Dot, s, ++i);
        continue;
      case 42:
        push(Tok.Star, s, ++i);
        continue;
      case 58: // :
        if (c1 === 58) push(Tok.DoubleColon, s, (i += 2));
        else if (c1 === 61) push(Tok.ColonEquals, s, (i += 2));
        else push(Tok.Colon, s, ++i);
        continue;
      case 44:
        push(Tok.Comma, s, ++i);
        continue;
      case 124: // |
        if (c1 === 124) {
          push(Tok.Concat, s, (i += 2));
          continue;
        }
        break;
      case 61: // =
        if (c1 === 61) push(Tok.EqEq, s, (i += 2));
        else if (c1 === 126) {
          if (src.charCodeAt(i + 2) === 42) push(Tok.IRegexDouble, s, (i += 3));
          else push(Tok.RegexDouble, s, (i += 2));
        } else push(Tok.Eq, s, ++i);
        continue;
      case 62: // >
        if (c1 === 61) push(Tok.GtEq, s, (i += 2));
        else push(Tok.Gt, s, ++i);
        continue;
      case 60: // <
        if (c1 === 61) {
          if (src.charCodeAt(i + 2) === 62) push(Tok.NullSafeEq, s, (i += 3));
          else push(Tok.LtEq, s, (i += 2));
        } else if (c1 === 62) push(Tok.NotEq, s, (i += 2));
        else push(Tok.Lt, s, ++i);
        continue;
      case 33: // !
        if (c1 === 61) {
          push(Tok.NotEq, s, (i += 2));
          continue;
        }
        if (c1 === 126) {
          if (src.charCodeAt(i + 2) === 42) push(Tok.NotIRegex, s, (i += 3));
          else push(Tok.NotRegex, s, (i += 2));
          continue;
        }
        break;
      case 126: // ~
        if (c1 === 42) push(Tok.IRegex, s, (i += 2));
        else push(Tok.Regex, s, ++i);
        continue;
      case 63: // ?
        if (c1 === 46) push(Tok.NullProperty, s, (i += 2));
        else if (c1 === 63) push(Tok.Nullish, s, (i += 2));
        else push(Tok.Query, s, ++i);
        continue;
      case 123: // {
        push(Tok.LBrace, s, ++i);
        modes.push(Mode.Default);
        continue;
      case 125: // }
        push(Tok.RBrace, s, ++i);
        // Closing a template hole resumes the template text.
        if (modes.length > 0) mode = modes.pop()!;
        continue;
      case 91:
        push(Tok.LBracket, s, ++i);
        continue;
      case 93:
        push(Tok.RBracket, s, ++i);
        continue;
      case 40:
        push(Tok.LParen, s, ++i);
        continue;
      case 41:
        push(Tok.RParen, s, ++i);
        continue;
      case 37:
        push(Tok.Percent, s, ++i);
        continue;
      case 43:
        push(Tok.Plus, s, ++i);
        continue;
      case 59:
        push(Tok.Semicolon, s, ++i);
        continue;
    }
    const ch = String.fromCodePoint(src.codePointAt(i)!);
    fail(`unexpected character ${JSON.stringify(ch)}`, i, i + ch.length);
  }
  if (mode === Mode.Template) fail('unterminated template string', n, n);
  push(Tok.EOF, n, n);
  return { src, count: kind.length, kind, start, end, kw };
}

function skipLine(src: string, i: number): number {
  const n = src.length;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 10 || c === 13) return i + 1;
    i++;
  }
  return n;
}

function skipDigits(src: string, i: number): number {
  while (isDigit(src.charCodeAt(i))) i++;
  return i;
}

/** If an exponent (`e[+-]digits`) starts at `i`, returns the index after it, else -1. */
function scanExponent(src: string, i: number): number {
  const c = src.charCodeAt(i);
  if (c !== 101 && c !== 69) return -1;
  let j = i + 1;
  const sign = src.charCodeAt(j);
  if (sign === 43 || sign === 45) j++;
  if (!isDigit(src.charCodeAt(j))) return -1;
  return skipDigits(src, j);
}

function scanNumber(src: string, i: number, push: (k: Tok, s: number, e: number) => void): number {
  const s = i;
  const c1 = src.charCodeAt(i + 1);
  if (src.charCodeAt(i) === 48) {
    if ((c1 === 120 || c1 === 88) && isHexDigit(src.charCodeAt(i + 2))) {
      let j = i + 2;
      while (isHexDigit(src.charCodeAt(j))) j++;
      // Hex floats need a binary exponent: 0x1p3, 0x1.8p1.
      let k = j;
      if (src.charCodeAt(k) === 46) {
        k++;
        while (isHexDigit(src.charCodeAt(k))) k++;
      }
      const p = src.charCodeAt(k);
      if (p === 112 || p === 80) {
        let e = k + 1;
        const sign = src.charCodeAt(e);
        if (sign === 43 || sign === 45) e++;
        if (isDigit(src.charCodeAt(e))) {
          push(Tok.Float, s, skipDigits(src, e));
          return skipDigits(src, e);
        }
      }
      push(Tok.Hex, s, j);
      return j;
    }
    if ((c1 === 98 || c1 === 66) && isDigit(src.charCodeAt(i + 2))) {
      const j = skipDigits(src, i + 2);
      for (let k = i + 2; k < j; k++) {
        if (src.charCodeAt(k) > 49) throw syntaxError(src, `invalid binary literal '${src.slice(s, j)}'`, s, j);
      }
      push(Tok.Bin, s, j);
      return j;
    }
    if ((c1 === 111 || c1 === 79) && isDigit(src.charCodeAt(i + 2))) {
      const j = skipDigits(src, i + 2);
      throw syntaxError(src, `0o-prefixed octal literals are not supported ('${src.slice(s, j)}'); use a decimal literal`, s, j);
    }
  }
  const j = skipDigits(src, i);
  // Exponent forms are single float tokens; a plain fraction (1.5) is composed by the parser.
  let e = scanExponent(src, j);
  if (e < 0 && src.charCodeAt(j) === 46) e = scanExponent(src, skipDigits(src, j + 1));
  if (e > 0) {
    push(Tok.Float, s, e);
    return e;
  }
  push(Tok.Int, s, j);
  return j;
}

/** Decodes the body of a quoted token (string, quoted identifier or template text) per HogQL's escapes. */
export function unquote(src: string, from: number, to: number, quote: number): string {
  // Fast path: no escapes or doubled quotes.
  let plain = true;
  for (let i = from; i < to; i++) {
    const c = src.charCodeAt(i);
    if (c === 92 || c === quote || (quote === 0 && c === 39)) {
      plain = false;
      break;
    }
  }
  if (plain) return src.slice(from, to);
  let out = '';
  let i = from;
  while (i < to) {
    const c = src.charCodeAt(i);
    if (c === 92) {
      const d = src.charCodeAt(i + 1);
      i += 2;
      switch (d) {
        case 98:
          out += '\b';
          break;
        case 102:
          out += '\f';
          break;
        case 114:
          out += '\r';
          break;
        case 110:
          out += '\n';
          break;
        case 116:
          out += '\t';
          break;
        case 48:
          out += '\0';
          break;
        case 97:
          out += '\x07';
          break;
        case 118:
          out += '\v';
          break;
        case 92:
          out += '\\';
          break;
        case 123: // \{ in template text
          out += '{';
          break;
        case 39: // \' is an escape in strings and template text, kept verbatim in backtick identifiers
          out += quote === 96 ? "\\'" : "'";
          break;
        default:
          // \xHH is accepted but kept verbatim (as PostHog does); \" / \` escape the quote itself.
          if (d === quote) out += String.fromCharCode(d);
          else out += '\\' + String.fromCharCode(d);
      }
      continue;
    }
    if (c === quote || (quote === 0 && c === 39)) {
      // A doubled quote stands for one.
      out += String.fromCharCode(c);
      i += 2;
      continue;
    }
    out += String.fromCharCode(c);
    i++;
  }
  return out;
}
