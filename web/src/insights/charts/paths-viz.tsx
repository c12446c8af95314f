import { useMemo } from 'react';
import { EChart, type ChartClick } from './echart.js';
import { formatValue, type VizProps } from './types.js';

export interface PathEdge {
  source: string;
  target: string;
  value: number;
  average_conversion_time?: number | null;
}

/** "2_/pricing" → "/pricing": the step prefix only keeps nodes apart. */
const itemOf = (node: string) => node.replace(/^\d+_/, '');

/**
 * A Sankey of the paths: a column per step, links as thick as the persons taking them. A node
 * lists the persons who reached it; a link, those who went from its source to its target.
 */
export function PathsViz({ query, results, onDrill, compact }: VizProps<PathEdge[]>) {
  const option = useMemo(() => {
    const nodes = [...new Set(results.flatMap((e) => [e.source, e.target]))];
    return {
      tooltip: { trigger: 'item', confine: true, formatter: (p: { dataType?: string; data?: { source?: string; target?: string; value?: number; name?: string } }) => tooltip(p) },
      series: [
        {
          type: 'sankey',
          left: 8,
          right: compact ? 80 : 160,
          top: 8,
          bottom: 8,
          nodeAlign: 'left',
          emphasis: { focus: 'adjacency' },
          lineStyle: { color: 'gradient', curveness: 0.5, opacity: 0.35 },
          label: { formatter: (p: { name: string }) => itemOf(p.name), fontSize: compact ? 10 : 12 },
          data: nodes.map((name) => ({ name })),
          links: results.map((e) => ({ source: e.source, target: e.target, value: e.value })),
        },
      ],
    };
  }, [results, compact]);

  if (results.length === 0) return <p className="muted">No paths in this date range.</p>;

  const onClick = onDrill
    ? (click: ChartClick) => {
        const data = click.data as { name?: string; source?: string; target?: string } | undefined;
        if (!data) return;
        const filter = query.pathsFilter ?? {};
        if (click.dataType === 'edge' && data.source && data.target) {
          onDrill({
            title: `From ${itemOf(data.source)} to ${itemOf(data.target)}`,
            source: { kind: 'InsightActorsQuery', source: { ...query, pathsFilter: { ...filter, pathStartKey: data.source, pathEndKey: data.target } } },
          });
        } else if (data.name) {
          onDrill({ title: `Reached ${itemOf(data.name)} at step ${data.name.split('_')[0]}`, source: { kind: 'InsightActorsQuery', source: { ...query, pathsFilter: { ...filter, pathEndKey: data.name } } } });
        }
      }
    : undefined;

  const steps = new Set(results.flatMap((e) => [e.source, e.target]).map((n) => n.split('_')[0])).size;
  return <EChart option={option} onClick={onClick} label={`User paths over ${steps} steps`} height={compact ? '100%' : Math.max(360, Math.min(900, results.length * 18))} />;
}

function tooltip(p: { dataType?: string; data?: { source?: string; target?: string; value?: number; name?: string } }): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  if (p.dataType === 'edge' && p.data?.source && p.data.target) return `${esc(itemOf(p.data.source))} → ${esc(itemOf(p.data.target))}<br/>${formatValue(p.data.value ?? 0)} persons`;
  return esc(itemOf(p.data?.name ?? ''));
}
