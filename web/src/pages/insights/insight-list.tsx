import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { EmptyState, ErrorState, Loading } from '../../components/states.js';
import { timeAgo } from '../../format.js';
import { usePageTitle, useProject } from '../../project.js';
import type { Paginated } from '../../types.js';
import { useApi } from '../../use-api.js';
import { INSIGHT_KINDS, KIND_INFO, sourceOfSaved } from '../../insights/query.js';
import type { Insight } from '../../insights/types.js';
import { SearchForm } from '../../components/search-form.js';

const PAGE = 50;

/** `/insights`: the project's saved insights, newest change first, searchable by name (`?search=`, `?page=`). */
export default function InsightList() {
  const { project, base } = useProject();
  usePageTitle('Product analytics', project.name);
  const [params, setParams] = useSearchParams();
  const search = params.get('search') ?? '';
  const page = Math.max(1, Number(params.get('page')) || 1);
  const [text, setText] = useState(search);
  const list = useApi<Paginated<Insight>>(`/api/projects/${project.id}/insights/?saved=true&basic=true&limit=${PAGE}&offset=${(page - 1) * PAGE}&search=${encodeURIComponent(search)}`);

  function onSearch(event: FormEvent) {
    event.preventDefault();
    setParams(text.trim() ? { search: text.trim() } : {});
  }

  return (
    <>
      <header className="page-header">
        <h1>Product analytics</h1>
        <div className="header-actions new-insight-links">
          <Link className="button button-primary" to={`${base}/insights/new`}>
            New insight
          </Link>
        </div>
      </header>
      <nav aria-label="New insight of type" className="kind-links">
        {INSIGHT_KINDS.map((k) => (
          <Link key={k} to={`${base}/insights/new#insight=${KIND_INFO[k].hash}`} className="kind-link">
            <strong>{KIND_INFO[k].label}</strong>
            <span className="muted">{KIND_INFO[k].description}</span>
          </Link>
        ))}
      </nav>
      <SearchForm id="insight-search" label="Search insights" placeholder="Search insights" value={text} onChange={setText} onSubmit={onSearch} />
      {list.status === 'loading' && <Loading label="Loading insights…" />}
      {list.status === 'error' && <ErrorState error={list.error} retry={list.reload} />}
      {list.status === 'ready' && list.data.results.length === 0 && (
        <EmptyState title={search ? `No insights match “${search}”` : 'No saved insights yet'}>
          <p>{search ? 'Try another name.' : 'Build a trend, funnel or retention chart and save it to see it here.'}</p>
        </EmptyState>
      )}
      {list.status === 'ready' && list.data.results.length > 0 && (
        <>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Created by</th>
                <th scope="col">Last modified</th>
              </tr>
            </thead>
            <tbody>
              {list.data.results.map((insight) => {
                const source = sourceOfSaved(insight.query);
                return (
                  <tr key={insight.id}>
                    <th scope="row">
                      <Link to={`${base}/insights/${insight.short_id}`}>{insight.name || insight.derived_name || 'Untitled insight'}</Link>
                    </th>
                    <td>{source ? KIND_INFO[source.kind].label : 'SQL'}</td>
                    <td>{insight.created_by ? insight.created_by.first_name || insight.created_by.email : '–'}</td>
                    <td>{insight.last_modified_at ? timeAgo(insight.last_modified_at) : '–'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <Pager page={page} count={list.data.count ?? 0} size={PAGE} onPage={(p) => setParams({ ...(search ? { search } : {}), page: String(p) })} />
        </>
      )}
    </>
  );
}

export function Pager({ page, count, size, onPage }: { page: number; count: number; size: number; onPage: (page: number) => void }) {
  const pages = Math.ceil(count / size);
  if (pages <= 1) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="button button-small" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      <span>
        Page {page} of {pages}
      </span>
      <button type="button" className="button button-small" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next
      </button>
    </nav>
  );
}
