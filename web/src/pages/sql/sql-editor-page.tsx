import { useCallback, useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, ApiError, apiRequest, errorMessage } from '../../api.js';
import { usePageTitle, useProject } from '../../project.js';
import type { PropertyKind, PropertyName } from './hogql-completion.js';
import { HogQLEditor, lineAndColumn, type EditorError } from './hogql-editor.js';
import { QueryResults, type ChartType, type HogQLResponse, type OutputTab } from './query-results.js';

const DEFAULT_QUERY = `SELECT event, count() AS events
FROM events
GROUP BY event
ORDER BY events DESC
LIMIT 100`;
/** Property names for completion are fetched again after this long, so new ones show up. */
const PROPERTY_CACHE_MS = 30_000;
/** The URL follows the editor after a pause in typing (replacing, so history is not one entry per key). */
const URL_SYNC_MS = 400;

type Run =
  | { status: 'idle' }
  | { status: 'running' }
  | { status: 'done' }
  | { status: 'cancelled' }
  | { status: 'error'; message: string; position: { line: number; column: number } | null };

interface Result {
  response: HogQLResponse;
  roundTripMs: number;
}

/** PostHog's SQL editor: `?q=` holds the query text (URI-encoded), so a link opens (and runs) it. */
export default function SqlEditorPage() {
  const { project } = useProject();
  usePageTitle('SQL', project.name);
  const [params, setParams] = useSearchParams();
  const urlQuery = params.get('q');
  const [text, setText] = useState(urlQuery ?? DEFAULT_QUERY);
  const textRef = useRef(text);
  textRef.current = text;
  const written = useRef(urlQuery);
  const [run, setRun] = useState<Run>({ status: 'idle' });
  const [result, setResult] = useState<Result | null>(null);
  /** Finished runs (answers and errors), so anyone watching can tell a new answer from the last one. */
  const [runs, setRuns] = useState(0);
  const [editorError, setEditorError] = useState<EditorError | null>(null);
  const controller = useRef<AbortController | null>(null);
  const tab: OutputTab = params.get('output_tab') === 'visualization' ? 'visualization' : 'results';
  const chartType: ChartType = params.get('chart') === 'bar' ? 'bar' : 'line';

  // A `q` that changed from outside (back/forward, a pasted link) replaces the editor's text.
  useEffect(() => {
    if (urlQuery !== null && urlQuery !== written.current) {
      written.current = urlQuery;
      setText(urlQuery);
    }
  }, [urlQuery]);

  const syncUrl = useCallback(
    (query: string) => {
      if (written.current === query) return;
      written.current = query;
      setParams(
        (p) => {
          p.set('q', query);
          return p;
        },
        { replace: true, preventScrollReset: true },
      );
    },
    [setParams],
  );

  useEffect(() => {
    const timer = setTimeout(() => syncUrl(text), URL_SYNC_MS);
    return () => clearTimeout(timer);
  }, [text, syncUrl]);

  const execute = useCallback(async () => {
    const query = textRef.current;
    syncUrl(query);
    controller.current?.abort();
    const c = new AbortController();
    controller.current = c;
    setRun({ status: 'running' });
    setEditorError(null);
    const started = performance.now();
    try {
      const response = await apiRequest<HogQLResponse>('POST', `/api/projects/${project.id}/query/`, { query: { kind: 'HogQLQuery', query } }, { signal: c.signal });
      if (controller.current !== c) return;
      setResult({ response, roundTripMs: performance.now() - started });
      setRun({ status: 'done' });
      setRuns((n) => n + 1);
    } catch (err) {
      if (controller.current !== c) return;
      if ((err as Error).name === 'AbortError') {
        setRun({ status: 'cancelled' });
        return;
      }
      const body = err instanceof ApiError ? err.body : null;
      const start = typeof body?.start === 'number' ? body.start : null;
      const end = typeof body?.end === 'number' ? body.end : start;
      const message = errorMessage(err);
      // The offsets count in the text that ran; if it has been edited since, only the message is shown.
      if (start !== null && end !== null && textRef.current === query) setEditorError({ start, end, message });
      setRun({ status: 'error', message, position: start !== null && !/line \d+, column \d+/i.test(message) ? lineAndColumn(query, start) : null });
      setRuns((n) => n + 1);
    } finally {
      if (controller.current === c) controller.current = null;
    }
  }, [project.id, syncUrl]);

  // A link with a query opens with its results.
  useEffect(() => {
    if (urlQuery) void execute();
    return () => controller.current?.abort();
  }, []);

  const cache = useRef(new Map<PropertyKind, { at: number; names: Promise<PropertyName[]> }>());
  const loadProperties = useCallback(
    (kind: PropertyKind) => {
      const hit = cache.current.get(kind);
      if (hit && Date.now() - hit.at < PROPERTY_CACHE_MS) return hit.names;
      const names = api
        .get<{ results: Array<{ name: string; property_type: string | null }> }>(`/api/projects/${project.id}/property_definitions/?type=${kind}&limit=1000`)
        .then((page) => page.results.map((p) => ({ name: p.name, type: p.property_type })));
      names.catch(() => cache.current.delete(kind));
      cache.current.set(kind, { at: Date.now(), names });
      return names;
    },
    [project.id],
  );

  function setView(name: 'output_tab' | 'chart', value: string) {
    setParams((p) => {
      p.set(name, value);
      return p;
    });
  }

  const mac = /Mac|iPhone|iPad/.test(navigator.platform);
  return (
    <>
      <div className="page-header">
        <h1>SQL</h1>
      </div>
      <p id="sql-hint" className="muted">
        HogQL, PostHog's SQL: tables <code>events</code>, <code>persons</code>, <code>sessions</code>, <code>groups</code>, <code>person_distinct_ids</code>. Type{' '}
        <code>properties.</code> or <code>person.properties.</code> for property names. {mac ? '⌘' : 'Ctrl'}+Enter runs the query.
      </p>
      <section className="card sql-editor-card" aria-label="Query" data-runs={runs}>
        <HogQLEditor value={text} onChange={setText} onRun={() => void execute()} error={editorError} loadProperties={loadProperties} label="SQL query" describedBy="sql-hint" />
        <div className="sql-actions">
          <button type="button" className="button button-primary" onClick={() => void execute()} disabled={text.trim() === ''}>
            Run
          </button>
          {run.status === 'running' && (
            <>
              <button type="button" className="button" onClick={() => controller.current?.abort()}>
                Cancel
              </button>
              <span role="status" className="muted">
                <span className="spinner" aria-hidden="true" /> Running…
              </span>
            </>
          )}
          {run.status === 'cancelled' && (
            <span role="status" className="muted">
              The query was cancelled.
            </span>
          )}
        </div>
      </section>
      {run.status === 'error' && (
        <div className="state state-error sql-error" role="alert">
          <strong>The query failed</strong>
          <p>
            {run.position && `Line ${run.position.line}, column ${run.position.column}: `}
            {run.message}
          </p>
        </div>
      )}
      {result && run.status !== 'error' ? (
        <div className={run.status === 'running' ? 'sql-stale' : undefined}>
          <QueryResults
            response={result.response}
            roundTripMs={result.roundTripMs}
            tab={tab}
            onTab={(t) => setView('output_tab', t)}
            chartType={chartType}
            onChartType={(t) => setView('chart', t)}
          />
        </div>
      ) : (
        run.status !== 'running' && run.status !== 'error' && <p className="muted">Query results will appear here.</p>
      )}
    </>
  );
}
