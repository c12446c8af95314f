import { useId } from 'react';
import { TaxonomyPicker } from '../../components/taxonomy-picker.js';
import { useProject } from '../../project.js';
import type { InsightQuery, RetentionEntity, WindowUnit } from '../query.js';

type Change = (query: InsightQuery) => void;

/** Funnel options: step order and conversion window. */
export function FunnelOptions({ query, onChange }: { query: InsightQuery; onChange: Change }) {
  const id = useId();
  const f = query.funnelsFilter ?? {};
  const set = (change: Partial<NonNullable<InsightQuery['funnelsFilter']>>) => onChange({ ...query, funnelsFilter: { ...f, ...change } });
  return (
    <div className="option-row">
      <div className="control">
        <label htmlFor={`${id}-order`} className="control-label">
          Step order
        </label>
        <select id={`${id}-order`} className="input" value={f.funnelOrderType ?? 'ordered'} onChange={(e) => set({ funnelOrderType: e.target.value as 'ordered' })}>
          <option value="ordered">Sequential</option>
          <option value="strict">Strict order</option>
          <option value="unordered">Any order</option>
        </select>
      </div>
      <div className="control">
        <span className="control-label" id={`${id}-window`}>
          Conversion window limit
        </span>
        <div className="control-pair" role="group" aria-labelledby={`${id}-window`}>
          <input
            className="input input-number"
            type="number"
            min={1}
            aria-label="Conversion window"
            value={f.funnelWindowInterval ?? 14}
            onChange={(e) => {
              const n = Math.floor(Number(e.target.value));
              if (n >= 1) set({ funnelWindowInterval: n });
            }}
          />
          <select aria-label="Conversion window unit" className="input" value={f.funnelWindowIntervalUnit ?? 'day'} onChange={(e) => set({ funnelWindowIntervalUnit: e.target.value as WindowUnit })}>
            {(['minute', 'hour', 'day', 'week', 'month'] as const).map((u) => (
              <option key={u} value={u}>
                {u}s
              </option>
            ))}
          </select>
        </div>
      </div>
    </div>
  );
}

/** Retention: the start ("cohortizing") and return events, first-time vs recurring, period and number of periods. */
export function RetentionOptions({ query, onChange }: { query: InsightQuery; onChange: Change }) {
  const id = useId();
  const { project } = useProject();
  const r = query.retentionFilter ?? {};
  const set = (change: Partial<NonNullable<InsightQuery['retentionFilter']>>) => onChange({ ...query, retentionFilter: { ...r, ...change } });
  const entity = (event: string): RetentionEntity => ({ id: event, type: 'events', name: event });
  return (
    <div className="retention-options">
      <div className="option-row">
        <div className="control">
          <span className="control-label" aria-hidden="true">
            Start event
          </span>
          <TaxonomyPicker projectId={project.id} kind="event" label="Retention start event" hideLabel value={String(r.targetEntity?.id ?? '')} onChange={(e) => e && set({ targetEntity: entity(e) })} placeholder="Search events" />
        </div>
        <div className="control">
          <label htmlFor={`${id}-type`} className="control-label">
            Cohort by
          </label>
          <select id={`${id}-type`} className="input" value={r.retentionType ?? 'retention_first_time'} onChange={(e) => set({ retentionType: e.target.value as 'retention_first_time' })}>
            <option value="retention_first_time">for the first time</option>
            <option value="retention_recurring">recurringly</option>
          </select>
        </div>
        <div className="control">
          <span className="control-label" aria-hidden="true">
            Return event
          </span>
          <TaxonomyPicker projectId={project.id} kind="event" label="Retention return event" hideLabel value={String(r.returningEntity?.id ?? '')} onChange={(e) => e && set({ returningEntity: entity(e) })} placeholder="Search events" />
        </div>
      </div>
      <div className="option-row">
        <div className="control">
          <label htmlFor={`${id}-period`} className="control-label">
            Period
          </label>
          <select id={`${id}-period`} className="input" value={r.period ?? 'Day'} onChange={(e) => set({ period: e.target.value as 'Day' })}>
            {(['Hour', 'Day', 'Week', 'Month'] as const).map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
        <div className="control">
          <label htmlFor={`${id}-intervals`} className="control-label">
            Number of periods
          </label>
          <input
            id={`${id}-intervals`}
            className="input input-number"
            type="number"
            min={1}
            max={300}
            value={r.totalIntervals ?? 8}
            onChange={(e) => {
              const n = Math.floor(Number(e.target.value));
              if (n >= 1 && n <= 300) set({ totalIntervals: n });
            }}
          />
        </div>
      </div>
    </div>
  );
}

const PATH_TYPES = [
  { value: '$pageview', label: 'Page views' },
  { value: '$screen', label: 'Screen views' },
  { value: 'custom_event', label: 'Custom events' },
] as const;

/** Paths: which events make the path, where it starts or ends, and how many steps. */
export function PathsOptions({ query, onChange }: { query: InsightQuery; onChange: Change }) {
  const id = useId();
  const p = query.pathsFilter ?? {};
  const types = p.includeEventTypes ?? ['$pageview'];
  const set = (change: Partial<NonNullable<InsightQuery['pathsFilter']>>) => onChange({ ...query, pathsFilter: { ...p, ...change } });
  const point = (key: 'startPoint' | 'endPoint', label: string) => (
    <div className="control">
      <label htmlFor={`${id}-${key}`} className="control-label">
        {label}
      </label>
      <input
        id={`${id}-${key}`}
        className="input"
        placeholder={types.includes('$pageview') ? 'e.g. https://example.com/pricing' : 'an event name'}
        defaultValue={p[key] ?? ''}
        key={p[key] ?? ''}
        onBlur={(e) => {
          const v = e.target.value.trim();
          if (v !== (p[key] ?? '')) set({ [key]: v || undefined });
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') e.currentTarget.blur();
        }}
      />
    </div>
  );
  return (
    <div className="paths-options">
      <fieldset className="control">
        <legend className="control-label">Show paths of</legend>
        {PATH_TYPES.map((t) => (
          <label key={t.value} className="check-inline">
            <input
              type="checkbox"
              checked={types.includes(t.value)}
              onChange={(e) => {
                const next = e.target.checked ? [...types, t.value] : types.filter((v) => v !== t.value);
                if (next.length) set({ includeEventTypes: next });
              }}
            />{' '}
            {t.label}
          </label>
        ))}
      </fieldset>
      <div className="option-row">
        {point('startPoint', 'Starts at')}
        {point('endPoint', 'Ends at')}
        <div className="control">
          <label htmlFor={`${id}-steps`} className="control-label">
            Steps
          </label>
          <select id={`${id}-steps`} className="input" value={p.stepLimit ?? 5} onChange={(e) => set({ stepLimit: Number(e.target.value) })}>
            {[2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 20].map((n) => (
              <option key={n} value={n}>
                {n} steps
              </option>
            ))}
          </select>
        </div>
      </div>
    </div>
  );
}
