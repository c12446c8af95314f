/**
 * Whether two query results are the same answer: rows compared as multisets of value tuples
 * (column names and row order aside), numbers within a relative tolerance (float sums depend on
 * the order threads add them in), 64-bit integers-as-strings as numbers, booleans as 0/1, and
 * date-times as instants (ISO with Z or an offset as given; a bare `YYYY-MM-DD hh:mm:ss` as a wall
 * time in the project's timezone, which is how ClickHouse prints a DateTime in that zone).
 */

export type Row = Record<string, unknown>;
type Value = null | number | string | Value[];

const NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
const DATETIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `tz` from UTC at an instant, in ms. */
function zoneOffsetMs(epochMs: number, tz: string): number {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(tz, f);
  }
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(epochMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(epochMs / 1000) * 1000;
}

function instant(text: string, tz: string): number | undefined {
  const m = DATETIME.exec(text);
  if (!m) return undefined;
  const local = `${m[1]}T${m[2]}${(m[3] ?? '').slice(0, 4)}`; // ms precision tells these instants apart
  if (m[4] !== undefined) {
    const zone = m[4].length === 5 ? `${m[4].slice(0, 3)}:${m[4].slice(3)}` : m[4];
    const t = Date.parse(local + zone);
    return Number.isNaN(t) ? undefined : t;
  }
  // A wall time in tz: the instant whose local time it is.
  const naive = Date.parse(`${local}Z`);
  if (Number.isNaN(naive)) return undefined;
  return naive - zoneOffsetMs(naive - zoneOffsetMs(naive, tz), tz);
}

export function normalizeValue(v: unknown, tz: string): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (NUMBER.test(v)) return Number(v);
    const t = instant(v, tz);
    return t === undefined ? v : `@${new Date(t).toISOString()}`;
  }
  if (Array.isArray(v)) return v.map((x) => normalizeValue(x, tz));
  return JSON.stringify(v);
}

function sortKey(row: Value[]): string {
  return JSON.stringify(row, (_k, x: unknown) => (typeof x === 'number' ? Number(x.toPrecision(8)) : x));
}

function equalValues(a: Value, b: Value, tolerance: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equalValues(x, b[i]!, tolerance));
  return a === b;
}

export interface Comparison {
  equal: boolean;
  /** What differs, for the report. */
  detail: string;
}

export function compareResults(compiled: Row[], raw: Row[], tz: string, tolerance = 1e-9): Comparison {
  const norm = (rows: Row[]) =>
    rows
      .map((r) => Object.values(r).map((v) => normalizeValue(v, tz)))
      .map((values) => ({ values, key: sortKey(values) }))
      .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  const a = norm(compiled);
  const b = norm(raw);
  const problems: string[] = [];
  if (a.length !== b.length) problems.push(`row count: compiled ${a.length}, raw ${b.length}`);
  const width = (rows: typeof a) => rows[0]?.values.length ?? 0;
  if (a.length && b.length && width(a) !== width(b)) problems.push(`column count: compiled ${width(a)}, raw ${width(b)}`);
  let shown = 0;
  for (let i = 0; i < Math.max(a.length, b.length) && shown < 5; i++) {
    const x = a[i]?.values;
    const y = b[i]?.values;
    if (x && y && x.length === y.length && x.every((v, j) => equalValues(v, y[j]!, tolerance))) continue;
    problems.push(`sorted row ${i}: compiled ${JSON.stringify(x ?? '(none)')} vs raw ${JSON.stringify(y ?? '(none)')}`);
    shown++;
  }
  return { equal: problems.length === 0, detail: problems.join('\n') };
}
