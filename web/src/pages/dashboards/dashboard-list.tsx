import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, errorMessage } from '../../api.js';
import { Dialog, FormDialogActions } from '../../components/dialog.js';
import { EmptyState, ErrorState, Loading } from '../../components/states.js';
import { timeAgo } from '../../format.js';
import { usePageTitle, useProject } from '../../project.js';
import type { Paginated } from '../../types.js';
import { useApi } from '../../use-api.js';
import type { DashboardBasic } from '../../insights/types.js';
import { SearchForm } from '../../components/search-form.js';

/** `/dashboard`: the project's dashboards (pinned first), a search (`?search=`), and "New dashboard". */
export default function DashboardList() {
  const { project, base } = useProject();
  usePageTitle('Dashboards', project.name);
  const [params, setParams] = useSearchParams();
  const search = params.get('search') ?? '';
  const [text, setText] = useState(search);
  const [creating, setCreating] = useState(false);
  const list = useApi<Paginated<DashboardBasic>>(`/api/projects/${project.id}/dashboards/?limit=300&search=${encodeURIComponent(search)}`);

  function onSearch(event: FormEvent) {
    event.preventDefault();
    setParams(text.trim() ? { search: text.trim() } : {});
  }

  const rows = list.status === 'ready' ? [...list.data.results].sort((a, b) => Number(b.pinned) - Number(a.pinned) || (a.name ?? '').localeCompare(b.name ?? '')) : [];

  return (
    <>
      <header className="page-header">
        <h1>Dashboards</h1>
        <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
          New dashboard
        </button>
      </header>
      <SearchForm id="dashboard-search" label="Search dashboards" placeholder="Search dashboards" value={text} onChange={setText} onSubmit={onSearch} />
      {list.status === 'loading' && <Loading label="Loading dashboards…" />}
      {list.status === 'error' && <ErrorState error={list.error} retry={list.reload} />}
      {list.status === 'ready' && rows.length === 0 && (
        <EmptyState title={search ? `No dashboards match “${search}”` : 'No dashboards yet'}>
          <p>{search ? 'Try another name.' : 'A dashboard puts your saved insights side by side. Create one, then add insights to it.'}</p>
        </EmptyState>
      )}
      {rows.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Created by</th>
              <th scope="col">Created</th>
              <th scope="col">Last viewed</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.id}>
                <th scope="row">
                  <Link to={`${base}/dashboard/${d.id}`}>{d.name || 'Untitled dashboard'}</Link>
                  {d.pinned && <span className="badge">Pinned</span>}
                  {d.description && <div className="muted small">{d.description}</div>}
                </th>
                <td>{d.created_by ? d.created_by.first_name || d.created_by.email : '–'}</td>
                <td>{d.created_at ? timeAgo(d.created_at) : '–'}</td>
                <td>{d.last_accessed_at ? timeAgo(d.last_accessed_at) : 'Never'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {creating && <NewDashboardDialog onClose={() => setCreating(false)} />}
    </>
  );
}

function NewDashboardDialog({ onClose }: { onClose: () => void }) {
  const { project, base } = useProject();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await api.post<DashboardBasic>(`/api/projects/${project.id}/dashboards/`, { name: name.trim(), description: description.trim() });
      navigate(`${base}/dashboard/${created.id}`);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <Dialog title="New dashboard" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor="dashboard-name">Name</label>
          <input id="dashboard-name" className="input" required maxLength={400} value={name} onChange={(e) => setName(e.target.value)} autoFocus />
        </div>
        <div className="field">
          <label htmlFor="dashboard-description">Description (optional)</label>
          <textarea id="dashboard-description" className="input" rows={2} maxLength={10_000} value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <FormDialogActions error={error} busy={busy} submitLabel="Create dashboard" onCancel={onClose} />
      </form>
    </Dialog>
  );
}
