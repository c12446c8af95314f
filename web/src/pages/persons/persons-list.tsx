import { useEffect, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { EmptyState, ErrorState, Loading } from '../../components/states.js';
import { formatDateTime, timeAgo } from '../../format.js';
import { usePageTitle, useProject } from '../../project.js';
import type { Paginated } from '../../types.js';
import { useApi } from '../../use-api.js';
import { displayName, type Person } from './person-types.js';
import { SearchForm } from '../../components/search-form.js';

const PAGE = 50;

/**
 * `/persons?search=…&cursor=…`: newest persons first, searched by email, name, distinct id or uuid
 * (the persons API's `search`). The URL holds the search and the page, so links and back/forward work.
 */
export default function PersonsList() {
  const { project, base } = useProject();
  usePageTitle('Persons', project.name);
  const [params, setParams] = useSearchParams();
  const search = params.get('search') ?? '';
  const cursor = params.get('cursor') ?? '';
  const [text, setText] = useState(search);
  useEffect(() => setText(search), [search]);

  const query = new URLSearchParams({ limit: String(PAGE) });
  if (search) query.set('search', search);
  if (cursor) query.set('cursor', cursor);
  const persons = useApi<Paginated<Person>>(`/api/projects/${project.id}/persons/?${query}`);

  function submit(event: FormEvent) {
    event.preventDefault();
    const next = new URLSearchParams();
    if (text.trim()) next.set('search', text.trim());
    setParams(next);
  }

  const nextCursor = persons.status === 'ready' && persons.data.next ? new URL(persons.data.next, location.origin).searchParams.get('cursor') : null;
  const pageLink = (c: string | null) => {
    const p = new URLSearchParams();
    if (search) p.set('search', search);
    if (c) p.set('cursor', c);
    const qs = p.toString();
    return qs ? `?${qs}` : '?';
  };

  return (
    <>
      <div className="page-header">
        <h1>Persons</h1>
      </div>
      <SearchForm id="persons-search" label="Search persons" placeholder="Search by email, name, distinct ID or UUID" value={text} onChange={setText} onSubmit={submit} />
      {persons.status === 'loading' && <Loading label="Loading persons…" />}
      {persons.status === 'error' && <ErrorState error={persons.error} retry={persons.reload} />}
      {persons.status === 'ready' && persons.data.results.length === 0 && (
        <EmptyState title={search ? `No person matches “${search}”` : 'No persons yet'}>
          <p>{search ? 'Search matches part of an email or name, or a whole distinct ID or UUID.' : 'Persons appear when your SDKs send events or identify users.'}</p>
        </EmptyState>
      )}
      {persons.status === 'ready' && persons.data.results.length > 0 && (
        <>
          <table className="table">
            <caption className="visually-hidden">Persons{search ? ` matching ${search}` : ''}</caption>
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Distinct ID</th>
                <th scope="col">First seen</th>
              </tr>
            </thead>
            <tbody>
              {persons.data.results.map((person) => (
                <tr key={person.uuid}>
                  <th scope="row">
                    <Link to={`${base}/persons/${person.uuid}`}>{displayName(person)}</Link>
                  </th>
                  <td className="mono">
                    {person.distinct_ids[0] ?? '—'}
                    {person.distinct_ids.length > 1 && <span className="muted"> +{person.distinct_ids.length - 1}</span>}
                  </td>
                  <td>
                    <time dateTime={person.created_at} title={formatDateTime(person.created_at, project.timezone)}>
                      {timeAgo(person.created_at)}
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager" aria-label="Pages of persons">
            {cursor && <Link to={pageLink(null)}>First page</Link>}
            {nextCursor && <Link to={pageLink(nextCursor)}>Next page</Link>}
          </nav>
        </>
      )}
    </>
  );
}
