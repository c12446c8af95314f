import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { filtersFromRows, PropertyFiltersEditor, rowsFromFilters, type FilterRow } from '../../components/property-filters-editor.js';
import { TaxonomyPicker } from '../../components/taxonomy-picker.js';
import { useProject } from '../../project.js';
import { defaultInterval } from '../date-range.js';
import { INSIGHT_KINDS, type InsightKind, type InsightQuery, INTERVALS, KIND_INFO, TOTAL_VALUE_DISPLAYS, TRENDS_DISPLAYS, type TrendsDisplay } from '../query.js';
import { DateRangePicker } from './date-range-picker.js';
import { FunnelOptions, PathsOptions, RetentionOptions } from './kind-options.js';
import { SeriesEditor } from './series-editor.js';

type Change = (query: InsightQuery) => void;

/** The kind tabs (Trends · Funnels · Retention · User paths · Stickiness · Lifecycle), arrow keys move between them. */
export function KindTabs({ kind, onSelect }: { kind: InsightKind; onSelect: (kind: InsightKind) => void }) {
  function onKeyDown(event: KeyboardEvent) {
    const i = INSIGHT_KINDS.indexOf(kind);
    let next: number | null = null;
    if (event.key === 'ArrowRight') next = (i + 1) % INSIGHT_KINDS.length;
    else if (event.key === 'ArrowLeft') next = (i - 1 + INSIGHT_KINDS.length) % INSIGHT_KINDS.length;
    if (next === null) return;
    event.preventDefault();
    onSelect(INSIGHT_KINDS[next]!);
    requestAnimationFrame(() => document.getElementById(`insight-tab-${INSIGHT_KINDS[next!]}`)?.focus());
  }
  return (
    <div className="tabs insight-tabs" role="tablist" aria-label="Insight type" onKeyDown={onKeyDown}>
      {INSIGHT_KINDS.map((k) => (
        <button
          key={k}
          id={`insight-tab-${k}`}
          type="button"
          role="tab"
          className="tab"
          aria-selected={k === kind}
          aria-controls="insight-editor"
          tabIndex={k === kind ? 0 : -1}
          onClick={() => onSelect(k)}
          title={KIND_INFO[k].description}
        >
          {KIND_INFO[k].label}
        </button>
      ))}
    </div>
  );
}

/** Everything that defines the insight: series or kind options, filters, breakdown. */
export function InsightEditor({ query, onChange }: { query: InsightQuery; onChange: Change }) {
  const kind = query.kind;
  const seriesTitle = kind === 'FunnelsQuery' ? 'Query steps' : kind === 'LifecycleQuery' ? 'Event' : 'Series';
  return (
    <section id="insight-editor" className="card insight-editor" role="tabpanel" aria-labelledby={`insight-tab-${kind}`}>
      <div className="editor-columns">
        <div className="editor-column">
          {kind === 'RetentionQuery' ? (
            <RetentionOptions query={query} onChange={onChange} />
          ) : kind === 'PathsQuery' ? (
            <PathsOptions query={query} onChange={onChange} />
          ) : (
            <>
              <h2 className="editor-heading">{seriesTitle}</h2>
              <SeriesEditor kind={kind} series={query.series ?? []} onChange={(series) => onChange({ ...query, series })} />
            </>
          )}
          {kind === 'FunnelsQuery' && <FunnelOptions query={query} onChange={onChange} />}
        </div>
        <div className="editor-column">
          <h2 className="editor-heading">Filters</h2>
          <GlobalFilters query={query} onChange={onChange} />
          {(kind === 'TrendsQuery' || kind === 'FunnelsQuery' || kind === 'RetentionQuery') && (
            <>
              <h2 className="editor-heading">Breakdown by</h2>
              <BreakdownPicker query={query} onChange={onChange} />
            </>
          )}
        </div>
      </div>
    </section>
  );
}

/** Filters for every series, and the "Filter out internal and test users" switch. */
function GlobalFilters({ query, onChange }: { query: InsightQuery; onChange: Change }) {
  const external = JSON.stringify(query.properties ?? []);
  const [rows, setRows] = useState<FilterRow[]>(() => rowsFromFilters(query.properties ?? []));
  // A query replaced from outside (back button, another link) brings its own filter rows.
  useEffect(() => {
    if (JSON.stringify(filtersFromRows(rows)) !== external) setRows(rowsFromFilters(query.properties ?? []));
  }, [external]);
  return (
    <div className="global-filters">
      <label className="switch">
        <input type="checkbox" role="switch" checked={Boolean(query.filterTestAccounts)} onChange={(e) => onChange({ ...query, filterTestAccounts: e.target.checked })} />
        Filter out internal and test users
      </label>
      <PropertyFiltersEditor
        rows={rows}
        onChange={(r) => {
          setRows(r);
          const properties = filtersFromRows(r);
          if (JSON.stringify(properties) !== external) onChange({ ...query, properties: properties.length ? properties : undefined });
        }}
      />
    </div>
  );
}

function BreakdownPicker({ query, onChange }: { query: InsightQuery; onChange: Change }) {
  const id = useId();
  const { project } = useProject();
  const b = query.breakdownFilter;
  const events = (query.series ?? []).flatMap((s) => (s.event ? [s.event] : []));
  const type = b?.breakdown ? (b.breakdown_type ?? 'event') : 'none';
  return (
    <div className="option-row breakdown-picker">
      <div className="control">
        <label htmlFor={`${id}-type`} className="control-label">
          Breakdown type
        </label>
        <select
          id={`${id}-type`}
          className="input"
          value={type}
          onChange={(e) => {
            const t = e.target.value;
            if (t === 'none') onChange({ ...query, breakdownFilter: undefined });
            else onChange({ ...query, breakdownFilter: { breakdown_type: t as 'event', breakdown: t === 'person' ? 'email' : '$browser' } });
          }}
        >
          <option value="none">No breakdown</option>
          <option value="event">Event property</option>
          <option value="person">Person property</option>
        </select>
      </div>
      {type !== 'none' && (
        <div className="control">
          <span className="control-label" aria-hidden="true">
            Property
          </span>
          <TaxonomyPicker
            key={type}
            projectId={project.id}
            kind={type === 'person' ? 'person_property' : 'event_property'}
            label="Breakdown property"
            hideLabel
            value={String(b?.breakdown ?? '')}
            eventNames={type === 'event' && events.length ? events : undefined}
            onChange={(p) => p && onChange({ ...query, breakdownFilter: { ...b, breakdown_type: type as 'event', breakdown: p } })}
            placeholder="Search properties"
          />
        </div>
      )}
    </div>
  );
}

/** Above the chart: date range, interval, compare and chart type. */
export function DisplayBar({ query, onChange }: { query: InsightQuery; onChange: Change }) {
  const id = useId();
  const kind = query.kind;
  const display = query.trendsFilter?.display ?? 'ActionsLineGraph';
  const timeSeries = kind === 'LifecycleQuery' || kind === 'StickinessQuery' || (kind === 'TrendsQuery' && !TOTAL_VALUE_DISPLAYS.has(display));
  return (
    <div className="display-bar">
      <DateRangePicker
        value={query.dateRange}
        noneLabel={kind === 'RetentionQuery' ? `Last ${query.retentionFilter?.totalIntervals ?? 8} ${(query.retentionFilter?.period ?? 'Day').toLowerCase()}s` : undefined}
        onChange={(range) => {
          const next: InsightQuery = { ...query, dateRange: range ?? undefined };
          if (range && query.interval) next.interval = defaultInterval(range);
          onChange(next);
        }}
      />
      {timeSeries && (
        <div className="control">
          <label htmlFor={`${id}-interval`} className="control-label">
            grouped by
          </label>
          <select id={`${id}-interval`} className="input" value={query.interval ?? 'day'} onChange={(e) => onChange({ ...query, interval: e.target.value as 'day' })}>
            {INTERVALS.map((i) => (
              <option key={i} value={i}>
                {i}
              </option>
            ))}
          </select>
        </div>
      )}
      {(kind === 'TrendsQuery' || kind === 'StickinessQuery') && (
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            checked={Boolean(query.compareFilter?.compare)}
            onChange={(e) => onChange({ ...query, compareFilter: e.target.checked ? { compare: true } : undefined })}
          />
          Compare to previous period
        </label>
      )}
      {kind === 'TrendsQuery' && (
        <div className="control">
          <label htmlFor={`${id}-display`} className="control-label">
            Chart type
          </label>
          <select id={`${id}-display`} className="input" value={display} onChange={(e) => {
              const next: InsightQuery = { ...query, trendsFilter: { ...query.trendsFilter, display: e.target.value as TrendsDisplay } };
              // A world map colours countries: like PostHog, it breaks the trend down by the GeoIP country.
              if (e.target.value === 'WorldMap') next.breakdownFilter = { breakdown_type: 'event', breakdown: '$geoip_country_code' };
              onChange(next);
            }}>
            {(['Time series', 'Total value'] as const).map((group) => (
              <optgroup key={group} label={group}>
                {TRENDS_DISPLAYS.filter((d) => d.group === group).map((d) => (
                  <option key={d.value} value={d.value}>
                    {d.label}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </div>
      )}
    </div>
  );
}

