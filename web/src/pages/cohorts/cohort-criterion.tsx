import { PropertyFiltersEditor, type FilterRow } from '../../components/property-filters-editor.js';
import { PropertyValueInput } from '../../components/property-value-input.js';
import { TaxonomyPicker } from '../../components/taxonomy-picker.js';
import { useProject } from '../../project.js';
import type { Criterion } from './cohort-definition.js';
import { BEHAVIOURS, COUNT_OPERATORS, LIST_OPERATORS, NO_VALUE_OPERATORS, PERSON_OPERATORS, TIME_UNITS, type Behaviour } from './cohort-model.js';

export interface Option {
  id: number;
  name: string;
}

/** A list to pick from, once loaded. */
export type OptionList = Option[] | 'loading' | 'error';

/** What the rows pick from: the project's other cohorts and its actions. */
export interface Choices {
  cohorts: OptionList;
  actions: OptionList;
}

/** A behaviour's first filter row (its "+ Add filter" before the shared editor shows): an event property, "equals". */
const NEW_EVENT_FILTER: FilterRow = { type: 'event', key: '', operator: 'exact', value: '' };

/** One criterion as a sentence: "Completed event · purchase · in the last 30 days", with its event filters below. */
export function CriterionRow({ label, value: c, onChange, choices }: { label: string; value: Criterion; onChange: (c: Criterion) => void; choices: Choices }) {
  const set = (change: Partial<Criterion>) => onChange({ ...c, ...change });
  const kind = c.behaviour.replace(/^not_/, '');
  const isEvent = kind.startsWith('performed_event');
  return (
    <div className="criterion">
      <div className="sentence">
        <select aria-label={`${label} behaviour`} className="input" value={c.behaviour} onChange={(e) => set({ behaviour: e.target.value as Behaviour })}>
          {BEHAVIOURS.map((b) => (
            <option key={b.value} value={b.value}>
              {b.label}
            </option>
          ))}
        </select>
        {isEvent && <EventOrAction label={label} value={c} set={set} actions={choices.actions} />}
        {kind === 'performed_event_multiple' && (
          <>
            <select aria-label={`${label} count operator`} className="input" value={c.countOperator} onChange={(e) => set({ countOperator: e.target.value })}>
              {COUNT_OPERATORS.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
            <input aria-label={`${label} times`} className="input input-narrow" type="number" min={0} step={1} value={c.count} onChange={(e) => set({ count: e.target.value })} />
            <span>times</span>
          </>
        )}
        {isEvent && <TimeWindow label={label} value={c} set={set} />}
        {kind === 'have_property' && <PersonProperty label={label} value={c} set={set} />}
        {kind === 'in_cohort' && <OptionSelect label={`${label} cohort`} placeholder="Choose a cohort…" noun="Cohort" options={choices.cohorts} value={c.cohortId} onChange={(cohortId) => set({ cohortId })} />}
      </div>
      {isEvent && <EventFilters label={label} value={c} set={set} />}
    </div>
  );
}

type Part = { label: string; value: Criterion; set: (change: Partial<Criterion>) => void };

/** PostHog's behavioural picker offers events and actions; here a kind select, then the event's name or the action. */
function EventOrAction({ label, value: c, set, actions }: Part & { actions: OptionList }) {
  const { project } = useProject();
  return (
    <>
      <select aria-label={`${label} event or action`} className="input" value={c.eventType} onChange={(e) => set({ eventType: e.target.value as Criterion['eventType'] })}>
        <option value="events">event</option>
        <option value="actions">action</option>
      </select>
      {c.eventType === 'events' ? (
        <TaxonomyPicker projectId={project.id} kind="event" label={`${label} event`} hideLabel placeholder="event name" value={c.event} onChange={(event) => set({ event })} />
      ) : (
        <OptionSelect label={`${label} action`} placeholder="Choose an action…" noun="Action" options={actions} value={c.actionId} onChange={(actionId) => set({ actionId })} />
      )}
    </>
  );
}

/** A select over cohorts or actions that still shows a chosen id it cannot find (deleted, or not loaded). */
function OptionSelect({ label, placeholder, noun, options, value, onChange }: { label: string; placeholder: string; noun: string; options: OptionList; value: string; onChange: (id: string) => void }) {
  const list = Array.isArray(options) ? options : [];
  const known = list.some((o) => String(o.id) === value);
  const first = options === 'loading' ? 'Loading…' : options === 'error' ? `Could not load the ${noun.toLowerCase()}s` : list.length === 0 ? `No ${noun.toLowerCase()}s in this project` : placeholder;
  return (
    <select aria-label={label} className="input" value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{first}</option>
      {value && !known && <option value={value}>{Array.isArray(options) ? `${noun} ${value} (not found)` : `${noun} ${value}`}</option>}
      {list.map((o) => (
        <option key={o.id} value={String(o.id)}>
          {o.name || `${noun} ${o.id}`}
        </option>
      ))}
    </select>
  );
}

function TimeWindow({ label, value: c, set }: Part) {
  return (
    <>
      <select aria-label={`${label} when`} className="input" value={c.window} onChange={(e) => set({ window: e.target.value as Criterion['window'] })}>
        <option value="last">in the last</option>
        <option value="since">since</option>
        <option value="ever">at any time</option>
      </select>
      {c.window === 'last' && (
        <>
          <input
            aria-label={`${label} time window`}
            className="input input-narrow"
            type="number"
            min={0}
            step={1}
            value={c.timeValue}
            onChange={(e) => set({ timeValue: e.target.value })}
          />
          <select aria-label={`${label} time unit`} className="input" value={c.timeUnit} onChange={(e) => set({ timeUnit: e.target.value as Criterion['timeUnit'] })}>
            {TIME_UNITS.map((u) => (
              <option key={u} value={u}>
                {u}s
              </option>
            ))}
          </select>
        </>
      )}
      {c.window === 'since' && (
        <input
          aria-label={`${label} since`}
          className="input"
          placeholder="2025-01-31 or -30d"
          title="A date (2025-01-31), a date and time, or relative to now (-30d, -2w, -6m)"
          value={c.since}
          onChange={(e) => set({ since: e.target.value })}
        />
      )}
    </>
  );
}

function PersonProperty({ label, value: c, set }: Part) {
  const { project } = useProject();
  const known = PERSON_OPERATORS.some((o) => o.value === c.propertyOperator);
  const range = c.propertyOperator === 'between' || c.propertyOperator === 'not_between';
  return (
    <>
      <TaxonomyPicker
        projectId={project.id}
        kind="person_property"
        label={`${label} property`}
        hideLabel
        placeholder="person property"
        value={c.propertyKey}
        onChange={(propertyKey) => set({ propertyKey })}
      />
      <select aria-label={`${label} operator`} className="input" value={c.propertyOperator} onChange={(e) => set({ propertyOperator: e.target.value })}>
        {!known && <option value={c.propertyOperator}>{c.propertyOperator}</option>}
        {PERSON_OPERATORS.map((op) => (
          <option key={op.value} value={op.value}>
            {op.label}
          </option>
        ))}
      </select>
      {!NO_VALUE_OPERATORS.has(c.propertyOperator) && (
        <PropertyValueInput
          type="person"
          propertyKey={c.propertyKey}
          list={LIST_OPERATORS.has(c.propertyOperator)}
          label={`${label} value`}
          placeholder={range ? 'min, max' : LIST_OPERATORS.has(c.propertyOperator) ? 'values, separated by commas' : c.propertyOperator.startsWith('is_date') ? '2025-01-31' : 'value'}
          value={c.propertyValue}
          onChange={(propertyValue) => set({ propertyValue })}
        />
      )}
    </>
  );
}

/** Event property filters on the behaviour (`event_filters`): only the events that match them count. */
function EventFilters({ label, value: c, set }: Part) {
  const rows = c.eventFilters;
  const add = () => set({ eventFilters: [...rows, { ...NEW_EVENT_FILTER }] });
  if (rows.length === 0) {
    return (
      <button type="button" className="button button-small criterion-add-filter" aria-label={`Add filter to ${label.charAt(0).toLowerCase()}${label.slice(1)}`} onClick={add}>
        <span aria-hidden="true">+ </span>Add filter
      </button>
    );
  }
  return (
    <div role="group" aria-label={`${label} event filters`} className="criterion-filters">
      <span className="muted">where the event matches all of</span>
      <PropertyFiltersEditor
        rows={rows}
        labelPrefix={label}
        eventNames={c.eventType === 'events' && c.event.trim() ? [c.event.trim()] : undefined}
        onChange={(next) => set({ eventFilters: next })}
      />
    </div>
  );
}
