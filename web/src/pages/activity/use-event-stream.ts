import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api.js';
import type { PropertyFilter } from '../../types.js';

/** An event as `GET /api/projects/:id/events/` lists it. */
export interface EventRow {
  id: string;
  event: string;
  distinct_id: string;
  timestamp: string;
  properties: Record<string, unknown>;
  elements_chain: string;
  person: { id: string; name: string; distinct_ids: string[]; properties: Record<string, unknown> } | null;
}

export interface EventFilters {
  /** '' = all events. */
  event: string;
  properties: PropertyFilter[];
}

export const PAGE_SIZE = 50;
/** Live mode looks for new events this often (only while the tab is visible). */
export const LIVE_POLL_MS = 3000;
/** How long rows that live mode added stay highlighted. */
const FRESH_MS = 5000;

type Page = { next: string | null; results: EventRow[] };

interface StreamState {
  key: string;
  status: 'loading' | 'error' | 'ready';
  error: Error | null;
  rows: EventRow[];
  /** Ids that the last live update added (highlighted). */
  fresh: ReadonlySet<string>;
  /** The next page's URL. */
  next: string | null;
  loadingMore: boolean;
  moreError: Error | null;
  /** Bumped whenever live mode found new events (so counts can refresh). */
  arrivals: number;
  /** When the list was last brought up to date. */
  updatedAt: Date | null;
}

export interface EventStream extends Omit<StreamState, 'key' | 'next'> {
  hasMore: boolean;
  loadMore: () => void;
  retry: () => void;
}

function firstPagePath(projectId: number, filters: EventFilters): string {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (filters.event) params.set('event', filters.event);
  if (filters.properties.length) params.set('properties', JSON.stringify(filters.properties));
  return `/api/projects/${projectId}/events/?${params}`;
}

/** The server's `next` is absolute; the API client takes same-origin paths. */
function pathOf(url: string): string {
  const u = new URL(url, window.location.origin);
  return u.pathname + u.search;
}

const newestFirst = (a: EventRow, b: EventRow) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : 0);

/**
 * The events matching `filters`, newest first, a page at a time; with `live`, the first page is
 * fetched again every few seconds and events not seen before are merged in at their place.
 */
export function useEventStream(projectId: number, filters: EventFilters, live: boolean): EventStream {
  const key = `${projectId}:${JSON.stringify(filters)}`;
  const [state, setState] = useState<StreamState>(() => initial(key));
  const [attempt, setAttempt] = useState(0);
  // Responses for an older filter are dropped: the key they were asked for no longer matches.
  const current = useRef(key);
  current.current = key;
  const polling = useRef(false);

  useEffect(() => {
    setState(initial(key));
    const controller = new AbortController();
    api.get<Page>(firstPagePath(projectId, filters), controller.signal).then(
      (page) => {
        if (current.current === key) setState((s) => ({ ...s, status: 'ready', rows: page.results, next: page.next, updatedAt: new Date() }));
      },
      (error: Error) => {
        if (error.name !== 'AbortError' && current.current === key) setState((s) => ({ ...s, status: 'error', error }));
      },
    );
    return () => controller.abort();
    // `key` stands for projectId and filters.
  }, [key, attempt]);

  const ready = state.status === 'ready' && state.key === key;
  useEffect(() => {
    if (!live || !ready) return;
    const timer = setInterval(() => {
      if (document.visibilityState !== 'visible' || polling.current) return;
      polling.current = true;
      api
        .get<Page>(firstPagePath(projectId, filters))
        .then((page) => {
          if (current.current === key) setState((s) => merge(s, page));
        })
        .catch(() => {
          // A failed refresh keeps what is shown; the next tick tries again.
        })
        .finally(() => {
          polling.current = false;
        });
    }, LIVE_POLL_MS);
    return () => clearInterval(timer);
  }, [live, ready, key]);

  // The highlight (and "N new events") lasts a few seconds, then the rows are ordinary rows.
  const { fresh } = state;
  useEffect(() => {
    if (fresh.size === 0) return;
    const timer = setTimeout(() => setState((s) => (s.fresh === fresh ? { ...s, fresh: new Set() } : s)), FRESH_MS);
    return () => clearTimeout(timer);
  }, [fresh]);

  const { next, loadingMore } = state;
  const loadMore = useCallback(() => {
    if (!next || loadingMore) return;
    setState((s) => ({ ...s, loadingMore: true, moreError: null }));
    api.get<Page>(pathOf(next)).then(
      (page) => {
        if (current.current !== key) return;
        setState((s) => {
          const known = new Set(s.rows.map((r) => r.id));
          return { ...s, loadingMore: false, rows: [...s.rows, ...page.results.filter((r) => !known.has(r.id))], next: page.next };
        });
      },
      (error: Error) => {
        if (current.current === key) setState((s) => ({ ...s, loadingMore: false, moreError: error }));
      },
    );
  }, [next, loadingMore, key]);

  const retry = useCallback(() => setAttempt((a) => a + 1), []);
  const { key: _shownKey, next: nextPage, ...shown } = state.key === key ? state : initial(key);
  return { ...shown, hasMore: nextPage !== null, loadMore, retry };
}

function initial(key: string): StreamState {
  return { key, status: 'loading', error: null, rows: [], fresh: new Set(), next: null, loadingMore: false, moreError: null, arrivals: 0, updatedAt: null };
}

/** Puts the events of a fresh first page that are not shown yet where they belong. */
function merge(s: StreamState, page: Page): StreamState {
  const known = new Set(s.rows.map((r) => r.id));
  let added = page.results.filter((r) => !known.has(r.id));
  const updatedAt = new Date();
  if (added.length === 0) return { ...s, updatedAt };
  // A whole page of unseen events: more arrived than one page holds, so start over from this page
  // rather than leave a gap between it and the rows below.
  if (added.length === page.results.length && page.results.length >= PAGE_SIZE && s.rows.length > 0) {
    return { ...s, rows: page.results, next: page.next, fresh: new Set(added.map((r) => r.id)), arrivals: s.arrivals + 1, updatedAt };
  }
  const last = s.rows[s.rows.length - 1];
  // An event older than the last row shown belongs to a page not loaded yet ("Load more" brings it).
  if (s.next && last) added = added.filter((r) => r.timestamp >= last.timestamp);
  if (added.length === 0) return { ...s, updatedAt };
  // When the list was empty, the fresh page's own next page is the one to continue with.
  const next = s.rows.length === 0 ? page.next : s.next;
  return { ...s, rows: [...added, ...s.rows].sort(newestFirst), next, fresh: new Set(added.map((r) => r.id)), arrivals: s.arrivals + 1, updatedAt };
}
