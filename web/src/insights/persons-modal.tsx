import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, apiRequest, errorMessage } from '../api.js';
import { downloadText, toCsv } from '../components/data-table.js';
import { Dialog } from '../components/dialog.js';
import { ErrorState, Loading } from '../components/states.js';
import { formatDateTime } from '../format.js';
import { useProject } from '../project.js';
import type { Drill } from './charts/types.js';

interface ActorsResponse {
  results: Array<[{ display_name: string; id: string }, string, string]>;
  hasMore: boolean;
  /** Counted by the insight but without a person profile (personless events), so not listable. */
  missing_actors_count?: number;
}

const PAGE = 100;
/** The most rows a CSV export asks for (the ActorsQuery limit). */
const EXPORT_LIMIT = 50_000;

type Row = ActorsResponse['results'][number];
const CSV_COLUMNS = [
  { key: 'person', label: 'Person', value: (r: Row) => r[0].display_name },
  { key: 'id', label: 'Person ID', value: (r: Row) => r[1] },
  { key: 'created_at', label: 'First seen', value: (r: Row) => r[2] },
];

/**
 * The modal's footer actions, as PostHog's: every person behind the data point saved as a static
 * cohort (the server runs the same ActorsQuery), or downloaded as CSV.
 */
function PersonsActions({ drill, search }: { drill: Drill; search: string }) {
  const { project, base } = useProject();
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState(drill.title);
  const [busy, setBusy] = useState<'cohort' | 'csv' | null>(null);
  const [saved, setSaved] = useState<{ id: number; name: string; count: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const actors = (select: string[], limit?: number) => ({ kind: 'ActorsQuery', source: drill.source, select, search: search || undefined, limit });

  async function saveCohort() {
    setBusy('cohort');
    setError(null);
    try {
      const cohort = await api.post<{ id: number; name: string; count: number }>(`/api/projects/${project.id}/cohorts/`, { name: name.trim(), is_static: true, query: actors(['id']) });
      setSaved(cohort);
      setNaming(false);
    } catch (err) {
      setError(`Could not save the cohort: ${errorMessage(err)}`);
    } finally {
      setBusy(null);
    }
  }

  async function exportCsv() {
    setBusy('csv');
    setError(null);
    try {
      const res = await api.post<ActorsResponse>(`/api/projects/${project.id}/query/`, { query: actors(['person_display_name', 'id', 'created_at'], EXPORT_LIMIT) });
      downloadText(`${drill.title.replace(/[^\p{L}\p{N} _-]+/gu, ' ').trim() || 'persons'}.csv`, toCsv(CSV_COLUMNS, res.results));
    } catch (err) {
      setError(`Could not export: ${errorMessage(err)}`);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="persons-actions">
      {naming ? (
        <form
          className="persons-cohort-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) void saveCohort();
          }}
        >
          <label htmlFor="persons-cohort-name">Cohort name</label>
          <input id="persons-cohort-name" className="input" value={name} onChange={(e) => setName(e.target.value)} required autoFocus />
          <button type="submit" className="button button-primary" disabled={busy !== null || !name.trim()}>
            {busy === 'cohort' ? 'Saving…' : 'Save cohort'}
          </button>
          <button type="button" className="button" onClick={() => setNaming(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <>
          <button type="button" className="button" onClick={() => setNaming(true)} disabled={busy !== null}>
            Save as cohort
          </button>
          <button type="button" className="button" onClick={() => void exportCsv()} disabled={busy !== null}>
            {busy === 'csv' ? 'Exporting…' : 'Export CSV'}
          </button>
        </>
      )}
      <p className="persons-actions-status" role="status">
        {saved && (
          <>
            Saved {saved.count} {saved.count === 1 ? 'person' : 'persons'} as the static cohort <Link to={`${base}/cohorts/${saved.id}`}>{saved.name}</Link>.
          </>
        )}
      </p>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * The persons behind a data point: PostHog's ActorsQuery with the insight's InsightActorsQuery /
 * FunnelsActorsQuery as its source, searchable (email, name, distinct id) and paged.
 */
export function PersonsModal({ drill, onClose }: { drill: Drill; onClose: () => void }) {
  const { project, base } = useProject();
  const [search, setSearch] = useState('');
  const [applied, setApplied] = useState('');
  const [pages, setPages] = useState(1);
  const [state, setState] = useState<{ status: 'loading' } | { status: 'error'; error: Error } | { status: 'ready'; rows: ActorsResponse['results']; hasMore: boolean; missing: number }>({ status: 'loading' });

  useEffect(() => {
    const controller = new AbortController();
    setState((s) => (s.status === 'ready' && pages > 1 ? s : { status: 'loading' }));
    const query = { kind: 'ActorsQuery', source: drill.source, select: ['person_display_name', 'id', 'created_at'], search: applied || undefined, limit: PAGE * pages };
    apiRequest<ActorsResponse>('POST', `/api/projects/${project.id}/query/`, { query }, { signal: controller.signal }).then(
      (res) => setState({ status: 'ready', rows: res.results, hasMore: res.hasMore, missing: res.missing_actors_count ?? 0 }),
      (error: Error) => {
        if (error.name !== 'AbortError') setState({ status: 'error', error });
      },
    );
    return () => controller.abort();
  }, [drill, applied, pages, project.id]);

  return (
    <Dialog title={drill.title} onClose={onClose} wide>
      <form
        className="persons-search"
        onSubmit={(e) => {
          e.preventDefault();
          setPages(1);
          setApplied(search.trim());
        }}
      >
        <label className="visually-hidden" htmlFor="persons-search">
          Search persons
        </label>
        <input id="persons-search" className="input" type="search" placeholder="Search by email, name or distinct ID" value={search} onChange={(e) => setSearch(e.target.value)} />
        <button type="submit" className="button">
          Search
        </button>
      </form>
      {state.status === 'loading' && <Loading label="Loading persons…" />}
      {state.status === 'error' && <ErrorState error={state.error} title="Could not load the persons" />}
      {state.status === 'ready' && (
        <>
          <p className="muted" role="status">
            {state.rows.length === 0 ? 'No persons match.' : `${state.rows.length}${state.hasMore ? '+' : ''} ${state.rows.length === 1 ? 'person' : 'persons'}`}
            {state.missing > 0 &&
              ` · ${state.missing} more counted without a person profile (anonymous events, e.g. posthog-js before identify) cannot be listed.`}
          </p>
          {state.rows.length > 0 && (
            <div className="persons-list">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Person</th>
                    <th scope="col">ID</th>
                    <th scope="col">First seen</th>
                  </tr>
                </thead>
                <tbody>
                  {state.rows.map(([person, id, createdAt]) => (
                    <tr key={id}>
                      <th scope="row">
                        <Link to={`${base}/persons/${id}`}>{person.display_name}</Link>
                      </th>
                      <td className="mono">{id}</td>
                      <td>{createdAt ? formatDateTime(createdAt, project.timezone) : '–'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {state.hasMore && (
            <button type="button" className="button" onClick={() => setPages((p) => p + 1)}>
              Load more
            </button>
          )}
        </>
      )}
      {state.status === 'ready' && state.rows.length > 0 && <PersonsActions drill={drill} search={applied} />}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
