import { HogQLError } from '../hogql/ast.js';

/**
 * Trends formulas (`trendsFilter.formula`, e.g. `(A + B) / 2`): arithmetic between series referenced
 * by letter (A = first series), evaluated per bucket. Follows PostHog's FormulaAST: Python operators
 * and precedence (`+ - * / % **`, unary minus), letters case-insensitive, division (and modulo) by
 * zero gives 0.
 */

type Node =
  | { t: 'num'; v: number }
  | { t: 'ref'; i: number; name: string }
  | { t: 'neg'; e: Node }
  | { t: 'bin'; op: '+' | '-' | '*' | '/' | '%' | '**'; l: Node; r: Node };

const bad = (formula: string, why: string) => new HogQLError('query', `trendsFilter.formula "${formula.slice(0, 200)}": ${why}`);

function tokenize(formula: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(\*\*|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+|[A-Za-z_][A-Za-z0-9_]*|[-+*/%()])/y;
  let pos = 0;
  while (pos < formula.length) {
    if (/^\s*$/.test(formula.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(formula);
    if (!m) throw bad(formula, `unexpected character "${formula.slice(pos).trim()[0]}"; formulas only support arithmetic ( + - * / % ** ) between series letters and numbers`);
    tokens.push(m[1]!);
    pos = re.lastIndex;
  }
  return tokens;
}

/** Parses a formula; `seriesCount` bounds the letters it may use. */
export function parseFormula(formula: string, seriesCount: number): Node {
  const tokens = tokenize(formula);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];

  const atom = (): Node => {
    const tok = next();
    if (tok === undefined) throw bad(formula, 'ends too early');
    if (tok === '(') {
      const e = expr();
      if (next() !== ')') throw bad(formula, 'missing ")"');
      return e;
    }
    if (/^[\d.]/.test(tok)) return { t: 'num', v: Number(tok) };
    if (/^[A-Za-z_]/.test(tok)) {
      if (!/^[A-Za-z]$/.test(tok)) throw bad(formula, `"${tok}" is not a series letter; formulas only support arithmetic between series (like (A + B) / 2)`);
      const index = tok.toLowerCase().charCodeAt(0) - 97;
      if (index >= seriesCount) {
        const available = Array.from({ length: Math.min(seriesCount, 26) }, (_, k) => String.fromCharCode(65 + k));
        throw bad(formula, `references series ${tok.toUpperCase()}, but only ${seriesCount} ${seriesCount === 1 ? 'series is' : 'series are'} defined (${available.join(', ') || 'none'})`);
      }
      return { t: 'ref', i: index, name: tok.toUpperCase() };
    }
    throw bad(formula, `unexpected "${tok}"`);
  };
  // Python: unary minus binds looser than ** (-2 ** 2 = -4), ** is right-associative.
  const power = (): Node => {
    const base = atom();
    if (peek() === '**') {
      next();
      return { t: 'bin', op: '**', l: base, r: factor() };
    }
    return base;
  };
  const factor = (): Node => {
    if (peek() === '-') {
      next();
      return { t: 'neg', e: factor() };
    }
    if (peek() === '+') {
      next();
      return factor();
    }
    return power();
  };
  const term = (): Node => {
    let l = factor();
    while (peek() === '*' || peek() === '/' || peek() === '%') {
      const op = next() as '*' | '/' | '%';
      l = { t: 'bin', op, l, r: factor() };
    }
    return l;
  };
  const expr = (): Node => {
    let l = term();
    while (peek() === '+' || peek() === '-') {
      const op = next() as '+' | '-';
      l = { t: 'bin', op, l, r: term() };
    }
    return l;
  };

  if (tokens.length === 0) throw bad(formula, 'is empty');
  const tree = expr();
  if (i < tokens.length) throw bad(formula, `unexpected "${tokens[i]}"`);
  return tree;
}

function evaluate(node: Node, values: number[]): number {
  switch (node.t) {
    case 'num':
      return node.v;
    case 'ref':
      return values[node.i] ?? 0;
    case 'neg':
      return -evaluate(node.e, values);
    case 'bin': {
      const l = evaluate(node.l, values);
      const r = evaluate(node.r, values);
      switch (node.op) {
        case '+':
          return l + r;
        case '-':
          return l - r;
        case '*':
          return l * r;
        case '/':
          return r === 0 ? 0 : l / r;
        case '%':
          // Python's modulo takes the sign of the divisor.
          return r === 0 ? 0 : l - r * Math.floor(l / r);
        case '**': {
          const p = l ** r;
          return Number.isFinite(p) ? p : 0;
        }
      }
    }
  }
}

/** Evaluates a parsed formula element-wise over the series' data arrays (A = `data[0]`). */
export function applyFormula(tree: Node, data: number[][]): number[] {
  const length = Math.max(0, ...data.map((d) => d.length));
  const out: number[] = [];
  for (let k = 0; k < length; k++) {
    const v = evaluate(
      tree,
      data.map((d) => d[k] ?? 0),
    );
    out.push(Number.isNaN(v) ? 0 : v);
  }
  return out;
}
