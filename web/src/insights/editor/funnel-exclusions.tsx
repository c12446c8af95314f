import { useEffect, useRef, useState } from 'react';
import { filtersFromRows, PropertyFiltersEditor, rowsFromFilters, type FilterRow } from '../../components/property-filters-editor.js';
import { TaxonomyPicker } from '../../components/taxonomy-picker.js';
import { useProject } from '../../project.js';
import type { PropertyFilter } from '../../types.js';
import { eventLabel, type FunnelExclusion, type InsightQuery } from '../query.js';

type Change = (query: InsightQuery) => void;

/**
 * "Exclusion steps": an event that, done between step i and step j, removes the person from the
 * funnel. A new exclusion joins the query only once its event is chosen (an exclusion of "any
 * event" would also match the steps, which the server refuses). Property filters narrow what counts
 * as the excluded event (the exclusion node's `properties`).
 */
export function FunnelExclusions({ query, onChange }: { query: InsightQuery; onChange: Change }) {
  const { project } = useProject();
  const [adding, setAdding] = useState(false);
  const pickerRef = useRef<HTMLDivElement>(null);
  // The new exclusion's event box takes the focus, so keyboard users type the event straight away.
  useEffect(() => {
    if (adding) pickerRef.current?.querySelector('input')?.focus();
  }, [adding]);
  const f = query.funnelsFilter ?? {};
  const exclusions = f.exclusions ?? [];
  const steps = query.series ?? [];
  const last = steps.length - 1;
  const unordered = f.funnelOrderType === 'unordered';
  const set = (next: FunnelExclusion[]) => {
    const { exclusions: _old, ...rest } = f;
    onChange({ ...query, funnelsFilter: next.length ? { ...rest, exclusions: next } : rest });
  };
  const update = (index: number, change: Partial<FunnelExclusion>) => set(exclusions.map((e, i) => (i === index ? { ...e, ...change } : e)));
  const stepOption = (i: number) => (
    <option key={i} value={i}>
      {i + 1}. {steps[i]?.custom_name || eventLabel(steps[i]?.event)}
    </option>
  );

  return (
    <div className="funnel-exclusions">
      <h2 className="editor-heading">Exclusion steps</h2>
      <p className="muted small">Persons who do an excluded event between the two steps are removed from the funnel.{unordered && ' In an any-order funnel an exclusion covers the whole funnel.'}</p>
      {exclusions.length > 0 && (
        <ol className="exclusion-rows">
          {exclusions.map((e, i) => {
            const name = `Exclusion ${i + 1}`;
            return (
              <li key={i} className="series-row exclusion-row">
                <div className="series-event">
                  <TaxonomyPicker projectId={project.id} kind="event" label={`${name} event`} hideLabel value={e.event ?? ''} onChange={(event) => event && update(i, { event, name: event })} placeholder="Search events" />
                </div>
                <span className="muted">between</span>
                <select
                  aria-label={`${name} from step`}
                  className="input"
                  value={e.funnelFromStep}
                  disabled={unordered || last < 1}
                  onChange={(ev) => {
                    const from = Number(ev.target.value);
                    update(i, { funnelFromStep: from, funnelToStep: Math.max(e.funnelToStep, from + 1) });
                  }}
                >
                  {steps.slice(0, Math.max(last, 1)).map((_, k) => stepOption(k))}
                </select>
                <span className="muted">and</span>
                <select aria-label={`${name} to step`} className="input" value={e.funnelToStep} disabled={unordered || last < 1} onChange={(ev) => update(i, { funnelToStep: Number(ev.target.value) })}>
                  {steps.map((_, k) => (k > e.funnelFromStep ? stepOption(k) : null))}
                </select>
                <button type="button" className="button button-small" onClick={() => set(exclusions.filter((_, k) => k !== i))} aria-label={`Remove exclusion ${i + 1}`}>
                  Remove
                </button>
                <ExclusionFilters
                  name={name}
                  event={e.event}
                  properties={e.properties ?? []}
                  onChange={(properties) => {
                    const { properties: _old, ...rest } = e;
                    set(exclusions.map((x, k) => (k === i ? (properties.length ? { ...rest, properties } : rest) : x)));
                  }}
                />
              </li>
            );
          })}
        </ol>
      )}
      {adding ? (
        <div className="exclusion-row">
          <div className="series-event" ref={pickerRef}>
            <TaxonomyPicker
              projectId={project.id}
              kind="event"
              label="Excluded event"
              hideLabel
              value=""
              allowCustom
              onChange={(event) => {
                if (!event) return;
                setAdding(false);
                // Between the first and the last step by default, as PostHog adds them.
                set([...exclusions, { kind: 'EventsNode', event, name: event, funnelFromStep: 0, funnelToStep: Math.max(last, 1) }]);
              }}
              placeholder="Search events to exclude"
            />
          </div>
          <button type="button" className="button button-small" onClick={() => setAdding(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" className="button button-small" onClick={() => setAdding(true)} disabled={last < 1} title={last < 1 ? 'Add a second step first' : undefined}>
          + Add exclusion
        </button>
      )}
    </div>
  );
}

/**
 * An exclusion's "+ filter" rows. Rows being typed stay here until they make a filter; the query
 * (and the URL) gets only complete ones, as with the insight's global filters.
 */
function ExclusionFilters({ name, event, properties, onChange }: { name: string; event: string | null; properties: PropertyFilter[]; onChange: (properties: PropertyFilter[]) => void }) {
  const external = JSON.stringify(properties);
  const [rows, setRows] = useState<FilterRow[]>(() => rowsFromFilters(properties));
  // A query replaced from outside (back button, another link) brings its own rows.
  useEffect(() => {
    if (JSON.stringify(filtersFromRows(rows)) !== external) setRows(rowsFromFilters(properties));
  }, [external]);
  const change = (next: FilterRow[]) => {
    setRows(next);
    const filters = filtersFromRows(next);
    if (JSON.stringify(filters) !== external) onChange(filters);
  };
  if (rows.length === 0)
    return (
      <button type="button" className="button button-small" aria-label={`Add filter to ${name.toLowerCase()}`} onClick={() => change([{ type: 'event', operator: 'exact', key: '', value: '' }])}>
        + filter
      </button>
    );
  return (
    <div className="exclusion-filters" role="group" aria-label={`${name} filters`}>
      <PropertyFiltersEditor rows={rows} labelPrefix={name} eventNames={event ? [event] : undefined} onChange={change} />
    </div>
  );
}
