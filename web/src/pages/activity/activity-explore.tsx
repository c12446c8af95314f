import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link, Navigate, useLocation, useSearchParams } from 'react-router';
import { api } from '../../api.js';
import { DataTable, type DataColumn } from '../../components/data-table.js';
import { filtersFromRows, PropertyFiltersEditor, rowsFromFilters, type FilterRow } from '../../components/property-filters-editor.js';
import { SdkSnippets } from '../../components/sdk-snippets.js';
import { EmptyState, ErrorState, Loading } from '../../components/states.js';
import { TaxonomyPicker } from '../../components/taxonomy-picker.js';
import { formatNumber } from '../../format.js';
import { usePageTitle, useProject } from '../../project.js';
import type { PropertyFilter } from '../../types.js';
import { useApi } from '../../use-api.js';
import { EventDetail } from './event-detail.js';
import { formatEventTime, utcLabel } from './event-time.js';
import { useEventStream, type EventFilters, type EventRow } from './use-event-stream.js';

/** `/events` is PostHog's older address of this screen: it lands here with its filters. */
export default function ActivityRoute() {
  const location = useLocation();
  const { base } = useProject();
  if (!location.pathname.endsWith('/activity/explore')) return <Navigate to={`${base}/activity/explore${location.search}${location.hash}`} replace />;
  return <ActivityExplore />;
}

/** The URL is the state: `?event=<name>&properties=<PostHog property filters as JSON>`. */
function filtersFromUrl(params: URLSearchParams): { filters: EventFilters; problem: string | null } {
  const event = params.get('event') ?? '';
  const raw = params.get('properties');
  if (!raw) return { filters: { event, properties: [] }, problem: null };
  try {
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) throw new Error('not a list');
    const properties = parsed.filter((f): f is PropertyFilter => typeof f === 'object' && f !== null && typeof (f as PropertyFilter).key === 'string');
    return { filters: { event, properties }, problem: null };
  } catch {
    return { filters: { event, properties: [] }, problem: 'The property filters in this link could not be read, so they are not applied.' };
  }
}


function ActivityExplore() {
  const { project, base } = useProject();
  usePageTitle('Activity', project.name);
  const [params, setParams] = useSearchParams();
  const { filters, problem } = filtersFromUrl(params);
  const filterKey = JSON.stringify(filters);
  // `filters` is rebuilt on each render; the key keeps hooks from seeing a "new" value each time.
  const stable = useMemo(() => filters, [filterKey]);
  const [live, setLive] = useState(true);
  const stream = useEventStream(project.id, stable, live);

  // Filter rows being edited; they follow the URL when it changes (back/forward, a pasted link).
  const [rows, setRows] = useState<FilterRow[]>(() => rowsFromFilters(filters.properties));
  const propertiesParam = params.get('properties') ?? '';
  useEffect(() => {
    // Rows that already say what the URL says stay as they are (with any half-typed row kept).
    setRows((current) => (JSON.stringify(filtersFromRows(current)) === JSON.stringify(stable.properties) ? current : rowsFromFilters(stable.properties)));
  }, [propertiesParam]);

  const count = useApi<number>(`events-count:${project.id}:${filterKey}:${stream.arrivals}`, async () => {
    const res = await api.post<{ results: number[][] }>(`/api/projects/${project.id}/query/`, {
      query: {
        kind: 'EventsQuery',
        select: ['count()'],
        event: stable.event || null,
        properties: stable.properties,
        // The list itself has no time window, so neither has its count.
        after: 'all',
        before: '2999-12-31',
      },
    });
    return Number(res.results[0]?.[0] ?? 0);
  });
  // Keep showing the previous count while a new one loads (live updates would make it flicker).
  const [shownCount, setShownCount] = useState<number | null>(null);
  useEffect(() => {
    if (count.status === 'ready') setShownCount(count.data);
  }, [count.status, count.data]);
  useEffect(() => setShownCount(null), [filterKey]);

  function setFilter(name: 'event' | 'properties', value: string) {
    setParams((p) => {
      if (value) p.set(name, value);
      else p.delete(name);
      return p;
    });
  }

  function applyProperties(next: FilterRow[]) {
    const list = filtersFromRows(next);
    setFilter('properties', list.length ? JSON.stringify(list) : '');
  }

  function onRowsChange(next: FilterRow[]) {
    setRows(next);
    // A removal takes effect at once; edits wait for "Apply" (or Enter) so typing does not query per key.
    if (next.length < rows.length) applyProperties(next);
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    applyProperties(rows);
  }

  const applied = JSON.stringify(filtersFromRows(rows)) === JSON.stringify(stable.properties);
  const filtered = stable.event !== '' || stable.properties.length > 0;

  const columns = useMemo<DataColumn<EventRow>[]>(
    () => [
      { key: 'event', label: 'Event', value: (e) => e.event, render: (e) => <span className="mono">{e.event}</span> },
      {
        key: 'person',
        label: 'Person',
        value: (e) => personLabel(e),
        render: (e) => (e.person ? <Link to={`${base}/persons/${e.person.id}`}>{personLabel(e)}</Link> : <span className="mono">{e.distinct_id}</span>),
      },
      {
        key: 'url',
        label: 'URL / Screen',
        value: (e) => urlOf(e),
        render: (e) => {
          const url = urlOf(e);
          return url ? (
            <span className="cell-truncate" title={url}>
              {url}
            </span>
          ) : (
            <span className="muted">—</span>
          );
        },
      },
      { key: 'lib', label: 'Library', value: (e) => e.properties.$lib ?? null, render: (e) => (typeof e.properties.$lib === 'string' ? e.properties.$lib : <span className="muted">—</span>) },
      {
        key: 'time',
        label: 'Time',
        value: (e) => e.timestamp,
        render: (e) => (
          <time dateTime={e.timestamp} title={utcLabel(e.timestamp)} className="nowrap">
            {formatEventTime(e.timestamp, project.timezone)}
          </time>
        ),
      },
    ],
    [base, project.timezone],
  );

  return (
    <>
      <div className="page-header">
        <h1>Activity</h1>
        <div className="live-controls">
          <span className={live ? 'live-state live-on' : 'live-state'}>
            <span className="live-dot" aria-hidden="true" />
            {live ? 'Live' : 'Paused'}
          </span>
          <button type="button" className="button" aria-label={live ? 'Pause live updates' : 'Resume live updates'} onClick={() => setLive((l) => !l)}>
            {live ? 'Pause' : 'Play'}
          </button>
        </div>
      </div>

      <section className="card activity-filters" aria-labelledby="activity-filters-title">
        <h2 id="activity-filters-title" className="visually-hidden">
          Filters
        </h2>
        <div className="activity-event-filter">
          <TaxonomyPicker projectId={project.id} kind="event" label="Event" emptyOption="All events" value={stable.event} onChange={(v) => setFilter('event', v)} />
        </div>
        <form onSubmit={onSubmit} aria-label="Property filters">
          <PropertyFiltersEditor rows={rows} onChange={onRowsChange} eventNames={stable.event ? [stable.event] : undefined} />
          {!applied && (
            <div className="activity-filter-actions">
              <button type="submit" className="button button-primary">
                Apply filters
              </button>
              <span className="muted">Filters changed: apply them (or press Enter) to update the list.</span>
            </div>
          )}
        </form>
        {problem && (
          <p className="error-text" role="alert">
            {problem}
          </p>
        )}
        {filtered && (
          <p>
            <Link to={`${base}/activity/explore`}>Clear all filters</Link>
          </p>
        )}
      </section>

      {stream.status === 'loading' && <Loading label="Loading events…" />}
      {stream.status === 'error' && stream.error && <ErrorState error={stream.error} retry={stream.retry} title="Could not load events" />}
      {stream.status === 'ready' && stream.rows.length === 0 && !filtered && (
        <section className="card onboarding" aria-labelledby="no-events-title">
          <h2 id="no-events-title">No events yet</h2>
          <p>This project has not received an event. Paste one of these into your app: the project API key and this server's address are filled in.</p>
          <SdkSnippets token={project.api_token} />
          <p className="muted">{live ? 'Events show up here within seconds of being sent.' : 'Press Play to watch for new events.'}</p>
        </section>
      )}
      {stream.status === 'ready' && stream.rows.length === 0 && filtered && (
        <EmptyState title="No events match these filters">
          <p>
            Try another event or fewer property filters, or <Link to={`${base}/activity/explore`}>clear all filters</Link>.
          </p>
        </EmptyState>
      )}
      {stream.status === 'ready' && stream.rows.length > 0 && (
        <>
          <p className="activity-summary" role="status" aria-live="polite">
            <span data-testid="events-count">{shownCount === null ? '…' : formatNumber(shownCount)}</span> matching {shownCount === 1 ? 'event' : 'events'} · showing{' '}
            <span data-testid="events-shown">{formatNumber(stream.rows.length)}</span>
            {stream.fresh.size > 0 && stream.arrivals > 0 && <> · {stream.fresh.size === 1 ? '1 new event' : `${stream.fresh.size} new events`}</>}
          </p>
          <DataTable
            caption="Events, newest first"
            columns={columns}
            rows={stream.rows}
            rowKey={(e) => e.id}
            rowClassName={(e) => (stream.fresh.has(e.id) ? 'row-new' : undefined)}
            rowLabel={(e) => `${e.event} at ${formatEventTime(e.timestamp, project.timezone)}`}
            renderDetail={(e) => <EventDetail event={e} base={base} timeZone={project.timezone} />}
          />
          <div className="load-more">
            {stream.hasMore ? (
              <button type="button" className="button" onClick={stream.loadMore} disabled={stream.loadingMore}>
                {stream.loadingMore ? 'Loading…' : 'Load more'}
              </button>
            ) : (
              <p className="muted">That is every matching event.</p>
            )}
            {stream.moreError && (
              <p className="error-text" role="alert">
                {stream.moreError.message}
              </p>
            )}
          </div>
        </>
      )}
    </>
  );
}

function personLabel(e: EventRow): string {
  const email = e.person?.properties.email;
  return typeof email === 'string' && email ? email : e.distinct_id;
}

function urlOf(e: EventRow): string {
  const url = e.properties.$current_url ?? e.properties.$screen_name;
  return typeof url === 'string' ? url : '';
}
