import { Link, useSearchParams } from 'react-router';
import { EmptyState, ErrorState, Loading } from '../../components/states.js';
import { formatNumber } from '../../format.js';
import { useProject } from '../../project.js';
import type { Paginated } from '../../types.js';
import { useApi } from '../../use-api.js';
import { displayName, type Person } from '../persons/person-types.js';

const PAGE = 50;

/** The cohort's current members (`/cohorts/:id/persons/`), a page at a time; `version` refetches after a recalculation. */
export function CohortMembers({ cohortId, version }: { cohortId: number; version: number | null }) {
  const { project, base } = useProject();
  const [params, setParams] = useSearchParams();
  const offset = Math.max(0, Number(params.get('members_offset')) || 0);
  const members = useApi<Paginated<Person> & { count: number }>(`/api/projects/${project.id}/cohorts/${cohortId}/persons/?limit=${PAGE}&offset=${offset}&v=${version ?? 'none'}`);

  function go(to: number) {
    const next = new URLSearchParams(params);
    if (to > 0) next.set('members_offset', String(to));
    else next.delete('members_offset');
    setParams(next);
  }

  return (
    <section className="card" aria-labelledby="members-title">
      <h2 id="members-title">
        Persons in this cohort
        {members.status === 'ready' && (
          <>
            {' '}
            <span className="badge" data-testid="member-count">
              {formatNumber(members.data.count)}
            </span>
          </>
        )}
      </h2>
      {members.status === 'loading' && <Loading label="Loading members…" />}
      {members.status === 'error' && <ErrorState error={members.error} retry={members.reload} />}
      {members.status === 'ready' && members.data.results.length === 0 && <EmptyState title="No persons match this cohort" />}
      {members.status === 'ready' && members.data.results.length > 0 && (
        <>
          <table className="table">
            <caption className="visually-hidden">Members</caption>
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Distinct ID</th>
              </tr>
            </thead>
            <tbody>
              {members.data.results.map((p) => (
                <tr key={p.uuid}>
                  <th scope="row">
                    <Link to={`${base}/persons/${p.uuid}`}>{displayName(p)}</Link>
                  </th>
                  <td className="mono">{p.distinct_ids[0] ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager" aria-label="Pages of members">
            <span className="muted">
              {formatNumber(offset + 1)}–{formatNumber(offset + members.data.results.length)} of {formatNumber(members.data.count)}
            </span>
            {offset > 0 && (
              <button type="button" className="button button-small" onClick={() => go(Math.max(0, offset - PAGE))}>
                Previous
              </button>
            )}
            {offset + PAGE < members.data.count && (
              <button type="button" className="button button-small" onClick={() => go(offset + PAGE)}>
                Next
              </button>
            )}
          </nav>
        </>
      )}
    </section>
  );
}
