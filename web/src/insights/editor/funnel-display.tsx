import { useId } from 'react';
import { defaultInterval } from '../date-range.js';
import { eventLabel, FUNNEL_VIZ_TYPES, type FunnelVizType, type InsightQuery } from '../query.js';

type Change = (query: InsightQuery) => void;

/** Bin counts offered for the time-to-convert histogram (the server accepts 1–90; "Automatic" picks ∛n). */
const BIN_COUNTS = [5, 10, 15, 20, 25, 30, 40, 50, 60, 90];

/**
 * The funnel part of the display bar: the graph type (conversion steps, time to convert, historical
 * trends) and, for the last two, which steps the time or the conversion is measured between; the
 * histogram's bin count for time to convert.
 */
export function FunnelDisplayOptions({ query, onChange }: { query: InsightQuery; onChange: Change }) {
  const id = useId();
  const f = query.funnelsFilter ?? {};
  const viz: FunnelVizType = f.funnelVizType ?? 'steps';
  const steps = query.series ?? [];
  const last = steps.length - 1;
  const from = f.funnelFromStep ?? 0;
  const to = f.funnelToStep ?? last;
  const set = (change: Partial<NonNullable<InsightQuery['funnelsFilter']>>, extra: Partial<InsightQuery> = {}) => {
    const next = { ...f, ...change };
    for (const key of Object.keys(change) as Array<keyof typeof next>) if (next[key] === undefined) delete next[key];
    onChange({ ...query, ...extra, funnelsFilter: next });
  };
  const stepName = (i: number) => `${i + 1}. ${steps[i]?.custom_name || eventLabel(steps[i]?.event)}`;

  return (
    <>
      <div className="control">
        <label htmlFor={`${id}-viz`} className="control-label">
          Graph type
        </label>
        <select
          id={`${id}-viz`}
          className="input"
          value={viz}
          onChange={(e) => {
            const value = e.target.value as FunnelVizType;
            // Historical trends are per interval: start from the range's natural one, as PostHog does.
            const extra = value === 'trends' && !query.interval ? { interval: defaultInterval(query.dateRange ?? { date_from: '-7d' }) } : {};
            set({ funnelVizType: value === 'steps' ? undefined : value }, extra);
          }}
        >
          {FUNNEL_VIZ_TYPES.map((v) => (
            <option key={v.value} value={v.value}>
              {v.label}
            </option>
          ))}
        </select>
      </div>
      {viz !== 'steps' && last >= 1 && (
        <div className="control">
          <span className="control-label" id={`${id}-range`}>
            {viz === 'trends' ? 'Conversion' : 'Time to convert'} between steps
          </span>
          <div className="control-pair" role="group" aria-labelledby={`${id}-range`}>
            <select
              aria-label="From step"
              className="input"
              value={from}
              onChange={(e) => {
                const value = Number(e.target.value);
                const nextTo = to <= value ? value + 1 : to;
                // The defaults (first → last step) stay implicit, so links stay as short as PostHog's.
                set({ funnelFromStep: value === 0 ? undefined : value, funnelToStep: nextTo === last ? undefined : nextTo });
              }}
            >
              {steps.slice(0, last).map((_, i) => (
                <option key={i} value={i}>
                  {stepName(i)}
                </option>
              ))}
            </select>
            <select aria-label="To step" className="input" value={to} onChange={(e) => set({ funnelToStep: Number(e.target.value) === last ? undefined : Number(e.target.value) })}>
              {steps.map((_, i) =>
                i > from ? (
                  <option key={i} value={i}>
                    {stepName(i)}
                  </option>
                ) : null,
              )}
            </select>
          </div>
        </div>
      )}
      {viz === 'time_to_convert' && (
        <div className="control">
          <label htmlFor={`${id}-bins`} className="control-label">
            Bins
          </label>
          <select id={`${id}-bins`} className="input" value={f.binCount ?? 'auto'} onChange={(e) => set({ binCount: e.target.value === 'auto' ? undefined : Number(e.target.value) })}>
            <option value="auto">Automatic</option>
            {BIN_COUNTS.map((n) => (
              <option key={n} value={n}>
                {n} bins
              </option>
            ))}
          </select>
        </div>
      )}
    </>
  );
}
