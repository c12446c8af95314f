import { FunnelViz, type FunnelResults } from './charts/funnel-viz.js';
import { LifecycleViz, StickinessViz } from './charts/lifecycle-stickiness-viz.js';
import { PathsViz, type PathEdge } from './charts/paths-viz.js';
import { RetentionViz, type RetentionRow } from './charts/retention-viz.js';
import { TrendsViz } from './charts/trends-viz.js';
import type { OnDrill, SeriesResult } from './charts/types.js';
import type { InsightQuery } from './query.js';

/** The chart of an insight's results, by kind. */
export function InsightViz({ query, results, onDrill, compact, timezone }: { query: InsightQuery; results: unknown; onDrill?: OnDrill; compact?: boolean; timezone?: string }) {
  const props = { query, onDrill, compact };
  // A funnel's time to convert is one object (histogram bins), not a list.
  if (query.kind === 'FunnelsQuery' && results !== null && typeof results === 'object') return <FunnelViz {...props} results={results as FunnelResults} />;
  if (!Array.isArray(results)) return <p className="muted">No results yet.</p>;
  switch (query.kind) {
    case 'TrendsQuery':
      return <TrendsViz {...props} results={results as SeriesResult[]} />;
    case 'FunnelsQuery':
      return <FunnelViz {...props} results={results as FunnelResults} />;
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
