/**
 * The HogQL syntax tree. Node and field names mirror PostHog's `posthog/hogql/ast.py` (and the JSON
 * the `@posthog/hogql-parser` package emits), so trees can be compared node for node with PostHog's
 * parser and PostHog's AST-shaped payloads (`HogQLASTQuery`) read without translation.
 *
 * Positions are character offsets into the source text (`start` inclusive, `end` exclusive).
 */

export interface Span {
  start?: number;
  end?: number;
}

/** Numbers keep their source spelling in `literal` so `0.1`, `1.0` and 2^63-1 print back exactly. */
export interface Constant extends Span {
  node: 'Constant';
  value: string | number | boolean | null;
  literal?: string;
}

/** `a.b.c`; `*` is `['*']`. Numeric parts come from `properties.list.1`. */
export interface Field extends Span {
  node: 'Field';
  chain: (string | number)[];
}

/** `{name}` / `{variables.x}`: filled before resolution, never spliced as text. */
export interface Placeholder extends Span {
  node: 'Placeholder';
  expr: Expr;
}

export interface Alias extends Span {
  node: 'Alias';
  alias: string;
  expr: Expr;
  hidden?: boolean;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';
export interface ArithmeticOperation extends Span {
  node: 'ArithmeticOperation';
  op: ArithmeticOp;
  left: Expr;
  right: Expr;
}

export type CompareOp =
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'like'
  | 'ilike'
  | 'not like'
  | 'not ilike'
  | 'in'
  | 'not in'
  | 'in cohort'
  | 'not in cohort'
  | '=~'
  | '=~*'
  | '!~'
  | '!~*';
export interface CompareOperation extends Span {
  node: 'CompareOperation';
  op: CompareOp;
  left: Expr;
  right: Expr;
  /** Set for `x IS NULL` / `x IS NOT NULL` (the right side is the null constant). */
  is_null_comparison_style?: boolean;
}

export interface And extends Span {
  node: 'And';
  exprs: Expr[];
}
export interface Or extends Span {
  node: 'Or';
  exprs: Expr[];
}
export interface Not extends Span {
  node: 'Not';
  expr: Expr;
}

export interface BetweenExpr extends Span {
  node: 'BetweenExpr';
  expr: Expr;
  low: Expr;
  high: Expr;
  negated: boolean;
}

/** `a[1]`, `a['k']`, `a?.[1]` (nullish). */
export interface ArrayAccess extends Span {
  node: 'ArrayAccess';
  array: Expr;
  property: Expr;
  nullish?: boolean;
}

/** `t.1` (1-based). */
export interface TupleAccess extends Span {
  node: 'TupleAccess';
  tuple: Expr;
  index: number;
  nullish?: boolean;
}

export interface ArrayExpr extends Span {
  node: 'Array';
  exprs: Expr[];
}
export interface TupleExpr extends Span {
  node: 'Tuple';
  exprs: Expr[];
}
export interface Dict extends Span {
  node: 'Dict';
  items: [Expr, Expr][];
}

export interface Lambda extends Span {
  node: 'Lambda';
  args: string[];
  expr: Expr;
}

/** `x::Type` and `CAST(x AS Type)`; `type_name` as written, lower-cased. */
export interface TypeCast extends Span {
  node: 'TypeCast';
  expr: Expr;
  type_name: string;
}

/** `f(args)`, parametric `f(params)(args)`, `f(DISTINCT x)`, `f(x) FILTER (WHERE …)`. */
export interface Call extends Span {
  node: 'Call';
  name: string;
  args: Expr[];
  params?: Expr[] | null;
  distinct?: boolean;
  filter_expr?: Expr | null;
  order_by?: OrderExpr[] | null;
}

/** `f(exprs) OVER (…)` or `OVER name`; for a parametric aggregate `f(exprs)(args)`, `exprs` are the parameters and `args` the arguments (as in PostHog). */
export interface WindowFunction extends Span {
  node: 'WindowFunction';
  name: string;
  exprs?: Expr[] | null;
  args?: Expr[] | null;
  over_expr?: WindowExpr | null;
  over_identifier?: string | null;
}

export interface WindowExpr extends Span {
  node: 'WindowExpr';
  partition_by?: Expr[] | null;
  order_by?: OrderExpr[] | null;
  frame_method?: 'ROWS' | 'RANGE' | null;
  frame_start?: WindowFrameExpr | null;
  frame_end?: WindowFrameExpr | null;
}

export interface WindowFrameExpr extends Span {
  node: 'WindowFrameExpr';
  frame_type: 'CURRENT ROW' | 'PRECEDING' | 'FOLLOWING';
  /** null means UNBOUNDED. */
  frame_value?: number | null;
}

export interface OrderExpr extends Span {
  node: 'OrderExpr';
  expr: Expr;
  order: 'ASC' | 'DESC';
  /** `NULLS FIRST` / `NULLS LAST` as written (PostHog's parser drops it); absent means the default. */
  nulls?: 'FIRST' | 'LAST' | null;
}

/** `COLUMNS('re')`, `* EXCLUDE (a)`, `* REPLACE (e AS a)`. */
export interface ColumnsExpr extends Span {
  node: 'ColumnsExpr';
  all_columns?: boolean;
  regex?: string | null;
  columns?: Expr[] | null;
  exclude?: string[] | null;
  replace?: Alias[] | null;
}

export interface JoinConstraint extends Span {
  node: 'JoinConstraint';
  expr: Expr;
  constraint_type: 'ON' | 'USING';
}

export interface RatioExpr extends Span {
  node: 'RatioExpr';
  left: Constant;
  right?: Constant | null;
}

export interface SampleExpr extends Span {
  node: 'SampleExpr';
  sample_value: RatioExpr;
  offset_value?: RatioExpr | null;
}

/**
 * One table of a FROM clause; further joins hang off `next_join`. `table` is a table name (Field),
 * a subquery, or a table function when `table_args` is set.
 */
export interface JoinExpr extends Span {
  node: 'JoinExpr';
  join_type?: string | null;
  table?: Field | SelectQuery | SelectSetQuery | Placeholder | null;
  table_args?: Expr[] | null;
  alias?: string | null;
  table_final?: boolean | null;
  constraint?: JoinConstraint | null;
  next_join?: JoinExpr | null;
  sample?: SampleExpr | null;
}

export interface LimitByExpr extends Span {
  node: 'LimitByExpr';
  n: Expr;
  offset_value?: Expr | null;
  exprs: Expr[];
}

/** `WITH name AS (SELECT …)` (cte_type 'subquery') or `WITH expr AS name` (cte_type 'column'). */
export interface CTE extends Span {
  node: 'CTE';
  name: string;
  expr: Expr;
  cte_type: 'subquery' | 'column';
  materialized?: boolean | null;
}

export interface SelectQuery extends Span {
  node: 'SelectQuery';
  ctes?: CTE[] | null;
  select: Expr[];
  distinct?: boolean | null;
  select_from?: JoinExpr | null;
  array_join_op?: string | null;
  array_join_list?: Expr[] | null;
  window_exprs?: Record<string, WindowExpr> | null;
  prewhere?: Expr | null;
  where?: Expr | null;
  group_by?: Expr[] | null;
  /** 'rollup' | 'cube' | 'totals' for `GROUP BY … WITH …`. */
  group_by_mode?: string | null;
  having?: Expr | null;
  qualify?: Expr | null;
  order_by?: OrderExpr[] | null;
  limit?: Expr | null;
  offset?: Expr | null;
  limit_by?: LimitByExpr | null;
  limit_with_ties?: boolean | null;
}

export type SetOperator = 'UNION ALL' | 'UNION DISTINCT' | 'INTERSECT' | 'INTERSECT DISTINCT' | 'EXCEPT';

export interface SelectSetNode extends Span {
  node: 'SelectSetNode';
  select_query: SelectQuery | SelectSetQuery;
  set_operator: SetOperator;
}

export interface SelectSetQuery extends Span {
  node: 'SelectSetQuery';
  initial_select_query: SelectQuery | SelectSetQuery;
  subsequent_select_queries: SelectSetNode[];
}

export type Expr =
  | Constant
  | Field
  | Placeholder
  | Alias
  | ArithmeticOperation
  | CompareOperation
  | And
  | Or
  | Not
  | BetweenExpr
  | ArrayAccess
  | TupleAccess
  | ArrayExpr
  | TupleExpr
  | Dict
  | Lambda
  | TypeCast
  | Call
  | WindowFunction
  | ColumnsExpr
  | SelectQuery
  | SelectSetQuery;

export type AnyNode =
  | Expr
  | WindowExpr
  | WindowFrameExpr
  | OrderExpr
  | JoinConstraint
  | RatioExpr
  | SampleExpr
  | JoinExpr
  | LimitByExpr
  | CTE
  | SelectSetNode;

/** The error every HogQL stage throws for user mistakes; the query route maps it to a 400. */
export class HogQLError extends Error {
  constructor(
    readonly kind: 'syntax' | 'query',
    message: string,
    readonly start?: number,
    readonly end?: number,
  ) {
    super(message);
    this.name = 'HogQLError';
  }
}

export function constant(value: Constant['value']): Constant {
  return { node: 'Constant', value };
}
export function field(...chain: (string | number)[]): Field {
  return { node: 'Field', chain };
}
export function call(name: string, ...args: Expr[]): Call {
  return { node: 'Call', name, args };
}
