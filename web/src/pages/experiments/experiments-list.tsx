import { Link, useSearchParams } from 'react-router';
import { EmptyState, ErrorState, Loading } from '../../components/states.js';
import { formatDateTime, timeAgo } from '../../format.js';
import { usePageTitle, useProject } from '../../project.js';
import type { Paginated } from '../../types.js';
import { useApi } from '../../use-api.js';
import { CONCLUSION_LABELS, displayStatus, STATUS_LABELS, type Experiment } from './experiment-model.js';

/** `/experiments?status=…&archived=1`: the experiments with their status, conclusion and flag; archived ones on their own view. */
export default function ExperimentsList() {
  const { project, base } = useProject();
  usePageTitle('Experiments', project.name);
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? '';
  const archived = params.get('archived') === '1';
  const experiments = useApi<Paginated<Experiment>>(`/api/projects/${project.id}/experiments/?limit=1000`);
  const rows = experiments.status === 'ready' ? experiments.data.results.filter((e) => e.archived === archived && (!status || displayStatus(e) === status)) : [];

  function setParam(name: string, value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next);
  }

  const date = (iso: string | null) =>
    iso ? (
      <time dateTime={iso} title={formatDateTime(iso, project.timezone)}>
        {timeAgo(iso)}
      </time>
    ) : (
      '—'
    );

  return (
    <>
      <div className="page-header">
        <h1>Experiments</h1>
        <Link className="button button-primary" to={`${base}/experiments/new`}>
          New experiment
        </Link>
      </div>
      <div className="toolbar">
        <label>
          Status{' '}
          <select className="input" value={status} onChange={(e) => setParam('status', e.target.value)}>
            <option value="">All</option>
            <option value="draft">Draft</option>
            <option value="running">Running</option>
            <option value="paused">Paused</option>
            <option value="stopped">Complete</option>
          </select>
        </label>
        <label className="check-inline">
          <input type="checkbox" checked={archived} onChange={(e) => setParam('archived', e.target.checked ? '1' : '')} /> Archived only
        </label>
      </div>
      {experiments.status === 'loading' && <Loading label="Loading experiments…" />}
      {experiments.status === 'error' && <ErrorState error={experiments.error} retry={experiments.reload} />}
      {experiments.status === 'ready' && rows.length === 0 && (
        <EmptyState
          title={
            experiments.data.results.length === 0 ? 'No experiments yet' : status ? `No ${archived ? 'archived ' : ''}experiment has this status` : archived ? 'No archived experiments' : 'Every experiment is archived'
          }
        >
          <p>An experiment splits users between variants of a feature flag and tells you which variant moves a metric.</p>
        </EmptyState>
      )}
      {rows.length > 0 && (
        <table className="table">
          <caption className="visually-hidden">Experiments</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Feature flag</th>
              <th scope="col">Status</th>
              <th scope="col">Started</th>
              <th scope="col">Ended</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.id}>
                <th scope="row">
                  <Link to={`${base}/experiments/${e.id}`}>{e.name}</Link>
                </th>
                <td className="mono">{e.feature_flag ? <Link to={`${base}/feature_flags/${e.feature_flag.id}`}>{e.feature_flag.key}</Link> : '—'}</td>
                <td>
                  <span className={`tag tag-${displayStatus(e)}`}>{STATUS_LABELS[displayStatus(e)]}</span>
                  {e.conclusion && <span className="muted"> {CONCLUSION_LABELS[e.conclusion] ?? e.conclusion}</span>}
                </td>
                <td>{date(e.start_date)}</td>
                <td>{date(e.end_date)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
