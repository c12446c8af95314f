import { HogQLError, type Expr } from './ast.js';
import { printHogQL } from './print-hogql.js';

/** A placeholder's value: a ready expression (e.g. `{filters}`) or a JSON value that becomes constants. */
export type PlaceholderValue = { expr: Expr } | unknown;

function isExprValue(v: unknown): v is { expr: Expr } {
  return typeof v === 'object' && v !== null && 'expr' in v && typeof (v as { expr: unknown }).expr === 'object';
}

/** JSON values become constants (never text), arrays become arrays. */
export function valueToExpr(value: unknown, name: string): Expr {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return { node: 'Constant', value };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new HogQLError('query', `Placeholder {${name}} must be a finite number`);
    return { node: 'Constant', value };
  }
  if (Array.isArray(value)) return { node: 'Array', exprs: value.map((v) => valueToExpr(v, name)) };
  throw new HogQLError('query', `Placeholder {${name}} has an unsupported value (use a string, number, boolean, null or array)`);
}

/**
 * Replaces every `{name}` in a tree. Placeholders are filled with values as constants, so a value
 * can never change the shape of the query; an unknown placeholder is an error naming it.
 */
export function replacePlaceholders<T>(tree: T, values: Record<string, PlaceholderValue>): T {
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (typeof x !== 'object' || x === null) return x;
    const node = x as { node?: string; expr?: Expr; start?: number; end?: number };
    if (node.node === 'Placeholder') {
      const name = node.expr ? printHogQL(node.expr) : '';
      if (!Object.hasOwn(values, name)) {
        throw new HogQLError('query', `Placeholder {${name}} is not allowed here or has no value${Object.keys(values).length ? ` (known: ${Object.keys(values).join(', ')})` : ''}`, node.start, node.end);
      }
      const value = values[name];
      return isExprValue(value) ? value.expr : valueToExpr(value, name);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = walk(v);
    return out;
  };
  return walk(tree) as T;
}
