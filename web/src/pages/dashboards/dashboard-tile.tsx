import type { KeyboardEvent } from 'react';
import { Link } from 'react-router';
import { ErrorState, Loading } from '../../components/states.js';
import { formatDateTime, timeAgo } from '../../format.js';
import { useProject } from '../../project.js';
import type { Drill } from '../../insights/charts/types.js';
import { dateRangeLabel } from '../../insights/date-range.js';
import { InsightViz } from '../../insights/insight-viz.js';
import { derivedName, KIND_INFO, sourceOfSaved } from '../../insights/query.js';
import type { DashboardFilters, DashboardTile } from '../../insights/types.js';
import { type Direction, TILE_SIZES } from './tile-layout.js';

export type TileRun = { status: 'loading' } | { status: 'error'; message: string };

/** The id of the page's one description of how tiles move, referenced by every handle. */
export const MOVE_HINT_ID = 'tile-move-hint';

const ARROWS: Record<string, Direction> = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down' };

export function tileTitle(tile: DashboardTile): string {
  const insight = tile.insight;
  if (!insight) return 'Text';
  const query = sourceOfSaved(insight.query);
  return insight.name || insight.derived_name || (query ? derivedName(query) : 'Untitled insight');
}

/**
 * What a tile shows inside its grid cell: a header (move handle, title, size presets, remove),
 * when it was computed, and the insight drawn compactly. `editable` is false on narrow screens,
 * where the grid is one fixed column and there is nothing to move.
 */
export function TileContent({
  tile,
  dashboardId,
  override,
  run,
  size,
  editable,
  onRefresh,
  onResize,
  onMove,
  onRemove,
  onDrill,
}: {
  tile: DashboardTile;
  dashboardId: number;
  override: DashboardFilters | null;
  run: TileRun | undefined;
  size: { key: string; w: number; h: number };
  editable: boolean;
  onRefresh: () => void;
  onResize: (w: number, h: number) => void;
  onMove: (direction: Direction) => void;
  onRemove: () => void;
  onDrill: (drill: Drill) => void;
}) {
  const { project, base } = useProject();
  const title = tileTitle(tile);
  const insight = tile.insight;
  const saved = insight ? sourceOfSaved(insight.query) : null;
  // The tile shows the query as the dashboard runs it, so a drill-down lists the persons of the shown range.
  const query = saved && override ? { ...saved, dateRange: { date_from: override.date_from ?? null, date_to: override.date_to ?? null } } : saved;
  const overriddenBy = override ? dateRangeLabel(override) : null;
  const savedError = insight?.query_status?.error ? insight.query_status.error_message : null;

  function onHandleKey(event: KeyboardEvent) {
    const direction = ARROWS[event.key];
    if (!direction || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    onMove(direction);
  }

  return (
    <>
      <div className="tile-head">
        {editable && (
          <button
            type="button"
            className="tile-handle"
            aria-label={`Move tile ${title}`}
            aria-describedby={MOVE_HINT_ID}
            aria-keyshortcuts="ArrowLeft ArrowRight ArrowUp ArrowDown"
            title="Drag to move; arrow keys move it one step"
            onKeyDown={onHandleKey}
          >
            <svg viewBox="0 0 10 16" width="10" height="16" aria-hidden="true" focusable="false">
              {[3, 8, 13].flatMap((cy) => [<circle key={`a${cy}`} cx="2.5" cy={cy} r="1.5" />, <circle key={`b${cy}`} cx="7.5" cy={cy} r="1.5" />])}
            </svg>
          </button>
        )}
        <h2 className="tile-title">
          {insight ? <Link to={`${base}/insights/${insight.short_id}?dashboard=${dashboardId}`}>{title}</Link> : title}
        </h2>
        <div className="tile-controls">
          <select
            className="input input-small"
            aria-label={`Size of ${title}`}
            value={size.key}
            onChange={(e) => {
              const s = TILE_SIZES.find((x) => x.key === e.target.value);
              if (s) onResize(s.w, s.h);
            }}
          >
            {size.key === 'custom' && (
              <option value="custom">
                Custom ({size.w}×{size.h})
              </option>
            )}
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
    </>
  );
}
