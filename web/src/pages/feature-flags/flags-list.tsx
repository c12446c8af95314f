import { useEffect, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { EmptyState, ErrorState, Loading } from '../../components/states.js';
import { formatDateTime, formatNumber, timeAgo } from '../../format.js';
import { usePageTitle, useProject } from '../../project.js';
import type { Paginated } from '../../types.js';
import { useApi } from '../../use-api.js';
import { rolloutSummary, type FeatureFlag, type GroupType } from './flag-model.js';
import { SearchForm } from '../../components/search-form.js';

const PAGE = 100;

/** `/feature_flags?search=…&active=…&type=…&offset=…`: the project's flags, filtered by the URL. */
export default function FlagsList() {
  const { project, base } = useProject();
  usePageTitle('Feature flags', project.name);
  const [params, setParams] = useSearchParams();
  const search = params.get('search') ?? '';
  const active = params.get('active') ?? '';
  const type = params.get('type') ?? '';
  const offset = Math.max(0, Number(params.get('offset')) || 0);
  const [text, setText] = useState(search);
  useEffect(() => setText(search), [search]);

  const query = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
  if (search) query.set('search', search);
  if (active) query.set('active', active);
  if (type) query.set('type', type);
  const flags = useApi<Paginated<FeatureFlag> & { count: number }>(`/api/projects/${project.id}/feature_flags/?${query}`);
  const groupTypes = useApi<GroupType[]>(`/api/projects/${project.id}/groups_types/`);

  function setParam(name: string, value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    next.delete('offset');
    setParams(next);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    setParam('search', text.trim());
  }

  return (
    <>
      <div className="page-header">
        <h1>Feature flags</h1>
        <Link className="button button-primary" to={`${base}/feature_flags/new`}>
          New feature flag
        </Link>
      </div>
      <div className="toolbar">
        <SearchForm id="flags-search" label="Search flags" placeholder="Search by key or description" value={text} onChange={setText} onSubmit={submit} />
        <label>
          Status{' '}
          <select className="input" value={active} onChange={(e) => setParam('active', e.target.value)}>
            <option value="">All</option>
            <option value="true">Enabled</option>
            <option value="false">Disabled</option>
          </select>
        </label>
        <label>
          Type{' '}
          <select className="input" value={type} onChange={(e) => setParam('type', e.target.value)}>
            <option value="">All</option>
            <option value="boolean">Boolean</option>
            <option value="multivariant">Multiple variants</option>
            <option value="experiment">Experiment</option>
          </select>
        </label>
      </div>
      {flags.status === 'loading' && <Loading label="Loading feature flags…" />}
      {flags.status === 'error' && <ErrorState error={flags.error} retry={flags.reload} />}
      {flags.status === 'ready' && flags.data.results.length === 0 && (
        <EmptyState title={search || active || type ? 'No flag matches these filters' : 'No feature flags yet'}>
          <p>Flags turn features on for some users, roll them out gradually, or split users between variants for an experiment.</p>
        </EmptyState>
      )}
      {flags.status === 'ready' && flags.data.results.length > 0 && (
        <>
          <table className="table">
            <caption className="visually-hidden">Feature flags</caption>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Release conditions</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {flags.data.results.map((f) => (
                <tr key={f.id}>
                  <th scope="row">
                    <Link to={`${base}/feature_flags/${f.id}`} className="mono">
                      {f.key}
                    </Link>
                    {f.name && <div className="muted cell-note">{f.name}</div>}
                  </th>
                  <td>
                    {rolloutSummary(f, groupTypes.status === 'ready' ? groupTypes.data : [])}
                    {(f.filters.multivariate?.variants.length ?? 0) > 0 && <div className="muted cell-note">{f.filters.multivariate!.variants.length} variants</div>}
                  </td>
                  <td>
                    <span className={f.active ? 'tag tag-on' : 'tag'}>{f.active ? 'Enabled' : 'Disabled'}</span>
                  </td>
                  <td>
                    <time dateTime={f.created_at} title={formatDateTime(f.created_at, project.timezone)}>
                      {timeAgo(f.created_at)}
                    </time>
                    {f.created_by && <div className="muted cell-note">by {f.created_by.first_name || f.created_by.email}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager" aria-label="Pages of flags">
            <span className="muted">
              {formatNumber(offset + 1)}–{formatNumber(offset + flags.data.results.length)} of {formatNumber(flags.data.count)}
            </span>
            {offset > 0 && <Link to={`?${withOffset(params, offset - PAGE)}`}>Previous page</Link>}
            {offset + PAGE < flags.data.count && <Link to={`?${withOffset(params, offset + PAGE)}`}>Next page</Link>}
          </nav>
        </>
      )}
    </>
  );
}

function withOffset(params: URLSearchParams, offset: number): string {
  const next = new URLSearchParams(params);
  if (offset > 0) next.set('offset', String(offset));
  else next.delete('offset');
  return next.toString();
}
