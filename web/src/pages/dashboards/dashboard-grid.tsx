import type { ReactElement } from 'react';
import GridLayout, { useContainerWidth, type EventCallback, type Layout } from 'react-grid-layout';
// The library's own positioning and transition rules; imported here so they load with the dashboard chunk only.
import 'react-grid-layout/css/styles.css';
import { COLS, GAP, narrowLayout, NARROW_WIDTH, ROW_HEIGHT } from './tile-layout.js';

// Stable config objects: the grid memoizes on their identity.
const WIDE_GRID = { cols: COLS, rowHeight: ROW_HEIGHT, margin: [GAP, GAP] as const, containerPadding: [0, 0] as const };
const NARROW_GRID = { ...WIDE_GRID, cols: 1 };
// A tile moves by its header (the grip or any empty part of it), never by its title link or controls.
const DRAG = { enabled: true, handle: '.tile-head', cancel: '.tile-title a, .tile-controls' };
const RESIZE = { enabled: true, handles: ['se' as const] };
const FIXED = { enabled: false };

/**
 * The tiles on react-grid-layout: 12 columns that tiles are dragged and resized on (the others
 * compact upward), or on a narrow container one stacked column in reading order that cannot be
 * edited. `onLayoutEnd` gets the whole layout once a drag or resize ends, never on the way.
 * `children(editable)` are the tile elements, keyed by tile id.
 */
export function DashboardGrid({ layout, onLayoutEnd, children }: { layout: Layout; onLayoutEnd: (layout: Layout) => void; children: (editable: boolean) => ReactElement[] }) {
  // Measured before the first render, so a narrow screen never flashes the desktop grid.
  const { width, containerRef, mounted } = useContainerWidth({ measureBeforeMount: true });
  const editable = width >= NARROW_WIDTH;
  const end: EventCallback = (finalLayout, oldItem, newItem) => {
    if (oldItem && newItem && (oldItem.x !== newItem.x || oldItem.y !== newItem.y || oldItem.w !== newItem.w || oldItem.h !== newItem.h)) onLayoutEnd(finalLayout);
  };
  return (
    <div ref={containerRef} className={`dashboard-grid${editable ? ' editable' : ''}`} role="list" aria-label="Tiles">
      {mounted && (
        <GridLayout
          width={width}
          layout={editable ? layout : narrowLayout(layout)}
          gridConfig={editable ? WIDE_GRID : NARROW_GRID}
          dragConfig={editable ? DRAG : FIXED}
          resizeConfig={editable ? RESIZE : FIXED}
          onDragStop={end}
          onResizeStop={end}
        >
          {children(editable)}
        </GridLayout>
      )}
    </div>
  );
}
