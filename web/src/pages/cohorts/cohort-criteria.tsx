import { EventNameInput, PersonPropertyInput } from '../../components/definition-inputs.js';
import { OPERATORS } from '../../components/property-filters-editor.js';
import {
  BEHAVIOURS,
  COUNT_OPERATORS,
  newCriterion,
  TIME_UNITS,
  type Behaviour,
  type CohortDefinition,
  type Criterion,
  type CriteriaGroup,
} from './cohort-model.js';

const NO_VALUE = new Set(['is_set', 'is_not_set']);

export interface CohortOption {
  id: number;
  name: string;
}

/**
 * PostHog's sentence-style cohort criteria: groups of criteria, "all" or "any" inside each group and
 * between groups. Every control is labelled with its group and row, for screen readers and tests.
 */
export function CohortCriteriaEditor({ value, onChange, cohorts }: { value: CohortDefinition; onChange: (d: CohortDefinition) => void; cohorts: CohortOption[] }) {
  const setGroup = (index: number, group: CriteriaGroup) => onChange({ ...value, groups: value.groups.map((g, i) => (i === index ? group : g)) });

  return (
    <div className="criteria">
      <p className="criteria-match">
        <label>
          Match persons against{' '}
          <select className="input" aria-label="Match criteria groups" value={value.type} onChange={(e) => onChange({ ...value, type: e.target.value as 'AND' | 'OR' })}>
            <option value="AND">all</option>
            <option value="OR">any</option>
          </select>{' '}
          criteria groups
        </label>
      </p>
      {value.groups.map((group, gi) => (
        <fieldset key={gi} className="criteria-group">
          <legend>
            Group {gi + 1}
            {gi > 0 && <span className="muted"> ({value.type === 'AND' ? 'and' : 'or'})</span>}
          </legend>
          <div className="criteria-group-header">
            <label>
              Match persons against{' '}
              <select className="input" aria-label={`Group ${gi + 1} match`} value={group.type} onChange={(e) => setGroup(gi, { ...group, type: e.target.value as 'AND' | 'OR' })}>
                <option value="AND">all</option>
                <option value="OR">any</option>
              </select>{' '}
              criteria
            </label>
            <button type="button" className="button button-small" onClick={() => onChange({ ...value, groups: value.groups.filter((_, i) => i !== gi) })} aria-label={`Remove group ${gi + 1}`}>
              Remove group
            </button>
          </div>
          <ol className="criteria-rows">
            {group.criteria.map((c, ci) => (
              <li key={ci} className="criteria-row">
                <CriterionRow
                  label={`Group ${gi + 1}, criterion ${ci + 1}`}
                  value={c}
                  cohorts={cohorts}
                  onChange={(next) => setGroup(gi, { ...group, criteria: group.criteria.map((x, i) => (i === ci ? next : x)) })}
                />
                <button
                  type="button"
                  className="button button-small"
                  aria-label={`Remove group ${gi + 1}, criterion ${ci + 1}`}
                  onClick={() => setGroup(gi, { ...group, criteria: group.criteria.filter((_, i) => i !== ci) })}
                >
                  Remove
                </button>
              </li>
            ))}
          </ol>
          <button type="button" className="button button-small" onClick={() => setGroup(gi, { ...group, criteria: [...group.criteria, newCriterion()] })}>
            Add criteria to group {gi + 1}
          </button>
        </fieldset>
      ))}
      <button type="button" className="button" onClick={() => onChange({ ...value, groups: [...value.groups, { type: 'AND', criteria: [newCriterion()] }] })}>
        Add criteria group
      </button>
    </div>
  );
}

function CriterionRow({ label, value: c, onChange, cohorts }: { label: string; value: Criterion; onChange: (c: Criterion) => void; cohorts: CohortOption[] }) {
  const set = (change: Partial<Criterion>) => onChange({ ...c, ...change });
  const isEvent = c.behaviour.includes('performed_event');
  const window = (
    <>
      <span>{c.behaviour === 'performed_event_first_time' ? 'for the first time in the last' : 'in the last'}</span>
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
  );

  return (
    <div className="sentence">
      <select aria-label={`${label} behaviour`} className="input" value={c.behaviour} onChange={(e) => set({ behaviour: e.target.value as Behaviour })}>
        {BEHAVIOURS.map((b) => (
          <option key={b.value} value={b.value}>
            {b.label}
          </option>
        ))}
      </select>
      {isEvent && <EventNameInput aria-label={`${label} event`} placeholder="event name" value={c.event} onChange={(event) => set({ event })} />}
      {c.behaviour === 'performed_event_multiple' && (
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
      {isEvent && window}
      {(c.behaviour === 'have_property' || c.behaviour === 'not_have_property') && (
        <>
          <PersonPropertyInput aria-label={`${label} property`} placeholder="person property" value={c.propertyKey} onChange={(propertyKey) => set({ propertyKey })} />
          <select aria-label={`${label} operator`} className="input" value={c.propertyOperator} onChange={(e) => set({ propertyOperator: e.target.value })}>
            {OPERATORS.map((op) => (
              <option key={op.value} value={op.value}>
                {op.label}
              </option>
            ))}
          </select>
          {!NO_VALUE.has(c.propertyOperator) && (
            <input
              aria-label={`${label} value`}
              className="input"
              placeholder={c.propertyOperator === 'exact' || c.propertyOperator === 'is_not' ? 'values, separated by commas' : 'value'}
              value={c.propertyValue}
              onChange={(e) => set({ propertyValue: e.target.value })}
            />
          )}
        </>
      )}
      {(c.behaviour === 'in_cohort' || c.behaviour === 'not_in_cohort') && (
        <select aria-label={`${label} cohort`} className="input" value={c.cohortId} onChange={(e) => set({ cohortId: e.target.value })}>
          <option value="">Choose a cohort…</option>
          {cohorts.map((o) => (
            <option key={o.id} value={String(o.id)}>
              {o.name || `Cohort ${o.id}`}
            </option>
          ))}
        </select>
      )}
    </div>
  );
}
