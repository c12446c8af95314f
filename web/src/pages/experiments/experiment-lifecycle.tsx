import { useEffect, useId, useState, type FormEvent } from 'react';
import { api, errorMessage } from '../../api.js';
import { Dialog, FormDialogActions } from '../../components/dialog.js';
import { useProject } from '../../project.js';
import { useMetricResult } from './experiment-results.js';
import { CONCLUSION_LABELS, CONCLUSIONS, significantWinner, type Conclusion, type Experiment } from './experiment-model.js';

/** POSTs one of the experiment's lifecycle actions (`end`, `ship_variant`, `pause`, …) and returns the experiment as it now is. */
export function postAction(projectId: number, experimentId: number, action: string, body: Record<string, unknown> = {}): Promise<Experiment> {
  return api.post<Experiment>(`/api/projects/${projectId}/experiments/${experimentId}/${action}/`, body);
}

function ConclusionFields({ conclusion, comment, onConclusion, onComment, required }: { conclusion: Conclusion | ''; comment: string; onConclusion: (c: Conclusion | '') => void; onComment: (c: string) => void; required: boolean }) {
  const id = useId();
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-conclusion`}>Conclusion</label>
        <select id={`${id}-conclusion`} className="input" required={required} value={conclusion} onChange={(e) => onConclusion(e.target.value as Conclusion | '')}>
          {!required && <option value="">No conclusion</option>}
          {required && (
            <option value="" disabled>
              Choose a conclusion…
            </option>
          )}
          {CONCLUSIONS.map((c) => (
            <option key={c} value={c}>
              {CONCLUSION_LABELS[c]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-comment`}>Comment (optional)</label>
        <textarea id={`${id}-comment`} className="input" rows={3} maxLength={4000} placeholder="What you learned, what happens next" value={comment} onChange={(e) => onComment(e.target.value)} />
      </div>
    </>
  );
}

/** Stop: freezes the results window now and records why, as PostHog's "End experiment" does. The flag is left as it is. */
export function StopDialog({ experiment, onDone, onCancel }: { experiment: Experiment; onDone: (e: Experiment) => void; onCancel: () => void }) {
  const { project } = useProject();
  const [conclusion, setConclusion] = useState<Conclusion | ''>('');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onDone(await postAction(project.id, experiment.id, 'end', { conclusion, conclusion_comment: comment.trim() || null }));
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <Dialog title="Stop this experiment?" onClose={onCancel}>
      <form onSubmit={(e) => void submit(e)}>
        <p>Results freeze at this moment. The flag keeps serving variants until you ship one or change the flag.</p>
        <ConclusionFields conclusion={conclusion} comment={comment} onConclusion={setConclusion} onComment={setComment} required />
        <FormDialogActions error={error} busy={busy} submitLabel="Stop experiment" onCancel={onCancel} />
      </form>
    </Dialog>
  );
}

/**
 * Ship a variant: the flag serves the chosen variant to everyone (its split at 100%, and a 100%
 * release condition first unless unticked) and a running experiment ends, with a conclusion.
 * The primary metric's significant winner is chosen by default.
 */
export function ShipVariantDialog({ experiment, onDone, onCancel }: { experiment: Experiment; onDone: (e: Experiment) => void; onCancel: () => void }) {
  const { project } = useProject();
  const variants = experiment.feature_flag?.filters.multivariate?.variants ?? [];
  const primary = experiment.metrics[0];
  const [variant, setVariant] = useState<string | null>(null);
  const [conclusion, setConclusion] = useState<Conclusion | ''>('won');
  const [comment, setComment] = useState('');
  const [everyone, setEveryone] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  return (
    <Dialog title="Ship a variant" onClose={onCancel}>
      {primary ? (
        <Recommendation experiment={experiment} onWinner={(w) => setVariant((v) => v ?? w)} />
      ) : (
        <p className="hint">This experiment has no metric, so there is no winner to recommend.</p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!variant) return;
          setBusy(true);
          setError(null);
          postAction(project.id, experiment.id, 'ship_variant', { variant_key: variant, conclusion: conclusion || null, conclusion_comment: comment.trim() || null, release_to_everyone: everyone }).then(onDone, (err: unknown) => {
            setError(errorMessage(err));
            setBusy(false);
          });
        }}
      >
        <fieldset className="field">
          <legend>Variant to ship</legend>
          {variants.map((v) => (
            <label key={v.key} className="check">
              <input type="radio" name="ship-variant" value={v.key} required checked={variant === v.key} onChange={() => setVariant(v.key)} /> <span className="mono">{v.key}</span>
            </label>
          ))}
        </fieldset>
        <label className="check">
          <input type="checkbox" checked={everyone} onChange={(e) => setEveryone(e.target.checked)} /> Serve it to everyone
        </label>
        <p className="hint">
          {everyone
            ? 'Adds a 100% release condition before the flag’s current ones; delete it on the flag to roll back.'
            : 'Only the variant split changes: users outside the flag’s release conditions still get nothing.'}
        </p>
        <ConclusionFields conclusion={conclusion} comment={comment} onConclusion={setConclusion} onComment={setComment} required={false} />
        <p>
          {variant ? (
            <>
              The flag <span className="mono">{experiment.feature_flag?.key}</span> will serve <strong className="mono">{variant}</strong> to 100% of {everyone ? 'users' : 'matching users'}
            </>
          ) : (
            'Choose the variant the flag will serve to everyone'
          )}
          {experiment.status === 'running' ? ', and the experiment ends now.' : '.'}
        </p>
        <FormDialogActions error={error} busy={busy || !variant} submitLabel="Ship variant" onCancel={onCancel} />
      </form>
    </Dialog>
  );
}

/** The primary metric's verdict, and its winner handed up as the default choice. */
function Recommendation({ experiment, onWinner }: { experiment: Experiment; onWinner: (variant: string) => void }) {
  const metric = experiment.metrics[0]!;
  const result = useMetricResult(experiment, metric, 0);
  const winner = result.status === 'ready' ? significantWinner(result.data, metric.goal) : null;
  useEffect(() => {
    if (winner) onWinner(winner);
    // onWinner only fills an empty choice, so running it once per winner is enough.
  }, [winner]);
  if (result.status === 'loading') return <p className="hint">Checking the primary metric for a winner…</p>;
  if (result.status === 'error') return <p className="hint">The primary metric could not be computed ({errorMessage(result.error)}), so there is no recommendation.</p>;
  return (
    <p className={winner ? 'ship-recommendation' : 'hint'} data-testid="ship-recommendation">
      {winner ? (
        <>
          The primary metric is significant: <strong className="mono">{winner}</strong> wins.
        </>
      ) : (
        'The primary metric is not significant: no variant is recommended.'
      )}
    </p>
  );
}
