import { useId, useState } from 'react';
import { DATE_PRESETS, dateRangeLabel, isCustomRange } from '../date-range.js';
import type { DateRange } from '../query.js';

const CUSTOM = 'custom';
const NONE = 'none';

/**
 * Date range select: PostHog's presets, and "Custom dates…" which reveals two date inputs (the
 * range ends at the end of its last day). `noneLabel` adds an "unset" choice (a dashboard's "No
 * date range override", retention's "last N periods").
 */
export function DateRangePicker({ value, onChange, noneLabel, label = 'Date range' }: { value: DateRange | null | undefined; onChange: (range: DateRange | null) => void; noneLabel?: string; label?: string }) {
  const id = useId();
  const unset = !value?.date_from && !value?.date_to;
  const preset = DATE_PRESETS.findIndex((p) => p.date_from === value?.date_from && (p.date_to ?? null) === (value?.date_to ?? null));
  const [customOpen, setCustomOpen] = useState(false);
  const custom = customOpen || (!unset && preset < 0);
  const selected = custom ? CUSTOM : unset && noneLabel ? NONE : preset >= 0 ? String(preset) : CUSTOM;
  const [from, setFrom] = useState(isCustomRange(value) ? value!.date_from!.slice(0, 10) : '');
  const [to, setTo] = useState(isCustomRange(value) && value?.date_to ? value.date_to.slice(0, 10) : '');

  return (
    <div className="date-range-picker">
      <label htmlFor={`${id}-select`} className="control-label">
        {label}
      </label>
      <select
        id={`${id}-select`}
        className="input"
        value={selected}
        onChange={(e) => {
          const v = e.target.value;
          if (v === CUSTOM) {
            setCustomOpen(true);
            return;
          }
          setCustomOpen(false);
          if (v === NONE) onChange(null);
          else {
            const p = DATE_PRESETS[Number(v)]!;
            onChange({ date_from: p.date_from, date_to: p.date_to ?? null });
          }
        }}
      >
        {noneLabel && <option value={NONE}>{noneLabel}</option>}
        {DATE_PRESETS.map((p, i) => (
          <option key={p.date_from} value={String(i)}>
            {p.label}
          </option>
        ))}
        <option value={CUSTOM}>{custom && !unset && preset < 0 ? dateRangeLabel(value) : 'Custom dates…'}</option>
      </select>
      {custom && (
        <form
          className="custom-dates"
          onSubmit={(e) => {
            e.preventDefault();
            if (!from) return;
            setCustomOpen(false);
            onChange({ date_from: from, date_to: to || null });
          }}
        >
          <label htmlFor={`${id}-from`}>From</label>
          <input id={`${id}-from`} className="input" type="date" required value={from} max={to || undefined} onChange={(e) => setFrom(e.target.value)} />
          <label htmlFor={`${id}-to`}>To</label>
          <input id={`${id}-to`} className="input" type="date" value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} />
          <button type="submit" className="button button-small">
            Apply dates
          </button>
        </form>
      )}
    </div>
  );
}
