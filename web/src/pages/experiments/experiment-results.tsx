import { useMemo } from 'react';
import { api } from '../../api.js';
import { ErrorState, Loading } from '../../components/states.js';
import { formatNumber } from '../../format.js';
import { IntervalChart, type IntervalRow } from '../../charts/interval-chart.js';
import { useProject } from '../../project.js';
import { useApi } from '../../use-api.js';
import { mean, metricTitle, percent, signedPercent, significance, type Experiment, type ExperimentMetric, type ExperimentResult, type VariantResult } from './experiment-model.js';

/** One metric's results: `ExperimentQuery` for the saved experiment with this metric. */
export function useMetricResult(experiment: Experiment, metric: ExperimentMetric, refresh: number) {
  const { project } = useProject();
  return useApi<ExperimentResult>(`experiment-result:${project.id}:${experiment.id}:${JSON.stringify(metric)}:${experiment.start_date}:${experiment.end_date}:${refresh}`, () =>
    api.post<ExperimentResult>(`/api/projects/${project.id}/query/`, { query: { kind: 'ExperimentQuery', experiment_id: experiment.id, metric } }),
  );
}

export function MetricResults({ experiment, metric, index, refresh, onRemove }: { experiment: Experiment; metric: ExperimentMetric; index: number; refresh: number; onRemove?: () => void }) {
  const result = useMetricResult(experiment, metric, refresh);
  const title = metricTitle(metric, index);
  const headingId = `metric-${index}-title`;
  return (
    <section className="card metric-results" aria-labelledby={headingId}>
      <div className="page-header">
        <h3 id={headingId}>{title}</h3>
        {onRemove && (
          <button type="button" className="button button-small" onClick={onRemove} aria-label={`Remove metric ${title}`}>
            Remove
          </button>
        )}
      </div>
      {result.status === 'loading' && <Loading label="Computing results…" />}
      {result.status === 'error' && <ErrorState error={result.error} retry={result.reload} />}
      {result.status === 'ready' && <ResultBody experiment={experiment} metric={metric} result={result.data} title={title} />}
    </section>
  );
}

function ResultBody({ experiment, metric, result, title }: { experiment: Experiment; metric: ExperimentMetric; result: ExperimentResult; title: string }) {
  const ciLevel = experiment.stats_config?.ci_level ?? 0.95;
  const sig = significance(result, ciLevel);
  const funnel = metric.metric_type === 'funnel';
  const control = mean(result.baseline);
  const decreaseIsGood = metric.goal === 'decrease';

  const rows = useMemo<IntervalRow[]>(
    () =>
      result.variant_results.flatMap((v) => {
        const interval = v.credible_interval ?? v.confidence_interval;
        if (!interval) return [];
        const estimate = control > 0 ? mean(v) / control - 1 : null;
        const better = (estimate ?? 0) > 0 !== decreaseIsGood;
        return [{ label: v.key, low: interval[0], high: interval[1], estimate, tone: v.significant ? (better ? 'win' : 'loss') : 'neutral' }];
      }),
    [result, control, decreaseIsGood],
  );

  const method = result.variant_results[0]?.method ?? 'bayesian';
  return (
    <>
      <div className={`significance significance-${sig.state}`} role="status" data-testid="significance">
        <strong>{sig.headline}</strong>
        <ul>
          {sig.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
        {sig.legacy && <p className="hint">{sig.legacy}</p>}
      </div>
      <table className="table results-table">
        <caption className="visually-hidden">{title}: results per variant</caption>
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col" className="num">
              Exposures
            </th>
            <th scope="col" className="num">
              {funnel ? 'Conversions' : 'Total'}
            </th>
            <th scope="col" className="num">
              {funnel ? 'Conversion rate' : 'Mean'}
            </th>
            <th scope="col" className="num">
              Change
            </th>
            <th scope="col" className="num">
              {method === 'bayesian' ? 'Chance to win' : 'p-value'}
            </th>
            <th scope="col">{method === 'bayesian' ? `${percent(ciLevel, 0)} credible interval` : `${percent(ciLevel, 0)} confidence interval`}</th>
          </tr>
        </thead>
        <tbody>
          {[result.baseline, ...result.variant_results].map((v) => {
            const r: VariantResult | null = v === result.baseline ? null : (v as VariantResult);
            const interval = r?.credible_interval ?? r?.confidence_interval;
            const m = mean(v);
            return (
              <tr key={v.key} data-variant={v.key}>
                <th scope="row" className="mono">
                  {v.key}
                  {!r && v.key !== 'control' && <span className="muted"> (baseline)</span>}
                </th>
                <td className="num">{formatNumber(v.number_of_samples)}</td>
                <td className="num">{formatNumber(Math.round(v.sum * 100) / 100)}</td>
                <td className="num">{funnel ? percent(m) : m.toFixed(2)}</td>
                <td className="num">{r && control > 0 ? signedPercent(m / control - 1) : '—'}</td>
                <td className="num" data-testid={`chance-${v.key}`}>
                  {r ? (r.chance_to_win !== undefined ? percent(r.chance_to_win) : r.p_value !== undefined ? r.p_value.toFixed(3) : '—') : '—'}
                </td>
                <td>{interval ? `${signedPercent(interval[0])} to ${signedPercent(interval[1])}` : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {rows.length > 0 ? (
        <figure className="interval-figure">
          <IntervalChart rows={rows} title={`Change against ${result.baseline.key}, ${percent(ciLevel, 0)} interval`} />
          <figcaption className="hint">
            Change against {result.baseline.key} with its {percent(ciLevel, 0)} interval; the line marks no change.
            {decreaseIsGood ? ' The goal is a decrease.' : ''}
          </figcaption>
        </figure>
      ) : (
        <p className="hint">The interval chart appears once every variant has enough data.</p>
      )}
    </>
  );
}
