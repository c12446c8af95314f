import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, errorMessage } from '../../api.js';
import { Dialog } from '../../components/dialog.js';
import { ErrorState, Loading } from '../../components/states.js';
import { useProject } from '../../project.js';
import type { Paginated } from '../../types.js';
import { useApi } from '../../use-api.js';
import { KIND_INFO, sourceOfSaved } from '../../insights/query.js';
import type { Insight } from '../../insights/types.js';
import { SearchForm } from '../../components/search-form.js';

/** "Add insight": the project's saved insights (searchable), each added as a tile with one click. */
export function AddInsightDialog({ dashboardId, onClose, onAdded }: { dashboardId: number; onClose: () => void; onAdded: () => Promise<void> }) {
  const { project, base } = useProject();
  const [text, setText] = useState('');
  const [search, setSearch] = useState('');
  const [busy, setBusy] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [added, setAdded] = useState<number[]>([]);
  const list = useApi<Paginated<Insight>>(`/api/projects/${project.id}/insights/?saved=true&basic=true&limit=100&search=${encodeURIComponent(search)}`);

  async function add(insight: Insight) {
    setBusy(insight.id);
    setError(null);
    try {
      await api.patch(`/api/projects/${project.id}/insights/${insight.id}/`, { dashboards: [...new Set([...insight.dashboards, dashboardId])] });
      setAdded((a) => [...a, insight.id]);
      await onAdded();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  }

  function onSearch(event: FormEvent) {
    event.preventDefault();
    setSearch(text.trim());
  }

  return (
    <Dialog title="Add insight to dashboard" onClose={onClose} wide>
      <SearchForm id="add-insight-search" label="Search insights" placeholder="Search saved insights" value={text} onChange={setText} onSubmit={onSearch} />
      {list.status === 'loading' && <Loading label="Loading insights…" />}
      {list.status === 'error' && <ErrorState error={list.error} retry={list.reload} />}
      {list.status === 'ready' && list.data.results.length === 0 && (
        <p className="muted">
          {search ? 'No saved insight matches.' : 'There are no saved insights yet.'} <Link to={`${base}/insights/new?dashboard=${dashboardId}`}>Build a new one</Link>
        </p>
      )}
      {list.status === 'ready' && list.data.results.length > 0 && (
        <ul className="insight-choices">
          {list.data.results.map((insight) => {
            const on = insight.dashboards.includes(dashboardId) || added.includes(insight.id);
            const source = sourceOfSaved(insight.query);
            const name = insight.name || insight.derived_name || 'Untitled insight';
            return (
              <li key={insight.id}>
                <span>
                  {name} <span className="muted">· {source ? KIND_INFO[source.kind].label : 'SQL'}</span>
                </span>
                <button type="button" className="button button-small" disabled={on || busy !== null} onClick={() => void add(insight)} aria-label={on ? `${name} is on this dashboard` : `Add ${name}`}>
                  {on ? 'Added' : busy === insight.id ? 'Adding…' : 'Add'}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="button button-primary" onClick={onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
