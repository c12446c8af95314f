import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Layout } from 'react-grid-layout';
import { Link, useParams } from 'react-router';
import { api, errorMessage } from '../../api.js';
import { ConfirmDialog } from '../../components/dialog.js';
import { EmptyState, ErrorState, Loading } from '../../components/states.js';
import { timeAgo } from '../../format.js';
import { usePageTitle, useProject } from '../../project.js';
import { useApi } from '../../use-api.js';
import type { Drill } from '../../insights/charts/types.js';
import { DateRangePicker } from '../../insights/editor/date-range-picker.js';
import { PersonsModal } from '../../insights/persons-modal.js';
import type { Dashboard, DashboardFilters, DashboardTile, Insight } from '../../insights/types.js';
import { AddInsightDialog } from './add-insight-dialog.js';
import { DashboardGrid } from './dashboard-grid.js';
import { MOVE_HINT_ID, TileContent, tileTitle, type TileRun } from './dashboard-tile.js';
import { changedTiles, type Direction, layoutOf, moved, readingOrder, resized, sizeKey, withLayouts } from './tile-layout.js';

/**
 * `/dashboard/:id`: the tiles with their cached results at once, then every tile without one
 * computed on its own (per-tile loading); "Refresh" recomputes all; the date range override,
 * removals and the layout (tiles dragged, resized by their corner or a size preset, or moved
 * with the arrow keys on their handle) are saved to the dashboard through the API.
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
  const [announcement, setAnnouncement] = useState('');
  const generation = useRef(0);
  // Layout PATCHes go one after another, so quick keyboard moves reach the server in order.
  const saving = useRef<Promise<unknown>>(Promise.resolve());
  const layoutSaves = useRef(0);
  const focusAfterMove = useRef<number | null>(null);
  const layout = useMemo(() => (dashboard ? layoutOf(dashboard.tiles) : []), [dashboard?.tiles]);
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

  // A keyboard move re-orders the tiles in the DOM (reading order), which can drop focus: put it back on the handle.
  useEffect(() => {
    const id = focusAfterMove.current;
    if (id === null) return;
    focusAfterMove.current = null;
    const handle = document.querySelector<HTMLElement>(`[data-tile-id="${id}"] .tile-handle`);
    if (handle && document.activeElement !== handle) handle.focus();
  });

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

  /** Saves every tile whose position differs from its saved one in ONE PATCH (shown at once; undone if the save fails). */
  async function saveLayout(next: Layout) {
    const changes = changedTiles(d.tiles, next);
    if (!changes.length) return;
    const before = new Map(d.tiles.map((t) => [t.id, t.layouts]));
    const save = ++layoutSaves.current;
    setDashboard((cur) => cur && { ...cur, tiles: withLayouts(cur.tiles, changes) });
    const done = saving.current.then(() => patch({ tiles: changes }));
    saving.current = done;
    const ok = await done;
    // Only the latest save is undone: an older one's layout is already replaced on screen.
    if (!ok && save === layoutSaves.current) setDashboard((cur) => cur && { ...cur, tiles: cur.tiles.map((t) => ({ ...t, layouts: before.get(t.id) ?? t.layouts })) });
  }

  function move(tile: DashboardTile, direction: Direction) {
    const title = tileTitle(tile);
    const next = moved(layout, String(tile.id), direction);
    if (!next) {
      setAnnouncement(`“${title}” cannot move further ${direction}.`);
      return;
    }
    const item = next.find((l) => l.i === String(tile.id))!;
    const place = readingOrder(next).indexOf(item) + 1;
    setAnnouncement(`Moved “${title}” ${direction}: tile ${place} of ${next.length}, column ${item.x + 1} of 12.`);
    focusAfterMove.current = tile.id;
    void saveLayout(next);
  }

  async function remove(tile: DashboardTile) {
    const ok = await patch({ tiles: [{ id: tile.id, deleted: true }] });
    if (ok) setDashboard((cur) => cur && { ...cur, tiles: cur.tiles.filter((t) => t.id !== tile.id) });
    setRemoving(null);
  }

  const overridden = Boolean(d.filters?.date_from || d.filters?.date_to);
  const tilesById = new Map(d.tiles.map((t) => [String(t.id), t]));
  const oldest = d.tiles.map((t) => t.insight?.last_refresh).filter((x): x is string => Boolean(x)).sort()[0];

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
      {d.tiles.length === 0 ? (
        <EmptyState title="This dashboard is empty">
          <p>Add a saved insight, or build a new one that lands here when you save it.</p>
          <button type="button" className="button button-primary" onClick={() => setAdding(true)}>
            Add insight
          </button>
        </EmptyState>
      ) : (
        <>
          <p id={MOVE_HINT_ID} className="visually-hidden">
            Drag a tile by its header to move it and by its bottom-right corner to resize it. On a tile's move handle, the arrow keys move the tile one step.
          </p>
          <p className="visually-hidden" aria-live="polite">
            {announcement}
          </p>
          <DashboardGrid layout={layout} onLayoutEnd={(next) => void saveLayout(next)}>
            {(editable) =>
              readingOrder(layout).map((item) => {
                const tile = tilesById.get(item.i)!;
                const title = tileTitle(tile);
                const size = { key: sizeKey(item), w: item.w, h: item.h };
                return (
                  <div key={item.i} className="tile" role="listitem" aria-label={title} data-tile-id={tile.id} data-size={size.key}>
                    <TileContent
                      tile={tile}
                      dashboardId={d.id}
                      override={overridden ? d.filters : null}
                      run={runs[tile.id]}
                      size={size}
                      editable={editable}
                      onRefresh={() => void computeTile(tile, 'force_blocking', generation.current)}
                      onResize={(w, h) => void saveLayout(resized(layout, item.i, w, h))}
                      onMove={(direction) => move(tile, direction)}
                      onRemove={() => setRemoving(tile)}
                      onDrill={setDrill}
                    />
                  </div>
                );
              })
            }
          </DashboardGrid>
        </>
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
