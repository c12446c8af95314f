import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError, errorMessage } from '../../api.js';
import { ConfirmDialog } from '../../components/dialog.js';
import { ErrorState, Loading } from '../../components/states.js';
import { formatDateTime } from '../../format.js';
import { usePageTitle, useProject } from '../../project.js';
import { useApi } from '../../use-api.js';
import { MetricForm } from './experiment-metric-form.js';
import { metricTitle, STATUS_LABELS, type Experiment, type ExperimentMetric } from './experiment-model.js';
import { Exposures, MetricResults, useMetricResult } from './experiment-results.js';

/** `/experiments/new` (setup) and `/experiments/:id` (launch/stop, metrics and results). */
export default function ExperimentPage() {
  const { project, base } = useProject();
  const { experimentId = 'new' } = useParams();
  const isNew = experimentId === 'new';
  const experiment = useApi<Experiment | null>(isNew ? 'experiment:new' : `/api/projects/${project.id}/experiments/${experimentId}/`, isNew ? async () => null : undefined);
  usePageTitle(isNew ? 'New experiment' : experiment.status === 'ready' && experiment.data ? experiment.data.name : 'Experiment', project.name);

  if (experiment.status === 'loading') return <Loading label="Loading experiment…" />;
  if (experiment.status === 'error') {
    const missing = experiment.error instanceof ApiError && experiment.error.status === 404;
    return (
      <>
        <ErrorState title={missing ? 'Experiment not found' : 'Could not load this experiment'} error={experiment.error} retry={missing ? undefined : experiment.reload} />
        <p>
          <Link to={`${base}/experiments`}>All experiments</Link>
        </p>
      </>
    );
  }
  if (!experiment.data) return <NewExperiment />;
  return <ExperimentView key={experiment.data.id} experiment={experiment.data} onChange={experiment.setData} />;
}

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100);

function NewExperiment() {
  const { project, base } = useProject();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [flagKey, setFlagKey] = useState('');
  const [keyTouched, setKeyTouched] = useState(false);
  const [variants, setVariants] = useState([
    { key: 'control', rollout: '50' },
    { key: 'test', rollout: '50' },
  ]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const sum = Math.round(variants.reduce((s, v) => s + (Number(v.rollout) || 0), 0) * 100) / 100;
  const key = keyTouched ? flagKey : slug(name);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const created = await api.post<Experiment>(`/api/projects/${project.id}/experiments/`, {
        name,
        description,
        feature_flag_key: key,
        parameters: { feature_flag_variants: variants.map((v) => ({ key: v.key.trim(), rollout_percentage: Number(v.rollout) })) },
      });
      navigate(`${base}/experiments/${created.id}`, { replace: true });
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <>
      <p className="breadcrumb">
        <Link to={`${base}/experiments`}>Experiments</Link> /
      </p>
      <h1>New experiment</h1>
      <form className="card" onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor="experiment-name">Name</label>
          <input id="experiment-name" className="input" required maxLength={400} value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="experiment-description">Hypothesis</label>
          <textarea id="experiment-description" className="input" rows={2} placeholder="If we … then … because …" value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="experiment-flag">Feature flag key</label>
          <input
            id="experiment-flag"
            className="input mono"
            required
            value={key}
            onChange={(e) => {
              setKeyTouched(true);
              setFlagKey(e.target.value);
            }}
          />
          <p className="hint">A new flag is created with the variants below (inactive until launch); an existing multivariate flag with a “control” variant is used as it is.</p>
        </div>
        <fieldset className="field">
          <legend>Variants</legend>
          <ol className="steps">
            {variants.map((v, i) => (
              <li key={i} className="inline-row">
                <input
                  aria-label={`Variant ${i + 1} key`}
                  className="input mono"
                  value={v.key}
                  readOnly={i === 0}
                  onChange={(e) => setVariants(variants.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)))}
                />
                <input
                  aria-label={`Variant ${i + 1} split`}
                  className="input input-narrow"
                  type="number"
                  min={0}
                  max={100}
                  value={v.rollout}
                  onChange={(e) => setVariants(variants.map((x, j) => (j === i ? { ...x, rollout: e.target.value } : x)))}
                />
                <span>%</span>
                {i > 1 && (
                  <button type="button" className="button button-small" aria-label={`Remove variant ${i + 1}`} onClick={() => setVariants(variants.filter((_, j) => j !== i))}>
                    Remove
                  </button>
                )}
              </li>
            ))}
          </ol>
          <div className="inline-row">
            <button type="button" className="button button-small" onClick={() => setVariants([...variants, { key: `test-${variants.length}`, rollout: '0' }])}>
              Add variant
            </button>
            <span className={sum === 100 ? 'sum-ok' : 'error-text'}>Total: {sum}%</span>
          </div>
        </fieldset>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            Save as draft
          </button>
        </div>
      </form>
    </>
  );
}

function ExperimentView({ experiment, onChange }: { experiment: Experiment; onChange: (e: Experiment) => void }) {
  const { project, base } = useProject();
  const [error, setError] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<'launch' | 'stop' | null>(null);
  const [adding, setAdding] = useState(false);
  const [refresh, setRefresh] = useState(0);
  const variants = experiment.feature_flag?.filters.multivariate?.variants ?? experiment.parameters?.feature_flag_variants ?? [];

  async function patch(body: Record<string, unknown>) {
    setError(null);
    try {
      onChange(await api.patch<Experiment>(`/api/projects/${project.id}/experiments/${experiment.id}/`, body));
    } catch (err) {
      setError(errorMessage(err));
      throw err;
    }
  }

  async function saveMetric(metric: ExperimentMetric) {
    await patch({ metrics: [...experiment.metrics, metric] });
    setAdding(false);
  }

  return (
    <>
      <p className="breadcrumb">
        <Link to={`${base}/experiments`}>Experiments</Link> /
      </p>
      <div className="page-header">
        <h1>
          {experiment.name} <span className={`tag tag-${experiment.status}`}>{STATUS_LABELS[experiment.status]}</span>
        </h1>
        <div className="inline-row">
          {experiment.status === 'draft' && (
            <button type="button" className="button button-primary" onClick={() => setConfirm('launch')}>
              Launch
            </button>
          )}
          {experiment.status === 'running' && (
            <>
              <button type="button" className="button" onClick={() => setRefresh((r) => r + 1)}>
                Refresh results
              </button>
              <button type="button" className="button button-danger" onClick={() => setConfirm('stop')}>
                Stop
              </button>
            </>
          )}
        </div>
      </div>
      {experiment.description && <p>{experiment.description}</p>}
      <dl className="facts">
        <div>
          <dt>Feature flag</dt>
          <dd className="mono">{experiment.feature_flag ? <Link to={`${base}/feature_flags/${experiment.feature_flag.id}`}>{experiment.feature_flag.key}</Link> : '—'}</dd>
        </div>
        <div>
          <dt>Variants</dt>
          <dd>{variants.map((v) => `${v.key} ${v.rollout_percentage}%`).join(' · ')}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{experiment.start_date ? formatDateTime(experiment.start_date, project.timezone) : 'Not launched'}</dd>
        </div>
        {experiment.end_date && (
          <div>
            <dt>Ended</dt>
            <dd>{formatDateTime(experiment.end_date, project.timezone)}</dd>
          </div>
        )}
      </dl>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {experiment.status === 'draft' ? (
        <p className="state state-empty">Results appear once the experiment is launched: launching enables its flag and starts counting exposures.</p>
      ) : experiment.metrics.length > 0 ? (
        <ExposuresFor experiment={experiment} refresh={refresh} />
      ) : null}
      <section aria-labelledby="metrics-title">
        <div className="page-header">
          <h2 id="metrics-title">Metrics</h2>
          {!adding && (
            <button type="button" className="button" onClick={() => setAdding(true)}>
              Add metric
            </button>
          )}
        </div>
        {adding && <MetricForm onSave={saveMetric} onCancel={() => setAdding(false)} />}
        {experiment.metrics.length === 0 && !adding && <p className="muted">No metric yet: add the funnel or mean this experiment should move.</p>}
        {experiment.metrics.map((m, i) =>
          experiment.status === 'draft' ? (
            <MetricSummary key={m.uuid ?? i} metric={m} index={i} onRemove={() => void patch({ metrics: experiment.metrics.filter((_, j) => j !== i) }).catch(() => undefined)} />
          ) : (
            <MetricResults
              key={m.uuid ?? i}
              experiment={experiment}
              metric={m}
              index={i}
              refresh={refresh}
              onRemove={() => void patch({ metrics: experiment.metrics.filter((_, j) => j !== i) }).catch(() => undefined)}
            />
          ),
        )}
      </section>
      {confirm === 'launch' && (
        <ConfirmDialog title="Launch this experiment?" confirmLabel="Launch" onConfirm={() => void patch({ start_date: new Date().toISOString() }).finally(() => setConfirm(null))} onCancel={() => setConfirm(null)}>
          <p>Its feature flag is enabled now and users start seeing the variants.</p>
        </ConfirmDialog>
      )}
      {confirm === 'stop' && (
        <ConfirmDialog title="Stop this experiment?" confirmLabel="Stop experiment" onConfirm={() => void patch({ end_date: new Date().toISOString() }).finally(() => setConfirm(null))} onCancel={() => setConfirm(null)}>
          <p>Results freeze at this moment. The flag keeps serving variants until you change it.</p>
        </ConfirmDialog>
      )}
    </>
  );
}

function ExposuresFor({ experiment, refresh }: { experiment: Experiment; refresh: number }) {
  // Exposures are the same for every metric, so the first metric's answer gives them.
  const result = useMetricResult(experiment, experiment.metrics[0]!, refresh);
  if (result.status === 'loading') return <Loading label="Counting exposures…" />;
  if (result.status === 'error') return <ErrorState error={result.error} retry={result.reload} />;
  return <Exposures result={result.data} />;
}

function MetricSummary({ metric, index, onRemove }: { metric: ExperimentMetric; index: number; onRemove: () => void }) {
  return (
    <div className="card metric-results">
      <div className="page-header">
        <h3>{metricTitle(metric, index)}</h3>
        <button type="button" className="button button-small" onClick={onRemove} aria-label={`Remove metric ${index + 1}`}>
          Remove
        </button>
      </div>
    </div>
  );
}
