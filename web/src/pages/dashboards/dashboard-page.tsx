import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, errorMessage } from '../../api.js';
import { ConfirmDialog } from '../../components/dialog.js';
import { EmptyState, ErrorState, Loading } from '../../components/states.js';
import { formatDateTime, timeAgo } from '../../format.js';
import { usePageTitle, useProject } from '../../project.js';
import { useApi } from '../../use-api.js';
import type { Drill } from '../../insights/charts/types.js';
import { dateRangeLabel } from '../../insights/date-range.js';
import { DateRangePicker } from '../../insights/editor/date-range-picker.js';
import { InsightViz } from '../../insights/insight-viz.js';
import { PersonsModal } from '../../insights/persons-modal.js';
import { derivedName, KIND_INFO, sourceOfSaved } from '../../insights/query.js';
import type { Dashboard, DashboardFilters, DashboardTile, Insight, TileLayout } from '../../insights/types.js';
import { AddInsightDialog } from './add-insight-dialog.js';

/** Tile sizes in grid units (12 columns; a row is 64 px). */
export const TILE_SIZES = [
  { key: 'small', label: 'Small', w: 4, h: 5 },
  { key: 'medium', label: 'Medium', w: 6, h: 5 },
  { key: 'large', label: 'Large', w: 8, h: 6 },
  { key: 'full', label: 'Full width', w: 12, h: 6 },
] as const;

const DEFAULT_LAYOUT = { w: 6, h: 5 };

function layoutOf(tile: DashboardTile): Required<Pick<TileLayout, 'w' | 'h'>> & TileLayout {
  const sm = tile.layouts?.sm ?? {};
  return { ...sm, w: Math.min(12, Math.max(1, sm.w ?? DEFAULT_LAYOUT.w)), h: Math.max(2, sm.h ?? DEFAULT_LAYOUT.h) };
}

function sizeKey(tile: DashboardTile): string {
  const { w, h } = layoutOf(tile);
  return TILE_SIZES.find((s) => s.w === w && s.h === h)?.key ?? 'custom';
}

/** Reading order of the grid: top to bottom, then left to right; tiles without a position last. */
function ordered(tiles: DashboardTile[]): DashboardTile[] {
  const pos = (t: DashboardTile) => [t.layouts?.sm?.y ?? Number.MAX_SAFE_INTEGER, t.layouts?.sm?.x ?? 0, t.id] as const;
  return [...tiles].sort((a, b) => {
    const [ay, ax, ai] = pos(a);
    const [by, bx, bi] = pos(b);
    return ay - by || ax - bx || ai - bi;
  });
}

type TileRun = { status: 'loading' } | { status: 'error'; message: string };

/**
 * `/dashboard/:id`: the tiles with their cached results at once, then every tile without one
 * computed on its own (per-tile loading); "Refresh" recomputes all; the date range override,
 * tile sizes and removals are saved to the dashboard through the API.
 */
export default function DashboardPage() {
  const { dashboardId } = useParams();
  const { project, base } = useProject();
  const root = `/api/projects/${project.id}`;
  const loaded = useApi<Dashboard>(`${root}/dashboards/${dashboardId}/?refresh=force_cache`);
  const [dashboard, setDashboard] = useState<Dashboard | null>(null);
  const [runs, setRuns] = useState<Record<number, TileRun>>({});
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [drill, setDrill] = useState<Drill | null>(null);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<DashboardTile | null>(null);
  const generation = useRef(0);
  usePageTitle(dashboard?.name || 'Dashboard', 'Dashboards', project.name);

  const computeTile = useCallback(
    async (tile: DashboardTile, mode: 'blocking' | 'force_blocking', gen: number) => {
      if (!tile.insight) return;
      setRuns((r) => ({ ...r, [tile.id]: { status: 'loading' } }));
      try {
        const insight = await api.get<Insight>(`${root}/insights/${tile.insight.id}/?refresh=${mode}&from_dashboard=${dashboardId}`);
        if (gen !== generation.current) return; // the dashboard changed meanwhile (new range): a newer run owns the tile
        setDashboard((d) => d && { ...d, tiles: d.tiles.map((t) => (t.id === tile.id ? { ...t, insight, last_refresh: insight.last_refresh } : t)) });
        setRuns(({ [tile.id]: _done, ...rest }) => rest);
      } catch (err) {
        if (gen !== generation.current) return;
        setRuns((r) => ({ ...r, [tile.id]: { status: 'error', message: errorMessage(err) } }));
      }
    },
    [root, dashboardId],
  );

  /** Shows a dashboard answer and computes the tiles it has no cached result for (or all of them). */
  const show = useCallback(
    (d: Dashboard, refreshAll = false) => {
      const gen = ++generation.current;
      setDashboard(d);
      setRuns({});
      const todo = d.tiles.filter((t) => t.insight && (refreshAll || t.insight.result === null || t.insight.result === undefined));
      if (!todo.length) {
        setProgress(null);
        return;
      }
      let done = 0;
      setProgress({ done, total: todo.length });
      // Two at a time: tiles fill in as they finish, and the server is not flooded.
      const queue = [...todo];
      const worker = async () => {
        for (let tile = queue.shift(); tile; tile = queue.shift()) {
          await computeTile(tile, refreshAll ? 'force_blocking' : 'blocking', gen);
          done += 1;
          if (gen === generation.current) setProgress(done === todo.length ? null : { done, total: todo.length });
        }
      };
      void Promise.all([worker(), worker()]);
    },
    [computeTile],
  );

  useEffect(() => {
    if (loaded.status === 'ready') show(loaded.data);
  }, [loaded.status === 'ready' ? loaded.data : null]);

  if (loaded.status === 'loading' || (loaded.status === 'ready' && !dashboard)) return <Loading label="Loading dashboard…" />;
  if (loaded.status === 'error') return <ErrorState error={loaded.error} retry={loaded.reload} title="Could not load this dashboard" />;
  const d = dashboard!;

  async function patch(body: Record<string, unknown>, apply?: (d: Dashboard) => void): Promise<Dashboard | null> {
    setError(null);
    try {
      const updated = await api.patch<Dashboard>(`${root}/dashboards/${d.id}/`, body);
      apply?.(updated);
      return updated;
    } catch (err) {
      setError(errorMessage(err));
      return null;
    }
  }

  async function setDateRange(range: { date_from?: string | null; date_to?: string | null } | null) {
    const { date_from: _from, date_to: _to, ...rest } = d.filters ?? {};
    const filters: DashboardFilters = range ? { ...rest, date_from: range.date_from ?? null, date_to: range.date_to ?? null } : rest;
    await patch({ filters }, (updated) => show(updated));
  }

  async function resize(tile: DashboardTile, w: number, h: number) {
    const layouts = { ...tile.layouts, sm: { ...layoutOf(tile), w, h } };
    const before = d.tiles;
    setDashboard({ ...d, tiles: d.tiles.map((t) => (t.id === tile.id ? { ...t, layouts } : t)) });
    const ok = await patch({ tiles: [{ id: tile.id, layouts }] });
    if (!ok) setDashboard((cur) => cur && { ...cur, tiles: before });
  }

  async function remove(tile: DashboardTile) {
    const ok = await patch({ tiles: [{ id: tile.id, deleted: true }] });
    if (ok) setDashboard((cur) => cur && { ...cur, tiles: cur.tiles.filter((t) => t.id !== tile.id) });
    setRemoving(null);
  }

  const overridden = Boolean(d.filters?.date_from || d.filters?.date_to);
  const tiles = ordered(d.tiles);
  const oldest = tiles.map((t) => t.insight?.last_refresh).filter((x): x is string => Boolean(x)).sort()[0];

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumbs">
        <Link to={`${base}/dashboard`}>Dashboards</Link>
        <span aria-hidden="true"> / </span>
        <span>{d.name || 'Untitled dashboard'}</span>
      </nav>
      <header className="page-header">
        <div>
          <h1>{d.name || 'Untitled dashboard'}</h1>
          {d.description && <p className="muted">{d.description}</p>}
        </div>
        <div className="header-actions">
          <Link className="button" to={`${base}/insights/new?dashboard=${d.id}`}>
            New insight
          </Link>
          <button type="button" className="button button-primary" onClick={() => setAdding(true)}>
            Add insight
          </button>
        </div>
      </header>
      <div className="dashboard-bar">
        <DateRangePicker value={overridden ? d.filters : null} onChange={(range) => void setDateRange(range)} noneLabel="No date range override" label="Date range" />
        <div className="dashboard-refresh">
          <span className="muted" role="status">
            {progress ? `Refreshed ${progress.done} out of ${progress.total}` : oldest ? `Last refreshed ${timeAgo(oldest)}` : ''}
          </span>
          <button type="button" className="button" onClick={() => show(d, true)} disabled={Boolean(progress)}>
            Refresh
          </button>
        </div>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {tiles.length === 0 ? (
        <EmptyState title="This dashboard is empty">
          <p>Add a saved insight, or build a new one that lands here when you save it.</p>
          <button type="button" className="button button-primary" onClick={() => setAdding(true)}>
            Add insight
          </button>
        </EmptyState>
      ) : (
        <ol className="dashboard-grid" aria-label="Tiles">
          {tiles.map((tile) => (
            <Tile
              key={tile.id}
              tile={tile}
              dashboardId={d.id}
              override={overridden ? d.filters : null}
              run={runs[tile.id]}
              onRefresh={() => void computeTile(tile, 'force_blocking', generation.current)}
              onResize={(w, h) => void resize(tile, w, h)}
              onRemove={() => setRemoving(tile)}
              onDrill={setDrill}
            />
          ))}
        </ol>
      )}
      {drill && <PersonsModal drill={drill} onClose={() => setDrill(null)} />}
      {adding && (
        <AddInsightDialog
          dashboardId={d.id}
          onClose={() => setAdding(false)}
          onAdded={async () => {
            const fresh = await api.get<Dashboard>(`${root}/dashboards/${d.id}/?refresh=force_cache`).catch((err: unknown) => {
              setError(errorMessage(err));
              return null;
            });
            if (fresh) show(fresh);
          }}
        />
      )}
      {removing && (
        <ConfirmDialog title="Remove from dashboard?" confirmLabel="Remove tile" onConfirm={() => void remove(removing)} onCancel={() => setRemoving(null)}>
          <p>“{tileTitle(removing)}” will no longer be on this dashboard. The insight itself is kept.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

function tileTitle(tile: DashboardTile): string {
  const insight = tile.insight;
  if (!insight) return 'Text';
  const query = sourceOfSaved(insight.query);
  return insight.name || insight.derived_name || (query ? derivedName(query) : 'Untitled insight');
}

function Tile({
  tile,
  dashboardId,
  override,
  run,
  onRefresh,
  onResize,
  onRemove,
  onDrill,
}: {
  tile: DashboardTile;
  dashboardId: number;
  override: DashboardFilters | null;
  run: TileRun | undefined;
  onRefresh: () => void;
  onResize: (w: number, h: number) => void;
  onRemove: () => void;
  onDrill: (drill: Drill) => void;
}) {
  const { project, base } = useProject();
  const { w, h } = layoutOf(tile);
  const title = tileTitle(tile);
  const insight = tile.insight;
  const saved = insight ? sourceOfSaved(insight.query) : null;
  // The tile shows the query as the dashboard runs it, so a drill-down lists the persons of the shown range.
  const query = saved && override ? { ...saved, dateRange: { date_from: override.date_from ?? null, date_to: override.date_to ?? null } } : saved;
  const overriddenBy = override ? dateRangeLabel(override) : null;
  const size = sizeKey(tile);
  const savedError = insight?.query_status?.error ? insight.query_status.error_message : null;

  return (
    <li className="tile" style={{ gridColumn: `span ${w}`, gridRow: `span ${h}` }} aria-label={title} data-tile-id={tile.id} data-size={size}>
      <div className="tile-head">
        <h2 className="tile-title">
          {insight ? <Link to={`${base}/insights/${insight.short_id}?dashboard=${dashboardId}`}>{title}</Link> : title}
        </h2>
        <div className="tile-controls">
          <select className="input input-small" aria-label={`Size of ${title}`} value={size} onChange={(e) => {
              const s = TILE_SIZES.find((x) => x.key === e.target.value);
              if (s) onResize(s.w, s.h);
            }}>
            {size === 'custom' && <option value="custom">Custom ({w}×{h})</option>}
            {TILE_SIZES.map((s) => (
              <option key={s.key} value={s.key}>
                {s.label}
              </option>
            ))}
          </select>
          <button type="button" className="button button-small" onClick={onRemove} aria-label={`Remove ${title} from dashboard`}>
            Remove
          </button>
        </div>
      </div>
      <div className="tile-meta">
        {query && <span className="muted">{KIND_INFO[query.kind].label}</span>}
        {overriddenBy && (
          <span className="badge badge-warning" title="The dashboard's date range replaces this insight's own range">
            Date range overridden by dashboard: {overriddenBy}
          </span>
        )}
        <span className="muted tile-computed">
          {run?.status === 'loading' ? (
            'Computing…'
          ) : insight?.last_refresh ? (
            <>
              Computed <time dateTime={insight.last_refresh} title={formatDateTime(insight.last_refresh, project.timezone)}>{timeAgo(insight.last_refresh)}</time>
            </>
          ) : null}
        </span>
        {insight && (
          <button type="button" className="button button-small" onClick={onRefresh} disabled={run?.status === 'loading'} aria-label={`Refresh ${title}`}>
            Refresh
          </button>
        )}
      </div>
      <div className={`tile-body${run?.status === 'loading' && insight?.result != null ? ' stale' : ''}`} aria-busy={run?.status === 'loading'}>
        {tile.text && <p className="tile-text">{tile.text.body}</p>}
        {run?.status === 'error' && <ErrorState error={new Error(run.message)} title="There was a problem completing this query" retry={onRefresh} />}
        {run?.status !== 'error' && savedError && <ErrorState error={new Error(savedError)} title="There was a problem completing this query" retry={onRefresh} />}
        {run?.status !== 'error' && !savedError && insight && insight.result == null && <Loading label="Computing…" />}
        {run?.status !== 'error' && !savedError && query && insight?.result != null && <InsightViz query={query} results={insight.result} onDrill={onDrill} compact timezone={insight.timezone} />}
        {insight && !query && <p className="muted">This insight is not one the dashboard can draw (it may be SQL).</p>}
      </div>
    </li>
  );
}
