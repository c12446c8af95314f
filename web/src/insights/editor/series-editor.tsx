import { useState } from 'react';
import { filtersFromRows, PropertyFiltersEditor, rowsFromFilters, type FilterRow } from '../../components/property-filters-editor.js';
import { TaxonomyPicker } from '../../components/taxonomy-picker.js';
import { useProject } from '../../project.js';
import { eventLabel, eventNode, type EventsNode, type InsightKind, MATHS, needsProperty, seriesLetter } from '../query.js';

/** Which maths a kind offers: funnels and lifecycle count persons by definition. */
function mathsFor(kind: InsightKind) {
  if (kind === 'StickinessQuery') return MATHS.filter((m) => m.value === 'dau' || m.value === 'unique_session');
  return MATHS;
}

/**
 * The series (trends, stickiness) or steps (funnels) of an insight: a lettered row each with the
 * event, its math, per-series filters, and rename/remove; "Add" appends a row.
 */
export function SeriesEditor({ kind, series, onChange }: { kind: InsightKind; series: EventsNode[]; onChange: (series: EventsNode[]) => void }) {
  const { project } = useProject();
  const funnel = kind === 'FunnelsQuery';
  const single = kind === 'LifecycleQuery';
  const withMath = kind === 'TrendsQuery' || kind === 'StickinessQuery';
  const update = (index: number, change: Partial<EventsNode>) => onChange(series.map((s, i) => (i === index ? { ...s, ...change } : s)));
  const noun = funnel ? 'step' : 'series';

  return (
    <div className="series-editor">
      <ol className="series-rows">
        {series.map((s, i) => {
          const tag = funnel ? String(i + 1) : seriesLetter(i);
          return (
            <SeriesRow
              key={i}
              tag={tag}
              noun={noun}
              node={s}
              withMath={withMath}
              maths={mathsFor(kind)}
              projectId={project.id}
              allEvents={!funnel}
              onChange={(change) => update(i, change)}
              onRemove={series.length > 1 ? () => onChange(series.filter((_, j) => j !== i)) : undefined}
              onDuplicate={single ? undefined : () => onChange([...series.slice(0, i + 1), structuredClone(s), ...series.slice(i + 1)])}
            />
          );
        })}
      </ol>
      {!single && (
        <button type="button" className="button button-small" onClick={() => onChange([...series, funnel ? eventNode(series[series.length - 1]?.event ?? '$pageview') : eventNode('$pageview')])}>
          {funnel ? '+ Add step' : '+ Add graph series'}
        </button>
      )}
    </div>
  );
}

function SeriesRow({
  tag,
  noun,
  node,
  withMath,
  maths,
  projectId,
  allEvents,
  onChange,
  onRemove,
  onDuplicate,
}: {
  tag: string;
  noun: string;
  node: EventsNode;
  withMath: boolean;
  maths: typeof MATHS;
  projectId: number;
  /** Trends count "All events"; a funnel step is one event. */
  allEvents: boolean;
  onChange: (change: Partial<EventsNode>) => void;
  onRemove?: () => void;
  onDuplicate?: () => void;
}) {
  const [showFilters, setShowFilters] = useState(Boolean(node.properties?.length));
  const [rows, setRows] = useState<FilterRow[]>(() => rowsFromFilters(node.properties ?? []));
  const name = `${noun === 'step' ? 'Step' : 'Series'} ${tag}`;
  const groups = [...new Set(maths.map((m) => m.group))];

  return (
    <li className="series-row">
      <div className="series-row-main">
        <span className="series-badge" aria-hidden="true">
          {tag}
        </span>
        <div className="series-event">
          <TaxonomyPicker
            projectId={projectId}
            kind="event"
            label={`${name} event`}
            hideLabel
            value={node.event ?? ''}
            emptyOption={allEvents ? 'All events' : undefined}
            onChange={(event) => onChange({ event: event === '' ? null : event, name: event === '' ? 'All events' : event })}
            placeholder="Search events"
          />
        </div>
        {withMath && (
          <select
            aria-label={`${name} math`}
            className="input"
            value={node.math ?? 'total'}
            onChange={(e) => {
              const math = e.target.value;
              onChange({ math, math_property: needsProperty(math) ? node.math_property : undefined });
            }}
          >
            {groups.map((g) => (
              <optgroup key={g} label={g}>
                {maths
                  .filter((m) => m.group === g)
                  .map((m) => (
                    <option key={m.value} value={m.value}>
                      {m.label}
                    </option>
                  ))}
              </optgroup>
            ))}
          </select>
        )}
        {withMath && needsProperty(node.math) && (
          <TaxonomyPicker
            projectId={projectId}
            kind="event_property"
            label={`${name} math property`}
            hideLabel
            value={node.math_property ?? ''}
            eventNames={node.event ? [node.event] : undefined}
            onChange={(p) => onChange({ math_property: p || undefined })}
            placeholder="Numeric property"
          />
        )}
        <div className="series-row-actions">
          <button type="button" className="button button-small" aria-expanded={showFilters} onClick={() => setShowFilters((v) => !v)} aria-label={`${name} filters`}>
            Filters{node.properties?.length ? ` (${node.properties.length})` : ''}
          </button>
          {onDuplicate && (
            <button type="button" className="button button-small" onClick={onDuplicate} aria-label={`Duplicate ${name.toLowerCase()}`}>
              Duplicate
            </button>
          )}
          {onRemove && (
            <button type="button" className="button button-small" onClick={onRemove} aria-label={`Remove ${name.toLowerCase()}`}>
              Remove
            </button>
          )}
        </div>
      </div>
      <div className="series-row-extra">
        <label className="inline-label">
          <span className="muted">Label</span>
          <input
            className="input input-small"
            aria-label={`${name} custom name`}
            placeholder={eventLabel(node.event)}
            value={node.custom_name ?? ''}
            onChange={(e) => onChange({ custom_name: e.target.value || undefined })}
          />
        </label>
      </div>
      {showFilters && (
        <div className="series-filters">
          <PropertyFiltersEditor
            rows={rows}
            labelPrefix={name}
            eventNames={node.event ? [node.event] : undefined}
            onChange={(r) => {
              setRows(r);
              const properties = filtersFromRows(r);
              onChange({ properties: properties.length ? properties : undefined });
            }}
          />
        </div>
      )}
    </li>
  );
}
