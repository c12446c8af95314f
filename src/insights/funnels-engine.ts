/**
 * The funnel engine as HogQL: PostHog's per-actor funnel UDF (`aggregate_funnel`, funnel-udf/src/steps.rs
 * and unordered_steps.rs) re-expressed with ClickHouse array functions, so matching runs inside
 * ClickHouse and only per-step aggregates come back.
 *
 * PostHog replays each actor's events through a state machine (an attempt restarts at every step-1
 * event; `entered[k]` holds the latest attempt at level k). `arrayFold` can express that, but in
 * ClickHouse it costs O(longest array × actors), which one heavy user makes minutes on 10M events.
 * The same result is computed here with linear, element-wise array passes:
 *
 * - An attempt that reached level k at event i always continues at the FIRST later event matching
 *   step k+1 (greedy is optimal, and an attempt overwritten in `entered[k]` by a newer one would have
 *   continued with the very same events, with an earlier window end). So "where does the chain from
 *   level k at event i go" depends only on i, and is computed for every event at once, from the last
 *   step backwards: the chain from step k+1 is reverse-filled (`arrayReverseFill`) to every earlier
 *   position and shifted by one ("strictly after"). The step-1 positions then hold each attempt's
 *   whole chain: the time it reaches every level.
 * - The conversion window (measured from the attempt's step-1 time, inclusive) cuts each chain; the
 *   result is the attempt that reached the deepest level first (ties: the newest attempt, which is the
 *   one the UDF keeps), with its step times.
 * - Strict order: the chain from level k dies at the first event that does not match step k before
 *   the step-k+1 event (PostHog's reset). Exclusions: the first exclusion event between the attempt's
 *   step k and step k+1 (within the window) excludes it; an excluded attempt can still reach one more
 *   level (flagged), and if the best attempt is excluded the actor is dropped; a later attempt reaching
 *   the same depth after the exclusion takes over, as in the UDF.
 * - Events sharing a timestamp (to the millisecond) are ordered by their lowest step, so A and B at
 *   the same instant convert A→B; if such a group mixes different step sets, strict resets and
 *   exclusions inside it are skipped (the UDF's "multiple events" path).
 * - Optional steps: from step k the chain goes to whichever of the next steps (up to the next
 *   required one) comes first; several attempts reaching the deepest step with one event: the one
 *   coming from the highest step wins, as the UDF looks back from the nearest step.
 * - Unordered: for each event as the oldest of a window, the steps that have an event within the
 *   window are counted; the first window with the most steps wins, its steps' first times sorted give
 *   the conversion times ("Completed N steps"). An exclusion inside an incomplete window discards it.
 *
 * Checked against a line-by-line JS port of the UDF on randomized event sequences (ordered, strict,
 * unordered; exclusions, optional steps, every attribution): identical step counts, conversion times
 * and actors, except where the UDF's result depends on the read order of events sharing a timestamp,
 * and three corners: events matching several steps that share their millisecond with events matching
 * other steps; strict funnels where an exclusion hits a later attempt at the best attempt's step after
 * the best attempt was reset; more than three successive excluded best attempts at the deepest step.
 *
 * Each event is packed into one integer (time since the range start in ms, its lowest step, the step
 * bits, the exclusion bits) so the per-actor arrays are plain integer arrays, sorted once. The chain
 * from step k is a tuple of one group per later step, so the cost is O(events × steps²): about 0.7 s
 * for 3 steps over 4.4M matching events on 2 cores, 2 s for 10 steps.
 */
import type { Interval } from './insight-schemas.js';

export type OrderType = 'ordered' | 'strict' | 'unordered';
export type Attribution = 'none' | 'first_touch' | 'last_touch' | 'all_events' | 'step';

export interface EnginePlan {
  /** Number of steps. */
  n: number;
  order: OrderType;
  /** Conversion window in ms (inclusive). */
  windowMs: number;
  /** Per step (0-based): max ms since the previous step reached (Hedgerow extension), or null. */
  stepWindowMs: (number | null)[];
  /** Per step (0-based): may be skipped. */
  optional: boolean[];
  /** Per step (0-based, k ≥ 1): an exclusion applies while waiting for step k. */
  exclusions: boolean[];
  attribution: Attribution;
  /** For attribution 'step': the 0-based step whose event decides the breakdown value. */
  attributionStep: number;
  /** Breakdown values are arrays of strings (several breakdowns, or a list) rather than one string. */
  breakdownArray: boolean;
  breakdownCount: number;
  /** Range start and end (epoch ms). */
  fromMs: number;
  toMs: number;
  /** Trends: the interval of entrance periods and the project's week start. */
  interval?: Interval;
  weekStartDay?: 0 | 1;
  /** Include events that match no step (strict order: any other event resets). */
  allEvents: boolean;
}

/** "Never": later than any time in range; differences with it exceed any window. */
export const INF = '4611686018427387904';

const pow2 = (b: number) => 2 ** b;
const bitsFor = (values: number) => Math.max(1, Math.ceil(Math.log2(values)));

interface KeyLayout {
  xShift: number;
  mShift: number;
  oShift: number;
  tShift: number;
  xBits: number;
  wide: boolean;
}

function keyLayout(plan: EnginePlan): KeyLayout {
  const xBits = plan.exclusions.some(Boolean) ? plan.n : 0;
  const tBits = bitsFor(plan.toMs - plan.fromMs + 2);
  const oBits = bitsFor(plan.n + 2);
  const total = tBits + oBits + plan.n + xBits;
  return { xShift: 0, mShift: xBits, oShift: xBits + plan.n, tShift: xBits + plan.n + oBits, xBits, wide: total > 62 };
}

/** A SELECT list being built: `expr AS alias` items in order. */
class Select {
  readonly items: string[] = [];
  add(alias: string, expr: string): string {
    this.items.push(`${expr} AS ${alias}`);
    return alias;
  }
  text(): string {
    return this.items.join(',\n  ');
  }
}

/**
 * Nested SELECTs, each adding columns to everything the previous ones had. ClickHouse expands an
 * alias at every use, so a value used many times (or by values used many times) is made a column
 * of an inner query first: `next()` starts a new level.
 */
class Stages {
  private readonly levels: [string, string][][] = [[]];
  private readonly known: string[];
  constructor(
    private readonly from: string,
    columns: string[],
  ) {
    this.known = [...columns];
  }
  add(alias: string, expr: string): string {
    this.levels[this.levels.length - 1]!.push([alias, expr]);
    return alias;
  }
  next(): void {
    const last = this.levels[this.levels.length - 1]!;
    if (last.length === 0) return;
    this.known.push(...last.map(([a]) => a));
    this.levels.push([]);
  }
  text(outputs: string[]): string {
    const levels = this.levels.filter((l) => l.length > 0);
    const closed = this.levels.slice(0, -1).reduce((n, l) => n + l.length, 0);
    const initial = this.known.slice(0, this.known.length - closed);
    // Each level passes on only the columns read after it (generated SQL grows fast otherwise).
    const usedAfter: Set<string>[] = [];
    let later = outputs.join(' ');
    for (let i = levels.length - 1; i >= 0; i--) {
      usedAfter[i] = new Set(later.match(/\bf_\w+/g) ?? []);
      later += ' ' + levels[i]!.map(([, e]) => e).join(' ');
    }
    let sql = this.from;
    let columns = [...initial];
    levels.forEach((level, i) => {
      const pass = columns.filter((c) => usedAfter[i]!.has(c));
      const items = [...pass, ...level.map(([a, e]) => `${e} AS ${a}`)];
      sql = `SELECT\n  ${items.join(',\n  ')}\nFROM (${sql})`;
      columns = [...pass, ...level.map(([a]) => a)];
    });
    return `SELECT ${outputs.join(', ')} FROM (${sql})`;
  }
}

/**
 * The events the funnel reads, one row per event: the actor, ms since the range start, one flag per
 * step and per exclusion gap, and the breakdown value. Placeholders: {actor}, {where}, {step_k},
 * {excl_k}, {bd}, {bdok}.
 */
export function eventsSelect(plan: EnginePlan): string {
  const s = new Select();
  s.add('f_actor', '{actor}');
  s.add('f_t', `toUnixTimestamp64Milli(timestamp) - ${plan.fromMs}`);
  for (let k = 0; k < plan.n; k++) s.add(`f_s${k}`, `if({step_${k}}, 1, 0)`);
  for (let k = 1; k < plan.n; k++) if (plan.exclusions[k]) s.add(`f_x${k}`, `if({excl_${k}}, 1, 0)`);
  if (plan.attribution !== 'none') {
    s.add('f_bd', '{bd}');
    if (plan.attribution === 'first_touch' || plan.attribution === 'last_touch') s.add('f_bdok', '{bdok}');
  }
  return `SELECT\n  ${s.text()}\nFROM events\nWHERE {where}`;
}

/** The packed, sortable key of an event row of `eventsSelect`. */
function keyExpr(plan: EnginePlan, layout: KeyLayout): string {
  const n = plan.n;
  const ord = `multiIf(${Array.from({ length: n }, (_, k) => `f_s${k} = 1, ${k + 1}`).join(', ')}, ${n + 1})`;
  const mask = Array.from({ length: n }, (_, k) => (k === 0 ? 'f_s0' : `f_s${k} * ${pow2(k)}`)).join(' + ');
  const xmask = Array.from({ length: n }, (_, k) => k)
    .filter((k) => k >= 1 && plan.exclusions[k])
    .map((k) => `f_x${k} * ${pow2(k)}`)
    .join(' + ');
  // bitShiftLeft keeps its argument's type: widen first (a UInt8 flag shifted by 8 would be 0).
  const w = (e: string) => (layout.wide ? `_toUInt128(${e})` : `_toInt64(${e})`);
  const parts = [`bitShiftLeft(${w('f_t')}, ${layout.tShift})`, `bitShiftLeft(${w(ord)}, ${layout.oShift})`, `bitShiftLeft(${w(`(${mask})`)}, ${layout.mShift})`];
  if (xmask) parts.push(w(`(${xmask})`));
  return parts.join(' + ');
}

/** Per actor: the sorted event keys, the breakdown values in the same order, and the values to evaluate. */
export function actorsSelect(plan: EnginePlan, events: string): string {
  const layout = keyLayout(plan);
  const key = keyExpr(plan, layout);
  const s = new Select();
  s.add('f_actor', 'f_actor');
  s.add('f_K', `arraySort(groupArray(${key}))`);
  const emptyValue = plan.breakdownArray ? `[${Array.from({ length: plan.breakdownCount }, () => "''").join(', ')}]` : "''";
  switch (plan.attribution) {
    case 'none':
      break;
    case 'first_touch':
    case 'last_touch': {
      const fn = plan.attribution === 'first_touch' ? 'argMinIf' : 'argMaxIf';
      // Events at the same millisecond: the smallest value for first touch, the largest for last touch,
      // so the answer does not depend on read order.
      const v = `${fn}(f_bd, tuple(f_t, f_bd), f_bdok = 1)`;
      s.add('f_pv', plan.breakdownArray ? `if(empty(${v}), ${emptyValue}, ${v})` : v);
      break;
    }
    case 'all_events':
      s.add('f_B', `arraySort((b, k) -> k, groupArray(f_bd), groupArray(${key}))`);
      s.add('f_pvs', 'groupUniqArray(f_bd)');
      break;
    case 'step':
      s.add('f_B', `arraySort((b, k) -> k, groupArray(f_bd), groupArray(${key}))`);
      // The values of the actor's attribution-step events (none: the empty value). Unordered funnels have
      // no "step N" event: every event's value is a candidate (as in PostHog).
      if (plan.order === 'unordered') s.add('f_pvs', 'groupUniqArray(f_bd)');
      else s.add('f_pvs', `if(empty(groupUniqArrayIf(f_bd, f_s${plan.attributionStep} = 1)), [${emptyValue}], groupUniqArrayIf(f_bd, f_s${plan.attributionStep} = 1))`);
      break;
  }
  return `SELECT\n  ${s.text()}\nFROM (${events})\nGROUP BY f_actor`;
}

/** One row per actor and evaluated breakdown value (an actor can count under several for all_events/step). */
function perValueSelect(plan: EnginePlan, actors: string): string {
  if (plan.attribution === 'all_events' || plan.attribution === 'step') {
    return `SELECT f_actor, f_K, f_B, arrayJoin(f_pvs) AS f_pv FROM (${actors})`;
  }
  return actors;
}

const shiftLeft = (arr: string, fill: string) => `arrayPushBack(arrayPopFront(${arr}), ${fill})`;
const shiftRight = (arr: string, fill: string) => `arrayPushFront(arrayPopBack(${arr}), ${fill})`;

/** Decodes the keys into T (ms), M (step bits), X (exclusion bits), after breakdown filtering and de-duplication. */
function decode(plan: EnginePlan, s: Stages): { T: string; M: string; M0: string; X: string | null } {
  const layout = keyLayout(plan);
  const n = plan.n;
  const toInt = (e: string) => (layout.wide ? `_toInt64(${e})` : e);
  const mMask = pow2(n) - 1;
  const kmBits = n + layout.xBits;
  let K = 'f_K';
  if (plan.attribution === 'all_events') {
    K = s.add('f_K1', 'arrayFilter((k, b) -> b = f_pv, f_K, f_B)');
    s.next();
  }
  // PostHog's event-array filter: an event matching at most one step (and no exclusion) between two
  // identical events strictly before and after it changes nothing, in ordered and strict funnels.
  if (plan.order !== 'unordered' && plan.attribution !== 'step') {
    const km = (k: string) => `bitAnd(${k}, ${pow2(kmBits) - 1})`;
    const t = (k: string) => `bitShiftRight(${k}, ${layout.tShift})`;
    const m = `bitAnd(bitShiftRight(k, ${layout.mShift}), ${mMask})`;
    const single = `bitAnd(${m}, ${m} - 1) = 0${layout.xBits ? ` AND bitAnd(k, ${pow2(layout.xBits) - 1}) = 0` : ''}`;
    K = s.add(
      'f_K2',
      `arrayFilter((k, kb, ka) -> NOT (${single} AND ${km('k')} = ${km('kb')} AND ${km('k')} = ${km('ka')} AND ${t('k')} > ${t('kb')} AND ${t('k')} < ${t('ka')}), ${K}, arrayRotateRight(${K}, 1), arrayRotateLeft(${K}, 1))`,
    );
    s.next();
  }
  const T = s.add('f_T', `arrayMap(k -> ${toInt(`bitShiftRight(k, ${layout.tShift})`)}, ${K})`);
  const M0 = s.add('f_M0', `arrayMap(k -> ${toInt(`bitAnd(bitShiftRight(k, ${layout.mShift}), ${mMask})`)}, ${K})`);
  let M = M0;
  const X = layout.xBits ? s.add('f_X', `arrayMap(k -> ${toInt(`bitAnd(k, ${pow2(layout.xBits) - 1})`)}, ${K})`) : null;
  // The (step bits, exclusion bits) of each event, to tell whether a same-time group is mixed.
  if (plan.order === 'strict' || X) s.add('f_KM', `arrayMap(k -> ${toInt(`bitAnd(k, ${pow2(kmBits) - 1})`)}, ${K})`);
  s.next();
  if (plan.attribution === 'step' && plan.order !== 'unordered') {
    // Step attribution: the attribution step's events count only with this value.
    M = s.add('f_M', `arrayMap((mk, b) -> if(b = f_pv, mk, bitAnd(mk, ${mMask - pow2(plan.attributionStep)})), ${M}, f_B)`);
    s.next();
  }
  return { T, M, M0, X };
}

/** Same-time groups mixing different step sets (the UDF's "multiple events" path): 1 per event in one. */
function mixedGroups(s: Stages, T: string): string {
  const Tp = s.add('f_Tp', shiftRight(T, '-1'));
  const Tn = s.add('f_Tn', shiftLeft(T, '-1'));
  const KMp = s.add('f_KMp', shiftRight('f_KM', '-1'));
  s.next();
  const D = s.add('f_Dc', `arrayCumSum(arrayMap((t, tp, km, kmp) -> if(t = tp AND km != kmp, 1, 0), ${T}, ${Tp}, f_KM, ${KMp}))`);
  s.next();
  const Ds = s.add('f_Ds', `arrayFill((x, t, tp) -> t != tp, ${D}, ${T}, ${Tp})`);
  const De = s.add('f_De', `arrayReverseFill((x, t, tn) -> t != tn, ${D}, ${T}, ${Tn})`);
  s.next();
  const MU = s.add('f_MU', `arrayMap((a, b) -> if(b > a, 1, 0), ${Ds}, ${De})`);
  s.next();
  return MU;
}

/** Next time strictly after each position where `cond` (a lambda over t and `params`) holds; INF if none. */
function nextTime(s: Stages, alias: string, cond: string, arrays: string[], params: string[]): string {
  const marked = `arrayMap((${['t', ...params].join(', ')}) -> if(${cond}, t, ${INF}), ${arrays.join(', ')})`;
  return s.add(alias, shiftLeft(`arrayReverseFill(v -> v < ${INF}, ${marked})`, INF));
}

/** Candidate next steps after reaching step k (0-based): k+1, and further while the steps in between are optional. */
export function candidates(plan: EnginePlan, k: number): number[] {
  const out: number[] = [];
  for (let s = k + 1; s < plan.n; s++) {
    out.push(s);
    if (!plan.optional[s]) break;
  }
  return out;
}

const OUTPUTS = ['f_actor', 'f_pv', 'f_d', 'f_mask', 'f_excl', 'f_times', 'f_AT'];

function stagesFrom(plan: EnginePlan, from: string): Stages {
  const columns = ['f_actor', 'f_K'];
  if (plan.attribution === 'all_events' || plan.attribution === 'step') columns.push('f_B');
  if (plan.attribution !== 'none') columns.push('f_pv');
  const s = new Stages(from, columns);
  if (plan.attribution === 'none') s.add('f_pv', "''");
  return s;
}

/**
 * Ordered and strict funnels: per actor (and breakdown value), the best attempt. Output columns:
 * f_actor, f_pv, f_d (deepest step reached, 1-based), f_mask (bit k = step k reached), f_excl (the best
 * attempt is excluded), f_times (ms since the range start per step; INF = not reached), and f_AT
 * (every attempt: tuple(d, reach time, -start, mask, excluded, exclusion time, start, times…)).
 */
function orderedSelect(plan: EnginePlan, from: string): string {
  const n = plan.n;
  const s = stagesFrom(plan, from);
  const { T, M, M0, X } = decode(plan, s);
  const strict = plan.order === 'strict';
  const hasX = X !== null;
  const MU = strict || hasX ? mixedGroups(s, T) : null;
  const Tp = MU ? 'f_Tp' : s.add('f_Tp', shiftRight(T, '-1'));
  const Mp = s.add('f_Mp', shiftRight(M, '0'));
  s.next();
  // An attempt starts at the first step-1 event of each timestamp.
  const A = s.add('f_A', `arrayMap((t, tp, mk, mkp) -> if(bitTest(mk, 0) AND NOT (t = tp AND bitTest(mkp, 0)), 1, 0), ${T}, ${Tp}, ${M}, ${Mp})`);

  // The chain from step k is a tuple of one group per step k..n-1: (time reached, [first exclusion
  // time while waiting for the next step], [position of the event, with optional steps]); ∞ = never.
  const hasOpt = plan.optional.some(Boolean);
  const gs = 1 + (hasX ? 1 : 0) + (hasOpt ? 1 : 0);
  const tIdx = (k: number, j: number) => (j - k) * gs + 1;
  const eIdx = (k: number, j: number) => (j - k) * gs + 2;
  const pIdx = (k: number, j: number) => (j - k) * gs + gs;
  const infGroups = (levels: number) => Array.from({ length: levels * gs }, () => INF).join(', ');
  // "No chain" of each length, as columns so the long tuples are written once.
  const S: string[] = [];
  S[n - 1] = s.add(`f_S${n - 1}`, `tuple(${infGroups(1)})`);
  for (let k = n - 2; k >= 0; k--) {
    S[k] = s.add(`f_S${k}`, `tupleConcat(tuple(${infGroups(1)}), ${S[k + 1]})`);
  }
  const P = hasOpt ? s.add('f_P', `arrayEnumerate(${T})`) : null;

  // Per level k: next reset (strict) and next exclusion times strictly after each position.
  const NR: string[] = [];
  const NE: (string | null)[] = [];
  for (let k = 0; k < n - 1; k++) {
    // Resets look at the event's own steps (an event skipped for its breakdown value still keeps its step).
    if (strict) NR[k] = nextTime(s, `f_NR${k}`, `mu = 0 AND NOT bitTest(mk, ${k})`, [T, M0, MU!], ['mk', 'mu']);
    const gaps = candidates(plan, k).filter((c) => plan.exclusions[c]);
    if (hasX && gaps.length) {
      const bits = gaps.reduce((a, c) => a + pow2(c), 0);
      NE[k] = nextTime(s, `f_NE${k}`, `mu = 0 AND bitAnd(x, ${bits}) != 0`, [T, X!, MU!], ['x', 'mu']);
    } else NE[k] = null;
  }
  s.next();

  // Chains, from the last step backwards. R{k}: the chain from the next step-k event strictly after each position.
  const R: string[] = [];
  for (let k = n - 1; k >= 0; k--) {
    const cands = candidates(plan, k);
    const args = ['t', 'mk', ...(P ? ['ps'] : [])];
    const arrays = [T, M, ...(P ? [P] : [])];
    cands.forEach((c) => {
      args.push(`r${c}`);
      arrays.push(R[c]!);
    });
    if (strict && k < n - 1) {
      args.push('nr');
      arrays.push(NR[k]!);
    }
    if (NE[k]) {
      args.push('ne');
      arrays.push(NE[k]!);
    }
    let chain: string;
    if (cands.length === 0) {
      chain = `tuple(t${hasX ? `, ${INF}` : ''}${hasOpt ? ', ps' : ''})`;
    } else {
      // The candidate reached first (the same event matching several: the later step, as the UDF walks
      // back over optional steps from the nearest).
      const tq = (c: number) => `r${c}.1`;
      const key = (c: number) => `tuple(${tq(c)}, r${c}.${gs}, ${-c})`;
      const wins = (c: number) =>
        cands
          .filter((o) => o !== c)
          .map((o) => `${key(c)} < ${key(o)}`)
          .join(' AND ');
      const pick = (f: (c: number) => string) =>
        cands.length === 1
          ? f(cands[0]!)
          : `multiIf(${cands
              .slice(0, -1)
              .map((c) => `${wins(c)}, ${f(c)}`)
              .join(', ')}, ${f(cands[cands.length - 1]!)})`;
      let best = pick(tq);
      const conds = [`${best} < ${INF}`];
      if (cands.some((c) => plan.stepWindowMs[c] !== null)) {
        conds.push(pick((c) => (plan.stepWindowMs[c] === null ? '1' : `${best} - t <= ${plan.stepWindowMs[c]}`)));
      }
      if (strict) conds.push(`${best} <= nr`);
      let cont = conds.length === 1 ? conds[0]! : `(${conds.join(' AND ')})`;
      // The chain on from the chosen step, padded with "never" for the optional steps it skips.
      const padded = (c: number) => (c === k + 1 ? `r${c}` : `tupleConcat(tuple(${infGroups(c - k - 1)}), r${c})`);
      let next = pick(padded);
      if (cands.length > 1) {
        // Several candidates (optional steps): which one wins, its time and whether the chain goes on,
        // computed once as arrays so the expressions stay short.
        const win = s.add(`f_W${k}`, `arrayMap((${args.join(', ')}) -> tuple(${pick((c) => String(c))}, ${best}, ${cont}), ${arrays.join(', ')})`);
        s.next();
        args.push('w');
        arrays.push(win);
        best = 'w.2';
        cont = 'w.3 = 1';
        next = `multiIf(${cands
          .slice(0, -1)
          .map((c) => `w.1 = ${c}, ${padded(c)}`)
          .join(', ')}, ${padded(cands[cands.length - 1]!)})`;
      }
      // The first exclusion before the chain goes on (or, strict, before the attempt is reset).
      const e = NE[k] ? `if(${cont}, if(ne <= ${best}, ne, ${INF}), ${strict ? `if(ne <= nr, ne, ${INF})` : 'ne'})` : INF;
      chain = `tupleConcat(tuple(t${hasX ? `, ${e}` : ''}${hasOpt ? ', ps' : ''}), if(${cont}, ${next}, ${S[k + 1]!}))`;
    }
    const V = s.add(`f_V${k}`, `arrayMap((${args.join(', ')}) -> if(bitTest(mk, ${k}), ${chain}, ${S[k]}), ${arrays.join(', ')})`);
    if (k > 0) {
      R[k] = s.add(`f_R${k}`, shiftLeft(`arrayReverseFill((v, mk) -> bitTest(mk, ${k}), ${V}, ${M})`, S[k]!));
    }
    s.next();
  }

  // Every attempt: cut by the window, by its first exclusion (one more level, flagged), then summarised.
  const W = plan.windowMs;
  const reachedRaw = (v: string, j: number) => (j === 0 ? '1' : `${v}.${tIdx(0, j)} - ${v}.1 <= ${W}`);
  let AT0 = s.add('f_AT0', `arrayFilter((v, a) -> a = 1, f_V0, ${A})`);
  s.next();
  let v = 'v';
  let cutOf = (_p: string) => String(n - 1);
  let exclOf = (_p: string) => '0';
  let exTimeOf = (_p: string) => INF;
  if (hasX) {
    const levels = Array.from({ length: n - 1 }, (_, j) => j).filter((j) => NE[j]);
    const kx = levels.length ? `multiIf(${levels.map((j) => `${reachedRaw('v', j)} AND v.${eIdx(0, j)} - v.1 <= ${W}, ${j}`).join(', ')}, -1)` : '-1';
    AT0 = s.add('f_AT1', `arrayMap(v -> tuple(v, ${kx}), ${AT0})`);
    s.next();
    v = 'p.1';
    // After an exclusion at level kx the attempt can still reach its next chain step, flagged, and no further.
    const nextOf = (j: number) => {
      const later = candidates(plan, j);
      if (!later.length) return String(j);
      return `multiIf(${later.map((l) => `p.1.${tIdx(0, l)} < ${INF}, ${l}`).join(', ')}, ${j})`;
    };
    const cut = `multiIf(p.2 < 0, ${n - 1}, ${levels.map((j) => `p.2 = ${j}, ${nextOf(j)}`).join(', ')}, ${n - 1})`;
    exclOf = (p: string) => `if(${p}.2 >= 0, 1, 0)`;
    exTimeOf = (p: string) => `multiIf(${levels.map((j) => `${p}.2 = ${j}, ${p}.1.${eIdx(0, j)}`).join(', ')}, ${INF})`;
    AT0 = s.add('f_AT2', `arrayMap(p -> tuple(p.1, p.2, ${cut}), ${AT0})`);
    s.next();
    cutOf = (p: string) => `${p}.3`;
  }
  const lam = hasX ? 'p' : 'v';
  const reached = (j: number) => (j === 0 ? '1' : `(${reachedRaw(v, j)}${hasX ? ` AND ${cutOf('p')} >= ${j}` : ''})`);
  const d = `multiIf(${Array.from({ length: n - 1 }, (_, i) => n - 1 - i)
    .map((j) => `${reached(j)}, ${j + 1}`)
    .join(', ')}, 1)`;
  const reach = `multiIf(${Array.from({ length: n - 1 }, (_, i) => n - 1 - i)
    .map((j) => `${reached(j)}, ${v}.${tIdx(0, j)}`)
    .join(', ')}, ${v}.1)`;
  const mask = Array.from({ length: n }, (_, j) => (j === 0 ? '1' : `if(${reached(j)}, ${pow2(j)}, 0)`)).join(' + ');
  const times = Array.from({ length: n }, (_, j) => (j === 0 ? `${v}.1` : `if(${reached(j)}, ${v}.${tIdx(0, j)}, ${INF})`)).join(', ');
  // (d, reach time, -start, mask, excluded, exclusion time, start, times…)
  const AT = s.add('f_AT', `arrayMap(${lam} -> tuple(${d}, ${reach}, -${v}.1, ${mask}, ${exclOf(lam)}, ${exTimeOf(lam)}, ${v}.1, ${times}), ${AT0})`);
  s.next();

  let H: string;
  if (!hasX) {
    // Several attempts reaching it with the same event: the UDF keeps the one coming from the highest
    // step (it looks back over optional steps from the nearest), then the newest.
    H = s.add('f_H', `arraySort(x -> (-x.1, x.2, -x.4, x.3), ${AT})[1]`);
  } else {
    // The UDF's max_step: the first attempt to reach the deepest level holds it; a later one reaching the
    // same level takes over only once the holder is excluded. Attempts sharing their reach event merge
    // into the newest (the others were overwritten in `entered`).
    const D = s.add('f_Dmax', `arrayMax(x -> x.1, ${AT})`);
    s.next();
    const C0 = s.add('f_C0', `arraySort(x -> (x.2, -x.4, x.3), arrayFilter(x -> x.1 = ${D}, ${AT}))`);
    s.next();
    const C = s.add('f_C', `arrayFilter((x, xp, i) -> i = 1 OR x.2 != xp.2, ${C0}, arrayRotateRight(${C0}, 1), arrayEnumerate(${C0}))`);
    s.next();
    let h = s.add('f_H0', `${C}[1]`);
    s.next();
    for (let i = 1; i <= 3; i++) {
      const found = s.add(`f_N${i}`, `arrayFirst(x -> x.2 > tupleElement(${h}, 2) AND x.2 >= tupleElement(${h}, 6), ${C})`);
      s.next();
      h = s.add(`f_H${i}`, `if(tupleElement(${h}, 5) = 1 AND tupleElement(${found}, 1) > 0, ${found}, ${h})`);
      s.next();
    }
    H = s.add('f_H', h);
  }
  s.next();
  s.add('f_d', `tupleElement(${H}, 1)`);
  s.add('f_mask', `tupleElement(${H}, 4)`);
  s.add('f_excl', `tupleElement(${H}, 5)`);
  s.add('f_times', `[${Array.from({ length: n }, (_, j) => `tupleElement(${H}, ${8 + j})`).join(', ')}]`);
  return s.text(OUTPUTS);
}

/**
 * Unordered funnels (unordered_steps.rs): each step event starts a window of the conversion window's
 * length; the steps with an event in it (before the next exclusion event) count. Output columns as in
 * `orderedSelect` (f_mask = the first f_d steps, f_times = the sorted first times of the counted steps),
 * and f_AT = every window: tuple(count, start).
 */
function unorderedSelect(plan: EnginePlan, from: string): string {
  const n = plan.n;
  const s = stagesFrom(plan, from);
  const { T, M, X } = decode(plan, s);
  const W = plan.windowMs;
  const NS: string[] = [];
  for (let k = 0; k < n; k++) {
    NS[k] = s.add(`f_NS${k}`, `arrayReverseFill(v -> v < ${INF}, arrayMap((t, mk) -> if(bitTest(mk, ${k}), t, ${INF}), ${T}, ${M}))`);
  }
  const NX = X ? s.add('f_NX', `arrayReverseFill(v -> v < ${INF}, arrayMap((t, mk, x) -> if(mk = 0 AND x != 0, t, ${INF}), ${T}, ${M}, ${X}))`) : null;
  s.next();
  const args = ['t', 'mk', ...NS.map((_, k) => `n${k}`), ...(NX ? ['nx'] : [])];
  const arrays = [T, M, ...NS, ...(NX ? [NX] : [])];
  const present = (k: number) => `(n${k} - t <= ${W}${NX ? ` AND n${k} <= nx` : ''})`;
  const count = Array.from({ length: n }, (_, k) => `if(${present(k)}, 1, 0)`).join(' + ');
  const firsts = `arraySort([${Array.from({ length: n }, (_, k) => `if(${present(k)}, n${k}, ${INF})`).join(', ')}])`;
  const withB = plan.attribution === 'step';
  s.add('f_AU0', `arrayMap((${args.join(', ')}) -> tuple(${count}, t, ${firsts}), ${arrays.join(', ')})`);
  s.next();
  let pushed: string | null = null;
  if (withB) {
    // Step attribution (first step): an event with another value is only taken while a window is open,
    // i.e. within the window length of the previous event taken, with no exclusion in between. So in
    // each run of events less than a window apart (split at exclusions), events count from the first
    // one with the value on.
    const excl = X ? `(mk = 0 AND x != 0)` : '0';
    const Xa = X ?? M;
    const brk = s.add('f_UB', `arrayMap((t, tp, mk, x, xp) -> if(tp < 0 OR t - tp > ${W} OR xp = 1, 1, 0), ${T}, ${shiftRight(T, '-1')}, ${M}, ${Xa}, ${shiftRight(`arrayMap((mk, x) -> if(${excl}, 1, 0), ${M}, ${Xa})`, '0')})`);
    const match = s.add('f_UM', `arrayMap((mk, b) -> if(mk != 0 AND b = f_pv, 1, 0), ${M}, f_B)`);
    s.next();
    const cm = s.add('f_UC', `arrayCumSum(${match})`);
    s.next();
    const before = s.add('f_US', `arrayFill((v, b) -> b = 1, arrayMap((c, m) -> c - m, ${cm}, ${match}), ${brk})`);
    s.next();
    pushed = s.add('f_UP', `arrayMap((c, b) -> if(c > b, 1, 0), ${cm}, ${before})`);
    s.next();
  }
  // The UDF records a window when a later event falls outside it (or it is complete); an exclusion event
  // inside an incomplete window clears it unrecorded.
  const anchor = ['mk != 0', ...(pushed ? ['pu = 1'] : []), ...(NX ? [`(nx - t > ${W} OR u.1 = ${n})`] : [])].join(' AND ');
  s.add('f_AU', `arrayFilter((u, mk${pushed ? ', pu' : ''}${NX ? ', t, nx' : ''}) -> ${anchor}, f_AU0, ${M}${pushed ? `, ${pushed}` : ''}${NX ? `, ${T}, ${NX}` : ''})`);
  s.next();
  const H = s.add('f_H', 'arraySort(x -> (-x.1, x.2), f_AU)[1]');
  s.add('f_AT', 'arrayMap(x -> tuple(x.1, x.2), f_AU)');
  s.next();
  s.add('f_d', `tupleElement(${H}, 1)`);
  s.add('f_mask', `bitShiftLeft(1, tupleElement(${H}, 1)) - 1`);
  s.add('f_excl', '0');
  s.add('f_times', `tupleElement(${H}, 3)`);
  return s.text(OUTPUTS);
}

/** The per-actor evaluation (see orderedSelect / unorderedSelect for its columns). */
export function evaluationSelect(plan: EnginePlan): string {
  const actors = actorsSelect(plan, eventsSelect(plan));
  const from = perValueSelect(plan, actors);
  return plan.order === 'unordered' ? unorderedSelect(plan, from) : orderedSelect(plan, from);
}

/** HogQL for the conversion time (seconds) into step j (0-based, ≥ 1) of an evaluated row; 0 when not reached. */
export function conversionTimeExpr(plan: EnginePlan, j: number): string {
  const reached = (k: number) => `bitTest(f_mask, ${k})`;
  let prev: string;
  if (plan.order === 'unordered' || !plan.optional.slice(1, j).some(Boolean)) prev = `f_times[${j}]`;
  else {
    const earlier = Array.from({ length: j }, (_, i) => j - 1 - i);
    prev = `multiIf(${earlier
      .slice(0, -1)
      .map((k) => `${reached(k)}, f_times[${k + 1}]`)
      .join(', ')}${earlier.length > 1 ? ', ' : ''}f_times[1])`;
    if (earlier.length === 1) prev = 'f_times[1]';
  }
  return `if(${reached(j)}, (f_times[${j + 1}] - ${prev}) / 1000, 0)`;
}
