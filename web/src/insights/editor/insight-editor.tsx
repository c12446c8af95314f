import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { filtersFromRows, PropertyFiltersEditor, rowsFromFilters, type FilterRow } from '../../components/property-filters-editor.js';
import { TaxonomyPicker } from '../../components/taxonomy-picker.js';
import { useProject } from '../../project.js';
import { defaultInterval } from '../date-range.js';
import { cohortRefsOf, eventLabel, INSIGHT_KINDS, type InsightKind, type InsightQuery, INTERVALS, KIND_INFO, normalizeFunnel, TOTAL_VALUE_DISPLAYS, TRENDS_DISPLAYS, type TrendsDisplay } from '../query.js';
import { CohortBreakdownChoices } from './cohort-breakdown.js';
import { DateRangePicker } from './date-range-picker.js';
import { FormulaEditor } from './formula-editor.js';
import { FunnelDisplayOptions } from './funnel-display.js';
import { FunnelExclusions } from './funnel-exclusions.js';
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
/** `error`: the last run's refusal, for the controls that can point at its cause (a formula). */
export function InsightEditor({ query, onChange: change, error }: { query: InsightQuery; onChange: Change; error?: Error }) {
  const kind = query.kind;
  // Step edits can leave funnel step references (exclusions, step range) pointing past the last step.
  const onChange: Change = (next) => change(normalizeFunnel(next));
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
          {kind === 'TrendsQuery' && <FormulaEditor query={query} onChange={onChange} error={error} />}
          {kind === 'FunnelsQuery' && (
            <>
              <FunnelOptions query={query} onChange={onChange} />
              <FunnelExclusions query={query} onChange={onChange} />
            </>
          )}
        </div>
        <div className="editor-column">
          <h2 className="editor-heading">Filters</h2>
          <GlobalFilters query={query} onChange={onChange} />
          {(kind === 'TrendsQuery' || kind === 'FunnelsQuery' || kind === 'RetentionQuery') && (
            <>
              <h2 className="editor-heading">Breakdown by</h2>
              <BreakdownPicker query={query} onChange={onChange} />
              {kind === 'FunnelsQuery' && <FunnelAttribution query={query} onChange={onChange} />}
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
        eventNames={query.series?.flatMap((s) => (s.event ? [s.event] : []))}
        onChange={(r) => {
          setRows(r);
          const properties = filtersFromRows(r);
          if (JSON.stringify(properties) !== external) onChange({ ...query, properties: properties.length ? properties : undefined });
        }}
      />
    </div>
  );
}

type BreakdownChoice = 'none' | 'event' | 'person' | 'cohort';

/**
 * "Breakdown by": an event or person property, or (trends, funnels, retention) cohorts. Choosing "Cohorts"
 * shows the project's cohorts; the breakdown joins the query once one is ticked.
 */
function BreakdownPicker({ query, onChange }: { query: InsightQuery; onChange: Change }) {
  const id = useId();
  const { project } = useProject();
  const b = query.breakdownFilter;
  const events = (query.series ?? []).flatMap((s) => (s.event ? [s.event] : []));
  const cohortRefs = cohortRefsOf(b);
  const stored: BreakdownChoice = b?.breakdown_type === 'cohort' ? (cohortRefs.length ? 'cohort' : 'none') : b?.breakdown ? (b.breakdown_type ?? 'event') === 'person' ? 'person' : 'event' : 'none';
  // "Cohorts" chosen with none ticked yet: not a query PostHog or the server accepts, so it stays here.
  const [pendingCohorts, setPendingCohorts] = useState(false);
  const type: BreakdownChoice = stored === 'none' && pendingCohorts ? 'cohort' : stored;
  const cohortsAllowed = query.kind === 'TrendsQuery' || query.kind === 'FunnelsQuery' || query.kind === 'RetentionQuery';
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
            const t = e.target.value as BreakdownChoice;
            setPendingCohorts(t === 'cohort');
            if (t === 'none' || t === 'cohort') onChange({ ...query, breakdownFilter: undefined });
            else onChange({ ...query, breakdownFilter: { breakdown_type: t, breakdown: t === 'person' ? 'email' : '$browser' } });
          }}
        >
          <option value="none">No breakdown</option>
          <option value="event">Event property</option>
          <option value="person">Person property</option>
          {(cohortsAllowed || type === 'cohort') && <option value="cohort">Cohorts</option>}
        </select>
      </div>
      {(type === 'event' || type === 'person') && (
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
            onChange={(p) => p && onChange({ ...query, breakdownFilter: { ...b, breakdown_type: type, breakdown: p } })}
            placeholder="Search properties"
          />
        </div>
      )}
      {type === 'cohort' && (
        <CohortBreakdownChoices
          selected={cohortRefs}
          onChange={(refs) => {
            setPendingCohorts(refs.length === 0);
            onChange({ ...query, breakdownFilter: refs.length ? { breakdown_type: 'cohort', breakdown: refs } : undefined });
          }}
        />
      )}
    </div>
  );
}

/**
 * Funnels broken down by a property: which value a person's funnel is counted under (PostHog's
 * "Attribution type"). Cohort breakdowns count each cohort's own funnel, so it does not apply there.
 */
function FunnelAttribution({ query, onChange }: { query: InsightQuery; onChange: Change }) {
  const id = useId();
  const b = query.breakdownFilter;
  if (!b?.breakdown || b.breakdown_type === 'cohort') return null;
  const f = query.funnelsFilter ?? {};
  const steps = query.series ?? [];
  const unordered = f.funnelOrderType === 'unordered';
  const type = f.breakdownAttributionType ?? 'first_touch';
  const value = type === 'step' ? `step:${f.breakdownAttributionValue ?? 0}` : type;
  return (
    <div className="option-row">
      <div className="control">
        <label htmlFor={`${id}-attribution`} className="control-label">
          Attribution type
        </label>
        <select
          id={`${id}-attribution`}
          className="input"
          value={value}
          onChange={(e) => {
            const v = e.target.value;
            const { breakdownAttributionType: _t, breakdownAttributionValue: _v, ...rest } = f;
            const next = v.startsWith('step:') ? { ...rest, breakdownAttributionType: 'step' as const, breakdownAttributionValue: Number(v.slice(5)) } : v === 'first_touch' ? rest : { ...rest, breakdownAttributionType: v as 'last_touch' };
            onChange({ ...query, funnelsFilter: next });
          }}
        >
          <option value="first_touch">First touchpoint</option>
          <option value="last_touch">Last touchpoint</option>
          <option value="all_events">All steps</option>
          {/* An any-order funnel has no "step 2": PostHog offers the value of any step instead. */}
          {unordered ? (
            <option value="step:0">Any step</option>
          ) : (
            steps.map((s, i) => (
              <option key={i} value={`step:${i}`}>
                Step {i + 1}: {s.custom_name || eventLabel(s.event)}
              </option>
            ))
          )}
        </select>
      </div>
    </div>
  );
}

/** Above the chart: date range, interval, compare and chart type. */
export function DisplayBar({ query, onChange }: { query: InsightQuery; onChange: Change }) {
  const id = useId();
  const kind = query.kind;
  const display = query.trendsFilter?.display ?? 'ActionsLineGraph';
  const funnelTrends = kind === 'FunnelsQuery' && query.funnelsFilter?.funnelVizType === 'trends';
  // Funnels compare their conversion steps (the other graph types have no previous-period view here).
  const funnelSteps = kind === 'FunnelsQuery' && (query.funnelsFilter?.funnelVizType ?? 'steps') === 'steps';
  const timeSeries = kind === 'LifecycleQuery' || kind === 'StickinessQuery' || (kind === 'TrendsQuery' && !TOTAL_VALUE_DISPLAYS.has(display)) || funnelTrends;
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
      {kind === 'FunnelsQuery' && <FunnelDisplayOptions query={query} onChange={(next) => onChange(normalizeFunnel(next))} />}
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
      {(kind === 'TrendsQuery' || kind === 'StickinessQuery' || funnelSteps) && (
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

