import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiError, errorMessage } from '../../api.js';
import { ConfirmDialog } from '../../components/dialog.js';
import { ErrorState, Loading } from '../../components/states.js';
import { formatDateTime } from '../../format.js';
import { usePageTitle, useProject } from '../../project.js';
import { useApi } from '../../use-api.js';
import { MetricForm } from './experiment-metric-form.js';
import { CONCLUSION_LABELS, displayStatus, metricTitle, STATUS_LABELS, type Experiment, type ExperimentMetric } from './experiment-model.js';
import { ExposuresPanel } from './experiment-exposures.js';
import { postAction, ShipVariantDialog, StopDialog } from './experiment-lifecycle.js';
import { MetricResults } from './experiment-results.js';

/** `/experiments/new` (setup) and `/experiments/:id` (lifecycle actions, exposures, metrics and results). */
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
  const [dialog, setDialog] = useState<'launch' | 'stop' | 'ship' | 'pause' | null>(null);
  const [busy, setBusy] = useState(false);
  const [adding, setAdding] = useState(false);
  const [refresh, setRefresh] = useState(0);
  const variants = experiment.feature_flag?.filters.multivariate?.variants ?? experiment.parameters?.feature_flag_variants ?? [];
  const status = displayStatus(experiment);

  async function patch(body: Record<string, unknown>) {
    setError(null);
    try {
      onChange(await api.patch<Experiment>(`/api/projects/${project.id}/experiments/${experiment.id}/`, body));
    } catch (err) {
      setError(errorMessage(err));
      throw err;
    }
  }

  /** A lifecycle action; the page shows the experiment (and its flag) as the server answers. */
  async function act(action: string) {
    setError(null);
    setBusy(true);
    try {
      onChange(await postAction(project.id, experiment.id, action));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
      setDialog(null);
    }
  }

  function done(updated: Experiment) {
    setDialog(null);
    onChange(updated);
  }

  async function saveMetric(metric: ExperimentMetric) {
    await patch({ metrics: [...experiment.metrics, metric] });
    setAdding(false);
  }

  const launched = experiment.status !== 'draft';
  return (
    <>
      <p className="breadcrumb">
        <Link to={`${base}/experiments`}>Experiments</Link> /
      </p>
      <div className="page-header">
        <h1>
          {experiment.name} <span className={`tag tag-${status}`}>{STATUS_LABELS[status]}</span>
          {experiment.archived && <span className="tag"> Archived</span>}
        </h1>
        <div className="inline-row experiment-actions">
          {experiment.status === 'draft' && (
            <button type="button" className="button button-primary" onClick={() => setDialog('launch')}>
              Launch
            </button>
          )}
          {experiment.status === 'running' && (
            <button type="button" className="button" onClick={() => setRefresh((r) => r + 1)}>
              Refresh results
            </button>
          )}
          {status === 'running' && (
            <button type="button" className="button" onClick={() => setDialog('pause')}>
              Pause
            </button>
          )}
          {status === 'paused' && (
            <button type="button" className="button" disabled={busy} onClick={() => void act('resume')}>
              Resume
            </button>
          )}
          {launched && (
            <button type="button" className="button" onClick={() => setDialog('ship')}>
              Ship a variant
            </button>
          )}
          {experiment.status === 'running' && (
            <button type="button" className="button button-danger" onClick={() => setDialog('stop')}>
              Stop
            </button>
          )}
          {experiment.status === 'stopped' && (
            <button type="button" className="button" disabled={busy} onClick={() => void act(experiment.archived ? 'unarchive' : 'archive')}>
              {experiment.archived ? 'Unarchive' : 'Archive'}
            </button>
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
          <dd data-testid="variant-split">{variants.map((v) => `${v.key} ${v.rollout_percentage}%`).join(' · ')}</dd>
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
      {status === 'paused' && (
        <p className="warning" role="status">
          Paused: the flag is off, so users get your code’s default and no new exposures are recorded. Resume to serve the variants again.
        </p>
      )}
      {experiment.conclusion && (
        <div className={`conclusion conclusion-${experiment.conclusion}`} data-testid="conclusion">
          <strong>Conclusion: {CONCLUSION_LABELS[experiment.conclusion] ?? experiment.conclusion}</strong>
          {experiment.conclusion_comment && <p>{experiment.conclusion_comment}</p>}
        </div>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {launched ? (
        <ExposuresPanel experiment={experiment} refresh={refresh} />
      ) : (
        <p className="state state-empty">Results appear once the experiment is launched: launching enables its flag and starts counting exposures.</p>
      )}
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
      {dialog === 'launch' && (
        <ConfirmDialog title="Launch this experiment?" confirmLabel="Launch" onConfirm={() => void patch({ start_date: new Date().toISOString() }).finally(() => setDialog(null))} onCancel={() => setDialog(null)}>
          <p>Its feature flag is enabled now and users start seeing the variants.</p>
        </ConfirmDialog>
      )}
      {dialog === 'pause' && (
        <ConfirmDialog title="Pause this experiment?" confirmLabel="Pause" busy={busy} onConfirm={() => void act('pause')} onCancel={() => setDialog(null)}>
          <p>
            Its flag <span className="mono">{experiment.feature_flag?.key}</span> is turned off: users get your code’s default and no new exposures are recorded. The experiment keeps running; resume
            it to serve the variants again.
          </p>
        </ConfirmDialog>
      )}
      {dialog === 'stop' && <StopDialog experiment={experiment} onDone={done} onCancel={() => setDialog(null)} />}
      {dialog === 'ship' && <ShipVariantDialog experiment={experiment} onDone={done} onCancel={() => setDialog(null)} />}
    </>
  );
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
