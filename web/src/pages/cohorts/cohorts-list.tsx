import { useEffect } from 'react';
import { Link } from 'react-router';
import { EmptyState, ErrorState, Loading } from '../../components/states.js';
import { formatDateTime, formatNumber, timeAgo } from '../../format.js';
import { usePageTitle, useProject } from '../../project.js';
import type { Paginated } from '../../types.js';
import { useApi } from '../../use-api.js';
import { isCalculating, type Cohort } from './cohort-model.js';

const TYPE_LABELS: Record<string, string> = {
  static: 'Static',
  person_property: 'Dynamic (person properties)',
  behavioral: 'Dynamic (behavioural)',
  analytical: 'Dynamic (HogQL query)',
};

/** `/cohorts`: every cohort with its size; polls while any is being calculated. */
export default function CohortsList() {
  const { project, base } = useProject();
  usePageTitle('Cohorts', project.name);
  const cohorts = useApi<Paginated<Cohort>>(`/api/projects/${project.id}/cohorts/?limit=1000`);
  const calculating = cohorts.status === 'ready' && cohorts.data.results.some(isCalculating);
  const { reload } = cohorts;
  useEffect(() => {
    if (!calculating) return;
    const timer = setInterval(reload, 2000);
    return () => clearInterval(timer);
  }, [calculating, reload]);

  return (
    <>
      <div className="page-header">
        <h1>Cohorts</h1>
        <Link className="button button-primary" to={`${base}/cohorts/new`}>
          New cohort
        </Link>
      </div>
      <p className="muted">Groups of persons by what they did or who they are, to filter insights and target feature flags.</p>
      {cohorts.status === 'loading' && <Loading label="Loading cohorts…" />}
      {cohorts.status === 'error' && <ErrorState error={cohorts.error} retry={cohorts.reload} />}
      {cohorts.status === 'ready' && cohorts.data.results.length === 0 && (
        <EmptyState title="No cohorts yet">
          <p>Create one from behaviour (“completed signup in the last 30 days”), person properties, or a CSV of distinct IDs.</p>
        </EmptyState>
      )}
      {cohorts.status === 'ready' && cohorts.data.results.length > 0 && (
        <table className="table">
          <caption className="visually-hidden">Cohorts</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Persons</th>
              <th scope="col">Type</th>
              <th scope="col">Last calculated</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {cohorts.data.results.map((c) => (
              <tr key={c.id}>
                <th scope="row">
                  <Link to={`${base}/cohorts/${c.id}`}>{c.name || `Untitled cohort ${c.id}`}</Link>
                  {c.description && <div className="muted cell-note">{c.description}</div>}
                </th>
                <td className="num">
                  <CohortCount cohort={c} />
                </td>
                <td>{TYPE_LABELS[c.cohort_type] ?? c.cohort_type}</td>
                <td>
                  {c.last_calculation ? (
                    <time dateTime={c.last_calculation} title={formatDateTime(c.last_calculation, project.timezone)}>
                      {timeAgo(c.last_calculation)}
                    </time>
                  ) : (
                    '—'
                  )}
                </td>
                <td>
                  <time dateTime={c.created_at} title={formatDateTime(c.created_at, project.timezone)}>
                    {timeAgo(c.created_at)}
                  </time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** The size, "Calculating…" while it runs, or the error of the last calculation. */
export function CohortCount({ cohort }: { cohort: Cohort }) {
  if (isCalculating(cohort)) {
    return (
      <span className="calculating">
        <span className="spinner" aria-hidden="true" /> Calculating…
      </span>
    );
  }
  if (cohort.count === null || cohort.last_error_message) {
    return (
      <span className="error-text" title={cohort.last_error_message ?? undefined}>
        {cohort.count === null ? 'Failed to calculate' : `${formatNumber(cohort.count)} (last run failed)`}
      </span>
    );
  }
  return <>{formatNumber(cohort.count)}</>;
}
