import { useState, type FormEvent } from 'react';
import { EventNameInput } from '../../components/definition-inputs.js';
import type { EventsNode, ExperimentMetric } from './experiment-model.js';

/**
 * A new metric: a funnel (share of exposed users who then do the steps, in order) or a mean (count
 * of an event, or sum of a numeric property, per exposed user). Only events after exposure count.
 */
export function MetricForm({ onSave, onCancel }: { onSave: (m: ExperimentMetric) => Promise<void>; onCancel: () => void }) {
  const [name, setName] = useState('');
  const [type, setType] = useState<'funnel' | 'mean'>('funnel');
  const [steps, setSteps] = useState<string[]>(['']);
  const [event, setEvent] = useState('');
  const [math, setMath] = useState<'total' | 'sum'>('total');
  const [property, setProperty] = useState('');
  const [goal, setGoal] = useState<'increase' | 'decrease'>('increase');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    let metric: ExperimentMetric;
    if (type === 'funnel') {
      const series = steps.map((s) => s.trim()).filter(Boolean);
      if (series.length === 0) return setError('Add at least one funnel step.');
      metric = { kind: 'ExperimentMetric', metric_type: 'funnel', series: series.map((ev): EventsNode => ({ kind: 'EventsNode', event: ev })), goal };
    } else {
      if (!event.trim()) return setError('Choose the event to measure.');
      if (math === 'sum' && !property.trim()) return setError('Choose the numeric property to sum.');
      const source: EventsNode = { kind: 'EventsNode', event: event.trim(), math };
      if (math === 'sum') source.math_property = property.trim();
      metric = { kind: 'ExperimentMetric', metric_type: 'mean', source, goal };
    }
    if (name.trim()) metric.name = name.trim();
    metric.uuid = crypto.randomUUID();
    setBusy(true);
    try {
      await onSave(metric);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  }

  return (
    <form className="card metric-form" onSubmit={(e) => void submit(e)} aria-labelledby="metric-form-title">
      <h3 id="metric-form-title">Add a metric</h3>
      <div className="field">
        <label htmlFor="metric-name">Name (optional)</label>
        <input id="metric-name" className="input" value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <fieldset className="field">
        <legend>Metric type</legend>
        <label className="check">
          <input type="radio" name="metric-type" checked={type === 'funnel'} onChange={() => setType('funnel')} /> Funnel: share of exposed users who complete the steps
        </label>
        <label className="check">
          <input type="radio" name="metric-type" checked={type === 'mean'} onChange={() => setType('mean')} /> Mean: average per exposed user
        </label>
      </fieldset>
      {type === 'funnel' ? (
        <fieldset className="field">
          <legend>Steps after exposure</legend>
          <ol className="steps">
            {steps.map((s, i) => (
              <li key={i} className="inline-row">
                <EventNameInput aria-label={`Step ${i + 1} event`} placeholder="event name" value={s} onChange={(v) => setSteps(steps.map((x, j) => (j === i ? v : x)))} />
                {steps.length > 1 && (
                  <button type="button" className="button button-small" aria-label={`Remove step ${i + 1}`} onClick={() => setSteps(steps.filter((_, j) => j !== i))}>
                    Remove
                  </button>
                )}
              </li>
            ))}
          </ol>
          <button type="button" className="button button-small" onClick={() => setSteps([...steps, ''])}>
            Add step
          </button>
        </fieldset>
      ) : (
        <div className="inline-row">
          <label>
            Measure{' '}
            <select className="input" value={math} onChange={(e) => setMath(e.target.value as 'total' | 'sum')}>
              <option value="total">count of</option>
              <option value="sum">sum of a property of</option>
            </select>
          </label>
          <EventNameInput aria-label="Metric event" placeholder="event name" value={event} onChange={setEvent} />
          {math === 'sum' && <input aria-label="Property to sum" className="input mono" placeholder="e.g. revenue" value={property} onChange={(e) => setProperty(e.target.value)} />}
        </div>
      )}
      <div className="field">
        <label htmlFor="metric-goal">Goal</label>
        <select id="metric-goal" className="input" value={goal} onChange={(e) => setGoal(e.target.value as 'increase' | 'decrease')}>
          <option value="increase">Increase</option>
          <option value="decrease">Decrease</option>
        </select>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          Save metric
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
