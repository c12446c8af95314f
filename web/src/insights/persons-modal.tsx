import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { apiRequest } from '../api.js';
import { Dialog } from '../components/dialog.js';
import { ErrorState, Loading } from '../components/states.js';
import { formatDateTime } from '../format.js';
import { useProject } from '../project.js';
import type { Drill } from './charts/types.js';

interface ActorsResponse {
  results: Array<[{ display_name: string; id: string }, string, string]>;
  hasMore: boolean;
}

const PAGE = 100;

/**
 * The persons behind a data point: PostHog's ActorsQuery with the insight's InsightActorsQuery /
 * FunnelsActorsQuery as its source, searchable (email, name, distinct id) and paged.
 */
export function PersonsModal({ drill, onClose }: { drill: Drill; onClose: () => void }) {
  const { project, base } = useProject();
  const [search, setSearch] = useState('');
  const [applied, setApplied] = useState('');
  const [pages, setPages] = useState(1);
  const [state, setState] = useState<{ status: 'loading' } | { status: 'error'; error: Error } | { status: 'ready'; rows: ActorsResponse['results']; hasMore: boolean }>({ status: 'loading' });

  useEffect(() => {
    const controller = new AbortController();
    setState((s) => (s.status === 'ready' && pages > 1 ? s : { status: 'loading' }));
    const query = { kind: 'ActorsQuery', source: drill.source, select: ['person_display_name', 'id', 'created_at'], search: applied || undefined, limit: PAGE * pages };
    apiRequest<ActorsResponse>('POST', `/api/projects/${project.id}/query/`, { query }, { signal: controller.signal }).then(
      (res) => setState({ status: 'ready', rows: res.results, hasMore: res.hasMore }),
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
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
