import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, errorMessage } from '../api.js';
import { Dialog } from '../components/dialog.js';
import { ErrorState, Loading } from '../components/states.js';
import { useProject } from '../project.js';
import type { Paginated } from '../types.js';
import { useApi } from '../use-api.js';
import type { DashboardBasic, Insight } from './types.js';

/**
 * "Add to dashboard": a checkbox per dashboard of the project (checked = the insight is a tile
 * there; unchecking removes the tile), and a form to create a dashboard with this insight on it.
 */
export function AddToDashboardDialog({ insight, onClose, onChanged }: { insight: Insight; onClose: () => void; onChanged: (insight: Insight) => void }) {
  const { project, base } = useProject();
  const dashboards = useApi<Paginated<DashboardBasic>>(`/api/projects/${project.id}/dashboards/?limit=200`);
  const [current, setCurrent] = useState<number[]>(insight.dashboards);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');

  async function setDashboards(ids: number[]) {
    const before = current;
    setCurrent(ids); // the checkbox follows the click at once; a refusal puts it back
    setBusy(true);
    setError(null);
    try {
      const updated = await api.patch<Insight>(`/api/projects/${project.id}/insights/${insight.id}/`, { dashboards: ids });
      setCurrent(updated.dashboards);
      onChanged(updated);
    } catch (err) {
      setCurrent(before);
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function create(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await api.post<DashboardBasic>(`/api/projects/${project.id}/dashboards/`, { name: name.trim() });
      setName('');
      dashboards.reload();
      await setDashboards([...current, created.id]);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <Dialog title="Add to dashboard" onClose={onClose}>
      {dashboards.status === 'loading' && <Loading label="Loading dashboards…" />}
      {dashboards.status === 'error' && <ErrorState error={dashboards.error} retry={dashboards.reload} />}
      {dashboards.status === 'ready' &&
        (dashboards.data.results.length === 0 ? (
          <p className="muted">This project has no dashboards yet: create one below.</p>
        ) : (
          <ul className="dashboard-choices">
            {dashboards.data.results.map((d) => {
              const on = current.includes(d.id);
              return (
                <li key={d.id}>
                  <label className="check-inline">
                    <input type="checkbox" checked={on} disabled={busy} onChange={() => void setDashboards(on ? current.filter((id) => id !== d.id) : [...current, d.id])} /> {d.name || 'Untitled dashboard'}
                  </label>
                  {on && (
                    <Link to={`${base}/dashboard/${d.id}`} className="small-link">
                      Open dashboard
                    </Link>
                  )}
                </li>
              );
            })}
          </ul>
        ))}
      <form className="inline-form new-dashboard-form" onSubmit={(e) => void create(e)}>
        <div className="field">
          <label htmlFor="new-dashboard-name">New dashboard</label>
          <input id="new-dashboard-name" className="input" required maxLength={400} placeholder="Dashboard name" value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <button type="submit" className="button" disabled={busy || !name.trim()}>
          Create and add
        </button>
      </form>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <p className="visually-hidden" role="status">
        {busy ? 'Saving…' : `On ${current.length} dashboard${current.length === 1 ? '' : 's'}`}
      </p>
      <div className="dialog-actions">
        <button type="button" className="button button-primary" onClick={onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
