import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, errorMessage } from '../../api.js';
import { ErrorState, Loading } from '../../components/states.js';
import { formatDateTime, timeAgo } from '../../format.js';
import { usePageTitle, useProject } from '../../project.js';
import type { Paginated } from '../../types.js';
import { useApi } from '../../use-api.js';
import { AddToDashboardDialog } from '../../insights/add-to-dashboard.js';
import type { Drill } from '../../insights/charts/types.js';
import { dateRangeLabel } from '../../insights/date-range.js';
import { DisplayBar, InsightEditor, KindTabs } from '../../insights/editor/insight-editor.js';
import { InsightViz } from '../../insights/insight-viz.js';
import { PersonsModal } from '../../insights/persons-modal.js';
import { defaultQuery, derivedName, hashOf, incompleteReason, type InsightQuery, KIND_INFO, queryFromHash, sourceOfSaved, switchKind, vizNode } from '../../insights/query.js';
import type { Dashboard, Insight } from '../../insights/types.js';
import { useInsightQuery } from '../../insights/use-insight-query.js';

/**
 * `/insights/new`, `/insights/:shortId` and `/insights/:shortId/edit`. The query being edited
 * lives in the URL hash (`#q=`), so a link reproduces it and back/forward step through edits.
 */
export default function InsightPage() {
  const { shortId } = useParams();
  const location = useLocation();
  if (!shortId) return <InsightBuilder saved={null} />;
  return <SavedInsight shortId={shortId} editing={location.pathname.endsWith('/edit')} />;
}

function SavedInsight({ shortId, editing }: { shortId: string; editing: boolean }) {
  const { project } = useProject();
  const [searchParams] = useSearchParams();
  const fromDashboard = searchParams.get('dashboard');
  // The next load's refresh mode: cached-if-fresh normally, forced by the Refresh button.
  const refreshMode = useRef<'blocking' | 'force_blocking'>('blocking');
  const insight = useApi<Insight>(`insight:${project.id}:${shortId}:${fromDashboard ?? ''}`, async (signal) => {
    const found = await api.get<Paginated<Insight>>(`/api/projects/${project.id}/insights/?short_id=${encodeURIComponent(shortId)}&limit=1`, signal);
    const row = found.results[0];
    if (!row) throw new Error(`There is no insight ${shortId} in this project. It may have been deleted.`);
    const mode = refreshMode.current;
    refreshMode.current = 'blocking';
    const dashboardParam = fromDashboard && /^\d+$/.test(fromDashboard) ? `&from_dashboard=${fromDashboard}` : '';
    return api.get<Insight>(`/api/projects/${project.id}/insights/${row.id}/?refresh=${mode}${dashboardParam}`, signal);
  });
  const refresh = useCallback(() => {
    refreshMode.current = 'force_blocking';
    insight.reload();
  }, [insight.reload]);

  if (insight.status === 'loading') return <Loading label="Loading insight…" />;
  if (insight.status === 'error') return <ErrorState error={insight.error} retry={insight.reload} title="Could not load this insight" />;
  if (editing)
    return (
      <InsightBuilder
        saved={insight.data}
        onSaved={(saved) => {
          // The saved query has no cached result yet: show it, then compute it.
          insight.setData(saved);
          insight.reload();
        }}
      />
    );
  return <InsightView insight={insight.data} onRefresh={refresh} onChanged={insight.setData} fromDashboard={fromDashboard} />;
}

/** A saved insight: its chart from the server's cache, when it was computed, and what can be done with it. */
function InsightView({ insight, onRefresh, onChanged, fromDashboard }: { insight: Insight; onRefresh: () => void; onChanged: (insight: Insight) => void; fromDashboard: string | null }) {
  const { project, base } = useProject();
  const query = sourceOfSaved(insight.query);
  const title = insight.name || insight.derived_name || (query ? derivedName(query) : 'Untitled insight');
  usePageTitle(title, 'Product analytics', project.name);
  const [drill, setDrill] = useState<Drill | null>(null);
  const [adding, setAdding] = useState(false);
  const [refreshing, setRefreshing] = useState(false);
  useEffect(() => setRefreshing(false), [insight]);
  const dashboard = useApi<Dashboard>(fromDashboard && /^\d+$/.test(fromDashboard) ? `/api/projects/${project.id}/dashboards/${fromDashboard}/?refresh=force_cache` : null);
  const override = dashboard.status === 'ready' && (dashboard.data.filters.date_from || dashboard.data.filters.date_to) ? dashboard.data : null;
  const error = insight.query_status?.error ? insight.query_status.error_message : null;

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumbs">
        {override || (dashboard.status === 'ready' && fromDashboard) ? (
          <Link to={`${base}/dashboard/${fromDashboard}`}>{dashboard.status === 'ready' ? dashboard.data.name || 'Dashboard' : 'Dashboard'}</Link>
        ) : (
          <Link to={`${base}/insights`}>Product analytics</Link>
        )}
        <span aria-hidden="true"> / </span>
        <span>{title}</span>
      </nav>
      <header className="page-header">
        <div>
          <h1>{title}</h1>
          {query && <p className="muted insight-kind-caption">{KIND_INFO[query.kind].label}</p>}
        </div>
        <div className="header-actions">
          <button type="button" className="button" onClick={() => setAdding(true)}>
            Add to dashboard
          </button>
          <Link className="button button-primary" to={`${base}/insights/${insight.short_id}/edit`}>
            Edit
          </Link>
        </div>
      </header>
      {override && (
        <p className="note-override" role="note">
          Date range overridden by the dashboard “{override.name}”: {dateRangeLabel(override.filters)}. <Link to={`${base}/insights/${insight.short_id}`}>Show with the insight’s own range</Link>
        </p>
      )}
      <section className="card insight-result" aria-label="Results">
        <ComputedAt
          lastRefresh={insight.last_refresh}
          timezone={project.timezone}
          busy={refreshing}
          onRefresh={() => {
            setRefreshing(true);
            onRefresh();
          }}
        />
        {error && <ErrorState error={new Error(error)} title="There was a problem completing this query" retry={onRefresh} />}
        {!error && query && insight.result == null && <Loading label="Computing…" />}
        {!error && query && insight.result != null && <InsightViz query={query} results={insight.result} onDrill={setDrill} timezone={insight.timezone} />}
        {!query && <p className="muted">This insight's query is not one the insight builder shows (it may be SQL).</p>}
      </section>
      {drill && <PersonsModal drill={drill} onClose={() => setDrill(null)} />}
      {adding && <AddToDashboardDialog insight={insight} onClose={() => setAdding(false)} onChanged={(i) => onChanged({ ...insight, dashboards: i.dashboards })} />}
    </>
  );
}

export function ComputedAt({ lastRefresh, timezone, onRefresh, busy }: { lastRefresh: string | null; timezone: string; onRefresh: () => void; busy?: boolean }) {
  return (
    <div className="computed-at">
      <span className="muted" data-testid="computed-at">
        {lastRefresh ? (
          <>
            Computed <time dateTime={lastRefresh} title={formatDateTime(lastRefresh, timezone)}>{timeAgo(lastRefresh)}</time>
          </>
        ) : (
          'Not computed yet'
        )}
      </span>
      <button type="button" className="button button-small" onClick={onRefresh} disabled={busy}>
        {busy ? 'Refreshing…' : 'Refresh'}
      </button>
    </div>
  );
}

/** The builder: kind tabs, the editor, the display bar and the live chart; saves new insights and edits. */
function InsightBuilder({ saved, onSaved }: { saved: Insight | null; onSaved?: (insight: Insight) => void }) {
  const { project, base } = useProject();
  const location = useLocation();
  const navigate = useNavigate();
  const [searchParams] = useSearchParams();
  const query: InsightQuery = queryFromHash(location.hash) ?? sourceOfSaved(saved?.query) ?? defaultQuery('TrendsQuery');
  const [name, setName] = useState(saved?.name ?? '');
  const [generation, setGeneration] = useState(0);
  const [drill, setDrill] = useState<Drill | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const incomplete = incompleteReason(query);
  const run = useInsightQuery(incomplete ? null : query, generation);
  const placeholder = derivedName(query);
  usePageTitle(saved ? `Editing ${saved.name || placeholder}` : 'New insight', 'Product analytics', project.name);

  // Each edit is a history entry (back undoes it), except rapid ones such as typing, which coalesce.
  const lastEdit = useRef(0);
  const setQuery = (next: InsightQuery) => {
    const now = Date.now();
    navigate({ search: location.search, hash: hashOf(next) }, { replace: now - lastEdit.current < 800 });
    lastEdit.current = now;
  };

  async function save() {
    setSaving(true);
    setSaveError(null);
    const body: Record<string, unknown> = { name: name.trim() || null, derived_name: placeholder, query: vizNode(query), saved: true };
    try {
      let result: Insight;
      if (saved) result = await api.patch<Insight>(`/api/projects/${project.id}/insights/${saved.id}/`, body);
      else {
        const dashboard = searchParams.get('dashboard');
        if (dashboard && /^\d+$/.test(dashboard)) body.dashboards = [Number(dashboard)];
        result = await api.post<Insight>(`/api/projects/${project.id}/insights/`, body);
      }
      const dashboard = searchParams.get('dashboard');
      onSaved?.(result);
      navigate(dashboard && !saved ? `${base}/dashboard/${dashboard}` : `${base}/insights/${result.short_id}`);
    } catch (err) {
      setSaveError(errorMessage(err));
      setSaving(false);
    }
  }

  const shown = run.status === 'ready' ? run : run.status === 'loading' ? run.previous : undefined;

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumbs">
        <Link to={`${base}/insights`}>Product analytics</Link>
        <span aria-hidden="true"> / </span>
        <span>{saved ? saved.name || placeholder : 'New insight'}</span>
      </nav>
      <header className="page-header insight-header">
        <div className="field insight-name-field">
          <label htmlFor="insight-name" className="visually-hidden">
            Insight name
          </label>
          <input id="insight-name" className="input insight-name" placeholder={placeholder} value={name} maxLength={400} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="header-actions">
          {saved && (
            <Link className="button" to={`${base}/insights/${saved.short_id}`}>
              Cancel
            </Link>
          )}
          <button type="button" className="button button-primary" onClick={() => void save()} disabled={saving || Boolean(incomplete)}>
            {saving ? 'Saving…' : 'Save'}
          </button>
        </div>
      </header>
      {saveError && (
        <p className="error-text" role="alert">
          {saveError}
        </p>
      )}
      <KindTabs kind={query.kind} onSelect={(kind) => setQuery(switchKind(query, kind))} />
      <InsightEditor key={query.kind} query={query} onChange={setQuery} error={run.status === 'error' ? run.error : undefined} />
      <section className="card insight-result" aria-label="Results" aria-busy={run.status === 'loading'}>
        <DisplayBar query={query} onChange={setQuery} />
        <div className="computed-at">
          <span className="muted" role="status">
            {run.status === 'loading' ? 'Computing…' : run.status === 'ready' ? `Computed ${timeAgo(run.computedAt)}` : ''}
          </span>
          <button type="button" className="button button-small" onClick={() => setGeneration((g) => g + 1)} disabled={Boolean(incomplete) || run.status === 'loading'}>
            Refresh
          </button>
        </div>
        {incomplete && <p className="state state-empty">{incomplete}</p>}
        {!incomplete && run.status === 'error' && <ErrorState error={run.error} title="There was a problem completing this query" retry={() => setGeneration((g) => g + 1)} />}
        {!incomplete && run.status === 'loading' && !shown && <Loading label="Computing…" />}
        {!incomplete && shown && (
          <div className={run.status === 'loading' ? 'stale' : undefined}>
            <InsightViz query={shown.query} results={shown.response.results} onDrill={setDrill} timezone={shown.response.timezone ?? project.timezone} />
          </div>
        )}
      </section>
      {drill && <PersonsModal drill={drill} onClose={() => setDrill(null)} />}
    </>
  );
}
