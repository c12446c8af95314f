import { useProject } from '../project.js';
import type { PropertyFilter } from '../types.js';
import { PropertyValueInput } from './property-value-input.js';
import { TaxonomyPicker } from './taxonomy-picker.js';

/** PostHog's property operators with the words its UI uses. */
export const OPERATORS: Array<{ value: string; label: string }> = [
  { value: 'exact', label: 'equals' },
  { value: 'is_not', label: "doesn't equal" },
  { value: 'icontains', label: 'contains' },
  { value: 'not_icontains', label: "doesn't contain" },
  { value: 'regex', label: 'matches regex' },
  { value: 'not_regex', label: "doesn't match regex" },
  { value: 'gt', label: 'greater than' },
  { value: 'lt', label: 'less than' },
  { value: 'is_set', label: 'is set' },
  { value: 'is_not_set', label: 'is not set' },
];

const NO_VALUE = new Set(['is_set', 'is_not_set']);
const LIST_VALUE = new Set(['exact', 'is_not']);

const NEW_EVENT_ROW = { type: 'event', operator: 'exact' } as const;

/** A row as edited: the value is the text in the box. */
export interface FilterRow {
  type: 'event' | 'person';
  key: string;
  operator: string;
  value: string;
}

export function rowsFromFilters(filters: PropertyFilter[]): FilterRow[] {
  return filters.map((f) => ({
    type: f.type === 'person' ? 'person' : 'event',
    key: f.key,
    operator: f.operator ?? 'exact',
    value: Array.isArray(f.value) ? f.value.join(', ') : f.value === undefined || f.value === null ? '' : String(f.value),
  }));
}

/** Back to PostHog's filter JSON: equals/doesn't equal take a list (comma-separated), numbers compare as numbers. */
export function filtersFromRows(rows: FilterRow[]): PropertyFilter[] {
  return rows
    .filter((r) => r.key.trim() !== '')
    .map((r) => {
      const base = { key: r.key.trim(), type: r.type, operator: r.operator };
      if (NO_VALUE.has(r.operator)) return base;
      if (LIST_VALUE.has(r.operator)) return { ...base, value: r.value.split(',').map((v) => v.trim()).filter((v) => v !== '') };
      if ((r.operator === 'gt' || r.operator === 'lt') && r.value.trim() !== '' && Number.isFinite(Number(r.value))) return { ...base, value: Number(r.value) };
      return { ...base, value: r.value };
    });
}

/**
 * Rows of "property · operator · value"; every control is labelled with its row number for screen
 * readers. Property names are suggested from the project's definitions (those seen with
 * `eventNames` first), values from the data.
 */
export function PropertyFiltersEditor({
  rows,
  onChange,
  eventNames,
  newRow = NEW_EVENT_ROW,
  labelPrefix,
}: {
  rows: FilterRow[];
  onChange: (rows: FilterRow[]) => void;
  eventNames?: string[];
  /** What "Add filter" starts with (an event property that equals, unless the screen says otherwise). */
  newRow?: Pick<FilterRow, 'type' | 'operator'>;
  /** Names the rows where a page has several editors ("Series A" → "Series A filter 1 value"). */
  labelPrefix?: string;
}) {
  const { project } = useProject();
  const update = (index: number, change: Partial<FilterRow>) => onChange(rows.map((r, i) => (i === index ? { ...r, ...change } : r)));

  return (
    <div className="filters">
      {rows.length === 0 && <p className="muted">No filters: every event counts.</p>}
      {rows.length > 0 && (
        <ol className="filter-rows">
          {rows.map((row, index) => {
            const n = index + 1;
            const filterName = labelPrefix ? `${labelPrefix} filter ${n}` : `Filter ${n}`;
            return (
              <li key={index} className="filter-row">
                <select aria-label={`${filterName} property type`} className="input" value={row.type} onChange={(e) => update(index, { type: e.target.value as FilterRow['type'] })}>
                  <option value="event">Event property</option>
                  <option value="person">Person property</option>
                </select>
                <TaxonomyPicker
                  projectId={project.id}
                  kind={row.type === 'person' ? 'person_property' : 'event_property'}
                  label={`${filterName} property name`}
                  hideLabel
                  placeholder="e.g. email or $host"
                  value={row.key}
                  eventNames={row.type === 'event' ? eventNames : undefined}
                  onChange={(key) => update(index, { key })}
                />
                <select aria-label={`${filterName} operator`} className="input" value={row.operator} onChange={(e) => update(index, { operator: e.target.value })}>
                  {OPERATORS.map((op) => (
                    <option key={op.value} value={op.value}>
                      {op.label}
                    </option>
                  ))}
                </select>
                {NO_VALUE.has(row.operator) ? (
                  <span className="filter-novalue" />
                ) : (
                  <PropertyValueInput
                    type={row.type}
                    propertyKey={row.key}
                    eventNames={eventNames}
                    list={LIST_VALUE.has(row.operator)}
                    label={`${filterName} value`}
                    placeholder={LIST_VALUE.has(row.operator) ? 'values, separated by commas' : 'value'}
                    value={row.value}
                    onChange={(value) => update(index, { value })}
                  />
                )}
                <button type="button" className="button button-small" aria-label={`Remove ${filterName.charAt(0).toLowerCase()}${filterName.slice(1)}`} onClick={() => onChange(rows.filter((_, i) => i !== index))}>
                  Remove
                </button>
              </li>
            );
          })}
        </ol>
      )}
      <button type="button" className="button" onClick={() => onChange([...rows, { ...newRow, key: '', value: '' }])}>
        Add filter
      </button>
    </div>
  );
}
