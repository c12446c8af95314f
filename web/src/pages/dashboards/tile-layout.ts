import { cloneLayout, collides, moveElement, verticalCompactor, type Layout, type LayoutItem } from 'react-grid-layout';
import type { DashboardTile, TileLayout } from '../../insights/types.js';

/** The desktop grid, as PostHog's `sm` breakpoint: 12 columns, rows of 64 px, 16 px between tiles. */
export const COLS = 12;
export const ROW_HEIGHT = 64;
export const GAP = 16;
/** Below this container width the grid is one column and its layout is neither editable nor saved. */
export const NARROW_WIDTH = 768;
/** The smallest tile a resize may produce: the header, its meta line and a readable chart. */
export const MIN_W = 3;
export const MIN_H = 3;
const DEFAULT_W = 6;
const DEFAULT_H = 5;

/** Tile sizes in grid units offered as presets next to resizing by dragging. */
export const TILE_SIZES = [
  { key: 'small', label: 'Small', w: 4, h: 5 },
  { key: 'medium', label: 'Medium', w: 6, h: 5 },
  { key: 'large', label: 'Large', w: 8, h: 6 },
  { key: 'full', label: 'Full width', w: 12, h: 6 },
] as const;

export type Direction = 'left' | 'right' | 'up' | 'down';

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

/**
 * The grid as it is shown: each tile at its saved desktop position (`layouts.sm`), tiles never
 * placed (added through the API, whose layouts are `{}`) first-fit after the placed ones in the
 * order the API lists them, then everything compacted upward as the grid does.
 */
export function layoutOf(tiles: DashboardTile[]): Layout {
  const items: LayoutItem[] = [];
  const unplaced: LayoutItem[] = [];
  for (const tile of tiles) {
    const sm = tile.layouts?.sm ?? {};
    const w = clamp(Math.round(sm.w ?? DEFAULT_W), 1, COLS);
    const h = Math.max(2, Math.round(sm.h ?? DEFAULT_H));
    const item: LayoutItem = { i: String(tile.id), x: 0, y: 0, w, h, minW: Math.min(MIN_W, w), minH: Math.min(MIN_H, h) };
    if (typeof sm.x === 'number' && typeof sm.y === 'number') items.push({ ...item, x: clamp(sm.x, 0, COLS - w), y: Math.max(0, sm.y) });
    else unplaced.push(item);
  }
  const start = items.reduce((max, l) => Math.max(max, l.y + l.h), 0);
  for (const item of unplaced) {
    place: for (let y = start; ; y++) {
      for (let x = 0; x + item.w <= COLS; x++) {
        const candidate = { ...item, x, y };
        if (!items.some((l) => collides(l, candidate))) {
          items.push(candidate);
          break place;
        }
      }
    }
  }
  return verticalCompactor.compact(items, COLS).map(tidy);
}

/** Drops the keys compaction leaves undefined, so layouts compare equal to what `layoutOf` returns. */
function tidy(l: LayoutItem): LayoutItem {
  return Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined)) as unknown as LayoutItem;
}

/** Grid reading order (top to bottom, then left to right): the DOM order of tiles and of the narrow column. */
export function readingOrder(layout: Layout): LayoutItem[] {
  return [...layout].sort((a, b) => a.y - b.y || a.x - b.x);
}

/** The one-column layout of narrow screens: the desktop tiles stacked in reading order. */
export function narrowLayout(layout: Layout): Layout {
  let y = 0;
  return readingOrder(layout).map((l) => {
    const item = { ...l, x: 0, y, w: 1, minW: 1 };
    y += l.h;
    return item;
  });
}

/**
 * The tiles whose shown position differs from their saved one, each with its whole `layouts`
 * (other breakpoints kept): the body of one PATCH after a drag, a resize or a move.
 */
export function changedTiles(tiles: DashboardTile[], layout: Layout): Array<{ id: number; layouts: DashboardTile['layouts'] }> {
  const byId = new Map(layout.map((l) => [l.i, l]));
  const out: Array<{ id: number; layouts: DashboardTile['layouts'] }> = [];
  for (const tile of tiles) {
    const l = byId.get(String(tile.id));
    if (!l) continue;
    const sm: TileLayout = tile.layouts?.sm ?? {};
    if (sm.x === l.x && sm.y === l.y && sm.w === l.w && sm.h === l.h) continue;
    out.push({ id: tile.id, layouts: { ...tile.layouts, sm: { ...sm, x: l.x, y: l.y, w: l.w, h: l.h } } });
  }
  return out;
}

/** The tiles with the given layouts applied (what the PATCH saved). */
export function withLayouts(tiles: DashboardTile[], changes: Array<{ id: number; layouts: DashboardTile['layouts'] }>): DashboardTile[] {
  const byId = new Map(changes.map((c) => [c.id, c.layouts]));
  return tiles.map((t) => (byId.has(t.id) ? { ...t, layouts: byId.get(t.id)! } : t));
}

/**
 * One tile given a preset size where it stands (pulled left if it would overflow the row); the
 * tiles it now covers move down and the grid compacts, as after resizing it by its corner.
 */
export function resized(layout: Layout, id: string, w: number, h: number): Layout {
  const items = cloneLayout(layout);
  const item = items.find((l) => l.i === id);
  if (!item) return layout;
  item.w = w;
  item.h = h;
  item.minW = Math.min(MIN_W, w);
  item.minH = Math.min(MIN_H, h);
  item.x = Math.min(item.x, COLS - w);
  // First in the array: compaction is a stable sort by (y, x), so the resized tile keeps its place
  // against a tile at the same spot and that one moves below it.
  return verticalCompactor.compact([item, ...items.filter((l) => l !== item)], COLS).map(tidy);
}

/**
 * One step of keyboard moving, the same moves a drag makes: left/right by one column (tiles in
 * the way move aside as when dragging); up/down swaps places with the nearest tile above/below
 * that shares a column. Returns null when the tile cannot go that way.
 */
export function moved(layout: Layout, id: string, direction: Direction): Layout | null {
  const items = cloneLayout(layout);
  const item = items.find((l) => l.i === id);
  if (!item) return null;
  const before = { x: item.x, y: item.y };
  const sharesColumn = (l: LayoutItem) => l !== item && l.x < item.x + item.w && item.x < l.x + l.w;
  let next: Layout;
  if (direction === 'left' || direction === 'right') {
    const x = item.x + (direction === 'left' ? -1 : 1);
    if (x < 0 || x + item.w > COLS) return null;
    next = moveElement(items, item, x, item.y, true, false, 'vertical', COLS);
  } else if (direction === 'up') {
    const above = items.filter((l) => sharesColumn(l) && l.y + l.h <= item.y).sort((a, b) => b.y + b.h - (a.y + a.h) || a.x - b.x)[0];
    if (!above) return null;
    // The tile takes the place of the one above; that one (and whatever it then covers) moves down.
    next = moveElement(items, item, item.x, above.y, false, false, 'vertical', COLS);
  } else {
    const below = items.filter((l) => sharesColumn(l) && l.y >= item.y + item.h).sort((a, b) => a.y - b.y || a.x - b.x)[0];
    if (!below) return null;
    // The mirror image: the tile below takes this one's place, pushing it down.
    next = moveElement(items, below, below.x, item.y, false, false, 'vertical', COLS);
  }
  const compacted = verticalCompactor.compact(next, COLS).map(tidy);
  const after = compacted.find((l) => l.i === id)!;
  return after.x === before.x && after.y === before.y ? null : compacted;
}

/** The preset a tile's size matches, or 'custom'. */
export function sizeKey(item: Pick<LayoutItem, 'w' | 'h'>): string {
  return TILE_SIZES.find((s) => s.w === item.w && s.h === item.h)?.key ?? 'custom';
}
