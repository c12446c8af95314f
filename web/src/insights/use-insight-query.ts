import { useEffect, useRef, useState } from 'react';
import { apiRequest } from '../api.js';
import { useProject } from '../project.js';
import type { InsightQuery } from './query.js';

/** What `/query/` answers for an insight kind (the parts the charts read). */
export interface InsightResponse {
  results: unknown;
  resolved_date_range?: { date_from?: string; date_to?: string } | null;
  timezone?: string;
  hasMore?: boolean | null;
}

export type InsightRun =
  | { status: 'idle' }
  | { status: 'loading'; previous?: InsightRun & { status: 'ready' } }
  | { status: 'error'; error: Error }
  | { status: 'ready'; response: InsightResponse; computedAt: string; query: InsightQuery };

/** Edits in a row (typing, clicking through options) run the query once, this long after the last. */
const EDIT_PAUSE_MS = 250;

/**
 * Runs the query on `/api/projects/:id/query/` whenever its JSON changes (after a short pause, so
 * edits in a row run once); `generation` forces a new run. The last result stays on screen, marked
 * as loading, while the next one computes.
 */
export function useInsightQuery(query: InsightQuery | null, generation = 0): InsightRun {
  const { project } = useProject();
  const [run, setRun] = useState<InsightRun>({ status: 'idle' });
  const key = query ? JSON.stringify(query) : null;
  // The first run of a page starts at once; only edits that follow wait for the pause.
  const started = useRef(false);

  useEffect(() => {
    if (key === null || query === null) {
      setRun({ status: 'idle' });
      return;
    }
    const controller = new AbortController();
    setRun((prev) => ({ status: 'loading', previous: prev.status === 'ready' ? prev : prev.status === 'loading' ? prev.previous : undefined }));
    const timer = setTimeout(() => {
      apiRequest<InsightResponse>('POST', `/api/projects/${project.id}/query/`, { query, refresh: 'force_blocking' }, { signal: controller.signal }).then(
          (response) => setRun({ status: 'ready', response, computedAt: new Date().toISOString(), query }),
          (error: Error) => {
            if (error.name !== 'AbortError') setRun({ status: 'error', error });
          },
        );
    }, started.current ? EDIT_PAUSE_MS : 0);
    started.current = true;
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key, generation, project.id]);

  return run;
}
