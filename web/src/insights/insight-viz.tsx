import { FunnelViz, type FunnelStep } from './charts/funnel-viz.js';
import { LifecycleViz, StickinessViz } from './charts/lifecycle-stickiness-viz.js';
import { PathsViz, type PathEdge } from './charts/paths-viz.js';
import { RetentionViz, type RetentionRow } from './charts/retention-viz.js';
import { TrendsViz } from './charts/trends-viz.js';
import type { OnDrill, SeriesResult } from './charts/types.js';
import type { InsightQuery } from './query.js';

/** The chart of an insight's results, by kind. */
export function InsightViz({ query, results, onDrill, compact, timezone }: { query: InsightQuery; results: unknown; onDrill?: OnDrill; compact?: boolean; timezone?: string }) {
  if (!Array.isArray(results)) return <p className="muted">No results yet.</p>;
  const props = { query, onDrill, compact };
  switch (query.kind) {
    case 'TrendsQuery':
      return <TrendsViz {...props} results={results as SeriesResult[]} />;
    case 'FunnelsQuery':
      return <FunnelViz {...props} results={results as FunnelStep[]} />;
    case 'RetentionQuery':
      return <RetentionViz {...props} results={results as RetentionRow[]} timezone={timezone} />;
    case 'PathsQuery':
      return <PathsViz {...props} results={results as PathEdge[]} />;
    case 'LifecycleQuery':
      return <LifecycleViz {...props} results={results as SeriesResult[]} />;
    case 'StickinessQuery':
      return <StickinessViz {...props} results={results as SeriesResult[]} />;
  }
}
