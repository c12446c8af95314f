import { useMemo } from 'react';
import { useProject } from '../../project.js';
import type { Paginated } from '../../types.js';
import { useApi } from '../../use-api.js';
import type { InsightQuery } from '../query.js';
import type { SeriesResult } from './types.js';

/**
 * Trends broken down by cohort: the server's `breakdown_value` is the cohort id (or "all"), which
 * drill-downs send back; the legend and table need the cohort's name, from the cohorts list (the
 * series label has it too, but not once a formula has replaced the series).
 */
export function useCohortLabels(query: InsightQuery, results: SeriesResult[]): SeriesResult[] {
  const { project } = useProject();
  const byCohort = query.breakdownFilter?.breakdown_type === 'cohort';
  const cohorts = useApi<Paginated<{ id: number; name: string | null }>>(byCohort ? `/api/projects/${project.id}/cohorts/?limit=1000` : null);
  const list = cohorts.status === 'ready' ? cohorts.data.results : null;
  return useMemo(() => {
    if (!byCohort) return results;
    const multi = (query.series?.length ?? 0) > 1;
    return results.map((s) => {
      const value = s.breakdown_value;
      if (value === undefined || value === null) return s;
      let name: string;
      if (value === 'all' || Number(value) === 0) name = 'All users';
      else {
        const known = list?.find((c) => c.id === Number(value))?.name;
        // Until the list arrives: the series label is "<cohort>" (one series) or "<event> - <cohort>".
        const base = s.action?.name ?? '';
        const fromLabel = s.action && s.label ? (multi && s.label.startsWith(`${base} - `) ? s.label.slice(base.length + 3) : s.label) : null;
        name = known ?? fromLabel ?? `Cohort ${String(value)}`;
      }
      return { ...s, breakdown_label: name };
    });
  }, [byCohort, results, list, query.series?.length]);
}

/**
 * Retention (and any result whose `breakdown_value` is a bare cohort id, "0" = all users): the
 * cohort's name from the cohorts list, "Cohort <id>" until it arrives or when it is gone. Null when
 * the query does not break down by cohort.
 */
export function useCohortNames(query: InsightQuery): ((value: unknown) => string) | null {
  const { project } = useProject();
  const byCohort = query.breakdownFilter?.breakdown_type === 'cohort';
  const cohorts = useApi<Paginated<{ id: number; name: string | null }>>(byCohort ? `/api/projects/${project.id}/cohorts/?limit=1000` : null);
  const list = cohorts.status === 'ready' ? cohorts.data.results : null;
  return useMemo(() => {
    if (!byCohort) return null;
    const names = new Map((list ?? []).map((c) => [c.id, c.name || `Untitled cohort ${c.id}`]));
    return (value: unknown) => (value === 'all' || Number(value) === 0 ? 'All users' : (names.get(Number(value)) ?? `Cohort ${String(value)}`));
  }, [byCohort, list]);
}
