import { PersonPropertyInput } from '../../components/definition-inputs.js';
import { OPERATORS } from '../../components/property-filters-editor.js';
import { BlastRadius } from './flag-blast-radius.js';
import { countableFilters, type ConditionDraft, type ConditionRow } from './flag-model.js';

const NO_VALUE = new Set(['is_set', 'is_not_set']);

export interface CohortChoice {
  id: number;
  name: string;
}

/**
 * Release conditions: condition sets (OR between sets), each a list of filters (AND) and the share
 * of matching users who get the flag, with an optional variant override for multivariate flags.
 */
export function ReleaseConditions({
  conditions,
  onChange,
  variantKeys,
  cohorts,
  subject,
  projectId,
  groupIndex,
}: {
  conditions: ConditionDraft[];
  onChange: (c: ConditionDraft[]) => void;
  /** Variant keys when the flag is multivariate (empty: no override). */
  variantKeys: string[];
  cohorts: CohortChoice[];
  /** "users" or a group type's plural. */
  subject: string;
  projectId: number;
  /** null: the flag matches persons; otherwise the group type it matches. */
  groupIndex: number | null;
}) {
  const set = (index: number, change: Partial<ConditionDraft>) => onChange(conditions.map((c, i) => (i === index ? { ...c, ...change } : c)));

  return (
    <div className="condition-sets">
      {conditions.length === 0 && <p className="warning">No condition set: the flag is off for everyone. Add one to release it.</p>}
      {conditions.map((condition, index) => {
        const n = index + 1;
        const counted = countableFilters(condition, groupIndex);
        return (
          <fieldset key={index} className="condition-set">
            <legend>
              Set {n}
              {index > 0 && <span className="muted"> (or)</span>}
            </legend>
            <FilterRows
              label={`Set ${n}`}
              rows={condition.rows}
              onChange={(rows) => set(index, { rows })}
              cohorts={cohorts}
              property={subject === 'users' ? 'person' : 'group'}
            />
            <div className="rollout">
              <label htmlFor={`set-${n}-rollout`}>Roll out to</label>
              <input
                type="range"
                min={0}
                max={100}
                step={1}
                aria-label={`Set ${n} rollout slider`}
                value={Number(condition.rollout) || 0}
                onChange={(e) => set(index, { rollout: e.target.value })}
              />
              <input
                id={`set-${n}-rollout`}
                className="input input-narrow"
                type="number"
                min={0}
                max={100}
                step="any"
                value={condition.rollout}
                onChange={(e) => set(index, { rollout: e.target.value })}
              />
              <span>
                % of {subject} {condition.rows.length ? 'in this set' : ''}
              </span>
            </div>
            <BlastRadius projectId={projectId} filters={counted.filters} unfinished={counted.unfinished} groupIndex={groupIndex} rollout={condition.rollout} subject={subject} />
            {variantKeys.length > 0 && (
              <div className="field">
                <label htmlFor={`set-${n}-variant`}>Variant override</label>
                <select id={`set-${n}-variant`} className="input" value={condition.variant} onChange={(e) => set(index, { variant: e.target.value })}>
                  <option value="">None: split by the variant percentages</option>
                  {variantKeys.map((k) => (
                    <option key={k} value={k}>
                      Everyone in this set gets “{k}”
                    </option>
                  ))}
                </select>
              </div>
            )}
            <button type="button" className="button button-small" onClick={() => onChange(conditions.filter((_, i) => i !== index))} aria-label={`Remove set ${n}`}>
              Remove set
            </button>
          </fieldset>
        );
      })}
      <button type="button" className="button" onClick={() => onChange([...conditions, { rows: [], rollout: '100', variant: '' }])}>
        Add condition set
      </button>
    </div>
  );
}

function FilterRows({
  label,
  rows,
  onChange,
  cohorts,
  property,
}: {
  label: string;
  rows: ConditionRow[];
  onChange: (rows: ConditionRow[]) => void;
  cohorts: CohortChoice[];
  property: 'person' | 'group';
}) {
  const update = (index: number, change: Partial<ConditionRow>) => onChange(rows.map((r, i) => (i === index ? { ...r, ...change } : r)));
  return (
    <>
      {rows.length === 0 && <p className="muted">Matches every {property === 'person' ? 'user' : 'group'}.</p>}
      {rows.length > 0 && (
        <ol className="filter-rows">
          {rows.map((row, index) => {
            const name = `${label} filter ${index + 1}`;
            return (
              <li key={index} className="filter-row">
                {row.type === 'other' ? (
                  <span className="filter-other mono">
                    {row.raw?.type ?? 'filter'} {row.key} {row.operator} {row.value}
                  </span>
                ) : (
                  <>
                    <select
                      aria-label={`${name} kind`}
                      className="input"
                      value={row.type === 'cohort' ? 'cohort' : property}
                      onChange={(e) =>
                        update(index, e.target.value === 'cohort' ? { type: 'cohort', key: 'id', operator: 'in', value: '' } : { type: property, key: '', operator: 'exact', value: '' })
                      }
                    >
                      <option value={property}>{property === 'person' ? 'Person property' : 'Group property'}</option>
                      {property === 'person' && <option value="cohort">Cohort</option>}
                    </select>
                    {row.type === 'cohort' ? (
                      <>
                        <select aria-label={`${name} operator`} className="input" value={row.operator} onChange={(e) => update(index, { operator: e.target.value })}>
                          <option value="in">in cohort</option>
                          <option value="not_in">not in cohort</option>
                        </select>
                        <select aria-label={`${name} cohort`} className="input" value={row.value} onChange={(e) => update(index, { value: e.target.value })}>
                          <option value="">Choose a cohort…</option>
                          {cohorts.map((c) => (
                            <option key={c.id} value={String(c.id)}>
                              {c.name || `Cohort ${c.id}`}
                            </option>
                          ))}
                        </select>
                        <span />
                      </>
                    ) : (
                      <>
                        {property === 'person' ? (
                          <PersonPropertyInput aria-label={`${name} property`} placeholder="e.g. email" value={row.key} onChange={(key) => update(index, { key })} />
                        ) : (
                          <input aria-label={`${name} property`} className="input mono" value={row.key} onChange={(e) => update(index, { key: e.target.value })} />
                        )}
                        <select aria-label={`${name} operator`} className="input" value={row.operator} onChange={(e) => update(index, { operator: e.target.value })}>
                          {OPERATORS.map((op) => (
                            <option key={op.value} value={op.value}>
                              {op.label}
                            </option>
                          ))}
                        </select>
                        {NO_VALUE.has(row.operator) ? (
                          <span />
                        ) : (
                          <input
                            aria-label={`${name} value`}
                            className="input"
                            placeholder={row.operator === 'exact' || row.operator === 'is_not' ? 'values, separated by commas' : 'value'}
                            value={row.value}
                            onChange={(e) => update(index, { value: e.target.value })}
                          />
                        )}
                      </>
                    )}
                  </>
                )}
                <button type="button" className="button button-small" aria-label={`Remove ${name}`} onClick={() => onChange(rows.filter((_, i) => i !== index))}>
                  Remove
                </button>
              </li>
            );
          })}
        </ol>
      )}
      <button type="button" className="button button-small" onClick={() => onChange([...rows, { type: property, key: '', operator: 'exact', value: '' }])}>
        Add filter to {label.toLowerCase()}
      </button>
    </>
  );
}
