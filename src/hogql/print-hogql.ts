import type { Expr, JoinExpr, OrderExpr, SelectQuery, SelectSetQuery, WindowExpr, WindowFrameExpr } from './ast.js';

/** HogQL text of a tree: the `hogql` echoed in responses and the name of unnamed result columns. */

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function hogqlIdentifier(name: string | number): string {
  if (typeof name === 'number') return String(name);
  return IDENT.test(name) ? name : '`' + name.replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`';
}

export function hogqlString(value: string): string {
  return "'" + value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').replace(/\0/g, '\\0') + "'";
}

const COMPARE_TEXT: Record<string, string> = {
  '==': '=',
  'like': 'LIKE',
  'ilike': 'ILIKE',
  'not like': 'NOT LIKE',
  'not ilike': 'NOT ILIKE',
  'in': 'IN',
  'not in': 'NOT IN',
  'in cohort': 'IN COHORT',
  'not in cohort': 'NOT IN COHORT',
};

export function printHogQL(node: Expr): string {
  switch (node.node) {
    case 'Constant': {
      const v = node.value;
      if (v === null) return 'NULL';
      if (typeof v === 'string') return hogqlString(v);
      if (typeof v === 'boolean') return v ? 'true' : 'false';
      return node.literal ?? String(v);
    }
    case 'Field':
      return node.chain.map((part) => (part === '*' ? '*' : hogqlIdentifier(part))).join('.');
    case 'Placeholder':
      return `{${printHogQL(node.expr)}}`;
    case 'Alias':
      return `${printHogQL(node.expr)} AS ${hogqlIdentifier(node.alias)}`;
    case 'ArithmeticOperation':
      return `${wrap(node.left)} ${node.op} ${wrap(node.right)}`;
    case 'CompareOperation':
      if (node.is_null_comparison_style) return `${wrap(node.left)} IS ${node.op === '!=' ? 'NOT ' : ''}NULL`;
      return `${wrap(node.left)} ${COMPARE_TEXT[node.op] ?? node.op} ${wrap(node.right)}`;
    case 'And':
      return node.exprs.map(wrap).join(' AND ');
    case 'Or':
      return node.exprs.map(wrap).join(' OR ');
    case 'Not':
      return `NOT ${wrap(node.expr)}`;
    case 'BetweenExpr':
      return `${wrap(node.expr)} ${node.negated ? 'NOT ' : ''}BETWEEN ${wrap(node.low)} AND ${wrap(node.high)}`;
    case 'ArrayAccess':
      return `${wrap(node.array)}${node.nullish ? '?.' : ''}[${printHogQL(node.property)}]`;
    case 'TupleAccess':
      return `${wrap(node.tuple)}${node.nullish ? '?.' : '.'}${node.index}`;
    case 'Array':
      return `[${node.exprs.map(printHogQL).join(', ')}]`;
    case 'Tuple':
      return `(${node.exprs.map(printHogQL).join(', ')}${node.exprs.length === 1 ? ',' : ''})`;
    case 'Dict':
      return `{${node.items.map(([k, v]) => `${printHogQL(k)}: ${printHogQL(v)}`).join(', ')}}`;
    case 'Lambda':
      return `${node.args.length === 1 ? hogqlIdentifier(node.args[0]!) : `(${node.args.map(hogqlIdentifier).join(', ')})`} -> ${printHogQL(node.expr)}`;
    case 'TypeCast':
      return `${wrap(node.expr)}::${node.type_name}`;
    case 'Call': {
      const params = node.params ? `(${node.params.map(printHogQL).join(', ')})` : '';
      const args = `${node.distinct ? 'DISTINCT ' : ''}${node.args.map(printHogQL).join(', ')}`;
      const filter = node.filter_expr ? ` FILTER (WHERE ${printHogQL(node.filter_expr)})` : '';
      return `${hogqlIdentifier(node.name)}${params}(${args})${filter}`;
    }
    case 'WindowFunction': {
      const lists = [node.exprs ?? [], ...(node.args?.length ? [node.args] : [])];
      const over = node.over_identifier ? hogqlIdentifier(node.over_identifier) : `(${printWindow(node.over_expr ?? { node: 'WindowExpr' })})`;
      return `${hogqlIdentifier(node.name)}${lists.map((l) => `(${l.map(printHogQL).join(', ')})`).join('')} OVER ${over}`;
    }
    case 'ColumnsExpr':
      return node.regex ? `COLUMNS(${hogqlString(node.regex)})` : '*';
    case 'SelectQuery':
    case 'SelectSetQuery':
      return `(${printHogQLSelect(node)})`;
  }
}

function wrap(node: Expr): string {
  const text = printHogQL(node);
  switch (node.node) {
    case 'ArithmeticOperation':
    case 'CompareOperation':
    case 'And':
    case 'Or':
    case 'Not':
    case 'BetweenExpr':
    case 'Lambda':
    case 'Alias':
      return `(${text})`;
    default:
      return text;
  }
}

function printOrder(o: OrderExpr): string {
  return `${printHogQL(o.expr)} ${o.order}${o.nulls ? ` NULLS ${o.nulls}` : ''}`;
}

function printFrame(f: WindowFrameExpr): string {
  if (f.frame_type === 'CURRENT ROW') return 'CURRENT ROW';
  return `${f.frame_value ?? 'UNBOUNDED'} ${f.frame_type}`;
}

function printWindow(w: WindowExpr): string {
  const parts: string[] = [];
  if (w.partition_by?.length) parts.push(`PARTITION BY ${w.partition_by.map(printHogQL).join(', ')}`);
  if (w.order_by?.length) parts.push(`ORDER BY ${w.order_by.map(printOrder).join(', ')}`);
  if (w.frame_method && w.frame_start) {
    parts.push(w.frame_end ? `${w.frame_method} BETWEEN ${printFrame(w.frame_start)} AND ${printFrame(w.frame_end)}` : `${w.frame_method} ${printFrame(w.frame_start)}`);
  }
  return parts.join(' ');
}

function printJoin(j: JoinExpr, first: boolean): string {
  let table = '';
  if (j.table?.node === 'Field') table = printHogQL(j.table) + (j.table_args ? `(${j.table_args.map(printHogQL).join(', ')})` : '');
  else if (j.table) table = printHogQL(j.table as Expr);
  let text = `${first ? '' : `${j.join_type ?? 'JOIN'} `}${table}`;
  if (j.alias) text += ` AS ${hogqlIdentifier(j.alias)}`;
  if (j.table_final) text += ' FINAL';
  if (j.sample) text += ` SAMPLE ${printHogQL(j.sample.sample_value.left)}${j.sample.sample_value.right ? `/${printHogQL(j.sample.sample_value.right)}` : ''}`;
  if (j.constraint) text += ` ${j.constraint.constraint_type} ${printHogQL(j.constraint.expr)}`;
  return text;
}

export function printHogQLSelect(q: SelectQuery | SelectSetQuery): string {
  if (q.node === 'SelectSetQuery') {
    return [printHogQLSelect(q.initial_select_query), ...q.subsequent_select_queries.map((s) => `${s.set_operator} ${printHogQLSelect(s.select_query)}`)].join(' ');
  }
  const parts: string[] = [];
  if (q.ctes?.length) {
    parts.push(
      'WITH ' +
        q.ctes.map((c) => (c.cte_type === 'column' ? `${printHogQL(c.expr)} AS ${hogqlIdentifier(c.name)}` : `${hogqlIdentifier(c.name)} AS ${printHogQL(c.expr)}`)).join(', '),
    );
  }
  parts.push(`SELECT ${q.distinct ? 'DISTINCT ' : ''}${q.select.map(printHogQL).join(', ')}`);
  if (q.select_from) {
    const joins: string[] = [];
    for (let j: JoinExpr | null | undefined = q.select_from, first = true; j; j = j.next_join, first = false) joins.push(printJoin(j, first));
    parts.push(`FROM ${joins.join(' ')}`);
  }
  if (q.array_join_op && q.array_join_list) parts.push(`${q.array_join_op} ${q.array_join_list.map(printHogQL).join(', ')}`);
  if (q.prewhere) parts.push(`PREWHERE ${printHogQL(q.prewhere)}`);
  if (q.where) parts.push(`WHERE ${printHogQL(q.where)}`);
  if (q.group_by_mode === 'all' && !q.group_by?.length) parts.push('GROUP BY ALL');
  else if (q.group_by?.length) parts.push(`GROUP BY ${q.group_by.map(printHogQL).join(', ')}${q.group_by_mode ? ` WITH ${q.group_by_mode.toUpperCase()}` : ''}`);
  if (q.having) parts.push(`HAVING ${printHogQL(q.having)}`);
  if (q.window_exprs && Object.keys(q.window_exprs).length) {
    parts.push(`WINDOW ${Object.entries(q.window_exprs).map(([n, w]) => `${hogqlIdentifier(n)} AS (${printWindow(w)})`).join(', ')}`);
  }
  if (q.qualify) parts.push(`QUALIFY ${printHogQL(q.qualify)}`);
  if (q.order_by?.length) parts.push(`ORDER BY ${q.order_by.map(printOrder).join(', ')}`);
  if (q.limit_by) parts.push(`LIMIT ${printHogQL(q.limit_by.n)}${q.limit_by.offset_value ? ` OFFSET ${printHogQL(q.limit_by.offset_value)}` : ''} BY ${q.limit_by.exprs.map(printHogQL).join(', ')}`);
  if (q.limit) parts.push(`LIMIT ${printHogQL(q.limit)}${q.limit_with_ties ? ' WITH TIES' : ''}`);
  if (q.offset) parts.push(`OFFSET ${printHogQL(q.offset)}`);
  return parts.join(' ');
}
