import { useMemo } from 'react';
import { apiRequest } from '../../api.js';
import { SeriesChart } from '../../charts/series-chart.js';
import { ErrorState, Loading } from '../../components/states.js';
import { formatNumber } from '../../format.js';
import { useProject } from '../../project.js';
import { useApi } from '../../use-api.js';
import { MULTIPLE_VARIANT_KEY, percent, type Experiment, type ExposureAnswer } from './experiment-model.js';

/** `ExperimentExposureQuery` for the saved experiment over its own window. */
function useExposures(experiment: Experiment, refresh: number) {
  const { project } = useProject();
  return useApi<ExposureAnswer>(`experiment-exposures:${project.id}:${experiment.id}:${experiment.start_date}:${experiment.end_date}:${refresh}`, (signal) =>
    apiRequest<ExposureAnswer>(
      'POST',
      `/api/projects/${project.id}/query/`,
      {
        query: {
          kind: 'ExperimentExposureQuery',
          experiment_id: experiment.id,
          experiment_name: experiment.name,
          feature_flag: experiment.feature_flag ? { key: experiment.feature_flag.key } : null,
          // No start_date, end_date or exposure_criteria: the server then uses the saved experiment's,
          // exactly as ExperimentQuery does, so the panel and the results always count the same users.
          holdout: null,
        },
      },
      { signal },
    ),
  );
}

/**
 * The Exposures panel: who has been exposed to each variant (first exposure, as the results count
 * them), each variant's share, and the cumulative exposures per day in the project's timezone.
 */
export function ExposuresPanel({ experiment, refresh }: { experiment: Experiment; refresh: number }) {
  const exposures = useExposures(experiment, refresh);
  return (
    <section className="card exposures-panel" aria-labelledby="exposures-title">
      <h2 id="exposures-title">Exposures</h2>
      {exposures.status === 'loading' && <Loading label="Counting exposures…" />}
      {exposures.status === 'error' && <ErrorState error={exposures.error} retry={exposures.reload} />}
      {exposures.status === 'ready' && <ExposuresBody experiment={experiment} answer={exposures.data} />}
    </section>
  );
}

function ExposuresBody({ experiment, answer }: { experiment: Experiment; answer: ExposureAnswer }) {
  const { project } = useProject();
  const flagVariants = (experiment.feature_flag?.filters.multivariate?.variants ?? []).map((v) => v.key);
  // Every variant of the flag is listed, exposed or not; the server only sends variants with exposures.
  const variants = [...flagVariants, ...answer.timeseries.map((s) => s.variant).filter((k) => k !== MULTIPLE_VARIANT_KEY && !flagVariants.includes(k))];
  const totals = variants.map((key) => ({ key, count: answer.total_exposures[key] ?? 0 }));
  const total = totals.reduce((s, v) => s + v.count, 0);
  const multiple = answer.total_exposures[MULTIPLE_VARIANT_KEY] ?? 0;
  const days = answer.timeseries[0]?.days ?? [];
  const series = useMemo(() => answer.timeseries.filter((s) => s.variant !== MULTIPLE_VARIANT_KEY).map((s) => ({ name: s.variant, data: s.exposure_counts })), [answer]);
  const chartLabel = `Cumulative exposures per variant by day (${project.timezone}): ${totals.map((v) => `${v.key} ${v.count}`).join(', ')}`;

  return (
    <>
      <p className="muted">
        Users counted on the day they first saw a variant (<code>$feature_flag_called</code> for <code>{experiment.feature_flag?.key ?? 'the flag'}</code>), from launch
        {experiment.end_date ? ' to the end' : ' until now'}. Results are computed over these same users.
      </p>
      <div className="exposures-layout">
        <table className="table exposures">
          <caption className="visually-hidden">Exposures per variant</caption>
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col" className="num">
                Exposures
              </th>
              <th scope="col" className="num">
                Share
              </th>
            </tr>
          </thead>
          <tbody>
            {totals.map((v) => (
              <tr key={v.key} data-variant={v.key}>
                <th scope="row" className="mono">
                  {v.key}
                </th>
                <td className="num" data-testid={`exposures-${v.key}`}>
                  {formatNumber(v.count)}
                </td>
                <td className="num" data-testid={`share-${v.key}`}>
                  {total ? percent(v.count / total) : '—'}
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              <td className="num" data-testid="exposures-total">
                {formatNumber(total)}
              </td>
              <td />
            </tr>
          </tfoot>
        </table>
        <figure className="exposures-figure">
          {total > 0 ? <SeriesChart type="line" x={days} series={series} label={chartLabel} height="16rem" /> : <p className="state state-empty">No exposures yet: users are counted when your app calls the flag.</p>}
          {total > 0 && <figcaption className="hint">Cumulative exposures per variant by day, in {project.timezone}.</figcaption>}
        </figure>
      </div>
      {multiple > 0 && (
        <p className="warning" data-testid="exposures-multiple">
          {formatNumber(multiple)} {multiple === 1 ? 'user was' : 'users were'} exposed to more than one variant and {multiple === 1 ? 'is' : 'are'} left out of the results.
        </p>
      )}
      {total > 0 && (
        <details className="exposures-days">
          <summary>Exposures by day</summary>
          <table className="table">
            <caption className="visually-hidden">Cumulative exposures by day</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                {series.map((s) => (
                  <th key={s.name} scope="col" className="num mono">
                    {s.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {days.map((day, i) => (
                <tr key={day}>
                  <th scope="row">
                    <time dateTime={day}>{day}</time>
                  </th>
                  {series.map((s) => (
                    <td key={s.name} className="num">
                      {formatNumber(s.data[i] ?? 0)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </>
  );
}
